"""How a run's events reach its listeners: the bus that numbers and delivers them, and the span
that emits a step's opening and closing events. Kept apart from :mod:`crewkit.events`, which holds
the events themselves."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from typing import Any

from crewkit.events import (
    Event,
    Listener,
    SpanKind,
    _enclosing,
    _global_listeners,
)

log = logging.getLogger("crewkit")


class EventBus:
    """Delivers a run's events to its listeners, numbering them. A failing listener is logged,
    never fatal: a bug in a progress display must not lose a run's work."""

    def __init__(self, listeners: list[Listener], *, first_seq: int = 1) -> None:
        enclosing = _enclosing.get()
        inherited = [x for x in enclosing[1] if x not in listeners] if enclosing else []
        self.own: list[Listener] = [*listeners, *inherited]
        """This run's listeners and those of the run it was started in (not the global ones)."""
        self.listeners = [*self.own, *_global_listeners]
        self.last_seq = first_seq - 1
        """The ``seq`` of the last event emitted (events are emitted on the run's loop)."""
        self.essential: list[Listener] = []
        """Listeners whose failure must stop the run (the run journal): called first, errors
        propagate."""

    def emit(self, event: Event) -> None:
        # Set once, here, on an event nobody has seen yet; replace() would cost a copy per event.
        self.last_seq += 1
        object.__setattr__(event, "seq", self.last_seq)
        for essential in self.essential:
            essential(event)
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %s", listener, type(event).__name__)


class Span:
    """One step of a run. Opening it emits its kind's start event; :meth:`end` or :meth:`fail` emit
    the closing one, which repeats the opening fields it shares (an agent's role, a tool's name)."""

    def __init__(
        self,
        bus: EventBus,
        kind: SpanKind,
        *,
        run_id: str,
        span_id: str,
        parent_id: str | None,
        fields: Mapping[str, Any],
    ) -> None:
        self.bus, self.kind, self.fields = bus, kind, fields
        self.ids: dict[str, Any] = {"run_id": run_id, "span_id": span_id, "parent_id": parent_id}
        self.id = span_id
        """This step's ``span_id``: the ``parent_id`` of the steps it causes."""
        self.opened = time.perf_counter()
        opening = kind.started(**self.ids, **fields)
        bus.emit(opening)
        self.seq = opening.seq
        """The ``seq`` of the event that opened the step."""

    @property
    def elapsed(self) -> float:
        """Seconds since the step opened."""
        return time.perf_counter() - self.opened

    def end(self, **outcome: Any) -> None:
        """Close the step with its kind's completed event."""
        self.bus.emit(self._closing(self.kind.completed, outcome))

    def fail(self, error: BaseException, **outcome: Any) -> None:
        """Close the step with its kind's failed event."""
        self.bus.emit(self._closing(self.kind.failed, {"error": error, **outcome}))

    def report(self, event: type[Event], **fields: Any) -> None:
        """Emit a progress event of this open step (a streamed piece of a model's reply)."""
        self.bus.emit(self._closing(event, fields))

    def _closing(self, event: type[Event], outcome: Mapping[str, Any]) -> Event:
        names = _field_names(event)
        shared = {k: v for k, v in self.fields.items() if k in names}
        return event(**self.ids, **shared, **outcome)


_names: dict[type[Event], frozenset[str]] = {}


def _field_names(event: type[Event]) -> frozenset[str]:
    names = _names.get(event)
    if names is None:
        names = _names[event] = frozenset(f.name for f in dataclasses.fields(event))
    return names
