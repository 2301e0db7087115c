"""Record and replay model exchanges, so a run against a real model becomes a deterministic test.

A cassette is a JSON-lines file, one exchange per line: the model's label, the request and the
response, each as canonical JSON. Recording writes every exchange of the runs inside it; replaying
answers each request with the recorded response for an identical request (same model, same
messages, tools, schema, stop and temperature), with no network, and raises
:class:`~crewkit.errors.CassetteMismatchError` for a request that was never recorded.

Turn it on with ``with crewkit.llm.cassette("run.jsonl", mode="record"):`` or, for a whole process,
``CREWKIT_CASSETTE=run.jsonl`` (``CREWKIT_CASSETTE_MODE=record|replay``; by default it replays when
the file exists and records otherwise). A run's model gateway consults the active cassette on
every model call; the cassette itself only reads and writes the tape.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from crewkit.errors import CassetteMismatchError, ConfigurationError
from crewkit.llm._base import LLM
from crewkit.llm._types import (
    Message,
    ModelRequest,
    ModelResponse,
    ToolCall,
    ToolSpec,
    Usage,
)

Mode = Literal["record", "replay"]


class Cassette:
    """One cassette file in one mode. Thread-safe; use :func:`cassette` to make it active."""

    def __init__(self, path: str | os.PathLike[str], mode: Mode) -> None:
        if mode not in ("record", "replay"):
            raise ConfigurationError(f"cassette mode must be 'record' or 'replay', got {mode!r}")
        self.path = Path(path)
        """The JSON-lines file."""
        self.mode: Mode = mode
        """``record`` or ``replay``."""
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []
        self._used: list[bool] = []
        if mode == "replay":
            if not self.path.is_file():
                raise ConfigurationError(
                    f"cassette {str(self.path)!r} does not exist; record it first"
                )
            lines = self.path.read_text(encoding="utf-8").splitlines()
            try:
                self._entries = [json.loads(line) for line in lines if line.strip()]
            except ValueError as exc:
                raise ConfigurationError(
                    f"cassette {str(self.path)!r} is not JSON lines: {exc}"
                ) from exc
            self._used = [False] * len(self._entries)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text("", encoding="utf-8")

    @property
    def unused(self) -> int:
        """Recorded exchanges not replayed yet."""
        return self._used.count(False)

    def assert_complete(self) -> None:
        """Fail if some recorded exchanges were never asked for."""
        if self.unused:
            raise AssertionError(
                f"{self.unused} recorded exchanges in {self.path} were not replayed"
            )

    def record(self, llm: LLM, request: ModelRequest, response: ModelResponse) -> None:
        """Write one exchange down (record mode)."""
        entry = {"model": llm.label, "request": encode_request(request)}
        line = _dumps({**entry, "response": encode_response(response)})
        with self._lock, self.path.open("a", encoding="utf-8") as tape:
            tape.write(line + "\n")

    def replay(self, llm: LLM, request: ModelRequest) -> ModelResponse:
        """The recorded response to an identical request (replay mode), each recording used once."""
        key = encode_request(request)
        with self._lock:
            for index, entry in enumerate(self._entries):
                if (
                    not self._used[index]
                    and entry["model"] == llm.label
                    and entry["request"] == key
                ):
                    self._used[index] = True
                    return decode_response(entry["response"])
            expected = next(
                (e for e, used in zip(self._entries, self._used, strict=True) if not used), None
            )
        raise CassetteMismatchError(
            f"request not in cassette {str(self.path)!r}: {_difference(llm.label, key, expected)}",
            provider=llm.provider,
            model=llm.model,
        )


def _difference(label: str, key: dict[str, Any], expected: dict[str, Any] | None) -> str:
    if expected is None:
        return "every recorded exchange has been replayed already"
    if expected["model"] != label:
        return f"next recorded model is {expected['model']!r}, this request is for {label!r}"
    where, want, got = _first_difference(expected["request"], key, "request")
    return (
        f"{where} differs from the next recorded request:\n"
        f"  recorded: {_dumps(want)[:400]}\n  now:      {_dumps(got)[:400]}"
    )


def _first_difference(want: Any, got: Any, where: str) -> tuple[str, Any, Any]:
    """The path to the first place two JSON values differ, and the values there."""
    if isinstance(want, dict) and isinstance(got, dict):
        for name in sorted(set(want) | set(got)):
            if want.get(name) != got.get(name):
                return _first_difference(want.get(name), got.get(name), f"{where}.{name}")
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for index, (a, b) in enumerate(zip(want, got, strict=True)):
            if a != b:
                return _first_difference(a, b, f"{where}[{index}]")
    return where, want, got


_stack: list[Cassette] = []
_env_cassettes: dict[tuple[str, str], Cassette] = {}
_env_lock = threading.Lock()


@contextmanager
def cassette(path: str | os.PathLike[str], mode: Mode = "replay") -> Iterator[Cassette]:
    """Record or replay every model call made inside the ``with`` block (in any thread)."""
    tape = Cassette(path, mode)
    _stack.append(tape)
    try:
        yield tape
    finally:
        _stack.remove(tape)


def active_cassette() -> Cassette | None:
    """The innermost :func:`cassette`, else the one ``CREWKIT_CASSETTE`` names, else ``None``."""
    if _stack:
        return _stack[-1]
    path = os.environ.get("CREWKIT_CASSETTE", "").strip()
    if not path:
        return None
    setting = os.environ.get("CREWKIT_CASSETTE_MODE", "").strip().lower()
    if setting not in ("", "record", "replay"):
        raise ConfigurationError(
            f"CREWKIT_CASSETTE_MODE must be 'record' or 'replay', got {setting!r}"
        )
    with _env_lock:
        # Resolved once per path and setting: a tape being recorded must not turn into a replay
        # as soon as its first line is written.
        tape = _env_cassettes.get((path, setting))
        if tape is None:
            exists = Path(path).is_file() and Path(path).stat().st_size > 0
            mode: Mode = "replay" if setting == "replay" or (not setting and exists) else "record"
            tape = _env_cassettes[(path, setting)] = Cassette(path, mode)
        return tape


# -- canonical JSON --------------------------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def encode_message(m: Message) -> dict[str, Any]:
    """One message as plain JSON values (cassettes and the run journal write it so)."""
    return {
        "role": m.role,
        "content": m.content,
        "tool_calls": [_call(c) for c in m.tool_calls],
        "tool_call_id": m.tool_call_id,
        "name": m.name,
        **({"quoted": True} if m.quoted else {}),  # absent when false: older hashes still match
    }


def encode_tool(t: ToolSpec) -> dict[str, Any]:
    """A tool as a model is shown it, as plain JSON values."""
    return {"name": t.name, "description": t.description, "parameters": t.parameters}


def _call(c: ToolCall) -> dict[str, Any]:
    return {"name": c.name, "arguments": dict(c.arguments), "id": c.id, "raw": c.raw_arguments}


def encode_request(request: ModelRequest) -> dict[str, Any]:
    """What identifies a request: everything but the tracing metadata and the reply cap a run's
    budget set, as plain JSON values."""
    schema = request.response_schema
    # A JSON round trip makes tuples lists, so a fresh request compares equal to a loaded one.
    loaded: dict[str, Any] = json.loads(
        _dumps(
            {
                "messages": [encode_message(m) for m in request.messages],
                "tools": [encode_tool(t) for t in request.tools],
                "response_schema": None
                if schema is None
                else {"name": schema.name, "schema": schema.schema},
                "stop": list(request.stop),
                "temperature": request.temperature,
            }
        )
    )
    return loaded


def encode_response(response: ModelResponse) -> dict[str, Any]:
    """A response as plain JSON values."""
    return {
        "text": response.text,
        "tool_calls": [_call(c) for c in response.tool_calls],
        "prompt_tokens": response.usage.prompt_tokens,
        "completion_tokens": response.usage.completion_tokens,
        "finish_reason": response.finish_reason,
        "model": response.model,
    }


def decode_response(data: dict[str, Any]) -> ModelResponse:
    """The inverse of :func:`encode_response`."""
    return ModelResponse(
        text=data["text"],
        tool_calls=tuple(
            ToolCall(c["name"], c["arguments"], id=c["id"], raw_arguments=c["raw"])
            for c in data["tool_calls"]
        ),
        usage=Usage(data["prompt_tokens"], data["completion_tokens"]),
        finish_reason=data["finish_reason"],
        model=data["model"],
    )
