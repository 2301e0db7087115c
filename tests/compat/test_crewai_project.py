"""@CrewBase classes: YAML entries by name, decorated methods, references resolved, hooks."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from crewkit import Agent, Crew, Task
from crewkit.errors import CompatibilityWarning, ConfigurationError, CrewFileError
from crewkit.project import (
    CrewBase,
    after_kickoff,
    agent,
    before_kickoff,
    crew,
    llm,
    output_pydantic,
    task,
    tool,
)
from crewkit.testing import MockLLM, ScriptedLLM

AGENTS = """\
researcher:
  role: >
    {topic} Researcher
  goal: >
    Find facts about {topic}
  backstory: >
    You check every claim.
  llm: fast
  tools: [lookup]
writer:
  role: Writer
  goal: Explain {topic}
  backstory: You write for newcomers.
"""
TASKS = """\
research_task:
  description: >
    Research {topic}.
  expected_output: >
    Three facts.
  agent: researcher
write_task:
  description: Write about {topic}.
  expected_output: A paragraph.
  agent: writer
  context: [research_task]
  output_pydantic: Paragraph
"""


def files(tmp_path: Path, agents: str = AGENTS, tasks: str = TASKS) -> tuple[str, str]:
    (tmp_path / "agents.yaml").write_text(agents)
    (tmp_path / "tasks.yaml").write_text(tasks)
    return str(tmp_path / "agents.yaml"), str(tmp_path / "tasks.yaml")


def project_class(agents_file: str, tasks_file: str) -> type:
    @CrewBase
    class Research:
        agents_config = agents_file
        tasks_config = tasks_file
        made_tools = 0

        @llm
        def fast(self) -> MockLLM:
            return MockLLM()

        @tool
        def lookup(self) -> Any:
            type(self).made_tools += 1

            def lookup(term: str) -> str:
                """Look a term up."""
                return f"{term}: found"

            return lookup

        @output_pydantic
        class Paragraph(BaseModel):
            text: str

        @agent
        def writer(self) -> Agent:  # defined before researcher: order comes from the tasks
            return Agent(config=self.agents_config["writer"])

        @agent
        def researcher(self) -> Agent:
            return Agent(config=self.agents_config["researcher"], verbose=False)

        @task
        def research_task(self) -> Task:
            return Task(config=self.tasks_config["research_task"])

        @task
        def write_task(self) -> Task:
            return Task(config=self.tasks_config["write_task"])

        @crew
        def crew(self) -> Crew:
            return Crew(agents=self.agents, tasks=self.tasks, llm="mock")

    return Research


def test_the_crew_is_built_from_the_decorated_methods_in_order(tmp_path: Path) -> None:
    project = project_class(*files(tmp_path))()
    made = project.crew()
    assert made.name == "Research"
    assert [a.role for a in made.agents] == ["{topic} Researcher", "Writer"]
    assert [t.name for t in made.tasks] == ["research_task", "write_task"]
    assert made.tasks[0].description == "Research {topic}."


def test_yaml_names_resolve_to_the_decorated_objects(tmp_path: Path) -> None:
    project = project_class(*files(tmp_path))()
    research, write = project.crew().tasks
    assert research.agent is project.researcher() and write.agent is project.writer()
    assert write.context == [research] and write.output_pydantic is type(project).Paragraph
    assert isinstance(project.researcher().llm, MockLLM)
    assert [t.name for t in project.researcher().tools] == ["lookup"]
    assert type(project).made_tools == 1  # memoized: one tool however often it is asked for


def test_the_crew_runs_with_placeholders_filled(tmp_path: Path) -> None:
    out = project_class(*files(tmp_path))().crew().kickoff(inputs={"topic": "tea"})
    assert [t.agent for t in out.tasks_output] == ["tea Researcher", "Writer"]
    assert out.pydantic is not None and isinstance(out.pydantic.text, str)


def test_an_unknown_agent_name_in_tasks_yaml_names_the_file_and_the_choices(tmp_path: Path) -> None:
    broken = TASKS.replace("agent: writer", "agent: editor")
    cls = project_class(*files(tmp_path, tasks=broken))
    with pytest.raises(
        ConfigurationError,
        match=r"tasks.yaml: task 'write_task' names agent 'editor', but Research has no @agent method of that name \(available: researcher, writer\)",
    ):
        cls()


def test_a_missing_entry_is_a_key_error_that_says_which_file(tmp_path: Path) -> None:
    project = project_class(*files(tmp_path))()
    with pytest.raises(KeyError) as raised:
        project.agents_config["editor"]
    assert isinstance(raised.value, ConfigurationError)
    assert str(raised.value).endswith(
        "agents.yaml has no entry 'editor' (entries: 'researcher', 'writer')"
    )


def test_a_missing_config_file_warns_and_gives_no_entries(tmp_path: Path) -> None:
    @CrewBase
    class Empty:
        agents_config = str(tmp_path / "nowhere.yaml")
        tasks_config = str(tmp_path / "nowhere_either.yaml")

    with pytest.warns(CompatibilityWarning) as seen:
        project = Empty()
    assert [str(w.message).split(" config file ")[0] for w in seen] == [
        "Empty: agent",
        "Empty: task",
    ]
    assert "nowhere.yaml not found; continuing with no agent entries" in str(seen[0].message)
    assert dict(project.agents_config) == {} and dict(project.tasks_config) == {}


def test_bad_yaml_is_reported_with_file_and_line(tmp_path: Path) -> None:
    cls = project_class(*files(tmp_path, agents="writer:\n  role: [unclosed\n"))
    with pytest.raises(CrewFileError, match=r"agents.yaml:\d+: invalid YAML"):
        cls()


def test_kickoff_hooks_run_around_every_kickoff(tmp_path: Path) -> None:
    agents_file, tasks_file = files(
        tmp_path,
        agents="writer:\n  role: Writer\n  goal: Explain {topic}\n  backstory: b\n",
        tasks="write_task:\n  description: Write about {topic}.\n  expected_output: A line.\n  agent: writer\n",
    )
    seen: list[dict[str, Any]] = []

    @CrewBase
    class Hooked:
        agents_config = agents_file
        tasks_config = tasks_file

        @before_kickoff
        def add_topic(self, inputs: dict[str, Any]) -> dict[str, Any]:
            seen.append(dict(inputs))
            return {**inputs, "topic": "tea"}

        @after_kickoff
        def shout(self, output: Any) -> Any:
            output.raw = output.raw.upper()
            return output

        @agent
        def writer(self) -> Agent:
            return Agent(config=self.agents_config["writer"])

        @task
        def write_task(self) -> Task:
            return Task(config=self.tasks_config["write_task"])

        @crew
        def crew(self) -> Crew:
            return Crew(agents=self.agents, tasks=self.tasks, llm=ScriptedLLM(["a line", "b line"]))

    made = Hooked().crew()
    assert made.kickoff().raw == "A LINE"
    assert made.kickoff(inputs={"x": 1}).raw == "B LINE"
    assert seen == [{}, {"x": 1}]


def test_default_config_paths_are_next_to_the_class_file(tmp_path: Path) -> None:
    package = tmp_path / "demo_project"
    (package / "config").mkdir(parents=True)
    (package / "config" / "agents.yaml").write_text("a:\n  role: A\n  goal: g\n  backstory: b\n")
    (package / "config" / "tasks.yaml").write_text(
        "t:\n  description: d\n  expected_output: o\n  agent: a\n"
    )
    (package / "crew.py").write_text(
        textwrap.dedent("""
        from crewkit import Agent, Crew, Task
        from crewkit.project import CrewBase, agent, crew, task

        @CrewBase
        class Demo:
            @agent
            def a(self) -> Agent:
                return Agent(config=self.agents_config["a"])

            @task
            def t(self) -> Task:
                return Task(config=self.tasks_config["t"])

            @crew
            def crew(self) -> Crew:
                return Crew(agents=self.agents, tasks=self.tasks)
        """)
    )
    spec = importlib.util.spec_from_file_location("demo_project_crew", package / "crew.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_project_crew"] = module
    spec.loader.exec_module(module)
    made = module.Demo().crew()
    assert [a.role for a in made.agents] == ["A"] and made.tasks[0].agent is made.agents[0]
