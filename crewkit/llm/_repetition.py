"""Cutting a reply that repeats itself.

Small models fall into loops ("The final answer is: The final answer is: ...") and write until the
token limit. :class:`RepetitionGuard` watches the text as it streams and says stop when a phrase
comes back a third time in a row, or a whole sentence comes back at all; :attr:`RepetitionGuard.text`
then keeps the first copy only.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?](?=[\s\"])")
"""A sentence ends at ., ! or ? followed by a space, or by a quote (the end of a JSON string)."""


class RepetitionGuard:
    """Feed it the streamed pieces; :meth:`feed` returns ``True`` when the reply loops."""

    def __init__(self, *, min_period: int = 8, max_period: int = 200, min_sentence: int = 20):
        self.min_period = min_period
        """Shortest phrase whose back-to-back repetition counts as a loop."""
        self.max_period = max_period
        """Longest such phrase checked."""
        self.min_sentence = min_sentence
        """Shortest sentence whose second appearance counts as a loop."""
        self._text = ""
        self._cut_at: int | None = None
        self._sentence_start = 0
        self._sentences: set[str] = set()

    @property
    def looped(self) -> bool:
        """Whether a loop was found."""
        return self._cut_at is not None

    @property
    def text(self) -> str:
        """Everything fed so far, or up to the end of the first copy once a loop was found."""
        return self._text if self._cut_at is None else self._text[: self._cut_at].rstrip()

    def feed(self, piece: str) -> bool:
        """Add ``piece``; ``True`` when the text now loops (generation should stop)."""
        if self._cut_at is not None:
            return True
        self._text += piece
        self._cut_at = self._phrase_loop()
        if self._cut_at is None:
            self._cut_at = self._sentence_loop()
        return self._cut_at is not None

    def _phrase_loop(self) -> int | None:
        text, end = self._text, len(self._text)
        last = text[-1:] if text else ""
        for period in range(self.min_period, min(self.max_period, end // 3) + 1):
            if text[end - 1 - period] != last or text[end - 1 - 2 * period] != last:
                continue
            unit = text[end - period :]
            if not any(c.isalpha() for c in unit):
                continue  # rules of dashes, table borders, digits: layout or data, not a loop
            if (
                text[end - 2 * period : end - period]
                == unit
                == text[end - 3 * period : end - 2 * period]
            ):
                return end - 2 * period
        return None

    def _sentence_loop(self) -> int | None:
        for match in _SENTENCE_END.finditer(self._text, self._sentence_start):
            start, end = self._sentence_start, match.end()
            self._sentence_start = end
            quote = self._text.rfind('"', start, end)
            if quote >= 0:  # inside JSON: the sentence starts after the string's opening quote
                start = quote + 1
            sentence = " ".join(self._text[start:end].split()).casefold()
            if len(sentence) < self.min_sentence:
                continue
            if sentence in self._sentences:
                return start
            self._sentences.add(sentence)
        return None
