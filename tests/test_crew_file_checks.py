"""``crewkit validate`` finds what ``kickoff`` would find, before any model is called; crew files
cannot hand a model the machine; model settings can be given in crew.yaml and on the command line."""

from __future__ import annotations

import socket
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crewkit import load_crew
from crewkit.cli import main
from crewkit.errors import CrewFileError
from crewkit.llm._http import HTTPModel

ROOT = Path(__file__).resolve().parent.parent


def crew_file(folder: Path, *, llm: str = "mock", agent: str = "", task: str = "") -> Path:
    path = folder / "crew.yaml"
    path.write_text(
        textwrap.dedent(f"""\
            llm: {llm}
            agents:
              a:
                role: R
                goal: G
                backstory: B
            {textwrap.indent(agent, "    ")}
            tasks:
              t:
                description: D
                expected_output: E
                agent: a
            {textwrap.indent(task, "    ")}
            """),
        encoding="utf-8",
    )
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def listening() -> Iterator[str]:
    """A loopback server that accepts connections (what a running local model server does)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["validate", *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("llm", "agent", "task", "expected"),
    [
        ("'openai/'", "", "", "crew.yaml:1: llm: model string 'openai/' names no model"),
        ("anthropic/claude", "", "", "crew.yaml:1: llm: anthropic/claude needs an API key"),
        ("local", "", "", "crew.yaml:1: llm: local models need llama.cpp"),
        ("mock", "llm: openai/gpt-4o", "", "crew.yaml:7: agents.a.llm: openai/gpt-4o needs an API key"),
        ("mock", "", "output_file: ../outside.md", "crew.yaml:13: tasks.t.output_file: output_file '../outside.md' points outside"),
        ("mock", "", "output_file: '{name}.md'", "crew.yaml:13: tasks.t.output_file: output_file 'a/../../b.md' points outside"),
        ("mock", "max_execution_time: .nan", "", "crew.yaml:7: agents.a.max_execution_time: expected a finite number, found nan"),
    ],
)  # fmt: skip
def test_validate_reports_what_kickoff_would_refuse(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    llm: str,
    agent: str,
    task: str,
    expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    if llm == "local":  # as on a machine without the local extra
        from crewkit.llm import _local

        monkeypatch.setattr(_local, "installed_engines", lambda: [])
    crew_file(tmp_path, llm=llm, agent=agent, task=task)
    code, err = validate(capsys, "crew.yaml", "--inputs", "name=a/../../b")
    assert code == 2 and expected in err, err
    code, err = (
        main(["kickoff", "crew.yaml", "--inputs", "name=a/../../b"]),
        capsys.readouterr().err,
    )
    assert code == 2 and expected in err, err


def test_validate_checks_that_a_local_server_is_running(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    listening: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    crew_file(tmp_path, llm="ollama/llama3.2")
    monkeypatch.setenv("OLLAMA_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    code, err = validate(capsys, "crew.yaml")
    assert code == 2
    assert "crew.yaml:1: llm: 'ollama/llama3.2': nothing is listening at http://127.0.0.1:" in err
    monkeypatch.setenv("OLLAMA_BASE_URL", listening)
    code, err = validate(capsys, "crew.yaml")
    assert code == 0, err


def test_models_says_a_local_server_is_usable_only_when_it_answers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], listening: str
) -> None:
    monkeypatch.setenv("OLLAMA_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("VLLM_BASE_URL", listening)
    assert main(["models"]) == 0
    rows = {line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines()[1:11]}
    assert rows["ollama"] == "no" and rows["vllm"] == "yes"


@pytest.mark.parametrize(
    ("field", "reference"),
    [
        ("agent", "tools: ['os:system']"),
        ("agent", "tools: ['builtins:eval']"),
        ("agent", "tools: ['subprocess:check_output']"),
        ("agent", "tools: ['shutil:rmtree']"),
        ("task", "guardrail: 'builtins:exec'"),
        ("task", "callback: 'os:remove'"),
    ],
)
def test_standard_library_callables_that_run_code_are_refused_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, reference: str
) -> None:
    monkeypatch.chdir(tmp_path)
    path = crew_file(tmp_path, **{field: reference})  # type: ignore[arg-type]
    with pytest.raises(CrewFileError, match="from the standard library's") as caught:
        load_crew(path)
    assert "--allow-unsafe-callables" in caught.value.problems[0].hint
    assert load_crew(path, allow_unsafe_callables=True).tasks  # the user's explicit choice


def test_a_local_module_that_imports_os_system_is_refused_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "helpers.py").write_text("from os import system as run_it\n", encoding="utf-8")
    crew_file(tmp_path, agent="tools: ['helpers:run_it']")
    code, err = validate(capsys, "crew.yaml")
    assert code == 2 and "'helpers:run_it' is 'system' from the standard library's 'posix'" in err
    code, err = validate(capsys, "crew.yaml", "--allow-unsafe-callables")
    assert code == 0, err


def test_the_readme_says_a_crew_folders_python_files_are_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").lower()
    assert "a crew folder's python files are code" in readme
    assert "--allow-unsafe-callables" in readme


def test_crew_yaml_sets_a_models_timeout_and_temperature(tmp_path: Path) -> None:
    path = crew_file(
        tmp_path,
        llm="{model: vllm/m, timeout: 300, temperature: 0.2}",
        agent="llm: {model: openai/x, base_url: 'http://127.0.0.1:1/v1', temperature: 0.7}",
    )
    crew = load_crew(path)
    assert isinstance(crew.llm, HTTPModel) and isinstance(crew.agents[0].llm, HTTPModel)
    assert (crew.llm.timeout, crew.llm.temperature) == (300, 0.2)
    assert crew.llm.retry.max_time > 300  # a request that times out can still be retried
    assert crew.agents[0].llm.temperature == 0.7


def test_a_model_setting_the_backend_does_not_take_is_a_located_problem(tmp_path: Path) -> None:
    path = crew_file(tmp_path, llm="{model: vllm/m, temprature: 0.2}")
    with pytest.raises(CrewFileError, match=r"crew.yaml:1: llm: .*temprature"):
        load_crew(path)


def test_the_cli_sets_timeout_and_temperature_for_every_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listening: str
) -> None:
    from crewkit._cli._common import load
    from crewkit._cli._parser import build_parser

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VLLM_BASE_URL", listening)
    crew_file(tmp_path, llm="vllm/m", agent="llm: mock")
    args = build_parser().parse_args(
        ["kickoff", "crew.yaml", "--timeout", "7", "--temperature", "0.1"]
    )
    crew = load(args, inputs={}, require_model=True)
    assert isinstance(crew.llm, HTTPModel)
    assert (crew.llm.timeout, crew.llm.temperature) == (7, 0.1)
    assert crew.agents[0].llm == "mock"  # settings that do not apply are left out


def test_timeout_and_temperature_must_be_numbers_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crew_file(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["kickoff", str(tmp_path / "crew.yaml"), "--timeout", "-1"])
    assert exited.value.code == 2
    assert "expected a positive number of seconds" in capsys.readouterr().err


def test_readme_figures_state_how_they_were_measured() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    claim = " ".join(readme.split("- **Small and fast.**")[1].split("- **")[0].split())
    assert "40 ms, median of 20 runs, on an idle 2-core machine" in claim
    assert "0.5 ms per task, median of 2,000 two-task kickoffs" in claim
    assert "about 40 ms" not in readme and "well under a millisecond" not in readme


def test_the_memory_benchmark_is_quick_by_default_and_says_when_it_is_not() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/memory.py"), "--help"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "--full" in done.stdout and "several minutes" in done.stdout
