"""What ``Crew.train`` learns: a person's feedback on every task's answer, per agent role, kept as
instructions and saved as JSON (``{role: {"suggestions": [...]}}``, never pickle). The feedback
also sends the agent back to work at once, as any ``human_input`` review does."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

from crewkit.errors import ConfigurationError
from crewkit.task import TaskOutput

Reviewer = Callable[[TaskOutput], "str | Awaitable[str]"]
"""Asks a person about an answer; returns their feedback, or "" to accept it."""


class Training:
    """The instructions learnt so far, and the file they are kept in."""

    def __init__(self, filename: str) -> None:
        if not isinstance(filename, str) or not filename.strip():
            raise ConfigurationError(f"filename must name a file, got {filename!r}")
        self.path = Path(filename)
        """The training file."""
        self.learnt: dict[str, list[str]] = self._existing()
        """Agent role → instructions, in the order they were given."""

    def reviewer(self, ask: Reviewer | None) -> Reviewer:
        """A reviewer that asks through ``ask`` (the console when ``None``) and keeps the feedback."""

        async def review(output: TaskOutput) -> str:
            from crewkit._console import ask_on_console

            answer = (ask or ask_on_console)(output)
            feedback = str(answer if isinstance(answer, str) else await answer).strip()
            lines = self.learnt.setdefault(output.agent, [])
            if feedback and feedback not in lines:
                lines.append(feedback)
            return feedback

        return review

    def save(self) -> None:
        """Write what was learnt so far."""
        data = {role: {"suggestions": lines} for role, lines in self.learnt.items()}
        self.path.write_text(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    def _existing(self) -> dict[str, list[str]]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {str(role): list(entry["suggestions"]) for role, entry in data.items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigurationError(
                f"{self.path} is not a training file crewkit wrote: {exc}"
            ) from None
