"""A durable run's stream read again from any seq: the same events with the same seq, from the
journal, in this process or another, while the run goes on or after it ended."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from crewkit import Agent, Crew, Task, tool
from crewkit.errors import ConfigurationError, LLMError
from crewkit.events import (
    CrewCompleted,
    CrewStarted,
    Event,
    ModelCallCompleted,
    ModelStreamRestarted,
    ModelTextDelta,
    ToolCallDelta,
)
from crewkit.llm import ModelRequest, ModelResponse
from crewkit.testing import FunctionLLM, MockLLM, ScriptedLLM

PIECES = (ModelTextDelta, ToolCallDelta, ModelStreamRestarted)


@tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


def durable_crew(path: Path, llm: object) -> Crew:
    researcher = Agent(role="Researcher", goal="g", backstory="b", tools=[lookup], llm=llm)  # type: ignore[arg-type]
    writer = Agent(role="Writer", goal="g", backstory="b", llm=llm)  # type: ignore[arg-type]
    return Crew(
        agents=[researcher, writer],
        tasks=[
            Task("Research", "facts", agent=researcher, name="research"),
            Task("Write", "text", agent=writer, name="write"),
        ],
        durable=str(path),
    )


def shape(events: list[Event]) -> list[tuple[int, str, str]]:
    return [(e.seq, type(e).__name__, e.span_id) for e in events if not isinstance(e, PIECES)]


def test_a_finished_run_reads_back_as_its_live_stream_from_any_seq(tmp_path: Path) -> None:
    crew = durable_crew(tmp_path / "runs.db", MockLLM())
    live = list(crew.stream(run_id="tea-1"))
    again = list(crew.stream(run_id="tea-1", after_seq=0))
    assert shape(again) == shape(live)
    middle = live[len(live) // 2].seq
    later = list(crew.stream(run_id="tea-1", after_seq=middle))
    assert shape(later) == [row for row in shape(live) if row[0] > middle]
    final = again[-1]
    assert isinstance(final, CrewCompleted)
    assert final.output.raw == live[-1].output.raw  # type: ignore[attr-defined]
    replies = {e.span_id: e.response.text for e in again if isinstance(e, ModelCallCompleted)}
    assert replies == {
        e.span_id: e.response.text for e in live if isinstance(e, ModelCallCompleted)
    }


def test_a_resumed_run_goes_on_numbering_after_the_first_process(tmp_path: Path) -> None:
    replies: list[object] = [
        ModelResponse(text="facts"),
        LLMError("the model is down", provider="p", model="m"),
    ]
    crew = durable_crew(tmp_path / "runs.db", ScriptedLLM(replies))  # type: ignore[arg-type]
    first: list[Event] = []
    with pytest.raises(LLMError):
        for event in crew.stream(run_id="r1"):
            first.append(event)
    crew = durable_crew(tmp_path / "runs.db", ScriptedLLM(["the text"]))
    crew.resume("r1")
    everything = list(crew.stream(run_id="r1", after_seq=0))
    seqs = [e.seq for e in everything]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert max(seqs) > max(e.seq for e in first)
    assert isinstance(everything[-1], CrewCompleted)
    assert everything[-1].output.raw == "the text"


def test_a_reader_follows_a_run_that_is_still_going(tmp_path: Path) -> None:
    gate = threading.Event()

    def slow(request: ModelRequest) -> str:
        gate.wait(10)
        return "done"

    crew = durable_crew(tmp_path / "runs.db", FunctionLLM(slow))
    worker = threading.Thread(target=lambda: crew.kickoff(run_id="slow-1"))
    worker.start()
    reader = durable_crew(tmp_path / "runs.db", MockLLM())
    seen: list[Event] = []
    while True:  # wait until the run exists, then follow it
        try:
            for event in reader.stream(run_id="slow-1", after_seq=0):
                seen.append(event)
                if isinstance(event, CrewStarted):
                    gate.set()
            break
        except Exception as exc:  # the run row is written by the other thread
            if "slow-1" not in str(exc):
                raise
    worker.join(10)
    assert isinstance(seen[0], CrewStarted)
    assert isinstance(seen[-1], CrewCompleted)


def test_reading_again_needs_a_durable_crew_and_a_run_id(tmp_path: Path) -> None:
    plain = durable_crew(tmp_path / "x.db", MockLLM())
    plain.journal = None  # type: ignore[assignment]
    with pytest.raises(ConfigurationError, match="durable"):
        list(plain.stream(run_id="x", after_seq=0))
    durable = durable_crew(tmp_path / "y.db", MockLLM())
    with pytest.raises(ConfigurationError, match="run_id"):
        list(durable.stream(after_seq=0))
