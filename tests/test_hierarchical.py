"""The hierarchical process: the manager's prompt, delegation, review, loop guards and usage."""

from __future__ import annotations

import itertools

import pytest

from crewkit import Agent, Crew, Process, Task, tool
from crewkit.errors import ConfigurationError
from crewkit.llm import ModelRequest, ModelResponse, Usage
from crewkit.testing import FunctionLLM, MockLLM, Reply, ScriptedLLM, call

DELEGATE = "delegate_work_to_coworker"


@tool
def search(query: str) -> str:
    """Search the web."""
    return f"results for {query}"


def crew_of(
    manager: ScriptedLLM | FunctionLLM,
    researcher_llm: ScriptedLLM | FunctionLLM | None = None,
    writer_llm: ScriptedLLM | FunctionLLM | None = None,
    *,
    preferred: str | None = None,
    **crew_options: object,
) -> Crew:
    researcher = Agent(
        role="Researcher",
        goal="Find facts",
        backstory="You check sources.",
        tools=[search],
        llm=researcher_llm or ScriptedLLM([]),
    )
    writer = Agent(
        role="Writer",
        goal="Write clearly",
        backstory="You write.",
        llm=writer_llm or ScriptedLLM([]),
    )
    agent = {"Researcher": researcher, "Writer": writer}.get(preferred or "")
    task = Task("Write about tea", "One paragraph", agent=agent, name="tea")
    return Crew(
        agents=[researcher, writer],
        tasks=[task],
        process=Process.hierarchical,
        manager_llm=manager,
        **crew_options,  # type: ignore[arg-type]
    )


def test_the_manager_receives_the_task_the_roster_and_the_delegation_tools() -> None:
    manager = ScriptedLLM(["Tea is good."])
    crew_of(manager).kickoff()

    (request,) = manager.requests
    assert [(m.role, m.content) for m in request.messages] == [
        (
            "system",
            "You are Crew Manager. You lead a team of specialists and answer for the quality of "
            "their work.\nYour goal: Get each task done well by the right coworkers\n\n"
            "Your coworkers:\n"
            "- Researcher: Find facts (tools: search)\n"
            "- Writer: Write clearly\n"
            "Delegate the work, check each answer against the expected output and delegate again "
            "with corrections if it falls short. Then give the final answer yourself: the complete "
            "result, not a report on who did what.\n\n"
            "Use your tools when they help. When you are done, reply with your complete final "
            "answer as plain text.",
        ),
        ("user", "Write about tea\n\nExpected output: One paragraph"),
    ]
    assert [t.name for t in request.tools] == [DELEGATE, "ask_question_to_coworker"]
    assert request.tools[0].parameters["properties"]["coworker"]["enum"] == [
        "Researcher",
        "Writer",
    ]


def test_a_task_that_names_an_agent_tells_the_manager_it_is_preferred() -> None:
    manager = ScriptedLLM(["ok"])
    crew_of(manager, preferred="Writer").kickoff()
    system = manager.requests[0].messages[0].content
    assert "- Writer: Write clearly\nPreferred for this task: Writer.\nDelegate the work" in system


def test_the_manager_delegates_to_the_right_worker_and_gives_the_final_answer() -> None:
    manager = ScriptedLLM(
        [call(DELEGATE, task="Write one paragraph on tea", coworker="Writer"), "Tea soothes."]
    )
    writer = ScriptedLLM(["Tea soothes and warms."])
    researcher = ScriptedLLM([])
    out = crew_of(manager, researcher, writer).kickoff()

    assert writer.requests[0].messages[1].content == "Write one paragraph on tea"
    assert researcher.requests == []
    assert manager.requests[1].messages[-1].content == "Tea soothes and warms."
    assert out.raw == "Tea soothes."
    assert out.tasks_output[0].agent == "Crew Manager"
    manager.assert_complete()
    writer.assert_complete()


