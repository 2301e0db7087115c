"""What people see: ``crewkit kickoff`` in a real terminal (a pty, its screen emulated by pyte) and
``verbose=True`` in Python. Each test waits for what it looks at, never for a time."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyte
import pytest

from crewkit import Agent, Crew, Task
from crewkit.cli import main

PLUGIN = '''\
import asyncio, logging, os
from pathlib import Path
from crewkit.llm import LLM, ModelResponse, register_provider
from crewkit.testing import call
from crewkit.tools import tool

logging.basicConfig(format="%(levelname)s %(message)s")  # a handler made before the tree


class Gated(LLM):
    """Answers at once, except on the task named in GATE, where it waits for the file 'release'."""

    provider = "gated"

    async def complete(self, request):
        task = request.metadata.get("task", "")
        if task == os.environ.get("GATE") and not Path("release").exists():
            Path("waiting").write_text("")
            while not Path("release").exists():
                await asyncio.sleep(0.02)
        if request.tools and request.messages[-1].role != "tool":
            return ModelResponse(tool_calls=(call(request.tools[0].name, text="x"),))
        return ModelResponse(text=f"answer to {task}")


register_provider("gated", lambda model: Gated())


@tool
def noop(text: str) -> str:
    """A quiet tool."""
    return "ok"


@tool
def chatty(text: str) -> str:
    """A tool that prints and logs."""
    print("hello from the tool")
    logging.getLogger("user").warning("a logging line")
    return "ok"
'''


def crew_folder(
    folder: Path, tasks: int, *, human: bool = False, tools: str = "['plugin:noop']"
) -> Path:
    (folder / "plugin.py").write_text(PLUGIN, encoding="utf-8")
    lines = ["llm: gated/x", "agents:", f"  a: {{role: R, goal: G, backstory: B, tools: {tools}}}"]
    lines.append("tasks:")
    for index in range(tasks):
        lines.append(f"  t{index}: {{description: D{index}, expected_output: E, agent: a}}")
    if human:
        lines[-1] = lines[-1][:-1] + ", human_input: true}"
    (folder / "crew.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


class Terminal:
    """``crewkit`` on a pty of ``rows`` x ``cols``; ``screen`` is what a person would see."""

    def __init__(self, folder: Path, *args: str, rows: int = 24, cols: int = 100, **env: str):
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.transcript = b""
        leader, follower = pty.openpty()
        os.set_blocking(leader, False)
        import fcntl
        import struct
        import termios

        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
        environment.update({"TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)})
        environment.update(env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crewkit", *args],
            stdin=follower, stdout=follower, stderr=follower, cwd=folder, env=environment,
            close_fds=True,
        )  # fmt: skip
        os.close(follower)
        self.leader = leader

    def pump(self, seconds: float = 0.05) -> None:
        ready, _, _ = select.select([self.leader], [], [], seconds)
        if ready:
            try:
                data = os.read(self.leader, 65536)
            except OSError:
                return
            self.transcript += data
            self.stream.feed(data)

    def until(self, condition: object, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while not condition():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise AssertionError("the terminal never showed it:\n" + self.text())
            self.pump()

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def type(self, keys: str) -> None:
        os.write(self.leader, keys.encode())

    def finish(self) -> int:
        while self.process.poll() is None:
            self.pump()
        for _ in range(20):
            self.pump(0.01)
        os.close(self.leader)
        return self.process.returncode


def test_the_live_tree_follows_the_step_in_progress_when_taller_than_the_screen(
    tmp_path: Path,
) -> None:
    crew_folder(tmp_path, 30)
    term = Terminal(tmp_path, "kickoff", "crew.yaml", rows=20, GATE="t29")
    term.until(lambda: (tmp_path / "waiting").exists())
    term.until(lambda: "task t29 → R" in term.text())  # the step in progress is on screen
    assert "lines above" in term.text() or "✓" in term.text()
    (tmp_path / "release").write_text("")
    assert term.finish() == 0


def test_a_human_review_shows_the_answer_and_the_prompt_on_lines_of_their_own(
    tmp_path: Path,
) -> None:
    crew_folder(tmp_path, 2, human=True)
    term = Terminal(tmp_path, "kickoff", "crew.yaml", rows=40)
    prompt = "Feedback for the agent (press Enter to accept):"
    term.until(lambda: prompt in term.text())
    for _ in range(10):  # a live tree still drawing would overwrite the prompt within these
        term.pump(0.05)
    lines = term.text().splitlines()
    assert any(line.startswith("╭") and "Review: t1" in line for line in lines), term.text()
    assert any("answer to t1" in line for line in lines)
    assert prompt in term.text()
    term.type("\r")
    assert term.finish() == 0


def test_print_and_logging_in_a_tool_appear_above_an_unbroken_tree(tmp_path: Path) -> None:
    crew_folder(tmp_path, 2, tools="['plugin:chatty']")
    term = Terminal(tmp_path, "kickoff", "crew.yaml", rows=60)
    assert term.finish() == 0
    screen = term.text()
    assert "hello from the tool" in screen.splitlines()
    assert "WARNING a logging line" in screen.splitlines()
    assert "finished: 4 model calls" in screen


def test_ctrl_c_says_interrupted(tmp_path: Path) -> None:
    crew_folder(tmp_path, 2)
    process = subprocess.Popen(
        [sys.executable, "-m", "crewkit", "kickoff", "crew.yaml"],
        cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "GATE": "t0"},
    )  # fmt: skip
    while not (tmp_path / "waiting").exists():
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "✗ interrupted" in err and "crewkit: error: interrupted" in err
    assert "✗ failed" not in err


def test_verbose_in_python_says_each_thing_once(capsys: pytest.CaptureFixture[str]) -> None:
    boss = Agent(role="Boss", goal="g", backstory="b", allow_delegation=True)
    writer = Agent(role="Writer", goal="g", backstory="b")
    task = Task("Write a long description of the thing", "x", agent=boss)
    Crew(agents=[boss, writer], tasks=[task], llm="mock", verbose=True).kickoff()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "crew"  # not "crew crew"
    assert [line.strip() for line in lines if "Writer starts" in line] == ["Writer starts"] * 2
    results = [line for line in lines if line.strip().startswith("→")]
    assert not any("Writer completed" in line for line in results)  # shown once, as "answered"
    assert sum("Writer answered" in line for line in lines) == 2


@pytest.mark.parametrize(
    "args",
    [
        ["kickoff", "crew.yaml", "-o", "missing/answer.md"],
        ["graph", "crew.yaml", "-o", "missing/graph.mmd"],
        ["kickoff", "crew.yaml", "-o", "."],
    ],
)
def test_an_output_path_that_cannot_be_written_fails_before_the_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    crew_folder(tmp_path, 1)
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err or "is a folder" in err
    assert "task t0" not in err and not (tmp_path / "waiting").exists()


def test_debug_output_does_not_tell_you_to_run_with_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug in crewkit itself (here: the run raising a plain ValueError) is the unexpected
    error whose traceback ``--debug`` shows; a user's code failing is reported without one."""

    async def broken_run(*args: object) -> None:
        raise ValueError("run broke")

    (tmp_path / "crew.yaml").write_text(
        textwrap.dedent("""\
            llm: mock
            agents:
              a: {role: R, goal: G, backstory: B}
            tasks:
              t: {description: D, expected_output: E, agent: a}
            """),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("crewkit._run.runner.run_crew", broken_run)
    assert main(["kickoff", "crew.yaml"]) == 1
    assert "(run with --debug to see the traceback)" in capsys.readouterr().err
    assert main(["--debug", "kickoff", "crew.yaml"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "unexpected ValueError: run broke" in err
    assert "run with --debug" not in err
