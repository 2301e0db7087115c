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


def test_an_unknown_ticker_is_reported_not_invented(
    example: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = kickoff(example, stock_selection="NVDA")
    report = out.pydantic
    assert report.ticker == "NVDA"
    assert report.position_shares is None and report.stop_loss is None
    assert report.data.startswith("no data for NVDA in stocks.csv")
    assert "no data for NVDA" in out.tasks_output[0].raw


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


def test_the_chart_is_drawn_when_matplotlib_is_installed(
    example: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    kickoff(example, risk_tolerance="Medium")
    png = tmp_path / "reports" / "AAPL-Medium.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (
        "![Price history, drawdown and stop-loss](AAPL-Medium.png)"
        in (tmp_path / "reports" / "AAPL-Medium.md").read_text()
    )
