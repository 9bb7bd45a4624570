"""Topics benchmark: fitting our topic model, its coherence beside LDA, other k and chance,
and the topics page in a browser.

On the real 74,728-paper store (quick: the 2,000-paper sample), once its term index is built
and saved, each step in its own fresh process that loads the index memory-mapped:

* ours: ``lib.topics.topics.TopicModel(auto_k(n)).fit(index)`` (NMF over TF-IDF; the time includes
  the paper x term matrix, the labels and the 2-D map, as in the app), then saved as the
  app saves it;
* scikit-learn's ``LatentDirichletAllocation`` with the same k on the same paper x term
  counts (``document_terms``; online learning, 10 passes, ``random_state=0``; the time
  includes making the matrix);
* NMF with k 20% lower and 20% higher (to show the choice of k), fitted without the 2-D map
  (coherence does not use it);
* chance: 100 random sets of 10 words of the same vocabulary (seeded).

Coherence = mean over topics of the NPMI of the top 10 terms' pairs, from paper
co-occurrence over the whole table (``lib.topics.topics.npmi_coherence``).  The page figure: seconds
from navigation to the "Size" chart on /topics, on a fresh server (cold: loads the store,
the term index and the saved model) and then in new browser contexts (warm).

Goals (issue: topics): fit <= 60 s and <= 4 GB at 75k; the topics page <= 2 s.

    python bench/bench_topics.py [--quick] [--no-browser]
"""

from __future__ import annotations

import sys
import time
import warnings
from functools import partial
from pathlib import Path

import common
from common import Figure, browser_page_seconds, goal, in_process, stores

TOP = 10  # terms per topic scored for coherence
LDA_PASSES = 10
RANDOM_SETS = 100
K_STEP = 0.2
FIT_GOAL_S = 60
FIT_GOAL_MB = 4096
PAGE_GOAL_S = 2.0
# the page's first chart, "Size" (the column under that heading: the home page has a chart too,
# which the switch from home would otherwise find at once)
SIZE_CHART = '[data-testid=stColumn]:has([data-testid=stHeading]:has-text("Size")) [data-testid=stVegaLiteChart]'


note = partial(common.note, "topics")


# --- steps: each runs inside its own fresh process --------------------------------------------
def prepare(store: str) -> dict:
    """The store's term index, built and saved if it is missing; the number of papers and
    the automatic k."""
    from lib.dataset import load
    from lib.store.store import Store
    from lib.topics import topics
    from lib.trends import terms

    s = Store(store)
    ds = load(s)
    terms.load_or_build(s, ds)
    return {"papers": ds.overview.papers, "k": topics.auto_k(ds.overview.papers)}


def _index(store: str):
    """The saved term index, memory-mapped (without loading the table)."""
    from lib.store.store import Store
    from lib.trends import terms

    s = Store(store)
    arrays = terms.INDEXES.file.load(s, s.version())
    if arrays is None:
        raise RuntimeError(f"{store}: no saved term index (run prepare first)")
    return terms.INDEXES.from_arrays(arrays)


def _coherence(index, term_ids) -> float:
    import numpy as np

    from lib.topics.topics import npmi_coherence

    return float(np.mean(npmi_coherence(index, term_ids)))


def nmf(store: str, k: int, ours: bool) -> dict:
    """Our model with k topics: fit time, coherence, labels; ours (the automatic k) is saved
    as the app saves it, the others are fitted without the 2-D map (coherence does not use it)."""
    import numpy as np

    from lib.store.store import Store
    from lib.topics import topics

    index = _index(store)
    if not ours:
        topics.paper_map = lambda doc_topic, random_state=0: (np.empty(0, np.int64), np.empty((0, 2), np.float32))
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = topics.TopicModel(k).fit(index)
    fit_s = time.perf_counter() - started
    if ours:
        s = Store(store)
        topics.model_file(k).save(s, s.version(), model.to_arrays())
    return {
        "fit_s": fit_s,
        "coherence": float(np.mean(topics.model_coherence(model, index, TOP))),
        "topics": model.n_topics,
        "vocabulary": len(model.vocab_ids_),
        "labels": model.labels_,
        "warnings": sorted({str(w.message).splitlines()[0] for w in caught}),
    }


def lda(store: str, k: int) -> dict:
    import numpy as np
    from sklearn.decomposition import LatentDirichletAllocation

    from lib.topics.topics import document_terms

    index = _index(store)
    started = time.perf_counter()
    counts, vocab_ids = document_terms(index)
    model = LatentDirichletAllocation(
        n_components=k, learning_method="online", max_iter=LDA_PASSES, random_state=0
    ).fit(counts)
    fit_s = time.perf_counter() - started
    top = [[int(vocab_ids[j]) for j in np.argsort(-row, kind="stable")[:TOP]] for row in model.components_]
    return {
        "fit_s": fit_s,
        "coherence": _coherence(index, top),
        "labels": [", ".join(index.display[j] for j in ids[:3]) for ids in top],
    }


