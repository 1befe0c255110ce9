"""Demo and benchmark data (the Balikpapan demo, the compliance demo, the synthetic generator) and
their commands. Installed by the base and test settings only, never in production."""
