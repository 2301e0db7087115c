"""Each HTTP backend streams a crew's replies from a loopback SSE server: the pieces join to exactly
the final text, tool-call arguments arrive in pieces, and a reply that breaks off is retried."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from helpers import one_task_crew, streamed_replies
from loopback import FAST_RETRY, Reply, ScriptedServer, Stream, chat_reply

from crewkit import tool
from crewkit.errors import BadRequestError, ModelConnectionError
from crewkit.events import (
    Event,
    ModelCallCompleted,
    ModelStreamRestarted,
    ModelTextDelta,
    ToolCallDelta,
)
from crewkit.llm import AnthropicChat, OpenAIChat, RetryPolicy
from crewkit.llm._openai import LlamaCppChat
from crewkit.llm._providers import traits_for

KEY = "sk-test-0123456789abcdefSECRET"


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"Sunny in {city}, 21 C"


def text_stream(*pieces: str, usage: tuple[int, int] = (9, 4)) -> Stream:
    chunks: list[Any] = [
        {"model": "served", "choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces
    ]
    chunks.append(
        {"model": "served", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    )
    chunks.append(
        {"choices": [], "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1]}}
    )
    chunks.append("[DONE]")
    return Stream(chunks)


def call_stream(name: str, *argument_pieces: str) -> Stream:
    def piece(part: dict[str, Any]) -> dict[str, Any]:
        return {"choices": [{"index": 0, "delta": {"tool_calls": [part]}}]}

    chunks: list[Any] = [
        piece({"index": 0, "id": "c1", "function": {"name": name, "arguments": ""}})
    ]
    chunks += [piece({"index": 0, "function": {"arguments": p}}) for p in argument_pieces]
    chunks += [{"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}, "[DONE]"]
    return Stream(chunks)


def run(llm: Any, tools: list[object] | None = None) -> list[Event]:
    return list(one_task_crew(llm, tools=tools).stream())


def test_openai_text_and_tool_call_arguments_stream_in_pieces(server: ScriptedServer) -> None:
    server.script(
        call_stream("get_weather", '{"ci', 'ty": "Os', 'lo"}'),
        text_stream("Oslo is ", "sunny, ", "21 C."),
    )
    events = run(OpenAIChat("m", base_url=server.url), [get_weather])
    assert streamed_replies(events) == [("", ""), ("Oslo is sunny, 21 C.", "Oslo is sunny, 21 C.")]
    arguments = "".join(e.arguments for e in events if isinstance(e, ToolCallDelta))
    assert arguments == '{"city": "Oslo"}'
    assert {e.tool_name for e in events if isinstance(e, ToolCallDelta)} >= {"get_weather"}
    completed = [e for e in events if isinstance(e, ModelCallCompleted)]
    assert completed[-1].usage.prompt_tokens == 9
    assert all(body["stream"] is True for body in server.bodies)


def test_schema_tool_replies_stream_their_answer_as_text_not_json(server: ScriptedServer) -> None:
    decision = '{"final_answer": "Sunny in \\"Oslo\\",\\n21 C."}'
    server.script(
        text_stream('{"tool": "get_weather", ', '"arguments": {"city"', ': "Oslo"}}'),
        text_stream(*(decision[i : i + 5] for i in range(0, len(decision), 5))),
    )
    # A llama.cpp-style server (tools as a constrained JSON choice) that does report streamed usage.
    traits = replace(traits_for("llamacpp", "m"), stream_usage=True)
    events = run(OpenAIChat("m", base_url=server.url, traits=traits), [get_weather])
    assert streamed_replies(events)[-1] == ('Sunny in "Oslo",\n21 C.', 'Sunny in "Oslo",\n21 C.')
    arguments = "".join(e.arguments for e in events if isinstance(e, ToolCallDelta))
    assert arguments == '{"city": "Oslo"}'
    assert "response_format" in server.bodies[0]


def test_servers_without_streamed_usage_answer_whole_so_tokens_stay_counted(
    server: ScriptedServer,
) -> None:
    server.script(chat_reply('{"final_answer": "Sunny."}', prompt_tokens=40, completion_tokens=6))
    events = run(LlamaCppChat("m", base_url=server.url), [get_weather])
    assert "stream" not in server.bodies[0]
    assert streamed_replies(events) == [("Sunny.", "Sunny.")]  # handed out as one piece
    [completed] = [e for e in events if isinstance(e, ModelCallCompleted)]
    assert completed.usage.total_tokens == 46


def test_a_reply_that_breaks_off_is_restarted_and_asked_for_again(server: ScriptedServer) -> None:
    broken = text_stream("Oslo is ", "cloudy", " and wet.")
    broken.drop_after = 2
    server.script(broken, text_stream("Oslo is ", "sunny."))
    events = run(OpenAIChat("m", base_url=server.url, retry=FAST_RETRY))
    restarts = [e for e in events if isinstance(e, ModelStreamRestarted)]
    assert len(restarts) == 1
    assert "ended mid-reply" in restarts[0].reason
    shown = [e.text for e in events if isinstance(e, ModelTextDelta)]
    assert "".join(shown).startswith("Oslo is ")  # the broken attempt was shown, then dropped
    assert streamed_replies(events) == [("Oslo is sunny.", "Oslo is sunny.")]
    assert len(server.requests) == 2


def test_a_reply_that_keeps_breaking_off_fails_like_any_model_error(server: ScriptedServer) -> None:
    for _ in range(2):
        broken = text_stream("never", " finished")
        broken.drop_after = 1
        server.script(broken)
    retry = RetryPolicy(max_attempts=2, initial_wait=0.001, max_wait=0.01)
    llm = OpenAIChat("m", base_url=server.url, api_key=KEY, retry=retry)
    with pytest.raises(ModelConnectionError, match="ended mid-reply") as caught:
        run(llm)
    assert caught.value.attempts == 2
    assert KEY not in str(caught.value)


def anthropic_stream(*blocks: dict[str, Any], stop: str = "end_turn") -> Stream:
    events: list[Any] = [
        {
            "type": "message_start",
            "message": {
                "model": "claude-served",
                "usage": {"input_tokens": 20, "output_tokens": 1},
            },
        },
        {"type": "ping"},
    ]
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            events.append({"type": "content_block_start", "index": index,
                           "content_block": {"type": "text", "text": ""}})  # fmt: skip
            for piece in block["pieces"]:
                events.append({"type": "content_block_delta", "index": index,
                               "delta": {"type": "text_delta", "text": piece}})  # fmt: skip
        else:
            events.append({"type": "content_block_start", "index": index,
                           "content_block": {"type": "tool_use", "id": "tu1", "name": block["name"],
                                             "input": {}}})  # fmt: skip
            for piece in block["pieces"]:
                events.append({"type": "content_block_delta", "index": index,
                               "delta": {"type": "input_json_delta", "partial_json": piece}})  # fmt: skip
        events.append({"type": "content_block_stop", "index": index})
    events.append({"type": "message_delta", "delta": {"stop_reason": stop},
                   "usage": {"output_tokens": 7}})  # fmt: skip
    events.append({"type": "message_stop"})
    return Stream(events, named=True)


def claude(server: ScriptedServer, **options: Any) -> AnthropicChat:
    return AnthropicChat("claude-test", base_url=server.url.removesuffix("/v1"), **options)


def test_anthropic_streams_text_and_tool_input_and_reads_usage(server: ScriptedServer) -> None:
    server.script(
        anthropic_stream(
            {"type": "text", "pieces": ["Let me ", "check."]},
            {"type": "tool_use", "name": "get_weather", "pieces": ['{"city":', ' "Oslo"}']},
            stop="tool_use",
        ),
        anthropic_stream({"type": "text", "pieces": ["Sunny ", "in Oslo."]}),
    )
    events = run(claude(server), [get_weather])
    assert streamed_replies(events) == [
        ("Let me check.", "Let me check."),
        ("Sunny in Oslo.", "Sunny in Oslo."),
    ]
    assert (
        "".join(e.arguments for e in events if isinstance(e, ToolCallDelta)) == '{"city": "Oslo"}'
    )
    completed = [e for e in events if isinstance(e, ModelCallCompleted)]
    assert completed[0].response.tool_calls[0].arguments == {"city": "Oslo"}
    assert completed[0].response.finish_reason == "tool_calls"
    assert (completed[1].usage.prompt_tokens, completed[1].usage.completion_tokens) == (20, 7)
    assert completed[1].response.model == "claude-served"
    assert server.bodies[0]["stream"] is True


def test_anthropic_overloaded_error_event_midway_is_retried(server: ScriptedServer) -> None:
    overloaded = Stream(
        [
            {"type": "message_start", "message": {"model": "c", "usage": {"input_tokens": 3}}},
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": "Sun"},
            },
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        ],
        named=True,
    )
    server.script(overloaded, anthropic_stream({"type": "text", "pieces": ["Rain."]}))
    events = run(claude(server, retry=FAST_RETRY))
    assert any(isinstance(e, ModelStreamRestarted) for e in events)
    assert streamed_replies(events) == [("Rain.", "Rain.")]


def test_anthropic_invalid_request_error_event_is_not_retried(server: ScriptedServer) -> None:
    server.script(
        Stream([{"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}])
    )
    with pytest.raises(BadRequestError, match="bad"):
        run(claude(server, retry=FAST_RETRY))
    assert len(server.requests) == 1


def test_an_error_status_when_opening_a_stream_is_retried_quietly(server: ScriptedServer) -> None:
    server.script(Reply(503, {"error": {"message": "busy"}}), text_stream("ok"))
    events = run(OpenAIChat("m", base_url=server.url, retry=FAST_RETRY))
    assert not any(isinstance(e, ModelStreamRestarted) for e in events)
    assert streamed_replies(events) == [("ok", "ok")]
