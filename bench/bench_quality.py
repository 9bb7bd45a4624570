"""Known-item search quality: can a researcher find a paper they half remember?

For N papers drawn with a fixed seed, the query is 3–4 of the most distinctive words
of the paper's title (lowest document frequency, stop words left out), in title
order.  We report how often the paper comes first / in the top 3, and the mean
reciprocal rank (1/rank within the top 100, else 0).

    python bench/bench_quality.py                     # the real corpus (../shared)
    python bench/bench_quality.py --corpus FILE_OR_DIR [--n 500]   # any importable data
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from common import Figure, in_process, measure, stores

GOAL_TOP3 = 0.9


def known_item_queries(ds, index, n: int, seed: int = 11) -> list[tuple[int, str]]:
    """``(row, query)`` pairs: 3 or 4 rarest title words of ``n`` random papers."""
    from lib.search.analysis import STOP_WORDS, query_term, words

    rng = random.Random(seed)
    titles = ds.table["title"].to_pylist()
    rows = rng.sample(range(len(titles)), min(n, len(titles)))
    queries = []
    for row in rows:
        candidates = []
        for position, word in enumerate(words(titles[row])):
            term = query_term(word)
            if term and term not in STOP_WORDS and len(term) > 2 and not word.isdigit():
                candidates.append((index.document_frequency(term), position, word))
        if len(candidates) < 2:
            continue
        chosen = sorted(candidates)[: rng.choice((3, 4))]
        queries.append((row, " ".join(word for _, _, word in sorted(chosen, key=lambda c: c[1]))))
    return queries


def evaluate(store_path: str, n: int) -> dict:
    from lib.dataset import load
    from lib.search import index as index_module
    from lib.search import search
    from lib.store.store import Store

    store = Store(store_path)
    ds = load(store)
    index = index_module.load_or_build(store, ds)
    queries = known_item_queries(ds, index, n)
    ranks = []
    for row, query in queries:
        result = search.search(index, ds.search_columns, query)
        top, _ = result.slice(0, 100)
        hit = [i for i, r in enumerate(top) if r == row]
        ranks.append(hit[0] + 1 if hit else None)
    found = [r for r in ranks if r is not None]
    return {
        "papers": len(queries),
        "top1": sum(r == 1 for r in found) / len(ranks),
        "top3": sum(r <= 3 for r in found) / len(ranks),
        "mrr": sum(1 / r for r in found) / len(ranks),
        "misses": [(q, r) for (row, q), r in zip(queries, ranks) if r is None or r > 3][:10],
    }


def run(quick: bool = False, browser: bool = True, corpus_path: str | None = None, n: int = 500) -> list[Figure]:
    """``browser`` is accepted for run.py: no browser here."""
    if corpus_path:  # any importable data, imported into a store of its own
        store, label = tempfile.mkdtemp(prefix="quality-store-"), Path(corpus_path).name
        measure(f"""
            from lib.store.formats import KNOWN_SUFFIXES
            from lib.store.importer import import_files
            from lib.store.store import Store, input_files
            import_files(Store({store!r}), input_files([{corpus_path!r}], KNOWN_SUFFIXES))
        """)
    else:
        store, label = stores(quick, large=False)["real"], "real sample" if quick else "real corpus"
    scores = in_process("bench_quality", f"evaluate({store!r}, {100 if quick else n})")
    for query, rank in scores["misses"]:
        print(f"  miss: {query!r} -> rank {rank}", file=sys.stderr)
    papers = scores["papers"]
    return [
        Figure(
            f"known-item search, top 3 ({papers} papers, {label})",
            "rate",
            round(scores["top3"], 3),
            {},
            f">= {GOAL_TOP3}",
            scores["top3"] >= GOAL_TOP3,
        ),
        Figure(f"known-item search, top 1 ({papers} papers, {label})", "rate", round(scores["top1"], 3)),
        Figure(f"known-item search, MRR ({papers} papers, {label})", "", round(scores["mrr"], 3)),
    ]


if __name__ == "__main__":
    args = sys.argv[1:]
    corpus_arg = args[args.index("--corpus") + 1] if "--corpus" in args else None
    size = int(args[args.index("--n") + 1]) if "--n" in args else 500
    for figure in run(quick="--quick" in args, corpus_path=corpus_arg, n=size):
        print(figure.row())
