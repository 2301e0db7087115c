"""What the UI tests need, and how they bow out when it is missing.

The ``ui`` extra (starlette, uvicorn) and, for page tests, Debian's ``chromium`` and
``chromium-driver`` with selenium: missing pieces skip the tests with the reason, unless
``CREWKIT_REQUIRE_BROWSER=1`` (set by CI after installing them), which turns the skip into a failure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

CHROMIUM = ("chromium", "/usr/bin/chromium")
CHROMEDRIVER = ("chromedriver", "/usr/bin/chromedriver")


def _missing_or_fail(reason: str) -> None:
    if os.environ.get("CREWKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CREWKIT_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason, allow_module_level=True)


def require_ui() -> None:
    """Skip (or fail in CI) without the ui extra."""
    gone = [
        m for m in ("starlette", "uvicorn", "markdown_it") if importlib.util.find_spec(m) is None
    ]
    if gone:
        _missing_or_fail(f"needs {', '.join(gone)}: pip install 'crewkit[ui]'")


def _find(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_paths() -> tuple[str, str]:
    """Chromium and its driver, or a skip (a failure in CI) saying how to get them."""
    require_ui()
    if importlib.util.find_spec("selenium") is None:
        _missing_or_fail("needs selenium: pip install -e '.[dev]'")
    chromium, driver = _find(CHROMIUM), _find(CHROMEDRIVER)
    if chromium is None or driver is None:
        _missing_or_fail("needs Chromium and its driver: apt-get install chromium chromium-driver")
    assert chromium is not None and driver is not None
    return chromium, driver