def random_terms(store: str, sets: int = RANDOM_SETS, seed: int = 0) -> dict:
    import numpy as np

    from lib.topics.topics import document_terms

    index = _index(store)
    _, vocab_ids = document_terms(index)
    rng = np.random.default_rng(seed)
    draws = [[int(j) for j in rng.choice(vocab_ids, TOP, replace=False)] for _ in range(sets)]
    return {"coherence": _coherence(index, draws)}


def saved_model(store: str, k: int) -> dict:
    """The model with k topics as the app gets it (loaded: ``nmf`` saved it)."""
    from lib.dataset import load
    from lib.store.store import Store
    from lib.topics import topics
    from lib.trends import terms

    s = Store(store)
    ds = load(s)
    if not topics.is_saved(s, ds, k):
        raise RuntimeError(f"{store}: no saved model with {k} topics")
    model = topics.load_or_fit(s, ds, terms.load_or_build(s, ds), k)
    return {"topics": model.n_topics}


# --- the run ----------------------------------------------------------------------------------
def run(quick: bool = False, browser: bool = True) -> list[Figure]:
    store = stores(quick, large=False)["real"]
    prepared = in_process("bench_topics", f"prepare({store!r})")
    n, k = prepared["papers"], prepared["k"]  # k: the page's automatic number of topics
    ours = in_process("bench_topics", f"nmf({store!r}, {k}, True)")
    note(
        f"{n:,} papers, k = {k}, vocabulary {ours['vocabulary']:,} terms; ours: fit {ours['fit_s']:.1f} s, "
        f"peak {ours['peak_mb']:,.0f} MB, NPMI {ours['coherence']:.3f}"
    )
    note("ours, topics: " + " | ".join(ours["labels"]))
    for message in ours["warnings"]:
        note(f"ours, fit warning: {message}")
    lda_ = in_process("bench_topics", f"lda({store!r}, {k})")
    note(f"LDA: fit {lda_['fit_s']:.1f} s, peak {lda_['peak_mb']:,.0f} MB, NPMI {lda_['coherence']:.3f}")
    note("LDA, top 3 terms: " + " | ".join(lda_["labels"]))
    coherence = {"LDA": lda_["coherence"]}
    for sign, label in ((-1, "-"), (1, "+")):
        other = max(2, round(k * (1 + sign * K_STEP)))
        fitted = in_process("bench_topics", f"nmf({store!r}, {other}, False)")
        note(f"NMF k={other}: fit {fitted['fit_s']:.1f} s (without the map), NPMI {fitted['coherence']:.3f}")
        coherence[f"NMF k{label}{K_STEP:.0%} ({other})"] = fitted["coherence"]
    coherence["random terms"] = in_process("bench_topics", f"random_terms({store!r})")["coherence"]
    beaten = ours["coherence"] > max(coherence["LDA"], coherence["random terms"])
    lda_fit = {f"LDA ({LDA_PASSES} online passes)": round(lda_["fit_s"], 2)}
    figures = [
        goal(f"topic model fit (NMF, k={k}), {n:,} papers", "s", round(ours["fit_s"], 2), FIT_GOAL_S, "", lda_fit),
        goal(
            f"topic model fit peak memory, {n:,} papers",
            "MB",
            round(ours["peak_mb"]),
            FIT_GOAL_MB,
            "",
            {"LDA": round(lda_["peak_mb"])},
        ),
        Figure(
            f"topic coherence (NPMI, top {TOP} terms), {n:,} papers",
            "",
            round(ours["coherence"], 3),
            {name: round(value, 3) for name, value in coherence.items()},
            "> LDA and random terms",
            beaten,
        ),
    ]
    if browser:
        in_process("bench_topics", f"saved_model({store!r}, {k})")  # loads what nmf() saved
        page = browser_page_seconds(
            Path(store), "topics", SIZE_CHART, repeats=1 if quick else 3, cached=True, nav_label="Topics"
        )
        for kind, key in (
            ("cold start", "cold"),
            ("warm, new browser context", "warm_median"),
            ("reload, cached browser", "cached_median"),
            ("switch from home by the top navigation", "switch_median"),
        ):
            figures.append(
                goal(f"topics page on {n:,} papers, browser ({kind})", "s", round(page[key], 2), PAGE_GOAL_S)
            )
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv, browser="--no-browser" not in sys.argv):
        print(figure.row())
