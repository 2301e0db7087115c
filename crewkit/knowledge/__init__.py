"""Knowledge: documents agents consult, chunked once, cached by content hash and searched with bm25
in milliseconds.

``Crew(knowledge_sources=[...])`` and ``Agent(knowledge_sources=[...])`` put the passages most
relevant to each task into its prompt, each labelled with its source. The index is a SQLite file,
``.crewkit/knowledge.db`` under the working directory unless ``CREWKIT_KNOWLEDGE_DB`` or
``KnowledgeConfig(index=KnowledgeIndex(path))`` says otherwise; it is only a cache, safe to delete.
"""

from crewkit.knowledge._index import Hit, KnowledgeIndex
from crewkit.knowledge._run import KnowledgeConfig
from crewkit.knowledge._sources import (
    CSVKnowledgeSource,
    JSONKnowledgeSource,
    KnowledgeSource,
    PDFKnowledgeSource,
    StringKnowledgeSource,
    TextFileKnowledgeSource,
)

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
