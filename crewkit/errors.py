"""One error hierarchy: catch :class:`CrewkitError` to catch everything crewkit raises on purpose."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class CrewkitError(Exception):
    """Base class of every error crewkit raises deliberately."""


class ConfigurationError(CrewkitError, ValueError):
    """A crew, agent, task or tool definition is invalid; raised before any model is called."""


class MissingInputError(ConfigurationError):
    """Placeholders in the definitions have no value in ``inputs``.

    ``missing`` maps each missing name to the places that use it, e.g. ``task 'research'.description``.
    """

    def __init__(self, missing: Mapping[str, Sequence[str]]) -> None:
        self.missing = {name: list(places) for name, places in missing.items()}
        lines = [
            f"  {{{name}}} used in {', '.join(places)}" for name, places in self.missing.items()
        ]
        names = ", ".join(repr(n) for n in self.missing)
        super().__init__(
            f"missing input{'s' if len(self.missing) > 1 else ''} {names}; "
            "pass them in kickoff(inputs={...}):\n" + "\n".join(lines)
        )


class ModelNotConfiguredError(ConfigurationError):
    """No model was given to an agent, its crew, or the ``CREWKIT_MODEL`` environment variable."""


class LLMError(CrewkitError):
    """A model call failed. Says which provider and model, and never contains an API key."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        model: str = "",
        status: int | None = None,
        attempts: int | None = None,
    ) -> None:
        self.message = message
        self.provider = provider
        self.model = model
        self.status = status
        self.attempts = attempts
        """How many requests were made before giving up (set by the retry policy)."""
        super().__init__(message)

    def __str__(self) -> str:
        where = "/".join(p for p in (self.provider, self.model) if p)
        prefix = f"{where}: " if where else ""
        suffix = f" (HTTP {self.status})" if self.status is not None else ""
        tries = f" [gave up after {self.attempts} attempts]" if self.attempts else ""
        return f"{prefix}{self.message}{suffix}{tries}"


class ProviderError(LLMError):
    """The provider answered with an error status; ``message`` is what its server said."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        model: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, provider=provider, model=model, status=status)
        self.retry_after = retry_after
        """Seconds the server asked us to wait before trying again (``Retry-After``), if it said."""


class BadRequestError(ProviderError):
    """The provider rejected the request itself (400, 404, 422...); retrying cannot help."""


class AuthenticationError(ProviderError):
    """The API key is missing, wrong or lacks permission (401, 403)."""


class RateLimitError(ProviderError):
    """Too many requests (429)."""


class ServerError(ProviderError):
    """The provider failed (5xx)."""


class ModelTimeoutError(LLMError):
    """The model did not answer within the request timeout."""


class ModelConnectionError(LLMError):
    """The connection failed or dropped before a complete answer arrived."""


class InvalidResponseError(LLMError):
    """The provider answered 200 with a body that is not the expected format."""


class CassetteMismatchError(LLMError):
    """In replay mode, a model request matched nothing recorded in the cassette."""


class NetworkBlockedError(LLMError):
    """A model would have sent a request over the network while network models are blocked."""


class ScriptExhaustedError(LLMError):
    """A scripted test model was called more times than it had replies."""


class TaskError(CrewkitError):
    """A task failed; ``outputs`` holds what the run completed before it."""

    def __init__(self, message: str, *, outputs: Sequence[object] = ()) -> None:
        self.outputs = list(outputs)
        super().__init__(message)
