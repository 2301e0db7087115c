"""The model gateway: the one way a run calls a model, so every call is limited, guarded, recorded
and counted exactly once, whichever agent, planner or manager makes it.

A call passes these steps, in this order:

1. the run's token budget, checked before anything is spent (see :func:`check_budget`), and what
   is left of it, once small, set as the request's reply cap (a reply cut there ends the run);
2. a durable run's journal: a call that completed before a crash is answered from it (no limits,
   no network); any other call is journaled as started here and with its response in step 7;
3. the requests-per-minute limits: the agent's, the crew's and the model's own;
4. the model-call span (start, end and failure events) around the rest;
5. the active cassette: a replay answers here, with no network;
6. the network switch: no real call leaves the machine while it is blocked;
7. the backend: ``complete``, or ``stream`` when the run streams and the model reports usage when
   streaming (its pieces become events of the span, see ``model_stream.py``); the reply made
   valid text (no lone surrogates); a recording cassette, then the journal, write it down;
8. the usage ledger, once per call (journaled answers included, so a resumed run counts as one).

Backends do none of this (an HTTP client only retries its own request). The steps are plain code
on purpose: the whole last mile reads on one screen.
"""

from __future__ import annotations

import dataclasses
import time

from crewkit._event_bus import Span
from crewkit._ratelimit import Limiter
from crewkit._run.model_stream import stream_reply
from crewkit._run.state import Run, Scope
from crewkit._text import valid_data, valid_text
from crewkit.errors import BudgetExceededError, CrewkitError, LLMError
from crewkit.events import MODEL_SPAN, ModelTextDelta
from crewkit.llm._base import LLM
from crewkit.llm._cassette import active_cassette
from crewkit.llm._guard import check_allowed
from crewkit.llm._types import ModelRequest, ModelResponse, ToolCall


async def call_model(
    run: Run,
    llm: LLM,
    request: ModelRequest,
    scope: Scope,
    limiters: tuple[Limiter, ...] = (),
    *,
    prompt_floor: int = 0,
) -> ModelResponse:
    """Send ``request`` to ``llm`` for ``scope`` (who asks, for which task, under which step),
    after ``limiters`` (the caller's: agent, crew) and the model's own limit. ``prompt_floor`` is
    what the request's prompt is known to cost at least (the conversation's previous prompt)."""
    check_budget(run, scope, prompt_floor)
    request = _capped(run, request, prompt_floor)
    journal = run.journal
    step = journal.model_step(llm.label, scope.task, scope.agent, request) if journal else None
    if step is None or step.replay is None:
        for limiter in (*limiters, *([llm.limiter] if llm.limiter is not None else [])):
            await limiter.acquire()
    with run.span(
        MODEL_SPAN, parent=scope.parent, agent_role=scope.agent, model=llm.label,
        task_name=scope.task, provider=llm.provider, endpoint=llm.endpoint, request=request,
    ) as span:  # fmt: skip
        streaming = span if run.streaming else None
        if journal is None or step is None:
            response, first = await answer(llm, request, streaming)
        elif step.replay is not None:
            response, first = _whole(step.replay, streaming, time.perf_counter())
        else:
            where = {"span": span.id, "parent": scope.parent, "task": scope.task}
            journal.model_started(step, llm.label, agent=scope.agent, event_seq=span.seq, **where)
            response, first = await answer(llm, request, streaming)
            # No await from here to span.end: the completion is the bus's next event.
            journal.model_done(
                step, llm.label, response, span.elapsed, agent=scope.agent,
                event_seq=run.bus.last_seq + 1, **where,
            )  # fmt: skip
        run.ledger.record(
            scope.agent, scope.task, response.usage, label=llm.label, model=response.model
        )
        span.end(
            response=response, usage=response.usage, duration=span.elapsed,
            time_to_first_chunk=first,
        )  # fmt: skip
    _check_cut(run, scope, request, response)
    return response


