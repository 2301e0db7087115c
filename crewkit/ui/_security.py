"""Who may see and steer runs: loopback by default; beyond it, only holders of ``CREWKIT_UI_TOKEN``.

Every response gets headers that keep a model's words inert even if an escape were missed (a
Content-Security-Policy with no inline script) and keep the page from leaking (no referrer to
other sites, no cache). A token-less loopback UI refuses requests whose ``Host`` is not a loopback name, so a web
page that rebinds its own domain to 127.0.0.1 cannot read it. Actions need a POST carrying a CSRF
value derived from a per-process secret."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from crewkit.errors import ConfigurationError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_VARIABLE = "CREWKIT_UI_TOKEN"
"""The environment variable holding the token that a UI bound beyond loopback requires."""
MIN_TOKEN_LENGTH = 16
COOKIE = "crewkit_ui"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) stays on this machine."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str | None) -> None:
    """Refuse to serve beyond loopback without a token worth the name."""
    if is_loopback(host):
        return
    if not token:
        raise ConfigurationError(
            f"crewkit ui --host {host} would serve runs beyond this machine; set {TOKEN_VARIABLE} "
            f"to a secret of at least {MIN_TOKEN_LENGTH} characters (every request must carry it), "
            "or leave --host at its default, 127.0.0.1"
        )
    if len(token) < MIN_TOKEN_LENGTH:
        raise ConfigurationError(
            f"{TOKEN_VARIABLE} is {len(token)} characters long; use at least {MIN_TOKEN_LENGTH}"
        )


class Guard:
    """ASGI middleware: host and token checks, then the app; security headers on every response."""

    def __init__(self, app: ASGIApp, *, token: str | None, loopback: bool) -> None:
        self.app = app
        self.token = token
        self.loopback = loopback
        self.cookie = _digest(token, "cookie") if token else ""
        self.csrf = _digest(token or os.urandom(32).hex(), "csrf")
        """The value every form must send back (the same for the life of the process)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if self.loopback and not self.token and not is_loopback(host.rpartition(":")[0] or host):
            await _plain(send_with_headers, 400, "this crewkit ui answers only to loopback names")
            return
        if self.token is not None:
            verdict = self._token_verdict(scope, headers)
            if verdict == "refuse":
                await _plain(
                    send_with_headers, 401,
                    f"this crewkit ui needs its token: open it once as /?token=<{TOKEN_VARIABLE}>",
                )  # fmt: skip
                return
            if verdict == "set-cookie":
                await self._redirect_with_cookie(scope, send_with_headers)
                return
        scope.setdefault("state", {})["csrf"] = self.csrf
        await self.app(scope, receive, send_with_headers)

    def _token_verdict(self, scope: Scope, headers: dict[str, str]) -> str:
        assert self.token is not None
        bearer = headers.get("authorization", "")
        if bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:], self.token):
            return "ok"
        cookie = SimpleCookie(headers.get("cookie", "")).get(COOKIE)
        if cookie is not None and hmac.compare_digest(cookie.value, self.cookie):
            return "ok"
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        given = query.get("token")
        if (
            given is not None
            and scope["method"] == "GET"
            and hmac.compare_digest(given, self.token)
        ):
            return "set-cookie"
        return "refuse"

    async def _redirect_with_cookie(self, scope: Scope, send: Send) -> None:
        """Trade ``?token=`` for a cookie and drop it from the address (history, referrers)."""
        query = [
            (k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode()) if k != "token"
        ]
        location = scope["path"] + (f"?{urlencode(query)}" if query else "")
        cookie = f"{COOKIE}={self.cookie}; HttpOnly; SameSite=Strict; Path=/"
        await send({
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode()), (b"set-cookie", cookie.encode()),
                        (b"cache-control", b"no-store")],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": b""})


def _digest(secret: str, purpose: str) -> str:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def same_origin(headers: MutableMapping[str, str] | Any) -> bool:
    """Whether a POST came from our own pages: the browser's ``Sec-Fetch-Site`` says so, or (older
    browsers) its ``Origin`` names our host. A client that sends neither is no browser page, and
    still needs the CSRF value."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return bool(site == "same-origin")
    origin = headers.get("origin")
    if origin is None:
        return True
    return bool(origin.partition("://")[2] == headers.get("host", ""))


async def _plain(send: Send, status: int, text: str) -> None:
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": text.encode() + b"\n"})
