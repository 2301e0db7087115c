"""Reading a YAML file safely, keeping the line of every key so problems can point at it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crewkit.errors import ConfigProblem

FieldPath = tuple[str | int, ...]
"""Where a value sits inside a file: mapping keys and list indexes."""


def format_path(path: FieldPath) -> str:
    """``("agents", "writer", "tools", 1)`` → ``agents.writer.tools[1]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """A "did you mean" hint when one of ``choices`` is close to ``word``, else ``""``."""
    if not isinstance(word, str):
        return ""
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"did you mean {lowered[close[0]]!r}?" if close else ""


def describe(value: object) -> str:
    """How a found value is named in messages: its YAML kind and a short preview."""
    kinds = {dict: "a mapping", list: "a list", str: "text", bool: "a boolean", int: "an integer"}
    kind = "nothing (null)" if value is None else kinds.get(type(value), type(value).__name__)
    if isinstance(value, (dict, list)) or value is None:
        return kind
    preview = repr(value)
    return f"{kind} {preview if len(preview) <= 60 else preview[:57] + '...'}"


@dataclass
class Source:
    """One YAML file: its parsed data and the line of each key, plus the problems found in it."""

    file: Path
    shown_as: str
    problems: list[ConfigProblem]
    data: Any = None
    lines: dict[FieldPath, int] = field(default_factory=dict)
    ok: bool = True

    @property
    def folder(self) -> Path:
        """Where relative module paths in this file are resolved."""
        return self.file.resolve().parent

    def line_of(self, path: FieldPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor whose line is known."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def problem(self, path: FieldPath, message: str, hint: str = "") -> None:
        """Record a problem at ``path`` in this file."""
        self.problems.append(
            ConfigProblem(self.shown_as, self.line_of(path), format_path(path), message, hint)
        )


@dataclass(frozen=True)
class Section:
    """A part of a file: where it is and what it holds."""

    source: Source
    path: FieldPath
    value: Any


def read_yaml(file: Path, problems: list[ConfigProblem]) -> Source:
    """Parse ``file`` with PyYAML's safe loader; syntax errors and duplicate keys become problems."""
    import yaml

    source = Source(file=file, shown_as=str(file), problems=problems)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        source.problem((), "file not found", f"looked in {file.resolve().parent}")
        source.ok = False
        return source
    except (OSError, UnicodeDecodeError) as exc:
        source.problem((), f"cannot read the file: {exc}")
        source.ok = False
        return source
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        source.data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        hint = _syntax_hint(text, line)
        problems.append(ConfigProblem(source.shown_as, line, "", f"invalid YAML: {detail}", hint))
        source.ok = False
        return source
    except yaml.YAMLError as exc:
        source.problem((), f"invalid YAML: {exc}")
        source.ok = False
        return source
    finally:
        loader.dispose()
    if node is not None:
        _record_lines(source, node, ())
    return source


def _syntax_hint(text: str, line: int | None) -> str:
    if line is None:
        return ""
    lines = text.splitlines()
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    if "{" in current or "[" in current:
        return (
            "'{' and '[' start YAML structure: quote text that starts with them or has "
            '{placeholders} inside a { ... } mapping, e.g. goal: "{topic} expert"'
        )
    if "\t" in current:
        return "YAML indentation must use spaces, not tabs"
    return ""


def _record_lines(source: Source, node: Any, path: FieldPath) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                source.lines.setdefault(child, key_node.start_mark.line + 1)
                source.problems.append(
                    ConfigProblem(
                        source.shown_as,
                        key_node.start_mark.line + 1,
                        format_path(child),
                        "duplicate key: the later one would silently replace the earlier one",
                        "remove or rename one of them",
                    )
                )
                continue
            seen.add(key)
            source.lines[child] = key_node.start_mark.line + 1
            _record_lines(source, value_node, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child_path: FieldPath = (*path, index)
            source.lines[child_path] = item.start_mark.line + 1
            _record_lines(source, item, child_path)
