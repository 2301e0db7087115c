"""Web tools: read a page as text, and search with the Serper API.

Both fetch with :mod:`crewkit._fetch` (a real User-Agent, a timeout, a size cap, nothing while
``CREWKIT_OFFLINE`` is set) and answer every failure with an observation, so an agent that cannot
reach the web is told at once and carries on.
"""

from __future__ import annotations

import json
import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crewkit import prompts
from crewkit._fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, FetchError, Page, fetch, safe_url
from crewkit.tools._fixed import FixedArgsTool


class ScrapeArgs(BaseModel):
    """Arguments of :class:`ScrapeWebsiteTool`."""

    model_config = ConfigDict(extra="forbid")
    website_url: str = Field(description="The page's URL (http or https)")


class ScrapeWebsiteTool(FixedArgsTool):
    """Reads a web page and returns its readable text (navigation, scripts and banners removed)."""

    name = "scrape_website"
    arguments = ScrapeArgs
    max_result_chars = 8000

    def __init__(
        self,
        website_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.headers = dict(headers or {})
        """Extra request headers (e.g. a cookie); never shown to the model."""
        self.fix(website_url=website_url)
        self.description = (
            f"Read the web page {safe_url(website_url)} and return its text."
            if website_url
            else "Read a web page and return its text."
        )

    async def arun(self, **kwargs: Any) -> str:
        url = ScrapeArgs.model_validate(self.with_fixed(kwargs)).website_url.strip()
        try:
            page = await fetch(
                url, timeout=self.timeout, max_bytes=self.max_bytes, headers=self.headers
            )
            title, text = page_text(page)
        except (FetchError, ValueError) as exc:
            return prompts.render("web_unavailable", url=safe_url(url), reason=str(exc))
        except ModuleNotFoundError as exc:
            return prompts.render("web_unavailable", url=safe_url(url), reason=missing_extra(exc))
        if text.lstrip("# ").startswith(title):
            title = ""  # the page opens with its title already
        return prompts.render(
            "web_page", url=safe_url(page.url), title=title, text=text, truncated=page.truncated
        )

    def run(self, **kwargs: Any) -> str:
        from crewkit._sync import run_sync

        return run_sync(lambda: self.arun(**kwargs))


def page_text(page: Page) -> tuple[str, str]:
    """A fetched page's title and readable text, by its content type (HTML, PDF or text)."""
    if page.status >= 400:
        raise ValueError(f"the server answered HTTP {page.status}")
    kind = page.content_type
    if kind in ("text/html", "application/xhtml+xml") or (
        not kind and page.body[:200].lstrip().startswith(b"<")
    ):
        from crewkit._html import html_to_text

        return html_to_text(page.text())
    if kind == "application/pdf" or page.body.startswith(b"%PDF-"):
        from crewkit.knowledge._readers import read_pdf

        return "", "\n\n".join(s.text for s in read_pdf(page.body, safe_url(page.url), 0))
    if (
        kind.startswith("text/")
        or kind in ("application/json", "application/xml", "")
        or kind.endswith("+json")
    ):
        return "", page.text()
    raise ValueError(f"the page is {kind}, not text")


def missing_extra(exc: ModuleNotFoundError) -> str:
    """Which extra installs the module ``exc`` is about."""
    extra = {"selectolax": "web", "pypdf": "pdf"}.get((exc.name or "").split(".")[0], "web")
    return f"the {extra} extra is not installed (pip install 'crewkit[{extra}]')"


SERPER_URL = "https://google.serper.dev"


class SerperArgs(BaseModel):
    """Arguments of :class:`SerperDevTool`."""

    model_config = ConfigDict(extra="forbid")
    search_query: str = Field(description="What to search the web for")


class SerperDevTool(FixedArgsTool):
    """Google results through the Serper API; needs ``SERPER_API_KEY`` (else it says so)."""

    name = "search_the_internet"
    arguments = SerperArgs

    def __init__(
        self,
        *,
        n_results: int = 10,
        search_type: Literal["search", "news"] = "search",
        country: str = "",
        locale: str = "",
        location: str = "",
        base_url: str = SERPER_URL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.n_results = n_results
        self.search_type = search_type
        self.country, self.locale, self.location = country, locale, location
        self.base_url = base_url.rstrip("/")
        """Where requests go (tests point this at a loopback server)."""
        self.timeout = timeout
        self.fix()
        self.description = (
            "Search the news with Google (Serper). Returns titles, links and snippets."
            if search_type == "news"
            else "Search the internet with Google (Serper). Returns titles, links and snippets."
        )

    async def arun(self, **kwargs: Any) -> str:
        import httpx

        from crewkit._fetch import USER_AGENT, check_url

        query = SerperArgs.model_validate(kwargs).search_query
        key = os.environ.get("SERPER_API_KEY", "").strip()
        if not key:
            return prompts.render(
                "search_unavailable",
                reason="SERPER_API_KEY is not set; use web_search instead if you have it",
            )
        endpoint = f"{self.base_url}/{self.search_type}"
        payload: dict[str, Any] = {"q": query, "num": self.n_results}
        for name, value in (("gl", self.country), ("hl", self.locale), ("location", self.location)):
            if value:
                payload[name] = value
        try:
            check_url(endpoint)
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    endpoint,
                    json=payload,
                    headers={"X-API-KEY": key, "User-Agent": USER_AGENT},
                )
        except FetchError as exc:
            return prompts.render("search_unavailable", reason=str(exc))
        except httpx.HTTPError as exc:
            return prompts.render(
                "search_unavailable", reason=f"{safe_url(endpoint)}: {type(exc).__name__}"
            )
        if response.status_code >= 400:
            return prompts.render(
                "search_unavailable",
                reason=f"{safe_url(endpoint)} answered HTTP {response.status_code}",
            )
        try:
            data = response.json()
        except json.JSONDecodeError:
            return prompts.render("search_unavailable", reason="the answer was not JSON")
        items = data.get("news" if self.search_type == "news" else "organic") or []
        results = [
            {
                "title": str(item.get("title", "")),
                "url": str(item.get("link", "")),
                "body": " ".join(str(item.get("snippet", "")).split())[:300],
                "date": str(item.get("date", "")),
                "source": str(item.get("source", "")),
            }
            for item in items[: self.n_results]
            if isinstance(item, dict)
        ]
        return prompts.render("search_results", query=query, results=results)

    def run(self, **kwargs: Any) -> str:
        from crewkit._sync import run_sync

        return run_sync(lambda: self.arun(**kwargs))
