"""Definitions built the CrewAI way: ``config=`` dicts (from agents.yaml / tasks.yaml) and keyword
arguments crewkit has no field for.

``Agent(config=..., **kwargs)``: the dict's keys become keyword arguments; explicit keywords win.
Keys that are CrewAI settings crewkit does not need are accepted with one
:class:`~crewkit.errors.CompatibilityWarning` each, naming what is ignored; a key that is neither is
an error for a keyword argument and a warning inside ``config`` (CrewAI ignores such YAML keys).
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from crewkit.errors import CompatibilityWarning, ConfigurationError

C = TypeVar("C", bound=type)

_NOT_NEEDED = "crewkit has no such setting; it is ignored"
CREWAI_ONLY: dict[str, dict[str, str]] = {
    "Agent": {
        "cache": "crewkit answers a repeated identical tool call from the task's own results",
        "memory": "memory is shared by the crew: use Crew(memory=True)",
        "respect_context_window": _NOT_NEEDED,
        "max_retry_limit": "model calls are retried by the backend (429, 5xx, timeouts)",
        "use_system_prompt": _NOT_NEEDED,
        "inject_date": _NOT_NEEDED,
        "date_format": _NOT_NEEDED,
        "multimodal": _NOT_NEEDED,
        "reasoning": _NOT_NEEDED,
        "max_reasoning_attempts": _NOT_NEEDED,
        "max_tokens": "set max_tokens on the model (LLM(max_tokens=...)) or a budget on the Crew",
        "function_calling_llm": "the agent's own model makes its tool calls",
        "system_template": "crewkit's prompts are templates in prompts/",
        "prompt_template": "crewkit's prompts are templates in prompts/",
        "response_template": "crewkit's prompts are templates in prompts/",
        "embedder": "give Crew(memory=Memory(embedder=...))",
        "callbacks": _NOT_NEEDED,
        "step_callback": "use Crew(step_callback=...)",
        "allow_code_execution": "crewkit does not run model-written code",
        "code_execution_mode": "crewkit does not run model-written code",
        "knowledge_sources": "knowledge sources are not supported",
        "mcps": "MCP servers are not supported here",
        "id": _NOT_NEEDED,
    },
    "Task": {
        "markdown": _NOT_NEEDED,
        "create_directory": "output_file folders are always created",
        "id": _NOT_NEEDED,
        "callbacks": "use callback= (one function) or Crew(task_callback=...)",
        "allow_crewai_trigger_context": _NOT_NEEDED,
        "verbose": "use Agent(verbose=True) or Crew(verbose=True)",
        "config": _NOT_NEEDED,
    },
    "Crew": {
        "tracing": "crewkit sends nothing anywhere; use listeners= for your own tracing",
        "share_crew": "crewkit sends nothing anywhere",
        "cache": _NOT_NEEDED,
        "embedder": "give Crew(memory=Memory(embedder=...))",
        "full_output": "CrewOutput.tasks_output always has every task's output",
        "output_log_file": "use listeners= or CREWKIT_CASSETTE to record a run",
        "function_calling_llm": "each agent's own model makes its tool calls",
        "language": _NOT_NEEDED,
        "knowledge_sources": "knowledge sources are not supported",
        "chat_llm": _NOT_NEEDED,
        "id": _NOT_NEEDED,
        "prompt_file": "crewkit's prompts are templates in prompts/",
    },
}
_warned: set[tuple[str, str]] = set()


def crewai_arguments(cls: C | None = None, *, name: str | None = None) -> Any:
    """Let the dataclass ``cls`` take ``config=`` and CrewAI's extra keyword arguments; ``name`` is
    how messages call the class (default: its own name)."""
    if cls is None:
        return functools.partial(crewai_arguments, name=name)
    init: Callable[..., None] = vars(cls)["__init__"]  # the dataclass's generated one
    fields = [f.name for f in dataclasses.fields(cls) if f.init]
    name = name or cls.__name__

    @functools.wraps(init)
    def __init__(
        self: Any, *args: Any, config: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> None:
        given = set(fields[: len(args)]) | set(kwargs)
        if config is not None:
            if not isinstance(config, Mapping):
                raise ConfigurationError(
                    f"{name}(config=...) must be a mapping (an entry of a YAML file), got {config!r}"
                )
            for key, value in config.items():
                if key not in given and value is not None:
                    kwargs[str(key)] = value.strip() if isinstance(value, str) else value
        for key in [k for k in kwargs if k not in fields]:
            _unknown(name, key, fields, from_config=key not in given)
            del kwargs[key]
        init(self, *args, **kwargs)

    type.__setattr__(cls, "__init__", __init__)
    return cls


def _unknown(owner: str, key: str, fields: list[str], *, from_config: bool) -> None:
    reason = CREWAI_ONLY.get(owner, {}).get(key)
    if reason is None and not from_config:
        import difflib

        close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
        raise ConfigurationError(
            f"{owner}() got an unexpected keyword argument {key!r}"
            + (f"; did you mean {close[0]!r}?" if close else f"; accepted: {', '.join(fields)}")
        )
    detail = reason or "not a setting of crewkit or CrewAI; it is ignored"
    warn_once((owner, key), f"{owner}({key}=...): {detail}", stacklevel=3)


def warn_once(key: tuple[str, str], message: str, *, stacklevel: int = 3) -> None:
    """Emit ``message`` as a :class:`CompatibilityWarning` the first time ``key`` is seen;
    ``stacklevel`` counts from the caller of this function."""
    if key in _warned:
        return
    _warned.add(key)
    warnings.warn(message, CompatibilityWarning, stacklevel=stacklevel + 1)
