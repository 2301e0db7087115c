"""The suite never reaches the network: real model calls and web searches are blocked; loopback
servers that tests start themselves are allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

import crewkit.llm._registry as registry
from crewkit.testing import allow_network_models, block_network_models
from tests.extras import TESTED, missing_from, require_extra, required_by


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "extra(*names): the test needs crewkit[names]; skips without them (tests/extras.py)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("extra"):
        for extra in mark.args:
            require_extra(extra)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Where CI requires the extras, a missing one stops the run at once instead of failing its
    tests one by one."""
    import os

    missing = [
        f"{extra} ({', '.join(missing_from(extra))})"
        for extra in TESTED
        if os.environ.get(required_by(extra)) == "1" and missing_from(extra)
    ]
    if missing:
        raise pytest.UsageError(
            f"extras are required here but not installed: {'; '.join(missing)}: "
            "pip install -e '.[dev,charts,local,ray,web,pdf,mcp,ui,otel,prices]'"
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
