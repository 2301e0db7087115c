"""Watching a run as it happens.

``crew.stream(inputs)`` yields the run's events in order — task and agent boundaries, each model
reply as it is written (:class:`~crewkit.events.ModelTextDelta`, :class:`~crewkit.events.ToolCallDelta`),
tool results — and last :class:`~crewkit.events.CrewCompleted`, whose ``output`` is the
:class:`~crewkit.CrewOutput`. A failed run yields :class:`~crewkit.events.CrewFailed`, then raises.
``crew.astream(inputs)`` is the same on the caller's event loop. Stopping early (``break``, closing
the iterator) cancels the run.

CrewAI's form works too: ``Crew(stream=True).kickoff(inputs)`` returns a :class:`CrewStream`, an
iterable of :class:`StreamChunk` whose ``result`` is the output.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

from crewkit.errors import ConfigurationError, CrewkitError
from crewkit.events import (
    CrewCompleted,
    Event,
    ModelStreamRestarted,
    ModelTextDelta,
    TaskStarted,
    ToolCallDelta,
)
from crewkit.task import CrewOutput

if TYPE_CHECKING:
    from crewkit._crew_definition import CrewDefinition
    from crewkit.journal import Journal

__all__ = ["ChunkType", "CrewStream", "StreamChunk", "astream_events", "stream_events"]

ChunkType = Literal["text", "tool_call", "restart"]
"""``text``: a piece of a reply; ``tool_call``: a piece of a tool call's arguments; ``restart``: the
reply broke off and is written again (drop its text so far)."""

_END = object()


def stream_events(
    crew: CrewDefinition,
    inputs: Mapping[str, Any] | None = None,
    *,
    run_id: str | None = None,
    after_seq: int | None = None,
) -> Iterator[Event]:
    """The events of one run of ``crew``, as it runs (on its own event loop, in a helper thread).
    With ``after_seq``: journaled run ``run_id``'s events after that seq, followed until it ends."""
    if after_seq is not None:
        from crewkit.journal._events import journaled_events

        yield from journaled_events(_journal_of(crew), _named(run_id), after_seq=after_seq)
        return
    events: queue.SimpleQueue[Any] = queue.SimpleQueue()
    started = threading.Event()
    control: dict[str, Any] = {}

    async def main() -> None:
        from crewkit._run.runner import RunOptions, run_crew

        control["loop"] = asyncio.get_running_loop()
        control["task"] = asyncio.current_task()
        started.set()
        options = RunOptions(run_id=run_id, listeners=(events.put,), streaming=True)
        await run_crew(crew, inputs, options)

    def thread() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:
            events.put(_Raised(exc))
        finally:
            started.set()
            events.put(_END)

    context = contextvars.copy_context()  # the caller's context (a tracing span) goes along
    worker = threading.Thread(
        target=context.run, args=(thread,), name="crewkit-stream", daemon=True
    )
    worker.start()
    try:
        while True:
            item = events.get()
            if item is _END:
                return
            if isinstance(item, _Raised):
                if not isinstance(item.error, asyncio.CancelledError):
                    raise item.error
                continue
            yield item
    finally:
        started.wait()
        loop, task = control.get("loop"), control.get("task")
        if worker.is_alive() and loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)
        worker.join()


async def astream_events(
    crew: CrewDefinition,
    inputs: Mapping[str, Any] | None = None,
    *,
    run_id: str | None = None,
    after_seq: int | None = None,
) -> AsyncIterator[Event]:
    """The events of one run of ``crew``, as it runs on the current event loop. With
    ``after_seq``: journaled run ``run_id``'s events after that seq."""
    if after_seq is not None:
        from crewkit.journal._events import ajournaled_events

        reader = _journal_of(crew)
        async for event in ajournaled_events(reader, _named(run_id), after_seq=after_seq):
            yield event
        return
    from crewkit._run.runner import RunOptions, run_crew

    loop = asyncio.get_running_loop()
    events: asyncio.Queue[Any] = asyncio.Queue()
    home = threading.get_ident()

    def put(event: Event) -> None:
        if threading.get_ident() == home:
            events.put_nowait(event)
        else:
            loop.call_soon_threadsafe(events.put_nowait, event)

    options = RunOptions(run_id=run_id, listeners=(put,), streaming=True)
    task = asyncio.ensure_future(run_crew(crew, inputs, options))
    task.add_done_callback(lambda _: events.put_nowait(_END))
    try:
        while (item := await events.get()) is not _END:
            yield item
        task.result()  # raises the run's error
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def _journal_of(crew: CrewDefinition) -> Journal:
    if crew.journal is None:
        raise ConfigurationError(
            "reading a stream again (after_seq=...) needs a durable crew: Crew(durable=True)"
        )
    return crew.journal


