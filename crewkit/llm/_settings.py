"""``crewkit.LLM``: a model named and configured the way CrewAI users write it,
``LLM(model="gpt-4o", temperature=0.2)``. The backend is built on first use, so defining one costs
nothing and needs no key until a run calls it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from crewkit.errors import ConfigurationError
from crewkit.llm._base import LLM as Model
from crewkit.llm._types import ModelProfile, ModelRequest, ModelResponse, TextDelta


class LLM(Model):
    """A model by name with sampling and connection settings. ``model`` takes crewkit's model strings
    (``openai/gpt-4o-mini``, ``ollama/llama3.2``, ``mock``) and the names CrewAI/LiteLLM users write
    (``gpt-4o``, ``claude-3-5-haiku-latest``, ``ollama_chat/llama3.2``). A setting the backend does
    not take is refused when the model is first used."""

    def __init__(
        self,
        model: str,
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
        stop: str | Sequence[str] | None = None,
        seed: int | None = None,
        base_url: str | None = None,
        api_base: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
        **other: Any,
    ) -> None:
        if not isinstance(model, str) or not model.strip():
            raise ConfigurationError(f"LLM(model=...) needs a model name, got {model!r}")
        from crewkit.llm._registry import canonical

        self.spec = canonical(model)
        """The model string crewkit resolves, e.g. ``openai/gpt-4o``."""
        provider, _, name = self.spec.partition("/")
        self.model = name or provider
        object.__setattr__(self, "provider", provider)  # per instance: errors name the real one
        options: dict[str, Any] = {
            "temperature": temperature,
            "max_tokens": max_tokens,
            "stop": [stop] if isinstance(stop, str) else stop,
            "seed": seed,
            "base_url": base_url or api_base,
            "api_key": api_key,
            "timeout": timeout,
            **other,
        }
        self.options = {k: v for k, v in options.items() if v is not None}
        """Settings passed to the backend (the API key among them is never shown)."""
        self._backend: Model | None = None

    @property
    def label(self) -> str:
        return self.spec

    @property
    def backend(self) -> Model:
        """The model object that serves the calls, built on first use."""
        if self._backend is None:
            from crewkit.llm._registry import resolve_llm

            self._backend = resolve_llm(self.spec, **self.options)
        return self._backend

    @property
    def profile(self) -> ModelProfile:  # type: ignore[override]
        return self.backend.profile

    @property
    def endpoint(self) -> str | None:
        return self.backend.endpoint

    async def complete(self, request: ModelRequest) -> ModelResponse:
        return await self.backend.complete(request)

    async def stream(self, request: ModelRequest) -> AsyncIterator[TextDelta | ModelResponse]:
        async for part in self.backend.stream(request):
            yield part

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.options.items() if k != "api_key")
        return f"LLM({self.spec!r}{', ' + shown if shown else ''})"
