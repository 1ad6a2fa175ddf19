"""Test sequencing after OpenHTF: phases, measurements with limits, records, the card test."""
