"""Live pages: server-sent events from the journal's tail.

A run's stream sends each new entry (kind, span, and for ``delta`` the text) as it is journaled,
``end`` when the run stops running (a ``ready`` run, whose review was decided, is followed too), and a comment line every few seconds so proxies keep the
connection. A reconnecting browser sends ``Last-Event-ID`` and continues after it. Reads are short
queries in a worker thread; while nothing changes the stream costs one indexed query per poll."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from crewkit.journal import Entry, JournalReader
from crewkit.ui._render import Templates

FOLLOWED = ("running", "ready")
"""Statuses a live page follows: ``ready`` is a decided review about to resume."""
POLL = 0.2
HEARTBEAT = 10.0
SHOWN_DATA = ("text", "status", "label", "model", "tool", "index")
"""Entry fields a live page uses; the rest (requests, replies) stays on the server."""


class Live:
    """SSE handlers over one journal."""

    def __init__(self, journal: JournalReader, templates: Templates, poll: float = POLL) -> None:
        self.journal = journal
        self.templates = templates
        self.poll = poll

    async def run_events(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        after = _int(request.headers.get("last-event-id")) or _int(
            request.query_params.get("after")
        )
        return _sse(self._run_stream(run_id, after))

    async def _run_stream(self, run_id: str, after: int) -> AsyncIterator[str]:
        quiet_since = time.monotonic()
        while True:
            batch = await run_in_threadpool(self.journal.entries, run_id, after_seq=after)
            for entry in batch:
                after = entry.seq
                yield self.templates.scrub(_frame("entry", _shown(entry), event_id=entry.seq))
            if batch:
                quiet_since = time.monotonic()
                continue
            record = await run_in_threadpool(self.journal.run, run_id)
            if record is None or record.shown_status not in FOLLOWED:
                yield _frame("end", {"status": record.shown_status if record else "missing"})
                return
            if time.monotonic() - quiet_since > HEARTBEAT:
                quiet_since = time.monotonic()
                yield ": ping\n\n"
            await asyncio.sleep(self.poll)

    async def batch_events(self, request: Request) -> Response:
        return _sse(self._batch_stream(request.path_params["batch_id"]))

    async def _batch_stream(self, batch_id: str) -> AsyncIterator[str]:
        from crewkit.ui._views import batch_figures

        last: dict[str, Any] | None = None
        quiet_since = time.monotonic()
        while True:
            progress = await run_in_threadpool(self.journal.batch_progress, batch_id)
            figures = batch_figures(progress)
            shown = {
                "by_status": dict(progress.by_status), "done": figures.done,
                "failed": figures.failed, "active": figures.active, "total": figures.total,
                "per_minute": None if figures.per_minute is None else round(figures.per_minute, 2),
                "eta": None if figures.eta is None else round(figures.eta),
                "tokens": progress.usage.total_tokens,
            }  # fmt: skip
            if shown != last:
                last = shown
                quiet_since = time.monotonic()
                yield _frame("progress", shown)
            elif time.monotonic() - quiet_since > HEARTBEAT:
                quiet_since = time.monotonic()
                yield ": ping\n\n"
            if figures.total is not None and figures.done + figures.failed >= figures.total:
                yield _frame("end", shown)
                return
            await asyncio.sleep(max(self.poll, 1.0))


def _shown(entry: Entry) -> dict[str, Any]:
    data = {k: entry.data[k] for k in SHOWN_DATA if k in entry.data}
    return {
        "seq": entry.seq, "kind": entry.kind, "span": entry.span, "parent": entry.parent,
        "task": entry.task, "agent": entry.agent, "data": data,
    }  # fmt: skip


def _frame(event: str, data: Any, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _sse(stream: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


def _int(text: str | None) -> int:
    try:
        return max(0, int(text)) if text else 0
    except ValueError:
        return 0
