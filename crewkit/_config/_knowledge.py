"""crew.yaml's ``knowledge_sources:`` and ``knowledge_config:``: file paths relative to the crew
file's folder (its ``knowledge/`` subfolder first, as in CrewAI projects)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crewkit._config._convert import Report, Result
from crewkit._config._source import FieldPath, describe

_FAILED: Result = (False, None)
_EXAMPLE = "e.g. knowledge_sources: [report.pdf, {type: csv, file_paths: [prices.csv]}]"


def convert_knowledge(value: Any, folder: Path, path: FieldPath, report: Report) -> Result:
    """A list of sources: a file path (the kind from its extension), or a mapping with ``type``
    (``string``, ``text``, ``pdf``, ``csv``, ``json``) and that source's settings."""
    from crewkit.errors import ConfigurationError
    from crewkit.knowledge._sources import source_for_file, source_of_type

    if value is None:
        return True, []
    if not isinstance(value, list):
        report(path, f"expected a list of knowledge sources, found {describe(value)}", _EXAMPLE)
        return _FAILED
    sources: list[Any] = []
    ok = True
    for index, item in enumerate(value):
        where = (*path, index)
        try:
            if isinstance(item, str) and item.strip():
                sources.append(source_for_file(item.strip(), folder))
            elif isinstance(item, dict) and isinstance(item.get("type"), str):
                settings = {k: v for k, v in item.items() if k != "type"}
                sources.append(source_of_type(item["type"], folder, settings))
            else:
                report(
                    where,
                    f"expected a file path or {{type: ..., ...}}, found {describe(item)}",
                    _EXAMPLE,
                )
                ok = False
        except ConfigurationError as exc:
            report(where, str(exc), "")
            ok = False
        except TypeError as exc:  # an unknown setting for that source type
            report(where, f"bad knowledge source settings: {exc}", "")
            ok = False
    return (True, sources) if ok else _FAILED


def convert_knowledge_config(value: Any, folder: Path, path: FieldPath, report: Report) -> Result:
    """``{results_limit: 3, max_chars: 3000, index: .crewkit/knowledge.db}``."""
    from crewkit.knowledge import KnowledgeConfig, KnowledgeIndex

    if value is None:
        return True, None
    allowed = {"results_limit", "max_chars", "index"}
    if not isinstance(value, dict) or not set(value) <= allowed:
        report(
            path,
            f"expected a mapping of {', '.join(sorted(allowed))}, found {describe(value)}",
            "e.g. knowledge_config: {results_limit: 3}",
        )
        return _FAILED
    settings = dict(value)
    if "index" in settings:
        settings["index"] = KnowledgeIndex(folder / str(settings["index"]))
    return True, KnowledgeConfig(**settings)
