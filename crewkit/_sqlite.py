"""Opening crewkit's SQLite files (memory, knowledge index) the same careful way."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


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
