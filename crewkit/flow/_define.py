"""The flow decorators: which methods are steps and what sets each one off. Definitions only.

A decorator marks the function itself (no wrapper), so a step stays an ordinary method and
``@listen(load_leads)`` in the class body simply names the function it is given.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union

from crewkit.errors import FlowDefinitionError

if TYPE_CHECKING:
    pass

F = TypeVar("F", bound=Callable[..., Any])

Trigger = Union[str, Callable[..., Any], "Condition"]
"""What a step can wait for: a step (the method or its name), a router label, or ``or_``/``and_``."""

STEP_ATTR = "__crewkit_flow_step__"
PERSIST_ATTR = "__crewkit_flow_persist__"


@dataclass(frozen=True)
class Condition:
    """``or_(...)`` or ``and_(...)`` of triggers; a single trigger is a one-item ``or``."""

    kind: Literal["or", "and"]
    """``or``: the first trigger sets the step off; ``and``: all of them must have happened."""
    items: tuple[str | Condition, ...]
    """Event names (step names or router labels) and nested conditions."""

    def names(self) -> Iterator[str]:
        """Every event name in the condition, nested ones included."""
        for item in self.items:
            if isinstance(item, Condition):
                yield from item.names()
            else:
                yield item

    def met(self, seen: dict[str, Any] | set[str] | frozenset[str]) -> bool:
        """Whether the events in ``seen`` satisfy the condition."""
        combine = all if self.kind == "and" else any
        return combine(
            item.met(seen) if isinstance(item, Condition) else item in seen for item in self.items
        )

    @property
    def single(self) -> str | None:
        """The one event name when the condition is a plain trigger."""
        if len(self.items) == 1 and isinstance(self.items[0], str):
            return self.items[0]
        return None

    def __str__(self) -> str:
        if self.single is not None:
            return repr(self.single)
        return f"{self.kind}_({', '.join(str(i) if isinstance(i, Condition) else repr(i) for i in self.items)})"


@dataclass(frozen=True)
class PersistSpec:
    """Where and how ``@persist`` saves the state."""

    store: Any = None
    """``None``: the run journal's default file; else a path, a ``Journal`` or a ``FlowStore``."""
    verbose: bool = False
    """Log each save."""


@dataclass(frozen=True)
class StepSpec:
    """What the decorators recorded on one method."""

    start: bool = False
    """Runs at kickoff (see :func:`start`)."""
    start_condition: Condition | None = None
    """A start that also (or only) runs when this happens."""
    listen: Condition | None = None
    """What sets the step off (``listen`` and ``router``)."""
    router: bool = False
    """The step returns a label that sets off that label's listeners."""
    emit: tuple[str, ...] | None = None
    """The labels a router declared it returns."""
    persist: PersistSpec | None = None
    """Save the state after this step."""


def or_(*triggers: Trigger) -> Condition:
    """Set a step off when the first of ``triggers`` happens (siblings that finish later do not set
    it off again; a trigger that comes back round a loop through the step does)."""
    return Condition("or", _items("or_", triggers))


def and_(*triggers: Trigger) -> Condition:
    """Set a step off once every one of ``triggers`` has happened; it receives the last one's result."""
    return Condition("and", _items("and_", triggers))


def start(condition: Trigger | None = None) -> Callable[[F], F]:
    """Mark a step that runs when the flow is kicked off; several starts run concurrently.

    With a ``condition`` the step also runs whenever that happens (a loop back to the start); such a
    conditional start runs at kickoff only if the flow has no unconditional one.
    """
    cond, problem = _condition("start", condition)
    return _marker("start", lambda spec: replace(spec, start=True, start_condition=cond), problem)


def listen(condition: Trigger) -> Callable[[F], F]:
    """Mark a step that runs each time ``condition`` happens: a step finishing, a router label, or
    ``or_``/``and_`` of those. If the method takes an argument, it receives the trigger's result."""
    cond, problem = _condition("listen", condition)

    def update(spec: StepSpec) -> StepSpec:
        if spec.listen is not None:
            raise FlowDefinitionError(
                "a step has one trigger: combine them with or_(...) or and_(...)"
            )
        return replace(spec, listen=cond)

    return _marker("listen", update, problem)


def router(
    condition: Trigger | None = None, *, emit: Sequence[str] | None = None
) -> Callable[[F], F]:
    """Mark a step whose return value is a label: the steps listening to that label run next.

    Return ``None`` to set nothing off. The labels are read from ``emit=``, a ``Literal``/``Enum``
    return annotation, or the string constants the method returns; a label nobody listens to is an
    error when the class is defined (or, for labels computed at run time, when it is returned).
    """
    cond, problem = _condition("router", condition)
    if emit is not None:
        if isinstance(emit, str):
            emit = [emit]
        bad = [label for label in emit if not isinstance(label, str) or not label]
        if bad:
            raise FlowDefinitionError(f"router(emit=...) takes label strings, got {bad[0]!r}")
    labels = None if emit is None else tuple(dict.fromkeys(emit))

    def update(spec: StepSpec) -> StepSpec:
        if cond is not None and spec.listen is not None:
            raise FlowDefinitionError(
                "a step has one trigger: combine them with or_(...) or and_(...)"
            )
        return replace(spec, router=True, listen=cond or spec.listen, emit=labels)

    return _marker("router", update, problem)