def test_the_manager_can_delegate_again_with_corrections() -> None:
    manager = ScriptedLLM(
        [
            call(DELEGATE, task="Write on tea", coworker="Writer"),
            call(DELEGATE, task="Write on tea, shorter", context="Too long", coworker="Writer"),
            "Short tea text.",
        ]
    )
    writer = ScriptedLLM(["A very long text", "Short tea text."])
    out = crew_of(manager, writer_llm=writer).kickoff()
    assert writer.requests[1].messages[1].content == "Write on tea, shorter\n\nContext: Too long"
    assert out.raw == "Short tea text."
    writer.assert_complete()


def test_a_custom_manager_may_use_its_own_tools_besides_delegating() -> None:
    @tool
    def calendar() -> str:
        """Today's date."""
        return "2024-05-01"

    boss_llm = ScriptedLLM([call("calendar"), "Dated 2024-05-01."])
    boss = Agent(role="Editor", goal="Ship", backstory="You edit.", tools=[calendar], llm=boss_llm)
    worker = Agent(role="Writer", goal="Write", backstory="You write.", llm=ScriptedLLM([]))
    crew = Crew(
        agents=[worker],
        tasks=[Task("Date the issue", "A date")],
        process=Process.hierarchical,
        manager_agent=boss,
    )
    out = crew.kickoff()
    assert [t.name for t in boss_llm.requests[0].tools] == [
        DELEGATE,
        "ask_question_to_coworker",
        "calendar",
    ]
    system = boss_llm.requests[0].messages[0].content
    assert system.startswith(
        "You are Editor. You edit.\nYour goal: Ship\n\nYour coworkers:\n- Writer: Write\n"
    )
    assert out.raw == "Dated 2024-05-01." and out.tasks_output[0].agent == "Editor"


def test_a_manager_agent_without_a_model_uses_manager_llm_then_the_crews() -> None:
    manager_llm = ScriptedLLM(["from manager_llm"])
    boss = Agent(role="Editor", goal="Ship", backstory="You edit.")
    worker = Agent(role="Writer", goal="Write", backstory="You write.")
    crew = Crew(
        agents=[worker],
        tasks=[Task("t", "x")],
        process=Process.hierarchical,
        manager_agent=boss,
        manager_llm=manager_llm,
        llm=ScriptedLLM([]),
    )
    assert crew.kickoff().raw == "from manager_llm"

    crew_llm = ScriptedLLM(["from the crew's llm"])
    crew = Crew(
        agents=[worker],
        tasks=[Task("t", "x")],
        process=Process.hierarchical,
        manager_agent=boss,
        llm=crew_llm,
    )
    assert crew.kickoff().raw == "from the crew's llm"


def test_usage_is_counted_per_manager_and_per_coworker_exactly_once() -> None:
    manager = ScriptedLLM(
        [
            ModelResponse(tool_calls=(call(DELEGATE, task="r", coworker="Researcher"),), usage=Usage(100, 10)),
            ModelResponse(tool_calls=(call(DELEGATE, task="w", coworker="Writer"),), usage=Usage(200, 20)),
            ModelResponse(text="final", usage=Usage(300, 30)),
        ]
    )  # fmt: skip
    researcher = ScriptedLLM(
        [
            ModelResponse(tool_calls=(call("search", query="tea"),), usage=Usage(10, 1)),
            ModelResponse(text="facts", usage=Usage(20, 2)),
        ]
    )
    writer = ScriptedLLM([ModelResponse(text="text", usage=Usage(40, 4))])
    out = crew_of(manager, researcher, writer).kickoff()

    assert out.usage_by_agent == {
        "Crew Manager": Usage(600, 60, 3),
        "Researcher": Usage(30, 3, 2),
        "Writer": Usage(40, 4, 1),
    }
    assert out.token_usage == Usage(670, 67, 6)
    assert out.tasks_output[0].token_usage == Usage(670, 67, 6)


