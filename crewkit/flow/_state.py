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


def dump_state(state: Any) -> str:
    """The state as JSON text; ``TypeError`` names a value that cannot be saved."""
    if is_model(state):
        return str(state.model_dump_json())
    try:
        return json.dumps(state)
    except (TypeError, ValueError):
        for key, value in state.items():
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                raise TypeError(
                    f"state[{key!r}] holds a {type(value).__name__}, which cannot be saved as JSON"
                ) from None
        raise


def load_state(current: Any, text: str) -> Any:
    """A state of the same kind as ``current`` from JSON saved by :func:`dump_state`."""
    data = json.loads(text)
    if isinstance(current, dict):
        return dict(data)
    return type(current).model_validate(data)
