"""Risk figures from a price history. Pure functions, standard library only; the formulas are
documented in this folder's README."""

from __future__ import annotations

import csv
import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

SHIPPED_CSV = Path(__file__).resolve().parent / "data" / "stocks.csv"


@dataclass(frozen=True)
class Tolerance:
    """What a risk tolerance means in numbers."""

    name: str
    confidence: float
    """Confidence of the reported VaR and expected shortfall."""
    risk_per_trade: float
    """Share of capital that may be lost if the stop-loss is hit."""
    stop_multiple: float
    """Stop distance as a multiple of the one-period 95% VaR."""
    max_position: float
    """Largest share of capital in this one position."""
    max_volatility: float
    """Highest annual volatility at which the rules still buy."""


TOLERANCES = {
    t.name.lower(): t
    for t in (
        Tolerance("Low", 0.99, 0.01, 1.0, 0.10, 0.30),
        Tolerance("Medium", 0.975, 0.02, 1.25, 0.20, 0.40),
        Tolerance("High", 0.95, 0.03, 1.5, 0.35, 0.60),
        Tolerance("Ultra High", 0.90, 0.05, 2.0, 0.50, 0.80),
    )
}


class NoData(LookupError):
    """The source has no prices for the ticker."""


@dataclass(frozen=True)
class PriceHistory:
    """Prices of one ticker, oldest first, and where they came from."""

    ticker: str
    dates: tuple[date, ...]
    prices: tuple[float, ...]
    source: str


def tolerance(name: str) -> Tolerance:
    """Look up a tolerance by name, ignoring case, spaces and hyphens."""
    key = " ".join(name.replace("-", " ").replace("_", " ").split()).lower()
    if key not in TOLERANCES:
        valid = ", ".join(t.name for t in TOLERANCES.values())
        raise ValueError(f"unknown risk tolerance {name!r}; use one of: {valid}")
    return TOLERANCES[key]


def load_csv(ticker: str, path: Path | str | None = None) -> PriceHistory:
    """Prices of ``ticker`` from a CSV with columns symbol, date, price (the shipped file by default)."""
    source = Path(path) if path else SHIPPED_CSV
    symbol = ticker.strip().upper()
    rows: list[tuple[date, float]] = []
    with source.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("symbol", "").strip().upper() == symbol:
                rows.append((_parse_date(row["date"]), float(row["price"])))
    if len(rows) < 3:
        raise NoData(f"no data for {symbol} in {source.name}")
    rows.sort()
    return PriceHistory(symbol, tuple(d for d, _ in rows), tuple(p for _, p in rows), source.name)


def _parse_date(text: str) -> date:
    for fmt in ("%b %d %Y", "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unrecognised date {text!r}")


def returns(prices: Sequence[float]) -> list[float]:
    """Simple returns between consecutive prices."""
    return [b / a - 1 for a, b in itertools.pairwise(prices)]


def periods_per_year(dates: Sequence[date]) -> int:
    """12 for monthly data, 52 for weekly, 252 for daily (from the median gap between dates)."""
    gaps = [(b - a).days for a, b in itertools.pairwise(dates)]
    gap = statistics.median(gaps)
    return 12 if gap >= 25 else 52 if gap >= 5 else 252


def max_drawdown(prices: Sequence[float]) -> tuple[float, int, int]:
    """Largest fall from a running peak, as a fraction, with the peak's and trough's indexes."""
    peak_i, worst, worst_peak, worst_trough = 0, 0.0, 0, 0
    for i, price in enumerate(prices):
        if price > prices[peak_i]:
            peak_i = i
        fall = 1 - price / prices[peak_i]
        if fall > worst:
            worst, worst_peak, worst_trough = fall, peak_i, i
    return worst, worst_peak, worst_trough


def historical_var(rets: Sequence[float], confidence: float) -> float:
    """Loss not exceeded with ``confidence``: minus the (1 - confidence) empirical quantile."""
    ordered = sorted(rets)
    index = max(0, math.ceil((1 - confidence) * len(ordered)) - 1)
    return -ordered[index]


