"""The two ways crewkit runs llama.cpp inside this process.

``xllamacpp`` (the default) ships prebuilt wheels, so ``pip install 'crewkit[local]'`` needs no
compiler; it runs llama.cpp's own server loop in C++ threads and takes OpenAI-style chat requests
directly. ``llama-cpp-python`` is used when it is the one installed. Both engines take one
OpenAI-style request dict and return one OpenAI-style reply dict, streaming each new piece of text to
a callback whose ``True`` stops the generation (cancellation, the repetition cut).
"""

from __future__ import annotations

import atexit
import importlib.util
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol

EngineName = Literal["xllamacpp", "llama-cpp-python"]
"""The engines, by their PyPI names."""

OnText = Callable[[str], bool]
"""Receives each new piece of text; returns ``True`` to stop generating."""

_MODULES: dict[EngineName, str] = {"xllamacpp": "xllamacpp", "llama-cpp-python": "llama_cpp"}
_LLAMA_CPP_PYTHON_OPTIONS = frozenset(
    [
        "messages",
        "max_tokens",
        "temperature",
        "seed",
        "repeat_penalty",
        "stop",
        "frequency_penalty",
        "presence_penalty",
        "top_p",
        "top_k",
        "min_p",
    ]
)
"""What ``Llama.create_chat_completion`` accepts of llama.cpp's server options (no DRY sampler)."""


class EngineError(RuntimeError):
    """llama.cpp refused or failed a request; ``status`` is its HTTP-like code when it gave one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Engine(Protocol):
    """A loaded model that answers chat requests."""

    name: EngineName

    def chat(self, payload: dict[str, Any], on_text: OnText) -> dict[str, Any]:
        """Answer ``payload`` (OpenAI chat request) with an OpenAI chat reply."""
        ...

    def close(self) -> None:
        """Free the model."""
        ...


def installed_engines() -> list[EngineName]:
    """The engines importable here, best first (without importing them)."""
    return [name for name, module in _MODULES.items() if importlib.util.find_spec(module)]


class XllamacppEngine:
    """llama.cpp's server, in-process. It always listens; a unix socket in a private folder keeps
    that listener off the network (and off TCP ports that concurrent processes would fight for)."""

    name: EngineName = "xllamacpp"

    def __init__(self, path: Path, n_ctx: int, n_threads: int) -> None:
        import xllamacpp

        self._folder = tempfile.mkdtemp(prefix="crewkit-llama-")
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.cpuparams.n_threads = n_threads
        params.cpuparams_batch.n_threads = n_threads
        params.verbosity = -1
        params.ui = False
        params.hostnames = [str(Path(self._folder) / "llama.sock")]
        try:
            self._server: Any = xllamacpp.Server(params)
            # One token through the server's loop proves the loop has started: stopping a server
            # whose loop has not started yet would leave close() waiting for it forever.
            self._server.handle_completions({"prompt": "a", "max_tokens": 1})
        except BaseException:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise

    def chat(self, payload: dict[str, Any], on_text: OnText) -> dict[str, Any]:
        pieces: list[str] = []
        state: dict[str, Any] = {"finish_reason": "stop", "usage": {}, "error": None}

        def on_chunk(chunk: Any) -> bool:
            # An exception here would be swallowed by the binding ("Exception ignored"), so the
            # callback records it and stops; chat() raises it once the call returns.
            try:
                if not isinstance(chunk, dict):
                    return False
                if "error" in chunk or "code" in chunk:
                    state["error"] = chunk.get("error", chunk)
                    return True
                state["usage"] = chunk.get("usage") or state["usage"]
                for choice in chunk.get("choices") or ():
                    state["finish_reason"] = choice.get("finish_reason") or state["finish_reason"]
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        pieces.append(text)
                        if on_text(text):
                            state["finish_reason"] = "stopped"
                            return True
                return False
            except BaseException as exc:
                state["error"] = exc
                return True

        request = {**payload, "stream": True, "stream_options": {"include_usage": True}}
        try:
            self._server.handle_chat_completions(request, on_chunk)
        except ValueError as exc:  # a request llama.cpp cannot serve (a schema it cannot compile)
            raise EngineError(str(exc), 400) from None
        error = state["error"]
        if isinstance(error, BaseException):
            raise error
        if error is not None:
            detail = error if isinstance(error, dict) else {"message": str(error)}
            code = detail.get("code")
            raise EngineError(
                str(detail.get("message", detail)), code if isinstance(code, int) else None
            )
        return _reply("".join(pieces), state["finish_reason"], state["usage"])

    def close(self) -> None:
        server, self._server = self._server, None
        del server  # joins llama.cpp's threads
        shutil.rmtree(self._folder, ignore_errors=True)


class LlamaCppPythonEngine:
    """``llama_cpp.Llama``: not reentrant, so calls are serialized. Options it lacks (the DRY
    sampler, prompt caching switches) are dropped, and the schema goes inside ``json_object``."""

    name: EngineName = "llama-cpp-python"

    def __init__(self, path: Path, n_ctx: int, n_threads: int) -> None:
        import llama_cpp

        self._llama: Any = llama_cpp.Llama(
            model_path=str(path),
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            verbose=False,
        )
        self._lock = threading.Lock()

    def chat(self, payload: dict[str, Any], on_text: OnText) -> dict[str, Any]:
        options = {k: v for k, v in payload.items() if k in _LLAMA_CPP_PYTHON_OPTIONS}
        fmt = payload.get("response_format")
        if fmt is not None:
            schema = (fmt.get("json_schema") or {}).get("schema", fmt.get("schema"))
            options["response_format"] = {"type": "json_object", "schema": schema}
        pieces: list[str] = []
        finish, generated = "stop", 0
        with self._lock:
            try:
                chunks = self._llama.create_chat_completion(**options, stream=True)
                for chunk in chunks:
                    choice = chunk["choices"][0] if chunk.get("choices") else {}
                    finish = choice.get("finish_reason") or finish
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        generated += 1  # one token per chunk
                        pieces.append(text)
                        if on_text(text):
                            finish = "stopped"
                            chunks.close()
                            break
            except ValueError as exc:  # e.g. the prompt is longer than the context
                raise EngineError(str(exc), 400) from None
            # Streams carry no usage; the context now holds the prompt and the reply.
            usage = {"prompt_tokens": max(self._llama.n_tokens - generated, 0),
                     "completion_tokens": generated}  # fmt: skip
        return _reply("".join(pieces), finish, usage)

    def close(self) -> None:
        self._llama.close()


def _reply(text: str, finish_reason: str, usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "choices": [
            {"message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}
        ],
        "usage": usage,
    }


_ENGINES: dict[EngineName, Callable[[Path, int, int], Engine]] = {
    "xllamacpp": XllamacppEngine,
    "llama-cpp-python": LlamaCppPythonEngine,
}
_loaded: dict[tuple[EngineName, str, int, int], Engine] = {}
_loading = threading.Lock()


def load(name: EngineName, path: Path, n_ctx: int, n_threads: int) -> Engine:
    """The engine ``name`` with ``path`` loaded, once per process and settings."""
    key = (name, str(path), n_ctx, n_threads)
    with _loading:
        if key not in _loaded:
            if not _loaded:
                # Free models before interpreter teardown, when the bindings may already be gone.
                atexit.register(close_all)
            _loaded[key] = _ENGINES[name](path, n_ctx, n_threads)
        return _loaded[key]


def close_all() -> None:
    """Free every loaded model."""
    with _loading:
        engines = list(_loaded.values())
        _loaded.clear()
    for engine in engines:
        engine.close()
