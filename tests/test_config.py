"""crew.yaml and CrewAI's two files → ordinary Crew objects, and every mistake reported at once."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import crewkit
from crewkit import Agent, Crew, Task, load_crew
from crewkit._config import _build
from crewkit.config import _load
from crewkit.errors import CrewFileError
from crewkit.tools import _registry as tool_registry
from crewkit.tools import register_tool, tool

CREW = """\
llm: mock
inputs: {audience: engineers}
agents:
  researcher:
    role: Researcher
    goal: Facts about {topic} for {audience}
    backstory: >
      Careful,
      quick.
    tools: [helpers:count_words]
    max_iter: 5
  writer:
    role: Writer
    goal: Write about {topic}
    backstory: Clear.
tasks:
  research:
    description: Research {topic} for {audience}.
    expected_output: Facts.
    agent: researcher
  write:
    description: Write about {topic}.
    expected_output: An article.
    agent: writer
    context: [research]
"""

HELPERS = '''
from crewkit import tool

@tool
def count_words(text: str) -> int:
    """Count words."""
    return len(text.split())

def not_empty(output):
    return (bool(output.raw), output.raw or "empty")

class Report:
    pass
'''


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def problems_of(path: Path, **kwargs: Any) -> list[str]:
    with pytest.raises(CrewFileError) as info:
        _load(path, None, None, **kwargs)
    return [str(p) for p in info.value.problems]


@pytest.fixture
def crew_dir(tmp_path: Path) -> Path:
    write(tmp_path, {"crew.yaml": CREW, "helpers.py": HELPERS})
    return tmp_path


def test_crew_file_builds_ordinary_objects(crew_dir: Path) -> None:
    crew = load_crew(crew_dir / "crew.yaml")
    assert isinstance(crew, Crew) and crew.llm == "mock" and crew.name == crew_dir.name
    researcher, _writer = crew.agents
    assert (researcher.role, researcher.max_iter, researcher.backstory) == (
        "Researcher",
        5,
        "Careful, quick.",  # a folded YAML text's trailing newline is dropped
    )
    assert [t.name for t in researcher.tools] == ["count_words"]
    research, write_task = crew.tasks
    assert research.agent is researcher and research.name == "research"
    assert write_task.context == [research]


def test_file_inputs_are_defaults_that_kickoff_inputs_override(crew_dir: Path) -> None:
    crew = load_crew(crew_dir / "crew.yaml")
    assert crew.inputs == {"audience": "engineers"}
    out = crew.kickoff(inputs={"topic": "tea", "audience": "children"})
    assert out.tasks_output[0].description == "Research tea for children."
    assert "count_words returned" in out.tasks_output[0].raw
    default = crew.kickoff(inputs={"topic": "tea"})
    assert default.tasks_output[0].description == "Research tea for engineers."


def test_model_override_replaces_every_model(crew_dir: Path) -> None:
    text = CREW.replace("    max_iter: 5", "    max_iter: 5\n    llm: mock/text")
    write(crew_dir, {"crew.yaml": text.replace("llm: mock\n", "llm: mock/text\n", 1)})
    crew = load_crew(crew_dir / "crew.yaml", model="mock")
    assert crew.llm == "mock" and crew.agents[0].llm == "mock" and crew.agents[1].llm is None


def test_every_problem_is_reported_with_file_line_path_and_suggestion(tmp_path: Path) -> None:
    write(tmp_path, {"crew.yaml": """\
        llm: mokc
        proccess: sequential
        agents:
          researcher:
            role: Researcher
            goal: {topic}
            backstory: x
            max_iter: ten
            tols: []
            tools: [serch, helpers:nope]
          writer:
            role: Writer
            goal: w
        tasks:
          a:
            description: A
            expected_output: x
            agent: reseacher
            context: [b]
          b:
            description: B
            expected_output: y
            agent: writer
            context: [a]
        """, "helpers.py": HELPERS})  # fmt: skip
    found = problems_of(tmp_path / "crew.yaml")
    expected = [
        "crew.yaml:1: llm: unknown model provider 'mokc'",
        "crew.yaml:2: proccess: unknown top-level key 'proccess' (did you mean 'process'?)",
        "crew.yaml:6: agents.researcher.goal: expected text, found a mapping (text that starts with '{'",
        "crew.yaml:8: agents.researcher.max_iter: expected an integer, found text 'ten'",
        "crew.yaml:9: agents.researcher.tols: unknown agent field 'tols' (did you mean 'tools'?)",
        "crew.yaml:10: agents.researcher.tools[0]: unknown tool 'serch'",
        "crew.yaml:10: agents.researcher.tools[1]: 'helpers' has no attribute 'nope'",
        "crew.yaml:11: agents.writer: missing required field 'backstory'",
        "crew.yaml:18: tasks.a.agent: unknown agent 'reseacher'; agents: researcher, writer (did you mean 'researcher'?)",
        "crew.yaml:19: tasks.a.context: context cycle: a → b → a",
    ]
    for line in expected:
        assert any(
            p.startswith(line.replace("crew.yaml", str(tmp_path / "crew.yaml"))) for p in found
        ), line
    assert len(found) == len(expected)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    write(tmp_path, {"crew.yaml": "agents:\n  a:\n    role: [unclosed\ntasks: {}\n"})
    (problem,) = problems_of(tmp_path / "crew.yaml")
    assert ":4:" in problem and "invalid YAML" in problem


def test_duplicate_keys_are_reported_not_silently_replaced(crew_dir: Path) -> None:
    text = CREW.replace("    max_iter: 5", "    max_iter: 5\n    max_iter: 6")
    write(crew_dir, {"crew.yaml": text})
    (problem,) = problems_of(crew_dir / "crew.yaml")
    assert "agents.researcher.max_iter: duplicate key" in problem and ":12:" in problem


def test_placeholders_are_checked_against_defaults_and_given_inputs(crew_dir: Path) -> None:
    (problem,) = problems_of(crew_dir / "crew.yaml", inputs={})
    assert "agents.researcher.goal: placeholder {topic} has no value; also used in" in problem
    assert "tasks.write.description" in problem
    assert _load(crew_dir / "crew.yaml", None, None, inputs={"topic": "tea"}).tasks


def test_context_naming_a_later_task_says_to_reorder(crew_dir: Path) -> None:
    text = CREW.replace("    agent: researcher\n", "    agent: researcher\n    context: [write]\n")
    text = text.replace("    context: [research]\n", "")
    write(crew_dir, {"crew.yaml": text})
    (problem,) = problems_of(crew_dir / "crew.yaml")
    assert "tasks.research.context[0]: context names 'write', which comes later" in problem
    assert "move 'write' above 'research'" in problem


def test_missing_model_is_reported_when_required(crew_dir: Path) -> None:
    write(crew_dir, {"crew.yaml": CREW.replace("llm: mock\n", "")})
    found = problems_of(crew_dir / "crew.yaml", require_model=True)
    assert len(found) == 2 and all("no model" in p for p in found)
    assert (
        load_crew(crew_dir / "crew.yaml").llm is None
    )  # fine for the library: CREWKIT_MODEL may come later


def test_durable_in_a_crew_file_is_true_or_false_and_a_path_is_refused(
    crew_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREWKIT_JOURNAL", str(crew_dir / "runs.db"))
    write(crew_dir, {"crew.yaml": "durable: true\n" + CREW})
    journal = load_crew(crew_dir / "crew.yaml").journal
    assert journal is not None and journal.path == str(crew_dir / "runs.db")
    write(crew_dir, {"crew.yaml": "durable: false\n" + CREW})
    assert load_crew(crew_dir / "crew.yaml").journal is None
    write(
        crew_dir, {"crew.yaml": "llm: mock\ndurable: runs.db\n" + CREW.replace("llm: mock\n", "")}
    )
    (problem,) = problems_of(crew_dir / "crew.yaml")
    assert problem == (
        f"{crew_dir / 'crew.yaml'}:2: durable: expected true or false, found text 'runs.db' "
        "(name the journal with --journal or CREWKIT_JOURNAL)"
    )


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    write(tmp_path, {"crew.yaml": "agents: !!python/object/apply:os.system ['echo hacked']\n"})
    (problem,) = problems_of(tmp_path / "crew.yaml")
    assert "invalid YAML" in problem and "python/object/apply" in problem


def test_tools_resolve_builtins_and_local_modules_with_the_same_name_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    @tool
    def shout(text: str) -> str:
        """Upper-case a text."""
        return text.upper()

    monkeypatch.setattr(tool_registry, "_factories", {})
    register_tool("shout", lambda: shout)
    for name, body in (("one", "return 1"), ("two", "return 2")):
        folder = tmp_path / name
        folder.mkdir()
        write(folder, {
            "crew.yaml": CREW.replace("[helpers:count_words]", "[shout, tools:probe]"),
            "tools.py": f'from crewkit import tool\n\n@tool\ndef probe() -> int:\n    """Probe."""\n    {body}\n',
        })  # fmt: skip
    one = load_crew(tmp_path / "one/crew.yaml").agents[0].tools
    two = load_crew(tmp_path / "two/crew.yaml").agents[0].tools
    assert [t.name for t in one] == ["shout", "probe"]
    assert (one[1].run(), two[1].run()) == (1, 2)


def test_crewai_two_files_load_as_they_are(tmp_path: Path) -> None:
    write(tmp_path, {
        "agents.yaml": """\
            researcher:
              role: >
                {topic} Senior Data Researcher
              goal: >
                Uncover cutting-edge developments in {topic}
              backstory: >
                You're a seasoned researcher.
            reporting_analyst:
              role: >
                {topic} Reporting Analyst
              goal: >
                Create detailed reports
              backstory: >
                You're meticulous.
            """,
        "tasks.yaml": """\
            research_task:
              description: >
                Conduct a thorough research about {topic}
              expected_output: >
                A list with 10 bullet points
              agent: researcher
            reporting_task:
              description: >
                Review the context you got and expand each topic.
              expected_output: >
                A fully fledged report
              agent: reporting_analyst
              context: [research_task]
            """,
    })  # fmt: skip
    crew = load_crew(agents=tmp_path / "agents.yaml", tasks=tmp_path / "tasks.yaml", model="mock")
    assert [a.role for a in crew.agents] == [
        "{topic} Senior Data Researcher",
        "{topic} Reporting Analyst",
    ]
    assert crew.tasks[1].context == [crew.tasks[0]] and crew.tasks[1].agent is crew.agents[1]
    out = crew.kickoff(inputs={"topic": "AI"})
    assert out.tasks_output[0].agent == "AI Senior Data Researcher"
    assert set(out.usage_by_agent) == {"AI Senior Data Researcher", "AI Reporting Analyst"}


def test_crewai_tasks_without_agent_need_an_explicit_rule(tmp_path: Path) -> None:
    write(tmp_path, {
        "agents.yaml": "a:\n  role: A\n  goal: g\n  backstory: b\nb:\n  role: B\n  goal: g\n  backstory: b\n",
        "tasks.yaml": "one:\n  description: d\n  expected_output: e\ntwo:\n  description: d\n  expected_output: e\n",
    })  # fmt: skip
    with pytest.raises(CrewFileError) as info:
        load_crew(agents=tmp_path / "agents.yaml", tasks=tmp_path / "tasks.yaml")
    assert len(info.value.problems) == 2
    assert "--assign in-order" in str(info.value.problems[0])
    crew = load_crew(
        agents=tmp_path / "agents.yaml", tasks=tmp_path / "tasks.yaml", assign="in-order"
    )
    assert [t.agent.role for t in crew.tasks if t.agent] == ["A", "B"]


# -- fields that other features add later are picked up from the classes -------------------------


class Verdict(BaseModel):
    ok: bool


@dataclass(eq=False, repr=False)
class LaterAgent(Agent):
    max_rpm: int | None = None


@dataclass(eq=False, repr=False)
class LaterTask(Task):
    output_pydantic: type[BaseModel] | None = None
    output_json: type[BaseModel] | None = None
    guardrail: Callable[[Any], Any] | Sequence[Callable[[Any], Any]] | None = None
    async_execution: bool = False
    output_retries: int = 2


@dataclass(eq=False, repr=False)
class LaterCrew(Crew):
    manager_agent: Agent | None = None
    manager_llm: crewkit.llm.LLM | str | None = None
    planning: bool = False
    max_tokens: int | None = None


def test_fields_added_to_the_classes_later_are_accepted_and_converted(
    crew_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, cls in (("Agent", LaterAgent), ("Task", LaterTask), ("Crew", LaterCrew)):
        monkeypatch.setattr(_build, name, cls)
    text = (
        CREW.replace("    max_iter: 5\n", "    max_iter: 5\n    max_rpm: 10\n").replace(
            "    context: [research]\n",
            """    context: [research]
    async_execution: true
    guardrail: [helpers:not_empty]
    output_pydantic:
      title: Article
      type: object
      properties:
        title: {type: string, description: The headline}
        score: {type: number}
        tags: {type: array, items: {type: string}}
        level: {enum: [low, high]}
      required: [title, score]
