"""The pages in a real browser over a journal of real runs: the runs table with its filters and
pages, a run's tree, a step's request and reply, the final output, the error and its step, and a
reply carrying HTML and script that stays text."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.support import browser_paths

browser_paths()

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from crewkit import Agent, Crew, Task, tool  # noqa: E402
from crewkit.config import load_crew  # noqa: E402
from crewkit.errors import CrewkitError  # noqa: E402
from crewkit.testing import ScriptedLLM, call  # noqa: E402
from crewkit.ui._serve import Running, serve_in_thread  # noqa: E402
from tests.ui.conftest import screenshot  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/research/crew.yaml"
EVIL = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"


@tool
def lookup(query: str) -> str:
    """Look a term up in the team's notes."""
    return f"notes on {query}: " + EVIL


def _one_agent_crew(llm: ScriptedLLM, journal: Path, name: str) -> Crew:
    agent = Agent(role="Analyst", goal="Answer", backstory="Careful.", tools=[lookup])
    task = Task(description="Report on tides", expected_output="A report", agent=agent,
                name="report")  # fmt: skip
    return Crew(agents=[agent], tasks=[task], llm=llm, name=name, durable=str(journal))


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """research-1 (the research example on the mock model), failed-1 (its model fails after a
    tool call), inert-1 (a tool result and a final answer full of HTML and script)."""
    path = tmp_path_factory.mktemp("ui-pages") / "runs.db"
    research = dataclasses.replace(load_crew(EXAMPLE, model="mock"), durable=str(path))
    research.kickoff(inputs={"input": "tides"}, run_id="research-1")
    failing = ScriptedLLM([call("lookup", query="tides"), RuntimeError("model service down")])
    with pytest.raises(CrewkitError):
        _one_agent_crew(failing, path, "fragile").kickoff(run_id="failed-1")
    final = "# Tide report\n\n" + EVIL + "\n\n**High water** at noon."
    inert = ScriptedLLM([call("lookup", query="tides"), final])
    _one_agent_crew(inert, path, "inert").kickoff(run_id="inert-1")
    return path


@pytest.fixture(scope="module")
def ui(journal: Path) -> Iterator[Running]:
    running = serve_in_thread(journal, resume="none")
    yield running
    running.stop()


def _texts(page: Any, selector: str) -> list[str]:
    return [e.text for e in page.find_elements(By.CSS_SELECTOR, selector)]


def test_runs_table_lists_every_run_newest_first_with_status_and_tokens(
    page: Any, ui: Running
) -> None:
    page.get(f"{ui.url}/runs")
    assert _texts(page, "table.runs tbody td:first-child") == ["inert-1", "failed-1", "research-1"]
    rows = {r[0]: r for r in (t.split("\n") for t in _texts(page, "table.runs tbody tr"))}
    research = page.find_element(By.XPATH, "//tr[td/a[text()='research-1']]")
    cells = [c.text for c in research.find_elements(By.TAG_NAME, "td")]
    assert cells[1] == "research" and cells[4] == "completed" and cells[5] == "2/2"
    assert int(cells[6].replace(",", "")) > 0
    failed = page.find_element(By.XPATH, "//tr[td/a[text()='failed-1']]").text
    assert "failed" in failed and "model service down" in failed  # which failed, and why
    assert rows
    screenshot(page, "runs")


def test_runs_filter_by_status_and_by_crew(page: Any, ui: Running) -> None:
    page.get(f"{ui.url}/runs")
    Select(page.find_element(By.NAME, "status")).select_by_value("failed")
    page.find_element(By.CSS_SELECTOR, "form.filters button").click()
    WebDriverWait(page, 10).until(lambda d: "status=failed" in d.current_url)
    assert _texts(page, "table.runs tbody td:first-child") == ["failed-1"]
    page.get(f"{ui.url}/runs?crew=research")
    assert _texts(page, "table.runs tbody td:first-child") == ["research-1"]


def test_runs_page_through_older_runs_with_a_cursor(page: Any, ui: Running) -> None:
    page.get(f"{ui.url}/runs?limit=1")
    seen = _texts(page, "table.runs tbody td:first-child")
    while page.find_elements(By.ID, "older"):
        page.find_element(By.ID, "older").click()
        seen += _texts(page, "table.runs tbody td:first-child")
    assert seen == ["inert-1", "failed-1", "research-1"]


def test_run_page_shows_the_tree_of_tasks_agents_and_calls(page: Any, ui: Running) -> None:
    page.get(f"{ui.url}/runs/research-1")
    kinds = _texts(page, "#tree tbody tr .kind")
    assert kinds[0] == "TASK" and kinds.count("TASK") == 2
    assert "AGENT" in kinds and "MODEL" in kinds and "TOOL" in kinds
    labels = " ".join(_texts(page, "#tree tbody td:first-child"))
    assert "Research Analyst" in labels and "search_notes(" in labels
    assert page.find_elements(By.CSS_SELECTOR, "#tree svg.bar rect")
    assert page.find_element(By.CSS_SELECTOR, "#graph svg.graph").is_displayed()
    assert "Research Analyst" in page.find_element(By.CSS_SELECTOR, "#graph").text
    screenshot(page, "run")


