"""Memory: the crew's shared store of what it learned — this run, earlier runs, and named things."""

from __future__ import annotations

import asyncio
import builtins
import inspect
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from crewkit._numbers import is_whole
from crewkit.errors import ConfigurationError
from crewkit.memory._embed import Embedder, Vector, check_vectors, cosine, pack, unpack
from crewkit.memory._entities import entity_facts
from crewkit.memory._query import terms
from crewkit.memory._store import NewRow, Row, Store

Kind = Literal["short_term", "long_term", "entities", "all"]
"""Which part of memory: this run's, what persists across runs, facts about named things, or all."""

_STORED = {"short_term": "short_term", "long_term": "long_term", "entities": "entity"}
_ALL_STORED = tuple(_STORED.values())
_CANDIDATES = 40
"""bm25's best this many are re-ranked with recency (and similarity, with an embedder)."""
_RECENT_FOR_EMBEDDER = 200
"""With an embedder, the newest this many memories are candidates too, so a memory that shares
no word with the query can still be found by meaning. Older ones need a shared word."""


@dataclass(frozen=True)
class MemoryRecord:
    """One memory."""

    id: int
    """Row id in the store."""
    kind: str
    """``short_term``, ``long_term`` or ``entity``."""
    text: str
    """What is remembered."""
    source: str
    """Where it came from, e.g. ``task 'research' by Analyst`` or ``tool web_search``."""
    task: str
    """For task results: the description of the task they answered."""
    entity: str
    """For entity facts: the entity they are about."""
    run_id: str
    """The run that saved it (empty for memories saved outside a run)."""
    created: float
    """When it was saved, seconds since the epoch."""
    score: float | None = None
    """Relevance in a search (higher is better); ``None`` in listings."""