def check_budget(run: Run, scope: Scope, prompt_floor: int = 0) -> None:
    """Refuse a call that would certainly take the run past its ``max_tokens``.

    The budget bounds the tokens the run's model calls report, prompt plus completion, every
    agent, manager and planner included. Providers count a call only once it is made, so the
    check is made before each call: the run must be under budget, and the call's prompt, known
    to be at least ``prompt_floor`` tokens (a conversation only grows), must leave room for a
    reply. The reply is then capped to that room once it is small (:func:`_capped`), so a run
    can go over by at most the last call's new prompt text (or a reply longer than
    :data:`ROOM_CAPPED_BELOW`), never by a call bound to overshoot.
    """
    used, budget = run.ledger.total.total_tokens, run.max_tokens
    if budget is None:
        return
    if used >= budget:
        raise BudgetExceededError(
            f"token budget exhausted: {used} tokens used of max_tokens={budget} "
            f"before {scope.agent!r} could continue {scope.task!r}"
        )
    if used + prompt_floor >= budget:
        raise BudgetExceededError(
            f"token budget too small to go on: {used} tokens used of max_tokens={budget}, and "
            f"{scope.agent!r}'s next call on {scope.task!r} sends at least {prompt_floor} prompt tokens"
        )


ROOM_CAPPED_BELOW = 4096
"""The budget's room caps a reply only when it is smaller than this many tokens. A larger cap
would rarely bind (replies are shorter, and models cap their own), while servers refuse a
``max_tokens`` above the model's output limit (4096 tokens for some, 16384 for gpt-4o)."""


def _capped(run: Run, request: ModelRequest, prompt_floor: int) -> ModelRequest:
    """``request`` with its reply capped to the budget's room: what is left once the tokens
    used and the prompt's known part are counted (at least one, :func:`check_budget` saw to it),
    when that room is small enough to matter (:data:`ROOM_CAPPED_BELOW`)."""
    if run.max_tokens is None:
        return request
    room = run.max_tokens - run.ledger.total.total_tokens - prompt_floor
    if room >= ROOM_CAPPED_BELOW:
        return request
    if request.max_output_tokens is not None and request.max_output_tokens <= room:
        return request
    return dataclasses.replace(request, max_output_tokens=room)


def _check_cut(run: Run, scope: Scope, request: ModelRequest, response: ModelResponse) -> None:
    """End the run when the budget's cap cut the reply: the reply is counted (the tokens were
    spent) but unfinished, and the budget has no room for another try."""
    if request.max_output_tokens is None or run.max_tokens is None:
        return
    used = run.ledger.total.total_tokens
    if response.finish_reason == "length" and used >= run.max_tokens:
        raise BudgetExceededError(
            f"token budget exhausted: {scope.agent!r}'s reply on {scope.task!r} was cut at "
            f"{request.max_output_tokens} tokens, the room left of max_tokens={run.max_tokens} "
            f"({used} tokens used)"
        )


async def answer(
    llm: LLM, request: ModelRequest, streaming: Span | None = None
) -> tuple[ModelResponse, float | None]:
    """The response from the active cassette (``crewkit.llm.cassette``) when it replays, else from
    the model, past the network switch, recorded when the cassette records; with the seconds to
    its first streamed piece when ``streaming`` (the call's span) takes the pieces. An unexpected
    error becomes an :class:`LLMError` naming the model."""
    started = time.perf_counter()
    tape = active_cassette()
    if tape is not None and tape.mode == "replay":
        return _whole(tape.replay(llm, request), streaming, started)
    check_allowed(llm)
    first = None
    try:
        if streaming is not None and llm.profile.stream_usage:
            response, first = await stream_reply(
                llm, request, streaming, started, clean=_valid_response
            )
        else:
            response = _valid_response(await llm.complete(request))
            response, first = _whole(response, streaming, started)
    except CrewkitError:
        raise
    except Exception as exc:
        raise LLMError(
            f"model call failed: {type(exc).__name__}: {exc}",
            provider=llm.provider,
            model=llm.model,
        ) from exc
    if tape is not None:
        tape.record(llm, request, response)
    return response, first


def _whole(
    response: ModelResponse, streaming: Span | None, started: float
) -> tuple[ModelResponse, float | None]:
    """A reply that came whole, handed out as one piece when the run streams."""
    if streaming is None:
        return response, None
    if response.text:
        streaming.report(ModelTextDelta, text=response.text)
    return response, time.perf_counter() - started


def _valid_response(response: ModelResponse) -> ModelResponse:
    """The response with every string made encodable: a reply with a lone surrogate must not
    break the next request, the output file or memory."""
    calls = tuple(
        ToolCall(
            valid_text(c.name),
            valid_data(dict(c.arguments)),
            c.id,
            None if c.raw_arguments is None else valid_text(c.raw_arguments),
        )
        for c in response.tool_calls
    )
    return dataclasses.replace(response, text=valid_text(response.text), tool_calls=calls)
