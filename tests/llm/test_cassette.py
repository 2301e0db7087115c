"""Record a run's model exchanges, then replay them with no model and no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from loopback import ScriptedServer, chat_reply

from crewkit import Agent, Crew, Task, tool
from crewkit.errors import CassetteMismatchError, ConfigurationError, NetworkBlockedError
from crewkit.llm import OpenAIChat, cassette
from crewkit.testing import ScriptedLLM, call


@tool
def lookup(term: str) -> str:
    """Look a term up."""
    return f"{term}: a small orchestration library"


def crew_with(llm: object, topic: str = "crewkit") -> Crew:
    agent = Agent(
        role="Researcher", goal="Explain {topic}", backstory="Careful.", tools=[lookup], llm=llm
    )  # type: ignore[arg-type]
    return Crew(agents=[agent], tasks=[Task("Explain {topic}.", "One line", agent=agent)])


def record(path: Path) -> str:
    script = ScriptedLLM(
        [call("lookup", term="crewkit"), "crewkit is a small orchestration library."]
    )
    with cassette(path, mode="record"):
        output = crew_with(script).kickoff(inputs={"topic": "crewkit"})
    script.assert_complete()
    return output.raw


def test_replay_reproduces_a_recorded_run_without_calling_the_model(tmp_path: Path) -> None:
    tape = tmp_path / "run.jsonl"
    recorded = record(tape)
    assert len(tape.read_text().splitlines()) == 2
    silent = ScriptedLLM([])  # any real call would raise ScriptExhaustedError
    with cassette(tape, mode="replay") as replay:
        output = crew_with(silent).kickoff(inputs={"topic": "crewkit"})
    assert output.raw == recorded
    assert output.token_usage.requests == 2
    assert silent.requests == []
    replay.assert_complete()


def test_a_request_that_was_not_recorded_fails_loudly_saying_what_differs(tmp_path: Path) -> None:
    tape = tmp_path / "run.jsonl"
    record(tape)
    with cassette(tape, mode="replay"), pytest.raises(CassetteMismatchError) as caught:
        crew_with(ScriptedLLM([])).kickoff(inputs={"topic": "pydantic"})
    assert "request.messages[0].content differs from the next recorded request" in str(caught.value)
    assert "pydantic" in str(caught.value)


def test_replay_needs_no_network_even_for_remote_models(tmp_path: Path) -> None:
    tape = tmp_path / "remote.jsonl"
    remote = OpenAIChat("gpt-4o-mini", api_key="sk-0123456789abcdef")
    with pytest.raises(NetworkBlockedError):
        crew_with(remote).kickoff(inputs={"topic": "x"})
    # Record through a scripted model under the remote model's label, then replay as the remote model.
    script = ScriptedLLM([call("lookup", term="x"), "x is a thing."])
    script.provider = "openai"  # type: ignore[misc]
    script.model = "gpt-4o-mini"
    with cassette(tape, mode="record"):
        crew_with(script).kickoff(inputs={"topic": "x"})
    with cassette(tape, mode="replay"):
        assert crew_with(remote).kickoff(inputs={"topic": "x"}).raw == "x is a thing."


def test_the_environment_variable_records_then_replays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tape = tmp_path / "env.jsonl"
    monkeypatch.setenv("CREWKIT_CASSETTE", str(tape))
    script = ScriptedLLM([call("lookup", term="crewkit"), "Recorded answer."])
    assert crew_with(script).kickoff(inputs={"topic": "crewkit"}).raw == "Recorded answer."
    assert tape.is_file()
    monkeypatch.setenv("CREWKIT_CASSETTE_MODE", "replay")
    assert crew_with(ScriptedLLM([])).kickoff(inputs={"topic": "crewkit"}).raw == "Recorded answer."


def test_recording_over_http_stores_what_the_server_answered(
    tmp_path: Path, server: ScriptedServer
) -> None:
    server.script(chat_reply("Straight answer.", prompt_tokens=9, completion_tokens=2))
    tape = tmp_path / "http.jsonl"
    agent = Agent(role="R", goal="g", backstory="b", llm=OpenAIChat("m", base_url=server.url))
    crew = Crew(agents=[agent], tasks=[Task("Say something.", "text", agent=agent)])
    with cassette(tape, mode="record"):
        crew.kickoff()
    [entry] = [json.loads(line) for line in tape.read_text().splitlines()]
    assert entry["model"] == "openai/m"
    assert entry["response"]["text"] == "Straight answer."
    assert (entry["response"]["prompt_tokens"], entry["response"]["completion_tokens"]) == (9, 2)
    assert entry["request"]["messages"][-1]["content"].startswith("Say something.")


def test_replaying_a_missing_cassette_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist; record it first"):
        cassette(tmp_path / "nope.jsonl", mode="replay").__enter__()
