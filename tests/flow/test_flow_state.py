"""A flow's state: unstructured (a dict) or structured (a pydantic model), always with an id."""

from __future__ import annotations

import asyncio
import pickle
import re
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, ConfigDict

from crewkit.errors import FlowError, FlowInputError
from crewkit.flow import Flow, listen, start

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class Counter(BaseModel):
    count: int = 0
    notes: list[str] = []


class CounterFlow(Flow[Counter]):
    @start()
    def bump(self) -> int:
        self.state.count += 1
        self.state.notes.append(f"bump {self.state.count}")
        return self.state.count


class CountWithInitialState(Flow[Counter]):
    initial_state = Counter

    @start()
    def read(self) -> int:
        return self.state.count


def test_an_unstructured_state_is_a_dict_with_a_fresh_id() -> None:
    class Plain(Flow):
        @start()
        def begin(self) -> Any:
            self.state["city"] = "Lisbon"
            return self.state

    first, second = Plain(), Plain()
    result = first.kickoff()
    assert result["city"] == "Lisbon"
    assert UUID.match(first.state["id"])
    assert first.state["id"] != second.state["id"]
    assert first.flow_id == first.state["id"]


def test_a_structured_state_is_the_model_with_an_id_added() -> None:
    flow = CounterFlow()
    assert flow.kickoff() == 1
    assert isinstance(flow.state, Counter)
    assert UUID.match(flow.state.id)  # type: ignore[attr-defined]
    assert flow.state.notes == ["bump 1"]
    assert CountWithInitialState().kickoff() == 0


def test_a_model_with_its_own_id_keeps_it() -> None:
    class Book(BaseModel):
        id: str = "1"
        title: str = ""

    class BookFlow(Flow[Book]):
        initial_state = Book

        @start()
        def begin(self) -> str:
            return self.state.id

    assert BookFlow().kickoff() == "1"


def test_initial_state_may_be_an_instance_or_a_dict() -> None:
    class FromInstance(Flow[Counter]):
        initial_state = Counter(count=5)

        @start()
        def read(self) -> int:
            self.state.count += 1
            return self.state.count

    class FromDict(Flow):
        initial_state: ClassVar[dict[str, int]] = {"count": 2}

        @start()
        def read(self) -> int:
            self.state["count"] += 1
            return int(self.state["count"])

    assert FromInstance().kickoff() == 6
    assert FromInstance().kickoff() == 6  # each object starts from its own copy
    assert FromDict().kickoff() == 3
    assert FromDict().kickoff() == 3


def test_kickoff_inputs_fill_the_state_before_the_first_step() -> None:
    flow = CounterFlow()
    assert flow.kickoff({"count": "41"}) == 42
    plain_seen: list[Any] = []

    class Plain(Flow):
        @start()
        def begin(self) -> None:
            plain_seen.append(dict(self.state))

    Plain().kickoff({"topic": "tea", "id": "my-id"})
    assert plain_seen == [{"topic": "tea", "id": "my-id"}]


def test_keyword_arguments_of_the_flow_set_state_fields() -> None:
    assert CounterFlow(count=9).kickoff() == 10


def test_an_input_that_is_not_a_field_is_refused_before_any_step_runs() -> None:
    ran: list[str] = []

    class Guarded(Flow[Counter]):
        @start()
        def begin(self) -> None:
            ran.append("begin")

    with pytest.raises(FlowInputError) as caught:
        Guarded().kickoff({"cuont": 1})
    assert "input 'cuont' is not a field of the state Counter" in str(caught.value)
    assert "did you mean 'count'?" in str(caught.value)
    with pytest.raises(FlowInputError, match=r"count: Input should be a valid integer.*got 'many'"):
        Guarded().kickoff({"count": "many"})
    assert ran == []


def test_a_model_that_allows_extra_fields_takes_any_input() -> None:
    class Open(BaseModel):
        model_config = ConfigDict(extra="allow")

    class OpenFlow(Flow[Open]):
        @start()
        def read(self) -> Any:
            return self.state.topic  # type: ignore[attr-defined]

    assert OpenFlow().kickoff({"topic": "ferries"}) == "ferries"


def test_the_state_carries_over_between_kickoffs_of_one_object() -> None:
    flow = CounterFlow()
    flow.kickoff()
    assert flow.kickoff() == 2


def test_one_object_cannot_run_twice_at_the_same_time() -> None:
    class Slow(Flow):
        @start()
        async def wait(self) -> None:
            await asyncio.sleep(0.05)

    async def both() -> None:
        flow = Slow()
        await asyncio.gather(flow.kickoff_async(), flow.kickoff_async())

    with pytest.raises(FlowError, match="already running; a flow object holds one run's state"):
        asyncio.run(both())


def test_two_objects_of_one_flow_run_concurrently_with_separate_states() -> None:
    class Tag(Flow):
        @start()
        async def begin(self) -> str:
            await asyncio.sleep(0.01)
            return str(self.state["tag"])

        @listen(begin)
        def echo(self, tag: str) -> str:
            return tag

    async def both() -> list[Any]:
        return list(
            await asyncio.gather(Tag(tag="a").kickoff_async(), Tag(tag="b").kickoff_async())
        )

    assert asyncio.run(both()) == ["a", "b"]


def test_a_flow_object_pickles_with_its_state() -> None:
    flow = PicklableFlow(count=3)
    flow.kickoff()
    copy = pickle.loads(pickle.dumps(flow))
    assert copy.state.count == 4 and copy.state.id == flow.state.id  # type: ignore[attr-defined]
    assert isinstance(copy.state, Counter)
    assert copy.kickoff() == 5


class PicklableFlow(Flow[Counter]):
    @start()
    def bump(self) -> int:
        self.state.count += 1
        return self.state.count


def test_a_subclass_init_that_skips_super_still_has_a_state() -> None:
    class OwnInit(Flow):
        def __init__(self) -> None:
            self.greeting = "hi"

        @start()
        def begin(self) -> str:
            self.state["said"] = self.greeting
            return self.greeting

    flow = OwnInit()
    assert flow.kickoff() == "hi"
    assert flow.state["said"] == "hi"


def test_flows_cost_nothing_until_imported_and_import_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, crewkit; assert 'crewkit.flow' not in sys.modules; import crewkit.flow; "
        "print(sorted(m for m in ('pydantic', 'httpx', 'jinja2', 'rich', 'sqlite3', 'asyncio') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
