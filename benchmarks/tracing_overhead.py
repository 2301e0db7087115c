"""What OpenTelemetry tracing adds to a kickoff: tracing off, spans to the SDK's in-memory exporter,
and spans batched over real OTLP/HTTP to a receiver on 127.0.0.1.

    python benchmarks/tracing_overhead.py [kickoffs per round] [rounds]

Two crews, the same 2 agents, 2 tasks, 1 tool call and 3 model calls (7 spans):
- ``instant``: a model that answers in-process at once, so the kickoff is all orchestration and
  the tracer's share is as large as it can be;
- ``50 ms``: the same model answering after 50 ms, still faster than hosted models (hundreds of
  ms to seconds per call): the share a real run sees.
Modes run interleaved, round by round, and each figure is the median of the rounds' medians, so
a busy shared machine slows all modes alike. Prints figures; asserts nothing. Needs crewkit[otel].
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

sys.path.insert(0, str(Path(__file__).parent))
from kickoff_overhead import InstantLLM, build

from crewkit import Crew, tracing
from crewkit.llm import LLM, ModelRequest, ModelResponse

SPANS_PER_KICKOFF = 7


class _Receiver:
    """Receives OTLP/HTTP span exports on 127.0.0.1 and counts them."""

    def __init__(self) -> None:
        self.exports = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["content-length"]))
                receiver.exports += 1
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


class SteadyLLM(LLM):
    """The instant model, answering after ``latency`` seconds (a fast hosted model takes more)."""

    provider = "steady"

    def __init__(self, latency: float) -> None:
        self.model, self.latency, self.inner = "steady", latency, InstantLLM()

    async def complete(self, request: ModelRequest) -> ModelResponse:
        await asyncio.sleep(self.latency)
        return await self.inner.complete(request)


def steady_crew(latency: float) -> Crew:
    crew = build()
    crew.llm = SteadyLLM(latency)
    return crew


async def median_ms(crew: Crew, n: int) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await crew.kickoff_async({"topic": "tea"})
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def main(n: int, rounds: int) -> None:
    server = _Receiver()
    memory = InMemorySpanExporter()
    in_memory = TracerProvider()
    in_memory.add_span_processor(SimpleSpanProcessor(memory))
    otlp = TracerProvider()
    otlp.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{server.url}/v1/traces"))
    )
    modes = {"off": None, "in-memory": in_memory, "otlp-http": otlp}
    crews = {"instant": build(), "50 ms": steady_crew(0.05)}
    for crew in crews.values():  # warm up: templates, schemas, connections, the SDK
        for provider in modes.values():
            tracing.instrument(provider) if provider else tracing.uninstrument()
            await median_ms(crew, 20)
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for crew_name, crew in crews.items():
            for mode, provider in modes.items():
                tracing.instrument(provider) if provider else tracing.uninstrument()
                results.setdefault((crew_name, mode), []).append(await median_ms(crew, n))
                memory.clear()
    tracing.uninstrument()
    otlp.force_flush()
    print(f"kickoff with tracing ({SPANS_PER_KICKOFF} spans each), median of {rounds} rounds "
          f"x {n} kickoffs:")  # fmt: skip
    for crew_name in crews:
        off = statistics.median(results[(crew_name, "off")])
        print(f"  {crew_name} model: off {off:.3f} ms")
        for mode in ("in-memory", "otlp-http"):
            on = statistics.median(results[(crew_name, mode)])
            extra = on - off
            print(
                f"    {mode:9}: {on:.3f} ms  (+{extra:.3f} ms, {100 * extra / off:+.1f}%, "
                f"{1000 * extra / SPANS_PER_KICKOFF:.0f} us per span; target <= +5%)"
            )
    print(f"  OTLP export requests received: {server.exports}")
    worst = statistics.median(results[("instant", "otlp-http")]) - statistics.median(
        results[("instant", "off")]
    )
    print(f"  tracing stays within 5% once each model call takes >= {20 * worst / 3:.1f} ms")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*(args + [200, 5][len(args) :])))
