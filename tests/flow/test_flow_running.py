"""How a flow runs: order, concurrency, and_/or_, routers and loops."""

from __future__ import annotations

import asyncio
import enum
import threading
from typing import Any

import pytest

from crewkit.errors import FlowCycleError, FlowDefinitionError, FlowError
from crewkit.flow import Flow, and_, listen, or_, router, start

# Barriers and events guard against hangs only; no test asserts how long anything took.
WAIT = 10


def test_a_listener_runs_after_its_trigger_and_receives_its_result() -> None:
    class Chain(Flow):
        @start()
        def first(self) -> str:
            self.state["seen"] = ["first"]
            return "one"

        @listen(first)
        def second(self, value: str) -> str:
            self.state["seen"].append(f"second<{value}>")
            return value + "+two"

        @listen("second")
        def third(self, value: str) -> str:
            self.state["seen"].append(f"third<{value}>")
            return value + "+three"

    flow = Chain()
    assert flow.kickoff() == "one+two+three"
    assert flow.state["seen"] == ["first", "second<one>", "third<one+two>"]


def test_a_listener_without_a_parameter_is_called_without_the_result() -> None:
    class NoArgument(Flow):
        @start()
        def begin(self) -> int:
            return 1

        @listen(begin)
        def after(self) -> str:
            return "called"

    assert NoArgument().kickoff() == "called"


def test_several_sync_starts_run_at_the_same_time() -> None:
    barrier = threading.Barrier(2, timeout=WAIT)

    class TwoStarts(Flow):
        @start()
        def left(self) -> str:
            barrier.wait()  # breaks (BrokenBarrierError) unless the other start runs meanwhile
            return "left"

        @start()
        def right(self) -> str:
            barrier.wait()
            return "right"

    TwoStarts().kickoff()


def test_async_and_sync_listeners_of_one_step_overlap() -> None:
    barrier = threading.Barrier(3, timeout=WAIT)
    both_async = asyncio.Event()

    class FanOut(Flow):
        @start()
        def begin(self) -> None:
            return None

        @listen(begin)
        def sync_a(self) -> None:
            barrier.wait()

        @listen(begin)
        def sync_b(self) -> None:
            barrier.wait()

        @listen(begin)
        def sync_c(self) -> None:
            barrier.wait()

        @listen(begin)
        async def async_a(self) -> None:
            await asyncio.wait_for(both_async.wait(), WAIT)

        @listen(begin)
        async def async_b(self) -> None:
            both_async.set()

    async def main() -> None:
        await FanOut().kickoff_async()

    asyncio.run(main())


def test_the_result_is_that_of_the_step_that_finished_last() -> None:
    class Last(Flow):
        @start()
        def begin(self) -> str:
            return "begin"

        @listen(begin)
        async def quick(self) -> str:
            return "quick"

        @listen(begin)
        async def slow(self) -> str:
            await asyncio.sleep(0.01)
            return "slow"

    assert Last().kickoff() == "slow"


def test_and_waits_for_every_trigger_and_receives_the_last_result() -> None:
    release = threading.Event()

    class Join(Flow):
        @start()
        def begin(self) -> None:
            self.state["joined"] = []

        @listen(begin)
        def fast(self) -> str:
            return "fast"

        @listen(begin)
        def slow(self) -> str:
            release.wait(WAIT)
            return "slow"

        @listen(fast)
        def release_slow(self) -> None:
            release.set()

        @listen(and_(fast, slow))
        def joined(self, value: str) -> str:
            self.state["joined"].append(value)
            return value

    flow = Join()
    flow.kickoff()
    assert flow.state["joined"] == ["slow"]


def test_or_runs_once_for_the_first_of_two_concurrent_steps() -> None:
    class Race(Flow):
        @start()
        def begin(self) -> None:
            self.state["winners"] = []

        @listen(begin)
        async def hare(self) -> str:
            return "hare"

        @listen(begin)
        async def tortoise(self) -> str:
            await asyncio.sleep(0.02)
            return "tortoise"

        @listen(or_(hare, tortoise))
        def winner(self, name: str) -> None:
            self.state["winners"].append(name)

    flow = Race()
    flow.kickoff()
    assert flow.state["winners"] == ["hare"]


def test_or_does_not_run_again_for_a_trigger_that_follows_the_first() -> None:
    class Chain(Flow):
        @start()
        def begin(self) -> str:
            self.state["logged"] = []
            return "begin"

        @listen(begin)
        def middle(self) -> str:
            return "middle"

        @listen(or_(begin, middle))
        def log(self, value: str) -> None:
            self.state["logged"].append(value)

    flow = Chain()
    flow.kickoff()
    assert flow.state["logged"] == ["begin"]


def test_or_runs_again_when_a_loop_comes_back_through_it() -> None:
    class Rescore(Flow):
        @start()
        def load(self) -> None:
            self.state["scored"] = 0

        @listen(or_(load, "rescore"))
        def score(self) -> None:
            self.state["scored"] += 1

        @router(score)
        def review(self) -> str:
            return "rescore" if self.state["scored"] < 3 else "accept"

        @listen("accept")
        def done(self) -> int:
            return int(self.state["scored"])

    assert Rescore().kickoff() == 3


