"""crewkit's own cost per kickoff: a 2-agent, 2-task crew with one tool call on an instant model.

    python benchmarks/kickoff_overhead.py [kickoffs]

Prints the median and p95 per kickoff and per task. The model answers instantly, so this is all
orchestration: prompt rendering, tool validation, events, usage accounting.

Then the HTTP client's own cost per model call, against an OpenAI-compatible server on 127.0.0.1
that answers at once: calls sharing their loop's connection pool (what a kickoff does), beside a
fresh client per call (crewkit before pooling; here a new model object whose pool is closed after
its one call, so the figure also holds the object's construction, a few microseconds).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crewkit import Agent, Crew, Task, tool
from crewkit.llm import LLM, Message, ModelRequest, ModelResponse, OpenAIChat, ToolCall, Usage


@tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


class InstantLLM(LLM):
    """Calls the tool once if offered and not yet called, then answers; no per-call bookkeeping."""

    provider = "instant"

    async def complete(self, request: ModelRequest) -> ModelResponse:
        if request.tools and not any(m.role == "tool" for m in request.messages):
            return ModelResponse(
                tool_calls=(ToolCall("lookup", {"key": "k"}, "c1"),), usage=Usage(10, 2)
            )
        return ModelResponse(text="done", usage=Usage(12, 1))


def build() -> Crew:
    llm = InstantLLM()
    a = Agent(role="Researcher", goal="Find {topic}", backstory="Curious.", tools=[lookup])
    b = Agent(role="Writer", goal="Write about {topic}", backstory="Clear.")
    return Crew(
        agents=[a, b],
        tasks=[
            Task("Research {topic}", "facts", agent=a),
            Task("Write on {topic}", "text", agent=b),
        ],
        llm=llm,
    )


async def main(n: int) -> None:
    crew = build()
    for _ in range(50):  # warm up: template compilation, schema building
        await crew.kickoff_async({"topic": "tea"})
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await crew.kickoff_async({"topic": "tea"})
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    median = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"kickoff (2 agents, 2 tasks, 1 tool call, 3 model calls), {n} runs:")
    print(f"  median {median:.3f} ms, p95 {p95:.3f} ms per kickoff")
    print(f"  median {median / 2:.3f} ms per task (target <= 2 ms)")

    await http_calls(max(n // 10, 50))


_REPLY = json.dumps(
    {
        "choices": [{"message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1},
    }
).encode()


class _Chat(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    disable_nagle_algorithm = True  # else headers and body, written apart, wait for an ACK

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(_REPLY)))
        self.end_headers()
        self.wfile.write(_REPLY)


async def http_calls(n: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Chat)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    request = ModelRequest((Message("user", "Hi"),))

    async def fresh_client() -> None:
        llm = OpenAIChat("m", base_url=url)
        await llm.complete(request)
        await (await llm._pools.get()).aclose()

    shared = OpenAIChat("m", base_url=url)
    ways = {"shared pool": lambda: shared.complete(request), "client per call": fresh_client}
    results: dict[str, list[float]] = {name: [] for name in ways}
    for round_ in range(6):  # interleaved, the first round a warm-up
        for name, call in ways.items():
            samples = []
            for _ in range(n):
                start = time.perf_counter()
                await call()
                samples.append((time.perf_counter() - start) * 1000)
            if round_:
                results[name].append(statistics.median(samples))
    print(f"model call over loopback HTTP (instant server), median of 5 rounds x {n} calls:")
    for name, medians in results.items():
        print(f"  {name:15}: {statistics.median(medians):.3f} ms per call")
    server.shutdown()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
