"""One row of a batch run to its result line: the same function in this process, a worker process
or a Ray worker, so every executor writes the same file."""

from __future__ import annotations

from typing import Any

from crewkit.batch._source import Row
from crewkit.errors import CrewkitError


def result_of(
    index: int, key: str, inputs: dict[str, Any], output: Any, run_id: str | None = None
) -> dict[str, Any]:
    """The result line of a finished run (``output`` is a ``CrewOutput``)."""
    return {
        "index": index,
        "key": key,
        "inputs": inputs,
        "ok": True,
        "output": output.raw,
        "json": output.json_dict,
        "usage": output.token_usage.as_dict(),
        "cost": None,
        "error": None,
        "run_id": run_id,
    }


def failure_of(
    index: int, key: str, inputs: dict[str, Any], error: BaseException, run_id: str | None = None
) -> dict[str, Any]:
    """The result line of a run that failed: the error and whatever tasks it finished."""
    outputs = getattr(error, "outputs", None) or []
    return failure_line(
        index, key, inputs, type(error).__name__,
        str(error) if isinstance(error, CrewkitError) else repr(error),
        [o.to_dict() for o in outputs if hasattr(o, "to_dict")], run_id,
    )  # fmt: skip


def failure_line(
    index: int,
    key: str,
    inputs: dict[str, Any],
    kind: str | None,
    message: str,
    tasks_done: list[dict[str, Any]],
    run_id: str | None,
) -> dict[str, Any]:
    """A failed row's line from its parts (``kind``: the error's type, when known)."""
    return {
        "index": index,
        "key": key,
        "inputs": inputs,
        "ok": False,
        "output": None,
        "json": None,
        "usage": None,
        "cost": None,
        "error": {"type": kind, "message": message, "tasks_done": tasks_done},
        "run_id": run_id,
    }


async def run_row(
    crew: Any, row: Row, batch_id: str | None = None, *, with_output: bool = False
) -> dict[str, Any]:
    """Kick ``crew`` off with the row's inputs; any failure becomes a failed result line, so one
    bad row never stops the others. With ``batch_id`` (and a durable crew) the row is a run of
    that batch in the journal, continued from there if an earlier process started it.
    ``with_output``: add the whole ``CrewOutput.to_dict()`` as ``crew_output``, for a driver
    that journals rows run elsewhere."""
    run_id = None
    try:
        if batch_id is not None and getattr(crew, "journal", None) is not None:
            from crewkit._run.resuming import run_in_batch

            run_id = row_run_id(batch_id, row)
            output = await run_in_batch(
                crew, row.inputs, batch_id=batch_id, index=row.index, run_id=run_id
            )
        else:
            output = await crew.kickoff_async(row.inputs)
    except Exception as error:  # a row's failure is data for its result line
        return failure_of(row.index, row.key, row.inputs, error, run_id)
    result = result_of(row.index, row.key, row.inputs, output, run_id)
    if with_output:
        result["crew_output"] = output.to_dict()
    return result


def row_run_id(batch_id: str, row: Row) -> str:
    """The journal's run id of a batch row: batch, position and a digest of the inputs, so an
    edited row is a new run."""
    return f"{batch_id}-{row.index}-{row.key.partition(':')[2][:8]}"
