"""Where ``@persist`` keeps a flow's states: the run journal (``.crewkit/runs.db`` unless told
otherwise, see :mod:`crewkit.flow._journal`), or a store of the user's own.

A store of one's own (:class:`FlowStore`: ``save_state``/``load_state``) gets the state after each
persisted step and gives back the newest one for ``kickoff(inputs={"id": ...})``; only the journal
can also resume a flow without running its finished steps again.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol, Union, runtime_checkable

from crewkit.errors import FlowError

if TYPE_CHECKING:
    from os import PathLike

    from crewkit.journal import Journal


@runtime_checkable
class FlowStore(Protocol):
    """Saves and restores flow states; implement it to keep them elsewhere than the journal."""

    def save_state(self, flow_id: str, flow: str, step: str, state: str) -> None:
        """Record ``state`` (JSON text) of flow ``flow_id`` after ``step``."""

    def load_state(self, flow_id: str) -> str | None:
        """The newest state saved for ``flow_id``, or ``None``."""


Target = Union["Journal", FlowStore]
"""Where a flow persists: the journal, or the user's store."""


def resolve_store(store: object) -> Target:
    """The journal for ``None`` (the default file), a path or a :class:`~crewkit.journal.Journal`;
    a :class:`FlowStore` as given."""
    from crewkit.journal import Journal

    if isinstance(store, Journal):
        return store
    if store is None or isinstance(store, (str, os.PathLike)):
        from crewkit.flow._journal import shared_journal

        return shared_journal(store)
    if not isinstance(store, FlowStore):
        raise FlowError(
            f"a flow store needs save_state() and load_state(); got {store!r} "
            "(pass a path or a crewkit.journal.Journal, or None for .crewkit/runs.db)"
        )
    return store


def legacy_state(path: str | PathLike[str], flow_id: str) -> str | None:
    """The newest state crewkit versions before the journal saved for ``flow_id`` (their
    ``flow_states`` table, kept readable; nothing writes it any more)."""
    import sqlite3
    from pathlib import Path

    if os.fspath(path) == ":memory:" or not os.path.isfile(path):
        return None
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            row = conn.execute(
                "SELECT state FROM flow_states WHERE flow_id = ? ORDER BY id DESC LIMIT 1",
                (flow_id,),
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError:  # no such table: the file never held old flow states
        return None
    return None if row is None else str(row[0])
