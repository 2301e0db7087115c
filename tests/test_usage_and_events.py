"""Usage is counted once per model call; events describe the run as a tree."""

from __future__ import annotations

from crewkit import Agent, Crew, Task, tool
from crewkit.events import (
    AgentFinished,
    AgentStarted,
    CrewCompleted,
    CrewStarted,
    Event,
    ModelCallCompleted,
    ModelCallStarted,
    TaskCompleted,
    TaskStarted,
    ToolCallCompleted,
    ToolCallStarted,
    subscribe,
)
from crewkit.llm import ModelResponse, Usage
from crewkit.task import TaskOutput
from crewkit.testing import ScriptedLLM, call


@tool
def ping() -> str:
    """Answers pong."""
    return "pong"


def _reply(text: str, prompt: int, completion: int) -> ModelResponse:
    return ModelResponse(text=text, usage=Usage(prompt, completion))


def test_usage_is_counted_once_per_call_per_agent_task_and_crew_with_a_shared_model() -> None:
    shared = ScriptedLLM(
        [
            ModelResponse(tool_calls=(call("ping"),), usage=Usage(10, 1)),
            _reply("a", 20, 2),
            _reply("b", 30, 3),
        ]
    )
    a = Agent(role="A", goal="g", backstory="b", tools=[ping], llm=shared)
    b = Agent(role="B", goal="g", backstory="b", llm=shared)
    crew = Crew(agents=[a, b], tasks=[Task("one", "x", agent=a), Task("two", "y", agent=b)])
    out = crew.kickoff()

    assert out.token_usage == Usage(60, 6, requests=3)
    assert out.token_usage.total_tokens == 66
    assert out.usage_by_agent == {"A": Usage(30, 3, 2), "B": Usage(30, 3, 1)}
    assert [t.token_usage for t in out.tasks_output] == [Usage(30, 3, 2), Usage(30, 3, 1)]


def test_runs_do_not_share_usage() -> None:
    llm = ScriptedLLM([_reply("a", 5, 1), _reply("b", 7, 1)])
    agent = Agent(role="A", goal="g", backstory="b")
    crew = Crew(agents=[agent], tasks=[Task("t", "x", agent=agent)], llm=llm)
    assert crew.kickoff().token_usage == Usage(5, 1, 1)
    assert crew.kickoff().token_usage == Usage(7, 1, 1)


def test_events_arrive_in_order_and_nest_by_parent() -> None:
    seen: list[Event] = []
    llm = ScriptedLLM([call("ping"), "done"])
    agent = Agent(role="A", goal="g", backstory="b", tools=[ping])
    crew = Crew(
        agents=[agent], tasks=[Task("t", "x", agent=agent)], llm=llm, listeners=[seen.append]
    )
    crew.kickoff()

    assert [type(e) for e in seen] == [
        CrewStarted, TaskStarted, AgentStarted, ModelCallStarted, ModelCallCompleted,
        ToolCallStarted, ToolCallCompleted, ModelCallStarted, ModelCallCompleted,
        AgentFinished, TaskCompleted, CrewCompleted,
    ]  # fmt: skip
    by_span = {
        e.span_id: e for e in seen if isinstance(e, (CrewStarted, TaskStarted, AgentStarted))
    }
    tool_started = next(e for e in seen if isinstance(e, ToolCallStarted))
    assert isinstance(by_span[tool_started.parent_id or ""], AgentStarted)
    agent_started = next(e for e in seen if isinstance(e, AgentStarted))
    assert isinstance(by_span[agent_started.parent_id or ""], TaskStarted)
    assert len({e.run_id for e in seen}) == 1


