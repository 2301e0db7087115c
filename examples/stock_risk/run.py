"""The stock-risk crew, built with the Python API (the same crew as crew.yaml).

    python examples/stock_risk/run.py --ticker AAPL --risk-tolerance High          # embedded model
    python examples/stock_risk/run.py --model mock                                 # deterministic
    python examples/stock_risk/run.py --model ollama/qwen2.5:7b --capital 50000

Four agents — data analyst, trading strategy developer, execution planner, risk manager — work under
a manager. Every figure (volatility, drawdown, VaR, expected shortfall, stop-loss, position size) is
computed by the tools from real prices; the model supplies the judgement.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import RiskReport, use_computed_figures, write_report
from stock_tools import check_inputs, market_data, news_search, risk_metrics

from crewkit import Agent, Crew, Process, Task
from crewkit.llm import LLM

DEFAULT_INPUTS: dict[str, Any] = {
    "input": "Assess a position in the selected stock.",
    "stock_selection": "AAPL",
    "initial_capital": 100000,
    "risk_tolerance": "Medium",
    "trading_strategy_preference": "Swing trading",
    "news_impact_consideration": True,
    "price_data": "",
    "decision": "",  # filled in by check_inputs, from the computed figures
    "stop_loss": "",
    "annual_volatility": "",
}


def build_crew(model: LLM | str | None = None) -> Crew:
    """The crew; ``model`` serves every agent and the manager (``None``: ``CREWKIT_MODEL`` or the default)."""
    prices = market_data.bind(ticker="{stock_selection}", csv_path="{price_data}")
    figures = risk_metrics.bind(
        ticker="{stock_selection}",
        capital="{initial_capital}",
        risk_tolerance="{risk_tolerance}",
        csv_path="{price_data}",
    )
    analyst = Agent(
        role="Data Analyst",
        goal="Find what the price history and the news say about {stock_selection}",
        backstory="You read markets through numbers: returns, volatility, drawdowns. You quote figures "
        "exactly as the tools give them and name the data they come from.",
        tools=[prices, news_search],
        allow_delegation=True,
    )
    strategist = Agent(
        role="Trading Strategy Developer",
        goal="Propose a {trading_strategy_preference} strategy for {stock_selection} that fits a "
        "{risk_tolerance} risk tolerance",
        backstory="You turn an analyst's findings into entry, exit and sizing rules a trader can follow.",
        tools=[prices],
        allow_delegation=True,
    )
    planner = Agent(
        role="Trade Execution Planner",
        goal="Plan how and when to execute the {stock_selection} strategy at good prices",
        backstory="You think about order types, timing and liquidity so the plan survives contact with "
        "the market.",
        tools=[prices],
        allow_delegation=True,
    )
    risk_manager = Agent(
        role="Risk Manager",
        goal="Size the {stock_selection} position and set its stop-loss for {initial_capital} of "
        "capital at {risk_tolerance} risk tolerance",
        backstory="You protect capital first. You use the risk_metrics figures as computed and explain "
        "what they mean for this investor.",
        tools=[figures],
        allow_delegation=True,
    )
    tasks = [
        Task(
            "{input}\nStudy {stock_selection}: its price history (say which data and dates) and, "
            "if news_impact_consideration is {news_impact_consideration}, recent news.",
            "The main trends, volatility and drawdowns of {stock_selection}, with figures and their "
            "source, and any news that matters.",
            agent=analyst,
            name="market_analysis",
        ),
        Task(
            "Using the analysis, develop a {trading_strategy_preference} strategy for "
            "{stock_selection} suited to a {risk_tolerance} risk tolerance.",
            "Entry and exit rules, holding period and the signals to watch.",
            agent=strategist,
            name="strategy",
        ),
        Task(
            "Plan the execution of the strategy for {stock_selection}: order types, timing and "
            "how to scale in and out.",
            "A short, concrete execution plan.",
            agent=planner,
            name="execution_plan",
        ),
        Task(
            "Assess the risk of the strategy and plan for {stock_selection} with {initial_capital} "
            "of capital at {risk_tolerance} risk tolerance: position size, stop-loss, Value-at-Risk, "
            "expected shortfall, drawdown, and the key risks with how to limit them. At "
            "{risk_tolerance} risk tolerance the computed figures decide: {decision}.",
            "A risk report: the computed figures; a strategy of one or two sentences that names "
            "{stock_selection}, the {risk_tolerance} risk tolerance and the stop-loss at "
            "{stop_loss} and follows the decision; two or three key risks; the rationale in one or "
            "two sentences.",
            agent=risk_manager,
            name="risk_report",
            output_pydantic=RiskReport,
            guardrail=use_computed_figures,
            callback=write_report,
        ),
    ]
    manager = Agent(
        role="Portfolio Manager",
        goal="Deliver a sound, risk-checked trading plan for {stock_selection}",
        backstory="You run a small trading desk. You give each specialist clear work, check what "
        "comes back against what was asked, and send it back when it falls short.",
    )
    return Crew(
        agents=[analyst, strategist, planner, risk_manager],
        tasks=tasks,
        process=Process.hierarchical,
        manager_agent=manager,
        llm=model,
        name="stock-risk",
        before_kickoff_callbacks=[check_inputs],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model string, e.g. mock, local, openai/gpt-4o-mini")
    parser.add_argument("--ticker", default=DEFAULT_INPUTS["stock_selection"])
    parser.add_argument("--capital", type=float, default=DEFAULT_INPUTS["initial_capital"])
    parser.add_argument("--risk-tolerance", default=DEFAULT_INPUTS["risk_tolerance"])
    parser.add_argument("--strategy", default=DEFAULT_INPUTS["trading_strategy_preference"])
    parser.add_argument("--prices", default="", help="CSV with columns symbol,date,price")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    inputs = {
        **DEFAULT_INPUTS,
        "stock_selection": args.ticker,
        "initial_capital": args.capital,
        "risk_tolerance": args.risk_tolerance,
        "trading_strategy_preference": args.strategy,
        "price_data": args.prices,
    }
    crew = build_crew(args.model)
    crew.verbose = args.verbose
    output = crew.kickoff(inputs=inputs)
    report = RiskReport.model_validate(output.json_dict)
    print(report.model_dump_json(indent=2))
    usage = output.token_usage
    print(f"\n{usage.total_tokens} tokens in {usage.requests} model calls", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
