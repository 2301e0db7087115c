"""Pages that change while you look: a running run updating in place, and a review approved (or
answered with feedback) on the page, after which the run resumes and finishes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.support import browser_paths

browser_paths()

from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from crewkit import Agent, Crew, Task, tool  # noqa: E402
from crewkit.errors import ReviewPending  # noqa: E402
from crewkit.journal import Journal  # noqa: E402
from crewkit.llm import ModelRequest  # noqa: E402
from crewkit.testing import FunctionLLM, Reply, ScriptedLLM, call  # noqa: E402
from crewkit.ui._serve import Running, serve_in_thread  # noqa: E402
from tests.ui.conftest import screenshot  # noqa: E402

STALE = (StaleElementReferenceException,)
"""Live pages replace parts of themselves and reload at the end: a found element may go stale."""
SNEAKY = "<img src=x onerror=\"document.title='pwned'\">"


@tool
def lookup(query: str) -> str:
    """Look a term up in the team's notes."""
    return f"notes on {query}"


async def slow_model(request: ModelRequest) -> Reply:
    """Takes 0.6 s a call: looks something up once per task, then answers."""
    await asyncio.sleep(0.6)
    if any(m.role == "tool" for m in request.messages):
        return "Summary: the tide turns twice a day."
    return call("lookup", query=SNEAKY)


def _rows(page: Any) -> int:
    return len(page.find_elements(By.CSS_SELECTOR, "#tree tbody tr"))


