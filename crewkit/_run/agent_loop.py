"""The agent loop: model ⇄ tools until a final answer, within ``max_iter`` model calls."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass

from crewkit import prompts
from crewkit._run.plan import RunAgent
from crewkit._run.react import Action, FinalAnswer, parse_reply
from crewkit._run.state import Run, Scope
from crewkit._run.toolbox import Observation, ToolBox
from crewkit.events import AgentFinished, AgentStarted
from crewkit.llm._types import Message, ModelRequest, ModelResponse, ToolCall, ToolSpec
from crewkit.tools._tool import Tool, normalize_name

_OBSERVATION_STOP = ("\nObservation:",)


@dataclass(frozen=True)
class AgentResult:
    """An agent's final answer on one piece of work."""

    text: str
    forced: bool
    """True when ``max_iter`` ran out and the answer was demanded."""
    model_calls: int


async def run_agent(
    run: Run,
    agent: RunAgent,
    *,
    task: str,
    prompt: str,
    tools: Sequence[Tool],
    parent: str,
) -> AgentResult:
    """Let ``agent`` work on ``prompt`` until it answers; ``task`` labels usage and events."""
    span = run.new_span()
    run.bus.emit(
        AgentStarted(
            run_id=run.run_id, span_id=span, parent_id=parent, agent_role=agent.role, task_name=task
        )
    )
    loop = _Loop(run, agent, Scope(task=task, agent=agent.role, parent=span), tools, prompt)
    result = await loop.work()
    run.bus.emit(
        AgentFinished(
            run_id=run.run_id,
            span_id=span,
            parent_id=parent,
            agent_role=agent.role,
            task_name=task,
            answer=result.text,
            forced=result.forced,
        )
    )
    return result


class _Loop:
    def __init__(
        self, run: Run, agent: RunAgent, scope: Scope, tools: Sequence[Tool], prompt: str
    ) -> None:
        self.run, self.agent, self.scope = run, agent, scope
        self.llm = agent.llm
        self.native = self.llm.profile.native_tools
        self.toolbox = ToolBox(tools)
        self.specs = tuple(t.spec() for t in tools)
        self.messages = _opening(agent, self.specs, prompt, self.native)
        self.calls = 0

    async def work(self) -> AgentResult:
        while self.calls < self.agent.max_iter:
            response = await self._ask(tools=True)
            answer = await (
                self._native_step(response) if self.native else self._text_step(response)
            )
            if answer is not None:
                return AgentResult(answer, forced=False, model_calls=self.calls)
            if self.toolbox.must_answer:  # a loop guard refused a call and said why
                return await self._forced("")
        reason = f"You have used all {self.agent.max_iter} steps allowed for this task."
        return await self._forced(reason)

    async def _ask(self, *, tools: bool) -> ModelResponse:
        self.calls += 1
        stop = () if self.native or not self.llm.profile.stop_words else _OBSERVATION_STOP
        request = ModelRequest(
            messages=tuple(self.messages),
            tools=self.specs if tools else (),
            stop=stop,
            metadata={"agent": self.agent.role, "task": self.scope.task},
        )
        return await self.run.call_model(self.llm, request, self.scope)

    async def _native_step(self, response: ModelResponse) -> str | None:
        if not response.tool_calls:
            if response.text.strip():
                return response.text.strip()
            self.messages.append(Message("assistant", response.text))
            self.messages.append(Message("user", prompts.render("empty_reply")))
            return None
        calls = tuple(
            c if c.id else ToolCall(c.name, c.arguments, f"call_{self.calls}_{i}", c.raw_arguments)
            for i, c in enumerate(response.tool_calls)
        )
        self.messages.append(Message("assistant", response.text, tool_calls=calls))
        observations = await asyncio.gather(*(self._call(c) for c in calls))
        for call, observation in zip(calls, observations, strict=True):
            self.messages.append(
                Message("tool", observation.text, tool_call_id=call.id, name=call.name)
            )
        return None

    async def _call(self, call: ToolCall) -> Observation:
        arguments = None if call.raw_arguments is not None else call.arguments
        return await self.toolbox.call(
            self.run, self.scope, call.name, arguments, call.raw_arguments
        )

    async def _text_step(self, response: ModelResponse) -> str | None:
        reply = parse_reply(response.text, {normalize_name(n) for n in self.toolbox.names})
        if isinstance(reply, FinalAnswer):
            return reply.text
        if isinstance(reply, Action):
            self.messages.append(Message("assistant", reply.text))
            observation = await self.toolbox.call(
                self.run, self.scope, reply.tool, reply.arguments, reply.raw_input
            )
            self.messages.append(
                Message("user", prompts.render("observation", result=observation.text))
            )
            return None
        self.messages.append(Message("assistant", response.text))
        self.messages.append(Message("user", prompts.render("parse_error", problem=reply.problem)))
        return None

    async def _forced(self, reason: str) -> AgentResult:
        demand = prompts.render("force_final_answer", reason=reason)
        if self.messages[-1].role == "user":  # keep roles alternating (text protocol observations)
            demand = f"{self.messages.pop().content}\n\n{demand}"
        self.messages.append(Message("user", demand))
        response = await self._ask(tools=False)
        text = response.text.strip()
        if not self.native:
            reply = parse_reply(text)
            text = reply.text if isinstance(reply, FinalAnswer) else text
        return AgentResult(text, forced=True, model_calls=self.calls)


def _opening(
    agent: RunAgent, specs: Sequence[ToolSpec], prompt: str, native: bool
) -> list[Message]:
    tools = [
        {
            "name": s.name,
            "description": s.description,
            "arguments": json.dumps(s.parameters.get("properties", {})),
        }
        for s in specs
    ]
    system = prompts.render(
        "agent_system",
        role=agent.role,
        goal=agent.goal,
        backstory=agent.backstory,
        tools=tools,
        text_protocol=not native,
    )
    if not agent.llm.profile.system_role:
        return [Message("user", f"{system}\n\n{prompt}")]
    return [Message("system", system), Message("user", prompt)]
