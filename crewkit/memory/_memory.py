"""Memory: the crew's shared store of what it learned — this run, earlier runs, and named things."""

from __future__ import annotations

import asyncio
import builtins
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from crewkit._fts import terms
from crewkit._numbers import is_whole
from crewkit.errors import ConfigurationError
from crewkit.memory._embed import Embedder, Vector, aembed, embed
from crewkit.memory._ranking import candidates, rank
from crewkit.memory._records import Kind, MemoryRecord, stored_kinds
from crewkit.memory._saving import new_rows, with_vectors
from crewkit.memory._store import NewRow, Store


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
        kind: Kind | Sequence[Kind] = "long_term",
        source: str = "user",
        entity: str | None = None,
        task: str = "",
        run_id: str = "",
        extract_entities: bool = True,
    ) -> int:
        """Remember ``text``; returns how many records were stored.

        ``entity=`` also files it as a fact about that entity; with ``extract_entities`` every
        sentence naming a ticker or a capitalised name becomes a fact about it as well (rules in
        :mod:`crewkit.memory._entities`). ``kind="entities"`` stores only entity facts. Several
        kinds, e.g. ``("short_term", "long_term")``, store the text under each and its facts once.
        """
        rows = self._rows(text, kind, source, entity, task, run_id, extract_entities)
        if self.embedder is not None and rows:
            rows = with_vectors(rows, embed(self.embedder, [r.text for r in rows]))
        return len(self._store.insert(rows))

    async def asave(
        self,
        text: str,
        *,
        kind: Kind | Sequence[Kind] = "long_term",
        source: str = "user",
        entity: str | None = None,
        task: str = "",
        run_id: str = "",
        extract_entities: bool = True,
    ) -> int:
        """:meth:`save` without blocking the event loop."""
        rows = self._rows(text, kind, source, entity, task, run_id, extract_entities)
        if self.embedder is not None and rows:
            rows = with_vectors(rows, await aembed(self.embedder, [r.text for r in rows]))
        return len(await asyncio.to_thread(self._store.insert, rows))

    def _rows(
        self,
        text: str,
        kind: Kind | Sequence[Kind],
        source: str,
        entity: str | None,
        task: str,
        run_id: str,
        extract: bool,
    ) -> builtins.list[NewRow]:
        kinds = (kind,) if isinstance(kind, str) else tuple(kind)
        return new_rows(
            text,
            kinds,
            source=source,
            entity=entity,
            task=task,
            run_id=run_id,
            extract=extract,
            now=self._clock(),
        )

    # -- searching ------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        kinds: Iterable[Kind] = ("short_term", "long_term", "entities"),
        run_id: str = "",
        exclude_run_long_term: bool = False,
    ) -> builtins.list[MemoryRecord]:
        """The memories most relevant to ``query``, best first: bm25 over the words, plus recency,
        plus embedding similarity when there is an embedder. Short-term memories count only for
        the run ``run_id`` that saved them; ``exclude_run_long_term`` leaves out the long-term
        copies that run made of its own results (it already has them)."""
        stored = stored_kinds(kinds)
        vector = embed(self.embedder, [query])[0] if self.embedder is not None else None
        return self._find(query, stored, run_id, exclude_run_long_term, vector, limit)

    async def asearch(
        self,
        query: str,
        *,
        limit: int = 5,
        kinds: Iterable[Kind] = ("short_term", "long_term", "entities"),
        run_id: str = "",
        exclude_run_long_term: bool = False,
    ) -> builtins.list[MemoryRecord]:
        """:meth:`search` without blocking the event loop."""
        stored = stored_kinds(kinds)
        vector = (await aembed(self.embedder, [query]))[0] if self.embedder is not None else None
        return await asyncio.to_thread(
            self._find, query, stored, run_id, exclude_run_long_term, vector, limit
        )

    def _find(
        self,
        query: str,
        kinds: tuple[str, ...],
        run_id: str,
        exclude: bool,
        vector: Vector | None,
        limit: int,
    ) -> builtins.list[MemoryRecord]:
        """The search both :meth:`search` and :meth:`asearch` run, once the query is embedded."""
        rows = candidates(self._store, terms(query), kinds, run_id, exclude, vector is not None)
        return rank(
            rows,
            vector,
            limit,
            now=self._clock(),
            recency_half_life=self.recency_half_life,
            recency_weight=self.recency_weight,
            semantic_weight=self.semantic_weight,
        )

    # -- management -----------------------------------------------------------------------------

    def list(self, kind: Kind = "all", limit: int = 20) -> builtins.list[MemoryRecord]:
        """The newest ``limit`` memories of ``kind``, newest first (for ``crewkit memory show``)."""
        rows = self._store.listing(stored_kinds([kind]), limit=limit)
        return [r.record for r in rows]

    def entities(self) -> dict[str, int]:
        """Every entity memory knows about, with its number of facts, most facts first."""
        return self._store.entity_counts()

    def facts(self, entity: str, limit: int = 50) -> builtins.list[MemoryRecord]:
        """Facts about ``entity`` (case-insensitive), newest first."""
        rows = self._store.listing(("entity",), limit=limit, entity=entity.strip())
        return [r.record for r in rows]

    def count(self, kind: Kind = "all") -> int:
        """How many memories of ``kind`` are stored."""
        return self._store.count(stored_kinds([kind]))

    def reset(self, kind: Kind = "all") -> int:
        """Forget every memory of ``kind``; returns how many were removed."""
        return self._store.delete(stored_kinds([kind]))

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
