"""A durable run's link to its journal: each step is written before its result is used, and on
resume each journaled result is answered from the journal instead of being asked for again.

Steps are matched by content, not position. A model call's key hashes the model, the task, the
agent and the whole request; a tool call's key hashes task, agent, tool and arguments. Identical
keys are served in order (the ``n``-th occurrence gets the ``n``-th record), the rule cassettes use.
So concurrent async tasks may interleave differently after a resume and still find their steps:
each task × agent conversation is sequential and its request carries its own history.
"""

from __future__ import annotations

import hashlib
import json
import operator
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crewkit._secrets import known
from crewkit.costs import price
from crewkit.events import (
    AgentFailed,
    AgentFinished,
    AgentStarted,
    Event,
    TaskCompleted,
    TaskFailed,
    TaskStarted,
)
from crewkit.journal import Draft, Entry, Journal
from crewkit.llm._cassette import (
    decode_response,
    encode_message,
    encode_response,
    encode_tool,
)
from crewkit.llm._types import Message, ModelRequest, ModelResponse, Usage


def step_hash(*parts: str) -> str:
    """A short hash of ``parts`` (kept apart, so ``("ab", "c")`` differs from ``("a", "bc")``)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def dumps(value: Any) -> str:
    """Canonical JSON, as hashed and stored."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass
class ModelStep:
    """A model call as the journal sees it."""

    key: str
    n: int
    blobs: dict[str, str]
    """The request's messages and tool specs by hash, stored once per run."""
    request: dict[str, Any]
    """The request with messages and tools as hashes."""
    replay: ModelResponse | None
    """The journaled response, when this call completed in an earlier process."""


@dataclass
class ToolStep:
    """A tool call as the journal sees it."""

    key: str
    n: int
    idempotency_key: str
    attempt: int
    """1, or more when earlier processes started this call without journaling its end."""
    replay: tuple[str, bool] | None
    """The journaled observation (text, error), when this call completed in an earlier process."""


