"""Model strings (``provider/model``) resolved to model objects in one place."""

from __future__ import annotations

import os
from collections.abc import Callable

from crewkit.errors import ConfigurationError, ModelNotConfiguredError
from crewkit.llm._base import LLM

ModelFactory = Callable[[str], LLM]
"""Builds a model from the part of the model string after ``provider/``."""

_factories: dict[str, ModelFactory] = {}


def register_provider(name: str, factory: ModelFactory) -> None:
    """Make ``name/<model>`` strings resolve through ``factory``."""
    _factories[name] = factory


def _mock(model: str) -> LLM:
    from crewkit.llm._mock import MockLLM

    return MockLLM(native_tools=model != "text")


register_provider("mock", _mock)


def providers() -> list[str]:
    """Names of the registered providers."""
    return sorted(_factories)


def resolve_llm(spec: LLM | str) -> LLM:
    """Turn a model object or model string into a model object."""
    if isinstance(spec, LLM):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigurationError(
            f"llm must be a model object or a model string like 'mock', got {spec!r}"
        )
    provider, _, model = spec.strip().partition("/")
    factory = _factories.get(provider)
    if factory is None:
        hint = f"; did you mean 'openai/{spec}'?" if "/" not in spec else ""
        raise ConfigurationError(
            f"unknown model provider {provider!r} in model string {spec!r}; "
            f"known providers: {', '.join(providers())}{hint}"
        )
    return factory(model)


def default_llm_spec() -> str:
    """The model string used when neither agent nor crew names one."""
    spec = os.environ.get("CREWKIT_MODEL", "").strip()
    if not spec:
        raise ModelNotConfiguredError(
            "no model configured: pass llm= to the Agent, pass llm= to the Crew, "
            "or set the CREWKIT_MODEL environment variable (for example CREWKIT_MODEL=mock)"
        )
    return spec
