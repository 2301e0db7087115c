"""Markers for the methods of a :func:`~crewkit.project.CrewBase` class.

Each factory method (``@agent``, ``@task``, ``@tool``, ``@llm``, ``@callback``) is memoized per
instance: however often the class's own code calls ``self.researcher()``, the crew gets one Agent.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

KIND = "_crewkit_project_kind"
"""The attribute a decorated method or class carries: "agent", "task", "crew", ..."""
_MEMO = "_crewkit_project_memo"


def kind_of(obj: object) -> str | None:
    """What a decorator marked ``obj`` as, or ``None``."""
    value = getattr(obj, KIND, None)
    return value if isinstance(value, str) else None


def _memoized(fn: Callable[..., Any], kind: str) -> Any:
    @functools.wraps(fn)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        memo: dict[Any, Any] = self.__dict__.setdefault(_MEMO, {})
        key = (fn.__name__, args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:  # unhashable arguments: no sharing, as a plain method
            return fn(self, *args, **kwargs)
        if key not in memo:
            memo[key] = fn(self, *args, **kwargs)
        return memo[key]

    setattr(wrapper, KIND, kind)
    return wrapper


def agent(fn: F) -> F:
    """Mark a method that returns an :class:`~crewkit.Agent`; YAML tasks name it by the method name."""
    result: F = _memoized(fn, "agent")
    return result


def task(fn: F) -> F:
    """Mark a method that returns a :class:`~crewkit.Task`. Tasks run in the order they are defined,
    and a task without a name is named after its method."""

    @functools.wraps(fn)
    def named(self: Any, *args: Any, **kwargs: Any) -> Any:
        made = fn(self, *args, **kwargs)
        if getattr(made, "name", "") is None:
            made.name = fn.__name__
        return made

    result: F = _memoized(named, "task")
    return result


def tool(fn: F) -> F:
    """Mark a method that returns a tool; agents.yaml / tasks.yaml ``tools:`` name it."""
    result: F = _memoized(fn, "tool")
    return result


def llm(fn: F) -> F:
    """Mark a method that returns a model; agents.yaml ``llm:`` may name it."""
    result: F = _memoized(fn, "llm")
    return result


def callback(fn: F) -> F:
    """Mark a method that returns a callback; tasks.yaml ``callbacks:`` name it."""
    result: F = _memoized(fn, "callback")
    return result


def before_kickoff(fn: F) -> F:
    """Mark a method ``(self, inputs) -> inputs`` run before every kickoff of the crew."""
    setattr(fn, KIND, "before_kickoff")
    return fn


def after_kickoff(fn: F) -> F:
    """Mark a method ``(self, output) -> output`` run after every kickoff of the crew."""
    setattr(fn, KIND, "after_kickoff")
    return fn


def output_json(cls: type[T]) -> type[T]:
    """Mark a pydantic model class that tasks.yaml ``output_json:`` may name."""
    type.__setattr__(cls, KIND, "output_json")
    return cls


def output_pydantic(cls: type[T]) -> type[T]:
    """Mark a pydantic model class that tasks.yaml ``output_pydantic:`` may name."""
    type.__setattr__(cls, KIND, "output_pydantic")
    return cls
