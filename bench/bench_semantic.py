"""Search by meaning, measured honestly: hybrid ranking, search by text, typo'd titles, similar papers.

One run on the real 74,728-paper corpus (quick: its 2,000-paper sample):

1. **A held-out store.**  2,000 papers (quick: 400) whose abstract has at least 3 sentences are drawn
   with a fixed seed; each loses one middle sentence of at least 12 words.  The modified corpus (JSON
   Lines, the same fields), plus the Hugging Face daily file that holds "EnvHarness: Awakening Static
   Worlds…" (the rare-title-word case of similar papers), is imported into a fresh store under the
   bench's work dir, with its search index and its paper vectors (lib.search.vectors).  The vectors'
   build is timed in a fresh process (its peak memory its own, beside a process that only loads the
   table) and extrapolated linearly to 1M papers.
2. **Known-item tasks** on those papers, split by the seed into tuning (first half) and test (second
   half): title -> paper (the whole title, as typed), held-out sentence -> paper (the sentence is no
   longer in the indexed text), typo'd title -> paper (every word of at least 4 letters gets 1-2 typos:
   substitution, deletion, insertion or transposition, seeded).
3. **Modes**: the search box as users get it (``lexical``: every word required, BM25F) and with meaning
   (``hybrid``: ``search(..., meaning=Meaning(...))``); search by text (``hybrid.like_text``): lexical
   any-words (its most distinctive terms, any of them), semantic only (alpha 0) and hybrid.  Metrics on
   the test split: MRR@10, Recall@10, Recall@100 (and top-1).  Alpha (the lexical weight) is chosen on
   the tuning split by a grid 0.0..1.0 step 0.1, separately for hybrid search and for search by text:
   **the alpha with the highest mean of title MRR@10 and sentence MRR@10** (a tie: the one nearer 0.5);
   the test figures are reported at the chosen alphas and at 0.5.  Typo'd titles also through
   ``lib.search.fuzzy.navigate`` (when it exists).  And bench_quality's known-item figure (3-4 rarest
   title words, top 3), lexical and hybrid, on the same store.
4. **Latency** p50/p95 per mode: the test queries of each task and ~200 bench_search queries (quick: 50),
   lexical vs hybrid (the query's embedding included), search by text; tantivy on the same titles and
   bench_search queries (bench_search's runner).  Hybrid again with numpy's BLAS on one thread: OpenBLAS
   spreads the papers x vector product over every core, and on a busy machine waking its threads can
   cost more than the product (measured: 2,000 papers, 3 processes on 2 cores, a hybrid search's p50
   18 ms with the default threads, 0.8 ms on one).
5. **Similar papers**, for 500 seeded papers (quick: 100): share-an-author@10 (the share of the 10
   neighbours with an author in common) and same-category@10 (first arXiv category equal) of today's
   ``search.similar`` (now ``hybrid.similar(..., cap=1.0)``: terms alone, uncapped), of ``hybrid.similar`` with the term side only (each term's part capped) and with
   the vectors, and of 10 random papers; the EnvHarness paper's 5 neighbours per variant.

Goals (issue 21): hybrid sentence -> paper MRR@10 >= lexical any-words + 0.04; typo'd title top-1 >= 0.9;
hybrid search p95 <= 30 ms at 75k; the known-item top 3 not below lexical's.

    python bench/bench_semantic.py [--quick]        # or: python bench/run.py --only=semantic
"""

from __future__ import annotations

import gzip
import importlib
import importlib.util
import json
import random
import re
import sys
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import common
from common import WORK, Figure, in_process, latencies, percentile
from corpus import _SENTENCE as SENTENCE
from corpus import SHARED, corpus

SEED = 2101
HELD_OUT = 2_000  # papers of the known-item tasks (quick: QUICK_HELD_OUT)
QUICK_HELD_OUT = 400
MIN_WORDS = 12  # a held-out sentence has at least this many words
GRID = [round(0.1 * i, 1) for i in range(11)]
DEPTH = 100  # rows read per query (Recall@100)
PAGE = 20  # rows of a timed search (a page)
KNOWN_ITEMS = 500  # bench_quality's known-item queries (quick: 100)
SIMILAR = 500  # papers whose similar papers are judged (quick: 100)
NEIGHBOURS = 10
HF_DAY = SHARED / "data" / "formats" / "hf_daily_papers_api" / "2026-08-21.json"  # holds EnvHarness
RARE_TITLE = "EnvHarness"
P95_GOAL_MS = 30
SENTENCE_GAIN = 0.04
NAVIGATE_GOAL = 0.9
TODAY_SIMILAR = "today 0.039 / 0.678, random 0.0007 / 0.333 (issue 21)"
note = partial(common.note, "semantic")
Json = dict[str, Any]  # what a measured step returns (JSON)


