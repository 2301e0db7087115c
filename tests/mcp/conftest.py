"""A real MCP server for these tests: over stdio (a command to run) and over streamable HTTP (one
process on a free loopback port for the whole module)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER = str(Path(__file__).with_name("server.py"))


@pytest.fixture
def stdio_server() -> dict[str, object]:
    """How to start the test server over stdio (an ``mcps`` entry)."""
    return {"command": sys.executable, "args": [SERVER], "connect_timeout": 20}


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, SERVER, "--http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("the MCP test server did not start listening within 30 s")
    yield f"http://127.0.0.1:{port}/mcp"
    process.terminate()
    process.wait(10)
