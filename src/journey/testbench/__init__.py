"""The RF test bench: the station that measures each personalized contactless card.

- `instruments/`: SCPI drivers over PyVISA (switch matrix, generator, analyzers, card handler).
- `switching/`: routes over the switch matrix, after NI Switch Executive.
- `sequences/`: phases, measurements with limits, test records (after OpenHTF), the card test.
- `station.py` / `runtime.py`: the station file, and the station opened at run time.
- `multisite.py`: several fixture positions sharing the instruments.
- `simulators/`: simulated instruments on loopback sockets over one physical model.
- `integration.py`: `CardPersonalized` in, `CardRfTestPassed` / `CardRfTestFailed` out.
"""
