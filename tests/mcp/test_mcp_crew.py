"""MCP servers named by agents: a run starts them before its first model call, gives their tools to
the agents that named them, and stops them when it ends — also when it fails."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crewkit import Agent, Crew, Task
from crewkit.errors import ConfigurationError, MCPServerError
from crewkit.mcp import MCPServerHTTP, MCPServerStdio
from crewkit.testing import MockLLM, ScriptedLLM, call

pytestmark = pytest.mark.extra("mcp")


def crew_with(agent: Agent, llm: object) -> Crew:
    task = Task("Add 2 and 3 with the tool.", "The sum", agent=agent)
    return Crew(agents=[agent], tasks=[task], llm=llm)  # type: ignore[arg-type]


def test_an_agents_mcp_tools_are_offered_and_called(stdio_server: dict[str, object]) -> None:
    llm = ScriptedLLM([call("add", a=2, b=3), "5"])
    agent = Agent(
        role="Adder", goal="add", backstory="b", mcps=[{**stdio_server, "tools": ["add"]}]
    )
    crew_with(agent, llm).kickoff()
    assert [t.name for t in llm.requests[0].tools] == ["add"]
    assert [m.content for m in llm.requests[1].messages if m.role == "tool"] == ["5"]


def test_a_url_with_a_fragment_picks_one_tool_of_an_http_server(http_url: str) -> None:
    llm = ScriptedLLM([call("shout", text="done"), "ok"])
    agent = Agent(role="Caller", goal="g", backstory="b", mcps=[f"{http_url}#shout"])
    crew_with(agent, llm).kickoff()
    assert [t.name for t in llm.requests[0].tools] == ["shout"]
    assert [m.content for m in llm.requests[1].messages if m.role == "tool"] == ["DONE"]


def test_typed_server_descriptions_work_like_mappings(
    stdio_server: dict[str, object], http_url: str
) -> None:
    llm = ScriptedLLM(["ok"])
    stdio = MCPServerStdio(sys.executable, args=stdio_server["args"], tool_filter=["add"])  # type: ignore[arg-type]
    http = MCPServerHTTP(http_url, tool_filter=["shout"])
    agent = Agent(role="Both", goal="g", backstory="b", mcps=[stdio, http])
    crew_with(agent, llm).kickoff()
    assert sorted(t.name for t in llm.requests[0].tools) == ["add", "shout"]


def test_the_mock_model_runs_a_crew_with_mcp_tools(stdio_server: dict[str, object]) -> None:
    agent = Agent(
        role="Adder", goal="g", backstory="b", mcps=[{**stdio_server, "tools": ["add", "shout"]}]
    )
    out = crew_with(agent, MockLLM()).kickoff()
    assert "add returned" in out.raw and "shout returned" in out.raw


def test_a_server_dying_mid_run_is_an_observation_and_the_run_finishes(
    stdio_server: dict[str, object],
) -> None:
    llm = ScriptedLLM([call("die"), call("add", a=1, b=1), "gave up on the tools"])
    agent = Agent(
        role="Adder", goal="g", backstory="b", mcps=[{**stdio_server, "tools": ["die", "add"]}]
    )
    out = crew_with(agent, llm).kickoff()
    assert out.raw == "gave up on the tools"
    observations = [m.content for m in llm.requests[2].messages if m.role == "tool"]
    assert all("is unavailable" in o for o in observations)


def test_a_server_that_cannot_start_fails_the_run_before_any_model_call(tmp_path: Path) -> None:
    llm = ScriptedLLM(["never"])
    agent = Agent(
        role="Adder", goal="g", backstory="b",
        mcps=[{"command": sys.executable, "args": [str(tmp_path / "missing.py")], "connect_timeout": 20}],
    )  # fmt: skip
    with pytest.raises(MCPServerError, match="failed to start"):
        crew_with(agent, llm).kickoff()
    assert llm.requests == []


def test_one_server_named_by_two_agents_starts_once(
    stdio_server: dict[str, object], tmp_path: Path
) -> None:
    pidfile = tmp_path / "pids"  # the test server writes its process id here
    server = {**stdio_server, "env": {"MCP_TEST_PIDFILE": str(pidfile)}, "tools": ["add"]}
    first = Agent(role="First", goal="g", backstory="b", mcps=[server])
    second = Agent(role="Second", goal="g", backstory="b", mcps=[server])
    tasks = [Task("one", "x", agent=first), Task("two", "x", agent=second)]
    Crew(agents=[first, second], tasks=tasks, llm=ScriptedLLM(["a", "b"])).kickoff()
    assert len(pidfile.read_text().split()) == 1


def test_an_mcp_tool_named_like_an_agent_tool_is_a_clear_error(
    stdio_server: dict[str, object],
) -> None:
    from crewkit import tool

    @tool
    def add(a: int, b: int) -> int:
        """Local add."""
        return a + b

    llm = ScriptedLLM(["never"])
    agent = Agent(role="Adder", goal="g", backstory="b", tools=[add], mcps=[stdio_server])
    with pytest.raises(ConfigurationError, match=r"tool 'add' of MCP server .* has the same name"):
        crew_with(agent, llm).kickoff()
    assert llm.requests == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("ftp://host/mcp", "is not an http\\(s\\) URL"),
        ({"command": "x", "url": "http://a"}, "needs either 'command'"),
        ({"command": "x", "port": 1}, "unknown MCP server setting 'port'"),
        ({"url": "http://a", "transport": "websocket"}, "transport must be one of"),
        ({"command": "x", "connect_timeout": 0}, "connect_timeout must be a positive number"),
        (42, "an MCP server is a URL"),
    ],
)
def test_bad_mcp_entries_fail_at_definition(entry: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Agent(role="A", goal="g", backstory="b", mcps=[entry])


def test_an_agent_with_mcp_servers_pickles(stdio_server: dict[str, object]) -> None:
    import pickle

    agent = Agent(
        role="A", goal="g", backstory="b", mcps=[stdio_server, "http://127.0.0.1:1/mcp#x"]
    )
    assert pickle.loads(pickle.dumps(agent)).mcps == agent.mcps


def test_a_folder_named_mcp_is_not_taken_for_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the package, a project folder ``mcp/`` is a namespace package: the error must
    still say to install the extra, not fail later on a missing ``mcp.client``."""
    import importlib.machinery
    import importlib.util

    (tmp_path / "mcp").mkdir()
    real = importlib.util.find_spec

    def without_the_package(name: str, *args: object) -> object:
        if name == "mcp":
            folder = importlib.machinery.ModuleSpec("mcp", None, is_package=True)
            folder.submodule_search_locations = [str(tmp_path / "mcp")]
            return folder
        return real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_the_package)
    with pytest.raises(ConfigurationError, match=r"need the mcp extra"):
        Agent(role="A", goal="g", backstory="b", mcps=["http://127.0.0.1:1/mcp"])
