"""Every example runs in the suite on the mock model."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

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
