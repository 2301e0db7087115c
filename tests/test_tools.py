"""Defining tools: decorator forms, subclasses, schemas and definition errors."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel, Field

from crewkit import Tool, tool
from crewkit.errors import ConfigurationError
from crewkit.testing import ScriptedLLM, call
from tests.helpers import one_task_crew


def test_decorator_forms_set_name_and_description() -> None:
    @tool("Search the internet")
    def search(query: str) -> str:
        """Find pages."""
        return query

    @tool(description="Custom words")
    def other() -> str:
        return ""

    assert (search.name, search.description) == ("Search_the_internet", "Find pages.")
    assert other.description == "Custom words"


def test_a_function_without_docstring_or_description_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="tool 'nodoc' has no description"):

        @tool
        def nodoc() -> None:
            pass


def test_tool_subclass_with_args_schema() -> None:
    class Args(BaseModel):
        symbol: str = Field(description="Ticker")

    class Price(Tool):
        name = "price"
        description = "Latest price."
        args_schema = Args

        def run(self, symbol: str) -> str:
            return f"{symbol}=10"

    llm = ScriptedLLM([call("price", symbol="IBM"), "ok"])
    one_task_crew(llm, tools=[Price()]).kickoff()
    assert llm.requests[0].tools[0].parameters["properties"] == {
        "symbol": {"description": "Ticker", "type": "string"}
    }
    assert llm.requests[1].messages[-1].content == "IBM=10"


def test_tool_subclass_schema_from_run_signature_and_async_run() -> None:
    class Sleep(Tool):
        name = "nap"
        description = "Naps."

        async def arun(self, seconds: float = 0.0) -> str:  # type: ignore[override]
            await asyncio.sleep(seconds)
            return "rested"

        def run(self, seconds: float = 0.0) -> str:  # type: ignore[override]
            return "sync rested"

    llm = ScriptedLLM([call("nap", seconds=0), "ok"])
    one_task_crew(llm, tools=[Sleep()]).kickoff()
    assert llm.requests[1].messages[-1].content == "rested"
    assert llm.requests[0].tools[0].parameters["properties"] == {
        "seconds": {"default": 0.0, "type": "number"}
    }


def test_plain_functions_given_as_tools_are_wrapped() -> None:
    def shout(text: str) -> str:
        """Upper-cases text."""
        return text.upper()

    llm = ScriptedLLM([call("shout", text="hi"), "ok"])
    one_task_crew(llm, tools=[shout]).kickoff()
    assert llm.requests[1].messages[-1].content == "HI"


def test_tool_subclass_without_a_valid_name_is_refused_when_given_to_an_agent() -> None:
    class Nameless(Tool):
        description = "x"

    with pytest.raises(ConfigurationError, match="name must be letters, digits"):
        one_task_crew("mock", tools=[Nameless()])


def test_tool_names_match_ignoring_case_and_decoration() -> None:
    @tool
    def get_price(ticker: str) -> str:
        """Price."""
        return "9"

    llm = ScriptedLLM([call("`Get_Price`", ticker="X"), "ok"])
    one_task_crew(llm, tools=[get_price]).kickoff()
    assert llm.requests[1].messages[-1].content == "9"


def test_bound_arguments_are_hidden_from_the_model_and_filled_from_inputs() -> None:
    from crewkit import Agent, Crew, Task

    @tool
    def size(capital: float, tolerance: str, ticker: str) -> str:
        """Position size."""
        return f"{ticker}: {capital * (0.05 if tolerance == 'High' else 0.01):.0f}"

    bound = size.bind(capital="{capital}", tolerance="{tolerance}")
    llm = ScriptedLLM([call("size", ticker="IBM"), "ok"])
    agent = Agent(role="Risk", goal="g", backstory="b", tools=[bound])
    crew = Crew(agents=[agent], tasks=[Task("t", "x", agent=agent)], llm=llm)
    crew.kickoff(inputs={"capital": 10000, "tolerance": "High"})
    assert llm.requests[0].tools[0].parameters["properties"] == {"ticker": {"type": "string"}}
    assert llm.requests[1].messages[-1].content == "IBM: 500"


def test_binding_an_unknown_argument_or_missing_its_input_is_a_clear_error() -> None:
    from crewkit import Agent, Crew, Task
    from crewkit.errors import MissingInputError

    @tool
    def f(a: int) -> int:
        """F."""
        return a

    with pytest.raises(
        ConfigurationError, match="tool 'f' has no argument 'b' to bind; its arguments are a"
    ):
        f.bind(b=1)
    agent = Agent(role="R", goal="g", backstory="b", tools=[f.bind(a="{amount}")])
    with pytest.raises(MissingInputError, match=r"\{amount\} used in agent 'R'.tools\['f'\].a"):
        Crew(agents=[agent], tasks=[Task("t", "x", agent=agent)], llm=ScriptedLLM([])).kickoff()


def test_a_bound_value_of_the_wrong_type_is_reported_before_any_model_call() -> None:
    from crewkit import Agent, Crew, Task

    @tool
    def f(amount: float) -> float:
        """F."""
        return amount

    llm = ScriptedLLM([])
    agent = Agent(role="R", goal="g", backstory="b", tools=[f.bind(amount="{capital}")])
    crew = Crew(agents=[agent], tasks=[Task("t", "x", agent=agent)], llm=llm)
    with pytest.raises(
        ConfigurationError,
        match="bound argument 'amount' of tool 'f' is 'lots': Input should be a valid number",
    ):
        crew.kickoff(inputs={"capital": "lots"})
