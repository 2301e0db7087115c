"""Turning a file's bytes into labelled text segments: a PDF page, a group of CSV rows, a JSON
subtree, a web page. Labels say where a chunk came from, so an agent can cite it."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from crewkit.errors import ConfigurationError


@dataclass(frozen=True)
class Segment:
    """A piece of a document with its place in it."""

    label: str
    """e.g. ``report.pdf p.3``, ``prices.csv rows 2-31``."""
    text: str


Reader = Callable[[bytes, str, int], Iterator[Segment]]
"""``reader(data, name, size)`` → segments of about ``size`` characters or less (a reader that keeps
records whole, like CSV rows, groups them up to ``size``)."""


def read_text(data: bytes, name: str, size: int) -> Iterator[Segment]:
    """Plain text, markdown and the like: one segment (the chunker splits it)."""
    yield Segment(name, data.decode("utf-8", errors="replace"))


_MDX_CODE = re.compile(r"^\s*(import|export)\s.*$", re.MULTILINE)
_MDX_TAG = re.compile(r"</?[A-Z][\w.]*(\s[^<>]*)?/?>")


def read_mdx(data: bytes, name: str, size: int) -> Iterator[Segment]:
    """MDX: markdown with the JSX ``import``/``export`` lines and component tags taken out."""
    text = data.decode("utf-8", errors="replace")
    yield Segment(name, _MDX_TAG.sub("", _MDX_CODE.sub("", text)))


def read_csv(data: bytes, name: str, size: int) -> Iterator[Segment]:
    """CSV: each row as ``column: value`` pairs, rows grouped up to ``size`` characters, so a row is
    never split and every chunk carries the column names."""
    text = data.decode("utf-8-sig", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    header = next(rows, None)
    if header is None:
        return
    header = [h.strip() or f"column {i + 1}" for i, h in enumerate(header)]
    lines: list[str] = []
    first = line_no = 2
    for line_no, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        names = header + [f"column {i + 1}" for i in range(len(header), len(row))]
        line = "; ".join(f"{h}: {v.strip()}" for h, v in zip(names, row, strict=False) if v.strip())
        if lines and sum(len(x) + 1 for x in lines) + len(line) > size:
            yield Segment(_rows(name, first, line_no - 1), "\n".join(lines))
            lines, first = [], line_no
        lines.append(line)
    if lines:
        yield Segment(_rows(name, first, line_no), "\n".join(lines))


def _rows(name: str, first: int, last: int) -> str:
    return f"{name} row {first}" if first == last else f"{name} rows {first}-{last}"


def read_json(data: bytes, name: str, size: int) -> Iterator[Segment]:
    """JSON: every value as a ``path: value`` line (``orders[2].total: 19.5``), lines grouped up to
    ``size`` characters; JSON Lines files work too."""
    text = data.decode("utf-8-sig", errors="replace")
    try:
        value: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        try:
            value = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError:
            raise ValueError(f"{name} is not valid JSON: {exc}") from None
    lines = list(_flatten(value, ""))
    chunk: list[str] = []
    for line in lines:
        if chunk and sum(len(x) + 1 for x in chunk) + len(line) > size:
            yield Segment(name, "\n".join(chunk))
            chunk = []
        chunk.append(line)
    if chunk:
        yield Segment(name, "\n".join(chunk))


def _flatten(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        if not value:
            yield f"{path or '$'}: {{}}"
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        if not value:
            yield f"{path or '$'}: []"
        for index, item in enumerate(value):
            yield from _flatten(item, f"{path}[{index}]")
    else:
        yield f"{path or '$'}: {json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value}"


def read_pdf(data: bytes, name: str, size: int) -> Iterator[Segment]:
    """PDF: the text of each page, with pypdf (``pip install crewkit[pdf]``)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            if text.strip():
                yield Segment(f"{name} p.{number}", text)
    except PdfReadError as exc:
        raise ValueError(f"{name} is not a readable PDF: {exc}") from None


def read_html(data: bytes, name: str, size: int) -> Iterator[Segment]:
    """HTML: the page's readable text (``pip install crewkit[web]``)."""
    from crewkit._html import html_to_text

    title, text = html_to_text(data.decode("utf-8", errors="replace"))
    yield Segment(f"{name} ({title})" if title else name, text)


READERS: dict[str, Reader] = {
    "text": read_text, "mdx": read_mdx, "csv": read_csv, "json": read_json,
    "pdf": read_pdf, "html": read_html,
}  # fmt: skip
"""Readers by kind; the kind is part of a document's cache key."""

_BY_SUFFIX = {
    ".csv": "csv", ".tsv": "csv", ".json": "json", ".jsonl": "json", ".pdf": "pdf",
    ".mdx": "mdx", ".html": "html", ".htm": "html",
}  # fmt: skip
_EXTRAS = {"pdf": ("pypdf", "pdf"), "html": ("selectolax", "web")}


def kind_of(path: str) -> str:
    """The reader kind for a file name (``text`` unless the suffix says otherwise)."""
    suffix = path[path.rfind(".") :].lower() if "." in path else ""
    return _BY_SUFFIX.get(suffix, "text")


def require_extra(kind: str, owner: str) -> None:
    """Raise a :class:`ConfigurationError` if ``kind`` needs an extra that is not installed."""
    import importlib.util

    if kind in _EXTRAS:
        module, extra = _EXTRAS[kind]
        if importlib.util.find_spec(module) is None:
            raise ConfigurationError(
                f"{owner}: reading {kind.upper()} needs the {extra} extra: "
                f"pip install 'crewkit[{extra}]'"
            )
