"""Memory store figures: insert rate and recall latency (p50/p95) at 1k, 10k and 100k records.

Run: ``python benchmarks/memory.py`` for 1k and 10k records (seconds); ``--full`` adds 100k records,
which takes several minutes on 2 cores (most of it inserting); ``--sizes`` picks any sizes.
Target: recall p50 <= 5 ms at 100k records.

Records are synthetic but shaped like agent output: 15-60 words drawn from a 5,000-word vocabulary with
a Zipf-like distribution (so common words match many records, as they do in real text), some with
company names. Each ``save`` is its own transaction, as in a run. Recall is measured two ways:
``search`` with a 4-word query (an agent's ``search_memory`` call) and with a 20-word query (the
recall made before each task from its description and expected output).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from crewkit.memory import Memory

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "su",
    "ra",
    "to",
    "vi",
    "de",
    "po",
    "an",
    "el",
    "or",
    "qu",
    "zi",
]
COMPANIES = [
    "Acme Robotics",
    "Borealis Energy",
    "Cobalt Freight",
    "Delta Pharma",
    "Evergreen Foods",
]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Corpus:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary(5000, self.rng)
        self.weights = [1 / (rank + 1) for rank in range(len(self.words))]

    def sample(self, n: int) -> list[str]:
        return self.rng.choices(self.words, weights=self.weights, k=n)

    def record(self) -> str:
        words = self.sample(self.rng.randint(15, 60))
        if self.rng.random() < 0.2:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(COMPANIES))
        return " ".join(words) + "."


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(memory: Memory, queries: list[str]) -> tuple[float, float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        memory.search(query, limit=5)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def run(sizes: list[int], queries: int) -> None:
    corpus = Corpus()
    print(
        f"{'records':>8} {'insert/s':>9} {'4-word p50':>11} {'p95':>7} {'20-word p50':>12} {'p95':>7}"
    )
    with tempfile.TemporaryDirectory() as folder:
        memory = Memory(Path(folder) / "memory.db")
        stored = 0
        for size in sizes:
            count = size - stored
            texts = [corpus.record() for _ in range(count)]
            started = time.perf_counter()
            for text in texts:
                memory.save(text, extract_entities=False)
            rate = count / (time.perf_counter() - started)
            stored = size
            short = [" ".join(corpus.sample(4)) for _ in range(queries)]
            long = [" ".join(corpus.sample(20)) for _ in range(queries)]
            measure(memory, short[:20])  # warm the page cache
            s50, s95 = measure(memory, short)
            l50, l95 = measure(memory, long)
            print(
                f"{size:>8} {rate:>9.0f} {s50:>8.2f} ms {s95:>4.2f} ms {l50:>9.2f} ms {l95:>4.2f} ms"
            )
        memory.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="record counts")
    parser.add_argument(
        "--full", action="store_true", help="also 100k records (several minutes on 2 cores)"
    )
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    sizes = args.sizes or ([1000, 10_000, 100_000] if args.full else [1000, 10_000])
    if max(sizes) >= 100_000:
        print("100k records: this takes several minutes on 2 cores (inserting dominates)")
    run(sorted(sizes), args.queries)


if __name__ == "__main__":
    main()
