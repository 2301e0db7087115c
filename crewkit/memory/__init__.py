"""Shared memory for a crew: one SQLite file, searched with FTS5/bm25, recency and optional embeddings.

``Crew(memory=True)`` keeps it in ``.crewkit/memory.db`` under the working directory;
``Crew(memory=Memory(path=..., embedder=...))`` chooses. Agents of a crew with memory get relevant
memories before each task and the ``search_memory`` and ``save_memory`` tools.
"""

from crewkit.memory._embed import Embedder, OpenAIEmbedder
from crewkit.memory._entities import entity_facts, find_entities
from crewkit.memory._memory import Memory
from crewkit.memory._records import Kind, MemoryRecord

__all__ = [
    "Embedder",
    "Kind",
    "Memory",
    "MemoryRecord",
    "OpenAIEmbedder",
    "entity_facts",
    "find_entities",
]
