"""MockLLM: runs any crew end to end, deterministically, with no script and no network."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from crewkit._json import sample
from crewkit.llm._base import LLM
from crewkit.llm._text_protocol import Action, parse_reply, write_action, write_final_answer
from crewkit.llm._types import (
    Message,
    ModelProfile,
    ModelRequest,
    ModelResponse,
    StreamItem,
    TextDelta,
    ToolCall,
    ToolCallChunk,
    Usage,
)


def estimate_tokens(text: str) -> int:
    """A deterministic token estimate (about four characters a token)."""
    return (len(text) + 3) // 4


def estimated_response(
    request: ModelRequest, text: str, calls: tuple[ToolCall, ...], *, model: str
) -> ModelResponse:
    """A test model's reply with deterministic token counts estimated from what was exchanged."""
    prompt = sum(estimate_tokens(m.content) for m in request.messages)
    prompt += sum(estimate_tokens(json.dumps(dict(t.parameters))) for t in request.tools)
    completion = estimate_tokens(text) + sum(
        estimate_tokens(json.dumps(dict(c.arguments))) for c in calls
    )
    return ModelResponse(
        text=text,
        tool_calls=calls,
        usage=Usage(prompt_tokens=prompt, completion_tokens=completion),
        finish_reason="tool_calls" if calls else "stop",
        model=model,
    )


class MockLLM(LLM):
    """Calls each offered tool once (arguments generated from its schema; a tool with an enum argument
    once per value, e.g. once per coworker), then gives a final answer
    that names the agent and task and quotes what the tools returned; with a response schema it answers
    with JSON that satisfies it; a text reply past the request's ``max_output_tokens`` is cut there,
    as a real model's would be. The same request always gets byte-identical output."""

    provider = "mock"

    def __init__(self, *, native_tools: bool = True, observation_chars: int = 400) -> None:
        self.model = "mock"
        self.profile = ModelProfile(native_tools=native_tools, json_schema=True)
        self.observation_chars = observation_chars

    async def complete(self, request: ModelRequest) -> ModelResponse:
        calls: tuple[ToolCall, ...] = ()
        text = ""
        pending = self._uncalled_tool(request)
        if pending is not None:
            name, args = pending
            if self.profile.native_tools:
                calls = (ToolCall(name, args, id=f"call_{len(request.messages)}"),)
            else:
                text = write_action(name, args)
        elif request.response_schema is not None:
            text = json.dumps(sample(request.response_schema.schema), sort_keys=True)
        else:
            text = self._final_answer(request)
            if not self.profile.native_tools:
                text = write_final_answer(text)
        cap = request.max_output_tokens
        if cap is not None and not calls and estimate_tokens(text) > cap:
            # Cut where a real model would stop: at the cap, reporting it reached the limit.
            cut = estimated_response(request, text[: cap * 4], calls, model="mock")
            return dataclasses.replace(cut, finish_reason="length")
        return estimated_response(request, text, calls, model="mock")

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        """The same reply as :meth:`complete`, handed out a few words (or argument characters) at
        a time, so streaming code sees real pieces."""
        response = await self.complete(request)
        for piece in re.findall(r"\S+\s*|\s+", response.text):
            yield TextDelta(piece)
        for index, call in enumerate(response.tool_calls):
            yield ToolCallChunk(index, id=call.id, name=call.name)
            arguments = json.dumps(dict(call.arguments))
            for start in range(0, len(arguments), 8):
                yield ToolCallChunk(index, arguments=arguments[start : start + 8])
        yield response

    def _uncalled_tool(self, request: ModelRequest) -> tuple[str, dict[str, object]] | None:
        called = {(c.name, _key(c.arguments)) for m in request.messages for c in m.tool_calls}
        for m in request.messages:
            action = _text_action(m.content) if m.role == "assistant" else None
            if action is not None:
                called.add(action)
        for spec in request.tools:
            for args in _argument_variants(spec.parameters):
                if (spec.name, _key(args)) not in called:
                    return spec.name, args
        return None

    def _final_answer(self, request: ModelRequest) -> str:
        agent = request.metadata.get("agent", "Agent")
        task = request.metadata.get("task") or _first_line(request.messages)
        lines = [f"{agent} completed: {task}"]
        for message in _observations(request.messages):
            snippet = " ".join(message.content.split())[: self.observation_chars]
            label = f"{message.name} returned" if message.name else "Observed"
            lines.append(f"- {label}: {snippet}")
        return "\n".join(lines)


def _first_line(messages: tuple[Message, ...]) -> str:
    user = next((m for m in messages if m.role == "user"), None)
    return (
        user.content.strip().splitlines()[0][:120] if user and user.content.strip() else "the task"
    )


def _observations(messages: tuple[Message, ...]) -> list[Message]:
    first_user = next((i for i, m in enumerate(messages) if m.role == "user"), len(messages))
    return [m for m in messages[first_user + 1 :] if m.role in ("tool", "user")]


MAX_VARIANTS = 8
"""At most this many calls of one tool: one per value of its first enum argument."""


def _argument_variants(parameters: Mapping[str, Any]) -> list[dict[str, object]]:
    """Arguments sampled from the schema; a tool with an enum argument (a coworker, say) is called
    once per allowed value, so every option is exercised."""
    if not parameters:
        return [{}]
    base = sample(parameters)
    args: dict[str, object] = dict(base) if isinstance(base, dict) else {}
    for name, prop in parameters.get("properties", {}).items():
        if isinstance(prop, Mapping) and prop.get("enum"):
            return [{**args, name: value} for value in list(prop["enum"])[:MAX_VARIANTS]]
    return [args]


def _key(arguments: Mapping[str, Any]) -> str:
    return json.dumps(dict(arguments), sort_keys=True, default=str)


def _text_action(content: str) -> tuple[str, str] | None:
    """The (tool, arguments) of a text-protocol action the mock wrote."""
    reply = parse_reply(content)
    if not isinstance(reply, Action):
        return None
    return reply.tool, _key(reply.arguments or {})
