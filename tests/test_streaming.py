"""Watching a run as it happens: crew.stream(), crew.astream() and CrewAI's Crew(stream=True)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest
from helpers import one_task_crew, streamed_replies

from crewkit import Agent, Crew, Task, tool
from crewkit.errors import CrewkitError, LLMError
from crewkit.events import (
    AgentFinished,
    AgentStarted,
    CrewCompleted,
    CrewFailed,
    CrewStarted,
    Event,
    ModelCallCompleted,
    ModelCallStarted,
    ModelTextDelta,
    TaskCompleted,
    TaskStarted,
    ToolCallCompleted,
    ToolCallDelta,
    ToolCallStarted,
)
from crewkit.llm import LLM, ModelRequest, ModelResponse, StreamItem, TextDelta, Usage
from crewkit.streaming import CrewStream
from crewkit.testing import MockLLM, ScriptedLLM, call


@tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


def two_task_crew(**options: object) -> Crew:
    researcher = Agent(role="Researcher", goal="Find {topic}", backstory="Curious.", tools=[lookup])
    writer = Agent(role="Writer", goal="Write about {topic}", backstory="Clear.")
    return Crew(
        agents=[researcher, writer],
        tasks=[
            Task("Research {topic}", "facts", agent=researcher, name="research"),
            Task("Write on {topic}", "text", agent=writer, name="write"),
        ],
        llm=MockLLM(),
        **options,  # type: ignore[arg-type]
    )


def test_stream_yields_every_step_in_order_with_a_gapless_seq_and_the_output_last() -> None:
    events = list(two_task_crew().stream({"topic": "tea"}))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    kinds = [type(e) for e in events]
    assert kinds[:3] == [CrewStarted, TaskStarted, AgentStarted]
    assert kinds[-3:] == [AgentFinished, TaskCompleted, CrewCompleted]
    assert {ToolCallDelta, ToolCallStarted, ToolCallCompleted, ModelTextDelta} <= set(kinds)
    final = events[-1]
    assert isinstance(final, CrewCompleted)
    assert final.output.raw == "Writer completed: write"
    assert [t.name for t in final.output.tasks_output] == ["research", "write"]


def test_streamed_pieces_join_to_exactly_each_replys_text() -> None:
    events = list(two_task_crew().stream({"topic": "tea"}))
    replies = streamed_replies(events)
    assert len(replies) == 3
    for streamed, final in replies:
        assert streamed == final
    tool_pieces = "".join(e.arguments for e in events if isinstance(e, ToolCallDelta))
    assert tool_pieces == '{"key": "sample key"}'
    deltas = [e for e in events if isinstance(e, ModelTextDelta)]
    assert {(d.agent_role, d.task_name) for d in deltas} == {
        ("Researcher", "research"),
        ("Writer", "write"),
    }


def test_astream_yields_the_same_events_as_stream() -> None:
    async def collect() -> list[Event]:
        return [e async for e in two_task_crew().astream({"topic": "tea"})]

    async_events = asyncio.run(collect())
    sync_events = list(two_task_crew().stream({"topic": "tea"}))
    assert [type(e) for e in async_events] == [type(e) for e in sync_events]
    assert [e.seq for e in async_events] == [e.seq for e in sync_events]


def test_kickoff_does_not_stream_and_emits_no_pieces() -> None:
    events: list[Event] = []
    two_task_crew(listeners=[events.append]).kickoff({"topic": "tea"})
    assert not any(isinstance(e, (ModelTextDelta, ToolCallDelta)) for e in events)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


class Typist(LLM):
    """Streams its reply one character per piece, all at once: the run merges the pieces."""

    provider = "typist"

    def __init__(self, text: str) -> None:
        self.model, self.text = "typist", text

    async def complete(self, request: ModelRequest) -> ModelResponse:
        return ModelResponse(text=self.text, usage=Usage(5, len(self.text)))

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        for char in self.text:
            yield TextDelta(char)
        yield await self.complete(request)


def test_pieces_arriving_together_are_merged_into_few_events() -> None:
    text = "A long answer, written one character at a time. " * 20
    events = list(one_task_crew(Typist(text)).stream())
    deltas = [e for e in events if isinstance(e, ModelTextDelta)]
    assert "".join(d.text for d in deltas) == text
    assert deltas[0].text == "A"  # the first piece is not held back
    assert len(deltas) <= 2 + len(text) // 1024


class Stalling(LLM):
    """Answers the first call, then never answers; records whether it was cancelled."""

    provider = "stalling"

    def __init__(self) -> None:
        self.model = "stall"
        self.calls = 0
        self.cancelled = threading.Event()

    async def complete(self, request: ModelRequest) -> ModelResponse:
        self.calls += 1
        if self.calls == 1:
            return ModelResponse(tool_calls=(call("lookup", key="k"),))
        try:
            await asyncio.Event().wait()
        finally:
            self.cancelled.set()
        raise AssertionError("unreachable")


def test_closing_the_stream_early_cancels_the_run() -> None:
    llm = Stalling()
    stream = one_task_crew(llm, tools=[lookup]).stream()
    for event in stream:
        if isinstance(event, ModelCallStarted) and llm.calls == 2:
            break
    stream.close()  # type: ignore[attr-defined]
    assert llm.cancelled.wait(5)
    assert llm.calls == 2
    assert not [t for t in threading.enumerate() if t.name == "crewkit-stream"]


def test_breaking_out_of_astream_cancels_the_run() -> None:
    llm = Stalling()

    async def watch() -> None:
        events = one_task_crew(llm, tools=[lookup]).astream()
        async for event in events:
            if isinstance(event, ModelCallStarted) and llm.calls == 2:
                break
        await events.aclose()  # type: ignore[attr-defined]

    asyncio.run(watch())
    assert llm.cancelled.is_set()


def test_a_failed_run_yields_crew_failed_then_raises_with_the_outputs_so_far() -> None:
    researcher = Agent(role="Researcher", goal="g", backstory="b")
    writer = Agent(role="Writer", goal="g", backstory="b")
    llm = ScriptedLLM(["facts", LLMError("the model is down", provider="p", model="m")])
    crew = Crew(
        agents=[researcher, writer],
        tasks=[Task("Research", "facts", agent=researcher), Task("Write", "text", agent=writer)],
        llm=llm,
    )
    seen: list[Event] = []
    with pytest.raises(LLMError, match="the model is down") as caught:
        for event in crew.stream():
            seen.append(event)
    assert isinstance(seen[-1], CrewFailed)
    assert [o.raw for o in caught.value.outputs] == ["facts"]


def test_crewai_form_kickoff_returns_chunks_and_the_result() -> None:
    stream = two_task_crew(stream=True).kickoff({"topic": "tea"})
    assert isinstance(stream, CrewStream)
    chunks = list(stream)
    texts = [c for c in chunks if c.chunk_type == "text"]
    assert {(c.task_name, c.task_index, c.agent_role) for c in texts} == {
        ("research", 0, "Researcher"),
        ("write", 1, "Writer"),
    }
    calls = [c for c in chunks if c.chunk_type == "tool_call"]
    assert calls[0].tool_name == "lookup"
    assert "".join(c.content for c in calls) == '{"key": "sample key"}'
    assert stream.is_completed
    assert stream.result.raw == "Writer completed: write"
    assert stream.get_full_text().endswith("Writer completed: write")


def test_crewai_form_result_before_the_end_is_a_clear_error() -> None:
    stream = two_task_crew(stream=True).kickoff({"topic": "tea"})
    with pytest.raises(CrewkitError, match="has not finished"):
        _ = stream.result


def test_crewai_form_is_still_a_crew_output_reading_a_field_runs_it_to_the_end() -> None:
    output = two_task_crew(stream=True).kickoff({"topic": "tea"})
    assert output.raw == "Writer completed: write"
    assert output.token_usage.requests == 3


def test_crewai_form_async_kickoff_is_read_with_async_for() -> None:
    async def run() -> tuple[list[str], str]:
        stream = await two_task_crew(stream=True).kickoff_async({"topic": "tea"})
        assert isinstance(stream, CrewStream)
        kinds = [chunk.chunk_type async for chunk in stream]
        return kinds, stream.result.raw

    kinds, raw = asyncio.run(run())
    assert "text" in kinds
    assert raw == "Writer completed: write"


def test_stream_is_both_the_crewai_switch_and_a_method() -> None:
    assert not two_task_crew().stream
    assert two_task_crew(stream=True).stream
    events = list(two_task_crew(stream=True).stream({"topic": "tea"}))
    assert isinstance(events[-1], CrewCompleted)


def test_model_calls_report_time_to_first_piece_only_when_streamed() -> None:
    streamed = [
        e for e in two_task_crew().stream({"topic": "tea"}) if isinstance(e, ModelCallCompleted)
    ]
    assert all(e.time_to_first_chunk is not None for e in streamed)
    events: list[Event] = []
    two_task_crew(listeners=[events.append]).kickoff({"topic": "tea"})
    whole = [e for e in events if isinstance(e, ModelCallCompleted)]
    assert all(e.time_to_first_chunk is None for e in whole)
