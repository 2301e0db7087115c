"""A small website on 127.0.0.1 for the web tool tests: real sockets, real HTML, PDF and CSV, plus a
redirect, a page that never finishes, one far too large, and a record of every request's headers."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.pdfs import make_pdf

ARTICLE = """<!doctype html><html><head><meta charset="utf-8"><title>Acme Q3 results beat forecasts</title>
<style>body{font:14px sans-serif}</style><script>window.track = function () {};</script></head>
<body><header><nav><a href="/">Home</a> | <a href="/markets">Markets</a> | <a href="/login">Sign in</a></nav></header>
<div class="cookies" aria-hidden="true">We use cookies. <button>Accept all</button></div>
<aside><h3>Most read</h3><ul><li><a href="/a">Ten stocks to watch</a></li></ul></aside>
<main><article><h1>Acme Q3 results beat forecasts</h1><p>By Jane Doe, 12 March 2025</p>
<p>Acme Corp reported third-quarter revenue of <b>$4.2 billion</b>, up 12% from a year earlier.</p>
<h2>Guidance</h2><p>The company raised its full-year outlook to between $16.1 and $16.4 billion.</p>
<table><tr><th>Segment</th><th>Revenue</th></tr><tr><td>Cloud</td><td>$2.6bn</td></tr></table>
<ul><li>Free cash flow: $900m</li><li>Buybacks: $500m</li></ul>
</article></main><footer>&copy; 2025 News Co. <a href="/privacy">Privacy</a></footer>
<script>track('pageview');</script></body></html>"""

REPORT_PDF = make_pdf(
    [
        ["Acme annual report 2024", "Revenue grew 12% to $4.2 billion."],
        ["Risks", "Supply chain disruption and rising interest rates."],
    ]
)

PRICES_CSV = "ticker,price,sector\nACME,12.50,technology\nBORE,40.10,energy\nCOBA,7.25,freight\n"


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class Site:
    """Pages by path; ``/slow`` never finishes its body, ``/huge`` streams 10 MB."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {
            "/article.html": Page(ARTICLE.encode()),
            "/report.pdf": Page(REPORT_PDF, "application/pdf"),
            "/prices.csv": Page(PRICES_CSV.encode(), "text/csv"),
            "/old": Page(b"", status=302, headers={"Location": "/article.html"}),
            "/image.png": Page(b"\x89PNG\r\n\x1a\n", "image/png"),
        }
        self.requests: list[dict[str, str]] = []
        self.base = ""

    @contextmanager
    def running(self) -> Iterator[Site]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site.requests.append({"path": self.path, **dict(self.headers.items())})
                # The client may stop reading (size cap, timeout): that is what those tests want.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.answer()

            def answer(self) -> None:
                if self.path == "/slow":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    self.wfile.write(b"<p>start")
                    self.wfile.flush()
                    time.sleep(5)
                    return
                if self.path == "/huge":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    for _ in range(160):
                        self.wfile.write(b"word " * 13_000)
                    return
                page = site.pages.get(self.path) or Page(b"<h1>Not found</h1>", status=404)
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(page.body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.base = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()

    def url(self, path: str) -> str:
        return self.base + path
