"""``CREWKIT_OTEL=1``: tracing switched on from the environment, checked once per process when the
first run starts."""

from __future__ import annotations

import importlib
import os
from typing import Any

from crewkit.errors import ConfigurationError

_TRUE = ("1", "true", "yes", "on")
_checked = False


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def instrument_from_environment() -> None:
    """Instrument the process if ``CREWKIT_OTEL`` asks for it and nothing else has."""
    global _checked
    if _checked:
        return
    _checked = True
    from crewkit import tracing

    if not _flag("CREWKIT_OTEL") or _flag("OTEL_SDK_DISABLED") or tracing.instrumented():
        return
    tracing.instrument(_provider(), include_content=_flag("CREWKIT_OTEL_CONTENT"))


def _provider() -> Any:
    """The SDK provider the application configured, else one exporting over OTLP/HTTP per the
    standard variables (endpoint, headers, timeout, compression, service name, batch settings)."""
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise ConfigurationError(
            "CREWKIT_OTEL=1 needs OpenTelemetry: pip install 'crewkit[otel]'"
        ) from None
    configured = trace.get_tracer_provider()
    if isinstance(configured, TracerProvider):
        return configured
    protocol = (
        os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
        or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
        or "http/protobuf"
    ).strip()
    exporters = {
        "http/protobuf": ("opentelemetry.exporter.otlp.proto.http.trace_exporter", "crewkit[otel]"),
        "grpc": ("opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
                 "opentelemetry-exporter-otlp-proto-grpc"),
    }  # fmt: skip
    if protocol not in exporters:
        raise ConfigurationError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r} is not supported; use http/protobuf or grpc"
        )
    module, package = exporters[protocol]
    try:
        exporter = importlib.import_module(module).OTLPSpanExporter()
    except ImportError:
        raise ConfigurationError(
            f"OTLP over {protocol} needs the {package!r} package: pip install '{package}'"
        ) from None
    provider = TracerProvider(resource=Resource.create())
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider
