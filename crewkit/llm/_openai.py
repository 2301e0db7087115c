"""The OpenAI Chat Completions wire format, for OpenAI and every server that speaks it.

``openai/<model>`` talks to OpenAI (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``); the presets
``ollama/``, ``vllm/``, ``llamacpp/``, ``lmstudio/``, ``openrouter/`` and ``groq/`` are the same
client with their own default address and key variable; any other server is ``OpenAIChat(model,
base_url=...)``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from crewkit import prompts
from crewkit.errors import BadRequestError, InvalidResponseError, ProviderError
from crewkit.llm._decision_stream import DecisionStream
from crewkit.llm._http import HTTPModel, HTTPOptions
from crewkit.llm._providers import ResponseFormat, Traits
from crewkit.llm._schema_tools import (
    decision_call_id,
    decision_schema,
    read_decision,
    rewrite_messages,
)
from crewkit.llm._sse import DONE, cut_short, retried_stream
from crewkit.llm._types import (
    Message,
    ModelRequest,
    ModelResponse,
    ResponseSchema,
    StreamItem,
    TextDelta,
    ToolCall,
    ToolCallChunk,
    Usage,
    reply_cap,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

ToolChoice = Literal["auto", "required", "none"] | str
"""``auto``, ``required``, ``none``, or the name of the one tool the model must call."""

_accepted_formats: dict[tuple[str, str], int] = {}
"""Per (server, model): index of the first ``response_format`` kind it accepted, so a refusal
costs one request per process, not one per call."""


class FormatRefusedError(BadRequestError):
    """The server rejected the kind of ``response_format`` it was sent; the next kind is tried."""


class OpenAIChat(HTTPModel):
    """A model behind a Chat Completions endpoint."""

    provider = "openai"

    def __init__(
        self,
        model: str,
        *,
        tool_choice: ToolChoice | None = None,
        seed: int | None = None,
        max_tokens: int | None = None,
        traits: Traits | None = None,
        **options: Unpack[HTTPOptions],
    ) -> None:
        super().__init__(model, traits=traits, **options)
        self.tool_choice = tool_choice
        """Sent with native tools; ``None`` leaves the server's default (``auto``)."""
        self.seed = seed
        """Sampling seed, for servers that make runs repeatable with it."""
        self.max_tokens = max_tokens
        """Cap on reply tokens; ``None`` leaves the server's default."""

    # -- requests ----------------------------------------------------------------------------

    def _schema_mode(self, request: ModelRequest) -> bool:
        return bool(request.tools) and self.traits.tool_mode == "schema"

    def _formats(self, request: ModelRequest) -> list[ResponseFormat | None]:
        if request.response_schema is None and not self._schema_mode(request):
            return [None]
        formats = list(self.traits.response_formats) or ["prompt"]
        start = _accepted_formats.get((self.base_url, self.model), 0)
        return list(formats[min(start, len(formats) - 1) :])

    def payload(self, request: ModelRequest, fmt: ResponseFormat | None) -> dict[str, Any]:
        """The JSON body for ``request``, asking for structured output the ``fmt`` way."""
        schema_mode = self._schema_mode(request)
        messages = rewrite_messages(request) if schema_mode else list(request.messages)
        target: ResponseSchema | None = request.response_schema
        if schema_mode:
            answer = dict(target.schema) if target is not None else None
            target = ResponseSchema("reply", decision_schema(request.tools, answer))
        if fmt == "prompt" and request.response_schema is not None:
            instruction = prompts.render(
                "json_schema_instruction", schema=json.dumps(dict(request.response_schema.schema))
            )
            messages.append(Message("user", instruction))
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [_wire_message(m) for m in messages],
        }
        if request.tools and not schema_mode:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": dict(t.parameters),
                    },
                }
                for t in request.tools
            ]
            if self.tool_choice is not None:
                body["tool_choice"] = _wire_tool_choice(self.tool_choice)
        if target is not None and fmt == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": target.name, "schema": dict(target.schema)},
            }
        elif target is not None and fmt == "json_object":
            body["response_format"] = {"type": "json_object", "schema": dict(target.schema)}
        self.add_sampling(body, request)
        if self.seed is not None and self.traits.seed:
            body["seed"] = self.seed
        cap = reply_cap(request, self.max_tokens)
        if cap is not None:
            body[self.traits.max_tokens_field] = cap
        return body

    async def complete(self, request: ModelRequest) -> ModelResponse:
        formats = self._formats(request)
        for position, fmt in enumerate(formats):
            body = self.payload(request, fmt)
            try:
                return await self.post_json(
                    "/chat/completions", body, lambda data: self.parse(data, request)
                )
            except FormatRefusedError:
                if position == len(formats) - 1:
                    raise
                key = (self.base_url, self.model)
                _accepted_formats[key] = _accepted_formats.get(key, 0) + 1
        raise AssertionError("unreachable: the last format returns or raises")  # pragma: no cover

    def status_error(self, status: int, body: bytes, headers: Mapping[str, str]) -> ProviderError:
        error = super().status_error(status, body, headers)
        refused = status in (400, 422, 500, 501) and any(
            word in error.message for word in ("response_format", "json_schema", "json_object")
        )
        if refused:
            return FormatRefusedError(
                error.message, provider=self.provider, model=self.model, status=status
            )
        return error

    # -- responses ---------------------------------------------------------------------------

    def parse(self, data: Any, request: ModelRequest) -> ModelResponse:
        """Map a Chat Completions body to a :class:`ModelResponse`."""
        if isinstance(data, dict) and "error" in data and "choices" not in data:
            raise ValueError(f"error in 200 body: {data['error']}")
        choice = data["choices"][0]
        message = choice["message"]
        text = message.get("content") or ""
        if not isinstance(text, str):
            raise TypeError(f"message content is {type(text).__name__}, not text")
        calls = tuple(_read_tool_call(c) for c in message.get("tool_calls") or ())
        if self._schema_mode(request):
            text, calls = read_decision(text, request)
        finish = "tool_calls" if calls else str(choice.get("finish_reason") or "stop")
        return ModelResponse(
            text=text,
            tool_calls=calls,
            usage=_usage(data.get("usage")),
            finish_reason=finish,
            model=str(data.get("model") or self.model),
        )

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        """Stream the reply over server-sent events: text, tool-call arguments as they come.
        Constrained replies stream too: a schema-tool decision as its answer's text or its call's
        arguments, structured output as its JSON text."""
        formats = self._formats(request)
        for position, fmt in enumerate(formats):
            body = self.payload(request, fmt)
            body["stream"] = True
            if self.traits.stream_usage:
                body["stream_options"] = {"include_usage": True}
            try:
                async for item in retried_stream(
                    self, "/chat/completions", body,
                    lambda events: self._read(events, request),
                    lambda data: self.parse(data, request),
                ):  # fmt: skip
                    yield item
                return
            except FormatRefusedError:  # refused when opening: nothing was streamed yet
                if position == len(formats) - 1:
                    raise
                key = (self.base_url, self.model)
                _accepted_formats[key] = _accepted_formats.get(key, 0) + 1

    async def _read(
        self, events: AsyncIterator[dict[str, Any]], request: ModelRequest
    ) -> AsyncIterator[StreamItem]:
        decision = DecisionStream(decision_call_id(request)) if self._schema_mode(request) else None
        text: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        usage, finish, model, done = Usage(), "stop", self.model, False
        async for chunk in events:
            if chunk is DONE:
                done = True
                break
            if "error" in chunk:
                raise self.error(InvalidResponseError, f"error in stream: {chunk['error']}")
            model = str(chunk.get("model") or model)
            if chunk.get("usage"):
                usage = _usage(chunk["usage"])
            for choice in chunk.get("choices") or ():
                delta = choice.get("delta") or {}
                content = delta.get("content")
                if content:
                    text.append(content)
                    if decision is None:
                        yield TextDelta(content)
                    else:
                        for item in decision.feed(content):
                            yield item
                for part in delta.get("tool_calls") or ():
                    index = int(part.get("index", 0))
                    slot = calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
                    function = part.get("function") or {}
                    slot["id"] = part.get("id") or slot["id"]
                    slot["name"] += function.get("name") or ""
                    slot["arguments"] += function.get("arguments") or ""
                    yield ToolCallChunk(
                        index,
                        id=part.get("id") or "",
                        name=function.get("name") or "",
                        arguments=function.get("arguments") or "",
                    )
                if choice.get("finish_reason"):
                    finish, done = str(choice["finish_reason"]), True
        if not done:
            raise cut_short(self)
        tool_calls = tuple(
            _read_tool_call({"id": c["id"], "function": c}) for _, c in sorted(calls.items())
        )
        whole = "".join(text)
        if decision is not None:
            whole, tool_calls = read_decision(whole, request)
        yield ModelResponse(
            text=whole,
            tool_calls=tool_calls,
            usage=usage,
            finish_reason="tool_calls" if tool_calls else finish,
            model=model,
        )


