"""Serving the UI with uvicorn: on a host and port, or on a socket the caller bound (tests)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from crewkit.journal import Journal
from crewkit.ui._actions import ResumeFunction
from crewkit.ui._app import create_app


def serve(
    journal: str | os.PathLike[str] | Journal,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = None,
    resume: str | ResumeFunction = "worker",
    announce: Callable[[str], object] | None = None,
) -> None:
    """Serve the UI until interrupted (Ctrl-C); ``announce`` gets the address once the app is
    built (a bad binding or a missing journal raises before)."""
    import uvicorn

    app = create_app(journal, host=host, token=token, resume=resume)
    if announce is not None:
        announce(f"http://{f'[{host}]' if ':' in host else host}:{port}/")
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                            server_header=False, date_header=False)  # fmt: skip
    uvicorn.Server(config).run()


@dataclass
class Running:
    """A UI served in a background thread (see :func:`serve_in_thread`)."""

    url: str
    """``http://host:port`` it answers on."""
    server: object
    thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True  # type: ignore[attr-defined]
        self.thread.join(10)


def serve_in_thread(
    journal: str | os.PathLike[str] | Journal,
    *,
    host: str = "127.0.0.1",
    token: str | None = None,
    resume: str | ResumeFunction = "worker",
    poll: float = 0.2,
    bind: str = "127.0.0.1",
) -> Running:
    """Serve the UI from a thread on a free port of ``bind`` (the app is built as if served on
    ``host``, so a test can check the rules of a wider binding over loopback)."""
    import uvicorn

    app = create_app(journal, host=host, token=token, resume=resume, poll=poll)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((bind, 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", server_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the UI server did not start")
        time.sleep(0.01)
    return Running(f"http://{bind}:{sock.getsockname()[1]}", server, thread)
