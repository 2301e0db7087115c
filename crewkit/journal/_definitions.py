"""Comparing what a run was started with: a definition document (plain JSON values) is hashed into
the run's fingerprint, and a resume with another definition is told each place they differ. Used by
crews and flows alike."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def canonical(value: Any) -> str:
    """Canonical JSON text: sorted keys, no spaces (what the fingerprint hashes)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def fingerprint(definition: Mapping[str, Any]) -> str:
    """A short stable hash of a definition document."""
    return hashlib.sha256(canonical(definition).encode()).hexdigest()[:16]


def changes(before: Any, after: Any, where: str = "") -> list[str]:
    """Every place two definition documents differ, e.g. ``tasks[1].description``."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[str] = []
        for key in sorted(set(before) | set(after), key=str):
            path = f"{where}.{key}" if where else str(key)
            if key not in before:
                found.append(f"{path}: added")
            elif key not in after:
                found.append(f"{path}: removed")
            else:
                found += changes(before[key], after[key], path)
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        pairs = enumerate(zip(before, after, strict=True))
        return [c for i, (a, b) in pairs for c in changes(a, b, f"{where}[{i}]")]
    if isinstance(before, list) and isinstance(after, list):
        return [f"{where}: {len(before)} items before, {len(after)} now"]
    if before != after:
        return [f"{where}: {_short(before)} before, {_short(after)} now"]
    return []


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
