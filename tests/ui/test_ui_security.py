"""Who may see and steer runs: loopback by default, a token beyond it, actions only by a POST from
our own pages, and headers that keep a model's words inert. A real server on 127.0.0.1 answers."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.extras import require_extra

require_extra("ui")

from crewkit.errors import ConfigurationError  # noqa: E402
from crewkit.journal import Journal  # noqa: E402
from crewkit.ui import create_app  # noqa: E402
from crewkit.ui._serve import Running, serve_in_thread  # noqa: E402

TOKEN = "a-long-enough-ui-token-1234"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str, *, data: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:  # fmt: skip
    body = None if data is None else urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with OPENER.open(request, timeout=10) as reply:
            return reply.status, dict(reply.headers), reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    journal = Journal(tmp_path / "runs.db")
    journal.begin_run("w1", crew="demo", fingerprint="f", definition={}, inputs={}, tasks_total=1)
    journal.append("w1", "review", {"n": 1, "status": "pending", "answer": "draft"}, span="s1",
                   task="write", agent="Writer")  # fmt: skip
    journal.finish("w1", "waiting")
    return journal


@pytest.fixture
def loopback(journal: Journal) -> Iterator[Running]:
    running = serve_in_thread(journal.path, resume="none")
    yield running
    running.stop()


@pytest.fixture
def wide(journal: Journal) -> Iterator[Running]:
    """The app as built for ``--host 0.0.0.0`` with a token, reached over loopback."""
    running = serve_in_thread(journal.path, host="0.0.0.0", token=TOKEN, resume="none")
    yield running
    running.stop()


def test_a_loopback_ui_answers_and_sends_protective_headers(loopback: Running) -> None:
    status, headers, html = fetch(f"{loopback.url}/runs")
    assert status == 200 and "w1" in html
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"


def test_a_loopback_ui_refuses_a_foreign_host_name(loopback: Running) -> None:
    # a page on evil.example whose name was rebound to 127.0.0.1 sends its own Host
    status, _, text = fetch(f"{loopback.url}/runs", headers={"Host": "evil.example:8765"})
    assert status == 400 and "loopback" in text


def test_serving_beyond_loopback_without_a_token_is_refused(journal: Journal) -> None:
    with pytest.raises(ConfigurationError, match="CREWKIT_UI_TOKEN"):
        create_app(journal.path, host="0.0.0.0")
    with pytest.raises(ConfigurationError, match="at least 16"):
        create_app(journal.path, host="192.0.2.7", token="short")


def test_without_the_token_every_request_is_refused(wide: Running) -> None:
    for path in ("/runs", "/runs/w1", "/static/ui.css", "/runs/w1/events", "/reviews"):
        status, _, text = fetch(f"{wide.url}{path}")
        assert status == 401, path
        assert "w1" not in text and TOKEN not in text
    status, _, _ = fetch(
        f"{wide.url}/runs", headers={"Authorization": "Bearer wrong-token-xxxxxxxx"}
    )
    assert status == 401


def test_the_token_opens_the_ui_by_header_or_once_by_address_then_cookie(wide: Running) -> None:
    status, _, html = fetch(f"{wide.url}/runs", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and "w1" in html
    status, headers, _ = fetch(f"{wide.url}/runs/w1?token={TOKEN}")
    assert status == 303 and headers["location"] == "/runs/w1"  # the token leaves the address
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    status, _, html = fetch(f"{wide.url}/runs/w1", headers={"Cookie": cookie.split(";")[0]})
    assert status == 200 and TOKEN not in html


def test_a_review_needs_a_post_with_the_page_csrf_value(
    loopback: Running, journal: Journal
) -> None:
    url = f"{loopback.url}/runs/w1/review"
    assert fetch(url)[0] == 405
    status, _, _ = fetch(url, data={"action": "approve"})
    assert status == 403
    _, _, page = fetch(f"{loopback.url}/runs/w1")
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    status, _, _ = fetch(url, data={"action": "approve", "csrf": csrf},
                         headers={"Origin": "http://evil.example"})  # fmt: skip
    assert status == 403
    status, _, _ = fetch(url, data={"action": "approve", "csrf": csrf},
                         headers={"Sec-Fetch-Site": "cross-site"})  # fmt: skip
    assert status == 403
    status, headers, _ = fetch(url, data={"action": "approve", "csrf": csrf})
    assert status == 303 and headers["location"].startswith("/runs/w1")
    assert journal.require("w1").status == "ready"
    journal.claim("w1")  # a resumer took it: a second decision is refused, nothing changes
    status, _, text = fetch(url, data={"action": "approve", "csrf": csrf})
    assert status == 409 and "not waiting for a review" in text
    assert journal.require("w1").status == "running"


def test_cli_refuses_a_wide_host_without_token_before_binding(journal: Journal) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crewkit", "ui", "--host", "0.0.0.0", "--journal", journal.path],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 2
    assert "CREWKIT_UI_TOKEN" in done.stderr and "Traceback" not in done.stderr


def test_cli_names_a_missing_journal(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crewkit", "ui", "--journal", str(tmp_path / "none.db")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "no run journal at" in done.stderr


def test_import_crewkit_loads_no_web_stack() -> None:
    probe = "import crewkit, sys; print([m for m in ('starlette', 'uvicorn', 'markdown_it', " \
            "'crewkit.ui') if m in sys.modules])"  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_secret_is_never_shown_even_if_the_journal_kept_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # written while the key was unknown to the writer (the journal redacts what it knows)
    key = "sk-test-7f3a9c1e5b2d4f6a8c0e"
    journal = Journal(tmp_path / "runs.db")
    journal.begin_run("s1", crew="demo", fingerprint="f", definition={}, inputs={"note": key},
                      tasks_total=1)  # fmt: skip
    journal.append("s1", "tool_started", {"tool": "env", "args": {"k": key}}, span="t1")
    journal.append("s1", "tool", {"tool": "env", "args": {"k": key}, "result": f"key={key}",
                                  "error": None}, span="t1")  # fmt: skip
    journal.finish("s1", "failed", error=f"HTTP 401 for key {key}")
    monkeypatch.setenv("OPENAI_API_KEY", key)  # the UI's process knows it is a secret
    running = serve_in_thread(journal.path, resume="none")
    try:
        for path in ("/runs/s1", "/runs/s1/steps/2", "/runs/s1/tree", "/runs/s1/events"):
            status, _, text = fetch(f"{running.url}{path}")
            assert status == 200, path
            assert key not in text, path
            assert "[redacted]" in text or path.endswith("/events"), path
    finally:
        running.stop()
