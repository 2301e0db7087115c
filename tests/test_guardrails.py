"""Guardrails: rejected answers go back with feedback, within a bound."""

from __future__ import annotations

import pytest

from crewkit import Agent, Crew, Task
from crewkit.errors import ConfigurationError, GuardrailError
from crewkit.task import TaskOutput
from crewkit.testing import ScriptedLLM


def crew(llm: ScriptedLLM, **task_kw: object) -> Crew:
    agent = Agent(role="Writer", goal="Write", backstory="B.")
    return Crew(
        agents=[agent], tasks=[Task("Write", "Text", agent=agent, name="w", **task_kw)], llm=llm
    )  # type: ignore[arg-type]


def short(output: TaskOutput) -> tuple[bool, object]:
    return (True, output.raw) if len(output.raw) <= 10 else (False, "Keep it under 10 characters.")


def test_a_rejected_answer_is_revised_with_the_feedback() -> None:
    llm = ScriptedLLM(["a very long answer indeed", "short one"])
    out = crew(llm, guardrail=short).kickoff()
    assert out.raw == "short one"
    assert llm.requests[1].messages[-1].content == (
        "Your answer was not accepted: Keep it under 10 characters.\n"
        "Revise it and give your complete final answer again."
    )


def test_an_accepted_value_replaces_the_answer() -> None:
    llm = ScriptedLLM(["  padded  "])
    out = crew(llm, guardrail=lambda o: (True, o.raw.strip().upper())).kickoff()
    assert out.raw == "PADDED"


def test_several_guardrails_run_in_order() -> None:
    seen: list[str] = []

    def first(o: TaskOutput) -> tuple[bool, object]:
        seen.append("first:" + o.raw)
        return True, o.raw + "!"

    def second(o: TaskOutput) -> tuple[bool, object]:
        seen.append("second:" + o.raw)
        return True, o.raw

    assert crew(ScriptedLLM(["hi"]), guardrail=[first, second]).kickoff().raw == "hi!"
    assert seen == ["first:hi", "second:hi!"]


def test_after_max_retries_the_error_lists_every_feedback() -> None:
    llm = ScriptedLLM(["long answer 1", "long answer 2", "long answer 3"])
    with pytest.raises(GuardrailError) as info:
        crew(llm, guardrail=short, guardrail_max_retries=2).kickoff()
    assert info.value.feedback == ["Keep it under 10 characters."] * 3
    llm.assert_complete()


def test_a_guardrail_with_the_wrong_return_shape_is_a_clear_error() -> None:
    with pytest.raises(
        ConfigurationError, match=r"must return \(True, value\) or \(False, 'feedback'\)"
    ):
        crew(ScriptedLLM(["x"]), guardrail=lambda o: True).kickoff()


def test_guardrails_see_the_kickoff_inputs() -> None:
    agent = Agent(role="Writer", goal="Write", backstory="B.")
    seen: list[object] = []
    task = Task(
        "Write on {topic}",
        "Text",
        agent=agent,
        guardrail=lambda o: (seen.append(o.inputs), (True, o.raw))[1],
    )
    Crew(agents=[agent], tasks=[task], llm=ScriptedLLM(["ok"])).kickoff(inputs={"topic": "tea"})
    assert seen == [{"topic": "tea"}]


def test_a_model_returned_by_a_guardrail_replaces_structure_and_text() -> None:
    from pydantic import BaseModel

    class Figure(BaseModel):
        value: float

    agent = Agent(role="Writer", goal="Write", backstory="B.")
    task = Task(
        "t", "x", agent=agent, output_pydantic=Figure, guardrail=lambda o: (True, Figure(value=2.5))
    )
    out = Crew(agents=[agent], tasks=[task], llm=ScriptedLLM(['{"value": 9}'])).kickoff()
    assert out.pydantic == Figure(value=2.5)
    assert out.json_dict == {"value": 2.5}
    assert out.raw == '{"value": 2.5}'


def numeric(output: TaskOutput) -> tuple[bool, object]:
    return True, float(output.raw)  # raises on an answer that is not a number


def test_a_guardrail_that_raises_rejects_the_answer_with_the_exceptions_message() -> None:
    llm = ScriptedLLM(["about twelve", "12.5"])
    assert crew(llm, guardrail=numeric).kickoff().raw == "12.5"
    feedback = llm.requests[1].messages[-1].content
    assert feedback.startswith("Your answer was not accepted: could not convert string to float")


def test_a_guardrail_that_keeps_raising_fails_the_run_with_the_cause_and_outputs_so_far() -> None:
    agent = Agent(role="Writer", goal="Write", backstory="B.")
    tasks = [
        Task("Draft", "Text", agent=agent, name="draft"),
        Task("Price", "A number", agent=agent, name="price", guardrail=numeric,
             guardrail_max_retries=1),
    ]  # fmt: skip
    llm = ScriptedLLM(["the draft", "cheap", "very cheap"])
    with pytest.raises(GuardrailError, match="rejected the answer 2 times") as info:
        Crew(agents=[agent], tasks=tasks, llm=llm).kickoff()
    assert info.value.feedback == [
        "could not convert string to float: 'cheap'",
        "could not convert string to float: 'very cheap'",
    ]
    assert isinstance(info.value.__cause__, ValueError)
    assert [o.raw for o in info.value.outputs] == ["the draft"]
    llm.assert_complete()


def test_a_rejection_by_one_guardrail_and_a_raise_by_another_share_the_retry_bound() -> None:
    def boom(output: TaskOutput) -> tuple[bool, object]:
        raise RuntimeError("")

    llm = ScriptedLLM(["far too long an answer", "short"])
    with pytest.raises(GuardrailError) as info:
        crew(llm, guardrail=[short, boom], guardrail_max_retries=1).kickoff()
    assert info.value.feedback == ["Keep it under 10 characters.", "RuntimeError"]
    llm.assert_complete()
