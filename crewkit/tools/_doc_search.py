"""Search tools over documents: a file (text, CSV, JSON, PDF, MDX), a folder, or a web page.

Each document is read and chunked once (cached by content hash in the knowledge index) and searched
with bm25, so asking a 300-page PDF a second question costs milliseconds. Paths stay inside the
tool's root, as with the file tools.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from crewkit import prompts
from crewkit._fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, FetchError, fetch, safe_url
from crewkit.knowledge._documents import Chunking, index_document, shared_index
from crewkit.knowledge._index import Hit, KnowledgeIndex
from crewkit.knowledge._readers import kind_of
from crewkit.tools._files import RootedTool, list_files, refused
from crewkit.tools._paths import PathRefused

MAX_FILE_BYTES = 50_000_000
MAX_FOLDER_FILES = 2000
_FOLDER_KINDS = frozenset(
    ".txt .md .mdx .rst .log .csv .tsv .json .jsonl .pdf .html .htm .yaml .yml .py".split()  # noqa: SIM905
)
"""File types DirectorySearchTool reads; others (images, archives, binaries) are skipped."""


class _Search(RootedTool):
    """A search over one document named by a path argument."""

    kind: ClassVar[str]
    """The reader: ``text``, ``csv``, ``json``, ``pdf`` or ``mdx``."""
    path_arg: ClassVar[str]
    query_arg: ClassVar[str] = "search_query"
    what: ClassVar[str]

    def __init__(
        self,
        path: str | None = None,
        *,
        root: str | os.PathLike[str] | None = None,
        index: KnowledgeIndex | None = None,
        results: int = 5,
        chunk_size: int = 1000,
        chunk_overlap: int = 100,
    ) -> None:
        from crewkit.knowledge._readers import require_extra

        owner = type(self).__name__
        require_extra(self.kind, owner)
        self.fix_inside(root, **{self.path_arg: path})
        self.index = index
        self.results = results
        self.chunking = Chunking(chunk_size, chunk_overlap)
        self.description = (
            f"Search the {self.what} {path} for passages about a query."
            if path
            else f"Search a {self.what} for passages about a query; give its path."
        )

    async def arun(self, **kwargs: Any) -> str:
        args = self.arguments.model_validate(self.with_fixed(kwargs))
        query, given = getattr(args, self.query_arg), getattr(args, self.path_arg)
        try:
            path = self.root.file(given)
        except PathRefused as exc:
            return refused(self.name, str(exc))
        shown = self.root.relative(path)
        index = self.index or shared_index()

        def work() -> list[Hit]:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError(f"{shown} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
            doc = index_document(index, self.kind, path.read_bytes(), shown, shown, self.chunking)
            return index.search(query, [doc], limit=self.results)

        try:
            hits = await asyncio.to_thread(work)
        except ValueError as exc:
            return refused(self.name, str(exc))
        return render_hits(query, hits)

    def run(self, **kwargs: Any) -> str:
        from crewkit._sync import run_sync

        return run_sync(lambda: self.arun(**kwargs))


def render_hits(query: str, hits: list[Hit]) -> str:
    """The observation listing ``hits`` for ``query``."""
    return prompts.render(
        "document_results", query=query, results=[{"label": h.label, "text": h.text} for h in hits]
    )


class _QueryArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    search_query: str = Field(description="What to look for")


class TXTSearchArgs(_QueryArgs):
    """Arguments of :class:`TXTSearchTool`."""

    txt: str = Field(description="Path of the text file")


class CSVSearchArgs(_QueryArgs):
    """Arguments of :class:`CSVSearchTool`."""

    csv: str = Field(description="Path of the CSV file")


class JSONSearchArgs(_QueryArgs):
    """Arguments of :class:`JSONSearchTool`."""

    json_path: str = Field(description="Path of the JSON file")


class MDXSearchArgs(_QueryArgs):
    """Arguments of :class:`MDXSearchTool`."""

    mdx: str = Field(description="Path of the MDX or markdown file")


class PDFSearchArgs(BaseModel):
    """Arguments of :class:`PDFSearchTool` (CrewAI calls its query ``query``)."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(description="What to look for")
    pdf: str = Field(description="Path of the PDF file")


class DirectorySearchArgs(_QueryArgs):
    """Arguments of :class:`DirectorySearchTool`."""

    directory: str = Field(description="Folder to search ('.' for the working folder)")


class WebsiteSearchArgs(_QueryArgs):
    """Arguments of :class:`WebsiteSearchTool`."""

    website: str = Field(description="URL of the page to search")


class TXTSearchTool(_Search):
    """Searches a text file."""

    name = "search_txt"
    arguments = TXTSearchArgs
    kind, path_arg, what = "text", "txt", "text file"

    def __init__(self, txt: str | None = None, **settings: Any) -> None:
        super().__init__(txt, **settings)


