"""Choosing and configuring a model: model strings, the clients, record/replay, and the types a
model call exchanges (for writing your own backend).

Most crews only name a model string: ``"openai/gpt-4o-mini"``, ``"ollama/llama3.2"``,
``"anthropic/claude-3-5-haiku-latest"``, ``"local"`` (see ``crewkit models``). Build a client
yourself to set its options: ``OpenAIChat("my-model", base_url="http://127.0.0.1:8000/v1")``.

The clients and helpers that pull in heavier modules (httpx, tenacity, llama.cpp) are loaded on
first attribute access, so ``import crewkit`` stays small. Test models and the switch that forbids
network models are in :mod:`crewkit.testing`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from crewkit.llm._base import LLM
from crewkit.llm._registry import register_provider, resolve_llm
from crewkit.llm._types import (
    Message,
    ModelProfile,
    ModelRequest,
    ModelResponse,
    ResponseSchema,
    StreamItem,
    StreamRestart,
    TextDelta,
    ToolCall,
    ToolCallChunk,
    ToolSpec,
    Usage,
)

if TYPE_CHECKING:
    from crewkit.llm._anthropic import AnthropicChat
    from crewkit.llm._cassette import Cassette, cassette
    from crewkit.llm._local import LocalLlama
    from crewkit.llm._openai import OpenAIChat
    from crewkit.llm._retry import RetryPolicy

_LAZY = {
    "AnthropicChat": "crewkit.llm._anthropic",
    "Cassette": "crewkit.llm._cassette",
    "cassette": "crewkit.llm._cassette",
    "LocalLlama": "crewkit.llm._local",
    "OpenAIChat": "crewkit.llm._openai",
    "RetryPolicy": "crewkit.llm._retry",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'crewkit.llm' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "LLM",
    "AnthropicChat",
    "Cassette",
    "LocalLlama",
    "Message",
    "ModelProfile",
    "ModelRequest",
    "ModelResponse",
    "OpenAIChat",
    "ResponseSchema",
    "RetryPolicy",
    "StreamItem",
    "StreamRestart",
    "TextDelta",
    "ToolCall",
    "ToolCallChunk",
    "ToolSpec",
    "Usage",
    "cassette",
    "register_provider",
    "resolve_llm",
]
