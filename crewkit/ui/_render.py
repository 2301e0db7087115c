"""Templates: jinja2 with autoescape on everything, and every value printed passed through the
secret scrubber first, so neither a model's HTML nor a key that reached the journal reaches a page."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from crewkit._secrets import known, scrub
from crewkit.ui._markdown import render
from crewkit.ui._views import source_label

TEMPLATES = Path(__file__).parent / "templates"
_SECRETS_TTL = 2.0


class Templates:
    """The UI's jinja2 environment and a ``page`` helper that renders one into a response."""

    def __init__(self) -> None:
        self._secrets: tuple[float, list[str]] = (0.0, [])
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            finalize=self._finalize,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            markdown=lambda text: render(self.scrub(str(text))),
            when=_when,
            duration=_duration,
            tokens=_tokens,
            cost=_cost,
            scrub=self.scrub,
        )
        self.env.globals.update(pretty=pretty, dict=dict, source_label=source_label)

    def scrub(self, text: str) -> str:
        """``text`` without any secret known to this process (cached briefly: pages print a lot)."""
        stamp, values = self._secrets
        now = time.monotonic()
        if now - stamp > _SECRETS_TTL:
            values = known()
            self._secrets = (now, values)
        return scrub(text, values)

    def _finalize(self, value: Any) -> Any:
        if isinstance(value, str) and not isinstance(value, Markup):
            return self.scrub(value)
        return value

    def render(self, name: str, **context: Any) -> str:
        """One template as text."""
        return self.env.get_template(name).render(**context)

    def page(
        self, request: Request, name: str, *, http_status: int = 200, **context: Any
    ) -> HTMLResponse:
        """One template as a response; forms get the CSRF value, pages are never cached."""
        html = self.render(name, csrf=request.scope.get("state", {}).get("csrf", ""), **context)
        return HTMLResponse(html, status_code=http_status, headers={"cache-control": "no-store"})


def pretty(value: Any) -> str:
    """JSON values shown as indented text; text shown as it is."""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "—"
    return datetime.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _tokens(count: int | None) -> str:
    return "—" if count is None else f"{count:,}"


def _cost(usd: float | None) -> str:
    if usd is None:
        return "—"
    return f"${usd:.4f}" if usd < 1 else f"${usd:,.2f}"
