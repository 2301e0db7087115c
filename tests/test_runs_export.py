"""``crewkit runs export``: a journaled run's events as JSON lines, its spans as OTLP/JSON."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from test_cli import GOOD, crewkit, write


def kickoff(tmp_path: Path) -> str:
    write(tmp_path, {"crew.yaml": GOOD})
    done = crewkit(
        "kickoff", "crew.yaml", "-i", "tea", "--run-id", "tea-1", "--journal", "runs.db",
        "--trace", "live.jsonl", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return "tea-1"


def test_export_jsonl_gives_the_events_of_the_live_stream_without_the_pieces(
    tmp_path: Path,
) -> None:
    run_id = kickoff(tmp_path)
    done = crewkit("runs", "export", run_id, "--journal", "runs.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    exported = [json.loads(line) for line in done.stdout.splitlines()]
    live = [json.loads(line) for line in (tmp_path / "live.jsonl").read_text().splitlines()]
    pieces = ("ModelTextDelta", "ToolCallDelta", "ModelStreamRestarted")
    expected = [(r["seq"], r["type"], r["span_id"]) for r in live if r["type"] not in pieces]
    assert [(r["seq"], r["type"], r["span_id"]) for r in exported] == expected
    assert exported[-1]["output"]["raw"] == live[-1]["output"]["raw"]


@pytest.mark.extra("otel")
def test_export_otlp_json_is_a_valid_trace_export_request(tmp_path: Path) -> None:
    from google.protobuf import json_format
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as trace_service

    run_id = kickoff(tmp_path)
    done = crewkit(
        "runs", "export", run_id, "--format", "otlp-json", "-o", "trace.json",
        "--journal", "runs.db", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "trace.json").read_text())
    # OTLP/JSON writes ids as hex; protobuf's JSON mapping wants base64: convert to parse.
    for span in data["resourceSpans"][0]["scopeSpans"][0]["spans"]:
        for key in ("traceId", "spanId", "parentSpanId"):
            if key in span:
                span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
    request = json_format.ParseDict(data, trace_service.ExportTraceServiceRequest())
    spans = list(request.resource_spans[0].scope_spans[0].spans)
    by_id = {s.span_id: s for s in spans}
    names = [s.name for s in spans]
    assert names[0].startswith("invoke_workflow ")
    assert names.count("invoke_agent Researcher") == 1 and names.count("invoke_agent Writer") == 1
    chats = [s for s in spans if s.name == "chat mock"]
    assert len(chats) == 2
    assert all(by_id[c.parent_span_id].name.startswith("invoke_agent") for c in chats)
    assert {len(s.trace_id) for s in spans} == {16}
    usage = {a.key: a.value.int_value for a in chats[0].attributes if "usage" in a.key}
    assert usage["gen_ai.usage.input_tokens"] > 0
    assert all(s.end_time_unix_nano >= s.start_time_unix_nano for s in spans)


def test_the_runs_list_shows_the_cost_the_journal_summed(tmp_path: Path) -> None:
    kickoff(tmp_path)
    done = crewkit("runs", "--journal", "runs.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if line.startswith("tea-1"))
    assert row.split()[-1] == "$0.0000"  # the mock model is free, so the cost is known
