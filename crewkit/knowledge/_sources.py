"""Knowledge sources: what a crew or an agent knows, under CrewAI's names. A source is a definition
(paths and settings, checked here); its files are read when a run starts."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from crewkit._numbers import is_whole
from crewkit.errors import ConfigurationError

if TYPE_CHECKING:
    from crewkit.knowledge._index import KnowledgeIndex

KNOWLEDGE_FOLDER = "knowledge"
"""CrewAI keeps knowledge files in ``knowledge/``; a relative path is looked up there first."""


@dataclass(frozen=True)
class SourceDocument:
    """One document of a source, read: what the index chunks and how it is named."""

    kind: str
    """The reader: ``text``, ``csv``, ``json``, ``pdf``..."""
    data: bytes
    name: str
    """How passages are labelled, e.g. ``report.pdf``."""


@dataclass(frozen=True)
class KnowledgeConfig:
    """How much knowledge goes into a task's prompt, and where the index is kept."""

    results_limit: int = 3
    """Passages per task, at most."""
    max_chars: int = 3000
    """Characters of passages per task, at most."""
    index: KnowledgeIndex | None = None
    """The index; ``None`` for the default file (``.crewkit/knowledge.db`` or
    ``CREWKIT_KNOWLEDGE_DB``)."""


class KnowledgeSource:
    """Base class of knowledge sources: text an agent can consult, cut into chunks of
    ``chunk_size`` characters overlapping by ``chunk_overlap``."""

    chunk_size: int
    """Characters per chunk, at most."""
    chunk_overlap: int
    """Characters shared by consecutive chunks."""
    metadata: Mapping[str, Any]
    """Free-form notes about the source (kept for CrewAI code; not searched)."""

    def __init__(
        self,
        *,
        chunk_size: int = 1000,
        chunk_overlap: int = 100,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        name = type(self).__name__
        if not is_whole(chunk_size, 100):
            raise ConfigurationError(
                f"{name}: chunk_size must be an integer >= 100, got {chunk_size!r}"
            )
        if not is_whole(chunk_overlap, 0) or chunk_overlap > chunk_size // 2:
            raise ConfigurationError(
                f"{name}: chunk_overlap must be an integer from 0 to half of chunk_size, "
                f"got {chunk_overlap!r}"
            )
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.metadata = dict(metadata or {})

    def documents(self) -> list[SourceDocument]:
        """Read the source (called when a run starts, in a worker thread)."""
        raise NotImplementedError


class StringKnowledgeSource(KnowledgeSource):
    """Knowledge given as a string."""

    def __init__(self, content: str, *, name: str = "text", **settings: Any) -> None:
        super().__init__(**settings)
        if not isinstance(content, str) or not content.strip():
            raise ConfigurationError("StringKnowledgeSource: content must be a non-empty string")
        self.content = content
        """The text."""
        self.name = name
        """How its passages are labelled."""

    def documents(self) -> list[SourceDocument]:
        return [SourceDocument("text", self.content.encode("utf-8"), self.name)]

    def __repr__(self) -> str:
        return f"StringKnowledgeSource({self.content[:40]!r}...)"


class _FileSource(KnowledgeSource):
    """Knowledge in files; relative paths are looked up in ``knowledge/`` first (CrewAI's folder),
    then in the working directory (or ``base_dir``)."""

    kind: ClassVar[str]
    extension_hint: ClassVar[str] = ""

    def __init__(
        self,
        file_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
        *,
        file_path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
        base_dir: str | os.PathLike[str] | None = None,
        **settings: Any,
    ) -> None:
        super().__init__(**settings)
        from crewkit.knowledge._readers import require_extra

        owner = type(self).__name__
        require_extra(self.kind, owner)
        given = file_paths if file_paths is not None else file_path
        if given is None:
            raise ConfigurationError(f"{owner}: give file_paths=[...]")
        paths = [given] if isinstance(given, (str, os.PathLike)) else list(given)
        if not paths:
            raise ConfigurationError(f"{owner}: file_paths is empty")
        base = Path(base_dir) if base_dir is not None else Path.cwd()
        found: list[Path] = []
        missing: list[str] = []
        for path in paths:
            if not isinstance(path, (str, os.PathLike)):
                raise ConfigurationError(f"{owner}: file paths must be strings, got {path!r}")
            resolved = locate(Path(path), base)
            if resolved is None:
                missing.append(str(path))
            else:
                found.append(resolved)
        if missing:
            raise ConfigurationError(
                f"{owner}: {', '.join(map(repr, missing))} not found "
                f"(looked in {base / KNOWLEDGE_FOLDER} and {base})"
            )
        self.file_paths = found
        """The files, resolved."""

    def documents(self) -> list[SourceDocument]:
        from crewkit.knowledge._readers import kind_of

        documents = []
        for path in self.file_paths:
            kind = self.kind if self.kind != "text" else kind_of(path.name)
            documents.append(SourceDocument(kind, path.read_bytes(), path.name))
        return documents

    def __repr__(self) -> str:
        return f"{type(self).__name__}({[str(p) for p in self.file_paths]!r})"


def locate(path: Path, base: Path) -> Path | None:
    """``path`` as an existing file: absolute, or under ``base/knowledge``, or under ``base``."""
    if path.is_absolute():
        return path if path.is_file() else None
    for candidate in (base / KNOWLEDGE_FOLDER / path, base / path):
        if candidate.is_file():
            return candidate.resolve()
    return None


class TextFileKnowledgeSource(_FileSource):
    """Text files (``.txt``, ``.md``, ``.mdx``...)."""

    kind = "text"


class PDFKnowledgeSource(_FileSource):
    """PDF files, read page by page (``pip install crewkit[pdf]``)."""

    kind = "pdf"


class CSVKnowledgeSource(_FileSource):
    """CSV files; each passage is a group of rows with their column names."""

    kind = "csv"


class JSONKnowledgeSource(_FileSource):
    """JSON (or JSON Lines) files; each passage is a set of ``path: value`` lines."""

    kind = "json"


_BY_TYPE: dict[str, type[_FileSource]] = {
    "text": TextFileKnowledgeSource,
    "txt": TextFileKnowledgeSource,
    "pdf": PDFKnowledgeSource,
    "csv": CSVKnowledgeSource,
    "json": JSONKnowledgeSource,
}


def source_for_file(path: str, base_dir: Path, **settings: Any) -> KnowledgeSource:
    """The source class that fits ``path``'s extension (crew.yaml's short form)."""
    from crewkit.knowledge._readers import kind_of

    kind = kind_of(path)
    cls = _BY_TYPE.get(kind, TextFileKnowledgeSource)
    return cls([path], base_dir=base_dir, **settings)


def source_of_type(kind: str, base_dir: Path, settings: Mapping[str, Any]) -> KnowledgeSource:
    """A source from crew.yaml's long form ``{type: pdf, file_paths: [...]}``."""
    if kind == "string":
        return StringKnowledgeSource(**settings)
    cls = _BY_TYPE.get(kind)
    if cls is None:
        raise ConfigurationError(
            f"unknown knowledge source type {kind!r}; expected string, text, pdf, csv or json"
        )
    return cls(base_dir=base_dir, **settings)


def check_sources(sources: object, owner: str) -> list[KnowledgeSource]:
    """``sources`` as a list of :class:`KnowledgeSource`, or a :class:`ConfigurationError`."""
    if isinstance(sources, (str, bytes)) or not isinstance(sources, Sequence):
        raise ConfigurationError(f"{owner}: knowledge_sources must be a list, got {sources!r:.100}")
    for source in sources:
        if not isinstance(source, KnowledgeSource):
            raise ConfigurationError(
                f"{owner}: knowledge_sources items must be knowledge sources such as "
                f"StringKnowledgeSource or PDFKnowledgeSource, got {source!r:.100}"
            )
    return list(sources)


def check_config(config: object, owner: str) -> None:
    """Raise unless ``config`` is ``None`` or a valid :class:`KnowledgeConfig`."""
    if config is None:
        return
    if not isinstance(config, KnowledgeConfig):
        raise ConfigurationError(
            f"{owner}: knowledge_config must be a KnowledgeConfig, got {config!r}"
        )
    if not is_whole(config.results_limit, 0) or not is_whole(config.max_chars, 0):
        raise ConfigurationError(
            f"{owner}: KnowledgeConfig results_limit and max_chars must be integers >= 0"
        )
