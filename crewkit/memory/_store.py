"""The SQLite file behind :class:`~crewkit.memory.Memory`: schema, the one connection, FTS5 search.

Why one connection behind one lock: every write takes the same path, so concurrent asyncio tasks and
threads of this process queue up instead of racing (no lost records, no ``database is locked`` from
ourselves). Reads share that connection too; a memory search takes about a millisecond, which is
nothing next to a model call, and a single connection also works for ``:memory:`` stores. WAL stays on
so other processes (``crewkit memory show`` while a crew runs) read without blocking the writer, and
``busy_timeout`` makes cross-process writers wait for each other instead of failing at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crewkit._fts import match_plan, words_of
from crewkit._sqlite import SQLiteFile
from crewkit.errors import MemoryStoreError
from crewkit.memory._records import MemoryRecord

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS memories(
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    task TEXT NOT NULL DEFAULT '',
    entity TEXT NOT NULL DEFAULT '',
    run_id TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    embedding BLOB
);
CREATE INDEX IF NOT EXISTS memories_kind ON memories(kind, run_id);
CREATE INDEX IF NOT EXISTS memories_entity ON memories(entity COLLATE NOCASE) WHERE kind = 'entity';
CREATE UNIQUE INDEX IF NOT EXISTS memories_entity_fact
    ON memories(entity COLLATE NOCASE, text) WHERE kind = 'entity';
CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5(
    text, task, entity, content='memories', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS terms(term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS memories_ai AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts(rowid, text, task, entity)
    VALUES (new.id, new.text, new.task, new.entity);
END;
CREATE TRIGGER IF NOT EXISTS memories_ad AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts(memories_fts, rowid, text, task, entity)
    VALUES ('delete', old.id, old.text, old.task, old.entity);
END;
"""

_COLUMNS = "m.id, m.kind, m.text, m.source, m.task, m.entity, m.run_id, m.created, m.embedding"

# bm25 weights per FTS column (text, task, entity): an entity name or the task a result answered
# says more about relevance than a word somewhere in a long text.
_BM25 = "bm25(memories_fts, 1.0, 1.5, 3.0)"


@dataclass(frozen=True)
class Row:
    """One stored memory as the store returns it; ``rank`` is FTS5's bm25 (lower is better)."""

    record: MemoryRecord
    embedding: bytes | None
    rank: float | None = None

    @classmethod
    def of(cls, columns: Sequence[Any]) -> Row:
        """A row from :data:`_COLUMNS` (and the bm25 rank, when a search asked for it)."""
        return cls(MemoryRecord(*columns[:8]), *columns[8:])


@dataclass(frozen=True)
class NewRow:
    """A memory to insert."""

    kind: str
    text: str
    created: float
    source: str = ""
    task: str = ""
    entity: str = ""
    run_id: str = ""
    embedding: bytes | None = None


