"""A run's knowledge: every source indexed when the run starts (read and chunked only if its content
is new), then, before each task, the passages most relevant to it, for the task prompt."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from crewkit.errors import ConfigurationError
from crewkit.knowledge._documents import Chunking, index_document, shared_index
from crewkit.knowledge._sources import KnowledgeConfig, KnowledgeSource

_MIN_PASSAGE = 80
"""A passage cut shorter than this says nothing; recall stops instead."""


class RunKnowledge:
    """The knowledge of one run: the crew's documents, each agent's own, and recall per task."""

    def __init__(
        self,
        crew_sources: Sequence[KnowledgeSource],
        agent_sources: Mapping[int, Sequence[KnowledgeSource]],
        config: KnowledgeConfig,
        agent_configs: Mapping[int, KnowledgeConfig] | None = None,
    ) -> None:
        self.crew_sources = list(crew_sources)
        self.agent_sources = {k: list(v) for k, v in agent_sources.items()}
        self.config = config
        self.agent_configs = dict(agent_configs or {})
        self.index = config.index or shared_index()
        self._crew_docs: list[int] = []
        self._agent_docs: dict[int, list[int]] = {}

    async def start(self) -> None:
        """Index every source (in a worker thread); a source that cannot be read is a
        :class:`ConfigurationError` raised before any model call."""
        await asyncio.to_thread(self._index_all)

    def _index_all(self) -> None:
        self._crew_docs = self._index(self.crew_sources)
        self._agent_docs = {key: self._index(s) for key, s in self.agent_sources.items()}

    def _index(self, sources: Sequence[KnowledgeSource]) -> list[int]:
        docs: list[int] = []
        for source in sources:
            chunking = Chunking(source.chunk_size, source.chunk_overlap)
            try:
                for doc in source.documents():
                    docs.append(
                        index_document(self.index, doc.kind, doc.data, doc.name, doc.name, chunking)
                    )
            except (OSError, ValueError) as exc:
                raise ConfigurationError(
                    f"knowledge source {source!r} cannot be read: {exc}"
                ) from None
        return docs

    async def recall(self, query: str, agent: int) -> list[dict[str, str]]:
        """The passages for a task given to the agent keyed ``agent`` (its definition's ``id``):
        searched among the crew's and that agent's documents, labelled with their source, within
        the agent's (else the crew's) limits. Returned as template variables: passages are data,
        never template code."""
        config = self.agent_configs.get(agent, self.config)
        docs = self._crew_docs + self._agent_docs.get(agent, [])
        if not docs or config.results_limit < 1:
            return []
        hits = await asyncio.to_thread(self.index.search, query, docs, limit=config.results_limit)
        budget = config.max_chars
        chosen: list[dict[str, str]] = []
        for hit in hits:
            text = hit.text
            if len(text) > budget:
                if budget < _MIN_PASSAGE:
                    break
                text = text[: budget - 1].rstrip() + "…"
            chosen.append({"label": hit.label, "text": text})
            budget -= len(text)
        return chosen
