"""Quality of the stock-risk crew's answer on a model (the embedded one by default): runs the crew
for each ticker and tolerance, scores the model-written text of each report on four checks, and
prints every answer, each check's verdict and the pass rates.

Run: python benchmarks/stock_risk_quality.py [--model local] [--tickers AAPL MSFT]
     [--tolerances Low Medium High "Ultra High"] [--json results.json] [--rescore results.json]

The checks (a run passes when all four do):
  repetition   no sentence is written twice and no four-word phrase three times
  essentials   the strategy names the ticker, the tolerance and the stop-loss price
  agreement    the prose agrees with the computed figures: any share count or stop-loss it states
               is the computed one, and it does not recommend buying when the rules say not to
               (or advise against it when they say buy)
  on_topic     strategy and rationale (five words or more) and every key risk (four or more)
               read as prose about the position: no JSON debris, no talk of tools or "final
               answer", no instructions echoed back ("report", "one or two sentences")
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "stock_risk"
sys.path.insert(0, str(EXAMPLE))

import risk  # noqa: E402
from run import DEFAULT_INPUTS, build_crew  # noqa: E402

from crewkit.errors import CrewkitError  # noqa: E402

ON_TOPIC = re.compile(
    r"stock|share|price|risk|stop|loss|position|volatil|drawdown|trad|market|buy|sell|entry|exit|"
    r"capital|invest|return|trend|swing|order|value|portfolio",
    re.IGNORECASE,
)
JUNK = re.compile(
    r"\]\[|[{}\[\]]|final answer|this tool|the tool|as an ai|json|"
    # the instructions echoed back instead of answered
    r"\breport\b|\brationale\b|one or two sentences|two or three",
    re.IGNORECASE,
)
NOT_BUY = re.compile(r"\b(do not|don't|not) (buy|invest|enter)|\bavoid\b|\bstay out\b", re.I)
BUY = re.compile(r"\b(buy|purchase|enter|open)\b(?! (signal|zone))", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?;])\s+|\n+", text)
    return [" ".join(re.sub(r"[^\w\s.]", " ", p).lower().split()) for p in parts if p.strip()]


def check_repetition(prose: list[str]) -> str | None:
    seen: set[str] = set()
    for field in prose:
        for s in sentences(field):
            if len(s.split()) >= 3 and s in seen:
                return f"repeats {s[:60]!r}"
            seen.add(s)
        words = re.findall(r"\w+", field.lower())
        grams: dict[tuple[str, ...], int] = {}
        for i in range(len(words) - 3):
            gram = tuple(words[i : i + 4])
            grams[gram] = grams.get(gram, 0) + 1
            if grams[gram] >= 3:
                return f"repeats {' '.join(gram)!r} three times"
    return None


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*\.?\d*", text)]


def check_essentials(strategy: str, figures: dict[str, Any]) -> str | None:
    missing = []
    if not re.search(rf"\b{re.escape(figures['ticker'])}\b", strategy, re.IGNORECASE):
        missing.append("ticker")
    tolerance = figures["risk_tolerance"].lower().replace(" ", r"[\s-]")
    if not re.search(rf"\b{tolerance}\b", strategy, re.IGNORECASE):
        missing.append("tolerance")
    stop = figures["stop_loss"]
    if not any(abs(n - stop) <= 0.005 * stop for n in _numbers(strategy)):
        missing.append(f"stop-loss {stop}")
    return f"strategy lacks {', '.join(missing)}" if missing else None


def check_agreement(prose: list[str], figures: dict[str, Any], buy: bool) -> str | None:
    text = " ".join(prose)
    for match in re.finditer(r"(\d[\d,]*)\s+shares", text, re.IGNORECASE):
        if int(match.group(1).replace(",", "")) != figures["position_shares"]:
            return f"says {match.group(0)!r}, computed {figures['position_shares']} shares"
    for match in re.finditer(r"stop(?:-loss|\s+loss)?[^.\d]{0,25}?\$?(\d[\d,]*\.?\d*)", text, re.I):
        value = float(match.group(1).replace(",", ""))
        if value > 1 and abs(value - figures["stop_loss"]) > 0.01 * figures["stop_loss"]:
            return f"says {match.group(0)!r}, computed stop {figures['stop_loss']}"
    against, rest = NOT_BUY.search(text), BUY.search(NOT_BUY.sub("", text))
    if buy and against:
        return f"advises against buying ({against.group(0)!r}) but the rules say buy"
    if not buy and rest:
        return f"recommends buying ({rest.group(0)!r}) but the rules say do not buy"
    if buy and not rest:
        return "makes no recommendation (the rules say buy)"
    if not buy and not against:
        return "makes no recommendation (the rules say do not buy)"
    return None


def check_on_topic(fields: dict[str, Any]) -> str | None:
    items = [("strategy", fields["strategy"]), ("rationale", fields["rationale"])]
    risks = fields["key_risks"] or []
    if not risks:
        return "key_risks is empty"
    items += [(f"key_risks[{i}]", r) for i, r in enumerate(risks)]
    for name, text in items:
        words = re.findall(r"[A-Za-z]+", text or "")
        if len(words) < (4 if name.startswith("key_risks") else 5):
            return f"{name} is empty or too short: {text!r}"
        if JUNK.search(text):
            return f"{name} has debris: {JUNK.search(text).group(0)!r}"
        if not ON_TOPIC.search(text):
            return f"{name} is off-topic: {text[:60]!r}"
    return None


def model_fields(report: dict[str, Any]) -> dict[str, Any]:
    """The text the model wrote (the guardrail only replaces figures)."""
    return {
        "strategy": str(report.get("strategy") or ""),
        "key_risks": [str(r) for r in report.get("key_risks") or []],
        "rationale": str(report.get("rationale") or ""),
    }


def score(
    report: dict[str, Any] | None, figures: dict[str, Any], buy: bool
) -> dict[str, str | None]:
    if report is None:
        return {k: "no report" for k in ("repetition", "essentials", "agreement", "on_topic")}
    fields = model_fields(report)
    prose = [fields["strategy"], fields["rationale"], *fields["key_risks"]]
    return {
        "repetition": check_repetition(prose),
        "essentials": check_essentials(fields["strategy"], figures),
        "agreement": check_agreement(prose, figures, buy),
        "on_topic": check_on_topic(fields),
    }


def run_one(model: str, ticker: str, tolerance: str, capital: float) -> dict[str, Any]:
    figures = risk.assess(risk.load_csv(ticker), capital, tolerance)
    decision = risk.decide(figures)
    inputs = {**DEFAULT_INPUTS, "stock_selection": ticker, "risk_tolerance": tolerance,
              "initial_capital": capital, "input": f"Should I buy {ticker} now?"}  # fmt: skip
    started = time.perf_counter()
    report, error, calls = None, None, 0
    try:
        output = build_crew(model).kickoff(inputs=inputs)
        report, calls = output.json_dict, output.token_usage.requests
    except CrewkitError as exc:
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    checks = score(report, figures, decision.buy)
    return {
        "ticker": ticker, "tolerance": tolerance, "seconds": round(seconds, 1), "model_calls": calls,
        "decision": decision.text, "error": error, "checks": checks,
        "passed": all(v is None for v in checks.values()),
        "answer": model_fields(report) if report else None,
    }  # fmt: skip


def rescore(result: dict[str, Any], capital: float) -> dict[str, Any]:
    figures = risk.assess(risk.load_csv(result["ticker"]), capital, result["tolerance"])
    answer = result["answer"]
    checks = score(answer, figures, risk.decide(figures).buy)
    return {**result, "checks": checks, "passed": all(v is None for v in checks.values())}


def print_result(r: dict[str, Any]) -> None:
    verdict = "PASS" if r["passed"] else "FAIL"
    print(
        f"\n== {r['ticker']} {r['tolerance']}: {verdict}  ({r['model_calls']} model calls, {r['seconds']} s)"
    )
    print(f"   rules: {r['decision']}")
    if r["error"]:
        print(f"   error: {r['error'][:300]}")
    if r["answer"]:
        a = r["answer"]
        print(f"   strategy:  {a['strategy']!r}")
        print(f"   key_risks: {a['key_risks']!r}")
        print(f"   rationale: {a['rationale']!r}")
    for name, problem in r["checks"].items():
        print(
            f"   {'ok  ' if problem is None else 'FAIL'} {name}{'' if problem is None else ': ' + problem}"
        )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="local")
    parser.add_argument("--tickers", nargs="+", default=["AAPL", "MSFT"])
    parser.add_argument("--tolerances", nargs="+", default=["Low", "Medium", "High", "Ultra High"])
    parser.add_argument("--capital", type=float, default=100000)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--rescore", help="score the answers saved in this --json file again")
    args = parser.parse_args()
    results = []
    if args.rescore:
        for r in json.loads(Path(args.rescore).read_text(encoding="utf-8")):
            results.append(rescore(r, args.capital))
            print_result(results[-1])
    else:
        for ticker in args.tickers:
            for tolerance in args.tolerances:
                results.append(run_one(args.model, ticker, tolerance, args.capital))
                print_result(results[-1])
    n = len(results)
    print(f"\nmodel {args.model}: {sum(r['passed'] for r in results)}/{n} runs pass every check")
    for name in ("repetition", "essentials", "agreement", "on_topic"):
        ok = sum(r["checks"][name] is None for r in results)
        print(f"  {name:<11} {ok}/{n}")
    total = sum(r["seconds"] for r in results)
    calls = sum(r["model_calls"] for r in results)
    print(f"  {calls} model calls, {total:.0f} s in all ({total / n:.0f} s a run)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
