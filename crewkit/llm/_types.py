"""The data a model call exchanges: plain, immutable values that every backend maps to its wire format."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A model's request to run one tool."""

    name: str
    """The tool's name as the model wrote it."""
    arguments: Mapping[str, Any] = field(default_factory=dict)
    """Parsed arguments; empty when ``raw_arguments`` could not be parsed."""
    id: str = ""
    """The provider's id for the call, echoed back with the result."""
    raw_arguments: str | None = None
    """The arguments text when it was not a valid JSON object, so the agent can be told."""


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a conversation."""

    role: Role
    """``system``, ``user``, ``assistant`` or ``tool``."""
    content: str = ""
    """The text of the message."""
    tool_calls: tuple[ToolCall, ...] = ()
    """Native tool calls made by an assistant message."""
    tool_call_id: str | None = None
    """For ``tool`` messages: the call this result answers."""
    name: str | None = None
    """For ``tool`` messages: the tool that produced it."""
    quoted: bool = False
    """Text another model wrote, passed on as data (earlier tasks' outputs): a small model takes
    no figures from it and writes its structured answer without it."""


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool as a model sees it."""

    name: str
    """Name the model uses to call the tool."""
    description: str
    """What the tool does and when to use it."""
    parameters: Mapping[str, Any]
    """JSON schema of the arguments object."""


_NAME_INVALID = re.compile(r"[^A-Za-z0-9_-]+")


def tool_name(text: str) -> str:
    """A name every provider accepts (letters, digits, ``_`` and ``-``, at most 64 characters)."""
    return _NAME_INVALID.sub("_", text.strip()).strip("_")[:64]


def normalize_name(text: str) -> str:
    """The form two tool names are compared in: case, quotes and separators ignored."""
    return tool_name(text.strip().strip("`'\"[]()*")).lower().replace("-", "_")


@dataclass(frozen=True, slots=True)
class ResponseSchema:
    """A JSON schema the reply must satisfy (structured output)."""

    name: str
    """A short identifier for the schema, as providers require one."""
    schema: Mapping[str, Any]
    """The JSON schema."""


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """Everything a model is asked in one call."""

    messages: tuple[Message, ...]
    """The conversation so far."""
    tools: tuple[ToolSpec, ...] = ()
    """Tools the agent may use. Backends send them natively only when their profile has
    ``native_tools``; otherwise the prompt already describes them (the text protocol)."""
    response_schema: ResponseSchema | None = None
    """A schema the reply must follow, when the profile supports it."""
    stop: tuple[str, ...] = ()
    """Stop sequences."""
    temperature: float | None = None
    """Sampling temperature; ``None`` leaves the backend's default."""
    max_output_tokens: int | None = None
    """Cap on this reply's tokens, set by a run's token budget (what is left of it); backends
    send the smaller of it and their own cap. ``None``: only the backend's own cap applies. Not
    part of what identifies a request in cassettes and run journals: concurrent tasks replayed
    in another order see other room, and must still find their answers."""
    metadata: Mapping[str, str] = field(default_factory=dict)
    """Who is asking (``agent``, ``task``): for tracing and test models, never sent to providers."""


def reply_cap(request: ModelRequest, own: int | None) -> int | None:
    """The reply-token cap a backend sends: the smaller of its ``own`` and the request's."""
    if request.max_output_tokens is None:
        return own
    return request.max_output_tokens if own is None else min(own, request.max_output_tokens)


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens used and requests made; add two with ``+``."""

    prompt_tokens: int = 0
    """Tokens sent to the model."""
    completion_tokens: int = 0
    """Tokens the model produced."""
    requests: int = 0
    """Completed model calls."""

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    @property
    def successful_requests(self) -> int:
        """CrewAI's name for :attr:`requests`."""
        return self.requests

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.requests + other.requests,
        )

    def as_dict(self) -> dict[str, int]:
        """The four counters as a plain dict (for JSON output)."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "requests": self.requests,
        }


@dataclass(frozen=True, slots=True)
class ModelResponse:
    """A model's reply: text, tool calls or both."""

    text: str = ""
    """The reply's text."""
    tool_calls: tuple[ToolCall, ...] = ()
    """Native tool calls, in the order the model made them."""
    usage: Usage = Usage()
    """Tokens of this call as the backend reports them (``requests`` is counted by the run)."""
    finish_reason: str = "stop"
    """Why the model stopped: ``stop``, ``tool_calls``, ``length``..."""
    model: str = ""
    """The model that answered, as the backend names it."""


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of streamed text."""

    text: str
    """The new text."""


@dataclass(frozen=True, slots=True)
class ToolCallChunk:
    """A piece of a streamed tool call: the id and name once known, then pieces of arguments."""

    index: int
    """Which call of the reply this piece belongs to."""
    id: str = ""
    """The provider's id for the call, when this piece carries it."""
    name: str = ""
    """The tool's name, when this piece carries it."""
    arguments: str = ""
    """The next piece of the arguments' JSON text."""


@dataclass(frozen=True, slots=True)
class StreamRestart:
    """The reply broke off and is being asked for again: drop what was streamed of it so far."""

    reason: str
    """What went wrong."""


StreamItem = TextDelta | ToolCallChunk | StreamRestart | ModelResponse
"""What :meth:`LLM.stream` yields: pieces as they come, then the whole :class:`ModelResponse`."""


@dataclass(frozen=True, slots=True)
class ModelProfile:
    """What a model can do; the agent loop reads this instead of special-casing providers."""

    native_tools: bool = True
    """Tools are offered as specs and answered with structured tool calls; else the text protocol."""
    parallel_tool_calls: bool = True
    """The model may ask for several tool calls in one reply."""
    json_schema: bool = False
    """The backend can enforce a response JSON schema."""
    system_role: bool = True
    """The model accepts a ``system`` message; otherwise it is folded into the first user message."""
    stop_words: bool = True
    """The backend honours stop sequences."""
    small: bool = False
    """A small model (about 1B parameters or fewer): the run keeps its prompts short, offers it one
    way to delegate and lists the task's own agent first, and the backend keeps its replies short."""
    stream_usage: bool = True
    """Streamed replies report their token usage. Runs that stream ask models without it for
    whole replies, so token counts and budgets stay exact."""
