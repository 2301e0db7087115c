"""What a flow run tells its listeners, how it is shown, and how it is drawn."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from crewkit import Agent, Crew, Task
from crewkit._console import LineProgress
from crewkit.errors import FlowError
from crewkit.events import (
    CrewCompleted,
    CrewStarted,
    Event,
    FlowCompleted,
    FlowFailed,
    FlowStarted,
    FlowStepCompleted,
    FlowStepFailed,
    FlowStepStarted,
    RouterDecided,
    TaskCompleted,
)
from crewkit.flow import Flow, and_, listen, or_, router, start


def _crew(name: str) -> Crew:
    agent = Agent(role="Clerk", goal="File things", backstory="Tidy.")
    task = Task(description="File the {what}.", expected_output="Done.", agent=agent)
    return Crew(agents=[agent], tasks=[task], llm="mock", name=name)


class Routed(Flow):
    @start()
    def begin(self) -> str:
        return "began"

    @router(begin)
    def route(self) -> str:
        return "left"

    @listen("left")
    def go_left(self) -> str:
        return "went left"


def test_a_flow_reports_each_step_and_the_router_decision() -> None:
    events: list[Event] = []
    assert Routed(listeners=[events.append]).kickoff() == "went left"
    kinds = [(type(e).__name__, getattr(e, "step", "")) for e in events]
    assert kinds == [
        ("FlowStarted", ""),
        ("FlowStepStarted", "begin"),
        ("FlowStepCompleted", "begin"),
        ("FlowStepStarted", "route"),
        ("FlowStepCompleted", "route"),
        ("RouterDecided", "route"),
        ("FlowStepStarted", "go_left"),
        ("FlowStepCompleted", "go_left"),
        ("FlowCompleted", ""),
    ]
    flow = events[0]
    assert isinstance(flow, FlowStarted) and flow.parent_id is None and flow.flow_name == "Routed"
    steps = [e for e in events if isinstance(e, FlowStepStarted)]
    assert {e.parent_id for e in steps} == {flow.span_id}
    assert [e.trigger for e in steps] == ["", "begin", "left"]
    decided = next(e for e in events if isinstance(e, RouterDecided))
    assert decided.label == "left" and decided.span_id == steps[1].span_id
    done = events[-1]
    assert isinstance(done, FlowCompleted) and done.result == "went left" and done.steps == 3
    completed = [e for e in events if isinstance(e, FlowStepCompleted)]
    assert [e.result for e in completed] == ["began", "left", "went left"]


def test_a_failing_step_closes_its_span_and_the_flow_with_failures() -> None:
    class Breaks(Flow):
        @start()
        def begin(self) -> None:
            raise KeyError("missing")

    events: list[Event] = []
    with pytest.raises(FlowError):
        Breaks(listeners=[events.append]).kickoff()
    failed_step = next(e for e in events if isinstance(e, FlowStepFailed))
    assert failed_step.step == "begin" and isinstance(failed_step.error, KeyError)
    assert isinstance(events[-1], FlowFailed) and isinstance(events[-1].error, FlowError)


class Filing(Flow):
    @start()
    def sync_step(self) -> str:
        return _crew("sync-crew").kickoff(inputs={"what": "invoices"}).raw

    @listen(sync_step)
    async def async_step(self) -> str:
        output = await _crew("async-crew").kickoff_async(inputs={"what": "receipts"})
        return output.raw

    @listen(async_step)
    async def blocking_call_in_async_step(self) -> str:
        # CrewAI projects call the sync kickoff inside async steps; it runs in a helper thread
        return _crew("helper-thread-crew").kickoff(inputs={"what": "letters"}).raw


def test_crews_kicked_off_in_steps_nest_under_them_and_reach_the_flow_listeners() -> None:
    events: list[Event] = []
    Filing(listeners=[events.append]).kickoff()
    step_spans = {e.step: e.span_id for e in events if isinstance(e, FlowStepStarted)}
    crews = {e.crew_name: e.parent_id for e in events if isinstance(e, CrewStarted)}
    assert crews == {
        "sync-crew": step_spans["sync_step"],
        "async-crew": step_spans["async_step"],
        "helper-thread-crew": step_spans["blocking_call_in_async_step"],
    }
    assert sum(isinstance(e, TaskCompleted) for e in events) == 3
    assert sum(isinstance(e, CrewCompleted) for e in events) == 3


def test_progress_lines_show_the_steps_with_their_crews_inside() -> None:
    stream = io.StringIO()
    Filing(listeners=[LineProgress(stream)]).kickoff()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "flow Filing"
    assert lines[1] == "step sync_step"
    assert lines[2] == "  crew sync-crew"
    assert lines[3].startswith("    task ")
    assert "step async_step ← sync_step" in lines
    assert lines[-1].startswith("finished: 3 steps in ")


def test_router_decisions_show_in_the_progress_lines() -> None:
    stream = io.StringIO()
    Routed(listeners=[LineProgress(stream)]).kickoff()
    lines = stream.getvalue().splitlines()
    assert lines[:6] == [
        "flow Routed",
        "step begin",
        lines[2],
        "step route ← begin",
        lines[4],
        "  → 'left'",
    ]
    assert lines[2].startswith("✓ begin ") and lines[4].startswith("✓ route ")
    assert "step go_left ← left" in lines


def test_a_verbose_crew_inside_a_verbose_flow_is_shown_once(capsys: Any) -> None:
    class Verbose(Flow):
        @start()
        def work(self) -> str:
            crew = _crew("inner")
            crew.verbose = True
            return crew.kickoff(inputs={"what": "notes"}).raw

    Verbose(verbose=True).kickoff()
    err = capsys.readouterr().err
    assert err.count("crew inner") == 1
    assert err.startswith("flow Verbose\nstep work\n  crew inner\n")


class Drawn(Flow):
    @start()
    def load(self) -> None: ...

    @start()
    def fetch(self) -> None: ...

    @listen(and_(load, fetch))
    def merge(self) -> None: ...

    @router(merge)
    def check(self) -> str:
        if self.state:
            return "ok"
        return "redo"

    @listen(or_(merge, "redo"))
    def polish(self) -> None: ...

    @listen("ok")
    def publish(self) -> None: ...


def test_the_mermaid_picture_of_a_flow() -> None:
    assert Drawn.mermaid() == (
        "flowchart TD\n"
        "  %% flow Drawn\n"
        '  s_load(["load"]):::start\n'
        '  s_fetch(["fetch"]):::start\n'
        '  s_merge["merge"]\n'
        '  s_check{"check"}:::router\n'
        '  s_polish["polish"]\n'
        '  s_publish["publish"]\n'
        "  s_load -- and --> s_merge\n"
        "  s_fetch -- and --> s_merge\n"
        "  s_merge --> s_check\n"
        "  s_merge -- or --> s_polish\n"
        '  s_check -. "redo (or)" .-> s_polish\n'
        '  s_check -. "ok" .-> s_publish\n'
        "  classDef start fill:#e8f5e9,stroke:#2e7d32\n"
        "  classDef router fill:#fff8e1,stroke:#f9a825\n"
    )


def test_plot_writes_a_page_that_renders_the_picture(tmp_path: Path) -> None:
    path = Drawn().plot(str(tmp_path / "drawn"))
    assert path == str(tmp_path / "drawn.html")
    page = Path(path).read_text(encoding="utf-8")
    assert '<pre class="mermaid">\nflowchart TD' in page
    assert "s_check -. &quot;redo (or)&quot; .-&gt; s_polish" in page
    assert 'securityLevel: "strict"' in page


def test_the_live_tree_nests_crews_under_their_steps() -> None:
    from rich.console import Console

    from crewkit._console import TreeProgress

    buffer = io.StringIO()
    Filing(listeners=[TreeProgress(Console(file=buffer, width=100, color_system=None))]).kickoff()
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "flow Filing"
    assert lines[1].startswith("├── step sync_step ✓ ")
    assert lines[2] == "│   └── crew sync-crew"
    assert lines[3].startswith("│       ├── task Task 1: File the invoices. → Clerk ✓ 1 model call")
    assert lines[-1].startswith("└── finished: 3 steps in ")
