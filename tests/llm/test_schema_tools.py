"""Reading constrained replies of small models: tool call, final answer, and their rough edges."""

from __future__ import annotations

from crewkit.llm import Message, ModelRequest, ToolCall, ToolSpec
from crewkit.llm._schema_tools import decision_schema, read_decision, rewrite_messages

SEARCH = ToolSpec("search", "Search.", {"type": "object", "properties": {"q": {"type": "string"}}})
REQUEST = ModelRequest(messages=(Message("user", "Find it."),), tools=(SEARCH,))


def test_a_tool_choice_becomes_a_call_with_a_stable_id() -> None:
    assert read_decision('{"tool": "search", "arguments": {"q": "x"}}', REQUEST) == (
        "",
        (ToolCall("search", {"q": "x"}, id="call_0"),),
    )


def test_arguments_that_are_not_an_object_are_passed_on_raw() -> None:
    _, (call,) = read_decision('{"tool": "search", "arguments": "x"}', REQUEST)
    assert (call.arguments, call.raw_arguments) == ({}, '"x"')


def test_a_final_answer_with_raw_newlines_is_read() -> None:
    assert read_decision('{"final_answer": "line one\nline two"}', REQUEST) == (
        "line one\nline two",
        (),
    )


def test_a_final_answer_cut_off_by_the_token_limit_keeps_what_was_said() -> None:
    assert read_decision('{ "final_answer": "Sunny, 21 C and', REQUEST) == ("Sunny, 21 C and", ())


def test_a_structured_final_answer_is_returned_as_json_text() -> None:
    assert read_decision('{"final_answer": {"city": "Oslo"}}', REQUEST) == ('{"city": "Oslo"}', ())


def test_the_schema_offers_each_tool_and_an_answer() -> None:
    schema = decision_schema((SEARCH,), {"type": "integer"})
    assert [o["required"] for o in schema["anyOf"]] == [["tool", "arguments"], ["final_answer"]]
    assert schema["anyOf"][1]["properties"]["final_answer"] == {"type": "integer"}


def test_tool_traffic_is_rewritten_as_plain_turns() -> None:
    request = ModelRequest(
        messages=(
            Message("system", "You search."),
            Message("user", "Find it."),
            Message("assistant", "", tool_calls=(ToolCall("search", {"q": "x"}, "c1"),)),
            Message("tool", "found x", tool_call_id="c1", name="search"),
        ),
        tools=(SEARCH,),
    )
    messages = rewrite_messages(request)
    assert [m.role for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[0].content.startswith("You search.\n\nReply with exactly one JSON object")
    assert messages[2].content == 'Calling search with {"q": "x"}.'
    assert messages[3].content.startswith("search returned: found x")
    assert all(not m.tool_calls for m in messages)
