"""The Memory store on its own: saving, ranking, kinds, entities, management and file errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crewkit.errors import ConfigurationError, MemoryStoreError
from crewkit.memory import Memory


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_search_ranks_the_memory_sharing_the_rarest_words_first(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db")
    memory.save("The weather in Lisbon was sunny all week.")
    memory.save("Quarterly revenue grew 12 percent on strong cloud revenue.")
    memory.save("The team lunch moved to Friday.")

    found = memory.search("cloud revenue growth")

    assert [r.text for r in found] == ["Quarterly revenue grew 12 percent on strong cloud revenue."]
    assert found[0].score is not None and found[0].score > 0


def test_newer_memory_wins_when_relevance_is_equal(tmp_path: Path) -> None:
    clock = Clock()
    memory = Memory(tmp_path / "m.db", clock=clock)
    memory.save("Supplier alpha delivers widgets.")
    clock.now += 30 * 24 * 3600
    memory.save("Supplier beta delivers widgets.")

    found = memory.search("supplier widgets")

    assert [r.text for r in found] == [
        "Supplier beta delivers widgets.",
        "Supplier alpha delivers widgets.",
    ]
    assert found[0].score is not None and found[1].score is not None
    assert found[0].score > found[1].score


def test_short_term_memories_are_visible_only_to_their_run(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db")
    memory.save("Draft outline uses three sections.", kind="short_term", run_id="run-a")

    assert [r.text for r in memory.search("outline sections", run_id="run-a")] == [
        "Draft outline uses three sections."
    ]
    assert memory.search("outline sections", run_id="run-b") == []


def test_query_text_is_never_read_as_fts_syntax(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db")
    memory.save("NEAR the river AND the mill")

    assert [r.text for r in memory.search('NEAR( "river* AND col:mill OR -')] == [
        "NEAR the river AND the mill"
    ]
    assert memory.search("the of and") == []


def test_entity_facts_accumulate_under_the_entity(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db")
    memory.save("Acme Robotics opened a plant in Ohio.")
    memory.save("Acme Robotics hired 300 engineers.")
    memory.save("Battery costs fell.", entity="acme robotics")
    memory.save("Acme Robotics hired 300 engineers.")  # the same fact again is not a new fact

    facts = memory.facts("ACME ROBOTICS")

    assert [f.text for f in facts] == [
        "Battery costs fell.",
        "Acme Robotics hired 300 engineers.",
        "Acme Robotics opened a plant in Ohio.",
    ]
    assert memory.entities() == {"Acme Robotics": 3}


def test_tickers_and_names_are_found_by_the_documented_rule(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db")
    memory.save("The CEO said $NVDA beat estimates. Jensen Huang spoke. NYSE: IBM fell. EPS rose.")

    assert set(memory.entities()) == {"NVDA", "Jensen Huang", "IBM"}
    assert [f.text for f in memory.facts("nvda")] == ["The CEO said $NVDA beat estimates."]


def test_reset_forgets_only_the_kind_asked_for(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db")
    memory.save("Short note.", kind="short_term", run_id="r1", extract_entities=False)
    memory.save("Long note about Acme Robotics.")
    assert (memory.count("short_term"), memory.count("long_term"), memory.count("entities")) == (
        1,
        1,
        1,
    )

    assert memory.reset("entities") == 1
    assert (memory.count("short_term"), memory.count("long_term"), memory.count("entities")) == (
        1,
        1,
        0,
    )
    assert memory.reset("short_term") == 1
    assert memory.count("all") == 1
    assert memory.search("long note") != []
    assert memory.reset("all") == 1
    assert memory.count("all") == 0
    assert memory.search("long note") == []


def test_list_shows_the_newest_first_within_the_limit(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db")
    for i in range(5):
        memory.save(f"note number {i}", extract_entities=False)

    assert [r.text for r in memory.list("long_term", limit=3)] == [
        "note number 4",
        "note number 3",
        "note number 2",
    ]
    assert memory.list("short_term") == []


def test_unknown_kind_is_a_clear_error(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "m.db")
    with pytest.raises(ConfigurationError, match="'short_term', 'long_term', 'entities' or 'all'"):
        memory.reset("everything")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="needs entity="):
        memory.save("x", kind="entities")


def test_default_file_is_under_the_working_directory_and_made_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    memory = Memory()
    assert memory.path == str(tmp_path / ".crewkit" / "memory.db")
    assert not (tmp_path / ".crewkit").exists()

    memory.save("first")

    assert (tmp_path / ".crewkit" / "memory.db").is_file()
    assert (tmp_path / ".crewkit" / ".gitignore").read_text() == "*\n"


def test_memories_persist_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Memory(path) as first:
        first.save("Persisted finding about tariffs.")

    assert [r.text for r in Memory(path).search("tariffs")] == ["Persisted finding about tariffs."]


def test_a_file_that_is_not_a_database_is_a_clear_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "memory.db"
    path.write_bytes(b"this is not sqlite at all" * 100)

    with pytest.raises(MemoryStoreError, match="corrupt or not a crewkit memory") as caught:
        Memory(path).search("anything")
    assert caught.value.path == str(path)
    assert str(path) in str(caught.value)


def test_a_damaged_database_is_a_clear_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "memory.db"
    memory = Memory(path)
    for i in range(300):
        memory.save(f"record {i} " + "filler words " * 20, extract_entities=False)
    memory.close()
    data = bytearray(path.read_bytes())
    data[4096:12288] = b"\xff" * 8192  # overwrite pages after the header
    path.write_bytes(bytes(data))

    with pytest.raises(MemoryStoreError, match=str(path).replace("\\", "\\\\")):
        Memory(path).search("record filler")


def test_a_file_locked_by_another_process_is_a_clear_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "memory.db"
    Memory(path).save("created")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(MemoryStoreError, match="is locked by another process") as caught:
            Memory(path, busy_timeout=0.1).save("blocked")
        assert caught.value.path == str(path)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "memory.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.close()

    with pytest.raises(MemoryStoreError, match="newer crewkit"):
        Memory(path).list()


def test_in_process_memory_needs_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    memory = Memory(":memory:")
    memory.save("kept in this process")
    assert [r.text for r in memory.search("process")] == ["kept in this process"]
    assert list(tmp_path.iterdir()) == []


def test_rare_words_decide_when_common_words_match_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crewkit import _fts

    monkeypatch.setattr(_fts, "MATCH_BUDGET", 10)
    memory = Memory(tmp_path / "m.db")
    for i in range(30):
        memory.save(f"shipment report {i}", extract_entities=False)
    memory.save("shipment delayed by a typhoon", extract_entities=False)
    for i in range(30, 60):
        memory.save(f"shipment report {i}", extract_entities=False)

    assert [r.text for r in memory.search("typhoon shipment", limit=1)] == [
        "shipment delayed by a typhoon"
    ]
    # A word in more memories than the budget is searched among the newest memories only.
    assert all(int(r.text.split()[-1]) >= 30 for r in memory.search("report", limit=5))


def test_word_counts_follow_deletions(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    memory = Memory(path)
    memory.save("alpha beta", kind="short_term", run_id="r1", extract_entities=False)
    memory.save("alpha gamma", extract_entities=False)
    memory.forget_run("r1")

    counts = dict(sqlite3.connect(path).execute("SELECT term, docs FROM terms").fetchall())
    assert counts == {"alpha": 1, "gamma": 1}
    memory.reset("all")
    assert sqlite3.connect(path).execute("SELECT count(*) FROM terms").fetchone() == (0,)


def test_saving_under_several_kinds_stores_the_text_once_per_kind_and_its_facts_once(
    tmp_path: Path,
) -> None:
    memory = Memory(tmp_path / "m.db")

    stored = memory.save(
        "Acme Robotics opened a plant in Porto.",
        kind=("short_term", "long_term"),
        entity="Acme Robotics",
        run_id="run-a",
    )

    assert memory.count("short_term") == 1 and memory.count("long_term") == 1
    assert [r.text for r in memory.facts("Acme Robotics")] == [
        "Acme Robotics opened a plant in Porto."
    ]
    assert stored == 2 + memory.count("entities")


def test_search_and_asearch_both_leave_out_a_runs_own_long_term_copies(tmp_path: Path) -> None:
    import asyncio

    memory = Memory(tmp_path / "m.db")
    memory.save("Porto plant output doubled.", kind=("short_term", "long_term"), run_id="run-a")
    memory.save("Porto plant hired forty people.", run_id="run-b")

    found = memory.search(
        "Porto plant", kinds=["long_term"], run_id="run-a", exclude_run_long_term=True
    )
    found_async = asyncio.run(
        memory.asearch(
            "Porto plant", kinds=["long_term"], run_id="run-a", exclude_run_long_term=True
        )
    )

    assert (
        [r.text for r in found]
        == [r.text for r in found_async]
        == ["Porto plant hired forty people."]
    )
