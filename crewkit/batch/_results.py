"""The results file: one JSON line per finished run, appended as each run completes, and read back
on a rerun so that finished rows are skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO

from crewkit.errors import ConfigurationError


def done_keys(path: Path) -> set[str]:
    """Keys of the rows already in ``path``. A last line cut short by a crash is removed, so the
    file stays valid JSON Lines and that row runs again."""
    if not path.exists():
        return set()
    if not path.is_file():
        raise ConfigurationError(f"{path}: the results path is not a regular file")
    _drop_partial_tail(path)
    keys: set[str] = set()
    with path.open(encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                key = json.loads(line)["key"]
            except (json.JSONDecodeError, KeyError, TypeError):
                raise ConfigurationError(
                    f"{path}:{number}: not a crewkit batch result (no 'key'); "
                    "choose another --out file"
                ) from None
            keys.add(str(key))
    return keys


def _drop_partial_tail(path: Path) -> None:
    with path.open("rb+") as file:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        if size == 0:
            return
        file.seek(size - 1)
        if file.read(1) == b"\n":
            return
        # Walk back to the last complete line; everything after it was a write cut short.
        step = 4096
        end = size
        while end > 0:
            start = max(0, end - step)
            file.seek(start)
            chunk = file.read(end - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                file.truncate(start + cut + 1)
                return
            end = start
        file.truncate(0)


class ResultWriter:
    """Appends result rows, one whole line per write, flushed at once: a crash loses at most the
    runs still in flight, never a finished one."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file: TextIO = path.open("a", encoding="utf-8")

    def write(self, row: dict[str, Any]) -> None:
        line = json.dumps(row, ensure_ascii=False, default=str)
        self._file.write(line.encode("utf-8", "replace").decode("utf-8") + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()
