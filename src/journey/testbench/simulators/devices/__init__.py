"""The simulated instruments, each a SCPI command set over the shared `Bench` physics."""