def test_each_task_of_a_hierarchical_crew_receives_the_earlier_outputs() -> None:
    manager = ScriptedLLM(["facts: tea has caffeine", "an article"])
    worker = Agent(role="Writer", goal="Write", backstory="You write.", llm=ScriptedLLM([]))
    crew = Crew(
        agents=[worker],
        tasks=[Task("Collect facts", "Facts", name="facts"), Task("Write", "Article")],
        process=Process.hierarchical,
        manager_llm=manager,
    )
    out = crew.kickoff()
    assert manager.requests[1].messages[1].content == (
        "Write\n\nExpected output: Article\n\nContext from earlier tasks:\n\n"
        "## facts\nfacts: tea has caffeine"
    )
    assert [t.raw for t in out.tasks_output] == ["facts: tea has caffeine", "an article"]


# --- Loop guards: every scenario ends in an exact, bounded number of model calls. ---


def forever(request: ModelRequest) -> Reply:
    """A manager that delegates a new variant every time it may, and answers only when it must."""
    if not request.tools:
        return "final answer under protest"
    step = sum(1 for m in request.messages if m.role == "assistant")
    return call(DELEGATE, task=f"attempt {step}", coworker="Writer")


def echo_worker() -> FunctionLLM:
    return FunctionLLM(lambda request: f"done: {request.messages[-1].content}")


def test_a_manager_that_would_delegate_forever_stops_at_the_default_budget() -> None:
    manager, writer = FunctionLLM(forever), echo_worker()
    out = crew_of(manager, writer_llm=writer).kickoff()

    # 10 delegations run; the 11th is refused; one last call without tools gives the answer.
    assert len(manager.requests) == 12
    assert len(writer.requests) == 10
    assert manager.requests[-1].tools == ()
    refusal = manager.requests[-1].messages[-2]
    assert (refusal.role, refusal.content) == (
        "tool",
        "Not delegated: you have used all 10 delegations allowed for this task.",
    )
    assert out.raw == "final answer under protest"
    assert out.tasks_output[0].forced is True


def test_max_delegations_sets_the_budget_per_task() -> None:
    manager, writer = FunctionLLM(forever), echo_worker()
    crew = crew_of(manager, writer_llm=writer, max_delegations=2)
    crew.tasks = [*crew.tasks, Task("Second task", "x", name="second")]
    crew.kickoff()
    # Per task: 2 delegations, 1 refused attempt, 1 forced answer = 4 manager calls, 2 worker calls.
    assert len(manager.requests) == 8
    assert len(writer.requests) == 4


def test_the_same_delegation_repeated_is_refused_with_the_earlier_answer() -> None:
    manager = ScriptedLLM(
        [
            call(DELEGATE, task="Write on tea", context="short", coworker="Writer"),
            call(DELEGATE, task="  write ON tea ", context="Short", coworker='"writer"'),
            "final",
        ]
    )
    writer = ScriptedLLM(["tea text"])
    out = crew_of(manager, writer_llm=writer).kickoff()

    assert len(manager.requests) == 3 and len(writer.requests) == 1
    assert manager.requests[2].tools == ()
    assert manager.requests[2].messages[-2].content == (
        "Not delegated: you already gave Writer this exact task. Their answer was:\ntea text"
    )
    assert out.tasks_output[0].forced is True


def test_the_manager_cannot_delegate_to_itself() -> None:
    manager = ScriptedLLM([call(DELEGATE, task="Write", coworker="crew manager"), "I wrote it"])
    out = crew_of(manager).kickoff()
    assert len(manager.requests) == 2
    assert manager.requests[1].messages[-2].content == (
        "Not delegated: you are Crew Manager, so do this part yourself."
    )
    assert out.raw == "I wrote it"


