"""What a crew definition is, as plain JSON, and its fingerprint: the hash a resume compares so a run
is never continued by a different crew without saying so.

The document is built from an allow-list of fields — texts, model labels, tool schemas, the
qualified names of functions — never from ``vars()`` or ``repr()``: so it holds no API key or header,
and it is the same in every process (no object ids, no addresses, sorted keys).
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from crewkit._crew_definition import CrewDefinition
from crewkit._run.prepare import ResolvedCrew, RunAgent
from crewkit.agent import Agent
from crewkit.journal._definitions import canonical
from crewkit.task import Task
from crewkit.tools._tool import Tool


def definition_of(crew: CrewDefinition, resolved: ResolvedCrew) -> dict[str, Any]:
    """The crew as JSON values: what a resume must find unchanged."""
    position = {id(t): i for i, t in enumerate(crew.tasks)}
    by_definition = {id(a.definition): a for a in resolved.agents}
    doc: dict[str, Any] = {
        "name": crew.name,
        "process": str(getattr(crew.process, "value", crew.process)),
        "planning": crew.planning,
        "planner": None if resolved.planner_llm is None else resolved.planner_llm.label,
        "max_delegations": crew.max_delegations,
        "max_tokens": crew.max_tokens,
        "inputs": _plain(dict(crew.inputs)),
        "agents": [_agent(a, by_definition.get(id(a))) for a in crew.agents],
        "tasks": [_task(t, position) for t in crew.tasks],
        "manager": None,
    }
    if resolved.manager is not None:
        doc["manager"] = _agent(resolved.manager.definition, resolved.manager)
    return json.loads(canonical(doc))  # type: ignore[no-any-return]


def _agent(agent: Agent, resolved: RunAgent | None) -> dict[str, Any]:
    tools = resolved.tools if resolved is not None else ()
    return {
        "role": agent.role,
        "goal": agent.goal,
        "backstory": agent.backstory,
        "llm": None if resolved is None else resolved.llm.label,
        "tools": [_tool(t) for t in tools],
        "allow_delegation": agent.allow_delegation,
        "max_iter": agent.max_iter,
    }


def _task(task: Task, position: Mapping[int, int]) -> dict[str, Any]:
    model = task.output_model
    return {
        "name": task.name,
        "description": task.description,
        "expected_output": task.expected_output,
        "agent": None if task.agent is None else task.agent.role,
        "context": None if task.context is None else [position[id(c)] for c in task.context],
        "output_schema": None if model is None else _schema(model),
        "guardrails": [_qualname(g) for g in task.guardrails],
        "human_input": task.human_input,
        "async_execution": task.async_execution,
        "output_file": task.output_file,
    }


def _tool(tool: Tool) -> dict[str, Any]:
    # A tool's JSON schema costs about a millisecond to build: once per tool object, again only
    # if its name or description was changed since.
    cached = _tools.get(tool)
    if cached is not None and (cached["name"], cached["description"]) == (
        tool.name,
        tool.description,
    ):
        return cached
    spec = tool.spec()
    doc = {
        "name": spec.name,
        "description": spec.description,
        "parameters": spec.parameters,
        "code": _code(tool),
    }
    _tools[tool] = doc
    return doc


_tools: weakref.WeakKeyDictionary[Tool, dict[str, Any]] = weakref.WeakKeyDictionary()


_schemas: weakref.WeakKeyDictionary[type, dict[str, Any]] = weakref.WeakKeyDictionary()


def _schema(model: type[Any]) -> dict[str, Any]:
    schema = _schemas.get(model)
    if schema is None:
        schema = _schemas[model] = model.model_json_schema()
    return schema


def _code(tool: Tool) -> str:
    inner = getattr(tool, "inner", tool)  # a bound tool runs its inner tool's code
    fn = getattr(inner, "fn", None)
    return _qualname(fn if callable(fn) else type(inner))


def _qualname(thing: Callable[..., Any] | type) -> str:
    return f"{getattr(thing, '__module__', '?')}:{getattr(thing, '__qualname__', type(thing).__name__)}"


def _plain(value: Any) -> Any:
    return json.loads(canonical(value))
