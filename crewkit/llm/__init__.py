"""The model interface: requests in, completions out, plus capability profiles and model strings."""

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

__all__ = [
    "LLM",
    "Message",
    "ModelProfile",
    "ModelRequest",
    "ModelResponse",
    "ProviderInfo",
    "ResponseSchema",
    "Role",
    "TextDelta",
    "ToolCall",
    "ToolSpec",
    "Usage",
    "allow_network_models",
    "block_network_models",
    "default_llm_spec",
    "network_models_blocked",
    "provider_info",
    "providers",
    "register_provider",
    "resolve_llm",
]
