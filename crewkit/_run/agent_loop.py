"""The agent loop: model ⇄ tools until a final answer, within ``max_iter`` model calls and
``max_execution_time`` seconds. A loop can be sent back to work with feedback (``revise``), which is
how output validation, guardrails and human review ask for a better answer in the same conversation."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from crewkit import prompts
from crewkit._run.gateway import call_model
from crewkit._run.prepare import RunAgent
from crewkit._run.state import Run, Scope
from crewkit._run.toolbox import Observation, ToolBox
from crewkit._sync import gather_or_cancel
from crewkit.errors import AgentTimeoutError
from crewkit.events import AGENT_SPAN
from crewkit.llm._text_protocol import (
    STOP_WORDS,
    Action,
    FinalAnswer,
    parse_reply,
    write_final_answer,
)
from crewkit.llm._types import (
    Message,
    ModelRequest,
    ModelResponse,
    ResponseSchema,
    ToolCall,
    ToolSpec,
    normalize_name,
)
from crewkit.tools._tool import Tool

T = TypeVar("T")


@dataclass(frozen=True)
class AgentResult:
    """An agent's final answer on one piece of work."""

    text: str
    forced: bool
    """True when ``max_iter`` ran out and the answer was demanded."""
    model_calls: int


class AgentLoop:
    """One agent working on one prompt. Create it (the agent's span opens), ``await work()``, then
    optionally ``revise()``."""

    def __init__(
        self,
        run: Run,
        agent: RunAgent,
        *,
        task: str,
        prompt: str,
        tools: Sequence[Tool],
        parent: str,
        response_schema: ResponseSchema | None = None,
        quoted: str = "",
    ) -> None:
        self.run, self.agent = run, agent
        self.span = run.open_span(AGENT_SPAN, parent=parent, agent_role=agent.role, task_name=task)
        self.scope = Scope(task=task, agent=agent.role, parent=self.span.id)
        self.llm = agent.llm
        self.native = self.llm.profile.native_tools
        self.toolbox = ToolBox(tools)
        self.specs = tuple(t.spec() for t in tools)
        self.response_schema = response_schema
        self.messages = _opening(agent, self.specs, prompt, self.native, quoted)
        self.calls = 0
        self.prompt_tokens = 0
        """The last call's prompt tokens: the next call of this conversation sends at least that."""
        self.last_answer: str | None = None
        limit = agent.max_execution_time
        self.deadline = None if limit is None else time.monotonic() + limit

    async def work(self) -> AgentResult:
        """Work until a final answer (or the forced one at ``max_iter``). Each answer ends the agent's
        span with ``AgentFinished`` (a revised answer ends it again); an error fails it."""
        try:
            result = await self._within_time(self._until_answer())
        except BaseException as exc:
            self.span.fail(exc)
            raise
        self.last_answer = result.text
        self.span.end(answer=result.text, forced=result.forced)
        return result

    async def revise(self, feedback: str) -> AgentResult:
        """Show the agent ``feedback`` on its last answer and let it work again (fresh ``max_iter``)."""
        self.messages.append(Message("assistant", self._answer_as_sent()))
        self.messages.append(Message("user", feedback))
        return await self.work()

    def _answer_as_sent(self) -> str:
        answer = self.last_answer or ""
        return answer if self.native else write_final_answer(answer)

    async def _within_time(self, step: Awaitable[T]) -> T:
        if self.deadline is None:
            return await step
        remaining = self.deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise asyncio.TimeoutError
            return await asyncio.wait_for(step, remaining)
        except asyncio.TimeoutError:
            if asyncio.iscoroutine(step):
                step.close()
            raise AgentTimeoutError(
                f"agent {self.agent.role!r} exceeded max_execution_time="
                f"{self.agent.max_execution_time}s on {self.scope.task!r} "
                f"after {self.calls} model calls"
            ) from None

    async def _until_answer(self) -> AgentResult:
        calls = 0
        while calls < self.agent.max_iter:
            if self.llm.profile.small and self.toolbox.results:
                # A small model cannot plan several rounds of tools (nor redo them when its answer
                # is sent back): once it has a result, it answers.
                return await self._forced(prompts.render("small_model_answer"), forced=False)
            calls += 1
            response = await self._ask(tools=True)
            answer = await (
                self._native_step(response) if self.native else self._text_step(response)
            )
            if answer is not None:
                return AgentResult(answer, forced=False, model_calls=self.calls)
            if self.toolbox.must_answer:  # a loop guard refused a call and said why
                self.toolbox.must_answer = False
                return await self._forced("")
        reason = f"You have used all {self.agent.max_iter} steps allowed for this task."
        return await self._forced(reason)

    async def _ask(self, *, tools: bool) -> ModelResponse:
        self.calls += 1
        stop = () if self.native or not self.llm.profile.stop_words else STOP_WORDS
        request = ModelRequest(
            messages=tuple(self.messages),
            tools=self.specs if tools else (),
            response_schema=self.response_schema,
            stop=stop,
            metadata={"agent": self.agent.role, "task": self.scope.task},
        )
        response = await call_model(
            self.run, self.llm, request, self.scope, self.agent.limiters,
            prompt_floor=self.prompt_tokens,
        )  # fmt: skip
        self.prompt_tokens = response.usage.prompt_tokens
        return response

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
        # One failing call (a coworker's model down) cancels its siblings before the error rises.
        observations = await gather_or_cancel(self._call(c) for c in calls)
        for call, observation in zip(calls, observations, strict=True):
            self.messages.append(
                Message("tool", observation.text, tool_call_id=call.id, name=call.name)
            )
        return next((o.answer for o in observations if o.answer is not None), None)

    async def _call(self, call: ToolCall) -> Observation:
        arguments = None if call.raw_arguments is not None else call.arguments
        return await self.toolbox.call(
            self.run, self.scope, call.name, arguments, call.raw_arguments, call.id
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
            return observation.answer
        self.messages.append(Message("assistant", response.text))
        self.messages.append(Message("user", prompts.render("parse_error", problem=reply.problem)))
        return None

    async def _forced(self, reason: str, *, forced: bool = True) -> AgentResult:
        demand = prompts.render("force_final_answer", reason=reason)
        if self.messages[-1].role == "user":  # keep roles alternating (text protocol observations)
            demand = f"{self.messages.pop().content}\n\n{demand}"
        self.messages.append(Message("user", demand))
        response = await self._ask(tools=False)
        text = response.text.strip()
        if not self.native:
            reply = parse_reply(text)
            text = reply.text if isinstance(reply, FinalAnswer) else text
        return AgentResult(text, forced=forced, model_calls=self.calls)


def _opening(
    agent: RunAgent, specs: Sequence[ToolSpec], prompt: str, native: bool, quoted: str = ""
) -> list[Message]:
    """The system message and the task; ``quoted`` (other models' words: earlier tasks' outputs)
    goes in a message of its own before the task."""
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
        return [Message("user", "\n\n".join(p for p in (system, quoted, prompt) if p))]
    opening = [Message("system", system), Message("user", prompt)]
    if quoted:
        opening.insert(1, Message("user", quoted, quoted=True))
    return opening
