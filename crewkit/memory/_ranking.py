"""How a search picks and orders memories: bm25's best and (with an embedder) the newest are the
candidates, scored by words, recency and meaning; repeated texts are shown once."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from crewkit.memory._embed import Vector, cosine, pack, unpack
from crewkit.memory._records import MemoryRecord
from crewkit.memory._store import Row, Store

CANDIDATES = 40
"""bm25's best this many are re-ranked with recency (and similarity, with an embedder)."""
RECENT_FOR_EMBEDDER = 200
"""With an embedder, the newest this many memories are candidates too, so a memory that shares
no word with the query can still be found by meaning. Older ones need a shared word."""


def candidates(
    store: Store,
    words: list[str],
    kinds: tuple[str, ...],
    run_id: str,
    exclude: bool,
    semantic: bool,
) -> list[Row]:
    """The memories worth scoring for a query of ``words`` (see :meth:`Store.search`)."""
    rows: list[Row] = []
    if words:
        rows = store.search(
            words, kinds=kinds, run_id=run_id, limit=CANDIDATES, exclude_run=exclude
        )
    if semantic:
        found = {r.record.id for r in rows}
        recent = store.recent(
            kinds=kinds, run_id=run_id, limit=RECENT_FOR_EMBEDDER, exclude_run=exclude
        )
        rows.extend(r for r in recent if r.record.id not in found)
    return rows


def rank(
    rows: Sequence[Row],
    query_vector: Vector | None,
    limit: int,
    *,
    now: float,
    recency_half_life: float,
    recency_weight: float,
    semantic_weight: float,
) -> list[MemoryRecord]:
    """The best ``limit`` of ``rows``, each with its score: bm25 relative to the best match, plus
    recency, plus cosine similarity to ``query_vector`` when there is one."""
    if not rows:
        return []
    best = min((r.rank for r in rows if r.rank is not None), default=0.0)
    semantic = semantic_weight if query_vector is not None else 0.0
    lexical = max(0.0, 1.0 - recency_weight - semantic)
    query = unpack(pack(query_vector)) if query_vector is not None else None
    scored: list[tuple[float, Row]] = []
    for row in rows:
        relevance = row.rank / best if row.rank is not None and best < 0 else 0.0
        age = max(0.0, now - row.record.created)
        recency = math.pow(0.5, age / recency_half_life)
        similarity = 0.0
        if query is not None and row.embedding is not None:
            similarity = max(0.0, cosine(query, unpack(row.embedding)))
        score = lexical * relevance + semantic * similarity + recency_weight * recency
        scored.append((score, row))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].record.id))
    records: list[MemoryRecord] = []
    seen: set[str] = set()
    for score, row in scored:
        if row.record.text in seen:
            continue
        seen.add(row.record.text)
        records.append(replace(row.record, score=round(score, 6)))
        if len(records) >= limit:
            break
    return records
