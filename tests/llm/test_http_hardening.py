"""HTTP backends under hostile or absent servers: no key in any chained cause, timeouts that leave
room for a retry, and a local server that is not running reported at once, once."""

from __future__ import annotations

import asyncio
import socket
import traceback
from pathlib import Path

import pytest
from loopback import FAST_RETRY, Reply, ScriptedServer, chat_reply

import crewkit.llm._http as http
from crewkit.cli import main
from crewkit.errors import InvalidResponseError, LLMError, ModelUnreachableError
from crewkit.llm import Message, ModelRequest, OpenAIChat, RetryPolicy

REQUEST = ModelRequest(messages=(Message("user", "Hi"),))
KEY = "sk-secret-abcdefghijklmnop"
ONCE = RetryPolicy(max_attempts=1)


def everything_in(error: BaseException) -> str:
    """The error, its chained causes and contexts, their attributes and the printed traceback."""
    seen: list[str] = ["".join(traceback.format_exception(error))]
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None:
            continue
        seen += [str(current), repr(current), repr(vars(current))]
        seen += [repr(getattr(current, name, "")) for name in ("doc", "request", "response")]
        pending += [current.__cause__, current.__context__]
    return "\n".join(seen)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, {"error": f"invalid api key {KEY}"}),
        Reply(200, raw=f"garbled body that echoes {KEY}".encode()),
        Reply(200, raw=b'{"choices": [' + KEY.encode()),
    ],
)
def test_no_chained_cause_of_an_error_carries_the_key(server: ScriptedServer, reply: Reply) -> None:
    server.script(reply)
    llm = OpenAIChat("m", base_url=server.url, api_key=KEY, retry=ONCE)
    with pytest.raises(InvalidResponseError) as caught:
        asyncio.run(llm.complete(REQUEST))
    assert KEY not in everything_in(caught.value)
    assert "sk-…mnop" in str(caught.value)


def test_debug_kickoff_never_prints_the_key(
    server: ScriptedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.script(*[Reply(200, {"error": f"invalid api key {KEY}"})] * 4)
    monkeypatch.setattr(http, "_default_retry", lambda timeout: FAST_RETRY)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    (tmp_path / "crew.yaml").write_text(
        "llm: openai/m\nagents:\n  a: {role: R, goal: G, backstory: B}\n"
        "tasks:\n  t: {description: D, expected_output: E, agent: a}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["--debug", "kickoff", "crew.yaml"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "invalid api key sk-…mnop" in err
    assert KEY not in err


def test_the_default_timeout_leaves_room_for_a_retry() -> None:
    llm = OpenAIChat("m", base_url="http://127.0.0.1:1/v1")
    assert llm.timeout < llm.retry.max_time
    slow = OpenAIChat("m", base_url="http://127.0.0.1:1/v1", timeout=600)
    assert slow.retry.max_time > slow.timeout


def test_a_stalled_request_is_retried_under_the_default_policy(server: ScriptedServer) -> None:
    from loopback import Stall

    server.script(Stall(1.0), chat_reply("after the stall"))
    llm = OpenAIChat("m", base_url=server.url, timeout=0.2)
    response = asyncio.run(llm.complete(REQUEST))
    assert response.text == "after the stall" and len(server.requests) == 2


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_a_refused_local_server_fails_at_once_saying_it_is_not_running() -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    llm = OpenAIChat("m", base_url=url)  # the default policy would retry a dropped connection
    with pytest.raises(ModelUnreachableError) as caught:
        asyncio.run(llm.complete(REQUEST))
    assert caught.value.attempts == 1
    assert f"nothing is listening at {url}: is the openai server running?" in str(caught.value)


def test_a_local_server_gone_mid_run_is_reported_once_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server was up when the crew was checked and is gone by the first call."""
    from crewkit.llm import _reach

    monkeypatch.setattr(_reach, "local_server_down", lambda endpoint: None)
    monkeypatch.setenv("LLAMACPP_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    (tmp_path / "crew.yaml").write_text(
        "llm: llamacpp/m\nagents:\n  a: {role: R, goal: G, backstory: B}\n"
        "tasks:\n  t: {description: D, expected_output: E, agent: a}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["kickoff", "crew.yaml"]) == 1
    err = capsys.readouterr().err
    assert err.count("nothing is listening at") == 1
    assert "(start it with `llama-server -m model.gguf`)" in err


def test_an_llm_error_from_a_refused_connection_is_not_retryable() -> None:
    assert not ModelUnreachableError("x").retryable and issubclass(ModelUnreachableError, LLMError)
