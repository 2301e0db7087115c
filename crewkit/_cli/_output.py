"""The result of ``crewkit kickoff``: the final answer (markdown on a terminal) and usage per agent."""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from crewkit.crew import CrewOutput
    from crewkit.errors import CrewkitError


def print_answer(output: CrewOutput, stream: IO[str], console: Console | None) -> None:
    """The final answer as a readable report (:func:`answer_markdown`): rendered by rich on a
    terminal (``console``), as markdown text otherwise."""
    text = answer_markdown(output)
    if console is None:
        stream.write(text.rstrip("\n") + "\n")
        stream.flush()
        return
    from rich.markdown import Markdown

    console.print(Markdown(text))


def answer_markdown(output: CrewOutput) -> str:
    """The final answer as markdown: a structured answer through its model's ``to_markdown()``
    when it has one, else one section per field; a plain answer as it is."""
    to_markdown = getattr(output.pydantic, "to_markdown", None)
    if callable(to_markdown):
        return str(to_markdown())
    data = output.json_dict
    if not isinstance(data, dict):
        return output.raw
    sections = []
    for name, value in data.items():
        title = str(name).replace("_", " ").capitalize()
        if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
            body = "\n".join(f"- {v}" for v in value) or "(none)"
        elif isinstance(value, (dict, list)):
            body = "```json\n" + json.dumps(value, indent=2, ensure_ascii=False) + "\n```"
        else:
            body = "(none)" if value is None or value == "" else str(value)
        sections.append(f"## {title}\n\n{body}")
    return "\n\n".join(sections) + "\n"


def usage_rows(output: CrewOutput) -> list[tuple[str, int, int, int, int]]:
    """(agent, requests, prompt tokens, completion tokens, total tokens), plus a total row."""
    rows = [
        (agent, u.requests, u.prompt_tokens, u.completion_tokens, u.total_tokens)
        for agent, u in output.usage_by_agent.items()
    ]
    t = output.token_usage
    rows.append(("total", t.requests, t.prompt_tokens, t.completion_tokens, t.total_tokens))
    return rows


_HEADERS = ("agent", "calls", "prompt", "completion", "total")


def print_usage(output: CrewOutput, stream: IO[str], console: Console | None) -> None:
    """A table of token usage per agent (rich on a terminal, aligned text otherwise)."""
    rows = usage_rows(output)
    if console is not None:
        from rich.table import Table

        table = Table(title="Token usage", title_justify="left")
        table.add_column("agent")
        for header in _HEADERS[1:]:
            table.add_column(header, justify="right")
        for i, row in enumerate(rows):
            cells = [row[0], *(f"{n:,}" for n in row[1:])]
            table.add_row(*cells, style="bold" if i == len(rows) - 1 else None)
        console.print(table)
        return
    lines: list[tuple[str, ...]] = [_HEADERS, *[(r[0], *(str(n) for n in r[1:])) for r in rows]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(_HEADERS))]
    stream.write("token usage:\n")
    for line in lines:
        first = line[0].ljust(widths[0])
        rest = "  ".join(c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True))
        stream.write(f"  {first}  {rest}\n")
    stream.flush()


def as_json(output: CrewOutput) -> str:
    """``CrewOutput.to_dict()`` as indented JSON."""
    return json.dumps(output.to_dict(), indent=2, ensure_ascii=False, default=str)


def print_finished(error: CrewkitError, stream: IO[str]) -> None:
    """The answers a failed run had finished (``error.outputs``), each under its task's name, so
    no paid work is lost; nothing when there are none."""
    for output in error.outputs:
        stream.write(f"## {output.name}\n\n{output.raw.rstrip()}\n\n")
    stream.flush()


def error_as_json(error: CrewkitError) -> str:
    """A failed run for ``--json``: the error, and every task output it had finished."""
    failure = {
        "error": {"type": type(error).__name__, "message": str(error)},
        "tasks_output": [output.to_dict() for output in error.outputs],
    }
    return json.dumps(failure, indent=2, ensure_ascii=False, default=str)
