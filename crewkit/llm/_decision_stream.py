"""Streaming the constrained "decision" replies of schema-tool models.

Such a model answers with ``{"final_answer": "..."}`` or ``{"tool": "name", "arguments": {...}}``
(see ``_schema_tools``). Shown raw, a streamed reply would be JSON punctuation; this decoder reads it
as it arrives and hands out the answer's decoded characters, and the arguments' JSON text, so a reader
sees the answer being written and the call being formed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from crewkit.llm._types import StreamItem, TextDelta, ToolCallChunk

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass
class Pieces:
    """What one chunk of reply text added."""

    text: str = ""
    """New characters of the final answer (a string answer only)."""
    arguments: str = ""
    """New JSON text of the tool call's arguments."""
    tool: str | None = None
    """The tool's name, once it has been read completely."""


@dataclass
class DecisionDecoder:
    """Feed the reply chunk by chunk; each :meth:`feed` returns what became readable."""

    _depth: int = 0
    _in_string: bool = False
    _escape: bool = False
    _unicode: str | None = None
    _high: int | None = None  # pending high surrogate of a \\uXXXX pair
    _expect_key: bool = True
    _key: list[str] = field(default_factory=list)
    _current: str | None = None  # the top-level key whose value is being read
    _value_string: list[str] = field(default_factory=list)
    _top_string: str | None = None  # "key" or "value" while a top-level string is open
    answer: list[str] = field(default_factory=list)
    """Every answer character handed out so far."""

    def feed(self, chunk: str) -> Pieces:
        out = Pieces()
        text: list[str] = []
        args: list[str] = []
        for char in chunk:
            if self._current == "arguments" and (self._depth >= 2 or char in "{["):
                args.append(char)
            self._step(char, text, out)
        out.text = "".join(text)
        out.arguments = "".join(args)
        self.answer.append(out.text)
        return out

    def _step(self, char: str, text: list[str], out: Pieces) -> None:
        if self._in_string:
            decoded = self._string_char(char)
            if decoded is None:
                return
            if decoded == "":  # closing quote
                self._close_string(out)
                return
            if self._depth == 1 and self._top_string == "key":
                self._key.append(decoded)
            elif self._depth == 1 and self._top_string == "value":
                if self._current == "final_answer":
                    text.append(decoded)
                elif self._current == "tool":
                    self._value_string.append(decoded)
            return
        if char == '"':
            self._in_string = True
            if self._depth == 1:
                self._top_string = "key" if self._expect_key else "value"
                self._key = [] if self._expect_key else self._key
                self._value_string = []
            return
        if char in "{[":
            self._depth += 1
            if self._depth == 1:
                self._expect_key = True
        elif char in "}]":
            self._depth -= 1
            if self._depth == 1 and self._current == "arguments":
                self._current = None
        elif self._depth == 1 and char == ":":
            self._current = "".join(self._key)
            self._expect_key = False
        elif self._depth == 1 and char == ",":
            self._current = None
            self._expect_key = True

    def _string_char(self, char: str) -> str | None:
        """The character a string contributes: ``""`` at its closing quote, ``None`` for nothing."""
        if self._unicode is not None:
            self._unicode += char
            if len(self._unicode) < 4:
                return None
            try:
                code = int(self._unicode, 16)
            except ValueError:
                code = 0xFFFD
            self._unicode = None
            if 0xD800 <= code < 0xDC00:
                self._high = code
                return None
            if 0xDC00 <= code < 0xE000 and self._high is not None:
                code = 0x10000 + ((self._high - 0xD800) << 10) + (code - 0xDC00)
            self._high = None
            return chr(code)
        if self._escape:
            self._escape = False
            if char == "u":
                self._unicode = ""
                return None
            return _ESCAPES.get(char, char)
        if char == "\\":
            self._escape = True
            return None
        if char == '"':
            self._in_string = False
            return ""
        return char

    def _close_string(self, out: Pieces) -> None:
        if self._depth == 1 and self._top_string == "value" and self._current == "tool":
            out.tool = "".join(self._value_string)
        self._top_string = None


class DecisionStream:
    """A constrained reply's stream items: its answer as text, its call as tool-call chunks."""

    def __init__(self, call_id: str) -> None:
        self.decoder = DecisionDecoder()
        self.call_id = call_id
        self.raw: list[str] = []
        """The reply's JSON text so far."""
        self._named = False

    def feed(self, chunk: str) -> Iterator[StreamItem]:
        """The items ``chunk`` (the next piece of the reply's JSON) makes readable."""
        self.raw.append(chunk)
        pieces = self.decoder.feed(chunk)
        if pieces.text:
            yield TextDelta(pieces.text)
        if pieces.tool is not None and not self._named:
            self._named = True
            yield ToolCallChunk(0, id=self.call_id, name=pieces.tool)
        if pieces.arguments:
            yield ToolCallChunk(0, id=self.call_id, arguments=pieces.arguments)
