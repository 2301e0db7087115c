"""What the UI tests need, and how they bow out when it is missing.

The ``ui`` extra and, for page tests, Debian's ``chromium`` and ``chromium-driver`` with selenium:
missing pieces skip the tests with the reason, unless CI requires them (see tests/extras.py).
"""

from __future__ import annotations

import importlib.util
import shutil

from tests.extras import require_extra, skip_or_fail

CHROMIUM = ("chromium", "/usr/bin/chromium")
CHROMEDRIVER = ("chromedriver", "/usr/bin/chromedriver")


def _find(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_paths() -> tuple[str, str]:
    """Chromium and its driver, or a skip (a failure in CI) saying how to get them."""
    require_extra("ui")
    if importlib.util.find_spec("selenium") is None:
        skip_or_fail("browser", "needs selenium: pip install -e '.[dev]'")
    chromium, driver = _find(CHROMIUM), _find(CHROMEDRIVER)
    if chromium is None or driver is None:
        skip_or_fail(
            "browser", "needs Chromium and its driver: apt-get install chromium chromium-driver"
        )
    assert chromium is not None and driver is not None
    return chromium, driver
