"""Knowledge in a crew: the passages most relevant to each task reach its prompt, labelled with their
source; agent knowledge stays with its agent; sources are checked at definition and read once."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from crewkit import Agent, Crew, Task
from crewkit.errors import ConfigurationError
from crewkit.knowledge import (
    CSVKnowledgeSource,
    JSONKnowledgeSource,
    KnowledgeConfig,
    KnowledgeIndex,
    PDFKnowledgeSource,
    StringKnowledgeSource,
    TextFileKnowledgeSource,
)
from crewkit.testing import ScriptedLLM
from tests.pdfs import make_pdf

FILLER = "\n\n".join(f"Note {i}: routine remarks about office supplies." for i in range(30))


def prompt_of(llm: ScriptedLLM, request: int = 0) -> str:
    return next(m.content for m in llm.requests[request].messages if m.role == "user")


def crew_of(llm: ScriptedLLM, **crew: object) -> Crew:
    analyst = Agent(role="Analyst", goal="answer", backstory="careful")
    task = Task("Which city hosts the Acme warehouse?", "A city name", agent=analyst)
    return Crew(agents=[analyst], tasks=[task], llm=llm, **crew)  # type: ignore[arg-type]


def test_the_relevant_passage_reaches_the_task_prompt_with_its_source() -> None:
    llm = ScriptedLLM(["Rotterdam"])
    source = StringKnowledgeSource(
        FILLER + "\n\nThe Acme warehouse is in Rotterdam, by the port.",
        name="company facts",
        chunk_size=200,
        chunk_overlap=0,
    )
    crew_of(llm, knowledge_sources=[source]).kickoff()
    prompt = prompt_of(llm)
    intro = "Relevant knowledge (passages from your sources; name the source when you use one):"
    section = prompt.split(intro)[1]
    assert (
        section.count("## company facts\n") == 1
    )  # only the chunk that shares words with the task
    assert section.rstrip().endswith("The Acme warehouse is in Rotterdam, by the port.")


def test_knowledge_text_is_data_not_template_code() -> None:
    llm = ScriptedLLM(["ok"])
    source = StringKnowledgeSource("Acme warehouse formula {{ 7*7 }} {% if x %}")
    crew_of(llm, knowledge_sources=[source]).kickoff()
    assert "Acme warehouse formula {{ 7*7 }} {% if x %}" in prompt_of(llm)


def test_agent_knowledge_reaches_only_that_agents_tasks() -> None:
    llm = ScriptedLLM(["first", "second"])
    secret = StringKnowledgeSource("The Acme warehouse is in Rotterdam.", name="ops notes")
    insider = Agent(role="Insider", goal="g", backstory="b", knowledge_sources=[secret])
    outsider = Agent(role="Outsider", goal="g", backstory="b")
    tasks = [
        Task("Where is the Acme warehouse?", "A city", agent=outsider),
        Task("Where is the Acme warehouse, really?", "A city", agent=insider),
    ]
    Crew(agents=[outsider, insider], tasks=tasks, llm=llm).kickoff()
    assert "ops notes" not in prompt_of(llm, 0)
    assert "## ops notes\nThe Acme warehouse is in Rotterdam." in prompt_of(llm, 1)


def test_results_limit_and_max_chars_bound_the_passages() -> None:
    llm = ScriptedLLM(["ok"])
    text = "\n\n".join(f"Acme warehouse fact number {i}. " + "detail " * 30 for i in range(10))
    source = StringKnowledgeSource(text, name="facts", chunk_size=250, chunk_overlap=0)
    config = KnowledgeConfig(results_limit=2, max_chars=400)
    crew_of(llm, knowledge_sources=[source], knowledge_config=config).kickoff()
    passages = prompt_of(llm).split("Relevant knowledge")[1].split("## facts\n")[1:]
    assert len(passages) == 2
    assert sum(len(p.strip()) for p in passages) <= 400
    assert passages[1].strip().endswith("…")  # the second one was cut to fit


@pytest.mark.extra("pdf")
def test_file_sources_are_found_in_the_knowledge_folder_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "knowledge").mkdir()
    (tmp_path / "knowledge" / "report.pdf").write_bytes(
        make_pdf([["Annual report"], ["The Acme warehouse moved to Rotterdam in 2024."]])
    )
    (tmp_path / "stock.csv").write_text("city,units\nRotterdam,1200\nLisbon,300\n")
    (tmp_path / "knowledge" / "sites.json").write_text(
        '{"sites": [{"city": "Rotterdam", "kind": "warehouse"}]}'
    )
    (tmp_path / "knowledge" / "notes.txt").write_text("The Acme warehouse has 40 loading docks.")
    llm = ScriptedLLM(["ok"])
    sources = [
        PDFKnowledgeSource(file_paths=["report.pdf"]),
        CSVKnowledgeSource(file_paths="stock.csv"),
        JSONKnowledgeSource(file_paths=["sites.json"]),
        TextFileKnowledgeSource(file_paths=["notes.txt"]),
    ]
    crew_of(
        llm, knowledge_sources=sources, knowledge_config=KnowledgeConfig(results_limit=4)
    ).kickoff()
    prompt = prompt_of(llm)
    assert "## report.pdf p.2\nThe Acme warehouse moved to Rotterdam in 2024." in prompt
    assert "## notes.txt\nThe Acme warehouse has 40 loading docks." in prompt
    assert "## sites.json\nsites[0].city: Rotterdam\nsites[0].kind: warehouse" in prompt


def test_a_missing_file_is_reported_at_definition_with_where_it_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError) as caught:
        TextFileKnowledgeSource(file_paths=["nope.txt"])
    assert "'nope.txt' not found" in str(caught.value)
    assert str(tmp_path / "knowledge") in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "knowledge_sources",
            ["just a string"],
            "knowledge_sources items must be knowledge sources",
        ),
        ("knowledge_sources", "notes.txt", "knowledge_sources must be a list"),
        ("knowledge_config", {"results_limit": 3}, "knowledge_config must be a KnowledgeConfig"),
    ],
)
def test_bad_knowledge_settings_fail_at_definition(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Agent(role="A", goal="g", backstory="b", **{field: value})  # type: ignore[arg-type]


def test_bad_chunk_settings_fail_at_definition() -> None:
    with pytest.raises(ConfigurationError, match="chunk_size must be an integer >= 100"):
        StringKnowledgeSource("x", chunk_size=10)
    with pytest.raises(ConfigurationError, match="chunk_overlap must be an integer from 0"):
        StringKnowledgeSource("x", chunk_size=200, chunk_overlap=150)


def test_sources_are_chunked_once_across_kickoffs(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path / "k.db")
    source = StringKnowledgeSource(FILLER, chunk_size=200)
    crew = crew_of(
        ScriptedLLM(["a", "b"]),
        knowledge_sources=[source],
        knowledge_config=KnowledgeConfig(index=index),
    )
    crew.kickoff()
    chunks = index.chunk_count()
    crew.kickoff()
    assert index.chunk_count() == chunks > 5


def test_a_source_file_gone_before_the_run_fails_before_any_model_call(tmp_path: Path) -> None:
    path = tmp_path / "facts.txt"
    path.write_text("Acme facts")
    llm = ScriptedLLM(["never used"])
    crew = crew_of(llm, knowledge_sources=[TextFileKnowledgeSource(file_paths=[str(path)])])
    path.unlink()
    with pytest.raises(ConfigurationError, match="cannot be read"):
        crew.kickoff()
    assert llm.requests == []


def test_a_crew_with_knowledge_pickles_for_worker_processes(tmp_path: Path) -> None:
    (tmp_path / "facts.txt").write_text("The Acme warehouse is in Rotterdam.")
    source = TextFileKnowledgeSource(file_paths=[str(tmp_path / "facts.txt")])
    index = KnowledgeIndex(tmp_path / "k.db")
    crew = crew_of(
        ScriptedLLM(["x"]),
        knowledge_sources=[source],
        knowledge_config=KnowledgeConfig(index=index),
    )
    index.chunk_count()  # the index has an open connection now
    copy = pickle.loads(pickle.dumps(crew))
    assert copy.knowledge_sources[0].file_paths == source.file_paths
    assert copy.knowledge_config.index.path == index.path


def test_a_coworker_consults_its_own_knowledge_on_delegated_work() -> None:
    from crewkit import Process
    from crewkit.testing import call

    llm = ScriptedLLM(
        [
            call(
                "delegate_work_to_coworker",
                task="Find where the Acme warehouse is",
                context="Investor question",
                coworker="Insider",
            ),
            "Rotterdam, per the ops notes",
            "Rotterdam",
        ]
    )
    secret = StringKnowledgeSource("The Acme warehouse is in Rotterdam.", name="ops notes")
    insider = Agent(role="Insider", goal="g", backstory="b", knowledge_sources=[secret])
    task = Task("Where is the Acme warehouse?", "A city", agent=insider)
    crew = Crew(
        agents=[insider], tasks=[task], llm=llm, process=Process.hierarchical, manager_llm=llm
    )
    assert crew.kickoff().raw == "Rotterdam"
    coworker_prompt = prompt_of(llm, 1)
    assert coworker_prompt.startswith("Find where the Acme warehouse is")
    assert "## ops notes\nThe Acme warehouse is in Rotterdam." in coworker_prompt
    assert "ops notes" not in prompt_of(llm, 0)  # the manager has no sources of its own
