"""`import crewkit`: wall time and resident memory in a fresh interpreter (median of N runs).

python benchmarks/import_time.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys

PROBE = """
import resource, time
t = time.perf_counter()
import crewkit
elapsed = time.perf_counter() - t
print(elapsed * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
BASELINE = PROBE.replace("import crewkit", "pass")


def measure(code: str, runs: int) -> tuple[float, float]:
    times, rss = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        ms, mb = map(float, out.stdout.split())
        times.append(ms)
        rss.append(mb)
    return statistics.median(times), statistics.median(rss)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    ms, mb = measure(PROBE, runs)
    _, base_mb = measure(BASELINE, runs)
    print(f"import crewkit: {ms:.1f} ms median of {runs} runs (target <= 120 ms)")
    print(
        f"peak RSS after import: {mb:.1f} MB (bare interpreter {base_mb:.1f} MB; target <= 40 MB)"
    )
    heavy = subprocess.run(
        [sys.executable, "-c", "import crewkit, sys; print(sorted(m for m in ('pydantic', 'httpx', "
         "'jinja2', 'rich', 'tenacity', 'yaml', 'sqlite3', 'starlette', 'uvicorn', 'markdown_it') "
         "if m in sys.modules))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    print(f"heavy modules loaded by import: {heavy.stdout.strip()}")


if __name__ == "__main__":
    main()
