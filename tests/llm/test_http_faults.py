"""Retries against injected faults: what is retried, how long we wait, when we give up."""

from __future__ import annotations

import asyncio

import pytest
from loopback import FAST_RETRY, Drop, Reply, ScriptedServer, Stall, chat_reply

from crewkit.errors import (
    AuthenticationError,
    BadRequestError,
    InvalidResponseError,
    LLMError,
    ModelConnectionError,
    ModelTimeoutError,
    RateLimitError,
    ServerError,
)
from crewkit.llm import Message, ModelRequest, ModelResponse, OpenAIChat, RetryPolicy
from crewkit.llm._retry import call_with_retries

REQUEST = ModelRequest(messages=(Message("user", "Hi"),))
KEY = "sk-secret-abcdefghijklmnop"


def ask(server: ScriptedServer, retry: RetryPolicy = FAST_RETRY, **options: float) -> ModelResponse:
    llm = OpenAIChat("m", base_url=server.url, api_key=KEY, retry=retry, **options)
    return asyncio.run(llm.complete(REQUEST))


def test_429_waits_as_long_as_retry_after_says_then_succeeds(server: ScriptedServer) -> None:
    server.script(Reply(429, {"error": {"message": "slow down"}}, headers={"Retry-After": "0.3"}))
    server.script(chat_reply("done"))
    assert ask(server).text == "done"
    assert len(server.requests) == 2
    assert server.times[1] - server.times[0] >= 0.3


def test_retry_after_ms_is_honoured_too(server: ScriptedServer) -> None:
    server.script(Reply(429, {}, headers={"retry-after-ms": "200"}), chat_reply("done"))
    assert ask(server).text == "done"
    assert server.times[1] - server.times[0] >= 0.2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(server: ScriptedServer, status: int) -> None:
    server.script(Reply(status, {"error": {"message": "overloaded"}}), chat_reply("done"))
    assert ask(server).text == "done"
    assert len(server.requests) == 2


def test_a_dropped_connection_is_retried(server: ScriptedServer) -> None:
    server.script(Drop(), chat_reply("done"))
    assert ask(server).text == "done"
    assert len(server.requests) == 2


def test_a_timeout_is_retried(server: ScriptedServer) -> None:
    server.script(Stall(1.0), chat_reply("done"))
    assert ask(server, timeout=0.2).text == "done"
    assert len(server.requests) == 2  # the stalled request timed out and was sent again


@pytest.mark.parametrize(
    "garbled",
    [b"<html>502 Bad Gateway</html>", b'{"choices": []}', b'{"id": "x"}', b'{"choices": [{"messa'],
)
def test_a_200_with_an_unreadable_body_is_retried(server: ScriptedServer, garbled: bytes) -> None:
    server.script(Reply(200, raw=garbled), chat_reply("done"))
    assert ask(server).text == "done"
    assert len(server.requests) == 2


def test_persistent_503_gives_up_after_max_attempts_with_the_servers_message(
    server: ScriptedServer,
) -> None:
    server.script(*[Reply(503, {"error": {"message": "model is loading"}})] * 5)
    with pytest.raises(ServerError) as caught:
        ask(server, RetryPolicy(max_attempts=3, initial_wait=0.001))
    assert len(server.requests) == 3
    error = caught.value
    assert (error.provider, error.model, error.status, error.attempts) == ("openai", "m", 503, 3)
    assert str(error) == "openai/m: model is loading (HTTP 503) [gave up after 3 attempts]"


class FakeClock:
    """Time that passes only when the retry loop sleeps (or an attempt says it took some)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(
    ("attempt_takes", "attempts", "waits"),
    [(0.0, 3, [0.1, 0.1]), (0.05, 2, [0.1]), (0.3, 1, [])],
)
def test_the_total_time_budget_bounds_retries(
    attempt_takes: float, attempts: int, waits: list[float]
) -> None:
    """No attempt starts once the next wait would end past ``max_time`` (0.25 s of fake time)."""
    clock = FakeClock()
    made: list[float] = []

    async def attempt() -> None:
        made.append(clock.now)
        clock.now += attempt_takes
        raise ServerError("busy", status=503)

    policy = RetryPolicy(max_attempts=10, max_time=0.25, initial_wait=0.1, max_wait=0.1, jitter=0)
    with pytest.raises(ServerError) as caught:
        asyncio.run(call_with_retries(policy, attempt, sleep=clock.sleep, clock=clock))
    assert len(made) == attempts and caught.value.attempts == attempts
    assert clock.slept == waits


def test_a_retry_after_beyond_the_budget_gives_up_at_once(server: ScriptedServer) -> None:
    server.script(Reply(429, {"error": {"message": "quota"}}, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimitError) as caught:
        ask(server)
    assert caught.value.retry_after == 3600
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, BadRequestError),
    ],
)
def test_client_errors_are_never_retried(
    server: ScriptedServer, status: int, kind: type[LLMError]
) -> None:
    server.script(Reply(status, {"error": {"message": "no"}}), chat_reply("never"))
    with pytest.raises(kind, match=f"no \\(HTTP {status}\\)"):
        ask(server)
    assert len(server.requests) == 1


def test_errors_and_reprs_never_show_the_api_key(server: ScriptedServer) -> None:
    echo = {"error": {"message": f"Incorrect API key provided: {KEY}"}}
    server.script(Reply(401, echo))
    llm = OpenAIChat("m", base_url=server.url, api_key=KEY)
    with pytest.raises(AuthenticationError) as caught:
        asyncio.run(llm.complete(REQUEST))
    shown = [str(caught.value), repr(caught.value), repr(llm), repr(llm.api_key), str(vars(llm))]
    assert all(KEY not in text for text in shown)
    assert "sk-…mnop" in str(caught.value)


def test_exhausted_drops_raise_a_connection_error(server: ScriptedServer) -> None:
    server.script(Drop(), Drop())
    with pytest.raises(ModelConnectionError) as caught:
        ask(server, RetryPolicy(max_attempts=2, initial_wait=0.001))
    assert caught.value.attempts == 2


def test_exhausted_timeouts_raise_a_timeout_error(server: ScriptedServer) -> None:
    server.script(Stall(1.0))
    with pytest.raises(ModelTimeoutError, match=r"within 0.1s"):
        ask(server, RetryPolicy(max_attempts=1), timeout=0.1)


def test_exhausted_garbled_bodies_raise_an_invalid_response_error(server: ScriptedServer) -> None:
    server.script(Reply(200, raw=b"nonsense"), Reply(200, raw=b"nonsense"))
    with pytest.raises(InvalidResponseError, match="nonsense"):
        ask(server, RetryPolicy(max_attempts=2, initial_wait=0.001))


def test_retry_policy_rejects_impossible_settings() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=2)


def test_backoff_grows_exponentially_up_to_the_cap() -> None:
    policy = RetryPolicy(initial_wait=1, max_wait=5, jitter=0)
    assert [policy.wait_before(n, None) for n in (1, 2, 3, 4)] == [1, 2, 4, 5]
    jittered = RetryPolicy(initial_wait=1, max_wait=5, jitter=0.5)
    assert all(0.5 <= jittered.wait_before(1, None) <= 1 for _ in range(50))
