"""How a test that needs an optional extra bows out when the extra is not installed.

With only ``pip install -e ".[dev]"`` such tests skip, and the reason names the extra to install.
CI installs every extra and sets ``CREWKIT_REQUIRE_EXTRAS=1`` (``CREWKIT_REQUIRE_LOCAL``,
``_RAY`` and ``_BROWSER`` for the embedded model, Ray and Chromium), which turns each skip into a
failure, so nothing is skipped there silently.

Which packages an extra needs is read from pyproject.toml (an editable install's metadata keeps the
extras as they were when it was installed), and each is looked up as an installed distribution, not
as a module: ``tests/mcp`` would pass for the ``mcp`` package.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import sys
from functools import cache
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

VARIABLES = {
    "local": "CREWKIT_REQUIRE_LOCAL",
    "ray": "CREWKIT_REQUIRE_RAY",
    "browser": "CREWKIT_REQUIRE_BROWSER",
}
"""The variable that turns a missing piece into a failure; every other extra answers to
``CREWKIT_REQUIRE_EXTRAS``."""

TESTED = ("ray", "web", "pdf", "mcp", "ui", "otel", "prices", "charts")
"""The extras the suite has tests for (CI installs them), but for ``local``: its tests take either
engine and the model package (tests/llm/local_support.py)."""


def required_by(what: str) -> str:
    """The ``CREWKIT_REQUIRE_*`` variable that makes ``what`` (an extra, or "browser") required."""
    return VARIABLES.get(what, "CREWKIT_REQUIRE_EXTRAS")


def skip_or_fail(what: str, reason: str) -> None:
    """Skip with ``reason``, or fail when ``what`` is required here; from a test, a fixture or the
    top of a module."""
    variable = required_by(what)
    if os.environ.get(variable) == "1":
        pytest.fail(f"{variable}=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


@cache
def _packages(extra: str) -> tuple[str, ...]:
    if sys.version_info >= (3, 11):
        import tomllib

        table = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
        requirements = table["project"]["optional-dependencies"][extra]
    else:  # no tomllib: the extras as the last install saw them
        marker = re.compile(rf"extra == ['\"]{extra}['\"]")
        requirements = [r for r in importlib.metadata.requires("crewkit") or [] if marker.search(r)]
    names = (re.match(r"[A-Za-z0-9._-]+", r) for r in requirements)
    return tuple(n.group() for n in names if n)


def missing_from(extra: str) -> list[str]:
    """The packages ``crewkit[extra]`` names that are not installed."""
    gone = []
    for package in _packages(extra):
        try:
            importlib.metadata.distribution(package)
        except importlib.metadata.PackageNotFoundError:
            gone.append(package)
    return gone


def require_extra(extra: str) -> None:
    """Skip (fail when required) unless every package of ``crewkit[extra]`` is installed; the
    ``extra`` marker (``@pytest.mark.extra("pdf")``) calls this before the test's fixtures."""
    gone = missing_from(extra)
    if gone:
        skip_or_fail(
            extra, f"needs the {extra} extra ({', '.join(gone)}): pip install -e '.[{extra}]'"
        )
