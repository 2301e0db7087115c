"""A run's use of memory: recall before each task, saving each result, capturing tool results, and
the ``search_memory`` / ``save_memory`` tools. One :class:`RunMemory` per run lives on the run's
state (``Run.memory``); agent and task definitions never see it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from crewkit import prompts
from crewkit.events import Event, ToolCallCompleted
from crewkit.memory._memory import Memory
from crewkit.memory._records import Kind, MemoryRecord
from crewkit.tools._tool import Tool

if TYPE_CHECKING:
    from pydantic import BaseModel

log = logging.getLogger("crewkit")

SEARCH_TOOL = "search_memory"
SAVE_TOOL = "save_memory"
MAX_TOOL_RESULT_CHARS = 2000
"""Tool results are kept up to this length; enough for a fact, short enough not to flood recall."""
_MIN_RECALL_CHARS = 80
"""A memory cut shorter than this says nothing; recall stops instead."""


class TaskText(Protocol):
    """What memory reads of a task: recall searches with its text, results are filed under it.
    A protocol, so memory stays below the run and the task definitions that it serves."""

    @property
    def description(self) -> str: ...
    @property
    def expected_output(self) -> str: ...


class Result(Protocol):
    """What memory reads of a task's output."""

    @property
    def raw(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def agent(self) -> str: ...


_RUN_AND_LATER: tuple[Kind, ...] = ("short_term", "long_term")
"""Results and notes go short-term, so this run sees them at once, and long-term, so later runs do."""


class RunMemory:
    """One run's view of a :class:`Memory`: short-term memories are filed under this run's id and
    dropped when it ends; long-term and entity memories outlive it."""

    def __init__(self, memory: Memory, run_id: str) -> None:
        self.memory = memory
        self.run_id = run_id
        self._pending: set[asyncio.Task[int]] = set()

    # -- hooks the run calls --------------------------------------------------------------------

    async def recall(self, task: TaskText, context: Sequence[Result]) -> list[dict[str, str]]:
        """The memories to show an agent before ``task``: the most relevant few, labelled with their
        source, within ``recall_limit`` and ``recall_chars``, leaving out what the task's context
        already holds. Returned as template variables: memory text is data, never template code."""
        await self.flush()
        memory = self.memory
        if memory.recall_limit == 0 or memory.recall_chars < _MIN_RECALL_CHARS:
            return []
        records = await memory.asearch(
            f"{task.description}\n{task.expected_output}",
            limit=memory.recall_limit * 3,
            run_id=self.run_id,
            exclude_run_long_term=True,
        )
        context_texts = [c.raw for c in context]
        chosen_texts: list[str] = []
        chosen: list[dict[str, str]] = []
        budget = memory.recall_chars
        for record in records:
            if any(record.text in text for text in context_texts) or any(
                record.text in text or text in record.text for text in chosen_texts
            ):
                continue
            text = record.text
            if len(text) > budget:
                if budget < _MIN_RECALL_CHARS:
                    break
                text = text[: budget - 1].rstrip() + "…"
            chosen.append({"label": self.label(record), "text": text})
            chosen_texts.append(record.text)
            budget -= len(text)
            if len(chosen) >= memory.recall_limit:
                break
        return chosen

    async def remember_task(self, task: TaskText, output: Result) -> None:
        """File a task's result in short-term memory and, with the task it answered, long-term."""
        await self.memory.asave(
            output.raw,
            kind=_RUN_AND_LATER,
            source=f"task {output.name!r} by {output.agent}",
            task=task.description,
            run_id=self.run_id,
        )

    def tools(self, existing: Sequence[Tool], agent: str) -> list[Tool]:
        """``search_memory`` and ``save_memory`` for one agent loop, unless the agent already has
        tools with those names (its own win)."""
        taken = {t.name for t in existing}
        made: list[Tool] = [SearchMemoryTool(self), SaveMemoryTool(self, agent)]
        return [t for t in made if t.name not in taken]

    def on_event(self, event: Event) -> None:
        """Run-bus listener: keep successful tool results (delegation answers included) short-term."""
        if (
            not isinstance(event, ToolCallCompleted)
            or event.error
            or not self.memory.capture_tool_results
            or event.tool_name in (SEARCH_TOOL, SAVE_TOOL)
            or not event.result.strip()
        ):
            return
        text = event.result
        if len(text) > MAX_TOOL_RESULT_CHARS:
            text = text[: MAX_TOOL_RESULT_CHARS - 1] + "…"
        self._spawn(
            self.memory.asave(
                text,
                kind="short_term",
                source=f"tool {event.tool_name} used by {event.agent_role}",
                run_id=self.run_id,
                extract_entities=False,
            )
        )

    async def flush(self) -> None:
        """Wait for captured tool results to be stored; a failure to store one is raised here."""
        while self._pending:
            await asyncio.gather(*list(self._pending))

    async def finish(self) -> None:
        """End of the run: drop its short-term memories. Never raises, so it cannot hide the run's
        own outcome; problems are logged."""
        results = await asyncio.gather(*list(self._pending), return_exceptions=True)
        try:
            await asyncio.to_thread(self.memory.forget_run, self.run_id)
        except Exception as exc:
            results.append(exc)
        for result in results:
            if isinstance(result, BaseException):
                log.warning("memory: %s", result)

    # -- helpers ----------------------------------------------------------------------------------

    def label(self, record: MemoryRecord) -> str:
        """Where a memory came from, as an agent reads it."""
        if record.kind == "short_term":
            return f"this run: {record.source}"
        when = "this run" if record.run_id == self.run_id else _age(time.time() - record.created)
        if record.kind == "entity":
            return f"fact about {record.entity} ({when})"
        return f"earlier run, {when}: {record.source}"

    def _spawn(self, job: Coroutine[Any, Any, int]) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)


def _age(seconds: float) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n > 1 else ''} ago"
    return "just now"


class SearchMemoryTool(Tool):
    """``search_memory(query)``: the agent looks things up in the crew's memory."""

    name = SEARCH_TOOL
    max_result_chars = 4000

    def __init__(self, session: RunMemory) -> None:
        self.session = session
        self.description = prompts.render("memory_search_tool")
        self.args_schema = _schema("search_memory_args", query=(str, ...))

    async def arun(self, **kwargs: Any) -> str:
        query = str(kwargs["query"])
        records = await self.session.memory.asearch(
            query, limit=5, run_id=self.session.run_id, exclude_run_long_term=True
        )
        results = [{"label": self.session.label(r), "text": r.text} for r in records]
        return prompts.render("memory_results", query=query, results=results)


class SaveMemoryTool(Tool):
    """``save_memory(text, entity=None)``: the agent keeps a note for later tasks and runs."""

    name = SAVE_TOOL

    def __init__(self, session: RunMemory, agent: str) -> None:
        self.session = session
        self.agent = agent
        self.description = prompts.render("memory_save_tool")
        self.args_schema = _schema("save_memory_args", text=(str, ...), entity=(str | None, None))

    async def arun(self, **kwargs: Any) -> str:
        text, entity = str(kwargs["text"]), kwargs.get("entity") or None
        await self.session.memory.asave(
            text,
            kind=_RUN_AND_LATER,
            source=f"note by {self.agent}",
            entity=entity,
            run_id=self.session.run_id,
        )
        return prompts.render("memory_saved", entity=entity)


def _schema(name: str, **fields: Any) -> type[BaseModel]:
    from pydantic import ConfigDict, create_model

    model: type[BaseModel] = create_model(name, __config__=ConfigDict(extra="forbid"), **fields)
    return model
