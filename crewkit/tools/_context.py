"""What a tool may know about the call it is serving: declare a parameter typed
:class:`ToolContext` and crewkit fills it in (the model never sees it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ToolContext:
    """The run, task and agent a tool call belongs to, and a key that identifies the call.

    ``idempotency_key`` is the same every time this very call is made again — when a durable run
    is resumed after a crash — so a tool with side effects (a payment, an e-mail) can pass it to
    the service it calls, or check it itself, and act once. A call the journal recorded as
    completed is never run again; ``attempt`` above 1 says an earlier process got as far as this
    call (its model had asked for it) and may have done its work before it died.
    """

    run_id: str
    """The run."""
    task: str
    """The task label."""
    agent: str
    """The role of the agent that called the tool."""
    tool: str
    """The tool's name."""
    idempotency_key: str
    """Stable across resumes of the run: the same call gets the same key."""
    attempt: int = 1
    """1, or more when an earlier process reached this call without recording its result."""
