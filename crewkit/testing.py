"""Deterministic models for tests — crewkit's own and yours — and a switch that forbids real ones.

``ScriptedLLM`` plays back replies and records requests, ``FunctionLLM`` computes replies,
``MockLLM`` runs any crew with no script at all.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence

from crewkit._sync import in_thread
from crewkit.errors import ScriptExhaustedError
from crewkit.llm._base import LLM
from crewkit.llm._guard import allow_network_models, block_network_models, network_models_blocked
from crewkit.llm._mock import MockLLM, estimated_response
from crewkit.llm._registry import override_model
from crewkit.llm._text_protocol import write_action
from crewkit.llm._types import ModelProfile, ModelRequest, ModelResponse, ToolCall

__all__ = [
    "FunctionLLM",
    "MockLLM",
    "Reply",
    "ScriptedLLM",
    "allow_network_models",
    "block_network_models",
    "call",
    "network_models_blocked",
    "override_model",
]

Reply = str | ToolCall | Sequence[ToolCall] | ModelResponse | BaseException
"""What a test model answers: text, one tool call, parallel calls, a whole response, or an error
to raise."""


def call(tool_name: str, /, **arguments: object) -> ToolCall:
    """A native tool call reply: ``call("search", query="crewkit")``."""
    return ToolCall(tool_name, arguments)


def _profile(native_tools: bool) -> ModelProfile:
    return ModelProfile(native_tools=native_tools, json_schema=True)


def _to_response(reply: Reply, profile: ModelProfile, request: ModelRequest) -> ModelResponse:
    if isinstance(reply, BaseException):
        raise reply
    if isinstance(reply, ModelResponse):
        return reply
    calls: tuple[ToolCall, ...] = ()
    text = ""
    if isinstance(reply, str):
        text = reply
    elif isinstance(reply, ToolCall):
        calls = (reply,)
    else:
        calls = tuple(reply)
    if calls and not profile.native_tools:
        # The text protocol has one action per reply; a script written with call() still works.
        first = calls[0]
        text = write_action(first.name, first.arguments)
        calls = ()
    return estimated_response(request, text, calls, model="test")


class ScriptedLLM(LLM):
    """Plays back ``replies`` in order, one per call, and records every request in ``requests``.

    Call :meth:`assert_complete` at the end of a test to check the whole script was used; a call past
    the end raises :class:`~crewkit.errors.ScriptExhaustedError`.
    """

    provider = "scripted"

    def __init__(self, replies: Sequence[Reply], *, native_tools: bool = True) -> None:
        self.model = "script"
        self.profile = _profile(native_tools)
        self.replies = list(replies)
        self.requests: list[ModelRequest] = []

    async def complete(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        if len(self.requests) > len(self.replies):
            last = request.messages[-1].content if request.messages else ""
            raise ScriptExhaustedError(
                f"script has {len(self.replies)} replies but was called a "
                f"{len(self.requests)}th time; last message: {last[:200]!r}",
                provider=self.provider,
                model=self.model,
            )
        return _to_response(self.replies[len(self.requests) - 1], self.profile, request)

    @property
    def remaining(self) -> int:
        """Replies not yet played."""
        return max(0, len(self.replies) - len(self.requests))

    def assert_complete(self) -> None:
        """Fail if some replies were never asked for."""
        if self.remaining:
            unused = self.replies[len(self.requests) :]
            raise AssertionError(f"{self.remaining} scripted replies were never used: {unused!r}")


class FunctionLLM(LLM):
    """Answers each request with ``fn(request)``, which may be sync or async and returns a reply of
    the same kinds as :class:`ScriptedLLM` takes. ``requests`` records what it received. A sync
    ``fn`` runs in a thread of its own, so a slow one cannot stall the run or its time limits."""

    provider = "function"

    def __init__(
        self, fn: Callable[[ModelRequest], Reply | Awaitable[Reply]], *, native_tools: bool = True
    ) -> None:
        self.model = getattr(fn, "__name__", "fn")
        self.profile = _profile(native_tools)
        self.fn = fn
        self.requests: list[ModelRequest] = []

    async def complete(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        if inspect.iscoroutinefunction(self.fn):
            reply = await self.fn(request)
        else:
            reply = await in_thread(self.fn, request)
            if inspect.isawaitable(reply):
                reply = await reply
        return _to_response(reply, self.profile, request)
