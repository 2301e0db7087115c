"""Model names as CrewAI and LiteLLM users write them, mapped onto crewkit's providers.

``gpt-4o`` and ``o3-mini`` are OpenAI's, ``claude-…`` Anthropic's; LiteLLM's provider prefixes that
name a server crewkit speaks to (``ollama_chat/``, ``lm_studio/``, ``hosted_vllm/``) map to crewkit's.
"""

from __future__ import annotations

import re

ALIASES = {
    "ollama_chat": "ollama",
    "lm_studio": "lmstudio",
    "hosted_vllm": "vllm",
    "llama_cpp": "llamacpp",
    "llama.cpp": "llamacpp",
}
"""LiteLLM provider prefixes and the crewkit provider that serves them."""

_BARE = (
    (re.compile(r"^(gpt-|gpt4|chatgpt-|o1|o3|o4|text-davinci|davinci|babbage)"), "openai"),
    (re.compile(r"^claude-"), "anthropic"),
)


def canonical_model(spec: str, providers: set[str]) -> str:
    """``spec`` in crewkit's ``provider/model`` form when it is a name CrewAI users write for a
    provider crewkit has; otherwise ``spec`` unchanged (the caller reports it)."""
    text = spec.strip()
    provider, slash, model = text.partition("/")
    if slash:
        if provider in providers:
            return text
        alias = ALIASES.get(provider.lower())
        return f"{alias}/{model}" if alias in providers else text
    if text in providers:
        return text
    for pattern, owner in _BARE:
        if pattern.match(text.lower()) and owner in providers:
            return f"{owner}/{text}"
    return text
