"""A final answer rendered as markdown, and never as the HTML a model may have written into it.

markdown-it with raw HTML off shows ``<script>`` as text; its link check drops ``javascript:`` and
similar targets; images become their alt text and address, because an image the page loaded by
itself would send a request to wherever a model pointed it (the CSP refuses those too)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.enable("strikethrough")
    md.disable("image")
    return md


def render(text: str) -> Markup:
    """``text`` as safe HTML."""
    return Markup(_renderer().render(text))
