"""MockLLM: runs any crew end to end, deterministically, with no script and no network."""

from __future__ import annotations

import json

from crewkit._schema_sample import sample
from crewkit.llm._base import LLM
from crewkit.llm._types import Message, ModelProfile, ModelRequest, ModelResponse, ToolCall, Usage


def estimate_tokens(text: str) -> int:
    """A deterministic token estimate (about four characters a token)."""
    return (len(text) + 3) // 4


class MockLLM(LLM):
    """Calls each offered tool once (arguments generated from its schema), then gives a final answer
    that names the agent and task and quotes what the tools returned; with a response schema it answers
    with JSON that satisfies it. The same request always gets byte-identical output."""

    provider = "mock"

    def __init__(self, *, native_tools: bool = True, observation_chars: int = 400) -> None:
        self.model = "mock"
        self.profile = ModelProfile(native_tools=native_tools, json_schema=True)
        self.observation_chars = observation_chars

    async def complete(self, request: ModelRequest) -> ModelResponse:
        calls: tuple[ToolCall, ...] = ()
        text = ""
        pending = self._uncalled_tool(request)
        if pending is not None:
            name, args = pending
            if self.profile.native_tools:
                calls = (ToolCall(name, args, id=f"call_{len(request.messages)}"),)
            else:
                text = f"Action: {name}\nAction Input: {json.dumps(args, sort_keys=True)}"
        elif request.response_schema is not None:
            text = json.dumps(sample(request.response_schema.schema), sort_keys=True)
        else:
            text = self._final_answer(request)
            if not self.profile.native_tools:
                text = f"Final Answer: {text}"
        prompt = sum(estimate_tokens(m.content) for m in request.messages)
        prompt += sum(estimate_tokens(json.dumps(dict(t.parameters))) for t in request.tools)
        completion = estimate_tokens(text) + sum(
            estimate_tokens(json.dumps(dict(c.arguments))) for c in calls
        )
        return ModelResponse(
            text=text,
            tool_calls=calls,
            usage=Usage(prompt_tokens=prompt, completion_tokens=completion),
            finish_reason="tool_calls" if calls else "stop",
            model="mock",
        )

    def _uncalled_tool(self, request: ModelRequest) -> tuple[str, dict[str, object]] | None:
        called = {c.name for m in request.messages for c in m.tool_calls}
        called |= {
            line.split(":", 1)[1].strip()
            for m in request.messages
            if m.role == "assistant"
            for line in m.content.splitlines()
            if line.startswith("Action:")
        }
        for spec in request.tools:
            if spec.name not in called:
                args = sample(spec.parameters) if spec.parameters else {}
                return spec.name, dict(args) if isinstance(args, dict) else {}
        return None

    def _final_answer(self, request: ModelRequest) -> str:
        agent = request.metadata.get("agent", "Agent")
        task = request.metadata.get("task") or _first_line(request.messages)
        lines = [f"{agent} completed: {task}"]
        for message in _observations(request.messages):
            snippet = " ".join(message.content.split())[: self.observation_chars]
            label = f"{message.name} returned" if message.name else "Observed"
            lines.append(f"- {label}: {snippet}")
        return "\n".join(lines)


def _first_line(messages: tuple[Message, ...]) -> str:
    user = next((m for m in messages if m.role == "user"), None)
    return (
        user.content.strip().splitlines()[0][:120] if user and user.content.strip() else "the task"
    )


def _observations(messages: tuple[Message, ...]) -> list[Message]:
    first_user = next((i for i, m in enumerate(messages) if m.role == "user"), len(messages))
    return [m for m in messages[first_user + 1 :] if m.role in ("tool", "user")]
