"""The search tool answers at once, with a clear observation, when search cannot work."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from crewkit.tools import WebSearch


def test_results_are_listed_with_date_source_and_link() -> None:
    def backend(kind: str, query: str, n: int, timeout: float) -> list[dict[str, Any]]:
        assert (kind, n) == ("news", 2)
        return [
            {
                "title": "Apple rises",
                "body": "Shares  up\n3%",
                "url": "https://n.example/1",
                "date": "2026-11-20T10:00",
                "source": "Wire",
            },
            {"title": "No date", "body": "b", "href": "https://n.example/2"},
        ]

    text = asyncio.run(WebSearch(kind="news", max_results=2, backend=backend).arun("AAPL"))
    assert text == (
        'Results for "AAPL":\n'
        "- Apple rises (2026-11-20, Wire): Shares up 3% <https://n.example/1>\n"
        "- No date: b <https://n.example/2>"
    )


def test_an_offline_backend_becomes_an_observation_not_an_error() -> None:
    def offline(kind: str, query: str, n: int, timeout: float) -> list[dict[str, Any]]:
        raise ConnectionError("DNS error: no records found for duckduckgo.com")

    text = asyncio.run(WebSearch(backend=offline).arun("AAPL"))
    assert text.startswith("Search is unavailable right now (ConnectionError: DNS error")
    assert "continue with the information you already have" in text


def test_a_hanging_backend_is_cut_off_at_the_timeout() -> None:
    def hang(kind: str, query: str, n: int, timeout: float) -> list[dict[str, Any]]:
        time.sleep(3)
        return []

    text = asyncio.run(WebSearch(backend=hang, timeout=0.2).arun("AAPL"))
    assert "no answer within 0.2 s" in text


def test_a_missing_extra_says_how_to_install_it() -> None:
    def missing(kind: str, query: str, n: int, timeout: float) -> list[dict[str, Any]]:
        raise ModuleNotFoundError("No module named 'ddgs'")

    assert "pip install 'crewkit[search]'" in asyncio.run(WebSearch(backend=missing).arun("x"))


def test_no_results_is_said_plainly() -> None:
    assert asyncio.run(WebSearch(backend=lambda *a: []).arun("zzz")) == 'No results for "zzz".'


def test_the_default_backend_refuses_in_offline_mode_without_touching_the_network() -> None:
    import os

    assert os.environ["CREWKIT_OFFLINE"] == "1"  # set for every test by conftest
    text = asyncio.run(WebSearch().arun("AAPL"))
    assert text.startswith("Search is unavailable right now (ConnectionError: offline mode")
