"""Opening crewkit's SQLite files (memory, knowledge index, flow states, run journal) the same careful way:
WAL so others read while one writes, waiting out two processes creating a file together, a
``.gitignore`` in a ``.crewkit`` folder we create. :class:`SQLiteFile` adds the rest a store needs:
one lazily opened connection behind a lock, a schema created (or refused when newer) in one
transaction, and sqlite3's errors turned into one crewkit error that names the file.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from crewkit.errors import CrewkitError

ErrorFactory = Callable[[str], CrewkitError]
"""Builds the store's own error from a message (the file's path is already in it)."""


class SQLiteFile:
    """A lazily opened connection to one file (or ``:memory:``) behind one lock. Every statement
    runs through :meth:`connection`, so threads and asyncio tasks of a process queue instead of
    racing; other processes read alongside thanks to WAL."""

    def __init__(
        self,
        path: str,
        *,
        schema: str,
        version: int,
        what: str,
        describes: str,
        error: ErrorFactory,
        hint: str = "",
        busy_timeout: float = 30.0,
        readonly: bool = False,
        synchronous: str = "NORMAL",
    ) -> None:
        self.path = path
        """The file, as given."""
        self.schema = schema
        self.version = version
        self.what = what
        """How errors name the file: ``memory file``, ``run journal``."""
        self.describes = describes
        """What the file should hold: ``memory database``, ``run journal``."""
        self.error = error
        self.hint = hint
        """What else the user can do, e.g. ``choose another file with Memory(path=...)``."""
        self.busy_timeout = busy_timeout
        self.readonly = readonly
        self.synchronous = synchronous
        self.lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The connection, held under the lock for the ``with`` block."""
        with self.lock, self.translated():
            if self._conn is None:
                self._conn = self._open()
            yield self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``), committed at the end of the block."""
        with self.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection; the next use opens it again."""
        with self.lock:
            self._discard()

    def _discard(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _open(self) -> sqlite3.Connection:
        if self.readonly and not Path(self.path).is_file():
            raise self.error(f"{self.what} {self.path} does not exist")
        conn = connect(
            self.path, busy_timeout=self.busy_timeout, synchronous=self.synchronous,
            readonly=self.readonly,
        )  # fmt: skip
        try:
            found = conn.execute("PRAGMA user_version").fetchone()[0]
            if found > self.version:
                raise self.error(
                    f"{self.what} {self.path} was written by a newer crewkit (schema {found}, "
                    f"this one knows {self.version}); upgrade crewkit{self._or()}"
                )
            if found < self.version and not self.readonly:
                # One script, one transaction: two processes creating the file at once both succeed.
                conn.executescript(
                    f"BEGIN IMMEDIATE;{self.schema}PRAGMA user_version={self.version};COMMIT;"
                )
            elif found < self.version:
                raise self.error(f"{self.what} {self.path} is empty or not a crewkit file")
        except BaseException:
            conn.close()
            raise
        return conn

    @contextmanager
    def translated(self) -> Iterator[None]:
        """Turn sqlite3's errors about the file into one clear error that names it."""
        try:
            yield
        except (CrewkitError, sqlite3.IntegrityError):
            raise  # ours, or a constraint the caller turns into its own message
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise self.error(
                    f"{self.what} {self.path} is locked by another process ({text}; waited up "
                    f"to {self.busy_timeout:g}s); close the other program using it{self._or(',')}"
                ) from exc
            if "unable to open" in text or "readonly" in text:
                raise self.error(
                    f"{self.what} {self.path} cannot be opened for writing ({text}); "
                    f"check the folder exists and is writable{self._or(',')}"
                ) from exc
            raise self.error(f"{self.what} {self.path}: {text}") from exc
        except OSError as exc:
            raise self.error(
                f"{self.what} {self.path} cannot be created ({exc}){self._or(';')}"
            ) from exc
        except sqlite3.DatabaseError as exc:
            self._discard()
            raise self.error(
                f"{self.what} {self.path} is corrupt or not a crewkit {self.describes} ({exc}); "
                "move it aside or delete it to start afresh"
            ) from exc

    def _or(self, joint: str = "") -> str:
        return f"{joint} or {self.hint}" if self.hint else ""


def connect(
    path: str,
    *,
    busy_timeout: float,
    schema: str = "",
    synchronous: str = "NORMAL",
    readonly: bool = False,
) -> sqlite3.Connection:
    """Open ``path`` (or ``":memory:"``) as every crewkit database is opened.

    One connection serves every thread (its owner holds a lock) with explicit transactions; a file
    gets its folder, WAL and ``synchronous``, unless opened ``readonly``, which writes nothing.
    ``schema`` runs in one transaction, so two processes creating the file together both succeed.
    """
    memory = path == ":memory:"
    if readonly:
        conn = sqlite3.connect(
            f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout,
            isolation_level=None, check_same_thread=False,
        )  # fmt: skip
    else:
        if not memory:
            make_folder(Path(path).parent)
        conn = sqlite3.connect(
            path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
    try:
        if not memory and not readonly:
            use_wal(conn, busy_timeout)
            conn.execute(f"PRAGMA synchronous={synchronous}")
        if schema:
            conn.executescript(f"BEGIN IMMEDIATE;{schema}COMMIT;")
    except BaseException:
        conn.close()
        raise
    return conn


def make_folder(folder: Path) -> None:
    """Create a database's folder; a ``.crewkit`` folder we create gets a ``.gitignore`` so its
    files are not committed by accident."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    if folder.name == ".crewkit":
        (folder / ".gitignore").write_text("*\n", encoding="utf-8")


def use_wal(conn: sqlite3.Connection, busy_timeout: float) -> None:
    """Switch the file to WAL, so other processes read while one writes. Changing the journal mode
    needs an exclusive lock, and SQLite answers "locked" at once instead of waiting when two
    connections open a new file together, so wait here, within ``busy_timeout`` seconds."""
    deadline = time.monotonic() + busy_timeout
    pause = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)
