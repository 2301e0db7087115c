"""The model interface every backend implements."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, ClassVar

from crewkit.llm._types import (
    ModelProfile,
    ModelRequest,
    ModelResponse,
    StreamItem,
    TextDelta,
    ToolCallChunk,
)

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

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        """Yield the reply as it is produced (:class:`TextDelta`, :class:`ToolCallChunk`, and
        :class:`StreamRestart` when a broken reply is asked for again), then the whole
        :class:`ModelResponse` last. The default hands out the reply of :meth:`complete` at once."""
        import json

        response = await self.complete(request)
        if response.text:
            yield TextDelta(response.text)
        for index, call in enumerate(response.tool_calls):
            arguments = call.raw_arguments or json.dumps(dict(call.arguments))
            yield ToolCallChunk(index, id=call.id, name=call.name, arguments=arguments)
        yield response

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label}>"
