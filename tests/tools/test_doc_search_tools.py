"""Document search tools over real files: each finds the passage that answers, labelled with where
it is; a document is chunked once and then served from the index; paths stay inside the root."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from crewkit.knowledge import KnowledgeIndex
from crewkit.tools import (
    CSVSearchTool,
    DirectorySearchTool,
    JSONSearchTool,
    MDXSearchTool,
    PDFSearchTool,
    TXTSearchTool,
    WebsiteSearchTool,
)
from tests.pdfs import make_pdf
from tests.site import PRICES_CSV, REPORT_PDF, Site


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    paragraphs = [f"Section {i}. Routine filler about quarterly operations." for i in range(40)]
    paragraphs[23] = "Section 23. The warehouse in Rotterdam flooded in March."
    (root / "notes.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    (root / "prices.csv").write_text(PRICES_CSV, encoding="utf-8")
    orders = {"orders": [{"id": 1, "customer": "Zed Ltd", "total": 19.5}, {"id": 2, "total": 7}]}
    (root / "orders.json").write_text(json.dumps(orders), encoding="utf-8")
    (root / "guide.mdx").write_text(
        "import Callout from './callout'\n\n# Setup\n\n<Callout type=\"tip\">Install with pipx</Callout>\n",
        encoding="utf-8",
    )
    (root / "report.pdf").write_bytes(REPORT_PDF)
    return root


@pytest.fixture
def index(tmp_path: Path) -> Iterator[KnowledgeIndex]:
    index = KnowledgeIndex(tmp_path / "index.db")
    yield index
    index.close()


def test_txt_search_returns_the_passage_that_answers(docs: Path, index: KnowledgeIndex) -> None:
    tool = TXTSearchTool(root=docs, index=index, chunk_size=200, chunk_overlap=0, results=1)
    text = tool.run(search_query="Where was the flood?", txt="notes.txt")
    assert text.startswith('Passages matching "Where was the flood?":\n\n## notes.txt\n')
    assert "Rotterdam flooded in March" in text


def test_csv_rows_keep_their_column_names(docs: Path, index: KnowledgeIndex) -> None:
    text = CSVSearchTool("prices.csv", root=docs, index=index).run(search_query="energy")
    assert "## prices.csv rows 2-4" in text
    assert "ticker: BORE; price: 40.10; sector: energy" in text


def test_json_values_are_found_by_their_path(docs: Path, index: KnowledgeIndex) -> None:
    text = JSONSearchTool(root=docs, index=index).run(search_query="Zed", json_path="orders.json")
    assert "orders[0].customer: Zed Ltd" in text


def test_mdx_search_reads_the_prose_not_the_jsx(docs: Path, index: KnowledgeIndex) -> None:
    text = MDXSearchTool(root=docs, index=index).run(search_query="install", mdx="guide.mdx")
    assert "Install with pipx" in text
    assert "import Callout" not in text and "<Callout" not in text


@pytest.mark.extra("pdf")
def test_pdf_passages_are_labelled_with_their_page(docs: Path, index: KnowledgeIndex) -> None:
    text = PDFSearchTool(root=docs, index=index).run(query="interest rates", pdf="report.pdf")
    assert "## report.pdf p.2\nRisks\nSupply chain disruption and rising interest rates." in text
    assert "p.1" not in text


def test_a_document_is_chunked_once_and_found_again_in_a_new_process_index(
    docs: Path, tmp_path: Path
) -> None:
    first = KnowledgeIndex(tmp_path / "shared.db")
    tool = TXTSearchTool("notes.txt", root=docs, index=first, chunk_size=200)
    tool.run(search_query="flood")
    chunks = first.chunk_count()
    tool.run(search_query="warehouse")
    assert first.chunk_count() == chunks > 5
    first.close()
    again = KnowledgeIndex(tmp_path / "shared.db")  # what the next run opens
    text = TXTSearchTool("notes.txt", root=docs, index=again, chunk_size=200).run(
        search_query="flood"
    )
    assert "Rotterdam" in text
    assert again.chunk_count() == chunks


def test_a_changed_file_is_indexed_again(docs: Path, index: KnowledgeIndex) -> None:
    tool = TXTSearchTool("notes.txt", root=docs, index=index)
    assert "Rotterdam" in tool.run(search_query="flooded warehouse")
    (docs / "notes.txt").write_text("The warehouse in Lisbon flooded instead.")
    text = tool.run(search_query="flooded warehouse")
    assert "Lisbon" in text and "Rotterdam" not in text


def test_searching_one_document_never_returns_another(docs: Path, index: KnowledgeIndex) -> None:
    TXTSearchTool(root=docs, index=index).run(search_query="energy", txt="notes.txt")
    CSVSearchTool(root=docs, index=index).run(search_query="energy", csv="prices.csv")
    text = TXTSearchTool(root=docs, index=index).run(search_query="energy", txt="notes.txt")
    assert text == 'No passages match "energy". Try other keywords.'


@pytest.mark.extra("pdf")
def test_directory_search_covers_every_readable_file(docs: Path, index: KnowledgeIndex) -> None:
    tool = DirectorySearchTool(root=docs, index=index, results=3)
    assert "## report.pdf p.1" in tool.run(search_query="annual revenue", directory=".")
    assert "## orders.json" in tool.run(search_query="customer Zed", directory=".")


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        (TXTSearchTool, {"search_query": "x", "txt": "../outside.txt"}),
        pytest.param(
            PDFSearchTool, {"query": "x", "pdf": "/etc/passwd"}, marks=pytest.mark.extra("pdf")
        ),
        (DirectorySearchTool, {"search_query": "x", "directory": ".."}),
    ],
)
def test_paths_outside_the_root_are_refused(
    docs: Path, index: KnowledgeIndex, tool: type, arguments: dict[str, str]
) -> None:
    (docs.parent / "outside.txt").write_text("x marks a secret")
    text = tool(root=docs, index=index).run(**arguments)
    assert "did not do that" in text and "secret" not in text
    assert index.chunk_count() == 0


@pytest.mark.extra("pdf")
def test_a_broken_pdf_is_an_observation(docs: Path, index: KnowledgeIndex) -> None:
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    text = PDFSearchTool(root=docs, index=index).run(query="x", pdf="broken.pdf")
    assert text.startswith("search_pdf did not do that: broken.pdf is not a readable PDF")


def test_without_an_index_the_tools_use_the_default_file(
    docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREWKIT_KNOWLEDGE_DB", str(tmp_path / "default.db"))
    assert "Rotterdam" in TXTSearchTool("notes.txt", root=docs).run(search_query="flood")
    assert (tmp_path / "default.db").exists()


@pytest.mark.extra("web")
def test_website_search_finds_the_passage_on_a_page(index: KnowledgeIndex) -> None:
    with Site().running() as site:
        site.pages["/long.html"] = site.pages["/article.html"].__class__(
            (
                "<html><body><main>"
                + "".join(f"<p>Paragraph {i} about general market news.</p>" for i in range(60))
                + "<p>The board approved a dividend of 42 cents.</p></main></body></html>"
            ).encode()
        )
        tool = WebsiteSearchTool(index=index, chunk_size=300, results=1)
        text = tool.run(search_query="dividend", website=site.url("/long.html"))
    assert "dividend of 42 cents" in text
    assert text.count("## ") == 1


@pytest.mark.extra("web")
def test_website_search_offline_is_an_observation(index: KnowledgeIndex) -> None:
    text = WebsiteSearchTool(index=index).run(search_query="x", website="https://example.com")
    assert text.startswith("Could not read https://example.com: offline")


@pytest.mark.extra("pdf")
def test_a_pdf_made_in_the_test_has_one_passage_per_page(tmp_path: Path) -> None:
    (tmp_path / "three.pdf").write_bytes(make_pdf([["alpha page"], ["beta page"], ["gamma page"]]))
    index = KnowledgeIndex(":memory:")
    tool = PDFSearchTool("three.pdf", root=tmp_path, index=index)
    assert "## three.pdf p.3\ngamma page" in tool.run(query="gamma")
    assert index.chunk_count() == 3