def test_step_and_task_callbacks_and_global_listeners() -> None:
    steps: list[Event] = []
    tasks: list[TaskOutput] = []
    everything: list[Event] = []
    unsubscribe = subscribe(everything.append)
    try:
        llm = ScriptedLLM([call("ping"), "done"])
        agent = Agent(role="A", goal="g", backstory="b", tools=[ping])
        Crew(
            agents=[agent],
            tasks=[Task("t", "x", agent=agent, name="t1")],
            llm=llm,
            step_callback=steps.append,
            task_callback=tasks.append,
        ).kickoff()
    finally:
        unsubscribe()
    assert [type(s) for s in steps] == [ToolCallCompleted, AgentFinished]
    assert [t.name for t in tasks] == ["t1"] and tasks[0].raw == "done"
    assert len(everything) == 12


def test_a_failing_listener_does_not_lose_the_run(caplog: object) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("display bug")

    agent = Agent(role="A", goal="g", backstory="b")
    crew = Crew(
        agents=[agent],
        tasks=[Task("t", "x", agent=agent)],
        llm=ScriptedLLM(["ok"]),
        listeners=[broken],
    )
    assert crew.kickoff().raw == "ok"


def test_verbose_shows_the_run_on_stderr(capsys: object) -> None:
    llm = ScriptedLLM([call("ping"), "done"])
    agent = Agent(role="Pinger", goal="g", backstory="b", tools=[ping])
    Crew(
        agents=[agent], tasks=[Task("t", "x", agent=agent, name="ping-task")], llm=llm, verbose=True
    ).kickoff()
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "task ping-task → Pinger" in err
    assert "  tool ping {}" in err
    assert "    → pong" in err  # verbose shows tool results
    assert "  Pinger answered: done" in err


@tool
def explode() -> str:
    """Always fails."""
    raise RuntimeError("boom")


def test_a_failing_tool_closes_its_span_with_tool_call_failed_and_the_agent_works_on() -> None:
    from crewkit.events import ToolCallFailed

    seen: list[Event] = []
    llm = ScriptedLLM([call("explode"), "done anyway"])
    agent = Agent(role="A", goal="g", backstory="b", tools=[explode])
    crew = Crew(
        agents=[agent], tasks=[Task("t", "x", agent=agent)], llm=llm, listeners=[seen.append]
    )
    assert crew.kickoff().raw == "done anyway"

    started = next(e for e in seen if isinstance(e, ToolCallStarted))
    failed = next(e for e in seen if isinstance(e, ToolCallFailed))
    assert (failed.span_id, failed.tool_name, failed.agent_role) == (
        started.span_id,
        "explode",
        "A",
    )
    assert isinstance(failed.error, RuntimeError) and str(failed.error) == "boom"
    assert not any(isinstance(e, ToolCallCompleted) for e in seen)


def test_a_failing_model_call_fails_its_model_agent_task_and_crew_spans() -> None:
    import pytest

    from crewkit.errors import LLMError
    from crewkit.events import AgentFailed, CrewFailed, ModelCallFailed, TaskFailed

    seen: list[Event] = []
    llm = ScriptedLLM([ValueError("server melted")])
    agent = Agent(role="A", goal="g", backstory="b")
    task = Task("t", "x", agent=agent, name="t")
    crew = Crew(agents=[agent], tasks=[task], llm=llm, listeners=[seen.append])
    with pytest.raises(LLMError):
        crew.kickoff()

    failed = [
        e for e in seen if isinstance(e, (ModelCallFailed, AgentFailed, TaskFailed, CrewFailed))
    ]
    assert [type(e) for e in failed] == [ModelCallFailed, AgentFailed, TaskFailed, CrewFailed]
    assert all(isinstance(e.error, LLMError) for e in failed)
    opened = {
        e.span_id
        for e in seen
        if isinstance(e, (ModelCallStarted, AgentStarted, TaskStarted, CrewStarted))
    }
    assert {e.span_id for e in failed} == opened
    task_failed = failed[2]
    assert isinstance(task_failed, TaskFailed)
    assert (task_failed.task_name, task_failed.agent_role) == ("t", "A")
