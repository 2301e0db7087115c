"""The error tree drawn at the top of crewkit.errors is the real one."""

from __future__ import annotations

import inspect
import re

import crewkit.errors as errors


def drawn_parents() -> dict[str, str | None]:
    """Each class named in the docstring's tree, with the class it is drawn under."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        found = re.match(r"^ {4}([| ]*)(?:\+-- )?([A-Z][A-Za-z]+)\b", line)
        if not found:
            continue
        depth = len(found.group(1)) // 4 + (1 if "+--" in line else 0)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[found.group(2)] = stack[-1][1] if stack else None
        stack.append((depth, found.group(2)))
    return parents


def test_every_error_class_is_drawn_under_its_base_class() -> None:
    classes = {
        name: cls
        for name, cls in vars(errors).items()
        if inspect.isclass(cls) and issubclass(cls, errors.CrewkitError)
    }
    parents = drawn_parents()
    assert set(parents) == set(classes)
    for name, parent in parents.items():
        base = next(
            b
            for b in classes[name].__bases__
            if issubclass(b, errors.CrewkitError) or b is Exception
        )
        assert (None if base is Exception else base.__name__) == parent, name
