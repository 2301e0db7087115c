"""A run ends in its output or in a CrewkitError that carries the outputs so far: never in a foreign
exception, never with finished work lost, never with work still going on after the failure."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from pydantic import BaseModel

from crewkit import Agent, Crew, Task, TaskOutput, errors, tool
from crewkit.errors import (
    AgentTimeoutError,
    ConfigurationError,
    CrewkitError,
    OutputValidationError,
)
from crewkit.events import CrewFailed, Event, ModelCallCompleted
from crewkit.llm import ModelRequest
from crewkit.memory import Memory
from crewkit.testing import FunctionLLM, ScriptedLLM, call


def analyst(**fields: object) -> Agent:
    return Agent(role="Analyst", goal="g", backstory="b", **fields)  # type: ignore[arg-type]


class Score(BaseModel):
    score: int


def test_a_deeply_nested_structured_answer_is_a_validation_error_not_a_recursion_error() -> None:
    nested = "[" * 5000 + "]" * 5000
    a = analyst()
    task = Task("Score it.", "A score", agent=a, output_pydantic=Score, output_retries=1)
    llm = ScriptedLLM([nested, nested])
    with pytest.raises(OutputValidationError, match="nested too deeply"):
        Crew(agents=[a], tasks=[task], llm=llm).kickoff()
    assert "nested too deeply" in llm.requests[1].messages[-1].content  # the model was told


def test_text_protocol_arguments_with_number_keys_reach_the_tool_as_text_keys() -> None:
    seen: list[dict[str, object]] = []

    @tool
    def store(data: dict) -> str:  # type: ignore[type-arg]
        """Store a record."""
        seen.append(data)
        return "stored"

    a = analyst(tools=[store])
    reply = "Action: store\nAction Input: {'data': {1: 'a', 'b': 2}}"
    llm = ScriptedLLM([reply, "Final Answer: done"], native_tools=False)
    output = Crew(agents=[a], tasks=[Task("t", "x", agent=a)], llm=llm).kickoff()
    assert output.raw == "done"
    assert seen == [{"1": "a", "b": 2}]


def test_lone_surrogates_in_replies_and_tool_results_are_repaired_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    @tool
    def lookup(query: str) -> str:
        """Look something up."""
        return "half an emoji \ud83d here"

    a = analyst(tools=[lookup])
    memory = Memory(tmp_path / "memory.db")
    task = Task("t", "x", agent=a, output_file="out/answer.md")
    llm = ScriptedLLM([call("lookup", query="q"), "the answer \ud83d"])
    output = Crew(agents=[a], tasks=[task], llm=llm, memory=memory).kickoff()
    assert output.raw == "the answer \ufffd"
    assert (tmp_path / "out/answer.md").read_text(encoding="utf-8") == "the answer \ufffd\n"
    assert llm.requests[1].messages[-1].content.count("\ufffd") == 1  # the tool result, repaired
    texts = [r.text for r in memory.list("long_term")]
    assert texts == ["the answer \ufffd"]


@pytest.mark.parametrize(
    ("output_file", "problem"),
    [
        ("existing_folder", "is an existing folder"),
        ("a_file/report.md", "which is a file"),
        ("x" * 300 + ".md", "longer than 255 bytes"),
    ],
)
def test_an_output_file_that_can_never_be_written_is_refused_before_any_model_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_file: str, problem: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing_folder").mkdir()
    (tmp_path / "a_file").write_text("", encoding="utf-8")
    a = analyst()
    llm = ScriptedLLM([])
    crew = Crew(agents=[a], tasks=[Task("t", "x", agent=a, output_file=output_file)], llm=llm)
    with pytest.raises(ConfigurationError, match=problem):
        crew.kickoff()
    assert llm.requests == []


def test_a_nul_from_the_inputs_in_an_output_file_is_refused_before_any_model_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    a = analyst()
    llm = ScriptedLLM([])
    crew = Crew(agents=[a], tasks=[Task("t", "x", agent=a, output_file="{name}.md")], llm=llm)
    with pytest.raises(ConfigurationError, match="NUL"):
        crew.kickoff(inputs={"name": "a\0b"})
    assert llm.requests == []


def test_an_output_file_that_fails_to_write_keeps_every_answer_in_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    def block_the_report(output: TaskOutput) -> None:  # runs after the first task
        (tmp_path / "report.md").mkdir()

    a = analyst()
    first = Task("t1", "x", agent=a, name="first", callback=block_the_report)
    second = Task("t2", "x", agent=a, name="second", output_file="report.md")
    crew = Crew(agents=[a], tasks=[first, second], llm=ScriptedLLM(["one", "two"]))
    with pytest.raises(
        errors.OutputFileError, match="'second' finished, but its output_file"
    ) as caught:
        crew.kickoff()
    assert [o.raw for o in caught.value.outputs] == ["one", "two"]
    assert caught.value.path == str(tmp_path / "report.md")


def test_a_description_that_inputs_leave_empty_still_gets_a_label() -> None:
    a = analyst()
    crew = Crew(agents=[a], tasks=[Task("{x}", "y", agent=a)], llm=ScriptedLLM(["ok"]))
    output = crew.kickoff(inputs={"x": ""})
    assert output.tasks_output[0].name == "Task 1"


def test_max_rpm_must_be_a_whole_number_at_definition() -> None:
    with pytest.raises(
        ConfigurationError, match=r"max_rpm must be a positive integer or None, got 2\.5"
    ):
        analyst(max_rpm=2.5)


@pytest.mark.parametrize("limit", [float("nan"), float("inf")])
def test_max_execution_time_must_be_a_finite_number(limit: float) -> None:
    with pytest.raises(ConfigurationError, match="max_execution_time must be a positive number"):
        analyst(max_execution_time=limit)


def test_a_blocking_sync_tool_does_not_hold_the_time_limit_back() -> None:
    release, returned = threading.Event(), threading.Event()

    @tool
    def slow(query: str) -> str:
        """A tool that blocks."""
        release.wait(10)
        returned.set()
        return "late"

    a = analyst(tools=[slow], max_execution_time=0.3)
    llm = ScriptedLLM([call("slow", query="q"), "never reached"])
    try:
        with pytest.raises(AgentTimeoutError):
            Crew(agents=[a], tasks=[Task("t", "x", agent=a)], llm=llm).kickoff()
        assert not returned.is_set()  # kickoff raised while the tool was still blocked
    finally:
        release.set()


def test_a_blocking_sync_function_model_does_not_hold_the_time_limit_back() -> None:
    release, returned = threading.Event(), threading.Event()

    def slow(request: ModelRequest) -> str:
        release.wait(10)
        returned.set()
        return "late"

    a = analyst(max_execution_time=0.3)
    try:
        with pytest.raises(AgentTimeoutError):
            Crew(agents=[a], tasks=[Task("t", "x", agent=a)], llm=FunctionLLM(slow)).kickoff()
        assert not returned.is_set()
    finally:
        release.set()


def test_a_failing_parallel_delegation_cancels_its_sibling(tmp_path: Path) -> None:
    """The manager delegates to two coworkers in one reply; one's model fails. The other is
    cancelled before the failure is reported: its model call never completes, no event follows
    CrewFailed, and its tool result is not written to memory after the run cleaned up."""
    events: list[Event] = []
    release = asyncio.Event()

    @tool
    def find(query: str) -> str:
        """Find a fact."""
        return "a fact the slow coworker found"

    async def model(request: ModelRequest) -> object:
        role = request.metadata["agent"]
        if role == "Boss":
            return [
                call("delegate_work_to_coworker", task="a", context="", coworker="Fast"),
                call("delegate_work_to_coworker", task="b", context="", coworker="Slow"),
            ]
        if role == "Fast":
            raise CrewkitError("the fast coworker's model is down")
        if request.messages[-1].role != "tool":
            await release.wait()
            return call("find", query="q")
        return "slow done"

    boss = Agent(role="Boss", goal="g", backstory="b", allow_delegation=True)
    fast = Agent(role="Fast", goal="g", backstory="b")
    slow = Agent(role="Slow", goal="g", backstory="b", tools=[find])
    memory = Memory(tmp_path / "memory.db")
    crew = Crew(
        agents=[boss, fast, slow],
        tasks=[Task("t", "x", agent=boss)],
        llm=FunctionLLM(model),
        listeners=[events.append],
        memory=memory,
    )

    async def main() -> None:
        with pytest.raises(CrewkitError, match="model is down"):
            await crew.kickoff_async()
        release.set()  # were the slow coworker still running, it would go on now
        for _ in range(20):
            await asyncio.sleep(0.01)

    asyncio.run(main())
    names = [type(e).__name__ for e in events]
    assert names[-1] == "CrewFailed" and isinstance(events[-1], CrewFailed)
    slow_calls = [e for e in events if isinstance(e, ModelCallCompleted) and e.agent_role == "Slow"]
    assert slow_calls == []
    with sqlite3.connect(tmp_path / "memory.db") as db:
        assert db.execute("SELECT count(*) FROM memories").fetchone() == (0,)


def test_a_task_callback_that_raises_is_a_callback_error_keeping_the_answers() -> None:
    def save(output: TaskOutput) -> None:
        raise ValueError("database is down")

    a = analyst()
    first = Task("Research.", "Facts", agent=a, name="research", callback=save)
    second = Task("Write.", "Text", agent=a, name="write")
    llm = ScriptedLLM(["facts"])  # the second task never asks the model
    with pytest.raises(errors.CallbackError) as caught:
        Crew(agents=[a], tasks=[first, second], llm=llm).kickoff()
    error = caught.value
    assert error.task == "research" and error.callback.endswith("<locals>.save")
    assert "'research'" in str(error) and "ValueError: database is down" in str(error)
    assert [o.raw for o in error.outputs] == ["facts"]
    assert isinstance(error.__cause__, ValueError)


@pytest.mark.parametrize("kind", ["step_callback", "task_callback"])
def test_a_crew_callback_that_raises_ends_the_run_at_its_task_with_a_callback_error(
    kind: str,
) -> None:
    def record(_: object) -> None:
        raise RuntimeError("disk full")

    a = analyst()
    tasks = [Task("One.", "x", agent=a, name="one"), Task("Two.", "y", agent=a, name="two")]
    llm = ScriptedLLM(["first"])
    with pytest.raises(
        errors.CallbackError, match=f"task 'one' finished, but its {kind}"
    ) as caught:
        Crew(agents=[a], tasks=tasks, llm=llm, **{kind: record}).kickoff()  # type: ignore[arg-type]
    assert [o.raw for o in caught.value.outputs] == ["first"]
    assert len(llm.requests) == 1  # task two never started