def test_a_manager_that_keeps_naming_nobody_stops_at_its_max_iter() -> None:
    def lost(request: ModelRequest) -> Reply:
        return call(DELEGATE, task="x", coworker="Nobody") if request.tools else "gave up"

    manager = FunctionLLM(lost)
    boss = Agent(role="Boss", goal="g", backstory="b", llm=manager, max_iter=4)
    worker = Agent(role="Writer", goal="w", backstory="b", llm=ScriptedLLM([]))
    crew = Crew(
        agents=[worker], tasks=[Task("t", "x")], process=Process.hierarchical, manager_agent=boss
    )
    out = crew.kickoff()
    assert len(manager.requests) == 5  # max_iter calls, then one demanded final answer
    assert manager.requests[1].messages[-1].content == (
        'There is no coworker "Nobody". Did you mean "Writer"? Coworkers: Writer.'
    )
    assert out.raw == "gave up" and out.tasks_output[0].forced is True


def test_parallel_delegations_in_one_reply_count_against_the_budget() -> None:
    manager = ScriptedLLM(
        [
            [
                call(DELEGATE, task="a", coworker="Writer"),
                call(DELEGATE, task="b", coworker="Writer"),
                call(DELEGATE, task="c", coworker="Researcher"),
            ],
            "final",
        ]
    )
    writer, researcher = echo_worker(), echo_worker()
    crew_of(manager, researcher, writer, max_delegations=2).kickoff()
    assert len(writer.requests) == 2 and researcher.requests == []
    assert manager.requests[1].tools == ()  # the third call was refused: the answer is demanded
    assert len(manager.requests) == 2


# --- The mock model runs hierarchical crews end to end. ---


def test_on_the_mock_model_the_manager_exercises_every_worker_and_their_tools() -> None:
    calls: list[str] = []

    def make_tool(name: str) -> object:
        def fn(ticker: str) -> str:
            calls.append(name)
            return f"{name} for {ticker}"

        fn.__name__ = name
        fn.__doc__ = f"The {name} of a ticker."
        return tool(fn)

    roles = ["Data Analyst", "Strategy Developer", "Execution Planner", "Risk Manager"]
    agents = [
        Agent(role=r, goal=f"Do {r} work", backstory="b", tools=[make_tool(f"tool_{i}")])
        for i, r in enumerate(roles)
    ]

    def run() -> str:
        calls.clear()
        crew = Crew(
            agents=agents,
            tasks=[Task("Assess {stock}", "A report")],
            process=Process.hierarchical,
            manager_llm=MockLLM(),
            llm=MockLLM(),
        )
        out = crew.kickoff(inputs={"stock": "AAPL"})
        assert set(out.usage_by_agent) == {"Crew Manager", *roles}
        return repr(out.to_dict())

    first = run()
    assert sorted(set(calls)) == ["tool_0", "tool_1", "tool_2", "tool_3"]
    assert run() == first


# --- Bad input fails at Crew(...). ---