@dataclass
class RunJournal:
    """One run's writer, and on resume the index of what it can reuse."""

    journal: Journal
    run_id: str
    task_indexes: Mapping[str, int] = field(default_factory=dict)
    """Task label → position, written with task entries."""
    secrets: list[str] = field(default_factory=known)
    """Values redacted from everything written (looked up once per run: it is not free)."""
    reuse: bool = True
    """Answer journaled steps from the journal (off for a replay, which reruns tasks live)."""
    replayed_models: int = 0
    """Model calls answered from the journal in this process."""
    replayed_tools: int = 0
    """Tool calls answered from the journal in this process."""
    _models: dict[str, deque[Entry]] = field(default_factory=lambda: defaultdict(deque))
    _tools: dict[str, deque[Entry]] = field(default_factory=lambda: defaultdict(deque))
    _started: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    _reviews: dict[tuple[str, int], Mapping[str, Any]] = field(default_factory=dict)
    _recalls: dict[str, deque[Entry]] = field(default_factory=lambda: defaultdict(deque))
    _seen: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    _drafts: list[Draft] = field(default_factory=list)
    _refs: dict[int, tuple[Any, str, str]] = field(default_factory=dict)
    _written: set[str] = field(default_factory=set)
    _replayed_lanes: set[tuple[str, str]] = field(default_factory=set)
    _last_request: dict[tuple[str, str], tuple[tuple[Message, ...], list[str]]] = field(
        default_factory=dict
    )

    def index(self, entries: list[Entry]) -> None:
        """Learn what an earlier process journaled for this run, to reuse it."""
        for entry in entries:
            if entry.key is None:
                continue
            if entry.kind == "model":
                self._models[entry.key].append(entry)
            elif entry.kind == "tool":
                self._tools[entry.key].append(entry)
            elif entry.kind == "tool_started":
                self._started[(entry.key, int(entry.data.get("n", 0)))] += 1
            elif entry.kind == "review":
                self._reviews[(entry.task or "", int(entry.data.get("n", 0)))] = entry.data
            elif entry.kind == "memory_recall":
                self._recalls[entry.key].append(entry)

    def append(
        self, kind: str, data: Mapping[str, Any], *, event_seq: int | None = None, **where: Any
    ) -> int:
        """Write one step now (and the drafts before it). ``event_seq``: the ``seq`` of the event
        the step stands for, so a stream can be read again from any seq (``crewkit.streaming``)."""
        drafts, self._drafts = self._drafts, []
        return self.journal.append(
            self.run_id, kind, _stamped(data, event_seq), secrets=self.secrets, earlier=drafts,
            **where,
        )  # fmt: skip

    def draft(
        self, kind: str, data: Mapping[str, Any], *, event_seq: int | None = None, **where: Any
    ) -> None:
        """Write one step with the next :meth:`append` (a start, which a crash may lose)."""
        self._drafts.append(Draft(kind, _stamped(data, event_seq), time.time(), **where))

    def finish(
        self,
        status: str,
        *,
        output: Mapping[str, Any] | None = None,
        error: str | None = None,
        error_type: str | None = None,
        event_seq: int | None = None,
    ) -> None:
        """Record how the run stopped (and the drafts before it)."""
        drafts, self._drafts = self._drafts, []
        self.journal.finish(
            self.run_id, status, output=output, error=error, error_type=error_type,
            earlier=drafts, secrets=self.secrets, event_seq=event_seq,
        )  # fmt: skip

    def _next(self, key: str) -> int:
        n = self._seen[key]
        self._seen[key] = n + 1
        return n

    # -- model calls --------------------------------------------------------------------------

    def model_step(self, label: str, task: str, agent: str, request: ModelRequest) -> ModelStep:
        """Identify a model call; ``replay`` holds its response if it completed before."""
        blobs: dict[str, str] = {}
        schema = request.response_schema
        stored = {
            "messages": self._conversation(task, agent, request.messages, blobs),
            "tools": [self._ref(t, encode_tool, blobs) for t in request.tools],
            "response_schema": None if schema is None else {"name": schema.name,
                                                             "schema": schema.schema},
            "stop": list(request.stop),
            "temperature": request.temperature,
        }  # fmt: skip
        key = step_hash("model", label, task, agent, dumps(stored))
        n = self._next(key)
        queue = self._models.get(key) if self.reuse else None
        replay = None
        if queue:
            replay = decode_response(queue.popleft().data["response"])
            self.replayed_models += 1
            self._replayed_lanes.add((task, agent))
        else:
            self._replayed_lanes.discard((task, agent))
        return ModelStep(key, n, blobs, stored, replay)

    def _conversation(
        self, task: str, agent: str, messages: tuple[Message, ...], blobs: dict[str, str]
    ) -> list[str]:
        """The messages' hashes. An agent's next request repeats its last one and adds a message
        or two: only those are looked at (else a run would cost O(calls²))."""
        lane = (task, agent)
        last = self._last_request.get(lane)
        if (
            last is not None
            and len(last[0]) <= len(messages)
            and all(map(operator.is_, last[0], messages))
        ):
            hashes = [
                *last[1],
                *(self._ref(m, encode_message, blobs) for m in messages[len(last[0]) :]),
            ]
        else:
            hashes = [self._ref(m, encode_message, blobs) for m in messages]
        self._last_request[lane] = (messages, hashes)
        return hashes

    def _ref(self, item: Any, encode: Callable[[Any], Any], blobs: dict[str, str]) -> str:
        """The hash of a message or tool spec; its text goes to ``blobs`` unless this run wrote
        it already. A conversation grows by a message or two per call, so each message object
        is encoded once per run."""
        known = self._refs.get(id(item))
        if known is not None and known[0] is item:
            digest, text = known[1], known[2]
        else:
            text = dumps(encode(item))
            digest = hashlib.sha256(text.encode()).hexdigest()[:24]
            self._refs[id(item)] = (item, digest, text)  # holds the item: its id stays its own
        if digest not in self._written:
            blobs[digest] = text
        return digest

    def model_started(self, step: ModelStep, label: str, **where: Any) -> None:
        """A call is about to go out (written with its response, or with whatever comes first)."""
        self.draft("model_started", {"model": label, "key": step.key, "n": step.n}, **where)

    def model_done(
        self, step: ModelStep, label: str, response: ModelResponse, duration: float, **where: Any
    ) -> None:
        """The call's response, journaled before anyone uses it."""
        usage = response.usage
        data = {
            "model": label, "key": step.key, "n": step.n, "request": step.request,
            "response": encode_response(response),
            "usage": {"prompt": usage.prompt_tokens, "completion": usage.completion_tokens},
            "duration": round(duration, 6),
        }  # fmt: skip
        priced = price(
            label.partition("/")[0], response.model or label.partition("/")[2], usage, time.time()
        ).usd
        self.append(
            "model", data, key=step.key, blobs=step.blobs,
            usage=Usage(usage.prompt_tokens, usage.completion_tokens),
            cost=None if priced is None else float(priced), **where,
        )  # fmt: skip
        self._written.update(step.blobs)

    # -- tool calls ---------------------------------------------------------------------------

    def tool_step(self, task: str, agent: str, tool: str, args: Mapping[str, Any]) -> ToolStep:
        """Identify a tool call; ``replay`` holds its observation if it completed before."""
        key = step_hash("tool", task, agent, tool, dumps(dict(args)))
        n = self._next(key)
        queue = self._tools.get(key) if self.reuse else None
        replay = None
        if queue:
            data = queue.popleft().data
            replay = (str(data["result"]), bool(data["error"]))
            self.replayed_tools += 1
        # The model answer asking for this call came from the journal: the process that journaled
        # it may have started the call before it died.
        earlier = max(self._started[(key, n)], 1 if (task, agent) in self._replayed_lanes else 0)
        return ToolStep(key, n, step_hash(self.run_id, key, str(n)), 1 + earlier, replay)

    def tool_started(
        self, step: ToolStep, tool: str, args: Mapping[str, Any], **where: Any
    ) -> None:
        """A tool is about to run (written with its result, or with whatever comes first)."""
        data = {"tool": tool, "args": dict(args), "key": step.key, "n": step.n,
                "idempotency_key": step.idempotency_key}  # fmt: skip
        self.draft("tool_started", data, key=step.key, **where)

    def tool_done(
        self, step: ToolStep, tool: str, args: Mapping[str, Any], result: str, error: bool,
        duration: float, **where: Any,
    ) -> None:  # fmt: skip
        """The tool's observation, journaled before the model reads it."""
        data = {"tool": tool, "args": dict(args), "key": step.key, "n": step.n,
                "idempotency_key": step.idempotency_key, "result": result, "error": error,
                "duration": round(duration, 6)}  # fmt: skip
        self.append("tool", data, key=step.key, **where)

    # -- memory and reviews -------------------------------------------------------------------

    async def recall(
        self, task: str, fetch: Callable[[], Awaitable[list[dict[str, str]]]], **where: Any
    ) -> list[dict[str, str]]:
        """The memories shown before ``task``: as journaled, else fetched and journaled (a resumed
        agent must see what it saw, though memory has grown since)."""
        key = step_hash("recall", task)
        queue = self._recalls.get(key) if self.reuse else None
        if queue:
            return [dict(m) for m in queue.popleft().data["memories"]]
        memories = await fetch()
        self.append("memory_recall", {"memories": memories}, key=key, task=task, **where)
        return memories

    def review_decision(self, task: str, n: int) -> str | None:
        """The journaled answer to the ``n``-th review of ``task``: feedback, ``""`` to accept, or
        ``None`` when no one has answered yet."""
        data = self._reviews.get((task, n))
        if data is None or data.get("status") == "pending":
            return None
        return "" if data.get("status") == "approved" else str(data.get("feedback", ""))

    def review(self, task: str, n: int, answer: str, feedback: str | None, **where: Any) -> None:
        """Journal a review: pending (``feedback=None``), approved (``""``) or with feedback."""
        status = "pending" if feedback is None else ("approved" if not feedback else "feedback")
        known = self._reviews.get((task, n))
        if status == "pending" and known is not None and known.get("answer") == answer:
            return  # still waiting for the same answer's review: journaled already
        data = {"n": n, "status": status, "answer": answer, "feedback": feedback or ""}
        self.append("review", data, key=step_hash("review", task, str(n)), task=task, **where)
        self._reviews[(task, n)] = data

    # -- the run's other steps ----------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        """Journal task and agent boundaries (model and tool calls are journaled where they
        happen, with what identifies them)."""
        where: dict[str, Any] = {
            "span": event.span_id,
            "parent": event.parent_id,
            "event_seq": event.seq,
        }
        if isinstance(event, TaskStarted):
            index = self.task_indexes.get(event.task_name)
            self.draft("task_started", {"index": index}, task=event.task_name,
                        agent=event.agent_role, **where)  # fmt: skip
        elif isinstance(event, TaskCompleted):
            output = event.output
            data = {"index": self.task_indexes.get(output.name), "output": output.to_dict()}
            # A draft too: lost in a crash, the task is done again from its journaled calls.
            self.draft("task_output", data, task=output.name, agent=output.agent, **where)
        elif isinstance(event, TaskFailed):
            self.draft("task_failed", {"error": _error(event.error)}, task=event.task_name,
                        agent=event.agent_role, **where)  # fmt: skip
        elif isinstance(event, AgentStarted):
            self.draft("agent_started", {}, task=event.task_name, agent=event.agent_role, **where)
        elif isinstance(event, AgentFinished):
            finished: dict[str, Any] = {"answer": event.answer, "forced": event.forced}
            self.draft("agent_finished", finished, task=event.task_name, agent=event.agent_role,
                        **where)  # fmt: skip
        elif isinstance(event, AgentFailed):
            self.draft("agent_failed", {"error": _error(event.error)}, task=event.task_name,
                        agent=event.agent_role, **where)  # fmt: skip


def _stamped(data: Mapping[str, Any], event_seq: int | None) -> Mapping[str, Any]:
    return data if event_seq is None else {**data, "event_seq": event_seq}


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
