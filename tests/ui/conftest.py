"""A headless Chromium for the page tests, and a journal filled with real runs on test models.

Chromium is the distribution's (``apt-get install chromium chromium-driver``), driven by selenium
through the matching chromedriver given by path, so nothing is downloaded. It starts once per
session with a fresh profile and every background service off."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.support import browser_paths

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--window-size=1280,1000",
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (a selenium WebDriver); pages share it, one test at a time."""
    chromium, driver_path = browser_paths()
    os.environ.setdefault(
        "SE_AVOID_STATS", "true"
    )  # selenium manager is never used; belt and braces
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="crewkit-ui-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """The browser, with its console checked after the test: no script errors, no CSP refusals."""
    browser.get_log("browser")  # drop what earlier tests left
    yield browser
    problems = [
        entry["message"]
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon" not in entry["message"]
    ]
    assert problems == [], problems


def screenshot(browser: Any, name: str) -> None:
    """Save a screenshot when CREWKIT_UI_SCREENSHOTS names a folder (for the closing note)."""
    folder = os.environ.get("CREWKIT_UI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(folder) / f"{name}.png"))
