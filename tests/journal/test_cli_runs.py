"""The journal from the command line: kickoff journals by default, ``runs`` lists, ``runs show``
draws a run, ``resume`` continues a waiting run from another process, ``replay`` reruns from a
task. Each command runs as a subprocess, as users run it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from test_cli import GOOD, crewkit

from crewkit.journal import Journal

CREW = "    name: reviewed\n" + GOOD.rstrip() + "\n        human_input: {review}\n"
"""test_cli's two-task crew, named, the last task reviewed when ``{review}`` is true. The runs go
to the test's own journal (``CREWKIT_JOURNAL``, set by conftest)."""


def _crew(folder: Path, *, review: bool) -> Path:
    (folder / "crew.yaml").write_text(
        textwrap.dedent(CREW).replace("{review}", "true" if review else "false"), encoding="utf-8"
    )
    return folder


def test_kickoff_journals_the_run_and_runs_lists_and_draws_it(tmp_path: Path) -> None:
    _crew(tmp_path, review=False)
    done = crewkit("kickoff", "crew.yaml", "-i", "tea", "--run-id", "tea1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"run tea1 journaled in {tmp_path / 'runs.db'}" in done.stderr
    listed = crewkit("runs", cwd=tmp_path)
    header, row = listed.stdout.splitlines()
    assert header.split() == [
        "id", "kind", "name", "started", "status", "done", "tokens", "cost", "batch"
    ]  # fmt: skip
    assert row.split()[:3] == ["tea1", "crew", "reviewed"]
    assert row.split()[5:7] == ["completed", "2/2"]
    assert row.split()[-1] == "$0.0000"  # the mock model runs in this process: known to be free
    shown = crewkit("runs", "show", "tea1", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("run tea1  crew reviewed  completed")
    assert lines[1] == 'inputs: {"input": "tea"}'
    assert lines[2].startswith("├─ task a (Researcher)")
    assert lines[3].startswith("│  └─ agent Researcher")
    assert "model mock/mock" in lines[4] and "tokens" in lines[4]
    assert any(line.startswith("└─ task b (Writer)") for line in lines)


def test_runs_rm_forgets_a_run_and_unknown_ids_are_clear_errors(tmp_path: Path) -> None:
    _crew(tmp_path, review=False)
    assert (
        crewkit("kickoff", "crew.yaml", "-i", "x", "--run-id", "r1", cwd=tmp_path).returncode == 0
    )
    assert crewkit("runs", "rm", "r1", cwd=tmp_path).returncode == 0
    assert crewkit("runs", cwd=tmp_path).stdout == "no runs journaled yet\n"
    missing = crewkit("runs", "show", "r1", cwd=tmp_path)
    assert missing.returncode == 1 and "no run 'r1'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_no_journal_leaves_no_run_behind(tmp_path: Path) -> None:
    _crew(tmp_path, review=False)
    assert crewkit("kickoff", "crew.yaml", "-i", "x", "--no-journal", cwd=tmp_path).returncode == 0
    assert not (tmp_path / "runs.db").exists()


def test_durable_false_in_the_crew_file_is_not_journaled_unless_a_journal_is_named(
    tmp_path: Path,
) -> None:
    crew = _crew(tmp_path, review=False) / "crew.yaml"
    crew.write_text("durable: false\n" + crew.read_text(encoding="utf-8"), encoding="utf-8")
    done = crewkit("kickoff", "crew.yaml", "-i", "x", cwd=tmp_path)
    assert done.returncode == 0 and "journaled" not in done.stderr
    assert not (tmp_path / "runs.db").exists()
    named = crewkit("kickoff", "crew.yaml", "-i", "x", "--journal", "mine.db", cwd=tmp_path)
    assert named.returncode == 0 and "journaled in mine.db" in named.stderr
    assert [r.crew for r in Journal(tmp_path / "mine.db").runs()] == ["reviewed"]


def test_a_review_waits_with_exit_3_and_another_process_answers_it(tmp_path: Path) -> None:
    _crew(tmp_path, review=True)
    first = crewkit(
        "kickoff", "crew.yaml", "-i", "tea", "--run-id", "rv", "--no-input", cwd=tmp_path
    )
    assert first.returncode == 3, first.stderr
    assert "run 'rv' waits for a review of task 'b'" in first.stderr
    assert "--- answer under review ---\nWriter completed: b" in first.stderr
    waiting = crewkit("runs", "--status", "waiting", cwd=tmp_path)
    assert waiting.stdout.splitlines()[1].split()[0] == "rv"
    revised = crewkit("resume", "rv", "--feedback", "shorter please", cwd=tmp_path)
    assert revised.returncode == 3, revised.stderr  # the revised answer is reviewed in turn
    approved = crewkit("resume", "rv", "--approve", cwd=tmp_path)
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.startswith("Writer completed: b")
    record = Journal(tmp_path / "runs.db").require("rv")
    assert (record.status, record.tasks_done) == ("completed", 2)
    statuses = [
        e.data["status"] for e in Journal(tmp_path / "runs.db").entries("rv", kinds=["review"])
    ]
    assert statuses == ["pending", "feedback", "pending", "approved"]


def test_replay_reruns_from_a_task_as_a_new_run(tmp_path: Path) -> None:
    _crew(tmp_path, review=False)
    assert (
        crewkit("kickoff", "crew.yaml", "-i", "tea", "--run-id", "orig", cwd=tmp_path).returncode
        == 0
    )
    replayed = crewkit("replay", "orig", "--from", "b", cwd=tmp_path)
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.startswith("Writer completed: b")
    new_id = replayed.stderr.split(" as run ")[1].split()[0]
    record = Journal(tmp_path / "runs.db").require(new_id)
    assert record.parent_run == "orig" and record.status == "completed"
    steps = Journal(tmp_path / "runs.db").entries(new_id, kinds=["task_started"])
    assert [e.task for e in steps] == ["b"]  # task a came from the journal
    shown = crewkit("runs", "show", new_id, cwd=tmp_path)
    assert "replayed from run orig" in shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["resume", "nope"], "no run 'nope'"),
        (["resume", "x", "--approve", "--feedback", "y"], "not allowed with argument"),
        (["replay", "x"], "the following arguments are required: --from"),
        (["runs", "show"], "needs a run id"),
    ],
)
def test_durable_commands_explain_their_mistakes(
    tmp_path: Path, args: list[str], message: str
) -> None:
    _crew(tmp_path, review=False)
    assert crewkit("kickoff", "crew.yaml", "-i", "t", "--run-id", "x", cwd=tmp_path).returncode == 0
    done = crewkit(*args, cwd=tmp_path)
    assert done.returncode in (1, 2) and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_batch_journals_its_rows_and_a_rerun_without_the_results_file_uses_the_journal(
    tmp_path: Path,
) -> None:
    _crew(tmp_path, review=False)
    (tmp_path / "rows.jsonl").write_text('{"input": "tea"}\n{"input": "coffee"}\n{"x": 1}\n')
    batch = ("batch", "crew.yaml", "--inputs-file", "rows.jsonl", "--out", "out.jsonl", "-q",
             "--batch-id", "drinks")  # fmt: skip
    first = crewkit(*batch, cwd=tmp_path)
    assert first.returncode == 1, first.stderr  # the row without {input} fails
    assert "2 done, 1 failed" in first.stderr and "batch drinks journaled" in first.stderr
    (tmp_path / "out.jsonl").unlink()
    again = crewkit(*batch, cwd=tmp_path)
    assert "0 done, 1 failed, 0 already in out.jsonl, 2 from the run journal" in again.stderr
    listed = crewkit("runs", "--batch", "drinks", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.startswith("batch drinks: 2 runs of 3 rows (2 completed)")
    assert [r.split()[-3:] for r in rows[1:]] == [["drinks", "row", "1"], ["drinks", "row", "2"]]
    everything = crewkit("runs", cwd=tmp_path).stdout
    assert "drinks row 2" in everything