# --- the held-out corpus and its tasks ----------------------------------------------------------
def _records(path: Path) -> list[dict[str, Any]]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _middles(sentences: list[str]) -> list[int]:
    """Positions of the middle sentences (neither first nor last) long enough to hold out."""
    return [i for i in range(1, len(sentences) - 1) if len(sentences[i].split()) >= MIN_WORDS]


def misspell(word: str, rng: random.Random) -> str:
    """``word`` with 1 or 2 typos, each a substitution, deletion, insertion or transposition."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(rng.choice((1, 2))):
        kind, i = rng.choice(("substitute", "delete", "insert", "transpose")), rng.randrange(len(word))
        if kind == "substitute":
            word = word[:i] + rng.choice(letters.replace(word[i].lower(), "")) + word[i + 1 :]
        elif kind == "delete" and len(word) > 2:
            word = word[:i] + word[i + 1 :]
        elif kind == "transpose" and len(word) > 1:
            swaps = [j for j in range(len(word) - 1) if word[j] != word[j + 1]] or [0]
            j = rng.choice(swaps)
            word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        else:
            word = word[:i] + rng.choice(letters) + word[i:]
    return word


def typo_title(title: str, rng: random.Random) -> str:
    """The title with 1-2 typos in every word of at least 4 letters (shorter words as typed)."""
    return re.sub(r"[A-Za-z]{4,}", lambda m: misspell(m.group(), rng), title)


def prepare(source: str, n: int, corpus_out: str, tasks_out: str) -> Json:
    """Write the held-out corpus (``n`` drawn papers without one middle sentence each) and the
    tasks (``[{"id", "title", "sentence", "typo"}]``, in drawn order: the first half tunes)."""
    records = _records(Path(source))
    eligible = [
        k
        for k, r in enumerate(records)
        if r.get("title") and r.get("abstract") and _middles(SENTENCE.split(r["abstract"].strip()))
    ]
    rng = random.Random(SEED)
    tasks = []
    for k in rng.sample(eligible, min(n, len(eligible))):
        sentences = SENTENCE.split(records[k]["abstract"].strip())
        i = rng.choice(_middles(sentences))
        records[k] = {**records[k], "abstract": " ".join(sentences[:i] + sentences[i + 1 :])}
        title = records[k]["title"]
        tasks.append({"id": records[k]["id"], "title": title, "sentence": sentences[i], "typo": typo_title(title, rng)})
    Path(corpus_out).parent.mkdir(parents=True, exist_ok=True)
    with open(corpus_out, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    Path(tasks_out).write_text(json.dumps(tasks))
    return {"papers": len(records), "eligible": len(eligible), "held_out": len(tasks)}


def make_store(corpus_path: str, store_path: str) -> Json:
    """A fresh store of the held-out corpus (and the EnvHarness day), with its search index."""
    from common import fresh_dir

    from lib.dataset import load
    from lib.search import index
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    store = Store(fresh_dir(Path(store_path).name))
    extra = [str(HF_DAY)] if HF_DAY.exists() else []
    import_files(store, input_files([corpus_path, *extra], (".jsonl", ".json")))
    ds = load(store)
    started = time.perf_counter()
    index.load_or_build(store, ds)
    return {"papers": ds.table.num_rows, "index_s": time.perf_counter() - started}


def build_vectors(store_path: str) -> Json:
    """The store's paper vectors built afresh: seconds, papers, bytes on disk."""
    from common import fresh_build

    from lib.search import vectors
    from lib.store.store import Store

    seconds, built = fresh_build(store_path, vectors.ARTIFACT, vectors.load_or_build)
    saved = list(Store(store_path).artifacts_dir.glob(f"{vectors.ARTIFACT}-*"))
    files = [f for p in saved for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()]
    return {"build_s": seconds, "papers": built.n_docs, "disk_mb": sum(f.stat().st_size for f in files) / 2**20}


def load_table(store_path: str) -> Json:
    """Only the store's table loaded (the baseline of the vectors' build memory): its Arrow bytes."""
    from lib.dataset import load
    from lib.store.store import Store

    return {"table_mb": load(Store(store_path)).table.nbytes / 2**20}


