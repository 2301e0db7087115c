"""Model strings, the default model chain, and shared requests-per-minute limits."""

from __future__ import annotations

import asyncio

import pytest

import crewkit.llm._registry as registry
from crewkit._ratelimit import RateLimiter, shared_limiter
from crewkit.errors import ConfigurationError, ModelNotConfiguredError
from crewkit.llm import OpenAIChat, resolve_llm
from crewkit.llm._openai import GroqChat, LlamaCppChat, OllamaChat
from crewkit.llm._registry import default_llm_spec
from tests.helpers import FakeClock


@pytest.mark.parametrize(
    ("spec", "kind", "endpoint"),
    [
        ("ollama/llama3.2", OllamaChat, "http://localhost:11434/v1"),
        ("llamacpp/smollm2", LlamaCppChat, "http://127.0.0.1:8080/v1"),
        ("vllm/qwen", OpenAIChat, "http://localhost:8000/v1"),
        ("lmstudio/phi", OpenAIChat, "http://localhost:1234/v1"),
    ],
)
def test_presets_resolve_to_the_chat_client_at_their_default_address(
    spec: str, kind: type[OpenAIChat], endpoint: str
) -> None:
    llm = resolve_llm(spec)
    assert isinstance(llm, kind)
    assert (llm.label, llm.endpoint) == (spec, endpoint)


def test_options_reach_the_backend() -> None:
    llm = resolve_llm("openai/qwen2", base_url="http://127.0.0.1:9/v1", temperature=0.1)
    assert isinstance(llm, OpenAIChat)
    assert (llm.endpoint, llm.temperature) == ("http://127.0.0.1:9/v1", 0.1)


def test_a_bad_option_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="invalid options for 'ollama/x'"):
        resolve_llm("ollama/x", colour="blue")


def test_hosted_presets_need_their_key(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="GROQ_API_KEY"):
        resolve_llm("groq/llama-3.1-8b-instant")
    monkeypatch.setenv("GROQ_API_KEY", "gsk_0123456789abcdef")
    assert isinstance(resolve_llm("groq/llama-3.1-8b-instant"), GroqChat)


def test_a_provider_without_a_model_name_is_explained() -> None:
    with pytest.raises(ConfigurationError, match="'ollama/<model>'"):
        resolve_llm("ollama/")


def test_default_chain_prefers_crewkit_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREWKIT_MODEL", "ollama/llama3.2")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-0123456789abcdef")
    assert default_llm_spec() == "ollama/llama3.2"


def test_default_chain_uses_openai_when_its_key_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-0123456789abcdef")
    assert default_llm_spec() == "openai/gpt-4o-mini"


def test_default_chain_falls_back_to_local_when_llama_cpp_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(registry, "_local_installed", lambda: True)
    assert default_llm_spec() == "local"


def test_without_any_model_the_error_lists_the_three_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_local_installed", lambda: False)
    with pytest.raises(ModelNotConfiguredError) as caught:
        default_llm_spec()
    message = str(caught.value)
    assert "CREWKIT_MODEL" in message
    assert "OPENAI_API_KEY" in message
    assert "crewkit[local]" in message


def test_models_with_the_same_label_and_limit_share_one_limiter() -> None:
    a = OllamaChat("shared-model", max_rpm=30)
    b = OllamaChat("shared-model", max_rpm=30)
    assert a.limiter is b.limiter is shared_limiter("ollama/shared-model", 30)
    assert OllamaChat("other-model", max_rpm=30).limiter is not a.limiter


def test_the_limiter_holds_requests_beyond_the_limit_until_the_window_moves(
    fake_clock: FakeClock,
) -> None:
    limiter = RateLimiter(2, period=0.3)

    async def three() -> None:
        for _ in range(3):
            await limiter.acquire()

    asyncio.run(three())
    assert fake_clock.waits == [pytest.approx(0.3)]  # only the third waits, for the window


def test_the_limiter_is_shared_across_event_loops(fake_clock: FakeClock) -> None:
    limiter = RateLimiter(1, period=0.2)
    asyncio.run(limiter.acquire())
    asyncio.run(limiter.acquire())
    assert fake_clock.waits == [pytest.approx(0.2)]


def test_max_rpm_must_be_a_positive_integer() -> None:
    with pytest.raises(ValueError, match="max_rpm"):
        OllamaChat("m", max_rpm=0)


def test_a_providers_own_address_without_a_key_is_a_clear_error_but_another_address_is_fine() -> (
    None
):
    import pytest

    from crewkit.errors import ConfigurationError
    from crewkit.llm._anthropic import AnthropicChat
    from crewkit.llm._openai import OllamaChat, OpenAIChat

    for cls, env in ((OpenAIChat, "OPENAI_API_KEY"), (AnthropicChat, "ANTHROPIC_API_KEY")):
        with pytest.raises(
            ConfigurationError, match=f"needs an API key: set {env} or pass api_key="
        ):
            cls("m")
        assert cls("m", base_url="http://127.0.0.1:9/v1").base_url == "http://127.0.0.1:9/v1"
    assert OllamaChat("llama3.2").api_key.reveal() == ""  # local servers need no key
