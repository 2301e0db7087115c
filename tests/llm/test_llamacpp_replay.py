"""A run recorded against a real llama.cpp server (SmolLM2-135M), replayed with no server at all:
every request the crew makes must equal the recorded one exactly, and the output must be the
recorded output byte for byte. Runs everywhere; needs neither llama.cpp nor the network."""

from __future__ import annotations

from pathlib import Path

from local_support import weather_crew

from crewkit.events import Event, ToolCallStarted
from crewkit.llm import cassette
from crewkit.llm._openai import LlamaCppChat

TAPE = Path(__file__).parent / "cassettes" / "llamacpp_one_tool.jsonl"
OUTPUT = TAPE.with_suffix(".out.txt")


def test_the_recorded_llama_cpp_run_replays_byte_for_byte() -> None:
    events: list[Event] = []
    # Port 9 (discard) is never contacted: replay answers every request from the tape.
    llm = LlamaCppChat(
        "smollm2-135m", base_url="http://127.0.0.1:9/v1", temperature=0.0, seed=0, max_tokens=256
    )
    with cassette(TAPE, mode="replay") as replay:
        output = weather_crew(llm, [events.append]).kickoff()
    replay.assert_complete()
    assert output.raw == OUTPUT.read_text(encoding="utf-8")
    [tool_call] = [e for e in events if isinstance(e, ToolCallStarted)]
    assert (tool_call.tool_name, tool_call.arguments) == ("get_weather", {"city": "Paris"})
