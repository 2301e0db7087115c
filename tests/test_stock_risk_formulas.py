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


README = Path(__file__).resolve().parent.parent / "examples" / "stock_risk" / "README.md"


def test_the_readme_tolerance_table_is_the_one_the_code_uses() -> None:
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in README.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ")
        and line.split("|")[1].strip() in ("Low", "Medium", "High", "Ultra High")
    ]
    assert len(rows) == 4
    for name, confidence, budget, multiple, cap, ceiling in rows:
        t = risk.tolerance(name)
        assert float(confidence.rstrip("%")) / 100 == pytest.approx(t.confidence)
        assert float(budget.rstrip("%")) / 100 == pytest.approx(t.risk_per_trade)
        assert float(multiple) == pytest.approx(t.stop_multiple)
        assert float(cap.rstrip("%")) / 100 == pytest.approx(t.max_position)
        assert float(ceiling.rstrip("%")) / 100 == pytest.approx(t.max_volatility)


def _figures(volatility: float, shares: int, tolerance: str = "Medium") -> dict[str, object]:
    return {
        "ticker": "X", "risk_tolerance": tolerance, "annual_volatility": volatility,
        "position_shares": shares, "position_value": shares * 50.0, "last_price": 50.0,
        "stop_loss": 40.0,
    }  # fmt: skip


def test_the_decision_buys_the_computed_position_within_the_volatility_ceiling() -> None:
    decision = risk.decide(_figures(0.39, 12))
    assert decision.buy
    assert (
        decision.text
        == "buy 12 shares of X (about 600) with a stop-loss at 40.00, at Medium risk tolerance"
    )


def test_the_decision_refuses_a_stock_too_volatile_for_the_tolerance() -> None:
    decision = risk.decide(_figures(0.41, 12))
    assert not decision.buy
    assert "41%" in decision.text and "40% a Medium risk tolerance" in decision.text
    assert risk.decide(_figures(0.41, 12, "High")).buy


def test_the_decision_refuses_a_position_of_no_shares() -> None:
    decision = risk.decide(_figures(0.10, 0))
    assert not decision.buy
    assert "one share at 50.00" in decision.text
