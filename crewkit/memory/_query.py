"""Free text → an FTS5 query. Words are quoted, so nothing a model or user writes is read as FTS5
syntax (``NEAR``, ``*``, column filters), and any shared word can match (OR), ranked by bm25."""

from __future__ import annotations

import re

MAX_TERMS = 24
"""More terms make a query slower without making the top results better."""

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


def fts_query(text: str) -> str | None:
    """An FTS5 ``MATCH`` expression matching any of the words of ``text``; ``None`` when it has none."""
    words = terms(text)
    if not words:
        return None
    return " OR ".join(f'"{w}"' for w in words)
