"""Mistakes in a flow class fail when the class is defined, naming the step and what would be right."""

from __future__ import annotations

from typing import Any, Literal

import pytest

from crewkit.errors import ConfigurationError, FlowDefinitionError
from crewkit.flow import Flow, and_, listen, or_, persist, router, start


def test_listening_to_a_step_that_does_not_exist() -> None:
    with pytest.raises(FlowDefinitionError) as caught:

        class Leads(Flow):
            @start()
            def load_leads(self) -> None: ...

            @listen("load_lead")
            def score(self) -> None: ...

    error = caught.value
    assert str(error) == (
        "Leads.score listens to 'load_lead', which is neither a step of Leads nor a label one of "
        "its routers returns (did you mean 'load_leads'?)"
    )
    assert (error.flow, error.step) == ("Leads", "score")
    assert isinstance(error, ConfigurationError)


def test_a_router_label_nobody_listens_to() -> None:
    with pytest.raises(FlowDefinitionError) as caught:

        class Review(Flow):
            @start()
            def draft(self) -> None: ...

            @router(draft)
            def review(self) -> str:
                if self.state:
                    return "approve"
                return "aprove_later"

            @listen("approve")
            def publish(self) -> None: ...

    assert str(caught.value) == (
        "Review.review can return 'aprove_later', but no step listens to it: add "
        "@listen('aprove_later') to the step that should run next, or return None to end this "
        "branch (did you mean 'approve'?)"
    )
    assert caught.value.step == "review"


def test_labels_declared_by_a_literal_annotation_are_checked_too() -> None:
    with pytest.raises(FlowDefinitionError, match=r"Triage\.route can return 'spam', but no step"):

        class Triage(Flow):
            @start()
            def fetch(self) -> None: ...

            @router(fetch)
            def route(self) -> Literal["reply", "spam"]:
                return "reply"

            @listen("reply")
            def answer(self) -> None: ...


def test_a_flow_without_a_start_step() -> None:
    with pytest.raises(FlowDefinitionError) as caught:

        class NoStart(Flow):
            @listen("nothing")
            def orphan(self) -> None: ...

    assert "NoStart has no @start() step, so nothing would run" in str(caught.value)


def test_a_step_listening_to_its_own_name() -> None:
    with pytest.raises(
        FlowDefinitionError,
        match=r"Loop\.again listens to 'again', its own name: each time it finishes",
    ):

        class Loop(Flow):
            @start()
            def begin(self) -> None: ...

            @listen(or_(begin, "again"))
            def again(self) -> None: ...


def test_a_router_returning_its_own_name() -> None:
    # lead-score-flow's router returns its own name on a wrong answer, which nobody listens to
    with pytest.raises(FlowDefinitionError) as caught:

        class Ask(Flow):
            @start()
            def score(self) -> None: ...

            @router(score)
            def human_in_the_loop(self) -> str:
                if self.state:
                    return "generate_emails"
                return "human_in_the_loop"

            @listen("generate_emails")
            def write(self) -> None: ...

    assert str(caught.value).startswith(
        "Ask.human_in_the_loop returns its own name 'human_in_the_loop' as a label; that does not "
        "run it again"
    )


def test_a_router_label_that_is_another_steps_name() -> None:
    with pytest.raises(FlowDefinitionError) as caught:

        class Shadow(Flow):
            @start()
            def draft(self) -> None: ...

            @router(draft)
            def review(self) -> str:
                return "publish"

            @listen(review)
            def publish(self) -> None: ...

    assert str(caught.value) == (
        "Shadow.review returns the label 'publish', which is also the name of the step "
        "Shadow.publish; a listener could not tell one from the other: rename the label"
    )


def test_a_conditional_start_waiting_for_a_label_nothing_emits() -> None:
    # email_auto_responder_flow's @start("wait_next_run"): no router returns that label
    with pytest.raises(FlowDefinitionError) as caught:

        class Inbox(Flow):
            @start("wait_next_run")
            def fetch_new_emails(self) -> None: ...

            @listen(fetch_new_emails)
            def draft(self) -> None: ...

    assert str(caught.value).startswith(
        "Inbox.fetch_new_emails waits for 'wait_next_run', which is neither a step of Inbox nor a "
        "label one of its routers returns"
    )


def test_a_step_that_can_never_run() -> None:
    with pytest.raises(FlowDefinitionError) as caught:

        class Stuck(Flow):
            @start()
            def begin(self) -> None: ...

            @listen(and_(begin, "late"))
            def join(self) -> None: ...

            @listen(join)
            def late(self) -> None: ...

    assert str(caught.value) == (
        "Stuck.join can never run: it waits for and_('begin', 'late'), which nothing that runs sets off"
    )


def test_a_trigger_that_is_not_a_step_label_or_condition() -> None:
    with pytest.raises(FlowDefinitionError, match=r"F.after: listen\(42\): a trigger is a step"):

        class F(Flow):
            @start()
            def begin(self) -> None: ...

            @listen(42)  # type: ignore[arg-type]
            def after(self) -> None: ...


def test_a_step_that_needs_two_arguments() -> None:
    with pytest.raises(FlowDefinitionError, match=r"F.after requires 2 arguments \(a, b\)"):

        class F(Flow):
            @start()
            def begin(self) -> None: ...

            @listen(begin)
            def after(self, a: Any, b: Any) -> None: ...


def test_a_start_step_that_needs_an_argument() -> None:
    with pytest.raises(
        FlowDefinitionError, match=r"F\.begin is a start step but requires an argument"
    ):

        class F(Flow):
            @start()
            def begin(self, payload: Any) -> None: ...


def test_a_router_without_a_trigger() -> None:
    with pytest.raises(FlowDefinitionError, match=r"F.route: @router\(\) needs a trigger"):

        class F(Flow):
            @start()
            def begin(self) -> None: ...

            @router()
            def route(self) -> None: ...


def test_two_listen_decorators_on_one_step() -> None:
    with pytest.raises(FlowDefinitionError, match="a step has one trigger: combine them with or_"):

        class F(Flow):
            @start()
            def a(self) -> None: ...

            @start()
            def b(self) -> None: ...

            @listen(a)
            @listen(b)
            def both(self) -> None: ...


def test_persist_on_a_method_that_is_not_a_step() -> None:
    with pytest.raises(FlowDefinitionError, match=r"F\.helper has @persist but is not a step"):

        class F(Flow):
            @start()
            def begin(self) -> None: ...

            @persist
            def helper(self) -> None: ...


def test_a_generator_step() -> None:
    with pytest.raises(FlowDefinitionError, match="a flow step returns its result; it cannot be a"):

        class F(Flow):
            @start()
            def begin(self) -> Any:
                yield 1


def test_an_initial_state_of_the_wrong_kind() -> None:
    class F(Flow):
        initial_state = 42

        @start()
        def begin(self) -> None: ...

    with pytest.raises(FlowDefinitionError, match=r"F\.initial_state must be a pydantic model"):
        F()


def test_a_subclass_is_checked_with_the_steps_it_inherits() -> None:
    class Base(Flow):
        @start()
        def begin(self) -> None: ...

    with pytest.raises(FlowDefinitionError, match=r"Child\.extra listens to 'begn'"):

        class Child(Base):
            @listen("begn")
            def extra(self) -> None: ...


def test_a_flow_class_without_steps_is_refused_at_kickoff() -> None:
    class Empty(Flow):
        pass

    with pytest.raises(FlowDefinitionError, match="Empty has no steps"):
        Empty().kickoff()
