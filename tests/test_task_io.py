"""Output files, human review, task callbacks and batch kickoffs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from crewkit import Agent, Crew, Task
from crewkit.errors import ConfigurationError, HumanInputError
from crewkit.llm import ModelRequest
from crewkit.task import TaskOutput
from crewkit.testing import FunctionLLM, ScriptedLLM


def crew(llm: object, **kw: object) -> Crew:
    crew_kw = {k: kw.pop(k) for k in ("output_dir", "ask_human") if k in kw}
    agent = Agent(role="Writer", goal="Write", backstory="B.")
    task = Task("Write about {topic}", "Text", agent=agent, name="w", **kw)  # type: ignore[arg-type]
    return Crew(agents=[agent], tasks=[task], llm=llm, **crew_kw)  # type: ignore[arg-type]


def test_output_file_is_written_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    crew(ScriptedLLM(["# Tea"]), output_file="reports/{topic}.md").kickoff(inputs={"topic": "tea"})
    assert (tmp_path / "reports/tea.md").read_text() == "# Tea\n"


def test_structured_output_files_hold_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Note(BaseModel):
        text: str

    monkeypatch.chdir(tmp_path)
    crew(ScriptedLLM(['{"text": "hi"}']), output_file="n.json", output_json=Note).kickoff(
        inputs={"topic": "t"}
    )
    assert json.loads((tmp_path / "n.json").read_text()) == {"text": "hi"}


@pytest.mark.parametrize("path", ["/tmp/evil.md", "../escape.md", "reports/../../escape.md"])
def test_paths_outside_the_working_directory_are_refused_before_any_model_call(
    path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    llm = ScriptedLLM(["never"])
    with pytest.raises(ConfigurationError, match="output_file"):
        crew(llm, output_file=path).kickoff(inputs={"topic": "t"})
    assert llm.requests == []


def test_an_input_value_cannot_smuggle_a_path_escape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError, match="points outside"):
        crew(ScriptedLLM(["x"]), output_file="out/{topic}.md").kickoff(
            inputs={"topic": "../../etc/x"}
        )


def test_an_explicit_output_dir_allows_absolute_paths_inside_it(tmp_path: Path) -> None:
    target = tmp_path / "allowed" / "r.md"
    crew(
        ScriptedLLM(["ok"]), output_file=str(target), output_dir=str(tmp_path / "allowed")
    ).kickoff(inputs={"topic": "t"})
    assert target.read_text() == "ok\n"
    with pytest.raises(ConfigurationError, match="points outside"):
        crew(
            ScriptedLLM(["ok"]),
            output_file=str(tmp_path / "r.md"),
            output_dir=str(tmp_path / "allowed"),
        ).kickoff(inputs={"topic": "t"})


def test_human_feedback_sends_the_agent_back_until_accepted() -> None:
    reviews = iter(["Mention the price.", ""])
    seen: list[str] = []

    def reviewer(output: TaskOutput) -> str:
        seen.append(output.raw)
        return next(reviews)

    llm = ScriptedLLM(["draft", "draft with price"])
    out = crew(llm, human_input=True, ask_human=reviewer).kickoff(inputs={"topic": "t"})
    assert out.raw == "draft with price"
    assert seen == ["draft", "draft with price"]
    assert llm.requests[1].messages[-1].content == (
        "A reviewer read your answer and says: Mention the price.\n"
        "Revise it and give your complete final answer again."
    )


def test_human_input_without_a_provider_in_a_non_interactive_run_is_a_clear_error() -> None:
    llm = ScriptedLLM(["never"])
    with pytest.raises(HumanInputError, match=r"not interactive: pass Crew\(ask_human=\.\.\.\)"):
        crew(llm, human_input=True).kickoff(inputs={"topic": "t"})
    assert llm.requests == []


def test_task_callback_receives_the_output() -> None:
    got: list[TaskOutput] = []
    crew(ScriptedLLM(["done"]), callback=got.append).kickoff(inputs={"topic": "t"})
    assert [o.raw for o in got] == ["done"]


def test_kickoff_for_each_keeps_input_order_and_separate_usage() -> None:
    async def echo(request: ModelRequest) -> str:
        topic = request.messages[1].content.split()[2]
        await asyncio.sleep(0.05 if topic == "first" else 0)
        return f"about {topic}" + "!" * len(topic)

    c = crew(FunctionLLM(echo))
    outs = asyncio.run(
        c.kickoff_for_each_async(
            [{"topic": "first"}, {"topic": "second"}, {"topic": "x"}], concurrency=3
        )
    )
    assert [o.raw for o in outs] == ["about first!!!!!", "about second!!!!!!", "about x!"]
    assert [o.token_usage.requests for o in outs] == [1, 1, 1]
    assert outs[0].token_usage.completion_tokens != outs[2].token_usage.completion_tokens
    assert [o.raw for o in c.kickoff_for_each([{"topic": "a"}])] == ["about a!"]


def test_kickoff_for_each_reports_missing_inputs_before_running_anything() -> None:
    from crewkit.errors import MissingInputError

    llm = ScriptedLLM(["x"])
    with pytest.raises(MissingInputError):
        crew(llm).kickoff_for_each([{"topic": "a"}, {}])
    assert llm.requests == []
