"""Runs started inside a journaled flow step get ids derived from that step, so when the step runs
again on resume, a durable crew it kicks off finds its own journaled run and continues it instead
of starting over.

The id hashes the flow run, the kickoff, the step and its occurrence, the crew's name and inputs,
and how many identical kickoffs came before in the same step: crews gathered concurrently in one
step each find their own run whatever order they start in.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any


class StepScope:
    """One execution of a journaled flow step: what child run ids derive from."""

    __slots__ = ("_lock", "_seen", "key")

    def __init__(self, run_id: str, kickoff: int, step: str, n: int) -> None:
        self.key = f"{run_id}\0{kickoff}\0{step}\0{n}"
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def child_id(self, name: str, inputs: Mapping[str, Any]) -> str:
        """The run id of the next kickoff of crew ``name`` with ``inputs`` in this step."""
        text = json.dumps(dict(inputs), sort_keys=True, ensure_ascii=False, default=str)
        content = f"{self.key}\0{name}\0{text}"
        with self._lock:
            occurrence = self._seen.get(content, 0)
            self._seen[content] = occurrence + 1
        digest = hashlib.sha256(f"{content}\0{occurrence}".encode()).hexdigest()[:16]
        prefix = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:40] or "crew"
        return f"{prefix}-{digest}"


_scope: ContextVar[StepScope | None] = ContextVar("crewkit_flow_step_scope", default=None)


def enter_scope(scope: StepScope) -> None:
    """Mark the current context as running inside ``scope``'s step."""
    _scope.set(scope)


def child_run_id(name: str, inputs: Mapping[str, Any]) -> str | None:
    """The derived id for a durable crew kicked off here, or ``None`` outside a journaled step."""
    scope = _scope.get()
    return None if scope is None else scope.child_id(name, inputs)
