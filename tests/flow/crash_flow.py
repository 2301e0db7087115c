"""Persisted flows that die mid-run, for the resume tests.

Every step appends one line (its name) to ``$FLOW_LOG`` with a single write, so the file counts how
often each step ran across all processes; the step named in ``$CRASH_AT`` ends the process with
``os._exit`` right after logging (no cleanup, no journal ending: a crash). ``write`` kicks off a
durable crew on a model that logs each call it serves (``model: ...``).

Run as ``python -m tests.flow.crash_flow kickoff|resume CLASS RUN_ID``; prints the result and the
state as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from pydantic import BaseModel

from crewkit import Agent, Crew, Task
from crewkit.flow import Flow, listen, or_, persist, router, start
from crewkit.llm._types import ModelRequest
from crewkit.testing import FunctionLLM


def mark(line: str) -> None:
    """Log that ``line`` happened; die here if ``$CRASH_AT`` says so."""
    fd = os.open(os.environ["FLOW_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, f"{line}\n".encode())
    os.close(fd)
    if os.environ.get("CRASH_AT") == line:
        os._exit(9)


class Article(BaseModel):
    topic: str = "tea"
    notes: list[str] = []
    rounds: int = 0


@persist
class Pipeline(Flow[Article]):
    """outline → research → write → polish, each handing its result to the next."""

    @start()
    def outline(self) -> str:
        mark("outline")
        self.state.notes.append("outlined")
        return f"outline of {self.state.topic}"

    @listen(outline)
    def research(self, outline: str) -> dict[str, Any]:
        mark("research")
        self.state.notes.append("researched")
        return {"facts": 3, "from": outline}

    @listen(research)
    def write(self, found: dict[str, Any]) -> str:
        mark("write")
        self.state.notes.append("written")
        return f"{found['facts']} facts from {found['from']}"

    @listen(write)
    def polish(self, text: str) -> str:
        mark("polish")
        self.state.notes.append("polished")
        return text.upper()


@persist
class Revise(Flow[Article]):
    """A self-evaluation loop: generate, evaluate, 'retry' until the fourth round is good."""

    @start()
    def begin(self) -> None:
        mark("begin")

    @listen(or_(begin, "retry"))
    def generate(self) -> int:
        self.state.rounds += 1
        mark(f"generate {self.state.rounds}")
        return self.state.rounds

    @router(generate)
    def evaluate(self, rounds: int) -> str:
        mark(f"evaluate {rounds}")
        return "retry" if rounds < 4 else "done"

    @listen("done")
    def publish(self) -> str:
        mark("publish")
        return f"published after {self.state.rounds} rounds"


def _writer_model(request: ModelRequest) -> str:
    mark(f"model: {request.messages[-1].content[:30]!r}")
    return "a short article about tea"


@persist
class Staffed(Flow[Article]):
    """A step that kicks off a durable crew, then dies before it finishes (when told to)."""

    @start()
    def brief(self) -> str:
        mark("brief")
        return self.state.topic

    @listen(brief)
    def write(self, topic: str) -> str:
        writer = Agent(role="writer", goal="write", backstory="b", llm=FunctionLLM(_writer_model))
        task = Task(description="Write about {topic}", expected_output="text", agent=writer)
        crew = Crew(agents=[writer], tasks=[task], durable=True)
        output = crew.kickoff({"topic": topic})
        mark("write")
        return output.raw

    @listen(write)
    def publish(self, text: str) -> str:
        mark("publish")
        return text.upper()


FLOWS: dict[str, type[Flow[Any]]] = {"Pipeline": Pipeline, "Revise": Revise, "Staffed": Staffed}


def main(mode: str, name: str, run_id: str) -> None:
    flow = FLOWS[name]()
    result = flow.kickoff({"id": run_id}) if mode == "kickoff" else flow.resume(run_id)
    print(json.dumps({"result": result, "state": flow.state.model_dump()}))  # type: ignore[attr-defined]


if __name__ == "__main__":
    main(*sys.argv[1:4])
