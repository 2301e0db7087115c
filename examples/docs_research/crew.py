"""A crew that reads a PDF and a web page: an analyst searches Acme's annual report (PDFSearchTool)
and reads today's news article (ScrapeWebsiteTool); a writer turns both into a brief.

python examples/docs_research/crew.py                   # mock model; serves news.html on 127.0.0.1
python examples/docs_research/crew.py https://...       # read another page
CREWKIT_MODEL=openai/gpt-4o-mini python examples/docs_research/crew.py

Needs ``pip install 'crewkit[web,pdf]'``. The report is report.pdf next to this file.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from crewkit import Agent, Crew, Task
from crewkit.tools import PDFSearchTool, ScrapeWebsiteTool

HERE = Path(__file__).resolve().parent


def build_crew(model: object = None) -> Crew:
    """The analyst's tools take their question and page from the kickoff inputs ``{topic}`` and
    ``{news_url}``, so even the mock model calls them with meaningful arguments."""
    report = PDFSearchTool(pdf="report.pdf", root=HERE).bind(query="{topic}")
    news = ScrapeWebsiteTool().bind(website_url="{news_url}")
    analyst = Agent(
        role="Equity Analyst",
        goal="Find what Acme's annual report and today's news say about {topic}",
        backstory="You quote sources exactly and say which document each fact comes from.",
        tools=[report, news],
        max_iter=5,
    )
    writer = Agent(
        role="Writer",
        goal="Brief investors on {topic}",
        backstory="You write short, plain briefs that name their sources.",
    )
    research = Task(
        "Search the annual report and read the news article about {topic}.",
        "Bullet points of facts, each with its source (report page or article)",
        agent=analyst,
        name="research",
    )
    brief = Task(
        "Write a five-line brief on {topic} for investors.",
        "Five lines, with sources",
        agent=writer,
        context=[research],
        name="brief",
    )
    return Crew(agents=[analyst, writer], tasks=[research, brief], llm=model)  # type: ignore[arg-type]


@contextmanager
def serve_news() -> Iterator[str]:
    """news.html on a loopback port, so the example runs offline."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(HERE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/news.html"
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    topic = "Acme's revenue, outlook and risks"
    model = os.environ.get("CREWKIT_MODEL", "mock")
    if len(sys.argv) > 1:
        output = build_crew(model).kickoff(inputs={"topic": topic, "news_url": sys.argv[1]})
    else:
        with serve_news() as url:
            output = build_crew(model).kickoff(inputs={"topic": topic, "news_url": url})
    for task_output in output.tasks_output:
        print(f"## {task_output.name}\n{task_output.raw}\n")
