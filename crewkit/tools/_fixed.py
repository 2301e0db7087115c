"""Tools whose constructor can fix an argument, as CrewAI's do: ``FileReadTool(file_path="a.txt")``
reads that file and the model no longer sees (or sets) ``file_path``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from crewkit.tools._tool import Tool

if TYPE_CHECKING:
    from pydantic import BaseModel


class FixedArgsTool(Tool):
    """A tool with a full argument model (``arguments``) of which some fields may be fixed."""

    arguments: ClassVar[type[BaseModel]]
    """Every argument the tool takes; fixed ones are removed from what the model sees."""

    fixed: Mapping[str, Any]
    """Arguments fixed by the constructor."""

    def fix(self, **values: Any) -> None:
        """Fix the arguments in ``values`` that are not ``None``."""
        from pydantic import create_model

        self.fixed = {k: v for k, v in values.items() if v is not None}
        fields = self.arguments.model_fields
        if not self.fixed:
            self.args_schema = self.arguments
            return
        kept = {n: (f.annotation, f) for n, f in fields.items() if n not in self.fixed}
        self.args_schema = create_model(  # type: ignore[call-overload]
            f"{self.arguments.__name__}_fixed", __config__=self.arguments.model_config, **kept
        )

    def with_fixed(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The call's arguments with the fixed ones filled in (a fixed value wins)."""
        return {**kwargs, **self.fixed}
