"""The chunk index: documents chunked once, cached by content hash, searched with SQLite FTS5/bm25.

A document's key is a hash of its bytes and of how it was read and chunked, so the same file read the
same way is never chunked twice (in this process or, with a file-backed index, in the next run), and a
changed file gets a new entry. A document's chunks get consecutive row ids, so a search inside some
documents is a row-id range FTS5 applies while matching. Queries keep the rarest words within a budget
of postings (the memory store's method), which keeps a search at a few milliseconds at 10k chunks.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from crewkit._fts import match_plan, terms, words_of
from crewkit._sqlite import SQLiteFile
from crewkit.errors import KnowledgeError

SCHEMA_VERSION = 1
_BUSY_TIMEOUT = 30.0
MATCH_BUDGET = 2000
"""Postings scored per search, about (see :mod:`crewkit._fts`); 2 ms at 10k chunks."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents(
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, source TEXT NOT NULL,
    first INTEGER NOT NULL, last INTEGER NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks(
    id INTEGER PRIMARY KEY, document INTEGER NOT NULL, label TEXT NOT NULL, text TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, content='chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS terms(term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Hit:
    """A chunk that matched a search."""

    label: str
    """Where it came from: ``report.pdf p.3``."""
    text: str
    source: str
    """The document it belongs to (file path or URL)."""
    score: float
    """bm25 relevance, higher is better."""


def document_key(kind: str, data: bytes, *settings: object) -> str:
    """The cache key of ``data`` read as ``kind`` with ``settings`` (chunk size, overlap...)."""
    digest = hashlib.sha256()
    digest.update(repr((kind, settings)).encode())
    digest.update(data)
    return digest.hexdigest()


def default_path() -> str:
    """``CREWKIT_KNOWLEDGE_DB``, else ``.crewkit/knowledge.db`` under the working directory."""
    return os.environ.get("CREWKIT_KNOWLEDGE_DB") or str(Path.cwd() / ".crewkit" / "knowledge.db")


class KnowledgeIndex:
    """Chunks of documents in one SQLite file (or ``":memory:"``), opened on first use.

    Thread-safe: one connection behind one lock (searches take about a millisecond).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = str(path) if path is not None else default_path()
        """Where the index is kept; ``":memory:"`` for this process only."""
        self._db = SQLiteFile(
            self.path, schema=_SCHEMA, version=SCHEMA_VERSION, what="knowledge index",
            describes="knowledge index", error=lambda message: KnowledgeError(message, path=self.path),
            hint="delete it (it is only a cache) or choose another with KnowledgeIndex(path=...)",
            busy_timeout=_BUSY_TIMEOUT,
        )  # fmt: skip
        self._ids: dict[str, int] = {}

    def __getstate__(self) -> dict[str, str]:
        # A crew pickled for a worker process takes the path; the worker opens its own connection.
        return {"path": self.path}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]

    # -- writing ------------------------------------------------------------------------------

    def document(self, key: str) -> int | None:
        """The id of the document with ``key``, if it is indexed."""
        if key in self._ids:
            return self._ids[key]
        with self._db.connection() as conn:
            row = conn.execute("SELECT id FROM documents WHERE key = ?", (key,)).fetchone()
        if row is not None:
            self._ids[key] = int(row[0])
        return None if row is None else int(row[0])

    def add(self, key: str, source: str, chunks: Sequence[tuple[str, str]]) -> int:
        """Index ``chunks`` (``(label, text)`` pairs) as the document ``key``; returns its id. A key
        already present (another thread or process was first) is not indexed again."""
        with self._db.transaction() as conn:
            row = conn.execute("SELECT id FROM documents WHERE key = ?", (key,)).fetchone()
            if row is not None:
                self._ids[key] = int(row[0])
                return int(row[0])
            start = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM chunks").fetchone()[0]
            rows = [(start + i, label, text) for i, (label, text) in enumerate(chunks)]
            doc = conn.execute(
                "INSERT INTO documents(key, source, first, last, created) VALUES (?,?,?,?,?)",
                (key, source, start, start + len(rows) - 1, time.time()),
            ).lastrowid
            conn.executemany(
                "INSERT INTO chunks(id, document, label, text) VALUES (?, ?, ?, ?)",
                [(i, doc, label, text) for i, label, text in rows],
            )
            conn.executemany(
                "INSERT INTO chunks_fts(rowid, text) VALUES (?, ?)",
                [(i, t) for i, _, t in rows],
            )
            counts: dict[str, int] = {}
            for _, _, text in rows:
                for word in words_of(text):
                    counts[word] = counts.get(word, 0) + 1
            conn.executemany(
                "INSERT INTO terms(term, docs) VALUES (?, ?) "
                "ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs",
                counts.items(),
            )
        assert doc is not None
        self._ids[key] = doc
        return doc

    # -- searching ------------------------------------------------------------------------------

    def search(self, query: str, documents: Iterable[int], *, limit: int = 5) -> list[Hit]:
        """The chunks of ``documents`` that best match ``query``, best first."""
        docs = sorted(set(documents))
        words = terms(query)
        if not docs or not words or limit < 1:
            return []
        with self._db.connection() as conn:
            marks = ", ".join("?" for _ in docs)
            ranges = _merged(
                conn.execute(
                    f"SELECT first, last FROM documents WHERE id IN ({marks}) ORDER BY first", docs
                ).fetchall()
            )
            plan = match_plan(conn, words, budget=MATCH_BUDGET)
            if plan is None or not ranges:
                return []
            # Score in FTS5 alone, inside the documents' row ranges; join only the best few.
            within = " OR ".join("rowid BETWEEN ? AND ?" for _ in ranges)
            best = conn.execute(
                "SELECT rowid, bm25(chunks_fts) AS rank FROM chunks_fts "
                f"WHERE chunks_fts MATCH ? AND ({within}) ORDER BY rank LIMIT ?",
                [plan.match, *(n for first, last in ranges for n in (first, last)), limit],
            ).fetchall()
            if not best:
                return []
            found: dict[int, tuple[str, str, str]] = {
                row[0]: (row[1], row[2], row[3])
                for row in conn.execute(
                    "SELECT c.id, c.label, c.text, d.source FROM chunks AS c "
                    "JOIN documents AS d ON d.id = c.document "
                    f"WHERE c.id IN ({', '.join('?' for _ in best)})",
                    [rowid for rowid, _ in best],
                )
            }
        return [Hit(*found[rowid], score=round(-rank, 6)) for rowid, rank in best if rowid in found]

    def chunk_count(self, document: int | None = None) -> int:
        """How many chunks are indexed (of one document, if given)."""
        with self._db.connection() as conn:
            if document is None:
                return int(conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
            return int(
                conn.execute(
                    "SELECT count(*) FROM chunks WHERE document = ?", (document,)
                ).fetchone()[0]
            )

    def close(self) -> None:
        """Close the file; the next use opens it again."""
        self._db.close()


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Row-id ranges (sorted by start) with touching neighbours joined: documents indexed one after
    another make one range, which FTS5 applies as one bound instead of many."""
    merged: list[tuple[int, int]] = []
    for first, last in ranges:
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged
