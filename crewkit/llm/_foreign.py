"""Chat models from other libraries — LangChain's ``ChatOpenAI``, ``Ollama``, ``ChatGroq``… — used
as an agent's model without crewkit importing them.

Messages go over as ``(role, text)`` pairs, which LangChain models accept as they are; the reply's
text is ``.content`` (or the reply itself when it is a string). Tools use crewkit's text protocol,
so any such model can call them; usage comes from the reply's metadata when present, else it is
estimated.
"""

from __future__ import annotations

from typing import Any

from crewkit.errors import ConfigurationError
from crewkit.llm._base import LLM
from crewkit.llm._types import ModelProfile, ModelRequest, ModelResponse, Usage

_ROLES = {"system": "system", "user": "human", "assistant": "ai", "tool": "human"}


def looks_like_model(obj: object) -> bool:
    """True for objects shaped like a LangChain chat model or LLM."""
    return (
        not isinstance(obj, (LLM, str, type))
        and callable(getattr(obj, "invoke", None))
        and not hasattr(obj, "args_schema")
        and type(obj).__module__.split(".")[0] != "crewkit"
    )


class ForeignModel(LLM):
    """A chat model object from another library, wrapped."""

    provider = "langchain"

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.model = str(
            getattr(wrapped, "model_name", None)
            or getattr(wrapped, "model", None)
            or type(wrapped).__name__
        )
        self.profile = ModelProfile(native_tools=False, json_schema=False)

    async def complete(self, request: ModelRequest) -> ModelResponse:
        messages = [
            (_ROLES[m.role], m.content if m.role != "tool" else f"Observation: {m.content}")
            for m in request.messages
        ]
        options: dict[str, Any] = {"stop": list(request.stop)} if request.stop else {}
        if callable(getattr(self.wrapped, "ainvoke", None)):
            reply = await self.wrapped.ainvoke(messages, **options)
        else:
            import asyncio

            reply = await asyncio.to_thread(self.wrapped.invoke, messages, **options)
        text = _text(reply)
        usage = _usage(reply)
        if usage is None:
            from crewkit.llm._mock import estimated_response

            return estimated_response(request, text, (), model=self.model)
        return ModelResponse(text=text, usage=usage, model=self.model)

    def __repr__(self) -> str:
        return f"<ForeignModel {type(self.wrapped).__name__} {self.model}>"


def _text(reply: Any) -> str:
    if isinstance(reply, str):
        return reply
    content = getattr(reply, "content", reply)
    if isinstance(content, list):  # content parts: keep the text ones
        return "".join(
            p if isinstance(p, str) else str(p.get("text", "")) if isinstance(p, dict) else ""
            for p in content
        )
    return str(content)


def _usage(reply: Any) -> Usage | None:
    meta = getattr(reply, "usage_metadata", None)
    if isinstance(meta, dict) and "input_tokens" in meta:
        return Usage(int(meta.get("input_tokens") or 0), int(meta.get("output_tokens") or 0))
    info = getattr(reply, "response_metadata", None)
    counts = info.get("token_usage") if isinstance(info, dict) else None
    if isinstance(counts, dict) and "prompt_tokens" in counts:
        return Usage(int(counts["prompt_tokens"] or 0), int(counts.get("completion_tokens") or 0))
    return None


def as_model(value: object, owner: str) -> LLM | str | None:
    """``value`` as an agent or crew model: a model object, a model string, ``None``, or a foreign
    chat model (wrapped); anything else is a clear error naming ``owner``."""
    if value is None or isinstance(value, (LLM, str)):
        return value
    if looks_like_model(value):
        return ForeignModel(value)
    raise ConfigurationError(
        f"{owner} must be a model object, a model string like 'openai/gpt-4o-mini', or a "
        f"LangChain-style chat model (with invoke()), got {value!r}"
    )
