"""The risk manager's structured report, the guardrail that makes its numbers the computed ones, and
the callback that writes the markdown report and chart."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field

sys.path.insert(0, str(Path(__file__).resolve().parent))

import risk
from stock_tools import price_history

from crewkit import TaskOutput

FIGURES = (
    "position_shares", "position_value", "stop_loss", "value_at_risk",
    "expected_shortfall", "max_drawdown", "annual_volatility",
)  # fmt: skip


_READ_ONLY = {"readOnly": True}
"""JSON Schema's mark for a value the application owns: crewkit leaves it out of what it asks."""


def _filled(description: str, default: Any = None, *, factory: Any = None) -> Any:
    """A field the guardrail fills from the tools and the rules: read-only, so the model is never
    asked for it."""
    if factory is not None:
        return Field(default_factory=factory, description=description, json_schema_extra=_READ_ONLY)
    return Field(default, description=description, json_schema_extra=_READ_ONLY)


class RiskReport(BaseModel):
    """What the risk manager hands over: figures from the tools, judgement from the model. The
    model writes the three prose fields; the guardrail fills every read-only one."""

    # The descriptions' {placeholders} are filled from the run's inputs (check_inputs adds the
    # decision and the stop-loss), so the model is told this run's figures, not a kind of figure.
    strategy: str = Field(
        min_length=40,
        max_length=300,
        description='one or two sentences that say "{decision}" and name the {risk_tolerance} '
        "risk tolerance and the stop-loss at {stop_loss}",
    )
    key_risks: list[Annotated[str, Field(min_length=30, max_length=120)]] = Field(
        min_length=2, max_length=3, description="two or three risks of this {stock_selection} "
        "position, one short sentence each: its annual volatility of {annual_volatility}, a fall "
        "through the stop-loss at {stop_loss}, bad news about {stock_selection}",
    )  # fmt: skip
    rationale: str = Field(
        min_length=30,
        max_length=300,
        description="why this position size and the stop-loss at {stop_loss} suit a "
        "{risk_tolerance} risk tolerance, in one or two sentences",
    )
    ticker: str = _filled("The stock symbol assessed", "")
    risk_tolerance: str = _filled("Low, Medium, High or Ultra High", "")
    position_shares: int | None = _filled("Shares to buy")
    position_value: float | None = _filled("Value of the position")
    stop_loss: float | None = _filled("Stop-loss price")
    value_at_risk: float | None = _filled("Historical VaR per period, as a fraction")
    expected_shortfall: float | None = _filled("Expected shortfall per period, as a fraction")
    max_drawdown: float | None = _filled("Largest peak-to-trough fall, as a fraction")
    annual_volatility: float | None = _filled("Annualised volatility, as a fraction")
    data: str = _filled("Which data and dates the figures come from", "")
    corrected: list[str] = _filled("Figures the model got wrong", factory=list)
    decision: str = _filled("Set from the figures by the rules", "")
    flags: list[str] = _filled("What the model's text still gets wrong", factory=list)

    def to_markdown(self) -> str:
        """The report as ``crewkit kickoff`` shows it (and ``write_report`` saves it)."""
        return render_markdown(self)


def use_computed_figures(output: TaskOutput) -> tuple[bool, Any]:
    """Guardrail: replace every figure in the report with the one the tools compute for the run's
    inputs, and record which ones the model stated wrong (a model that honours read-only fields
    states none). Judgement (strategy, risks, rationale) stays the model's."""
    report = output.pydantic
    if report is None:
        return False, "Give the report as JSON matching the schema."
    inputs = output.inputs
    ticker = str(inputs.get("stock_selection", report.ticker))
    try:
        figures = risk.assess(
            price_history(ticker, str(inputs.get("price_data", ""))),
            float(inputs.get("initial_capital", 0) or 0),
            str(inputs.get("risk_tolerance", report.risk_tolerance)),
        )
    except (risk.NoData, OSError) as exc:
        fixed = report.model_copy(update={name: None for name in FIGURES})
        fixed.ticker, fixed.data = ticker.upper(), f"{exc}; no figures were invented"
        fixed.decision = "no decision: there are no prices to decide from"
        return True, fixed
    wrong = [
        name for name in FIGURES
        if getattr(report, name) is not None and abs(float(getattr(report, name)) - float(figures[name])) > 0.01 * abs(float(figures[name]) or 1)
    ]  # fmt: skip
    decision = risk.decide(figures).text
    problems = prose_problems(report, figures)
    if problems and output.rejections == 0:  # ask once, saying exactly what the text must hold
        return False, (
            "Write the strategy again in one or two sentences: say "
            f"'{decision}', name the {figures['risk_tolerance']} risk tolerance and give the "
            f"stop-loss at {figures['stop_loss']:.2f}."
        )
    update = {name: figures[name] for name in FIGURES}
    update |= {
        "decision": decision,
        "flags": problems,
        "ticker": figures["ticker"],
        "risk_tolerance": figures["risk_tolerance"],
        "data": f"{figures['data_source']}, {figures['start']} to {figures['end']} ({figures['observations']} prices)",
        "corrected": wrong,
    }
    return True, report.model_copy(update=update)