class Memory:
    """A crew's memory in one SQLite file: short-term (this run), long-term (across runs) and
    entity facts, searched with FTS5/bm25 plus recency, and optionally embeddings.

    Pass it as ``Crew(memory=Memory(...))``, or ``Crew(memory=True)`` for the defaults. Nothing touches
    the disk until the memory is first used. One object may serve many concurrent runs and threads.
    Crews that use the same file share their long-term and entity memories; give a crew its own
    ``path`` to keep them apart.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        embedder: Embedder | None = None,
        recall_limit: int = 5,
        recall_chars: int = 2000,
        recency_half_life: float = 7 * 24 * 3600.0,
        recency_weight: float = 0.2,
        semantic_weight: float = 0.4,
        capture_tool_results: bool = True,
        busy_timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """
        Args:
            path: The SQLite file; default ``.crewkit/memory.db`` under the current working directory.
                ``":memory:"`` keeps everything in this process (nothing persists).
            embedder: ``embedder(texts) -> vectors`` (sync or async), e.g. :class:`OpenAIEmbedder`,
                for hybrid ranking; ``None`` ranks by words (bm25) and recency only.
            recall_limit: Memories given to an agent before each task, at most.
            recall_chars: Characters of memories given before each task, at most.
            recency_half_life: Seconds after which a memory's recency bonus has halved.
            recency_weight: Share of the score that comes from recency (0–1).
            semantic_weight: Share of the score from embedding similarity, with an embedder (0–1).
            capture_tool_results: Keep successful tool results (and delegation answers) in
                short-term memory during a run.
            busy_timeout: Seconds to wait for another process holding the file before failing.
            clock: Source of timestamps (tests pass a fake one).
        """
        if path is None:
            path = Path.cwd() / ".crewkit" / "memory.db"
        self.path = str(path) if str(path) == ":memory:" else str(Path(path).expanduser())
        """Where the memories are kept."""
        for name, value in (("recall_limit", recall_limit), ("recall_chars", recall_chars)):
            if not is_whole(value, 0):
                raise ConfigurationError(f"Memory.{name} must be an integer >= 0, got {value!r}")
        for name, weight in (
            ("recency_weight", recency_weight),
            ("semantic_weight", semantic_weight),
        ):
            if not 0.0 <= weight <= 1.0:
                raise ConfigurationError(f"Memory.{name} must be between 0 and 1, got {weight!r}")
        if recency_half_life <= 0:
            raise ConfigurationError(
                f"Memory.recency_half_life must be > 0 seconds, got {recency_half_life!r}"
            )
        if embedder is not None and not callable(embedder):
            raise ConfigurationError(f"Memory.embedder must be callable, got {embedder!r}")
        self.embedder = embedder
        """Turns texts into vectors for hybrid ranking, or ``None``."""
        self.recall_limit = recall_limit
        """Memories given to an agent before each task, at most."""
        self.recall_chars = recall_chars
        """Characters of memories given before each task, at most."""
        self.recency_half_life = recency_half_life
        """Seconds after which a memory's recency bonus has halved."""
        self.recency_weight = recency_weight
        """Share of the score that comes from recency."""
        self.semantic_weight = semantic_weight
        """Share of the score from embedding similarity (used only with an embedder)."""
        self.capture_tool_results = capture_tool_results
        """Whether runs keep successful tool results in short-term memory."""
        self._clock = clock
        self._store = Store(self.path, busy_timeout=busy_timeout)

    # -- saving ---------------------------------------------------------------------------------

    def save(
        self,
        text: str,
        *,
        kind: Kind = "long_term",
        source: str = "user",
        entity: str | None = None,
        task: str = "",
        run_id: str = "",
        extract_entities: bool = True,
    ) -> int:
        """Remember ``text``; returns how many records were stored.

        ``entity=`` also files it as a fact about that entity; with ``extract_entities`` every
        sentence naming a ticker or a capitalised name becomes a fact about it as well (rules in
        :mod:`crewkit.memory._entities`). ``kind="entities"`` stores only entity facts.
        """
        rows = self._rows(
            text,
            kind,
            source=source,
            entity=entity,
            task=task,
            run_id=run_id,
            extract=extract_entities,
        )
        if self.embedder is not None and rows:
            rows = _with_vectors(rows, self._embed_sync([r.text for r in rows]))
        return len(self._store.insert(rows))

    async def asave(
        self,
        text: str,
        *,
        kind: Kind = "long_term",
        source: str = "user",
        entity: str | None = None,
        task: str = "",
        run_id: str = "",
        extract_entities: bool = True,
    ) -> int:
        """:meth:`save` without blocking the event loop."""
        rows = self._rows(
            text,
            kind,
            source=source,
            entity=entity,
            task=task,
            run_id=run_id,
            extract=extract_entities,
        )
        return await self._ainsert(rows)

    async def _ainsert(self, rows: Sequence[NewRow]) -> int:
        if self.embedder is not None and rows:
            rows = _with_vectors(rows, await self._embed_async([r.text for r in rows]))
        return len(await asyncio.to_thread(self._store.insert, rows))

    def _rows(
        self,
        text: str,
        kind: Kind,
        *,
        source: str,
        entity: str | None,
        task: str,
        run_id: str,
        extract: bool,
    ) -> builtins.list[NewRow]:
        """The records that remembering ``text`` creates: the memory itself and its entity facts."""
        if not isinstance(text, str):
            raise ConfigurationError(f"Memory.save: text must be a string, got {text!r:.100}")
        if kind not in _STORED:
            raise ConfigurationError(
                f"Memory.save: kind must be 'short_term', 'long_term' or 'entities', got {kind!r}"
            )
        text = text.strip()
        if not text:
            return []
        if kind == "entities" and not (entity and entity.strip()):
            raise ConfigurationError(
                "Memory.save(kind='entities') needs entity=... to file it under"
            )
        now = self._clock()
        rows = []
        if kind != "entities":
            rows.append(
                NewRow(kind=kind, text=text, task=task, source=source, run_id=run_id, created=now)
            )
        facts: builtins.list[tuple[str, str]] = []
        if entity and entity.strip():
            facts.append((entity.strip(), text))
        if extract:
            facts.extend(entity_facts(text))
        seen: set[tuple[str, str]] = set()
        for name, fact in facts:
            key = (name.lower(), fact)
            if key not in seen:
                seen.add(key)
                rows.append(
                    NewRow(
                        kind="entity",
                        text=fact,
                        entity=name,
                        source=source,
                        run_id=run_id,
                        created=now,
                    )
                )
        return rows

    # -- searching ------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        kinds: Iterable[Kind] = ("short_term", "long_term", "entities"),
        run_id: str = "",
    ) -> builtins.list[MemoryRecord]:
        """The memories most relevant to ``query``, best first: bm25 over the words, plus recency,
        plus embedding similarity when there is an embedder. Short-term memories count only for
        the run ``run_id`` that saved them."""
        words, stored = terms(query), _stored_kinds(kinds)
        vector = self._embed_sync([query])[0] if self.embedder is not None else None
        rows = self._candidates(words, stored, run_id, False, vector is not None)
        return self._rank(rows, vector, limit)

    async def asearch(
        self,
        query: str,
        *,
        limit: int = 5,
        kinds: Iterable[Kind] = ("short_term", "long_term", "entities"),
        run_id: str = "",
        exclude_run_long_term: bool = False,
    ) -> builtins.list[MemoryRecord]:
        """:meth:`search` without blocking the event loop. ``exclude_run_long_term`` leaves out the
        long-term copies the run ``run_id`` made of its own results (it already has them)."""
        words, stored = terms(query), _stored_kinds(kinds)
        vector = (await self._embed_async([query]))[0] if self.embedder is not None else None
        rows = await asyncio.to_thread(
            self._candidates, words, stored, run_id, exclude_run_long_term, vector is not None
        )
        return self._rank(rows, vector, limit)

    def _candidates(
        self,
        words: builtins.list[str],
        kinds: tuple[str, ...],
        run_id: str,
        exclude: bool,
        semantic: bool,
    ) -> builtins.list[Row]:
        rows: builtins.list[Row] = []
        if words:
            rows = self._store.search(
                words, kinds=kinds, run_id=run_id, limit=_CANDIDATES, exclude_run=exclude
            )
        if semantic:
            found = {r.id for r in rows}
            recent = self._store.recent(
                kinds=kinds, run_id=run_id, limit=_RECENT_FOR_EMBEDDER, exclude_run=exclude
            )
            rows.extend(r for r in recent if r.id not in found)
        return rows

    def _rank(
        self, rows: Sequence[Row], query_vector: Vector | None, limit: int
    ) -> builtins.list[MemoryRecord]:
        if not rows:
            return []
        best = min((r.rank for r in rows if r.rank is not None), default=0.0)
        now = self._clock()
        semantic = self.semantic_weight if query_vector is not None else 0.0
        lexical = max(0.0, 1.0 - self.recency_weight - semantic)
        query = unpack(pack(query_vector)) if query_vector is not None else None
        scored: builtins.list[tuple[float, Row]] = []
        for row in rows:
            relevance = row.rank / best if row.rank is not None and best < 0 else 0.0
            age = max(0.0, now - row.created)
            recency = math.pow(0.5, age / self.recency_half_life)
            similarity = 0.0
            if query is not None and row.embedding is not None:
                similarity = max(0.0, cosine(query, unpack(row.embedding)))
            score = lexical * relevance + semantic * similarity + self.recency_weight * recency
            scored.append((score, row))
        scored.sort(key=lambda pair: (-pair[0], -pair[1].id))
        records: builtins.list[MemoryRecord] = []
        seen: set[str] = set()
        for score, row in scored:
            if row.text in seen:
                continue
            seen.add(row.text)
            records.append(_record(row, round(score, 6)))
            if len(records) >= limit:
                break
        return records

    # -- embeddings -----------------------------------------------------------------------------

    def _embed_sync(self, texts: builtins.list[str]) -> builtins.list[Vector]:
        assert self.embedder is not None
        result: Any = self.embedder(texts)
        if inspect.isawaitable(result):
            from crewkit._sync import run_sync

            awaitable = result

            async def wait() -> Any:
                return await awaitable

            result = run_sync(wait)
        return check_vectors(result, len(texts))

    async def _embed_async(self, texts: builtins.list[str]) -> builtins.list[Vector]:
        embedder = self.embedder
        assert embedder is not None
        if _is_async(embedder):
            result: Any = embedder(texts)
        else:  # a local model may take a while: keep the event loop free
            result = await asyncio.to_thread(embedder, texts)
        if inspect.isawaitable(result):
            result = await result
        return check_vectors(result, len(texts))

    # -- management -----------------------------------------------------------------------------

    def list(self, kind: Kind = "all", limit: int = 20) -> builtins.list[MemoryRecord]:
        """The newest ``limit`` memories of ``kind``, newest first (for ``crewkit memory show``)."""
        rows = self._store.listing(_stored_kinds([kind]), limit=limit)
        return [_record(r) for r in rows]

    def entities(self) -> dict[str, int]:
        """Every entity memory knows about, with its number of facts, most facts first."""
        return self._store.entity_counts()

    def facts(self, entity: str, limit: int = 50) -> builtins.list[MemoryRecord]:
        """Facts about ``entity`` (case-insensitive), newest first."""
        rows = self._store.listing(("entity",), limit=limit, entity=entity.strip())
        return [_record(r) for r in rows]

    def count(self, kind: Kind = "all") -> int:
        """How many memories of ``kind`` are stored."""
        return self._store.count(_stored_kinds([kind]))

    def reset(self, kind: Kind = "all") -> int:
        """Forget every memory of ``kind``; returns how many were removed."""
        return self._store.delete(_stored_kinds([kind]))

    def forget_run(self, run_id: str) -> int:
        """Drop the short-term memories of one run (done when the run ends)."""
        return self._store.delete(("short_term",), run_id=run_id)

    def close(self) -> None:
        """Close the file; using the memory again reopens it."""
        self._store.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Memory(path={self.path!r})"


def _stored_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    kinds = [kinds] if isinstance(kinds, str) else builtins.list(kinds)
    out: builtins.list[str] = []
    for kind in kinds:
        if kind == "all":
            return _ALL_STORED
        if kind not in _STORED:
            raise ConfigurationError(
                f"memory kind must be 'short_term', 'long_term', 'entities' or 'all', got {kind!r}"
            )
        out.append(_STORED[kind])
    return tuple(out)


def _record(row: Row, score: float | None = None) -> MemoryRecord:
    return MemoryRecord(
        id=row.id,
        kind=row.kind,
        text=row.text,
        source=row.source,
        task=row.task,
        entity=row.entity,
        run_id=row.run_id,
        created=row.created,
        score=score,
    )


def _with_vectors(rows: Sequence[NewRow], vectors: Sequence[Vector]) -> builtins.list[NewRow]:
    from dataclasses import replace

    return [replace(row, embedding=pack(v)) for row, v in zip(rows, vectors, strict=True)]


def _is_async(fn: object) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object with an async __call__
    )