class Store:
    """One SQLite file (or ``:memory:``), opened on first use. Thread-safe; every method blocks, so
    async callers run them in a worker thread."""

    def __init__(self, path: str, *, busy_timeout: float = 30.0) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self._db = SQLiteFile(
            path, schema=_SCHEMA, version=SCHEMA_VERSION, what="memory file",
            describes="memory database", error=lambda message: MemoryStoreError(message, path=path),
            hint="give this crew its own Memory(path=...)", busy_timeout=busy_timeout,
        )  # fmt: skip

    def __getstate__(self) -> dict[str, Any]:
        # A copy in another process opens its own connection to the same file.
        return {"path": self.path, "busy_timeout": self.busy_timeout}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"], busy_timeout=state["busy_timeout"])  # type: ignore[misc]

    def close(self) -> None:
        """Close the connection; the next call opens it again."""
        self._db.close()

    # -- writes -----------------------------------------------------------------------------

    def insert(self, rows: Sequence[NewRow]) -> list[int]:
        """Insert ``rows`` in one transaction; returns the new ids. An entity fact already known
        for the same entity is skipped (its id is not returned)."""
        ids: list[int] = []
        with self._db.transaction() as conn:
            for row in rows:
                verb = "INSERT OR IGNORE" if row.kind == "entity" else "INSERT"
                cursor = conn.execute(
                    f"{verb} INTO memories(kind, text, source, task, entity, run_id, created, "
                    "embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        row.kind,
                        row.text,
                        row.source,
                        row.task,
                        row.entity,
                        row.run_id,
                        row.created,
                        row.embedding,
                    ),
                )
                if cursor.rowcount and cursor.lastrowid is not None:
                    ids.append(cursor.lastrowid)
                    _count_terms(conn, row.text, row.task, row.entity, step=1)
        return ids

    def delete(self, kinds: Sequence[str], run_id: str | None = None) -> int:
        """Delete every memory of ``kinds`` (of one run, if ``run_id`` is given); returns how many."""
        where, params = _kind_filter(kinds)
        if run_id is not None:
            where += " AND run_id = ?"
            params.append(run_id)
        with self._db.transaction() as conn:
            if set(kinds) >= {"short_term", "long_term", "entity"} and run_id is None:
                conn.execute("DELETE FROM terms")
            else:
                for texts in conn.execute(
                    f"SELECT text, task, entity FROM memories AS m WHERE {where}", params
                ).fetchall():
                    _count_terms(conn, *texts, step=-1)
                conn.execute("DELETE FROM terms WHERE docs <= 0")
            cursor = conn.execute(f"DELETE FROM memories AS m WHERE {where}", params)
        return cursor.rowcount

    # -- reads ------------------------------------------------------------------------------

    def search(
        self, words: list[str], *, kinds: Sequence[str], run_id: str, limit: int, exclude_run: bool
    ) -> list[Row]:
        """Memories holding any of ``words`` (the rarest ones, see ``crewkit._fts``), best bm25 first.

        Short-term memories count only for their own run; with ``exclude_run`` long-term copies made
        by the same run are left out, since the run's short-term memory already holds them.
        """
        where, params = _visible(kinds, run_id, exclude_run)
        sql = (
            f"SELECT {_COLUMNS}, {_BM25} AS relevance FROM memories_fts "
            "JOIN memories AS m ON m.id = memories_fts.rowid "
            f"WHERE memories_fts MATCH ? AND memories_fts.rowid > ? AND {where} "
            "ORDER BY relevance LIMIT ?"
        )
        with self._db.connection() as conn:
            query = match_plan(conn, words, newest_of="memories")
            if query is None:
                return []
            rows = conn.execute(sql, [query.match, query.min_id, *params, limit]).fetchall()
        return [Row.of(r) for r in rows]

    def recent(
        self, *, kinds: Sequence[str], run_id: str, limit: int, exclude_run: bool
    ) -> list[Row]:
        """The newest visible memories that have an embedding (candidates for semantic recall)."""
        where, params = _visible(kinds, run_id, exclude_run)
        sql = (
            f"SELECT {_COLUMNS} FROM memories AS m "
            f"WHERE m.embedding IS NOT NULL AND {where} ORDER BY m.id DESC LIMIT ?"
        )
        with self._db.connection() as conn:
            rows = conn.execute(sql, [*params, limit]).fetchall()
        return [Row.of(r) for r in rows]

    def listing(self, kinds: Sequence[str], *, limit: int, entity: str | None = None) -> list[Row]:
        """The newest memories of ``kinds`` (optionally about one entity), newest first."""
        where, params = _kind_filter(kinds)
        if entity is not None:
            where += " AND m.entity = ? COLLATE NOCASE"
            params.append(entity)
        with self._db.connection() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM memories AS m WHERE {where} ORDER BY m.id DESC LIMIT ?",
                [*params, limit],
            ).fetchall()
        return [Row.of(r) for r in rows]

    def count(self, kinds: Sequence[str]) -> int:
        """How many memories of ``kinds`` are stored."""
        where, params = _kind_filter(kinds)
        with self._db.connection() as conn:
            return int(
                conn.execute(
                    f"SELECT count(*) FROM memories AS m WHERE {where}", params
                ).fetchone()[0]
            )

    def entity_counts(self) -> dict[str, int]:
        """Every entity with how many facts are stored about it, most facts first."""
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT min(entity), count(*) FROM memories WHERE kind = 'entity' "
                "GROUP BY entity COLLATE NOCASE ORDER BY count(*) DESC, min(entity)"
            ).fetchall()
        return {str(name): int(n) for name, n in rows}


def _count_terms(conn: sqlite3.Connection, *texts: str, step: int) -> None:
    """Keep ``terms`` (how many memories hold each word) in step with an insert or delete."""
    words = words_of(" ".join(texts))
    conn.executemany(
        "INSERT INTO terms(term, docs) VALUES (?, ?) "
        "ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs",
        [(w, step) for w in words],
    )


def _kind_filter(kinds: Sequence[str]) -> tuple[str, list[Any]]:
    marks = ", ".join("?" for _ in kinds)
    return f"m.kind IN ({marks})", list(kinds)


def _visible(kinds: Sequence[str], run_id: str, exclude_run: bool) -> tuple[str, list[Any]]:
    where, params = _kind_filter(kinds)
    where += " AND (m.kind != 'short_term' OR m.run_id = ?)"
    params.append(run_id)
    if exclude_run:
        where += " AND NOT (m.kind = 'long_term' AND m.run_id = ?)"
        params.append(run_id)
    return where, params
