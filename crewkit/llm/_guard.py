"""A process-wide switch that forbids real network model calls (tests turn it on)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from crewkit.errors import NetworkBlockedError
from crewkit.llm._base import LLM

_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}
_state = {"blocked": False, "allow_loopback": True}


def block_network_models(*, allow_loopback: bool = True) -> None:
    """Make every model call that would leave this machine raise :class:`NetworkBlockedError`.

    Loopback servers (``127.0.0.1``, ``localhost``) stay allowed unless ``allow_loopback=False``.
    """
    _state["blocked"] = True
    _state["allow_loopback"] = allow_loopback


def allow_network_models() -> None:
    """Lift :func:`block_network_models`."""
    _state["blocked"] = False
    _state["allow_loopback"] = True


@contextmanager
def network_models_blocked(*, allow_loopback: bool = True) -> Iterator[None]:
    """Block network models inside a ``with`` block, restoring the previous setting after."""
    previous = dict(_state)
    block_network_models(allow_loopback=allow_loopback)
    try:
        yield
    finally:
        _state.update(previous)


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine."""
    host = (urlsplit(url).hostname or "").lower()
    return host in _LOOPBACK or host.startswith("127.")


def check_allowed(llm: LLM) -> None:
    """Raise if ``llm`` would reach the network while that is blocked."""
    check_endpoint(llm.endpoint, provider=llm.provider, model=llm.model)


def check_endpoint(endpoint: str | None, *, provider: str, model: str) -> None:
    """Raise if a request to ``endpoint`` (a model or an embeddings service) is blocked right now."""
    if endpoint is None or not _state["blocked"]:
        return
    if _state["allow_loopback"] and is_loopback(endpoint):
        return
    raise NetworkBlockedError(
        f"network model calls are blocked (crewkit.testing.block_network_models); "
        f"this model would call {urlsplit(endpoint).hostname}",
        provider=provider,
        model=model,
    )
