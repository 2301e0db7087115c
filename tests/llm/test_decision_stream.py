"""A constrained reply read as it streams: the answer's characters, the call's arguments."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from crewkit.llm import ModelRequest, TextDelta, ToolCallChunk
from crewkit.llm._decision_stream import DecisionStream
from crewkit.llm._schema_tools import read_decision

SPLITS = st.lists(st.integers(min_value=0, max_value=10_000), max_size=20)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def feed(text: str, cuts: list[int]) -> list[Any]:
    stream = DecisionStream("call_0")
    points = [*sorted({c % (len(text) + 1) for c in cuts}), len(text)]
    items, start = [], 0
    for point in points:
        items += stream.feed(text[start:point])
        start = point
    return items


@settings(max_examples=300, deadline=None)
@given(st.text(), SPLITS, st.booleans())
def test_an_answer_streams_as_exactly_its_decoded_text(
    answer: str, cuts: list[int], pretty: bool
) -> None:
    reply = json.dumps({"final_answer": answer}, indent=2 if pretty else None, ensure_ascii=pretty)
    items = feed(reply, cuts)
    assert all(isinstance(i, TextDelta) for i in items)
    streamed = "".join(i.text for i in items)
    assert streamed == answer == read_decision(reply, ModelRequest(messages=()))[0]


@settings(max_examples=300, deadline=None)
@given(
    st.text(min_size=1, max_size=10), st.dictionaries(st.text(max_size=5), JSON, max_size=4), SPLITS
)
def test_a_call_streams_its_name_once_then_its_arguments_text(
    name: str, arguments: dict[str, Any], cuts: list[int]
) -> None:
    items = feed(json.dumps({"tool": name, "arguments": arguments}), cuts)
    assert all(isinstance(i, ToolCallChunk) and i.index == 0 and i.id == "call_0" for i in items)
    assert [i.name for i in items if i.name] == [name]
    assert json.loads("".join(i.arguments for i in items)) == arguments
