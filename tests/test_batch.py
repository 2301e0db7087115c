"""Batch runs: streamed rows, results appended as runs finish, reruns that finish what is left."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from crewkit import Agent, Crew, Task, tool
from crewkit.batch import dump_crew, load_crew, run_batch
from crewkit.errors import ConfigurationError
from tests.batch_crew import make_crew, write_rows

ROOT = Path(__file__).resolve().parent.parent


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_row_gets_one_result_and_a_failing_row_does_not_stop_the_others(
    tmp_path: Path,
) -> None:
    write_rows(str(tmp_path / "in.jsonl"), 300, broken_every=50)
    summary = run_batch(make_crew(), tmp_path / "in.jsonl", tmp_path / "out.jsonl", concurrency=8)
    rows = lines(tmp_path / "out.jsonl")
    assert sorted(r["index"] for r in rows) == list(range(300))
    failed = [r for r in rows if not r["ok"]]
    assert [r["index"] for r in sorted(failed, key=lambda r: r["index"])] == list(range(7, 300, 50))
    assert all("ticker" in r["error"]["message"] for r in failed)
    assert summary.done == 294 and summary.failed == 6 and summary.skipped == 0
    ok = next(r for r in rows if r["index"] == 0)
    assert ok["inputs"] == {"ticker": "T0"} and ok["output"].startswith("verdict ")
    assert ok["usage"]["requests"] == 1
    assert summary.usage.requests == 294


def test_a_rerun_skips_finished_rows_and_runs_only_the_rest(tmp_path: Path) -> None:
    write_rows(str(tmp_path / "in.jsonl"), 40)
    out = tmp_path / "out.jsonl"
    first = run_batch(make_crew(), list(_rows(tmp_path / "in.jsonl"))[:25], out)
    assert first.done == 25
    second = run_batch(make_crew(), tmp_path / "in.jsonl", out)
    assert (second.skipped, second.done) == (25, 15)
    assert sorted(r["index"] for r in lines(out)) == list(range(40))


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_line_cut_short_by_a_crash_is_dropped_and_its_row_runs_again(tmp_path: Path) -> None:
    write_rows(str(tmp_path / "in.jsonl"), 5)
    out = tmp_path / "out.jsonl"
    run_batch(make_crew(), list(_rows(tmp_path / "in.jsonl"))[:3], out)
    with out.open("a") as file:
        file.write('{"index": 3, "key": "3:abc", "inpu')  # a write the kill interrupted
    summary = run_batch(make_crew(), tmp_path / "in.jsonl", out)
    assert (summary.skipped, summary.done) == (3, 2)
    assert sorted(r["index"] for r in lines(out)) == [0, 1, 2, 3, 4]


def test_a_killed_batch_resumes_with_every_row_done_exactly_once(tmp_path: Path) -> None:
    rows, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(str(rows), 300)
    env = {**os.environ, "BATCH_TEST_DELAY": "0.01", "PYTHONPATH": str(ROOT)}
    script = [sys.executable, str(ROOT / "tests" / "batch_crew.py"), str(rows), str(out)]
    proc = subprocess.Popen(script, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = _kill_when(out, at_least=60, proc=proc)
    assert killed, "the batch finished before it could be killed"
    partial = len(out.read_text().splitlines())
    assert 60 <= partial < 300
    done = subprocess.run(script, env={**env, "BATCH_TEST_DELAY": "0"}, capture_output=True,
                          text=True, timeout=300, check=True)  # fmt: skip
    ran, failed, skipped, _ = map(int, done.stdout.split())
    results = lines(out)
    assert sorted(r["index"] for r in results) == list(range(300))  # each exactly once
    assert failed == 0 and skipped + ran == 300 and skipped >= partial - 1


def _kill_when(out: Path, *, at_least: int, proc: subprocess.Popen[bytes]) -> bool:
    stop = threading.Event()
    while proc.poll() is None and not stop.wait(0.02):
        if out.exists() and out.read_bytes().count(b"\n") >= at_least:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
    return False


def test_max_failures_stops_starting_new_runs(tmp_path: Path) -> None:
    write_rows(str(tmp_path / "in.jsonl"), 200, broken_every=10)
    summary = run_batch(
        make_crew(), tmp_path / "in.jsonl", tmp_path / "out.jsonl", concurrency=2, max_failures=3
    )
    assert summary.stopped_early and summary.failed == 3
    assert summary.finished < 200


def test_csv_rows_are_inputs_by_header(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("ticker,note\nIBM,a\nAAPL,b\n", encoding="utf-8")
    run_batch(make_crew(), tmp_path / "in.csv", tmp_path / "out.jsonl")
    inputs = sorted((r["inputs"]["ticker"], r["ok"]) for r in lines(tmp_path / "out.jsonl"))
    assert inputs == [("AAPL", True), ("IBM", True)]


def test_a_malformed_row_is_reported_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text('{"ticker": "A"}\n{"ticker": \n', encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"in\.jsonl:2: not a JSON object"):
        run_batch(make_crew(), tmp_path / "in.jsonl", tmp_path / "out.jsonl")


def test_a_crew_that_cannot_be_pickled_names_the_part_that_cannot(tmp_path: Path) -> None:
    lock = threading.Lock()

    @tool
    def guarded(text: str) -> str:
        """Echo a text (under a lock, which no pickler can send)."""
        with lock:
            return text

    agent = Agent(role="Clerk", goal="g", backstory="b", tools=[guarded])
    crew = Crew(agents=[agent], tasks=[Task("Do {x}.", "Done", agent=agent)], llm="mock")
    with pytest.raises(ConfigurationError) as caught:
        dump_crew(crew)
    assert "crew.agents[0] ('Clerk').tools[0] ('guarded')" in str(caught.value)


def test_a_shipped_crew_runs_the_same_in_a_worker_process(tmp_path: Path) -> None:
    write_rows(str(tmp_path / "in.jsonl"), 30)
    here = run_batch(make_crew(), tmp_path / "in.jsonl", tmp_path / "local.jsonl")
    there = run_batch(make_crew(), tmp_path / "in.jsonl", tmp_path / "proc.jsonl",
                      executor="process", workers=2)  # fmt: skip
    assert (here.done, there.done) == (30, 30)
    by_index = sorted(lines(tmp_path / "local.jsonl"), key=lambda r: r["index"])
    assert by_index == sorted(lines(tmp_path / "proc.jsonl"), key=lambda r: r["index"])
    assert load_crew(dump_crew(make_crew())).agents[0].role == "Analyst"


def test_the_stock_risk_batch_gives_one_row_per_ticker_and_tolerance(tmp_path: Path) -> None:
    import importlib.util

    rows = _rows(ROOT / "examples/stock_risk/batch.jsonl")
    assert len(rows) == 20
    subset = tmp_path / "in.jsonl"
    subset.write_text("".join(json.dumps(r) + "\n" for r in rows if r["stock_selection"] == "IBM"))
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "crewkit", "batch", str(ROOT / "examples/stock_risk/crew.yaml"),
         "--inputs-file", str(subset), "--out", str(out), "--model", "mock", "-q"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "4 done, 0 failed, 0 already in" in done.stderr
    spec = importlib.util.spec_from_file_location(
        "batch_summary", ROOT / "examples/stock_risk/batch_summary.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.summary_rows(out)
    assert [(r[0], r[1], r[-1]) for r in table] == [
        ("IBM", t, "ok") for t in ("Low", "Medium", "High", "Ultra High")
    ]
    stops = [float(r[3]) for r in table]
    assert stops == sorted(stops, reverse=True)  # more tolerance, a lower (wider) stop
