"""The small-model profile's pure parts: the repetition cut, closing cut-off JSON, grounded numbers."""

from __future__ import annotations

import json
import re

from crewkit._json import close_json
from crewkit.llm._repetition import RepetitionGuard
from crewkit.llm._small import grounded, numbers_in


def feed_all(text: str, piece: int = 3) -> RepetitionGuard:
    guard = RepetitionGuard()
    for i in range(0, len(text), piece):
        if guard.feed(text[i : i + piece]):
            break
    return guard


def test_a_phrase_repeated_back_to_back_is_cut_at_its_third_copy_keeping_the_first() -> None:
    guard = feed_all("The final answer is: " * 6)
    assert guard.looped
    assert guard.text == "The final answer is:"


def test_a_sentence_written_again_is_cut_where_the_copy_starts() -> None:
    guard = feed_all("The stock is volatile. It fell in 2008. The stock is volatile. More text.")
    assert guard.looped
    assert guard.text == "The stock is volatile. It fell in 2008."


def test_a_sentence_repeated_in_another_json_field_is_cut_too() -> None:
    guard = feed_all('{"a": "Buy AAPL with a stop at 150.", "b": "Buy AAPL with a stop at 150."}')
    assert guard.text == '{"a": "Buy AAPL with a stop at 150.", "b": "'


def test_ordinary_prose_and_table_borders_are_not_loops() -> None:
    text = (
        "| a | b | c | d |\n| --- | --- | --- | --- |\n"
        "Apple rose from 25.94 to 223.02 over ten years. Its worst fall was 79%. "
        "A stop-loss at 150.55 limits the loss to 3% of capital."
    )
    guard = feed_all(text)
    assert not guard.looped
    assert guard.text == text


def test_cut_off_json_is_closed_so_that_it_parses() -> None:
    assert json.loads(close_json('{"a": "hello wor') or "") == {"a": "hello wor"}
    assert json.loads(close_json('{"a": ["x", "y') or "") == {"a": ["x", "y"]}
    assert json.loads(close_json('{"a": 1, "b') or "") == {"a": 1, "b": None}
    assert json.loads(close_json('{"a": 1,') or "") == {"a": 1}
    assert json.loads(close_json('{"a": {"b": "c"}, "d": [1, {"e": "f') or "") == {
        "a": {"b": "c"},
        "d": [1, {"e": "f"}],
    }


def test_json_that_cannot_be_completed_gives_none() -> None:
    assert close_json('{"a": tru') is None


def test_numbers_in_the_conversation_are_found_as_written_plain_and_as_percentages() -> None:
    found = numbers_in(['{"stop_loss": 150.55, "capital": "100,000", "annual_volatility": 0.5061}'])
    assert {"150.55", "100,000", "100000", "0.5061", "50.6", "51"} <= set(found)


def test_grounded_strings_admit_only_numbers_from_the_conversation() -> None:
    schema = {
        "type": "object",
        "properties": {
            "strategy": {"type": "string", "maxLength": 200},
            "kind": {"enum": ["a", "b"], "type": "string"},
            "risks": {"type": "array", "items": {"type": "string"}},
        },
    }
    out = grounded(schema, numbers_in(["stop-loss 150.55, 41 shares"]))
    pattern = re.compile(out["properties"]["strategy"]["pattern"])
    assert "pattern" not in out["properties"]["kind"]
    # The length cap moves into the pattern (llama.cpp ignores maxLength beside a pattern).
    assert pattern.match("w" * 200) and not pattern.match("w" * 201)
    risks = re.compile(out["properties"]["risks"]["items"]["pattern"])
    assert risks.match("w" * 500) and risks.match("")
    assert not pattern.match("word " * 41)
    # Prose: it starts with a letter and holds no debris symbols.
    for debris in ("18346. The risk", "100000/100000 = 41", "strategy_41 is", " Leading space"):
        assert not pattern.match(debris), debris
    assert pattern.match("Éclair: 41 shares (a stop-loss at 150.55); high risk!")
    assert not pattern.match("Buy 41.150 shares.")  # two numbers joined into a third
    assert pattern.match("Buy 41 shares of AAPL, stop-loss at 150.55.")
    assert not pattern.match("Buy 40 shares of AAPL.")
    assert not pattern.match("Stop at 150.56.")
    assert not pattern.match('A "quoted" word')


def test_a_structured_answer_of_simple_fields_is_written_field_by_field() -> None:
    from crewkit.llm._small import fields_to_fill, fit

    flat = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "array", "items": {"type": "string"}},
                       "c": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
        "required": ["a", "b"],
    }  # fmt: skip
    assert [name for name, _ in fields_to_fill(flat) or []] == ["a", "b"]
    nested = {**flat, "properties": {**flat["properties"], "a": {"type": "object"}}}
    assert fields_to_fill(nested) is None
    assert fit(["one two three four", "ok"], {"items": {"maxLength": 10}}) == ["one two…", "ok"]
    # A string stopped at its cap ends at its last full sentence, else is marked as cut.
    capped = {"maxLength": 40}
    assert (
        fit("Volatility is very high today. A stop cut", capped) == "Volatility is very high today."
    )
    assert fit("A fall through the stop-loss costs 3% of", capped) == (
        "A fall through the stop-loss costs 3%…"
    )
    assert fit("A fall through the stop costs 3% of it", capped) == (
        "A fall through the stop costs 3% of it…"
    )
    assert fit("Short and whole", capped) == "Short and whole"
    assert fit("A sentence that ends well within cap.", capped).endswith("cap.")


def test_instructions_leave_out_what_a_model_wrote_and_numbers_follow_them() -> None:
    from crewkit.llm import Message, ToolCall
    from crewkit.llm._small import grounding, instructions

    messages = (
        Message("system", "You size positions."),
        Message("user", "Earlier: the stop is 99.5", quoted=True),
        Message("user", "Size AAPL at 150.55."),
        Message("assistant", "", tool_calls=(ToolCall("risk", {}, "c1"),)),
        Message("tool", "stop 150.55, 41 shares", tool_call_id="c1", name="risk"),
        Message("tool", "buy 301 shares", tool_call_id="c2", name="delegate_work_to_coworker"),
        Message("assistant", '{"strategy": "buy 301 shares"}'),
        Message("user", "Not accepted: name the stop-loss."),
    )
    kept = instructions(messages)
    assert [m.content for m in kept] == [
        "You size positions.",
        "Size AAPL at 150.55.",
        "stop 150.55, 41 shares",
        "Not accepted: name the stop-loss.",
    ]
    numbers = numbers_in(grounding(messages))
    assert "41" in numbers and "150.55" in numbers
    assert "99.5" not in numbers and "301" not in numbers
