"""A persisted flow's runs live in the run journal (``.crewkit/runs.db``), beside crews' runs.

The run's id is the state's ``id``, and every kickoff of that id continues the same run (CrewAI's
``kickoff(inputs={"id": ...})``: restore, then run again). Entries:

- ``flow_kickoff`` ``{kickoff, inputs, state, fingerprint, definition}``: a kickoff begins, from
  that state, with that flow definition (the ``kickoff``-th of this run)
- ``flow_step`` ``{kickoff, step, n, label, state, result}``: the ``n``-th run of ``step`` in that
  kickoff finished; ``state`` is the state just after it, ``label`` a router's choice, ``result``
  the returned value (see :func:`encode_result`); the entry's ``task`` column names the step
- ``run_ended``, with the output ``{result, state}`` of a completed run

Each ``flow_step`` is written before anything it sets off starts, so a resume knows every step that
finished: it answers those from the journal, in journal order, and runs the rest live.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crewkit.errors import DefinitionChangedError, FlowError
from crewkit.flow._replay import Saved
from crewkit.flow._state import is_model
from crewkit.journal import Journal
from crewkit.journal._definitions import changes, fingerprint

if TYPE_CHECKING:
    from crewkit.flow._graph import FlowGraph
    from crewkit.journal import RunRecord

KICKOFF = "flow_kickoff"
STEP = "flow_step"


def flow_definition(graph: FlowGraph, state: Any) -> dict[str, Any]:
    """What a resume must find unchanged: each step's kind and trigger, the router labels, the
    state's fields. Step bodies are not in it, so fixing the step that failed and resuming works."""
    steps = {
        step.name: {
            "start": step.is_start,
            "trigger": None if step.trigger is None else str(step.trigger),
            "router": step.is_router,
            "labels": sorted(step.labels),
            "async": step.is_async,
            "takes_result": step.takes_arg,
        }
        for step in graph.steps.values()
    }
    if is_model(state):
        fields = {n: str(f.annotation) for n, f in type(state).model_fields.items()}
        shape: Any = {"model": type(state).__name__, "fields": fields}
    else:
        shape = "dict"
    return {"kind": "flow", "name": graph.name, "steps": steps, "state": shape}


def flow_source(cls: type) -> str:
    """How to load the class again: ``path/to/module.py:Class`` (``module:Class`` when the module
    has no file), what ``crewkit resume`` and ``crewkit flow kickoff`` take."""
    path = getattr(sys.modules.get(cls.__module__), "__file__", None)
    return f"{path or cls.__module__}:{cls.__qualname__}"


class Unsaved:
    """Stands in for a step result the journal could not hold (see :func:`encode_result`)."""

    def __init__(self, step: str, why: str) -> None:
        self.step = step
        self.why = why

    def error(self, flow: str, needed_by: str) -> FlowError:
        return FlowError(
            f"{flow}: cannot resume past {self.step}: {needed_by} needs its result, and {self.why}; "
            "return JSON values, a pydantic model or a crew output from a persisted step, or keep "
            "other objects out of the flow's results",
            flow=flow,
            step=self.step,
        )


def encode_result(value: Any) -> dict[str, Any]:
    """A step's result as JSON: the value itself, a pydantic model (``model`` names its class), a
    crew output; anything else is recorded by type only (``unsaved``)."""
    if value is None or isinstance(value, (str, bool, int)):
        return {"value": value}
    try:
        json.dumps(value, allow_nan=False)
        return {"value": value}
    except (TypeError, ValueError):
        pass
    if is_model(value) and not isinstance(value, type):
        try:
            return {"model": _class_path(type(value)), "value": value.model_dump(mode="json")}
        except Exception:  # pydantic's serialization error: a field holds an arbitrary object
            return {"unsaved": type(value).__name__}
    task = sys.modules.get("crewkit.task")
    if task is not None and isinstance(value, task.CrewOutput):
        model = value.pydantic
        return {
            "crew_output": value.to_dict(),
            "model": None if model is None else _class_path(type(model)),
        }
    return {"unsaved": type(value).__name__}


def decode_result(step: str, data: Any) -> Any:
    """The value :func:`encode_result` stored, or an :class:`Unsaved` saying why not."""
    if not isinstance(data, dict):
        return None
    if "unsaved" in data:
        return Unsaved(step, f"it returned a {data['unsaved']}, which was not saved")
    model_path = data.get("model")
    model = None
    if model_path:
        model = _import_class(model_path)
        if model is None:
            return Unsaved(step, f"its result's class {model_path} cannot be imported")
    if "crew_output" in data:
        return _crew_output(data["crew_output"], model)
    if model is not None:
        return model.model_validate(data.get("value"))
    return data.get("value")


def _crew_output(data: dict[str, Any], model: Any) -> Any:
    from types import SimpleNamespace

    from crewkit._run.resuming import output_from_dict

    no_definitions: Any = SimpleNamespace(tasks=())
    output = output_from_dict(no_definitions, data, {}, str(data.get("run_id") or ""))
    last = output.tasks_output[-1] if output.tasks_output else None
    if model is not None and last is not None and last.json_dict is not None:
        last.pydantic = model.model_validate(last.json_dict)
    return output


def _class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _import_class(path: str) -> Any:
    module_name, _, qualname = path.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        return None
    return found if isinstance(found, type) and is_model(found) else None


