"""The agent loop: tools, recoverable mistakes, repeats and max_iter."""

from __future__ import annotations

import asyncio

import pytest

from crewkit import tool
from crewkit.llm import ModelResponse, ToolCall
from crewkit.testing import ScriptedLLM, call
from tests.helpers import one_task_crew


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"boom: {reason}")


def observations(llm: ScriptedLLM, index: int) -> list[str]:
    """Tool results and observations the model saw in request ``index``."""
    return [m.content for m in llm.requests[index].messages if m.role in ("tool",)] or [
        m.content for m in llm.requests[index].messages[2:] if m.role == "user"
    ]


def test_a_tool_call_runs_the_tool_and_the_result_is_the_next_observation() -> None:
    llm = ScriptedLLM([call("add", a=2, b=3), "The sum is 5"])
    out = one_task_crew(llm, tools=[add]).kickoff()
    assert out.raw == "The sum is 5"
    assert observations(llm, 1) == ["5"]
    llm.assert_complete()


def test_an_unknown_tool_becomes_an_observation_listing_the_real_ones() -> None:
    llm = ScriptedLLM([call("addition", a=1, b=2), "fine"])
    one_task_crew(llm, tools=[add, explode]).kickoff()
    assert observations(llm, 1) == [
        'There is no tool named "addition". Available tools: add, explode.'
    ]


def test_invalid_arguments_show_the_validation_error_and_expected_schema() -> None:
    llm = ScriptedLLM([call("add", a="two", c=1), "fine"])
    one_task_crew(llm, tools=[add]).kickoff()
    (text,) = observations(llm, 1)
    assert text.startswith("Invalid arguments for add:\n")
    assert "- a: Input should be a valid integer" in text
    assert "- b: Field required" in text
    assert "- c: Extra inputs are not permitted" in text
    assert 'Expected arguments: {"a": {"type": "integer"}, "b": {"type": "integer"}}' in text


def test_arguments_that_are_not_json_become_an_observation() -> None:
    garbled = ModelResponse(tool_calls=(ToolCall("add", {}, "c1", raw_arguments='{"a": 1,'),))
    llm = ScriptedLLM([garbled, "fine"])
    one_task_crew(llm, tools=[add]).kickoff()
    assert "not a JSON object" in observations(llm, 1)[0]


def test_a_tool_that_raises_becomes_an_observation_and_the_run_goes_on() -> None:
    llm = ScriptedLLM([call("explode", reason="x"), "recovered"])
    out = one_task_crew(llm, tools=[explode]).kickoff()
    assert out.raw == "recovered"
    assert observations(llm, 1) == [
        "Tool explode failed: RuntimeError: boom: x\nFix the arguments or try another approach."
    ]


def test_the_same_call_twice_gets_the_earlier_result_and_a_nudge_without_rerunning() -> None:
    runs: list[int] = []

    @tool
    def count() -> int:
        """Counts calls."""
        runs.append(1)
        return len(runs)

    llm = ScriptedLLM([call("count"), call("count"), "done"])
    one_task_crew(llm, tools=[count]).kickoff()
    assert runs == [1]
    assert observations(llm, 2)[-1].startswith("You already called count with these arguments.")
    assert "Its result was:\n1\n" in observations(llm, 2)[-1]


def test_parallel_tool_calls_run_concurrently_and_answer_in_order() -> None:
    @tool
    async def slow(n: int) -> str:
        """Sleeps a little."""
        await asyncio.sleep(0.2 - n * 0.05)
        return f"r{n}"

    llm = ScriptedLLM([[call("slow", n=1), call("slow", n=2), call("slow", n=3)], "all done"])
    one_task_crew(llm, tools=[slow]).kickoff()
    assert observations(llm, 1) == ["r1", "r2", "r3"]


def test_long_results_are_truncated_with_a_marker() -> None:
    @tool(max_result_chars=10)
    def big() -> str:
        """Returns a lot."""
        return "x" * 25

    llm = ScriptedLLM([call("big"), "ok"])
    one_task_crew(llm, tools=[big]).kickoff()
    assert observations(llm, 1) == ["xxxxxxxxxx\n[... truncated 15 characters]"]


