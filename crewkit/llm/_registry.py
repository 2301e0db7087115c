"""Model strings (``provider/model``) resolved to model objects in one place."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crewkit.errors import ConfigurationError, ModelNotConfiguredError
from crewkit.llm._base import LLM

ModelFactory = Callable[[str], LLM]
"""Builds a model from the part of the model string after ``provider/``."""

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
    """Make ``name/<model>`` strings resolve through ``factory``. ``env`` and ``modules`` declare what
    the provider needs (API key variables, importable modules) so tools can say whether it is usable."""
    _factories[name] = factory
    _info[name] = ProviderInfo(name, tuple(env), tuple(modules), description)


def provider_info(name: str) -> ProviderInfo | None:
    """What ``name`` needs to be usable, or ``None`` if it is not registered."""
    return _info.get(name)


def _mock(model: str) -> LLM:
    from crewkit.llm._mock import MockLLM

    return MockLLM(native_tools=model != "text")


register_provider("mock", _mock, description="deterministic test model, no network")


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