def test_nested_conditions_or_of_an_and() -> None:
    class Nested(Flow):
        @start()
        def a(self) -> str:
            self.state["runs"] = []
            return "a"

        @listen(a)
        def b(self) -> str:
            return "b"

        @listen(a)
        async def c(self) -> str:
            await asyncio.sleep(0.02)
            return "c"

        @listen(or_(and_(a, b), c))
        def either(self, value: str) -> None:
            self.state["runs"].append(value)

    flow = Nested()
    flow.kickoff()
    assert flow.state["runs"] == ["b"]


def test_a_router_label_sets_off_its_listeners_with_the_label() -> None:
    class Route(Flow):
        @start()
        def begin(self) -> int:
            return 7

        @router(begin)
        def parity(self, value: int) -> str:
            return "odd" if value % 2 else "even"

        @listen("odd")
        def on_odd(self, label: str) -> str:
            return f"odd branch got {label!r}"

        @listen("even")
        def on_even(self) -> str:
            raise AssertionError("the even branch must not run")

    assert Route().kickoff() == "odd branch got 'odd'"


def test_listeners_of_the_router_itself_receive_the_label() -> None:
    class Route(Flow):
        @start()
        def begin(self) -> None:
            self.state["after"] = []

        @router(begin)
        def decide(self) -> str:
            return "go"

        @listen(decide)
        def after_decide(self, label: str) -> None:
            self.state["after"].append(label)

        @listen("go")
        def going(self) -> None:
            return None

    flow = Route()
    flow.kickoff()
    assert flow.state["after"] == ["go"]


class Verdict(str, enum.Enum):
    ACCEPT = "accept"
    REJECT = "reject"


def test_a_router_may_return_an_enum_member() -> None:
    class EnumRoute(Flow):
        @start()
        def begin(self) -> None:
            return None

        @router(begin)
        def judge(self) -> Verdict:
            return Verdict.REJECT

        @listen("accept")
        def accepted(self) -> str:
            return "accepted"

        @listen("reject")
        def rejected(self) -> str:
            return "rejected"

    assert EnumRoute().kickoff() == "rejected"


def test_a_router_returning_none_ends_the_branch() -> None:
    class Stop(Flow):
        @start()
        def begin(self) -> str:
            return "begin"

        @router(begin, emit=["more"])
        def maybe(self) -> str | None:
            return None

        @listen("more")
        def do_more(self) -> str:
            raise AssertionError("must not run")

    assert Stop().kickoff() is None


def test_a_router_can_be_a_start_and_routers_can_chain() -> None:
    class Chained(Flow):
        @start()
        @router()
        def first(self) -> str:
            return "checked"

        @router("checked")
        def second(self) -> str:
            return "approved"

        @listen("approved")
        def ship(self) -> str:
            return "shipped"

    assert Chained().kickoff() == "shipped"


def test_a_conditional_start_runs_at_kickoff_and_again_on_its_label() -> None:
    class Retry(Flow):
        @start("retry")
        def attempt(self) -> None:
            self.state["attempts"] = self.state.get("attempts", 0) + 1

        @router(attempt)
        def check(self) -> str:
            return "retry" if self.state["attempts"] < 3 else "done"

        @listen("done")
        def finish(self) -> int:
            return int(self.state["attempts"])

    assert Retry().kickoff() == 3


def test_conditional_starts_wait_when_there_is_an_unconditional_one() -> None:
    class Mixed(Flow):
        @start()
        def begin(self) -> None:
            self.state["order"] = ["begin"]

        @start("again")
        def conditional(self) -> None:
            self.state["order"].append("conditional")

        @router(begin)
        def route(self) -> str:
            return "again"

    flow = Mixed()
    flow.kickoff()
    assert flow.state["order"] == ["begin", "conditional"]


def test_a_loop_past_max_steps_fails_naming_the_loop() -> None:
    class Forever(Flow):
        max_steps = 12

        @start("retry")
        def generate(self) -> None:
            self.state["n"] = self.state.get("n", 0) + 1

        @router(generate)
        def evaluate(self) -> str:
            return "retry"

    flow = Forever()
    with pytest.raises(FlowCycleError) as caught:
        flow.kickoff()
    error = caught.value
    assert error.loop == ["generate", "evaluate", "'retry'", "generate"]
    assert "max_steps=12" in str(error)
    assert "generate → evaluate → 'retry' → generate" in str(error)
    assert "let evaluate return a label that leaves the loop" in str(error)
    assert error.state["n"] == 6
    assert len(error.outputs) == 12


