"""What every HTTP backend shares: keys kept secret, timeouts, retries, error mapping. Rate limits
are not here: a run's model gateway waits for the model's ``limiter`` once per call."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from crewkit._loop_local import LoopLocal
from crewkit._numbers import is_positive
from crewkit._ratelimit import Limiter, shared_limiter
from crewkit._secrets import register as register_secret
from crewkit._text import valid_text
from crewkit.errors import (
    ConfigurationError,
    InvalidResponseError,
    LLMError,
    ModelConnectionError,
    ModelTimeoutError,
    ModelUnreachableError,
    ProviderError,
    provider_error_for,
)
from crewkit.llm._base import LLM
from crewkit.llm._guard import is_loopback
from crewkit.llm._providers import ProviderInfo, Traits, provider_info, traits_for
from crewkit.llm._retry import RetryPolicy, call_with_retries, parse_retry_after
from crewkit.llm._types import ModelRequest

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")


class Secret:
    """An API key that never shows itself in ``repr``, ``str``, errors or events, and that run
    journals redact wherever it turns up (an error text, a tool result)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        """The key itself, for the one header that needs it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return f"Secret({mask(self._value)!r})"

    __str__ = __repr__


def mask(key: str) -> str:
    """``sk-…wxyz``: enough to tell keys apart, too little to use one."""
    if not key:
        return ""
    return f"{key[:3]}…{key[-4:]}" if len(key) > 12 else "…"


DEFAULT_TIMEOUT = 60.0
"""Seconds one request may take by default: shorter than the default retry budget (90 s), so a
server that stalls is tried again. Slow local models may need more (``timeout:`` in crew.yaml)."""


def _default_retry(timeout: float) -> RetryPolicy:
    """The default policy, its time budget stretched past a long ``timeout`` so that a request
    that times out can still be retried once."""
    policy = RetryPolicy()
    if policy.max_time <= timeout:
        return replace(policy, max_time=timeout * 1.5)
    return policy


class HTTPOptions(TypedDict, total=False):
    """The options every HTTP client takes (``OpenAIChat(model, **options)``)."""

    base_url: str | None
    """Root of the API; default: the provider's variable, then its usual address."""
    api_key: str | None
    """The key; default: the provider's key variable."""
    timeout: float
    """Seconds allowed for one request (connect, send, wait, read); default 60."""
    retry: RetryPolicy | None
    """When and how failed requests are retried; the default's time budget always leaves room
    to retry a request that timed out."""
    max_rpm: int | None
    """Requests per minute, shared by every model object with the same label."""
    headers: Mapping[str, str] | None
    """Extra headers sent with every request."""
    temperature: float | None
    """Default temperature when the request sets none."""
    stop: Sequence[str]
    """Stop sequences added to every request's own."""


