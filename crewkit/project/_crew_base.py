"""``@CrewBase``: a class whose decorated methods build a crew from agents.yaml and tasks.yaml.

On instantiation the two files are read (paths relative to the class's own file), their text is
stripped, and the names they use — a task's ``agent:``, ``context:``, ``tools:``, ``output_json:``,
``output_pydantic:``, ``callbacks:``, an agent's ``llm:`` and ``tools:`` — are resolved against the
class's decorated methods, so ``Agent(config=self.agents_config["x"])`` receives real objects.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from crewkit.errors import CompatibilityWarning, ConfigurationError
from crewkit.project._decorators import KIND, kind_of

C = TypeVar("C", bound=type)

DEFAULT_AGENTS = "config/agents.yaml"
DEFAULT_TASKS = "config/tasks.yaml"
_TEXT_KEYS = {"role", "goal", "backstory", "description", "expected_output", "name"}


class ConfigKeyError(ConfigurationError, KeyError):
    """A key asked of ``agents_config`` / ``tasks_config`` is not in the file (also a KeyError)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ConfigSection(dict[str, Any]):
    """The entries of agents.yaml or tasks.yaml; a missing key names the file and the keys it has."""

    def __init__(self, data: dict[str, Any], file: str) -> None:
        super().__init__(data)
        self.file = file

    def __missing__(self, key: str) -> Any:
        keys = ", ".join(repr(k) for k in self) or "none"
        raise ConfigKeyError(f"{self.file} has no entry {key!r} (entries: {keys})")


def CrewBase(cls: C) -> C:
    """Turn a class with ``@agent``/``@task``/``@crew`` methods into a crew project class."""
    if not isinstance(cls, type):
        raise ConfigurationError(f"@CrewBase decorates a class, got {cls!r}")
    try:
        folder = Path(inspect.getfile(cls)).resolve().parent
    except (TypeError, OSError):
        folder = Path.cwd()
    type.__setattr__(cls, "base_directory", folder)
    for attr, default in (("agents_config", DEFAULT_AGENTS), ("tasks_config", DEFAULT_TASKS)):
        if not isinstance(cls.__dict__.get(attr), (str, Path)) and attr not in cls.__dict__:
            type.__setattr__(cls, attr, default)
    original: Callable[..., None] = cls.__dict__.get("__init__") or _inherited_init(cls)

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        _set_up(self)

    type.__setattr__(cls, "__init__", __init__)
    type.__setattr__(cls, "_crewkit_crew_base", True)
    return cls


def _inherited_init(cls: type) -> Callable[..., None]:
    init: Callable[..., None] = getattr(super(cls, cls), "__init__")  # noqa: B009
    return init


def decorated(cls: type, kind: str) -> Iterator[tuple[str, Any]]:
    """The ``(name, function)`` pairs of ``cls`` marked ``kind``, in definition order (bases first)."""
    seen: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if kind_of(value) is not None or name in seen:
                seen[name] = value
    for name, value in seen.items():
        if kind_of(value) == kind:
            yield name, value


def _set_up(self: Any) -> None:
    cls = type(self)
    self.agents_config = _load(self, "agents_config", "agent")
    self.tasks_config = _load(self, "tasks_config", "task")
    factories = {
        kind: {name: getattr(self, name) for name, _ in decorated(cls, kind)}
        for kind in ("agent", "task", "tool", "llm", "callback")
    }
    classes = {
        kind: {
            name: value
            for name, value in vars(cls).items()
            if isinstance(value, type) and getattr(value, KIND, None) == kind
        }
        for kind in ("output_json", "output_pydantic")
    }
    where = cls.__name__
    for name, entry in self.agents_config.items():
        if not isinstance(entry, dict):
            continue
        at = f"{self.agents_config.file}: agent {name!r}"
        model = entry.get("llm")
        if isinstance(model, str) and model in factories["llm"]:
            entry["llm"] = factories["llm"][model]()
        entry.update(_tools(entry, factories["tool"], at, where))
    contexts: list[tuple[dict[str, Any], list[Any], str]] = []
    for name, entry in self.tasks_config.items():
        if not isinstance(entry, dict):
            continue
        at = f"{self.tasks_config.file}: task {name!r}"
        if isinstance(entry.get("agent"), str):
            entry["agent"] = _pick(factories["agent"], entry["agent"], "agent", at, where)()
        entry.update(_tools(entry, factories["tool"], at, where))
        for key in ("output_json", "output_pydantic"):
            if isinstance(entry.get(key), str):
                entry[key] = _pick(classes[key], entry[key], key, at, where)
        if isinstance(entry.get("callbacks"), list):
            entry["callbacks"] = [
                _pick(factories["callback"], c, "callback", at, where)()
                if isinstance(c, str)
                else c
                for c in entry["callbacks"]
            ]
        if isinstance(entry.get("context"), list):
            contexts.append((entry, entry["context"], at))
    # Contexts last: a task built for a context already has its agent and tools resolved.
    for entry, names, at in contexts:
        entry["context"] = [
            _pick(factories["task"], n, "task", at, where)() if isinstance(n, str) else n
            for n in names
        ]


def _pick(choices: dict[str, Any], name: str, kind: str, at: str, where: str) -> Any:
    if name in choices:
        return choices[name]
    available = ", ".join(sorted(choices)) or "none"
    decorator = {"output_json": "@output_json class", "output_pydantic": "@output_pydantic class"}
    raise ConfigurationError(
        f"{at} names {kind} {name!r}, but {where} has no {decorator.get(kind, '@' + kind + ' method')} "
        f"of that name (available: {available})"
    )


def _tools(
    entry: dict[str, Any], tools: dict[str, Callable[[], Any]], at: str, where: str
) -> dict[str, Any]:
    names = entry.get("tools")
    if not isinstance(names, list) or not any(isinstance(n, str) for n in names):
        return {}
    return {
        "tools": [_pick(tools, n, "tool", at, where)() if isinstance(n, str) else n for n in names]
    }


def _load(self: Any, attr: str, kind: str) -> ConfigSection:
    value = getattr(type(self), attr, None)
    if isinstance(value, dict):  # the class itself holds the entries
        return ConfigSection(
            {k: _stripped(v) for k, v in value.items()}, f"{type(self).__name__}.{attr}"
        )
    if not isinstance(value, (str, Path)):
        raise ConfigurationError(
            f"{type(self).__name__}.{attr} must be a path to a YAML file, got {value!r}"
        )
    path = Path(value)
    file = path if path.is_absolute() else type(self).base_directory / path
    if not file.exists():
        warnings.warn(
            f"{type(self).__name__}: {kind} config file {file} not found; continuing with no "
            f"{kind} entries",
            CompatibilityWarning,
            stacklevel=4,
        )
        return ConfigSection({}, str(value))
    from crewkit._config._source import read_yaml
    from crewkit.errors import CrewFileError

    problems: list[Any] = []
    source = read_yaml(file, problems)
    if problems:
        raise CrewFileError(problems)
    data = source.data if source.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigurationError(f"{file}: expected a mapping of {kind} names to settings")
    return ConfigSection({str(k): _stripped(v) for k, v in data.items()}, str(value))


def _stripped(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return entry
    return {
        k: (v.strip() if isinstance(v, str) and k in _TEXT_KEYS else v) for k, v in entry.items()
    }
