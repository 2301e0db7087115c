"""A run's events as JSON: one flat object per event, for ``crewkit kickoff --trace run.jsonl``.

``{"seq": 7, "type": "ToolCallStarted", "run_id": ..., "span_id": ..., "parent_id": ...,
"timestamp": ..., <the event's own fields>}``. Replies keep the cassette's encoding, outputs their
``to_dict()``, errors their type and message (crewkit's errors never carry API keys). A model call's
request is left out: it repeats the whole conversation each call; its reply is kept.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from crewkit.events import Event
from crewkit.llm._cassette import encode_response
from crewkit.llm._types import ModelRequest, ModelResponse, Usage

_LEFT_OUT = frozenset({"request"})


def event_to_dict(event: Event) -> dict[str, Any]:
    """``event`` as plain JSON values."""
    record: dict[str, Any] = {"seq": event.seq, "type": type(event).__name__}
    for item in dataclasses.fields(event):
        if item.name in _LEFT_OUT or item.name == "seq":
            continue
        record[item.name] = _plain(getattr(event, item.name))
    return record


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, ModelResponse):
        return encode_response(value)
    if isinstance(value, Usage):
        return value.as_dict()
    if isinstance(value, BaseException):
        return {"type": type(value).__qualname__, "message": str(value)}
    if isinstance(value, ModelRequest):
        return None
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


class TraceFile:
    """A listener writing every event to a JSON-lines file, a line at a time (flushed), so the
    file is readable while the run goes on and complete up to a crash."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[str] = self.path.open("w", encoding="utf-8")

    def __call__(self, event: Event) -> None:
        line = json.dumps(event_to_dict(event), ensure_ascii=False, default=str)
        self._file.write(line + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()
