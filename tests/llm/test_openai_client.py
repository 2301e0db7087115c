"""The Chat Completions client against a loopback server: what it sends and how it reads replies."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from loopback import FAST_RETRY, Reply, ScriptedServer, Stream, chat_reply, wire_call

from crewkit import Agent, Crew, Task, tool
from crewkit.errors import BadRequestError, ConfigurationError, InvalidResponseError
from crewkit.llm import (
    Message,
    ModelRequest,
    ModelResponse,
    OpenAIChat,
    ResponseSchema,
    TextDelta,
    ToolCall,
    ToolSpec,
    Usage,
)
from crewkit.llm._openai import LlamaCppChat
from crewkit.llm._retry import NO_RETRY

WEATHER = ToolSpec(
    "get_weather",
    "Get the weather for a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def ask(llm: OpenAIChat, request: ModelRequest) -> ModelResponse:
    return asyncio.run(llm.complete(request))


def hello(**options: Any) -> ModelRequest:
    return ModelRequest(messages=(Message("system", "Be brief."), Message("user", "Hi")), **options)


def test_sends_model_messages_and_sampling_options(server: ScriptedServer) -> None:
    server.script(chat_reply("Hello."))
    llm = OpenAIChat("gpt-test", base_url=server.url, api_key="sk-test-1234567890", seed=7)
    ask(llm, hello(stop=("END",), temperature=0.2))
    [seen] = server.requests
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["authorization"] == "Bearer sk-test-1234567890"
    assert seen.body == {
        "model": "gpt-test",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
        ],
        "stop": ["END"],
        "temperature": 0.2,
        "seed": 7,
    }


def test_reads_text_usage_and_finish_reason(server: ScriptedServer) -> None:
    server.script(chat_reply("Hello.", prompt_tokens=12, completion_tokens=3, finish="length"))
    response = ask(OpenAIChat("gpt-test", base_url=server.url), hello())
    assert response == ModelResponse(
        text="Hello.",
        usage=Usage(prompt_tokens=12, completion_tokens=3),
        finish_reason="length",
        model="served-model",
    )


def test_tools_and_tool_choice_are_sent_natively(server: ScriptedServer) -> None:
    server.script(chat_reply(None, tool_calls=[wire_call("get_weather", '{"city": "Oslo"}')]))
    llm = OpenAIChat("gpt-test", base_url=server.url, tool_choice="get_weather")
    response = ask(llm, hello(tools=(WEATHER,)))
    body = server.bodies[0]
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Get the weather for a city.",
                "parameters": dict(WEATHER.parameters),
            },
        }
    ]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert response.tool_calls == (ToolCall("get_weather", {"city": "Oslo"}, id="call_1"),)
    assert response.finish_reason == "tool_calls"


def test_unparseable_tool_arguments_are_kept_raw_for_the_agent(server: ScriptedServer) -> None:
    server.script(chat_reply(None, tool_calls=[wire_call("get_weather", "{city: Oslo")]))
    response = ask(OpenAIChat("m", base_url=server.url), hello(tools=(WEATHER,)))
    assert response.tool_calls == (
        ToolCall("get_weather", {}, id="call_1", raw_arguments="{city: Oslo"),
    )


def test_tool_history_is_sent_as_assistant_tool_calls_and_tool_messages(
    server: ScriptedServer,
) -> None:
    server.script(chat_reply("It is sunny."))
    history = (
        Message("user", "Weather in Oslo?"),
        Message("assistant", "", tool_calls=(ToolCall("get_weather", {"city": "Oslo"}, "c1"),)),
        Message("tool", "sunny", tool_call_id="c1", name="get_weather"),
    )
    ask(OpenAIChat("m", base_url=server.url), ModelRequest(messages=history, tools=(WEATHER,)))
    assert server.bodies[0]["messages"][1:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
    ]


CITY = ResponseSchema(
    "city", {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
)


def test_response_schema_is_sent_as_json_schema(server: ScriptedServer) -> None:
    server.script(chat_reply('{"name": "Oslo"}'))
    response = ask(OpenAIChat("m", base_url=server.url), hello(response_schema=CITY))
    assert server.bodies[0]["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "city", "schema": dict(CITY.schema)},
    }
    assert response.text == '{"name": "Oslo"}'


def test_refused_json_schema_falls_back_to_json_object_then_remembers(
    server: ScriptedServer,
) -> None:
    refusal = {
        "error": {"message": "response_format.type: Input should be 'text' or 'json_object'"}
    }
    server.script(
        Reply(500, refusal), chat_reply('{"name": "Oslo"}'), chat_reply('{"name": "Rome"}')
    )
    llm = OpenAIChat("m", base_url=server.url, retry=FAST_RETRY)
    assert ask(llm, hello(response_schema=CITY)).text == '{"name": "Oslo"}'
    assert ask(llm, hello(response_schema=CITY)).text == '{"name": "Rome"}'
    kinds = [b["response_format"]["type"] for b in server.bodies]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert server.bodies[1]["response_format"]["schema"] == dict(CITY.schema)


def test_refused_json_object_falls_back_to_asking_in_the_prompt(server: ScriptedServer) -> None:
    refusal = {"error": {"message": "unknown field response_format"}}
    server.script(Reply(400, refusal), Reply(400, refusal), chat_reply('{"name": "Oslo"}'))
    ask(OpenAIChat("m", base_url=server.url), hello(response_schema=CITY))
    last = server.bodies[2]
    assert "response_format" not in last
    assert last["messages"][-1]["role"] == "user"
    assert '"required": ["name"]' in last["messages"][-1]["content"]


def test_a_bad_request_unrelated_to_the_format_is_not_retried_as_a_fallback(
    server: ScriptedServer,
) -> None:
    server.script(Reply(400, {"error": {"message": "context length exceeded"}}))
    with pytest.raises(BadRequestError, match="context length exceeded"):
        ask(OpenAIChat("m", base_url=server.url), hello(response_schema=CITY))
    assert len(server.requests) == 1


def test_streaming_yields_text_pieces_then_the_whole_response(server: ScriptedServer) -> None:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "model": "served",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    server.script(
        Stream(
            [
                chunk({"role": "assistant", "content": "Hel"}),
                chunk({"content": "lo."}, "stop"),
                {
                    "model": "served",
                    "choices": [],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 2},
                },
                "[DONE]",
            ]
        )
    )
    llm = OpenAIChat("m", base_url=server.url)

    async def collect() -> list[TextDelta | ModelResponse]:
        return [item async for item in llm.stream(hello())]

    items = asyncio.run(collect())
    assert items == [
        TextDelta("Hel"),
        TextDelta("lo."),
        ModelResponse(text="Hello.", usage=Usage(5, 2), finish_reason="stop", model="served"),
    ]
    assert server.bodies[0]["stream"] is True
    assert server.bodies[0]["stream_options"] == {"include_usage": True}


def test_streamed_tool_calls_are_assembled_from_their_pieces(server: ScriptedServer) -> None:
    def piece(part: dict[str, Any]) -> dict[str, Any]:
        return {"choices": [{"index": 0, "delta": {"tool_calls": [part]}, "finish_reason": None}]}

    server.script(
        Stream(
            [
                piece(
                    {"index": 0, "id": "c9", "function": {"name": "get_weather", "arguments": ""}}
                ),
                piece({"index": 0, "function": {"arguments": '{"city": '}}),
                piece({"index": 0, "function": {"arguments": '"Oslo"}'}}),
                "[DONE]",
            ]
        )
    )
    llm = OpenAIChat("m", base_url=server.url)

    async def last() -> TextDelta | ModelResponse:
        return [item async for item in llm.stream(hello(tools=(WEATHER,)))][-1]

    final = asyncio.run(last())
    assert isinstance(final, ModelResponse)
    assert final.tool_calls == (ToolCall("get_weather", {"city": "Oslo"}, id="c9"),)
    assert final.finish_reason == "tool_calls"


def test_llamacpp_preset_offers_tools_as_a_constrained_json_choice(server: ScriptedServer) -> None:
    server.script(chat_reply('{"tool": "get_weather", "arguments": {"city": "Oslo"}}'))
    llm = LlamaCppChat("smollm2", base_url=server.url)
    response = ask(llm, hello(tools=(WEATHER,)))
    body = server.bodies[0]
    assert "tools" not in body
    options = body["response_format"]["json_schema"]["schema"]["anyOf"]
    assert options[0]["properties"]["tool"] == {"const": "get_weather"}
    assert options[-1]["required"] == ["final_answer"]
    assert "get_weather: Get the weather for a city." in body["messages"][0]["content"]
    assert response.tool_calls == (ToolCall("get_weather", {"city": "Oslo"}, id="call_0"),)


def test_llamacpp_preset_reads_a_final_answer_choice_as_text(server: ScriptedServer) -> None:
    server.script(chat_reply('{"final_answer": "Sunny in Oslo."}'))
    response = ask(LlamaCppChat("m", base_url=server.url), hello(tools=(WEATHER,)))
    assert (response.text, response.tool_calls) == ("Sunny in Oslo.", ())


def test_openai_without_a_key_is_a_configuration_error_naming_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        OpenAIChat("gpt-4o-mini")


def test_base_url_comes_from_the_environment(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    assert OpenAIChat("m").endpoint == server.url


def test_a_one_tool_crew_runs_end_to_end_over_http(server: ScriptedServer) -> None:
    @tool
    def get_weather(city: str) -> str:
        """Get the weather for a city."""
        return f"Sunny in {city}, 21 C"

    server.script(
        chat_reply(
            None, tool_calls=[wire_call("get_weather", '{"city": "Oslo"}')], finish="tool_calls"
        ),
        chat_reply("Oslo is sunny, 21 C."),
    )
    agent = Agent(
        role="Reporter",
        goal="Report weather",
        backstory="Terse.",
        tools=[get_weather],
        llm=OpenAIChat("m", base_url=server.url),
    )
    crew = Crew(agents=[agent], tasks=[Task("Weather in Oslo?", "One sentence", agent=agent)])
    output = crew.kickoff()
    assert output.raw == "Oslo is sunny, 21 C."
    assert output.token_usage.requests == 2
    tool_message = server.bodies[1]["messages"][-1]
    assert tool_message == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "Sunny in Oslo, 21 C",
    }


def test_opening_a_stream_is_retried_after_a_server_error(server: ScriptedServer) -> None:
    server.script(
        Reply(503, {"error": {"message": "busy"}}),
        Stream([{"choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]}]),
    )
    llm = OpenAIChat("m", base_url=server.url, retry=FAST_RETRY)

    async def collect() -> list[TextDelta | ModelResponse]:
        return [item async for item in llm.stream(hello())]

    assert asyncio.run(collect())[0] == TextDelta("ok")
    assert len(server.requests) == 2


def test_a_garbled_stream_event_is_an_invalid_response(server: ScriptedServer) -> None:
    server.script(Stream(["{not json"]))
    llm = OpenAIChat("m", base_url=server.url, retry=NO_RETRY)

    async def drain() -> None:
        async for _ in llm.stream(hello()):
            pass

    with pytest.raises(InvalidResponseError, match="unreadable stream event"):
        asyncio.run(drain())