def _named(run_id: str | None) -> str:
    if not run_id:
        raise ConfigurationError("reading a stream again (after_seq=...) needs the run's run_id")
    return run_id


@dataclass(frozen=True)
class _Raised:
    error: BaseException


@dataclass(frozen=True)
class StreamChunk:
    """A piece of a streamed run, in CrewAI's shape."""

    content: str
    """The new text (of a reply, or of a tool call's arguments)."""
    chunk_type: ChunkType
    """What the piece is."""
    task_name: str
    """The task being worked on."""
    task_index: int
    """That task's place in the crew's task list."""
    agent_role: str
    """The agent writing."""
    tool_name: str = ""
    """For ``tool_call`` pieces: the tool, once the model has named it."""
    event: Event | None = None
    """The event this chunk was made from."""


class _Chunker:
    """Events → chunks; remembers task indexes by label (labels are unique in a run)."""

    def __init__(self) -> None:
        self.indexes: dict[str, int] = {}

    def chunk(self, event: Event) -> StreamChunk | None:
        if isinstance(event, TaskStarted):
            self.indexes[event.task_name] = event.task_index
            return None
        if isinstance(event, ModelTextDelta):
            kind: ChunkType = "text"
            content, tool = event.text, ""
        elif isinstance(event, ToolCallDelta):
            kind, content, tool = "tool_call", event.arguments, event.tool_name
        elif isinstance(event, ModelStreamRestarted):
            kind, content, tool = "restart", "", ""
        else:
            return None
        return StreamChunk(
            content, kind, event.task_name, self.indexes.get(event.task_name, -1),
            event.agent_role, tool, event,
        )  # fmt: skip


_OUTPUT_FIELDS = frozenset(f.name for f in fields(CrewOutput))


class CrewStream(CrewOutput):
    """What ``kickoff()`` returns for ``Crew(stream=True)``: iterate it for :class:`StreamChunk`\\ s,
    then read :attr:`result`. It is also the :class:`~crewkit.CrewOutput` itself: reading an
    output field (``raw``, ``tasks_output`` ...) first runs the stream to its end."""

    def __init__(
        self,
        events: Iterator[Event] | None = None,
        async_events: AsyncIterator[Event] | None = None,
    ) -> None:
        self._events, self._async_events = events, async_events
        self._output: CrewOutput | None = None
        self._chunker = _Chunker()
        self.chunks: list[StreamChunk] = []
        """Every chunk handed out so far."""

    def __iter__(self) -> Iterator[StreamChunk]:
        if self._events is None:
            raise CrewkitError("this stream comes from kickoff_async(): use 'async for'")
        for event in self._events:
            chunk = self._take(event)
            if chunk is not None:
                yield chunk

    async def __aiter__(self) -> AsyncIterator[StreamChunk]:
        if self._async_events is None:
            raise CrewkitError("this stream comes from kickoff(): use a plain 'for'")
        async for event in self._async_events:
            chunk = self._take(event)
            if chunk is not None:
                yield chunk

    def _take(self, event: Event) -> StreamChunk | None:
        if isinstance(event, CrewCompleted):
            self._output = event.output
            self.__dict__.update({name: getattr(event.output, name) for name in _OUTPUT_FIELDS})
        chunk = self._chunker.chunk(event)
        if chunk is not None:
            self.chunks.append(chunk)
        return chunk

    @property
    def is_completed(self) -> bool:
        """Whether the run has finished."""
        return self._output is not None

    @property
    def result(self) -> CrewOutput:
        """The run's output, once the stream has been read to its end."""
        if self._output is None:
            raise CrewkitError(
                "the stream has not finished: iterate over it to the end before reading result"
            )
        return self._output

    def get_full_text(self) -> str:
        """The text of every ``text`` chunk so far, joined (restarted replies included)."""
        return "".join(c.content for c in self.chunks if c.chunk_type == "text")

    def __getattr__(self, name: str) -> Any:
        # Only reached for output fields not filled in yet: run the stream to its end first.
        if name not in _OUTPUT_FIELDS or self.__dict__.get("_events") is None:
            raise AttributeError(name)
        for _ in self:
            pass
        return getattr(self.result, name)

    def __repr__(self) -> str:
        state = "completed" if self.is_completed else "running"
        return f"<CrewStream {state}, {len(self.chunks)} chunks>"
