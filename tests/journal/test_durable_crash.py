"""Kill durable crews with SIGKILL at random points and resume them.

Each chain: a kickoff in a subprocess, killed at a random moment; a resume in a new subprocess,
killed again or let finish; and so on. The crews (tests/journal/crash_crew.py: async tasks, tools,
delegation, a hierarchical manager) run on a deterministic model that logs each call it serves,
and a tool that logs each run with its idempotency key. After every kill the journal must pass
``PRAGMA integrity_check``; no process may be served a call, or run a tool call, that the journal
held as completed when the process started; and each chain must end with the output of an
uninterrupted run, every call journaled exactly once.

``CREWKIT_CRASH_KILLS`` sets the number of kills (default 20); the stress run is
``CREWKIT_CRASH_KILLS=200 python -m pytest tests/journal/test_durable_crash.py -s``.
``CREWKIT_CRASH_SEED`` repeats a run's random choices (the seed is printed).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from crewkit.journal import Journal
from tests.journal.crash_crew import conversation_key

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("CREWKIT_CRASH_KILLS", "20"))
SEED = int(os.environ.get("CREWKIT_CRASH_SEED", str(random.randrange(1 << 30))))
KINDS = ("sequential", "hierarchical")


@dataclass
class Tally:
    """What the kills hit and what came of them."""

    kills: int = 0
    chains: int = 0
    points: Counter[str] = field(default_factory=Counter)
    reissued_completed_calls: int = 0
    reissued_completed_tools: int = 0
    in_flight_lost: int = 0
    """Calls served by a killed process whose result it had not journaled yet."""
    most_in_flight: int = 0


@dataclass
class Reference:
    """An uninterrupted run of one crew."""

    output: dict[str, object]
    calls: Counter[str]
    seconds: float
    """From the crew being built to the process ending: where kills land."""


@dataclass
class Journaled:
    """What the journal held as completed at one moment."""

    calls: Counter[str]
    tools: set[str]
    point: str


def _start(mode: str, kind: str, folder: Path, phase: int) -> subprocess.Popen[str]:
    env = {**os.environ, "CRASH_PHASE": str(phase), "PYTHONPATH": str(ROOT)}
    args = [
        sys.executable, "-m", "tests.journal.crash_crew", mode, kind,
        str(folder / "runs.db"), "r1", str(folder / "out.json"), str(folder),
    ]  # fmt: skip
    proc = subprocess.Popen(args, cwd=folder, env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "started"
    return proc


def _log(folder: Path, name: str, phase: int) -> list[str]:
    path = folder / name
    if not path.exists():
        return []
    rows = (line.partition(" ") for line in path.read_text().splitlines() if line)
    return [key for p, _, key in rows if int(p) == phase]


def _journaled(db: Path) -> Journaled:
    with sqlite3.connect(db) as conn:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        created = conn.execute("PRAGMA user_version").fetchone()[0] > 0
    assert verdict == "ok", verdict
    if not created:  # killed before the journal's tables were made
        return Journaled(Counter(), set(), "before the journal existed")
    journal = Journal(db, readonly=True)
    try:
        entries = journal.entries("r1") if journal.run("r1") else []
        calls: Counter[str] = Counter()
        tools: set[str] = set()
        open_steps: dict[str, str] = {}
        for entry in entries:
            if entry.kind == "model":
                calls[conversation_key(journal.request_of(entry)["messages"])] += 1
            elif entry.kind == "tool" and "idempotency_key" in entry.data:
                tools.add(entry.data["idempotency_key"])
            if entry.kind in ("model_started", "tool_started"):
                open_steps[entry.span or ""] = entry.kind.removesuffix("_started")
            elif entry.kind in ("model", "tool"):
                open_steps.pop(entry.span or "", None)
    finally:
        journal.close()
    kinds = set(open_steps.values())
    point = " and ".join(f"{k} in flight" for k in sorted(kinds)) or "between steps"
    return Journaled(calls, tools, point)


def _reference(kind: str, folder: Path) -> Reference:
    folder.mkdir()
    proc = _start("kickoff", kind, folder, 0)
    started = time.perf_counter()  # the crew is built: from here on, the run itself
    assert proc.wait(timeout=120) == 0
    seconds = time.perf_counter() - started
    output = json.loads((folder / "out.json").read_text())
    return Reference(output, Counter(_log(folder, "calls.log", 0)), seconds)


def _chain(kind: str, folder: Path, ref: Reference, kills: int, rng: random.Random,
           tally: Tally) -> None:  # fmt: skip
    """Kill one run ``kills`` times (if it does not finish first), then let it finish."""
    folder.mkdir()
    before = Journaled(Counter(), set(), "")
    phase = 0
    while True:
        proc = _start("kickoff" if phase == 0 else "resume", kind, folder, phase)
        if phase < kills:
            time.sleep(rng.uniform(0, ref.seconds))
            proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=120)
        after = _journaled(folder / "runs.db")
        served = Counter(_log(folder, "calls.log", phase))
        # Nothing the journal held as completed when this process started may be served again.
        for key, times in served.items():
            tally.reissued_completed_calls += max(0, times - (ref.calls[key] - before.calls[key]))
        tools_run = _log(folder, "tools.log", phase)
        tally.reissued_completed_tools += sum(1 for k in tools_run if k in before.tools)
        if code == -signal.SIGKILL:
            lost = sum((served - (after.calls - before.calls)).values())
            tally.in_flight_lost += lost
            tally.most_in_flight = max(tally.most_in_flight, lost)
            tally.kills += 1
            tally.points[after.point] += 1
            before, phase = after, phase + 1
            continue
        assert code == 0, f"{kind}: process {phase} exited with {code}"
        break
    assert json.loads((folder / "out.json").read_text()) == ref.output
    assert after.calls == ref.calls  # every call journaled once, as in the uninterrupted run


def test_killed_runs_resume_without_repeating_completed_calls(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    tally = Tally()
    refs = {kind: _reference(kind, tmp_path / f"reference-{kind}") for kind in KINDS}
    started = time.perf_counter()
    while tally.kills < KILLS:
        kind = KINDS[tally.chains % len(KINDS)]
        kills = min(KILLS - tally.kills, rng.randint(1, 4))
        _chain(kind, tmp_path / f"chain-{tally.chains}", refs[kind], kills, rng, tally)
        tally.chains += 1
    print(
        f"\ncrash test (CREWKIT_CRASH_SEED={SEED}): {tally.kills} kills in {tally.chains} chains "
        f"({time.perf_counter() - started:.0f} s); killed with {dict(tally.points)}; "
        f"completed calls served again: {tally.reissued_completed_calls}, completed tool calls "
        f"run again: {tally.reissued_completed_tools}; calls lost in flight: "
        f"{tally.in_flight_lost} (at most {tally.most_in_flight} at one kill)"
    )
    assert tally.kills >= KILLS
    assert tally.reissued_completed_calls == 0
    assert tally.reissued_completed_tools == 0
