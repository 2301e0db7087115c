"""Models named and configured as CrewAI users do: LLM(model=..., temperature=...), bare names
such as gpt-4o, LiteLLM prefixes, LangChain chat models, and one switch to run everything on the mock."""

from __future__ import annotations

import pytest

from crewkit import LLM, Agent, Crew, Task, load_crew
from crewkit.errors import ConfigurationError, CrewFileError
from crewkit.llm import OpenAIChat, resolve_llm
from crewkit.llm._registry import canonical
from crewkit.testing import MockLLM, ScriptedLLM, override_model


@pytest.mark.parametrize(
    ("written", "resolved"),
    [
        ("gpt-4o", "openai/gpt-4o"),
        ("gpt-4o-mini", "openai/gpt-4o-mini"),
        ("o3-mini", "openai/o3-mini"),
        ("claude-3-5-haiku-latest", "anthropic/claude-3-5-haiku-latest"),
        ("openai/gpt-4o", "openai/gpt-4o"),
        ("ollama/llama3.2", "ollama/llama3.2"),
        ("ollama_chat/llama3.2", "ollama/llama3.2"),
        ("lm_studio/qwen2.5", "lmstudio/qwen2.5"),
        ("hosted_vllm/mistral", "vllm/mistral"),
        ("groq/llama-3.1-8b-instant", "groq/llama-3.1-8b-instant"),
        ("openrouter/meta/llama", "openrouter/meta/llama"),
        ("mock", "mock"),
    ],
)
def test_model_names_crewai_users_write_map_to_crewkit_providers(
    written: str, resolved: str
) -> None:
    assert canonical(written) == resolved


def test_a_name_of_a_provider_crewkit_lacks_is_refused_with_the_list() -> None:
    with pytest.raises(
        ConfigurationError, match=r"unknown model provider 'gemini'.*known providers: .*openai"
    ):
        resolve_llm("gemini/gemini-1.5-pro")


def test_llm_settings_reach_the_backend_and_the_key_stays_hidden() -> None:
    llm = LLM(
        model="gpt-4o",
        temperature=0.3,
        max_tokens=200,
        base_url="http://127.0.0.1:9/v1",
        api_key="sk-test-0123456789abcdef",
    )
    backend = llm.backend
    assert isinstance(backend, OpenAIChat)
    assert (backend.model, backend.temperature, backend.max_tokens) == ("gpt-4o", 0.3, 200)
    assert backend.base_url == "http://127.0.0.1:9/v1"
    assert "sk-test" not in repr(llm) and llm.label == "openai/gpt-4o"


def test_a_setting_the_backend_does_not_take_is_refused_when_first_used() -> None:
    llm = LLM(model="anthropic/claude-3-5-haiku-latest", seed=3, api_key="k")
    with pytest.raises(
        ConfigurationError, match="invalid options for 'anthropic/claude-3-5-haiku-latest'"
    ):
        llm.backend  # noqa: B018


def test_llm_is_a_model_agents_and_crews_use() -> None:
    agent = Agent(role="Writer", goal="Write", backstory="Brief.", llm=LLM("mock"))
    out = Crew(agents=[agent], tasks=[Task("Write a line.", "A line.", agent=agent)]).kickoff()
    assert out.raw.startswith("Writer completed") and set(out.usage_by_agent) == {"Writer"}


def test_crew_yaml_takes_the_model_names_crewai_users_write(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "crew.yaml").write_text(
        "llm: {model: gpt-4o-mini, temperature: 0.1, base_url: 'http://127.0.0.1:9/v1'}\n"
        "agents:\n  a: {role: A, goal: g, backstory: b, llm: ollama_chat/llama3.2}\n"
        "tasks:\n  t: {description: d, expected_output: o, agent: a}\n"
    )
    crew = load_crew(tmp_path / "crew.yaml")
    assert isinstance(crew.llm, OpenAIChat) and crew.llm.temperature == 0.1
    assert resolve_llm(crew.agents[0].llm).label == "ollama/llama3.2"  # type: ignore[arg-type]


