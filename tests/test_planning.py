"""Planning: one planner call writes a step plan per task, added to each task's prompt."""

from __future__ import annotations

import json
import logging

import pytest

from crewkit import Agent, Crew, Process, Task, tool
from crewkit.llm import ModelResponse, Usage
from crewkit.testing import MockLLM, ScriptedLLM

PLANS = json.dumps({"task_1": ["Search for facts", "List three"], "task_2": ["Write it"]})


@tool
def search(query: str) -> str:
    """Search the web."""
    return query


def planned_crew(planner: ScriptedLLM, worker: ScriptedLLM, **options: object) -> Crew:
    researcher = Agent(role="Researcher", goal="Find facts", backstory="b", tools=[search])
    writer = Agent(role="Writer", goal="Write", backstory="b")
    tasks = [
        Task("Research tea", "Three facts", agent=researcher, name="facts"),
        Task("Write about tea", "A paragraph", agent=writer, name="article"),
    ]
    return Crew(
        agents=[researcher, writer],
        tasks=tasks,
        llm=worker,
        planning=True,
        planning_llm=planner,
        **options,  # type: ignore[arg-type]
    )


def test_the_planner_is_asked_once_for_every_task_with_a_schema() -> None:
    planner = ScriptedLLM([PLANS])
    planned_crew(planner, ScriptedLLM(["facts", "article"])).kickoff()

    (request,) = planner.requests
    assert [(m.role, m.content) for m in request.messages] == [
        (
            "user",
            "Plan the work of this team. For each task write 2 to 5 short steps: what to do, and "
            "which tool or team member to use when that matters.\n\n"
            "Team:\n- Researcher: Find facts (tools: search)\n- Writer: Write\n\n"
            "Tasks:\n"
            "task_1: Research tea\nExpected output: Three facts\nDone by: Researcher\n\n"
            "task_2: Write about tea\nExpected output: A paragraph\nDone by: Writer\n\n"
            "Reply with only a JSON object with the keys task_1, task_2, each a list of steps "
            "(strings).",
        )
    ]
    assert request.response_schema is not None
    assert request.response_schema.schema["required"] == ["task_1", "task_2"]
    assert request.tools == ()


def test_each_task_prompt_ends_with_its_plan_and_the_output_keeps_it() -> None:
    worker = ScriptedLLM(["facts", "article"])
    out = planned_crew(ScriptedLLM([PLANS]), worker).kickoff()

    assert worker.requests[0].messages[1].content == (
        "Research tea\n\nExpected output: Three facts\n\nPlan:\n1. Search for facts\n2. List three"
    )
    assert worker.requests[1].messages[1].content.endswith("## facts\nfacts\n\nPlan:\n1. Write it")
    assert [t.plan for t in out.tasks_output] == [
        "1. Search for facts\n2. List three",
        "1. Write it",
    ]
    assert out.tasks_output[0].to_dict()["plan"] == "1. Search for facts\n2. List three"


def test_planning_usage_is_its_own_and_counted_in_the_total() -> None:
    planner = ScriptedLLM([ModelResponse(text=PLANS, usage=Usage(50, 5))])
    worker = ScriptedLLM(
        [ModelResponse(text="f", usage=Usage(10, 1)), ModelResponse(text="a", usage=Usage(20, 2))]
    )
    out = planned_crew(planner, worker).kickoff()
    assert out.usage_by_agent["Crew Planner"] == Usage(50, 5, 1)
    assert out.token_usage == Usage(80, 8, 3)
    assert [t.token_usage for t in out.tasks_output] == [Usage(10, 1, 1), Usage(20, 2, 1)]


def test_an_unreadable_plan_is_answered_once_with_the_problem() -> None:
    planner = ScriptedLLM(["Sure! Step one...", f"```json\n{PLANS}\n```"])
    out = planned_crew(planner, ScriptedLLM(["f", "a"])).kickoff()
    assert planner.requests[1].messages[-1].content == (
        "I could not use that plan: the reply has no JSON object. Reply with only the JSON "
        "object, one list of steps per task key."
    )
    assert out.tasks_output[1].plan == "1. Write it"


def test_tasks_the_planner_never_covers_run_without_a_plan(
    caplog: pytest.LogCaptureFixture,
) -> None:
    only_first = json.dumps({"task_1": ["Search"]})
    planner = ScriptedLLM([only_first, only_first])
    worker = ScriptedLLM(["f", "a"])
    with caplog.at_level(logging.WARNING, logger="crewkit"):
        out = planned_crew(planner, worker).kickoff()
    assert [t.plan for t in out.tasks_output] == ["1. Search", None]
    assert "Plan:" not in worker.requests[1].messages[1].content
    assert "no usable plan for ['task_2']" in caplog.text
    planner.assert_complete()


def test_hierarchical_planning_tells_the_planner_a_manager_assigns_work() -> None:
    planner = ScriptedLLM([json.dumps({"task_1": ["Ask the Writer"]})])
    manager = ScriptedLLM(["done"])
    writer = Agent(role="Writer", goal="Write", backstory="b", llm=ScriptedLLM([]))
    crew = Crew(
        agents=[writer],
        tasks=[Task("Write", "Text")],
        process=Process.hierarchical,
        manager_llm=manager,
        planning=True,
        planning_llm=planner,
    )
    out = crew.kickoff()
    prompt = planner.requests[0].messages[0].content
    assert "A manager assigns each task to team members." in prompt
    assert "Done by" not in prompt
    assert manager.requests[0].messages[1].content.endswith("Plan:\n1. Ask the Writer")
    assert out.tasks_output[0].plan == "1. Ask the Writer"


def test_the_planner_defaults_to_the_crews_model_and_runs_on_the_mock() -> None:
    crew = planned_crew(ScriptedLLM([]), ScriptedLLM([]))
    crew.planning_llm = None
    crew.llm = MockLLM()
    out = crew.kickoff()
    assert [t.plan for t in out.tasks_output] == ["1. sample task_1", "1. sample task_2"]
    assert out.usage_by_agent["Crew Planner"].requests == 1


def test_a_bad_planning_llm_fails_at_crew() -> None:
    from crewkit.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=r"Crew\.planning_llm must be a model object"):
        planned_crew(42, ScriptedLLM([]))  # type: ignore[arg-type]
