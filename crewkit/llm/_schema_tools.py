"""Tool calls through constrained decoding: the reply must match a JSON schema that is either one
tool call or a final answer. Used by the embedded model and by servers whose native tool calling is
unreliable (llama.cpp); a 135M model emits valid calls this way because it cannot emit anything else.

The conversation is rewritten for such models: earlier tool calls and results become plain
assistant and user messages, since small chat templates often have no ``tool`` role.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from crewkit import prompts
from crewkit._json import map_schema
from crewkit.llm._types import Message, ModelRequest, ToolCall, ToolSpec


def decision_schema(tools: Sequence[ToolSpec], answer: Any = None) -> dict[str, Any]:
    """A schema matched by ``{"tool": name, "arguments": {...}}`` for each tool, or by
    ``{"final_answer": ...}``; the answer is a string unless ``answer`` gives its schema."""
    options: list[dict[str, Any]] = [
        {
            "type": "object",
            "properties": {
                "tool": {"const": spec.name},
                "arguments": dict(spec.parameters) or {"type": "object"},
            },
            "required": ["tool", "arguments"],
        }
        for spec in tools
    ]
    options.append(
        {
            "type": "object",
            "properties": {"final_answer": answer if answer is not None else {"type": "string"}},
            "required": ["final_answer"],
        }
    )
    return {"anyOf": options}


def bounded(schema: Any, *, max_string: int = 400, max_items: int = 6) -> Any:
    """``schema`` with a length cap on every string and array that has none, so constrained
    decoding always closes its JSON within the token limit (small models otherwise repeat a phrase
    until the limit cuts the object in half)."""
    return map_schema(schema, lambda node: _capped(node, max_string, max_items))


def _capped(out: dict[str, Any], max_string: int, max_items: int) -> dict[str, Any]:
    kind = out.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if (
        "string" in kinds
        and "maxLength" not in out
        and "enum" not in out
        and "const" not in out
        and "format" not in out
        and "pattern" not in out
    ):
        out["maxLength"] = max_string
    if "array" in kinds and "maxItems" not in out:
        out["maxItems"] = max_items
    return out


def rewrite_messages(request: ModelRequest) -> list[Message]:
    """The request's conversation with the reply format explained in the system message and tool
    traffic turned into plain text."""
    instructions = prompts.render(
        "schema_tools",
        tools=[
            {
                "name": s.name,
                "description": s.description,
                "arguments": json.dumps(dict(s.parameters).get("properties", {})),
            }
            for s in request.tools
        ],
    )
    messages = traffic_as_text(request.messages, tools_left=True)
    if messages and messages[0].role == "system":
        messages[0] = Message("system", f"{messages[0].content}\n\n{instructions}")
    else:
        messages.insert(0, Message("system", instructions))
    return messages


def traffic_as_text(messages: Sequence[Message], *, tools_left: bool) -> list[Message]:
    """``messages`` with tool calls and results written as plain turns, for a model that sees
    no tool API; consecutive user turns are joined (chat templates expect turns to alternate)."""
    out: list[Message] = []
    for message in messages:
        if message.role == "assistant" and message.tool_calls:
            text = "\n".join(
                prompts.render(
                    "schema_tool_call",
                    tool=call.name,
                    arguments=call.raw_arguments or json.dumps(dict(call.arguments)),
                )
                for call in message.tool_calls
            )
            turn = Message("assistant", text)
        elif message.role == "tool":
            text = prompts.render(
                "schema_tool_result",
                tool=message.name or "the tool",
                result=message.content,
                tools_left=tools_left,
            )
            turn = Message("user", text)
        else:
            turn = Message(message.role, message.content)
        if out and turn.role == "user" and out[-1].role == "user":
            turn = Message("user", f"{out.pop().content}\n\n{turn.content}")
        out.append(turn)
    return out


_TRUNCATED_CALL = re.compile(r'^\s*\{\s*"tool"\s*:\s*"([^"]+)"')
_TRUNCATED_ANSWER = re.compile(r'^\s*\{\s*"final_answer"\s*:\s*"(.*)', re.DOTALL)


def read_decision(text: str, request: ModelRequest) -> tuple[str, tuple[ToolCall, ...]]:
    """Turn a constrained reply into ``(answer text, tool calls)``. A reply cut off by the token
    limit inside its answer still yields the answer so far; anything else unreadable is returned as
    text, which the agent loop treats as a final answer."""
    try:
        # Small models put raw newlines inside strings; strict=False accepts them.
        data = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        cut = _TRUNCATED_ANSWER.match(text)
        if cut:
            return cut.group(1).rstrip().rstrip('"').replace('\\"', '"').replace("\\n", "\n"), ()
        call = _TRUNCATED_CALL.match(text)
        if call:  # a call cut off mid-arguments: the agent loop reports it, rather than take it as an answer
            return "", (
                ToolCall(call.group(1), {}, id=decision_call_id(request), raw_arguments=text),
            )
        return text, ()
    if not isinstance(data, dict):
        return text, ()
    if isinstance(data.get("tool"), str):
        arguments = data.get("arguments")
        call_id = decision_call_id(request)
        if isinstance(arguments, dict):
            return "", (ToolCall(data["tool"], arguments, id=call_id),)
        raw = json.dumps(arguments)
        return "", (ToolCall(data["tool"], {}, id=call_id, raw_arguments=raw),)
    if "final_answer" in data:
        answer = data["final_answer"]
        return (answer if isinstance(answer, str) else json.dumps(answer)), ()
    return text, ()


def decision_call_id(request: ModelRequest) -> str:
    """The id given to a constrained reply's tool call: one per assistant turn, so ids repeat
    across requests the same way for the same conversation (cassettes and journals match)."""
    return f"call_{sum(1 for m in request.messages if m.role == 'assistant')}"
