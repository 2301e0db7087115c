"""Hybrid recall with an embedder: a callable, async or not, or an OpenAI-compatible endpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from crewkit.errors import ConfigurationError, LLMError, NetworkBlockedError
from crewkit.memory import Memory, OpenAIEmbedder

CONCEPTS = {"car": 0, "automobile": 0, "vehicle": 0, "fruit": 1, "apple": 1, "banana": 1}


def concept_embedder(texts: Sequence[str]) -> list[list[float]]:
    """Words that mean the same thing share a dimension: enough to test meaning-based recall."""
    vectors = []
    for text in texts:
        vector = [0.0, 0.0, 0.01]
        for word in text.lower().replace(".", " ").split():
            if word in CONCEPTS:
                vector[CONCEPTS[word]] += 1.0
        vectors.append(vector)
    return vectors


def test_an_embedder_finds_memories_that_share_no_word_with_the_query(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db", embedder=concept_embedder)
    memory.save("We bought a banana.")
    memory.save("The automobile needs new tyres.")

    assert [r.text for r in memory.search("car")][:1] == ["The automobile needs new tyres."]
    assert Memory(tmp_path / "m2.db").search("car") == []  # words alone cannot find it


def test_an_async_embedder_works_from_sync_and_async_code(tmp_path: Path) -> None:
    import asyncio

    async def embed(texts: list[str]) -> list[list[float]]:
        return concept_embedder(texts)

    memory = Memory(tmp_path / "m.db", embedder=embed)
    memory.save("An apple a day.")
    asyncio.run(memory.asave("The vehicle is parked.", extract_entities=False))

    assert [r.text for r in asyncio.run(memory.asearch("fruit"))][:1] == ["An apple a day."]
    assert [r.text for r in memory.search("car")][:1] == ["The vehicle is parked."]


def test_an_embedder_returning_the_wrong_shape_is_a_clear_error(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db", embedder=lambda texts: [[1.0]])
    with pytest.raises(ConfigurationError, match="one vector per text"):
        memory.save("First sentence. Acme Robotics is second.")


@pytest.fixture
def embeddings_server() -> Iterator[tuple[str, list[dict[str, object]]]]:
    """A loopback OpenAI-compatible /embeddings endpoint that records what it was sent."""
    received: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"body": body, "auth": self.headers.get("Authorization")})
            vectors = concept_embedder(body["input"])
            data = [{"index": i, "embedding": v} for i, v in enumerate(vectors)][::-1]
            payload = json.dumps({"data": data}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1", received
    server.shutdown()
    server.server_close()


def test_an_openai_compatible_endpoint_can_embed(
    tmp_path: Path, embeddings_server: tuple[str, list[dict[str, object]]]
) -> None:
    url, received = embeddings_server
    embedder = OpenAIEmbedder("local-embed", base_url=url, api_key="sk-secret-123")
    memory = Memory(tmp_path / "m.db", embedder=embedder)
    memory.save("The automobile needs new tyres.", extract_entities=False)

    assert [r.text for r in memory.search("car")] == ["The automobile needs new tyres."]
    assert received[0]["body"] == {
        "model": "local-embed",
        "input": ["The automobile needs new tyres."],
    }
    assert received[0]["auth"] == "Bearer sk-secret-123"
    assert "sk-secret" not in repr(embedder)


def test_an_embeddings_endpoint_off_this_machine_is_blocked_in_tests(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db", embedder=OpenAIEmbedder(api_key="sk-secret-123"))
    with pytest.raises(NetworkBlockedError, match=r"api\.openai\.com") as caught:
        memory.save("anything")
    assert "sk-secret" not in str(caught.value)


def test_an_unreachable_endpoint_is_an_llm_error_without_the_key(tmp_path: Path) -> None:
    embedder = OpenAIEmbedder(base_url="http://127.0.0.1:9/v1", api_key="sk-secret-123", timeout=2)
    with pytest.raises(LLMError, match="embeddings request") as caught:
        Memory(tmp_path / "m.db", embedder=embedder).save("anything")
    assert "sk-secret" not in str(caught.value)
