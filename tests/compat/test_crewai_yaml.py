"""CrewAI's two YAML files run as they are: agents assigned in crew.py are read from it (without
running it), and the crew is named after its class or project rather than 'config'."""

from __future__ import annotations

from pathlib import Path

import pytest

from crewkit import load_crew
from crewkit.errors import CrewFileError

AGENTS = "scout:\n  role: Scout\n  goal: g\n  backstory: b\nscribe:\n  role: Scribe\n  goal: g\n  backstory: b\n"
TASKS = "find:\n  description: Find.\n  expected_output: Notes.\nwrite:\n  description: Write.\n  expected_output: Text.\n"
CREW_PY = """\
from crewai import Agent, Crew, Task
from crewai.project import CrewBase, agent, crew, task


@CrewBase
class NewsDesk:
    @agent
    def scribe(self) -> Agent:
        return Agent(config=self.agents_config["scribe"])

    @agent
    def scout(self) -> Agent:
        return Agent(config=self.agents_config["scout"])

    @task
    def find(self) -> Task:
        return Task(config=self.tasks_config["find"], agent=self.scout())

    @task
    def write_it(self) -> Task:
        return Task(config=self.tasks_config["write"], agent=self.scribe())
"""


def layout(tmp_path: Path, crew_py: str | None) -> Path:
    config = tmp_path / "src" / "news_desk" / "config"
    config.mkdir(parents=True)
    (config / "agents.yaml").write_text(AGENTS)
    (config / "tasks.yaml").write_text(TASKS)
    if crew_py is not None:
        (config.parent / "crew.py").write_text(crew_py)
    return config


def test_agents_assigned_in_crew_py_are_read_from_it(tmp_path: Path) -> None:
    config = layout(tmp_path, CREW_PY)
    crew = load_crew(agents=config / "agents.yaml", tasks=config / "tasks.yaml", model="mock")
    assert [t.agent.role for t in crew.tasks if t.agent] == ["Scout", "Scribe"]
    assert crew.name == "NewsDesk"


def test_without_crew_py_the_crew_is_named_after_the_project_and_agents_are_asked_for(
    tmp_path: Path,
) -> None:
    config = layout(tmp_path, None)
    with pytest.raises(CrewFileError, match=r"CrewAI assigns agents in crew\.py"):
        load_crew(agents=config / "agents.yaml", tasks=config / "tasks.yaml", model="mock")
    crew = load_crew(
        agents=config / "agents.yaml", tasks=config / "tasks.yaml", model="mock", assign="in-order"
    )
    assert crew.name == "news_desk"


def test_a_crew_py_that_does_not_parse_is_not_run_and_not_trusted(tmp_path: Path) -> None:
    config = layout(tmp_path, CREW_PY + "\ndef broken(:\n")
    with pytest.raises(CrewFileError, match="task has no agent"):
        load_crew(agents=config / "agents.yaml", tasks=config / "tasks.yaml", model="mock")


def test_an_agent_named_in_yaml_wins_over_crew_py(tmp_path: Path) -> None:
    config = layout(tmp_path, CREW_PY)
    (config / "tasks.yaml").write_text(
        TASKS.replace("expected_output: Notes.", "expected_output: Notes.\n  agent: scribe")
    )
    crew = load_crew(agents=config / "agents.yaml", tasks=config / "tasks.yaml", model="mock")
    assert crew.tasks[0].agent is not None and crew.tasks[0].agent.role == "Scribe"


SCRIPT = """\
import yaml
from crewai import Agent, Crew, Task

agents_config = yaml.safe_load(open("config/agents.yaml"))
tasks_config = yaml.safe_load(open("config/tasks.yaml"))
scribe = Agent(config=agents_config["scribe"])
scout = Agent(config=agents_config["scout"])
find = Task(description=tasks_config["find"]["description"], agent=scout)
write = Task(description=tasks_config["write"]["description"], agent=scribe)
"""


def test_agents_assigned_to_variables_in_a_script_are_read_too(tmp_path: Path) -> None:
    config = layout(tmp_path, None)
    (config.parent / "screenplay.py").write_text(SCRIPT)
    crew = load_crew(agents=config / "agents.yaml", tasks=config / "tasks.yaml", model="mock")
    assert [t.agent.role for t in crew.tasks if t.agent] == ["Scout", "Scribe"]
    assert crew.name == "news_desk"  # no @CrewBase class to name it


def test_several_crew_classes_in_one_file_all_count(tmp_path: Path) -> None:
    split = CREW_PY.replace(
        "    @task\n    def write_it",
        "\n@CrewBase\nclass Second:\n    @agent\n    def scribe(self) -> Agent:\n"
        '        return Agent(config=self.agents_config["scribe"])\n\n    @task\n    def write_it',
    )
    config = layout(tmp_path, split)
    crew = load_crew(agents=config / "agents.yaml", tasks=config / "tasks.yaml", model="mock")
    assert [t.agent.role for t in crew.tasks if t.agent] == ["Scout", "Scribe"]
    assert crew.name == "news_desk"


def test_the_cli_shows_compatibility_notes_as_one_line_each(tmp_path: Path) -> None:
    import subprocess
    import sys

    config = layout(tmp_path, CREW_PY)
    (config / "tasks.yaml").write_text(TASKS.replace("  expected_output: Notes.\n", ""))
    done = subprocess.run(
        [sys.executable, "-m", "crewkit", "kickoff", "--agents", "agents.yaml", "--tasks",
         "tasks.yaml", "--model", "mock", "-q"],
        cwd=config, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(
        "crewkit: note: task 'find' has no expected_output; it runs without one"
    )
