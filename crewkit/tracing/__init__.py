"""Send a run's steps to the tracing tool you already run (Jaeger, Grafana Tempo, Langfuse, Phoenix,
Logfire ... anything that speaks OpenTelemetry). crewkit sends nothing anywhere until you ask.

``crewkit.tracing.instrument()`` (needs ``pip install 'crewkit[otel]'``) makes every run emit
spans that follow the OpenTelemetry GenAI conventions::

    invoke_workflow {crew}            one per kickoff
      invoke_agent {role}             one per task (and per agent doing delegated work)
        chat {model}                  one per model call: provider, models, tokens, finish reasons
        execute_tool {tool}           one per tool call; a delegation's agent nests under it

Message content (prompts, replies, tool arguments and results, error texts) is recorded only with
``include_content=True``. Without code: ``CREWKIT_OTEL=1`` instruments every run of the process and,
unless an OpenTelemetry SDK is already configured, exports over OTLP/HTTP as the standard
``OTEL_EXPORTER_OTLP_*`` and ``OTEL_SERVICE_NAME`` variables say (``CREWKIT_OTEL_CONTENT=1`` adds
content).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crewkit.errors import ConfigurationError

__all__ = ["instrument", "instrumented", "uninstrument"]

_INSTALL = "pip install 'crewkit[otel]'"
_unsubscribe: Callable[[], None] | None = None


def instrument(tracer_provider: Any = None, *, include_content: bool = False) -> None:
    """Trace every run from now on with ``tracer_provider`` (default: OpenTelemetry's global
    one). Calling it again replaces the previous setting."""
    try:
        from opentelemetry import trace
    except ImportError:
        raise ConfigurationError(f"tracing needs OpenTelemetry: {_INSTALL}") from None
    from crewkit.events import subscribe
    from crewkit.tracing._genai import crewkit_version
    from crewkit.tracing._otel import SpanListener

    global _unsubscribe
    uninstrument()
    provider = tracer_provider if tracer_provider is not None else trace.get_tracer_provider()
    listener = SpanListener(provider.get_tracer("crewkit", crewkit_version()), include_content)
    _unsubscribe = subscribe(listener)


def uninstrument() -> None:
    """Stop tracing runs that start from now on."""
    global _unsubscribe
    if _unsubscribe is not None:
        _unsubscribe()
        _unsubscribe = None


def instrumented() -> bool:
    """Whether runs are being traced."""
    return _unsubscribe is not None
