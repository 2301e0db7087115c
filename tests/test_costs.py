"""What a run cost: priced from the genai-prices table, unknown when it cannot be known."""

from __future__ import annotations

import pickle
import sys
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "llm"))
from loopback import ScriptedServer, chat_reply

import crewkit.costs as costs
from crewkit import Agent, Crew, Task
from crewkit.costs import Cost
from crewkit.llm import OpenAIChat
from crewkit.testing import MockLLM
from tests.extras import require_extra

require_extra("prices")


@pytest.fixture
def server() -> object:
    s = ScriptedServer()
    yield s
    s.close()


def served(reply_model: str, prompt: int = 1000, completion: int = 200) -> object:
    step = chat_reply("An answer.", prompt_tokens=prompt, completion_tokens=completion)
    step.body["model"] = reply_model  # type: ignore[attr-defined]
    return step


def crew_of(*llms: object) -> Crew:
    agents = [
        Agent(role=f"Agent {i}", goal="g", backstory="b", llm=llm)  # type: ignore[arg-type]
        for i, llm in enumerate(llms)
    ]
    tasks = [Task(f"Step {i}", "text", agent=a, name=f"step{i}") for i, a in enumerate(agents)]
    return Crew(agents=agents, tasks=tasks)


def test_a_known_model_is_priced_by_the_model_that_answered(server: ScriptedServer) -> None:
    server.script(served("gpt-4o-2024-08-06"))
    output = crew_of(OpenAIChat("gpt-4o", base_url=server.url)).kickoff()
    report = output.costs
    # gpt-4o: $2.50 per million input tokens, $10 per million output tokens.
    assert report.total.usd == Decimal("0.0045")
    assert str(report.total) == "$0.0045"
    assert report.by_agent == {"Agent 0": Cost(Decimal("0.0045"))}
    assert report.by_task == {"step0": Cost(Decimal("0.0045"))}
    assert report.by_model == {"openai/gpt-4o": Cost(Decimal("0.0045"))}
    assert output.calls[0].model == "gpt-4o-2024-08-06"


def test_an_unknown_model_is_unknown_never_zero(server: ScriptedServer) -> None:
    server.script(served("my-finetune-v3"))
    report = crew_of(OpenAIChat("my-finetune-v3", base_url=server.url)).kickoff().costs
    assert report.total.usd is None
    assert str(report.total) == "unknown"
    assert report.total.to_dict() == {"usd": None, "priced_usd": "0", "unpriced_calls": 1}


def test_a_total_with_unpriced_calls_says_it_is_a_lower_bound(server: ScriptedServer) -> None:
    server.script(served("gpt-4o"), served("my-finetune-v3"))
    priced = OpenAIChat("gpt-4o", base_url=server.url)
    unknown = OpenAIChat("my-finetune-v3", base_url=server.url)
    report = crew_of(priced, unknown).kickoff().costs
    assert str(report.total) == "≥ $0.0045 (1 call unpriced)"
    assert report.total.usd is None
    assert report.by_agent["Agent 0"].usd == Decimal("0.0045")
    assert str(report.by_agent["Agent 1"]) == "unknown"


def test_self_hosted_servers_are_unknown_even_for_a_model_the_table_knows(
    server: ScriptedServer,
) -> None:
    from crewkit.llm._openai import OllamaChat

    server.script(served("gpt-4o"))
    report = crew_of(OllamaChat("gpt-4o", base_url=server.url)).kickoff().costs
    assert str(report.total) == "unknown"


def test_models_in_this_process_cost_nothing() -> None:
    output = crew_of(MockLLM()).kickoff()
    assert output.costs.total == Cost(Decimal(0))
    assert str(output.costs.total) == "$0"


def test_without_the_price_table_every_paid_call_is_unknown(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(costs, "prices_available", lambda: False)
    server.script(served("gpt-4o"))
    report = crew_of(OpenAIChat("gpt-4o", base_url=server.url)).kickoff().costs
    assert str(report.total) == "unknown"
    assert report.table is False


def test_costs_travel_with_the_output_as_json_and_through_pickle(server: ScriptedServer) -> None:
    server.script(served("gpt-4o"))
    output = crew_of(OpenAIChat("gpt-4o", base_url=server.url)).kickoff()
    assert output.to_dict()["costs"]["total"] == {
        "usd": "0.0045",
        "priced_usd": "0.0045",
        "unpriced_calls": 0,
    }
    again = pickle.loads(pickle.dumps(output))
    assert again.costs.total.usd == Decimal("0.0045")
