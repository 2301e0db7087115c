"""What a YAML key may hold, read from the dataclass fields of Agent, Task and Crew at load time.

Nothing here lists today's fields: a field added to ``Task`` tomorrow is accepted in crew files at once,
converted by the kind of its type annotation (a reference to an agent, tasks, tools, a model, a pydantic
class, a function, an enum, or a plain value).
"""

from __future__ import annotations

import builtins
import collections.abc
import dataclasses
import enum
import functools
import inspect
import sys
import types
import typing
from dataclasses import dataclass
from typing import Any, Union

_NONE = type(None)


@dataclass(frozen=True)
class FieldKind:
    """How a YAML value becomes a field value."""

    kind: str
    """One of: agent, agents, task, tasks, tools, knowledge, knowledge_config, llm, model_class,
    callable, enum, plain."""
    optional: bool = False
    """``None`` (YAML ``null``) is allowed."""
    many: bool = False
    """A list of references is allowed (e.g. several guardrail functions)."""
    plain: tuple[type, ...] = ()
    """For ``plain`` kinds: Python types a YAML value may have; empty means anything."""
    enum: type[enum.Enum] | None = None
    """For ``enum`` kinds: the enum whose values are accepted."""
    hint: str = ""
    """What to do instead, when a value does not fit."""


@dataclass(frozen=True)
class FieldSpec:
    """One constructor field of Agent, Task or Crew."""

    name: str
    required: bool
    kind: FieldKind


IN_FILES = {
    ("Crew", "durable"): FieldKind(
        "plain",
        optional=True,
        plain=(bool,),
        hint="name the journal with --journal or CREWKIT_JOURNAL",
    )
}
"""Fields whose Python type takes more than a crew file should say, narrowed to what it may: a
journal path in a crew file would be relative to wherever the command runs, so the file says only
``durable: true|false`` and the journal's file comes from ``--journal`` or ``CREWKIT_JOURNAL``."""


@functools.cache
def field_specs(cls: type) -> dict[str, FieldSpec]:
    """The constructor fields of dataclass ``cls``, in declaration order."""
    specs: dict[str, FieldSpec] = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        kind = IN_FILES.get((cls.__name__, f.name)) or kind_of(_resolve(cls, f.type))
        specs[f.name] = FieldSpec(f.name, required, kind)
    return specs


class _Names(dict[str, Any]):
    """Module globals for evaluating annotations. Names imported only for type checking are looked up
    in crewkit's loaded modules, and read as ``Any`` when not found there either."""

    def __missing__(self, key: str) -> Any:
        if hasattr(builtins, key):
            return getattr(builtins, key)
        for name, module in list(sys.modules.items()):
            if name.startswith("crewkit") and module is not None and hasattr(module, key):
                return getattr(module, key)
        return Any


def _resolve(cls: type, annotation: object) -> object:
    if not isinstance(annotation, str):
        return annotation
    from pydantic import BaseModel

    import crewkit.events
    import crewkit.knowledge._sources  # noqa: F401  (and KnowledgeSource here)

    names = _Names(vars(typing))
    names.update(vars(collections.abc))
    names["BaseModel"] = BaseModel
    for klass in reversed(cls.__mro__):
        module = sys.modules.get(klass.__module__)
        if module is not None:
            names.update(vars(module))
    try:
        return eval(annotation, {"__builtins__": builtins}, names)
    except Exception:
        return Any


def _members(annotation: object) -> list[object]:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _is_sequence(origin: object) -> bool:
    return origin in (list, tuple, collections.abc.Sequence, typing.Sequence)


def kind_of(annotation: object) -> FieldKind:
    """Classify a resolved annotation."""
    from crewkit.agent import Agent
    from crewkit.knowledge._sources import KnowledgeConfig, KnowledgeSource
    from crewkit.llm._base import LLM
    from crewkit.task import Task
    from crewkit.tools._tool import Tool

    members = _members(annotation)
    optional = _NONE in members
    members = [m for m in members if m is not _NONE]
    callable_many = False
    for member in members:
        origin = typing.get_origin(member)
        if _is_sequence(origin):
            inner = [m for arg in typing.get_args(member)[:1] for m in _members(arg)]
            pairs = (
                (Task, "tasks"),
                (Tool, "tools"),
                (Agent, "agents"),
                (KnowledgeSource, "knowledge"),
            )
            for target, kind in pairs:
                if target in inner:
                    return FieldKind(kind, optional)
            if any(_is_callable(m) for m in inner):
                callable_many = True
    for member in members:
        if member is Agent:
            return FieldKind("agent", optional)
        if member is Task:
            return FieldKind("task", optional)
        if member is LLM:
            return FieldKind("llm", optional)
        if member is KnowledgeConfig:
            return FieldKind("knowledge_config", optional)
        if typing.get_origin(member) is type:
            return FieldKind("model_class", optional)
        if _is_callable(member):
            return FieldKind("callable", optional, many=callable_many)
        if inspect.isclass(member) and issubclass(member, enum.Enum):
            return FieldKind("enum", optional, enum=member)
    if callable_many:
        return FieldKind("callable", optional, many=True)
    return FieldKind("plain", optional, plain=_plain_types(members))


def _is_callable(member: object) -> bool:
    return (
        member is collections.abc.Callable or typing.get_origin(member) is collections.abc.Callable
    )


def _plain_types(members: list[object]) -> tuple[type, ...]:
    accepted: list[type] = []
    for member in members:
        origin = typing.get_origin(member) or member
        if origin is float:
            accepted += [float, int]
        elif origin in (int, str, bool):
            accepted.append(origin)
        elif origin in (dict, collections.abc.Mapping, typing.Mapping):
            accepted.append(dict)
        elif _is_sequence(origin):
            accepted.append(list)
        else:
            return ()  # Any, or a class YAML cannot spell: the constructor judges the value
    return tuple(dict.fromkeys(accepted))
