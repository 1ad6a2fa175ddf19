"""The simulated world: cards with hidden properties, the fixture, the switch's nets, RF coupling.

Only the simulated instruments and the accuracy scoring read this; the station cannot.
"""
