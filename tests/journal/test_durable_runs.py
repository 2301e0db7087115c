"""Durable runs from Python: what a kickoff journals, and how resume, replay, reviews and batches
use it. The crews answer deterministically (tests/journal/crash_crew.py), so an interrupted run
that is resumed must end exactly like an uninterrupted one."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crewkit import Agent, Crew, Task, tool
from crewkit.errors import (
    ConfigurationError,
    CrewkitError,
    DefinitionChangedError,
    JournalError,
    ReviewPending,
)
from crewkit.journal import Journal
from crewkit.testing import FunctionLLM, ScriptedLLM, call
from crewkit.tools import ToolContext
from tests.journal.crash_crew import build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sequential", "hierarchical"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _reference(kind: str, tmp_path: Path) -> tuple[dict[str, object], int]:
    crew, model = build(kind, str(tmp_path / "reference.db"), sleep=False)
    output = crew.kickoff(inputs={"ticker": "ACME"})
    return output.to_dict(), len(model.requests)


def test_a_durable_kickoff_journals_every_step_and_names_the_run(tmp_path: Path) -> None:
    crew, model = build("sequential", str(tmp_path / "runs.db"), sleep=False)
    output = crew.kickoff(inputs={"ticker": "ACME"}, run_id="first")
    assert output.run_id == "first"
    journal = Journal(tmp_path / "runs.db")
    record = journal.require("first")
    assert (record.status, record.tasks_done, record.tasks_total) == ("completed", 4, 4)
    assert record.usage == output.token_usage
    kinds = [e.kind for e in journal.entries("first")]
    assert kinds.count("model") == len(model.requests)
    assert kinds.count("tool") == kinds.count("tool_started") > 0
    assert kinds.count("task_output") == 4 and kinds[-1] == "run_ended"
    assert record.output == output.to_dict()


def test_a_fresh_run_gets_an_id_and_a_used_id_is_refused(tmp_path: Path) -> None:
    crew, _ = build("sequential", str(tmp_path / "runs.db"), sleep=False)
    output = crew.kickoff(inputs={"ticker": "ACME"})
    assert len(output.run_id) == 12
    with pytest.raises(JournalError, match="already exists"):
        crew.kickoff(inputs={"ticker": "ACME"}, run_id=output.run_id)
    with pytest.raises(ConfigurationError, match="run_id must be"):
        crew.kickoff(inputs={"ticker": "ACME"}, run_id="no spaces please")


def test_resume_after_a_failure_asks_only_for_what_the_journal_lacks(
    kind: str, tmp_path: Path
) -> None:
    reference, calls = _reference(kind, tmp_path)
    db = str(tmp_path / "runs.db")
    failing, _ = build(kind, db, fail_after=calls // 2, sleep=False)
    with pytest.raises(CrewkitError, match="told to fail") as failed:
        failing.kickoff(inputs={"ticker": "ACME"}, run_id="r1")
    assert Journal(db).require("r1").status == "failed"
    assert "told to fail" in (Journal(db).require("r1").error or "")
    crew, model = build(kind, db, sleep=False)
    output = crew.resume("r1")
    assert len(model.requests) == calls - calls // 2  # nothing journaled was asked again
    assert output.to_dict() == reference
    assert failed.value.outputs == output.tasks_output[: len(failed.value.outputs)]


def test_resuming_a_completed_run_returns_its_output_without_running(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.db")
    first, _ = build("sequential", db, sleep=False)
    done = first.kickoff(inputs={"ticker": "ACME"}, run_id="r1")
    again, model = build("sequential", db, sleep=False)
    output = again.resume("r1")
    assert model.requests == [] and output.to_dict() == done.to_dict()
    assert output.run_id == "r1" and output.pydantic.score == done.pydantic.score


def test_a_changed_definition_is_refused_and_named_unless_forced(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.db")
    reference, calls = _reference("sequential", tmp_path)
    failing, _ = build("sequential", db, fail_after=calls - 2, sleep=False)
    with pytest.raises(CrewkitError):
        failing.kickoff(inputs={"ticker": "ACME"}, run_id="r1")
    changed, model = build("sequential", db, sleep=False)
    changed.tasks[3].expected_output = "a short verdict"
    with pytest.raises(DefinitionChangedError, match=r"tasks\[3\]\.expected_output") as caught:
        changed.resume("r1")
    assert caught.value.changes == [
        'tasks[3].expected_output: "a verdict" before, "a short verdict" now'
    ]
    assert "force=True" in str(caught.value)
    output = changed.resume("r1", force=True)
    # The three unchanged tasks' calls are reused; the changed task's requests differ: live.
    assert 0 < len(model.requests) < calls
    assert output.to_dict()["tasks_output"][:3] == reference["tasks_output"][:3]  # type: ignore[index]


def test_a_tool_sees_the_same_idempotency_key_after_a_crash(tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []

    @tool
    def pay(amount: int, ctx: ToolContext) -> str:
        """Pay an amount."""
        seen.append((ctx.idempotency_key, ctx.attempt))
        if len(seen) == 1:
            raise SystemExit("the process dies inside the tool")
        return f"paid {amount} as {ctx.run_id}/{ctx.task}/{ctx.agent}"

    assert "ctx" not in pay.spec().parameters["properties"]

    def crew() -> Crew:
        model = ScriptedLLM([call("pay", amount=5), "done"])
        agent = Agent("Clerk", "pay", "careful", tools=[pay], llm=model)
        task = Task("Pay 5", "a receipt", agent=agent, name="pay it")
        return Crew(agents=[agent], tasks=[task], durable=str(tmp_path / "runs.db"))

    with pytest.raises(SystemExit):
        crew().kickoff(run_id="r1")
    output = crew().resume("r1")
    (first_key, first_attempt), (second_key, second_attempt) = seen
    assert first_key == second_key and (first_attempt, second_attempt) == (1, 2)
    assert "paid 5 as r1/pay it/Clerk" in [
        e.data["result"] for e in Journal(tmp_path / "runs.db").entries("r1", kinds=["tool"])
    ]
    assert output.raw == "done"


def test_a_completed_tool_call_is_never_run_again(tmp_path: Path) -> None:
    runs: list[str] = []

    @tool
    def send_mail(to: str) -> str:
        """Send an e-mail."""
        runs.append(to)
        return f"sent to {to}"

    def crew(model: FunctionLLM | ScriptedLLM) -> Crew:
        agent = Agent("Clerk", "mail", "careful", tools=[send_mail], llm=model)
        task = Task("Mail ann", "a confirmation", agent=agent, name="mail")
        return Crew(agents=[agent], tasks=[task], durable=str(tmp_path / "runs.db"))

    with pytest.raises(CrewkitError):
        crew(ScriptedLLM([call("send_mail", to="ann"), RuntimeError("down")])).kickoff(run_id="r")
    model = ScriptedLLM(["mail sent"])
    assert crew(model).resume("r").raw == "mail sent"
    assert runs == ["ann"]
    model.assert_complete()


def _review_crew(db: Path, replies: list[str]) -> tuple[Crew, ScriptedLLM]:
    model = ScriptedLLM(replies)
    writer = Agent("Writer", "write", "terse", llm=model)
    task = Task("Write a line", "one line", agent=writer, human_input=True, name="line")
    return Crew(agents=[writer], tasks=[task], durable=str(db)), model


def test_a_review_with_no_person_at_hand_waits_and_resumes_with_feedback(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    crew, _ = _review_crew(db, ["draft one"])
    with pytest.raises(ReviewPending) as pending:
        crew.kickoff(run_id="rv")
    assert (pending.value.run_id, pending.value.task, pending.value.answer) == (
        "rv", "line", "draft one",
    )  # fmt: skip
    assert Journal(db).require("rv").status == "waiting"
    with pytest.raises(ReviewPending):  # still no answer: it keeps waiting
        _review_crew(db, [])[0].resume("rv")
    resumed, model = _review_crew(db, ["draft two"])
    with pytest.raises(ReviewPending) as second:  # the revised answer is reviewed too
        resumed.resume("rv", feedback="shorter")
    assert second.value.answer == "draft two"
    assert "shorter" in model.requests[0].messages[-1].content
    output = _review_crew(db, [])[0].resume("rv", approve=True)
    assert output.raw == "draft two"
    reviews = [e.data["status"] for e in Journal(db).entries("rv", kinds=["review"])]
    assert reviews == ["pending", "feedback", "pending", "approved"]


_REVIEW_SCRIPT = """
import sys
from crewkit import Agent, Crew, Task
from crewkit.errors import ReviewPending
from crewkit.testing import ScriptedLLM
model = ScriptedLLM(["first draft"])
writer = Agent("Writer", "write", "terse", llm=model)
task = Task("Write a line", "one line", agent=writer, human_input=True, name="line")
try:
    Crew(agents=[writer], tasks=[task], durable=sys.argv[1]).kickoff(run_id="rv")
