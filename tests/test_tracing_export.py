"""Tracing from the environment: ``CREWKIT_OTEL=1`` exports over real OTLP/HTTP to a receiver the
test starts on 127.0.0.1, and with tracing off a run opens no connection at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.extras import require_extra

RUN_A_CREW = """
from crewkit import Agent, Crew, Task, tool
from crewkit.testing import MockLLM

@tool
def lookup(key: str) -> str:
    '''Look a key up.'''
    return "value of " + key

agent = Agent(role="Analyst", goal="Answer", backstory="Careful.", tools=[lookup])
crew = Crew(agents=[agent], tasks=[Task("Find tea facts", "facts", agent=agent)], llm=MockLLM(),
            name="lab")
output = crew.kickoff()
"""


class OTLPReceiver:
    """An OTLP/HTTP trace receiver: decodes each ``/v1/traces`` request with opentelemetry-proto."""

    def __init__(self) -> None:
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

        self.requests: list[tuple[str, dict[str, str], Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                decoded = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append((self.path, headers, decoded))
                reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def spans(self) -> list[Any]:
        return [
            span
            for _, _, request in self.requests
            for resource in request.resource_spans
            for scope in resource.scope_spans
            for span in scope.spans
        ]


@pytest.fixture
def receiver() -> Iterator[OTLPReceiver]:
    require_extra("otel")
    r = OTLPReceiver()
    yield r
    r.httpd.shutdown()


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "CREWKIT_OTEL"))}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_crewkit_otel_exports_spans_over_otlp_http_as_the_standard_variables_say(
    receiver: OTLPReceiver,
) -> None:
    done = run_python(
        RUN_A_CREW,
        CREWKIT_OTEL="1",
        OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url,
        OTEL_EXPORTER_OTLP_HEADERS="x-team=blue",
        OTEL_SERVICE_NAME="tea-lab",
    )
    assert done.returncode == 0, done.stderr
    paths = {path for path, _, _ in receiver.requests}
    assert paths == {"/v1/traces"}
    assert all(headers["x-team"] == "blue" for _, headers, _ in receiver.requests)
    resource = receiver.requests[0][2].resource_spans[0].resource
    service = {a.key: a.value.string_value for a in resource.attributes}["service.name"]
    assert service == "tea-lab"
    spans = receiver.spans()
    names = sorted(s.name for s in spans)
    assert names == [
        "chat mock",
        "chat mock",
        "execute_tool lookup",
        "invoke_agent Analyst",
        "invoke_workflow lab",
    ]
    by_id = {s.span_id: s for s in spans}
    chat = next(s for s in spans if s.name == "chat mock")
    assert by_id[chat.parent_span_id].name == "invoke_agent Analyst"
    attributes = {a.key: a.value for a in chat.attributes}
    assert attributes["gen_ai.usage.input_tokens"].int_value > 0
    assert attributes["gen_ai.provider.name"].string_value == "mock"
    assert "gen_ai.input.messages" not in attributes


def test_crewkit_otel_content_adds_the_messages(receiver: OTLPReceiver) -> None:
    done = run_python(
        RUN_A_CREW,
        CREWKIT_OTEL="1",
        CREWKIT_OTEL_CONTENT="1",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=f"{receiver.url}/v1/traces",
    )
    assert done.returncode == 0, done.stderr
    chat = next(s for s in receiver.spans() if s.name == "chat mock")
    attributes = {a.key: a.value.string_value for a in chat.attributes}
    assert (
        "Find tea facts"
        in json.loads(attributes["gen_ai.input.messages"])[0]["parts"][0]["content"]
    )


@pytest.mark.extra("otel")
def test_an_unsupported_otlp_protocol_is_a_clear_error_before_any_model_call() -> None:
    done = run_python(
        RUN_A_CREW + "\nprint('ran')", CREWKIT_OTEL="1", OTEL_EXPORTER_OTLP_PROTOCOL="http/json"
    )
    assert done.returncode != 0
    assert "OTEL_EXPORTER_OTLP_PROTOCOL='http/json' is not supported" in done.stderr
    assert "ran" not in done.stdout


SOCKET_GUARD = (
    """
import atexit, json, socket, sys
attempts = []
def refuse(*args, **kwargs):
    attempts.append(repr(args[1:] if len(args) > 1 else args))
    raise OSError("connections are forbidden in this test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
answer = []
def report():  # registered first, so it runs after every other exit hook (exporters flush there)
    print(json.dumps({
        "attempts": attempts,
        "otel": sorted(m for m in sys.modules if m.startswith("opentelemetry")),
        "answer": answer,
    }))
atexit.register(report)
"""
    + RUN_A_CREW
    + """
events = list(crew.stream())
answer.append(output.raw[:20])
from crewkit.costs import price  # the price table is local data: pricing sends nothing either
from crewkit.llm import Usage
answer.append(str(price("openai", "gpt-4o", Usage(1000, 200))))
"""
)


def test_with_tracing_off_a_run_opens_no_connection_and_loads_no_opentelemetry() -> None:
    done = run_python(SOCKET_GUARD)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["answer"][0].startswith("Analyst completed")
    assert report["answer"][1] in ("$0.0045", "unknown")  # unknown without crewkit[prices]
    assert report["attempts"] == []
    assert report["otel"] == []


def test_the_socket_guard_sees_an_exporter_connect(receiver: OTLPReceiver) -> None:
    done = run_python(SOCKET_GUARD, CREWKIT_OTEL="1", OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["attempts"], "the guard must notice the exporter's connection"
    assert report["otel"]
