"""The example's risk formulas on numbers small enough to check by hand."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples" / "stock_risk"))
import risk

PRICES = [100.0, 110.0, 99.0, 120.0, 60.0, 90.0]


def test_returns_and_drawdown() -> None:
    assert risk.returns([100, 110, 99]) == pytest.approx([0.1, -0.1])
    assert risk.max_drawdown(PRICES) == (pytest.approx(0.5), 3, 4)


def test_var_and_expected_shortfall_are_empirical_tail_losses() -> None:
    rets = [0.1, -0.1, 0.2, -0.5, 0.5, 0.0, 0.05, -0.2, 0.3, 0.02]
    assert risk.historical_var(rets, 0.9) == pytest.approx(0.5)  # worst 1 of 10
    assert risk.historical_var(rets, 0.8) == pytest.approx(0.2)  # 2nd worst
    assert risk.expected_shortfall(rets, 0.8) == pytest.approx(0.35)  # mean of worst 2


def test_periods_per_year_follows_the_spacing_of_dates() -> None:
    monthly = [date(2020, m, 1) for m in range(1, 7)]
    daily = [date(2020, 1, d) for d in range(1, 7)]
    assert (risk.periods_per_year(monthly), risk.periods_per_year(daily)) == (12, 252)


def test_position_respects_risk_budget_and_cap() -> None:
    history = risk.PriceHistory(
        "X", tuple(date(2020, m, 1) for m in range(1, 7)), tuple(PRICES), "t"
    )
    low = risk.assess(history, 10_000, "low")
    high = risk.assess(history, 10_000, "Ultra-High")
    for figures, budget in ((low, 0.01), (high, 0.05)):
        assert figures["capital_at_risk"] <= 10_000 * budget + 1e-6
    assert low["position_shares"] < high["position_shares"]
    assert low["stop_loss"] > high["stop_loss"]


def test_unknown_tolerance_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="use one of: Low, Medium, High, Ultra High"):
        risk.tolerance("reckless")
