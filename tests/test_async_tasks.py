"""Async tasks run concurrently on the event loop, as a DAG over their declared context."""

from __future__ import annotations

import asyncio

import pytest

from crewkit import Agent, Crew, Task
from crewkit.errors import LLMError
from crewkit.llm import ModelRequest
from crewkit.testing import FunctionLLM


def slow_model(delay: float, log: list[str] | None = None) -> FunctionLLM:
    """Answers with the task's name after ``delay`` seconds; records start and end."""

    async def answer(request: ModelRequest) -> str:
        task = request.metadata["task"]
        if log is not None:
            log.append(f"start {task}")
        await asyncio.sleep(delay)
        if log is not None:
            log.append(f"end {task}")
        if "fail" in task:
            raise RuntimeError(f"{task} broke")
        return f"answer of {task}"

    return FunctionLLM(answer)


def agent() -> Agent:
    return Agent(role="Worker", goal="Work", backstory="B.")


def test_independent_async_tasks_all_run_at_once() -> None:
    a = agent()
    tasks = [Task(f"job {i}", "x", agent=a, name=f"t{i}", async_execution=True) for i in range(6)]
    in_flight: list[str] = []
    all_started = asyncio.Event()

    async def answer(request: ModelRequest) -> str:
        in_flight.append(request.metadata["task"])
        if len(in_flight) == 6:
            all_started.set()
        # each call waits for the other five: run one by one, the first would never finish
        await asyncio.wait_for(all_started.wait(), timeout=30)
        return f"answer of {request.metadata['task']}"

    out = Crew(agents=[a], tasks=tasks, llm=FunctionLLM(answer)).kickoff()
    assert sorted(in_flight) == [f"t{i}" for i in range(6)]
    assert [t.raw for t in out.tasks_output] == [f"answer of t{i}" for i in range(6)]


def test_an_async_task_gets_exactly_its_declared_context_and_waits_for_it() -> None:
    log: list[str] = []
    llm = slow_model(0.05, log)
    a = agent()
    first = Task("first", "x", agent=a, name="first", async_execution=True)
    other = Task("other", "x", agent=a, name="other", async_execution=True)
    dependent = Task(
        "dependent", "x", agent=a, name="dependent", async_execution=True, context=[first]
    )
    Crew(agents=[a], tasks=[first, other, dependent], llm=llm).kickoff()

    assert log.index("start dependent") > log.index("end first")
    prompt = next(r for r in llm.requests if r.metadata["task"] == "dependent").messages[1].content
    assert "## first\nanswer of first" in prompt
    assert "other" not in prompt


def test_an_async_task_without_context_gets_none() -> None:
    llm = slow_model(0)
    a = agent()
    tasks = [
        Task("one", "x", agent=a, name="one"),
        Task("two", "x", agent=a, name="two", async_execution=True),
    ]
    Crew(agents=[a], tasks=tasks, llm=llm).kickoff()
    assert "Context from earlier tasks" not in llm.requests[1].messages[1].content


def test_a_sync_task_waits_for_earlier_async_tasks_and_sees_their_outputs() -> None:
    log: list[str] = []
    llm = slow_model(0.05, log)
    a = agent()
    tasks = [
        Task("a1", "x", agent=a, name="a1", async_execution=True),
        Task("a2", "x", agent=a, name="a2", async_execution=True),
        Task("summary", "x", agent=a, name="summary"),
    ]
    Crew(agents=[a], tasks=tasks, llm=llm).kickoff()
    assert log.index("start summary") > max(log.index("end a1"), log.index("end a2"))
    prompt = llm.requests[-1].messages[1].content
    assert "## a1\nanswer of a1" in prompt and "## a2\nanswer of a2" in prompt


def test_a_failing_async_task_fails_the_crew_cancels_dependents_and_keeps_finished_outputs() -> (
    None
):
    log: list[str] = []
    a = agent()
    ok = Task("ok", "x", agent=a, name="ok", async_execution=True)
    bad = Task("fail", "x", agent=a, name="fail", async_execution=True)
    after = Task("after", "x", agent=a, name="after", async_execution=True, context=[bad])
    crew = Crew(agents=[a], tasks=[ok, bad, after], llm=slow_model(0.05, log))
    with pytest.raises(LLMError, match="fail broke") as info:
        crew.kickoff()
    assert [o.name for o in info.value.outputs] == ["ok"]
    assert "start after" not in log
