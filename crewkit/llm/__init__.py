"""The model interface: requests in, completions out, plus capability profiles and model strings.

Backends and helpers that pull in heavier modules (httpx, tenacity, asyncio, llama.cpp) are loaded
on first attribute access, so ``import crewkit`` stays small.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from crewkit.llm._base import LLM
from crewkit.llm._guard import allow_network_models, block_network_models, network_models_blocked
from crewkit.llm._registry import (
    ProviderInfo,
    default_llm_spec,
    provider_info,
    providers,
    register_provider,
    resolve_llm,
)
from crewkit.llm._types import (
    Message,
    ModelProfile,
    ModelRequest,
    ModelResponse,
    ResponseSchema,
    Role,
    TextDelta,
    ToolCall,
    ToolSpec,
    Usage,
)

if TYPE_CHECKING:
    from crewkit._ratelimit import RateLimiter, shared_limiter
    from crewkit.llm._cassette import Cassette, cassette
    from crewkit.llm._profiles import Traits, traits_for
    from crewkit.llm._retry import RetryPolicy
    from crewkit.llm.anthropic import AnthropicChat
    from crewkit.llm.local import LocalLlama
    from crewkit.llm.openai import (
        GroqChat,
        LlamaCppChat,
        LMStudioChat,
        OllamaChat,
        OpenAIChat,
        OpenRouterChat,
        VLLMChat,
    )

_LAZY = {
    "Cassette": "crewkit.llm._cassette",
    "cassette": "crewkit.llm._cassette",
    "RateLimiter": "crewkit._ratelimit",
    "shared_limiter": "crewkit._ratelimit",
    "Traits": "crewkit.llm._profiles",
    "traits_for": "crewkit.llm._profiles",
    "RetryPolicy": "crewkit.llm._retry",
    "AnthropicChat": "crewkit.llm.anthropic",
    "LocalLlama": "crewkit.llm.local",
    "OpenAIChat": "crewkit.llm.openai",
    "OllamaChat": "crewkit.llm.openai",
    "VLLMChat": "crewkit.llm.openai",
    "LlamaCppChat": "crewkit.llm.openai",
    "LMStudioChat": "crewkit.llm.openai",
    "OpenRouterChat": "crewkit.llm.openai",
    "GroqChat": "crewkit.llm.openai",
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
    "GroqChat",
    "LMStudioChat",
    "LlamaCppChat",
    "LocalLlama",
    "Message",
    "ModelProfile",
    "ModelRequest",
    "ModelResponse",
    "OllamaChat",
    "OpenAIChat",
    "OpenRouterChat",
    "ProviderInfo",
    "RateLimiter",
    "ResponseSchema",
    "RetryPolicy",
    "Role",
    "TextDelta",
    "ToolCall",
    "ToolSpec",
    "Traits",
    "Usage",
    "VLLMChat",
    "allow_network_models",
    "block_network_models",
    "cassette",
    "default_llm_spec",
    "network_models_blocked",
    "provider_info",
    "providers",
    "register_provider",
    "resolve_llm",
    "shared_limiter",
    "traits_for",
]
