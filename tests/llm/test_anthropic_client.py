"""The Messages API client against a loopback server."""

from __future__ import annotations

import asyncio

import pytest
from loopback import FAST_RETRY, Reply, ScriptedServer

from crewkit.errors import ConfigurationError, ServerError
from crewkit.llm import AnthropicChat, Message, ModelRequest, ToolCall, ToolSpec, Usage

BASE = "http://127.0.0.1"
WEATHER = ToolSpec(
    "get_weather",
    "Get the weather.",
    {"type": "object", "properties": {"city": {"type": "string"}}},
)


def url(server: ScriptedServer) -> str:
    return server.url.removesuffix("/v1")


def claude_reply(*blocks: dict[str, object], stop: str = "end_turn") -> Reply:
    return Reply(
        body={
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-test",
            "content": list(blocks),
            "stop_reason": stop,
            "usage": {"input_tokens": 20, "output_tokens": 5},
        }
    )


def test_maps_system_tools_history_and_stop_sequences(server: ScriptedServer) -> None:
    server.script(claude_reply({"type": "text", "text": "Sunny."}))
    llm = AnthropicChat("claude-test", base_url=url(server), api_key="sk-ant-0123456789abcdef")
    history = (
        Message("system", "You report weather."),
        Message("user", "Oslo?"),
        Message(
            "assistant", "Checking.", tool_calls=(ToolCall("get_weather", {"city": "Oslo"}, "tu1"),)
        ),
        Message("tool", "sunny", tool_call_id="tu1", name="get_weather"),
        Message("user", "Use the result."),
    )
    request = ModelRequest(
        messages=history, tools=(WEATHER,), stop=("\nObservation:",), temperature=0
    )
    response = asyncio.run(llm.complete(request))
    [seen] = server.requests
    assert seen.path == "/v1/messages"
    assert seen.headers["x-api-key"] == "sk-ant-0123456789abcdef"
    assert seen.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in seen.headers
    assert seen.body == {
        "model": "claude-test",
        "max_tokens": 4096,
        "system": "You report weather.",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Oslo?"}]},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "Checking."},
                    {
                        "type": "tool_use",
                        "id": "tu1",
                        "name": "get_weather",
                        "input": {"city": "Oslo"},
                    },
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "tu1", "content": "sunny"},
                    {"type": "text", "text": "Use the result."},
                ],
            },
        ],
        "tools": [
            {
                "name": "get_weather",
                "description": "Get the weather.",
                "input_schema": dict(WEATHER.parameters),
            }
        ],
        "stop_sequences": ["\nObservation:"],
        "temperature": 0,
    }
    assert (response.text, response.usage, response.finish_reason) == (
        "Sunny.",
        Usage(20, 5),
        "stop",
    )


def test_reads_tool_use_blocks_as_tool_calls(server: ScriptedServer) -> None:
    server.script(
        claude_reply(
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "tu7", "name": "get_weather", "input": {"city": "Rome"}},
            stop="tool_use",
        )
    )
    llm = AnthropicChat("claude-test", base_url=url(server), tool_choice="get_weather")
    response = asyncio.run(
        llm.complete(ModelRequest(messages=(Message("user", "Rome?"),), tools=(WEATHER,)))
    )
    assert server.bodies[0]["tool_choice"] == {"type": "tool", "name": "get_weather"}
    assert response.tool_calls == (ToolCall("get_weather", {"city": "Rome"}, id="tu7"),)
    assert response.text == "Let me check."
    assert response.finish_reason == "tool_calls"


def test_overloaded_529_is_retried_and_reported(server: ScriptedServer) -> None:
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    server.script(Reply(529, overloaded), claude_reply({"type": "text", "text": "ok"}))
    llm = AnthropicChat("claude-test", base_url=url(server), retry=FAST_RETRY)
    assert asyncio.run(llm.complete(ModelRequest(messages=(Message("user", "x"),)))).text == "ok"
    server.script(*[Reply(529, overloaded)] * 4)
    with pytest.raises(ServerError, match="anthropic/claude-test: Overloaded \\(HTTP 529\\)"):
        asyncio.run(llm.complete(ModelRequest(messages=(Message("user", "x"),))))


def test_anthropic_without_a_key_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="ANTHROPIC_API_KEY"):
        AnthropicChat("claude-3-5-haiku-latest")
