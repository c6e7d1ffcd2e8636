"""The hybrid matcher on a 10,000-entry KB: import (encoding), start-up with stored
vectors, question latency with the encoder, memory.

    .venv/bin/python bench/kb_encoder_bench.py [--entries 10000] [--queries 500] [--one-core]

Entries come from bench/kb_bench.py's generator, in an office FAQ's shape (one question
and one answer each, no alternatives). The import encodes every question and answer
opening into a fresh vector store and prints progress; the start-up then builds the KB
from the stored vectors and counts the texts the encoder had to run (must be 0). The
latency is over distinct paraphrased questions (no memo hit), each encoded live.
--one-core pins the process to one CPU after the import (start-up and questions; the
target is p99 <= 100 ms on one core).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.kb_bench import generate, percentile, rss_mb
from knowledge_base import segment
from knowledge_base.config import load_config
from knowledge_base.conversation import Band, answer
from knowledge_base.encoder import E5Encoder
from knowledge_base.matcher import build_knowledge_base


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--one-core", action="store_true")
    parser.add_argument(
        "--store", type=Path, help="keep the vectors here (a rerun then measures start-up and questions only)"
    )
    args = parser.parse_args()
    rng = random.Random(7)
    segment.load()
    generated = generate(args.entries, rng)
    entries = [replace(e, alternatives=(), keywords=()) for e in generated]
    config = load_config()
    rss_start = rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.store or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        vectors = folder / "kb_vectors.npz"
        texts_cache = folder / "kb_text_cache.json"
        encoder = E5Encoder()
        started = time.perf_counter()
        last = [started]

        def progress(done: int, total: int) -> None:
            if done == total or time.perf_counter() - last[0] > 15:
                last[0] = time.perf_counter()
                print(
                    f"  import: {done}/{total} texts encoded, {time.perf_counter() - started:.0f} s",
                    flush=True,
                )

        build_knowledge_base(
            entries,
            config=config,
            encoder=encoder,
            vector_path=vectors,
            cache_path=texts_cache,
            progress=progress,
        )
        t_import = time.perf_counter() - started
        imported_texts = encoder.calls
        store_mb = vectors.stat().st_size / 1e6

        if args.one_core:  # the import may use both cores; start-up and questions get one
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        restarted = E5Encoder()
        started = time.perf_counter()
        kb = build_knowledge_base(
            entries, config=config, encoder=restarted, vector_path=vectors, cache_path=texts_cache
        )
        t_start = time.perf_counter() - started
        startup_calls = restarted.calls
        rss_kb = rss_mb()

    queries = []
    for entry in rng.sample(generated, min(len(generated), args.queries)):
        text = rng.choice([entry.question, *entry.alternatives])
        queries.append(f"请问{text}啊" if rng.random() < 0.5 else text[:-1] + "呢")
    queries = list(dict.fromkeys(queries))
    for q in ["社保卡丢了怎么补办", "公积金怎么提取"]:
        answer(kb, q)  # first call warms numpy and the engine
    wall = []
    cpu = []  # this thread's CPU time: what one question costs, whatever else loads the machine
    bands = dict.fromkeys(Band, 0)
    before = restarted.calls
    for q in queries:
        t, c = time.perf_counter(), time.thread_time()
        bands[answer(kb, q).band] += 1
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    encoded = restarted.calls - before
    t = time.perf_counter()
    for q in queries[:100]:
        answer(kb, q)
    memo_ms = (time.perf_counter() - t) * 1000 / min(100, len(queries))

    print(
        f"entries              {len(kb)} (question + answer + pseudo-queries each, {imported_texts} texts"
        " encoded at import)"
    )
    print(
        f"import               {t_import:.1f} s ({imported_texts / t_import:.0f} texts/s, store"
        f" {store_mb:.1f} MB)"
    )
    print(
        f"start-up             {t_start:.2f} s with stored vectors; texts encoded at start-up:"
        f" {startup_calls}"
    )
    print(
        f"KB answer threshold  {kb.dense.answer_threshold:.3f} (own, from simulated questions)"
        if kb.dense
        else ""
    )
    print(f"memory               RSS {rss_kb:.0f} MB (before the KB {rss_start:.0f} MB)")
    print(
        f"latency ms           p50 {percentile(wall, 0.5):.1f}  p90 {percentile(wall, 0.9):.1f}  "
        f"p99 {percentile(wall, 0.99):.1f}  max {max(wall):.1f}  over {len(queries)} distinct questions "
        f"({encoded} encoded){' on one core' if args.one_core else ''}"
    )
    print(
        f"CPU ms per question  p50 {percentile(cpu, 0.5):.1f}  p90 {percentile(cpu, 0.9):.1f}  "
        f"p99 {percentile(cpu, 0.99):.1f}  max {max(cpu):.1f}  (thread CPU time: the cost on one free core)"
    )
    print(f"repeated question    {memo_ms:.2f} ms (memo)")
    print("bands                " + "  ".join(f"{b.value} {n}" for b, n in bands.items()))
    print(f"load average         {Path('/proc/loadavg').read_text().split()[0]} (shared machine)")


if __name__ == "__main__":
    main()
