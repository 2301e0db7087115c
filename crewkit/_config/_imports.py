"""``module:attr`` references in crew files, resolved relative to the file's folder first."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import ModuleType

from crewkit._config._source import did_you_mean

USER_MODULE_PREFIX = "crewkit_user_"
"""Prefix of the modules loaded from a crew file's folder (their names are not importable)."""


class RefError(Exception):
    """A reference could not be resolved; carries the message and a hint for the problem list."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def is_import_path(text: str) -> bool:
    """Whether ``text`` looks like ``module:attr``."""
    return ":" in text


def import_object(reference: str, folder: Path) -> object:
    """The object ``module:attr`` names; ``module`` is looked for next to the crew file, then among
    installed packages. ``attr`` may be dotted (``module:Class.method``)."""
    module_name, _, attr = reference.partition(":")
    module_name, attr = module_name.strip(), attr.strip()
    if not module_name or not attr:
        raise RefError(
            f"{reference!r} is not an import path", "write it as module:attr, e.g. tools:search"
        )
    module = _load_module(module_name, folder)
    obj: object = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            names = [n for n in dir(obj) if not n.startswith("_")]
            owner = module_name if obj is module else f"{module_name}:{attr}"
            raise RefError(
                f"{owner!r} has no attribute {part!r}", did_you_mean(part, names)
            ) from None
    return obj


UNSAFE_MODULES = frozenset({
    "builtins", "os", "posix", "nt", "subprocess", "_posixsubprocess", "pty", "shutil", "sys",
    "importlib", "runpy", "code", "codeop", "ctypes", "pickle", "_pickle", "marshal", "shelve",
    "multiprocessing", "concurrent", "pdb", "webbrowser", "signal", "socket", "asyncio", "io",
    "_io", "pathlib", "tempfile", "sqlite3", "urllib", "http", "ftplib", "smtplib", "pkgutil",
    "zipimport",
})  # fmt: skip
"""Standard-library modules whose functions run programs or code, or read, write or send data.
A crew file naming one of them as a tool, guardrail or callback is refused unless the user
allows it: a shared crew.yaml must not be able to hand a model ``os:system`` or ``eval``."""


def refuse_unsafe(reference: str, found: object) -> None:
    """Raise :class:`RefError` when what ``reference`` resolves to is defined in one of
    :data:`UNSAFE_MODULES` (however it is reached: ``os:system``, or ``mine:run`` where
    ``mine.py`` imported it). The crew folder's own modules are loaded under names of their own,
    so a local ``code.py`` is not mistaken for the standard library's."""
    owner = getattr(found, "__module__", None)
    module = owner.split(".")[0] if isinstance(owner, str) else ""
    if module not in UNSAFE_MODULES or module not in sys.stdlib_module_names:
        return
    raise RefError(
        f"{reference!r} is {getattr(found, '__qualname__', type(found).__name__)!r} from the "
        f"standard library's {module!r}, which can run programs or code or change files on this "
        "machine; crew files may not use it",
        "if you trust this crew: --allow-unsafe-callables, "
        "or load_crew(..., allow_unsafe_callables=True)",
    )


_loaded: dict[Path, ModuleType] = {}


def _load_module(name: str, folder: Path) -> ModuleType:
    parts = name.split(".")
    local = folder.joinpath(*parts).with_suffix(".py")
    package = folder.joinpath(*parts, "__init__.py")
    try:
        with _on_path(folder):
            if len(parts) == 1 and local.is_file():
                return _load_file(name, local.resolve())
            if local.is_file() or package.is_file():
                return importlib.import_module(name)
            return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise RefError(
                f"no module named {name!r}",
                f"looked for {'/'.join(parts)}.py in {folder} and among installed packages",
            ) from None
        raise RefError(_failure(name, exc)) from None
    except RefError:
        raise
    except Exception as exc:
        raise RefError(_failure(name, exc)) from None


def _load_file(name: str, file: Path) -> ModuleType:
    """Load a module from a file under a name unique to its path, so two crew folders that both
    have a ``tools.py`` do not replace each other."""
    cached = _loaded.get(file)
    if cached is not None:
        return cached
    digest = hashlib.sha1(str(file).encode()).hexdigest()[:10]
    unique = f"{USER_MODULE_PREFIX}{name}_{digest}"
    spec = importlib.util.spec_from_file_location(unique, file)
    if spec is None or spec.loader is None:
        raise RefError(f"cannot load {file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[unique]
        raise
    _loaded[file] = module
    return module


@contextmanager
def _on_path(folder: Path) -> Iterator[None]:
    entry = str(folder)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        with suppress(ValueError):
            sys.path.remove(entry)


def _failure(module: str, exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    user = [f for f in frames if "importlib" not in f.filename and "crewkit" not in f.filename]
    where = f" at {user[-1].filename}:{user[-1].lineno}" if user else ""
    return f"importing {module!r} failed{where}: {type(exc).__name__}: {exc}"
