"""``verbose=True``: the run drawn as a live tree on stderr (crew → task → agent → model/tool)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crewkit.events import (
    AgentFinished,
    AgentStarted,
    CrewCompleted,
    CrewFailed,
    CrewStarted,
    Event,
    ModelCallCompleted,
    TaskCompleted,
    TaskStarted,
    ToolCallCompleted,
    ToolCallStarted,
)

if TYPE_CHECKING:
    from rich.live import Live
    from rich.tree import Tree


def _short(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_DELEGATION = {"delegate_work_to_coworker": "delegate to", "ask_question_to_coworker": "ask"}


def _tool_label(event: ToolCallStarted) -> str:
    from rich.markup import escape

    args = dict(event.arguments)
    verb = _DELEGATION.get(event.tool_name)
    if verb is not None:
        what = args.get("task", args.get("question", ""))
        coworker = str(args.get("coworker", ""))
        return f"[bold yellow]{verb}[/] {escape(coworker)}: {escape(_short(str(what), 80))}"
    return f"[yellow]tool[/] {escape(event.tool_name)} {escape(_short(str(args), 80))}"


class LiveTree:
    """An event listener that renders one run as a rich tree, updated live."""

    def __init__(self, console: Any = None) -> None:
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.nodes: dict[str, Tree] = {}
        self.live: Live | None = None
        self.root: Tree | None = None

    def __call__(self, event: Event) -> None:
        from rich.live import Live
        from rich.markup import escape
        from rich.tree import Tree

        if isinstance(event, CrewStarted):
            self.root = Tree(f"[bold]Crew[/] {escape(event.crew_name)}")
            self.nodes[event.span_id] = self.root
            self.live = Live(self.root, console=self.console, refresh_per_second=8)
            self.live.start()
            return
        parent = self.nodes.get(event.parent_id or "", self.root)
        if parent is None:
            return
        if isinstance(event, TaskStarted):
            self.nodes[event.span_id] = parent.add(
                f"[bold cyan]Task[/] {escape(event.task_name)} → {escape(event.agent_role)}"
            )
        elif isinstance(event, AgentStarted):
            self.nodes[event.span_id] = parent.add(f"[magenta]{escape(event.agent_role)}[/]")
        elif isinstance(event, ToolCallStarted):
            self.nodes[event.span_id] = parent.add(_tool_label(event))
        elif isinstance(event, ToolCallCompleted):
            node = self.nodes.get(event.span_id)
            # A delegation's answer shows as the coworker's final answer, nested under the call.
            if node is not None and (event.error or event.tool_name not in _DELEGATION):
                style = "red" if event.error else "dim"
                node.add(f"[{style}]{escape(_short(event.result))}[/]")
        elif isinstance(event, ModelCallCompleted):
            usage = event.usage
            parent.add(
                f"[dim]{escape(event.model)}: {usage.prompt_tokens}+{usage.completion_tokens} tokens, "
                f"{event.duration:.2f}s[/]"
            )
        elif isinstance(event, AgentFinished):
            mark = " (forced)" if event.forced else ""
            self.nodes.get(event.span_id, parent).add(
                f"[green]final answer{mark}[/] {escape(_short(event.answer))}"
            )
        elif isinstance(event, TaskCompleted):
            node = self.nodes.get(event.span_id)
            if node is not None:
                node.label = f"{node.label} [green]✓[/]"
        elif isinstance(event, (CrewCompleted, CrewFailed)) and self.live is not None:
            if isinstance(event, CrewFailed):
                parent.add(f"[red]failed: {escape(_short(str(event.error)))}[/]")
            self.live.stop()
            self.live = None
