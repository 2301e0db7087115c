"""A real llama.cpp OpenAI-compatible server on 127.0.0.1 (llama.cpp's own server, from the
prebuilt xllamacpp wheel: ``tests/llm/llama_server.py``) serving SmolLM2-135M: a one-tool crew through
``llamacpp/...`` completes with a valid tool call, and its recording replays identically."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_support import require, weather_crew

import crewkit.llm._openai as openai_backend
from crewkit.events import Event, ToolCallCompleted
from crewkit.llm import cassette, resolve_llm
from crewkit.llm._openai import LlamaCppChat

MODEL_NAME = "smollm2-135m"
SAVE_TO = os.environ.get("CREWKIT_SAVE_LLAMACPP_CASSETTE")
"""Set to a path to keep the recording (how tests/llm/cassettes/ was made)."""
SERVER = Path(__file__).with_name("llama_server.py")


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require(("xllamacpp",))
    # The server logs to stderr; a file, unlike a pipe nobody reads, never fills up and blocks it.
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(SERVER), str(os.cpu_count() or 1)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        assert process.stdin is not None and process.stdout is not None
        try:
            url = process.stdout.readline().strip()  # printed once the model is loaded
            if not url.startswith("http://127.0.0.1:"):
                process.wait(timeout=10)
                error = log_path.read_text(errors="replace")[-2000:]
                pytest.fail(f"the llama.cpp server did not start ({process.returncode}): {error}")
            yield url
        finally:
            process.stdin.close()  # asks the server to exit
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def server_model(url: str) -> LlamaCppChat:
    llm = resolve_llm(
        f"llamacpp/{MODEL_NAME}", base_url=url, temperature=0.0, seed=0, max_tokens=256
    )
    assert isinstance(llm, LlamaCppChat)
    return llm


def test_a_one_tool_crew_completes_through_a_real_llama_cpp_server(
    llama_server: str, tmp_path: Path
) -> None:
    events: list[Event] = []
    tape = tmp_path / "llamacpp.jsonl"
    with cassette(tape, mode="record"):
        output = weather_crew(server_model(llama_server), [events.append]).kickoff()
    calls = [e for e in events if isinstance(e, ToolCallCompleted)]
    assert calls, "the model never called the tool"
    assert (calls[0].tool_name, calls[0].error) == ("get_weather", False)
    assert "Paris" in calls[0].result
    assert output.raw.strip()

    # The recording replays to the same output with the server out of the picture.
    offline = LlamaCppChat(
        MODEL_NAME, base_url="http://127.0.0.1:9/v1", temperature=0.0, seed=0, max_tokens=256
    )
    with cassette(tape, mode="replay") as replay:
        assert weather_crew(offline).kickoff().raw == output.raw
    replay.assert_complete()
    if SAVE_TO:
        shutil.copyfile(tape, SAVE_TO)
        Path(SAVE_TO).with_suffix(".out.txt").write_text(output.raw, encoding="utf-8")


def test_structured_output_goes_through_json_schema_on_the_real_server(llama_server: str) -> None:
    import asyncio

    from crewkit.llm import Message, ModelRequest, ResponseSchema

    schema = ResponseSchema(
        "city", {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    )
    question = Message("user", "What is the capital of France? Answer in JSON.")
    response = asyncio.run(
        server_model(llama_server).complete(
            ModelRequest(messages=(question,), response_schema=schema)
        )
    )
    # llama.cpp's server accepts the first format tried, json_schema: nothing was refused.
    assert openai_backend._accepted_formats == {}
    assert json.loads(response.text) == {"city": "Paris"}
