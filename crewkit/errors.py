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
        self, message: str, *, provider: str = "", model: str = "", status: int | None = None
    ) -> None:
        self.provider = provider
        self.model = model
        self.status = status
        where = "/".join(p for p in (provider, model) if p)
        prefix = f"{where}: " if where else ""
        suffix = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"{prefix}{message}{suffix}")


class NetworkBlockedError(LLMError):
    """A model would have sent a request over the network while network models are blocked."""


class ScriptExhaustedError(LLMError):
    """A scripted test model was called more times than it had replies."""


class TaskError(CrewkitError):
    """A task failed; ``outputs`` holds what the run completed before it."""

    def __init__(self, message: str, *, outputs: Sequence[object] = ()) -> None:
        self.outputs = list(outputs)
        super().__init__(message)


class MemoryStoreError(CrewkitError):
    """The memory file cannot be used: corrupt, not a SQLite database, locked by another process,
    or unwritable. ``path`` names the file."""

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(message)
