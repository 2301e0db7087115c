"""Turning one definition in a crew file into an Agent, Task or Crew: each field converted to what the
class takes, references to other agents and tasks resolved, every problem recorded."""

from __future__ import annotations

from typing import Any

from crewkit._config._convert import (
    convert_callable,
    convert_enum,
    convert_model_class,
    convert_plain,
    convert_tool,
)
from crewkit._config._fields import FieldSpec, field_specs
from crewkit._config._models import ModelRules, convert_llm
from crewkit._config._source import FieldPath, Source, describe, did_you_mean
from crewkit.agent import Agent
from crewkit.crew import Crew
from crewkit.errors import ConfigProblem, ConfigurationError
from crewkit.task import Task


class DefinitionBuilder:
    """Builds objects from definitions, given the agents and tasks built so far; the file's layout
    (sections, agent assignment, the crew itself) is :class:`crewkit._config._build._Builder`'s."""

    def __init__(
        self, problems: list[ConfigProblem], rules: ModelRules, *, trusted: bool = False
    ) -> None:
        self.problems = problems
        self.trusted = trusted
        """Accept standard-library functions that run code or touch the system (the user said so)."""
        self.rules = rules
        """How models are treated: ``--model``, ``--timeout``/``--temperature``, checks."""
        self.agents: dict[str, Agent | None] = {}
        self.tasks: dict[str, Task | None] = {}
        self.task_keys: list[str] = []

    def build_object(
        self, cls: type, definition: Any, source: Source, path: FieldPath, key: str
    ) -> Any:
        noun = _noun(cls)
        if not isinstance(definition, dict):
            source.problem(
                path, f"expected a mapping of {noun} fields, found {describe(definition)}", ""
            )
            return None
        before = len(self.problems)
        specs = field_specs(cls)
        kwargs = self.convert_fields(cls, definition, source, path, noun)
        if "name" in specs and issubclass(cls, Task):
            kwargs.setdefault("name", key)
        for spec in specs.values():
            if spec.required and spec.name not in definition:
                source.problem(path, f"missing required field {spec.name!r} of {noun} {key!r}", "")
        if len(self.problems) > before:
            return None
        try:
            return cls(**kwargs)
        except ConfigurationError as exc:
            source.problem(path, str(exc))
            return None

    def convert_fields(
        self, cls: type, definition: dict[str, Any], source: Source, path: FieldPath, noun: str
    ) -> dict[str, Any]:
        specs = field_specs(cls)
        reserved = {"agents", "tasks"} if issubclass(cls, Crew) else set()
        allowed = [n for n in specs if n not in reserved]
        kwargs: dict[str, Any] = {}
        for key, value in definition.items():
            spec = specs.get(key) if isinstance(key, str) else None
            if spec is None or key in reserved:
                hint = did_you_mean(key, allowed) or f"{noun} fields: {', '.join(allowed)}"
                source.problem((*path, key), f"unknown {noun} field {key!r}", hint)
                continue
            ok, converted = self._convert(spec, value, source, (*path, key))
            if ok:
                kwargs[key] = converted
        return kwargs

    def _convert(
        self, spec: FieldSpec, value: Any, source: Source, path: FieldPath
    ) -> tuple[bool, Any]:
        kind = spec.kind
        report = source.problem
        if kind.kind == "plain":
            return convert_plain(kind, value, path, report)
        if kind.kind == "enum":
            return convert_enum(kind, value, path, report)
        if kind.kind == "llm":
            return convert_llm(kind, value, path, report, self.rules)
        if kind.kind == "model_class":
            name = "".join(p.title() for p in str(path[-2]).replace("-", "_").split("_")) + "Output"
            return convert_model_class(
                kind, value, source.folder, name, path, report, trusted=self.trusted
            )
        if kind.kind == "callable":
            return convert_callable(kind, value, source.folder, path, report, trusted=self.trusted)
        if kind.kind == "tools":
            return self._tools(value, source, path)
        if kind.kind in ("knowledge", "knowledge_config"):
            from crewkit._config._knowledge import convert_knowledge, convert_knowledge_config

            convert = convert_knowledge if kind.kind == "knowledge" else convert_knowledge_config
            return convert(value, source.folder, path, report)
        if value is None and kind.optional:  # an agent or task reference left out
            return True, None
        if kind.kind in ("agent", "agents"):
            return self._agent_refs(kind.kind, value, source, path)
        return self._task_refs(kind.kind, value, source, path)

    def _tools(self, value: Any, source: Source, path: FieldPath) -> tuple[bool, Any]:
        if value is None:
            return True, []
        if not isinstance(value, list):
            source.problem(
                path,
                f"expected a list of tool names, found {describe(value)}",
                "e.g. tools: [search, tools:word_count]",
            )
            return False, None
        tools: list[Any] = []
        ok = True
        for index, item in enumerate(value):
            good, tool = convert_tool(
                item, source.folder, (*path, index), source.problem, trusted=self.trusted
            )
            ok = ok and good
            if good:
                tools.extend(tool if isinstance(tool, list) else [tool])
        return ok, tools

    def _agent_refs(
        self, kind: str, value: Any, source: Source, path: FieldPath
    ) -> tuple[bool, Any]:
        if kind == "agents":
            if not isinstance(value, list):
                source.problem(path, f"expected a list of agent keys, found {describe(value)}", "")
                return False, None
            results = [
                self._agent_refs("agent", v, source, (*path, i)) for i, v in enumerate(value)
            ]
            return all(ok for ok, _ in results), [v for _, v in results]
        if isinstance(value, dict):  # an agent defined in place, e.g. manager_agent: {role: ...}
            agent = self.build_object(Agent, value, source, path, str(path[-1]))
            return agent is not None, agent
        if not isinstance(value, str):
            source.problem(
                path,
                f"expected an agent key, found {describe(value)}",
                f"agents: {', '.join(self.agents)}",
            )
            return False, None
        if value not in self.agents:
            source.problem(
                path,
                f"unknown agent {value!r}; agents: {', '.join(self.agents) or 'none'}",
                did_you_mean(value, list(self.agents)),
            )
            return False, None
        agent = self.agents[value]
        return agent is not None, agent  # None: its own problems are already reported

    def _task_refs(
        self, kind: str, value: Any, source: Source, path: FieldPath
    ) -> tuple[bool, Any]:
        if kind == "task":
            return self._one_task(value, source, path)
        if not isinstance(value, list):
            hint = f"write a list: [{value}]" if isinstance(value, str) else ""
            source.problem(path, f"expected a list of task keys, found {describe(value)}", hint)
            return False, None
        results = [self._one_task(v, source, (*path, i)) for i, v in enumerate(value)]
        return all(ok for ok, _ in results), [v for _, v in results]

    def _one_task(self, value: Any, source: Source, path: FieldPath) -> tuple[bool, Any]:
        if not isinstance(value, str) or value not in self.task_keys:
            source.problem(
                path,
                f"unknown task {value!r}; tasks: {', '.join(self.task_keys)}",
                did_you_mean(value, self.task_keys),
            )
            return False, None
        task = self.tasks.get(value)
        return task is not None, task  # missing: a later task or a broken one, reported elsewhere


def _noun(cls: type) -> str:
    """How a definition is named in messages, also for subclasses of Agent and Task."""
    for base, noun in ((Agent, "agent"), (Task, "task"), (Crew, "crew")):
        if issubclass(cls, base):
            return noun
    return cls.__name__.lower()
