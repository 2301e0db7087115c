"""The allowed-root rule for file tools: a path a model gives is used only if it stays inside the root.

A model's path is untrusted input (a web page or document it read may have told it what to ask for).
So the tool never follows a path out of its root: ``..`` parts, ``~``, absolute paths elsewhere and
symlinks that resolve outside are refused with a reason the model can act on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from crewkit.errors import ConfigurationError


class PathRefused(Exception):
    """A path the tool will not use (outside the root, or not the file or folder asked for); the
    message says why, for the model."""


@dataclass(frozen=True)
class AllowedRoot:
    """A folder that file tools stay inside (already resolved: symlinks followed, absolute)."""

    path: Path

    @classmethod
    def of(cls, root: str | os.PathLike[str] | None, owner: str) -> AllowedRoot:
        """The root for a tool: ``root`` or the current working directory, resolved now."""
        folder = Path(root).expanduser() if root is not None else Path.cwd()
        try:
            resolved = folder.resolve(strict=True)
        except OSError:
            raise ConfigurationError(f"{owner}: root {str(folder)!r} does not exist") from None
        if not resolved.is_dir():
            raise ConfigurationError(f"{owner}: root {str(folder)!r} is not a folder")
        return cls(resolved)

    def resolve(self, given: str) -> Path:
        """The real path for ``given`` (relative to the root, or absolute inside it), or raise
        :class:`PathRefused` saying why not."""
        text = given.strip()
        if not text:
            raise PathRefused("the path is empty")
        if "\x00" in text:
            raise PathRefused("the path contains a NUL character")
        if text.startswith("~"):
            raise PathRefused(f"'~' paths are not allowed; give a path inside {self.path}")
        candidate = Path(text)
        if ".." in candidate.parts:
            raise PathRefused(f"'..' is not allowed; give a path inside {self.path}")
        full = candidate if candidate.is_absolute() else self.path / candidate
        real = Path(os.path.realpath(full))
        if not _inside(real, self.path):
            via = " through a symlink" if _inside(Path(os.path.abspath(full)), self.path) else ""
            raise PathRefused(f"{text!r} leads outside the allowed folder {self.path}{via}")
        return real

    def file(self, given: str) -> Path:
        """:meth:`resolve`, and the path must be an existing file."""
        path = self.resolve(given)
        if not path.is_file():
            shown = self.relative(path)
            raise PathRefused(
                f"{shown} is not a file" if path.exists() else f"{shown} does not exist"
            )
        return path

    def folder(self, given: str) -> Path:
        """:meth:`resolve`, and the path must be an existing folder."""
        path = self.resolve(given)
        if not path.is_dir():
            raise PathRefused(f"{self.relative(path)} is not a folder")
        return path

    def relative(self, path: Path) -> str:
        """How to show ``path`` to the model: relative to the root, with ``/``."""
        try:
            return path.relative_to(self.path).as_posix() or "."
        except ValueError:
            return str(path)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
