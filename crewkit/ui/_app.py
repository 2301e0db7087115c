"""The UI as one ASGI app: routes over one run journal, behind the security guard."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from crewkit.errors import ConfigurationError
from crewkit.journal import Journal
from crewkit.ui._actions import Actions, ResumeFunction, Resumer
from crewkit.ui._live import Live
from crewkit.ui._pages import Pages
from crewkit.ui._render import Templates
from crewkit.ui._security import ASGIApp, Guard, check_binding, is_loopback

STATIC = Path(__file__).parent / "static"


def create_app(
    journal: str | os.PathLike[str] | Journal,
    *,
    host: str = "127.0.0.1",
    token: str | None = None,
    resume: str | ResumeFunction = "worker",
    poll: float = 0.2,
) -> ASGIApp:
    """The UI over ``journal`` as an ASGI app, for ``host`` (the address it will be served on:
    anything beyond loopback needs ``token``, which every request must then carry).

    ``resume``: how a run continues after a review decided on a page: ``"worker"`` (a
    ``crewkit resume`` process, for runs started from a crew file), ``"none"`` (only record the
    decision), or a function called with the run id in a thread (``lambda i: crew.resume(i)``)."""
    check_binding(host, token)
    if isinstance(journal, Journal):
        opened = journal
    else:
        path = Path(journal)
        if not path.is_file():
            raise ConfigurationError(
                f"no run journal at {path}: run a crew first (the CLI journals every kickoff in "
                ".crewkit/runs.db), or give the journal's path with --journal"
            )
        opened = Journal(path)
    templates = Templates()
    pages = Pages(opened, templates)
    live = Live(opened, templates, poll=poll)
    actions = Actions(opened, Resumer(opened.path, resume))
    app = Starlette(
        routes=[
            Route("/", pages.home),
            Route("/runs", pages.runs),
            Route("/runs/{run_id}", pages.run),
            Route("/runs/{run_id}/tree", pages.tree),
            Route("/runs/{run_id}/steps/{seq:int}", pages.step),
            Route("/runs/{run_id}/events", live.run_events),
            Route("/runs/{run_id}/review", actions.review, methods=["POST"]),
            Route("/reviews", pages.reviews),
            Route("/batches", pages.batches),
            Route("/batches/{batch_id}", pages.batch),
            Route("/batches/{batch_id}/events", live.batch_events),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
    )
    app.state.resumer = actions.resumer
    app.state.journal = opened
    return Guard(app, token=token, loopback=is_loopback(host))
