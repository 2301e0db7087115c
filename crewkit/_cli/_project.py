"""``crewkit run``: run a CrewAI-layout project's own entry point (or a script) in this process.

A project folder has ``pyproject.toml``; its entry is the ``[project.scripts]`` entry ``run_crew``,
``kickoff`` or the one named after the package, else ``src/<package>/main.py:run``. A ``.py`` path
runs as ``__main__``. ``src/``, the project folder and the entry module's folder go on ``sys.path``,
as ``crewai run`` and ``python main.py`` would have them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from crewkit.errors import ConfigurationError


@dataclass(frozen=True)
class Entry:
    """What ``crewkit run`` calls."""

    root: Path
    """The project folder (the working directory of the run)."""
    target: str
    """``module:function``, or the path of a script."""
    paths: tuple[Path, ...]
    """Folders put first on ``sys.path``."""

    @property
    def is_script(self) -> bool:
        """True when the entry is a file run as ``__main__``."""
        return ":" not in self.target


def find_entry(path: Path, script: str | None = None) -> Entry:
    """The entry point of the project or script at ``path``; ``script`` names another
    ``[project.scripts]`` entry (``train``, ``test``, ``replay``...)."""
    path = path.resolve()
    if path.is_file():
        if path.suffix != ".py":
            raise ConfigurationError(f"{path}: crewkit run takes a project folder or a .py file")
        root = _project_root(path.parent) or path.parent
        return Entry(root, str(path), _paths(root, path.parent))
    if not path.is_dir():
        raise ConfigurationError(f"{path}: no such file or folder")
    root = _project_root(path) or path
    target = _script_entry(root, script)
    if target is None and script is not None:
        raise ConfigurationError(
            f"{root / 'pyproject.toml'} has no [project.scripts] entry {script!r}"
        )
    if target is None:
        mains = sorted((root / "src").glob("*/main.py"))
        if mains:
            target = f"{mains[0].parent.name}.main:run"
        elif (root / "main.py").exists():
            return Entry(root, str(root / "main.py"), _paths(root, root))
        else:
            raise ConfigurationError(
                f"{root}: no entry point found: expected pyproject.toml with [project.scripts] "
                "run_crew = 'package.main:run', src/<package>/main.py with a run() function, "
                "or main.py"
            )
    module, _, function = target.partition(":")
    module_dir = root / "src" / Path(*module.split(".")[:-1])
    source = module_dir / f"{module.split('.')[-1]}.py"
    if source.exists() and _only_a_main_block(source, function):
        # the scripts table names a function main.py lacks; it is run as `python main.py` instead
        return Entry(root, str(source), _paths(root, module_dir))
    return Entry(root, target, _paths(root, module_dir))


def _only_a_main_block(source: Path, function: str) -> bool:
    import ast

    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return False
    defined = any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == function
        for n in tree.body
    )
    main_block = any(isinstance(n, ast.If) and "__main__" in ast.unparse(n.test) for n in tree.body)
    return main_block and not defined


def _project_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").exists():
            return folder
    return None


def _script_entry(root: Path, wanted: str | None = None) -> str | None:
    pyproject = root / "pyproject.toml"
    if not pyproject.exists():
        return None
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{pyproject}: cannot read it: {exc}") from None
    scripts, package = _scripts(text)
    for key in (wanted,) if wanted is not None else ("run_crew", "kickoff", package):
        value = scripts.get(key)
        if isinstance(value, str) and ":" in value:
            return value
    return None


_TABLE = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_ENTRY = re.compile(r"""^\s*["']?([\w.-]+)["']?\s*=\s*["']([^"']*)["']""")


def _scripts(text: str) -> tuple[dict[str, str], str]:
    """``[project.scripts]`` (or Poetry's) entries and the project's name, read line by line: the
    two tables are flat ``name = "value"`` lines, and this works without tomllib (Python 3.10)."""
    scripts: dict[str, str] = {}
    name = ""
    table = ""
    for line in text.splitlines():
        header = _TABLE.match(line)
        if header:
            table = header.group(1).strip()
            continue
        entry = _ENTRY.match(line)
        if entry is None:
            continue
        if table in ("project.scripts", "tool.poetry.scripts"):
            scripts.setdefault(entry.group(1), entry.group(2))
        elif table in ("project", "tool.poetry") and entry.group(1) == "name" and not name:
            name = entry.group(2)
    return scripts, name.replace("-", "_")


def _paths(root: Path, module_dir: Path) -> tuple[Path, ...]:
    found = [module_dir, root / "src", root]
    return tuple(dict.fromkeys(p for p in found if p.is_dir()))


def run_entry(entry: Entry, arguments: Sequence[str] = ()) -> None:
    """Call the entry in this process, from the project folder, with ``arguments`` as
    ``sys.argv[1:]`` (CrewAI's train/test/replay entries read them there)."""
    import importlib
    import runpy

    os.chdir(entry.root)
    for folder in reversed(entry.paths):
        sys.path.insert(0, str(folder))
    if entry.is_script:
        sys.argv = [entry.target, *arguments]
        runpy.run_path(entry.target, run_name="__main__")
        return
    module, _, function = entry.target.partition(":")
    sys.argv = [module, *arguments]
    loaded = importlib.import_module(module)
    call = getattr(loaded, function, None)
    if not callable(call):
        raise ConfigurationError(f"{entry.target}: {module} has no function {function!r}")
    call()


def run_project(args: argparse.Namespace) -> int:
    """``crewkit run [PATH] [--model M]``: the project's own entry point, in this process."""
    import contextlib
    import traceback

    from crewkit._cli._common import OK, RUN_FAILED, check_model
    from crewkit.errors import CrewkitError
    from crewkit.testing import override_model

    entry = find_entry(Path(args.path), args.entry)
    check_model(args.model)
    models = override_model(args.model) if args.model else contextlib.nullcontext()
    with models:
        try:
            run_entry(entry, args.arguments)
        except SystemExit as exc:
            return (
                exc.code if isinstance(exc.code, int) else (OK if exc.code is None else RUN_FAILED)
            )
        except CrewkitError:
            raise
        except Exception:  # the project's own code failed: its traceback is what helps
            traceback.print_exc()
            return RUN_FAILED
    return OK
