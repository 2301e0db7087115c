"""Fuzzing the run with hostile model replies: whatever a model says — garbage, deep JSON, lone
surrogates, odd keys, unknown tools, bad arguments, delegation storms, errors — every run either
completes or raises a CrewkitError that carries the outputs completed so far, within its known call
bound, with usage counted exactly once per call.

Seeded, so a failure names its seed and replays. The default run plays a few thousand replies;
``CREWKIT_STRESS=1`` plays ten times as many."""

from __future__ import annotations

import asyncio
import json
import os
import random
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import BaseModel

from crewkit import Agent, Crew, CrewOutput, Task, tool
from crewkit.errors import CrewkitError, RateLimitError, ServerError
from crewkit.events import Event, ModelCallCompleted, TaskCompleted
from crewkit.llm import ModelRequest, ModelResponse, ToolCall, Usage
from crewkit.testing import FunctionLLM

RUNS = 700 * (10 if os.environ.get("CREWKIT_STRESS") == "1" else 1)
MAX_ITER = 3
RETRIES = 1
DELEGATIONS = 2


class Verdict(BaseModel):
    score: int
    reason: str


@tool
def lookup(query: str, limit: int = 3) -> str:
    """Look something up."""
    return f"{limit} results for {query[:50]}"


@tool
def store(data: dict) -> str:  # type: ignore[type-arg]
    """Store a record."""
    return json.dumps(data, default=str)[:200]


@tool
def explode(reason: str) -> str:
    """A tool that always fails."""
    raise RuntimeError(f"tool failed: {reason[:40]}")


TOOLS = ["lookup", "store", "explode", "delegate_work_to_coworker", "ask_question_to_coworker"]
ROLES = ["Analyst", "Writer"]


def hostile_text(rng: random.Random) -> str:
    depth = rng.choice([5, 70, 2000])
    pieces = [
        "",
        "   ",
        "Final Answer:",
        "Final Answer: done",
        "Thought: hmm",
        "Action: lookup\nAction Input: {'query': 'x', 'limit': 'many'}",
        "Action: store\nAction Input: {'data': {1: 'a', 'b': {2, 3}, (1, 2): 0}}",
        "Action: nowhere\nAction Input: {}",
        "Action: lookup\nAction Input: " + "{" * depth,
        "[" * depth + "]" * depth,
        '{"score": ' + "[" * depth + "]" * depth + "}",
        '{"score": 3, "reason": "fine"}',
        '```json\n{"score": "high", "reason": 1}\n```',
        "half an emoji \ud83d and a pair \ud83d\ude00",
        '{"name": "lookup", "arguments": {"query": "\\ud83d"}}',
        "x" * rng.choice([10, 5000]),
        "Action: delegate_work_to_coworker\nAction Input: "
        + json.dumps({"task": "t", "context": "", "coworker": rng.choice([*ROLES, "Nobody"])}),
        "{{ 7*7 }} {input} {% raw %}",
    ]
    return rng.choice(pieces)


def hostile_arguments(rng: random.Random) -> dict[str, Any]:
    options: list[dict[str, Any]] = [
        {},
        {"query": "q"},
        {"query": 5, "limit": "x"},
        {"query": "\ud83d", "limit": -1},
        {"data": {"nested": [[[[]]]], "k": None}},
        {"data": "not a dict"},
        {"reason": "r"},
        {"task": "t", "context": "c", "coworker": rng.choice(ROLES)},
        {"question": "q", "context": "", "coworker": rng.choice([*ROLES, "analyst ", "Nobody"])},
        {"task": "t", "context": "", "coworker": "Analyst", "extra": 1},
    ]
    return rng.choice(options)


def hostile_reply(rng: random.Random) -> Any:
    roll = rng.random()
    usage = Usage(rng.randint(0, 400), rng.randint(0, 200))
    if roll < 0.08:
        return rng.choice([ServerError("boom", status=503), RateLimitError("slow", status=429)])
    if roll < 0.45:
        count = rng.choice([1, 1, 1, 2, 3])
        calls = tuple(
            ToolCall(
                rng.choice([*TOOLS, "", "LOOKUP", "unknown tool"]),
                hostile_arguments(rng),
                id=rng.choice(["", "call_x"]),
                raw_arguments=rng.choice([None, None, None, "{not json", "[" * 3000]),
            )
            for _ in range(count)
        )
        return ModelResponse(text=hostile_text(rng), tool_calls=calls, usage=usage)
    return ModelResponse(text=hostile_text(rng), usage=usage)


