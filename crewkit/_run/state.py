"""The state of one run: its ids, its events and spans, its usage ledger, and what the kickoff
asked for (inputs, token budget, human review). Model calls go through ``_run/gateway.py``."""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crewkit.events import EventBus, Span, SpanKind
from crewkit.llm._types import Usage

if TYPE_CHECKING:
    from crewkit._run.durable import RunJournal
    from crewkit.knowledge._run import RunKnowledge
    from crewkit.mcp._run import RunServers
    from crewkit.memory._session import RunMemory


@dataclass
class UsageLedger:
    """Usage of one run, by agent and by task. Every model call is recorded exactly once, here,
    whichever model object served it — shared model objects do not double-count."""

    total: Usage = field(default_factory=Usage)
    by_agent: dict[str, Usage] = field(default_factory=lambda: defaultdict(Usage))
    by_task: dict[str, Usage] = field(default_factory=lambda: defaultdict(Usage))

    def record(self, agent: str, task: str, usage: Usage) -> None:
        counted = Usage(usage.prompt_tokens, usage.completion_tokens, requests=1)
        self.total += counted
        self.by_agent[agent] += counted
        self.by_task[task] += counted


@dataclass(frozen=True)
class Scope:
    """Who is working on what, and under which step: passed down the call chain."""

    task: str
    agent: str
    parent: str


@dataclass
class Run:
    """Mutable state of one kickoff. Definitions never hold run state; this object does."""

    bus: EventBus
    inputs: dict[str, Any] = field(default_factory=dict)
    """The kickoff inputs."""
    max_tokens: int | None = None
    """The run's token budget, checked before every model call."""
    ask_human: Callable[[Any], Any] | None = None
    """Collects a person's review of ``human_input`` tasks."""
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    ledger: UsageLedger = field(default_factory=UsageLedger)
    memory: RunMemory | None = None
    """This run's view of the crew's memory, when the crew has one."""
    journal: RunJournal | None = None
    """Where a durable run writes its steps (and finds them again on resume)."""
    tool_calls_seen: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """How often each tool call was made (numbers the idempotency keys of identical calls)."""
    reviewer_absent: bool = False
    """No person can answer a ``human_input`` review now: a durable run waits for one instead."""
    knowledge: RunKnowledge | None = None
    """The crew's and agents' knowledge, indexed for this run, when they have any."""
    servers: RunServers | None = None
    """The MCP servers this run started for its agents, stopped when it ends."""
    callback_failure: tuple[str, Any, Exception] | None = None
    """The first failure of a crew callback (kind, function, exception), raised when its task ends:
    listeners cannot raise (see ``_run/callbacks.py``)."""
    _spans: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def continue_spans_after(self, last: int) -> None:
        """Number new steps after ``last``, so a resumed run's step ids stay unique."""
        self._spans = itertools.count(last + 1)

    def new_span(self) -> str:
        """A fresh step id, unique within the run."""
        return f"{self.run_id}.{next(self._spans)}"

    def open_span(self, kind: SpanKind, *, parent: str | None, **fields: Any) -> Span:
        """Open a step of this run (emits its start event); the caller ends or fails it."""
        return Span(
            self.bus, kind, run_id=self.run_id, span_id=self.new_span(), parent_id=parent,
            fields=fields,
        )  # fmt: skip

    @contextmanager
    def span(self, kind: SpanKind, *, parent: str | None, **fields: Any) -> Iterator[Span]:
        """A step of this run as a ``with`` block: an exception that leaves it fails the step (and
        goes on); the block ends the step itself with ``span.end(...)``."""
        span = self.open_span(kind, parent=parent, **fields)
        try:
            yield span
        except BaseException as exc:
            span.fail(exc)
            raise
