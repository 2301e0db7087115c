"""Placeholders: filled from inputs, all missing ones reported at once, values kept as data."""

from __future__ import annotations

import pytest

from crewkit import Agent, Crew, Task
from crewkit._inputs import interpolate, placeholders
from crewkit.errors import MissingInputError
from crewkit.testing import ScriptedLLM


def _crew(llm: ScriptedLLM) -> Crew:
    agent = Agent(role="{field} analyst", goal="Study {topic}", backstory="Expert in {field}.")
    task = Task(
        description="Explain {topic} in {words} words. Format: {{json}}",
        expected_output="A {words}-word text",
        agent=agent,
        name="explain",
    )
    return Crew(agents=[agent], tasks=[task], llm=llm)


def test_placeholders_are_filled_in_every_text() -> None:
    llm = ScriptedLLM(["done"])
    _crew(llm).kickoff(inputs={"field": "Energy", "topic": "solar", "words": 50})
    system, user = (m.content for m in llm.requests[0].messages)
    assert system.startswith("You are Energy analyst. Expert in Energy.\nYour goal: Study solar")
    assert user == "Explain solar in 50 words. Format: {json}\n\nExpected output: A 50-word text"


def test_all_missing_inputs_are_reported_together_before_any_model_call() -> None:
    llm = ScriptedLLM(["never used"])
    with pytest.raises(MissingInputError) as info:
        _crew(llm).kickoff(inputs={"topic": "solar"})
    assert info.value.missing == {
        "field": ["agent '{field} analyst'.role", "agent '{field} analyst'.backstory"],
        "words": ["task 'explain'.description", "task 'explain'.expected_output"],
    }
    assert "'field', 'words'" in str(info.value)
    assert llm.requests == []


@pytest.mark.parametrize("value", ["{{ 7*7 }}", "{__class__}", "{topic}", "{% raw %}x", "}}{{"])
def test_input_values_arrive_literally(value: str) -> None:
    llm = ScriptedLLM(["done"])
    _crew(llm).kickoff(inputs={"field": "F", "topic": value, "words": 1})
    assert llm.requests[0].messages[1].content.startswith(f"Explain {value} in 1 words.")


def test_braces_that_are_not_placeholders_are_left_alone() -> None:
    text = 'Return {"a": 1} and { spaced } and {1} for {name}'
    assert placeholders(text) == ["name"]
    assert interpolate(text, {"name": "x"}) == 'Return {"a": 1} and { spaced } and {1} for x'