def test_crew_yaml_model_names_are_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "crew.yaml").write_text(
        "llm: gemini/pro\n"
        "agents:\n  a: {role: A, goal: g, backstory: b}\n"
        "tasks:\n  t: {description: d, expected_output: o, agent: a}\n"
    )
    with pytest.raises(CrewFileError, match=r"crew.yaml:1: llm: unknown model provider 'gemini'"):
        load_crew(tmp_path / "crew.yaml")


def test_override_model_runs_every_model_of_a_crew_on_another() -> None:
    worker = Agent(role="Worker", goal="g", backstory="b", llm="openai/gpt-4o")  # no key here
    boss = Agent(role="Boss", goal="g", backstory="b", llm=LLM("claude-3-5-sonnet-latest"))
    crew = Crew(
        agents=[worker],
        tasks=[Task("Do it.", "Done.", agent=worker)],
        process="hierarchical",
        manager_agent=boss,
    )
    scripted = ScriptedLLM(["all done"])
    with override_model(scripted):
        out = crew.kickoff()
    assert out.raw == "all done" and set(out.usage_by_agent) == {"Boss"}
    with override_model("mock"):
        assert crew.kickoff().raw.startswith("Boss completed")


class ChatReply:
    def __init__(self, content: object, usage: dict[str, int] | None = None) -> None:
        self.content = content
        self.usage_metadata = usage


class ShapedLikeLangChain:
    """What crewkit relies on in a LangChain chat model: invoke(messages, stop=...) -> .content."""

    model_name = "shaped-chat"

    def __init__(self, replies: list[ChatReply]) -> None:
        self.replies = replies
        self.seen: list[list[tuple[str, str]]] = []

    def invoke(self, messages: list[tuple[str, str]], **options: object) -> ChatReply:
        self.seen.append(messages)
        return self.replies.pop(0)


def test_a_langchain_style_chat_model_gets_role_text_pairs_and_its_usage_counts() -> None:
    model = ShapedLikeLangChain(
        [
            ChatReply(
                'Action: double\nAction Input: {"n": 21}', {"input_tokens": 50, "output_tokens": 7}
            ),
            ChatReply(
                [{"type": "text", "text": "Final Answer: 42"}],
                {"input_tokens": 60, "output_tokens": 3},
            ),
        ]
    )

    def double(n: int) -> int:
        """Double a number."""
        return 2 * n

    agent = Agent(role="Doubler", goal="g", backstory="b", llm=model, tools=[double])
    out = Crew(agents=[agent], tasks=[Task("Double 21.", "A number.", agent=agent)]).kickoff()
    assert out.raw == "42"
    assert (out.token_usage.prompt_tokens, out.token_usage.completion_tokens) == (110, 10)
    assert [role for role, _ in model.seen[0]] == ["system", "human"]
    assert model.seen[1][-1][0] == "human" and "42" in model.seen[1][-1][1]
    assert agent.llm is not None and agent.llm.label == "langchain/shaped-chat"


def test_something_that_is_not_a_model_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"agent 'A': llm must be a model object"):
        Agent(role="A", goal="g", backstory="b", llm=3.5)  # type: ignore[arg-type]


def test_real_langchain_chat_model_and_tool_work_when_installed() -> None:
    fake = pytest.importorskip("langchain_core.language_models.fake_chat_models")
    from langchain_core.tools import tool as langchain_tool

    @langchain_tool
    def word_length(word: str) -> int:
        """Count the letters of a word."""
        return len(word)

    model = fake.FakeListChatModel(
        responses=['Action: word_length\nAction Input: {"word": "teapot"}', "Final Answer: six"]
    )
    agent = Agent(role="Counter", goal="g", backstory="b", llm=model, tools=[word_length])
    out = Crew(
        agents=[agent], tasks=[Task("How long is teapot?", "A number.", agent=agent)]
    ).kickoff()
    assert out.raw == "six" and out.token_usage.requests == 2


def test_mock_stays_the_default_when_named() -> None:
    assert isinstance(resolve_llm("mock"), MockLLM)