# --- quality -----------------------------------------------------------------------------------
class Memo:
    """Paper vectors (the interface hybrid uses) that keep the cosine of the last query with
    every paper: the grid runs one query at 11 alphas, and the full cosine is all of a call's
    cost that does not depend on alpha.  Read-only, so a caller that wrote to it would fail."""

    def __init__(self, vectors: Any) -> None:
        self.vectors, self.n_docs, self.exact = vectors, vectors.n_docs, vectors.exact
        self._key: bytes | None = None
        self._full: Any = None

    def estimate(self, query: Any) -> Any:
        return self.vectors.estimate(query)

    def cosine(self, query: Any, rows: Any = None) -> Any:
        if rows is not None:
            return self.vectors.cosine(query, rows)
        if query.tobytes() != self._key:
            self._key, self._full = query.tobytes(), self.vectors.cosine(query)
            self._full.setflags(write=False)
        return self._full

    def of(self, rows: Any) -> Any:
        return self.vectors.of(rows)


def _open(store_path: str) -> tuple[Any, Any, Any]:
    """(dataset, search index, paper vectors) of a store."""
    from lib.dataset import load
    from lib.search import index, vectors
    from lib.store.store import Store

    store = Store(store_path)
    ds = load(store)
    return ds, index.load_or_build(store, ds), vectors.load_or_build(store, ds)


def runs(ds: Any, index: Any, vectors: Any, top: int = DEPTH) -> dict[str, Callable[..., Any]]:
    """The modes, each ``mode(query, alpha) -> rows best first`` (alpha ignored by lexical modes)."""
    from lib.search import hybrid, search
    from lib.search.vectors import embed_one

    columns = ds.search_columns

    def box(q: str, a: float | None) -> Any:
        meaning = None if a is None else hybrid.Meaning(vectors, embed_one(q), a)
        return search.search(index, columns, q, meaning=meaning).slice(0, top)[0]

    return {
        "lexical": lambda q, a=None: box(q, None),
        "hybrid": box,
        "lexical any-words": lambda q, a=None: hybrid.like_text(index, None, q, top)[0],
        "semantic only": lambda q, a=None: hybrid.like_text(index, vectors, q, top, alpha=0.0)[0],
        "search by text": lambda q, a: hybrid.like_text(index, vectors, q, top, alpha=a)[0],
    }


def rank_table(
    modes: Mapping[str, Callable[[str], Any]], queries: list[str], targets: list[int]
) -> dict[str, list[int]]:
    """Per mode, the 1-based rank of each query's target in its first DEPTH rows (0: not there).
    A query's modes run one after another (so Memo's cosine serves them all)."""
    out: dict[str, list[int]] = {name: [] for name in modes}
    for query, target in zip(queries, targets):
        for name, mode in modes.items():
            rows = list(mode(query)[:DEPTH])
            out[name].append(rows.index(target) + 1 if target in rows else 0)
    return out


def metrics(ranks: list[int]) -> dict[str, float]:
    n = max(1, len(ranks))
    return {
        "mrr10": sum(1 / r for r in ranks if 0 < r <= 10) / n,
        "top1": sum(r == 1 for r in ranks) / n,
        "r10": sum(0 < r <= 10 for r in ranks) / n,
        "r100": sum(r > 0 for r in ranks) / n,
    }


def choose(grid: dict[float, float], incumbent: float | None = None) -> float:
    """The alpha of the best tuning score, to the 3 decimals reported; a tie goes to the
    ``incumbent`` (the alpha the code runs: a change needs a gain the figures show), else to
    the alpha nearer 0.5.  (In December 2026 0.7 and 0.8 tied at 0.703 for hybrid search.)"""
    return max(grid, key=lambda a: (round(grid[a], 3), a == incumbent, -abs(a - 0.5)))


def named(alpha_box: float, alpha_text: float) -> dict[str, tuple[str, float | None]]:
    """The test split's modes: label -> (mode, alpha)."""
    out: dict[str, tuple[str, float | None]] = {"lexical": ("lexical", None)}
    out |= {f"hybrid α={a}": ("hybrid", a) for a in dict.fromkeys((alpha_box, 0.5))}
    out |= {"lexical any-words": ("lexical any-words", None), "semantic only": ("semantic only", None)}
    out |= {f"search by text α={a}": ("search by text", a) for a in dict.fromkeys((alpha_text, 0.5))}
    return out


