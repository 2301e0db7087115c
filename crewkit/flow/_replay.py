"""Resuming a flow run: the steps that finished before are answered from the journal instead of
being run, in the order they finished, and whatever had not finished runs live."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Saved:
    """A finished step as journaled: what a resume answers its run with."""

    seq: int
    step: str
    n: int
    label: str | None
    result: Any


class Replay:
    """The finished steps of the kickoff being resumed, handed back in the order they finished
    the first time, so ``or_``/``and_`` see the same sequence of events as then."""

    def __init__(self, saved: list[Saved]) -> None:
        self._by_key = {(s.step, s.n): s for s in saved}
        self._remaining = deque(sorted(s.seq for s in saved))
        self._ready: dict[int, tuple[Saved, Any]] = {}
        self._late: list[tuple[Saved, Any]] = []

    def take(self, step: str, n: int) -> Saved | None:
        """The journaled outcome of the ``n``-th run of ``step``, if it finished before."""
        return self._by_key.pop((step, n), None) if self._by_key else None

    def park(self, saved: Saved, record: Any) -> None:
        """Hold a step's journaled outcome until the steps that finished before it have."""
        if self._remaining and saved.seq >= self._remaining[0]:
            self._ready[saved.seq] = (saved, record)
        else:  # its turn was skipped (see skip_missing): hand it back at once
            self._late.append((saved, record))

    def next(self) -> tuple[Saved, Any] | None:
        """The next outcome whose turn it is, or ``None`` while it waits for an earlier one."""
        if self._late:
            return self._late.pop()
        if self._remaining and self._remaining[0] in self._ready:
            return self._ready.pop(self._remaining.popleft())
        return None

    @property
    def waiting(self) -> int:
        """Outcomes held back."""
        return len(self._ready) + len(self._late)

    def skip_missing(self) -> None:
        """Nothing else runs, so the steps whose turn it is will never start (the flow changed
        and the resume was forced): let the held ones go."""
        while self._remaining and self._remaining[0] not in self._ready:
            self._remaining.popleft()

    def clear(self) -> list[Any]:
        """Drop everything held (the run failed); returns the records that were held."""
        held = [record for _, record in self._ready.values()] + [r for _, r in self._late]
        self._ready.clear()
        self._late.clear()
        self._by_key.clear()
        self._remaining.clear()
        return held

    @property
    def exhausted(self) -> bool:
        """Every journaled step was handed back or dropped."""
        return not self._by_key and not self._ready and not self._late
