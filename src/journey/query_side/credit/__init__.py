"""Credit record: bureau reports normalized to a common risk tier."""
