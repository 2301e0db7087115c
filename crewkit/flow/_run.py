"""One kickoff of a flow: start the kickoff steps, and each time a step finishes start whatever it
sets off — event-driven, no polling, no walk over the graph per step.

Async steps run as tasks on the flow's event loop; sync steps run in worker threads (with the
caller's context), so independent steps of either kind overlap, and a sync step may call
``crew.kickoff()`` or ``asyncio.run`` freely.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import itertools
import json
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from crewkit._event_bus import EventBus, Span
from crewkit.errors import CrewkitError, FlowDefinitionError, FlowError
from crewkit.events import (
    FLOW_SPAN,
    FLOW_STEP_SPAN,
    Listener,
    RouterDecided,
    enclosing_step,
    enter_step,
)
from crewkit.flow._define import PersistSpec
from crewkit.flow._graph import FlowGraph, Step, router_label
from crewkit.flow._journal import FlowJournal, Unsaved
from crewkit.flow._replay import Replay, Saved
from crewkit.flow._state import state_data, state_id
from crewkit.flow._store import FlowStore
from crewkit.flow._trace import StepRun, descends, runaway_loop
from crewkit.journal._nesting import StepScope, enter_scope

log = logging.getLogger("crewkit.flow")


NO_ARG: Any = object()
"""A kickoff step is called without the trigger argument."""

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _workers() -> ThreadPoolExecutor:
    """The threads sync steps run in; more than asyncio's default (cpu + 4) because steps mostly wait
    on models, and a flow may fan out to many crews at once."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="crewkit-flow")
        return _pool


