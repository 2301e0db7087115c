"""Where ``@persist`` keeps flow states: a small SQLite table in ``.crewkit/runs.db``, the file runs use.

Every save is one row (flow id, flow, step, state JSON); restoring takes the newest row of an id. One
connection per store behind a lock, WAL so other processes read while a flow writes, ``busy_timeout``
so two processes saving at once wait for each other.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from crewkit.errors import FlowError

if TYPE_CHECKING:
    import sqlite3
    from os import PathLike

DEFAULT_PATH = ".crewkit/runs.db"
"""The default store, relative to the working directory."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS flow_states(
    id INTEGER PRIMARY KEY,
    flow_id TEXT NOT NULL,
    flow TEXT NOT NULL,
    step TEXT NOT NULL,
    time REAL NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS flow_states_by_id ON flow_states(flow_id, id);
"""


@runtime_checkable
class FlowStore(Protocol):
    """Saves and restores flow states; implement it to keep them elsewhere."""

    def save_state(self, flow_id: str, flow: str, step: str, state: str) -> None:
        """Record ``state`` (JSON text) of flow ``flow_id`` after ``step``."""

    def load_state(self, flow_id: str) -> str | None:
        """The newest state saved for ``flow_id``, or ``None``."""


class SQLiteFlowStore:
    """The default :class:`FlowStore`: one SQLite file, safe across threads and processes."""

    def __init__(
        self, path: str | PathLike[str] = DEFAULT_PATH, *, busy_timeout: float = 30.0
    ) -> None:
        self.path = os.fspath(path)
        self.busy_timeout = busy_timeout
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def save_state(self, flow_id: str, flow: str, step: str, state: str) -> None:
        """Append one saved state."""
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO flow_states(flow_id, flow, step, time, state) VALUES (?, ?, ?, ?, ?)",
                (flow_id, flow, step, time.time(), state),
            )

    def load_state(self, flow_id: str) -> str | None:
        """The newest state saved under ``flow_id``."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT state FROM flow_states WHERE flow_id = ? ORDER BY id DESC LIMIT 1",
                (flow_id,),
            ).fetchone()
        return None if row is None else str(row[0])

    def history(self, flow_id: str) -> list[tuple[str, str]]:
        """(step, state) of every save of ``flow_id``, oldest first."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT step, state FROM flow_states WHERE flow_id = ? ORDER BY id", (flow_id,)
            ).fetchall()
        return [(str(step), str(state)) for step, state in rows]

    def close(self) -> None:
        """Close the connection; the next call opens it again."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __getstate__(self) -> dict[str, object]:
        return {"path": self.path, "busy_timeout": self.busy_timeout}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(str(state["path"]), busy_timeout=float(state["busy_timeout"]))  # type: ignore[arg-type, misc]

    def __repr__(self) -> str:
        return f"SQLiteFlowStore({self.path!r})"

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        import sqlite3  # only flows that persist pay for it

        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._open()
                yield self._conn
            except (sqlite3.Error, OSError) as exc:
                raise FlowError(f"flow store {self.path}: {exc}") from exc

    def _open(self) -> sqlite3.Connection:
        from crewkit._sqlite import connect  # sqlite3 and pathlib, only for flows that persist

        return connect(self.path, busy_timeout=self.busy_timeout, schema=_SCHEMA)


def resolve_store(store: FlowStore | str | PathLike[str] | None) -> FlowStore:
    """A store object from ``None`` (the default file), a path, or a store."""
    if store is None:
        return _default_store(DEFAULT_PATH)
    if isinstance(store, (str, os.PathLike)):
        return _default_store(os.fspath(store))
    if not isinstance(store, FlowStore):
        raise FlowError(
            f"a flow store needs save_state() and load_state(); got {store!r} "
            "(pass a path, or None for .crewkit/runs.db)"
        )
    return store


_stores: dict[str, SQLiteFlowStore] = {}
_stores_lock = threading.Lock()


def _default_store(path: str) -> SQLiteFlowStore:
    """One store per file per process (resolved path), so concurrent flows share a connection."""
    key = path if path == ":memory:" else os.path.realpath(path)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = SQLiteFlowStore(key)
        return store
