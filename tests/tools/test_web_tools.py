"""Web tools against a website on 127.0.0.1: readable text from real HTML and PDF, a real
User-Agent, the timeout and size cap honoured, and immediate refusal of the outside world offline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crewkit.tools import ScrapeWebsiteTool, SerperDevTool
from tests.extras import require_extra
from tests.site import Site

require_extra("web")


@pytest.fixture
def site() -> Iterator[Site]:
    with Site().running() as running:
        yield running


def test_a_page_becomes_its_article_without_navigation_scripts_or_banners(site: Site) -> None:
    text = ScrapeWebsiteTool().run(website_url=site.url("/article.html"))
    assert text.startswith(
        f"Source: {site.url('/article.html')}\n\n# Acme Q3 results beat forecasts"
    )
    assert "revenue of $4.2 billion, up 12% from a year earlier." in text
    assert "## Guidance" in text
    assert "Segment | Revenue\nCloud | $2.6bn" in text
    assert "- Free cash flow: $900m\n- Buybacks: $500m" in text
    for boilerplate in ("Sign in", "cookies", "Most read", "Privacy", "track(", "font:"):
        assert boilerplate not in text


def test_requests_carry_a_real_user_agent(site: Site) -> None:
    ScrapeWebsiteTool().run(website_url=site.url("/article.html"))
    assert site.requests[-1]["User-Agent"].startswith("crewkit/")


@pytest.mark.extra("pdf")
def test_a_pdf_link_is_read_as_text(site: Site) -> None:
    text = ScrapeWebsiteTool().run(website_url=site.url("/report.pdf"))
    assert "Revenue grew 12% to $4.2 billion." in text
    assert "rising interest rates" in text


def test_a_redirect_is_followed_and_the_final_address_shown(site: Site) -> None:
    text = ScrapeWebsiteTool().run(website_url=site.url("/old"))
    assert text.startswith(f"Source: {site.url('/article.html')}")


def test_a_fixed_url_leaves_the_schema(site: Site) -> None:
    scrape = ScrapeWebsiteTool(website_url=site.url("/article.html"))
    assert scrape.spec().parameters["properties"] == {}
    assert "Guidance" in scrape.run()


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/missing", "the server answered HTTP 404"), ("/image.png", "the page is image/png")],
)
def test_error_pages_and_non_text_are_observations(site: Site, path: str, reason: str) -> None:
    text = ScrapeWebsiteTool().run(website_url=site.url(path))
    assert text.startswith(f"Could not read {site.url(path)}: {reason}")


def test_a_page_that_never_finishes_is_cut_off_at_the_timeout(site: Site) -> None:
    text = ScrapeWebsiteTool(timeout=0.5).run(website_url=site.url("/slow"))
    assert "gave no answer within 0.5 s" in text


def test_a_huge_page_is_read_up_to_the_size_cap(site: Site) -> None:
    scrape = ScrapeWebsiteTool(max_bytes=50_000)
    scrape.max_result_chars = 10**9
    text = scrape.run(website_url=site.url("/huge"))
    assert text.count("word") == 10_000
    assert "the page was longer than the size limit" in text


def test_offline_the_outside_world_is_refused_before_any_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> object:
        attempts.append(args)
        raise OSError("the test forbids network look-ups")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    text = ScrapeWebsiteTool().run(website_url="https://example.com/page?token=SECRET")
    assert text.startswith("Could not read https://example.com/page: offline (CREWKIT_OFFLINE")
    assert "SECRET" not in text
    assert attempts == []  # refused before any DNS look-up or connection


def test_a_redirect_out_of_this_machine_is_refused_offline(site: Site) -> None:
    site.pages["/away"] = site.pages["/old"].__class__(
        b"", status=302, headers={"Location": "https://example.com/"}
    )
    assert "example.com was not contacted" in ScrapeWebsiteTool().run(website_url=site.url("/away"))


def test_only_http_and_https_are_fetched() -> None:
    text = ScrapeWebsiteTool().run(website_url="file:///etc/passwd")
    assert "only http and https URLs can be fetched" in text


def test_an_unreachable_server_is_reported_at_once() -> None:
    text = ScrapeWebsiteTool(timeout=5).run(website_url="http://127.0.0.1:9/")
    assert "could not be reached (ConnectError)" in text


@pytest.fixture
def serper(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[SerperDevTool, list[dict[str, object]]]]:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "key": self.headers["X-API-KEY"], "body": body})
            if self.headers["X-API-KEY"] != "serper-test-key":
                self.send_response(403)
                self.end_headers()
                return
            answer = {
                "organic": [
                    {
                        "title": "Acme beats",
                        "link": "https://news.test/acme",
                        "snippet": "Q3 up 12%",
                    },
                    {"title": "Acme guidance", "link": "https://news.test/g", "snippet": "Raised"},
                ]
            }
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SERPER_API_KEY", "serper-test-key")
    yield SerperDevTool(base_url=f"http://127.0.0.1:{server.server_port}", n_results=1), seen
    server.shutdown()
    server.server_close()


def test_serper_sends_the_key_and_query_and_lists_results(
    serper: tuple[SerperDevTool, list[dict[str, object]]],
) -> None:
    tool, seen = serper
    text = tool.run(search_query="acme results")
    assert seen == [
        {"path": "/search", "key": "serper-test-key", "body": {"q": "acme results", "num": 1}}
    ]
    assert "Acme beats" in text and "https://news.test/acme" in text
    assert "Acme guidance" not in text  # n_results=1


def test_serper_refusing_the_key_never_shows_it(
    serper: tuple[SerperDevTool, list[dict[str, object]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    tool, _ = serper
    monkeypatch.setenv("SERPER_API_KEY", "wrong-secret-key")
    text = tool.run(search_query="acme")
    assert "answered HTTP 403" in text
    assert "wrong-secret-key" not in text


def test_serper_without_a_key_says_so_and_points_to_web_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SERPER_API_KEY", raising=False)
    text = SerperDevTool().run(search_query="acme")
    assert "SERPER_API_KEY is not set; use web_search instead" in text


def test_serper_offline_refuses_its_public_endpoint_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SERPER_API_KEY", "k")
    assert "google.serper.dev was not contacted" in SerperDevTool().run(search_query="acme")
