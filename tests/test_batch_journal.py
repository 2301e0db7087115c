"""Batches in the run journal: each row a run tagged with the batch, a rerun that skips rows the
journal finished even when the results file is gone, and rows cut off mid-run continued from their
own journal — checked with real processes killed by SIGKILL, counting every model call."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from crewkit.batch import run_batch
from crewkit.journal import Journal
from tests.batch_crew import make_crew, write_rows

ROOT = Path(__file__).resolve().parent.parent
ROWS, BROKEN_EVERY = 80, 20  # rows 7, 27, 47, 67 lack their ticker: they fail before any call


def _results(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _calls(log: Path) -> Counter[str]:
    """Model calls per row (``T<n>`` → count) in a calls log."""
    if not log.exists():
        return Counter()
    return Counter(line.split()[0] for line in log.read_text().splitlines())


def _kill_group_when(out: Path, *, at_least: int, proc: subprocess.Popen[bytes]) -> bool:
    """SIGKILL the batch and its worker processes soon after ``out`` has ``at_least`` lines: 50 ms
    later, when workers that finished rows together are halfway through the next rows' second
    (100 ms) call."""
    stop = threading.Event()
    while proc.poll() is None and not stop.wait(0.02):
        if out.exists() and out.read_bytes().count(b"\n") >= at_least:
            stop.wait(0.05)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
    return False


@pytest.mark.parametrize("executor", ["local", "process"])
def test_a_killed_batch_without_its_results_file_resumes_from_the_journal(
    tmp_path: Path, executor: str
) -> None:
    rows, out, db = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "runs.db"
    write_rows(str(rows), ROWS, broken_every=BROKEN_EVERY)
    script = [sys.executable, str(ROOT / "tests" / "batch_crew.py"), str(rows), str(out),
              "--journal", str(db), "--steps", "2", "--executor", executor, "--workers", "2"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BATCH_TEST_DELAY": "0.01"}
    first_log, second_log = tmp_path / "calls1.log", tmp_path / "calls2.log"
    proc = subprocess.Popen(script, env={**env, "BATCH_CALLS_LOG": str(first_log)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    assert _kill_group_when(out, at_least=20, proc=proc), "the batch ended before the kill"

    journal = Journal(db, readonly=True)
    at_kill = {r.batch_index: r for r in journal.runs(batch_id=_batch_id(out), limit=ROWS)}
    journaled_calls = {i: len(journal.entries(r.id, kinds=["model"])) for i, r in at_kill.items()}
    completed = {i for i, r in at_kill.items() if r.status == "completed"}
    cut_off = {i for i, r in at_kill.items() if r.status != "completed" and journaled_calls[i]}
    assert completed and cut_off, "the kill should find finished rows and rows between calls"
    journal.close()
    out.unlink()  # the results file is lost too

    done = subprocess.run(script, env={**env, "BATCH_CALLS_LOG": str(second_log)},
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    ran, failed, skipped, recovered = map(int, done.stdout.split())
    results = _results(out)
    assert sorted(int(str(r["index"])) for r in results) == list(range(ROWS))  # each exactly once
    broken = {i for i in range(ROWS) if i % BROKEN_EVERY == 7}
    assert {int(str(r["index"])) for r in results if not r["ok"]} == broken
    assert (skipped, recovered) == (0, len(completed)) and failed == len(broken)
    assert ran + failed + recovered == ROWS

    again = _calls(second_log)
    for index in range(ROWS):
        if index in broken:
            continue
        # Each row's calls after the resume: exactly those its journal did not hold.
        assert again[str(index)] == 2 - journaled_calls.get(index, 0), index
    repeated = sum((_calls(first_log) + again).values()) - 2 * (ROWS - len(broken))
    assert 0 <= repeated <= 4  # only calls in flight at the kill (concurrency 4) ran twice
    journal = Journal(db, readonly=True)
    for index in cut_off:
        run = journal.require(at_kill[index].id)
        assert run.batch_index == index and run.status == "completed"
        assert [e.kind for e in journal.entries(run.id, kinds=["run_resumed"])] == ["run_resumed"]


def _batch_id(out: Path) -> str:
    from crewkit.batch._journaled import default_batch_id

    return default_batch_id(out)


def test_a_rerun_writes_finished_rows_from_the_journal_without_any_model_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(str(rows), 12)
    crew = make_crew(durable=str(tmp_path / "runs.db"))
    first = run_batch(crew, rows, out, batch_id="tickers")
    before = sorted(_results(out), key=lambda r: int(str(r["index"])))
    out.unlink()
    log = tmp_path / "calls.log"
    monkeypatch.setenv("BATCH_CALLS_LOG", str(log))
    again = run_batch(crew, rows, out, batch_id="tickers")
    assert (first.done, again.done, again.recovered) == (12, 0, 12)
    assert not log.exists()
    assert sorted(_results(out), key=lambda r: int(str(r["index"]))) == before
    runs = Journal(tmp_path / "runs.db").runs(batch_id="tickers", limit=100)
    assert [r.batch_index for r in runs] == list(range(12))
    assert all(r.id.startswith("tickers-") for r in runs)


def test_batch_id_needs_a_durable_crew(tmp_path: Path) -> None:
    from crewkit.errors import ConfigurationError

    write_rows(str(tmp_path / "in.jsonl"), 1)
    with pytest.raises(ConfigurationError, match="durable"):
        run_batch(make_crew(), tmp_path / "in.jsonl", tmp_path / "out.jsonl", batch_id="b")


def test_a_failed_row_rebuilt_from_the_journal_keeps_its_error_type(tmp_path: Path) -> None:
    from crewkit import Agent, Crew, Task
    from crewkit.llm import ModelRequest
    from crewkit.testing import FunctionLLM

    def judge(request: ModelRequest) -> str:
        if "T1" in request.messages[-1].content:
            raise RuntimeError("the model fell over")
        return "fine"

    analyst = Agent(role="Analyst", goal="Judge {ticker}", backstory="Brief.")
    task = Task("Give a verdict on {ticker}.", "One line", agent=analyst, name="verdict")
    crew = Crew(agents=[analyst], tasks=[task], llm=FunctionLLM(judge),
                durable=str(tmp_path / "runs.db"))  # fmt: skip
    rows, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(str(rows), 3)
    run_batch(crew, rows, out, batch_id="t")
    first = {int(str(r["index"])): r for r in _results(out)}
    out.unlink()
    again = run_batch(crew, rows, out, batch_id="t")
    rebuilt = {int(str(r["index"])): r for r in _results(out)}
    assert again.recovered == 3
    error = first[1]["error"]
    assert isinstance(error, dict) and error["type"]
    assert rebuilt[1]["error"] == {**error, "message": rebuilt[1]["error"]["message"]}  # type: ignore[index]
    assert rebuilt[0]["ok"] and not rebuilt[1]["ok"]
