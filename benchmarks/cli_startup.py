"""Wall time of the ``crewkit`` command (process start to exit) and of ``load_crew`` on the research
example. Prints figures; run with ``python benchmarks/cli_startup.py``."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples/research/crew.yaml")
COMMANDS = [
    ["--help"],
    ["validate", EXAMPLE, "--input", "x"],
    ["graph", EXAMPLE],
    ["kickoff", EXAMPLE, "--input", "x", "--model", "mock", "--quiet"],
]


def main(runs: int = 7) -> None:
    for args in COMMANDS:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "crewkit", *args], capture_output=True, check=True
            )
            times.append(time.perf_counter() - start)
        label = " ".join(a if a != EXAMPLE else "research/crew.yaml" for a in args)
        print(f"crewkit {label:<55} median {1000 * statistics.median(times):6.0f} ms ({runs} runs)")
    from crewkit import load_crew

    load_crew(EXAMPLE)  # first load imports yaml, pydantic and the tool module
    times = []
    for _ in range(100):
        start = time.perf_counter()
        load_crew(EXAMPLE)
        times.append(time.perf_counter() - start)
    print(f"load_crew(research/crew.yaml), warm: median {1000 * statistics.median(times):.2f} ms")


if __name__ == "__main__":
    main()
