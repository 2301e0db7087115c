"""One row of a batch run to its result line: the same function in this process, a worker process
or a Ray worker, so every executor writes the same file."""

from __future__ import annotations

from typing import Any

from crewkit.batch._source import Row
from crewkit.errors import CrewkitError


def result_of(index: int, key: str, inputs: dict[str, Any], output: Any) -> dict[str, Any]:
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
    }


def failure_of(
    index: int, key: str, inputs: dict[str, Any], error: BaseException
) -> dict[str, Any]:
    """The result line of a run that failed: the error and whatever tasks it finished."""
    outputs = getattr(error, "outputs", None) or []
    return {
        "index": index,
        "key": key,
        "inputs": inputs,
        "ok": False,
        "output": None,
        "json": None,
        "usage": None,
        "cost": None,
        "error": {
            "type": type(error).__name__,
            "message": str(error) if isinstance(error, CrewkitError) else repr(error),
            "tasks_done": [o.to_dict() for o in outputs if hasattr(o, "to_dict")],
        },
    }


async def run_row(crew: Any, row: Row) -> dict[str, Any]:
    """Kick ``crew`` off with the row's inputs; any failure becomes a failed result line, so one
    bad row never stops the others."""
    try:
        output = await crew.kickoff_async(row.inputs)
    except Exception as error:  # a row's failure is data for its result line
        return failure_of(row.index, row.key, row.inputs, error)
    return result_of(row.index, row.key, row.inputs, output)
