"""Tool definitions: a :class:`Tool` base class and the :func:`tool` decorator for plain functions."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from crewkit.errors import ConfigurationError
from crewkit.llm._types import ToolSpec, tool_name
from crewkit.tools._context import ToolContext

if TYPE_CHECKING:
    from pydantic import BaseModel

# pydantic, inspect and asyncio are imported where used: `import crewkit` stays cheap, and the cost
# is paid when the first tool is defined or run.

F = TypeVar("F", bound=Callable[..., Any])


class Tool:
    """A capability an agent can use.

    Subclass it with ``name``, ``description`` and either ``args_schema`` (a pydantic model) or a typed
    ``run`` signature, and implement ``run`` (sync) or ``arun`` (async). Results reach the model as text;
    results longer than ``max_result_chars`` are truncated with a marker.
    """

    name: str = ""
    """How the model calls the tool."""
    description: str = ""
    """What the tool does and when to use it; the model reads this."""
    args_schema: type[BaseModel] | None = None
    """The arguments' pydantic model; derived from ``run``'s signature when not set."""
    max_result_chars: int = 6000
    """Longer results are cut to this length before the model sees them."""
    result_as_answer: bool = False
    """When true, the tool's result (in full) is the agent's final answer: no further model call."""
    context_parameter: str | None = None
    """The parameter of ``run``/``arun`` typed :class:`~crewkit.tools.ToolContext`, if any: filled
    in by crewkit for each call and left out of the schema the model sees."""

    def run(self, **kwargs: Any) -> Any:
        """Do the work synchronously."""
        raise NotImplementedError(f"tool {self.name!r} implements neither run() nor arun()")

    async def arun(self, **kwargs: Any) -> Any:
        """Do the work asynchronously; by default runs :meth:`run` in a thread of its own, so a
        blocking tool never holds up the event loop or outlives a time limit's error."""
        from crewkit._sync import in_thread

        return await in_thread(self.run, **kwargs)

    def arguments_model(self) -> type[BaseModel]:
        """The pydantic model that validates this tool's arguments."""
        if self.args_schema is None:
            self.args_schema = model_from_signature(self.run, f"{tool_name(self.name)}_args")
            self.context_parameter = context_parameter(self.run)
        return self.args_schema

    def spec(self) -> ToolSpec:
        """The tool as a model sees it."""
        check_tool(self)
        schema = _schema_of(self.arguments_model())
        return ToolSpec(name=self.name, description=self.description, parameters=schema)

    def bind(self, **arguments: Any) -> BoundTool:
        """A copy of this tool with some arguments fixed; the model no longer sees or sets them.

        String values may hold ``{placeholders}``, filled from the kickoff inputs — so a user's
        capital or ticker reaches the tool exactly, whatever the model would have written.
        """
        return BoundTool(self, arguments)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class BoundTool(Tool):
    """A tool with some arguments fixed by the developer (see :meth:`Tool.bind`)."""

    def __init__(self, inner: Tool, bound: Mapping[str, Any]) -> None:
        from pydantic import create_model

        fields = inner.arguments_model().model_fields
        unknown = sorted(set(bound) - set(fields))
        if unknown:
            raise ConfigurationError(
                f"tool {inner.name!r} has no argument {', '.join(map(repr, unknown))} to bind; "
                f"its arguments are {', '.join(fields) or 'none'}"
            )
        self.inner = inner
        self.bound = dict(bound)
        self.name = inner.name
        self.description = inner.description
        self.max_result_chars = inner.max_result_chars
        self.result_as_answer = inner.result_as_answer
        self.context_parameter = inner.context_parameter
        kept = {n: (f.annotation, f) for n, f in fields.items() if n not in self.bound}
        config = inner.arguments_model().model_config
        self.args_schema = create_model(f"{self.name}_bound_args", __config__=config, **kept)  # type: ignore[call-overload]

    def with_inputs(self, inputs: Mapping[str, Any]) -> BoundTool:
        """This tool with ``{placeholders}`` in bound string values filled from ``inputs`` and every
        bound value converted to its argument's type (``"10000"`` → ``10000.0``)."""
        from pydantic import TypeAdapter, ValidationError

        from crewkit._inputs import interpolate

        fields = self.inner.arguments_model().model_fields
        filled = {}
        for key, value in self.bound.items():
            text = interpolate(value, inputs) if isinstance(value, str) else value
            try:
                filled[key] = TypeAdapter(fields[key].annotation or Any).validate_python(text)
            except ValidationError as exc:
                problem = exc.errors(include_url=False)[0]["msg"]
                raise ConfigurationError(
                    f"bound argument {key!r} of tool {self.name!r} is {text!r}: {problem}"
                ) from None
        return BoundTool(self.inner, filled)

    def run(self, **kwargs: Any) -> Any:
        return self.inner.run(**{**self.bound, **kwargs})

    async def arun(self, **kwargs: Any) -> Any:
        return await self.inner.arun(**{**self.bound, **kwargs})