def quality(store_path: str, tasks_path: str, known_items: int) -> Json:
    """Alphas chosen on the tuning split; every mode's metrics on the test split; the
    known-item figure lexical and hybrid; fuzzy navigation of typo'd titles."""
    import bench_quality

    from lib.search import hybrid

    ds, index, vectors = _open(store_path)
    modes = runs(ds, index, Memo(vectors))
    tasks = json.loads(Path(tasks_path).read_text())
    targets = [ds.row_of(t["id"]) for t in tasks]
    half = len(tasks) // 2
    tuning, test = (tasks[:half], targets[:half]), (tasks[half:], targets[half:])

    grids: dict[str, dict[float, float]] = {}
    for mode in ("hybrid", "search by text"):
        trials = {str(a): partial(modes[mode], a=a) for a in GRID}
        per_kind = [rank_table(trials, [t[kind] for t in tuning[0]], tuning[1]) for kind in ("title", "sentence")]
        grids[mode] = {a: sum(metrics(r[str(a)])["mrr10"] for r in per_kind) / 2 for a in GRID}
    alpha_box = choose(grids["hybrid"], hybrid.ALPHA)
    alpha_text = choose(grids["search by text"], hybrid.TEXT_ALPHA)

    labels = named(alpha_box, alpha_text)
    on_test = {label: partial(modes[mode], a=a) for label, (mode, a) in labels.items()}
    test_metrics = {
        kind: {label: metrics(r) for label, r in rank_table(on_test, [t[kind] for t in test[0]], test[1]).items()}
        for kind in ("title", "sentence", "typo")
    }

    known = bench_quality.known_item_queries(ds, index, known_items)
    known_modes = {label: on_test[label] for label in ("lexical", f"hybrid α={alpha_box}")}
    known_ranks = rank_table(known_modes, [q for _, q in known], [row for row, _ in known])
    known_top3 = {label: sum(0 < r <= 3 for r in ranks) / len(known) for label, ranks in known_ranks.items()}
    lexical_ranks, hybrid_ranks = known_ranks.values()
    changed = [  # (query, lexical rank, hybrid rank) where one finds it in the top 3 and the other not
        (query, lex, hyb)
        for (_, query), lex, hyb in zip(known, lexical_ranks, hybrid_ranks)
        if (0 < lex <= 3) != (0 < hyb <= 3)
    ]
    return {
        "alphas": {"hybrid": alpha_box, "search by text": alpha_text},
        "grids": grids,
        "test": test_metrics,
        "test_queries": len(test[0]),
        "known_items": len(known),
        "known_top3": known_top3,
        "known_changed": changed,
        "navigate": navigation(ds, index, test[0], test[1]),
    }


ARXIV_FULL = 2_700_000  # papers of all of arXiv (bench_arxiv)