def expected_shortfall(rets: Sequence[float], confidence: float) -> float:
    """Average loss in the worst (1 - confidence) share of periods."""
    ordered = sorted(rets)
    count = max(1, math.ceil((1 - confidence) * len(ordered)))
    return -statistics.fmean(ordered[:count])


def assess(history: PriceHistory, capital: float, tolerance_name: str) -> dict[str, Any]:
    """Every figure the crew reports, computed from ``history`` for ``capital`` and a tolerance."""
    if capital <= 0:
        raise ValueError(f"initial capital must be positive, got {capital}")
    tol = tolerance(tolerance_name)
    rets = returns(history.prices)
    per_year = periods_per_year(history.dates)
    last = history.prices[-1]
    drawdown, peak_i, trough_i = max_drawdown(history.prices)
    stop_distance = min(0.9, tol.stop_multiple * historical_var(rets, 0.95))
    position_value = min(capital * tol.risk_per_trade / stop_distance, capital * tol.max_position)
    shares = math.floor(position_value / last)
    figures = {
        "ticker": history.ticker,
        "data_source": history.source,
        "start": history.dates[0].isoformat(),
        "end": history.dates[-1].isoformat(),
        "observations": len(history.prices),
        "last_price": round(last, 2),
        "risk_tolerance": tol.name,
        "confidence": tol.confidence,
        "annual_volatility": round(statistics.stdev(rets) * math.sqrt(per_year), 4),
        "max_drawdown": round(drawdown, 4),
        "drawdown_peak": history.dates[peak_i].isoformat(),
        "drawdown_trough": history.dates[trough_i].isoformat(),
        "value_at_risk": round(historical_var(rets, tol.confidence), 4),
        "expected_shortfall": round(expected_shortfall(rets, tol.confidence), 4),
        "stop_distance": round(stop_distance, 4),
        "stop_loss": round(last * (1 - stop_distance), 2),
        "position_shares": shares,
        "position_value": round(shares * last, 2),
        "capital_at_risk": round(shares * last * stop_distance, 2),
        "capital": capital,
    }
    return figures


@dataclass(frozen=True)
class Decision:
    """What the rules in this folder's README conclude from the figures."""

    buy: bool
    """Whether to open the position."""
    text: str
    """The decision in one sentence: "buy N shares ... with a stop-loss at X, at T risk tolerance"
    or "do not buy: ..."."""


def decide(figures: dict[str, Any]) -> Decision:
    """Buy or not, from :func:`assess`'s figures: too volatile for the tolerance, or not even one
    share within the position limit, means do not buy; otherwise buy the computed shares with the
    computed stop-loss."""
    tol = tolerance(figures["risk_tolerance"])
    ticker, volatility = figures["ticker"], figures["annual_volatility"]
    # Each sentence names the ticker, the tolerance and the stop-loss: it is what the report's
    # reader needs, and what a small model writing the strategy can take from it.
    stop = f"{figures['stop_loss']:,.2f}"
    if volatility > tol.max_volatility:
        return Decision(
            False,
            f"do not buy {ticker}: its annual volatility of {volatility:.0%} is above the "
            f"{tol.max_volatility:.0%} a {tol.name} risk tolerance accepts (a stop-loss would "
            f"sit at {stop})",
        )
    if figures["position_shares"] < 1:
        return Decision(
            False,
            f"do not buy {ticker}: one share at {figures['last_price']:,.2f} is more than the "
            f"position a {tol.name} risk tolerance allows (a stop-loss would sit at {stop})",
        )
    return Decision(
        True,
        f"buy {figures['position_shares']} shares of {ticker} (about "
        f"{figures['position_value']:,.0f}) with a stop-loss at {stop}, at {tol.name} risk "
        "tolerance",
    )


def as_dict(history: PriceHistory) -> dict[str, Any]:
    """The history as plain data."""
    return asdict(history)
