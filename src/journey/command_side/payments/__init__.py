"""Payments: charging the annual fee and refunding it (a compensation)."""
