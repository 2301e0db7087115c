"""The ``crewkit`` command, driven as a subprocess exactly as users run it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RESEARCH = ROOT / "examples/research/crew.yaml"


def crewkit(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CREWKIT_MODEL", "NO_COLOR")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "crewkit", *args],
        capture_output=True, text=True, cwd=cwd, env=clean, timeout=120, check=False,
        stdin=subprocess.DEVNULL,  # nobody answers a review: it waits, as on a pipe
    )  # fmt: skip


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


GOOD = """\
    llm: mock
    agents:
      researcher:
        role: Researcher
        goal: Facts about {input}
        backstory: Careful.
      writer:
        role: Writer
        goal: Write
        backstory: Clear.
    tasks:
      a:
        description: Research {input}.
        expected_output: Facts.
        agent: researcher
      b:
        description: Write it up.
        expected_output: Text.
        agent: writer
        context: [a]
    """


def test_help_lists_every_command() -> None:
    done = crewkit("--help")
    assert done.returncode == 0
    for command in ("kickoff", "validate", "init", "graph", "models"):
        assert command in done.stdout


def test_kickoff_prints_progress_answer_and_usage_as_plain_text_when_piped() -> None:
    done = crewkit("kickoff", str(RESEARCH), "--input", "local-first agents", "--model", "mock")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Technical Writer completed: brief\n"
    progress = done.stderr
    assert "task research → Research Analyst" in progress
    assert 'tool search_notes {"query": "sample query"}' in progress
    assert "✓ research: 3 model calls, 708 tokens" in progress
    assert "Research Analyst      3     655          53    708" in progress  # the usage table
    assert "\x1b[" not in progress  # no colour codes when not a terminal


def test_kickoff_json_prints_only_the_output_as_json() -> None:
    done = crewkit("kickoff", str(RESEARCH), "-i", "tea", "--inputs", "audience=managers", "--json")
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["raw"] == "Technical Writer completed: brief"
    assert output["tasks_output"][1]["description"] == (
        "Write a one-page briefing on tea for managers."
    )
    assert output["usage_by_agent"]["Research Analyst"]["requests"] == 3
    assert "task brief → Technical Writer" in done.stderr


def test_inputs_file_output_file_and_quiet(tmp_path: Path) -> None:
    (tmp_path / "in.json").write_text('{"input": "tea", "audience": "kids"}')
    target = tmp_path / "answer.md"
    done = crewkit("kickoff", str(RESEARCH), "--inputs-file", str(tmp_path / "in.json"),
                   "--quiet", "--output", str(target))  # fmt: skip
    assert done.returncode == 0 and done.stderr == ""
    assert target.read_text() == done.stdout == "Technical Writer completed: brief\n"


BAD_FILES = {
    "yaml syntax": (
        GOOD.replace("goal: Write", "goal: [Write"),
        "crew.yaml:10: invalid YAML: while parsing a flow sequence",
    ),
    "wrong type": (
        GOOD.replace("backstory: Careful.", "backstory: Careful.\n        max_iter: ten"),
        "crew.yaml:7: agents.researcher.max_iter: expected an integer, found text 'ten'",
    ),
    "unknown field": (
        GOOD.replace("goal: Write", "gaol: Write"),
        "agents.writer.gaol: unknown agent field 'gaol' (did you mean 'goal'?)",
    ),
    "unknown agent": (
        GOOD.replace("agent: writer", "agent: writter"),
        "crew.yaml:19: tasks.b.agent: unknown agent 'writter'; agents: researcher, writer "
        "(did you mean 'writer'?)",
    ),
    "unknown tool": (
        GOOD.replace("backstory: Careful.", "backstory: Careful.\n        tools: [tools:serch]"),
        "agents.researcher.tools[0]: no module named 'tools'",
    ),
    "context cycle": (
        GOOD.replace("agent: researcher", "agent: researcher\n        context: [b]"),
        "tasks.a.context: context cycle: a → b → a",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_configuration_mistakes_exit_2_with_a_located_message(tmp_path: Path, case: str) -> None:
    text, expected = BAD_FILES[case]
    write(tmp_path, {"crew.yaml": text})
    done = crewkit("kickoff", "crew.yaml", "--input", "tea", cwd=tmp_path)
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["kickoff", "crew.yaml"], "crew.yaml:5: agents.researcher.goal: placeholder {input} has no "
         "value; also used in tasks.a.description (pass --input TEXT)"),
        (["kickoff", "missing.yaml"], "missing.yaml: file not found"),
        (["kickoff", "crew.yaml", "--inputs", "topic"], "--inputs 'topic': expected KEY=VALUE"),
        (["kickoff", "crew.yaml", "-i", "x", "--model", "mokc"], "unknown provider 'mokc'"),
        (["kickoff", "-i", "x"], "give a crew file"),
        (["kickoff", "crew.yaml", "--inputs-file", "nope.json"], "--inputs-file nope.json: file not found"),
        (["kickoff", "crew.yaml", "--verbose", "--quiet"], "not allowed with argument"),
    ],
)  # fmt: skip
def test_usage_mistakes_exit_2_without_traceback(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    write(tmp_path, {"crew.yaml": GOOD})
    done = crewkit(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    write(tmp_path, {"crew.yaml": GOOD})
    done = crewkit("--debug", "kickoff", "crew.yaml", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" in done.stderr


def test_a_failing_run_exits_1_with_the_error(tmp_path: Path) -> None:
    write(tmp_path, {
        "plugin.py": '''\
            from crewkit.llm import LLM, register_provider
            from crewkit.tools import tool

            class Broken(LLM):
                provider = "broken"
                async def complete(self, request):
                    raise RuntimeError("model exploded")

            register_provider("broken", lambda model: Broken())

            @tool
            def noop() -> str:
                """Do nothing."""
                return ""
            ''',
        "crew.yaml": GOOD.replace("llm: mock", "llm: broken/x").replace(
            "backstory: Careful.", "backstory: Careful.\n        tools: [plugin:noop]"),
    })  # fmt: skip
    done = crewkit("kickoff", "crew.yaml", "-i", "tea", cwd=tmp_path)
    assert done.returncode == 1
    assert "broken: model call failed: RuntimeError: model exploded" in done.stderr
    assert "✗ failed" in done.stderr and "Traceback" not in done.stderr


HOOKS = """\
    def save(output):
        raise ValueError("database is down")
    """


def test_a_failing_callback_exits_1_naming_task_and_callback_and_keeps_the_answers(
    tmp_path: Path,
) -> None:
    crew = GOOD.replace("agent: writer\n", "agent: writer\n        callback: 'hooks:save'\n")
    write(tmp_path, {"hooks.py": HOOKS, "crew.yaml": crew})
    done = crewkit("kickoff", "crew.yaml", "-i", "tea", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "task 'b' finished, but its callback 'save' raised ValueError: database is down" in (
        done.stderr
    )
    assert "unexpected" not in done.stderr
    assert re.findall(r"^## (\w+)$", done.stdout, re.M) == ["a", "b"]  # both answers kept
    assert "answers of 2 finished tasks are on stdout" in done.stderr


def test_a_guardrail_that_keeps_raising_exits_1_with_its_message_and_no_traceback(
    tmp_path: Path,
) -> None:
    checks = "def is_number(output):\n    return True, float(output.raw)\n"
    crew = GOOD.replace("agent: writer\n", "agent: writer\n        guardrail: 'checks:is_number'\n")
    write(tmp_path, {"checks.py": checks, "crew.yaml": crew})
    done = crewkit("kickoff", "crew.yaml", "-i", "tea", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "unexpected" not in done.stderr
    assert "task 'b': the guardrail rejected the answer 4 times: could not convert" in done.stderr
    assert re.findall(r"^## (\w+)$", done.stdout, re.M) == ["a"]  # the finished answer kept


def test_a_failed_run_with_json_prints_the_error_and_the_finished_answers(tmp_path: Path) -> None:
    crew = GOOD.replace("agent: writer\n", "agent: writer\n        callback: 'hooks:save'\n")
    write(tmp_path, {"hooks.py": HOOKS, "crew.yaml": crew})
    done = crewkit("kickoff", "crew.yaml", "-i", "tea", "--json", cwd=tmp_path)
    assert done.returncode == 1
    failure = json.loads(done.stdout)
    assert failure["error"]["type"] == "CallbackError"
    assert "database is down" in failure["error"]["message"]
    assert [t["name"] for t in failure["tasks_output"]] == ["a", "b"]
    assert all(t["raw"] for t in failure["tasks_output"])


def test_validate_lists_every_problem_or_says_ok(tmp_path: Path) -> None:
    bad = GOOD.replace("gaol", "goal").replace("goal: Write", "gaol: Write")
    write(tmp_path, {"crew.yaml": bad.replace("agent: writer", "agent: writter")})
    done = crewkit("validate", "crew.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert (
        done.stderr.splitlines()[-1] == "4 problems found"
    )  # gaol, goal missing, writter, {input}
    folder = tmp_path / "good"
    folder.mkdir()
    write(folder, {"crew.yaml": GOOD})
    done = crewkit("validate", "crew.yaml", "--input", "tea", cwd=folder)
    assert done.returncode == 0
    assert done.stdout == "ok: crew.yaml: crew 'good', 2 agents, 2 tasks, process sequential\n"


def test_init_scaffolds_a_crew_that_runs_and_passes_its_own_test(tmp_path: Path) -> None:
    assert crewkit("init", "my_crew", cwd=tmp_path).returncode == 0
    folder = tmp_path / "my_crew"
    assert sorted(p.name for p in folder.iterdir()) == ["crew.yaml", "test_crew.py", "tools.py"]
    run = crewkit("kickoff", "crew.yaml", "--input", "tea", cwd=folder)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "Writer completed: write\n" and "tool word_count" in run.stderr
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout
    again = crewkit("init", "my_crew", cwd=tmp_path)
    assert again.returncode == 2 and "already exists and is not empty" in again.stderr


def test_graph_prints_mermaid(tmp_path: Path) -> None:
    done = crewkit("graph", str(RESEARCH))
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "flowchart TD",
        "  %% crew 'research', process sequential",
        '  agent0(["Research Analyst<br/>tools: search_notes, word_count"])',
        '  agent1(["Technical Writer"])',
        '  task0["research"]',
        '  task1["brief"]',
        "  agent0 -. performs .-> task0",
        "  agent1 -. performs .-> task1",
        "  task0 -- context --> task1",
    ]


def test_graph_png_needs_graphviz_and_says_so(tmp_path: Path) -> None:
    done = crewkit("graph", str(RESEARCH), "--format", "png", PATH=str(tmp_path))
    assert done.returncode == 2 and "needs Graphviz's 'dot' program" in done.stderr
    fake = tmp_path / "dot"  # stands in for Graphviz: copies the DOT text it is given
    fake.write_text(
        f"#!{sys.executable}\nimport sys\nopen(sys.argv[-1], 'w').write(sys.stdin.read())\n"
    )
    fake.chmod(0o755)
    done = crewkit("graph", str(RESEARCH), "--format", "png", "-o", str(tmp_path / "g.png"),
                   PATH=str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "g.png").read_text().startswith('digraph "research" {')


CREWAI_AGENTS = """\
    researcher:
      role: >
        {topic} Senior Data Researcher
      goal: >
        Uncover cutting-edge developments in {topic}
      backstory: >
        You're a seasoned researcher with a knack for uncovering the latest
        developments in {topic}.
    reporting_analyst:
      role: >
        {topic} Reporting Analyst
      goal: >
        Create detailed reports based on {topic} data analysis
      backstory: >
        You're a meticulous analyst.
    """
CREWAI_TASKS = """\
    research_task:
      description: >
        Conduct a thorough research about {topic}.
        Make sure you find any interesting and relevant information.
      expected_output: >
        A list with 10 bullet points of the most relevant information about {topic}
      agent: researcher
    reporting_task:
      description: >
        Review the context you got and expand each topic into a full section for a report.
      expected_output: >
        A fully fledged report, formatted as markdown without '```'
      agent: reporting_analyst
      context: [research_task]
    """


def test_crewai_two_file_project_runs_as_it_is(tmp_path: Path) -> None:
    write(tmp_path, {"agents.yaml": CREWAI_AGENTS, "tasks.yaml": CREWAI_TASKS})
    done = crewkit("kickoff", "--agents", "agents.yaml", "--tasks", "tasks.yaml",
                   "--inputs", "topic=AI LLMs", "--model", "mock", "--json", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    research, report = json.loads(done.stdout)["tasks_output"]
    assert research["agent"].strip() == "AI LLMs Senior Data Researcher"
    assert research["description"].startswith(
        "Conduct a thorough research about AI LLMs. Make sure"
    )
    assert report["agent"].strip() == "AI LLMs Reporting Analyst"
    assert (report["name"], research["name"]) == ("reporting_task", "research_task")


def test_crewai_tasks_without_agent_ask_for_an_assignment_rule(tmp_path: Path) -> None:
    tasks = "".join(line for line in CREWAI_TASKS.splitlines(True) if "agent:" not in line)
    write(tmp_path, {"agents.yaml": CREWAI_AGENTS, "tasks.yaml": tasks})
    args = ["kickoff", "--agents", "agents.yaml", "--tasks", "tasks.yaml", "--inputs", "topic=AI",
            "--model", "mock", "--json"]  # fmt: skip
    refused = crewkit(*args, cwd=tmp_path)
    assert refused.returncode == 2
    assert "tasks.yaml:1: research_task: task has no agent" in refused.stderr
    assert "--assign in-order" in refused.stderr
    done = crewkit(*args, "--assign", "in-order", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    agents = [t["agent"].strip() for t in json.loads(done.stdout)["tasks_output"]]
    assert agents == ["AI Senior Data Researcher", "AI Reporting Analyst"]


def test_models_lists_providers_and_whether_they_are_usable() -> None:
    done = crewkit("models")
    assert done.returncode == 0
    assert re.search(r"^mock +yes +deterministic test model, no network$", done.stdout, re.M)


def test_a_structured_answer_is_printed_as_a_report_not_a_json_line() -> None:
    from types import SimpleNamespace

    from rich.console import Console

    from crewkit._cli._output import answer_markdown, print_answer

    output = SimpleNamespace(
        raw='{"city": "Paris", "sights": ["Louvre", "Orsay"], "population_m": 2.1}',
        pydantic=None,
        json_dict={"city": "Paris", "sights": ["Louvre", "Orsay"], "population_m": 2.1},
    )
    assert answer_markdown(output) == (  # type: ignore[arg-type]
        "## City\n\nParis\n\n## Sights\n\n- Louvre\n- Orsay\n\n## Population m\n\n2.1\n"
    )
    console = Console(record=True, width=60, force_terminal=True)
    print_answer(output, sys.stdout, console)  # type: ignore[arg-type]
    shown = console.export_text()
    assert "City" in shown and "• Louvre" in shown and "##" not in shown and "{" not in shown


def test_a_structured_answer_with_to_markdown_is_printed_through_it() -> None:
    from types import SimpleNamespace

    from crewkit._cli._output import answer_markdown

    report = SimpleNamespace(to_markdown=lambda: "# Report\n\nAll good.\n")
    output = SimpleNamespace(raw="{}", pydantic=report, json_dict={})
    assert answer_markdown(output) == "# Report\n\nAll good.\n"  # type: ignore[arg-type]
