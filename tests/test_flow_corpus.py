"""The five CrewAI flow projects of tests/flows_corpus (see its README) run through their own entry
points on the mock model."""

from __future__ import annotations

import csv
import dataclasses
import http.server
import importlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

import crewkit.llm._registry as registry
from crewkit.events import CrewStarted, Event, FlowStepStarted, RouterDecided, subscribe
from crewkit.llm import ModelRequest, ModelResponse
from crewkit.testing import FunctionLLM, MockLLM

PROJECTS = ["lead_score", "email_auto_responder", "meeting_assistant", "self_evaluation_loop",
            "write_a_book"]  # fmt: skip


def _main(project: str) -> Any:
    return importlib.import_module(f"tests.flows_corpus.{project}.main")


@pytest.fixture
def events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Event]]:
    """Every event of the run, in a fresh working folder, with crews on the mock model."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CREWKIT_MODEL", "mock")
    seen: list[Event] = []
    unsubscribe = subscribe(seen.append)
    yield seen
    unsubscribe()


def _steps(events: list[Event]) -> list[str]:
    return [e.step for e in events if isinstance(e, FlowStepStarted)]


def _labels(events: list[Event]) -> list[str | None]:
    return [e.label for e in events if isinstance(e, RouterDecided)]


def _crews(events: list[Event], name: str) -> list[CrewStarted]:
    return [e for e in events if isinstance(e, CrewStarted) and e.crew_name == name]


def test_lead_score_rescores_with_feedback_then_writes_to_every_applicant(
    events: list[Event], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = _main("lead_score")
    answers = iter(["maybe", "2", "prefer Kubernetes experience", "3"])
    monkeypatch.setattr(main, "ask", lambda prompt="": next(answers))
    written = main.kickoff()
    assert _steps(events) == ["load_leads", "score_leads", "human_in_the_loop", "score_leads",
                              "human_in_the_loop", "write_and_save_emails"]  # fmt: skip
    assert _labels(events) == ["scored_leads_feedback", "generate_emails"]
    scoring = _crews(events, "lead-score")
    assert len(scoring) == 8  # four applicants, scored twice, concurrently each time
    assert {c.inputs["additional_instructions"] for c in scoring[4:]} == {
        "prefer Kubernetes experience"
    }
    invitations = sorted(
        c.inputs["proceed_with_candidate"] for c in _crews(events, "lead-response")
    )
    assert invitations == [False, True, True, True]  # the top three are invited
    assert sorted(Path(p).name for p in written) == [
        "Ada Moreau.txt", "Bo Lindqvist.txt", "Chidi Okafor.txt", "Dana Wu.txt"]  # fmt: skip
    assert (
        (tmp_path / "email_responses" / "Dana Wu.txt")
        .read_text()
        .startswith("Recruiting coordinator completed:")
    )


def test_lead_score_can_stop_at_the_review(
    events: list[Event], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = _main("lead_score")
    monkeypatch.setattr(main, "ask", lambda prompt="": "1")
    assert main.kickoff() is None
    assert _labels(events) == [None]
    assert not (tmp_path / "email_responses").exists()


def test_email_auto_responder_drafts_replies_to_new_mail_only(
    events: list[Event], tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for number, subject in enumerate(["Demo next week?", "Invoice 42"], start=1):
        mail = {"id": f"m{number}", "sender": f"s{number}@example.org", "subject": subject,
                "body": "Hello!"}  # fmt: skip
        (inbox / f"{number}.json").write_text(json.dumps(mail))
    _main("email_auto_responder").kickoff({"wait_seconds": 0, "rounds": 2})
    assert (
        _steps(events) == ["fetch_new_emails", "generate_draft_responses", "schedule_next_run"] * 2
    )
    assert _labels(events) == ["wait_next_run", None]
    (crew,) = _crews(events, "email-filter")  # the second round found nothing new
    assert "Demo next week?" in crew.inputs["emails"] and "Invoice 42" in crew.inputs["emails"]
    assert [p.name for p in (tmp_path / "drafts").iterdir()] == ["sample_to-sample_subject.txt"]


class _Recorder(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        return None


def test_meeting_assistant_sends_tasks_to_the_board_the_file_and_the_chat(
    events: list[Event], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("BOARD_URL", f"{base}/cards")
    monkeypatch.setenv("CHAT_WEBHOOK_URL", f"{base}/chat")
    try:
        _main("meeting_assistant").kickoff()
    finally:
        server.shutdown()
        server.server_close()
    (crew,) = _crews(events, "meeting-assistant")
    assert "nightly export failed twice" in crew.inputs["transcript"]
    fan_out = [e for e in events if isinstance(e, FlowStepStarted) and e.trigger]
    assert sorted(e.step for e in fan_out[1:]) == [
        "add_tasks_to_board", "save_new_tasks_to_csv", "send_chat_notification"]  # fmt: skip
    assert {e.trigger for e in fan_out[1:]} == {"generate_tasks_from_meeting_transcript"}
    assert sorted(_Recorder.received, key=lambda r: r[0]) == [
        ("/cards", {"name": "sample name", "desc": "sample description"}),
        ("/chat", {"text": "1 new tasks are on the board."}),
    ]
    with open(tmp_path / "new_tasks.csv", newline="") as file:
        assert list(csv.reader(file)) == [["Name", "Description"],
                                          ["sample name", "sample description"]]  # fmt: skip


def test_self_evaluation_loop_accepts_a_good_post(events: list[Event], tmp_path: Path) -> None:
    post = _main("self_evaluation_loop").kickoff()
    assert _labels(events) == ["complete"]
    assert (tmp_path / "post.txt").read_text() == post
    assert "character_counter returned" in post


def _strict_editor(reviews: list[int]) -> Any:
    """A provider: the mock model, except that the editor rejects every post, with feedback that
    numbers the next try (``reviews`` counts them across the crews' model objects)."""
    mock = MockLLM()

    async def reply(request: ModelRequest) -> ModelResponse:
        response = await mock.complete(request)
        schema = request.response_schema
        is_review = schema is not None and "valid" in schema.schema.get("properties", {})
        if is_review and not response.tool_calls:
            reviews.append(1)
            verdict = {"valid": False, "feedback": f"more salt, try {len(reviews) + 1}"}
            return dataclasses.replace(response, text=json.dumps(verdict))
        return response

    return lambda model, **options: FunctionLLM(reply)


def test_self_evaluation_loop_retries_then_gives_up(
    events: list[Event], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry._factories, "strict-editor", _strict_editor([]))
    monkeypatch.setenv("CREWKIT_MODEL", "strict-editor/v1")
    _main("self_evaluation_loop").kickoff()
    assert _labels(events) == ["retry", "retry", "retry", "retry", "max_retry_exceeded"]
    assert _steps(events)[-1] == "max_retry_exceeded_exit"
    writers = _crews(events, "captain-post")
    assert [w.inputs["feedback"] for w in writers] == [
        "none", "more salt, try 2", "more salt, try 3", "more salt, try 4", "more salt, try 5"]  # fmt: skip
    assert not (tmp_path / "post.txt").exists()


def test_write_a_book_outlines_writes_and_joins_the_chapters(
    events: list[Event], tmp_path: Path
) -> None:
    book = _main("write_a_book").kickoff()
    assert _steps(events) == ["generate_book_outline", "write_chapters", "join_and_save_chapter"]
    assert book == "# sample title\n\nsample content\n\n"
    assert (tmp_path / "Harbours_Without_Pilots.md").read_text() == book
    (chapter,) = _crews(events, "write-chapter")
    assert json.loads(chapter.inputs["book_outline"][0]) == {
        "title": "sample title", "description": "sample description"}  # fmt: skip


@pytest.mark.parametrize("project", PROJECTS)
def test_each_project_plots_through_its_entry_point(
    project: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    page = Path(_main(project).plot()).read_text(encoding="utf-8")
    assert '<pre class="mermaid">\nflowchart TD' in page
