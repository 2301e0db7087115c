"""File tools against a real folder tree: they read, write and list inside their root, and refuse —
as an observation, never by following — every path that leads out of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crewkit.errors import ConfigurationError
from crewkit.tools import DirectoryReadTool, FileReadTool, FileWriterTool


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "plan.txt").write_text("one\ntwo\nthree\nfour\n", encoding="utf-8")
    (root / "data.bin").write_bytes(b"\x00\x01\x02binary")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "key.txt").write_text("TOP SECRET")
    (root / "link_to_secret.txt").symlink_to(outside / "key.txt")
    (root / "secret_dir").symlink_to(outside)
    (root / "inside_link.txt").symlink_to(root / "notes" / "plan.txt")
    return root


def test_reads_a_file_and_a_range_of_its_lines(tree: Path) -> None:
    read = FileReadTool(root=tree)
    assert read.run(file_path="notes/plan.txt") == "one\ntwo\nthree\nfour"
    assert read.run(file_path="notes/plan.txt", start_line=2, line_count=2) == "two\nthree"


def test_an_absolute_path_inside_the_root_and_a_symlink_within_it_are_fine(tree: Path) -> None:
    read = FileReadTool(root=tree)
    assert read.run(file_path=str(tree / "notes" / "plan.txt")).startswith("one")
    assert read.run(file_path="inside_link.txt").startswith("one")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../secret/key.txt", "'..' is not allowed"),
        ("notes/../../secret/key.txt", "'..' is not allowed"),
        ("/etc/passwd", "leads outside the allowed folder"),
        ("~/.ssh/id_rsa", "'~' paths are not allowed"),
        ("link_to_secret.txt", "through a symlink"),
        ("secret_dir/key.txt", "through a symlink"),
    ],
)
def test_paths_that_leave_the_root_are_refused_as_an_observation(
    tree: Path, path: str, reason: str
) -> None:
    answer = FileReadTool(root=tree).run(file_path=path)
    assert reason in answer
    assert "TOP SECRET" not in answer
    assert answer.startswith("read_file did not do that")


def test_missing_binary_and_folder_paths_are_explained(tree: Path) -> None:
    read = FileReadTool(root=tree)
    assert "notes/nope.txt does not exist" in read.run(file_path="notes/nope.txt")
    assert "binary file" in read.run(file_path="data.bin")
    assert "notes is not a file" in read.run(file_path="notes")
    assert "past the end" in read.run(file_path="notes/plan.txt", start_line=9)


def test_a_large_file_is_read_up_to_the_cap_and_says_so(tree: Path) -> None:
    (tree / "big.txt").write_text("x" * 5000)
    answer = FileReadTool(root=tree, max_bytes=1000).run(file_path="big.txt")
    assert answer.startswith("x" * 1000 + "\n")
    assert "only the first 1000 bytes of big.txt were read" in answer


def test_a_fixed_file_path_leaves_the_schema_and_is_read(tree: Path) -> None:
    read = FileReadTool(file_path="notes/plan.txt", root=tree)
    assert set(read.spec().parameters["properties"]) == {"start_line", "line_count"}
    assert "notes/plan.txt" in read.description
    assert read.run(line_count=1) == "one"


def test_a_fixed_path_outside_the_root_is_a_configuration_error(tree: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"pass root=\.\.\. to allow another folder"):
        FileReadTool(file_path="/etc/hostname", root=tree)


def test_the_default_root_is_the_working_directory_when_the_tool_is_made(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    read = FileReadTool()
    monkeypatch.chdir(tree.parent)
    assert read.run(file_path="notes/plan.txt").startswith("one")
    assert "outside" in read.run(file_path=str(tree.parent / "secret" / "key.txt"))


def test_writes_a_new_file_in_new_folders_but_never_replaces_one_unasked(tree: Path) -> None:
    write = FileWriterTool(root=tree)
    assert write.run(filename="report.md", directory="out/2025", content="# Hi") == (
        "Wrote 4 characters to out/2025/report.md."
    )
    assert (tree / "out" / "2025" / "report.md").read_text() == "# Hi"
    refused = write.run(filename="report.md", directory="out/2025", content="other")
    assert "already exists; set overwrite to true" in refused
    assert (tree / "out" / "2025" / "report.md").read_text() == "# Hi"
    write.run(filename="report.md", directory="out/2025", content="new", overwrite=True)
    assert (tree / "out" / "2025" / "report.md").read_text() == "new"


@pytest.mark.parametrize(
    ("filename", "directory"),
    [("x.txt", "../escape"), ("../x.txt", None), ("x.txt", "secret_dir"), ("/tmp/x.txt", None)],
)
def test_writes_outside_the_root_are_refused(
    tree: Path, filename: str, directory: str | None
) -> None:
    before = sorted(p.name for p in tree.parent.iterdir())
    answer = FileWriterTool(root=tree).run(filename=filename, directory=directory, content="x")
    assert answer.startswith("write_file did not do that")
    assert sorted(p.name for p in tree.parent.iterdir()) == before
    assert sorted(p.name for p in (tree.parent / "secret").iterdir()) == ["key.txt"]


def test_lists_files_recursively_skipping_vcs_folders_and_links_out(tree: Path) -> None:
    listing = DirectoryReadTool(root=tree).run(directory=".")
    lines = listing.splitlines()
    assert lines[0] == "Files in .:"
    assert "- notes/plan.txt" in lines
    assert "- inside_link.txt" in lines
    assert not any(".git" in line or "secret" in line for line in lines)


def test_a_long_listing_is_capped_and_counts_the_rest(tree: Path) -> None:
    for i in range(30):
        (tree / "notes" / f"n{i:02}.txt").write_text("x")
    listing = DirectoryReadTool("notes", root=tree, max_entries=10).run()
    assert listing.count("\n- ") == 10
    assert "... and 21 more files not listed." in listing


def test_a_folder_path_leaving_the_root_is_refused(tree: Path) -> None:
    assert "through a symlink" in DirectoryReadTool(root=tree).run(directory="secret_dir")
    assert "'..' is not allowed" in DirectoryReadTool(root=tree).run(directory="..")


def test_file_tools_run_inside_a_crew_and_refusals_reach_the_model(tree: Path) -> None:
    from crewkit import Agent, Crew, Task
    from crewkit.testing import ScriptedLLM, call

    llm = ScriptedLLM(
        [
            call("read_file", file_path="../secret/key.txt"),
            call("read_file", file_path="notes/plan.txt", line_count=1),
            "done",
        ]
    )
    agent = Agent(role="Reader", goal="read", backstory="b", tools=[FileReadTool(root=tree)])
    Crew(agents=[agent], tasks=[Task("Read", "text", agent=agent)], llm=llm).kickoff()
    llm.assert_complete()
    observations = [m.content for m in llm.requests[-1].messages if m.role == "tool"]
    assert "'..' is not allowed" in observations[0]
    assert observations[1] == "one"
