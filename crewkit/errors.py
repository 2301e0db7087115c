"""One error hierarchy: catch :class:`CrewkitError` to catch everything crewkit raises on purpose.

The tree, with when each branch is raised::

    CrewkitError                  .outputs: the task outputs a failed run had finished
    +-- ConfigurationError        a definition is wrong; before any model call (also a ValueError)
    |   +-- MissingInputError     placeholders with no value in inputs (.missing)
    |   +-- InputRejectedError    a before_kickoff callback refused the inputs
    |   +-- CrewFileError         mistakes in crew.yaml / agents.yaml / tasks.yaml (.problems)
    |   +-- ModelNotConfiguredError
    |   +-- FlowDefinitionError   a flow class is wrong (.flow, .step)
    |   +-- FlowInputError        kickoff inputs that do not fit a flow's state
    +-- LLMError                  a model call failed (.provider, .model, .retryable)
    |   +-- ProviderError         the provider answered an error status
    |   |   +-- BadRequestError       400, 404, 422...: retrying cannot help
    |   |   +-- AuthenticationError   401, 403
    |   |   +-- RateLimitError        429 (.retry_after)
    |   |   +-- ServerError           5xx
    |   +-- ModelTimeoutError
    |   +-- ModelConnectionError
    |   |   +-- ModelUnreachableError nothing listens at a local server's address
    |   +-- InvalidResponseError  a 200 answer in the wrong format
    |   +-- CassetteMismatchError a replayed request that was never recorded
    |   +-- NetworkBlockedError   a network model while network models are blocked
    |   +-- ScriptExhaustedError  a scripted test model asked once too often
    +-- OutputValidationError     the answer never matched the task's output schema
    +-- GuardrailError            a guardrail kept rejecting the answer (.feedback)
    +-- AgentTimeoutError         max_execution_time passed
    +-- BudgetExceededError       Crew(max_tokens=...) used up
    +-- HumanInputError           human_input=True with no one to ask
    +-- CallbackError             a task callback, task_callback or step_callback raised (.callback)
    +-- OutputFileError           a task's output_file could not be written (.path)
    +-- MemoryStoreError          the memory file cannot be used (.path)
    +-- KnowledgeError            the knowledge index cannot be used (.path)
    +-- MCPServerError            an MCP server did not start (.server)
    +-- JournalError              the run journal cannot be used, or refuses a request
    |   +-- RunNotFoundError      no run with that id in the journal
    |   +-- RunBusyError          another live process is running that run
    |   +-- DefinitionChangedError resuming with another crew definition or inputs (.changes)
    +-- ReviewPending             a durable run waits for a person's review (resume it later)
    +-- FlowError                 a flow run failed (.step, .state)
        +-- FlowCycleError        a flow went past max_steps (.loop)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


class CrewkitError(Exception):
    """Base class of every error crewkit raises deliberately. When a run fails, ``outputs`` holds
    the task outputs it completed before the failure, so no finished work is lost."""

    outputs: list[Any]

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.outputs = []


class ConfigurationError(CrewkitError, ValueError):
    """A crew, agent, task or tool definition is invalid; raised before any model is called."""


class CompatibilityWarning(UserWarning):
    """A CrewAI setting crewkit accepts without using it, or a gap it tolerates as CrewAI does (a
    task with no ``expected_output``); the message says what happens instead."""


class MissingInputError(ConfigurationError):
    """Placeholders in the definitions have no value in ``inputs``; ``missing`` maps each name to
    the places that use it, e.g. ``task 'research'.description``."""

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


class InputRejectedError(ConfigurationError):
    """A crew's ``before_kickoff_callbacks`` rejected the inputs (raised before any model call)."""


@dataclass(frozen=True)
class ConfigProblem:
    """One mistake in a crew file: where it is, what was found and what was expected."""

    file: str
    """The file, as the user named it."""
    line: int | None
    """1-based line number, when known."""
    path: str
    """The field path inside the file, e.g. ``agents.researcher.max_iter``."""
    message: str
    """What was wrong and what would be right."""
    hint: str = ""
    """A suggestion such as "did you mean 'goal'?"."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.path}:" if self.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}:{field} {self.message}{hint}"


class CrewFileError(ConfigurationError):
    """A crew file (crew.yaml, or CrewAI's agents.yaml and tasks.yaml) has mistakes; ``problems``
    lists every one found, so a user can fix them all in one go."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the crew file:\n{lines}")