def test_structured_results_are_sent_as_json() -> None:
    @tool
    def quote(ticker: str) -> dict[str, object]:
        """Quote."""
        return {"ticker": ticker, "price": 1.5}

    llm = ScriptedLLM([call("quote", ticker="IBM"), "ok"])
    one_task_crew(llm, tools=[quote]).kickoff()
    assert observations(llm, 1) == ['{"ticker": "IBM", "price": 1.5}']


def test_at_max_iter_the_model_is_asked_once_more_and_the_output_is_marked_forced() -> None:
    llm = ScriptedLLM([call("add", a=1, b=1), call("add", a=1, b=2), "best effort: 3"])
    out = one_task_crew(llm, tools=[add], max_iter=2).kickoff()
    assert out.raw == "best effort: 3"
    assert out.tasks_output[0].forced is True
    last = llm.requests[-1]
    assert last.tools == ()
    assert last.messages[-1].content == (
        "You have used all 2 steps allowed for this task. Do not use any more tools. "
        "Give your best final answer now, based on what you have."
    )
    llm.assert_complete()


def test_an_empty_reply_is_answered_with_a_nudge() -> None:
    llm = ScriptedLLM(["", "now an answer"])
    out = one_task_crew(llm).kickoff()
    assert out.raw == "now an answer"
    assert llm.requests[1].messages[-1].content == "Your reply was empty. Give your final answer."
    assert out.tasks_output[0].forced is False


def test_a_failing_model_fails_the_run_with_an_llm_error() -> None:
    from crewkit.errors import LLMError

    llm = ScriptedLLM([ValueError("server melted")])
    with pytest.raises(
        LLMError, match="scripted/script: model call failed: ValueError: server melted"
    ):
        one_task_crew(llm).kickoff()


def test_a_call_repeated_after_the_nudge_ends_the_tool_use_with_a_forced_answer() -> None:
    runs: list[int] = []

    @tool
    def count() -> int:
        """Counts calls."""
        runs.append(1)
        return len(runs)

    # Without the guard the third and fourth scripted calls would be made; the answer is forced.
    llm = ScriptedLLM([call("count"), call("count"), call("count"), "final", call("count")])
    out = one_task_crew(llm, tools=[count]).kickoff()
    assert (out.raw, runs) == ("final", [1])
    assert llm.requests[-1].tools == ()
    assert "Do not use any more tools" in llm.requests[-1].messages[-1].content


def test_a_small_model_answers_once_a_tool_has_returned_a_result() -> None:
    import dataclasses

    @tool
    def lookup(key: str) -> str:
        """Looks a key up."""
        if key == "bad":
            raise ValueError("no such key")
        return f"value of {key}"

    # A failing call leaves tools on; the first result turns them off and asks for the answer.
    llm = ScriptedLLM([call("lookup", key="bad"), call("lookup", key="a"), "the value is a"])
    llm.profile = dataclasses.replace(llm.profile, small=True)
    out = one_task_crew(llm, tools=[lookup]).kickoff()
    assert out.raw == "the value is a"
    assert [bool(r.tools) for r in llm.requests] == [True, True, False]
    assert (
        "Write your final answer now: two or three sentences"
        in llm.requests[-1].messages[-1].content
    )


def test_a_small_model_gets_earlier_outputs_as_a_quoted_message_before_its_task() -> None:
    import dataclasses

    from crewkit import Agent, Crew, Task

    def two_tasks(llm: ScriptedLLM) -> Crew:
        agent = Agent(role="Writer", goal="Write", backstory="B.", llm=llm)
        first = Task("Draft a line", "A line", agent=agent, name="draft")
        second = Task("Polish the line", "A better line", agent=agent, name="polish")
        return Crew(agents=[agent], tasks=[first, second])

    big = ScriptedLLM(["draft text", "polished"])
    two_tasks(big).kickoff()
    opening = big.requests[1].messages
    assert [m.role for m in opening] == ["system", "user"]
    assert "Context from earlier tasks:\n\n## draft\ndraft text" in opening[1].content

    small = ScriptedLLM(["draft text", "polished"])
    small.profile = dataclasses.replace(small.profile, small=True)
    two_tasks(small).kickoff()
    _system, earlier, task = small.requests[1].messages
    assert (earlier.role, earlier.quoted, task.quoted) == ("user", True, False)
    assert earlier.content.startswith("Context from earlier tasks:\n\n## draft\ndraft text")
    assert task.content.startswith("Polish the line") and "draft text" not in task.content
