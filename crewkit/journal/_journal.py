"""Writing a run journal. Every write is one synchronous transaction: when a method returns, what
it wrote is in the file and survives the process being killed. Rows of ``entries`` and ``blobs`` are
never changed; the ``runs`` row is a summary updated in the same transaction as the entry that
changes it."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from crewkit._secrets import known, scrub
from crewkit.errors import ConfigurationError, JournalError, RunBusyError, RunNotFoundError
from crewkit.journal._reader import JournalReader
from crewkit.journal._records import Draft, owner_alive, this_owner
from crewkit.journal._schema import ENTRY_COLUMNS
from crewkit.llm._types import Usage

ENDINGS = ("completed", "failed", "interrupted", "waiting")
"""How a run can stop (``waiting``: for a person's review)."""


def dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, text kept as is (what hashes and the file use)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


class Journal(JournalReader):
    """A run journal: one SQLite file (WAL) of runs and their steps.

    ``Journal()`` is ``.crewkit/runs.db`` in the working directory (or ``CREWKIT_JOURNAL``). Thread-safe; cheap to create
    (the file opens on first use); pickles as its path, so worker processes open the same file.
    Secrets (API keys, ``*_API_KEY``/``*_TOKEN`` variables) are replaced by ``[redacted]`` in
    everything written.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_reopen, (self.path, self.readonly, self.sync))

    def __repr__(self) -> str:
        return f"Journal({self.path!r})"

    def begin_run(
        self,
        run_id: str,
        *,
        crew: str,
        fingerprint: str,
        definition: Mapping[str, Any],
        inputs: Mapping[str, Any],
        tasks_total: int,
        source: str | None = None,
        batch_id: str | None = None,
        batch_index: int | None = None,
        parent_run: str | None = None,
        secrets: list[str] | None = None,
    ) -> None:
        """Record a new run as ``running`` by this process; an id already used is refused."""
        now = time.time()
        secrets = known() if secrets is None else secrets
        try:
            with self._db.transaction() as conn:
                conn.execute(
                    "INSERT INTO runs(id, crew, fingerprint, status, started, updated, "
                    "tasks_total, batch_id, batch_index, parent_run, owner) "
                    "VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)",
                    (run_id, crew, fingerprint, now, now, tasks_total, batch_id, batch_index,
                     parent_run, this_owner()),
                )  # fmt: skip
                conn.execute(
                    "INSERT INTO run_data(id, definition, inputs, source) VALUES (?, ?, ?, ?)",
                    (run_id, scrub(dumps(definition), secrets), scrub(dumps(inputs), secrets),
                     source),
                )  # fmt: skip
                started = Draft("run_started", {"inputs": dict(inputs)}, now)
                _put(conn, run_id, [started], secrets)
        except sqlite3.IntegrityError:
            raise JournalError(
                f"run {run_id!r} already exists in {self.path}; resume it with "
                f"crew.resume({run_id!r}) or choose another run_id"
            ) from None

    def claim(self, run_id: str) -> None:
        """Make this process the run's writer, to resume it. Refused while another live process
        runs it (:class:`~crewkit.errors.RunBusyError`)."""
        with self._db.transaction() as conn:
            row = conn.execute("SELECT status, owner FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise RunNotFoundError(run_id, self.path)
            status, owner = row
            if status == "running" and owner != this_owner() and owner_alive(owner):
                raise RunBusyError(
                    f"run {run_id!r} is running in process {owner}; wait for it to end or stop "
                    "that process first"
                )
            _put(
                conn, run_id, [Draft("run_resumed", {"was": status}, time.time())], None,
                "status = 'running', owner = ?, ended = NULL, error = NULL", (this_owner(),),
            )  # fmt: skip

    def append(
        self,
        run_id: str,
        kind: str,
        data: Mapping[str, Any],
        *,
        span: str | None = None,
        parent: str | None = None,
        task: str | None = None,
        agent: str | None = None,
        key: str | None = None,
        blobs: Mapping[str, str] | None = None,
        usage: Usage | None = None,
        cost: float | None = None,
        secrets: list[str] | None = None,
        earlier: Sequence[Draft] = (),
        done: int | None = None,
    ) -> int:
        """Write one step and return its ``seq``. ``blobs`` (hash → JSON text, e.g. messages) are
        stored once per run; ``usage`` and ``cost`` are added to the run's totals. ``secrets``:
        the values to redact, when the caller has them at hand (else looked up). ``earlier``:
        drafts to write first, in the same transaction. ``done``: the run's progress count
        (``tasks_done``) from now on, for runs whose steps are not tasks (a flow's)."""
        entry = Draft(kind, data, time.time(), span, parent, task, agent, key)
        sets, params = "", ()  # type: str, tuple[Any, ...]
        if done is not None:  # the rightmost assignment of a column wins in SQLite's UPDATE
            sets, params = "tasks_done = ?", (done,)
        if usage is not None:
            # Old values on the right: cost stays NULL (unknown) once any call was unpriced.
            sets += ", " if sets else ""
            sets += (
                "prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?, "
                "requests = requests + 1, "
                "cost = CASE WHEN ? IS NULL THEN NULL WHEN requests = 0 THEN ? ELSE cost + ? END"
            )
            params = (*params, usage.prompt_tokens, usage.completion_tokens, cost, cost, cost)
        with self._db.transaction() as conn:
            if blobs:
                conn.executemany(
                    "INSERT OR IGNORE INTO blobs(run_id, hash, data) VALUES (?, ?, ?)",
                    [(run_id, h, scrub(text, secrets)) for h, text in blobs.items()],
                )
            return _put(conn, run_id, [*earlier, entry], secrets, sets, params)

    def finish(
        self,
        run_id: str,
        status: str,
        *,
        output: Mapping[str, Any] | None = None,
        error: str | None = None,
        error_type: str | None = None,
        earlier: Sequence[Draft] = (),
        secrets: list[str] | None = None,
        event_seq: int | None = None,
        totals: Usage | None = None,
    ) -> None:
        """Record how the run stopped: ``completed`` (with its output), ``failed``, ``waiting``
        or ``interrupted`` (with the reason, and ``error_type``: the exception's class name, so
        a rebuilt result says which error it was); ``earlier`` drafts are written first.
        ``event_seq``: the seq of the run's last event (see ``RunJournal.append``). ``totals``:
        the run's usage, for a run whose model calls were not journaled here (a batch row run
        on a Ray worker)."""
        secrets = known() if secrets is None else secrets
        if status not in ENDINGS:
            raise JournalError(f"a run ends as one of {', '.join(ENDINGS)}, not {status!r}")
        now = time.time()
        data: dict[str, Any] = {"status": status}
        if error is not None:
            data["error"] = error
        if error_type is not None:
            data["error_type"] = error_type
        if event_seq is not None:
            data["event_seq"] = event_seq
        sets = "status = ?, ended = ?, error = ?"
        params: tuple[Any, ...] = (status, now, None if error is None else scrub(error, secrets))
        if totals is not None:
            sets += ", prompt_tokens = ?, completion_tokens = ?, requests = ?"
            params += (totals.prompt_tokens, totals.completion_tokens, totals.requests)
        with self._db.transaction() as conn:
            _put(conn, run_id, [*earlier, Draft("run_ended", data, now)], secrets, sets, params)
            if output is not None:
                conn.execute(
                    "UPDATE run_data SET output = ? WHERE id = ?",
                    (scrub(dumps(output), secrets), run_id),
                )

    def decide_review(
        self, run_id: str, *, feedback: str | None = None, approve: bool = False
    ) -> None:
        """Answer the review a ``waiting`` run waits for: ``approve=True`` or ``feedback="..."``.
        The run becomes ``ready``; resuming it (any process, any time) goes on with the answer."""
        if approve == bool(feedback and feedback.strip()):
            raise JournalError("decide a review with either approve=True or feedback='...'")
        with self._db.transaction() as conn:
            row = conn.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise RunNotFoundError(run_id, self.path)
            if row[0] not in ("waiting", "ready"):
                raise JournalError(f"run {run_id!r} is {row[0]}, not waiting for a review")
            pending = conn.execute(
                "SELECT span, parent, task, agent, key, data FROM entries "
                "WHERE run_id = ? AND kind = 'review' ORDER BY seq DESC LIMIT 1",
                (run_id,),
            ).fetchone()
            if pending is None:
                raise JournalError(f"run {run_id!r} has no review to decide")
            span, parent, task, agent, key, data = pending
            decision = {
                **json.loads(data),
                "status": "approved" if approve else "feedback",
                "feedback": "" if approve else str(feedback).strip(),
            }
            entry = Draft("review", decision, time.time(), span, parent, task, agent, key)
            _put(conn, run_id, [entry], None, "status = 'ready'")

    def begin_batch(
        self,
        batch_id: str,
        *,
        crew: str,
        fingerprint: str,
        total: int | None = None,
        source: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        """Record a batch; starting a known batch again keeps its first record."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO batches(id, crew, fingerprint, created, total, source, "
                "meta) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (batch_id, crew, fingerprint, time.time(), total, source, dumps(dict(meta or {}))),
            )

    def delete(self, run_id: str) -> bool:
        """Remove a run and all its steps; ``False`` when there was no such run."""
        with self._db.transaction() as conn:
            found = conn.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount
            conn.execute("DELETE FROM run_data WHERE id = ?", (run_id,))
            conn.execute("DELETE FROM entries WHERE run_id = ?", (run_id,))
            conn.execute("DELETE FROM blobs WHERE run_id = ?", (run_id,))
        return bool(found)


def _put(
    conn: sqlite3.Connection,
    run_id: str,
    entries: Sequence[Draft],
    secrets: list[str] | None,
    sets: str = "",
    params: tuple[Any, ...] = (),
) -> int:
    """Insert ``entries`` with the next seqs and update the run's row (``sets``, plus ``updated``
    and ``last_seq``) in the caller's transaction; return the last seq. The run's row hands out
    the seqs, so they stay gapless whichever process wrote last, at no extra query."""
    extra = f", {sets}" if sets else ""
    done = sum(1 for e in entries if e.kind == "task_output")
    row = conn.execute(
        f"UPDATE runs SET updated = ?, last_seq = last_seq + ?, tasks_done = tasks_done + ?{extra} "
        "WHERE id = ? RETURNING last_seq",
        (time.time(), len(entries), done, *params, run_id),
    ).fetchone()
    if row is None:
        raise JournalError(f"no run {run_id!r} to write to")
    first = int(row[0]) - len(entries) + 1
    secrets = known() if secrets is None else secrets
    conn.executemany(
        f"INSERT INTO entries({ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (run_id, first + i, e.kind, e.time, e.span, e.parent, e.task, e.agent, e.key,
             scrub(dumps(e.data), secrets))
            for i, e in enumerate(entries)
        ],
    )  # fmt: skip
    return int(row[0])


def _reopen(path: str, readonly: bool, sync: Literal["normal", "full"]) -> Journal:
    return Journal(path, readonly=readonly, sync=sync)


def resolve(durable: object) -> Journal | None:
    """What ``Crew(durable=...)`` means: ``True`` the default file, a path that file, a
    :class:`Journal` itself; ``False``/``None`` no journal."""
    if durable is None or durable is False:
        return None
    if durable is True:
        return Journal()
    if isinstance(durable, Journal):
        return durable
    if isinstance(durable, (str, Path)):
        return Journal(durable)
    raise ConfigurationError(
        "Crew.durable must be True, False, a file path or a crewkit.journal.Journal, "
        f"got {durable!r}"
    )
