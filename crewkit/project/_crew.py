"""``@crew``: the method that assembles the crew from the class's tasks and agents."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from crewkit.project._crew_base import decorated
from crewkit.project._decorators import KIND

F = TypeVar("F", bound=Callable[..., Any])


def crew(fn: F) -> F:
    """Mark the method that returns the :class:`~crewkit.Crew`. Before it runs, ``self.tasks`` holds
    every ``@task`` in definition order and ``self.agents`` the agents of those tasks (in task order)
    followed by the other ``@agent`` methods' agents. The crew is named after the class unless it
    has a name, and gets the class's ``@before_kickoff`` / ``@after_kickoff`` methods."""

    @functools.wraps(fn)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        cls = type(self)
        tasks = [getattr(self, name)() for name, _ in decorated(cls, "task")]
        agents: list[Any] = []
        roles: set[str] = set()
        candidates = [t.agent for t in tasks if getattr(t, "agent", None) is not None]
        candidates += [getattr(self, name)() for name, _ in decorated(cls, "agent")]
        for member in candidates:
            if member.role not in roles:
                roles.add(member.role)
                agents.append(member)
        self.agents, self.tasks = agents, tasks
        made = fn(self, *args, **kwargs)
        if getattr(made, "name", None) == "crew":
            made.name = cls.__name__
        made.before_kickoff_callbacks = [
            *made.before_kickoff_callbacks,
            *(getattr(self, name) for name, _ in decorated(cls, "before_kickoff")),
        ]
        made.after_kickoff_callbacks = [
            *made.after_kickoff_callbacks,
            *(getattr(self, name) for name, _ in decorated(cls, "after_kickoff")),
        ]
        return made

    setattr(wrapper, KIND, "crew")
    return wrapper  # type: ignore[return-value]
