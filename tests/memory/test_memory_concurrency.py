"""Many writers at once — asyncio tasks, threads, a second connection to the same file — lose nothing."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from crewkit.memory import Memory


def test_concurrent_tasks_and_threads_lose_no_record(tmp_path: Path) -> None:
    path = tmp_path / "memory.db"
    memory = Memory(path)
    other_connection = Memory(path)  # as another process would: its own connection to the file
    tasks, per_task, threads, per_thread = 40, 10, 4, 50

    failures: list[BaseException] = []

    def thread_writer(n: int) -> None:
        target = other_connection if n % 2 else memory
        try:
            for i in range(per_thread):
                target.save(f"thread {n} record {i}", kind="long_term", extract_entities=False)
        except BaseException as exc:  # a thread's error would otherwise vanish
            failures.append(exc)

    async def task_writer(n: int) -> None:
        for i in range(per_task):
            await memory.asave(f"task {n} record {i}", kind="long_term", extract_entities=False)

    async def main() -> None:
        workers = [threading.Thread(target=thread_writer, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        await asyncio.gather(*(task_writer(n) for n in range(tasks)))
        await asyncio.to_thread(lambda: [w.join() for w in workers])

    asyncio.run(main())
    assert failures == []

    texts = {r.text for r in Memory(path).list("long_term", limit=10_000)}
    expected = {f"task {n} record {i}" for n in range(tasks) for i in range(per_task)} | {
        f"thread {n} record {i}" for n in range(threads) for i in range(per_thread)
    }
    assert texts == expected


def test_connections_opening_a_new_file_together_all_succeed(tmp_path: Path) -> None:
    # Switching a new file to WAL needs an exclusive lock, for which SQLite does not wait:
    # before the fix, one of two simultaneous first saves failed with "database is locked".
    for attempt in range(25):
        path = tmp_path / f"fresh{attempt}.db"
        start = threading.Barrier(3)
        failures: list[BaseException] = []

        def first_save(
            n: int,
            path: Path = path,
            start: threading.Barrier = start,
            failures: list[BaseException] = failures,
        ) -> None:
            start.wait()
            try:
                Memory(path).save(f"writer {n}", kind="long_term", extract_entities=False)
            except BaseException as exc:
                failures.append(exc)

        writers = [threading.Thread(target=first_save, args=(n,)) for n in range(3)]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        assert failures == []
        assert {r.text for r in Memory(path).list("long_term")} == {
            "writer 0",
            "writer 1",
            "writer 2",
        }
