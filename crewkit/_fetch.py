"""Fetching a web page for a tool: a real User-Agent, a timeout, a size cap, and nothing at all while
offline.

``CREWKIT_OFFLINE`` (set by the test suite, or by a user who wants no network) refuses every address
that is not this machine before any DNS lookup, so an offline run learns at once instead of waiting
for a timeout. Redirects are checked the same way, hop by hop.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

USER_AGENT = "crewkit/0.1 (AI agent web tool; +https://pypi.org/project/crewkit/)"
"""Sent with every request: says honestly what is asking, as sites ask automated clients to."""
DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_BYTES = 2_000_000


class FetchError(Exception):
    """A page could not be fetched; the message is safe to show a model (no credentials)."""


@dataclass(frozen=True)
class Page:
    """What a URL returned."""

    url: str
    """The final URL, after redirects."""
    status: int
    content_type: str
    """The media type, lower-cased, without parameters (``text/html``)."""
    body: bytes
    truncated: bool
    """The body was longer than the size cap and was cut."""
    encoding: str | None = None

    def text(self) -> str:
        """The body decoded (declared charset, else UTF-8), bad bytes replaced."""
        return self.body.decode(self.encoding or "utf-8", errors="replace")


def offline() -> bool:
    """Whether ``CREWKIT_OFFLINE`` forbids reaching beyond this machine."""
    return os.environ.get("CREWKIT_OFFLINE", "").strip() not in ("", "0")


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine."""
    host = (urlsplit(url).hostname or "").lower()
    return host == "localhost" or host.startswith("127.") or host == "::1"


def check_url(url: str) -> None:
    """Raise :class:`FetchError` for a URL a tool must not fetch (scheme, or offline)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"only http and https URLs can be fetched, not {safe_url(url)!r}")
    if offline() and not is_loopback(url):
        raise FetchError(f"offline (CREWKIT_OFFLINE is set): {parts.hostname} was not contacted")


def safe_url(url: str) -> str:
    """``url`` without credentials, query string or fragment, fit to show in errors."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    if not parts.scheme:
        return url.split("?")[0][:200]
    return f"{parts.scheme}://{host}{port}{parts.path}"[:200]


_URL = re.compile(r"\b(https?://)(?:[^\s/@]*@)?([^\s?#]*)(?:[?#][^\s]*)?")


def redact_urls(text: str) -> str:
    """``text`` with every URL's credentials, query string and fragment removed."""
    return _URL.sub(r"\1\2", text)


async def fetch(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    headers: dict[str, str] | None = None,
) -> Page:
    """GET ``url``: at most ``max_bytes`` of body, within ``timeout`` seconds in all."""
    import asyncio

    import httpx

    check_url(url)

    async def guard(request: httpx.Request) -> None:
        check_url(str(request.url))

    async def get() -> Page:
        async with (
            httpx.AsyncClient(
                timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                follow_redirects=True,
                max_redirects=5,
                headers={"User-Agent": USER_AGENT, **(headers or {})},
                event_hooks={"request": [guard]},
            ) as client,
            client.stream("GET", url) as response,
        ):
            body = bytearray()
            truncated = False
            async for piece in response.aiter_bytes():
                body += piece
                if len(body) > max_bytes:
                    del body[max_bytes:]
                    truncated = True
                    break
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return Page(
                url=str(response.url),
                status=response.status_code,
                content_type=kind,
                body=bytes(body),
                truncated=truncated,
                encoding=response.charset_encoding,
            )

    try:
        return await asyncio.wait_for(get(), timeout)
    except FetchError:
        raise
    except asyncio.TimeoutError:
        raise FetchError(f"{safe_url(url)} gave no answer within {timeout:g} s") from None
    except httpx.TooManyRedirects:
        raise FetchError(f"{safe_url(url)} redirected too many times") from None
    except httpx.HTTPError as exc:
        cause = exc.__context__ if isinstance(exc.__context__, FetchError) else None
        if cause is not None:
            raise FetchError(str(cause)) from None
        raise FetchError(f"{safe_url(url)} could not be reached ({type(exc).__name__})") from None
