"""Whether a model server on this machine is up: one TCP connect to a loopback address, never a
request, never beyond this machine. ``crewkit validate``, ``kickoff`` and ``models`` use it so a
server that is not running is reported before a run, not after a minute of retries."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from crewkit.llm._guard import is_loopback

CONNECT_TIMEOUT = 0.5
"""Seconds to wait for a loopback connect; a running server accepts in well under a millisecond."""


def local_server_down(endpoint: str | None) -> str | None:
    """Why nothing answers at ``endpoint``, when it is a loopback address and nothing listens
    there; ``None`` when something does, or when the address is not on this machine."""
    if endpoint is None or not is_loopback(endpoint):
        return None
    parts = urlsplit(endpoint)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            return None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return f"nothing is listening at {endpoint} ({reason})"
