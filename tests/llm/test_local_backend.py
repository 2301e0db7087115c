"""The embedded model (``local``), for real: SmolLM2-135M through llama-cpp-python."""

from __future__ import annotations

import asyncio
import json

import pytest
from helpers import streamed_replies
from local_support import require, weather_crew

from crewkit.errors import ConfigurationError
from crewkit.events import CrewCompleted, Event, ToolCallCompleted, ToolCallDelta
from crewkit.llm import Message, ModelRequest, ResponseSchema, resolve_llm


def test_local_alone_is_the_smollm2_file_from_the_model_package() -> None:
    require()
    llm = resolve_llm("local")
    assert llm.label.startswith("local/SmolLM2-135M-Instruct")
    assert llm.endpoint is None
    assert llm.n_threads >= 1  # type: ignore[attr-defined]


def test_a_one_tool_crew_completes_with_a_valid_tool_call() -> None:
    require()
    events: list[Event] = []
    output = weather_crew(resolve_llm("local"), [events.append]).kickoff()
    calls = [e for e in events if isinstance(e, ToolCallCompleted)]
    assert calls, "the model never called the tool"
    assert calls[0].tool_name == "get_weather"
    assert not calls[0].error
    assert "Paris" in calls[0].result
    assert output.raw.strip()
    assert output.token_usage.requests >= 2


def test_structured_output_is_constrained_to_the_schema() -> None:
    require()
    schema = ResponseSchema(
        "city",
        {
            "type": "object",
            "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
            "required": ["city", "country"],
        },
    )
    request = ModelRequest(
        messages=(Message("user", "Name the capital of France and its country."),),
        response_schema=schema,
    )
    response = asyncio.run(resolve_llm("local").complete(request))
    data = json.loads(response.text)
    assert set(data) == {"city", "country"}
    assert response.usage.completion_tokens > 0


def test_a_local_path_that_is_not_gguf_is_explained() -> None:
    require()
    with pytest.raises(ConfigurationError, match=r"not a \.gguf file"):
        resolve_llm("local/model.bin")


def test_a_task_with_a_tool_and_an_output_model_gets_valid_structured_output() -> None:
    require()
    from local_support import get_weather
    from pydantic import BaseModel

    from crewkit import Agent, Crew, Task

    class Report(BaseModel):
        city: str
        weather: str

    agent = Agent(
        role="Weather reporter",
        goal="Report the weather",
        backstory="You check the weather tool before answering.",
        tools=[get_weather],
        llm="local",
        max_iter=3,
    )
    task = Task(
        "What is the weather in Paris?",
        "The city and its weather.",
        agent=agent,
        output_pydantic=Report,
    )
    output = Crew(agents=[agent], tasks=[task]).kickoff()
    assert isinstance(output.tasks_output[0].pydantic, Report)


def test_a_streamed_run_hands_out_each_reply_as_it_is_written() -> None:
    require()
    events = list(weather_crew(resolve_llm("local")).stream())
    replies = streamed_replies(events)
    assert len(replies) >= 2
    for streamed, final in replies:
        assert streamed == final
    assert any(streamed for streamed, _ in replies), "no reply streamed any text"
    arguments = "".join(e.arguments for e in events if isinstance(e, ToolCallDelta))
    assert json.loads(arguments)["city"]
    assert isinstance(events[-1], CrewCompleted)
