"""Durable crews on a deterministic model, for the resume tests and the crash test.

``sequential``: two async tasks with a tool each run side by side, then a task whose agent delegates
once and uses a tool, then a structured verdict. ``hierarchical``: a manager delegating twice to two
agents with tools, over two tasks, the last structured. Each model reply is a function of the
request alone, so every run does the same work; each call served and each tool run can be logged
(one line: ``phase key``) to see what a process asked for.

Run as ``python -m tests.journal.crash_crew MODE KIND DB RUN_ID OUT LOGS`` (MODE ``kickoff`` or
``resume``); ``CRASH_PHASE`` names the process in the crash test's chain.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from crewkit import Agent, Crew, Process, Task, tool
from crewkit.errors import RunNotFoundError
from crewkit.llm._types import Message, ModelRequest
from crewkit.testing import FunctionLLM, call
from crewkit.tools import ToolContext

DELEGATE = "delegate_work_to_coworker"


def conversation_key(messages: Sequence[Any]) -> str:
    """The test's own identity of a request's conversation, computed the same way from live
    messages and from journaled ones (independent of the journal's hashing)."""
    rows = []
    for m in messages:
        if isinstance(m, Message):
            calls = [[c.name, dict(c.arguments), c.id] for c in m.tool_calls]
            rows.append([m.role, m.content, calls, m.tool_call_id, m.name])
        else:
            calls = [[c["name"], c["arguments"], c["id"]] for c in m["tool_calls"]]
            rows.append([m["role"], m["content"], calls, m["tool_call_id"], m["name"]])
    text = json.dumps(rows, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class Verdict(BaseModel):
    """The structured answer of the last task."""

    summary: str
    score: int


class Log:
    """One line per event, appended with a single write (whole lines even if the process dies)."""

    def __init__(self, path: str | None) -> None:
        self.fd = None if path is None else os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        self.phase = os.environ.get("CRASH_PHASE", "0")

    def write(self, key: str) -> None:
        if self.fd is not None:
            os.write(self.fd, f"{self.phase} {key}\n".encode())


class ModelFailure(RuntimeError):
    """Raised by the model when told to fail (the in-process resume tests)."""


def build(
    kind: str,
    db: str,
    *,
    logs: str | None = None,
    fail_after: int | None = None,
    sleep: bool = True,
) -> tuple[Crew, FunctionLLM]:
    """The crew and its model. ``fail_after=k``: the model serves k calls, then raises."""
    calls_log = Log(None if logs is None else os.path.join(logs, "calls.log"))
    tools_log = Log(None if logs is None else os.path.join(logs, "tools.log"))
    served = [0]

    async def reply(request: ModelRequest) -> Any:
        key = conversation_key(request.messages)
        digest = int(key[:8], 16)
        if sleep:
            await asyncio.sleep(0.004 + (digest % 8) / 1000)
        if fail_after is not None and served[0] >= fail_after:
            raise ModelFailure(f"model told to fail after {fail_after} calls")
        offered = [t.name for t in request.tools]
        results = sum(1 for m in request.messages if m.role == "tool")
        agent = request.metadata.get("agent", "")
        answer: Any
        if DELEGATE in offered and results < (2 if kind == "hierarchical" else 1):
            roles = request.tools[offered.index(DELEGATE)].parameters["properties"]["coworker"]
            coworker = roles["enum"][results % len(roles["enum"])]
            answer = call(DELEGATE, task=f"part {results} {key[:6]}", context="", coworker=coworker)
        elif "lookup" in offered and results < 2:
            answer = call("lookup", query=f"{agent} q{results} {key[:6]}")
        elif request.response_schema is not None:
            answer = json.dumps({"summary": f"{agent} verdict {key[:10]}", "score": digest % 100})
        else:
            answer = f"{agent} answers {key[:16]}"
        served[0] += 1
        calls_log.write(key)
        return answer

    @tool
    def lookup(query: str, ctx: ToolContext) -> str:
        """Look a fact up."""
        if sleep:
            time.sleep(0.002 + (len(query) % 4) / 1000)
        tools_log.write(ctx.idempotency_key)
        return f"fact about {query}: {hashlib.sha256(query.encode()).hexdigest()[:8]}"

    model = FunctionLLM(reply)
    analyst = Agent("Analyst", "analyse {ticker}", "numbers", tools=[lookup], llm=model)
    scout = Agent("Scout", "find news on {ticker}", "news", tools=[lookup], llm=model)
    if kind == "hierarchical":
        crew = Crew(
            agents=[analyst, scout],
            tasks=[
                Task("Assess {ticker}", "an assessment", name="assess"),
                Task("Decide on {ticker}", "a verdict", name="decide", output_pydantic=Verdict),
            ],
            process=Process.hierarchical,
            manager_llm=model,
            durable=db,
            name="crash-hierarchical",
        )
        return crew, model
    lead = Agent("Lead", "decide on {ticker}", "calls", tools=[lookup], llm=model,
                 allow_delegation=True)  # fmt: skip
    numbers = Task("Numbers of {ticker}", "figures", agent=analyst, async_execution=True,
                   name="numbers")  # fmt: skip
    news = Task("News of {ticker}", "headlines", agent=scout, async_execution=True, name="news")
    weigh = Task("Weigh {ticker}", "a view", agent=lead, context=[numbers, news], name="weigh")
    verdict = Task("Verdict on {ticker}", "a verdict", agent=analyst, output_pydantic=Verdict,
                   name="verdict")  # fmt: skip
    crew = Crew(
        agents=[analyst, scout, lead],
        tasks=[numbers, news, weigh, verdict],
        durable=db,
        name="crash-sequential",
    )
    return crew, model


def main(argv: list[str]) -> int:
    mode, kind, db, run_id, out, logs = argv
    crew, _ = build(kind, db, logs=logs)
    print("started", flush=True)
    try:
        output = crew.resume(run_id) if mode == "resume" else None
    except RunNotFoundError:  # killed before the run was journaled at all: start it again
        output = None
    if output is None:
        output = crew.kickoff(inputs={"ticker": "ACME"}, run_id=run_id)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(output.to_dict(), f, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
