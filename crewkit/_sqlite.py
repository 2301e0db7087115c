"""Opening crewkit's SQLite files (memory, knowledge index, flow states) the same careful way."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path


def connect(
    path: str,
    *,
    busy_timeout: float,
    schema: str,
    version: int | None = None,
    too_new: Callable[[int], Exception] | None = None,
) -> sqlite3.Connection:
    """Open ``path`` (or ``":memory:"``) as every crewkit database is opened.

    One connection serves every thread (its owner holds a lock) with explicit transactions; a file
    gets its folder, WAL and ``synchronous=NORMAL``; ``schema`` runs in one transaction, so two
    processes creating the file together both succeed. With ``version`` the schema runs only on an
    older file and stamps ``user_version``; a newer file raises ``too_new(found_version)``.
    """
    if path != ":memory:":
        make_folder(Path(path).parent)
    conn = sqlite3.connect(
        path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
    )
    try:
        if path != ":memory:":
            use_wal(conn, busy_timeout)
            conn.execute("PRAGMA synchronous=NORMAL")
        if version is None:
            conn.executescript(f"BEGIN IMMEDIATE;{schema}COMMIT;")
            return conn
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found > version and too_new is not None:
            raise too_new(found)
        if found < version:
            conn.executescript(f"BEGIN IMMEDIATE;{schema}PRAGMA user_version={version};COMMIT;")
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