def test_max_steps_can_be_given_to_the_flow_object() -> None:
    class Loop(Flow):
        @start("again")
        def step(self) -> None:
            return None

        @router(step)
        def back(self) -> str:
            return "again"

    with pytest.raises(FlowCycleError, match=r"max_steps=4\)"):
        Loop(max_steps=4).kickoff()
    with pytest.raises(FlowDefinitionError, match="max_steps must be a positive integer"):
        Loop(max_steps=0)


def test_a_failing_step_stops_the_flow_with_the_state_and_finished_outputs() -> None:
    class Breaks(Flow):
        @start()
        def begin(self) -> str:
            self.state["stage"] = "began"
            return "began"

        @listen(begin)
        def explode(self) -> None:
            raise ValueError("disk full")

        @listen(explode)
        def never(self) -> None:
            raise AssertionError("must not run")

    with pytest.raises(FlowError) as caught:
        Breaks().kickoff()
    error = caught.value
    assert error.step == "explode"
    assert "Breaks failed in step 'explode': ValueError: disk full" in str(error)
    assert isinstance(error.__cause__, ValueError)
    assert error.state["stage"] == "began"
    assert error.outputs == ["began"]


def test_a_failure_cancels_the_other_running_async_steps() -> None:
    cancelled: list[str] = []

    class Cancel(Flow):
        @start()
        async def slow(self) -> None:
            try:
                await asyncio.sleep(WAIT)
            except asyncio.CancelledError:
                cancelled.append("slow")
                raise

        @start()
        async def fails(self) -> None:
            await asyncio.sleep(0)
            raise RuntimeError("boom")

    with pytest.raises(FlowError, match="boom"):
        Cancel().kickoff()
    assert cancelled == ["slow"]


def test_a_router_returning_a_label_nobody_listens_to_fails_at_run_time() -> None:
    class Dynamic(Flow):
        @start()
        def begin(self) -> str:
            return "nowhere"

        @router(begin)
        def route(self, label: str) -> str:
            return label  # computed at run time, so not checked at definition

        @listen("somewhere")
        def elsewhere(self) -> None:
            return None

    with pytest.raises(FlowDefinitionError) as caught:
        Dynamic().kickoff()
    assert "Dynamic.route returned the label 'nowhere', but no step listens to it" in str(
        caught.value
    )
    assert caught.value.step == "route"


def test_a_router_returning_something_else_than_a_label_fails() -> None:
    class NotALabel(Flow):
        @start()
        def begin(self) -> int:
            return 3

        @router(begin)
        def route(self, value: Any) -> Any:
            return value

        @listen("x")
        def on_x(self) -> None:
            return None

    with pytest.raises(FlowError, match=r"NotALabel.route is a router and returned 3"):
        NotALabel().kickoff()


def test_a_router_must_return_one_of_its_declared_labels() -> None:
    class Declared(Flow):
        @start()
        def begin(self) -> str:
            return "maybe"

        @router(begin, emit=["yes", "no"])
        def route(self, value: str) -> str:
            return value

        @listen("yes")
        def on_yes(self) -> None:
            return None

        @listen("no")
        def on_no(self) -> None:
            return None

    with pytest.raises(FlowDefinitionError, match="not one of the labels it declares"):
        Declared().kickoff()


def test_kickoff_works_inside_a_running_event_loop() -> None:
    class Simple(Flow):
        @start()
        def begin(self) -> str:
            asyncio.run(asyncio.sleep(0))  # a sync step may run its own event loop
            return "ok"

    async def inside_a_loop() -> Any:
        return Simple().kickoff()

    assert asyncio.run(inside_a_loop()) == "ok"


def test_a_sync_step_returning_a_coroutine_is_awaited() -> None:
    class Returns(Flow):
        @start()
        def begin(self) -> Any:
            async def later() -> str:
                return "awaited"

            return later()

    assert Returns().kickoff() == "awaited"


def test_a_flow_failing_inside_a_step_of_another_is_reported_by_the_outer_step() -> None:
    class Inner(Flow):
        @start()
        def explode(self) -> None:
            raise ValueError("inner trouble")

    class Outer(Flow):
        @start()
        def run_inner(self) -> None:
            Inner().kickoff()

    with pytest.raises(FlowError) as caught:
        Outer().kickoff()
    assert caught.value.flow == "Outer" and caught.value.step == "run_inner"
    inner = caught.value.__cause__
    assert isinstance(inner, FlowError) and inner.flow == "Inner" and inner.step == "explode"


def test_cancelling_a_kickoff_cancels_its_async_steps_and_abandons_sync_ones() -> None:
    release = threading.Event()
    cancelled: list[str] = []

    class Slow(Flow):
        @start()
        def blocking(self) -> None:
            release.wait(WAIT)

        @start()
        async def waiting(self) -> None:
            try:
                await asyncio.sleep(WAIT)
            except asyncio.CancelledError:
                cancelled.append("waiting")
                raise

    async def main() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(Slow().kickoff_async(), 0.05)

    asyncio.run(main())
    release.set()  # the abandoned thread finishes; its result goes nowhere
    assert cancelled == ["waiting"]
