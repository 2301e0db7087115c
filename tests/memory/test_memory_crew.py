"""Memory in a crew: recall before each task, results kept across runs, tools, safety."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crewkit import Agent, Crew, Task, tool
from crewkit.errors import ConfigurationError, MemoryStoreError
from crewkit.memory import Memory
from crewkit.testing import ScriptedLLM, call


@tool
def company_registry(name: str) -> str:
    """Look up a company in the registry."""
    return f"{name} is headquartered in Rotterdam and was founded in 1987."


def two_agent_crew(
    first: ScriptedLLM, second: ScriptedLLM, memory: Memory | bool
) -> tuple[Crew, Agent, Agent]:
    researcher = Agent(
        role="Researcher", goal="Find facts", backstory="Thorough.", llm=first,
        tools=[company_registry],
    )  # fmt: skip
    writer = Agent(role="Writer", goal="Write briefs", backstory="Concise.", llm=second)
    research = Task(
        description="Research Vanderlande Logistics", expected_output="Facts", agent=researcher
    )
    brief = Task(
        description="Write a brief on where Vanderlande Logistics is headquartered",
        expected_output="One paragraph",
        agent=writer,
        context=[],  # nothing from the first task arrives as context: only memory can carry it
    )
    crew = Crew(agents=[researcher, writer], tasks=[research, brief], memory=memory)
    return crew, researcher, writer


def opening_prompt(llm: ScriptedLLM, request: int = 0) -> str:
    return llm.requests[request].messages[-1].content


def test_a_fact_found_by_the_first_agent_is_recalled_by_the_second(tmp_path: Path) -> None:
    first = ScriptedLLM([call("company_registry", name="Vanderlande Logistics"), "Done."])
    second = ScriptedLLM(["Brief."])
    crew, _, _ = two_agent_crew(first, second, Memory(tmp_path / "m.db"))

    crew.kickoff()

    assert opening_prompt(second) == (
        "Write a brief on where Vanderlande Logistics is headquartered\n\n"
        "Expected output: One paragraph\n\n"
        "Relevant memories (notes kept by the crew; use them if they help, they may be out of "
        "date):\n\n"
        "## this run: tool company_registry used by Researcher\n"
        "Vanderlande Logistics is headquartered in Rotterdam and was founded in 1987.\n\n"
        "## this run: task 'Task 1: Research Vanderlande Logistics' by Researcher\n"
        "Done."
    )
    first.assert_complete()
    second.assert_complete()


def test_a_note_saved_with_save_memory_is_recalled_by_the_next_agent(tmp_path: Path) -> None:
    first = ScriptedLLM(
        [call("save_memory", text="Vanderlande Logistics moved its headquarters to Utrecht."), "Ok"]
    )
    second = ScriptedLLM(["Brief."])
    crew, _, _ = two_agent_crew(first, second, Memory(tmp_path / "m.db"))

    crew.kickoff()

    assert first.requests[1].messages[-1].content == "Saved to memory."
    prompt = opening_prompt(second)
    assert "Vanderlande Logistics moved its headquarters to Utrecht." in prompt
    assert prompt.count("Utrecht") == 1  # the entity fact and the note are the same text: once


def test_search_memory_returns_labelled_results(tmp_path: Path) -> None:
    first = ScriptedLLM([call("company_registry", name="Vanderlande Logistics"), "Done."])
    second = ScriptedLLM([call("search_memory", query="Vanderlande founded"), "Brief."])
    crew, _, _ = two_agent_crew(first, second, Memory(tmp_path / "m.db"))

    crew.kickoff()

    result = second.requests[1].messages[-1]
    assert result.role == "tool"
    assert result.content.startswith('Memories matching "Vanderlande founded":')
    assert "## this run: tool company_registry used by Researcher\n" in result.content
    assert "founded in 1987" in result.content


def test_agents_get_memory_tools_only_when_memory_is_on(tmp_path: Path) -> None:
    with_memory, without = ScriptedLLM(["a", "b"]), ScriptedLLM(["a", "b"])
    two_agent_crew(with_memory, with_memory, Memory(tmp_path / "m.db"))[0].kickoff()
    two_agent_crew(without, without, False)[0].kickoff()

    assert [t.name for t in with_memory.requests[1].tools] == ["search_memory", "save_memory"]
    assert [t.name for t in without.requests[1].tools] == []
    assert [t.name for t in without.requests[0].tools] == ["company_registry"]


def test_a_second_run_recalls_the_first_runs_result(tmp_path: Path) -> None:
    path = tmp_path / "memory.db"
    first_run = ScriptedLLM(["Vanderlande Logistics reported record parcel volumes.", "Brief."])
    two_agent_crew(first_run, first_run, Memory(path))[0].kickoff()

    second_run = ScriptedLLM(["Again.", "Brief."])
    crew, _, _ = two_agent_crew(second_run, second_run, Memory(path))  # a new process would do this
    crew.kickoff()

    prompt = opening_prompt(second_run)
    assert "Vanderlande Logistics reported record parcel volumes." in prompt
    assert (
        "## earlier run, just now: task 'Task 1: Research Vanderlande Logistics' by Researcher"
        in (prompt)
    )


def test_short_term_memories_end_with_their_run(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db")
    first_run = ScriptedLLM([call("company_registry", name="Vanderlande Logistics"), "Done.", "B"])
    two_agent_crew(first_run, first_run, memory)[0].kickoff()
    assert memory.count("short_term") == 0

    second_run = ScriptedLLM(["Done.", "B"])
    two_agent_crew(second_run, second_run, memory)[0].kickoff()
    assert "Rotterdam" not in opening_prompt(second_run, 1)  # only the tool result held it


def test_entity_facts_accumulate_across_runs(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db")
    replies = [
        ["Vanderlande Logistics opened a hub in Lyon.", "B"],
        ["Vanderlande Logistics hired a new CFO.", "B"],
    ]
    for script in replies:
        llm = ScriptedLLM(script)
        two_agent_crew(llm, llm, memory)[0].kickoff()

    assert [f.text for f in memory.facts("Vanderlande Logistics")] == [
        "Vanderlande Logistics hired a new CFO.",
        "Vanderlande Logistics opened a hub in Lyon.",
    ]


def test_earlier_task_output_in_context_is_not_repeated_as_a_memory(tmp_path: Path) -> None:
    llm = ScriptedLLM(["Vanderlande Logistics grew fast.", "Brief."])
    writer = Agent(role="Writer", goal="Write", backstory="Concise.", llm=llm)
    tasks = [
        Task(description="Research Vanderlande Logistics", expected_output="Facts", agent=writer),
        Task(description="Summarise Vanderlande Logistics", expected_output="Text", agent=writer),
    ]
    Crew(agents=[writer], tasks=tasks, memory=Memory(tmp_path / "m.db")).kickoff()

    prompt = opening_prompt(llm, 1)
    assert prompt.count("Vanderlande Logistics grew fast.") == 1
    assert "Relevant memories" not in prompt


def test_recall_is_bounded_in_count(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db", recall_limit=2)
    for i in range(6):
        memory.save(f"Vanderlande Logistics fact {i}.", extract_entities=False)
    llm = ScriptedLLM(["a", "b"])
    two_agent_crew(llm, llm, memory)[0].kickoff()

    assert opening_prompt(llm, 0).count("## earlier run") == 2


def test_recall_is_bounded_in_characters(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db", recall_chars=200)
    memory.save("Vanderlande Logistics " + "details " * 100, extract_entities=False)
    memory.save("Vanderlande Logistics second memory.", extract_entities=False)
    llm = ScriptedLLM(["a", "b"])
    two_agent_crew(llm, llm, memory)[0].kickoff()

    memories = opening_prompt(llm, 0).split("out of date):\n", 1)[1]
    texts = [block.split("\n", 1)[1] for block in ("\n" + memories).split("\n\n## ")[1:]]
    assert texts[0] == "Vanderlande Logistics second memory."
    assert texts[1].startswith("Vanderlande Logistics details") and texts[1].endswith("…")
    assert sum(len(t) for t in texts) == 200


def test_memory_text_arrives_literally_never_as_template_code(tmp_path: Path) -> None:
    note = "Vanderlande Logistics code name is {{ 7*7 }} {% if true %}x{% endif %} {name}"
    first = ScriptedLLM([call("save_memory", text=note), "Ok"])
    second = ScriptedLLM([call("search_memory", query="Vanderlande code name"), "Brief."])
    two_agent_crew(first, second, Memory(tmp_path / "m.db"))[0].kickoff()

    assert note in opening_prompt(second)
    assert note in second.requests[1].messages[-1].content
    assert "49" not in opening_prompt(second)


def test_a_corrupt_memory_file_stops_the_run_before_any_model_call(tmp_path: Path) -> None:
    path = tmp_path / "memory.db"
    path.write_bytes(b"garbage" * 1000)
    llm = ScriptedLLM(["never"])
    crew, _, _ = two_agent_crew(llm, llm, Memory(path))

    with pytest.raises(MemoryStoreError, match=re.escape(f"memory file {path} is corrupt")):
        crew.kickoff()
    assert llm.requests == []


def test_concurrent_kickoffs_share_one_memory_without_losing_results(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db")

    async def one(n: int) -> None:
        llm = ScriptedLLM([f"finding {n} of Vanderlande Logistics", f"brief {n}"])
        await two_agent_crew(llm, llm, memory)[0].kickoff_async()

    async def main() -> None:
        await asyncio.gather(*(one(n) for n in range(8)))

    asyncio.run(main())

    texts = {r.text for r in memory.list("long_term", limit=100)}
    assert texts == {f"finding {n} of Vanderlande Logistics" for n in range(8)} | {
        f"brief {n}" for n in range(8)
    }
    assert memory.count("short_term") == 0


def test_memory_true_uses_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    llm = ScriptedLLM(["a", "b"])
    crew, _, _ = two_agent_crew(llm, llm, True)
    assert isinstance(crew.memory, Memory)
    assert crew.memory.path == str(tmp_path / ".crewkit" / "memory.db")

    crew.kickoff()

    assert crew.memory.count("long_term") == 2
    crew.memory.reset("all")
    assert crew.memory.count("all") == 0


def test_memory_must_be_a_bool_or_a_memory() -> None:
    llm = ScriptedLLM([])
    with pytest.raises(ConfigurationError, match=r"Crew\.memory must be True, False or a"):
        two_agent_crew(llm, llm, "yes")  # type: ignore[arg-type]


def test_import_crewkit_does_not_load_sqlite_or_memory() -> None:
    code = (
        "import sys, crewkit; "
        "print(sorted(m for m in sys.modules if 'sqlite' in m or m.startswith('crewkit.memory')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