def prose_problems(report: RiskReport, figures: dict[str, Any]) -> list[str]:
    """What the model's strategy leaves out or gets wrong, against the computed figures."""
    problems = []
    strategy = report.strategy
    if not re.search(rf"\b{re.escape(figures['ticker'])}\b", strategy, re.IGNORECASE):
        problems.append(f"The strategy does not name {figures['ticker']}.")
    if figures["risk_tolerance"].lower() not in strategy.lower():
        problems.append(f"The strategy does not name the {figures['risk_tolerance']} tolerance.")
    if f"{figures['stop_loss']:.2f}" not in strategy.replace(",", ""):
        problems.append(f"The strategy does not give the stop-loss at {figures['stop_loss']:.2f}.")
    text = " ".join([strategy, report.rationale, *report.key_risks])
    for match in re.finditer(r"(\d[\d,]*)\s+shares", text, re.IGNORECASE):
        if int(match.group(1).replace(",", "")) != figures["position_shares"]:
            problems.append(
                f"It says {match.group(0)}; the position is {figures['position_shares']} shares."
            )
    return problems


def write_report(output: TaskOutput, folder: str = "reports") -> Path:
    """Task callback: write the report as markdown (and a PNG chart when matplotlib is installed)."""
    report = RiskReport.model_validate(output.json_dict)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{report.ticker}-{report.risk_tolerance.replace(' ', '')}"
    chart = _chart(report, output.inputs, out / f"{stem}.png")
    path = out / f"{stem}.md"
    path.write_text(render_markdown(report, chart.name if chart else None), encoding="utf-8")
    return path


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def render_markdown(report: RiskReport, chart: str | None = None) -> str:
    """The report as markdown: the decision and figures computed by the tools and the rules, then
    the model's prose, labelled as such."""
    shares = report.position_shares if report.position_shares is not None else "n/a"
    lines = [
        f"# Risk report: {report.ticker} ({report.risk_tolerance} tolerance)",
        "",
        f"**Decision: {report.decision or 'n/a'}.**",
        "",
        "_The decision and every figure are computed from the prices by the rules in "
        "examples/stock_risk/README.md; the sections after the table are written by the model._",
        "",
        f"Data: {report.data or 'n/a'}",
        "",
        "| Figure | Value |",
        "| --- | --- |",
        f"| Position | {shares} shares ({_money(report.position_value)}) |",
        f"| Stop-loss | {_money(report.stop_loss)} |",
        f"| Value-at-Risk (per period) | {_pct(report.value_at_risk)} |",
        f"| Expected shortfall (per period) | {_pct(report.expected_shortfall)} |",
        f"| Maximum drawdown | {_pct(report.max_drawdown)} |",
        f"| Annual volatility | {_pct(report.annual_volatility)} |",
        "",
        "## Strategy (written by the model)",
        report.strategy,
        "",
        "## Key risks (written by the model)",
        *[f"- {item}" for item in report.key_risks],
        "",
        "## Rationale (written by the model)",
        report.rationale,
    ]
    if report.flags:
        lines += ["", f"_Still wrong in the model's text: {' '.join(report.flags)}_"]
    if report.corrected:
        lines += [
            "",
            f"_Figures recomputed by the tools (the model's differed): {', '.join(report.corrected)}._",
        ]
    if chart:
        lines += ["", f"![Price history, drawdown and stop-loss]({chart})"]
    return "\n".join(lines) + "\n"


def _chart(report: RiskReport, inputs: dict[str, Any], path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    try:
        history = price_history(report.ticker, str(inputs.get("price_data", "")))
    except (risk.NoData, OSError):
        return None
    _, peak, trough = risk.max_drawdown(history.prices)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(history.dates, history.prices, color="#1f4e79", label=f"{history.ticker} price")
    ax.axvspan(history.dates[peak], history.dates[trough], color="#c00000", alpha=0.12,
               label=f"max drawdown {_pct(report.max_drawdown)}")  # fmt: skip
    if report.stop_loss is not None:
        ax.axhline(
            report.stop_loss,
            color="#c00000",
            linestyle="--",
            label=f"stop-loss {report.stop_loss:,.2f}",
        )
    ax.set_title(f"{history.ticker}: {history.source}, {history.dates[0]} to {history.dates[-1]}")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
