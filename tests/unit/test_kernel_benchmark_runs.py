"""The kernel benchmark runs end to end at toy sizes and reports every figure (never timings)."""

from __future__ import annotations

import json

import pytest

from journey.benchmarks.kernel import distinct_plan, run_kernel_benchmark, shared_plan

FIGURES = (
    "ours_cmds_per_s",
    "peer_cmds_per_s",
    "ratio_vs_peer",
    "raw_rows_per_s",
    "raw_batched_rows_per_s",
    "ours_shared_cmds_per_s",
    "peer_shared_cmds_per_s",
    "ratio_vs_peer_shared",
    "ours_dispatch_per_s",
    "peer_dispatch_per_s",
    "ratio_dispatch",
    "commits_per_transaction",
    "runs",
    "callers",
    "commands",
)


def test_the_kernel_benchmark_reports_every_figure_as_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("eventsourcing")  # the peers are development dependencies
    pytest.importorskip("cqrs")
    returned = run_kernel_benchmark(runs=1, callers=4, commands=200, json_output=True)

    printed = json.loads(capsys.readouterr().out)  # exactly one JSON object, nothing else
    assert printed == returned
    for key in FIGURES:
        assert isinstance(printed[key], int | float), key
        assert printed[key] > 0, key
    assert (printed["runs"], printed["callers"], printed["commands"]) == (1, 4, 200)


def test_both_workloads_send_every_command_once_to_a_precreated_aggregate() -> None:
    for plan in (distinct_plan(7, 203), shared_plan(7, 203)):
        assert plan.commands == 203
        targets = [
            plan.target(caller, j)
            for caller, count in enumerate(plan.per_caller)
            for j in range(count)
        ]
        assert min(targets) >= 0
        assert max(targets) < plan.aggregates


def test_in_the_distinct_workload_each_aggregate_has_one_caller_and_ten_commands_at_most() -> None:
    plan = distinct_plan(5, 123)
    owners: dict[int, set[int]] = {}
    received: dict[int, int] = {}
    for caller, count in enumerate(plan.per_caller):
        for j in range(count):
            target = plan.target(caller, j)
            owners.setdefault(target, set()).add(caller)
            received[target] = received.get(target, 0) + 1
    assert all(len(callers) == 1 for callers in owners.values())
    assert max(received.values()) <= 10
