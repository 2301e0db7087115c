"""Every example runs in the suite on the mock model."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_quickstart_runs_on_the_mock_model() -> None:
    build = runpy.run_path(str(ROOT / "examples/quickstart/crew.py"))["build_crew"]
    out = build("mock").kickoff(inputs={"topic": "tea"})
    assert out.raw.startswith("Writer completed:")
    assert "word_count returned" in out.tasks_output[0].raw


def test_quickstart_script_prints_the_answer_and_usage() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples/quickstart/crew.py")],
        capture_output=True, text=True, timeout=60, check=True,
        env={"PATH": "", "CREWKIT_MODEL": "mock"},
    )  # fmt: skip
    assert "Writer completed: Task 2: Write a short paragraph about tea." in done.stdout
    assert "tokens in 3 model calls" in done.stdout


def test_readme_testing_snippet_runs() -> None:
    """The README's code blocks are executed, so they stay true."""
    import re

    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)


@pytest.mark.extra("pdf", "web")
def test_docs_research_crew_reads_a_pdf_and_a_web_page_on_the_mock_model() -> None:
    example = runpy.run_path(str(ROOT / "examples/docs_research/crew.py"))
    with example["serve_news"]() as url:
        inputs = {"topic": "Acme's revenue, outlook and risks", "news_url": url}
        out = example["build_crew"]("mock").kickoff(inputs=inputs)
    research = out.tasks_output[0].raw
    assert "search_pdf returned: Passages matching" in research
    assert (
        "## report.pdf p.1 Acme Corp annual report 2024 Revenue grew 12% to $4.2 billion"
        in research
    )
    assert "## report.pdf p.2 Risks Interest costs rise" in research
    assert f"scrape_website returned: Source: {url}" in research
    assert (
        "The company raised its full-year outlook and now expects revenue of $4.6 billion."
        in research
    )
    assert "Sign in" not in research  # the page's navigation was left out


@pytest.mark.extra("pdf", "web")
def test_docs_research_script_runs_offline_on_the_mock_model() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples/docs_research/crew.py")],
        capture_output=True, text=True, timeout=120, check=True,
        env={"PATH": "", "CREWKIT_MODEL": "mock", "CREWKIT_OFFLINE": "1",
             "CREWKIT_KNOWLEDGE_DB": ":memory:"},
    )  # fmt: skip
    assert "## research\nEquity Analyst completed: research" in done.stdout
    assert "Revenue grew 12% to $4.2 billion" in done.stdout
    assert "raised its full-year outlook" in done.stdout
