"""What the journal returns: plain frozen records, built from rows."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crewkit.llm._types import Usage

STATUSES = ("running", "waiting", "ready", "completed", "failed", "interrupted")
"""A run's status: ``running`` (a process is writing it), ``waiting`` (for a person's review),
``ready`` (a review was decided; resume it), ``completed``, ``failed``, ``interrupted`` (stopped by
Ctrl-C, or its process died)."""


@dataclass(frozen=True)
class Entry:
    """One step of a run, in the order it was journaled."""

    run_id: str
    """The run it belongs to."""
    seq: int
    """Position in the run, from 1, without gaps."""
    kind: str
    """What happened: ``model``, ``tool``, ``task_output``... (see :data:`crewkit.journal.KINDS`)."""
    time: float
    """When it was written, seconds since the epoch."""
    span: str | None
    """The step it opens, closes or reports (matches the run's event span ids)."""
    parent: str | None
    """The enclosing step."""
    task: str | None
    """The task label it was done for."""
    agent: str | None
    """The agent role that did it."""
    key: str | None
    """For steps a resume reuses: what identifies the request."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """The kind's payload (JSON values)."""


@dataclass(frozen=True)
class Draft:
    """An entry written later, with the next one that must be durable at once (a step's start
    needs no transaction of its own: if the process dies first, the resumed run writes its own)."""

    kind: str
    data: Mapping[str, Any]
    time: float
    span: str | None = None
    parent: str | None = None
    task: str | None = None
    agent: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class RunRecord:
    """One run's summary row."""

    id: str
    """The run id."""
    crew: str
    """The crew's name."""
    fingerprint: str
    """Hash of the crew definition; a resume with another definition is refused."""
    definition: Mapping[str, Any]
    """The definition the fingerprint hashes (no secrets)."""
    inputs: Mapping[str, Any]
    """The kickoff inputs."""
    source: str | None
    """How to load the crew again, when the CLI started it: JSON of its ``file`` (or CrewAI
    ``agents``/``tasks`` and ``assign``) and ``model``."""
    status: str
    """One of :data:`STATUSES`."""
    started: float
    """When the run began (epoch seconds)."""
    ended: float | None
    """When it last stopped, if it has."""
    updated: float
    """When its last step was written."""
    usage: Usage
    """Tokens and model calls so far."""
    cost: float | None
    """Cost in USD when every model's price is known, else ``None``."""
    tasks_total: int
    """Tasks in the crew."""
    tasks_done: int
    """Tasks with a journaled output."""
    batch_id: str | None
    """The batch it belongs to."""
    batch_index: int | None
    """Its position in the batch."""
    parent_run: str | None
    """The run a replay started from."""
    owner: str | None
    """``host:pid`` of the process that last wrote it."""
    output: Mapping[str, Any] | None
    """The ``CrewOutput`` as a dict, once completed."""
    error: str | None
    """Why it failed (or what it waits for)."""

    @property
    def kind(self) -> str:
        """``crew``, or ``flow`` for a flow's run (its ``tasks_*`` count the flow's steps)."""
        return "flow" if self.definition.get("kind") == "flow" else "crew"

    @property
    def alive(self) -> bool:
        """Whether the process that owns a ``running`` run still exists (known on this host only;
        a run owned elsewhere counts as alive)."""
        return owner_alive(self.owner)

    @property
    def shown_status(self) -> str:
        """The status to show: a ``running`` run whose process died is ``interrupted``."""
        if self.status == "running" and not self.alive:
            return "interrupted"
        return self.status

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> RunRecord:
        (id_, crew, fingerprint, definition, inputs, source, status, started, ended, updated,
         prompt, completion, requests, cost, total, done, batch_id, batch_index, parent_run,
         owner, output, error) = row  # fmt: skip
        return cls(
            id=id_, crew=crew, fingerprint=fingerprint, definition=json.loads(definition),
            inputs=json.loads(inputs), source=source, status=status, started=started,
            ended=ended, updated=updated, usage=Usage(prompt, completion, requests), cost=cost,
            tasks_total=total, tasks_done=done, batch_id=batch_id, batch_index=batch_index,
            parent_run=parent_run, owner=owner,
            output=None if output is None else json.loads(output), error=error,
        )  # fmt: skip


@dataclass(frozen=True)
class BatchRecord:
    """One batch of runs (``kickoff_for_each`` on a durable crew)."""

    id: str
    """The batch id; its runs are ``{id}-{index}``."""
    crew: str
    """The crew's name."""
    created: float
    """When it was first started (epoch seconds)."""
    total: int | None
    """Inputs in the batch, when known."""
    source: str | None
    """The crew file, when known."""


@dataclass(frozen=True)
class BatchProgress:
    """How far a batch has got."""

    batch_id: str
    """The batch."""
    total: int | None
    """Inputs in the batch, when known."""
    by_status: Mapping[str, int]
    """Runs per status."""
    usage: Usage
    """Tokens and calls of all its runs."""
    cost: float | None
    """Summed cost, ``None`` when any run's cost is unknown."""
    first_started: float | None
    """When its first run began."""
    last_ended: float | None
    """When its latest run ended."""

    @property
    def done(self) -> int:
        """Completed runs."""
        return self.by_status.get("completed", 0)

    @property
    def failed(self) -> int:
        """Failed runs."""
        return self.by_status.get("failed", 0)


def entry_from_row(row: tuple[Any, ...]) -> Entry:
    run_id, seq, kind, time, span, parent, task, agent, key, data = row
    return Entry(run_id, seq, kind, time, span, parent, task, agent, key, json.loads(data))


_HOST = socket.gethostname()


def this_owner() -> str:
    """``host:pid`` of this process."""
    return f"{_HOST}:{os.getpid()}"


def owner_alive(owner: str | None) -> bool:
    if not owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != _HOST or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed process not yet reaped by its parent is a zombie: dead for us
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True
