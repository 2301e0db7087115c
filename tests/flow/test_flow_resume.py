"""Resuming a persisted flow whose process died: the finished steps are answered from the run
journal, never run again; the step that was running runs again, and the flow goes on.

The flows (tests/flow/crash_flow.py) log each step to a file, so the log counts runs across
processes; a step named in CRASH_AT kills its process with ``os._exit``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crewkit.errors import DefinitionChangedError, FlowError, RunBusyError
from crewkit.journal import Journal

ROOT = Path(__file__).resolve().parents[2]


def run_flow(
    mode: str, flow: str, run_id: str, log: Path, *, crash_at: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FLOW_LOG": str(log), "PYTHONPATH": str(ROOT)}
    env.pop("CRASH_AT", None)
    if crash_at is not None:
        env["CRASH_AT"] = crash_at
    args = [sys.executable, "-m", "tests.flow.crash_flow", mode, flow, run_id]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


def finished(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def lines(log: Path) -> list[str]:
    return log.read_text().splitlines()


def journal() -> Journal:
    return Journal(os.environ["CREWKIT_JOURNAL"])


def test_a_flow_killed_in_its_third_step_resumes_in_a_new_process(tmp_path: Path) -> None:
    log = tmp_path / "steps.log"
    crashed = run_flow("kickoff", "Pipeline", "article-1", log, crash_at="write")
    assert crashed.returncode == 9
    assert journal().require("article-1").shown_status == "interrupted"

    done = finished(run_flow("resume", "Pipeline", "article-1", log))

    assert Counter(lines(log)) == {"outline": 1, "research": 1, "write": 2, "polish": 1}
    assert done["result"] == "3 FACTS FROM OUTLINE OF TEA"  # research's journaled result fed write
    assert done["state"]["notes"] == ["outlined", "researched", "written", "polished"]
    record = journal().require("article-1")
    assert (record.status, record.kind, record.tasks_done, record.tasks_total) == (
        "completed",
        "flow",
        4,
        4,
    )


def test_a_router_loop_resumes_at_the_round_it_was_in(tmp_path: Path) -> None:
    log = tmp_path / "steps.log"
    assert run_flow("kickoff", "Revise", "loop-1", log, crash_at="generate 3").returncode == 9

    done = finished(run_flow("resume", "Revise", "loop-1", log))

    assert lines(log) == [
        "begin",
        "generate 1",
        "evaluate 1",
        "generate 2",
        "evaluate 2",
        "generate 3",  # killed here
        "generate 3",  # the resume: rounds 1-2 came from the journal, the third runs again
        "evaluate 3",
        "generate 4",
        "evaluate 4",
        "publish",
    ]
    assert done == {
        "result": "published after 4 rounds",
        "state": {"topic": "tea", "notes": [], "rounds": 4, "id": "loop-1"},
    }


def test_resuming_a_finished_run_returns_its_result_and_runs_nothing(tmp_path: Path) -> None:
    log = tmp_path / "steps.log"
    first = finished(run_flow("kickoff", "Pipeline", "done-1", log))
    ran = lines(log)

    again = finished(run_flow("resume", "Pipeline", "done-1", log))

    assert again == first
    assert lines(log) == ran


def test_resuming_twice_after_two_crashes_runs_each_step_once_more_at_most(tmp_path: Path) -> None:
    log = tmp_path / "steps.log"
    assert run_flow("kickoff", "Pipeline", "twice", log, crash_at="research").returncode == 9
    assert run_flow("resume", "Pipeline", "twice", log, crash_at="polish").returncode == 9
    done = finished(run_flow("resume", "Pipeline", "twice", log))
    assert Counter(lines(log)) == {"outline": 1, "research": 2, "write": 1, "polish": 2}
    assert done["result"] == "3 FACTS FROM OUTLINE OF TEA"


def test_a_durable_crew_in_the_step_that_died_is_not_run_again(tmp_path: Path) -> None:
    log = tmp_path / "steps.log"
    # the crew finished inside write, then the process died before write returned
    assert run_flow("kickoff", "Staffed", "staffed", log, crash_at="write").returncode == 9
    done = finished(run_flow("resume", "Staffed", "staffed", log))
    calls = [line for line in lines(log) if line.startswith("model:")]
    assert len(calls) == 1  # the resumed step found the crew's journaled run, completed
    assert [line for line in lines(log) if not line.startswith("model:")] == [
        "brief",
        "write",
        "write",
        "publish",
    ]
    assert done["result"] == "A SHORT ARTICLE ABOUT TEA"
    crews = journal().runs(crew="crew")
    assert [r.status for r in crews] == ["completed"]


def _flow_module(tmp_path: Path, trigger: str) -> str:
    """A module (new name each time) with a flow whose last step listens to ``trigger``."""
    name = f"edited_{trigger}_{len(list(tmp_path.glob('edited_*.py')))}"
    (tmp_path / f"{name}.py").write_text(
        "from crewkit.flow import Flow, listen, persist, start\n"
        "from tests.flow.crash_flow import mark\n\n"
        "@persist\n"
        "class Edited(Flow):\n"
        "    @start()\n"
        "    def first(self):\n"
        "        mark('first')\n"
        "        return 1\n\n"
        "    @listen(first)\n"
        "    def second(self, value):\n"
        "        mark('second')\n"
        "        return value + 1\n\n"
        f"    @listen({trigger})\n"
        "    def third(self, value):\n"
        "        mark('third')\n"
        "        return value * 10\n"
    )
    return name


def test_a_resume_with_a_changed_flow_names_the_change_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    log = tmp_path / "steps.log"
    monkeypatch.setenv("FLOW_LOG", str(log))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(ROOT))
    before = importlib.import_module(_flow_module(tmp_path, "second")).Edited
    monkeypatch.setenv("CRASH_AT", "third")
    script = f"import sys; sys.path[:0] = [{str(tmp_path)!r}, {str(ROOT)!r}]\n"
    script += f"from {before.__module__} import Edited\nEdited().kickoff({{'id': 'edited'}})\n"
    assert subprocess.run([sys.executable, "-c", script], timeout=120).returncode == 9
    monkeypatch.delenv("CRASH_AT")

    after = importlib.import_module(_flow_module(tmp_path, "first")).Edited
    with pytest.raises(DefinitionChangedError) as caught:
        after().resume("edited")
    assert "steps.third.trigger: \"'second'\" before, \"'first'\" now" in str(caught.value)
    assert "force=True" in str(caught.value)
    assert lines(log) == ["first", "second", "third"]

    assert after().resume("edited", force=True) == 10  # third now gets first's journaled 1
    assert lines(log) == ["first", "second", "third", "third"]


def test_a_state_value_json_cannot_hold_fails_naming_the_field(tmp_path: Path) -> None:
    from pydantic import BaseModel, ConfigDict

    from crewkit.flow import Flow, persist, start

    class Handle:
        pass

    class Holding(BaseModel):
        model_config = ConfigDict(arbitrary_types_allowed=True)
        label: str = ""
        handle: Handle | None = None

    @persist(str(tmp_path / "runs.db"))
    class Opens(Flow[Holding]):
        @start()
        def open(self) -> None:
            self.state.handle = Handle()

    with pytest.raises(FlowError) as caught:
        Opens().kickoff()
    assert "Opens.open: the state cannot be saved: state.handle holds a Handle" in str(caught.value)

    @persist(str(tmp_path / "runs.db"))
    class Nested(Flow):
        @start()
        def gather(self) -> None:
            self.state["found"] = {"items": [1, {2, 3}]}

    with pytest.raises(FlowError, match=r"state\['found'\]\['items'\]\[1\] holds a set"):
        Nested().kickoff()


def test_a_run_another_live_process_is_running_is_not_taken_over(tmp_path: Path) -> None:
    import socket
    import sqlite3

    from crewkit.flow import Flow, persist, start

    db = tmp_path / "runs.db"

    @persist(str(db))
    class Busy(Flow):
        @start()
        def begin(self) -> int:
            return 1

    Busy().kickoff({"id": "busy"})
    with sqlite3.connect(db) as conn:  # as if our parent process (alive) were running it now
        owner = f"{socket.gethostname()}:{os.getppid()}"
        conn.execute("UPDATE runs SET status = 'running', owner = ? WHERE id = 'busy'", (owner,))
    with pytest.raises(RunBusyError, match=f"run 'busy' is running in process {owner}"):
        Busy().resume("busy")


def crewkit(*args: str, log: Path, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FLOW_LOG": str(log), "PYTHONPATH": str(ROOT)}
    env.pop("CRASH_AT", None)
    if crash_at is not None:
        env["CRASH_AT"] = crash_at
    command = [sys.executable, "-m", "crewkit", *args]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_cli_resumes_a_flow_and_lists_it_as_a_flow_run(tmp_path: Path) -> None:
    log = tmp_path / "steps.log"
    target = "tests.flow.crash_flow:Pipeline"
    crashed = crewkit("flow", "kickoff", target, "--inputs", "id=cli-1", log=log, crash_at="write")
    assert crashed.returncode == 9

    listed = crewkit("runs", log=log).stdout.splitlines()
    assert listed[1].split()[:3] == ["cli-1", "flow", "Pipeline"]
    assert listed[1].split()[5:7] == ["interrupted", "2/4"]

    done = crewkit("flow", "kickoff", target, "--resume", "cli-1", "-q", log=log)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "3 FACTS FROM OUTLINE OF TEA\n"
    assert Counter(lines(log)) == {"outline": 1, "research": 1, "write": 2, "polish": 1}

    shown = crewkit("runs", "show", "cli-1", log=log).stdout.splitlines()
    assert shown[0].startswith("run cli-1  flow Pipeline  completed")
    assert shown[0].endswith("steps 4/4")
    assert shown[2].startswith("├─ kickoff 1  inputs")
    steps = [line.split()[2:4] for line in shown if line[3:].startswith("step ")]
    assert steps == [["outline", "#1"], ["research", "#1"], ["write", "#1"], ["polish", "#1"]]


def test_crewkit_resume_finds_the_flow_class_a_run_was_started_from(tmp_path: Path) -> None:
    log = tmp_path / "steps.log"
    assert run_flow("kickoff", "Revise", "loop-cli", log, crash_at="evaluate 2").returncode == 9
    done = crewkit("resume", "loop-cli", "--json", log=log)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"] == "published after 4 rounds"
    assert Counter(lines(log))["evaluate 1"] == 1 and Counter(lines(log))["evaluate 2"] == 2


def test_a_kickoff_with_the_id_of_a_crashed_run_restores_its_state_and_starts_over(
    tmp_path: Path,
) -> None:
    log = tmp_path / "steps.log"
    assert run_flow("kickoff", "Pipeline", "again", log, crash_at="write").returncode == 9
    done = finished(run_flow("kickoff", "Pipeline", "again", log))  # CrewAI's restore-and-rerun
    assert Counter(lines(log)) == {"outline": 2, "research": 2, "write": 2, "polish": 1}
    assert done["state"]["notes"] == [
        "outlined",
        "researched",
        "outlined",
        "researched",
        "written",
        "polished",
    ]
    kickoffs = journal().entries("again", kinds=["flow_kickoff"])
    assert [entry.data["kickoff"] for entry in kickoffs] == [1, 2]


def test_states_saved_before_the_journal_are_still_restored(tmp_path: Path) -> None:
    import sqlite3

    from crewkit.flow import Flow, persist, start

    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:  # what crewkit wrote before flows moved into the journal
        conn.execute(
            "CREATE TABLE flow_states(id INTEGER PRIMARY KEY, flow_id TEXT NOT NULL, "
            "flow TEXT NOT NULL, step TEXT NOT NULL, time REAL NOT NULL, state TEXT NOT NULL)"
        )
        conn.execute(
            "INSERT INTO flow_states(flow_id, flow, step, time, state) VALUES "
            "('old-1', 'Count', 'add', 0, '{\"id\": \"old-1\", \"n\": 41}')"
        )

    @persist(str(db))
    class Count(Flow):
        @start()
        def add(self) -> int:
            self.state["n"] += 1
            return int(self.state["n"])

    assert Count().kickoff({"id": "old-1"}) == 42
    assert Count().kickoff({"id": "old-1"}) == 43  # from the journal now


def test_kickoff_inputs_json_cannot_hold_fail_before_any_step(tmp_path: Path) -> None:
    from crewkit.flow import Flow, persist, start

    @persist(str(tmp_path / "runs.db"))
    class Takes(Flow):
        @start()
        def begin(self) -> None:
            raise AssertionError("no step may run")

    with pytest.raises(
        FlowError, match=r"Takes: the state cannot be saved: state\['when'\] holds a"
    ):
        Takes().kickoff({"when": object()})
