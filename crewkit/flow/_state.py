"""A flow's state: a dict or a pydantic model, always with an ``id``, filled from the kickoff inputs.

pydantic is never imported here unless the state already is a model (so the user imported it).
"""

from __future__ import annotations

import copy
import json
import os
import typing
from typing import Any

from crewkit.errors import FlowDefinitionError, FlowInputError

STATE_TYPE_ATTR = "__crewkit_flow_state_type__"

_with_id_cache: dict[type, type] = {}


def new_id() -> str:
    """A fresh state id: a random (version 4) UUID, made here so ``import crewkit.flow`` does not
    pay for the uuid module."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def is_model(value: Any) -> bool:
    """Whether ``value`` is a pydantic model class or instance (checked without importing pydantic)."""
    cls = value if isinstance(value, type) else type(value)
    return hasattr(cls, "model_fields") and hasattr(cls, "model_validate")


def state_type_argument(cls: type) -> Any:
    """The ``StateModel`` of ``class MyFlow(Flow[StateModel])``, if the class names one."""
    for base in getattr(cls, "__orig_bases__", ()):
        args = typing.get_args(base)
        if args and getattr(typing.get_origin(base), "__crewkit_flow_base__", False):
            return args[0]
    return None


def new_state(cls: type) -> Any:
    """The state a new flow object starts with: from ``initial_state``, else ``Flow[Model]``, else a dict."""
    initial = getattr(cls, "initial_state", None)
    if initial is None:
        initial = getattr(cls, STATE_TYPE_ATTR, None)
    if initial is None or initial is dict or typing.get_origin(initial) is dict:
        return {"id": new_id()}
    if isinstance(initial, dict):
        state = copy.deepcopy(initial)
        state.setdefault("id", new_id())
        return state
    if isinstance(initial, type) and is_model(initial):
        return with_id(initial)()
    if is_model(initial):
        return with_id(type(initial)).model_validate(initial.model_dump())
    raise FlowDefinitionError(
        f"{cls.__name__}.initial_state must be a pydantic model class or instance, or a dict; "
        f"got {initial!r}",
        flow=cls.__name__,
    )


def with_id(model: type) -> Any:
    """``model`` itself if it has an ``id`` field, else a subclass that adds ``id`` (same name, so
    ``isinstance`` and messages read as the user wrote them; pickles by rebuilding the subclass)."""
    if "id" in model.model_fields:  # type: ignore[attr-defined]
        return model
    derived = _with_id_cache.get(model)
    if derived is None:
        from pydantic import Field

        namespace = {
            "__annotations__": {"id": str},
            "id": Field(default_factory=new_id, description="Identifies this flow's state."),
            "__module__": model.__module__,
            "__qualname__": model.__qualname__,
            "__reduce__": _reduce_with_id,
        }
        derived = type(model)(model.__name__, (model,), namespace)
        _with_id_cache[model] = derived
    return derived


def _reduce_with_id(self: Any) -> tuple[Any, ...]:
    return _rebuild_with_id, (type(self).__mro__[1], self.model_dump())


def _rebuild_with_id(model: type, data: dict[str, Any]) -> Any:
    return with_id(model).model_validate(data)


def state_id(state: Any) -> str:
    """The state's ``id``."""
    value = state.get("id") if isinstance(state, dict) else getattr(state, "id", None)
    return "" if value is None else str(value)


def apply_inputs(state: Any, inputs: dict[str, Any], flow: str) -> Any:
    """``state`` with ``inputs`` filled in (a new object for a model, the same dict for a dict).
    Unknown fields and invalid values fail here, before any step runs."""
    if not inputs:
        return state
    if isinstance(state, dict):
        state.update(inputs)
        return state
    model = type(state)
    fields = model.model_fields
    if model.model_config.get("extra") != "allow":
        unknown = [key for key in inputs if key not in fields]
        if unknown:
            names = ", ".join(repr(k) for k in unknown)
            import difflib

            close = difflib.get_close_matches(unknown[0], list(fields), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"fields: {', '.join(fields)}"
            raise FlowInputError(
                f"{flow}: input {names} {'is not a field' if len(unknown) == 1 else 'are not fields'} "
                f"of the state {model.__name__} ({hint})"
            )
    from pydantic import ValidationError

    try:
        return model.model_validate({**state.model_dump(), **inputs})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']} (got {err.get('input')!r})"
            for err in exc.errors()
        )
        raise FlowInputError(
            f"{flow}: invalid input for the state {model.__name__}: {problems}"
        ) from None


def state_data(state: Any) -> Any:
    """The state as JSON values (a copy: later changes do not reach it). ``TypeError`` names the
    field, or the path inside it, holding a value JSON cannot hold."""
    if is_model(state):
        try:
            return state.model_dump(mode="json")
        except Exception:  # pydantic's serialization error names the type, not the field
            for name in type(state).model_fields:
                try:
                    state.model_dump(mode="json", include={name})
                except Exception:
                    value = getattr(state, name)
                    found = _unsaveable(value, f"state.{name}", models=True)
                    found = found or (f"state.{name}", value)
                    raise _cannot_save(*found) from None
            raise
    try:
        return json.loads(json.dumps(state, allow_nan=False))
    except (TypeError, ValueError):
        found = _unsaveable(state, "state", models=False)
        if found is None:
            raise
        raise _cannot_save(*found) from None


def _unsaveable(value: Any, where: str, *, models: bool) -> tuple[str, Any] | None:
    """The first place in ``value`` JSON cannot hold, as (path, value); pydantic models count as
    JSON when ``models`` (inside a model state), not inside a dict state."""
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return (
            None
            if value == value and value not in (float("inf"), float("-inf"))
            else (where, value)
        )
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return (f"{where} key {key!r}", key)
            found = _unsaveable(item, f"{where}[{key!r}]", models=models)
            if found is not None:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _unsaveable(item, f"{where}[{index}]", models=models)
            if found is not None:
                return found
        return None
    if models and is_model(value) and not isinstance(value, type):
        for name in type(value).model_fields:
            found = _unsaveable(getattr(value, name), f"{where}.{name}", models=True)
            if found is not None:
                return found
        return None
    return (where, value)


def _cannot_save(where: str, value: Any) -> TypeError:
    what = repr(value) if isinstance(value, float) else f"a {type(value).__name__}"
    return TypeError(
        f"{where} holds {what}, which cannot be saved as JSON; keep JSON values (text, numbers, "
        "lists, dicts, pydantic models) in a persisted flow's state"
    )


def dump_state(state: Any) -> str:
    """The state as JSON text (for a :class:`~crewkit.flow.FlowStore`)."""
    return json.dumps(state_data(state))


def load_state(current: Any, data: Any) -> Any:
    """A state of the same kind as ``current`` from JSON text or values saved by
    :func:`state_data`."""
    if isinstance(data, str):
        data = json.loads(data)
    if isinstance(current, dict):
        return dict(data)
    return type(current).model_validate(data)
