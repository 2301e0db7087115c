"""Agents, tasks and crews defined the CrewAI way: config= dicts, folded YAML text, settings
crewkit does not use, tasks without an expected output."""

from __future__ import annotations

import pytest

from crewkit import Agent, Crew, Task
from crewkit.errors import CompatibilityWarning, ConfigurationError
from crewkit.testing import ScriptedLLM, call
from crewkit.tools import tool

ENTRY = {"role": "Senior Analyst\n", "goal": "Find {topic} facts\n", "backstory": "Careful.\n"}


def test_config_dict_gives_the_fields_and_keywords_win() -> None:
    agent = Agent(config={**ENTRY, "max_iter": 4}, goal="Explicit goal")
    assert (agent.role, agent.goal, agent.backstory, agent.max_iter) == (
        "Senior Analyst",
        "Explicit goal",
        "Careful.",
        4,
    )


def test_task_config_takes_the_agent_object_and_strips_text() -> None:
    agent = Agent(config=ENTRY)
    task = Task(
        config={"description": "Research {topic}.\n", "expected_output": "Facts.\n", "agent": agent}
    )
    assert (task.description, task.expected_output, task.agent) == (
        "Research {topic}.",
        "Facts.",
        agent,
    )


def test_texts_lose_surrounding_whitespace_however_given() -> None:
    agent = Agent(role="  Writer\n", goal="g", backstory="b")
    assert agent.role == "Writer"


def test_config_must_be_a_mapping() -> None:
    with pytest.raises(ConfigurationError, match=r"Agent\(config=...\) must be a mapping"):
        Agent(config="researcher")  # type: ignore[arg-type]


def test_a_crewai_only_setting_is_accepted_with_a_warning_that_says_what_happens() -> None:
    with pytest.warns(
        CompatibilityWarning, match=r"Agent\(memory=...\): memory is shared by the crew"
    ):
        agent = Agent(config=ENTRY, memory=True)
    assert not hasattr(agent, "memory")


def test_each_ignored_setting_warns_once() -> None:
    with pytest.warns(CompatibilityWarning) as seen:
        Crew(agents=[a := Agent(config=ENTRY)], tasks=[Task("t", "o", agent=a)], tracing=True)
        Crew(agents=[b := Agent(config=ENTRY)], tasks=[Task("t", "o", agent=b)], tracing=True)
    assert [str(w.message) for w in seen].count(
        "Crew(tracing=...): crewkit sends nothing anywhere; use listeners= for your own tracing"
    ) == 1


def test_an_unknown_keyword_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"unexpected keyword argument 'backstroy'; did you mean 'backstory'\?",
    ):
        Agent(role="r", goal="g", backstroy="b")  # type: ignore[call-arg]


def test_an_unknown_key_inside_config_is_ignored_with_a_warning_as_crewai_does() -> None:
    with pytest.warns(CompatibilityWarning, match=r"Agent\(favourite_colour=...\): not a setting"):
        agent = Agent(config={**ENTRY, "favourite_colour": "blue"})
    assert agent.role == "Senior Analyst"


def test_verbose_levels_become_true() -> None:
    assert Agent(config=ENTRY, verbose=2).verbose is True


def test_a_task_without_expected_output_warns_and_its_prompt_does_not_mention_one() -> None:
    llm = ScriptedLLM(["done"])
    agent = Agent(config=ENTRY)
    with pytest.warns(CompatibilityWarning, match="has no expected_output"):
        task = Task(description="Summarise {topic}.", agent=agent, name="summary")
    Crew(agents=[agent], tasks=[task], llm=llm).kickoff(inputs={"topic": "tea"})
    prompt = llm.requests[0].messages[-1].content
    assert prompt.startswith("Summarise tea.") and "Expected output" not in prompt


def test_an_empty_description_is_still_an_error() -> None:
    with pytest.raises(ConfigurationError, match=r"Task\.description must be a non-empty string"):
        Task(description="  ", expected_output="x")


@tool
def lookup(term: str) -> str:
    """Look a term up."""
    return f"{term}: found"


@tool
def shout(text: str) -> str:
    """Repeat a text loudly."""
    return text.upper()


def test_task_tools_replace_the_agents_tools_for_that_task() -> None:
    llm = ScriptedLLM([call("lookup", term="tea"), "first", "second"])
    agent = Agent(config=ENTRY, tools=[shout])
    first = Task("Look tea up.", "A line.", agent=agent, tools=[lookup])
    second = Task("Say hi.", "A line.", agent=agent)
    Crew(agents=[agent], tasks=[first, second], llm=llm).kickoff(inputs={"topic": "tea"})
    assert [t.name for t in llm.requests[0].tools] == ["lookup"]
    assert llm.requests[1].messages[-1].content == "tea: found"
    assert [t.name for t in llm.requests[2].tools] == ["shout"]
    llm.assert_complete()


def test_task_tools_must_be_tools() -> None:
    with pytest.raises(ConfigurationError, match="tools must be Tool objects or functions"):
        Task("t", "o", tools=["web_search_please"])


def test_crewai_names_import_nothing_heavy() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, crewkit, crewkit.project\n"
        "from crewkit import LLM\n"
        "from crewkit.tools import BaseTool\n"
        "heavy = ('pydantic', 'httpx', 'jinja2', 'rich', 'yaml', 'langchain_core')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
