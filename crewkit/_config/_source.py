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
        for end in range(len(path), -1, -1):
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


MAX_BYTES = 1_000_000
"""Largest crew file read: real ones are a few kilobytes; this stops ``/dev/zero`` and friends."""
MAX_VALUES = 20_000
"""Most values a file may hold once its aliases are expanded (a real crew has a few hundred); a
"billion laughs" file of nested aliases is refused at this budget instead of filling memory."""
MAX_DEPTH = 50
"""Deepest nesting of mappings and lists (a crew file needs fewer than ten levels)."""


def read_yaml(file: Path, problems: list[ConfigProblem]) -> Source:
    """Parse ``file`` with PyYAML's safe loader, bounded: a regular file of at most
    :data:`MAX_BYTES` bytes of UTF-8, whose aliases expand to at most :data:`MAX_VALUES` values, with
    no alias inside itself. Every violation, syntax error and duplicate key becomes a problem."""
    import yaml

    source = Source(file=file, shown_as=str(file), problems=problems)
    text = _read_text(source)
    if text is None:
        source.ok = False
        return source
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is not None and not _record_lines(source, node):
            source.ok = False
            return source
        source.data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        hint = _syntax_hint(text, line)
        problems.append(ConfigProblem(source.shown_as, line, "", f"invalid YAML: {detail}", hint))
        source.ok = False
    except yaml.reader.ReaderError as exc:  # a character YAML forbids: no mark, a position
        line = text[: exc.position].count("\n") + 1
        char = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or " ")
        )
        detail = f"the control character U+{char:04X} is not allowed"
        hint = "remove it, or write it as an escape inside a double-quoted string"
        problems.append(ConfigProblem(source.shown_as, line, "", f"invalid YAML: {detail}", hint))
        source.ok = False
    except yaml.YAMLError as exc:
        source.problem((), f"invalid YAML: {exc}")
        source.ok = False
    finally:
        loader.dispose()
    return source


def _read_text(source: Source) -> str | None:
    """The file's text, or ``None`` after recording why it cannot be a crew file."""
    import os
    import stat

    file = source.file
    try:
        info = os.stat(file)  # follows symlinks: a link to /dev/zero is judged by its target
    except FileNotFoundError:
        source.problem((), "file not found", f"looked in {file.resolve().parent}")
        return None
    except OSError as exc:
        source.problem((), f"cannot read the file: {exc.strerror or exc}")
        return None
    if stat.S_ISDIR(info.st_mode):
        source.problem((), "is a folder, not a crew file", "name the crew.yaml inside it")
        return None
    if not stat.S_ISREG(info.st_mode):
        source.problem((), "is not a regular file (a device, a pipe or a socket)", "")
        return None
    try:
        with open(file, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        source.problem((), f"cannot read the file: {exc.strerror or exc}")
        return None
    if len(data) > MAX_BYTES:
        source.problem((), f"is larger than {MAX_BYTES:,} bytes; crew files are small text files")
        return None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            source.problems.append(
                ConfigProblem(source.shown_as, 1, "", f"is {encoding} text", "save it as UTF-8")
            )
            return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        source.problems.append(
            ConfigProblem(
                source.shown_as,
                line,
                "",
                f"is not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
                "save it as UTF-8",
            )
        )
        return None
    return text.removeprefix("\ufeff")


_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


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


def _record_lines(source: Source, root: Any) -> bool:
    """Walk the composed file as the loader will expand it, recording the line of every key and
    reporting duplicate keys; ``False`` (with a problem recorded) when aliases expand past
    :data:`MAX_VALUES`, nest deeper than :data:`MAX_DEPTH`, or an alias sits inside its own anchor.
    Iterative and budgeted, so no file can exhaust the stack, the time or the memory."""
    import yaml

    source.lines[()] = root.start_mark.line + 1
    budget = MAX_VALUES
    met: set[int] = set()  # nodes already walked: meeting one again is an alias
    # (node, path, line, ancestors, where): ``line`` is where the value is written; ``where`` is
    # the alias it was reached through, the place a problem inside an expansion is reported at
    stack: list[tuple[Any, FieldPath, int, frozenset[int], tuple[FieldPath, int] | None]] = [
        (root, (), root.start_mark.line + 1, frozenset(), None)
    ]
    while stack:
        node, path, line, ancestors, where = stack.pop()
        if where is None and id(node) in met:
            where = (path, line)
        met.add(id(node))
        site = where or (path, line)
        budget -= 1
        if budget < 0:
            return _refuse(source, site, f"aliases expand to more than {MAX_VALUES:,} values")
        if id(node) in ancestors:
            return _refuse(source, site, "an alias refers to a mapping or list that contains it")
        if len(path) > MAX_DEPTH:
            return _refuse(source, site, f"nested more than {MAX_DEPTH} levels deep")
        inside = ancestors | {id(node)}
        children: list[tuple[Any, FieldPath, int, frozenset[int], tuple[FieldPath, int] | None]]
        children = []
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = str(key_node.value)
                child = (*path, key)
                key_line = key_node.start_mark.line + 1
                if key in seen:
                    source.lines.setdefault(child, key_line)
                    source.problems.append(
                        ConfigProblem(
                            source.shown_as,
                            key_line,
                            format_path(child),
                            "duplicate key: the later one would silently replace the earlier one",
                            "remove or rename one of them",
                        )
                    )
                    continue
                seen.add(key)
                source.lines.setdefault(child, key_line)
                children.append((value_node, child, key_line, inside, where))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child_path: FieldPath = (*path, index)
                item_line = line if id(item) in met else item.start_mark.line + 1
                source.lines.setdefault(child_path, item_line)
                children.append((item, child_path, item_line, inside, where))
        stack.extend(reversed(children))
    return True


def _refuse(source: Source, site: tuple[FieldPath, int], message: str) -> bool:
    path, line = site
    source.problems.append(
        ConfigProblem(
            source.shown_as,
            line,
            format_path(path),
            message,
            "write the values out instead of nesting aliases (&anchor / *alias)",
        )
    )
    return False
