"""Knowledge: documents agents consult, chunked once, cached by content hash and searched with bm25
in milliseconds.

``Crew(knowledge_sources=[...])`` and ``Agent(knowledge_sources=[...])`` put the passages most
relevant to each task into its prompt, each labelled with its source. The index is a SQLite file,
``.crewkit/knowledge.db`` under the working directory unless ``CREWKIT_KNOWLEDGE_DB`` or
``KnowledgeConfig(index=KnowledgeIndex(path))`` says otherwise; it is only a cache, safe to delete.
The index (and sqlite3) loads on first use.
"""

from typing import TYPE_CHECKING, Any

from crewkit.knowledge._sources import (
    CSVKnowledgeSource,
    JSONKnowledgeSource,
    KnowledgeConfig,
    KnowledgeSource,
    PDFKnowledgeSource,
    StringKnowledgeSource,
    TextFileKnowledgeSource,
)

if TYPE_CHECKING:
    from crewkit.knowledge._index import Hit, KnowledgeIndex

__all__ = [
    "CSVKnowledgeSource",
    "Hit",
    "JSONKnowledgeSource",
    "KnowledgeConfig",
    "KnowledgeIndex",
    "KnowledgeSource",
    "PDFKnowledgeSource",
    "StringKnowledgeSource",
    "TextFileKnowledgeSource",
]


def __getattr__(name: str) -> Any:
    if name in ("Hit", "KnowledgeIndex"):
        from crewkit.knowledge import _index

        return getattr(_index, name)
    raise AttributeError(f"module 'crewkit.knowledge' has no attribute {name!r}")