class FlowRun:
    """The mutable part of one kickoff; the flow object holds the state, the graph the definition."""

    def __init__(
        self,
        flow: Any,
        graph: FlowGraph,
        *,
        listeners: Sequence[Listener],
        persist_all: PersistSpec | None,
        store: FlowStore | None,
        journal: FlowJournal | None,
        replay: Replay | None,
        max_steps: int,
    ) -> None:
        self.flow = flow
        self.graph = graph
        self.name = graph.name
        self.bus = EventBus(list(listeners))
        self.watched = bool(self.bus.listeners)  # no listener: no event objects at all
        self.run_id = os.urandom(6).hex() if journal is None else journal.run_id
        self._spans = itertools.count(1)
        self.persist_all = persist_all
        self.store = store
        self.journal = journal
        self.replay = replay
        self._draining = False
        self.max_steps = max_steps
        self.count = 0
        self.pending = 0
        self.last: Any = None
        self.outputs: list[Any] = []
        self.runs_of: dict[str, int] = {}
        self.seen: dict[str, dict[str, StepRun]] = {}
        self.latch: dict[str, StepRun] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.error: BaseException | None = None
        self.flow_span: Span | None = None

    def _open(self, kind: Any, parent: str | None, **fields: Any) -> Span:
        span_id = f"{self.run_id}.{next(self._spans)}"
        return Span(
            self.bus, kind, run_id=self.run_id, span_id=span_id, parent_id=parent, fields=fields
        )

    async def run(self, inputs: dict[str, Any]) -> Any:
        """Run the flow to the end; returns the result of the step that finished last."""
        self.loop = asyncio.get_running_loop()
        self.done: asyncio.Future[None] = self.loop.create_future()
        if self.watched:
            self.flow_span = self._open(
                FLOW_SPAN,
                enclosing_step(),
                flow_name=self.name,
                flow_id=state_id(self.flow.state),
                inputs=inputs,
            )
        try:
            for step in self.graph.kickoff:
                self._launch(step, NO_ARG, (), "")
            if self.pending:
                await self.done
        except BaseException as exc:  # cancelled from outside, or Ctrl-C
            for task in list(self.tasks):
                task.cancel()
            if self.flow_span is not None:
                self.flow_span.fail(exc)
            self._journal_ending(exc)
            raise
        if isinstance(self.last, Unsaved) and self.error is None:
            self._fail(None, self.last.error(self.name, "the flow's result"))
        if self.error is not None:
            if self.flow_span is not None:
                self.flow_span.fail(self.error)
            self._journal_ending(self.error)
            raise self.error
        self._journal_ending(None)
        if self.flow_span is not None:
            self.flow_span.end(result=self.last, steps=self.count, duration=self.flow_span.elapsed)
        return self.last

    # -- starting and finishing steps -----------------------------------------------------------

    def _launch(self, step: Step, arg: Any, parents: tuple[StepRun, ...], via: str) -> None:
        if self.error is not None:
            return
        if self.count >= self.max_steps:
            self._fail(
                None,
                runaway_loop(
                    self.name,
                    step,
                    parents,
                    via,
                    max_steps=self.max_steps,
                    runs=self.runs_of.get(step.name, 0),
                    state=self.flow.state,
                ),
            )
            return
        self.count += 1
        self.runs_of[step.name] = self.runs_of.get(step.name, 0) + 1
        span = None
        if self.flow_span is not None:
            span = self._open(
                FLOW_STEP_SPAN, self.flow_span.id, flow_name=self.name, step=step.name, trigger=via
            )
        record = StepRun(self.count, self.runs_of[step.name], step, parents, via, span)
        if step.latches:
            self.latch[step.name] = record
        saved = self.replay.take(step.name, record.n) if self.replay is not None else None
        if saved is not None:  # finished before the resume: its journaled outcome, in turn
            self.pending += 1
            assert self.replay is not None
            self.replay.park(saved, record)
            self._drain()
            return
        if isinstance(arg, Unsaved) and step.takes_arg:
            self._fail(step, arg.error(self.name, f"{self.name}.{step.name}"))
            return
        self.pending += 1
        args = () if arg is NO_ARG or not step.takes_arg else (arg,)
        method = step.fn.__get__(self.flow)
        scope = None
        if self.journal is not None:  # a durable crew kicked off here resumes with the step
            scope = StepScope(self.run_id, self.journal.kickoff, step.name, record.n)
        try:
            if step.is_async:
                self._track(self.loop.create_task(self._await(record, method(*args), scope)))
                return
            context = contextvars.copy_context()
            if span is not None:
                context.run(enter_step, span.id, self.bus.own)
            if scope is not None:
                context.run(enter_scope, scope)
            future = _workers().submit(context.run, method, *args)
        except BaseException as exc:  # a wrong call, or no thread to run it in: still settled
            self._failed(record, exc)
            return
        future.add_done_callback(lambda f: self._from_thread(record, f))

    def _from_thread(self, record: StepRun, future: Future[Any]) -> None:
        """Hand a sync step's outcome to the event loop (gone if the run was abandoned)."""
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits for it any more
            self.loop.call_soon_threadsafe(self._thread_done, record, future)

    async def _await(self, record: StepRun, coroutine: Any, scope: StepScope | None) -> None:
        if record.span is not None:  # this task's own context: nested runs nest under the step
            enter_step(record.span.id, self.bus.own)
        if scope is not None:
            enter_scope(scope)
        try:
            result = await coroutine
        except asyncio.CancelledError:
            if record.span is not None:
                record.span.fail(asyncio.CancelledError("cancelled: another step failed"))
            self._settle()
            raise
        except BaseException as exc:
            self._failed(record, exc)
            return
        self._complete(record, result)

    def _track(self, task: asyncio.Task[None]) -> None:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _thread_done(self, record: StepRun, future: Future[Any]) -> None:
        try:
            result = future.result()
        except BaseException as exc:
            self._failed(record, exc)
            return
        if inspect.isawaitable(result):  # a sync method that returned a coroutine
            self._track(self.loop.create_task(self._await(record, result, None)))
            return
        self._complete(record, result)

    def _complete(self, record: StepRun, result: Any, saved: Saved | None = None) -> None:
        if self.error is not None:  # the flow already failed: a late result sets nothing off
            self._settle()
            return
        step = record.step
        try:
            self.last = result
            self.outputs.append(result)
            if saved is not None:
                label = saved.label
            else:
                label = router_label(self.graph, step, result) if step.is_router else None
                self._persist(record, result, label)
            if record.span is not None:
                record.span.end(result=result, duration=record.span.elapsed)
                if step.is_router:
                    self.bus.emit(
                        RouterDecided(
                            run_id=self.run_id,
                            span_id=record.span.id,
                            parent_id=record.span.ids["parent_id"],
                            flow_name=self.name,
                            step=step.name,
                            label=label,
                        )
                    )
            self._fire(step.name, result, record)
            if label is not None:
                self._fire(label, label, record)
        except BaseException as exc:
            self._failed(record, exc, ours=True)
            return
        self._settle()

    def _settle(self) -> None:
        self.pending -= 1
        if self.replay is not None:
            self._drain()
        if self.pending == 0 and not self.done.done():
            self.done.set_result(None)

    def _drain(self) -> None:
        """Hand back the journaled outcomes whose turn has come (see ``_replay``)."""
        replay = self.replay
        if replay is None or self._draining:
            return
        self._draining = True
        try:
            while True:
                item = replay.next()
                if item is None:
                    if replay.waiting and self.pending == replay.waiting:
                        replay.skip_missing()  # nothing runs that could start the missing ones
                        continue
                    break
                saved, record = item
                self._complete(record, saved.result, saved)
            if replay.exhausted:
                self.replay = None
        finally:
            self._draining = False

    # -- what a finished step sets off ----------------------------------------------------------

    def _fire(self, event: str, result: Any, record: StepRun) -> None:
        for step in self.graph.subscribers.get(event, ()):
            kind = step.kind
            if kind == "single":
                self._launch(step, result, (record,), event)
                continue
            if step.latches:
                previous = self.latch.get(step.name)
                if previous is not None and not descends(record, previous):
                    continue  # a sibling of what already set this or_ off
            if kind == "or":
                self._launch(step, result, (record,), event)
                continue
            assert step.trigger is not None
            seen = self.seen.setdefault(step.name, {})
            seen[event] = record
            if step.trigger.met(seen):
                del self.seen[step.name]
                self._launch(step, result, tuple(seen.values()), event)

    # -- persistence ----------------------------------------------------------------------------

    def _persist(self, record: StepRun, result: Any, label: str | None) -> None:
        step = record.step
        if (step.persist or self.persist_all) is None:
            return
        state = self.flow.state
        try:
            data = state_data(state)
        except TypeError as exc:
            raise FlowError(
                f"{self.name}.{step.name}: the state cannot be saved: {exc}",
                flow=self.name,
                step=step.name,
            ) from None
        if self.journal is not None:
            self.journal.step(step.name, record.n, label, data, result)
        elif self.store is not None:
            self.store.save_state(state_id(state), self.name, step.name, json.dumps(data))
        if (step.persist or self.persist_all or PersistSpec()).verbose:
            log.info("saved the state of %s %s after %s", self.name, state_id(state), step.name)

    def _journal_ending(self, error: BaseException | None) -> None:
        if self.journal is None:
            return
        try:
            data = state_data(self.flow.state)
        except TypeError as exc:
            data, error = None, error or FlowError(f"{self.name}: the state cannot be saved: {exc}")
        self.journal.finish(self.last, data, error)

    # -- failures -------------------------------------------------------------------------------

    def _failed(self, record: StepRun, exc: BaseException, *, ours: bool = False) -> None:
        """``record``'s step raised ``exc`` (``ours``: one of this run's own checks did, after it)."""
        if record.span is not None:
            record.span.fail(exc)
        self._fail(record.step, exc, ours=ours)
        self._settle()

    def _fail(self, step: Step | None, exc: BaseException, *, ours: bool = True) -> None:
        if self.error is not None:
            return
        if self.replay is not None:  # outcomes held for their turn will not be handed back
            self.pending -= len(self.replay.clear())
        name = step.name if step is not None else ""
        if ours and isinstance(exc, (FlowError, FlowDefinitionError)):
            error: CrewkitError = exc  # already names this flow and step
        else:
            error = FlowError(
                f"{self.name} failed in step {name!r}: {type(exc).__name__}: {exc}",
                flow=self.name,
                step=name,
            )
            error.__cause__ = exc
        if isinstance(error, FlowError):
            error.state = self.flow.state
        error.outputs = list(self.outputs)
        self.error = error
        for task in list(self.tasks):
            task.cancel()
