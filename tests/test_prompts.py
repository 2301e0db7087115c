"""The exact conversation a simple task sends, so prompt changes are always deliberate."""

from __future__ import annotations

from crewkit import Agent, Crew, Task, tool
from crewkit.testing import ScriptedLLM, call


@tool
def lookup(ticker: str) -> str:
    """Look up the last price of a ticker.

    Args:
        ticker: The stock symbol, e.g. AAPL.
    """
    return f"{ticker}: 101.5"


def test_a_simple_task_sends_exactly_these_messages() -> None:
    llm = ScriptedLLM(["4"])
    agent = Agent(role="Analyst", goal="Answer precisely", backstory="You are careful.")
    task = Task(description="What is 2 + 2?", expected_output="A number", agent=agent)
    Crew(agents=[agent], tasks=[task], llm=llm).kickoff()

    (request,) = llm.requests
    assert [(m.role, m.content) for m in request.messages] == [
        (
            "system",
            "You are Analyst. You are careful.\nYour goal: Answer precisely\n\n"
            "Reply with your complete final answer.",
        ),
        ("user", "What is 2 + 2?\n\nExpected output: A number"),
    ]
    assert request.tools == ()
    assert request.metadata == {"agent": "Analyst", "task": "Task 1: What is 2 + 2?"}


def test_native_tools_are_sent_as_specs_with_schema_from_signature_and_docstring() -> None:
    llm = ScriptedLLM([call("lookup", ticker="AAPL"), "AAPL is at 101.5"])
    agent = Agent(role="Analyst", goal="Quote", backstory="B.", tools=[lookup])
    task = Task(description="Quote AAPL", expected_output="A price", agent=agent)
    Crew(agents=[agent], tasks=[task], llm=llm).kickoff()

    (spec,) = llm.requests[0].tools
    assert spec.name == "lookup"
    assert spec.description == "Look up the last price of a ticker."
    assert spec.parameters == {
        "type": "object",
        "properties": {"ticker": {"type": "string", "description": "The stock symbol, e.g. AAPL."}},
        "required": ["ticker"],
        "additionalProperties": False,
    }
    system = llm.requests[0].messages[0].content
    assert system.endswith(
        "Use your tools when they help. When you are done, reply with your complete final answer "
        "as plain text."
    )
    second = llm.requests[1].messages
    assert [m.role for m in second] == ["system", "user", "assistant", "tool"]
    assert second[2].tool_calls[0].name == "lookup"
    assert second[3].content == "AAPL: 101.5"
    assert second[3].tool_call_id == second[2].tool_calls[0].id


def test_text_protocol_describes_tools_and_format_in_the_system_prompt() -> None:
    llm = ScriptedLLM(["Final Answer: 101.5"], native_tools=False)
    agent = Agent(role="Analyst", goal="Quote", backstory="B.", tools=[lookup])
    task = Task(description="Quote AAPL", expected_output="A price", agent=agent)
    Crew(agents=[agent], tasks=[task], llm=llm).kickoff()

    request = llm.requests[0]
    system = request.messages[0].content
    assert (
        '- lookup: Look up the last price of a ticker. Arguments: {"ticker": {"description": '
        '"The stock symbol, e.g. AAPL.", "type": "string"}}' in system
    )
    assert "Action: <tool name>\nAction Input: <the arguments as one JSON object>" in system
    assert "Final Answer: <your complete answer>" in system
    assert request.stop == ("\nObservation:",)


def test_context_from_earlier_tasks_is_labelled_with_its_task() -> None:
    llm = ScriptedLLM(["facts about tea", "an essay"])
    agent = Agent(role="Writer", goal="Write", backstory="B.")
    first = Task(description="Research tea", expected_output="facts", agent=agent, name="research")
    second = Task(description="Write about tea", expected_output="essay", agent=agent)
    Crew(agents=[agent], tasks=[first, second], llm=llm).kickoff()

    assert llm.requests[1].messages[1].content == (
        "Write about tea\n\nExpected output: essay\n\nContext from earlier tasks:\n\n"
        "## research\nfacts about tea"
    )


def test_models_without_a_system_role_get_it_folded_into_the_first_user_message() -> None:
    from crewkit.llm import ModelProfile

    llm = ScriptedLLM(["ok"])
    llm.profile = ModelProfile(system_role=False)
    agent = Agent(role="A", goal="G", backstory="B.")
    Crew(agents=[agent], tasks=[Task("Do it", "done", agent=agent)], llm=llm).kickoff()

    (message,) = llm.requests[0].messages
    assert message.role == "user"
    assert message.content.startswith("You are A. B.\nYour goal: G")
    assert message.content.endswith("Do it\n\nExpected output: done")


def test_every_prompt_template_renders_under_strict_undefined() -> None:
    import pytest
    from jinja2 import UndefinedError

    from crewkit import prompts

    with pytest.raises(UndefinedError):
        prompts.render("task", description="x")