""",
        )
        + "process: hierarchical\nplanning: true\nmax_tokens: 5000\nmanager_agent:\n  role: Boss\n  goal: g\n  backstory: b\n  llm: mock/text\n"
    )
    text = text.replace(
        "    agent: researcher\n", "    agent: researcher\n    output_json: test_config:Verdict\n"
    )
    write(crew_dir, {"crew.yaml": text})
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    crew = load_crew(crew_dir / "crew.yaml", model="mock")
    assert isinstance(crew, LaterCrew) and crew.planning and crew.max_tokens == 5000
    assert crew.manager_agent.role == "Boss" and crew.manager_agent.llm == "mock"  # type: ignore[union-attr]
    assert crew.agents[0].max_rpm == 10  # type: ignore[attr-defined]
    task = crew.tasks[1]
    assert isinstance(task, LaterTask) and task.async_execution
    assert task.guardrail[0].__name__ == "not_empty"  # type: ignore[index]
    assert crew.tasks[0].output_json is Verdict  # type: ignore[attr-defined]
    model = task.output_pydantic
    assert model is not None and model.__name__ == "Article"
    article = model.model_validate({"title": "t", "score": 1, "level": "low"})
    assert article.model_dump() == {"title": "t", "score": 1.0, "tags": None, "level": "low"}
    with pytest.raises(Exception, match="level"):
        model.model_validate({"title": "t", "score": 1, "level": "medium"})


def test_unknown_keys_are_checked_against_the_real_fields(
    crew_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_build, "Task", LaterTask)
    write(
        crew_dir,
        {
            "crew.yaml": CREW.replace(
                "    agent: writer\n",
                "    agent: writer\n    output_pydantc: {}\n    async_execution: maybe\n    output_json: {type: object, properties: {a: {type: strin}}}\n",
            )
        },
    )
    found = problems_of(crew_dir / "crew.yaml")
    assert any(
        "unknown task field 'output_pydantc' (did you mean 'output_pydantic'?)" in p for p in found
    )
    assert any(
        "tasks.write.async_execution: expected true or false, found text 'maybe'" in p
        for p in found
    )
    assert any(
        "output_json.properties.a.type: unknown JSON schema type 'strin'" in p and "'string'" in p
        for p in found
    )


def test_a_tool_class_takes_settings_with_and_fixed_arguments_with_bind(tmp_path: Path) -> None:
    tools = (
        "    tools:\n"
        "      - use: quotes:Quote\n"
        "        with: {currency: EUR}\n"
        "        bind: {ticker: '{topic}'}\n"
    )
    quotes = (
        "from crewkit import Tool\n\n"
        "class Quote(Tool):\n"
        "    name = 'quote'\n"
        "    description = 'Last price.'\n\n"
        "    def __init__(self, currency: str) -> None:\n"
        "        self.currency = currency\n\n"
        "    def run(self, ticker: str, days: int = 1) -> str:\n"
        "        return f'{ticker}: 10 {self.currency} over {days} days'\n"
    )
    write(
        tmp_path,
        {
            "crew.yaml": CREW.replace("    tools: [helpers:count_words]\n", tools),
            "quotes.py": quotes,
        },
    )
    (quote,) = load_crew(tmp_path / "crew.yaml").agents[0].tools
    assert quote.inner.currency == "EUR"
    assert quote.bound == {"ticker": "{topic}"}
    assert list(quote.spec().parameters["properties"]) == ["days"]


def test_with_on_something_that_is_not_a_tool_class_is_a_clear_problem(crew_dir: Path) -> None:
    tools = "    tools:\n      - {use: 'helpers:count_words', with: {x: 1}}\n"
    write(crew_dir, {"crew.yaml": CREW.replace("    tools: [helpers:count_words]\n", tools)})
    problems = problems_of(crew_dir / "crew.yaml")
    assert any("'with' needs a Tool class, but 'helpers:count_words' is" in p for p in problems)
