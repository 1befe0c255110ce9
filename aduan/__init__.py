"""Aduan: public-complaint tracking for Indonesian local governments and the Ombudsman."""
