"""Delegation: ``delegate_work_to_coworker`` and ``ask_question_to_coworker``, built per task of a
run. The coworker runs its own agent loop, nested under the tool call, and its final answer is the
observation. The loop guards live here: a delegation budget per task, no delegating to oneself, and
no repeating a delegation with the same content. A tripped guard refuses the call, says why, and
the caller is then asked for its final answer — so a run always ends in bounded model calls."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from crewkit import prompts
from crewkit._run.agent_loop import AgentLoop
from crewkit._run.prepare import RunAgent
from crewkit._run.run_tool import Refusal, RunTool
from crewkit._run.state import Run, Scope
from crewkit.llm._types import ToolSpec

DELEGATE_WORK = "delegate_work_to_coworker"
ASK_QUESTION = "ask_question_to_coworker"
MAX_ENUM_ROLES = 50
"""Above this many coworkers the schema lists no enum (it would cost more than it helps)."""


class _DelegateArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task: str
    context: str = ""
    coworker: str


class _AskArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    context: str = ""
    coworker: str


def _norm(text: str) -> str:
    """Case, surrounding quotes and spacing ignored."""
    return " ".join(text.strip().strip("`'\"*").split()).casefold()


_ROLE_END = re.compile(r"[\s,;:(\[{\-–—]")


def match_coworker(name: str, roles: Sequence[str]) -> str | None:
    """The role ``name`` designates: equal ignoring case, quotes and spacing, or a role followed by
    a description ("Risk Manager (the one who sizes positions)"); the longest such role wins."""
    wanted = _norm(name)
    by_norm = {_norm(r): r for r in roles}
    if wanted in by_norm:
        return by_norm[wanted]
    prefixed = [
        (len(n), r)
        for n, r in by_norm.items()
        if wanted.startswith(n) and _ROLE_END.match(wanted[len(n) :])
    ]
    return max(prefixed)[1] if prefixed else None


def closest_role(name: str, roles: Sequence[str]) -> str:
    """The role most similar to ``name`` (for the "did you mean" hint)."""
    wanted = _norm(name)
    return max(
        roles, key=lambda r: difflib.SequenceMatcher(None, wanted, _norm(r)).ratio(), default=""
    )


@dataclass
class DelegationGuard:
    """Per-task state shared by one caller's two delegation tools."""

    limit: int
    used: int = 0
    answers: dict[tuple[str, str, str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Request:
    kind: str
    text: str
    context: str
    coworker: str


class _DelegationTool(RunTool):
    kind = ""
    """"work" or "question": a repeat is the same kind, coworker, text and context."""
    template = ""
    """The prompt the coworker receives."""
    text_field = ""
    """The argument holding the task or the question."""

    def __init__(
        self,
        caller: RunAgent,
        coworkers: Sequence[RunAgent],
        guard: DelegationGuard,
        *,
        coworker_first: bool = False,
    ) -> None:
        self.coworker_first = coworker_first
        """Put ``coworker`` first in the arguments, so a constrained reply names who before what."""
        self.caller = caller
        self.coworkers = {c.role: c for c in coworkers}
        self.guard = guard
        self.description = prompts.render(f"{self.name}_tool")

    def spec(self) -> ToolSpec:
        """The base schema, with ``coworker`` an enum of the valid roles (constrains native tool
        calls; costs a few characters per role)."""
        base = super().spec()
        roles = list(self.coworkers)
        if len(roles) > MAX_ENUM_ROLES:
            return base
        properties = {**base.parameters["properties"]}
        properties["coworker"] = {**properties["coworker"], "enum": roles}
        if self.coworker_first:
            properties = {"coworker": properties.pop("coworker"), **properties}
        return ToolSpec(base.name, base.description, {**base.parameters, "properties": properties})

    async def arun_in(self, run: Run, scope: Scope, **kwargs: Any) -> str | Refusal:
        request = _Request(
            self.kind, kwargs[self.text_field], kwargs["context"], kwargs["coworker"]
        )
        roles = list(self.coworkers)
        role = match_coworker(request.coworker, roles)
        if role is None and match_coworker(request.coworker, [self.caller.role]):
            return Refusal(prompts.render("delegation_to_self", role=self.caller.role))
        if role is None:
            return prompts.render(
                "unknown_coworker",
                asked=request.coworker,
                closest=closest_role(request.coworker, roles),
                roles=roles,
            )
        key = (request.kind, role, _norm(request.text), _norm(request.context))
        if key in self.guard.answers:
            return Refusal(
                prompts.render(
                    "delegation_repeated",
                    kind=request.kind,
                    coworker=role,
                    answer=self.guard.answers[key],
                )
            )
        if self.guard.used >= self.guard.limit:
            return Refusal(prompts.render("delegation_limit", limit=self.guard.limit))
        self.guard.used += 1
        self.guard.answers[key] = prompts.render("delegation_pending")
        coworker = self.coworkers[role]
        knowledge: list[dict[str, str]] = []
        if run.knowledge is not None:  # the coworker consults its sources, as on its own tasks
            query = f"{request.text}\n{request.context}"
            knowledge = await run.knowledge.recall(query, id(coworker.definition))
        prompt = prompts.render(
            self.template,
            text=request.text,
            context=request.context.strip(),
            knowledge=knowledge,
        )
        try:
            loop = AgentLoop(
                run, coworker, task=scope.task, prompt=prompt, tools=coworker.tools,
                parent=scope.parent,
            )  # fmt: skip
            result = await loop.work()
        except BaseException:
            del self.guard.answers[key]
            raise
        self.guard.answers[key] = result.text
        return result.text


class DelegateWork(_DelegationTool):
    """Hands a sub-task to a coworker and returns the coworker's final answer."""

    name = DELEGATE_WORK
    args_schema = _DelegateArgs
    kind = "work"
    template = "delegated_work"
    text_field = "task"


class AskQuestion(_DelegationTool):
    """Asks a coworker a question and returns the coworker's answer."""

    name = ASK_QUESTION
    args_schema = _AskArgs
    kind = "question"
    template = "coworker_question"
    text_field = "question"


def delegation_tools(
    caller: RunAgent,
    coworkers: Sequence[RunAgent],
    *,
    limit: int,
    preferred: RunAgent | None = None,
) -> list[RunTool]:
    """Both delegation tools for ``caller`` on one task, sharing one guard; ``caller`` itself is
    never a coworker. A small model gets only ``delegate_work_to_coworker``, with the coworker
    chosen before the task is written, and, when the task names its agent (``preferred``), that
    agent as the only choice: such a model picks coworkers at random (a 135M model sent the risk
    report to the analyst, who has no risk tool), so the crew's own assignment decides."""
    others = [c for c in coworkers if c is not caller and _norm(c.role) != _norm(caller.role)]
    guard = DelegationGuard(limit=limit)
    if caller.llm.profile.small:
        if preferred is not None and preferred in others:
            others = [preferred]
        return [DelegateWork(caller, others, guard, coworker_first=True)]
    return [DelegateWork(caller, others, guard), AskQuestion(caller, others, guard)]
