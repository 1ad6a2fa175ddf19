"""A SCPI command parser for simulated instruments (short/long forms, units, error codes)."""
