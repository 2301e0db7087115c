"""Anthropic's Messages API: ``anthropic/<model>`` with ``ANTHROPIC_API_KEY``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from crewkit import prompts
from crewkit.errors import ProviderError, provider_error_for
from crewkit.llm._http import HTTPModel, HTTPOptions
from crewkit.llm._sse import cut_short, retried_stream
from crewkit.llm._types import (
    Message,
    ModelRequest,
    ModelResponse,
    StreamItem,
    TextDelta,
    ToolCall,
    ToolCallChunk,
    Usage,
    reply_cap,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

API_VERSION = "2023-06-01"
"""The ``anthropic-version`` header this client's mapping follows."""

_ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}
"""The HTTP status each ``error`` event type stands for (errors sent mid-stream)."""

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
}


class AnthropicChat(HTTPModel):
    """A Claude model over the Messages API: system prompt, ``tool_use``/``tool_result`` blocks,
    stop sequences, usage."""

    provider = "anthropic"

    def __init__(
        self,
        model: str,
        *,
        max_tokens: int = 4096,
        tool_choice: str | None = None,
        **options: Unpack[HTTPOptions],
    ) -> None:
        super().__init__(model, **options)
        self.max_tokens = max_tokens
        """Cap on reply tokens (the API requires one)."""
        self.tool_choice = tool_choice
        """``auto``, ``any`` (some tool), ``none``, or one tool's name; ``None`` for the default."""

    def _auth_headers(self) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION}
        if self.api_key:
            headers["x-api-key"] = self.api_key.reveal()
        return headers

    def payload(self, request: ModelRequest) -> dict[str, Any]:
        """The JSON body for ``request``."""
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        conversation = [m for m in request.messages if m.role != "system"]
        if request.response_schema is not None:
            schema = json.dumps(dict(request.response_schema.schema))
            conversation.append(
                Message("user", prompts.render("json_schema_instruction", schema=schema))
            )
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": reply_cap(request, self.max_tokens),
            "messages": _wire_messages(conversation),
        }
        if system:
            body["system"] = system
        if request.tools:
            body["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": dict(t.parameters)}
                for t in request.tools
            ]
            if self.tool_choice is not None:
                body["tool_choice"] = (
                    {"type": self.tool_choice}
                    if self.tool_choice in ("auto", "any", "none")
                    else {"type": "tool", "name": self.tool_choice}
                )
        self.add_sampling(body, request, stop_key="stop_sequences")
        return body

    async def complete(self, request: ModelRequest) -> ModelResponse:
        return await self.post_json("/v1/messages", self.payload(request), self.parse)

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        """Stream the reply over server-sent events: text and ``tool_use`` input as they come."""
        body = {**self.payload(request), "stream": True}
        async for item in retried_stream(self, "/v1/messages", body, self._read, self.parse):
            yield item

    async def _read(self, events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[StreamItem]:
        """Rebuild the message the stream describes, handing out its pieces on the way; the
        whole message then goes through :meth:`parse`, like a reply that was not streamed."""
        message: dict[str, Any] = {"content": [], "usage": {}}
        partial: dict[int, list[str]] = {}
        calls: dict[int, int] = {}  # block index -> tool-call index
        async for event in events:
            kind = event.get("type")
            if kind == "error":
                raise self._stream_error(event.get("error"))
            if kind == "message_start":
                start = event.get("message") or {}
                message["model"] = start.get("model")
                message["usage"].update(start.get("usage") or {})
            elif kind == "content_block_start":
                block = dict(event["content_block"])
                message["content"].append(block)
                if block.get("type") == "tool_use":
                    index = calls[event["index"]] = len(calls)
                    partial[event["index"]] = []
                    yield ToolCallChunk(index, id=str(block["id"]), name=str(block["name"]))
            elif kind == "content_block_delta":
                block, delta = message["content"][event["index"]], event["delta"]
                if delta.get("type") == "text_delta":
                    block["text"] = block.get("text", "") + delta["text"]
                    yield TextDelta(delta["text"])
                elif delta.get("type") == "input_json_delta":
                    partial[event["index"]].append(delta["partial_json"])
                    yield ToolCallChunk(calls[event["index"]], arguments=delta["partial_json"])
            elif kind == "content_block_stop" and event["index"] in partial:
                text = "".join(partial.pop(event["index"]))
                message["content"][event["index"]]["input"] = json.loads(text) if text else {}
            elif kind == "message_delta":
                message["stop_reason"] = (event.get("delta") or {}).get("stop_reason")
                message["usage"].update(event.get("usage") or {})
            elif kind == "message_stop":
                yield self.parse(message)
                return
        raise cut_short(self)

    def _stream_error(self, error: Any) -> ProviderError:
        """An ``error`` event as the error its HTTP status would have been."""
        details = error if isinstance(error, dict) else {}
        status = _ERROR_STATUS.get(str(details.get("type")), 500)
        message = str(details.get("message") or details.get("type") or "error event in stream")
        return provider_error_for(status)(
            self.scrub(message), provider=self.provider, model=self.model, status=status
        )

    def parse(self, data: Any) -> ModelResponse:
        """Map a Messages API body to a :class:`ModelResponse`."""
        text: list[str] = []
        calls: list[ToolCall] = []
        for block in data["content"]:
            if block["type"] == "text":
                text.append(block["text"])
            elif block["type"] == "tool_use":
                arguments = block.get("input")
                if not isinstance(arguments, dict):
                    raise TypeError("tool_use input is not an object")
                calls.append(ToolCall(block["name"], arguments, id=str(block["id"])))
        usage = data.get("usage") or {}
        stop_reason = str(data.get("stop_reason") or "end_turn")
        return ModelResponse(
            text="".join(text),
            tool_calls=tuple(calls),
            usage=Usage(
                prompt_tokens=int(usage.get("input_tokens") or 0),
                completion_tokens=int(usage.get("output_tokens") or 0),
            ),
            finish_reason="tool_calls" if calls else _FINISH.get(stop_reason, stop_reason),
            model=str(data.get("model") or self.model),
        )


def _wire_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """User and assistant turns as content blocks; tool results ride in user turns, and
    neighbouring turns of one role are merged, as the API expects alternation."""
    wire: list[dict[str, Any]] = []
    for message in messages:
        role = "assistant" if message.role == "assistant" else "user"
        blocks: list[dict[str, Any]] = []
        if message.role == "tool":
            blocks.append(
                {
                    "type": "tool_result",
                    "tool_use_id": message.tool_call_id or "",
                    "content": message.content,
                }
            )
        elif message.content:
            blocks.append({"type": "text", "text": message.content})
        for call in message.tool_calls:
            blocks.append(
                {
                    "type": "tool_use",
                    "id": call.id,
                    "name": call.name,
                    "input": dict(call.arguments),
                }
            )
        if not blocks:
            continue
        if wire and wire[-1]["role"] == role:
            wire[-1]["content"].extend(blocks)
        else:
            wire.append({"role": role, "content": blocks})
    return wire
