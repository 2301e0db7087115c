"""crewkit port (rewrite imports, report what is missing) and crewkit run (a project's own entry)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crewkit._cli._port import port
from crewkit._cli._port_rewrite import rewrite
from crewkit._cli._project import find_entry
from crewkit.errors import ConfigurationError

CREW_PY = """\
from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task
from crewai.agents.agent_builder.base_agent import BaseAgent
from crewai.utilities.exceptions.context_window_exceeding_exception import ContextError
from crewai_tools import (
    BaseTool,
)
import crewai
import crewai.tools
import some_missing_dependency


@CrewBase
class Demo:
    agents: list[BaseAgent]

    @agent
    def writer(self) -> Agent:
        return Agent(config=self.agents_config["writer"], memory=True, favourite=1)
"""


def test_rewrite_changes_only_crewai_imports() -> None:
    text, changes = rewrite(CREW_PY)
    assert text.splitlines()[:10] == [
        "from crewkit import Agent, Crew, Process, Task",
        "from crewkit.project import CrewBase, agent, crew, task",
        "from crewkit import Agent as BaseAgent",
        "from crewkit.utilities.exceptions.context_window_exceeding_exception import ContextError",
        "from crewkit.tools import (",
        "    BaseTool,",
        ")",
        "import crewkit as crewai",
        "import crewkit.tools; import crewkit as crewai",
        "import some_missing_dependency",
    ]
    assert text.splitlines()[10:] == CREW_PY.splitlines()[10:]
    assert [c.line for c in changes] == [1, 2, 3, 4, 5, 8, 9]


@pytest.mark.parametrize(
    ("written", "ported"),
    [
        (
            "from crewai.flow.flow import Flow, listen, start",
            "from crewkit.flow import Flow, listen, start",
        ),
        ("from crewai.tools.base_tool import BaseTool", "from crewkit.tools import BaseTool"),
        (
            "from crewai_tools.tools.serper import SerperDevTool",
            "from crewkit.tools import SerperDevTool",
        ),
        (
            "from crewai.knowledge.source.pdf_knowledge_source import PDFKnowledgeSource",
            "from crewkit.knowledge import PDFKnowledgeSource",
        ),
        ("from crewai import LLM", "from crewkit import LLM"),
        ("import crewai_tools", "import crewkit.tools as crewai_tools"),
    ],
)
def test_crewai_modules_map_to_where_crewkit_keeps_the_names(written: str, ported: str) -> None:
    assert rewrite(written + "\n")[0] == ported + "\n"


def project(tmp_path: Path) -> Path:
    src = tmp_path / "demo" / "src" / "demo"
    (src / "config").mkdir(parents=True)
    (src / "crew.py").write_text(CREW_PY)
    (src / "config" / "agents.yaml").write_text(
        "writer:\n  role: W\n  goal: g\n  backstory: b\n  cache: true\n  mood: calm\n"
    )
    (src / "config" / "tasks.yaml").write_text("t:\n  description: d\n  expected_output: o\n")
    return tmp_path / "demo"


def test_port_rewrites_in_place_and_lists_what_crewkit_lacks(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = io.StringIO()
    assert port(root, diff=False, out=out) == 1
    shown = out.getvalue()
    assert (
        "src/demo/crew.py:1: from crewai import Agent, Crew, Process, Task\n  -> from crewkit import"
        in shown
    )
    assert "rewrote 7 imports" in shown
    missing = shown.split("CrewAI features crewkit lacks")[1].split("\n\n")[0]
    assert (
        "src/demo/crew.py:4: crewkit has no module "
        "'crewkit.utilities.exceptions.context_window_exceeding_exception'"
    ) in missing
    assert "src/demo/crew.py:19: Agent() has no setting 'favourite'" in missing
    ignored = shown.split("CrewAI settings crewkit accepts without effect")[1].split("\n\n")[0]
    assert "src/demo/crew.py:19: Agent(memory=...): memory is shared by the crew" in ignored
    assert "src/demo/config/agents.yaml:5: Agent(cache=...)" in ignored
    assert "src/demo/config/agents.yaml:6: writer.mood: not a setting; ignored" in ignored
    assert "src/demo/crew.py:10: module 'some_missing_dependency' is not installed" in shown
    assert (root / "src/demo/crew.py").read_text().startswith("from crewkit import Agent")


def test_port_diff_writes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = io.StringIO()
    port(root, diff=True, out=out)
    assert "--- a/src/demo/crew.py\n+++ b/src/demo/crew.py" in out.getvalue()
    assert "-from crewai import Agent, Crew, Process, Task\n" in out.getvalue()
    assert "+from crewkit import Agent, Crew, Process, Task\n" in out.getvalue()
    assert "would rewrite 7 imports" in out.getvalue()
    assert (root / "src/demo/crew.py").read_text() == CREW_PY


def test_port_of_a_project_crewkit_fully_covers_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("from crewai import Agent\n")
    out = io.StringIO()
    assert port(tmp_path, diff=False, out=out) == 0
    assert "crewkit has everything this project uses." in out.getvalue()


def test_port_of_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no such file or folder"):
        port(tmp_path / "nope", diff=False)


def layout(tmp_path: Path, scripts: str = "") -> Path:
    root = tmp_path / "proj"
    (root / "src" / "my_crew").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "my-crew"\nversion = "0.1"\n\n[project.scripts]\n{scripts}\n'
    )
    (root / "src" / "my_crew" / "__init__.py").write_text("")
    (root / "src" / "my_crew" / "main.py").write_text(
        textwrap.dedent(
            """\
            import sys
            from pathlib import Path

            from crewkit import Agent, Crew, Task


            def run():
                a = Agent(role="A", goal="g", backstory="b", llm="openai/gpt-4o")
                out = Crew(agents=[a], tasks=[Task("Say hi.", "Hi.", agent=a)]).kickoff()
                Path("ran.txt").write_text(out.raw)


            def fail():
                raise RuntimeError("the project's own bug")


            def leave():
                sys.exit(3)
            """
        )
    )
    return root


def test_the_entry_is_read_from_pyproject_scripts(tmp_path: Path) -> None:
    root = layout(tmp_path, 'my_crew = "my_crew.main:run"\ntrain = "my_crew.main:train"')
    entry = find_entry(root)
    assert entry.target == "my_crew.main:run" and entry.paths[:2] == (
        root / "src" / "my_crew",
        root / "src",
    )
    assert (
        find_entry(layout(tmp_path / "b", 'run_crew = "my_crew.main:fail"')).target
        == "my_crew.main:fail"
    )


def test_without_scripts_the_entry_is_src_package_main_run(tmp_path: Path) -> None:
    assert find_entry(layout(tmp_path)).target == "my_crew.main:run"


def test_a_folder_with_nothing_to_run_is_explained(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"no entry point found: expected pyproject.toml with \[project.scripts\]",
    ):
        find_entry(tmp_path)


def crewkit_run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    return subprocess.run(
        [sys.executable, "-m", "crewkit", "run", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**env, "CREWKIT_OFFLINE": "1"},
        timeout=120,
    )


def test_run_calls_the_entry_from_the_project_folder_on_the_model_given(tmp_path: Path) -> None:
    root = layout(tmp_path, 'run_crew = "my_crew.main:run"')
    done = crewkit_run(str(root), "--model", "mock", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (root / "ran.txt").read_text().startswith("A completed")


def test_without_model_override_the_projects_own_model_is_used(tmp_path: Path) -> None:
    root = layout(tmp_path, 'run_crew = "my_crew.main:run"')
    done = crewkit_run(str(root), cwd=tmp_path)
    assert done.returncode == 2
    assert "crewkit: error: openai/gpt-4o needs an API key" in done.stderr


def test_an_exception_in_the_projects_code_shows_its_traceback(tmp_path: Path) -> None:
    root = layout(tmp_path, 'run_crew = "my_crew.main:fail"')
    done = crewkit_run(str(root), "--model", "mock", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "RuntimeError: the project's own bug" in done.stderr


def test_a_projects_exit_code_is_kept(tmp_path: Path) -> None:
    root = layout(tmp_path, 'run_crew = "my_crew.main:leave"')
    assert crewkit_run(str(root), cwd=tmp_path).returncode == 3


def test_a_script_runs_as_main_with_its_folder_on_the_path(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("WORD = 'hello'\n")
    (tmp_path / "main.py").write_text(
        "from helpers import WORD\nif __name__ == '__main__':\n    print(WORD, input())\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "crewkit", "run", "main.py"],
        cwd=tmp_path,
        input="world\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout == "hello world\n"


def test_run_refuses_an_unknown_model_provider(tmp_path: Path) -> None:
    root = layout(tmp_path, 'run_crew = "my_crew.main:run"')
    done = crewkit_run(str(root), "--model", "gemini/pro", cwd=tmp_path)
    assert done.returncode == 2 and "unknown provider 'gemini'" in done.stderr


def test_another_entry_gets_the_arguments_after_the_double_dash(tmp_path: Path) -> None:
    root = layout(tmp_path, 'run_crew = "my_crew.main:run"\ntrain = "my_crew.main:train"')
    (root / "src" / "my_crew" / "main.py").write_text(
        "import sys\nfrom pathlib import Path\n\n"
        "def train():\n    Path('argv.txt').write_text(' '.join(sys.argv[1:]))\n"
    )
    done = crewkit_run(str(root), "--entry", "train", "--", "2", "trained.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (root / "argv.txt").read_text() == "2 trained.json"
    missing = crewkit_run(str(root), "--entry", "deploy", cwd=tmp_path)
    assert missing.returncode == 2 and "has no [project.scripts] entry 'deploy'" in missing.stderr


def test_a_scripts_entry_main_py_lacks_runs_its_main_block(tmp_path: Path) -> None:
    root = layout(tmp_path, 'my_crew = "my_crew.main:run"')
    (root / "src" / "my_crew" / "main.py").write_text(
        "from pathlib import Path\nif __name__ == '__main__':\n    Path('ran.txt').write_text('yes')\n"
    )
    assert find_entry(root).is_script
    assert crewkit_run(str(root), cwd=tmp_path).returncode == 0
    assert (root / "ran.txt").read_text() == "yes"


def test_train_runs_through_its_entry_with_reviews_from_stdin(tmp_path: Path) -> None:
    project_root = tmp_path / "template_crew"
    import shutil

    shutil.copytree(Path(__file__).parent / "projects" / "template_crew", project_root)
    port(project_root, diff=False, out=io.StringIO())
    done = subprocess.run(
        [sys.executable, "-m", "crewkit", "run", str(project_root), "--model", "mock",
         "--entry", "train", "--", "1", "trained.json"],
        cwd=tmp_path, input="Cite every source.\n\n\n", capture_output=True, text=True,
        timeout=120, env={**os.environ, "CREWKIT_OFFLINE": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    trained = (project_root / "trained.json").read_text()
    assert (
        '"small language models News Scout": {\n    "suggestions": [\n      "Cite every source."'
        in trained
    )
