"""``Flow``: the base class of event-driven pipelines of crews and plain Python steps.

The class is the definition (compiled and checked once, when it is defined); a flow object is one
run's state, so run concurrent flows as separate objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from crewkit.errors import FlowDefinitionError, FlowError
from crewkit.flow._define import PERSIST_ATTR, PersistSpec
from crewkit.flow._graph import FlowGraph, compile_graph
from crewkit.flow._state import (
    STATE_TYPE_ATTR,
    apply_inputs,
    load_state,
    new_state,
    state_id,
    state_type_argument,
)
from crewkit.flow._store import FlowStore, Target, resolve_store

if TYPE_CHECKING:
    from os import PathLike

    from crewkit.events import Listener
    from crewkit.flow._journal import FlowJournal
    from crewkit.flow._replay import Replay
    from crewkit.journal import Journal

StateT = TypeVar("StateT")

DEFAULT_MAX_STEPS = 100
"""Steps one kickoff may run before it stops with :class:`~crewkit.errors.FlowCycleError`."""


class Flow(Generic[StateT]):
    """A pipeline of steps: ``@start()`` steps run at kickoff, ``@listen(...)`` steps when what they
    listen to finishes, ``@router(...)`` steps pick a label that decides what runs next.

    ``class MyFlow(Flow[MyState])`` gives a structured state (a pydantic model); a plain ``Flow`` has a
    dict. Either way ``self.state`` has an ``id``. ``Flow(**values)`` sets state fields.
    """

    __crewkit_flow_base__: ClassVar[bool] = True
    __crewkit_flow_graph__: ClassVar[FlowGraph]

    initial_state: ClassVar[Any] = None
    """The state to start from: a pydantic model class or instance, or a dict; ``None`` uses the
    ``Flow[Model]`` type argument, else an empty dict."""
    max_steps: int = DEFAULT_MAX_STEPS
    """Steps one kickoff may run; a loop that goes past it stops with a ``FlowCycleError`` naming it."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        argument = state_type_argument(cls)
        if argument is not None and not isinstance(argument, TypeVar):
            setattr(cls, STATE_TYPE_ATTR, argument)
        cls.__crewkit_flow_graph__ = compile_graph(cls)

    def __init__(
        self,
        persistence: FlowStore | Journal | str | PathLike[str] | None = None,
        *,
        max_steps: int | None = None,
        listeners: Sequence[Listener] = (),
        verbose: bool = False,
        **state_values: Any,
    ) -> None:
        """``persistence``: journal every step there (a run journal file or
        :class:`~crewkit.journal.Journal`), or save the state in a :class:`FlowStore` of your own,
        even without ``@persist``. ``listeners`` receive every event of every kickoff; ``verbose`` shows the run
        on stderr. Other keyword arguments set state fields."""
        if max_steps is not None:
            _check_max_steps(max_steps)
            self.max_steps = max_steps
        self._state: Any = new_state(type(self))
        if state_values:
            self._state = apply_inputs(self._state, state_values, type(self).__name__)
        self._flow_store = None if persistence is None else resolve_store(persistence)
        self._flow_listeners = list(listeners)
        self._flow_verbose = verbose
        self._flow_running = False

    @property
    def state(self) -> StateT:
        """This flow's state; steps read and change it."""
        try:
            state: StateT = self._state
        except AttributeError:  # a subclass __init__ that did not call super().__init__()
            state = self._state = new_state(type(self))
        return state

    @property
    def flow_id(self) -> str:
        """The state's ``id``: the key ``@persist`` saves under."""
        return state_id(self.state)

    def kickoff(self, inputs: Mapping[str, Any] | None = None) -> Any:
        """Fill the state from ``inputs``, run the flow, and return the result of the step that
        finished last. Works inside a running event loop too (notebooks)."""
        from crewkit._sync import run_sync

        return run_sync(lambda: self.kickoff_async(inputs))

    async def kickoff_async(self, inputs: Mapping[str, Any] | None = None) -> Any:
        """Run the flow on the current event loop (see :meth:`kickoff`).

        With ``inputs={"id": ...}`` and persistence on, the newest state saved under that id is
        restored first; the other inputs are then applied over it. A persisted flow's kickoff is
        a run in the run journal under the state's id (see :meth:`resume`).
        """
        cls, graph = self._ready()
        if inputs is not None and not isinstance(inputs, Mapping):
            raise FlowError(f"{cls.__name__}.kickoff(inputs=...) takes a dict, got {inputs!r}")
        given = dict(inputs or {})
        persist_all, target = self._persistence(graph)
        if "id" in given and target is not None:
            saved = _saved_state(target, str(given["id"]))
            if saved is not None:
                self._state = load_state(self.state, saved)
        self._state = apply_inputs(self.state, given, cls.__name__)
        _check_max_steps(self.max_steps)
        journal = None
        if target is not None and not isinstance(target, FlowStore):
            from crewkit.flow._journal import begin_kickoff

            journal = begin_kickoff(target, graph, cls, given, self.state)
        store = target if isinstance(target, FlowStore) else None
        return await self._execute(graph, given, persist_all, store, journal, None)

    def resume(self, run_id: str, *, force: bool = False) -> Any:
        """Continue the journaled run ``run_id`` of this flow (a persisted flow whose process died,
        or which failed or was interrupted) and return its result.

        The steps it finished are not run again: their journaled results set off their listeners
        as they did the first time, the state is the one saved after the last of them, and the
        steps that had not finished run. A completed run returns its result without running
        anything. A flow whose steps, triggers, labels or state fields changed since the run was
        kicked off is refused (:class:`~crewkit.errors.DefinitionChangedError` listing the
        changes) unless ``force``, which reuses the journaled steps that still exist.
        """
        from crewkit._sync import run_sync

        return run_sync(lambda: self.resume_async(run_id, force=force))

    async def resume_async(self, run_id: str, *, force: bool = False) -> Any:
        """:meth:`resume` on the current event loop."""
        from crewkit.flow._journal import Unsaved, resume_from, shared_journal
        from crewkit.flow._replay import Replay

        cls, graph = self._ready()
        persist_all, target = self._persistence(graph)
        if isinstance(target, FlowStore):
            raise FlowError(
                f"{cls.__name__} saves its states in {target!r}, which cannot resume a run; "
                "resuming needs the run journal: @persist, @persist('path.db') or a Journal",
                flow=cls.__name__,
            )
        journal = target if target is not None else shared_journal(None)
        resumed = resume_from(journal, graph, self.state, run_id, force=force)
        self._state = load_state(self.state, resumed.state)
        if resumed.finished:
            if isinstance(resumed.result, Unsaved):
                raise resumed.result.error(cls.__name__, "the flow's result")
            return resumed.result
        replay = Replay(resumed.saved) if resumed.saved else None
        return await self._execute(graph, {}, persist_all, None, resumed.writer, replay)

    def _ready(self) -> tuple[type[Flow[Any]], FlowGraph]:
        cls = type(self)
        graph = cls.__crewkit_flow_graph__
        if not graph.steps:
            raise FlowDefinitionError(
                f"{cls.__name__} has no steps: decorate methods with @start(), @listen(...) or "
                "@router(...)",
                flow=cls.__name__,
            )
        if getattr(self, "_flow_running", False):
            raise FlowError(
                f"this {cls.__name__} object is already running; a flow object holds one run's "
                f"state, so create one {cls.__name__}() per concurrent kickoff",
                flow=cls.__name__,
            )
        return cls, graph

    def _persistence(self, graph: FlowGraph) -> tuple[PersistSpec | None, Target | None]:
        """Which steps save the state (``None``: only those marked), and where."""
        target = getattr(self, "_flow_store", None)
        persist_all: PersistSpec | None = getattr(type(self), PERSIST_ATTR, None)
        if persist_all is None and target is not None:
            persist_all = PersistSpec()  # Flow(persistence=...) saves after every step
        if target is None:
            spec = persist_all or next((s.persist for s in graph.steps.values() if s.persist), None)
            if spec is not None:
                target = resolve_store(spec.store)
        return persist_all, target

    async def _execute(
        self,
        graph: FlowGraph,
        inputs: dict[str, Any],
        persist_all: PersistSpec | None,
        store: FlowStore | None,
        journal: FlowJournal | None,
        replay: Replay | None,
    ) -> Any:
        from crewkit.flow._run import FlowRun

        self._flow_running = True
        try:
            run = FlowRun(
                self,
                graph,
                listeners=self._listeners(),
                persist_all=persist_all,
                store=store,
                journal=journal,
                replay=replay,
                max_steps=self.max_steps,
            )
            return await run.run(inputs)
        finally:
            self._flow_running = False

    def _listeners(self) -> list[Listener]:
        listeners: list[Listener] = list(getattr(self, "_flow_listeners", ()))
        if getattr(self, "_flow_verbose", False):
            from crewkit._console import progress

            listeners.append(progress(verbose=False))
        return listeners

    def plot(self, filename: str = "crewkit_flow", *, show: bool = False) -> str:
        """Write an HTML page drawing the flow (Mermaid) to ``filename`` (``.html`` added if missing)
        and return its path; ``show`` opens it in a browser."""
        from pathlib import Path

        from crewkit.flow._plot import html

        path = Path(filename if filename.endswith(".html") else f"{filename}.html")
        path.write_text(html(type(self).__crewkit_flow_graph__), encoding="utf-8")
        if show:
            import webbrowser

            webbrowser.open(path.resolve().as_uri())
        return str(path)

    @classmethod
    def mermaid(cls) -> str:
        """The flow as Mermaid flowchart text (paste it in a Markdown ``mermaid`` block)."""
        from crewkit.flow._plot import mermaid

        return mermaid(cls.__crewkit_flow_graph__)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.flow_id!r})"


def _saved_state(target: Target, flow_id: str) -> Any:
    if isinstance(target, FlowStore):
        return target.load_state(flow_id)
    from crewkit.flow._journal import saved_state

    return saved_state(target, flow_id)


def _check_max_steps(value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise FlowDefinitionError(f"max_steps must be a positive integer, got {value!r}")


Flow.__crewkit_flow_graph__ = compile_graph(Flow)
