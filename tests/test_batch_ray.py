"""The Ray executor on a real local Ray cluster (started by the test with two CPUs)."""

from __future__ import annotations

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
def cluster() -> Iterator[None]:
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}},
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