class FlowJournal:
    """One flow run's writer: a kickoff's start, each finished step, the ending."""

    def __init__(self, journal: Journal, run_id: str, kickoff: int, done: set[str]) -> None:
        self.journal = journal
        self.run_id = run_id
        self.kickoff = kickoff
        self.done = done
        """Steps finished in this kickoff: the run's progress (``tasks_done``)."""
        from crewkit._secrets import known

        self.secrets = known()

    def step(self, step: str, n: int, label: str | None, state: Any, result: Any) -> None:
        """Journal a finished step, before anything it sets off starts."""
        self.done.add(step)
        data = {
            "kickoff": self.kickoff, "step": step, "n": n, "label": label, "state": state,
            "result": encode_result(result),
        }  # fmt: skip
        self.journal.append(
            self.run_id, STEP, data, task=step, secrets=self.secrets, done=len(self.done)
        )

    def finish(self, result: Any, state: Any, error: BaseException | None) -> None:
        """Journal how the kickoff ended: completed (with its result), failed or interrupted."""
        if error is None:
            output = {"result": encode_result(result), "state": state}
            self.journal.finish(self.run_id, "completed", output=output, secrets=self.secrets)
            return
        status = "failed" if isinstance(error, Exception) else "interrupted"
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        self.journal.finish(self.run_id, status, error=text, secrets=self.secrets)


def begin_kickoff(
    journal: Journal, graph: FlowGraph, cls: type, inputs: dict[str, Any], state: Any
) -> FlowJournal:
    """Start a kickoff of the flow run ``state``'s id: a new run, or the next kickoff of it."""
    from crewkit.flow._state import state_data, state_id

    run_id = state_id(state)
    try:
        data = state_data(state)
    except TypeError as exc:
        raise FlowError(
            f"{graph.name}: the state cannot be saved: {exc}", flow=graph.name
        ) from None
    definition = flow_definition(graph, state)
    print_ = fingerprint(definition)
    record = journal.run(run_id)
    if record is None:
        journal.begin_run(
            run_id, crew=graph.name, fingerprint=print_, definition=definition, inputs=inputs,
            tasks_total=len(graph.steps), source=flow_source(cls),
        )  # fmt: skip
        kickoff = 1
    else:
        _check_flow_run(record, graph.name)
        journal.claim(run_id)
        previous = journal.last(run_id, KICKOFF)
        kickoff = 1 + (int(previous.data.get("kickoff", 0)) if previous is not None else 0)
    entry = {
        "kickoff": kickoff, "inputs": inputs, "state": data, "fingerprint": print_,
        "definition": definition,
    }  # fmt: skip
    journal.append(run_id, KICKOFF, entry, done=0)
    return FlowJournal(journal, run_id, kickoff, set())


@dataclass
class Resumption:
    """What resuming a flow run starts from."""

    finished: bool
    """The run completed: ``result`` and ``state`` are its ending, nothing runs."""
    result: Any
    state: Any
    """The state (JSON values) after the last finished step."""
    saved: list[Saved]
    """The kickoff's finished steps, in journal order."""
    writer: FlowJournal | None


def resume_from(
    journal: Journal, graph: FlowGraph, state: Any, run_id: str, *, force: bool
) -> Resumption:
    """Read what run ``run_id`` finished and take it over; refused when the flow's definition
    changed since its kickoff (unless ``force``) or another live process runs it."""
    record = journal.require(run_id)
    _check_flow_run(record, graph.name)
    if record.status == "completed" and record.output is not None:
        output = record.output
        return Resumption(True, decode_result("", output.get("result")), output["state"], [], None)
    kickoff = journal.last(run_id, KICKOFF)
    if kickoff is None:
        raise FlowError(f"run {run_id!r} has no flow kickoff to resume", flow=graph.name)
    now = flow_definition(graph, state)
    if fingerprint(now) != kickoff.data.get("fingerprint") and not force:
        raise DefinitionChangedError(
            run_id, changes(dict(kickoff.data.get("definition") or {}), now), what="flow"
        )
    journal.claim(run_id)
    saved: list[Saved] = []
    last_state = kickoff.data.get("state")
    for entry in journal.entries(run_id, after_seq=kickoff.seq, kinds=[STEP]):
        step = str(entry.data["step"])
        label = entry.data.get("label")
        result = decode_result(step, entry.data.get("result"))
        saved.append(Saved(entry.seq, step, int(entry.data["n"]), label, result))
        last_state = entry.data.get("state")
    number = int(kickoff.data.get("kickoff", 1))
    writer = FlowJournal(journal, run_id, number, {s.step for s in saved})
    return Resumption(False, None, last_state, saved, writer)


def saved_state(journal: Journal, flow_id: str) -> Any:
    """The newest state of run ``flow_id`` (JSON values), or ``None``; reads states saved by
    earlier crewkit versions (the ``flow_states`` table) when the journal has none."""
    newest = [e for e in (journal.last(flow_id, STEP), journal.last(flow_id, KICKOFF)) if e]
    if newest:
        return max(newest, key=lambda e: e.seq).data.get("state")
    from crewkit.flow._store import legacy_state

    text = legacy_state(journal.path, flow_id)
    return None if text is None else json.loads(text)


def _check_flow_run(record: RunRecord, flow: str) -> None:
    if record.kind != "flow":
        raise FlowError(
            f"run {record.id!r} is a run of crew {record.crew!r}, not of a flow; give this flow's "
            "state another id",
            flow=flow,
        )


_journals: dict[str, Journal] = {}
_journals_lock = threading.Lock()


def shared_journal(path: str | os.PathLike[str] | None) -> Journal:
    """One :class:`Journal` per file per process, so concurrent flows share its connection."""
    from crewkit.journal._reader import default_path

    given = os.fspath(default_path() if path is None else path)
    key = given if given == ":memory:" else os.path.realpath(given)
    with _journals_lock:
        journal = _journals.get(key)
        if journal is None:
            journal = _journals[key] = Journal(key)
        return journal
