"""What CrewAI projects' main.py calls besides kickoff: replay, test, train, usage_metrics, copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crewkit import Agent, Crew, Task
from crewkit.errors import ConfigurationError, LLMError
from crewkit.llm import ModelRequest
from crewkit.testing import FunctionLLM, ScriptedLLM


def three_task_crew(llm: object) -> Crew:
    analyst = Agent(role="Analyst", goal="Analyse", backstory="Careful.")
    writer = Agent(role="Writer", goal="Write", backstory="Clear.")
    gather = Task("Gather facts on {topic}.", "Facts.", agent=analyst, name="gather")
    draft = Task("Draft a note on {topic}.", "A draft.", agent=writer, name="draft")
    polish = Task("Polish the note.", "A note.", agent=writer, name="polish", context=[draft])
    return Crew(agents=[analyst, writer], tasks=[gather, draft, polish], llm=llm)  # type: ignore[arg-type]


def test_usage_metrics_is_the_last_kickoffs_usage() -> None:
    crew = three_task_crew(ScriptedLLM(["a", "b", "c"]))
    assert crew.usage_metrics is None
    out = crew.kickoff(inputs={"topic": "tea"})
    assert crew.usage_metrics == out.token_usage and crew.usage_metrics.successful_requests == 3


def test_copy_makes_new_definitions_that_point_at_each_other() -> None:
    crew = three_task_crew("mock")
    twin = crew.copy()
    assert twin is not crew and twin.tasks[2] is not crew.tasks[2]
    assert twin.tasks[2].context == [twin.tasks[1]] and twin.tasks[1].agent is twin.agents[1]
    assert [a.role for a in twin.agents] == ["Analyst", "Writer"]
    assert twin.kickoff(inputs={"topic": "tea"}).raw.startswith("Writer completed")


def test_replay_keeps_earlier_outputs_and_reruns_from_the_task_named() -> None:
    llm = ScriptedLLM(["facts v1", "draft v1", "note v1", "draft v2", "note v2"])
    crew = three_task_crew(llm)
    crew.kickoff(inputs={"topic": "tea"})
    again = crew.replay("draft")
    assert [t.raw for t in again.tasks_output] == ["facts v1", "draft v2", "note v2"]
    assert "facts v1" in llm.requests[3].messages[-1].content  # draft saw the kept output
    assert "Draft a note on tea." in llm.requests[3].messages[-1].content  # same inputs
    assert again.token_usage.requests == 2
    llm.assert_complete()


def test_replay_by_position_and_with_new_inputs() -> None:
    llm = ScriptedLLM(["f", "d", "n", "n2"])
    crew = three_task_crew(llm)
    crew.kickoff(inputs={"topic": "tea"})
    assert crew.replay(2, inputs={"topic": "coffee"}).raw == "n2"


def test_replay_after_a_failure_resumes_where_it_stopped() -> None:
    llm = ScriptedLLM(
        ["facts", LLMError("provider down", provider="x", model="y"), "draft", "note"]
    )
    crew = three_task_crew(llm)
    with pytest.raises(LLMError):
        crew.kickoff(inputs={"topic": "tea"})
    assert [t.raw for t in crew.replay("draft").tasks_output] == ["facts", "draft", "note"]


def test_replay_needs_a_kickoff_and_an_existing_task() -> None:
    crew = three_task_crew(ScriptedLLM(["a", "b", "c"]))
    with pytest.raises(ConfigurationError, match="has no kickoff to replay"):
        crew.replay("draft")
    crew.kickoff(inputs={"topic": "tea"})
    with pytest.raises(
        ConfigurationError,
        match=r"no task 'edit' in crew; tasks: 'gather', 'draft', 'polish'",
    ):
        crew.replay("edit")


def test_replay_cannot_skip_a_task_the_last_kickoff_did_not_finish() -> None:
    llm = ScriptedLLM(["facts", LLMError("down", provider="x", model="y")])
    crew = three_task_crew(llm)
    with pytest.raises(LLMError):
        crew.kickoff(inputs={"topic": "tea"})
    with pytest.raises(
        ConfigurationError,
        match="the last kickoff has no output for task 'draft'; replay from it or earlier",
    ):
        crew.replay("polish")


def judge_scores(request: ModelRequest) -> str:
    prompt = request.messages[-1].content
    score = 9 if "Done by: Analyst" in prompt else 6
    return json.dumps({"score": score, "reason": "as expected"})


def test_test_scores_every_task_in_every_run_with_the_judge(
    capsys: pytest.CaptureFixture[str],
) -> None:
    judge = FunctionLLM(judge_scores)
    result = three_task_crew("mock").test(n_iterations=2, eval_llm=judge, inputs={"topic": "tea"})
    assert result.scores == {"gather": [9.0, 9.0], "draft": [6.0, 6.0], "polish": [6.0, 6.0]}
    assert result.agents["gather"] == "Analyst" and result.run_averages == [7.0, 7.0]
    assert len(judge.requests) == 6
    assert "The answer:\nAnalyst completed" in judge.requests[0].messages[-1].content
    shown = capsys.readouterr().out
    assert "Task scores (1-10, higher is better)" in shown and "Run 2" in shown and "9.0" in shown


def test_test_accepts_crewai_older_argument_name() -> None:
    result = three_task_crew("mock").test(1, openai_model_name="mock", inputs={"topic": "x"})
    assert set(result.scores) == {"gather", "draft", "polish"}


def test_train_keeps_feedback_per_agent_and_applies_it_in_later_runs(tmp_path: Path) -> None:
    asked: list[str] = []

    def person(output: object) -> str:
        asked.append(getattr(output, "name", ""))
        return "Use bullet points." if len(asked) == 1 else ""

    llm = ScriptedLLM(["facts", "facts again", "draft", "note", "f", "d", "n"])
    crew = three_task_crew(llm)
    crew.ask_human = person
    training_file = tmp_path / "trained.json"
    crew.train(n_iterations=2, filename=str(training_file), inputs={"topic": "tea"})
    assert asked == ["gather", "gather", "draft", "polish", "gather", "draft", "polish"]
    assert json.loads(training_file.read_text()) == {
        "Analyst": {"suggestions": ["Use bullet points."]},
        "Writer": {"suggestions": []},
    }
    assert "Use bullet points." in llm.requests[1].messages[-1].content  # the review sent it back
    second_run_first_prompt = llm.requests[4].messages[1].content
    assert (
        "learnt from reviews of your earlier work:\n- Use bullet points." in second_run_first_prompt
    )
    assert "Use bullet points." not in llm.requests[5].messages[1].content  # the Writer's prompt
    llm.assert_complete()


def test_a_training_file_applies_to_later_kickoffs(tmp_path: Path) -> None:
    trained = tmp_path / "trained.json"
    trained.write_text(json.dumps({"Writer": {"suggestions": ["Keep it under 50 words."]}}))
    llm = ScriptedLLM(["a", "b", "c"])
    crew = three_task_crew(llm)
    crew.trained_agents_file = str(trained)
    crew.kickoff(inputs={"topic": "tea"})
    assert "Keep it under 50 words." in llm.requests[1].messages[1].content
    assert "Keep it under 50 words." not in llm.requests[0].messages[1].content


def test_a_broken_training_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "t.json").write_text("{not json")
    crew = three_task_crew("mock")
    crew.trained_agents_file = str(tmp_path / "t.json")
    with pytest.raises(ConfigurationError, match=r"t\.json' cannot be read as JSON"):
        crew.kickoff(inputs={"topic": "tea"})


def test_crew_output_fields_are_read_by_key() -> None:
    from pydantic import BaseModel

    class Verdict(BaseModel):
        valid: bool
        feedback: str

    agent = Agent(role="Reviewer", goal="g", backstory="b")
    task = Task("Review.", "A verdict.", agent=agent, output_pydantic=Verdict)
    llm = ScriptedLLM(['{"valid": true, "feedback": "fine"}'])
    out = Crew(agents=[agent], tasks=[task], llm=llm).kickoff()
    assert out["valid"] is True and out["feedback"] == "fine"
    with pytest.raises(KeyError, match="no such field"):
        out["score"]
