"""A batch in the run journal: the batch's record, each row's run tagged with the batch id and row
index, the rows the journal already finished (their result lines rebuilt from it, so a lost or
cut-short results file costs no model call), and the runs of rows executed where the journal file
is not at hand (Ray workers), recorded by the driver."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path
from typing import Any

from crewkit.batch._row import failure_line, row_run_id
from crewkit.batch._source import Row
from crewkit.errors import ConfigurationError, CrewkitError
from crewkit.journal import Draft, Journal
from crewkit.llm import Usage

FINISHED = ("completed", "failed")
"""Statuses of a row's run that count as done: its result line can be rebuilt from the journal."""

_BATCH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def default_batch_id(out: Path) -> str:
    """The batch id of a results file: its name and a digest of its absolute path, so rerunning
    the same command finds the same batch even when the file itself was lost."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "-", out.stem)[:20].strip("-._") or "batch"
    digest = hashlib.sha256(str(out.resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{stem}-{digest[:8]}"


def checked_batch_id(batch_id: str) -> str:
    """``batch_id`` if it can prefix run ids, else a clear error."""
    if not isinstance(batch_id, str) or not _BATCH_ID.fullmatch(batch_id):
        raise ConfigurationError(
            f"batch_id must be 1-40 letters, digits, '.', '_' or '-', got {batch_id!r}"
        )
    return batch_id


class BatchJournal:
    """One batch's bookkeeping in ``journal`` (all calls block: run them in a thread)."""

    def __init__(self, journal: Journal, batch_id: str) -> None:
        self.journal = journal
        self.batch_id = checked_batch_id(batch_id)
        self._definition: tuple[dict[str, Any], str, int] | None = None

    def begin(self, crew: Any, total: int | None, source: str | None) -> dict[str, str]:
        """Record the batch (a known one keeps its first record) and return the status of each
        run it has, by run id."""
        self.journal.begin_batch(
            self.batch_id, crew=crew.name, fingerprint="", total=total, source=source
        )
        return self.journal.batch_statuses(self.batch_id)

    def run_id(self, row: Row) -> str:
        """The run id of ``row`` in this batch."""
        return row_run_id(self.batch_id, row)

    def result_line(self, row: Row) -> dict[str, Any]:
        """The result line of a row whose run the journal holds as completed or failed."""
        run_id = self.run_id(row)
        record = self.journal.require(run_id)
        if record.status == "completed" and record.output is not None:
            output = record.output
            tasks = output.get("tasks_output") or [{}]
            return {
                "index": row.index,
                "key": row.key,
                "inputs": row.inputs,
                "ok": True,
                "output": output.get("raw"),
                "json": tasks[-1].get("json_dict"),
                "usage": output.get("token_usage"),
                "cost": None,
                "error": None,
                "run_id": run_id,
            }
        done = self.journal.entries(run_id, kinds=["task_output"])
        ended = self.journal.entries(run_id, kinds=["run_ended"])
        kind = ended[-1].data.get("error_type") if ended else None
        return failure_line(
            row.index, row.key, row.inputs, kind, record.error or record.shown_status,
            [dict(e.data["output"]) for e in done], run_id,
        )  # fmt: skip

    # -- rows run where the journal is not at hand ------------------------------------------

    def record_start(self, crew: Any, row: Row, known: str | None) -> str | None:
        """Journal ``row``'s run as started by this process (``known``: the status the journal
        had for it); ``None`` when the row's inputs do not fit the crew (the worker's run fails
        before any model call, and its line says why)."""
        from crewkit._run.prepare import check_inputs

        run_id = self.run_id(row)
        if known is not None:
            self.journal.claim(run_id)
            return run_id
        inputs = {**crew.inputs, **row.inputs}
        try:
            check_inputs(crew, inputs)
            definition, print_, tasks = self._definition or self._define(crew, inputs)
        except CrewkitError:  # the worker's run reports the same mistake, as a local run would
            return None
        self.journal.begin_run(
            run_id, crew=crew.name, fingerprint=print_, definition=definition, inputs=inputs,
            tasks_total=tasks, batch_id=self.batch_id, batch_index=row.index,
        )  # fmt: skip
        return run_id

    def _define(self, crew: Any, inputs: dict[str, Any]) -> tuple[dict[str, Any], str, int]:
        """The crew's definition, fingerprint and task count (the same for every row)."""
        from crewkit._run.fingerprint import definition_of
        from crewkit._run.prepare import prepare
        from crewkit.journal._definitions import fingerprint

        resolved = prepare(crew, inputs, durable=True)
        definition = definition_of(crew, resolved)
        self._definition = (definition, fingerprint(definition), len(resolved.tasks))
        return self._definition

    def record_end(self, run_id: str, result: dict[str, Any]) -> None:
        """Journal how a row run elsewhere ended: its tasks' outputs, usage and output."""
        output = result.get("crew_output")
        if not result["ok"] or output is None:
            error = result.get("error") or {}
            tasks = [
                Draft("task_output", {"index": i, "output": t}, time.time(), task=t.get("name"))
                for i, t in enumerate(error.get("tasks_done") or [])
            ]
            self.journal.finish(
                run_id, "failed", error=str(error.get("message")), earlier=tasks,
                error_type=error.get("type"),
            )  # fmt: skip
            return
        tasks = [
            Draft("task_output", {"index": i, "output": t}, time.time(), task=t.get("name"),
                  agent=t.get("agent"))
            for i, t in enumerate(output.get("tasks_output") or [])
        ]  # fmt: skip
        usage = output.get("token_usage") or {}
        totals = Usage(
            usage.get("prompt_tokens", 0),
            usage.get("completion_tokens", 0),
            requests=usage.get("requests", 0),
        )
        self.journal.finish(run_id, "completed", output=output, earlier=tasks, totals=totals)