except ReviewPending as waiting:
    print("waiting", waiting.answer)
"""


def test_a_review_waits_across_processes(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    first = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_REVIEW_SCRIPT), str(db)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert first.stdout.strip() == "waiting first draft", first.stderr
    crew, model = _review_crew(db, [])
    output = crew.resume("rv", approve=True)
    assert output.raw == "first draft" and model.requests == []
    assert Journal(db).require("rv").status == "completed"


def test_replay_reruns_from_a_task_with_the_earlier_outputs_from_the_journal(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "runs.db")
    first, first_model = build("sequential", db, sleep=False)
    original = first.kickoff(inputs={"ticker": "ACME"}, run_id="orig")
    again, model = build("sequential", db, sleep=False)
    replayed = again.replay("verdict")
    assert replayed.run_id != "orig"
    verdict_calls = Journal(db).entries("orig", kinds=["model"])
    assert (
        len(model.requests)
        == sum(1 for e in verdict_calls if e.task == "verdict")
        < len(first_model.requests)
    )  # only the verdict task ran again
    assert replayed.to_dict() == original.to_dict()
    assert Journal(db).require(replayed.run_id).parent_run == "orig"
    with pytest.raises(ConfigurationError, match="no task 'nope'"):
        again.replay("nope", run_id="orig")


def test_a_durable_batch_run_again_finishes_only_what_was_left(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.db")
    calls: list[str] = []

    def reply(request: object) -> str:
        text = request.messages[-1].content  # type: ignore[attr-defined]
        calls.append(text)
        if "cherry" in text and len(calls) < 4:
            raise RuntimeError("flaky")
        return "ok " + text.split("Fruit ")[1].split()[0]

    def crew() -> Crew:
        agent = Agent("Taster", "taste", "picky", llm=FunctionLLM(reply))
        task = Task("Fruit {fruit} please", "a verdict", agent=agent)
        return Crew(agents=[agent], tasks=[task], durable=db)

    fruits = [{"fruit": f} for f in ("apple", "banana", "cherry")]
    with pytest.raises(CrewkitError):
        crew().kickoff_for_each(fruits, batch_id="b1")
    assert len(calls) == 3
    outputs = crew().kickoff_for_each(fruits, batch_id="b1")
    assert [o.raw for o in outputs] == ["ok apple", "ok banana", "ok cherry"]
    assert len(calls) == 4  # only cherry was asked again
    progress = Journal(db).batch_progress("b1")
    assert (progress.total, progress.done) == (3, 3)
    assert [o.run_id for o in outputs] == ["b1-0", "b1-1", "b1-2"]


def test_durable_needs_a_journal_and_resume_needs_durable(tmp_path: Path) -> None:
    crew, _ = build("sequential", str(tmp_path / "runs.db"), sleep=False)
    crew.durable, crew.journal = None, None
    with pytest.raises(ConfigurationError, match="resume needs a durable crew"):
        crew.resume("r1")
    with pytest.raises(ConfigurationError, match=r"Crew\.durable must be"):
        Crew(agents=crew.agents, tasks=crew.tasks, durable=3)  # type: ignore[arg-type]


_FINGERPRINT = """
import sys
sys.path.insert(0, sys.argv[1])
from tests.journal.crash_crew import build
from crewkit._run.fingerprint import definition_of
from crewkit.journal._definitions import fingerprint
from crewkit._run.prepare import prepare
crew, _ = build(sys.argv[2], sys.argv[3])
print(fingerprint(definition_of(crew, prepare(crew, {"ticker": "X"}, durable=True))))
"""


def test_the_fingerprint_is_the_same_in_every_process(kind: str, tmp_path: Path) -> None:
    def one() -> str:
        result = subprocess.run(
            [sys.executable, "-c", _FINGERPRINT, str(ROOT), kind, str(tmp_path / "x.db")],
            capture_output=True, text=True, timeout=60, env={"PYTHONHASHSEED": "random"},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert one() == one() and len(one()) == 16


def test_secrets_stay_out_of_the_journal_of_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-live-abcdefghijklmnop"
    monkeypatch.setenv("PAYMENTS_API_KEY", secret)

    @tool
    def leak() -> str:
        """Return the config."""
        return f"config: key={secret}"

    model = ScriptedLLM([call("leak"), RuntimeError(f"rejected key {secret}")])
    agent = Agent("Clerk", "check", "careful", tools=[leak], llm=model)
    crew = Crew(
        agents=[agent], tasks=[Task("Check", "ok", agent=agent)], durable=str(tmp_path / "j.db")
    )
    with pytest.raises(CrewkitError):
        crew.kickoff(run_id="s")
    Journal(tmp_path / "j.db").close()
    for path in tmp_path.iterdir():
        assert secret.encode() not in path.read_bytes(), path.name


def test_an_api_key_given_in_code_is_redacted_too(tmp_path: Path) -> None:
    from crewkit.llm import OpenAIChat

    key = "sk-given-in-code-0123456789"
    OpenAIChat("gpt-x", api_key=key, base_url="http://127.0.0.1:9")  # registers the key
    journal = Journal(tmp_path / "runs.db")
    journal.begin_run("k", crew="c", fingerprint="f", definition={}, inputs={}, tasks_total=1)
    journal.finish("k", "failed", error=f"401: bad key {key}")
    assert journal.require("k").error == "401: bad key [redacted]"
