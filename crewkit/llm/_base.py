"""The model interface every backend implements."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, ClassVar

from crewkit.llm._types import ModelProfile, ModelRequest, ModelResponse, TextDelta

if TYPE_CHECKING:
    from crewkit._ratelimit import Limiter


class LLM(abc.ABC):
    """A chat model. Implement :meth:`complete`; :meth:`stream` has a default built on it.

    Instances hold configuration only, never per-run state, so one model object can serve many
    agents and concurrent runs.
    """

    provider: ClassVar[str] = "custom"
    """Provider name used in errors, events and the model string (``provider/model``)."""
    model: str = ""
    """The model's name at its provider."""
    profile: ModelProfile = ModelProfile()
    """Capabilities the agent loop relies on."""

    @property
    def limiter(self) -> Limiter | None:
        """The requests-per-minute limit (``max_rpm=``) shared by every model object with the same
        label; a run's model gateway waits for it before each call. ``None`` when unlimited."""
        return None

    @property
    def endpoint(self) -> str | None:
        """The URL requests go to, or ``None`` for models that run in this process."""
        return None

    @property
    def label(self) -> str:
        """``provider/model``, for messages and usage tables."""
        return f"{self.provider}/{self.model}" if self.model else self.provider

    @abc.abstractmethod
    async def complete(self, request: ModelRequest) -> ModelResponse:
        """Answer one request."""

    async def stream(self, request: ModelRequest) -> AsyncIterator[TextDelta | ModelResponse]:
        """Yield text as it is produced, then the whole :class:`ModelResponse` last."""
        response = await self.complete(request)
        if response.text:
            yield TextDelta(response.text)
        yield response

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label}>"
