"""Our CrewAI-style projects (see README.md: each mirrors a public one) run on crewkit after
`crewkit port` changed only their imports, through their own entry point, on the mock model."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from crewkit._cli._port import port

PROJECTS = Path(__file__).parent / "projects"
ANSWERS = "Lisbon\nLjubljana or Porto\nthe first week of May\nhiking and old bookshops\n"
"""What the script-style projects' input() prompts read."""


def seen(root: Path, out: str, err: str, *texts: str) -> None:
    for text in texts:
        assert text in out + err, f"{text!r} not in the run's output"


def file_starts(path: str, text: str) -> Callable[[Path, str, str], None]:
    def check(root: Path, out: str, err: str) -> None:
        assert (root / path).read_text(encoding="utf-8").startswith(text)

    return check


def structured(path: str, key: str) -> Callable[[Path, str, str], None]:
    def check(root: Path, out: str, err: str) -> None:
        assert key in json.loads((root / path).read_text(encoding="utf-8"))

    return check


CHECKS: dict[str, Callable[[Path, str, str], None]] = {
    # placeholders filled in the folded YAML role, without its trailing newline
    "template_crew": file_starts("report.md", "small language models Report Editor completed"),
    "game_builder": lambda r, o, e: seen(
        r, o, e, "final code for the game:", "Lead Game Reviewer completed"
    ),
    "job_posting": lambda r, o, e: seen(r, o, e, "# Example posting", "sample domain: bakes bread"),
    "marketing_posts": lambda r, o, e: seen(r, o, e, "tool Search_the_web", "copy_creation_task"),
    "surprise_travel": lambda r, o, e: seen(
        r, o, e, '{"day_plans": [{"activities"', "Place_search"
    ),
    "recruitment": lambda r, o, e: seen(
        r, o, e, "candidate 1: knows sample skills", "Hiring Report Writer"
    ),
    "landing_page": lambda r, o, e: seen(
        r, o, e, "Write_File returned: wrote", "no expected_output"
    ),
    "markdown_validator": lambda r, o, e: seen(
        r, o, e, "Requirements Manager completed", "markdown_validation_tool"
    ),
    "trip_planner": lambda r, o, e: seen(
        r,
        o,
        e,
        "## Here is your Trip Plan",
        "Summary of sample website: Principal Researcher completed",
    ),
    "instagram_post": lambda r, o, e: seen(
        r, o, e, "Your photo description:", "Analyse Lisbon. Extra details: Ljubljana or Porto."
    ),
    "email_personalizer": lambda r, o, e: seen(
        r, o, e, "Crew usage Usage(prompt_tokens=", "requests=4)"
    ),
    "debate": file_starts("output/decide.md", "A fair judge of debates completed: decide"),
    "stock_picker": structured("output/research_report.json", "research_list"),
    "financial_researcher": file_starts(
        "output/report.md", "Market Analyst and Report Writer focused on Acme Rail"
    ),
    "pro_tools": structured("research.txt", "findings"),
    "starter_template": lambda r, o, e: seen(
        r, o, e, "Multiply_two_numbers", "custom crew run result"
    ),
}


def test_every_project_folder_has_a_check() -> None:
    assert sorted(p.name for p in PROJECTS.iterdir() if p.is_dir()) == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_project_runs_with_only_its_imports_ported(name: str, tmp_path: Path) -> None:
    root = tmp_path / name
    shutil.copytree(PROJECTS / name, root, ignore=shutil.ignore_patterns("__pycache__"))
    report = io.StringIO()
    assert port(root, diff=False, out=report) == 0, report.getvalue()
    for source in root.rglob("*.py"):
        assert "crewai" not in source.read_text(encoding="utf-8"), source
    env = {**os.environ, "CREWKIT_OFFLINE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "crewkit", "run", str(root), "--model", "mock"],
        cwd=tmp_path,
        input=ANSWERS,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    CHECKS[name](root, done.stdout, done.stderr)
