"""OpenTelemetry spans of a run, checked with the SDK's in-memory exporter."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.extras import require_extra

require_extra("otel")

from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)

from crewkit import Agent, Crew, Process, Task, tool, tracing  # noqa: E402
from crewkit.errors import LLMError  # noqa: E402
from crewkit.llm import ModelResponse, Usage  # noqa: E402
from crewkit.testing import MockLLM, ScriptedLLM, call  # noqa: E402

PROMPT = "Find the boiling point of xenon-tea"
ANSWER = "It boils at 97 degrees, quietly."
RESULT = "secret-ish result 4711"


@tool
def lookup(key: str) -> str:
    """Look a key up."""
    return RESULT


@tool
def broken(key: str) -> str:
    """Always fails."""
    raise RuntimeError("the lookup service is down")


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.instrument(provider)
    yield exporter
    tracing.uninstrument()


def tree(exporter: InMemorySpanExporter) -> list[tuple[int, str]]:
    """(depth, name) of every finished span, in start order."""
    finished = exporter.get_finished_spans()
    by_id = {s.context.span_id: s for s in finished}

    def depth(span: ReadableSpan) -> int:
        level = 0
        while span.parent is not None and span.parent.span_id in by_id:
            span, level = by_id[span.parent.span_id], level + 1
        return level

    return [(depth(s), s.name) for s in sorted(finished, key=lambda s: s.start_time or 0)]


def named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == name]


def analyst_crew(llm: Any, tools: list[object] | None = None, **options: Any) -> Crew:
    agent = Agent(role="Analyst", goal="Answer", backstory="Careful.", tools=tools or [], llm=llm)
    task = Task(PROMPT, "A number", agent=agent, name="boil")
    return Crew(agents=[agent], tasks=[task], name="lab", **options)


def scripted() -> ScriptedLLM:
    return ScriptedLLM(
        [
            ModelResponse(
                tool_calls=(call("lookup", key="xenon"),),
                usage=Usage(30, 5),
                finish_reason="tool_calls",
            ),
            ModelResponse(text=ANSWER, usage=Usage(50, 9), model="served-model"),
        ]
    )


def test_a_run_is_a_workflow_span_with_agent_chat_and_tool_spans(
    spans: InMemorySpanExporter,
) -> None:
    analyst_crew(scripted(), [lookup]).kickoff()
    assert tree(spans) == [
        (0, "invoke_workflow lab"),
        (1, "invoke_agent Analyst"),
        (2, "chat script"),
        (2, "execute_tool lookup"),
        (2, "chat script"),
    ]
    [workflow] = named(spans, "invoke_workflow lab")
    assert workflow.attributes["gen_ai.operation.name"] == "invoke_workflow"
    assert workflow.attributes["gen_ai.workflow.name"] == "lab"
    [agent] = named(spans, "invoke_agent Analyst")
    assert agent.attributes["gen_ai.agent.name"] == "Analyst"
    assert agent.attributes["crewkit.task.name"] == "boil"
    first, second = named(spans, "chat script")
    assert first.kind is trace.SpanKind.INTERNAL  # a model in this process
    assert {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "scripted",
        "gen_ai.request.model": "script",
        "gen_ai.response.model": "served-model",
        "gen_ai.usage.input_tokens": 50,
        "gen_ai.usage.output_tokens": 9,
    }.items() <= dict(second.attributes).items()
    assert first.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    [tool_span] = named(spans, "execute_tool lookup")
    assert tool_span.attributes["gen_ai.tool.name"] == "lookup"
    assert tool_span.attributes["gen_ai.tool.call.id"] == "call_1_0"
    assert all(s.status.status_code is trace.StatusCode.UNSET for s in spans.get_finished_spans())


def test_delegated_work_nests_under_the_delegating_tool_call(spans: InMemorySpanExporter) -> None:
    researcher = Agent(role="Researcher", goal="Find", backstory="b")
    writer = Agent(role="Writer", goal="Write", backstory="b")
    crew = Crew(
        agents=[researcher, writer],
        tasks=[Task("Write about tea", "One paragraph", name="tea")],
        process=Process.hierarchical,
        manager_llm=MockLLM(),
        llm=MockLLM(),
        name="office",
    )
    crew.kickoff()
    rows = tree(spans)
    assert rows[:2] == [(0, "invoke_workflow office"), (1, "invoke_agent Crew Manager")]
    delegations = [
        i for i, (_, n) in enumerate(rows) if n == "execute_tool delegate_work_to_coworker"
    ]
    assert delegations
    level, _ = rows[delegations[0]]
    assert rows[delegations[0] + 1] == (level + 1, "invoke_agent Researcher")
    assert rows[delegations[0] + 2] == (level + 2, "chat mock")


def test_a_failing_tool_marks_its_span_as_an_error(spans: InMemorySpanExporter) -> None:
    llm = ScriptedLLM([call("broken", key="k"), "gave up"])
    analyst_crew(llm, [broken]).kickoff()
    [tool_span] = named(spans, "execute_tool broken")
    assert tool_span.status.status_code is trace.StatusCode.ERROR
    assert tool_span.attributes["error.type"] == "RuntimeError"
    [workflow] = named(spans, "invoke_workflow lab")
    assert workflow.status.status_code is trace.StatusCode.UNSET  # the agent worked on


def test_a_failing_model_fails_its_chat_agent_and_workflow_spans(
    spans: InMemorySpanExporter,
) -> None:
    llm = ScriptedLLM([LLMError("the model is down", provider="p", model="m")])
    with pytest.raises(LLMError):
        analyst_crew(llm).kickoff()
    for name in ("chat script", "invoke_agent Analyst", "invoke_workflow lab"):
        [span] = named(spans, name)
        assert span.status.status_code is trace.StatusCode.ERROR, name
        assert span.attributes["error.type"] == "LLMError"
        assert span.status.description is None  # error texts are content


def test_no_content_is_recorded_by_default(spans: InMemorySpanExporter) -> None:
    analyst_crew(scripted(), [lookup]).kickoff()
    values = [str(v) for s in spans.get_finished_spans() for v in s.attributes.values()]
    for text in (PROMPT, ANSWER, RESULT, "xenon", "Careful."):
        assert not any(text in v for v in values), text
    keys = {k for s in spans.get_finished_spans() for k in s.attributes}
    assert not keys & {"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.tool.call.result"}


def test_content_is_recorded_when_asked_for() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.instrument(provider, include_content=True)
    try:
        analyst_crew(scripted(), [lookup]).kickoff()
    finally:
        tracing.uninstrument()
    last_chat = named(exporter, "chat script")[-1]
    messages = json.loads(str(last_chat.attributes["gen_ai.input.messages"]))
    assert PROMPT in messages[0]["parts"][0]["content"]
    assert messages[-1] == {
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": "call_1_0", "response": RESULT}],
    }
    system = json.loads(str(last_chat.attributes["gen_ai.system_instructions"]))
    assert "Careful." in system[0]["content"]
    output = json.loads(str(last_chat.attributes["gen_ai.output.messages"]))
    assert output == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": ANSWER}],
            "finish_reason": "stop",
        }
    ]
    [tool_span] = named(exporter, "execute_tool lookup")
    assert json.loads(str(tool_span.attributes["gen_ai.tool.call.arguments"])) == {"key": "xenon"}
    assert tool_span.attributes["gen_ai.tool.call.result"] == RESULT


def test_uninstrument_stops_tracing(spans: InMemorySpanExporter) -> None:
    tracing.uninstrument()
    assert not tracing.instrumented()
    analyst_crew(scripted(), [lookup]).kickoff()
    assert spans.get_finished_spans() == ()


def test_a_kickoff_inside_an_application_span_becomes_its_child(
    spans: InMemorySpanExporter,
) -> None:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    with provider.get_tracer("app").start_as_current_span("handle request") as outer:
        analyst_crew(scripted(), [lookup]).kickoff()
    [workflow] = named(spans, "invoke_workflow lab")
    assert workflow.parent is not None
    assert workflow.parent.span_id == outer.get_span_context().span_id


def test_streamed_calls_record_time_to_first_chunk(spans: InMemorySpanExporter) -> None:
    list(analyst_crew(scripted(), [lookup]).stream())
    chats = named(spans, "chat script")
    assert all(s.attributes["gen_ai.request.stream"] is True for s in chats)
    assert all(float(s.attributes["gen_ai.response.time_to_first_chunk"]) >= 0 for s in chats)
