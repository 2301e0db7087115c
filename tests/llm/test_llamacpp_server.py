"""A real llama.cpp OpenAI-compatible server on 127.0.0.1 (``python -m llama_cpp.server``) serving
SmolLM2-135M: a one-tool crew through ``llamacpp/...`` completes with a valid tool call, and its
recording replays identically."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from local_support import SERVER_MODULES, require, weather_crew

import crewkit.llm._openai as openai_backend
from crewkit.events import Event, ToolCallCompleted
from crewkit.llm import cassette, resolve_llm
from crewkit.llm._openai import LlamaCppChat

MODEL_NAME = "smollm2-135m"
SAVE_TO = os.environ.get("CREWKIT_SAVE_LLAMACPP_CASSETTE")
"""Set to a path to keep the recording (how tests/llm/cassettes/ was made)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require(SERVER_MODULES)
    from crewkit.llm._local import default_model_path

    port = _free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(default_model_path()),
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "4096", "--n_threads", str(os.cpu_count() or 1), "--seed", "0",
    ]  # fmt: skip
    # The server logs a lot; a file, unlike a pipe nobody reads, never fills up and blocks it.
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                error = log_path.read_text(errors="replace")[-2000:]
                pytest.fail(f"llama_cpp.server exited with {process.returncode}: {error}")
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start within 120 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


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


def test_json_schema_refusal_falls_back_to_json_object_on_the_real_server(
    llama_server: str,
) -> None:
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
    # llama_cpp.server refuses json_schema with HTTP 500; the reply came through json_object.
    assert openai_backend._accepted_formats == {(llama_server, MODEL_NAME): 1}
    assert json.loads(response.text) == {"city": "Paris"}
