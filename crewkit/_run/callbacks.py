"""Your callbacks, run so that one that raises ends the run with a :class:`CallbackError` naming it,
the task's finished work kept in the error's ``outputs``.

A task's ``callback`` runs after the task and raises at once. The crew's ``task_callback`` and
``step_callback`` are event listeners, and events cannot raise (a progress display must not kill a
run), so their first failure is kept on the run and raised when the task it happened in ends.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from crewkit._run.state import Run
from crewkit.errors import CallbackError
from crewkit.events import (
    AgentFinished,
    Event,
    Listener,
    TaskCompleted,
    ToolCallCompleted,
    ToolCallFailed,
)
from crewkit.task import TaskOutput

_STEP_EVENTS = (ToolCallCompleted, ToolCallFailed, AgentFinished)


def callback_error(kind: str, function: Any, task: str, exc: Exception) -> CallbackError:
    """The error for ``function`` (the ``kind`` callback) raising ``exc`` during ``task``."""
    name = getattr(function, "__qualname__", None) or repr(function)
    return CallbackError(
        f"task {task!r} finished, but its {kind} {name!r} raised {type(exc).__name__}: {exc}; "
        "the answers so far are kept in the error's outputs",
        callback=name,
        task=task,
    )


async def run_task_callback(
    callback: Callable[[TaskOutput], object], task: str, output: TaskOutput
) -> None:
    """Call a task's ``callback`` with its output (awaiting it if it is async)."""
    try:
        value = callback(output)
        if inspect.isawaitable(value):
            await value
    except Exception as exc:
        error = callback_error("callback", callback, task, exc)
        error.outputs = [output]
        raise error from exc


def crew_callback_listeners(
    run: Run,
    step_callback: Callable[[Event], object] | None,
    task_callback: Callable[[TaskOutput], object] | None,
) -> list[Listener]:
    """The crew's ``step_callback`` and ``task_callback`` as listeners of ``run``'s events."""

    def guarded(kind: str, function: Callable[[Any], object], arg: Any) -> None:
        try:
            function(arg)
        except Exception as exc:
            if run.callback_failure is None:
                run.callback_failure = (kind, function, exc)

    listeners: list[Listener] = []
    if step_callback is not None:
        step = step_callback
        listeners.append(
            lambda e: guarded("step_callback", step, e) if isinstance(e, _STEP_EVENTS) else None
        )
    if task_callback is not None:
        done = task_callback
        listeners.append(
            lambda e: (
                guarded("task_callback", done, e.output) if isinstance(e, TaskCompleted) else None
            )
        )
    return listeners


def raise_callback_failure(run: Run, task: str, output: TaskOutput) -> None:
    """Raise the crew callback failure kept on ``run``, if any, as ``task``'s end."""
    if run.callback_failure is None:
        return
    kind, function, exc = run.callback_failure
    error = callback_error(kind, function, task, exc)
    error.outputs = [output]
    raise error from exc
