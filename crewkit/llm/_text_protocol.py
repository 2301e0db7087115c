"""The text protocol for models without native tool calls: the one place that writes an action or a
final answer and reads a reply as one. Lenient on purpose: small local models decorate, misspell
and ramble, and each of those should cost at most one corrective observation, never a crashed run.

The agent loop reads replies with it; the test models (``MockLLM``, ``ScriptedLLM``) write theirs
with it. The prompts that teach the protocol are ``agent_system.j2`` and ``parse_error.j2``."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from crewkit._json import first_json_object, parse_object, strip_fences
from crewkit.llm._types import normalize_name


@dataclass(frozen=True)
class Action:
    """The reply asks to run a tool."""

    tool: str
    arguments: dict[str, Any] | None
    """Parsed arguments, or ``None`` when ``raw_input`` is not a JSON object."""
    raw_input: str
    text: str
    """The reply up to the end of the action, without any imagined observation after it."""


@dataclass(frozen=True)
class FinalAnswer:
    """The reply is the answer."""

    text: str


@dataclass(frozen=True)
class Unreadable:
    """The reply is neither; ``problem`` tells the model what to fix."""

    problem: str


Reply = Action | FinalAnswer | Unreadable

STOP_WORDS = ("\nObservation:",)
"""Where a reply must end: a model that goes on to imagine the tool's result is cut off there."""

_DECOR = r"[ \t>*_#`]*"
_ACTION = re.compile(rf"^{_DECOR}action{_DECOR}:{_DECOR}(.*)$", re.IGNORECASE | re.MULTILINE)
_INPUT = re.compile(rf"^{_DECOR}action[ \t_]*input{_DECOR}:[ \t*_]*", re.IGNORECASE | re.MULTILINE)
_FINAL = re.compile(rf"^{_DECOR}final[ \t_]*answer{_DECOR}:[ \t*_]*", re.IGNORECASE | re.MULTILINE)
_OBSERVATION = re.compile(rf"^{_DECOR}observation{_DECOR}:", re.IGNORECASE | re.MULTILINE)
_THOUGHT = re.compile(rf"^{_DECOR}thought{_DECOR}:.*$", re.IGNORECASE | re.MULTILINE)
_NO_TOOL = {"", "none", "n/a", "na", "null", "no action", "nothing", "final answer"}
_NAME_KEYS = ("name", "tool", "action", "function", "tool_name")
_ARG_KEYS = ("arguments", "args", "parameters", "action_input", "input", "tool_input")


def write_action(tool: str, arguments: Mapping[str, Any]) -> str:
    """A reply that calls ``tool`` with ``arguments``."""
    return f"Action: {tool}\nAction Input: {json.dumps(dict(arguments), sort_keys=True)}"


def write_final_answer(text: str) -> str:
    """A reply that gives ``text`` as the final answer."""
    return f"Final Answer: {text}"


def parse_reply(text: str, tool_names: Collection[str] = ()) -> Reply:
    """Classify a model's reply under the text protocol. A reply that is only a JSON object counts
    as a call when it names one of ``tool_names`` (normalized), and otherwise as an answer."""
    body = text.strip()
    action = _ACTION.search(body)
    final = _FINAL.search(body)
    if action and (final is None or action.start() < final.start()):
        name, inline = _split_name(action.group(1))
        if name.lower() not in _NO_TOOL or final is None:
            return _action(body, action, name, inline)
    if final:
        answer = body[final.end() :].strip()
        answer = strip_fences(answer) if answer.startswith("```") else answer
        return FinalAnswer(answer) if answer else Unreadable("the Final Answer was empty")
    bare = _bare_json_call(body, tool_names)
    if bare is not None:
        return bare
    prose = _THOUGHT.sub("", body).strip()
    if not prose:
        return Unreadable("it had a Thought but no Action and no Final Answer")
    return FinalAnswer(prose)


def _split_name(line: str) -> tuple[str, str]:
    """``search {"q": 1}`` or ``search({"q": 1})`` on one line: name and inline arguments."""
    line = line.strip()
    cut = min((i for i in (line.find("{"), line.find("(")) if i >= 0), default=-1)
    name, inline = (line[:cut], line[cut:]) if cut > 0 else (line, "")
    if inline.startswith("(") and inline.endswith(")"):
        inline = inline[1:-1]
    return name.strip().strip("`'\"[]*.:").strip(), inline.strip()


def _action(body: str, action: re.Match[str], name: str, inline: str) -> Action:
    rest = body[action.end() :]
    marker = _INPUT.search(rest)
    raw = rest[marker.end() :] if marker else (inline or rest)
    stop = _OBSERVATION.search(raw)
    if stop:
        raw = raw[: stop.start()]
    final = _FINAL.search(raw)
    if final:
        raw = raw[: final.start()]
    raw = strip_fences(raw)
    end_of_action = len(body) - len(rest) + (marker.end() if marker else 0) + len(raw)
    arguments = parse_arguments(raw)
    return Action(tool=name, arguments=arguments, raw_input=raw, text=body[:end_of_action].strip())


def parse_arguments(raw: str) -> dict[str, Any] | None:
    """The first JSON object in ``raw`` (Python-literal dicts accepted); ``{}`` for empty input."""
    if not raw.strip():
        return {}
    found = first_json_object(raw)
    return None if found is None else parse_object(found)


def _bare_json_call(body: str, tool_names: Collection[str]) -> Action | None:
    """A reply that is only ``{"name": ..., "arguments": {...}}``, as many small models write."""
    stripped = strip_fences(body)
    if not stripped.startswith("{"):
        return None
    value = parse_arguments(stripped)
    if not value:
        return None
    name = next((value[k] for k in _NAME_KEYS if isinstance(value.get(k), str)), None)
    if name is None or normalize_name(name) not in tool_names:
        return None
    args: Any = next((value[k] for k in _ARG_KEYS if k in value), {})
    if isinstance(args, str):
        args = parse_arguments(args)
    if args is not None and not isinstance(args, dict):
        return None
    return Action(tool=name, arguments=args, raw_input=json.dumps(args), text=body)
