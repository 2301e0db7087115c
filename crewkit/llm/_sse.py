"""Streamed replies over server-sent events, with the same retry policy as whole replies.

A failure before the first piece is retried silently, as for a whole reply. A failure midway (a
dropped connection, a garbled event, an ``overloaded`` error event) is retried too, but the pieces
already handed out cannot be taken back: the stream says so with a :class:`StreamRestart` before
the reply is asked for again, so readers drop what they showed of it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any

from crewkit.errors import InvalidResponseError, LLMError, ModelConnectionError
from crewkit.llm._types import ModelResponse, StreamItem, StreamRestart

if TYPE_CHECKING:
    from crewkit.llm._http import HTTPModel


def snippet(body: bytes, limit: int = 300) -> str:
    """The start of a body, as text."""
    text = body.decode("utf-8", "replace").strip()
    return text if len(text) <= limit else text[:limit] + "…"


Reader = Callable[[AsyncIterator[dict[str, Any]]], AsyncIterator[StreamItem]]
"""Turns one attempt's JSON events into stream items, the whole response last."""


async def retried_stream(
    model: HTTPModel,
    path: str,
    payload: Mapping[str, Any],
    read: Reader,
    whole: Callable[[Any], ModelResponse],
) -> AsyncIterator[StreamItem]:
    """POST ``payload`` for a stream and yield what ``read`` makes of its events, retrying per
    ``model.retry``; the last error is raised with ``attempts`` set. A server that answers with
    plain JSON instead (some ignore ``stream``) is read by ``whole``, as a reply not streamed."""
    policy = model.retry
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        handed_out = False
        try:
            problem = ""
            try:
                async with model.open_stream(path, payload) as response:
                    if "json" in response.headers.get("content-type", ""):
                        body = await response.aread()
                        problem = f"unreadable response body: {snippet(body)}"
                        yield whole(json.loads(body))
                        return
                    async for item in read(json_events(model, response)):
                        handed_out = True
                        yield item
                return
            except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
                problem = f"{problem or 'unreadable stream'} ({type(exc).__name__}: {exc})"
            except RecursionError:
                problem = "the JSON is nested too deeply"
            # Raised outside the except block: the cause may hold the event's text.
            raise model.error(InvalidResponseError, problem[:600])
        except LLMError as error:
            error.attempts = attempt
            wait = policy.wait_before(attempt, error)
            out_of_time = time.monotonic() - started + wait > policy.max_time
            if not error.retryable or attempt >= policy.max_attempts or out_of_time:
                raise
            if handed_out:
                yield StreamRestart(f"{type(error).__name__}: {error.message}")
            await asyncio.sleep(wait)


DONE: dict[str, Any] = {"type": "[DONE]"}
"""Stands for the ``[DONE]`` payload that ends an OpenAI-style stream."""


async def json_events(model: HTTPModel, response: Any) -> AsyncIterator[dict[str, Any]]:
    """The JSON objects of a server-sent-event stream; ``[DONE]`` becomes :data:`DONE`."""
    async for payload in sse_events(response):
        if payload.strip() == "[DONE]":
            yield DONE
            return
        try:
            event = json.loads(payload)
        except (ValueError, RecursionError):
            event = None  # raised below, without the decoder's copy of the event
        if event is None:
            raise model.error(InvalidResponseError, f"unreadable stream event: {payload[:200]}")
        if not isinstance(event, dict):
            raise model.error(InvalidResponseError, f"unexpected stream event: {payload[:200]}")
        yield event


async def sse_events(response: Any) -> AsyncIterator[str]:
    """The ``data:`` payloads of a server-sent-event stream, one per event."""
    data: list[str] = []
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield "\n".join(data)
                data = []
            continue
        if line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
    if data:
        yield "\n".join(data)


def cut_short(model: HTTPModel) -> LLMError:
    """The error for a stream that ended before the reply did (the connection closed early)."""
    return model.error(ModelConnectionError, f"the stream from {model.base_url} ended mid-reply")
