"""A recorded run as OTLP/JSON spans (``crewkit runs export ID --format otlp-json``): the same
spans the live tracer sends, built from the journaled events, with no OpenTelemetry package needed.
Load the file into any OTLP receiver (``curl -H 'content-type: application/json' --data
@run.json http://collector:4318/v1/traces``) to see an old run in a tracing tool.

Ids are derived from the run's ids (sha256), so exporting a run twice gives the same trace.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from crewkit.events import AgentFinished, AgentStarted, Event, Failed, TaskStarted
from crewkit.tracing import _genai

_KIND = {"internal": 1, "client": 3}  # OTLP SpanKind numbers
_ERROR = 2  # OTLP StatusCode ERROR


def otlp_json(events: Iterable[Event], *, include_content: bool = False) -> dict[str, Any]:
    """An ``ExportTraceServiceRequest`` in OTLP's JSON encoding, for ``events`` of one or more
    runs."""
    from crewkit.tracing._genai import crewkit_version

    spans: list[dict[str, Any]] = []
    open_spans: dict[str, dict[str, Any]] = {}
    parents: dict[str, str] = {}  # crewkit span id -> crewkit span id its children nest under
    tasks: set[str] = set()
    folded: set[str] = set()
    for event in events:
        nanos = str(int(event.timestamp * 1e9))
        if isinstance(event, AgentStarted) and event.parent_id in tasks:
            folded.add(event.span_id)
            parents[event.span_id] = parents.get(event.parent_id or "", event.parent_id or "")
            continue
        start = _genai.opening(event, include_content)
        if start is not None:
            parent = parents.get(event.parent_id or "", event.parent_id)
            span: dict[str, Any] = {
                "traceId": _id(event.run_id, 32),
                "spanId": _id(event.span_id, 16),
                "name": start.name,
                "kind": _KIND[start.kind],
                "startTimeUnixNano": nanos,
                "endTimeUnixNano": nanos,
                "attributes": _attributes(start.attributes),
                "status": {},
            }
            if parent:
                span["parentSpanId"] = _id(parent, 16)
            spans.append(span)
            open_spans[event.span_id] = span
            parents[event.span_id] = event.span_id
            if isinstance(event, TaskStarted):
                tasks.add(event.span_id)
            continue
        if event.span_id in folded and isinstance(event, (AgentFinished, Failed)):
            continue
        if event.span_id not in open_spans:
            continue
        span = open_spans.pop(event.span_id)
        span["endTimeUnixNano"] = nanos
        if isinstance(event, Failed):
            error_type, description = _genai.failure(event, include_content)
            span["attributes"] += _attributes({"error.type": error_type})
            span["status"] = {"code": _ERROR, **({"message": description} if description else {})}
        else:
            span["attributes"] += _attributes(_genai.closing(event, include_content))
    resource = _attributes({"service.name": "crewkit"})
    scope = {"name": "crewkit", "version": crewkit_version()}
    return {"resourceSpans": [{"resource": {"attributes": resource},
                               "scopeSpans": [{"scope": scope, "spans": spans}]}]}  # fmt: skip


def _id(text: str, digits: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:digits]


def _attributes(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "value": _value(value)} for key, value in values.items()]


def _value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, (list, tuple)):
        return {"arrayValue": {"values": [_value(v) for v in value]}}
    return {"stringValue": str(value)}
