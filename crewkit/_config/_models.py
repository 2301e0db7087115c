"""Models in crew files: ``llm:`` as a model string or as a mapping with the model's settings, and
the checks ``crewkit validate`` and ``kickoff`` make before any model is called — that the model
can be built here (a model name, its API key, the local extra) and that a local server answers.

.. code-block:: yaml

    llm: {model: ollama/llama3.2, temperature: 0.2, timeout: 300}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crewkit._config._fields import FieldKind
from crewkit._config._source import FieldPath, describe, did_you_mean
from crewkit._text import is_text

Report = Callable[[FieldPath, str, str], None]
Result = tuple[bool, Any]
_FAILED: Result = (False, None)
_IN_PROCESS_SETTINGS = {"temperature"}
"""What applies to the embedded model: it has no HTTP timeout."""


@dataclass(frozen=True)
class ModelRules:
    """How the loader treats every model it meets."""

    override: str | None = None
    """``--model``: replaces every model named in the files."""
    settings: Mapping[str, Any] = field(default_factory=dict)
    """``--timeout``/``--temperature``: given to every model that takes them."""
    check: bool = False
    """Build each model now and connect to local servers (validate and kickoff do)."""


def convert_llm(
    kind: FieldKind, value: Any, path: FieldPath, report: Report, rules: ModelRules | None = None
) -> Result:
    """A model string whose provider is registered (``mock``, ``openai/gpt-4o-mini``...), or a
    mapping ``{model: ..., <setting>: ...}``; with settings the result is a model object."""
    rules = rules or ModelRules()
    if value is None and kind.optional:
        return True, None
    settings: dict[str, Any] = {}
    if isinstance(value, dict):
        spec = value.get("model")
        settings = {str(k): v for k, v in value.items() if k != "model"}
        if not is_text(spec):
            report(
                path,
                f"a model given as a mapping needs model: <provider/model>, found {describe(spec)}",
                "e.g. llm: {model: ollama/llama3.2, temperature: 0.2, timeout: 300}",
            )
            return _FAILED
        value = spec
    if not is_text(value):
        report(
            path,
            f"expected a model string such as 'mock' or 'provider/model', found {describe(value)}",
            "",
        )
        return _FAILED
    spec = (rules.override or value).strip()
    if not _known_provider(spec, path, report):
        return _FAILED
    settings = _applicable(spec, {**settings, **rules.settings})
    if not settings and not rules.check:
        return True, spec
    built = build_model(spec, settings, path, report)
    if built is None:
        return _FAILED
    if rules.check:
        down = model_server_down(built)
        if down is not None:
            report(path, f"{spec!r}: {down}", "start the server, or choose another model")
            return _FAILED
    return True, built if settings else spec


def _known_provider(spec: str, path: FieldPath, report: Report) -> bool:
    from crewkit.llm._registry import canonical, providers

    provider = canonical(spec).partition("/")[0]  # gpt-4o, ollama_chat/... as CrewAI users write
    known = providers()
    if provider not in known:
        report(
            path,
            f"unknown model provider {provider!r} in {spec!r}; known providers: {', '.join(known)}",
            did_you_mean(provider, known),
        )
        return False
    return True


def _applicable(spec: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings that apply to ``spec``: none for the mock model, no timeout for the embedded
    one; everything else is the backend's to accept or refuse."""
    from crewkit.llm._registry import canonical

    provider = canonical(spec).partition("/")[0]
    if provider == "mock":
        return {}
    if provider == "local":
        return {k: v for k, v in settings.items() if k in _IN_PROCESS_SETTINGS}
    return settings


def build_model(spec: str, settings: Mapping[str, Any], path: FieldPath, report: Report) -> Any:
    """The model object for ``spec``, or ``None`` after reporting why it cannot be built here
    (no model name, a missing API key, a missing extra, a setting it does not take)."""
    from crewkit.errors import ConfigurationError
    from crewkit.llm._registry import resolve_llm

    try:
        return resolve_llm(spec, **settings)
    except ConfigurationError as exc:
        report(path, str(exc), "")
    except (TypeError, ValueError) as exc:
        report(path, f"{spec!r}: {exc}", "")
    return None


def model_server_down(llm: Any) -> str | None:
    """Why ``llm``'s server on this machine does not answer, or ``None``."""
    from crewkit.llm._reach import local_server_down

    return local_server_down(getattr(llm, "endpoint", None))
