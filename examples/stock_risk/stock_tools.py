"""The stock-risk crew's tools: market data and risk figures computed from real prices, and news.

Numbers come from here, never from the model: a tiny local model reasons over real figures.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import risk

from crewkit import tool
from crewkit.tools import WebSearch

news_search = WebSearch(kind="news", max_results=5, timeout=8.0)
"""Recent news about a company (``crewkit[search]``); offline it says so and the crew goes on."""


def price_history(ticker: str, csv_path: str = "") -> risk.PriceHistory:
    """Prices from the user's CSV if given, else from yfinance when installed and online, else from
    the bundled 2000–2010 monthly data."""
    if csv_path.strip():
        return risk.load_csv(ticker, csv_path.strip())
    online = _from_yfinance(ticker)
    return online if online is not None else risk.load_csv(ticker)


def _from_yfinance(ticker: str) -> risk.PriceHistory | None:
    try:
        import yfinance  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        frame = yfinance.Ticker(ticker).history(period="10y", interval="1mo", timeout=8)
        closes = frame["Close"].dropna()
    except Exception:
        return None
    if len(closes) < 3:
        return None
    dates = tuple(ts.date() for ts in closes.index)
    return risk.PriceHistory(
        ticker.upper(), dates, tuple(float(p) for p in closes), "Yahoo Finance (yfinance)"
    )


def _no_data(ticker: str, error: Exception) -> str:
    tickers = sorted({line.split(",")[0] for line in risk.SHIPPED_CSV.read_text().splitlines()[1:]})
    return f"{error}. Tickers in the bundled data: {', '.join(tickers)}. Do not invent figures for {ticker.upper()}."


def check_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """Before any model call (the crew's ``before_kickoff_callbacks``): reject an unknown risk
    tolerance, a capital that is not a positive number and a ticker with no price data, and add
    the computed figures and the rules' decision to the inputs, so the prompts can state them."""
    tolerance = risk.tolerance(str(inputs.get("risk_tolerance", ""))).name
    try:
        capital = float(str(inputs.get("initial_capital", "")).replace(",", "").replace("_", ""))
    except ValueError:
        raise ValueError(
            f"initial_capital must be a number, got {inputs.get('initial_capital')!r}"
        ) from None
    if not capital > 0:
        raise ValueError(f"initial_capital must be positive, got {inputs.get('initial_capital')!r}")
    ticker = str(inputs.get("stock_selection", "")).strip().upper()
    try:
        history = price_history(ticker, str(inputs.get("price_data", "")))
    except (risk.NoData, OSError) as exc:
        raise ValueError(_no_data(ticker, exc).split(". Do not")[0]) from None
    figures = risk.assess(history, capital, tolerance)
    return {
        **inputs,
        "stock_selection": ticker,
        "risk_tolerance": tolerance,
        "initial_capital": int(capital) if capital.is_integer() else capital,
        "stop_loss": f"{figures['stop_loss']:.2f}",
        "annual_volatility": f"{figures['annual_volatility']:.0%}",
        "position_shares": figures["position_shares"],
        "decision": risk.decide(figures).text,
    }


@tool
def market_data(ticker: str, csv_path: str = "") -> dict[str, Any] | str:
    """Price history of a stock: data source and dates used, first and last price, total return,
    annualised volatility and the six most recent prices.

    Args:
        ticker: Stock symbol, e.g. AAPL.
        csv_path: Optional CSV with columns symbol,date,price; bundled monthly data when empty.
    """
    try:
        history = price_history(ticker, csv_path)
    except (risk.NoData, OSError) as exc:
        return _no_data(ticker, exc)
    figures = risk.assess(history, 1.0, "Medium")
    return {
        "ticker": history.ticker,
        "source": history.source,
        "start": figures["start"],
        "end": figures["end"],
        "observations": figures["observations"],
        "first_price": history.prices[0],
        "last_price": figures["last_price"],
        "total_return": round(history.prices[-1] / history.prices[0] - 1, 4),
        "annual_volatility": figures["annual_volatility"],
        "recent_prices": {
            d.isoformat(): p for d, p in zip(history.dates[-6:], history.prices[-6:], strict=True)
        },
    }


@tool
def risk_metrics(
    ticker: str, capital: float, risk_tolerance: str, csv_path: str = ""
) -> dict[str, Any] | str:
    """Risk figures for a position: volatility, maximum drawdown, historical Value-at-Risk and
    expected shortfall at the tolerance's confidence, stop-loss price and position size.

    Args:
        ticker: Stock symbol, e.g. AAPL.
        capital: Capital available for the position.
        risk_tolerance: Low, Medium, High or Ultra High.
        csv_path: Optional CSV with columns symbol,date,price; bundled monthly data when empty.
    """
    try:
        history = price_history(ticker, csv_path)
        figures = risk.assess(history, capital, risk_tolerance)
        return {**figures, "decision": risk.decide(figures).text}
    except (risk.NoData, OSError) as exc:
        return _no_data(ticker, exc)
    except ValueError as exc:
        return f"Cannot compute risk figures: {exc}"
