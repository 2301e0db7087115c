"""``crewkit kickoff --trace``, the cost column, and the live view of a reply being written."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from test_cli import GOOD, crewkit, write

from crewkit._console import TreeProgress
from crewkit._console._replies import writing_tail
from crewkit.events import ModelCallCompleted, ModelTextDelta

sys.path.insert(0, str(Path(__file__).parent / "llm"))
from loopback import ScriptedServer, Stream

KEY = "sk-live-0123456789abcdefDONOTLEAK"


def test_trace_writes_every_event_as_a_json_line_with_a_gapless_seq(tmp_path: Path) -> None:
    write(tmp_path, {"crew.yaml": GOOD})
    done = crewkit("kickoff", "crew.yaml", "--input", "tea", "--trace", "run.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (tmp_path / "run.jsonl").read_text().splitlines()]
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["type"] == "CrewStarted" and rows[0]["inputs"] == {"input": "tea"}
    assert rows[-1]["type"] == "CrewCompleted"
    assert rows[-1]["output"]["raw"] == done.stdout.strip()
    pieces = [r["text"] for r in rows if r["type"] == "ModelTextDelta"]
    finals = [r["response"]["text"] for r in rows if r["type"] == "ModelCallCompleted"]
    assert "".join(pieces) == "".join(finals)
    assert all(r["run_id"] == rows[0]["run_id"] for r in rows)


def test_trace_to_an_unwritable_place_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, {"crew.yaml": GOOD})
    done = crewkit(
        "kickoff", "crew.yaml", "-i", "x", "--trace", "no/such/dir/t.jsonl", cwd=tmp_path
    )
    assert done.returncode == 2
    assert "--trace no/such/dir/t.jsonl: cannot write the file" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.extra("prices")
def test_a_real_provider_run_shows_its_cost_and_keeps_the_key_out_of_the_trace(
    tmp_path: Path,
) -> None:
    server = ScriptedServer()
    try:
        for _ in range(2):
            server.script(
                Stream(
                    [
                        {"model": "gpt-4o-2024-08-06",
                         "choices": [{"index": 0, "delta": {"content": "Done."}}]},
                        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                        {"choices": [], "usage": {"prompt_tokens": 1000, "completion_tokens": 200}},
                        "[DONE]",
                    ]
                )
            )  # fmt: skip
        write(tmp_path, {"crew.yaml": GOOD.replace("llm: mock", "llm: openai/gpt-4o")})
        done = crewkit(
            "kickoff", "crew.yaml", "-i", "tea", "--trace", "t.jsonl", cwd=tmp_path,
            OPENAI_API_KEY=KEY, OPENAI_BASE_URL=server.url,
        )  # fmt: skip
    finally:
        server.close()
    assert done.returncode == 0, done.stderr
    total = next(
        line.split() for line in done.stderr.splitlines() if line.strip().startswith("total")
    )
    assert total == ["total", "2", "2000", "400", "2400", "$0.009"]
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"
    trace = (tmp_path / "t.jsonl").read_text()
    assert KEY not in trace and KEY not in done.stderr and KEY not in done.stdout


def test_the_live_view_shows_the_reply_being_written_then_drops_it() -> None:
    from helpers import one_task_crew
    from rich.console import Console

    from crewkit.testing import ScriptedLLM

    answer = "First line of the answer.\nSecond line, still being written"
    screen = io.StringIO()
    view = TreeProgress(Console(file=screen, force_terminal=True, width=120), verbose=False)
    shown_while_writing = ""
    for event in one_task_crew(ScriptedLLM([answer])).stream():
        view(event)
        if isinstance(event, ModelTextDelta):
            capture = Console(file=io.StringIO(), width=140, record=True)
            assert view.root is not None
            capture.print(view.root)
            shown_while_writing = capture.export_text()
        if isinstance(event, ModelCallCompleted):
            assert not view.replies.writing
    view.close()
    assert "✎ First line of the answer. ⏎ Second line, still being written" in shown_while_writing


def test_the_writing_line_keeps_the_end_of_long_lines() -> None:
    assert writing_tail("a\nb\nc") == "b ⏎ c"
    assert writing_tail("x" * 200, width=10) == "…" + "x" * 10
