"""The outside systems over HTTP: a server for the simulators, and httpx adapters for the ports."""
