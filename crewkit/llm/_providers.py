"""Every provider crewkit knows, one record each: where it lives, which variables hold its address
and key, what it needs installed, and what its models can do. Backends read their defaults here;
the registry lists and resolves providers from here; nothing else keeps a second table.

A :class:`Traits` holds the :class:`ModelProfile` the agent loop reads plus the wire-level quirks the
HTTP clients need (how tools are offered, which ``response_format`` kinds to try, streaming usage).
"""

from __future__ import annotations

import fnmatch
import os
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
    max_tokens_field: str = "max_tokens"
    """The body field that caps the reply's tokens (OpenAI's reasoning models refuse
    ``max_tokens`` and take ``max_completion_tokens``)."""


_NATIVE = Traits(ModelProfile(native_tools=True, parallel_tool_calls=True, json_schema=True))
_REASONING = replace(_NATIVE, max_tokens_field="max_completion_tokens")
_LOCAL_SERVER = Traits(
    ModelProfile(native_tools=True, parallel_tool_calls=False, json_schema=True),
    tool_mode="schema",
    stream_usage=False,
)


@dataclass(frozen=True)
class ProviderInfo:
    """One provider: the ``provider`` part of model strings, and all crewkit knows about it."""

    name: str
    """The provider part of model strings."""
    description: str = ""
    """One line for listings."""
    base_url: str = ""
    """Where requests go unless ``base_url=`` or ``base_url_env`` says otherwise."""
    base_url_env: str | None = None
    """Environment variable that overrides the default address."""
    api_key_env: str | None = None
    """Environment variable holding the API key."""
    key_required: bool = False
    """Whether the default address needs a key (local servers do not)."""
    env: tuple[str, ...] = ()
    """Other environment variables that must be set; only their presence is checked."""
    modules: tuple[str, ...] = ()
    """Python modules that must be importable (an installed extra); ``"a|b"``: either one."""
    traits: Traits = _NATIVE
    """What its models can do, unless a ``model_traits`` pattern matches the model."""
    model_traits: tuple[tuple[str, Traits], ...] = ()
    """``(model pattern, traits)`` for models that differ; the first match wins."""

    def missing(self) -> list[str]:
        """What is missing for this provider to work here; empty when it is usable."""
        from importlib.util import find_spec

        needed = [
            *self.env,
            *([self.api_key_env] if self.key_required and self.api_key_env else []),
        ]
        gaps = [f"environment variable {var}" for var in needed if not os.environ.get(var)]
        gaps += [
            " or ".join(f"module {m!r}" for m in mods.split("|"))
            for mods in self.modules
            if all(find_spec(m) is None for m in mods.split("|"))
        ]
        return gaps

    def traits_for(self, model: str) -> Traits:
        """The traits of ``model`` at this provider."""
        for pattern, traits in self.model_traits:
            if fnmatch.fnmatchcase(model.lower(), pattern):
                return traits
        return self.traits


BUILTIN: tuple[ProviderInfo, ...] = (
    ProviderInfo("mock", "deterministic test model, no network"),
    ProviderInfo(
        "openai",
        "OpenAI Chat Completions (or any server via base_url=)",
        base_url="https://api.openai.com/v1",
        base_url_env="OPENAI_BASE_URL",
        api_key_env="OPENAI_API_KEY",
        key_required=True,
        model_traits=(
            ("o1-mini*", replace(_REASONING, profile=ModelProfile(system_role=False))),
            ("o[1-9]*", _REASONING),
            ("gpt-5*", _REASONING),
        ),
    ),
    ProviderInfo(
        "ollama",
        "Ollama server, localhost:11434 (OLLAMA_BASE_URL)",
        base_url="http://localhost:11434/v1",
        base_url_env="OLLAMA_BASE_URL",
        traits=replace(_NATIVE, response_formats=("json_schema", "json_object", "prompt")),
    ),
    ProviderInfo(
        "vllm",
        "vLLM server, localhost:8000 (VLLM_BASE_URL)",
        base_url="http://localhost:8000/v1",
        base_url_env="VLLM_BASE_URL",
        api_key_env="VLLM_API_KEY",
        traits=replace(_NATIVE, stream_usage=True),
    ),
    # llama.cpp servers ignore tools unless started with special flags; constrained JSON always works.
    ProviderInfo(
        "llamacpp",
        "llama.cpp server, 127.0.0.1:8080 (LLAMACPP_BASE_URL)",
        base_url="http://127.0.0.1:8080/v1",
        base_url_env="LLAMACPP_BASE_URL",
        api_key_env="LLAMACPP_API_KEY",
        traits=_LOCAL_SERVER,
    ),
    ProviderInfo(
        "lmstudio",
        "LM Studio server, localhost:1234 (LMSTUDIO_BASE_URL)",
        base_url="http://localhost:1234/v1",
        base_url_env="LMSTUDIO_BASE_URL",
        traits=replace(_NATIVE, stream_usage=False),
    ),
    ProviderInfo(
        "openrouter",
        "OpenRouter",
        base_url="https://openrouter.ai/api/v1",
        base_url_env="OPENROUTER_BASE_URL",
        api_key_env="OPENROUTER_API_KEY",
        key_required=True,
    ),
    ProviderInfo(
        "groq",
        "Groq",
        base_url="https://api.groq.com/openai/v1",
        base_url_env="GROQ_BASE_URL",
        api_key_env="GROQ_API_KEY",
        key_required=True,
        traits=replace(_NATIVE, response_formats=("json_object", "prompt")),
    ),
    ProviderInfo(
        "anthropic",
        "Anthropic Messages API",
        base_url="https://api.anthropic.com",
        base_url_env="ANTHROPIC_BASE_URL",
        api_key_env="ANTHROPIC_API_KEY",
        key_required=True,
        traits=Traits(ModelProfile(native_tools=True, json_schema=False), seed=False),
    ),
    # An embedded model: every tool call and structured reply goes through constrained decoding.
    ProviderInfo(
        "local",
        "embedded llama.cpp; 'local' alone is SmolLM2-135M (crewkit[local])",
        modules=("xllamacpp|llama_cpp",),
        traits=replace(_LOCAL_SERVER, response_formats=("json_object",)),
    ),
)
"""crewkit's own providers; :func:`~crewkit.llm.register_provider` adds more."""

_known: dict[str, ProviderInfo] = {p.name: p for p in BUILTIN}


def provider_info(name: str) -> ProviderInfo | None:
    """What crewkit knows about provider ``name``, or ``None`` if it is not registered."""
    return _known.get(name)


def add_provider(info: ProviderInfo) -> None:
    """Record a provider (the registry calls this for :func:`~crewkit.llm.register_provider`)."""
    _known[info.name] = info


def traits_for(provider: str, model: str) -> Traits:
    """The traits of ``provider/model``; unknown pairs get conservative OpenAI-like defaults."""
    info = _known.get(provider)
    return info.traits_for(model) if info is not None else _NATIVE
