"""Each test sees every CompatibilityWarning afresh (they are shown once per process otherwise)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import crewkit._compat as compat


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    compat._warned.clear()
    yield
    compat._warned.clear()
