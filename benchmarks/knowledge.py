"""Knowledge index figures: indexing rate and search latency (p50/p95) at 1k, 10k and 100k chunks.

Run: ``python benchmarks/knowledge.py`` (``--sizes 10000`` for the headline figure only).
Target: search p50 <= 5 ms at 10k chunks.

Chunks are synthetic but shaped like documents cut by the chunker: 120-200 words (about 1000
characters) from a 5,000-word vocabulary with a Zipf-like distribution, 100 chunks per document.
Searches are measured three ways: a 4-word query (an agent's search tool call), a 20-word query (the
recall made before each task from its description and expected output), both over every document,
and a 4-word query inside one document (a search tool fixed to one file).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from memory import Corpus, percentile

from crewkit.knowledge import KnowledgeIndex
from crewkit.knowledge._index import document_key

PER_DOCUMENT = 100


def measure(index: KnowledgeIndex, queries: list[str], documents: list[int]) -> tuple[float, float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        index.search(query, documents, limit=5)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def run(sizes: list[int], queries: int) -> None:
    corpus = Corpus()
    print(
        f"{'chunks':>8} {'index/s':>8} {'4-word p50':>11} {'p95':>7} {'20-word p50':>12} "
        f"{'p95':>7} {'1-doc p50':>10}"
    )
    with tempfile.TemporaryDirectory() as folder:
        index = KnowledgeIndex(Path(folder) / "knowledge.db")
        documents: list[int] = []
        stored = 0
        for size in sizes:
            count = size - stored
            texts = [" ".join(corpus.sample(corpus.rng.randint(120, 200))) for _ in range(count)]
            started = time.perf_counter()
            for start in range(0, count, PER_DOCUMENT):
                chunk_texts = texts[start : start + PER_DOCUMENT]
                key = document_key("text", "".join(chunk_texts).encode(), len(documents))
                pieces = [(f"doc{len(documents)}", t) for t in chunk_texts]
                documents.append(index.add(key, f"doc{len(documents)}", pieces))
            rate = count / (time.perf_counter() - started)
            stored = size
            short = [" ".join(corpus.sample(4)) for _ in range(queries)]
            long = [" ".join(corpus.sample(20)) for _ in range(queries)]
            measure(index, short[:20], documents)  # warm the page cache
            s50, s95 = measure(index, short, documents)
            l50, l95 = measure(index, long, documents)
            d50, _ = measure(index, short, documents[len(documents) // 2 : len(documents) // 2 + 1])
            print(
                f"{size:>8} {rate:>8.0f} {s50:>8.2f} ms {s95:>4.2f} ms {l50:>9.2f} ms "
                f"{l95:>4.2f} ms {d50:>7.2f} ms"
            )
        index.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    run(sorted(args.sizes), args.queries)


if __name__ == "__main__":
    main()
