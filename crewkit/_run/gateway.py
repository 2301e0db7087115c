"""The model gateway: the one way a run calls a model, so every call is limited, guarded, recorded
and counted exactly once, whichever agent, planner or manager makes it.

A call passes these steps in order, each wrapping the next:

``within_budget``  the run's token budget, checked before anything is spent
``rate_limited``   the requests-per-minute limiters: the agent's, the crew's and the model's
``observed``       the model-call span (start, end, failure events) and the usage ledger
``taped``          the active cassette: a replay answers here, a recording writes the exchange down
``guarded``        the network switch: no real call leaves the machine while it is blocked
then the backend's ``complete``.

Backends do none of this (an HTTP client only retries its own request). A new concern, such as a
run journal for durable runs, is one more step in :data:`STEPS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from crewkit._ratelimit import RateLimiter
from crewkit._run.state import Run, Scope
from crewkit.errors import BudgetExceededError, CrewkitError, LLMError
from crewkit.events import MODEL_SPAN
from crewkit.llm._base import LLM
from crewkit.llm._cassette import active_cassette
from crewkit.llm._guard import check_allowed
from crewkit.llm._types import ModelRequest, ModelResponse


@dataclass(frozen=True)
class ModelCall:
    """One model call on its way through the gateway."""

    run: Run
    llm: LLM
    request: ModelRequest
    scope: Scope
    """Who asks, for which task, under which step."""
    limiters: tuple[RateLimiter, ...]
    """The caller's limits (agent, crew); the model's own ``limiter`` is added by the gateway."""


Send = Callable[[ModelCall], Awaitable[ModelResponse]]
Step = Callable[[ModelCall, Send], Awaitable[ModelResponse]]
"""A step gets the call and the rest of the way (``send``); it may answer without sending on."""


async def within_budget(call: ModelCall, send: Send) -> ModelResponse:
    """Refuse the call once the run has used its ``max_tokens``."""
    used, budget = call.run.ledger.total.total_tokens, call.run.max_tokens
    if budget is not None and used >= budget:
        raise BudgetExceededError(
            f"token budget exhausted: {used} tokens used of max_tokens={budget} "
            f"before {call.scope.agent!r} could continue {call.scope.task!r}"
        )
    return await send(call)


async def rate_limited(call: ModelCall, send: Send) -> ModelResponse:
    """Wait for a slot in every limit that applies."""
    for limiter in call.limiters:
        await limiter.acquire()
    if call.llm.limiter is not None:
        await call.llm.limiter.acquire()
    return await send(call)


async def observed(call: ModelCall, send: Send) -> ModelResponse:
    """The call as a span, its usage in the run's ledger; an unexpected error becomes an
    :class:`LLMError` naming the model."""
    scope, llm = call.scope, call.llm
    with call.run.span(
        MODEL_SPAN, parent=scope.parent, agent_role=scope.agent, model=llm.label
    ) as span:
        try:
            response = await send(call)
        except CrewkitError:
            raise
        except Exception as exc:
            raise LLMError(
                f"model call failed: {type(exc).__name__}: {exc}",
                provider=llm.provider,
                model=llm.model,
            ) from exc
        call.run.ledger.record(scope.agent, scope.task, response.usage)
        span.end(response=response, usage=response.usage, duration=span.elapsed)
    return response


async def taped(call: ModelCall, send: Send) -> ModelResponse:
    """Replay from, or record to, the active cassette (``crewkit.llm.cassette``), if any."""
    tape = active_cassette()
    if tape is None:
        return await send(call)
    if tape.mode == "replay":
        return tape.replay(call.llm, call.request)
    response = await send(call)
    tape.record(call.llm, call.request, response)
    return response


async def guarded(call: ModelCall, send: Send) -> ModelResponse:
    """Refuse a real network call while ``block_network_models`` is on."""
    check_allowed(call.llm)
    return await send(call)


async def _complete(call: ModelCall) -> ModelResponse:
    return await call.llm.complete(call.request)


STEPS: tuple[Step, ...] = (within_budget, rate_limited, observed, taped, guarded)
"""The gateway's steps, outermost first."""


def _chain(steps: tuple[Step, ...], last: Send) -> Send:
    send = last
    for step in reversed(steps):
        send = _then(step, send)
    return send


def _then(step: Step, rest: Send) -> Send:
    async def send(call: ModelCall) -> ModelResponse:
        return await step(call, rest)

    return send


_send = _chain(STEPS, _complete)


async def call_model(
    run: Run,
    llm: LLM,
    request: ModelRequest,
    scope: Scope,
    limiters: tuple[RateLimiter, ...] = (),
) -> ModelResponse:
    """Send ``request`` to ``llm`` through every step of the gateway."""
    return await _send(ModelCall(run, llm, request, scope, limiters))
