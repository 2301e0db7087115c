"""Which named things a text is about: the rule entity memory uses, kept simple and predictable.

An entity fact is one sentence that names the entity. Entities are found by these rules only:

1. **Explicit**: ``save_memory(text, entity="ACME")`` or ``Memory.save(..., entity=...)`` always wins.
2. **Tickers**: cashtags (``$AAPL``), exchange-qualified symbols (``NASDAQ: AAPL``, ``NYSE:IBM``), and
   bare all-capital words of 2–5 letters (``MSFT``) unless they are common abbreviations (``CEO``,
   ``USA``, ``EPS``, …; see ``NOT_TICKERS``).
3. **Names**: two to five consecutive capitalised words (``Tim Cook``, ``Goldman Sachs``,
   ``Apple Inc``), after dropping leading words such as ``The`` or ``In`` that are capitalised only
   because they start a sentence.

A single capitalised word (``Apple``) is not an entity on its own: at the start of a sentence it cannot
be told apart from an ordinary word. Name it explicitly, or write ``Apple Inc``. Expect some noise
(a title like ``Quarterly Report`` is a "name"); facts are only recalled when a query matches them.
"""

from __future__ import annotations

import re

MAX_FACT_CHARS = 300
MAX_FACTS_PER_TEXT = 20

NOT_TICKERS = frozenset(
    """
    AI API APR ARPU ATH BPS CAGR CEO CFO COO CPI CTO CSV DCF EBIT EPS ESG ETF EU EUR FAQ FCF FX FY GAAP
    GBP GDP HR HTML HTTP ID II III IPO IRR IT JPY JSON KPI LLC LLM LTD ML MOM NA NB NFT NOTE OK PC PDF
    PE PEG PLC PM PR QA QOQ ROA ROE ROI SEC SQL TBD TLDR TTM UI UK UN URL US USA USD UTC VC VP WACC
    YOY YTD AM CD CA NY EV EVS RND TODO AND OR NOT THE FOR
    NASDAQ NYSE AMEX LSE TSX ASX HKEX XETRA
    """.split()  # noqa: SIM905 - a word list reads best as text
)
"""All-capital words that are abbreviations far more often than tickers."""

_LEADING = frozenset(
    """
    A An And As At But By For From He However If In It Its Meanwhile Of On Our She So That The Their
    Then There These They This Those To We When While With
    """.split()  # noqa: SIM905 - a word list reads best as text
)

_CASHTAG = re.compile(r"\$([A-Z]{1,5}(?:\.[A-Z])?)\b")
_EXCHANGE = re.compile(
    r"\b(?:NASDAQ|NYSE|AMEX|LSE|TSX|ASX|HKEX|XETRA|EURONEXT)\s*:\s*([A-Z]{1,5}(?:\.[A-Z])?)\b"
)
_CAPS = re.compile(r"(?<![\w$])([A-Z]{2,5})(?![\w])")
_NAME = re.compile(r"\b[A-Z][\w'’&-]*(?:[ \t]+[A-Z][\w'’&-]*){1,5}")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def find_entities(text: str) -> list[str]:
    """Entities named in ``text`` by the rules above, each once, in order of first mention."""
    found: dict[str, str] = {}

    def add(name: str) -> None:
        name = name.strip(" .,;:'\"")
        if name:
            found.setdefault(name.lower(), name)

    for pattern in (_CASHTAG, _EXCHANGE):
        for match in pattern.finditer(text):
            add(match.group(1))
    for match in _CAPS.finditer(text):
        if match.group(1) not in NOT_TICKERS:
            add(match.group(1))
    for match in _NAME.finditer(text):
        name = _name(match.group(0).split())
        if name:
            add(name)
    return list(found.values())


def _name(words: list[str]) -> str | None:
    """A run of capitalised words as a name: leading sentence words and trailing abbreviations
    dropped, cut after a possessive (``Apple Inc's CEO`` names ``Apple Inc``)."""
    while words and words[0].rstrip(",.") in _LEADING:
        words.pop(0)
    kept: list[str] = []
    for word in words:
        bare = word.rstrip(",.;:")
        for suffix in ("'s", "’s"):
            if bare.endswith(suffix):
                kept.append(bare[: -len(suffix)])
                break
        else:
            kept.append(bare)
            continue
        break
    while kept and kept[-1] in NOT_TICKERS:
        kept.pop()
    if len(kept) >= 2 and not all(w.isupper() for w in kept):
        return " ".join(kept)
    return None


def entity_facts(text: str) -> list[tuple[str, str]]:
    """``(entity, sentence)`` pairs: every sentence of ``text`` with each entity it names."""
    facts: list[tuple[str, str]] = []
    for sentence in _SENTENCE.split(text):
        sentence = sentence.strip(" -*#\t")
        if not sentence:
            continue
        for name in find_entities(sentence):
            facts.append((name, sentence[:MAX_FACT_CHARS]))
            if len(facts) >= MAX_FACTS_PER_TEXT:
                return facts
    return facts
