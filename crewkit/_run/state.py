"""The state of one run: its events, its usage ledger and the one path every model call takes."""

from __future__ import annotations

import itertools
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crewkit._ratelimit import RateLimiter
from crewkit.errors import BudgetExceededError, CrewkitError, LLMError
from crewkit.events import EventBus, ModelCallCompleted, ModelCallStarted
from crewkit.llm._base import LLM
from crewkit.llm._cassette import send
from crewkit.llm._types import ModelRequest, ModelResponse, Usage

if TYPE_CHECKING:
    from crewkit.memory._session import RunMemory


@dataclass
class UsageLedger:
    """Usage of one run, by agent and by task. Every model call is recorded exactly once, here,
    whichever model object served it — shared model objects do not double-count."""

    total: Usage = field(default_factory=Usage)
    by_agent: dict[str, Usage] = field(default_factory=lambda: defaultdict(Usage))
    by_task: dict[str, Usage] = field(default_factory=lambda: defaultdict(Usage))

    def record(self, agent: str, task: str, usage: Usage) -> None:
        counted = Usage(usage.prompt_tokens, usage.completion_tokens, requests=1)
        self.total += counted
        self.by_agent[agent] += counted
        self.by_task[task] += counted


@dataclass(frozen=True)
class Scope:
    """Who is working on what, and under which step: passed down the call chain."""

    task: str
    agent: str
    parent: str


@dataclass
class Run:
    """Mutable state of one kickoff. Definitions never hold run state; this object does."""

    bus: EventBus
    inputs: dict[str, Any] = field(default_factory=dict)
    """The kickoff inputs."""
    max_tokens: int | None = None
    """The run's token budget, checked before every model call."""
    ask_human: Callable[[Any], Any] | None = None
    """Collects a person's review of ``human_input`` tasks."""
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    ledger: UsageLedger = field(default_factory=UsageLedger)
    memory: RunMemory | None = None
    """This run's view of the crew's memory, when the crew has one."""
    _spans: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_span(self) -> str:
        """A fresh step id, unique within the run."""
        return f"{self.run_id}.{next(self._spans)}"

    async def call_model(
        self,
        llm: LLM,
        request: ModelRequest,
        scope: Scope,
        limiters: Sequence[RateLimiter] = (),
    ) -> ModelResponse:
        """Send ``request`` to ``llm``: budget, rate limits, events, usage, and (in ``send``) the
        network guard and any record/replay cassette — the only way models are called, so each
        call is counted exactly once."""
        used = self.ledger.total.total_tokens
        if self.max_tokens is not None and used >= self.max_tokens:
            raise BudgetExceededError(
                f"token budget exhausted: {used} tokens used of max_tokens={self.max_tokens} "
                f"before {scope.agent!r} could continue {scope.task!r}"
            )
        for limiter in limiters:
            await limiter.acquire()
        span = self.new_span()
        self.bus.emit(
            ModelCallStarted(
                run_id=self.run_id,
                span_id=span,
                parent_id=scope.parent,
                agent_role=scope.agent,
                model=llm.label,
            )
        )
        started = time.perf_counter()
        try:
            response = await send(llm, request)
        except CrewkitError:
            raise
        except Exception as exc:
            raise LLMError(
                f"model call failed: {type(exc).__name__}: {exc}",
                provider=llm.provider,
                model=llm.model,
            ) from exc
        self.ledger.record(scope.agent, scope.task, response.usage)
        self.bus.emit(
            ModelCallCompleted(
                run_id=self.run_id,
                span_id=span,
                parent_id=scope.parent,
                agent_role=scope.agent,
                model=llm.label,
                response=response,
                usage=response.usage,
                duration=time.perf_counter() - started,
            )
        )
        return response