class ModelNotConfiguredError(ConfigurationError):
    """No model was given to an agent, its crew, or the ``CREWKIT_MODEL`` environment variable."""


class LLMError(CrewkitError):
    """A model call failed. Says which provider and model, and never contains an API key."""

    retryable: ClassVar[bool] = False
    """Whether another attempt can fix it (the retry policy only retries these)."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        model: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        attempts: int | None = None,
    ) -> None:
        self.message, self.provider, self.model, self.status = message, provider, model, status
        self.retry_after = retry_after
        """Seconds the server asked us to wait before trying again (``Retry-After``), if it said."""
        self.attempts = attempts
        """How many requests were made before giving up (set by the retry policy)."""
        super().__init__(message)

    def __str__(self) -> str:
        where = "/".join(p for p in (self.provider, self.model) if p)
        prefix = f"{where}: " if where else ""
        suffix = f" (HTTP {self.status})" if self.status is not None else ""
        tries = f" [gave up after {self.attempts} attempts]" if (self.attempts or 0) > 1 else ""
        return f"{prefix}{self.message}{suffix}{tries}"


class ProviderError(LLMError):
    """The provider answered with an error status; ``message`` is what its server said."""


class BadRequestError(ProviderError):
    """The provider rejected the request itself (400, 404, 422...); retrying cannot help."""


class AuthenticationError(ProviderError):
    """The API key is missing, wrong or lacks permission (401, 403)."""


class RateLimitError(ProviderError):
    """Too many requests (429)."""

    retryable = True


class ServerError(ProviderError):
    """The provider failed (5xx)."""

    retryable = True


class ModelTimeoutError(LLMError):
    """The model did not answer within the request timeout."""

    retryable = True


class ModelConnectionError(LLMError):
    """The connection failed or dropped before a complete answer arrived."""

    retryable = True


class ModelUnreachableError(ModelConnectionError):
    """Nothing listens at a model server's address on this machine: the server is not running.
    Not retried, since waiting will not start it."""

    retryable = False


class InvalidResponseError(LLMError):
    """The provider answered 200 with a body that is not the expected format."""

    retryable = True


class CassetteMismatchError(LLMError):
    """In replay mode, a model request matched nothing recorded in the cassette."""


class NetworkBlockedError(LLMError):
    """A model would have sent a request over the network while network models are blocked."""


class ScriptExhaustedError(LLMError):
    """A scripted test model was called more times than it had replies."""


def provider_error_for(status: int) -> type[ProviderError]:
    """The error an HTTP error status means."""
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    if status in (401, 403):
        return AuthenticationError
    return BadRequestError


class OutputValidationError(CrewkitError):
    """The final answer did not match the task's output schema after every retry."""

    def __init__(self, message: str, *, raw: str, errors: str) -> None:
        super().__init__(message)
        self.raw = raw
        """The last answer the model gave."""
        self.errors = errors
        """The validation errors of that answer."""


class GuardrailError(CrewkitError):
    """A task's guardrail kept rejecting the answer; ``feedback`` holds every rejection given."""

    def __init__(self, message: str, *, feedback: Sequence[str]) -> None:
        super().__init__(message)
        self.feedback = list(feedback)


class AgentTimeoutError(CrewkitError):
    """An agent ran past its ``max_execution_time``."""


class BudgetExceededError(CrewkitError):
    """The run used more tokens than ``Crew(max_tokens=...)`` allows."""


class OutputFileError(CrewkitError):
    """A task's ``output_file`` could not be written after the work was done. The answer is not
    lost: ``outputs`` holds it with every other completed output; ``path`` names the file."""

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(message)


class CallbackError(CrewkitError):
    """A callback of yours raised: a task's ``callback``, or the crew's ``task_callback`` or
    ``step_callback``. The task's work is done and kept in ``outputs``; ``callback`` names the
    function, ``task`` the task, and the exception it raised is the ``__cause__``."""

    def __init__(self, message: str, *, callback: str, task: str) -> None:
        self.callback = callback
        self.task = task
        super().__init__(message)


class HumanInputError(CrewkitError):
    """A task needs human review, but there is no way to ask a person."""


class MemoryStoreError(CrewkitError):
    """The memory file cannot be used: corrupt, not a SQLite database, locked by another process,
    or unwritable. ``path`` names the file."""

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(message)


