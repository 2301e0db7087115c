"""The pages: runs, one run (tree, timeline, graph, output, error), one step's request and reply,
reviews and batches. Each handler reads the journal in a worker thread (SQLite never blocks the
event loop) and renders one template; nothing here writes."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from crewkit.errors import RunNotFoundError
from crewkit.journal import STATUSES, Entry, JournalReader, RunRecord, RunTree
from crewkit.ui import _graph, _views
from crewkit.ui._actions import NOTES
from crewkit.ui._live import FOLLOWED
from crewkit.ui._render import Templates

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class Pages:
    """GET handlers over one journal."""

    def __init__(self, journal: JournalReader, templates: Templates) -> None:
        self.journal = journal
        self.templates = templates

    async def home(self, request: Request) -> Response:
        return RedirectResponse("/runs", status_code=303)

    async def runs(self, request: Request) -> Response:
        query = request.query_params
        crew = query.get("crew") or None
        status = query.get("status") or None
        limit = _int(query.get("limit"), PAGE_SIZE, 1, MAX_PAGE_SIZE)
        before = _cursor(query.get("before"))
        if status is not None and status not in STATUSES:
            return self.templates.page(request, "error.html.j2", http_status=400,
                                       message=f"unknown status {status!r}")  # fmt: skip

        def read() -> dict[str, Any]:
            found = self.journal.runs(crew=crew, status=status, limit=limit + 1, before=before)
            return {
                "runs": found[:limit],
                "more": len(found) > limit,
                "counts": self.journal.status_counts(crew=crew),
                "crews": self.journal.crews(),
            }

        data = await run_in_threadpool(read)
        runs: list[RunRecord] = data["runs"]
        older = f"{runs[-1].started!r}~{runs[-1].id}" if data["more"] and runs else None
        return self.templates.page(
            request, "runs.html.j2", crew=crew, status=status, limit=limit, older=older,
            first_page=before is None, statuses=STATUSES, **data,
        )  # fmt: skip

    async def run(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]

        def read() -> dict[str, Any] | None:
            tree = self._tree(run_id)
            if tree is None:
                return None
            reviews = self.journal.entries(run_id, kinds=["review"])
            return {"tree": tree, "reviews": reviews, "last_seq": _views.last_seq(tree)}

        data = await run_in_threadpool(read)
        if data is None:
            return self._missing(request, f"no run {run_id!r} in this journal")
        tree = data["tree"]
        run: RunRecord = tree.run
        rows = _views.step_rows(tree)
        shape = _graph.shape_of(run.definition, run.crew)
        return self.templates.page(
            request, "run.html.j2", run=run, rows=rows, error_step=_views.error_step(rows),
            review=_views.pending_review(data["reviews"]), last_seq=data["last_seq"],
            drawing=_graph.draw(shape), mermaid=_graph.mermaid(shape),
            output=run.output or {}, live=run.shown_status in FOLLOWED,
            note=NOTES.get(request.query_params.get("note", "")),
            timeline_width=_views.TIMELINE_WIDTH,
        )  # fmt: skip

    async def tree(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        tree = await run_in_threadpool(self._tree, run_id)
        if tree is None:
            return self._missing(request, f"no run {run_id!r} in this journal")
        rows = _views.step_rows(tree)
        return self.templates.page(
            request, "live_parts.html.j2", run=tree.run, rows=rows,
            error_step=_views.error_step(rows), timeline_width=_views.TIMELINE_WIDTH,
        )  # fmt: skip

    async def step(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        seq = request.path_params["seq"]

        def read() -> dict[str, Any] | None:
            tree = self._tree(run_id)
            node = None if tree is None else _find(tree.children, seq)
            if tree is None or node is None or node.kind not in _views.VIEWABLE:
                return None
            closing = node.end or node.start
            request_ = self.journal.request_of(closing) if node.kind == "model" else None
            return {"run": tree.run, "node": node, "entry": closing, "sent": request_}

        data = await run_in_threadpool(read)
        if data is None:
            return self._missing(request, f"run {run_id!r} has no model or tool step #{seq}")
        return self.templates.page(
            request, "step.html.j2", label=_views.label_of(data["node"]), **data
        )

    async def reviews(self, request: Request) -> Response:
        def read() -> list[tuple[RunRecord, Entry | None]]:
            waiting = self.journal.runs(status="waiting", limit=MAX_PAGE_SIZE)
            ready = self.journal.runs(status="ready", limit=MAX_PAGE_SIZE)
            found: list[tuple[RunRecord, Entry | None]] = []
            for record in [*waiting, *ready]:
                entries = self.journal.entries(record.id, kinds=["review"])
                found.append((record, entries[-1] if entries else None))
            return found

        items = await run_in_threadpool(read)
        return self.templates.page(request, "reviews.html.j2", items=items)

    async def batches(self, request: Request) -> Response:
        found = await run_in_threadpool(self.journal.batches)
        return self.templates.page(request, "batches.html.j2", batches=found)

    async def batch(self, request: Request) -> Response:
        batch_id = request.path_params["batch_id"]

        def read() -> dict[str, Any]:
            progress = self.journal.batch_progress(batch_id)
            failures = self.journal.runs(batch_id=batch_id, status="failed", limit=MAX_PAGE_SIZE)
            return {"progress": progress, "failures": failures}

        data = await run_in_threadpool(read)
        progress = data["progress"]
        if not progress.by_status and progress.total is None:
            return self._missing(request, f"no batch {batch_id!r} in this journal")
        return self.templates.page(
            request, "batch.html.j2", batch_id=batch_id, figures=_views.batch_figures(progress),
            **data,
        )  # fmt: skip

    def _tree(self, run_id: str) -> RunTree | None:
        """The run's steps, or ``None`` when the journal has no such run (call it in a worker)."""
        try:
            return self.journal.tree(run_id)
        except RunNotFoundError:
            return None

    def _missing(self, request: Request, message: str) -> HTMLResponse:
        return self.templates.page(request, "error.html.j2", http_status=404, message=message)


def _find(nodes: Any, seq: int) -> Any:
    for node in nodes:
        if node.start.seq == seq:
            return node
        found = _find(node.children, seq)
        if found is not None:
            return found
    return None


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(text) if text else default
    except ValueError:
        value = default
    return max(low, min(value, high))


def _cursor(text: str | None) -> tuple[float, str] | None:
    """``started~id`` of the last run on the previous page."""
    if not text or "~" not in text:
        return None
    started, _, run_id = text.partition("~")
    try:
        return float(started), run_id
    except ValueError:
        return None
