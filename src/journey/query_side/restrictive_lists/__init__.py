"""Restrictive lists screening: sanctions (OFAC SDN, UN), PEP and internal blacklist.

- `model`: the request (`ScreeningSubject`) and the answer (`ScreeningResult`), JSON-ready;
- `port`: `RestrictiveListScreening`, what callers depend on;
- `screening`: `ScreeningEngine` (in-process implementation) and `ScreeningSettings`;
- `lists`: loaders for OFAC's CSV release, the UN XML and our PEP/internal CSV;
- `normalize`, `similarity`, `index`, `qualifiers`, `matcher`: the pure matching domain;
- `clearances`: remembered false positives (port + in-memory adapter);
- `generate`: the synthetic sample lists shipped in `data/`.

See `docs/screening.md`. Submodules are imported explicitly; this package imports nothing.
"""