def _marker(
    decorator: str, update: Callable[[StepSpec], StepSpec], problem: str = ""
) -> Callable[[F], F]:
    def mark(fn: F) -> F:
        where = getattr(fn, "__qualname__", repr(fn))
        if problem:
            raise FlowDefinitionError(f"{where}: {problem}", step=getattr(fn, "__name__", ""))
        if not inspect.isfunction(fn):
            raise FlowDefinitionError(
                f"@{decorator}() decorates a method defined with def or async def; got {fn!r}"
            )
        if inspect.isasyncgenfunction(fn) or inspect.isgeneratorfunction(fn):
            raise FlowDefinitionError(
                f"{where}: a flow step returns its result; it cannot be a generator (yield)"
            )
        _check_parameters(fn, where)
        spec = getattr(fn, STEP_ATTR, StepSpec())
        try:
            setattr(fn, STEP_ATTR, update(spec))
        except FlowDefinitionError as exc:
            raise FlowDefinitionError(f"{where}: {exc}", step=fn.__name__) from None
        return fn

    return mark


def _check_parameters(fn: Callable[..., Any], where: str) -> None:
    params = list(inspect.signature(fn).parameters.values())[1:]
    required = [
        p
        for p in params
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    if len(required) > 1:
        names = ", ".join(p.name for p in required)
        raise FlowDefinitionError(
            f"{where} requires {len(required)} arguments ({names}); a step receives at most one: "
            "the result of what set it off",
            step=fn.__name__,
        )


def takes_argument(fn: Callable[..., Any]) -> bool:
    """Whether a step method accepts the trigger's result (any parameter besides ``self``)."""
    params = list(inspect.signature(fn).parameters.values())[1:]
    return any(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params
    )


def _condition(decorator: str, trigger: Trigger | None) -> tuple[Condition | None, str]:
    """The trigger as a condition, or the problem with it (reported once the method is known)."""
    if trigger is None:
        return None, "" if decorator != "listen" else "listen() needs a trigger"
    if isinstance(trigger, Condition):
        return trigger, ""
    try:
        return Condition("or", _items(decorator, (trigger,))), ""
    except FlowDefinitionError as exc:
        return None, str(exc)


def _items(where: str, triggers: Sequence[Trigger]) -> tuple[str | Condition, ...]:
    if not triggers:
        raise FlowDefinitionError(f"{where}() needs at least one trigger")
    items: list[str | Condition] = []
    for trigger in triggers:
        if isinstance(trigger, Condition) or (isinstance(trigger, str) and trigger):
            items.append(trigger)
        elif callable(trigger) and getattr(trigger, "__name__", "<lambda>") != "<lambda>":
            items.append(trigger.__name__)
        else:
            raise FlowDefinitionError(
                f"{where}({trigger!r}): a trigger is a step (the method or its name), a router "
                "label, or or_(...)/and_(...) of those"
            )
    return tuple(items)


def persist(target: Any = None, /, *, store: Any = None, verbose: bool = False) -> Any:
    """Journal each finished step and the state after it (on a class), or one step (on a method).

    ``@persist``, ``@persist()``, ``@persist(store)`` or ``@persist(store=..., verbose=True)``. The
    store is the run journal: ``.crewkit/runs.db`` (or ``$CREWKIT_JOURNAL``) by default, or the
    file or :class:`~crewkit.journal.Journal` given; a :class:`FlowStore` of your own receives the
    states instead (it cannot resume). ``kickoff(inputs={"id": ...})`` restores the latest state
    saved under that id; ``Flow.resume(id)`` continues a run that died, skipping finished steps.
    """
    if target is not None and not (inspect.isclass(target) or inspect.isfunction(target)):
        store, target = target, None  # @persist(store)
    spec = PersistSpec(store=store, verbose=verbose)

    def apply(obj: Any) -> Any:
        if inspect.isclass(obj):
            setattr(obj, PERSIST_ATTR, spec)
            return obj
        if inspect.isfunction(obj):
            step = getattr(obj, STEP_ATTR, StepSpec())
            setattr(obj, STEP_ATTR, replace(step, persist=spec))
            return obj
        raise FlowDefinitionError(f"@persist decorates a Flow class or a step method, got {obj!r}")

    return apply if target is None else apply(target)
