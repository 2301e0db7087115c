"""Delegation tools: who gets them, how coworkers are matched, what the coworker sees and returns."""

from __future__ import annotations

from crewkit import Agent, Crew, Task, tool
from crewkit._run.delegation import closest_role, match_coworker
from crewkit.events import AgentStarted, Event, ModelCallStarted, ToolCallStarted
from crewkit.llm import ModelResponse, Usage
from crewkit.testing import MockLLM, ScriptedLLM, call

ROLES = ["Data Analyst", "Risk Manager", "Risk"]


@tool
def quote(ticker: str) -> str:
    """Last price of a ticker."""
    return f"{ticker}: 101.5"


def test_a_coworker_is_matched_ignoring_case_spaces_and_quotes() -> None:
    assert match_coworker("  risk MANAGER ", ROLES) == "Risk Manager"
    assert match_coworker('"Data   Analyst"', ROLES) == "Data Analyst"
    assert match_coworker("`risk`", ROLES) == "Risk"


def test_a_role_followed_by_a_description_matches_the_longest_role() -> None:
    assert match_coworker("Risk Manager (the one who sizes positions)", ROLES) == "Risk Manager"
    assert match_coworker("Data Analyst - market data", ROLES) == "Data Analyst"
    assert match_coworker("Riskiest", ROLES) is None
    assert match_coworker("Manager", ROLES) is None


def test_the_closest_role_is_named_for_a_miss() -> None:
    assert closest_role("Data Analist", ROLES) == "Data Analyst"
    assert closest_role("risk manger", ROLES) == "Risk Manager"


def sequential_pair(
    lead_llm: ScriptedLLM, helper_llm: ScriptedLLM, *, allow: bool = True
) -> tuple[Crew, Agent, Agent]:
    lead = Agent(
        role="Lead", goal="Decide", backstory="You decide.", allow_delegation=allow, llm=lead_llm
    )
    helper = Agent(
        role="Quant", goal="Compute", backstory="You compute.", tools=[quote], llm=helper_llm
    )
    task = Task("Price IBM", "A price", agent=lead, name="price")
    return Crew(agents=[lead, helper], tasks=[task]), lead, helper


def test_an_agent_allowed_to_delegate_gets_both_tools_over_the_others_only() -> None:
    lead_llm = ScriptedLLM(["done"])
    crew, _, _ = sequential_pair(lead_llm, ScriptedLLM([]))
    crew.kickoff()
    tools = {t.name: t for t in lead_llm.requests[0].tools}
    assert list(tools) == ["delegate_work_to_coworker", "ask_question_to_coworker"]
    assert tools["delegate_work_to_coworker"].parameters == {
        "type": "object",
        "properties": {
            "task": {"type": "string"},
            "context": {"type": "string", "default": ""},
            "coworker": {"type": "string", "enum": ["Quant"]},
        },
        "required": ["task", "coworker"],
        "additionalProperties": False,
    }
    assert tools["ask_question_to_coworker"].parameters["properties"]["coworker"]["enum"] == [
        "Quant"
    ]


def test_an_agent_not_allowed_to_delegate_gets_no_delegation_tools() -> None:
    lead_llm = ScriptedLLM(["done"])
    crew, _, _ = sequential_pair(lead_llm, ScriptedLLM([]), allow=False)
    crew.kickoff()
    assert lead_llm.requests[0].tools == ()


def test_delegated_work_runs_the_coworkers_own_loop_and_returns_its_answer() -> None:
    lead_llm = ScriptedLLM(
        [
            call(
                "delegate_work_to_coworker", task="Quote IBM", context="Use USD", coworker="quant"
            ),
            "IBM trades at 101.5",
        ]
    )
    helper_llm = ScriptedLLM([call("quote", ticker="IBM"), "IBM: 101.5 USD"])
    crew, _, _ = sequential_pair(lead_llm, helper_llm)
    out = crew.kickoff()

    assert out.raw == "IBM trades at 101.5"
    assert [(m.role, m.content) for m in helper_llm.requests[0].messages] == [
        (
            "system",
            "You are Quant. You compute.\nYour goal: Compute\n\n"
            "Use your tools when they help. When you are done, reply with your complete final "
            "answer as plain text.",
        ),
        ("user", "Quote IBM\n\nContext: Use USD"),
    ]
    assert [t.name for t in helper_llm.requests[0].tools] == ["quote"]
    assert helper_llm.requests[0].metadata == {"agent": "Quant", "task": "price"}
    assert lead_llm.requests[1].messages[-1].content == "IBM: 101.5 USD"
    lead_llm.assert_complete()
    helper_llm.assert_complete()


def test_a_misspelled_coworker_becomes_an_observation_and_the_agent_recovers() -> None:
    lead_llm = ScriptedLLM(
        [
            call("delegate_work_to_coworker", task="Quote IBM", coworker="Qaunt analyst"),
            call("delegate_work_to_coworker", task="Quote IBM", coworker="Quant"),
            "101.5",
        ]
    )
    helper_llm = ScriptedLLM(["101.5"])
    crew, _, _ = sequential_pair(lead_llm, helper_llm)
    out = crew.kickoff()

    assert lead_llm.requests[1].messages[-1].content == (
        'There is no coworker "Qaunt analyst". Did you mean "Quant"? Coworkers: Quant.'
    )
    assert out.raw == "101.5"
    assert out.tasks_output[0].forced is False
    helper_llm.assert_complete()


