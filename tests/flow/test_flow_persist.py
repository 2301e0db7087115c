"""@persist: the state is saved after steps and restored by ``kickoff(inputs={"id": ...})``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from crewkit.errors import FlowError
from crewkit.flow import Flow, listen, persist, start
from crewkit.journal import Journal


def history(db: Path, flow_id: str) -> list[tuple[str, Any]]:
    """(step, state) of each journaled step of run ``flow_id``, oldest first."""
    steps = Journal(db, readonly=True).entries(flow_id, kinds=["flow_step"])
    return [(entry.data["step"], entry.data["state"]) for entry in steps]


class Order(BaseModel):
    items: list[str] = []
    total: int = 0


def test_a_persisted_class_saves_after_every_step(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"

    @persist(store=str(db))
    class Checkout(Flow[Order]):
        @start()
        def add(self) -> None:
            self.state.items.append("tea")

        @listen(add)
        def price(self) -> int:
            self.state.total = 4 * len(self.state.items)
            return self.state.total

    flow = Checkout()
    flow.kickoff()
    saved = history(db, flow.flow_id)
    assert [step for step, _ in saved] == ["add", "price"]
    assert saved[0][1] == {"items": ["tea"], "total": 0, "id": flow.flow_id}
    assert saved[1][1]["total"] == 4


def test_a_persisted_method_saves_only_after_itself(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"

    class Checkout(Flow[Order]):
        @start()
        def add(self) -> None:
            self.state.items.append("tea")

        @listen(add)
        @persist(store=str(db))
        def price(self) -> None:
            self.state.total = 4

    flow = Checkout()
    flow.kickoff()
    assert [step for step, _ in history(db, flow.flow_id)] == ["price"]


def test_kickoff_with_an_id_restores_the_saved_state_then_applies_inputs(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"

    @persist(str(db))
    class Tally(Flow[Order]):
        @start()
        def add(self) -> int:
            self.state.items.append(f"item {len(self.state.items) + 1}")
            self.state.total += 1
            return self.state.total

    assert Tally().kickoff({"id": "cart-1"}) == 1
    assert Tally().kickoff({"id": "cart-1"}) == 2
    restored = Tally()
    assert restored.kickoff({"id": "cart-1", "total": 10}) == 11
    assert restored.state.items == ["item 1", "item 2", "item 3"]
    assert Tally().kickoff({"id": "cart-2"}) == 1  # an id never saved starts fresh under that id


def test_the_state_survives_into_another_process(tmp_path: Path) -> None:
    module = tmp_path / "tally_flow.py"
    module.write_text(
        textwrap.dedent(
            """
            import sys
            from pydantic import BaseModel
            from crewkit.flow import Flow, persist, start

            class Visits(BaseModel):
                count: int = 0
                pids: list[int] = []

            @persist
            class Tally(Flow[Visits]):
                @start()
                def visit(self):
                    import os
                    self.state.count += 1
                    self.state.pids.append(os.getpid())
                    return self.state.count

            if __name__ == "__main__":
                flow = Tally()
                print(flow.kickoff({"id": sys.argv[1]}), len(set(flow.state.pids)))
            """
        )
    )

    def run() -> str:
        done = subprocess.run(
            [sys.executable, str(module), "visits-1"],
            cwd=tmp_path,
            env={k: v for k, v in os.environ.items() if k != "CREWKIT_JOURNAL"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run() == "1 1"
    assert run() == "2 2"  # the second process continued from the first one's state
    assert (tmp_path / ".crewkit" / "runs.db").is_file()
    assert (tmp_path / ".crewkit" / ".gitignore").read_text() == "*\n"


def test_a_flow_given_a_store_saves_every_step_without_the_decorator(tmp_path: Path) -> None:
    class Plain(Flow):
        @start()
        def begin(self) -> None:
            self.state["runs"] = self.state.get("runs", 0) + 1

    db = tmp_path / "mine.db"
    Plain(persistence=str(db)).kickoff({"id": "p"})
    flow = Plain(persistence=str(db))
    flow.kickoff({"id": "p"})
    assert flow.state["runs"] == 2


def test_a_custom_store_receives_the_saves() -> None:
    class MemoryStore:
        def __init__(self) -> None:
            self.saved: dict[str, list[tuple[str, str]]] = {}

        def save_state(self, flow_id: str, flow: str, step: str, state: str) -> None:
            self.saved.setdefault(flow_id, []).append((step, state))

        def load_state(self, flow_id: str) -> str | None:
            rows = self.saved.get(flow_id)
            return rows[-1][1] if rows else None

    store = MemoryStore()

    @persist(store)
    class Counter(Flow):
        @start()
        def begin(self) -> int:
            self.state["n"] = self.state.get("n", 0) + 1
            return int(self.state["n"])

    Counter().kickoff({"id": "c"})
    assert Counter().kickoff({"id": "c"}) == 2
    assert [step for step, _ in store.saved["c"]] == ["begin", "begin"]


def test_a_state_that_cannot_be_saved_fails_naming_the_value(tmp_path: Path) -> None:
    @persist(store=str(tmp_path / "runs.db"))
    class Unsaveable(Flow):
        @start()
        def begin(self) -> None:
            self.state["handle"] = object()

    with pytest.raises(FlowError) as caught:
        Unsaveable().kickoff()
    assert "Unsaveable.begin: the state cannot be saved: state['handle'] holds a object" in str(
        caught.value
    )


def test_a_store_that_is_not_one_is_refused() -> None:
    with pytest.raises(FlowError, match=r"a flow store needs save_state\(\) and load_state\(\)"):
        Flow(persistence=42)  # type: ignore[arg-type]


def test_persist_works_with_or_without_parentheses(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)

    @persist
    class Bare(Flow):
        @start()
        def begin(self) -> None: ...

    @persist()
    class Called(Flow):
        @start()
        def begin(self) -> None: ...

    Bare().kickoff({"id": "bare"})
    Called().kickoff({"id": "called"})
    db = Path(os.environ["CREWKIT_JOURNAL"])  # the run journal (tests point it into tmp_path)
    assert history(db, "bare") and history(db, "called")
