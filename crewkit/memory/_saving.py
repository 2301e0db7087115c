"""What remembering a text stores: the memory itself under each kind asked for, and its entity facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from crewkit._text import valid_text
from crewkit.errors import ConfigurationError
from crewkit.memory._embed import Vector, pack
from crewkit.memory._entities import entity_facts
from crewkit.memory._records import STORED
from crewkit.memory._store import NewRow


def new_rows(
    text: str,
    kinds: Sequence[str],
    *,
    source: str,
    entity: str | None,
    task: str,
    run_id: str,
    extract: bool,
    now: float,
) -> list[NewRow]:
    """The records that remembering ``text`` creates: one per kind in ``kinds``, then its entity
    facts once (``entity`` given, and with ``extract`` each one found in the text)."""
    if not isinstance(text, str):
        raise ConfigurationError(f"Memory.save: text must be a string, got {text!r:.100}")
    unknown = [kind for kind in kinds if kind not in STORED] if kinds else [kinds]
    if unknown:
        raise ConfigurationError(
            f"Memory.save: kind must be 'short_term', 'long_term' or 'entities', got {unknown[0]!r}"
        )
    text = valid_text(text.strip())  # SQLite refuses lone surrogates
    source, task = valid_text(source), valid_text(task)
    entity = None if entity is None else valid_text(entity)
    if not text:
        return []
    if "entities" in kinds and not (entity and entity.strip()):
        raise ConfigurationError("Memory.save(kind='entities') needs entity=... to file it under")
    rows = [
        NewRow(kind=kind, text=text, task=task, source=source, run_id=run_id, created=now)
        for kind in kinds
        if kind != "entities"
    ]
    facts: list[tuple[str, str]] = []
    if entity and entity.strip():
        facts.append((entity.strip(), text))
    if extract:
        facts.extend(entity_facts(text))
    seen: set[tuple[str, str]] = set()
    for name, fact in facts:
        key = (name.lower(), fact)
        if key not in seen:
            seen.add(key)
            rows.append(
                NewRow(
                    kind="entity", text=fact, entity=name, source=source, run_id=run_id, created=now
                )
            )
    return rows


def with_vectors(rows: Sequence[NewRow], vectors: Sequence[Vector]) -> list[NewRow]:
    """``rows`` with their embeddings."""
    return [replace(row, embedding=pack(v)) for row, v in zip(rows, vectors, strict=True)]
