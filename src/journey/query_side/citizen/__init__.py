"""Citizen validation: national ID check digits, then a civil-registry check."""