def _wire_message(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        return {
            "role": "tool",
            "tool_call_id": message.tool_call_id or "",
            "content": message.content,
        }
    wire: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        wire["content"] = message.content or None
        wire["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {
                    "name": call.name,
                    "arguments": call.raw_arguments or json.dumps(dict(call.arguments)),
                },
            }
            for call in message.tool_calls
        ]
    return wire


def _wire_tool_choice(choice: str) -> Any:
    if choice in ("auto", "required", "none"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def _read_tool_call(wire: Mapping[str, Any]) -> ToolCall:
    function = wire["function"]
    raw = function.get("arguments") or "{}"
    if isinstance(raw, dict):
        return ToolCall(str(function["name"]), raw, id=str(wire.get("id") or ""))
    try:
        arguments = json.loads(raw)
    except (ValueError, RecursionError):
        arguments = None
    if not isinstance(arguments, dict):
        return ToolCall(str(function["name"]), {}, id=str(wire.get("id") or ""), raw_arguments=raw)
    return ToolCall(str(function["name"]), arguments, id=str(wire.get("id") or ""))


def _usage(wire: Any) -> Usage:
    if not isinstance(wire, dict):
        return Usage()
    return Usage(
        prompt_tokens=int(wire.get("prompt_tokens") or 0),
        completion_tokens=int(wire.get("completion_tokens") or 0),
    )


class OllamaChat(OpenAIChat):
    """An Ollama server (``ollama/<model>``), by default on ``localhost:11434``."""

    provider = "ollama"


class VLLMChat(OpenAIChat):
    """A vLLM server (``vllm/<model>``), by default on ``localhost:8000``."""

    provider = "vllm"


class LlamaCppChat(OpenAIChat):
    """A llama.cpp server (``llamacpp/<model>``: ``llama-server`` or ``python -m
    llama_cpp.server``), by default on ``127.0.0.1:8080``. Tools go through constrained JSON."""

    provider = "llamacpp"


class LMStudioChat(OpenAIChat):
    """An LM Studio server (``lmstudio/<model>``), by default on ``localhost:1234``."""

    provider = "lmstudio"


class OpenRouterChat(OpenAIChat):
    """OpenRouter (``openrouter/<vendor>/<model>``); key in ``OPENROUTER_API_KEY``."""

    provider = "openrouter"


class GroqChat(OpenAIChat):
    """Groq (``groq/<model>``); key in ``GROQ_API_KEY``."""

    provider = "groq"


CLIENTS: dict[str, type[OpenAIChat]] = {
    cls.provider: cls
    for cls in (
        OpenAIChat,
        OllamaChat,
        VLLMChat,
        LlamaCppChat,
        LMStudioChat,
        OpenRouterChat,
        GroqChat,
    )
}
"""Provider name → client class, for the registry; addresses and keys are in ``_providers.py``."""
