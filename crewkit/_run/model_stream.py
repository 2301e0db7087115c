"""A streamed model reply turned into the run's events: :class:`ModelTextDelta`,
:class:`ToolCallDelta` and :class:`ModelStreamRestarted` on the model call's span.

Pieces that arrive in quick succession are merged (the first at once, then at most one event per
``WINDOW`` per kind of piece, or every ``MAX_CHARS``): a reader sees text as fast as it can read it,
while a run journal and every listener handle tens of events per reply, not one per token.

Whatever a backend streamed, the contract holds at the end: the text pieces since the last restart
join to exactly the reply's text. When they do not (a constrained reply cut off at the token limit
is read differently whole), the rest is sent, or the call restarts with the whole text.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from crewkit._event_bus import Span
from crewkit._text import valid_text
from crewkit.events import ModelStreamRestarted, ModelTextDelta, ToolCallDelta
from crewkit.llm._base import LLM
from crewkit.llm._types import (
    ModelRequest,
    ModelResponse,
    StreamItem,
    StreamRestart,
    TextDelta,
    ToolCallChunk,
)

WINDOW = 0.05
"""Seconds over which pieces of one kind are merged into one event."""
MAX_CHARS = 1024
"""A merged piece is sent once it is this long, window or not."""

_TEXT = -1  # merge key of text pieces; tool-call pieces merge by their index


class _Merger:
    """Buffers pieces of one kind at a time and emits them merged."""

    def __init__(self, span: Span) -> None:
        self.span = span
        self.loop = asyncio.get_running_loop()
        self.key: int | None = None
        self.parts: list[str] = []
        self.size = 0
        self.call_id = self.name = ""
        self.last: dict[int, float] = {}
        self.timer: asyncio.TimerHandle | None = None
        self.text: list[str] = []
        """Text emitted since the last restart."""
        self.first: float | None = None

    def add(self, key: int, piece: str, call_id: str = "", name: str = "") -> None:
        if self.first is None:
            self.first = time.perf_counter()
        if self.key is not None and (self.key != key or (call_id and call_id != self.call_id)):
            self.flush()
        self.key = key
        self.parts.append(piece)
        self.size += len(piece)
        self.call_id, self.name = call_id or self.call_id, name or self.name
        waited = self.loop.time() - self.last.get(key, float("-inf"))
        if waited >= WINDOW or self.size >= MAX_CHARS:
            self.flush()
        elif self.timer is None:
            self.timer = self.loop.call_later(WINDOW - waited, self.flush)

    def flush(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        key, piece = self.key, "".join(self.parts)
        self.key, self.parts, self.size = None, [], 0
        if key is None:
            return
        self.last[key] = self.loop.time()
        if key == _TEXT:
            piece = valid_text(piece)
            if piece:
                self.text.append(piece)
                self.span.report(ModelTextDelta, text=piece)
        else:
            self.span.report(
                ToolCallDelta, index=key, call_id=self.call_id, tool_name=self.name, arguments=piece
            )
        self.call_id = self.name = ""

    def restart(self, reason: str) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.key, self.parts, self.size, self.text = None, [], 0, []
        self.last.clear()
        self.span.report(ModelStreamRestarted, reason=reason)

    def finish(self, response: ModelResponse) -> None:
        """Send what is buffered, then make the streamed text equal the reply's text."""
        self.flush()
        streamed = "".join(self.text)
        if streamed == response.text:
            return
        if response.text.startswith(streamed):
            self.span.report(ModelTextDelta, text=response.text[len(streamed) :])
            return
        self.restart("the whole reply reads differently from its stream")
        if response.text:
            self.span.report(ModelTextDelta, text=response.text)


async def stream_reply(
    llm: LLM,
    request: ModelRequest,
    span: Span,
    started: float,
    clean: Callable[[ModelResponse], ModelResponse] = lambda response: response,
) -> tuple[ModelResponse, float | None]:
    """Stream ``llm``'s answer to ``request`` as events of ``span``; return the whole reply (after
    ``clean``, which the streamed text is then made to match) and the seconds from ``started`` to
    its first piece."""
    merger = _Merger(span)
    response: ModelResponse | None = None
    item: StreamItem
    try:
        async for item in llm.stream(request):
            if isinstance(item, TextDelta):
                if item.text:
                    merger.add(_TEXT, item.text)
            elif isinstance(item, ToolCallChunk):
                merger.add(item.index, item.arguments, item.id, item.name)
            elif isinstance(item, StreamRestart):
                merger.restart(item.reason)
            else:
                response = item
                if merger.first is None:  # a reply with no pieces arrives all at once
                    merger.first = time.perf_counter()
    finally:
        if merger.timer is not None:
            merger.timer.cancel()
    if response is None:
        raise TypeError(f"{llm!r}.stream() ended without a ModelResponse")
    response = clean(response)
    merger.finish(response)
    first = None if merger.first is None else merger.first - started
    return response, first
