"""Summary table of a stock-risk batch: one line per ticker and tolerance.

    crewkit batch examples/stock_risk/crew.yaml --inputs-file examples/stock_risk/batch.jsonl \
        --out reports/batch.jsonl
    python examples/stock_risk/batch_summary.py reports/batch.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

COLUMNS = ("ticker", "tolerance", "shares", "stop-loss", "VaR", "max drawdown", "status")


def summary_rows(results: Path) -> list[tuple[str, ...]]:
    """One tuple of cells per result line, sorted by ticker then tolerance order."""
    order = {"Low": 0, "Medium": 1, "High": 2, "Ultra High": 3}
    rows: list[tuple[int, tuple[str, ...]]] = []
    for line in results.read_text(encoding="utf-8").splitlines():
        result: dict[str, Any] = json.loads(line)
        inputs, report = result["inputs"], result["json"] or {}
        tolerance = str(inputs.get("risk_tolerance", ""))
        cells = (
            str(inputs.get("stock_selection", "")),
            tolerance,
            _cell(report.get("position_shares"), "{:d}"),
            _cell(report.get("stop_loss"), "{:.2f}"),
            _cell(report.get("value_at_risk"), "{:.1%}"),
            _cell(report.get("max_drawdown"), "{:.1%}"),
            "ok" if result["ok"] else f"failed: {result['error']['type']}",
        )
        rows.append((order.get(tolerance, 9), cells))
    rows.sort(key=lambda item: (item[1][0], item[0]))
    return [cells for _, cells in rows]


def _cell(value: Any, form: str) -> str:
    return "-" if value is None else form.format(value)


def main(path: str) -> None:
    rows = summary_rows(Path(path))
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    print("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "reports/batch.jsonl")
