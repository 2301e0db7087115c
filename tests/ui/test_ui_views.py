"""What the pages compute from journal records: the tree's rows on the timeline, tokens and cost per
step, the step an error came from, a batch's rate and ETA, the crew's graph, markdown that stays
text. No server and no browser here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.extras import require_extra

require_extra("ui")

from crewkit.journal import BatchProgress, Journal  # noqa: E402
from crewkit.llm._types import Usage  # noqa: E402
from crewkit.ui import _graph, _views  # noqa: E402
from crewkit.ui._markdown import render  # noqa: E402

DEFINITION = {
    "process": "sequential",
    "agents": [{"role": "Analyst", "tools": [{"name": "lookup"}]}, {"role": "Writer"}],
    "tasks": [
        {"name": "research", "description": "Research it", "agent": "Analyst"},
        {"name": "write", "description": "Write it", "agent": "Writer", "context": [0]},
    ],
}


def _journal_with_one_task(tmp_path: Path, *, fail_tool: bool = False) -> Journal:
    journal = Journal(tmp_path / "runs.db")
    journal.begin_run("r1", crew="demo", fingerprint="f", definition=DEFINITION, inputs={},
                      tasks_total=2)  # fmt: skip
    where = {"task": "research", "agent": "Analyst"}
    journal.append("r1", "task_started", {"index": 0, "label": "research"}, span="s1", **where)
    journal.append("r1", "agent_started", {}, span="s2", parent="s1", **where)
    journal.append("r1", "model_started", {"model": "mock/a"}, span="s3", parent="s2", **where)
    journal.append("r1", "model", {"model": "mock/a", "usage": {"prompt": 30, "completion": 7},
                                   "cost": 0.002}, span="s3", parent="s2", usage=Usage(30, 7),
                   cost=0.002, **where)  # fmt: skip
    journal.append("r1", "tool_started", {"tool": "lookup", "args": {"q": "tides"}}, span="s4",
                   parent="s2", **where)  # fmt: skip
    error = "lookup failed: no network" if fail_tool else None
    journal.append("r1", "tool", {"tool": "lookup", "args": {"q": "tides"}, "result": "",
                                  "error": error}, span="s4", parent="s2", **where)  # fmt: skip
    if fail_tool:
        journal.finish("r1", "failed", error="RuntimeError: lookup failed: no network")
    return journal


def test_rows_nest_task_agent_and_calls_and_sum_tokens_and_cost_upwards(tmp_path: Path) -> None:
    journal = _journal_with_one_task(tmp_path)
    rows = _views.step_rows(journal.tree("r1"))
    assert [(r.depth, r.kind, r.label) for r in rows] == [
        (0, "task", "research"),
        (1, "agent", "Analyst"),
        (2, "model", "mock/a"),
        (2, "tool", "lookup(q='tides')"),
    ]
    task, agent, model, tool = rows
    assert (task.prompt_tokens, task.completion_tokens) == (30, 7)
    assert (agent.prompt_tokens, model.prompt_tokens, tool.prompt_tokens) == (30, 30, 0)
    assert task.cost == pytest.approx(0.002) and tool.cost is None
    assert model.state == tool.state == "done" and task.state == "running"


def test_timeline_bars_stay_inside_the_box_and_follow_start_order(tmp_path: Path) -> None:
    journal = _journal_with_one_task(tmp_path)
    rows = _views.step_rows(journal.tree("r1"))
    for row in rows:
        assert row.bar_x >= 0 and row.bar_x + row.bar_width <= _views.TIMELINE_WIDTH + 1e-9
        assert row.bar_width >= 0
    xs = [r.bar_x for r in rows]
    assert xs == sorted(xs)


def test_a_failed_tool_is_the_error_step_of_a_failed_run(tmp_path: Path) -> None:
    journal = _journal_with_one_task(tmp_path, fail_tool=True)
    rows = _views.step_rows(journal.tree("r1"))
    step = _views.error_step(rows)
    assert step is not None and step.kind == "tool" and step.error == "lookup failed: no network"
    # the steps left open by the failure show as failed too, not as running
    assert {r.kind: r.state for r in rows}["task"] == "failed"


def test_a_completed_run_has_no_error_step(tmp_path: Path) -> None:
    journal = _journal_with_one_task(tmp_path)
    journal.finish("r1", "completed", output={"raw": "ok"})
    assert _views.error_step(_views.step_rows(journal.tree("r1"))) is None


def test_batch_rate_and_eta_from_counts_and_times() -> None:
    progress = BatchProgress(batch_id="b", total=10, by_status={"completed": 3, "failed": 1,
                             "running": 2}, usage=Usage(), cost=None, first_started=1000.0,
                             last_ended=1100.0)  # fmt: skip
    figures = _views.batch_figures(progress, now=1120.0)
    assert (figures.done, figures.failed, figures.active) == (3, 1, 2)
    assert figures.per_minute == pytest.approx(4 / 120 * 60)
    assert figures.eta == pytest.approx(6 / figures.per_minute * 60)


def test_graph_of_a_journaled_definition_has_agents_tasks_and_context() -> None:
    shape = _graph.shape_of(DEFINITION, "demo")
    assert [a.role for a in shape.agents] == ["Analyst", "Writer"]
    assert [(t.label, t.agent, t.context) for t in shape.tasks] == [
        ("research", 0, None), ("write", 1, (0,)),
    ]  # fmt: skip
    drawing = _graph.draw(shape)
    assert {b.text for b in drawing.boxes} == {"Analyst", "Writer", "research", "write"}
    assert sum(1 for p in drawing.paths if p.label == "performs") == 2
    assert "task0 -- context --> task1" in _graph.mermaid(shape)


def test_graph_of_an_unexpected_definition_draws_what_it_can() -> None:
    drawing = _graph.draw(_graph.shape_of({"agents": "?", "tasks": [{"agent": 3}]}, "odd"))
    assert [b.text for b in drawing.boxes] == ["task 1"]


def test_markdown_renders_formatting_but_raw_html_stays_text() -> None:
    html = render("# Title\n\n<script>alert(1)</script> **bold** [x](javascript:alert(1))")
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_markdown_images_are_never_loaded() -> None:
    html = render("![chart](http://example.com/leak?q=secret)")
    assert "<img" not in html


def test_a_delegation_nests_the_coworker_under_the_managers_tool_call(tmp_path: Path) -> None:
    from crewkit import Agent, Crew, Task

    path = tmp_path / "runs.db"
    agents = [Agent(role=r, goal="Help", backstory="Able.") for r in ("Researcher", "Writer")]
    task = Task(description="Write about tides", expected_output="A paragraph")
    crew = Crew(agents=agents, tasks=[task], process="hierarchical", manager_llm="mock",
                llm="mock", durable=str(path))  # fmt: skip
    crew.kickoff(run_id="h1")
    rows = _views.step_rows(Journal(path).tree("h1"))
    assert [(r.depth, r.kind) for r in rows[:6]] == [
        (0, "task"), (1, "agent"), (2, "model"), (2, "tool"), (3, "agent"), (4, "model"),
    ]  # fmt: skip
    assert rows[1].label == "Crew Manager"
    assert rows[3].label.startswith("delegate_work_to_coworker(") and rows[4].label == "Researcher"
    shape = _graph.shape_of(Journal(path).require("h1").definition, "h")
    assert shape.manager is not None and shape.manager.startswith("manager")
