"""Batch inputs read one row at a time from a JSON Lines or CSV file, so a file of a million rows
costs no more memory than a file of ten."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crewkit.errors import ConfigurationError

_MAX_LINE = 1 << 20
"""Longest input row accepted (1 MiB): a longer one is a mistake, not an input."""


@dataclass(frozen=True)
class Row:
    """One input of a batch: its place in the source and its inputs."""

    index: int
    """0-based position in the source; rows keep it in the results file."""
    inputs: dict[str, Any]
    """The kickoff inputs of this row."""

    @property
    def key(self) -> str:
        """Identifies the row across reruns: its position and a digest of its inputs, so an edited
        row is run again rather than taken for done."""
        return f"{self.index}:{input_digest(self.inputs)}"


def input_digest(inputs: Mapping[str, Any]) -> str:
    """A short digest of ``inputs`` as canonical JSON."""
    text = json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def rows_of(source: str | Path | Iterable[Mapping[str, Any]]) -> Iterator[Row]:
    """The rows of ``source``: a ``.jsonl``/``.ndjson``/``.json`` file of objects one per line, a
    ``.csv`` file with a header, or any iterable of dicts (consumed lazily)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ConfigurationError(f"{path}: no such inputs file")
        if path.suffix.lower() == ".csv":
            return _csv_rows(path)
        return _jsonl_rows(path)
    return (_checked(i, each, "inputs") for i, each in enumerate(source))


def count_rows(source: str | Path | Iterable[Mapping[str, Any]]) -> int | None:
    """How many rows a file holds (a streaming count, for the progress bar's ETA); ``None`` for an
    iterable, which cannot be counted without consuming it."""
    if not isinstance(source, (str, Path)):
        return len(source) if isinstance(source, Sized) else None
    path = Path(source)
    with path.open("rb") as file:
        lines = sum(1 for line in file if line.strip())
    return max(lines - 1, 0) if path.suffix.lower() == ".csv" else lines


def _checked(index: int, value: Any, where: str) -> Row:
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            f"{where}: row {index + 1} must be an object of inputs, got {type(value).__name__}"
        )
    return Row(index, {str(k): v for k, v in value.items()})


def _jsonl_rows(path: Path) -> Iterator[Row]:
    index = 0
    with path.open(encoding="utf-8", errors="strict", newline="") as file:
        for number, line in enumerate(file, start=1):
            if len(line) > _MAX_LINE:
                raise ConfigurationError(f"{path}:{number}: row longer than {_MAX_LINE} characters")
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise ConfigurationError(
                    f"{path}:{number}: not a JSON object ({error.msg} at column {error.colno}); "
                    "expected one object of inputs per line"
                ) from None
            yield _checked(index, value, f"{path}:{number}")
            index += 1


def _csv_rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        if not reader.fieldnames:
            raise ConfigurationError(f"{path}:1: a CSV inputs file needs a header row")
        for index, record in enumerate(reader):
            if None in record:
                raise ConfigurationError(
                    f"{path}:{reader.line_num}: more values than the header's "
                    f"{len(reader.fieldnames)} columns"
                )
            yield Row(index, {k: v for k, v in record.items() if v is not None})
