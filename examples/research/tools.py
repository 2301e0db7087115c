"""Tools for the research example. crew.yaml names them as ``tools:search_notes`` and
``tools:word_count``; the module is found next to the crew file."""

from __future__ import annotations

from pathlib import Path

from crewkit import tool

NOTES = Path(__file__).with_name("notes.md")


@tool
def search_notes(query: str) -> str:
    """Search the team's research notes and return the matching lines.

    Args:
        query: Words to look for; lines containing any of them are returned.
    """
    words = {w.lower() for w in query.split() if len(w) > 2}
    lines = NOTES.read_text(encoding="utf-8").splitlines()
    hits = [line for line in lines if words & set(line.lower().split())]
    return "\n".join(hits[:10]) or f"no notes match {query!r}"


@tool
def word_count(text: str) -> int:
    """Count the words in a piece of text, to keep a draft within length."""
    return len(text.split())
