"""``BaseTool``: tools written the CrewAI way — ``name``, ``description``, ``args_schema`` and a
``_run`` method — working as crewkit tools without changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crewkit.llm._types import tool_name
from crewkit.tools._tool import Tool, model_from_signature

if TYPE_CHECKING:
    from pydantic import BaseModel


class BaseTool(Tool):
    """Subclass it with ``name``, ``description``, optionally ``args_schema`` (a pydantic model; else
    the arguments come from ``_run``'s signature), and implement ``_run`` (sync) and/or ``_arun``
    (async). Class attributes declared with pydantic's ``Field(default=...)`` get their default on
    each instance; keyword arguments (``MyTool(path="x")``) set attributes. Names with spaces, as
    CrewAI allows, are turned into a name every provider accepts (``"Search Docs"`` → ``Search_Docs``).
    """

    def __init__(self, **attributes: Any) -> None:
        for klass in reversed(type(self).__mro__):
            for key, value in vars(klass).items():
                default = _field_default(value)
                if default is not _NOT_A_FIELD:
                    setattr(self, key, default)
        for key, value in attributes.items():
            setattr(self, key, value)
        if isinstance(self.name, str) and self.name:
            self.name = tool_name(self.name)
        elif not self.name:
            self.name = tool_name(type(self).__name__)
        if isinstance(self.description, str):
            self.description = self.description.strip()

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        """Do the work synchronously."""
        raise NotImplementedError(f"tool {self.name!r} implements neither _run() nor _arun()")

    async def _arun(self, *args: Any, **kwargs: Any) -> Any:
        """Do the work asynchronously; by default runs :meth:`_run` in a worker thread."""
        import asyncio

        return await asyncio.to_thread(self._run, **kwargs)

    def run(self, **kwargs: Any) -> Any:
        if type(self)._run is BaseTool._run and type(self)._arun is not BaseTool._arun:
            from crewkit._sync import run_sync

            return run_sync(lambda: self._arun(**kwargs))
        return self._run(**kwargs)

    async def arun(self, **kwargs: Any) -> Any:
        return await self._arun(**kwargs)

    def arguments_model(self) -> type[BaseModel]:
        if self.args_schema is None:
            own = self._arun if type(self)._run is BaseTool._run else self._run
            self.args_schema = model_from_signature(own, f"{tool_name(self.name)}_args")
        return self.args_schema


_NOT_A_FIELD = object()


def _field_default(value: Any) -> Any:
    """The default of a pydantic ``Field(...)`` / ``PrivateAttr(...)`` class attribute, without
    importing pydantic (a class that uses them imported it already)."""
    kind = type(value)
    if not kind.__module__.startswith("pydantic") or kind.__name__ not in (
        "FieldInfo",
        "ModelPrivateAttr",
    ):
        return _NOT_A_FIELD
    factory = getattr(value, "default_factory", None)
    if factory is not None:
        return factory()
    default = getattr(value, "default", None)
    return None if type(default).__name__ == "PydanticUndefinedType" else default
