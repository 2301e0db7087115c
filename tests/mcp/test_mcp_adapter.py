"""MCPServerAdapter against a real MCP server (stdio and streamable HTTP): tools listed, filtered and
called; tool errors, timeouts and a dying server become observations; a server that cannot start is
a clear error within its timeout, never a hang."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from crewkit.errors import ConfigurationError, MCPServerError
from crewkit.mcp import MCPServerAdapter

pytestmark = pytest.mark.extra("mcp")


def test_stdio_server_tools_are_listed_and_called(stdio_server: dict[str, object]) -> None:
    with MCPServerAdapter(stdio_server) as tools:
        by_name = {t.name: t for t in tools}
        assert set(by_name) == {"add", "shout", "fail", "slow", "die"}
        assert by_name["add"].description == "Add two integers."
        assert by_name["add"].spec().parameters == {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        }
        assert by_name["add"].run(a=2, b=3) == "5"
        assert by_name["shout"].run(text="hi") == "HI"  # the optional argument is left unset


def test_streamable_http_server_tools_are_called(http_url: str) -> None:
    with MCPServerAdapter({"url": http_url}, "shout") as tools:
        assert [t.name for t in tools] == ["shout"]
        assert tools[0].run(text="go", times=2) == "GO GO"


def test_a_filter_naming_a_missing_tool_lists_the_real_ones(
    stdio_server: dict[str, object],
) -> None:
    with pytest.raises(
        ConfigurationError, match="has no tool 'multiply'; its tools are add, shout"
    ):
        MCPServerAdapter(stdio_server, "add", "multiply")


def test_the_server_process_stops_with_the_adapter(
    stdio_server: dict[str, object], tmp_path: Path
) -> None:
    pidfile = tmp_path / "pid"
    adapter = MCPServerAdapter({**stdio_server, "env": {"MCP_TEST_PIDFILE": str(pidfile)}})
    pid = int(pidfile.read_text())
    os.kill(pid, 0)  # running
    adapter.stop()
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)


def test_a_tool_error_is_an_observation(stdio_server: dict[str, object]) -> None:
    with MCPServerAdapter(stdio_server, "fail") as (fail,):
        text = fail.run()
    assert text.startswith("Tool fail failed:")
    assert "the ledger is locked" in text


def test_a_slow_tool_is_cut_off_at_the_call_timeout(stdio_server: dict[str, object]) -> None:
    with MCPServerAdapter(stdio_server, "slow", "add", call_timeout=0.5) as (slow, add):
        text = slow.run(seconds=30)
        assert text.startswith("Tool slow is unavailable")
        assert add.run(a=1, b=1) == "2"  # the server itself is fine


def test_a_server_that_dies_mid_run_is_an_observation_then_answers_at_once(
    stdio_server: dict[str, object],
) -> None:
    with MCPServerAdapter(stdio_server, "die", "add") as (die, add):
        assert "is unavailable" in die.run()
        text = add.run(a=1, b=2)
        assert "is unavailable" in text and "Connection closed" in text


def test_a_silent_server_fails_within_its_connect_timeout() -> None:
    with pytest.raises(MCPServerError, match="did not start within 1 s"):
        MCPServerAdapter(
            {"command": sys.executable, "args": ["-c", "import time; time.sleep(60)"]},
            connect_timeout=1,
        )


def test_a_missing_command_fails_at_once() -> None:
    with pytest.raises(
        MCPServerError, match="no-such-mcp-server failed to start: FileNotFoundError"
    ):
        MCPServerAdapter({"command": "no-such-mcp-server"})


def test_a_crashing_server_error_carries_its_last_output() -> None:
    script = "import sys; print('config file missing: ~/.tool.toml', file=sys.stderr); sys.exit(2)"
    with pytest.raises(MCPServerError) as caught:
        MCPServerAdapter({"command": sys.executable, "args": ["-c", script]}, connect_timeout=20)
    assert "its last output:\n  config file missing: ~/.tool.toml" in str(caught.value)


def test_an_unreachable_url_fails_fast_without_showing_credentials() -> None:
    with pytest.raises(MCPServerError) as caught:
        MCPServerAdapter(
            {"url": "http://user:pw@127.0.0.1:9/mcp?api_key=SECRET"}, connect_timeout=5
        )
    message = str(caught.value)
    assert message.startswith("MCP server http://127.0.0.1:9/mcp failed to start")
    assert "SECRET" not in message and "pw" not in message


def test_offline_a_remote_server_is_not_contacted() -> None:
    with pytest.raises(MCPServerError, match="offline"):
        MCPServerAdapter({"url": "https://mcp.example.com/mcp"})


def test_mcp_stdio_server_parameters_are_accepted(stdio_server: dict[str, object]) -> None:
    from mcp import StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=stdio_server["args"])  # type: ignore[arg-type]
    with MCPServerAdapter(params, "add") as (add,):
        assert add.run(a=20, b=22) == "42"


def test_an_http_error_from_a_non_mcp_server_hides_the_query_string() -> None:
    from tests.site import Site

    with Site().running() as site, pytest.raises(MCPServerError) as caught:
        MCPServerAdapter({"url": site.url("/mcp?api_key=SECRET")}, connect_timeout=10)
    message = str(caught.value)
    assert message.startswith(f"MCP server {site.url('/mcp')} failed to start")
    assert "SECRET" not in message
