"""Optional embeddings for hybrid recall: any callable, or an OpenAI-compatible endpoint.

An embedder takes a list of texts and returns one vector per text (sync or async). Vectors are stored
as float32 blobs next to the text; cosine similarity is computed in Python, so no numpy is needed.
"""

from __future__ import annotations

import array
import asyncio
import inspect
import math
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from crewkit.errors import ConfigurationError, LLMError

Vector = Sequence[float]
Embedder = Callable[[list[str]], Sequence[Vector] | Awaitable[Sequence[Vector]]]
"""``embedder(texts) -> vectors``, one per text; may be a coroutine function."""


def pack(vector: Vector) -> bytes:
    """A vector as a float32 blob, normalised to length 1 so cosine is a dot product."""
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return array.array("f", (x / norm for x in vector)).tobytes()


def unpack(blob: bytes) -> array.array[float]:
    """The vector stored by :func:`pack`."""
    vector = array.array("f")
    vector.frombytes(blob)
    return vector


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors already normalised by :func:`pack`."""
    if len(a) != len(b):
        return 0.0
    return sum(x * y for x, y in zip(a, b, strict=True))


def check_vectors(vectors: Any, count: int) -> list[Vector]:
    """Check an embedder's answer: ``count`` non-empty lists of numbers."""
    if not isinstance(vectors, Sequence) or len(vectors) != count:
        raise ConfigurationError(
            f"Memory(embedder=...) must return one vector per text ({count}), got {vectors!r:.200}"
        )
    for vector in vectors:
        if not isinstance(vector, Sequence) or not vector:
            raise ConfigurationError(
                f"Memory(embedder=...) returned {vector!r:.200}; expected a list of floats"
            )
    return list(vectors)


def embed(embedder: Embedder, texts: list[str]) -> list[Vector]:
    """``embedder(texts)``, checked, from synchronous code (an async embedder is awaited)."""
    result: Any = embedder(texts)
    if inspect.isawaitable(result):
        from crewkit._sync import run_sync

        awaitable = result

        async def wait() -> Any:
            return await awaitable

        result = run_sync(wait)
    return check_vectors(result, len(texts))


async def aembed(embedder: Embedder, texts: list[str]) -> list[Vector]:
    """``embedder(texts)``, checked, without blocking the event loop."""
    if _is_async(embedder):
        result: Any = embedder(texts)
    else:  # a local model may take a while: keep the event loop free
        result = await asyncio.to_thread(embedder, texts)
    if inspect.isawaitable(result):
        result = await result
    return check_vectors(result, len(texts))


def _is_async(fn: object) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object with an async __call__
    )


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible ``/embeddings`` endpoint (OpenAI, Ollama, LM Studio,
    vLLM, llama.cpp server...). ``httpx`` is imported on first use; the key is read from
    ``api_key`` or the ``OPENAI_API_KEY`` environment variable and never shown in errors or reprs."""

    provider = "openai-embeddings"

    def __init__(
        self,
        model: str = "text-embedding-3-small",
        *,
        base_url: str = "https://api.openai.com/v1",
        api_key: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.model = model
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout

    @property
    def endpoint(self) -> str:
        """Where requests go."""
        return f"{self.base_url}/embeddings"

    async def __call__(self, texts: list[str]) -> list[list[float]]:
        import httpx

        from crewkit.llm._guard import check_endpoint

        check_endpoint(self.endpoint, provider=self.provider, model=self.model)
        key = self._api_key or os.environ.get("OPENAI_API_KEY")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    self.endpoint, json={"model": self.model, "input": texts}, headers=headers
                )
        except httpx.HTTPError as exc:
            raise LLMError(
                f"embeddings request to {self.endpoint} failed: {type(exc).__name__}",
                provider=self.provider,
                model=self.model,
            ) from None
        if response.status_code >= 400:
            raise LLMError(
                f"embeddings request to {self.endpoint} was refused: {response.text[:300]}",
                provider=self.provider,
                model=self.model,
                status=response.status_code,
            )
        try:
            items = sorted(response.json()["data"], key=lambda item: item["index"])
            return [list(map(float, item["embedding"])) for item in items]
        except (KeyError, TypeError, ValueError) as exc:
            raise LLMError(
                f"embeddings reply from {self.endpoint} is not in the OpenAI format ({exc!r})",
                provider=self.provider,
                model=self.model,
            ) from None

    def __repr__(self) -> str:
        return f"OpenAIEmbedder(model={self.model!r}, base_url={self.base_url!r})"
