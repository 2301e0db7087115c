"""The suite never reaches the network: real model calls and web searches are blocked; loopback
servers that tests start themselves are allowed."""

from __future__ import annotations

import pytest

import crewkit.llm._registry as registry
from crewkit.testing import allow_network_models, block_network_models


@pytest.fixture(autouse=True)
def _no_network_models(monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.delenv("CREWKIT_MODEL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("CREWKIT_CASSETTE", raising=False)
    monkeypatch.delenv("CREWKIT_CASSETTE_MODE", raising=False)
    # Web search tools refuse at once (subprocesses inherit this too): no DNS, no HTTP.
    monkeypatch.setenv("CREWKIT_OFFLINE", "1")
    # With the local extra installed the default chain would pick "local"; tests that rely on
    # "no model configured" must not depend on what this machine has installed.
    monkeypatch.setattr(registry, "_local_installed", lambda: False)
    block_network_models(allow_loopback=True)
    yield
    allow_network_models()
