"""The suite never reaches the network: real model calls and web searches are blocked; loopback
servers that tests start themselves are allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

import crewkit.llm._registry as registry
from crewkit.testing import allow_network_models, block_network_models


@pytest.fixture(autouse=True)
def _no_network_models(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> object:
    monkeypatch.delenv("CREWKIT_MODEL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("CREWKIT_CASSETTE", raising=False)
    monkeypatch.delenv("CREWKIT_CASSETTE_MODE", raising=False)
    # Web search tools refuse at once (subprocesses inherit this too): no DNS, no HTTP.
    monkeypatch.setenv("CREWKIT_OFFLINE", "1")
    # Documents that tools and crews index go to this test's folder, not the checkout.
    monkeypatch.setenv("CREWKIT_KNOWLEDGE_DB", str(tmp_path / "knowledge.db"))
    # Runs the CLI journals go to a scratch file, never into the checkout.
    monkeypatch.setenv("CREWKIT_JOURNAL", str(tmp_path / "runs.db"))
    # With the local extra installed the default chain would pick "local"; tests that rely on
    # "no model configured" must not depend on what this machine has installed.
    monkeypatch.setattr(registry, "_local_installed", lambda: False)
    block_network_models(allow_loopback=True)
    yield
    allow_network_models()


def pytest_sessionstart(session: pytest.Session) -> None:
    """With ``CREWKIT_REQUIRE_EXTRAS=1`` (CI), a missing extra fails the run instead of skipping the
    tests that need it."""
    import importlib.util
    import os

    if os.environ.get("CREWKIT_REQUIRE_EXTRAS") == "1":
        missing = [m for m in ("selectolax", "pypdf", "mcp") if importlib.util.find_spec(m) is None]
        if missing:
            raise pytest.UsageError(
                f"CREWKIT_REQUIRE_EXTRAS=1 but {', '.join(missing)} is not installed: "
                "pip install -e '.[web,pdf,mcp]'"
            )


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> object:
    """The rate limiter's clock and sleep, replaced by a :class:`FakeClock`."""
    from types import SimpleNamespace

    from crewkit import _ratelimit
    from tests.helpers import FakeClock

    clock = FakeClock()
    monkeypatch.setattr(_ratelimit, "time", SimpleNamespace(monotonic=clock.monotonic))
    monkeypatch.setattr(_ratelimit, "asyncio", SimpleNamespace(sleep=clock.sleep))
    return clock