class HTTPModel(LLM):
    """Base of the HTTP clients. Holds configuration, and one connection pool per event loop that
    uses it (a kickoff's calls share their loop's connections; the pool closes with its loop and
    is left behind when the object is pickled), so one object serves any number of event loops,
    threads, processes and runs. The provider's address and key variables come from its record in
    ``_providers.py``."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        max_rpm: int | None = None,
        headers: Mapping[str, str] | None = None,
        temperature: float | None = None,
        stop: Sequence[str] = (),
        traits: Traits | None = None,
    ) -> None:
        if not model:
            raise ConfigurationError(
                f"model string '{self.provider}/' names no model; write '{self.provider}/<model>'"
            )
        if not is_positive(timeout):
            raise ConfigurationError(
                f"timeout must be a positive number of seconds, got {timeout!r}"
            )
        self.model = model
        url, key = self._address_and_key(base_url, api_key)
        self.base_url = url.rstrip("/")
        """Root of the API, e.g. ``http://127.0.0.1:8080/v1``."""
        self.api_key = Secret(key)
        """The key, masked in every display."""
        self.timeout = timeout
        """Seconds allowed for one request (connect, send, wait, read)."""
        self.retry = retry or _default_retry(timeout)
        """When and how failed requests are retried."""
        if max_rpm is not None:
            shared_limiter(self.label, max_rpm)  # checks the value now, not at the first call
        self.max_rpm = max_rpm
        """Requests per minute, shared by every model object with the same label."""
        self.headers = dict(headers or {})
        """Extra headers sent with every request."""
        self.temperature = temperature
        """Default temperature when the request sets none."""
        self.stop = tuple(stop)
        """Stop sequences added to every request's own."""
        self.traits = traits or traits_for(self.provider, model)
        """Provider and model quirks (see ``crewkit.llm._providers``)."""
        self.profile = replace(self.traits.profile, stream_usage=self.traits.stream_usage)
        self._pools = _pools(self)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_pools"]  # connections belong to this process's loops
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._pools = _pools(self)

    def _address_and_key(self, base_url: str | None, api_key: str | None) -> tuple[str, str]:
        """Arguments first, then the provider's environment variables, then its usual address. A
        provider's own address without a key is a clear error."""
        info = provider_info(self.provider) or ProviderInfo(self.provider)
        env_url = os.environ.get(info.base_url_env, "").strip() if info.base_url_env else ""
        url = base_url or env_url or info.base_url
        key = api_key or (os.environ.get(info.api_key_env, "") if info.api_key_env else "")
        if info.key_required and not key and url == info.base_url:
            raise ConfigurationError(
                f"{self.label} needs an API key: set {info.api_key_env} "
                f"or pass api_key= (or base_url= for a server that needs none)"
            )
        if not url:
            raise ConfigurationError(f"{self.label} needs base_url= (the server's address)")
        return url, key

    def add_sampling(
        self, body: dict[str, Any], request: ModelRequest, *, stop_key: str = "stop"
    ) -> None:
        """Put the stop sequences (the request's and this client's) and the temperature (the
        request's, else this client's) into ``body``, when there are any."""
        stop = [*request.stop, *self.stop]
        if stop:
            body[stop_key] = stop
        temperature = request.temperature if request.temperature is not None else self.temperature
        if temperature is not None:
            body["temperature"] = temperature

    @property
    def endpoint(self) -> str:
        return self.base_url

    @property
    def limiter(self) -> Limiter | None:
        # Looked up on each call, not kept: the object then pickles (to worker processes) and
        # a worker's cluster-wide limiter applies to it.
        return shared_limiter(self.label, self.max_rpm) if self.max_rpm is not None else None

    def __repr__(self) -> str:
        key = f" api_key={mask(self.api_key.reveal())!r}" if self.api_key else ""
        return f"<{type(self).__name__} {self.label} at {self.base_url}{key}>"

    def _auth_headers(self) -> dict[str, str]:
        """Headers carrying the key; providers override."""
        return {"Authorization": f"Bearer {self.api_key.reveal()}"} if self.api_key else {}

    def _new_client(self) -> httpx.AsyncClient:
        import httpx

        return httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.timeout),
            headers={"content-type": "application/json", **self.headers, **self._auth_headers()},
        )

    async def post_json(
        self, path: str, payload: Mapping[str, Any], parse: Callable[[Any], T]
    ) -> T:
        """POST ``payload``, retrying per policy, and return ``parse(json_body)``. A ``parse`` that
        raises ``KeyError``/``TypeError``/``ValueError`` makes the answer an unparseable 200.

        Errors are raised outside the ``except`` blocks that caught their cause: the cause holds the
        response body (``JSONDecodeError.doc``) or the request with its key header, and a chained
        cause or context would carry them into tracebacks and error reports."""
        import httpx

        client = await self._pools.get()

        async def attempt() -> T:
            failure: LLMError | None = None
            try:
                response = await client.post(path, content=_body(payload))
                body = response.content
            except httpx.HTTPError as exc:
                failure = self.transport_error(exc)
            if failure is not None:
                raise failure
            if response.status_code >= 400:
                raise self.status_error(response.status_code, body, response.headers)
            try:
                return parse(json.loads(body))
            except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            except RecursionError:
                problem = "the JSON is nested too deeply"
            raise self.error(
                InvalidResponseError,
                f"unreadable response body ({problem[:300]}): {_snippet(body)}",
            )

        return await call_with_retries(self.retry, attempt)

    @asynccontextmanager
    async def open_stream(self, path: str, payload: Mapping[str, Any]) -> AsyncIterator[Any]:
        """POST for a server-sent-event stream and yield the response (one attempt: retries,
        before and during the stream, are ``_sse.retried_stream``'s). Errors are raised outside
        the ``except`` blocks, as in :meth:`post_json`."""
        import httpx

        client = await self._pools.get()
        failure: LLMError | None = None
        try:
            request = client.build_request("POST", path, content=_body(payload))
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            failure = self.transport_error(exc)
        if failure is not None:
            raise failure
        if response.status_code >= 400:
            body = await response.aread()
            await response.aclose()
            raise self.status_error(response.status_code, body, response.headers)
        try:
            yield response
        except httpx.HTTPError as exc:
            failure = self.transport_error(exc)
        finally:
            await response.aclose()
        if failure is not None:
            raise failure

    def error(self, kind: type[LLMError], message: str, status: int | None = None) -> LLMError:
        """An error of ``kind`` about this model, with any trace of the key removed."""
        return kind(self.scrub(message), provider=self.provider, model=self.model, status=status)

    def scrub(self, text: str) -> str:
        """``text`` with the API key replaced by its mask (servers sometimes echo it)."""
        key = self.api_key.reveal()
        return text.replace(key, mask(key)) if key else text

    def transport_error(self, exc: Exception) -> LLMError:
        """Map an httpx failure to a timeout or a connection error."""
        import httpx

        if isinstance(exc, httpx.TimeoutException):
            return self.error(
                ModelTimeoutError, f"no answer from {self.base_url} within {self.timeout:g}s"
            )
        if isinstance(exc, httpx.ConnectError) and is_loopback(self.base_url):
            # Nothing listens on this machine's port: retrying for seconds will not start it.
            return self.error(
                ModelUnreachableError,
                f"nothing is listening at {self.base_url}: is the {self.provider} server "
                f"running?{_start_hint(self.provider)}",
            )
        detail = str(exc) or type(exc).__name__
        return self.error(ModelConnectionError, f"connection to {self.base_url} failed: {detail}")

    def status_error(self, status: int, body: bytes, headers: Mapping[str, str]) -> ProviderError:
        """Map an error status to the matching :class:`ProviderError`, with the server's message."""
        return provider_error_for(status)(
            self.scrub(server_message(body)),
            provider=self.provider,
            model=self.model,
            status=status,
            retry_after=parse_retry_after(headers),
        )


def _pools(model: HTTPModel) -> LoopLocal[httpx.AsyncClient]:
    return LoopLocal(model._new_client, lambda client: client.aclose())


_START = {
    "ollama": "ollama serve",
    "llamacpp": "llama-server -m model.gguf",
    "vllm": "vllm serve <model>",
    "lmstudio": "lms server start",
}


def _start_hint(provider: str) -> str:
    command = _START.get(provider)
    return f" (start it with `{command}`)" if command else ""


def server_message(body: bytes) -> str:
    """The error message inside a provider's error body, else the body's start."""
    try:
        data = json.loads(body)
    except ValueError:
        return _snippet(body) or "(empty body)"
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])[:1000]
    if isinstance(error, str):
        return error[:1000]
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])[:1000]
    return _snippet(body)


def _body(payload: Mapping[str, Any]) -> bytes:
    """The request body: JSON as UTF-8, any lone surrogate replaced rather than fatal."""
    return valid_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":"))).encode()


def _snippet(body: bytes, limit: int = 300) -> str:
    text = body.decode("utf-8", "replace").strip()
    return text if len(text) <= limit else text[:limit] + "…"