@dataclass
class Ledger:
    """What the model really answered, to check the run's accounting against."""

    calls: int = 0
    answered: Usage = field(default_factory=Usage)


def build(rng: random.Random, ledger: Ledger, native: bool) -> tuple[Crew, int]:
    """A small random crew over a hostile model, and the most model calls it may make."""

    async def model(request: ModelRequest) -> Any:
        ledger.calls += 1
        reply = hostile_reply(rng)
        if isinstance(reply, ModelResponse):
            ledger.answered += reply.usage
        return reply

    llm = FunctionLLM(model, native_tools=native)
    agents = [
        Agent(
            role=role,
            goal="g",
            backstory="b",
            tools=rng.sample([lookup, store, explode], rng.randint(0, 3)),
            allow_delegation=rng.random() < 0.5,
            max_iter=MAX_ITER,
        )
        for role in ROLES
    ]
    tasks = []
    for index in range(rng.randint(1, 3)):
        tasks.append(
            Task(
                f"Task {index} about {{input}}",
                "An answer",
                agent=rng.choice(agents),
                output_pydantic=Verdict if rng.random() < 0.3 else None,
                output_retries=RETRIES,
                async_execution=rng.random() < 0.3 and index < 2,
                name=f"t{index}",
            )
        )
    budget = rng.choice([None, None, None, 300, 2000])
    crew = Crew(agents=agents, tasks=tasks, llm=llm, max_delegations=DELEGATIONS, max_tokens=budget)
    per_work = MAX_ITER + 1  # max_iter calls, then the one demanding the final answer
    per_task = (1 + RETRIES) * per_work + DELEGATIONS * per_work
    return crew, per_task * len(tasks)


def test_every_hostile_run_completes_or_fails_cleanly_within_bounds() -> None:
    replies = 0
    for seed in range(RUNS):
        rng = random.Random(seed)
        ledger = Ledger()
        crew, bound = build(rng, ledger, native=rng.random() < 0.6)
        events: list[Event] = []
        crew.listeners = [events.append]
        try:
            outcome: CrewOutput | CrewkitError = asyncio.run(
                crew.kickoff_async(inputs={"input": "tea \ud83d"})
            )
        except CrewkitError as error:
            outcome = error
        except Exception as error:  # pragma: no cover - the failure this test exists to catch
            pytest.fail(f"seed {seed}: foreign {type(error).__name__}: {error}")
        replies += ledger.calls
        assert ledger.calls <= bound, f"seed {seed}: {ledger.calls} calls > bound {bound}"
        completed = [e.output for e in events if isinstance(e, TaskCompleted)]
        counted = [e for e in events if isinstance(e, ModelCallCompleted)]
        total = Usage()
        for event in counted:
            total += event.usage
        assert total.prompt_tokens == ledger.answered.prompt_tokens, f"seed {seed}"
        assert total.completion_tokens == ledger.answered.completion_tokens, f"seed {seed}"
        if isinstance(outcome, CrewOutput):
            usage = outcome.token_usage
            assert usage.requests == len(counted), f"seed {seed}"
            assert usage.total_tokens == ledger.answered.total_tokens, f"seed {seed}"
            by_agent = Usage()
            for each in outcome.usage_by_agent.values():
                by_agent += each
            assert by_agent == usage, f"seed {seed}"
            assert len(outcome.tasks_output) == len(crew.tasks)
        else:
            kept = {id(o) for o in outcome.outputs}
            assert kept <= {id(o) for o in completed}, f"seed {seed}: an output never completed"
            assert {o.name for o in completed} <= {o.name for o in outcome.outputs}, (
                f"seed {seed}: a completed output is missing from the error"
            )
    assert replies >= 2000, replies  # the default run plays a few thousand replies
