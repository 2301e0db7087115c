"""Sending a crew to worker processes: pickled whole (cloudpickle when installed, so functions and
classes defined in a script travel too), or a clear error naming the one part that cannot go."""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from typing import Any

from crewkit._config._imports import USER_MODULE_PREFIX
from crewkit.errors import ConfigurationError


def _pickler() -> Any:
    try:
        import cloudpickle
    except ImportError:
        return pickle
    # Tool modules that crew.yaml loaded from its folder have names no worker can import: they
    # travel by value, like functions defined in a script.
    for name, module in list(sys.modules.items()):
        if name.startswith(USER_MODULE_PREFIX) and module is not None:
            cloudpickle.register_pickle_by_value(module)
    return cloudpickle


def dump_crew(crew: Any) -> bytes:
    """The crew as bytes a worker can load with :func:`load_crew`."""
    module = _pickler()
    try:
        return bytes(module.dumps(crew))
    except Exception as error:
        path, culprit, reason = _first_unpicklable(crew, module) or ("crew", crew, error)
        hint = (
            ""
            if module is not pickle
            else " (installing cloudpickle, crewkit[ray], lets functions and classes defined "
            "in a script travel)"
        )
        raise ConfigurationError(
            f"this crew cannot be sent to worker processes: {path} "
            f"({type(culprit).__name__}) cannot be pickled: {reason}{hint}. Define it at module "
            "level, or give it __getstate__/__reduce__, or run the batch in this process "
            "(--executor local)"
        ) from None


def load_crew(data: bytes) -> Any:
    """The crew :func:`dump_crew` wrote."""
    return pickle.loads(data)  # cloudpickle output loads with plain pickle


def _parts(crew: Any) -> Iterator[tuple[str, Any]]:
    """The user-supplied parts of a crew, with where each sits, most specific last."""
    for name in ("llm", "manager_llm", "manager_agent", "memory", "step_callback", "task_callback"):
        yield f"crew.{name}", getattr(crew, name, None)
    for i, listener in enumerate(getattr(crew, "listeners", ()) or ()):
        yield f"crew.listeners[{i}]", listener
    for i, agent in enumerate(getattr(crew, "agents", ()) or ()):
        where = f"crew.agents[{i}] ({getattr(agent, 'role', '?')!r})"
        yield f"{where}.llm", getattr(agent, "llm", None)
        for j, tool in enumerate(getattr(agent, "tools", ()) or ()):
            yield f"{where}.tools[{j}] ({getattr(tool, 'name', '?')!r})", tool
    for i, task in enumerate(getattr(crew, "tasks", ()) or ()):
        where = f"crew.tasks[{i}] ({getattr(task, 'name', None) or i!r})"
        for name in ("guardrail", "callback", "output_pydantic", "output_json"):
            yield f"{where}.{name}", getattr(task, name, None)
        for j, tool in enumerate(getattr(task, "tools", None) or ()):
            yield f"{where}.tools[{j}]", tool


def _first_unpicklable(crew: Any, module: Any) -> tuple[str, Any, Exception] | None:
    for path, part in _parts(crew):
        if part is None:
            continue
        try:
            module.dumps(part)
        except Exception as error:
            return path, part, error
    return None
