"""max_execution_time, max_rpm and the run's token budget are enforced for real."""

from __future__ import annotations

import asyncio

import pytest

from crewkit import Agent, Crew, Task
from crewkit.errors import AgentTimeoutError, BudgetExceededError
from crewkit.llm import ModelRequest, ModelResponse, Usage
from crewkit.testing import FunctionLLM, ScriptedLLM
from tests.helpers import FakeClock


def test_max_execution_time_stops_a_slow_agent_with_a_clear_error() -> None:
    cancelled: list[bool] = []

    async def hang(request: ModelRequest) -> str:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(True)  # the limit stopped the call, it did not wait for it
            raise
        return "never"

    agent = Agent(role="Slow", goal="g", backstory="b", max_execution_time=0.2)
    crew = Crew(
        agents=[agent], tasks=[Task("t", "x", agent=agent, name="t")], llm=FunctionLLM(hang)
    )
    with pytest.raises(
        AgentTimeoutError, match=r"agent 'Slow' exceeded max_execution_time=0.2s on 't'"
    ):
        crew.kickoff()
    assert cancelled == [True]


def test_the_token_budget_stops_the_run_and_keeps_the_outputs_so_far() -> None:
    llm = ScriptedLLM([ModelResponse(text=f"answer {i}", usage=Usage(60, 10)) for i in range(3)])
    a = Agent(role="A", goal="g", backstory="b")
    tasks = [Task(f"t{i}", "x", agent=a, name=f"t{i}") for i in range(3)]
    with pytest.raises(BudgetExceededError, match="140 tokens used of max_tokens=100") as info:
        Crew(agents=[a], tasks=tasks, llm=llm, max_tokens=100).kickoff()
    assert [o.raw for o in info.value.outputs] == ["answer 0", "answer 1"]


def test_crew_max_rpm_holds_across_concurrent_async_tasks(fake_clock: FakeClock) -> None:
    a = Agent(role="A", goal="g", backstory="b")
    tasks = [Task(f"t{i}", "x", agent=a, async_execution=True) for i in range(4)]
    out = Crew(agents=[a], tasks=tasks, llm=FunctionLLM(lambda r: "ok"), max_rpm=2).kickoff()
    assert out.token_usage.requests == 4
    # At most 2 calls in any minute: the 3rd and 4th wait for the window to pass, no one else.
    assert fake_clock.waits == [60.0, 60.0]


def test_agent_max_rpm_is_shared_across_runs(fake_clock: FakeClock) -> None:
    a = Agent(role="A", goal="g", backstory="b", max_rpm=1)
    crew = Crew(agents=[a], tasks=[Task("t", "x", agent=a)], llm=FunctionLLM(lambda r: "ok"))
    outs = asyncio.run(crew.kickoff_for_each_async([{}, {}, {}], concurrency=3))
    assert [o.raw for o in outs] == ["ok"] * 3
    assert sorted(fake_clock.waits) == [60.0, 120.0]  # one call a minute, across the three runs


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
