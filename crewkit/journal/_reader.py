"""Reading a run journal: runs newest first, a run's steps from any ``seq``, following a run as it
is written, its tree. Safe beside running crews: WAL lets readers and the writer work at once."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from typing import Any, Literal

from crewkit._sqlite import SQLiteFile
from crewkit.errors import JournalError, RunNotFoundError
from crewkit.journal._records import BatchProgress, BatchRecord, Entry, RunRecord, entry_from_row
from crewkit.journal._schema import ENTRY_COLUMNS, RUN_SELECT, SCHEMA, VERSION
from crewkit.journal._tree import RunTree, build_tree
from crewkit.llm._types import Usage

DEFAULT_PATH = ".crewkit/runs.db"
"""Where ``Crew(durable=True)`` and the CLI keep runs, relative to the working directory, unless
the ``CREWKIT_JOURNAL`` environment variable names another file."""


def default_path() -> str:
    """``CREWKIT_JOURNAL``, else :data:`DEFAULT_PATH`."""
    return os.environ.get("CREWKIT_JOURNAL", "").strip() or DEFAULT_PATH


class JournalReader:
    """The reading half of :class:`~crewkit.journal.Journal` (a viewer needs nothing else)."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        readonly: bool = False,
        sync: Literal["normal", "full"] = "normal",
    ) -> None:
        if sync not in ("normal", "full"):
            raise JournalError(f"Journal sync must be 'normal' or 'full', got {sync!r}")
        self.path = str(default_path() if path is None else path)
        """The SQLite file."""
        self.readonly = readonly
        """Opened read-only (a viewer beside running crews)."""
        self.sync: Literal["normal", "full"] = sync
        """``normal`` survives any process crash; ``full`` also a power cut, at a cost per step."""
        self._db = SQLiteFile(
            self.path, schema=SCHEMA, version=VERSION, what="run journal",
            describes="run journal", error=JournalError, readonly=readonly, synchronous=sync.upper(),
        )  # fmt: skip

    def close(self) -> None:
        """Close the file; the next call opens it again."""
        self._db.close()

    def run(self, run_id: str) -> RunRecord | None:
        """One run's record, or ``None``."""
        with self._db.connection() as conn:
            row = conn.execute(f"{RUN_SELECT} WHERE r.id = ?", (run_id,)).fetchone()
        return None if row is None else RunRecord.from_row(row)

    def require(self, run_id: str) -> RunRecord:
        """One run's record; :class:`~crewkit.errors.RunNotFoundError` if there is none."""
        record = self.run(run_id)
        if record is None:
            raise RunNotFoundError(run_id, self.path)
        return record

    def runs(
        self,
        *,
        crew: str | None = None,
        status: str | None = None,
        batch_id: str | None = None,
        limit: int = 50,
        before: tuple[float, str] | None = None,
        updated_after: float | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first (a batch's runs in batch order). Page with ``before=(record.started,
        record.id)`` of the last one seen; ``updated_after`` picks runs that changed since then."""
        where: list[str] = ["1"]
        params: list[Any] = []
        for column, value in (("crew", crew), ("status", status), ("batch_id", batch_id)):
            if value is not None:
                where.append(f"r.{column} = ?")
                params.append(value)
        if before is not None:
            where.append("(r.started < ? OR (r.started = ? AND r.id < ?))")
            params += [before[0], before[0], before[1]]
        if updated_after is not None:
            where.append("r.updated > ?")
            params.append(updated_after)
        order = "r.batch_index" if batch_id is not None else "r.started DESC, r.id DESC"
        with self._db.connection() as conn:
            rows = conn.execute(
                f"{RUN_SELECT} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?",
                [*params, limit],
            ).fetchall()
        return [RunRecord.from_row(r) for r in rows]

    def entries(
        self,
        run_id: str,
        *,
        after_seq: int = 0,
        kinds: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        """A run's steps after ``after_seq``, in order."""
        sql = f"SELECT {ENTRY_COLUMNS} FROM entries WHERE run_id = ? AND seq > ?"
        params: list[Any] = [run_id, after_seq]
        if kinds:
            sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
            params += list(kinds)
        sql += " ORDER BY seq LIMIT ?"
        params.append(-1 if limit is None else limit)
        with self._db.connection() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [entry_from_row(r) for r in rows]

    def last(self, run_id: str, kind: str) -> Entry | None:
        """The run's newest step of ``kind``, or ``None``."""
        with self._db.connection() as conn:
            row = conn.execute(
                f"SELECT {ENTRY_COLUMNS} FROM entries WHERE run_id = ? AND kind = ? "
                "ORDER BY seq DESC LIMIT 1",
                (run_id, kind),
            ).fetchone()
        return None if row is None else entry_from_row(row)

    def tail(self, run_id: str, *, after_seq: int = 0, poll: float = 0.1) -> Iterator[Entry]:
        """Follow a run as it is written: every step after ``after_seq``, then each new one, until
        the run is no longer ``running``."""
        while True:
            batch = self.entries(run_id, after_seq=after_seq)
            yield from batch
            if batch:
                after_seq = batch[-1].seq
                continue
            record = self.run(run_id)
            if record is None or record.shown_status != "running":
                # what the writer added between the two reads, its last steps among them
                yield from self.entries(run_id, after_seq=after_seq)
                return
            time.sleep(poll)

    async def atail(
        self, run_id: str, *, after_seq: int = 0, poll: float = 0.1
    ) -> AsyncIterator[Entry]:
        """:meth:`tail` for an event loop (reads in a worker thread)."""
        while True:
            batch = await asyncio.to_thread(self.entries, run_id, after_seq=after_seq)
            for entry in batch:
                yield entry
            if batch:
                after_seq = batch[-1].seq
                continue
            record = await asyncio.to_thread(self.run, run_id)
            if record is None or record.shown_status != "running":
                for entry in await asyncio.to_thread(self.entries, run_id, after_seq=after_seq):
                    yield entry  # written between the two reads, as in tail()
                return
            await asyncio.sleep(poll)

    def tree(self, run_id: str) -> RunTree:
        """The run's steps nested: task → agent → model and tool calls → delegated agents."""
        return build_tree(self.require(run_id), self.entries(run_id))

    def blobs(self, run_id: str, hashes: Iterable[str]) -> dict[str, Any]:
        """Stored messages and tool specs of a run by hash, decoded."""
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, Any] = {}
        with self._db.connection() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = conn.execute(
                    "SELECT hash, data FROM blobs WHERE run_id = ? AND hash IN "
                    f"({', '.join('?' for _ in chunk)})",
                    [run_id, *chunk],
                ).fetchall()
                found.update((h, json.loads(d)) for h, d in rows)
        return found

    def request_of(self, entry: Entry) -> dict[str, Any]:
        """A ``model`` entry's request with its messages and tools written out in full."""
        request = dict(entry.data.get("request") or {})
        messages, tools = list(request.get("messages", ())), list(request.get("tools", ()))
        values = self.blobs(entry.run_id, [*messages, *tools])
        request["messages"] = [values.get(h) for h in messages]
        request["tools"] = [values.get(h) for h in tools]
        return request

    def batch_progress(self, batch_id: str) -> BatchProgress:
        """Counts, tokens and times of a batch's runs."""
        with self._db.connection() as conn:
            total = conn.execute("SELECT total FROM batches WHERE id = ?", (batch_id,)).fetchone()
            rows = conn.execute(
                "SELECT status, count(*), sum(prompt_tokens), sum(completion_tokens), "
                "sum(requests), sum(cost), count(cost), min(started), max(ended) "
                "FROM runs WHERE batch_id = ? GROUP BY status",
                (batch_id,),
            ).fetchall()
        usage, cost, priced, count = Usage(), 0.0, 0, 0
        firsts: list[float] = []
        lasts: list[float] = []
        by_status: dict[str, int] = {}
        for status, n, prompt, completion, requests, spent, n_priced, first, last in rows:
            by_status[status] = n
            count += n
            usage += Usage(prompt or 0, completion or 0, requests or 0)
            cost += spent or 0.0
            priced += n_priced
            firsts.append(first)
            if last is not None:
                lasts.append(last)
        return BatchProgress(
            batch_id=batch_id,
            total=None if total is None else total[0],
            by_status=by_status,
            usage=usage,
            cost=cost if count and priced == count else None,
            first_started=min(firsts) if firsts else None,
            last_ended=max(lasts) if lasts else None,
        )

    def batch_statuses(self, batch_id: str) -> dict[str, str]:
        """Run id → status of every run of a batch: one small row each, so a batch of a
        million rows can be checked without loading their definitions and outputs."""
        with self._db.connection() as conn:
            rows = conn.execute("SELECT id, status FROM runs WHERE batch_id = ?", (batch_id,))
            return {str(run_id): str(status) for run_id, status in rows}

    def crews(self) -> list[str]:
        """Names of the crews that have runs, sorted (a viewer's filter)."""
        with self._db.connection() as conn:
            return [r[0] for r in conn.execute("SELECT DISTINCT crew FROM runs ORDER BY crew")]

    def status_counts(self, *, crew: str | None = None) -> dict[str, int]:
        """How many runs have each status (of one crew, when given)."""
        sql, params = "SELECT status, count(*) FROM runs", []
        if crew is not None:
            sql, params = sql + " WHERE crew = ?", [crew]
        with self._db.connection() as conn:
            return dict(conn.execute(sql + " GROUP BY status", params).fetchall())

    def batches(self, *, limit: int = 100) -> list[BatchRecord]:
        """Batches, newest first."""
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT id, crew, created, total, source FROM batches ORDER BY created DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [BatchRecord(*row) for row in rows]

    def integrity_check(self) -> str:
        """SQLite's verdict on the file: ``ok``, or the problems it found."""
        with self._db.connection() as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(r[0]) for r in rows)
