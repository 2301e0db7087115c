"""Every prompt crewkit sends lives in ``prompts/*.j2``; this module renders them.

The environment is sandboxed with ``StrictUndefined``: templates are ours, and everything a user or a
model supplies is passed in as data, so ``{{ 7*7 }}`` inside an input arrives literally.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2.sandbox import ImmutableSandboxedEnvironment


def prompts_dir() -> Path:
    """Where the templates are: inside the installed package, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "prompts", here.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"crewkit's prompt templates are missing (looked in {here})")


@functools.cache
def _environment() -> ImmutableSandboxedEnvironment:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(prompts_dir()),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(name: str, **variables: Any) -> str:
    """Render ``prompts/<name>.j2`` with ``variables``; surrounding whitespace is stripped."""
    return _environment().get_template(f"{name}.j2").render(**variables).strip()
