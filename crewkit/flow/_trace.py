"""The trail of a flow run: each step execution and what set it off. The or_ rule walks it to tell a
loop coming back from a sibling finishing late, and a runaway loop is named from it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crewkit.errors import FlowCycleError
from crewkit.flow._graph import Step

if TYPE_CHECKING:
    from crewkit._event_bus import Span


class StepRun:
    """One execution of a step and what set it off (``parents``, through the event ``via``)."""

    __slots__ = ("n", "parents", "seq", "span", "step", "via")

    def __init__(
        self,
        seq: int,
        n: int,
        step: Step,
        parents: tuple[StepRun, ...],
        via: str,
        span: Span | None,
    ) -> None:
        self.seq = seq
        self.n = n
        """Which run of its step this is in the kickoff, from 1 (what a resume matches on)."""
        self.step = step
        self.parents = parents
        self.via = via
        self.span = span


def descends(record: StepRun, ancestor: StepRun) -> bool:
    """Whether ``record`` was set off, through triggers, by ``ancestor``; the walk stops at runs
    older than the ancestor, so it is short."""
    stack = [record]
    while stack:
        current = stack.pop()
        if current is ancestor:
            return True
        stack.extend(p for p in current.parents if p.seq >= ancestor.seq)
    return False


def runaway_loop(
    flow: str,
    step: Step,
    parents: tuple[StepRun, ...],
    via: str,
    *,
    max_steps: int,
    runs: int,
    state: Any,
) -> FlowCycleError:
    """The error for ``step`` not starting because ``max_steps`` ran out: walk back from what set
    it off until ``step`` itself appears, and name that loop."""
    path = [step.name]
    hop = via
    current = parents[0] if parents else None
    found = False
    routers: list[str] = []
    while current is not None:
        if hop and hop != current.step.name:
            path.append(repr(hop))
        path.append(current.step.name)
        if current.step.is_router:
            routers.append(current.step.name)
        if current.step.name == step.name:
            found = True
            break
        hop = current.via
        current = current.parents[0] if current.parents else None
    limit = max_steps
    if not found:
        return FlowCycleError(
            f"{flow} stopped after {limit} steps (max_steps={limit}) before {step.name!r} "
            "could run; no step repeats in a loop, so the flow is just long: raise max_steps",
            flow=flow,
            step=step.name,
            state=state,
        )
    loop = list(reversed(path))
    exit_hint = (
        f"or let {routers[0]} return a label that leaves the loop" if routers else "or end the loop"
    )
    return FlowCycleError(
        f"{flow} stopped after {limit} steps (max_steps={limit}): the loop "
        f"{' → '.join(loop)} went round {runs} times; raise max_steps "
        f"{exit_hint}",
        flow=flow,
        step=step.name,
        state=state,
        loop=loop,
    )
