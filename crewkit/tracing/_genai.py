"""What a run's steps look like as OpenTelemetry GenAI spans: names, kinds and ``gen_ai.*``
attributes, from crewkit's events. Pure data (no OpenTelemetry import), so the live tracer and the
OTLP/JSON export of a recorded run say the same thing.

Conventions: https://opentelemetry.io/docs/specs/semconv/gen-ai/ (development status). The attribute
names are written out here rather than imported: the ``opentelemetry-semantic-conventions`` package
has deprecated its ``gen_ai`` constants while the conventions move to their own repository.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from crewkit.events import (
    AgentStarted,
    CrewStarted,
    Event,
    Failed,
    ModelCallCompleted,
    ModelCallStarted,
    TaskStarted,
    ToolCallCompleted,
    ToolCallStarted,
)
from crewkit.llm._types import Message, ModelRequest, ModelResponse, ToolCall

Kind = Literal["internal", "client"]
Attributes = dict[str, Any]

# Provider names the conventions define, where crewkit's differ.
_PROVIDERS = {"openai": "openai", "anthropic": "anthropic", "groq": "groq"}


@dataclass(frozen=True)
class SpanStart:
    """A span to open for an event."""

    name: str
    kind: Kind
    attributes: Attributes


def crewkit_version() -> str:
    """The installed crewkit's version, for the instrumentation scope (read without importing the
    package's top, which sits above the run)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("crewkit")
    except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
        return "0"


def opening(event: Event, include_content: bool) -> SpanStart | None:
    """The span an event opens (``None`` for events that open none)."""
    if isinstance(event, CrewStarted):
        attributes: Attributes = {
            "gen_ai.operation.name": "invoke_workflow",
            "gen_ai.workflow.name": event.crew_name,
            "crewkit.run_id": event.run_id,
        }
        if include_content:
            attributes["crewkit.inputs"] = _json(dict(event.inputs))
        return SpanStart(f"invoke_workflow {event.crew_name}", "internal", attributes)
    if isinstance(event, (TaskStarted, AgentStarted)):
        attributes = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": event.agent_role,
            "crewkit.task.name": event.task_name,
        }
        if isinstance(event, TaskStarted):
            attributes["crewkit.task.index"] = event.task_index
        return SpanStart(f"invoke_agent {event.agent_role}", "internal", attributes)
    if isinstance(event, ModelCallStarted):
        return _chat(event, include_content)
    if isinstance(event, ToolCallStarted):
        attributes = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": event.tool_name,
            "gen_ai.tool.type": "function",
            "gen_ai.agent.name": event.agent_role,
        }
        if event.call_id:
            attributes["gen_ai.tool.call.id"] = event.call_id
        if include_content:
            attributes["gen_ai.tool.call.arguments"] = _json(dict(event.arguments))
        return SpanStart(f"execute_tool {event.tool_name}", "internal", attributes)
    return None


def _chat(event: ModelCallStarted, include_content: bool) -> SpanStart:
    model = event.model.removeprefix(f"{event.provider}/") if event.provider else event.model
    attributes: Attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": _PROVIDERS.get(event.provider, event.provider or "_OTHER"),
        "gen_ai.request.model": model,
        "gen_ai.agent.name": event.agent_role,
    }
    if event.endpoint:
        where = urlsplit(event.endpoint)
        if where.hostname:
            attributes["server.address"] = where.hostname
            attributes["server.port"] = where.port or (443 if where.scheme == "https" else 80)
    request = event.request
    if request is not None:
        if request.temperature is not None:
            attributes["gen_ai.request.temperature"] = request.temperature
        if request.stop:
            attributes["gen_ai.request.stop_sequences"] = list(request.stop)
        if include_content:
            attributes.update(_request_content(request))
    kind: Kind = "client" if event.endpoint else "internal"
    return SpanStart(f"chat {model}", kind, attributes)


def closing(event: Event, include_content: bool) -> Attributes:
    """Attributes an event that closes a span adds to it."""
    if isinstance(event, ModelCallCompleted):
        response = event.response
        attributes: Attributes = {
            "gen_ai.response.model": response.model or event.model,
            "gen_ai.usage.input_tokens": event.usage.prompt_tokens,
            "gen_ai.usage.output_tokens": event.usage.completion_tokens,
            "gen_ai.response.finish_reasons": [response.finish_reason],
        }
        if event.time_to_first_chunk is not None:
            attributes["gen_ai.request.stream"] = True
            attributes["gen_ai.response.time_to_first_chunk"] = event.time_to_first_chunk
        if include_content:
            attributes["gen_ai.output.messages"] = _json([_output_message(response)])
        return attributes
    if isinstance(event, ToolCallCompleted):
        attributes = {"crewkit.tool.refused": True} if event.error else {}
        if include_content:
            attributes["gen_ai.tool.call.result"] = event.result
        return attributes
    return {}


def failure(event: Failed, include_content: bool) -> tuple[str, str | None]:
    """``error.type`` and the status description of a failed step; the message only with
    content, since crewkit's error texts can quote answers and tool results."""
    error = event.error
    return type(error).__qualname__, (str(error)[:1000] if include_content else None)


def _request_content(request: ModelRequest) -> Attributes:
    system = [m for m in request.messages if m.role == "system"]
    others = [m for m in request.messages if m.role != "system"]
    attributes: Attributes = {"gen_ai.input.messages": _json([_message(m) for m in others])}
    if system:
        parts = [{"type": "text", "content": m.content} for m in system]
        attributes["gen_ai.system_instructions"] = _json(parts)
    if request.tools:
        tools = [
            {"type": "function", "name": t.name, "description": t.description,
             "parameters": dict(t.parameters)}
            for t in request.tools
        ]  # fmt: skip
        attributes["gen_ai.tool.definitions"] = _json(tools)
    return attributes


def _message(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        part = {
            "type": "tool_call_response",
            "id": message.tool_call_id,
            "response": message.content,
        }
        return {"role": "tool", "parts": [part]}
    parts: list[dict[str, Any]] = []
    if message.content:
        parts.append({"type": "text", "content": message.content})
    parts += _calls(message.tool_calls)
    return {"role": message.role, "parts": parts}


def _output_message(response: ModelResponse) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if response.text:
        parts.append({"type": "text", "content": response.text})
    parts += _calls(response.tool_calls)
    return {"role": "assistant", "parts": parts, "finish_reason": response.finish_reason}


def _calls(calls: Sequence[ToolCall]) -> list[dict[str, Any]]:
    return [
        {"type": "tool_call", "id": c.id, "name": c.name, "arguments": dict(c.arguments)}
        for c in calls
    ]


def _json(value: Mapping[str, Any] | Sequence[Any]) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
