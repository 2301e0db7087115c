"""The run journal file on its own: what it stores, in which order, who may write, and what
readers see while a run is being written."""

from __future__ import annotations

import asyncio
import pickle
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from crewkit.errors import JournalError, RunBusyError, RunNotFoundError
from crewkit.journal import Entry, Journal
from crewkit.llm._types import Usage


def _begin(journal: Journal, run_id: str = "r1", **extra: object) -> None:
    fields: dict[str, object] = {
        "crew": "research",
        "fingerprint": "f" * 16,
        "definition": {"tasks": ["a", "b"]},
        "inputs": {"topic": "tides"},
        "tasks_total": 2,
    }
    fields.update(extra)
    journal.begin_run(run_id, **fields)  # type: ignore[arg-type]


def test_a_new_run_is_running_and_starts_its_steps_at_seq_1(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    _begin(journal)
    record = journal.require("r1")
    assert (record.crew, record.status, record.inputs, record.tasks_total) == (
        "research", "running", {"topic": "tides"}, 2,
    )  # fmt: skip
    assert record.alive and record.shown_status == "running"
    assert [(e.seq, e.kind) for e in journal.entries("r1")] == [(1, "run_started")]


def test_a_run_id_cannot_be_used_twice(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    _begin(journal)
    with pytest.raises(JournalError, match=r"run .r1. already exists.*crew\.resume"):
        _begin(journal)


def test_seq_has_no_gaps_when_many_threads_write(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    _begin(journal)

    def write(worker: int) -> None:
        for step in range(40):
            journal.append("r1", "tool", {"worker": worker, "step": step})

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seqs = [e.seq for e in journal.entries("r1")]
    assert seqs == list(range(1, 242))


def test_usage_and_finished_tasks_add_up_on_the_run(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    _begin(journal)
    journal.append("r1", "model", {}, usage=Usage(100, 20), cost=0.5)
    journal.append("r1", "model", {}, usage=Usage(50, 5), cost=0.25)
    journal.append("r1", "task_output", {"index": 0})
    record = journal.require("r1")
    assert record.usage == Usage(150, 25, 2)
    assert record.cost == pytest.approx(0.75)
    assert record.tasks_done == 1


def test_cost_stays_unknown_once_one_call_had_no_price(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    _begin(journal)
    journal.append("r1", "model", {}, usage=Usage(1, 1), cost=0.5)
    journal.append("r1", "model", {}, usage=Usage(1, 1), cost=None)
    journal.append("r1", "model", {}, usage=Usage(1, 1), cost=0.5)
    assert journal.require("r1").cost is None


def test_runs_are_listed_newest_first_and_paged_by_the_last_one_seen(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    for n in range(7):
        _begin(journal, f"r{n}", crew="a" if n % 2 else "b")
    first = journal.runs(limit=3)
    assert [r.id for r in first] == ["r6", "r5", "r4"]
    second = journal.runs(limit=3, before=(first[-1].started, first[-1].id))
    assert [r.id for r in second] == ["r3", "r2", "r1"]
    assert [r.id for r in journal.runs(crew="a")] == ["r5", "r3", "r1"]


def test_finished_runs_keep_their_output_and_status(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    _begin(journal)
    journal.finish("r1", "completed", output={"raw": "done"})
    record = journal.require("r1")
    assert (record.status, record.output, record.ended is not None) == (
        "completed", {"raw": "done"}, True,
    )  # fmt: skip
    assert journal.runs(status="completed")[0].id == "r1"
    with pytest.raises(JournalError, match="not 'done'"):
        journal.finish("r1", "done")


def test_delete_removes_the_run_its_steps_and_blobs(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    _begin(journal)
    journal.append("r1", "model", {"request": {"messages": ["h1"]}}, blobs={"h1": '"hi"'})
    assert journal.delete("r1") is True
    assert journal.run("r1") is None
    assert journal.entries("r1") == []
    assert journal.blobs("r1", ["h1"]) == {}
    assert journal.delete("r1") is False


def test_a_model_request_is_read_back_with_its_messages(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    _begin(journal)
    blobs = {"m1": '{"role":"system"}', "m2": '{"role":"user"}', "t1": '{"name":"search"}'}
    journal.append(
        "r1", "model", {"request": {"messages": ["m1", "m2"], "tools": ["t1"]}}, blobs=blobs
    )
    (entry,) = journal.entries("r1", kinds=["model"])
    request = journal.request_of(entry)
    assert request["messages"] == [{"role": "system"}, {"role": "user"}]
    assert request["tools"] == [{"name": "search"}]


def test_a_secret_never_reaches_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-test-0123456789abcdef"
    monkeypatch.setenv("ACME_API_KEY", secret)
    journal = Journal(tmp_path / "runs.db")
    _begin(journal, inputs={"note": f"key {secret}"})
    journal.append("r1", "tool", {"result": f"token={secret}"}, blobs={"b": f'"{secret}"'})
    journal.finish("r1", "failed", error=f"HTTP 401 for key {secret}")
    assert "[redacted]" in journal.require("r1").error  # type: ignore[operator]
    journal.close()
    for path in tmp_path.iterdir():
        assert secret.encode() not in path.read_bytes(), path.name


def test_a_journal_pickles_as_its_path(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    _begin(journal)
    copy = pickle.loads(pickle.dumps(journal))
    assert copy.path == journal.path and copy.require("r1").crew == "research"


def test_a_readonly_journal_reads_but_cannot_write(tmp_path: Path) -> None:
    Journal(tmp_path / "runs.db").begin_run(
        "r1", crew="c", fingerprint="f", definition={}, inputs={}, tasks_total=1
    )
    viewer = Journal(tmp_path / "runs.db", readonly=True)
    assert viewer.require("r1").crew == "c"
    with pytest.raises(JournalError, match="cannot be opened for writing"):
        viewer.append("r1", "tool", {})
    with pytest.raises(JournalError, match="does not exist"):
        Journal(tmp_path / "missing.db", readonly=True).runs()


def test_a_file_from_a_newer_crewkit_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "runs.db") as conn:
        conn.execute("PRAGMA user_version=99")
    with pytest.raises(JournalError, match="newer crewkit"):
        Journal(tmp_path / "runs.db").runs()


def test_an_unknown_run_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RunNotFoundError, match=r"no run .nope.*crewkit runs"):
        Journal(tmp_path / "runs.db").require("nope")


_WRITER = """
import sys, time
from crewkit.journal import Journal
journal = Journal(sys.argv[1])
journal.begin_run("live", crew="c", fingerprint="f", definition={}, inputs={}, tasks_total=1)
print("begun", flush=True)
for n in range(int(sys.argv[2])):
    journal.append("live", "tool", {"n": n})
    time.sleep(0.01)
if sys.argv[3] == "finish":
    journal.finish("live", "completed", output={})
else:
    time.sleep(60)
"""


def _writer(path: Path, steps: int, end: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_WRITER), str(path), str(steps), end],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "begun"
    return proc


def test_tail_follows_a_run_another_process_is_writing(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    proc = _writer(path, 30, "finish")
    reader = Journal(path, readonly=True)
    seen = [e for e in reader.tail("live", poll=0.01)]
    proc.wait(timeout=30)
    assert [e.seq for e in seen] == list(range(1, 33))
    assert [e.data.get("n") for e in seen if e.kind == "tool"] == list(range(30))
    assert seen[-1].kind == "run_ended"


@pytest.mark.parametrize("follow", ["tail", "atail"])
def test_tail_keeps_the_last_steps_written_between_its_two_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, follow: str
) -> None:
    writer = Journal(tmp_path / "runs.db")
    _begin(writer, "r1")
    reader = Journal(tmp_path / "runs.db", readonly=True)
    status = reader.run

    def run_ends_meanwhile(run_id: str) -> object:
        # the writer's last steps land after tail's read of the steps, before its look at the status
        writer.append(run_id, "tool", {"n": 1})
        writer.finish(run_id, "completed", output={})
        return status(run_id)

    monkeypatch.setattr(reader, "run", run_ends_meanwhile)
    if follow == "tail":
        seen = list(reader.tail("r1", after_seq=1))
    else:
        seen = asyncio.run(_collect(reader.atail("r1", after_seq=1)))
    assert [e.kind for e in seen] == ["tool", "run_ended"]


async def _collect(entries: AsyncIterator[Entry]) -> list[Entry]:
    return [e async for e in entries]


def test_a_run_cannot_be_claimed_while_its_process_lives(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    proc = _writer(path, 1, "stay")
    journal = Journal(path)
    try:
        with pytest.raises(RunBusyError, match="is running in process"):
            journal.claim("live")
    finally:
        proc.kill()
        proc.wait()
    assert journal.require("live").shown_status == "interrupted"
    journal.claim("live")
    assert journal.require("live").status == "running"
    assert journal.entries("live")[-1].kind == "run_resumed"


def test_a_review_decision_makes_a_waiting_run_ready(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    _begin(journal)
    with pytest.raises(JournalError, match="is running, not waiting"):
        journal.decide_review("r1", approve=True)
    journal.append("r1", "review", {"n": 0, "status": "pending", "answer": "draft"}, task="t")
    journal.finish("r1", "waiting", error="review of 't'")
    with pytest.raises(JournalError, match="either approve=True or feedback"):
        journal.decide_review("r1")
    journal.decide_review("r1", feedback="shorter please")
    decision = journal.entries("r1", kinds=["review"])[-1]
    assert decision.task == "t"
    assert dict(decision.data) == {
        "n": 0, "status": "feedback", "answer": "draft", "feedback": "shorter please",
    }  # fmt: skip
    assert journal.require("r1").status == "ready"


def test_batch_progress_counts_its_runs(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    journal.begin_batch("b1", crew="research", fingerprint="f", total=3)
    for index in range(3):
        _begin(journal, f"b1-{index}", batch_id="b1", batch_index=index)
        journal.append(f"b1-{index}", "model", {}, usage=Usage(10, 1), cost=0.1)
    journal.finish("b1-0", "completed", output={})
    journal.finish("b1-1", "failed", error="boom")
    progress = journal.batch_progress("b1")
    assert (progress.total, progress.done, progress.failed) == (3, 1, 1)
    assert progress.by_status["running"] == 1
    assert progress.usage == Usage(30, 3, 3) and progress.cost == pytest.approx(0.3)
    assert [r.id for r in journal.runs(batch_id="b1")] == ["b1-0", "b1-1", "b1-2"]


def test_the_tree_nests_steps_under_the_step_that_caused_them(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    _begin(journal)
    add = journal.append
    add("r1", "task_started", {"index": 0}, span="s1", parent="s0", task="t", agent="A")
    add("r1", "agent_started", {}, span="s2", parent="s1", task="t", agent="A")
    add("r1", "model_started", {}, span="s3", parent="s2", task="t", agent="A")
    add("r1", "model", {}, span="s3", parent="s2", task="t", agent="A")
    add("r1", "tool_started", {"tool": "delegate"}, span="s4", parent="s2", task="t", agent="A")
    add("r1", "agent_started", {}, span="s5", parent="s4", task="t", agent="B")
    add("r1", "agent_finished", {"answer": "x"}, span="s5", parent="s4", task="t", agent="B")
    add("r1", "tool", {"result": "x"}, span="s4", parent="s2", task="t", agent="A")
    tree = journal.tree("r1")
    (task,) = tree.children
    (agent,) = task.children
    assert [c.kind for c in agent.children] == ["model", "tool"]
    model, delegation = agent.children
    assert model.end is not None and model.duration is not None
    assert [(c.kind, c.start.agent) for c in delegation.children] == [("agent", "B")]
    assert task.end is None  # the task has no output yet