def two_stages(store_path: str, tasks_path: str, alpha_box: float, alpha_text: float) -> Json:
    """The test split's title and sentence tasks searched with meaning in two stages (the
    reduced vectors, then a shortlist's exact cosines: how a corpus beyond
    lib.search.vectors.EXACT_UP_TO is searched), at the shortlist a search uses and at the
    shortlist that is the same share of this corpus as that one is of all of arXiv."""
    from lib.search import hybrid

    ds, index, vectors = _open(store_path)
    vectors.exact = False
    tasks = json.loads(Path(tasks_path).read_text())
    test = tasks[len(tasks) // 2 :]
    targets = [ds.row_of(t["id"]) for t in test]
    labels = named(alpha_box, alpha_text)
    wanted = ("semantic only", f"hybrid α={alpha_box}", f"search by text α={alpha_text}")
    modes = runs(ds, index, Memo(vectors))
    on_test = {label: partial(modes[labels[label][0]], a=labels[label][1]) for label in wanted}
    shortlists = {
        "search's": hybrid.SHORTLIST,
        "all of arXiv's share": max(10, hybrid.SHORTLIST * ds.table.num_rows // ARXIV_FULL),
    }
    out: Json = {"shortlists": shortlists, "test": {}}
    for name, size in shortlists.items():
        hybrid.SHORTLIST = size
        out["test"][name] = {
            kind: {label: metrics(r) for label, r in rank_table(on_test, [t[kind] for t in test], targets).items()}
            for kind in ("title", "sentence")
        }
    return out


def navigation(ds: Any, index: Any, tasks: list[Json], targets: list[int]) -> Json | None:
    """``fuzzy.navigate`` on the titles and the typo'd titles: the share found, abstained, wrong
    (None when lib.search.fuzzy has no navigate yet)."""
    if not navigation_available():
        return None
    from lib.search import fuzzy

    speller, titles = fuzzy.speller_for(index), fuzzy.titles_for(ds.table)
    out = {}
    for kind in ("title", "typo"):
        found = [fuzzy.navigate(index, ds.table, t[kind], speller, titles) for t in tasks]
        n = max(1, len(found))
        out[kind] = {
            "top1": sum(f == target for f, target in zip(found, targets)) / n,
            "abstained": sum(f is None for f in found) / n,
            "wrong": sum(f is not None and f != target for f, target in zip(found, targets)) / n,
        }
    return out


# --- latency -----------------------------------------------------------------------------------
def latency(store_path: str, tasks_path: str, alpha_box: float, alpha_text: float, queries_path: str) -> Json:
    """p50/p95 (ms) of a page of results per mode and query kind (no Memo: every call pays all)."""
    import bench_search
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    ds, index, vectors = _open(store_path)
    modes = runs(ds, index, vectors, PAGE)
    tasks = json.loads(Path(tasks_path).read_text())
    test = tasks[len(tasks) // 2 :]
    kinds = {
        "bench_search queries": [bench_search.as_ours(q) for q in json.loads(Path(queries_path).read_text())],
        "titles": [t["title"] for t in test],
        "sentences": [t["sentence"] for t in test],
        "typo'd titles": [t["typo"] for t in test],
    }
    timed: dict[str, Callable[[str], Any]] = {
        "lexical": modes["lexical"],
        "hybrid": partial(modes["hybrid"], a=alpha_box),
    }
    by_text: dict[str, Callable[[str], Any]] = {
        "search by text": partial(modes["search by text"], a=alpha_text),
        "lexical any-words": modes["lexical any-words"],
        "semantic only": modes["semantic only"],
    }
    out = {}
    for kind, queries in kinds.items():
        for mode, call in timed.items():
            out[f"{mode}|{kind}"] = latencies(_counted(call), queries)
    for mode, call in by_text.items():
        out[f"{mode}|sentences"] = latencies(_counted(call), kinds["sentences"])
    with threadpool_limits(limits=1, user_api="blas"):  # the same calls with numpy's BLAS on one thread
        for kind, queries in kinds.items():
            out[f"hybrid, 1 BLAS thread|{kind}"] = latencies(_counted(timed["hybrid"]), queries)
        one = _counted(by_text["search by text"])
        out["search by text, 1 BLAS thread|sentences"] = latencies(one, kinds["sentences"])
    if navigation_available():
        from lib.search import fuzzy

        speller, titles = fuzzy.speller_for(index), fuzzy.titles_for(ds.table)
        navigate = partial(fuzzy.navigate, index, ds.table, speller=speller, titles=titles)
        out["navigate|typo'd titles"] = latencies(lambda q: navigate(q) is not None, kinds["typo'd titles"])
    return {key: {k: v[k] for k in ("p50_ms", "p95_ms", "count")} for key, v in out.items()}


def _counted(call: Callable[[str], Any]) -> Callable[[str], int]:
    """``call``, returning how many rows it found (what common.latencies records)."""
    return lambda query: len(call(query))


def navigation_available() -> bool:
    return importlib.util.find_spec("lib.search.fuzzy") is not None and hasattr(
        importlib.import_module("lib.search.fuzzy"), "navigate"
    )


def write_queries(store_path: str, tasks_path: str, n: int, queries_path: str, tantivy_path: str) -> Json:
    """bench_search's queries on this store, and those plus the test titles in its form for tantivy."""
    import bench_search

    from lib.store.store import Store

    queries = bench_search.make_queries(Store(store_path).read_table().column("title").to_pylist(), n)
    tasks = json.loads(Path(tasks_path).read_text())
    titles = [
        {"kind": "title", "groups": [[[w]] for w in re.findall(r"[a-z0-9]+", t["title"].lower())], "exclude": []}
        for t in tasks[len(tasks) // 2 :]
    ]
    Path(queries_path).write_text(json.dumps(queries))
    Path(tantivy_path).write_text(json.dumps(queries + titles))
    return {"bench_queries": len(queries)}


def tantivy(store_path: str, path: str, bench_queries: int) -> Json | None:
    """tantivy's p50/p95 on bench_search's queries and on the titles (bench_search's runner)."""
    if importlib.util.find_spec("tantivy") is None:
        note("tantivy is not installed; skipped")
        return None
    ms = in_process("bench_search", f"tantivy_engine({store_path!r}, {path!r})")["ms"]
    parts = {"bench_search queries": ms[:bench_queries], "titles": ms[bench_queries:]}
    return {kind: {"p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95)} for kind, v in parts.items()}


# --- similar papers ----------------------------------------------------------------------------
def similar_papers(store_path: str, n: int) -> Json:
    """share-an-author@10 and same-category@10 per variant, their p50/p95 ms, and the 5
    neighbours of the rare-title-word paper."""
    from lib.search import hybrid

    ds, index, vectors = _open(store_path)
    table = ds.table
    authors = [set(a or ()) for a in table["authors"].to_pylist()]
    category = [c[0] if c else None for c in table["categories"].to_pylist()]
    rng = random.Random(SEED)
    papers = rng.sample([r for r in range(table.num_rows) if category[r] and authors[r]], n)

    def randomly(row: int) -> list[int]:
        return [r for r in rng.sample(range(table.num_rows), NEIGHBOURS + 1) if r != row][:NEIGHBOURS]

    variants: dict[str, Callable[[int], list[int]]] = {
        "today": lambda r: [x for x, _ in hybrid.similar(index, table, r, NEIGHBOURS, cap=1.0)],  # as it was
        "capped terms": lambda r: [x for x, _ in hybrid.similar(index, table, r, NEIGHBOURS, vectors=None)],
        "hybrid": lambda r: [x for x, _ in hybrid.similar(index, table, r, NEIGHBOURS, vectors)],
        "random": randomly,
    }
    out: dict[str, Any] = {"papers": n, "variants": {}}
    for name, variant in variants.items():
        author = same = 0.0
        ms = []
        for row in papers:
            started = time.perf_counter()
            near = variant(row)
            ms.append((time.perf_counter() - started) * 1000)
            author += sum(bool(authors[row] & authors[x]) for x in near) / NEIGHBOURS
            same += sum(category[x] == category[row] for x in near) / NEIGHBOURS
        out["variants"][name] = {
            "author": author / n,
            "category": same / n,
            "p50_ms": percentile(ms, 50),
            "p95_ms": percentile(ms, 95),
        }
    titles = table["title"].to_pylist()
    rare = [r for r, t in enumerate(titles) if t.startswith(RARE_TITLE)]
    out["rare"] = None
    if rare:
        out["rare"] = {"title": titles[rare[0]]}
        out["rare"] |= {
            name: [titles[x] for x in variants[name](rare[0])[:5]] for name in ("today", "capped terms", "hybrid")
        }
    return out


# --- the run -----------------------------------------------------------------------------------
def run(quick: bool = False, browser: bool = True) -> list[Figure]:
    """``browser`` is accepted for run.py: no browser here."""
    source = corpus(quick)
    name = source.name.split(".")[0]
    corpus_out, tasks_out = WORK / f"semantic-{name}.jsonl", WORK / f"semantic-tasks-{name}.json"
    store = str(WORK / f"semantic-store-{name}")
    prepared = in_process(
        "bench_semantic",
        f"prepare({str(source)!r}, {QUICK_HELD_OUT if quick else HELD_OUT}, {str(corpus_out)!r}, {str(tasks_out)!r})",
    )
    made = in_process("bench_semantic", f"make_store({str(corpus_out)!r}, {store!r})")
    n = made["papers"]
    extra = f" and {n - prepared['papers']} of the Hugging Face day {HF_DAY.name}" if n > prepared["papers"] else ""
    note(
        f"{prepared['held_out']:,} of {prepared['eligible']:,} eligible papers lost a sentence; store of {n:,} papers "
        f"(the corpus's {prepared['papers']:,}{extra}), search index {made['index_s']:.1f} s"
    )
    built = in_process("bench_semantic", f"build_vectors({store!r})")
    table_only = in_process("bench_semantic", f"load_table({store!r})")
    q = in_process("bench_semantic", f"quality({store!r}, {str(tasks_out)!r}, {100 if quick else KNOWN_ITEMS})")
    a_box, a_text = q["alphas"]["hybrid"], q["alphas"]["search by text"]
    for mode, grid in q["grids"].items():
        note(
            f"tuning split, {mode}: mean of title and sentence MRR@10 by alpha: "
            + ", ".join(f"{a} {v:.3f}" for a, v in grid.items())
        )
    note(f"CHOSEN ALPHA (lexical weight, tuning split): hybrid search {a_box}, search by text {a_text}")
    for query, lex, hyb in q["known_changed"]:
        note(f"known item {query!r}: lexical rank {lex or '> 100'}, hybrid rank {hyb or '> 100'}")
    queries, tantivy_queries = WORK / f"semantic-queries-{name}.json", WORK / f"semantic-tantivy-{name}.json"
    count = in_process(
        "bench_semantic",
        f"write_queries({store!r}, {str(tasks_out)!r}, {50 if quick else 200}, {str(queries)!r}, {str(tantivy_queries)!r})",
    )["bench_queries"]
    staged = in_process("bench_semantic", f"two_stages({store!r}, {str(tasks_out)!r}, {a_box}, {a_text})")
    timed = in_process("bench_semantic", f"latency({store!r}, {str(tasks_out)!r}, {a_box}, {a_text}, {str(queries)!r})")
    peer = tantivy(store, str(tantivy_queries), count)
    similar = in_process("bench_semantic", f"similar_papers({store!r}, {100 if quick else SIMILAR})")
    return (
        vector_figures(n, made, built, table_only)
        + quality_figures(n, q)
        + two_stage_figures(n, q, staged)
        + latency_figures(n, timed, peer, judged=not quick)
        + similar_figures(similar)
    )


def vector_figures(n: int, made: Json, built: Json, table_only: Json) -> list[Figure]:
    """The build's figures, and its 1M estimate: time linear; memory: the table (its Arrow bytes)
    and the matrix linear, the rest of the peak (interpreter, model, one chunk's arrays) fixed; a
    purely linear scaling of the whole peak beside it (an upper bound: it scales the fixed part too)."""
    from lib.search.vectors import DIM

    scale = 1_000_000 / n
    matrix_mb = n * DIM * 4 / 2**20
    fixed = max(0.0, built["peak_mb"] - table_only["table_mb"] - matrix_mb)
    estimate = (table_only["table_mb"] + matrix_mb) * scale + fixed
    return [
        Figure(
            f"paper vectors build (wordllama), {n:,} papers",
            "s",
            round(built["build_s"], 1),
            {"search index build": round(made["index_s"], 1)},
        ),
        Figure(
            f"paper vectors build peak memory, {n:,} papers",
            "MB",
            round(built["peak_mb"]),
            {
                "a process that only loads the table": round(table_only["peak_mb"]),
                "the table": round(table_only["table_mb"]),
            },
        ),
        Figure(f"paper vectors on disk, {n:,} papers", "MB", round(built["disk_mb"], 1)),
        Figure("paper vectors build, 1M papers (linear)", "s", round(built["build_s"] * scale)),
        Figure(
            "paper vectors build peak memory, 1M papers (estimate)",
            "MB",
            round(estimate),
            {"whole peak x papers": round(built["peak_mb"] * scale), "the 1M matrix": round(matrix_mb * scale)},
            "table and matrix linear, the rest fixed",
        ),
    ]


def two_stage_figures(n: int, q: Json, staged: Json) -> list[Figure]:
    """Each mode's MRR@10 searched in two stages beside every cosine computed (quality()'s)."""
    figures = []
    for name, size in staged["shortlists"].items():
        for kind in ("title", "sentence"):
            for label, m in staged["test"][name][kind].items():
                exact = q["test"][kind][label]["mrr10"]
                figures.append(
                    Figure(
                        f"{TASKS[kind]}, {label}, two stages (shortlist {size:,}, {name}): MRR@10 ({n:,} papers)",
                        "",
                        round(m["mrr10"], 3),
                        {"every cosine": round(exact, 3), "R@100": round(m["r100"], 3)},
                        ">= every cosine - 0.01",
                        m["mrr10"] >= exact - 0.01,
                    )
                )
    return figures


TASKS = {"title": "title -> paper", "sentence": "held-out sentence -> paper", "typo": "typo'd title -> paper"}


def quality_figures(n: int, q: Json) -> list[Figure]:
    a_box, a_text = q["alphas"]["hybrid"], q["alphas"]["search by text"]
    figures = [
        Figure(
            "CHOSEN ALPHA for hybrid search (lexical weight; tuning split)",
            "",
            a_box,
            {"search by text": a_text},
            "criterion: max mean of title and sentence MRR@10",
        )
    ]
    for kind, task in TASKS.items():
        results = q["test"][kind]
        for label, m in results.items():
            figure = Figure(
                f"{task}, {label}: MRR@10 ({q['test_queries']:,} test queries, {n:,} papers)",
                "",
                round(m["mrr10"], 3),
                {"top-1": round(m["top1"], 3), "R@10": round(m["r10"], 3), "R@100": round(m["r100"], 3)},
            )
            if kind == "sentence" and label in (f"hybrid α={a_box}", f"search by text α={a_text}"):
                floor = results["lexical any-words"]["mrr10"] + SENTENCE_GAIN
                figure.goal = f">= lexical any-words + {SENTENCE_GAIN} ({floor:.3f}; strict-AND lexical {results['lexical']['mrr10']:.3f})"
                figure.met = m["mrr10"] >= floor
            figures.append(figure)
    lexical, hybrid = q["known_top3"]["lexical"], q["known_top3"][f"hybrid α={a_box}"]
    figures.append(
        Figure(
            f"known-item search, top 3, hybrid α={a_box} ({q['known_items']} papers, {n:,})",
            "rate",
            round(hybrid, 3),
            {"lexical": round(lexical, 3)},
            ">= lexical (no regression; bench_quality: 0.992 on the real corpus)",
            hybrid >= lexical,
        )
    )
    nav = q["navigate"]
    if nav is None:
        best = max(q["test"]["typo"].items(), key=lambda item: item[1]["top1"])
        note("TODO: lib.search.fuzzy.navigate is not there yet: typo'd titles judged by the best search mode")
        figures.append(
            Figure(
                f"typo'd title -> paper, top 1 ({best[0]}; TODO: fuzzy.navigate)",
                "rate",
                round(best[1]["top1"], 3),
                {},
                f">= {NAVIGATE_GOAL}",
                best[1]["top1"] >= NAVIGATE_GOAL,
            )
        )
        return figures
    for kind in ("typo", "title"):
        m = nav[kind]
        figures.append(
            Figure(
                f"{TASKS[kind]}, fuzzy.navigate: top 1 ({q['test_queries']:,} test queries)",
                "rate",
                round(m["top1"], 3),
                {"abstained": round(m["abstained"], 3), "wrong": round(m["wrong"], 3)},
                f">= {NAVIGATE_GOAL}" if kind == "typo" else "",
                m["top1"] >= NAVIGATE_GOAL if kind == "typo" else None,
            )
        )
    return figures


def latency_figures(n: int, timed: Json, peer: Json | None, judged: bool) -> list[Figure]:
    figures = []
    kinds = ["bench_search queries", "titles", "sentences", "typo'd titles"]
    for kind in kinds:
        hybrid, lexical = timed[f"hybrid|{kind}"], timed[f"lexical|{kind}"]
        for p in ("p50", "p95"):
            peers = {"lexical": round(lexical[f"{p}_ms"], 2)}
            peers["hybrid, 1 BLAS thread"] = round(timed[f"hybrid, 1 BLAS thread|{kind}"][f"{p}_ms"], 2)
            if peer and kind in peer:
                peers["tantivy (every word)"] = round(peer[kind][f"{p}_ms"], 2)
            figure = Figure(
                f"hybrid search {p}, {kind} ({hybrid['count']}), {n:,} papers", "ms", round(hybrid[f"{p}_ms"], 2), peers
            )
            if p == "p95":
                figure.goal = f"<= {P95_GOAL_MS} ms" + ("" if judged else " (judged on the 74,728-paper corpus)")
                figure.met = hybrid["p95_ms"] <= P95_GOAL_MS if judged else None
            figures.append(figure)
    text = timed["search by text|sentences"]
    for p in ("p50", "p95"):
        names = ("search by text, 1 BLAS thread", "lexical any-words", "semantic only")
        peers = {m: round(timed[f"{m}|sentences"][f"{p}_ms"], 2) for m in names}
        figures.append(
            Figure(
                f"search by text {p}, sentences ({text['count']}), {n:,} papers", "ms", round(text[f"{p}_ms"], 2), peers
            )
        )
    if "navigate|typo'd titles" in timed:
        nav = timed["navigate|typo'd titles"]
        figures.append(
            Figure(
                f"fuzzy.navigate p95, typo'd titles ({nav['count']}), {n:,} papers",
                "ms",
                round(nav["p95_ms"], 2),
                {"p50": round(nav["p50_ms"], 2)},
            )
        )
    return figures


def similar_figures(similar: Json) -> list[Figure]:
    v = similar["variants"]
    n = similar["papers"]
    figures = [
        Figure(
            f"similar papers, {label} ({n} papers), hybrid",
            "rate",
            round(v["hybrid"][key], 4),
            {name: round(v[name][key], 4) for name in ("today", "capped terms", "random")},
            TODAY_SIMILAR,
        )
        for key, label in (("author", "share-an-author@10"), ("category", "same-category@10"))
    ]
    figures.append(
        Figure(
            f"similar papers p95 ({n} papers), hybrid",
            "ms",
            round(v["hybrid"]["p95_ms"], 1),
            {name: round(v[name]["p95_ms"], 1) for name in ("today", "capped terms")},
        )
    )
    rare = similar["rare"]
    if rare is None:
        note(f"no paper titled {RARE_TITLE}… in this store: the rare-title-word case is skipped")
        return figures
    for name in ("today", "capped terms", "hybrid"):
        note(f"similar to {rare['title'][:60]!r}, {name}: " + " | ".join(t[:60] for t in rare[name]))
    word = "Awakening"
    figures.append(
        Figure(
            f"similar to {RARE_TITLE}: of 5 neighbours, titles with {word!r}, hybrid",
            "",
            sum(word in t for t in rare["hybrid"]),
            {name: sum(word in t for t in rare[name]) for name in ("today", "capped terms")},
        )
    )
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure.row())
