"""Fixtures of the backend tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback import ScriptedServer

import crewkit.llm._openai as openai_backend


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    """A scripted HTTP server on 127.0.0.1, closed after the test."""
    s = ScriptedServer()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _fresh_format_memory() -> Iterator[None]:
    """Which response_format a server accepted is remembered per process; tests start clean."""
    openai_backend._accepted_formats.clear()
    yield
    openai_backend._accepted_formats.clear()
