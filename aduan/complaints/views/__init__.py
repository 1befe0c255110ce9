"""Pages of the citizen portal (portal, filing, tracking) and the staff workspace (staff)."""
