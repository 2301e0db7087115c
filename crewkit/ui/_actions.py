"""The one thing the UI changes: a person's review of a waiting run, which then resumes.

The decision is journaled first (``waiting`` → ``ready``), as ``crewkit resume ID --feedback``
would do, so it survives whatever happens next. Then the run goes on: by default in a worker
process (``python -m crewkit resume ID --journal PATH``, the crew reloaded from the file it was
started from), so the user's tools never run inside the UI and the UI stays responsive; or through
a function the embedding program passes (``create_app(resume=...)``), run in a thread."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from crewkit.errors import JournalError, ReviewPending
from crewkit.journal import Journal, RunRecord
from crewkit.ui._security import same_origin

log = logging.getLogger("crewkit.ui")

NOTES = {
    "worker": "Decision recorded; the run resumes in a worker process.",
    "thread": "Decision recorded; the run resumes in this process.",
    "busy": "Decision recorded; a worker is already resuming this run.",
    "recorded": "Decision recorded; continue the run with `crewkit resume ID`.",
    "python": "Decision recorded; this run was started from Python: continue it with "
    "crew.resume(run_id) in the program that defines the crew.",
}
"""What a run's page says after a review, by the key the resumer returned."""

ResumeFunction = Callable[[str], object]
"""Continues the run with this id (e.g. ``lambda run_id: crew.resume(run_id)``)."""
MAX_FEEDBACK = 20_000
MAX_FORM_BYTES = 200_000


class Resumer:
    """Starts a decided run again: in a worker process, through a function, or not at all."""

    def __init__(self, journal_path: str, how: str | ResumeFunction = "worker") -> None:
        self.journal_path = journal_path
        self.how = how
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()

    def __call__(self, run: RunRecord) -> str:
        """Resume ``run``; returns the key of what the page should say (:data:`NOTES`)."""
        if callable(self.how):
            threading.Thread(target=self._call, args=(self.how, run.id), daemon=True).start()
            return "thread"
        if self.how == "none":
            return "recorded"
        if not run.source:
            return "python"
        return self._worker(run)

    @staticmethod
    def _call(function: ResumeFunction, run_id: str) -> None:
        # The journal has the outcome (a new review waiting, a failure); the page shows it.
        try:
            function(run_id)
        except ReviewPending:
            pass
        except Exception:
            log.exception("resuming run %s failed", run_id)

    def _worker(self, run: RunRecord) -> str:
        with self._lock:
            running = self.workers.get(run.id)
            if running is not None and running.poll() is None:
                return "busy"
            logs = Path(self.journal_path).resolve().parent / "ui-logs"
            logs.mkdir(parents=True, exist_ok=True)
            with open(logs / f"{_safe(run.id)}.log", "ab") as log:
                command = [sys.executable, "-m", "crewkit", "resume", run.id, "--journal",
                           str(Path(self.journal_path).resolve())]  # fmt: skip
                self.workers[run.id] = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True, env=os.environ.copy(),
                )  # fmt: skip
        return "worker"

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the worker processes started so far (tests; shutdown)."""
        for process in list(self.workers.values()):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout)


async def _form(request: Request) -> dict[str, str] | None:
    """The page's url-encoded form (the only kind it sends; no multipart parser needed)."""
    if request.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _safe(run_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)[:100]


class Actions:
    """POST handlers."""

    def __init__(self, journal: Journal, resumer: Resumer) -> None:
        self.journal = journal
        self.resumer = resumer

    async def review(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        form = await _form(request)
        if form is None:
            return PlainTextResponse("refused: expected a small url-encoded form", 400)
        csrf = request.scope.get("state", {}).get("csrf")
        if not csrf or form.get("csrf") != csrf or not same_origin(request.headers):
            return PlainTextResponse("refused: this form did not come from this crewkit ui", 403)
        action = form.get("action")
        feedback = str(form.get("feedback") or "").strip()
        if action not in ("approve", "feedback") or (action == "feedback" and not feedback):
            return PlainTextResponse("choose approve, or write feedback and send it", 400)
        if len(feedback) > MAX_FEEDBACK:
            return PlainTextResponse(f"feedback longer than {MAX_FEEDBACK} characters", 400)

        def decide() -> RunRecord:
            if action == "approve":
                self.journal.decide_review(run_id, approve=True)
            else:
                self.journal.decide_review(run_id, feedback=feedback)
            return self.journal.require(run_id)

        try:
            record = await run_in_threadpool(decide)
        except JournalError as exc:  # not waiting (any more), unknown run: say so, change nothing
            return PlainTextResponse(f"not decided: {exc}", 409)
        note = self.resumer(record)
        return RedirectResponse(f"/runs/{run_id}?note={note}", status_code=303)
