"""HTML → readable text for agents, with selectolax (``pip install crewkit[web]``).

Pages are mostly navigation, banners and scripts; a model needs the article. So the parts that are
never content (scripts, styles, navigation, headers, footers, asides, forms, hidden elements) are
dropped, ``<main>`` or ``<article>`` is preferred when the page has one, and the structure that helps
reading survives as light markdown: ``#`` headings, ``-`` list items, ``a | b`` table rows.
"""

from __future__ import annotations

import re
from typing import Any

_DROP = (
    "script, style, noscript, template, svg, canvas, iframe, object, form, button, select, "
    "nav, header, footer, aside, [role=navigation], [role=banner], [role=contentinfo], "
    "[aria-hidden=true], [hidden]"
)
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "ul",
        "ol",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "pre",
        "blockquote",
        "br",
        "hr",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "details",
        "summary",
        "body",
        "address",
        "center",
    ]
)
_HEADINGS = {f"h{n}": "#" * n for n in range(1, 7)}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANKS = re.compile(r"\n{3,}")
_KEPT = re.compile(r"\x00(\d+)\x00")


def html_to_text(html: str) -> tuple[str, str]:
    """The page's title and its readable text."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = " ".join((title_node.text() if title_node else "").split())
    for node in tree.css(_DROP):
        node.decompose()
    root = tree.css_first("main") or tree.css_first("article") or tree.body or tree.root
    if root is None:
        return title, ""
    parts: list[str] = []
    kept: list[str] = []
    try:
        _walk(root, parts, kept)
    except RecursionError:  # absurdly deep markup: plain text is still readable
        parts, kept = [root.text(separator="\n") or ""], []
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    text = "\n".join(line.rstrip(" |").strip() if line.endswith("|") else line for line in lines)
    text = _BLANKS.sub("\n\n", text).strip()
    return title, _KEPT.sub(lambda m: kept[int(m.group(1))], text)


def _walk(node: Any, out: list[str], kept: list[str]) -> None:
    """Append ``node``'s text to ``out``; ``<pre>`` blocks go to ``kept`` (their spacing is
    meaning) and leave a marker that :func:`html_to_text` replaces after tidying whitespace."""
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.append((child.text_content or "").replace("\x00", ""))
            continue
        if tag == "pre":
            kept.append((child.text(deep=True) or "").strip("\n"))
            out.append(f"\n\n\x00{len(kept) - 1}\x00\n\n")
            continue
        if tag in _HEADINGS:
            out.append(f"\n\n{_HEADINGS[tag]} ")
        elif tag == "li":
            out.append("\n- ")
        elif tag == "tr" or tag in _BLOCKS:
            out.append("\n")
        _walk(child, out, kept)
        if tag in ("td", "th"):
            out.append(" | ")
        elif tag in _BLOCKS or tag in _HEADINGS:
            out.append("\n")
