"""The stock-risk example on the mock model: figures follow the risk tolerance and come from tools."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "stock_risk"


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    sys.path.insert(0, str(EXAMPLE))
    try:
        yield runpy.run_path(str(EXAMPLE / "run.py"))
    finally:
        sys.path.remove(str(EXAMPLE))


def kickoff(example: dict[str, Any], **inputs: Any) -> Any:
    crew = example["build_crew"]("mock")
    return crew.kickoff(inputs={**example["DEFAULT_INPUTS"], **inputs})


def test_low_and_ultra_high_tolerance_give_different_computed_positions_and_stops(
    example: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    low = kickoff(example, risk_tolerance="Low").pydantic
    high = kickoff(example, risk_tolerance="Ultra High").pydantic
    assert (low.position_shares, low.stop_loss) == (20, 174.7)
    assert (high.position_shares, high.stop_loss) == (51, 126.39)
    assert low.value_at_risk > high.value_at_risk  # 99% vs 90% confidence
    assert low.data == high.data == "stocks.csv, 2000-01-01 to 2010-03-01 (123 prices)"
    report = (tmp_path / "reports" / "AAPL-Low.md").read_text()
    assert "| Position | 20 shares (4,460.40) |" in report
    assert "| Stop-loss | 174.70 |" in report


def test_every_worker_is_used_and_the_tools_figures_reach_the_manager(
    example: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = kickoff(example, stock_selection="IBM", risk_tolerance="High")
    assert set(out.usage_by_agent) >= {
        "Data Analyst", "Trading Strategy Developer", "Trade Execution Planner", "Risk Manager",
    }  # fmt: skip
    analysis = out.tasks_output[0].raw
    assert "market_data returned" in analysis or "125.55" in analysis


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"stock_selection": "NVDA"},
            "no data for NVDA in stocks.csv. Tickers in the bundled data: AAPL",
        ),
        (
            {"risk_tolerance": "extreme"},
            "unknown risk tolerance 'extreme'; use one of: Low, Medium",
        ),
        ({"initial_capital": "lots"}, "initial_capital must be a number, got 'lots'"),
        ({"initial_capital": -5}, "initial_capital must be positive, got -5"),
    ],
)
def test_bad_inputs_are_refused_before_any_model_call(
    example: dict[str, Any], inputs: dict[str, Any], message: str
) -> None:
    from crewkit.errors import InputRejectedError
    from crewkit.testing import ScriptedLLM

    model = ScriptedLLM([])
    crew = example["build_crew"](model)
    with pytest.raises(InputRejectedError, match="inputs rejected by check_inputs: ") as caught:
        crew.kickoff(inputs={**example["DEFAULT_INPUTS"], **inputs})
    assert message in str(caught.value)
    assert model.requests == []


def test_the_report_states_the_rules_decision_and_labels_the_models_prose(
    example: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    high = kickoff(example, risk_tolerance="High").pydantic
    low = kickoff(example, risk_tolerance="Low").pydantic
    bought = (
        "buy 41 shares of AAPL (about 9,144) with a stop-loss at 150.55, at High risk tolerance"
    )
    assert high.decision == bought
    assert low.decision.startswith("do not buy AAPL: its annual volatility of 51% is above the 30%")
    text = high.to_markdown()
    assert f"**Decision: {bought}.**" in text
    assert "## Strategy (written by the model)" in text
    assert (tmp_path / "reports" / "AAPL-High.md").read_text().startswith(text)


def test_a_users_own_csv_is_used_and_named(
    example: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    prices = tmp_path / "mine.csv"
    rows = [f"ACME,2024-01-{d:02d},{100 + (d % 5) * 3 - d * 0.5}" for d in range(1, 29)]
    prices.write_text("symbol,date,price\n" + "\n".join(rows) + "\n")
    report = kickoff(example, stock_selection="ACME", price_data=str(prices)).pydantic
    assert report.data == "mine.csv, 2024-01-01 to 2024-01-28 (28 prices)"
    assert report.position_shares is not None and report.position_shares > 0


def test_the_yaml_and_python_crews_are_the_same(example: dict[str, Any]) -> None:
    import crewkit

    from_yaml = crewkit.load_crew(EXAMPLE / "crew.yaml", model="mock")
    from_python = example["build_crew"]("mock")

    def shape(crew: Any) -> Any:
        agents = [
            (
                a.role,
                a.goal.strip(),
                a.backstory.strip(),
                a.allow_delegation,
                [t.name for t in a.tools],
            )
            for a in crew.agents
        ]
        tasks = [
            (t.name, t.description.strip(), t.expected_output.strip(), t.agent.role,
             getattr(t.output_pydantic, "__name__", None), t.callback is not None)
            for t in crew.tasks
        ]  # fmt: skip
        manager = crew.manager_agent
        return agents, tasks, crew.process, (manager.role, manager.goal, manager.backstory.strip())

    assert shape(from_yaml) == shape(from_python)
    assert from_yaml.inputs == example["DEFAULT_INPUTS"]


def test_the_cli_runs_the_yaml_crew_and_writes_the_report(tmp_path: Path) -> None:
    import json
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "crewkit", "kickoff", str(EXAMPLE / "crew.yaml"), "--model", "mock",
         "--input", "Should I buy?", "--inputs", "risk_tolerance=Low", "--json"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    report = data["tasks_output"][-1]["json_dict"]
    assert (report["position_shares"], report["stop_loss"]) == (20, 174.7)
    assert (tmp_path / "reports" / "AAPL-Low.md").exists()


def test_the_cli_prints_the_report_a_person_reads(tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "crewkit", "kickoff", str(EXAMPLE / "crew.yaml"), "--model", "mock",
         "--inputs", "risk_tolerance=High", "--quiet"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Risk report: AAPL (High tolerance)\n")
    assert (
        "**Decision: buy 41 shares of AAPL (about 9,144) with a stop-loss at 150.55, at High risk "
        "tolerance.**" in done.stdout
    )
    assert "| Stop-loss | 150.55 |" in done.stdout


def test_the_cli_refuses_an_unknown_tolerance_with_exit_code_2_and_no_traceback(
    tmp_path: Path,
) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "crewkit", "kickoff", str(EXAMPLE / "crew.yaml"), "--model", "mock",
         "--inputs", "risk_tolerance=extreme"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert (
        "unknown risk tolerance 'extreme'; use one of: Low, Medium, High, Ultra High" in done.stderr
    )
    assert "Traceback" not in done.stderr


@pytest.mark.extra("charts")
def test_the_chart_is_drawn_when_matplotlib_is_installed(
    example: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    kickoff(example, risk_tolerance="Medium")
    png = tmp_path / "reports" / "AAPL-Medium.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (
        "![Price history, drawdown and stop-loss](AAPL-Medium.png)"
        in (tmp_path / "reports" / "AAPL-Medium.md").read_text()
    )


def test_the_guardrail_asks_once_for_the_missing_essentials_then_accepts_and_flags(
    example: dict[str, Any],
) -> None:
    import report  # the example's module, importable once run.py has put it on the path

    from crewkit import TaskOutput

    inputs = {**example["DEFAULT_INPUTS"], "risk_tolerance": "High"}
    vague = report.RiskReport(
        strategy="Hold a modest position and review it every week or so.",
        key_risks=["Prices can swing widely in a month.", "News can move the stock overnight."],
        rationale="The volatility is high for this kind of investor.",
    )
    first = TaskOutput(raw="", name="r", description="", agent="a", pydantic=vague, inputs=inputs)
    ok, feedback = report.use_computed_figures(first)
    assert not ok
    assert (
        "say 'buy 41 shares of AAPL (about 9,144) with a stop-loss at 150.55, at High risk tolerance'"
        in feedback
    )
    assert "give the stop-loss at 150.55" in feedback
    again = TaskOutput(raw="", name="r", description="", agent="a", pydantic=vague,
                       inputs=inputs, rejections=1)  # fmt: skip
    ok, fixed = report.use_computed_figures(again)
    assert ok and fixed.decision.startswith("buy 41 shares")
    assert fixed.flags == [
        "The strategy does not name AAPL.", "The strategy does not name the High tolerance.",
        "The strategy does not give the stop-loss at 150.55.",
    ]  # fmt: skip
    good = vague.model_copy(update={"strategy": "Buy 41 shares of AAPL at High tolerance with "
                                                "a stop-loss at 150.55."})  # fmt: skip
    ok, fixed = report.use_computed_figures(
        TaskOutput(raw="", name="r", description="", agent="a", pydantic=good, inputs=inputs)
    )
    assert ok and fixed.flags == [] and "**Decision" in fixed.to_markdown()
