"""Splitting a document's text into chunks a search can return and a prompt can hold.

Chunks end on a paragraph, line or sentence boundary when one is near, and consecutive chunks share
``overlap`` characters so a fact split across the boundary is whole in one of them.
"""

from __future__ import annotations

from collections.abc import Iterator

_BREAKS = ("\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ")


def chunks(text: str, size: int, overlap: int) -> Iterator[str]:
    """Pieces of ``text`` of at most ``size`` characters, overlapping by about ``overlap``."""
    text = text.strip()
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            end = _break_before(text, start, end)
        piece = text[start:end].strip()
        if piece:
            yield piece
        if end >= len(text):
            break
        start = max(start + 1, _word_start(text, end - overlap, end)) if overlap else end


def _break_before(text: str, start: int, end: int) -> int:
    """The best place to cut ``text[start:end]``: the last strong boundary in its second half."""
    floor = start + (end - start) // 2
    for mark in _BREAKS:
        cut = text.rfind(mark, floor, end)
        if cut != -1:
            return cut + len(mark)
    return end


def _word_start(text: str, index: int, limit: int) -> int:
    """``index`` moved forward to the start of a word (not past ``limit``), so an overlap does not
    begin mid-word."""
    while 0 < index < limit and not text[index - 1].isspace():
        index += 1
    return index
