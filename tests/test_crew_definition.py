"""Invalid definitions fail at construction, naming the object and the field."""

from __future__ import annotations

import os

import pytest

from crewkit import Agent, Crew, Process, Task
from crewkit.errors import ConfigurationError, CrewkitError, ModelNotConfiguredError


def agent(role: str = "Analyst", **kw: object) -> Agent:
    return Agent(role=role, goal="G", backstory="B", **kw)  # type: ignore[arg-type]


def test_empty_tasks_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match=r"Crew.tasks is empty"):
        Crew(agents=[agent()], tasks=[])


def test_sequential_task_without_agent_names_the_task() -> None:
    a = agent()
    with pytest.raises(ConfigurationError, match=r"Crew.tasks\[1\] Task\('second'\) has no agent"):
        Crew(agents=[a], tasks=[Task("d", "e", agent=a), Task("d2", "e", name="second")])


def test_task_agent_missing_from_the_agent_list() -> None:
    a, b = agent("Analyst"), agent("Writer")
    with pytest.raises(
        ConfigurationError, match=r"\.agent is Agent\(role='Writer'\), which is not in"
    ):
        Crew(agents=[a], tasks=[Task("d", "e", agent=b)])


def test_context_must_name_earlier_tasks_of_the_crew() -> None:
    a = agent()
    outsider = Task("x", "y", agent=a, name="outsider")
    with pytest.raises(ConfigurationError, match="not one of this crew's tasks"):
        Crew(agents=[a], tasks=[Task("d", "e", agent=a, context=[outsider])])
    later = Task("l", "e", agent=a, name="later")
    with pytest.raises(ConfigurationError, match="comes later"):
        Crew(agents=[a], tasks=[Task("d", "e", agent=a, context=[later]), later])


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Agent(role="", goal="g", backstory="b"), "Agent.role must be a non-empty string"),
        (lambda: agent(max_iter=0), "max_iter must be an integer of at least 1"),
        (lambda: agent(tools=["search"]), "tools must be Tool objects or functions"),
        (lambda: agent(llm=42), "llm must be a model object, a model string"),
        (lambda: Task(description="", expected_output="e"), "Task.description must be"),
        (lambda: Task("d", "e", context="other"), "Task.context must be a list of tasks"),
        (
            lambda: Crew(agents=[agent()], tasks=[Task("d", "e")], process="parallel"),
            "must be 'sequential' or 'hierarchical'",
        ),
        (
            lambda: Crew(agents=[agent(), agent()], tasks=[Task("d", "e")]),
            "two agents with role 'Analyst'",
        ),
        (
            lambda: Crew(agents=[agent()], tasks=["do it"]),
            "Crew.tasks must contain only Task objects",
        ),
    ],
)
def test_bad_definitions_raise_configuration_errors(build: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        build()  # type: ignore[operator]


def test_process_accepts_the_enum_or_its_name() -> None:
    a = agent()
    assert (
        Crew(agents=[a], tasks=[Task("d", "e", agent=a)], process="sequential").process
        is Process.sequential
    )


def test_no_model_anywhere_is_a_clear_error_naming_the_ways_to_set_one() -> None:
    assert "CREWKIT_MODEL" not in os.environ
    a = agent()
    crew = Crew(agents=[a], tasks=[Task("d", "e", agent=a)])
    with pytest.raises(ModelNotConfiguredError) as info:
        crew.kickoff()
    message = str(info.value)
    assert "llm= to the Agent" in message and "llm= to the Crew" in message
    assert "CREWKIT_MODEL" in message
    assert isinstance(info.value, CrewkitError)


def test_model_strings_resolve_in_order_agent_crew_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crewkit.testing import ScriptedLLM

    own, shared = ScriptedLLM(["own"]), ScriptedLLM(["shared"])
    a, b = agent("A", llm=own), agent("B")
    crew = Crew(agents=[a, b], tasks=[Task("d", "e", agent=a), Task("d", "e", agent=b)], llm=shared)
    assert [t.raw for t in crew.kickoff().tasks_output] == ["own", "shared"]

    monkeypatch.setenv("CREWKIT_MODEL", "mock")
    crew = Crew(agents=[b], tasks=[Task("d", "e", agent=b)])
    assert crew.kickoff().raw.startswith("B completed")


def test_unknown_provider_in_a_model_string_lists_the_known_ones() -> None:
    a = agent(llm="nosuch/model")
    with pytest.raises(
        ConfigurationError, match=r"unknown model provider 'nosuch'.*known providers: .*mock"
    ):
        Crew(agents=[a], tasks=[Task("d", "e", agent=a)]).kickoff()
