"""Benchmark corpora: the real 74,728-paper corpus as a store, and a deterministic
1,000,000-paper corpus made from it.

The large corpus keeps vocabulary and lengths realistic: each synthetic paper's
abstract is made of real sentences drawn from real abstracts, its title joins
halves of two real titles, its authors are real names, and its days are spread
evenly over 2022-01..2026-07.  The same seed always gives the same corpus.

    python bench/corpus.py 1000000      # build (or reuse) the 1M store, print its path
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import re
import sys
import time
from pathlib import Path

from common import ROOT, WORK

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "data" / "arxiv_2025-03_2026-07.jsonl.gz"
SAMPLE2K = SHARED / "data" / "arxiv_sample2k.jsonl"
HF_EVERY = 20  # one paper in 20 was also on the Hugging Face daily list (a source filter has work to do)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
FIRST_DAY, LAST_DAY = dt.date(2022, 1, 3), dt.date(2026, 7, 1)


def corpus(quick: bool) -> Path:
    """The real 74,728-paper corpus (quick: the 2,000-paper sample); without ../shared,
    a deterministic synthetic corpus of the same shape (2,000 papers)."""
    if CORPUS.exists():
        return SAMPLE2K if quick else CORPUS
    return synthetic_corpus(2_000)


def synthetic_corpus(n: int, seed: int = 7) -> Path:
    """``n`` papers of made-up words with Zipf weights (1/rank, real ML words first): a few
    words are everywhere and most are rare, as in real abstracts (the query generators need both)."""
    path = WORK / f"synthetic_{n}.jsonl.gz"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    real = "model learning agent diffusion language graph training data neural policy retrieval vision "
    real += "transformer reasoning robot benchmark attention sparse optimization inference"
    syllables = "ka lo mi ne ru ta vo si de pa gri ston fel mar quo bex".split()
    made = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(8_000)}
    words = real.split() + sorted(made - set(real.split()))[: 4_000 - len(real.split())]
    weights = [1 / rank for rank in range(1, len(words) + 1)]

    def sentence(low: int, high: int) -> str:
        return " ".join(rng.choices(words, weights, k=rng.randint(low, high))).capitalize()

    with gzip.open(path, "wt", encoding="utf-8") as out:
        for i in range(n):
            day = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
            paper = {
                "id": f"25{1 + i % 12:02d}.{i:05d}",
                "title": sentence(6, 12),
                "abstract": " ".join(sentence(12, 30) + "." for _ in range(rng.randint(4, 9))),
                "authors": [f"Author {rng.randint(1, 500)}" for _ in range(4)],
                "published": day,
                "categories": ["cs.LG"],
            }
            out.write(json.dumps(paper) + "\n")
    return path


def real_store(quick: bool = False) -> Path:
    """A store holding the real corpus (quick: its 2,000-paper sample), imported once."""
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    source = corpus(quick)
    path = WORK / f"store-real-{source.name.split('.')[0]}"
    store = Store(path)
    if not store.exists():
        import_files(store, input_files([str(source)], (".jsonl",)))
    store.migrate()  # a store built by an earlier run in the one-file layout: same version, in parts
    return path


def synthetic_store(n: int, seed: int = 20260701, quick: bool = False) -> Path:
    """A store of ``n`` papers mixed from the real corpus (quick: from its 2,000-paper
    sample, which a quick run imports anyway), built once, then reused."""
    from lib.store.store import Store

    # "-src": built with sources (one paper in HF_EVERY on the daily list); older builds had none
    path = WORK / f"store-mixed-{n}-{seed}-src{'-quick' if quick else ''}"
    store = Store(path)
    if store.exists():
        store.migrate()
        return path
    started = time.perf_counter()
    table = mixed_table(Store(real_store(quick)).read_table(), n, seed)
    with store.lock():
        store.write_table(table)
    print(f"built {n:,}-paper store in {time.perf_counter() - started:.0f} s: {path}", file=sys.stderr)
    return path


def mixed_table(real, n: int, seed: int):
    import pyarrow as pa

    from lib.store.schema import make_record, records_to_table

    rng = random.Random(seed)
    titles = real["title"].to_pylist()
    sentences = [s for a in real["abstract"].to_pylist() for s in _SENTENCE.split(a) if 20 < len(s) < 400]
    authors = [a for names in real["authors"].to_pylist() for a in names[:8]]
    categories = real["categories"].to_pylist()
    span = (LAST_DAY - FIRST_DAY).days
    per_month: dict[tuple[int, int], int] = {}
    today = dt.date(2026, 11, 27)
    chunks, records = [], []
    for i in range(n):
        day = FIRST_DAY + dt.timedelta(days=(i * span) // n)
        month = (day.year % 100, day.month)
        per_month[month] = per_month.get(month, 0) + 1
        first, second = rng.choice(titles), rng.choice(titles)
        head = first.split(":")[0] if ":" in first else " ".join(first.split()[: max(2, len(first.split()) // 2)])
        tail = second.split(":", 1)[1] if ":" in second else " ".join(second.split()[len(second.split()) // 2 :])
        records.append(
            make_record(
                {
                    "id": f"{month[0]:02d}{month[1]:02d}.{per_month[month]:05d}",
                    "title": f"{head}: {tail.strip()}",
                    "abstract": " ".join(rng.choice(sentences) for _ in range(rng.randint(4, 9))),
                    "authors": [rng.choice(authors) for _ in range(rng.randint(1, 8))],
                    "categories": rng.choice(categories),
                    "date": day,
                    "published": day,
                    "listed": True,
                },
                sources=["hf", "arxiv"] if i % HF_EVERY == 0 else ["arxiv"],
                today=today,
            )
        )
        if len(records) == 50_000:
            chunks.append(records_to_table(records))
            records = []
    if records:
        chunks.append(records_to_table(records))
    return pa.concat_tables(chunks)


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(synthetic_store(size))