class JournalError(CrewkitError):
    """The run journal (``.crewkit/runs.db``) cannot be used, or refuses what was asked of it."""


class RunNotFoundError(JournalError):
    """No run with this id is in the journal."""

    def __init__(self, run_id: str, path: str) -> None:
        self.run_id = run_id
        """The id asked for."""
        super().__init__(f"no run {run_id!r} in the journal {path}; `crewkit runs` lists the runs")


class RunBusyError(JournalError):
    """Another live process is running this run; two writers would repeat each other's work."""


class DefinitionChangedError(JournalError):
    """A resume with a crew definition or inputs other than the journaled run's; ``changes``
    names each difference. ``resume(..., force=True)`` reuses the steps that still match."""

    def __init__(self, run_id: str, changes: Sequence[str], *, what: str = "crew") -> None:
        self.run_id = run_id
        """The run."""
        self.changes = list(changes)
        """What differs, e.g. ``tasks[1].description`` (a flow's: ``steps.review.trigger``)."""
        listed = "\n".join(f"  {c}" for c in self.changes[:20])
        more = f"\n  ... and {len(self.changes) - 20} more" if len(self.changes) > 20 else ""
        started = "crew definition or inputs" if what == "crew" else f"{what} definition"
        reused = "step whose request still matches" if what == "crew" else "journaled step"
        super().__init__(
            f"run {run_id!r} was started with another {started}:\n{listed}{more}\n"
            f"resume with force=True (CLI: --force) to reuse every {reused}"
        )


class ReviewPending(CrewkitError):
    """A durable run stopped to wait for a person's review of a ``human_input`` task. Nothing is
    lost: ``crew.resume(run_id, feedback=...)`` or ``approve=True`` (CLI: ``crewkit resume ID
    --feedback "..."`` / ``--approve``) continues it, in any process, any time later."""

    def __init__(self, run_id: str, task: str, answer: str) -> None:
        self.run_id = run_id
        """The waiting run."""
        self.task = task
        """The task whose answer waits for review."""
        self.answer = answer
        """The answer to review."""
        super().__init__(
            f"run {run_id!r} waits for a review of task {task!r}; continue it with "
            f'`crewkit resume {run_id} --approve` or `--feedback "..."`'
        )


class KnowledgeError(CrewkitError):
    """The knowledge index (a cache of chunked documents) cannot be used: corrupt, locked, or
    written by a newer crewkit. ``path`` names the file; deleting it is always safe."""

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(message)


class MCPServerError(CrewkitError):
    """An MCP server did not start (or did not list its tools) within its timeout. ``server`` names
    it by command line or URL, without credentials. Raised before any model call of the run."""

    def __init__(self, message: str, *, server: str) -> None:
        self.server = server
        super().__init__(message)


class FlowDefinitionError(ConfigurationError):
    """A flow class is wrong: a trigger names no step or label, a router label has no listener, a
    step can never run... Raised when the class is defined (or kicked off), naming the step."""

    def __init__(self, message: str, *, flow: str = "", step: str = "") -> None:
        super().__init__(message)
        self.flow = flow
        """The flow class's name."""
        self.step = step
        """The step the mistake is in."""


class FlowInputError(ConfigurationError):
    """``kickoff(inputs=...)`` does not fit the flow's state; raised before any step runs."""


class FlowError(CrewkitError):
    """A flow run failed. ``step`` names the step that failed, ``state`` is the state at that moment
    and ``outputs`` the results of the steps that finished, in the order they finished."""

    def __init__(self, message: str, *, flow: str = "", step: str = "", state: Any = None) -> None:
        super().__init__(message)
        self.flow = flow
        """The flow class's name."""
        self.step = step
        """The failing step, or "" when the failure was not inside a step."""
        self.state = state
        """The flow's state when it failed."""


class FlowCycleError(FlowError):
    """A flow ran more than ``max_steps`` steps; ``loop`` lists the steps (and router labels) of the
    loop that kept going round."""

    def __init__(self, message: str, *, loop: Sequence[str] = (), **where: Any) -> None:
        super().__init__(message, **where)  # flow, step, state: as FlowError's
        self.loop = list(loop)
        """The loop, e.g. ``['generate', 'evaluate', "'retry'", 'generate']``."""
