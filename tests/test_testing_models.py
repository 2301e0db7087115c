"""The test models behave as documented, so users can rely on them in their own tests."""

from __future__ import annotations

import asyncio

import pytest

from crewkit import Agent, Crew, Task, tool
from crewkit.errors import NetworkBlockedError, ScriptExhaustedError
from crewkit.llm import LLM, ModelRequest, ModelResponse
from crewkit.testing import FunctionLLM, MockLLM, ScriptedLLM, call
from tests.helpers import one_task_crew


@tool
def quote(ticker: str, days: int = 30) -> str:
    """Price history summary."""
    return f"{ticker} over {days} days: +3%"


def test_scripted_llm_fails_clearly_when_called_past_its_script() -> None:
    llm = ScriptedLLM([call("quote", ticker="A")])
    with pytest.raises(
        ScriptExhaustedError, match="script has 1 replies but was called a 2th time"
    ):
        one_task_crew(llm, tools=[quote]).kickoff()


def test_assert_complete_fails_when_replies_are_left() -> None:
    llm = ScriptedLLM(["one", "two"])
    one_task_crew(llm).kickoff()
    with pytest.raises(AssertionError, match="1 scripted replies were never used"):
        llm.assert_complete()


def test_function_llm_accepts_sync_and_async_functions() -> None:
    def sync(request: ModelRequest) -> str:
        return f"saw {len(request.messages)} messages"

    async def delayed(request: ModelRequest) -> str:
        await asyncio.sleep(0)
        return "async ok"

    assert one_task_crew(FunctionLLM(sync)).kickoff().raw == "saw 2 messages"
    assert one_task_crew(FunctionLLM(delayed)).kickoff().raw == "async ok"


def test_mock_llm_calls_each_tool_once_then_answers_with_what_they_returned() -> None:
    out = one_task_crew("mock", tools=[quote]).kickoff()
    assert out.raw == ("Analyst completed: sum\n- quote returned: sample ticker over 30 days: +3%")
    assert out.token_usage.requests == 2


def test_mock_llm_is_byte_identical_across_runs_and_protocols() -> None:
    first = one_task_crew(MockLLM(), tools=[quote]).kickoff()
    second = one_task_crew(MockLLM(), tools=[quote]).kickoff()
    assert first.raw == second.raw and first.token_usage == second.token_usage
    text = one_task_crew(MockLLM(native_tools=False), tools=[quote]).kickoff()
    assert text.raw.startswith("Analyst completed: sum\n- Observed: Observation: sample ticker")


def test_block_network_models_stops_calls_to_remote_endpoints_but_not_loopback() -> None:
    class Remote(LLM):
        provider = "remote"

        def __init__(self, url: str) -> None:
            self.model = "m"
            self.url = url

        @property
        def endpoint(self) -> str:
            return self.url

        async def complete(self, request: ModelRequest) -> ModelResponse:
            return ModelResponse(text="reached")

    with pytest.raises(
        NetworkBlockedError, match=r"network model calls are blocked.*api.example.com"
    ):
        one_task_crew(Remote("https://api.example.com/v1")).kickoff()
    assert one_task_crew(Remote("http://127.0.0.1:8080/v1")).kickoff().raw == "reached"


def test_kickoff_works_inside_a_running_event_loop() -> None:
    async def notebook_cell() -> str:
        return one_task_crew(ScriptedLLM(["from a notebook"])).kickoff().raw

    assert asyncio.run(notebook_cell()) == "from a notebook"


def test_kickoff_async_runs_on_the_current_loop() -> None:
    agent = Agent(role="A", goal="g", backstory="b")
    crew = Crew(agents=[agent], tasks=[Task("t", "x", agent=agent)], llm=ScriptedLLM(["async"]))
    assert asyncio.run(crew.kickoff_async()).raw == "async"


def test_output_str_is_raw_and_to_dict_is_json_ready() -> None:
    import json

    out = one_task_crew(ScriptedLLM(["five"])).kickoff()
    assert str(out) == "five" and str(out.tasks_output[0]) == "five"
    data = json.loads(json.dumps(out.to_dict()))
    assert data["raw"] == "five"
    assert data["tasks_output"][0]["agent"] == "Analyst"
    assert data["token_usage"]["requests"] == 1
