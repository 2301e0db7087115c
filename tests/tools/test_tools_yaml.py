"""The ready-made tools by their CrewAI names in crew.yaml, with settings under ``with:``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from crewkit import load_crew
from crewkit.errors import CrewFileError
from crewkit.tools import DirectoryReadTool, FileReadTool, PDFSearchTool
from tests.site import REPORT_PDF


def reader_crew(folder: Path, tools: str) -> Path:
    """A crew file whose one agent has ``tools`` (YAML, starting on line 7)."""
    path = folder / "crew.yaml"
    crew = """\
        llm: mock
        agents:
          reader:
            role: Reader
            goal: read
            backstory: b
            tools: TOOLS
        tasks:
          t: {description: d, expected_output: e, agent: reader}
        """
    path.write_text(textwrap.dedent(crew).replace("TOOLS", tools), encoding="utf-8")
    return path


@pytest.mark.extra("pdf")
def test_crew_yaml_names_ready_made_tools_with_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report.pdf").write_bytes(REPORT_PDF)
    tools = """
              - DirectoryReadTool
              - {use: FileReadTool, with: {file_path: crew.yaml}}
              - {use: PDFSearchTool, with: {pdf: report.pdf}}"""
    listing, read, pdf = load_crew(reader_crew(tmp_path, tools)).agents[0].tools
    assert isinstance(listing, DirectoryReadTool) and isinstance(read, FileReadTool)
    assert isinstance(pdf, PDFSearchTool)
    assert read.run().startswith("llm: mock")
    assert "## report.pdf p.2" in pdf.run(query="interest rates")


def test_bad_settings_for_a_ready_made_tool_are_reported(tmp_path: Path) -> None:
    path = reader_crew(tmp_path, "[{use: FileReadTool, with: {file_path: /etc/passwd}}]")
    with pytest.raises(CrewFileError) as info:
        load_crew(path)
    (problem,) = info.value.problems
    assert (
        ":7: agents.reader.tools[0]: tool 'FileReadTool': FileReadTool(file_path='/etc/passwd')"
        in str(problem)
    )
