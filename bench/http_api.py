"""HTTP benchmark: the API's create-application command (POST /applications) and a read-model
query (GET /applications/{id}) against a bare FastAPI endpoint served the same way, in the same
run. Same as `journey bench http [--json]`."""

from __future__ import annotations

from journey.benchmarks.http import main

if __name__ == "__main__":
    main()
