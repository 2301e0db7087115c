"""A corpus of malformed crew files (``tests/crew_files/``): each one, through ``crewkit validate``
and ``crewkit kickoff``, exits 2 with the file, the line, the field and what is wrong — never a
traceback, never a model call, never a hang. Each file's first line says what it expects:
``# expect: <line> <field> | <part of the message>``. Timing belongs in benchmarks/, so the tests
assert the outcome only; an unbounded loader would not finish at all."""

from __future__ import annotations

import os
import shutil
import socket
import stat
from pathlib import Path

import pytest

from crewkit.cli import main

CORPUS = Path(__file__).resolve().parent / "crew_files"
DESCRIBED = sorted(p.name for p in CORPUS.glob("*.yaml") if p.read_bytes().startswith(b"# expect:"))
ENCODINGS = {
    "utf16.yaml": "utf16.yaml:1: is UTF-16 text (save it as UTF-8)",
    "utf32.yaml": "utf32.yaml:1: is UTF-32 text (save it as UTF-8)",
    "latin1.yaml": "latin1.yaml:3: is not UTF-8 text: byte 0xe9 cannot be decoded",
    "binary.yaml": "binary.yaml:1: is not UTF-8 text: byte 0x89 cannot be decoded",
}


def reported(name: str, err: str) -> bool:
    """Whether ``err`` has the problem the file's header expects: ``file:line: field: ...message``."""
    header = (CORPUS / name).read_text(encoding="utf-8").splitlines()[0]
    where, _, message = header.removeprefix("# expect: ").partition(" | ")
    line, _, field = where.partition(" ")
    located = f"{name}:{line}: {field + ': ' if field else ''}"
    return any(
        located in shown and message in shown.split(located, 1)[1] for shown in err.splitlines()
    )


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    assert captured.out == ""  # no answer, no "ok"
    return code, captured.err


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with the corpus copied in; no local model server listens on 8080."""
    work = tmp_path / "project" / "crew"
    shutil.copytree(CORPUS, work)
    monkeypatch.chdir(work)
    with socket.socket() as probe:  # a port nothing listens on, for the local-server case
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("LLAMACPP_BASE_URL", f"http://127.0.0.1:{port}/v1")
    return work


def test_the_corpus_has_at_least_forty_malformed_files() -> None:
    assert len(DESCRIBED) + len(ENCODINGS) >= 40


@pytest.mark.parametrize("command", ["validate", "kickoff"])
@pytest.mark.parametrize("name", DESCRIBED)
def test_a_malformed_crew_file_exits_2_with_file_line_and_field(
    folder: Path, capsys: pytest.CaptureFixture[str], name: str, command: str
) -> None:
    code, err = run(capsys, command, name, "--input", "x")
    assert code == 2, err
    assert reported(name, err), err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["validate", "kickoff"])
@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_a_crew_file_in_another_encoding_exits_2_saying_so(
    folder: Path, capsys: pytest.CaptureFixture[str], name: str, command: str
) -> None:
    code, err = run(capsys, command, name, "--input", "x")
    assert code == 2 and ENCODINGS[name] in err and "Traceback" not in err


def special_file(folder: Path, kind: str) -> Path:
    target = folder / f"{kind}.yaml"
    if kind == "symlink_to_dev_zero":
        target.symlink_to("/dev/zero")
    elif kind == "symlink_to_dev_urandom":
        target.symlink_to("/dev/urandom")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    elif kind == "huge":
        with target.open("w", encoding="utf-8") as handle:
            handle.write("llm: mock\n# " + "x" * 2_000_000 + "\n")
    elif kind == "dangling_symlink":
        target.symlink_to(folder / "nowhere.yaml")
    return target


SPECIAL = {
    "symlink_to_dev_zero": "is not a regular file (a device, a pipe or a socket)",
    "symlink_to_dev_urandom": "is not a regular file (a device, a pipe or a socket)",
    "fifo": "is not a regular file (a device, a pipe or a socket)",
    "folder": "is a folder, not a crew file",
    "huge": "is larger than 1,000,000 bytes",
    "dangling_symlink": "file not found",
}


@pytest.mark.parametrize("command", ["validate", "kickoff"])
@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_devices_pipes_folders_and_huge_files_are_refused_unread(
    folder: Path, capsys: pytest.CaptureFixture[str], kind: str, command: str
) -> None:
    path = special_file(folder, kind)
    code, err = run(capsys, command, path.name, "--input", "x")
    assert code == 2 and f"{path.name}: {SPECIAL[kind]}" in err and "Traceback" not in err


def test_an_inputs_file_that_is_a_device_is_refused_unread(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "zero.json").symlink_to("/dev/zero")
    assert stat.S_ISCHR(os.stat(folder / "zero.json").st_mode)
    code, err = run(capsys, "kickoff", "duplicate_key.yaml", "--inputs-file", "zero.json")
    assert code == 2 and "--inputs-file zero.json: not a regular file" in err
