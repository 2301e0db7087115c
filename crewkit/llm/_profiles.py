"""What each provider and model family can do, in one table instead of ``if``s in the clients.

A :class:`Traits` holds the :class:`ModelProfile` the agent loop reads plus the wire-level quirks the
HTTP clients need (how tools are offered, which ``response_format`` kinds to try, streaming usage).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from typing import Literal

from crewkit.llm._types import ModelProfile

ToolMode = Literal["native", "schema"]
"""``native``: tools sent as specs, answered with tool calls. ``schema``: the reply is constrained
to a JSON schema that is either one tool call or a final answer (works on any server that enforces
JSON schemas, and makes even tiny models emit valid calls)."""

ResponseFormat = Literal["json_schema", "json_object", "prompt"]
"""Ways to ask for structured output, tried in order until the server accepts one."""


@dataclass(frozen=True)
class Traits:
    """Capabilities of one provider/model pair."""

    profile: ModelProfile
    """What the agent loop relies on."""
    tool_mode: ToolMode = "native"
    """How tools reach the model."""
    response_formats: tuple[ResponseFormat, ...] = ("json_schema", "json_object", "prompt")
    """Structured-output requests to try, best first."""
    stream_usage: bool = True
    """The server accepts ``stream_options.include_usage`` (token counts when streaming)."""
    seed: bool = True
    """The server accepts a ``seed``."""


_NATIVE = Traits(ModelProfile(native_tools=True, parallel_tool_calls=True, json_schema=True))
_LOCAL_SERVER = Traits(
    ModelProfile(native_tools=True, parallel_tool_calls=False, json_schema=True),
    tool_mode="schema",
    stream_usage=False,
)

# (provider pattern, model pattern) -> traits; the first match wins, so specific rows come first.
_TABLE: tuple[tuple[str, str, Traits], ...] = (
    ("openai", "o1-mini*", replace(_NATIVE, profile=ModelProfile(system_role=False))),
    ("openai", "*", _NATIVE),
    ("groq", "*", replace(_NATIVE, response_formats=("json_object", "prompt"))),
    ("openrouter", "*", _NATIVE),
    ("vllm", "*", replace(_NATIVE, stream_usage=True)),
    ("ollama", "*", replace(_NATIVE, response_formats=("json_schema", "json_object", "prompt"))),
    ("lmstudio", "*", replace(_NATIVE, stream_usage=False)),
    # llama.cpp servers ignore tools unless started with special flags; constrained JSON always works.
    ("llamacpp", "*", _LOCAL_SERVER),
    ("anthropic", "*", Traits(ModelProfile(native_tools=True, json_schema=False), seed=False)),
    # An embedded model: every tool call and structured reply goes through constrained decoding.
    ("local", "*", replace(_LOCAL_SERVER, response_formats=("json_object",))),
)


def traits_for(provider: str, model: str) -> Traits:
    """The traits of ``provider/model``; unknown pairs get conservative OpenAI-like defaults."""
    for provider_pattern, model_pattern, traits in _TABLE:
        if fnmatch.fnmatchcase(provider, provider_pattern) and fnmatch.fnmatchcase(
            model.lower(), model_pattern
        ):
            return traits
    return _NATIVE