class CSVSearchTool(_Search):
    """Searches a CSV file; each passage is a group of rows with their column names."""

    name = "search_csv"
    arguments = CSVSearchArgs
    kind, path_arg, what = "csv", "csv", "CSV file"

    def __init__(self, csv: str | None = None, **settings: Any) -> None:
        super().__init__(csv, **settings)


class JSONSearchTool(_Search):
    """Searches a JSON file; each passage is a set of ``path: value`` lines."""

    name = "search_json"
    arguments = JSONSearchArgs
    kind, path_arg, what = "json", "json_path", "JSON file"

    def __init__(self, json_path: str | None = None, **settings: Any) -> None:
        super().__init__(json_path, **settings)


class PDFSearchTool(_Search):
    """Searches a PDF (``pip install crewkit[pdf]``); passages are labelled with their page."""

    name = "search_pdf"
    arguments = PDFSearchArgs
    kind, path_arg, what, query_arg = "pdf", "pdf", "PDF", "query"

    def __init__(self, pdf: str | None = None, **settings: Any) -> None:
        super().__init__(pdf, **settings)


class MDXSearchTool(_Search):
    """Searches an MDX (or markdown) file."""

    name = "search_mdx"
    arguments = MDXSearchArgs
    kind, path_arg, what = "mdx", "mdx", "MDX file"

    def __init__(self, mdx: str | None = None, **settings: Any) -> None:
        super().__init__(mdx, **settings)


class DirectorySearchTool(_Search):
    """Searches every readable file under a folder (text, markdown, CSV, JSON, PDF, HTML)."""

    name = "search_directory"
    arguments = DirectorySearchArgs
    kind, path_arg, what = "text", "directory", "folder"

    def __init__(self, directory: str | None = None, **settings: Any) -> None:
        super().__init__(directory, **settings)

    async def arun(self, **kwargs: Any) -> str:
        from crewkit.knowledge._readers import require_extra

        args = DirectorySearchArgs.model_validate(self.with_fixed(kwargs))
        try:
            folder = self.root.folder(args.directory)
        except PathRefused as exc:
            return refused(self.name, str(exc))
        index = self.index or shared_index()

        def usable(name: str) -> bool:
            suffix = name[name.rfind(".") :].lower() if "." in name else ""
            if suffix not in _FOLDER_KINDS:
                return False
            try:
                require_extra(kind_of(name), "")
            except Exception:
                return False
            return True

        def work() -> list[Hit]:
            names, _ = list_files(self.root, folder, MAX_FOLDER_FILES)
            docs = []
            for shown in filter(usable, names):
                path = self.root.path / shown
                if path.stat().st_size > MAX_FILE_BYTES:
                    continue
                try:
                    docs.append(
                        index_document(
                            index, kind_of(shown), path.read_bytes(), shown, shown, self.chunking
                        )
                    )
                except ValueError:  # a broken PDF or JSON among many files: skip it
                    continue
            return index.search(args.search_query, docs, limit=self.results)

        return render_hits(args.search_query, await asyncio.to_thread(work))


class WebsiteSearchTool(_Search):
    """Searches a web page's text (``pip install crewkit[web]``)."""

    name = "search_website"
    arguments = WebsiteSearchArgs
    kind, path_arg, what = "html", "website", "web page"

    def __init__(
        self,
        website: str | None = None,
        *,
        index: KnowledgeIndex | None = None,
        results: int = 5,
        chunk_size: int = 1000,
        chunk_overlap: int = 100,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        from crewkit.knowledge._readers import require_extra

        require_extra("html", "WebsiteSearchTool")
        self.index = index
        self.results = results
        self.chunking = Chunking(chunk_size, chunk_overlap)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.fix(website=website)
        self.description = (
            f"Search the web page {safe_url(website)} for passages about a query."
            if website
            else "Search a web page for passages about a query; give its URL."
        )

    async def arun(self, **kwargs: Any) -> str:
        from crewkit.tools._web import page_text

        args = WebsiteSearchArgs.model_validate(self.with_fixed(kwargs))
        url = args.website.strip()
        try:
            page = await fetch(url, timeout=self.timeout, max_bytes=self.max_bytes)
            page_text(page)  # refuses error statuses and non-text content with a reason
        except (FetchError, ValueError) as exc:
            return prompts.render("web_unavailable", url=safe_url(url), reason=str(exc))
        index = self.index or shared_index()
        kind = (
            "pdf"
            if page.content_type == "application/pdf"
            else "html"
            if "html" in page.content_type
            else "text"
        )
        shown = safe_url(page.url)

        def work() -> list[Hit]:
            doc = index_document(index, kind, page.body, shown, shown, self.chunking)
            return index.search(args.search_query, [doc], limit=self.results)

        return render_hits(args.search_query, await asyncio.to_thread(work))
