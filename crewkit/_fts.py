"""Free text → an SQLite FTS5 query that stays fast on a large index (memory and knowledge).

Words are quoted, so nothing a model or user writes is read as FTS5 syntax (``NEAR``, ``*``, column
filters), and any shared word can match (OR), ranked by bm25. A word found in a large share of the
rows says little about relevance (bm25 gives it a tiny weight) but costs the most, since every row
holding it must be scored. So the query keeps the rarest words, within a budget of matches to score;
when even the rarest word is everywhere, a store that grows over time (memory) searches only its
newest rows for it.

Each index keeps a ``terms(term, docs)`` table of how many rows hold each word (:func:`words_of`),
updated as rows are added and removed.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

MAX_TERMS = 24
"""Words taken from the query text, at most."""
MATCH_BUDGET = 1000
"""Rows (postings) scored per search, about; keeps a search near a millisecond at any size."""

_WORD = re.compile(r"\w+", re.UNICODE)

_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves give make use using write find
    describe provide based include including list task answer output expected result results
    """.split()  # noqa: SIM905 - a word list reads best as text
)


def terms(text: str) -> list[str]:
    """The words of ``text`` worth searching for, lower-cased, in order of first use."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) < 2 or word in _STOPWORDS or (word.isdigit() and len(word) < 4):
            continue
        seen.setdefault(word)
        if len(seen) >= MAX_TERMS:
            break
    return list(seen)


@dataclass(frozen=True)
class MatchPlan:
    """What to ask FTS5: a ``MATCH`` expression and the lowest row id worth searching."""

    match: str
    min_id: int


def words_of(text: str) -> set[str]:
    """The distinct searchable words of a stored text, as counted in a ``terms`` table."""
    return {w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in _STOPWORDS}


def match_plan(
    conn: sqlite3.Connection,
    words: list[str],
    *,
    newest_of: str | None = None,
    budget: int | None = None,
) -> MatchPlan | None:
    """Choose the rarest of ``words`` within ``budget`` postings (default :data:`MATCH_BUDGET`);
    ``None`` when there are none.

    How many rows hold a word comes from the ``terms`` table, kept as rows are added and removed (an
    index lookup, where FTS5's own vocabulary would walk the whole list of a common word). A word not
    in the table may still match through its stem; it counts as rare. With ``newest_of`` (a table
    name), a query whose rarest word is still over budget searches only that table's newest rows.
    """
    if not words:
        return None
    budget = MATCH_BUDGET if budget is None else budget
    marks = ", ".join("?" for _ in words)
    counts = dict(conn.execute(f"SELECT term, docs FROM terms WHERE term IN ({marks})", words))
    chosen: list[str] = []
    total = 0
    for word in sorted(words, key=lambda w: counts.get(w, 0)):
        frequency = int(counts.get(word, 0))
        if chosen and total + frequency > budget:
            break
        chosen.append(word)
        total += frequency
    min_id = 0
    if newest_of is not None and total > budget:  # the rarest word is everywhere: newest rows only
        newest = conn.execute(f"SELECT max(rowid) FROM {newest_of}").fetchone()[0] or 0
        min_id = max(0, newest - int(newest * budget / total))
    return MatchPlan(match=" OR ".join(f'"{w}"' for w in chosen), min_id=min_id)
