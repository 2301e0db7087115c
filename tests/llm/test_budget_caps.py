"""A run's token budget caps each reply: what is left of it goes into the request, and a reply cut
there ends the run with the outputs so far, its tokens counted once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from loopback import Reply, ScriptedServer, Stream, chat_reply, wire_call

from crewkit import Agent, Crew, Task, tool
from crewkit._run.gateway import ROOM_CAPPED_BELOW
from crewkit.errors import BudgetExceededError
from crewkit.llm import AnthropicChat, Message, ModelRequest, OpenAIChat, cassette
from crewkit.llm._openai import LlamaCppChat
from crewkit.testing import MockLLM


def crew_of(llm: Any, tasks: int = 2, **options: Any) -> Crew:
    agent = Agent(role="Writer", goal="g", backstory="b", llm=llm)
    return Crew(
        agents=[agent],
        tasks=[Task(f"part {i}", "x", agent=agent, name=f"t{i}") for i in range(tasks)],
        **options,
    )


def test_each_request_carries_what_is_left_of_the_budget(server: ScriptedServer) -> None:
    server.script(
        chat_reply("first", prompt_tokens=30, completion_tokens=10),
        chat_reply("second", prompt_tokens=20, completion_tokens=5),
    )
    out = crew_of(OpenAIChat("m", base_url=server.url), max_tokens=100).kickoff()
    assert out.raw == "second"
    assert [body["max_tokens"] for body in server.bodies] == [100, 60]


def test_a_reply_cut_by_the_budget_ends_the_run_with_the_outputs_so_far(
    server: ScriptedServer,
) -> None:
    server.script(
        chat_reply("first", prompt_tokens=30, completion_tokens=10),
        chat_reply("a reply cut sh", finish="length", prompt_tokens=35, completion_tokens=60),
    )
    crew = crew_of(OpenAIChat("m", base_url=server.url), tasks=3, max_tokens=100)
    with pytest.raises(BudgetExceededError, match=r"cut at 60 tokens.*\(135 tokens used\)") as info:
        crew.kickoff()
    assert [o.raw for o in info.value.outputs] == ["first"]
    assert len(server.requests) == 2  # the third task never asked


def test_a_conversation_caps_its_next_reply_below_its_known_prompt(
    server: ScriptedServer,
) -> None:
    @tool
    def lookup(query: str) -> str:
        """Look something up."""
        return "found"

    server.script(
        chat_reply(None, tool_calls=[wire_call("lookup", '{"query": "q"}')], finish="tool_calls",
                   prompt_tokens=30, completion_tokens=5),
        chat_reply("done", prompt_tokens=40, completion_tokens=5),
    )  # fmt: skip
    agent = Agent(role="A", goal="g", backstory="b", tools=[lookup])
    crew = Crew(
        agents=[agent],
        tasks=[Task("t", "x", agent=agent)],
        llm=OpenAIChat("m", base_url=server.url),
        max_tokens=100,
    )
    assert crew.kickoff().raw == "done"
    # 35 used, and the next prompt repeats the last one's 30: 35 tokens of room for the reply.
    assert [body["max_tokens"] for body in server.bodies] == [100, 35]


def test_a_smaller_cap_of_the_model_wins(server: ScriptedServer) -> None:
    server.script(chat_reply("ok"))
    crew_of(OpenAIChat("m", base_url=server.url, max_tokens=16), tasks=1, max_tokens=100).kickoff()
    assert server.bodies[0]["max_tokens"] == 16


def test_a_reply_cut_by_the_models_own_cap_does_not_end_the_run(server: ScriptedServer) -> None:
    server.script(chat_reply("short", finish="length", prompt_tokens=10, completion_tokens=16))
    llm = OpenAIChat("m", base_url=server.url, max_tokens=16)
    assert crew_of(llm, tasks=1, max_tokens=100).kickoff().raw == "short"


def test_openai_reasoning_models_get_the_cap_as_max_completion_tokens(
    server: ScriptedServer,
) -> None:
    server.script(chat_reply("ok"))
    crew_of(OpenAIChat("o3-mini", base_url=server.url), tasks=1, max_tokens=100).kickoff()
    assert server.bodies[0]["max_completion_tokens"] == 100
    assert "max_tokens" not in server.bodies[0]


def test_without_a_budget_no_cap_is_sent(server: ScriptedServer) -> None:
    server.script(chat_reply("ok"))
    crew_of(OpenAIChat("m", base_url=server.url), tasks=1).kickoff()
    assert "max_tokens" not in server.bodies[0]


def test_a_roomy_budget_sends_no_cap_a_server_could_refuse(server: ScriptedServer) -> None:
    """Servers refuse a max_tokens above the model's output limit: the room is sent only once
    it is small enough to matter."""
    server.script(chat_reply("ok", prompt_tokens=20, completion_tokens=5), chat_reply("ok"))
    crew_of(OpenAIChat("m", base_url=server.url), max_tokens=ROOM_CAPPED_BELOW + 20).kickoff()
    assert "max_tokens" not in server.bodies[0]
    assert server.bodies[1]["max_tokens"] == ROOM_CAPPED_BELOW - 5


def test_anthropic_sends_the_smaller_of_its_cap_and_the_budget(server: ScriptedServer) -> None:
    reply = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [{"type": "text", "text": "cut"}],
        "stop_reason": "max_tokens",
        "usage": {"input_tokens": 20, "output_tokens": 80},
    }
    server.script(Reply(body=reply))
    llm = AnthropicChat("claude-test", base_url=server.url.removesuffix("/v1"), api_key="k")
    with pytest.raises(BudgetExceededError, match="cut at 100 tokens"):
        crew_of(llm, tasks=1, max_tokens=100).kickoff()
    assert server.bodies[0]["max_tokens"] == 100


def test_a_streamed_reply_is_capped_and_cut_the_same_way(server: ScriptedServer) -> None:
    def chunk(content: str, finish: str | None = None) -> dict[str, Any]:
        return {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]}

    usage = {"choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 38}}
    server.script(Stream([chunk("Once upon"), chunk(" a time", "length"), usage, "[DONE]"]))
    crew = crew_of(OpenAIChat("m", base_url=server.url), tasks=1, max_tokens=50)
    events = crew.stream()
    with pytest.raises(BudgetExceededError, match=r"cut at 50 tokens.*\(50 tokens used\)"):
        for _ in events:
            pass
    assert server.bodies[0]["stream"] is True
    assert server.bodies[0]["max_tokens"] == 50


def test_the_llamacpp_preset_sends_the_cap_too(server: ScriptedServer) -> None:
    server.script(chat_reply('{"answer": "ok"}'))
    crew_of(LlamaCppChat("m", base_url=server.url), tasks=1, max_tokens=70).kickoff()
    assert server.bodies[0]["max_tokens"] == 70


def test_the_mock_model_cuts_its_reply_at_the_cap() -> None:
    request = ModelRequest((Message("user", "Write."),), max_output_tokens=3)
    response = asyncio.run(MockLLM().complete(request))
    assert (response.finish_reason, response.usage.completion_tokens) == ("length", 3)
    assert len(response.text) == 12


def test_a_mock_run_whose_reply_does_not_fit_ends_at_the_budget() -> None:
    first = crew_of(MockLLM(), tasks=1).kickoff().token_usage.total_tokens
    with pytest.raises(BudgetExceededError, match="cut at 3 tokens") as info:
        crew_of(MockLLM(), tasks=2, max_tokens=first + 3).kickoff()
    assert [o.raw for o in info.value.outputs] == ["Writer completed: t0"]


def test_a_cassette_recorded_under_one_budget_replays_under_another(tmp_path: Path) -> None:
    """The cap is a limit, not part of the question: concurrent tasks replayed in another order
    see other room, and still find their answers."""
    tape = tmp_path / "run.jsonl"
    with cassette(tape, mode="record"):
        recorded = crew_of(MockLLM(), max_tokens=10_000).kickoff()
    with cassette(tape, mode="replay"):
        replayed = crew_of(MockLLM(), max_tokens=20_000).kickoff()
    assert replayed.raw == recorded.raw
    assert replayed.token_usage == recorded.token_usage
