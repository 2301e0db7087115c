"""Running the tools an agent asks for. Every failure — unknown tool, bad arguments, a tool that
raises — becomes text the model reads next; nothing here ends a run."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from crewkit import prompts
from crewkit._json import describe_validation_error
from crewkit._run.durable import ToolStep, dumps, step_hash
from crewkit._run.run_tool import Refusal, RunTool
from crewkit._run.state import Run, Scope
from crewkit._text import valid_text
from crewkit.errors import CrewkitError
from crewkit.events import TOOL_SPAN
from crewkit.llm._types import normalize_name
from crewkit.tools._context import ToolContext
from crewkit.tools._tool import Tool


@dataclass(frozen=True)
class Observation:
    """What the model is told after a tool call."""

    text: str
    error: bool = False
    final: bool = False
    """The agent must give its final answer next (a run tool refused the call)."""
    answer: str | None = None
    """The tool's whole result when it is the agent's final answer (``Tool.result_as_answer``)."""


class ToolBox:
    """The tools of one agent loop, and the calls it has already made (to catch repeats)."""

    def __init__(self, tools: Sequence[Tool]) -> None:
        self.tools = {normalize_name(t.name): t for t in tools}
        self._done: dict[str, str] = {}
        self._repeats = 0
        self.results = 0
        """How many calls have returned a result (not an error)."""
        self.must_answer = False
        """Set when a run tool refused a call, or a call was repeated twice: the agent has been told
        why and must now answer."""

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tools.values()]

    def find(self, name: str) -> Tool | None:
        return self.tools.get(normalize_name(name))

    async def call(
        self,
        run: Run,
        scope: Scope,
        name: str,
        arguments: Mapping[str, Any] | None,
        raw_arguments: str | None = None,
        call_id: str = "",
    ) -> Observation:
        """Run one call (``call_id``: the model's id for it) and describe the outcome."""
        tool = self.find(name)
        if tool is None:
            return Observation(prompts.render("unknown_tool", tool=name, tools=self.names), True)
        if arguments is None:
            arguments = _single_string_argument(tool, raw_arguments or "")
        if arguments is None:
            return self._invalid(tool, f"not a JSON object: {raw_arguments!r}")
        try:
            validated = tool.arguments_model().model_validate(dict(arguments))
        except ValidationError as exc:
            return self._invalid(tool, describe_validation_error(exc))
        key = f"{tool.name}:{_canonical(arguments)}"
        if key in self._done and not isinstance(tool, RunTool):
            # Told once and repeating again: the model is looping (small models do), so it answers.
            self._repeats += 1
            self.must_answer = self._repeats > 1
            return Observation(
                prompts.render("repeated_call", tool=tool.name, result=self._done[key]), True
            )
        args = {f: getattr(validated, f) for f in type(validated).model_fields}
        observation = await self._run(run, scope, tool, args, call_id)
        if not observation.error:
            self._done[key] = observation.text
            self.results += 1
        return observation

    async def _run(
        self, run: Run, scope: Scope, tool: Tool, args: dict[str, Any], call_id: str = ""
    ) -> Observation:
        """One call inside its span. A durable run answers a call the journal completed before
        from the journal (run tools excepted: their own steps replay), and journals the others
        around the call."""
        step = None
        if run.journal is not None or tool.context_parameter is not None:
            step = _tool_step(run, scope, tool, args)
        with run.span(
            TOOL_SPAN, parent=scope.parent, agent_role=scope.agent, tool_name=tool.name,
            arguments=args, call_id=call_id,
        ) as span:  # fmt: skip
            if step is not None and step.replay is not None and not isinstance(tool, RunTool):
                observation = Observation(*step.replay)
                span.end(result=observation.text, error=observation.error, duration=0.0)
                return observation
            where = {
                "span": span.id,
                "parent": scope.parent,
                "task": scope.task,
                "agent": scope.agent,
            }
            if run.journal is not None and step is not None:
                run.journal.tool_started(step, tool.name, args, event_seq=span.seq, **where)
            call = dict(args)
            if tool.context_parameter is not None and step is not None:
                call[tool.context_parameter] = ToolContext(
                    run_id=run.run_id, task=scope.task, agent=scope.agent, tool=tool.name,
                    idempotency_key=step.idempotency_key, attempt=step.attempt,
                )  # fmt: skip
            try:
                if isinstance(tool, RunTool):
                    inner = Scope(task=scope.task, agent=scope.agent, parent=span.id)
                    result = await tool.arun_in(run, inner, **call)
                else:
                    result = await tool.arun(**call)
            except Exception as exc:
                if isinstance(tool, RunTool) and isinstance(exc, CrewkitError):
                    raise  # a coworker's model failing, a budget or time limit: ends the run
                error = valid_text(f"{type(exc).__name__}: {exc}")
                observation = Observation(
                    prompts.render("tool_error", tool=tool.name, error=error), True
                )
                if run.journal is not None and step is not None:
                    run.journal.tool_done(step, tool.name, args, observation.text, True,
                                          span.elapsed, event_seq=run.bus.last_seq + 1,
                                          **where)  # fmt: skip
                span.fail(exc)
                return observation
            if isinstance(result, Refusal):
                self.must_answer = True
                observation = Observation(result.text, error=True, final=True)
            else:
                text = valid_text(_as_text(result))
                observation = Observation(
                    _truncate(text, tool.max_result_chars),
                    answer=text if tool.result_as_answer else None,
                )
            if run.journal is not None and step is not None:
                run.journal.tool_done(step, tool.name, args, observation.text, observation.error,
                                      span.elapsed, event_seq=run.bus.last_seq + 1,
                                      **where)  # fmt: skip
            span.end(result=observation.text, error=observation.error, duration=span.elapsed)
        return observation

    def _invalid(self, tool: Tool, errors: str) -> Observation:
        schema = json.dumps(tool.spec().parameters.get("properties", {}))
        return Observation(
            prompts.render("invalid_arguments", tool=tool.name, errors=errors, schema=schema), True
        )


def _tool_step(run: Run, scope: Scope, tool: Tool, args: Mapping[str, Any]) -> ToolStep:
    """The call's identity: from the journal in a durable run, else made up the same way (so a
    tool's idempotency key does not depend on durability)."""
    if run.journal is not None:
        return run.journal.tool_step(scope.task, scope.agent, tool.name, args)
    key = step_hash("tool", scope.task, scope.agent, tool.name, dumps(dict(args)))
    n = run.tool_calls_seen[key]
    run.tool_calls_seen[key] = n + 1
    return ToolStep(key, n, step_hash(run.run_id, key, str(n)), 1, None)


def _single_string_argument(tool: Tool, raw: str) -> dict[str, Any] | None:
    """Plain text given to a tool with exactly one string argument is that argument."""
    fields = tool.arguments_model().model_fields
    if raw.strip() and len(fields) == 1:
        ((name, info),) = fields.items()
        if info.annotation is str:
            return {name: raw.strip().strip("\"'")}
    return None


def _canonical(arguments: Mapping[str, Any]) -> str:
    """The arguments as one string, to recognise a repeated call (any keys, any values)."""
    try:
        return json.dumps(arguments, sort_keys=True, default=str)
    except (TypeError, ValueError, RecursionError):
        return repr(sorted(arguments.items(), key=repr))


def _as_text(result: Any) -> str:
    if isinstance(result, str):
        return result
    if hasattr(result, "model_dump_json"):
        return str(result.model_dump_json())
    try:
        return json.dumps(result, default=str, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return str(result)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return prompts.render("truncated", text=text[:limit], removed=len(text) - limit)
