"""Models without native tool calls: the text protocol, parsed leniently."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from crewkit import tool
from crewkit.llm._text_protocol import Action, FinalAnswer, Unreadable, parse_reply
from crewkit.testing import ScriptedLLM
from tests.helpers import one_task_crew


@tool
def search(query: str) -> str:
    """Search the web."""
    return f"results for {query}"


def test_action_and_final_answer_round_trip_through_the_loop() -> None:
    llm = ScriptedLLM(
        [
            'Thought: look it up\nAction: search\nAction Input: {"query": "tea"}',
            "Thought: got it\nFinal Answer: Tea is a drink.",
        ],
        native_tools=False,
    )
    out = one_task_crew(llm, tools=[search]).kickoff()
    assert out.raw == "Tea is a drink."
    messages = llm.requests[1].messages
    assert messages[2].role == "assistant"
    assert messages[2].content.endswith('Action Input: {"query": "tea"}')
    assert messages[3].content == "Observation: results for tea"


def test_an_unreadable_reply_becomes_an_observation_and_the_model_retries() -> None:
    llm = ScriptedLLM(["Thought: hmm, let me think", "Final Answer: 5"], native_tools=False)
    out = one_task_crew(llm, tools=[search]).kickoff()
    assert out.raw == "5"
    assert (
        llm.requests[1]
        .messages[-1]
        .content.startswith(
            "I could not read your reply: it had a Thought but no Action and no Final Answer"
        )
    )


def test_plain_prose_is_accepted_as_the_final_answer() -> None:
    llm = ScriptedLLM(["The answer is 5."], native_tools=False)
    assert one_task_crew(llm, tools=[search]).kickoff().raw == "The answer is 5."


def test_plain_text_for_a_single_string_argument_tool_is_that_argument() -> None:
    llm = ScriptedLLM(
        ["Action: search\nAction Input: green tea", "Final Answer: ok"], native_tools=False
    )
    one_task_crew(llm, tools=[search]).kickoff()
    assert llm.requests[1].messages[-1].content == "Observation: results for green tea"


def test_imagined_observations_after_an_action_are_cut_off() -> None:
    reply = parse_reply(
        'Action: search\nAction Input: {"query": "x"}\nObservation: made up\nFinal Answer: wrong'
    )
    assert reply == Action(
        "search", {"query": "x"}, '{"query": "x"}', 'Action: search\nAction Input: {"query": "x"}'
    )


def test_decorated_and_misformatted_actions_are_understood() -> None:
    cases = {
        '**Action:** `search`\n**Action Input:** ```json\n{"query": "a"}\n```': (
            "search",
            {"query": "a"},
        ),
        "Action: [search]\nAction Input: {'query': 'b'}": ("search", {"query": "b"}),
        'action: search\naction_input: {"query": "c"} and then some words': (
            "search",
            {"query": "c"},
        ),
        'Action: search({"query": "d"})': ("search", {"query": "d"}),
        'Action: search {"query": "e"}': ("search", {"query": "e"}),
        "Action: search\nAction Input:": ("search", {}),
    }
    for text, (name, args) in cases.items():
        reply = parse_reply(text)
        assert isinstance(reply, Action), text
        assert (reply.tool, reply.arguments) == (name, args), text


def test_a_bare_json_call_counts_only_when_it_names_a_tool() -> None:
    call_text = '{"name": "search", "arguments": {"query": "q"}}'
    assert parse_reply(call_text, {"search"}) == Action(
        "search", {"query": "q"}, '{"query": "q"}', call_text
    )
    answer = '{"name": "Ada", "age": 36}'
    assert parse_reply(answer, {"search"}) == FinalAnswer(answer)


def test_action_none_with_a_final_answer_is_a_final_answer() -> None:
    assert parse_reply("Action: None\nFinal Answer: 42") == FinalAnswer("42")


def test_empty_final_answer_is_unreadable() -> None:
    assert isinstance(parse_reply("Final Answer:   "), Unreadable)


_names = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True).filter(
    lambda n: n not in {"none", "na", "null", "nothing"}
)
_values = st.one_of(
    st.integers(),
    st.text(max_size=30),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)


@given(
    name=_names,
    args=st.dictionaries(st.from_regex(r"[a-z_]{1,10}", fullmatch=True), _values, max_size=4),
    thought=st.text(max_size=60).filter(lambda t: "\n" not in t and "{" not in t),
)
def test_any_well_formed_action_parses_back_to_itself(
    name: str, args: dict[str, object], thought: str
) -> None:
    text = f"Thought: {thought}\nAction: {name}\nAction Input: {json.dumps(args)}"
    reply = parse_reply(text)
    assert isinstance(reply, Action)
    assert reply.tool == name
    assert reply.arguments == args


@given(st.text(max_size=200))
def test_the_parser_never_raises(text: str) -> None:
    assert isinstance(parse_reply(text, {"search"}), (Action, FinalAnswer, Unreadable))
