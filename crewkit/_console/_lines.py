"""Progress as plain lines, one per step, indented by nesting: what logs and pipes get."""

from __future__ import annotations

from typing import IO

from crewkit._console._steps import Steps
from crewkit.events import Event


class LineProgress:
    """Plain progress lines, for logs, pipes and ``NO_COLOR``."""

    def __init__(self, stream: IO[str], *, verbose: bool = False) -> None:
        self.stream = stream
        self.steps = Steps(verbose)

    def __call__(self, event: Event) -> None:
        step = self.steps.step(event)
        if step is None:
            return
        depth, _, text = step
        self.stream.write("  " * max(depth, 0) + text + "\n")
        self.stream.flush()
