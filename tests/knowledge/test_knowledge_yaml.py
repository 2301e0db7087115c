"""crew.yaml's knowledge_sources and knowledge_config (and an agent's mcps) build the same objects
as Python; a bad entry is reported with file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from crewkit import load_crew
from crewkit.errors import CrewFileError
from crewkit.knowledge import (
    CSVKnowledgeSource,
    KnowledgeConfig,
    StringKnowledgeSource,
    TextFileKnowledgeSource,
)
from crewkit.testing import ScriptedLLM

CREW = """\
    llm: mock
    knowledge_sources:
      - notes.md
      - {type: csv, file_paths: [stock.csv], chunk_size: 500}
    knowledge_config: {results_limit: 2}
    agents:
      analyst:
        role: Analyst
        goal: Answer
        backstory: Careful.
        knowledge_sources:
          - {type: string, content: "The Acme warehouse is in Rotterdam.", name: ops}
        mcps:
          - {command: python, args: [server.py], tools: [add]}
    tasks:
      where:
        description: Where is the Acme warehouse?
        expected_output: A city.
        agent: analyst
    """


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "knowledge").mkdir()
    (tmp_path / "knowledge" / "notes.md").write_text("# Notes\n\nThe Acme warehouse has 40 docks.")
    (tmp_path / "stock.csv").write_text("city,units\nRotterdam,1200\n")
    (tmp_path / "crew.yaml").write_text(textwrap.dedent(CREW), encoding="utf-8")
    return tmp_path


@pytest.mark.extra("mcp")
def test_knowledge_and_mcps_in_crew_yaml_build_sources_and_servers(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder.parent)  # paths resolve from the crew file's folder, not from here
    crew = load_crew(folder / "crew.yaml")
    notes, stock = crew.knowledge_sources
    assert isinstance(notes, TextFileKnowledgeSource)
    assert notes.file_paths == [(folder / "knowledge" / "notes.md").resolve()]
    assert isinstance(stock, CSVKnowledgeSource) and stock.chunk_size == 500
    assert crew.knowledge_config == KnowledgeConfig(results_limit=2)
    (ops,) = crew.agents[0].knowledge_sources
    assert isinstance(ops, StringKnowledgeSource) and ops.name == "ops"
    (server,) = crew.agents[0].mcps
    assert (server.command, server.args, server.tools) == ("python", ("server.py",), ("add",))


@pytest.mark.extra("mcp")
def test_crew_yaml_knowledge_reaches_the_task_prompt(folder: Path) -> None:
    crew = load_crew(folder / "crew.yaml")
    crew.agents[0].mcps = []  # this test is about knowledge; the MCP tests start real servers
    llm = ScriptedLLM(["Rotterdam"])
    crew.llm = llm
    crew.agents[0].llm = llm
    crew.knowledge_config = KnowledgeConfig(results_limit=3)
    crew.kickoff()
    prompt = next(m.content for m in llm.requests[0].messages if m.role == "user")
    assert "## ops\nThe Acme warehouse is in Rotterdam." in prompt
    assert "## notes.md\n# Notes\n\nThe Acme warehouse has 40 docks." in prompt


def test_bad_knowledge_entries_are_reported_with_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "crew.yaml").write_text(
        textwrap.dedent("""\
            llm: mock
            knowledge_sources:
              - missing.pdf
              - {type: pdff, file_paths: [a.pdf]}
              - 42
            knowledge_config: {results: 3}
            agents:
              a: {role: A, goal: g, backstory: b}
            tasks:
              t: {description: d, expected_output: e, agent: a}
            """),
        encoding="utf-8",
    )
    with pytest.raises(CrewFileError) as info:
        load_crew(tmp_path / "crew.yaml")
    found = [str(p).replace(str(tmp_path / "crew.yaml"), "crew.yaml") for p in info.value.problems]
    expected = [
        "crew.yaml:3: knowledge_sources[0]: ",
        "crew.yaml:4: knowledge_sources[1]: unknown knowledge source type 'pdff'",
        "crew.yaml:5: knowledge_sources[2]: expected a file path or {type: ..., ...}, found",
        "crew.yaml:6: knowledge_config: expected a mapping of index, max_chars, results_limit",
    ]
    assert len(found) == len(expected), found
    for problem, start in zip(found, expected, strict=True):
        assert problem.startswith(start), problem
    assert "'missing.pdf' not found" in found[0] or "pdf extra" in found[0]
