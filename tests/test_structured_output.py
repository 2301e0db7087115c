"""Structured output: the schema reaches the model, invalid answers are corrected or reported."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field

from crewkit import Agent, Crew, Task
from crewkit.errors import OutputValidationError
from crewkit.testing import MockLLM, ScriptedLLM


class Verdict(BaseModel):
    ticker: str
    score: int = Field(ge=0, le=10)


def crew(llm: object, **task_kw: object) -> Crew:
    agent = Agent(role="Analyst", goal="Judge", backstory="B.")
    task = Task("Judge {ticker}", "A verdict", agent=agent, name="judge", **task_kw)  # type: ignore[arg-type]
    return Crew(agents=[agent], tasks=[task], llm=llm)  # type: ignore[arg-type]


def test_output_pydantic_gives_a_model_instance_and_a_dict() -> None:
    llm = ScriptedLLM(['```json\n{"ticker": "IBM", "score": 7}\n```'])
    out = crew(llm, output_pydantic=Verdict).kickoff(inputs={"ticker": "IBM"})
    assert out.pydantic == Verdict(ticker="IBM", score=7)
    assert out.json_dict == {"ticker": "IBM", "score": 7}
    assert out.tasks_output[0].pydantic == Verdict(ticker="IBM", score=7)


def test_output_json_gives_only_a_dict() -> None:
    llm = ScriptedLLM(['Here you go: {"ticker": "IBM", "score": 3} hope it helps'])
    out = crew(llm, output_json=Verdict).kickoff(inputs={"ticker": "IBM"})
    assert out.pydantic is None
    assert out.json_dict == {"ticker": "IBM", "score": 3}


def test_the_schema_is_a_response_schema_when_the_model_supports_it() -> None:
    llm = ScriptedLLM(['{"ticker": "A", "score": 1}'])
    crew(llm, output_pydantic=Verdict).kickoff(inputs={"ticker": "A"})
    request = llm.requests[0]
    assert request.response_schema is not None
    assert request.response_schema.name == "Verdict"
    assert request.response_schema.schema["required"] == ["ticker", "score"]
    assert "JSON schema" not in request.messages[1].content


def test_the_schema_goes_into_the_prompt_when_the_model_cannot_enforce_it() -> None:
    from crewkit.llm import ModelProfile

    llm = ScriptedLLM(['{"ticker": "A", "score": 1}'])
    llm.profile = ModelProfile(json_schema=False)
    crew(llm, output_pydantic=Verdict).kickoff(inputs={"ticker": "A"})
    request = llm.requests[0]
    assert request.response_schema is None
    assert request.messages[1].content.endswith(
        "Your final answer must be one JSON object that matches this JSON schema, with no other text:\n"
        '{"properties": {"ticker": {"type": "string"}, "score": {"maximum": 10, "minimum": 0, '
        '"type": "integer"}}, "required": ["ticker", "score"], "type": "object"}'
    )


def test_an_invalid_answer_is_shown_its_errors_and_corrected() -> None:
    llm = ScriptedLLM(['{"ticker": "A", "score": 11}', '{"ticker": "A", "score": 10}'])
    out = crew(llm, output_pydantic=Verdict).kickoff(inputs={"ticker": "A"})
    assert out.pydantic.score == 10
    correction = llm.requests[1].messages
    assert (
        correction[-2].role == "assistant"
        and correction[-2].content == '{"ticker": "A", "score": 11}'
    )
    assert correction[-1].content == (
        "Your answer does not match the required JSON schema:\n"
        "- score: Input should be less than or equal to 10\n"
        "Reply with the corrected JSON object only."
    )


def test_after_output_retries_the_error_carries_the_raw_text_and_errors() -> None:
    llm = ScriptedLLM(["not json", "still not", "nope"])
    with pytest.raises(OutputValidationError) as info:
        crew(llm, output_pydantic=Verdict, output_retries=2).kickoff(inputs={"ticker": "A"})
    assert info.value.raw == "nope"
    assert info.value.errors == "- the answer is not a JSON object"
    assert "does not match Verdict after 2 retries" in str(info.value)
    llm.assert_complete()


def test_mock_llm_satisfies_any_output_schema() -> None:
    class Report(BaseModel):
        title: str
        risks: list[str]
        var_95: float = Field(gt=0, lt=1)
        position: int = Field(ge=100)

    out = crew(MockLLM(), output_pydantic=Report).kickoff(inputs={"ticker": "A"})
    assert isinstance(out.pydantic, Report)
    assert json.loads(out.raw) == out.json_dict


class Stamped(BaseModel):
    score: int
    checked_by: str = Field("", json_schema_extra={"readOnly": True})


def test_read_only_fields_are_not_asked_of_the_model_and_keep_their_default() -> None:
    llm = ScriptedLLM(['{"score": 4}'])
    out = crew(llm, output_pydantic=Stamped).kickoff(inputs={"ticker": "A"})
    schema = llm.requests[0].response_schema
    assert schema is not None
    assert list(schema.schema["properties"]) == ["score"]
    assert out.pydantic == Stamped(score=4, checked_by="")


class Pitch(BaseModel):
    line: str = Field(description="one sentence on {ticker} for a {horizon} investor")
    note: str = Field(description="literal {braces} stay; {{ticker}} is written as is")


def test_field_descriptions_are_filled_from_the_inputs_known_names_only() -> None:
    llm = ScriptedLLM(['{"line": "IBM holds.", "note": "n"}'])
    crew(llm, output_pydantic=Pitch).kickoff(inputs={"ticker": "IBM", "horizon": "long-term"})
    schema = llm.requests[0].response_schema
    assert schema is not None
    described = {name: p["description"] for name, p in schema.schema["properties"].items()}
    assert described == {
        "line": "one sentence on IBM for a long-term investor",
        "note": "literal {braces} stay; {ticker} is written as is",
    }
    # The class itself is untouched: another run gets its own figures.
    assert "{ticker}" in Pitch.model_json_schema()["properties"]["line"]["description"]


def test_an_input_value_in_a_description_is_data_not_a_placeholder() -> None:
    llm = ScriptedLLM(['{"line": "x", "note": "n"}'])
    crew(llm, output_pydantic=Pitch).kickoff(inputs={"ticker": "{horizon}", "horizon": "short"})
    schema = llm.requests[0].response_schema
    assert schema is not None
    assert schema.schema["properties"]["line"]["description"] == (
        "one sentence on {horizon} for a short investor"
    )
