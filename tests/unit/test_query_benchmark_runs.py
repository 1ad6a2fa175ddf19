"""The prequalification benchmark runs at toy sizes, in one process and spread over several."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI

from journey.benchmarks.query import (
    replicated_latencies,
    run_prequalification_benchmark,
)
from journey.entrypoints.api.server import server_for, serving_loop_factory


def test_the_benchmark_loop_is_the_one_journey_serve_runs_on() -> None:
    pytest.importorskip("uvloop")  # installed with uvicorn[standard]: what `auto` picks
    served = server_for(FastAPI(), host="127.0.0.1", port=0, log_level="error")
    server_factory = served.config.get_loop_factory()
    assert server_factory is not None
    server_loop, bench_loop = server_factory(), serving_loop_factory()()
    try:
        assert type(bench_loop) is type(server_loop)
        assert type(bench_loop).__module__ == "uvloop"
    finally:
        server_loop.close()
        bench_loop.close()


def test_asking_for_the_servers_loop_leaves_the_logging_as_it_was() -> None:
    uvicorn_logger = logging.getLogger("uvicorn")
    before = (list(uvicorn_logger.handlers), uvicorn_logger.level, uvicorn_logger.propagate)
    serving_loop_factory()
    assert (list(uvicorn_logger.handlers), uvicorn_logger.level, uvicorn_logger.propagate) == before


@pytest.mark.slow
def test_the_load_spread_over_replicas_answers_every_request_after_the_provider_latency() -> None:
    latencies = replicated_latencies(
        replicas=2, concurrency=5, requests=11, latency_ms=5.0, offset=0
    )
    assert len(latencies) == 11
    assert min(latencies) >= 0.005  # each waited for its providers, in its own process


@pytest.mark.slow
def test_the_prequalification_figures_include_the_replicas_only_when_asked() -> None:
    spread = run_prequalification_benchmark(
        runs=1, concurrency=4, requests=8, latency_ms=2.0, replicas=2
    )
    assert spread["replicas"] == 2
    assert spread["replicas_p99_ms"] >= spread["replicas_p50_ms"] >= 2.0
    alone = run_prequalification_benchmark(
        runs=1, concurrency=4, requests=8, latency_ms=2.0, replicas=1
    )
    assert "replicas_p50_ms" not in alone
    assert alone["p99_ms"] >= alone["p50_ms"] >= 2.0
    assert alone["cpu_ms_per_prequalification"] > 0
    assert alone["event_loop"] == "uvloop.Loop"


@pytest.mark.slow
def test_a_replica_that_fails_fails_the_benchmark_instead_of_waiting_for_it() -> None:
    with pytest.raises(RuntimeError, match="replica failed"):
        # More distinct applicants than the population holds: each replica stops at start-up.
        replicated_latencies(replicas=2, concurrency=2, requests=10**7, latency_ms=1.0, offset=0)
