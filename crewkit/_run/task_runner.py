"""Running one task: prompt and context, the agent loop, then acceptance — structured output,
guardrails, human review — and finally the output file, callback and events."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from crewkit import prompts
from crewkit._run.agent_loop import AgentLoop, AgentResult
from crewkit._run.callbacks import raise_callback_failure, run_task_callback
from crewkit._run.prepare import RunAgent, RunTask
from crewkit._run.state import Run
from crewkit._run.structured import parse_structured, response_schema, schema_text
from crewkit._text import valid_text
from crewkit.errors import (
    ConfigurationError,
    CrewkitError,
    GuardrailError,
    OutputFileError,
    OutputValidationError,
    ReviewPending,
)
from crewkit.events import TASK_SPAN
from crewkit.llm._types import Usage
from crewkit.task import Task, TaskOutput
from crewkit.tools._tool import Tool


def task_prompt(
    task: RunTask,
    context: Sequence[TaskOutput],
    *,
    schema_in_prompt: bool,
    memories: Sequence[dict[str, str]] = (),
    instructions: Sequence[str] = (),
    knowledge: Sequence[dict[str, str]] = (),
    inputs: Mapping[str, Any] | None = None,
) -> str:
    """The user message that sets the agent to work on ``task`` (a small model gets the earlier
    tasks' outputs apart, cut short: see ``_work_on``)."""
    model = task.definition.output_model
    return prompts.render(
        "task",
        description=task.description,
        expected_output=task.expected_output,
        context=earlier_outputs(context, None),
        output_schema=schema_text(model, inputs) if model is not None and schema_in_prompt else "",
        plan=task.step_plan,
        memories=memories,
        instructions=list(instructions),
        knowledge=knowledge,
    )


def earlier_outputs(context: Sequence[TaskOutput], chars: int | None) -> list[dict[str, str]]:
    """Earlier tasks' outputs as the task prompt lists them, each cut to ``chars`` when given."""
    return [{"label": c.name, "text": _cut(c.raw, chars)} for c in context]


SMALL_MODEL_CONTEXT_CHARS = 400
"""How much of each earlier task's output a small model is shown."""


def _cut(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


async def execute_task(
    run: Run,
    task: RunTask,
    agent: RunAgent,
    context: Sequence[TaskOutput],
    *,
    tools: Sequence[Tool] | None = None,
    parent: str,
) -> TaskOutput:
    """Run ``task`` with ``agent`` until an answer is accepted, and return its output."""
    with run.span(
        TASK_SPAN, parent=parent, task_name=task.label, agent_role=agent.role,
        task_index=task.index,
    ) as span:  # fmt: skip
        output = await _work_on(run, task, agent, context, tools, span.id)
        span.end(output=output)
    if task.definition.callback is not None:
        await run_task_callback(task.definition.callback, task.label, output)
    raise_callback_failure(run, task.label, output)
    return output


async def _work_on(
    run: Run,
    task: RunTask,
    agent: RunAgent,
    context: Sequence[TaskOutput],
    tools: Sequence[Tool] | None,
    span: str,
) -> TaskOutput:
    """Memory recall, the agent loop, acceptance, memory and the output file: the task's span."""
    tools = list(agent.tools if tools is None else tools)
    memories: list[dict[str, str]] = []
    if run.memory is not None:
        memory = run.memory
        if run.journal is not None:
            memories = await run.journal.recall(
                task.label, lambda: memory.recall(task, context), span=span, agent=agent.role
            )
        else:
            memories = await memory.recall(task, context)
        tools += memory.tools(tools, agent.role)
    knowledge: list[dict[str, str]] = []
    if run.knowledge is not None:
        query = f"{task.description}\n{task.expected_output}"
        knowledge = await run.knowledge.recall(query, id(agent.definition))
    model = task.definition.output_model
    native_schema = model is not None and agent.llm.profile.json_schema
    small = agent.llm.profile.small
    # A small model gets earlier tasks' outputs as a message of their own, marked as another
    # model's words, before the task: it writes its structured answer from the task alone.
    quoted = (
        prompts.render("task_context", context=earlier_outputs(context, SMALL_MODEL_CONTEXT_CHARS))
        if small and context
        else ""
    )
    loop = AgentLoop(
        run,
        agent,
        task=task.label,
        prompt=task_prompt(
            task,
            () if small else context,
            schema_in_prompt=not native_schema,
            memories=memories,
            instructions=agent.instructions,
            knowledge=knowledge,
            inputs=run.inputs,
        ),
        tools=tools,
        parent=span,
        response_schema=response_schema(model, run.inputs)
        if native_schema and model is not None
        else None,
        quoted=quoted,
    )
    output = await _Acceptance(run, task, agent, loop).accepted(await loop.work())
    if run.memory is not None:
        await run.memory.remember_task(task, output)
    if task.output_path is not None:
        await asyncio.to_thread(_write, task, output)
    return output


def _write(task: RunTask, output: TaskOutput) -> None:
    """Write the output file; a failure keeps the answer in the error's ``outputs``."""
    path = task.output_path
    assert path is not None
    text = (
        output.raw
        if output.json_dict is None
        else json.dumps(output.json_dict, indent=2, default=str)
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(valid_text(text) + "\n", encoding="utf-8")
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        error = OutputFileError(
            f"task {task.label!r} finished, but its output_file {str(path)!r} cannot be written "
            f"({reason}); the answer is kept in the error's outputs",
            path=str(path),
        )
        error.outputs = [output]
        raise error from None


class _Acceptance:
    """Sends the agent back to work until its answer passes every check.

    Order: the output schema (up to ``output_retries`` corrections), then each guardrail (up to
    ``guardrail_max_retries`` rejections in all), then human review (as long as the person asks).
    A revised answer goes through every check again.
    """

    def __init__(self, run: Run, task: RunTask, agent: RunAgent, loop: AgentLoop) -> None:
        self.run, self.task, self.agent, self.loop = run, task, agent, loop
        self.definition: Task = task.definition
        self.rejections: list[str] = []
        self.schema_retries = 0
        self.reviews = 0

    async def accepted(self, result: AgentResult) -> TaskOutput:
        while True:
            output, feedback = await self._guardrails(await self._structured(result))
            if feedback is not None:
                result = await self.loop.revise(
                    prompts.render("guardrail_feedback", feedback=feedback)
                )
                continue
            review = await self._human(output)
            if review:
                result = await self.loop.revise(prompts.render("human_feedback", feedback=review))
                continue
            return output

    def _output(self, result: AgentResult, **structured: Any) -> TaskOutput:
        return TaskOutput(
            raw=result.text,
            name=self.task.label,
            description=self.task.description,
            agent=self.agent.role,
            expected_output=self.task.expected_output,
            token_usage=self.run.ledger.by_task.get(self.task.label, Usage()),
            forced=result.forced,
            inputs=self.run.inputs,
            plan=self.task.step_plan,
            rejections=len(self.rejections),
            **structured,
        )

    async def _structured(self, result: AgentResult) -> TaskOutput:
        model = self.definition.output_model
        if model is None:
            return self._output(result)
        while True:
            value, errors = parse_structured(result.text, model)
            if errors is None:
                data = value.model_dump(mode="json")
                pydantic = value if self.definition.output_pydantic is not None else None
                return self._output(result, pydantic=pydantic, json_dict=data)
            if self.schema_retries >= self.definition.output_retries:
                raise OutputValidationError(
                    f"task {self.task.label!r}: the answer does not match {model.__name__} after "
                    f"{self.schema_retries} retries:\n{errors}",
                    raw=result.text,
                    errors=errors,
                )
            self.schema_retries += 1
            result = await self.loop.revise(prompts.render("output_invalid", errors=errors))

    async def _guardrails(self, output: TaskOutput) -> tuple[TaskOutput, str | None]:
        """The output as the guardrails accepted it, or the feedback of the first that rejects it.
        A guardrail that raises rejects the answer with the exception's message: a check like
        ``float(output.raw)`` failing is a verdict on the answer, not a crash of the run (a
        :class:`CrewkitError` it raises, a model call's failure say, still ends the run)."""
        for guardrail in self.definition.guardrails:
            failure: Exception | None = None
            try:
                verdict = await _maybe_await(guardrail(output))
            except CrewkitError:
                raise
            except Exception as exc:
                failure, verdict = exc, (False, str(exc) or type(exc).__name__)
            if not (
                isinstance(verdict, tuple) and len(verdict) == 2 and isinstance(verdict[0], bool)
            ):
                raise ConfigurationError(
                    f"guardrail {getattr(guardrail, '__name__', guardrail)!r} of task "
                    f"{self.task.label!r} returned {verdict!r}; it must return (True, value) "
                    "or (False, 'feedback')"
                )
            ok, value = verdict
            if not ok:
                self.rejections.append(str(value))
                if len(self.rejections) > self.definition.guardrail_max_retries:
                    raise GuardrailError(
                        f"task {self.task.label!r}: the guardrail rejected the answer "
                        f"{len(self.rejections)} times: " + " | ".join(self.rejections),
                        feedback=self.rejections,
                    ) from failure
                return output, str(value)
            output = _with_value(output, value)
        return output, None

    async def _human(self, output: TaskOutput) -> str:
        """A person's feedback on the answer ("" accepts it). A durable run journals each review;
        with no person at hand it journals the answer as waiting and stops (``ReviewPending``)."""
        if not self.definition.human_input:
            return ""
        journal, label = self.run.journal, self.task.label
        n = self.reviews
        self.reviews += 1
        if journal is not None:
            decided = journal.review_decision(label, n)
            if decided is not None:
                return decided
            if self.run.reviewer_absent and self.run.ask_human is None:
                journal.review(
                    label, n, output.raw, None, agent=self.agent.role, parent=self.loop.scope.parent
                )
                raise ReviewPending(self.run.run_id, label, output.raw)
        from crewkit._console import ask_on_console

        ask = self.run.ask_human or ask_on_console
        feedback = str(await _maybe_await(ask(output)) or "").strip()
        if journal is not None:
            journal.review(
                label, n, output.raw, feedback, agent=self.agent.role, parent=self.loop.scope.parent
            )
        return feedback


def _with_value(output: TaskOutput, value: Any) -> TaskOutput:
    """Apply a guardrail's accepted value: text replaces the answer, a model or dict the structure."""
    if value is None or value is output:
        return output
    if isinstance(value, TaskOutput):
        return value
    if isinstance(value, str):
        return replace(output, raw=value)
    if hasattr(value, "model_dump"):
        data = value.model_dump(mode="json")
        return replace(output, pydantic=value, json_dict=data, raw=json.dumps(data, default=str))
    if isinstance(value, dict):
        return replace(output, json_dict=value, raw=json.dumps(value, default=str))
    return replace(output, raw=str(value))


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value
