"""The profile for small local models (SmolLM2-135M and the like, up to about 1B parameters).

Such a model cannot write free-form reasoning, but it can fill short, schema-constrained fields.
So each of its replies is kept short and structured: length caps on every string and list of the
reply schema, a token cap per reply, samplers that punish repetition (DRY, repeat penalty) and, for
its answers, *grounded numbers*: a string may contain only numbers that appear in the conversation
(tool results, context, the task), so a figure can be left out but not made up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crewkit._json import map_schema

SMALL_MODEL_BYTES = 1_200_000_000
"""GGUF files smaller than this get the small-model profile unless ``small=`` says otherwise."""


@dataclass(frozen=True)
class SmallModelLimits:
    """The caps and samplers of the small-model profile."""

    reply_tokens: int = 200
    """Token cap of a tool call, a delegation or a plain answer."""
    structured_tokens: int = 400
    """Token cap of a structured answer (a task's output schema)."""
    max_string: int = 240
    """Length cap of every string in a reply schema that has none."""
    answer_chars: int = 600
    """Length cap of a plain final answer."""
    max_items: int = 3
    """Length cap of every list in a reply schema that has none."""
    sampling: dict[str, float] = field(
        default_factory=lambda: {
            "repeat_penalty": 1.1,
            "dry_multiplier": 0.8,
            "dry_base": 1.75,
            "dry_allowed_length": 2,
        }
    )
    """Sampler options added to every request (DRY: llama.cpp's "don't repeat yourself")."""
    copying: tuple[str, ...] = ("dry_multiplier",)
    """Samplers left out when a field is written field by field: DRY punishes text that repeats
    any earlier text, the prompt's included, so it pushed the model off the figures it was
    copying ("a stop-loss at 126.39" came out "at 100000"); the field's length cap and the
    repetition guard stop loops there."""


SMALL = SmallModelLimits()
"""The limits used for small models."""


def is_small(path: Path) -> bool:
    """Whether the GGUF file at ``path`` holds a small model (judged by its size on disk)."""
    return path.stat().st_size < SMALL_MODEL_BYTES


_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def numbers_in(texts: Iterable[str]) -> list[str]:
    """Every number written in ``texts``, as written and without thousands separators; fractions
    (0.5061) also as percentages (50.6, 51), since prose states them that way. Longest first."""
    found: set[str] = set()
    for text in texts:
        for written in _NUMBER.findall(text):
            plain = written.replace(",", "")
            found.update((written, plain))
            value = float(plain)
            if 0 < value < 1 and "." in plain:
                found.update((f"{value * 100:.1f}", f"{value * 100:.0f}"))
    return sorted(found, key=lambda n: (-len(n), n))


MODEL_WRITTEN_TOOLS = frozenset({"delegate_work_to_coworker", "ask_question_to_coworker"})
"""Tools whose results another model wrote (a coworker's answer): no source of numbers."""


def instructions(messages: Iterable[Any]) -> list[Any]:
    """The messages no model wrote: the instructions, the task and real tools' results; not a
    model's own turns, a coworker's answer or earlier tasks' outputs. A small model copies the
    text nearest to hand, so what another small model wrote is what it would copy."""
    return [
        m
        for m in messages
        if not m.quoted
        and (
            m.role in ("system", "user") or (m.role == "tool" and m.name not in MODEL_WRITTEN_TOOLS)
        )
    ]


def grounding(messages: Iterable[Any]) -> list[str]:
    """The texts a figure may come from (see :func:`instructions`), so an invented figure cannot
    spread from one model's answer to the next."""
    return [m.content for m in instructions(messages)]


def grounded(schema: Any, numbers: Iterable[str]) -> Any:
    """``schema`` with every free-text string (no enum, const, format or pattern) limited by a
    ``pattern`` to text whose numbers are all among ``numbers``."""
    choices = "|".join(n.replace(".", r"\.") for n in numbers)
    # Prose: any character but a digit, a quote, a backslash, a control character or a symbol
    # that is debris in a sentence (/ = _ braces, brackets, markup); a point or comma only before
    # a space (so "9" and "144" cannot make "9.144"); or a whole number.
    piece = rf'([^0-9".,\\\x00-\x1f/=_{{}}\[\]<>|*#@^~`]|[.,] {"|" + choices if choices else ""})'
    return map_schema(schema, lambda node: _patterned(node, piece))


_FIRST = r"[^0-9 \x00-\x1f!-/:-@\[-`{-~]"
"""How prose starts: a letter (no digit, space or symbol; "18346. The risk" and "100000/100000 =
..." were a small model's key risks)."""


def _patterned(out: dict[str, Any], piece: str) -> dict[str, Any]:
    kind = out.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "string" in kinds and not {"enum", "const", "format", "pattern"} & set(out):
        # llama.cpp ignores minLength/maxLength beside a pattern, so the pattern carries them
        # (a number counts as one piece).
        low, high = out.get("minLength", 0), out.get("maxLength")
        if high == 0:
            out["pattern"] = "^$"
        elif not low and high is None:
            out["pattern"] = rf"^({_FIRST}{piece}*)?\.?$"
        else:
            rest = f"{{{max(low - 1, 0)},{'' if high is None else high - 1}}}"
            body = f"{_FIRST}{piece}{rest}"
            out["pattern"] = rf"^{body}\.?$" if low else rf"^({body})?\.?$"
    return out


_SIMPLE = {"string", "number", "integer", "boolean", "null"}
MAX_FIELDS = 8
"""Above this many fields a structured answer is written whole, not field by field."""


def fields_to_fill(schema: Any) -> list[tuple[str, dict[str, Any]]] | None:
    """The required fields of an object ``schema``, each with its own schema, when every one is
    simple (a scalar, an enum or a list of scalars): a small model writes such an answer one field
    at a time, each from a short instruction, instead of one long JSON object it loses its way in
    ("strategy": "strategy"). ``None`` when the schema is not of that shape."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return None
    properties, required = schema.get("properties") or {}, schema.get("required") or []
    if not required or len(required) > MAX_FIELDS or not all(n in properties for n in required):
        return None
    fields = [(name, properties[name]) for name in required]
    return fields if all(_simple(sub) for _, sub in fields) else None


def _simple(schema: Any) -> bool:
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    if "anyOf" in schema:
        return all(_simple(s) for s in schema["anyOf"])
    kind = schema.get("type")
    if kind == "array":
        return _simple(schema.get("items"))
    kinds = kind if isinstance(kind, list) else [kind]
    return "enum" in schema or "const" in schema or (bool(kinds) and set(kinds) <= _SIMPLE)


def fit(value: Any, schema: Any) -> Any:
    """``value`` with every string kept to its schema's ``maxLength`` (in a grounded pattern a
    whole number counts as one character, so a reply can run a little over the cap). A string
    stopped at its cap mid-sentence ends at its last full sentence, else with "…", so a reader
    sees where the model was cut off."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, str) and isinstance(schema.get("maxLength"), int):
        limit, least = schema["maxLength"], int(schema.get("minLength", 0))
        if len(value) > limit:
            cut = value[:limit]
            value = cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut
        elif len(value) < limit * 0.9:
            return value
        value = value.rstrip()
        if value[-1:] in (".", "!", "?", "…", ")"):
            return value
        sentences = value[: value.rfind(". ") + 1] if ". " in value[limit // 2 :] else ""
        if len(sentences) >= max(least, 1):
            return sentences
        return (value if len(value) < limit else value.rsplit(" ", 1)[0]) + "…"
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [fit(v, schema["items"]) for v in value]
    return value
