"""An HTTP model keeps one connection pool per event loop: a kickoff's calls share connections,
every new loop (each asyncio.run, a helper thread, a forked worker) gets its own, and the pool
closes with its loop."""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from loopback import ScriptedServer, chat_reply

from crewkit import Agent, Crew, Task
from crewkit.llm import Message, ModelRequest, ModelResponse, OpenAIChat

HELLO = ModelRequest((Message("user", "Hi"),))


def ask_three_times(llm: OpenAIChat) -> list[str]:
    async def calls() -> list[str]:
        return [(await llm.complete(HELLO)).text for _ in range(3)]

    return asyncio.run(calls())


def test_the_calls_of_one_loop_share_one_connection(server: ScriptedServer) -> None:
    server.script(*[chat_reply(f"answer {i}") for i in range(3)])
    assert ask_three_times(OpenAIChat("m", base_url=server.url)) == [
        "answer 0",
        "answer 1",
        "answer 2",
    ]
    assert server.connections == 1


def test_a_kickoff_makes_every_model_call_on_one_connection(server: ScriptedServer) -> None:
    server.script(*[chat_reply(f"part {i}") for i in range(3)])
    agent = Agent(role="Writer", goal="g", backstory="b", llm=OpenAIChat("m", base_url=server.url))
    tasks = [Task(f"part {i}", "x", agent=agent) for i in range(3)]
    assert Crew(agents=[agent], tasks=tasks).kickoff().raw == "part 2"
    assert server.connections == 1


def test_a_second_asyncio_run_gets_a_fresh_pool_and_the_first_is_closed(
    server: ScriptedServer,
) -> None:
    server.script(*[chat_reply(f"answer {i}") for i in range(6)])
    llm = OpenAIChat("m", base_url=server.url)
    ask_three_times(llm)
    assert len(llm._pools) == 0  # closed as its loop shut down
    assert ask_three_times(llm) == ["answer 3", "answer 4", "answer 5"]
    assert server.connections == 2


def test_loops_in_two_threads_each_use_their_own_pool(server: ScriptedServer) -> None:
    server.script(*[chat_reply("ok") for _ in range(6)])
    llm = OpenAIChat("m", base_url=server.url)
    answers: list[list[str]] = []
    threads = [
        threading.Thread(target=lambda: answers.append(ask_three_times(llm))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [["ok"] * 3, ["ok"] * 3]
    assert server.connections == 2


def test_a_used_model_pickles_without_its_connections_and_the_copy_works(
    server: ScriptedServer,
) -> None:
    server.script(chat_reply("before"), chat_reply("after"))
    llm = OpenAIChat("m", base_url=server.url, api_key="sk-test-1234567890")

    async def use_and_copy() -> OpenAIChat:
        await llm.complete(HELLO)
        copied: OpenAIChat = pickle.loads(pickle.dumps(llm))  # while its pool is open
        return copied

    copy = asyncio.run(use_and_copy())
    assert asyncio.run(copy.complete(HELLO)).text == "after"
    assert copy.api_key.reveal() == "sk-test-1234567890"


def _ask_in_child(llm: OpenAIChat, answers: multiprocessing.SimpleQueue[str]) -> None:
    answers.put(asyncio.run(llm.complete(HELLO)).text)


def test_a_forked_worker_opens_its_own_connection(server: ScriptedServer) -> None:
    server.script(chat_reply("parent"), chat_reply("child"), chat_reply("parent again"))
    llm = OpenAIChat("m", base_url=server.url)
    fork = multiprocessing.get_context("fork")
    answers: multiprocessing.SimpleQueue[str] = fork.SimpleQueue()

    async def parent_forks_mid_loop() -> list[ModelResponse]:
        first = await llm.complete(HELLO)
        child = fork.Process(target=_ask_in_child, args=(llm, answers))
        child.start()
        await asyncio.to_thread(child.join)
        return [first, await llm.complete(HELLO)]

    first, again = asyncio.run(parent_forks_mid_loop())
    assert (first.text, answers.get(), again.text) == ("parent", "child", "parent again")
    assert server.connections == 2  # the parent's connection survived the child


def test_runs_leave_no_unclosed_resources_or_closed_loop_errors(
    server: ScriptedServer, tmp_path: Path
) -> None:
    """Two kickoffs and a direct call, each on its own loop, in a process that turns every
    warning into an error and reports unraisable exceptions: stderr stays empty."""
    server.script(*[chat_reply("ok") for _ in range(3)])
    script = tmp_path / "runs.py"
    script.write_text(
        textwrap.dedent(f"""\
            import asyncio
            from crewkit import Agent, Crew, Task
            from crewkit.llm import Message, ModelRequest, OpenAIChat

            llm = OpenAIChat("m", base_url={server.url!r})
            agent = Agent(role="W", goal="g", backstory="b", llm=llm)
            crew = Crew(agents=[agent], tasks=[Task("t", "x", agent=agent)])
            print(crew.kickoff().raw, crew.kickoff().raw)
            print(asyncio.run(llm.complete(ModelRequest((Message("user", "Hi"),)))).text)
            """)
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok ok\nok\n", "")
