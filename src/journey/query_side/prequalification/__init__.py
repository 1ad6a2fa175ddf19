"""Prequalification: ask every outside system at once, decide, keep what they said."""
