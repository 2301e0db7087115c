"""What a run cost, from a maintained price table (the ``genai-prices`` package:
``pip install 'crewkit[prices]'``; loaded only when costs are read, and it never goes online).

``CrewOutput.costs`` sums each model call's price per agent, per task and per model. A call is
priced when its provider is one the table covers (OpenAI, Anthropic, Groq, OpenRouter ...) and the
table knows the model that answered. Models run in this process (``local``, the test models) cost
nothing. Anything else — a self-hosted server, a model the table lacks, or the package missing — is
*unknown*, and a total with unknown calls says so: it is never shown as $0.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from crewkit.llm._types import Usage

__all__ = [
    "CallRecord",
    "Cost",
    "CostReport",
    "calls_from_dicts",
    "cost_report",
    "price",
    "prices_available",
]

FREE_PROVIDERS = frozenset({"local", "mock", "scripted", "function"})
"""Providers whose models run in this process: their calls cost nothing."""
PRICED_PROVIDERS: Mapping[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "groq": "groq",
    "openrouter": "openrouter",
}
"""crewkit provider → the price table's provider id. Self-hosted servers (ollama, vllm, llamacpp,
lmstudio) are not here: what they cost is your hardware, which no table knows."""


@dataclass(frozen=True)
class CallRecord:
    """One model call, as far as its price is concerned."""

    agent: str
    """Who asked."""
    task: str
    """For which task."""
    label: str
    """The model's ``provider/model`` label, as configured."""
    provider: str
    """The provider part of the label."""
    model: str
    """The model that answered (as the provider named it), else the one asked for."""
    usage: Usage
    """Tokens of the call."""
    time: float
    """When it was made (seconds since the epoch): prices change over time."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the time: two runs doing the same work have equal dicts)."""
        return {
            "agent": self.agent,
            "task": self.task,
            "label": self.label,
            "provider": self.provider,
            "model": self.model,
            "prompt_tokens": self.usage.prompt_tokens,
            "completion_tokens": self.usage.completion_tokens,
        }


def calls_from_dicts(data: Iterable[Mapping[str, Any]], time: float) -> list[CallRecord]:
    """Call records from :meth:`CallRecord.to_dict` (a journaled output), dated ``time``."""
    return [
        CallRecord(
            str(d["agent"]), str(d["task"]), str(d["label"]), str(d["provider"]), str(d["model"]),
            Usage(int(d["prompt_tokens"]), int(d["completion_tokens"]), requests=1), time,
        )
        for d in data
    ]  # fmt: skip


@dataclass(frozen=True)
class Cost:
    """Dollars spent on some calls; ``unpriced`` counts calls whose price is unknown."""

    amount: Decimal = Decimal(0)
    """US dollars of the priced calls."""
    unpriced: int = 0
    """Calls that could not be priced."""

    @property
    def usd(self) -> Decimal | None:
        """The cost in dollars, or ``None`` when some call could not be priced."""
        return self.amount if self.unpriced == 0 else None

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.amount + other.amount, self.unpriced + other.unpriced)

    def __str__(self) -> str:
        if self.unpriced and not self.amount:
            return "unknown"
        text = _dollars(self.amount)
        if self.unpriced:
            calls = "call" if self.unpriced == 1 else "calls"
            return f"≥ {text} ({self.unpriced} {calls} unpriced)"
        return text

    def to_dict(self) -> dict[str, Any]:
        """``usd`` as a string (or ``None``), the priced amount and the unpriced calls."""
        usd = self.usd
        return {
            "usd": None if usd is None else str(usd),
            "priced_usd": str(self.amount),
            "unpriced_calls": self.unpriced,
        }


@dataclass(frozen=True)
class CostReport:
    """A run's cost, in total and split three ways."""

    total: Cost = Cost()
    """All calls."""
    by_agent: dict[str, Cost] = field(default_factory=dict)
    """Per agent role."""
    by_task: dict[str, Cost] = field(default_factory=dict)
    """Per task label."""
    by_model: dict[str, Cost] = field(default_factory=dict)
    """Per model label (``provider/model``)."""
    table: bool = True
    """Whether the price table (``crewkit[prices]``) was available."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "total": self.total.to_dict(),
            "by_agent": {k: v.to_dict() for k, v in self.by_agent.items()},
            "by_task": {k: v.to_dict() for k, v in self.by_task.items()},
            "by_model": {k: v.to_dict() for k, v in self.by_model.items()},
            "price_table": self.table,
        }


def prices_available() -> bool:
    """Whether the price table is installed (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("genai_prices") is not None


def price(provider: str, model: str, usage: Usage, when: float | None = None) -> Cost:
    """The cost of one call of ``provider``'s ``model`` that used ``usage``, made at ``when``."""
    if provider in FREE_PROVIDERS:
        return Cost()
    table_provider = PRICED_PROVIDERS.get(provider)
    if table_provider is None or not prices_available():
        return Cost(unpriced=1)
    found = _calc(table_provider, model)
    if found is None:
        return Cost(unpriced=1)
    return Cost(found(usage, when))


@functools.lru_cache(maxsize=256)
def _calc(provider: str, model: str) -> Any:
    """A function pricing usage of ``model`` at ``provider``, or ``None`` when the table lacks it
    (looked up once per process per model)."""
    from genai_prices import Usage as TableUsage
    from genai_prices import calc_price

    try:
        calc_price(TableUsage(input_tokens=0, output_tokens=0), model, provider_id=provider)
    except LookupError:
        return None

    def calc(usage: Usage, when: float | None) -> Decimal:
        moment = datetime.datetime.fromtimestamp(when, datetime.timezone.utc) if when else None
        counted = TableUsage(
            input_tokens=usage.prompt_tokens, output_tokens=usage.completion_tokens
        )
        result = calc_price(counted, model, provider_id=provider, genai_request_timestamp=moment)
        return Decimal(result.total_price)

    return calc


def cost_report(calls: Iterable[CallRecord]) -> CostReport:
    """Price every call and add them up."""
    total = Cost()
    by_agent: dict[str, Cost] = {}
    by_task: dict[str, Cost] = {}
    by_model: dict[str, Cost] = {}
    for call in calls:
        cost = price(call.provider, call.model, call.usage, call.time)
        total += cost
        for table, key in ((by_agent, call.agent), (by_task, call.task), (by_model, call.label)):
            table[key] = table.get(key, Cost()) + cost
    return CostReport(total, by_agent, by_task, by_model, table=prices_available())


def _dollars(amount: Decimal) -> str:
    """``$1.23``; small amounts keep their first significant digits (``$0.00045``)."""
    if amount == 0:
        return "$0"
    if amount >= 1:
        return f"${amount:,.2f}"
    text = f"{amount:.8f}".rstrip("0")
    return f"${text}"
