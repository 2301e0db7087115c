"""max_execution_time, max_rpm and the run's token budget are enforced for real."""

from __future__ import annotations

import asyncio
import time

import pytest

from crewkit import Agent, Crew, Task
from crewkit import _ratelimit as ratelimit
from crewkit.errors import AgentTimeoutError, BudgetExceededError
from crewkit.llm import ModelRequest, ModelResponse, Usage
from crewkit.testing import FunctionLLM, ScriptedLLM


def test_max_execution_time_stops_a_slow_agent_with_a_clear_error() -> None:
    async def hang(request: ModelRequest) -> str:
        await asyncio.sleep(30)
        return "never"

    agent = Agent(role="Slow", goal="g", backstory="b", max_execution_time=0.2)
    crew = Crew(
        agents=[agent], tasks=[Task("t", "x", agent=agent, name="t")], llm=FunctionLLM(hang)
    )
    started = time.perf_counter()
    with pytest.raises(
        AgentTimeoutError, match=r"agent 'Slow' exceeded max_execution_time=0.2s on 't'"
    ):
        crew.kickoff()
    assert time.perf_counter() - started < 5


def test_the_token_budget_stops_the_run_and_keeps_the_outputs_so_far() -> None:
    llm = ScriptedLLM([ModelResponse(text=f"answer {i}", usage=Usage(60, 10)) for i in range(3)])
    a = Agent(role="A", goal="g", backstory="b")
    tasks = [Task(f"t{i}", "x", agent=a, name=f"t{i}") for i in range(3)]
    with pytest.raises(BudgetExceededError, match="140 tokens used of max_tokens=100") as info:
        Crew(agents=[a], tasks=tasks, llm=llm, max_tokens=100).kickoff()
    assert [o.raw for o in info.value.outputs] == ["answer 0", "answer 1"]


def test_crew_max_rpm_holds_across_concurrent_async_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "PERIOD", 0.5)
    stamps: list[float] = []

    def record(request: ModelRequest) -> str:
        stamps.append(time.monotonic())
        return "ok"

    a = Agent(role="A", goal="g", backstory="b")
    tasks = [Task(f"t{i}", "x", agent=a, async_execution=True) for i in range(4)]
    Crew(agents=[a], tasks=tasks, llm=FunctionLLM(record), max_rpm=2).kickoff()
    stamps.sort()
    # At most 2 calls in any 0.5 s window: the 3rd and 4th wait for the window to pass.
    assert stamps[2] - stamps[0] >= 0.45
    assert stamps[3] - stamps[1] >= 0.45


def test_agent_max_rpm_is_shared_across_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "PERIOD", 0.4)
    stamps: list[float] = []

    def record(request: ModelRequest) -> str:
        stamps.append(time.monotonic())
        return "ok"

    a = Agent(role="A", goal="g", backstory="b", max_rpm=1)
    crew = Crew(agents=[a], tasks=[Task("t", "x", agent=a)], llm=FunctionLLM(record))
    asyncio.run(crew.kickoff_for_each_async([{}, {}, {}], concurrency=3))
    stamps.sort()
    assert stamps[1] - stamps[0] >= 0.35 and stamps[2] - stamps[1] >= 0.35


def test_limits_are_validated_at_definition() -> None:
    from crewkit.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="max_execution_time must be a positive number"):
        Agent(role="A", goal="g", backstory="b", max_execution_time=0)
    with pytest.raises(ConfigurationError, match=r"Crew\.max_tokens must be a positive integer"):
        a = Agent(role="A", goal="g", backstory="b")
        Crew(agents=[a], tasks=[Task("t", "x", agent=a)], max_tokens=-5)


def test_the_token_budget_refuses_a_call_bound_to_overshoot() -> None:
    """After a call that sent 40 prompt tokens, the conversation's next call sends at least 40
    more: with 45 of 60 used it could only overshoot, so it is never made."""
    from crewkit import tool
    from crewkit.testing import call

    @tool
    def lookup(query: str) -> str:
        """Look something up."""
        return "found"

    a = Agent(role="A", goal="g", backstory="b", tools=[lookup])
    llm = ScriptedLLM(
        [
            ModelResponse(tool_calls=(call("lookup", query="q"),), usage=Usage(40, 5)),
            ModelResponse(text="would cost 55", usage=Usage(50, 5)),
        ]
    )
    crew = Crew(agents=[a], tasks=[Task("t", "x", agent=a)], llm=llm, max_tokens=60)
    with pytest.raises(BudgetExceededError, match="sends at least 40 prompt tokens"):
        crew.kickoff()
    assert len(llm.requests) == 1
