"""The Ray executor on a real local Ray cluster (started by the test with two CPUs)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from crewkit.batch import run_batch
from tests.batch_crew import make_crew, write_rows
from tests.extras import require_extra

require_extra("ray")

import ray  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def calls_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the workers' model calls are logged (row, digest, pid, start, end)."""
    return tmp_path_factory.mktemp("ray") / "calls.log"


@pytest.fixture(scope="module")
def cluster(calls_log: Path) -> Iterator[None]:
    env = {"PYTHONPATH": str(ROOT), "BATCH_CALLS_LOG": str(calls_log), "BATCH_TEST_DELAY": "0.01"}
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": env},
    )
    try:
        yield
    finally:
        ray.shutdown()


def _by_index(path: Path) -> list[dict[str, object]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return sorted(rows, key=lambda r: int(str(r["index"])))


def test_ray_gives_the_same_results_file_as_this_process(cluster: None, tmp_path: Path) -> None:
    write_rows(str(tmp_path / "in.jsonl"), 60, broken_every=25)
    here = run_batch(make_crew(), tmp_path / "in.jsonl", tmp_path / "local.jsonl")
    there = run_batch(make_crew(), tmp_path / "in.jsonl", tmp_path / "ray.jsonl",
                      executor="ray", workers=2)  # fmt: skip
    assert (there.done, there.failed) == (here.done, here.failed) == (57, 3)
    assert _by_index(tmp_path / "ray.jsonl") == _by_index(tmp_path / "local.jsonl")


def test_rate_limits_are_counted_once_for_the_whole_cluster(cluster: None, tmp_path: Path) -> None:
    from crewkit.batch._ray import LIMITER_NAME, NAMESPACE

    write_rows(str(tmp_path / "in.jsonl"), 24)
    summary = run_batch(make_crew(max_rpm=10_000), tmp_path / "in.jsonl", tmp_path / "out.jsonl",
                        executor="ray", workers=2)  # fmt: skip
    limits = ray.get_actor(LIMITER_NAME, namespace=NAMESPACE)
    assert summary.done == 24
    assert ray.get(limits.granted.remote("agent:Analyst")) == summary.usage.requests == 24


def test_with_a_durable_crew_the_driver_journals_each_ray_row(
    cluster: None, tmp_path: Path
) -> None:
    from crewkit.journal import Journal

    write_rows(str(tmp_path / "in.jsonl"), 12, broken_every=10)
    crew = make_crew(steps=2, durable=str(tmp_path / "runs.db"))
    out = tmp_path / "out.jsonl"
    first = run_batch(crew, tmp_path / "in.jsonl", out, executor="ray", workers=2, batch_id="r")
    assert (first.done, first.failed) == (11, 1)
    runs = Journal(tmp_path / "runs.db").runs(batch_id="r", limit=100)
    assert [r.batch_index for r in runs] == [i for i in range(12) if i != 7]  # 7 has no ticker
    assert {(r.status, r.tasks_done) for r in runs} == {("completed", 2)}
    assert runs[0].usage.requests == 2 and runs[0].usage.total_tokens > 0
    assert crew.resume(runs[0].id).raw == _by_index(out)[0]["output"]  # a journal's output
    written = _by_index(out)
    out.unlink()
    again = run_batch(crew, tmp_path / "in.jsonl", out, executor="ray", workers=2, batch_id="r")
    assert (again.done, again.recovered) == (0, 11)  # no row of those ran again
    assert [r for r in _by_index(out) if r["ok"]] == [r for r in written if r["ok"]]


def test_per_worker_1_runs_one_row_at_a_time_on_each_worker(
    cluster: None, calls_log: Path, tmp_path: Path
) -> None:
    write_rows(str(tmp_path / "in.jsonl"), 16)
    calls_log.write_text("")
    summary = run_batch(make_crew(), tmp_path / "in.jsonl", tmp_path / "out.jsonl",
                        concurrency=8, executor="ray", workers=2, per_worker=1)  # fmt: skip
    assert summary.done == 16
    by_worker: dict[str, list[tuple[float, float]]] = {}
    for line in calls_log.read_text().splitlines():
        _, _, pid, start, end = line.split()
        by_worker.setdefault(pid, []).append((float(start), float(end)))
    assert len(by_worker) == 2 and sum(map(len, by_worker.values())) == 16
    for calls in by_worker.values():
        calls.sort()
        assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(calls))
