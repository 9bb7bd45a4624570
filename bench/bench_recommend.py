"""Recommendations per collection (lib.team.recommend), measured on the real corpus: precision@20
beside baselines, what a "not relevant" mark changes, and latency.

One run on the real 74,728-paper corpus (quick: its 2,000-paper sample), in a private copy of the
real store (its artifacts hard-linked) that gets the paper vectors:

1. **Collections.**  A subject's papers; 20 of them drawn (seeded, per subject and seed) make the
   collection, the rest of the subject is held back; precision@20 = the share of the 20
   recommendations (``since``: any time) that are held-back papers of the subject.  Subjects, four
   kinds, five each:

   * ``phrase``: the papers whose title or abstract says the phrase ("gaussian splatting",
     "speculative decoding", "machine unlearning", "mixture of experts", "vision-language-action";
     hyphens or spaces, a plural);
   * ``phrase removed``: the same subjects, with every term holding a word of the phrase left out of
     the TF-IDF features (``Features.without``: "gaussian", "splatting", "3d gaussian splatting", …)
     and the subject's papers' vectors made again from their text without the phrase: what is left
     is the rest of the vocabulary and the meaning of the rest of the text;
   * ``category``: not a phrase at all: the papers of one primary arXiv category (cs.RO, cs.GT,
     cs.HC, cs.SD, cs.IT), a label the authors chose;
   * ``two subjects``: a collection of 10 papers of one phrase subject and 10 of another (a reading
     group's list is rarely one topic), held back: the rest of both.

2. **Methods**: ours (words and meaning: the defaults), ours with words only (what a table gets
   while its vectors are being built), beside a random recommendation (its expected precision,
   exactly: held-back papers / candidates), "similar to the centroid" by words (cosine of each
   paper's unit TF-IDF vector, the same features, with the mean of the collection's) and by
   meaning (cosine with the mean of the collection's paper vectors).

3. **Tuning and test.**  Seeds 0 .. SEEDS/2 - 1 tune C and the vector weight (the grid below; the
   pair with the best mean precision over every subject of the four kinds), the other seeds
   report; the module's constants are the tuned pair (a figure checks they still are).

4. **"Not relevant" marks.**  On the test seeds of the three harder kinds: the first 20
   recommendations are judged as a reader would (held-back papers join the collection, the others
   are marked not relevant) and precision@20 of a second round (over what is still held back) is
   reported, beside the same second round where the misses are only excluded, not marked, and with a
   mark weighing 1 and 20 background papers instead of 5 (SURE_NEGATIVE).

5. **Latency** of ``recommend`` (the Library's vectors loaded) at 74,728 papers: 20 and 200
   positives of a subject, 200 random papers (nothing to learn: the SVM's slowest case), and 20
   positives with ``since`` the last 30 days (the page's window); each with the machine as it is and
   with one more process spinning on a core (busy).  Goal (issue 22): p95 <= 1 s.  In the full run,
   also on the 1,000,000-paper mixed store (words only: its vectors are not built): the
   document-term matrix's build and memory, and ``recommend`` p50/p95.

    python bench/bench_recommend.py [--quick]        # or: python bench/run.py --only=recommend
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import common
from common import WORK, Figure, in_process, latencies, load_average, stores
from corpus import corpus

SUBJECTS = ("gaussian splatting", "speculative decoding", "machine unlearning", "mixture of experts")
SUBJECTS += ("vision language action",)
CATEGORIES = ("cs.RO", "cs.GT", "cs.HC", "cs.SD", "cs.IT")
PAIRS = ((0, 1), (2, 3), (3, 4), (1, 2), (0, 4))  # the two-subject collections (SUBJECTS positions)
KINDS = ("phrase", "phrase removed", "category", "two subjects")
COLLECTION, TOP = 20, 20  # papers in a collection; recommendations judged
QUICK_COLLECTION = 10
SEEDS, QUICK_SEEDS = 8, 2  # the first half tunes, the second reports
GRID_C = (0.1, 0.3, 1.0)
GRID_VECTORS = (0.25, 0.5, 1.0)
SURE_NEGATIVES = (1.0, 20.0)  # a mark's weight, beside the module's (reported, not tuned)
CALLS, QUICK_CALLS = 20, 4  # timed calls per latency case
P95_GOAL_MS = 1000
note = partial(common.note, "recommend")
Json = dict[str, Any]


# --- the store -----------------------------------------------------------------------------------
def make_store(real: str, path: str) -> Json:
    """A copy of the real store (artifacts hard-linked; reused while its version is the real
    one's) with its term index and paper vectors; the document-term matrix built and sized."""
    from common import copy_store

    from lib.library import Library
    from lib.store.store import Store
    from lib.team import recommend

    if not Path(path).exists() or Store(path).version() != Store(real).version():
        copy_store(Path(real), Path(path).name, artifacts=True)
    library = Library.open(Store(path))
    started = time.perf_counter()
    library.load_term_index()
    terms_s = time.perf_counter() - started
    started = time.perf_counter()
    vectors = library.paper_vectors(wait=True)
    vectors_s = time.perf_counter() - started
    started = time.perf_counter()
    features = recommend.Features.build(library.term_index)
    return {
        "papers": library.dataset.table.num_rows,
        "terms_s": terms_s,
        "vectors_s": vectors_s,
        "vectors": vectors is not None,
        "features_s": time.perf_counter() - started,
        "features_mb": _features_mb(features),
        "features": features.n_features,
        "postings": len(features.indices),
    }


def _features_mb(features: Any) -> float:
    arrays = (features.indptr, features.indices, features.idf, features.inverse_norm)
    return sum(a.nbytes for a in arrays) / 2**20


# --- subjects ------------------------------------------------------------------------------------
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """The phrase with hyphens or spaces between its words and an optional plural, whole words."""
    return re.compile(r"\b" + r"[\s\-]+".join(map(re.escape, phrase.split())) + r"(?:s|es)?\b", re.IGNORECASE)


class Swapped:
    """Paper vectors with some rows replaced (the interface lib.team.recommend reads)."""

    def __init__(self, vectors: Any, rows: Any, replacement: Any) -> None:
        import numpy as np

        self.matrix = np.array(vectors.of(np.arange(vectors.n_docs)), dtype=np.float32)
        self.matrix[rows] = replacement
        self.n_docs = vectors.n_docs
        self.exact = True  # held in memory: every cosine is computed (lib.search.hybrid.nearest)

    def cosine(self, query: Any, rows: Any = None) -> Any:
        import numpy as np

        return (self.matrix if rows is None else self.matrix[np.asarray(rows, dtype=np.int64)]) @ query

    def of(self, rows: Any) -> Any:
        import numpy as np

        return self.matrix[np.asarray(rows, dtype=np.int64)]


def subjects(library: Any, features: Any, vectors: Any, smallest: int) -> dict[tuple[str, str], Json]:
    """``(kind, name) -> {"members": rows, "features", "vectors", "pair"}`` for every subject with
    at least ``smallest`` papers."""
    import numpy as np

    from lib.search.analysis import STOP_WORDS, fold, phrase_terms
    from lib.search.vectors import embed

    table = library.dataset.table
    titles, abstracts = table["title"].to_pylist(), table["abstract"].to_pylist()
    texts = [fold(f"{t} {a or ''}") for t, a in zip(titles, abstracts)]
    out: dict[tuple[str, str], Json] = {}
    members = {}
    for phrase in SUBJECTS:
        pattern = phrase_pattern(phrase)
        rows = np.array([i for i, text in enumerate(texts) if pattern.search(text)], dtype=np.int64)
        members[phrase] = rows
        if len(rows) < smallest:
            continue
        out["phrase", phrase] = {"members": rows, "features": features, "vectors": vectors}
        words = [t for t in phrase_terms(phrase) if t not in STOP_WORDS]
        without = [f"{pattern.sub(' ', titles[i])}. {pattern.sub(' ', abstracts[i] or '')}" for i in rows]
        replaced = Swapped(vectors, rows, embed(without)) if vectors is not None else None
        out["phrase removed", phrase] = {"members": rows, "features": features.without(words), "vectors": replaced}
    primary = [c[0] if c else "" for c in table["categories"].to_pylist()]
    for category in CATEGORIES:
        rows = np.array([i for i, c in enumerate(primary) if c == category], dtype=np.int64)
        if len(rows) >= smallest:
            out["category", category] = {"members": rows, "features": features, "vectors": vectors}
    for a, b in PAIRS:
        first, second = members[SUBJECTS[a]], members[SUBJECTS[b]]
        if min(len(first), len(second)) >= smallest:
            both = {"members": np.union1d(first, second), "pair": (first, second)}
            out["two subjects", f"{SUBJECTS[a]} + {SUBJECTS[b]}"] = {**both, "features": features, "vectors": vectors}
    return out


def draw(subject: Json, name: str, seed: int, size: int) -> Any:
    """The collection of one seed: ``size`` papers of the subject (half of each of a pair)."""
    import numpy as np

    rng = random.Random(f"{name}|{seed}")
    if "pair" in subject:
        first, second = subject["pair"]
        only_first, only_second = np.setdiff1d(first, second), np.setdiff1d(second, first)
        chosen = rng.sample(list(only_first), size // 2) + rng.sample(list(only_second), size - size // 2)
    else:
        chosen = rng.sample(list(subject["members"]), size)
    return np.array(sorted(int(r) for r in chosen), dtype=np.int64)


# --- quality -------------------------------------------------------------------------------------
def quality(store_path: str, seeds: int, size: int, quick: bool = False) -> Json:
    """Precision@TOP per kind and method on the test seeds, the tuning grid (quick: the module's
    constants only), the "not relevant" rounds; per subject too (for the notes)."""
    import numpy as np

    from lib.library import Library
    from lib.store.store import Store
    from lib.team import recommend as rec

    library = Library.open(Store(store_path))
    features = rec.features(library)
    vectors = library.paper_vectors(wait=True)
    found = subjects(library, features, vectors, size + 5)
    ids = np.array(library.dataset.table["id"].to_pylist(), dtype=object)
    n = library.dataset.table.num_rows
    tuning, testing = range(seeds // 2), range(seeds // 2, seeds)

    def ours(subject: Json, positives: Any, settings: Any, negatives: Any = (), exclude: Any = ()) -> Any:
        found = rec.rank(
            library,
            subject["features"],
            subject["vectors"],
            list(ids[positives]),
            list(ids[np.asarray(negatives, dtype=np.int64)]),
            None,
            TOP,
            list(ids[np.asarray(exclude, dtype=np.int64)]),
            settings,
        )
        return found["row"].to_numpy(dtype=np.int64)

    def centroid(subject: Json, positives: Any, meaning: bool) -> Any:
        candidates = np.setdiff1d(np.arange(n), positives)
        if meaning:
            scores = subject["vectors"].cosine(subject["vectors"].of(positives).mean(axis=0), candidates)
        else:
            feats = subject["features"]
            mean = np.asarray(feats.matrix(positives).mean(axis=0)).ravel()
            scores = feats.dot(candidates, mean * feats.idf) * feats.inverse_norm[candidates]
        return candidates[np.lexsort((candidates, -scores))[:TOP]]

    def precision(rows: Any, held: Any) -> float:
        return float(np.isin(rows, held).sum()) / TOP

    grid: dict[str, list[float]] = {}
    per: dict[str, dict[str, dict[str, list[float]]]] = {kind: {} for kind in KINDS}
    rounds: dict[str, dict[str, list[float]]] = {kind: {} for kind in KINDS}
    words_only = rec.Settings(use_vectors=False)
    for (kind, name), subject in found.items():
        for seed in tuning:
            positives = draw(subject, name, seed, size)
            held = np.setdiff1d(subject["members"], positives)
            for c in (rec.C,) if quick else GRID_C:
                for weight in (rec.VECTOR_WEIGHT,) if quick or vectors is None else GRID_VECTORS:
                    settings = rec.Settings(c=c, vector_weight=weight, use_vectors=vectors is not None)
                    grid.setdefault(f"{c}|{weight}", []).append(precision(ours(subject, positives, settings), held))
        methods = per[kind].setdefault(name, {})
        for seed in testing:
            positives = draw(subject, name, seed, size)
            held = np.setdiff1d(subject["members"], positives)
            candidates = n - len(positives)
            first = ours(subject, positives, rec.Settings())
            results = {
                "ours": precision(first, held),
                "ours, words only": precision(ours(subject, positives, words_only), held),
                "random": TOP * len(held) / candidates / TOP,
                "centroid, words": precision(centroid(subject, positives, False), held),
            }
            if vectors is not None:
                results["centroid, meaning"] = precision(centroid(subject, positives, True), held)
            for method, value in results.items():
                methods.setdefault(method, []).append(value)
            if kind == "phrase":
                continue
            hits, misses = first[np.isin(first, held)], first[~np.isin(first, held)]
            grown, still = np.union1d(positives, hits), np.setdiff1d(held, hits)
            second = {
                "first round": precision(first, held),
                "marked": precision(ours(subject, grown, rec.Settings(), negatives=misses), still),
                "excluded": precision(ours(subject, grown, rec.Settings(), exclude=misses), still),
            }
            for weight in SURE_NEGATIVES:
                settings = rec.Settings(sure_negative=weight)
                second[f"marked, weight {weight:g}"] = precision(
                    ours(subject, grown, settings, negatives=misses), still
                )
            for method, value in second.items():
                rounds[kind].setdefault(method, []).append(value)
    return {
        "papers": n,
        "subjects": {f"{k}|{name}": len(s["members"]) for (k, name), s in found.items()},
        "grid": {key: float(np.mean(values)) for key, values in grid.items()},
        "per": per,
        "means": {
            kind: {m: float(np.mean([v for s in per[kind].values() for v in s[m]])) for m in _methods(per[kind])}
            for kind in KINDS
            if per[kind]
        },
        "rounds": {kind: {m: float(np.mean(v)) for m, v in r.items()} for kind, r in rounds.items() if r},
        "tests": len(testing),
        "vectors": vectors is not None,
    }


def _methods(subjects: dict[str, dict[str, list[float]]]) -> list[str]:
    return list(next(iter(subjects.values())).keys()) if subjects else []


def choose(grid: dict[str, float]) -> tuple[float, float]:
    """The (C, vector weight) of the best tuning precision; a tie: the smaller C, then weight."""
    best = max(grid, key=lambda key: (round(grid[key], 6), -float(key.split("|")[0]), -float(key.split("|")[1])))
    c, weight = best.split("|")
    return float(c), float(weight)


# --- latency -------------------------------------------------------------------------------------
def latency(store_path: str, calls: int, vectors: bool = True) -> Json:
    """p50/p95 of ``recommend`` per case, idle and with one more process spinning on a core;
    without ``vectors``, words only (the Library is told the vectors are not there: it would
    otherwise start building them in the background, as the app does)."""
    from lib.library import Library
    from lib.store.store import Store

    library = Library.open(Store(store_path))
    if vectors:
        library.paper_vectors(wait=True)
    else:
        library._once("vectors", lambda: None)
    return timings(library, calls)


def timings(library: Any, calls: int) -> Json:
    import datetime as dt

    from lib.periods import EPOCH
    from lib.team.recommend import recommend

    table = library.dataset.table
    ids = table["id"].to_pylist()
    members = library.term_index.ngram_rows(("gaussian", "splatting"))
    subject = [int(r) for r in (members if members is not None and len(members) >= 200 else range(len(ids)))]
    last = EPOCH + dt.timedelta(days=int(library.dataset.search_columns.days.max()))
    cases = {
        "20 positives": (20, subject, None),
        "200 positives": (200, subject, None),
        "200 random positives": (200, range(len(ids)), None),
        "20 positives, since 30 days": (20, subject, last - dt.timedelta(days=29)),
    }
    out: Json = {"papers": len(ids), "vectors": library.paper_vectors() is not None}
    for busy in (False, True):
        spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
        try:
            for case, (size, pool, since) in cases.items():
                draws = [[ids[r] for r in random.Random(f"{case}|{i}").sample(list(pool), size)] for i in range(calls)]

                def call(positives: list[str], since: Any = since) -> int:
                    return len(recommend(library, positives, since=since))

                timed = latencies(call, draws)
                timed["load"] = load_average()
                out[f"{case}{', busy' if busy else ''}"] = timed
        finally:
            if spinner is not None:
                spinner.kill()
                spinner.wait()
    return out


def large(store_path: str, calls: int) -> Json:
    """The 1M store: the document-term matrix's build (seconds, MB) and ``recommend`` latency,
    words only (its vectors are not built)."""
    from lib.library import Library
    from lib.store.store import Store
    from lib.team import recommend

    library = Library.open(Store(store_path))
    library._once("vectors", lambda: None)
    library.load_term_index()
    started = time.perf_counter()
    features = recommend.features(library)
    built = {"features_s": time.perf_counter() - started, "features_mb": _features_mb(features)}
    return built | {"features_postings": len(features.indices)} | timings(library, calls)


# --- the run -------------------------------------------------------------------------------------
def run(quick: bool = False, browser: bool = True) -> list[Figure]:
    """``browser`` is accepted for run.py: no browser here."""
    from lib.team import recommend as rec

    store = str(WORK / f"recommend-store-{corpus(quick).name.split('.')[0]}")
    made = in_process("bench_recommend", f"make_store({stores(quick, large=False)['real']!r}, {store!r})")
    n = made["papers"]
    note(
        f"{n:,} papers; term index {made['terms_s']:.1f} s, paper vectors {made['vectors_s']:.1f} s, "
        f"document-term matrix {made['features_s']:.1f} s ({made['features']:,} terms, {made['postings']:,} postings, "
        f"{made['features_mb']:.0f} MB)"
    )
    size, seeds = (QUICK_COLLECTION, QUICK_SEEDS) if quick else (COLLECTION, SEEDS)
    q = in_process("bench_recommend", f"quality({store!r}, {seeds}, {size}, {quick})", timeout=7200)
    note("subjects (papers): " + ", ".join(f"{k} {v}" for k, v in q["subjects"].items()))
    for kind, names in q["per"].items():
        for name, methods in names.items():
            note(f"{kind}, {name}: " + ", ".join(f"{m} {sum(v) / len(v):.2f}" for m, v in methods.items()))
    note("tuning precision@20 by C|vector weight: " + ", ".join(f"{k} {v:.3f}" for k, v in q["grid"].items()))
    timed = in_process("bench_recommend", f"latency({store!r}, {QUICK_CALLS if quick else CALLS})")
    figures = store_figures(made) + quality_figures(q, size, (rec.C, rec.VECTOR_WEIGHT), judged=not quick)
    figures += latency_figures(timed, judged=not quick)
    if not quick:
        big = in_process("bench_recommend", f"large({stores(quick)['large']!r}, {CALLS})", timeout=7200)
        figures += large_figures(big)
    return figures


def store_figures(made: Json) -> list[Figure]:
    n = made["papers"]
    return [
        Figure(
            f"recommend: document-term matrix build, {n:,} papers",
            "s",
            round(made["features_s"], 2),
            {"term index load or build": round(made["terms_s"], 2)},
        ),
        Figure(
            f"recommend: document-term matrix memory, {n:,} papers ({made['features']:,} terms, "
            f"{made['postings']:,} postings)",
            "MB",
            round(made["features_mb"], 1),
        ),
    ]


def quality_figures(q: Json, size: int, constants: tuple[float, float], judged: bool) -> list[Figure]:
    figures = []
    for kind, means in q["means"].items():
        peers = {m: round(v, 3) for m, v in means.items() if m != "ours"}
        count = len(q["per"][kind])
        figures.append(
            Figure(
                f"recommend precision@{TOP}, {kind} ({count} subjects x {q['tests']} seeds, {size} in a collection)",
                "",
                round(means["ours"], 3),
                peers,
                "beside random and centroid baselines",
            )
        )
    for kind, rounds in q["rounds"].items():
        peers = {"misses only excluded": round(rounds["excluded"], 3), "first round": round(rounds["first round"], 3)}
        peers |= {m.replace("marked, ", "mark "): round(v, 3) for m, v in rounds.items() if m.startswith("marked, ")}
        figures.append(
            Figure(f"recommend precision@{TOP} after a round of marks, {kind}", "", round(rounds["marked"], 3), peers)
        )
    if q["rounds"]:
        marked = sum(r["marked"] for r in q["rounds"].values()) / len(q["rounds"])
        excluded = sum(r["excluded"] for r in q["rounds"].values()) / len(q["rounds"])
        figures.append(
            Figure(
                f"recommend precision@{TOP} after a round of marks, mean of {len(q['rounds'])} kinds",
                "",
                round(marked, 3),
                {"misses only excluded": round(excluded, 3)},
                "marked >= only excluded" + ("" if judged else " (judged at 75k)"),
                marked >= excluded if judged else None,
            )
        )
    if q["grid"]:
        c, weight = choose(q["grid"])
        best = q["grid"][f"{c}|{weight}"]
        figures.append(
            Figure(
                "recommend CHOSEN C, beside it the vector weight (tuning seeds)",
                "",
                c,
                {"vector weight": weight, "precision@20": round(best, 3), "module C": constants[0]}
                | {"module vector weight": constants[1]},
                "the module's constants" + ("" if judged else " (judged at 75k)"),
                (c, weight) == constants if q["vectors"] and judged else None,
            )
        )
    return figures


CASES = ("20 positives", "200 positives", "200 random positives", "20 positives, since 30 days")


def latency_figures(timed: Json, judged: bool, words_only: bool = False) -> list[Figure]:
    n = timed["papers"]
    figures = []
    what = "words only" if words_only or not timed["vectors"] else "words and meaning"
    for case in CASES:
        idle, busy = timed[case], timed[f"{case}, busy"]
        figures.append(
            Figure(
                f"recommend p95, {case}, {n:,} papers, busy ({what})",
                "ms",
                round(busy["p95_ms"], 1),
                {"p50 busy": round(busy["p50_ms"], 1), "p95 idle": round(idle["p95_ms"], 1)}
                | {"p50 idle": round(idle["p50_ms"], 1)},
                f"<= {P95_GOAL_MS} ms" + ("" if judged else " (judged at 75k)"),
                busy["p95_ms"] <= P95_GOAL_MS if judged else None,
            )
        )
        note(f"{case}: load average {idle['load']} (idle run), {busy['load']} (busy run)")
    return figures


def large_figures(big: Json) -> list[Figure]:
    n = big["papers"]
    figures = [
        Figure(
            f"recommend: document-term matrix build, {n:,} papers ({big['features_postings']:,} postings)",
            "s",
            round(big["features_s"], 1),
        ),
        Figure(
            f"recommend: document-term matrix memory, {n:,} papers",
            "MB",
            round(big["features_mb"]),
            {"the process's peak": round(big["peak_mb"])},
        ),
    ]
    for figure in latency_figures(big, judged=False, words_only=True):
        figure.goal, figure.met = "reported (the goal is at 75k)", None
        figures.append(figure)
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure.row())
