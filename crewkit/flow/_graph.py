"""A flow class compiled once, when it is defined: its steps, who listens to what, and the checks that
catch a misspelt trigger or a label nobody listens to before anything runs."""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from crewkit.errors import FlowDefinitionError, FlowError
from crewkit.flow._define import STEP_ATTR, Condition, PersistSpec, StepSpec, takes_argument

if TYPE_CHECKING:
    import ast


@dataclass(frozen=True, eq=False)
class Step:
    """One step of a compiled flow."""

    name: str
    fn: Callable[..., Any]
    is_async: bool
    takes_arg: bool
    is_router: bool
    is_start: bool
    trigger: Condition | None
    """What sets the step off after kickoff (a listener's condition, a start's condition)."""
    labels: frozenset[str]
    """Labels a router is known to return."""
    open_labels: bool
    """The router may return labels computed at run time (not all known)."""
    declared: bool
    """The labels were declared (``emit=`` or annotation): returning another one is an error."""
    persist: PersistSpec | None

    kind: Literal["single", "or", "tree", "none"]
    """How the trigger is matched: one name, a flat ``or_``, a tree with ``and_``, or no trigger."""
    latches: bool
    """An ``or_`` at the top: set off by the first alternative only (siblings absorbed)."""


@dataclass(frozen=True, eq=False)
class FlowGraph:
    """The steps of a flow class and the events that set them off."""

    name: str
    steps: dict[str, Step]
    subscribers: dict[str, tuple[Step, ...]]
    """Event name (a step's name or a router label) -> steps whose trigger mentions it."""
    kickoff: tuple[Step, ...]
    """The steps that run when the flow is kicked off."""


def compile_graph(cls: type) -> FlowGraph:
    """Collect and check the steps of ``cls``; raises :class:`FlowDefinitionError` naming the step."""
    specs: dict[str, StepSpec] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            spec = getattr(value, STEP_ATTR, None)
            if isinstance(spec, StepSpec) and inspect.isfunction(value):
                specs[name] = spec
    flow = cls.__name__
    steps: dict[str, Step] = {}
    for name, spec in specs.items():
        fn = getattr(cls, name)
        where = f"{flow}.{name}"
        if not (spec.start or spec.listen is not None or spec.router):
            raise FlowDefinitionError(
                f"{where} has @persist but is not a step: add @start(), @listen(...) or @router(...)",
                flow=flow,
                step=name,
            )
        if spec.router and spec.listen is None and not spec.start:
            raise FlowDefinitionError(
                f"{where}: @router() needs a trigger, such as @router(the_step_it_follows), or stack it on @start()",
                flow=flow,
                step=name,
            )
        labels, open_labels, declared = (
            _router_labels(fn, spec) if spec.router else ((), False, False)
        )
        trigger = spec.start_condition if spec.start else spec.listen
        takes_arg = takes_argument(fn)
        if spec.start and takes_arg and _requires_argument(fn):
            raise FlowDefinitionError(
                f"{where} is a start step but requires an argument; at kickoff it is called with "
                "none: give the parameter a default",
                flow=flow,
                step=name,
            )
        kind = _kind(trigger)
        steps[name] = Step(
            name=name,
            fn=fn,
            is_async=inspect.iscoroutinefunction(fn),
            takes_arg=takes_arg,
            is_router=spec.router,
            is_start=spec.start,
            trigger=trigger,
            labels=frozenset(labels),
            open_labels=open_labels,
            declared=declared,
            persist=spec.persist,
            kind=kind,
            latches=trigger is not None and trigger.kind == "or" and kind != "single",
        )
    subscribers: dict[str, list[Step]] = {}
    for step in steps.values():
        if step.trigger is not None:
            for event in dict.fromkeys(step.trigger.names()):
                subscribers.setdefault(event, []).append(step)
    starts = [s for s in steps.values() if s.is_start]
    unconditional = [s for s in starts if s.trigger is None]
    graph = FlowGraph(
        name=flow,
        steps=steps,
        subscribers={k: tuple(v) for k, v in subscribers.items()},
        kickoff=tuple(unconditional or starts),
    )
    if steps:
        _check(graph)
    return graph


def _kind(trigger: Condition | None) -> Literal["single", "or", "tree", "none"]:
    if trigger is None:
        return "none"
    if trigger.single is not None:
        return "single"
    if trigger.kind == "or" and all(isinstance(i, str) for i in trigger.items):
        return "or"
    return "tree"


def _requires_argument(fn: Callable[..., Any]) -> bool:
    params = list(inspect.signature(fn).parameters.values())[1:]
    return any(
        p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        for p in params
    )


def _router_labels(fn: Callable[..., Any], spec: StepSpec) -> tuple[tuple[str, ...], bool, bool]:
    """(labels, open, declared) from ``emit=``, the return annotation, or the returned constants."""
    if spec.emit is not None:
        return spec.emit, False, True
    annotated = _annotation_labels(fn)
    if annotated:
        return annotated, False, True
    labels, is_open = _returned_constants(fn)
    return labels, is_open, False


def _annotation_labels(fn: Callable[..., Any]) -> tuple[str, ...]:
    try:
        hint = typing.get_type_hints(fn).get("return")
    except Exception:  # unresolvable forward references: fall back to the source
        return ()
    return tuple(dict.fromkeys(_labels_of_type(hint)))


def _labels_of_type(hint: Any) -> list[str]:
    if inspect.isclass(hint) and issubclass(hint, enum.Enum):
        return [m.value for m in hint if isinstance(m.value, str)]
    origin = typing.get_origin(hint)
    if origin is Literal:
        return [a for a in typing.get_args(hint) if isinstance(a, str)]
    if origin is typing.Union or origin is types.UnionType:
        return [label for arg in typing.get_args(hint) for label in _labels_of_type(arg)]
    return []


