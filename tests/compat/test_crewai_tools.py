"""Tools written the CrewAI way (BaseTool with _run), tools from LangChain, and a tool that ends
the task with its result."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import BaseModel, Field, PrivateAttr

from crewkit import Agent, Crew, Task, Tool
from crewkit.errors import ConfigurationError
from crewkit.testing import ScriptedLLM, call
from crewkit.tools import BaseTool


class SearchInput(BaseModel):
    query: str = Field(..., description="What to look for")
    limit: int = Field(2, description="How many results")


class NotesSearch(BaseTool):
    name: str = "Search my notes"
    description: str = """
    Searches the notes for a query.
    """
    args_schema: type[BaseModel] = SearchInput
    folder: str = Field(default="notes", description="Where the notes are")
    _index: dict[str, str] = PrivateAttr(default_factory=dict)

    def _run(self, query: str, limit: int = 2) -> str:
        return f"{limit} notes in {self.folder} about {query}"


def test_basetool_gets_a_name_models_accept_and_its_field_defaults() -> None:
    tool = NotesSearch()
    assert (tool.name, tool.description, tool.folder, tool._index) == (
        "Search_my_notes",
        "Searches the notes for a query.",
        "notes",
        {},
    )
    assert NotesSearch(folder="archive").folder == "archive"
    assert tool.spec().parameters["required"] == ["query"]


def test_basetool_runs_in_a_crew_with_its_schema() -> None:
    llm = ScriptedLLM([call("Search_my_notes", query="tea"), "done"])
    agent = Agent(role="R", goal="g", backstory="b", tools=[NotesSearch(folder="archive")])
    Crew(agents=[agent], tasks=[Task("Find tea notes.", "A line.", agent=agent)], llm=llm).kickoff()
    assert llm.requests[1].messages[-1].content == "2 notes in archive about tea"


class Weather(BaseTool):
    name: str = "weather"
    description: str = "Today's weather in a city."

    def _run(self, city: str, unit: str = "C") -> str:
        return f"{city}: 21{unit}"


def test_arguments_come_from_run_signature_without_args_schema() -> None:
    schema = Weather().spec().parameters
    assert schema["required"] == ["city"] and set(schema["properties"]) == {"city", "unit"}
    assert Weather().run(city="Oslo") == "Oslo: 21C"


class AsyncOnly(BaseTool):
    name: str = "ping"
    description: str = "Ping a host."

    async def _arun(self, host: str) -> str:
        return f"pong from {host}"


def test_an_async_only_basetool_runs_sync_and_async() -> None:
    import asyncio

    assert AsyncOnly().run(host="a") == "pong from a"
    assert asyncio.run(AsyncOnly().arun(host="b")) == "pong from b"
    assert AsyncOnly().spec().parameters["required"] == ["host"]


class Finisher(BaseTool):
    name: str = "final_report"
    description: str = "Produces the finished report."
    result_as_answer: bool = True

    def _run(self, topic: str) -> str:
        return f"REPORT on {topic}: " + "x" * 7000


def test_result_as_answer_ends_the_task_with_the_whole_result() -> None:
    llm = ScriptedLLM([call("final_report", topic="tea")])  # no second model call
    agent = Agent(role="R", goal="g", backstory="b", tools=[Finisher()])
    out = Crew(agents=[agent], tasks=[Task("Report.", "A report.", agent=agent)], llm=llm).kickoff()
    assert out.raw.startswith("REPORT on tea: ") and len(out.raw) == len("REPORT on tea: ") + 7000
    llm.assert_complete()


class HalfDone(Tool):
    name = "half"
    description = "Written like a CrewAI tool on crewkit's Tool."

    def _run(self, x: str) -> str:
        return x


def test_a_tool_with_nothing_to_run_is_refused_when_given_to_an_agent() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"implements neither run\(\) nor arun\(\); it defines _run\(\).*BaseTool",
    ):
        Agent(role="R", goal="g", backstory="b", tools=[HalfDone()])


def test_a_tool_class_instead_of_an_instance_says_so() -> None:
    with pytest.raises(ConfigurationError, match=r"pass an instance: MyTool\(\)"):
        Agent(role="R", goal="g", backstory="b", tools=[Weather])


class LangChainShaped:
    """The shape of a LangChain tool: name, description, args_schema, invoke(dict)."""

    name = "word_count"
    description = "Counts words."
    args_schema: ClassVar[dict[str, object]] = {
        "type": "object",
        "properties": {"text": {"type": "string"}},
        "required": ["text"],
    }

    def __init__(self) -> None:
        self.received: list[dict[str, object]] = []

    def invoke(self, arguments: dict[str, object]) -> int:
        self.received.append(arguments)
        return len(str(arguments["text"]).split())


def test_a_langchain_style_tool_is_called_with_its_arguments() -> None:
    shaped = LangChainShaped()
    llm = ScriptedLLM([call("word_count", text="one two three"), "three"])
    agent = Agent(role="R", goal="g", backstory="b", tools=[shaped])
    Crew(agents=[agent], tasks=[Task("Count.", "A number.", agent=agent)], llm=llm).kickoff()
    assert shaped.received == [{"text": "one two three"}]
    assert llm.requests[1].messages[-1].content == "3"
    assert llm.requests[0].tools[0].parameters["required"] == ["text"]