def test_the_question_tool_asks_and_returns_the_answer() -> None:
    lead_llm = ScriptedLLM(
        [
            call(
                "ask_question_to_coworker",
                question="Is IBM liquid?",
                context="Daily volume 4M",
                coworker="Quant",
            ),
            "Yes, liquid enough.",
        ]
    )
    helper_llm = ScriptedLLM(["Yes: 4M shares a day is liquid."])
    crew, _, _ = sequential_pair(lead_llm, helper_llm)
    crew.kickoff()

    assert helper_llm.requests[0].messages[1].content == (
        "Answer this question from a coworker: Is IBM liquid?\n\nContext: Daily volume 4M"
    )
    assert lead_llm.requests[1].messages[-1].content == "Yes: 4M shares a day is liquid."


def test_delegating_to_oneself_is_refused_and_the_final_answer_demanded() -> None:
    lead_llm = ScriptedLLM(
        [call("delegate_work_to_coworker", task="Price IBM", coworker="Lead"), "I priced it: 101"]
    )
    helper_llm = ScriptedLLM([])
    crew, _, _ = sequential_pair(lead_llm, helper_llm)
    out = crew.kickoff()

    last = lead_llm.requests[1]
    assert last.tools == ()
    assert [(m.role, m.content) for m in last.messages[-2:]] == [
        ("tool", "Not delegated: you are Lead, so do this part yourself."),
        (
            "user",
            "Do not use any more tools. Give your best final answer now, based on what you have.",
        ),
    ]
    assert out.raw == "I priced it: 101"
    assert out.tasks_output[0].forced is True
    assert len(lead_llm.requests) == 2 and helper_llm.requests == []


def test_delegation_works_over_the_text_protocol() -> None:
    lead_llm = ScriptedLLM(
        [
            'Action: delegate_work_to_coworker\nAction Input: {"task": "Quote IBM", '
            '"coworker": "Quant"}',
            "Final Answer: 101.5",
        ],
        native_tools=False,
    )
    helper_llm = ScriptedLLM(["Final Answer: IBM is 101.5"], native_tools=False)
    crew, _, _ = sequential_pair(lead_llm, helper_llm)
    out = crew.kickoff()

    system = lead_llm.requests[0].messages[0].content
    assert "- delegate_work_to_coworker: Give a coworker a task; returns their result." in system
    assert '"coworker": {"type": "string", "enum": ["Quant"]}' in system
    assert lead_llm.requests[1].messages[-1].content == "Observation: IBM is 101.5"
    assert out.raw == "101.5"


def test_a_refusal_over_the_text_protocol_keeps_roles_alternating() -> None:
    lead_llm = ScriptedLLM(
        [
            'Action: delegate_work_to_coworker\nAction Input: {"task": "x", "coworker": "Lead"}',
            "Final Answer: done myself",
        ],
        native_tools=False,
    )
    crew, _, _ = sequential_pair(lead_llm, ScriptedLLM([], native_tools=False))
    out = crew.kickoff()

    roles = [m.role for m in lead_llm.requests[1].messages]
    assert roles == ["system", "user", "assistant", "user"]
    assert lead_llm.requests[1].messages[-1].content == (
        "Observation: Not delegated: you are Lead, so do this part yourself.\n\n"
        "Do not use any more tools. Give your best final answer now, based on what you have."
    )
    assert out.raw == "done myself"


def test_delegated_work_nests_under_the_tool_call_and_usage_goes_to_the_coworker() -> None:
    seen: list[Event] = []
    lead_llm = ScriptedLLM(
        [
            ModelResponse(
                tool_calls=(call("delegate_work_to_coworker", task="Quote", coworker="Quant"),),
                usage=Usage(100, 10),
            ),
            ModelResponse(text="101.5", usage=Usage(200, 20)),
        ]
    )
    helper_llm = ScriptedLLM([ModelResponse(text="IBM 101.5", usage=Usage(30, 3))])
    crew, _, _ = sequential_pair(lead_llm, helper_llm)
    crew.listeners = [seen.append]
    out = crew.kickoff()

    delegation = next(e for e in seen if isinstance(e, ToolCallStarted))
    coworker = next(e for e in seen if isinstance(e, AgentStarted) and e.agent_role == "Quant")
    coworker_call = next(
        e for e in seen if isinstance(e, ModelCallStarted) and e.agent_role == "Quant"
    )
    assert coworker.parent_id == delegation.span_id
    assert coworker_call.parent_id == coworker.span_id
    assert out.usage_by_agent == {"Lead": Usage(300, 30, 2), "Quant": Usage(30, 3, 1)}
    assert out.tasks_output[0].token_usage == Usage(330, 33, 3)
    assert out.token_usage == Usage(330, 33, 3)


def test_the_mock_model_delegates_to_every_coworker_deterministically() -> None:
    def build() -> Crew:
        lead = Agent(role="Lead", goal="g", backstory="b", allow_delegation=True)
        a = Agent(role="Alpha", goal="g", backstory="b", tools=[quote])
        b = Agent(role="Beta", goal="g", backstory="b")
        return Crew(agents=[lead, a, b], tasks=[Task("t", "x", agent=lead)], llm=MockLLM())

    first, second = build().kickoff(), build().kickoff()
    assert first.to_dict() == second.to_dict()
    assert first.raw.splitlines()[1:] == [
        "- delegate_work_to_coworker returned: Alpha completed: Task 1: t - quote returned: "
        "sample ticker: 101.5",
        "- delegate_work_to_coworker returned: Beta completed: Task 1: t",
        "- ask_question_to_coworker returned: Alpha completed: Task 1: t - quote returned: "
        "sample ticker: 101.5",
        "- ask_question_to_coworker returned: Beta completed: Task 1: t",
    ]
    assert first.usage_by_agent["Alpha"].requests == 4
    assert first.usage_by_agent["Beta"].requests == 2