class FunctionTool(Tool):
    """A tool made from a function by :func:`tool`."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        args_schema: type[BaseModel] | None = None,
        max_result_chars: int | None = None,
    ) -> None:
        import inspect

        summary, param_docs = parse_docstring(inspect.getdoc(fn) or "")
        self.fn = fn
        self.name = tool_name(name or fn.__name__)
        self.description = description or summary
        if not self.description:
            raise ConfigurationError(
                f"tool {self.name!r} has no description: give the function a docstring "
                "or pass description= to @tool"
            )
        self.args_schema = args_schema or model_from_signature(fn, f"{self.name}_args", param_docs)
        self.context_parameter = context_parameter(fn)
        if max_result_chars is not None:
            self.max_result_chars = max_result_chars

    def run(self, **kwargs: Any) -> Any:
        import inspect

        result = self.fn(**kwargs)
        if inspect.isawaitable(result):
            raise ConfigurationError(f"tool {self.name!r} is async: call arun()")
        return result

    async def arun(self, **kwargs: Any) -> Any:
        import inspect

        from crewkit._sync import in_thread

        if inspect.iscoroutinefunction(self.fn):
            return await self.fn(**kwargs)
        return await in_thread(self.fn, **kwargs)


@overload
def tool(fn: F, /) -> FunctionTool: ...
@overload
def tool(
    name: str | None = None,
    /,
    *,
    description: str | None = None,
    args_schema: type[BaseModel] | None = None,
    max_result_chars: int | None = None,
) -> Callable[[Callable[..., Any]], FunctionTool]: ...
def tool(
    fn_or_name: Callable[..., Any] | str | None = None,
    /,
    *,
    description: str | None = None,
    args_schema: type[BaseModel] | None = None,
    max_result_chars: int | None = None,
) -> FunctionTool | Callable[[Callable[..., Any]], FunctionTool]:
    """Turn a function (sync or async) into a :class:`Tool`.

    Use as ``@tool``, ``@tool("name")`` or ``@tool(description=...)``. The name comes from the function,
    the description from its docstring, the arguments from its typed signature (and the docstring's
    ``Args:`` section for each argument's description).
    """
    if callable(fn_or_name):
        return FunctionTool(fn_or_name)

    def wrap(fn: Callable[..., Any]) -> FunctionTool:
        return FunctionTool(
            fn,
            name=fn_or_name,
            description=description,
            args_schema=args_schema,
            max_result_chars=max_result_chars,
        )

    return wrap


def check_tool(t: Tool) -> None:
    """Raise if a tool lacks the name or description a model needs, or the code to run."""
    if not t.name or tool_name(t.name) != t.name:
        raise ConfigurationError(
            f"tool {t!r}: name must be letters, digits, '_' or '-', "
            f"e.g. {tool_name(t.name or type(t).__name__)!r}"
        )
    if not t.description:
        raise ConfigurationError(f"tool {t.name!r} needs a description")
    kind = type(t)
    if kind.run is Tool.run and kind.arun is Tool.arun:
        hint = (
            "; it defines _run(), as CrewAI tools do: subclass crewkit.tools.BaseTool instead"
            if callable(getattr(t, "_run", None))
            else ""
        )
        raise ConfigurationError(
            f"tool {t.name or kind.__name__!r} ({kind.__name__}) implements neither run() nor "
            f"arun(){hint}"
        )


def model_from_signature(
    fn: Callable[..., Any], model_name: str, docs: Mapping[str, str] | None = None
) -> type[BaseModel]:
    """A pydantic model of ``fn``'s parameters (``self``, ``*args`` and ``**kwargs`` skipped)."""
    import inspect

    from pydantic import ConfigDict, Field, create_model

    hints = _type_hints(fn)
    fields: dict[str, Any] = {}
    for param in inspect.signature(fn).parameters.values():
        if param.name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if hints.get(param.name) is ToolContext:
            continue  # filled in by crewkit, never by the model
        annotation = hints.get(param.name, Any)
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (annotation, Field(default, description=(docs or {}).get(param.name)))
    model: type[BaseModel] = create_model(
        model_name, __config__=ConfigDict(extra="forbid"), **fields
    )
    return model


def context_parameter(fn: Callable[..., Any]) -> str | None:
    """The name of ``fn``'s parameter typed :class:`ToolContext`, if it has one."""
    hints = _type_hints(fn)
    return next((name for name, hint in hints.items() if hint is ToolContext), None)


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    import typing

    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:
        return {}


_SECTION = re.compile(r"^(Args|Arguments|Parameters|Params):\s*$")
_PARAM = re.compile(r"^\s+(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into its summary and per-argument descriptions."""
    summary: list[str] = []
    params: dict[str, str] = {}
    in_args = False
    current: str | None = None
    for line in doc.splitlines():
        if _SECTION.match(line.strip()) and not line.startswith(" "):
            in_args, current = True, None
            continue
        if in_args:
            match = _PARAM.match(line)
            if match:
                current = match.group(1)
                params[current] = match.group(2).strip()
            elif line.strip() and line.startswith(" ") and current:
                params[current] += " " + line.strip()
            elif line.strip():
                in_args = False
                summary.append(line)
            continue
        summary.append(line)
    return "\n".join(summary).strip(), params


_schemas: weakref.WeakKeyDictionary[type[BaseModel], str] = weakref.WeakKeyDictionary()


def _schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """The compact JSON schema of an arguments model, built once per model (pydantic's schema
    generation was the largest cost of a kickoff) and handed out as a fresh copy each time."""
    import json  # not at import crewkit

    text = _schemas.get(model)
    if text is None:
        from crewkit._json import compact_schema

        text = _schemas[model] = json.dumps(compact_schema(model.model_json_schema()))
    schema: dict[str, Any] = json.loads(text)
    return schema