def _agents() -> list[Agent]:
    return [Agent(role="Writer", goal="g", backstory="b")]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "a hierarchical crew needs a manager: pass Crew(manager_llm="),
        ({"agents": [], "manager_llm": "mock"}, "needs agents for the manager to delegate to"),
        ({"manager_llm": "mock", "max_delegations": 0}, "max_delegations must be an integer"),
        ({"manager_llm": 3}, "Crew.manager_llm must be a model object, a model string"),
        ({"manager_agent": "boss"}, "Crew.manager_agent must be an Agent"),
    ],
)
def test_bad_hierarchical_definitions_fail_at_crew(
    options: dict[str, object], message: str
) -> None:
    settings: dict[str, object] = {
        "agents": _agents(),
        "tasks": [Task("t", "x")],
        "process": "hierarchical",
        **options,
    }
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(")):
        Crew(**settings)  # type: ignore[arg-type]


def test_a_manager_that_is_also_in_agents_is_refused() -> None:
    boss = Agent(role="Boss", goal="g", backstory="b")
    with pytest.raises(
        ConfigurationError, match=r"Crew\.manager_agent Agent\(role='Boss'\) is also"
    ):
        Crew(
            agents=[boss, *_agents()],
            tasks=[Task("t", "x")],
            process="hierarchical",
            manager_agent=boss,
        )


def test_a_worker_with_the_managers_role_is_refused() -> None:
    twin = Agent(role="crew manager", goal="g", backstory="b")
    with pytest.raises(ConfigurationError, match="with the manager's role 'Crew Manager'"):
        Crew(agents=[twin], tasks=[Task("t", "x")], process="hierarchical", manager_llm="mock")


def test_a_manager_on_a_sequential_crew_is_refused() -> None:
    writer = _agents()[0]
    with pytest.raises(ConfigurationError, match="only apply to process='hierarchical'"):
        Crew(agents=[writer], tasks=[Task("t", "x", agent=writer)], manager_llm="mock")


def test_a_hierarchical_task_needs_no_agent_but_a_named_one_must_be_in_the_crew() -> None:
    outsider = Agent(role="Outsider", goal="g", backstory="b")
    with pytest.raises(ConfigurationError, match=r"which is not in Crew\.agents"):
        Crew(
            agents=_agents(),
            tasks=[Task("t", "x", agent=outsider)],
            process="hierarchical",
            manager_llm="mock",
        )


def test_missing_inputs_in_the_manager_agent_are_reported_before_any_call() -> None:
    from crewkit.errors import MissingInputError

    llm = ScriptedLLM([])
    boss = Agent(role="Boss", goal="Manage {market}", backstory="b", llm=llm)
    crew = Crew(
        agents=_agents(), tasks=[Task("t", "x")], process="hierarchical", manager_agent=boss
    )
    with pytest.raises(MissingInputError, match="market"):
        crew.kickoff()
    assert llm.requests == []


def test_verbose_shows_manager_then_coworker_then_its_tools(
    capsys: pytest.CaptureFixture[str],
) -> None:
    manager = ScriptedLLM([call(DELEGATE, task="Find tea facts", coworker="Researcher"), "done"])
    researcher = ScriptedLLM([call("search", query="tea"), "facts"])
    crew_of(manager, researcher, verbose=True).kickoff()
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    depth = {
        key: next(i for i, line in enumerate(lines) if key in line)
        for key in ("Crew Manager", "delegates to Researcher: Find tea facts", "tool search")
    }
    indent = {k: len(lines[i]) - len(lines[i].lstrip("│├└─ ")) for k, i in depth.items()}
    assert (
        depth["Crew Manager"]
        < depth["delegates to Researcher: Find tea facts"]
        < depth["tool search"]
    )
    assert (
        indent["Crew Manager"]
        < indent["delegates to Researcher: Find tea facts"]
        < indent["tool search"]
    )


def test_runs_do_not_share_guard_state() -> None:
    counter = itertools.count()
    writer = FunctionLLM(lambda request: f"w{next(counter)}")
    manager = ScriptedLLM(
        [
            call(DELEGATE, task="x", coworker="Writer"),
            "a",
            call(DELEGATE, task="x", coworker="Writer"),
            "b",
        ]
    )
    crew = crew_of(manager, writer_llm=writer, max_delegations=1)
    assert crew.kickoff().raw == "a"
    assert crew.kickoff().raw == "b"  # the same delegation in a new run is not a repeat
    assert len(writer.requests) == 2


def test_delegation_events_nest_task_manager_call_coworker() -> None:
    from crewkit.events import AgentStarted, Event, TaskStarted, ToolCallStarted

    seen: list[Event] = []
    manager = ScriptedLLM([call(DELEGATE, task="Find facts", coworker="Researcher"), "done"])
    researcher = ScriptedLLM([call("search", query="tea"), "facts"])
    crew_of(manager, researcher, listeners=[seen.append]).kickoff()

    task = next(e for e in seen if isinstance(e, TaskStarted))
    boss, worker = (e for e in seen if isinstance(e, AgentStarted))
    delegation, search_call = (e for e in seen if isinstance(e, ToolCallStarted))
    assert (task.agent_role, boss.agent_role, worker.agent_role) == (
        "Crew Manager",
        "Crew Manager",
        "Researcher",
    )
    assert boss.parent_id == task.span_id
    assert delegation.parent_id == boss.span_id and delegation.agent_role == "Crew Manager"
    assert worker.parent_id == delegation.span_id
    assert search_call.parent_id == worker.span_id and search_call.agent_role == "Researcher"


def test_a_coworker_allowed_to_delegate_does_not_delegate_delegated_work() -> None:
    manager = ScriptedLLM([call(DELEGATE, task="Write", coworker="Writer"), "done"])
    writer_llm = ScriptedLLM(["text"])
    writer = Agent(role="Writer", goal="w", backstory="b", allow_delegation=True, llm=writer_llm)
    other = Agent(role="Editor", goal="e", backstory="b", llm=ScriptedLLM([]))
    Crew(
        agents=[writer, other],
        tasks=[Task("t", "x")],
        process=Process.hierarchical,
        manager_llm=manager,
    ).kickoff()
    assert writer_llm.requests[0].tools == ()


def test_task_features_apply_to_the_managers_final_answer() -> None:
    from pydantic import BaseModel

    class Verdict(BaseModel):
        score: int

    def at_least_five(output: object) -> tuple[bool, object]:
        score = output.pydantic.score  # type: ignore[attr-defined]
        return (True, output) if score >= 5 else (False, "Too low: ask the Writer again.")

    manager = ScriptedLLM(
        [
            call(DELEGATE, task="Score tea", coworker="Writer"),
            '{"score": 2}',
            call(DELEGATE, task="Score tea again, generously", coworker="Writer"),
            '{"score": 8}',
        ]
    )
    writer = ScriptedLLM(["2", "8"])
    researcher = Agent(role="Researcher", goal="g", backstory="b", llm=ScriptedLLM([]))
    scribe = Agent(role="Writer", goal="w", backstory="b", llm=writer)
    seen: list[object] = []
    task = Task(
        "Score tea",
        "A score",
        output_pydantic=Verdict,
        guardrail=at_least_five,
        callback=seen.append,
    )
    out = Crew(
        agents=[researcher, scribe],
        tasks=[task],
        process=Process.hierarchical,
        manager_llm=manager,
    ).kickoff()

    assert out.pydantic == Verdict(score=8)
    assert manager.requests[0].response_schema is not None
    assert "Too low: ask the Writer again." in manager.requests[2].messages[-1].content
    assert len(writer.requests) == 2 and len(seen) == 1
    manager.assert_complete()


def test_a_coworkers_failing_model_fails_the_run_like_any_agents() -> None:
    from crewkit.errors import LLMError

    manager = ScriptedLLM([call(DELEGATE, task="Write", coworker="Writer"), "never reached"])
    writer = ScriptedLLM([ValueError("server melted")])
    with pytest.raises(LLMError, match="server melted"):
        crew_of(manager, writer_llm=writer).kickoff()
    assert len(manager.requests) == 1


def test_a_small_manager_gets_one_delegation_tool_and_only_the_tasks_own_agent() -> None:
    import dataclasses

    manager = ScriptedLLM(["ok"])
    manager.profile = dataclasses.replace(manager.profile, small=True)
    crew_of(manager, preferred="Writer").kickoff()

    (request,) = manager.requests
    [delegate] = request.tools
    assert delegate.name == DELEGATE
    properties = delegate.parameters["properties"]
    assert list(properties) == ["coworker", "task", "context"]
    assert properties["coworker"]["enum"] == ["Writer"]
    system = request.messages[0].content
    assert "- Writer: Write clearly\n" in system and "Researcher" not in system