def _returned_constants(fn: Callable[..., Any]) -> tuple[tuple[str, ...], bool]:
    """String constants the function's own ``return`` statements give, and whether any return gives
    something else (a label computed at run time)."""
    import ast  # only routers that declare no labels pay for parsing their source
    import textwrap

    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return (), True
    func = tree.body[0] if tree.body else None
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return (), True
    labels: list[str] = []
    is_open = False
    for node in _own_nodes(func):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        value = node.value
        branches = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
        for branch in branches:
            if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                labels.append(branch.value)
            elif not (isinstance(branch, ast.Constant) and branch.value is None):
                is_open = True
    return tuple(dict.fromkeys(labels)), is_open


def _own_nodes(func: ast.AST) -> list[ast.AST]:
    import ast

    """The nodes of a function body, not descending into nested functions, lambdas or classes."""
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _check(graph: FlowGraph) -> None:
    flow, steps = graph.name, graph.steps

    def fail(step: str, message: str) -> None:
        raise FlowDefinitionError(f"{flow}.{step} {message}", flow=flow, step=step)

    if not any(s.is_start for s in steps.values()):
        first = next(iter(steps))
        raise FlowDefinitionError(
            f"{flow} has no @start() step, so nothing would run: mark the first step "
            f"(perhaps {flow}.{first}) with @start()",
            flow=flow,
            step=first,
        )
    routers = [s for s in steps.values() if s.is_router]
    labels = {label: r for r in routers for label in r.labels}
    all_known = not any(r.open_labels for r in routers)
    for router in routers:
        for label in sorted(router.labels):
            if label == router.name:
                fail(
                    router.name,
                    f"returns its own name {label!r} as a label; that does not run it again, and "
                    "no step listens to it: return a label a step listens to (to loop back, "
                    "listen to it from the step before), or None to end this branch",
                )
            if label in steps:
                fail(
                    router.name,
                    f"returns the label {label!r}, which is also the name of the step "
                    f"{flow}.{label}; a listener could not tell one from the other: rename the label",
                )
            if label not in graph.subscribers:
                fail(
                    router.name,
                    f"can return {label!r}, but no step listens to it: add @listen({label!r}) "
                    f"to the step that should run next, or return None to end this branch"
                    f"{_hint(label, _listened_labels(graph, steps), 'labels listened to')}",
                )
    for step in steps.values():
        if step.trigger is None:
            continue
        for event in dict.fromkeys(step.trigger.names()):
            if event in steps or event in labels:
                if event == step.name:
                    fail(
                        step.name,
                        f"listens to {event!r}, its own name: each time it finishes it would set "
                        "itself off again; rename the step or the label",
                    )
                continue
            if not all_known:
                continue  # a router computes labels at run time; checked when it returns one
            known = sorted(set(steps) | set(labels))
            what = "waits for" if step.is_start else "listens to"
            fail(
                step.name,
                f"{what} {event!r}, which is neither a step of {flow} nor a label one of its "
                f"routers returns{_hint(event, known)}",
            )
    if all_known:
        _check_reachable(graph, fail)


def _listened_labels(graph: FlowGraph, steps: dict[str, Step]) -> list[str]:
    return sorted(e for e in graph.subscribers if e not in steps)


def _hint(word: str, choices: list[str], what: str = "known") -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    if choices:
        return f" ({what}: {', '.join(repr(c) for c in choices[:8])})"
    return ""


def _check_reachable(graph: FlowGraph, fail: Callable[[str, str], None]) -> None:
    """A step whose trigger can never be met (an ``and_`` member that never runs, say) is a mistake."""
    ran: set[str] = set()
    events: set[str] = set()
    frontier = list(graph.kickoff)
    while frontier:
        step = frontier.pop()
        if step.name in ran:
            continue
        ran.add(step.name)
        events.add(step.name)
        events.update(step.labels)
        for candidate in graph.steps.values():
            if candidate.name not in ran and candidate.trigger and candidate.trigger.met(events):
                frontier.append(candidate)
    for step in graph.steps.values():
        if step.name not in ran:
            fail(
                step.name,
                f"can never run: it waits for {step.trigger}, which nothing that runs sets off",
            )


def router_label(graph: FlowGraph, step: Step, result: Any) -> str | None:
    """The label a router's ``result`` names, refused if it is not a label this flow listens to."""
    where = f"{graph.name}.{step.name}"
    if result is None:
        return None
    if isinstance(result, enum.Enum):
        result = result.value
    if not isinstance(result, str):
        raise FlowError(
            f"{where} is a router and returned {result!r}; a router returns a label "
            "(a string or a string Enum), or None to set nothing off",
            flow=graph.name,
            step=step.name,
        )
    if step.declared and result not in step.labels:
        declared = ", ".join(repr(label) for label in sorted(step.labels))
        raise FlowDefinitionError(
            f"{where} returned {result!r}, which is not one of the labels it declares ({declared})",
            flow=graph.name,
            step=step.name,
        )
    if result in graph.steps:
        raise FlowDefinitionError(
            f"{where} returned the label {result!r}, which is also the name of the step "
            f"{graph.name}.{result}; a listener could not tell one from the other: rename the label",
            flow=graph.name,
            step=step.name,
        )
    if result not in graph.subscribers:
        heard = sorted(e for e in graph.subscribers if e not in graph.steps)
        raise FlowDefinitionError(
            f"{where} returned the label {result!r}, but no step listens to it "
            f"(labels listened to: {', '.join(repr(h) for h in heard) or 'none'}); add "
            f"@listen({result!r}) to the step that should run, or return None to end this branch",
            flow=graph.name,
            step=step.name,
        )
    return result