def test_a_running_run_updates_in_place_until_it_completes(page: Any, tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    agent = Agent(role="Analyst", goal="Answer", backstory="Careful.", tools=[lookup])
    tasks = [Task(description=f"Study part {i}", expected_output="Notes", agent=agent,
                  name=f"part{i}") for i in range(1, 4)]  # fmt: skip
    crew = Crew(agents=[agent], tasks=tasks, llm=FunctionLLM(slow_model), durable=str(path),
                name="slow")  # fmt: skip
    worker = threading.Thread(target=crew.kickoff, kwargs={"run_id": "live-1"})
    worker.start()
    running = None
    try:
        for _ in range(400):  # a bounded number of looks, not a clock
            if Journal(path).run("live-1") is not None:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the run never appeared in the journal")
        running = serve_in_thread(path, resume="none", poll=0.05)
        page.get(f"{running.url}/runs/live-1")
        assert page.find_element(By.ID, "status").text == "running"
        page.execute_script("window.stillTheSamePage = true")
        first = _rows(page)
        WebDriverWait(page, 20, 0.05, STALE).until(lambda d: _rows(d) > first + 2)
        WebDriverWait(page, 20, 0.05, STALE).until(
            lambda d: "0/3" not in d.find_element(By.ID, "summary").text  # the figures follow too
        )
        assert page.execute_script("return window.stillTheSamePage") is True  # no reload
        assert page.find_element(By.ID, "status").text == "running"
        screenshot(page, "live")
        # the run ends: the page reloads itself and shows the outcome
        WebDriverWait(page, 30, 0.1, STALE).until(
            lambda d: d.find_element(By.ID, "status").text == "completed"
        )
        assert page.find_element(By.CSS_SELECTOR, "#output .markdown").text.startswith("Summary")
        assert _rows(page) == 3 * 5  # task, agent, model, tool, model per part
        # the tool's arguments (shown in its row) carried HTML: still text, never an element
        assert "lookup(query='<img src=x onerror=" in page.find_element(By.ID, "tree").text
        assert page.find_elements(By.CSS_SELECTOR, "main img") == []
        assert page.title == "Run live-1 · crewkit ui"
    finally:
        worker.join(30)
        if running is not None:
            running.stop()


def _review_crew(path: Path, replies: list[Reply]) -> Crew:
    writer = Agent(role="Writer", goal="Write", backstory="Brief.")
    draft = Task(description="Draft the tide notice", expected_output="A notice", agent=writer,
                 name="draft", human_input=True)  # fmt: skip
    return Crew(agents=[writer], tasks=[draft], llm=ScriptedLLM(replies), durable=str(path),
                name="notices")  # fmt: skip


@pytest.fixture
def waiting(tmp_path: Path) -> Iterator[tuple[Crew, Running]]:
    """A run waiting for review of "Draft: **high** tide at noon"; the UI resumes it in-process."""
    path = tmp_path / "runs.db"
    crew = _review_crew(path, ["Draft: **high** tide at noon", "Revised: high tide at 12:00"])
    with pytest.raises(ReviewPending):
        crew.kickoff(run_id="review-1")
    assert Journal(path).require("review-1").status == "waiting"
    running = serve_in_thread(path, resume=crew.resume, poll=0.05)
    yield crew, running
    running.stop()


def test_a_review_approved_on_the_page_lets_the_run_finish(page: Any, waiting: Any) -> None:
    crew, running = waiting
    page.get(f"{running.url}/reviews")
    section = page.find_element(By.ID, "run-review-1")
    assert "Draft: high tide at noon" in section.text
    assert section.find_element(By.CSS_SELECTOR, ".answer strong").text == "high"
    screenshot(page, "reviews")
    section.find_element(By.CSS_SELECTOR, "button.approve").click()
    WebDriverWait(page, 10, 0.1, STALE).until(lambda d: "/runs/review-1" in d.current_url)
    WebDriverWait(page, 10, 0.1, STALE).until(  # the page may already be reloading itself
        lambda d: "resumes in this process" in d.find_element(By.ID, "notice").text
    )
    WebDriverWait(page, 30, 0.1, STALE).until(
        lambda d: d.find_element(By.ID, "status").text == "completed"
    )
    assert "Draft: high tide at noon" in page.find_element(By.ID, "output").text
    assert crew.llm.remaining == 1  # approved as it was: no revision asked for


def test_feedback_from_the_page_makes_the_agent_revise_for_another_review(
    page: Any, waiting: Any
) -> None:
    crew, running = waiting
    page.get(f"{running.url}/runs/review-1")
    form = page.find_element(By.CSS_SELECTOR, "#review form")
    form.find_element(By.NAME, "feedback").send_keys("Use the 24-hour clock.")
    form.find_element(By.CSS_SELECTOR, "button.feedback").click()
    # the agent revises with the feedback, and the revision waits for review in turn
    WebDriverWait(page, 30, 0.1, STALE).until(
        lambda d: "Revised: high tide at 12:00" in d.find_element(By.ID, "review").text
    )
    assert page.find_element(By.ID, "status").text == "waiting"
    assert "Use the 24-hour clock." in crew.llm.requests[-1].messages[-1].content
    page.find_element(By.CSS_SELECTOR, "#review button.approve").click()
    WebDriverWait(page, 30, 0.1, STALE).until(
        lambda d: d.find_element(By.ID, "status").text == "completed"
    )
    assert "Revised: high tide at 12:00" in page.find_element(By.ID, "output").text


CREW_YAML = """
llm: mock
agents:
  writer:
    role: Writer
    goal: Write notices
    backstory: Brief.
tasks:
  draft:
    description: Draft the tide notice for {input}
    expected_output: A notice
    agent: writer
    human_input: true
"""


def test_approving_a_cli_run_resumes_it_in_a_worker_process(page: Any, tmp_path: Path) -> None:
    (tmp_path / "crew.yaml").write_text(CREW_YAML)
    path = tmp_path / "runs.db"
    started = subprocess.run(
        [sys.executable, "-m", "crewkit", "kickoff", "crew.yaml", "--input", "the harbour",
         "--no-input", "--run-id", "cli-1", "--journal", str(path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert started.returncode == 3, started.stderr  # waiting for review
    running = serve_in_thread(path, resume="worker", poll=0.05)
    try:
        page.get(f"{running.url}/runs/cli-1")
        assert page.find_element(By.ID, "status").text == "waiting"
        page.find_element(By.CSS_SELECTOR, "#review button.approve").click()
        WebDriverWait(page, 10, 0.1, STALE).until(
            lambda d: "worker process" in d.find_element(By.ID, "notice").text
        )
        WebDriverWait(page, 90, 0.2, STALE).until(
            lambda d: d.find_element(By.ID, "status").text == "completed"
        )
        assert "Writer completed" in page.find_element(By.ID, "output").text
    finally:
        running.stop()
    log = tmp_path / "ui-logs" / "cli-1.log"
    assert log.is_file()


def test_streamed_text_appears_as_the_model_writes_it_and_stays_text(
    page: Any, tmp_path: Path
) -> None:
    # the journal's ``delta`` entries, as a streaming run writes them (issue 18)
    journal = Journal(tmp_path / "runs.db")
    journal.begin_run("stream-1", crew="poets", fingerprint="f", definition={}, inputs={},
                      tasks_total=1)  # fmt: skip
    where = {"task": "poem", "agent": "Poet"}
    journal.append("stream-1", "task_started", {"index": 0}, span="t", **where)
    journal.append("stream-1", "agent_started", {}, span="a", parent="t", **where)
    journal.append("stream-1", "model_started", {"model": "mock/x"}, span="m", parent="a", **where)
    running = serve_in_thread(journal.path, resume="none", poll=0.05)
    try:
        page.get(f"{running.url}/runs/stream-1")
        assert not page.find_element(By.ID, "live").is_displayed()
        for piece in ("Roses <b>are", "</b> red ", SNEAKY):
            journal.append("stream-1", "delta", {"text": piece}, span="m", parent="a", **where)
        WebDriverWait(page, 10, 0.05, STALE).until(
            lambda d: d.find_element(By.ID, "live-text").text.endswith(SNEAKY)
        )
        assert page.find_element(By.ID, "live-text").text == "Roses <b>are</b> red " + SNEAKY
        assert page.find_elements(By.CSS_SELECTOR, "#live b, #live img") == []
        screenshot(page, "streaming")
        journal.finish("stream-1", "completed", output={"raw": "Roses are red"})
        WebDriverWait(page, 10, 0.1, STALE).until(
            lambda d: d.find_element(By.ID, "status").text == "completed"
        )
    finally:
        running.stop()
