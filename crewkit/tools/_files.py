"""File tools: read a file, write one, list a folder — all inside an allowed root.

``root`` defaults to the working directory when the tool is made. Paths the model gives are checked
by :class:`~crewkit.tools._paths.AllowedRoot`; a refused path becomes an observation that says why,
never an exception and never a file outside the root.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crewkit import prompts
from crewkit.errors import ConfigurationError
from crewkit.tools._fixed import FixedArgsTool
from crewkit.tools._paths import AllowedRoot, PathRefused

MAX_READ_BYTES = 1_000_000
MAX_WRITE_CHARS = 1_000_000
MAX_LISTED = 500
_SKIPPED_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", ".crewkit"}


class RootedTool(FixedArgsTool):
    """A tool that stays inside an allowed root; its constructor may fix a path argument."""

    root: AllowedRoot
    """The folder the tool stays inside."""

    def fix_inside(self, root: str | os.PathLike[str] | None, **paths: str | None) -> None:
        """Take ``root`` (default: the working directory) and fix ``paths``, which a developer
        must keep inside it too: a way out is a :class:`ConfigurationError` saying how to allow it."""
        owner = type(self).__name__
        self.root = AllowedRoot.of(root, owner)
        for field, path in paths.items():
            if path is None:
                continue
            try:
                self.root.resolve(str(path))
            except PathRefused as exc:
                raise ConfigurationError(
                    f"{owner}({field}={str(path)!r}): {exc}; pass root=... to allow another folder"
                ) from None
        self.fix(**{field: None if path is None else str(path) for field, path in paths.items()})


class FileReadArgs(BaseModel):
    """Arguments of :class:`FileReadTool`."""

    model_config = ConfigDict(extra="forbid")
    file_path: str = Field(description="Path of the file to read, relative to the working folder")
    start_line: int = Field(1, ge=1, description="First line to read (1 is the first line)")
    line_count: int | None = Field(None, ge=1, description="How many lines to read; all if omitted")


class FileReadTool(RootedTool):
    """Reads a text file (or some of its lines)."""

    name = "read_file"
    arguments = FileReadArgs

    def __init__(
        self,
        file_path: str | None = None,
        *,
        root: str | os.PathLike[str] | None = None,
        max_bytes: int = MAX_READ_BYTES,
    ) -> None:
        self.fix_inside(root, file_path=file_path)
        self.max_bytes = max_bytes
        self.description = (
            f"Read the file {file_path}; optionally give start_line and line_count."
            if file_path
            else "Read a text file in the working folder; optionally give start_line and "
            "line_count to read part of it."
        )

    def run(self, **kwargs: Any) -> str:
        args = FileReadArgs.model_validate(self.with_fixed(kwargs))
        try:
            path = self.root.file(args.file_path)
        except PathRefused as exc:
            return refused(self.name, str(exc))
        shown = self.root.relative(path)
        with path.open("rb") as handle:
            data = handle.read(self.max_bytes + 1)
        if b"\x00" in data[:8192]:
            return refused(self.name, f"{shown} is a binary file, not text")
        cut = len(data) > self.max_bytes
        text = data[: self.max_bytes].decode("utf-8", errors="replace")
        lines = text.splitlines(keepends=True)
        if args.start_line > 1 or args.line_count is not None:
            if args.start_line > len(lines):
                return refused(
                    self.name,
                    f"{shown} has {len(lines)} lines; start_line {args.start_line} is past the end",
                )
            end = None if args.line_count is None else args.start_line - 1 + args.line_count
            text = "".join(lines[args.start_line - 1 : end])
        return prompts.render("file_content", path=shown, text=text, cut=cut, limit=self.max_bytes)


class FileWriteArgs(BaseModel):
    """Arguments of :class:`FileWriterTool`."""

    model_config = ConfigDict(extra="forbid")
    filename: str = Field(description="Name of the file to write")
    content: str = Field(description="The text to write")
    directory: str | None = Field(None, description="Folder for the file (created if needed)")
    overwrite: bool = Field(False, description="Replace the file if it exists")


class FileWriterTool(RootedTool):
    """Writes a text file inside the root; refuses to replace a file unless ``overwrite`` is set."""

    name = "write_file"
    arguments = FileWriteArgs

    def __init__(
        self,
        directory: str | None = None,
        *,
        root: str | os.PathLike[str] | None = None,
        max_chars: int = MAX_WRITE_CHARS,
    ) -> None:
        self.fix_inside(root, directory=directory)
        self.max_chars = max_chars
        where = f"the folder {directory}" if directory else "the working folder"
        self.description = (
            f"Write text to a file in {where}. Existing files are kept unless overwrite is true."
        )

    def run(self, **kwargs: Any) -> str:
        args = FileWriteArgs.model_validate(self.with_fixed(kwargs))
        if len(args.content) > self.max_chars:
            return refused(self.name, f"the content is longer than {self.max_chars} characters")
        target = os.path.join(args.directory or "", args.filename)
        try:
            path = self.root.resolve(target)
        except PathRefused as exc:
            return refused(self.name, str(exc))
        shown = self.root.relative(path)
        if path.is_dir():
            return refused(self.name, f"{shown} is a folder")
        if path.exists() and not args.overwrite:
            return refused(
                self.name, f"{shown} already exists; set overwrite to true to replace it"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # the folders just made must not have become a way out (a racing symlink)
            self.root.resolve(str(path))
        except PathRefused as exc:
            return refused(self.name, str(exc))
        with path.open("w" if args.overwrite else "x", encoding="utf-8") as handle:
            handle.write(args.content)
        return prompts.render("file_written", path=shown, chars=len(args.content))


class DirectoryReadArgs(BaseModel):
    """Arguments of :class:`DirectoryReadTool`."""

    model_config = ConfigDict(extra="forbid")
    directory: str = Field(
        description="Folder to list, relative to the working folder ('.' for it)"
    )


class DirectoryReadTool(RootedTool):
    """Lists the files under a folder, recursively (version-control and cache folders skipped)."""

    name = "list_directory"
    arguments = DirectoryReadArgs

    def __init__(
        self,
        directory: str | None = None,
        *,
        root: str | os.PathLike[str] | None = None,
        max_entries: int = MAX_LISTED,
    ) -> None:
        self.fix_inside(root, directory=directory)
        self.max_entries = max_entries
        self.description = (
            f"List the files in the folder {directory}, recursively."
            if directory
            else "List the files in a folder (recursively); '.' is the working folder."
        )

    def run(self, **kwargs: Any) -> str:
        args = DirectoryReadArgs.model_validate(self.with_fixed(kwargs))
        try:
            folder = self.root.folder(args.directory)
        except PathRefused as exc:
            return refused(self.name, str(exc))
        files, more = list_files(self.root, folder, self.max_entries)
        return prompts.render(
            "directory_listing", folder=self.root.relative(folder), files=files, more=more
        )


def list_files(root: AllowedRoot, folder: Path, limit: int) -> tuple[list[str], int]:
    """Up to ``limit`` files under ``folder`` (relative to the root, sorted), and how many more.
    Symlinks that lead outside the root are left out."""
    found: list[str] = []
    more = 0
    for current, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        for name in sorted(names):
            try:
                root.resolve(str(Path(current, name)))
            except PathRefused:
                continue
            if len(found) < limit:
                found.append(root.relative(Path(current, name)))
            else:
                more += 1
    return found, more


def refused(tool: str, reason: str) -> str:
    """The observation for a call the tool will not carry out."""
    return prompts.render("tool_refused", tool=tool, reason=reason)