def test_a_model_step_shows_its_request_and_reply(page: Any, ui: Running) -> None:
    page.get(f"{ui.url}/runs/research-1")
    page.find_element(By.CSS_SELECTOR, "#tree tr.kind-model a").click()
    WebDriverWait(page, 10).until(lambda d: "/steps/" in d.current_url)
    request = page.find_element(By.ID, "request").text
    assert "Research tides" in request  # the task's description, as the model was sent it
    assert page.find_element(By.ID, "reply").text.strip()
    screenshot(page, "step")


def test_final_output_is_rendered_as_markdown(page: Any, ui: Running) -> None:
    page.get(f"{ui.url}/runs/inert-1")
    assert page.find_element(By.CSS_SELECTOR, "#output h1").text == "Tide report"
    assert page.find_element(By.CSS_SELECTOR, "#output strong").text == "High water"


def test_a_failed_run_shows_its_error_and_the_step_it_came_from(page: Any, ui: Running) -> None:
    page.get(f"{ui.url}/runs/failed-1")
    assert page.find_element(By.ID, "status").text == "failed"
    assert "model service down" in page.find_element(By.ID, "error").text
    step = page.find_element(By.CSS_SELECTOR, "#tree tr.error-step")
    assert "model service down" in step.text
    assert "kind-model" in step.get_attribute("class")  # the call in flight when it failed
    link = page.find_element(By.CSS_SELECTOR, "#error a")
    assert link.get_attribute("href").endswith(f"#{step.get_attribute('id')}")
    screenshot(page, "failed")


def test_html_and_script_in_replies_and_tool_results_stay_text(page: Any, ui: Running) -> None:
    page.get(f"{ui.url}/runs/inert-1")
    assert page.title == "Run inert-1 · crewkit ui"
    assert "<script>document.title='pwned'</script>" in page.find_element(By.ID, "output").text
    assert page.find_elements(By.CSS_SELECTOR, "main script, main img") == []
    page.find_element(By.CSS_SELECTOR, "#tree tr.kind-tool a").click()
    WebDriverWait(page, 10).until(lambda d: "/steps/" in d.current_url)
    assert EVIL in page.find_element(By.ID, "reply").text
    assert page.find_elements(By.CSS_SELECTOR, "main script, main img") == []
    assert page.execute_script("return document.title") != "pwned"
    screenshot(page, "inert")


def test_a_batch_shows_its_progress_and_its_runs(page: Any, tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    crew = dataclasses.replace(load_crew(EXAMPLE, model="mock"), durable=str(path))
    crew.kickoff_for_each([{"input": t} for t in ("tides", "waves", "currents")], batch_id="sea")
    running = serve_in_thread(path, resume="none")
    try:
        page.get(f"{running.url}/batches")
        page.find_element(By.LINK_TEXT, "sea").click()
        WebDriverWait(page, 10).until(lambda d: d.current_url.endswith("/batches/sea"))
        assert page.find_element(By.ID, "b-done").text == "3"
        assert page.find_element(By.ID, "b-total").text == "3"
        assert page.find_element(By.ID, "b-failed").text == "0"
        assert int(page.find_element(By.ID, "b-tokens").text.replace(",", "")) > 0
        screenshot(page, "batch")
        page.get(f"{running.url}/runs")
        assert len(_texts(page, "table.runs tbody tr")) == 3
    finally:
        running.stop()


def test_beyond_loopback_the_browser_gets_in_only_with_the_token(page: Any, journal: Path) -> None:
    token = "browser-token-0123456789abcdef"
    running = serve_in_thread(journal, host="0.0.0.0", token=token, resume="none")
    try:
        page.get(f"{running.url}/runs")
        assert "needs its token" in page.find_element(By.TAG_NAME, "body").text
        assert page.find_elements(By.CSS_SELECTOR, "table.runs") == []
        page.get(f"{running.url}/runs/research-1?token={token}")
        assert page.current_url == f"{running.url}/runs/research-1"  # the token left the address
        assert page.find_element(By.ID, "status").text == "completed"
        # the stylesheet came through too (same cookie): the header is dark
        color = page.find_element(By.CSS_SELECTOR, "header.top").value_of_css_property(
            "background-color"
        )
        assert color == "rgba(24, 32, 46, 1)"
        assert token not in page.page_source
    finally:
        page.get_log("browser")  # the refused page's 401 is expected
        running.stop()
