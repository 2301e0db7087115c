"""Reading a document into the chunk index once: bytes → segments → chunks → rows."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from crewkit.knowledge._chunk import chunks
from crewkit.knowledge._index import KnowledgeIndex, default_path, document_key
from crewkit.knowledge._readers import READERS

READER_VERSION = 1
"""Bumped when a reader's output changes, so cached documents are read again."""


@dataclass(frozen=True)
class Chunking:
    """How documents are cut: chunk length and overlap, in characters."""

    size: int = 1000
    overlap: int = 100


def index_document(
    index: KnowledgeIndex, kind: str, data: bytes, source: str, name: str, chunking: Chunking
) -> int:
    """The id of the document ``data`` (read as ``kind``) in ``index``, reading and chunking it only
    if this content was never indexed with these settings."""
    key = document_key(kind, data, chunking.size, chunking.overlap, READER_VERSION)
    found = index.document(key)
    if found is not None:
        return found
    pieces = [
        (segment.label, piece)
        for segment in READERS[kind](data, name, chunking.size)
        for piece in chunks(segment.text, chunking.size, chunking.overlap)
    ]
    return index.add(key, source, pieces)


_shared: dict[str, KnowledgeIndex] = {}
_shared_lock = threading.Lock()


def shared_index() -> KnowledgeIndex:
    """The process's index at :func:`~crewkit.knowledge._index.default_path` (one per path, made
    on first use), for tools and crews not given an index of their own."""
    path = default_path()
    with _shared_lock:
        index = _shared.get(path)
        if index is None:
            index = _shared[path] = KnowledgeIndex(path)
        return index
