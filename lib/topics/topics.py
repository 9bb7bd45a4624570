"""Topics found automatically: NMF over TF-IDF of title + abstract + keywords.

The document-term matrix comes from the term index (lib.trends.terms: the same folded,
plural-stripped terms as trends), keeping terms that 5 or more papers and at most
half of them mention, minus function words.  Rows are TF-IDF weighted (binary
presence x idf, l2-normalised) and factorised by scikit-learn's NMF (``nndsvd``
initialisation: deterministic — the same data and k give the same topics and ids).

Why NMF: on the real corpus it scores the highest NPMI coherence of the
alternatives measured in bench/bench_topics.py (LDA, and a random-terms baseline).

* each topic: its top terms with weights, and a short label made of its most
  distinctive terms, unique across topics;
* each paper: its dominant topic and that topic's share of its weight;
* a 2-D map of (a sample of) the papers, from the topic weights, for the chart.

k is the user's, or automatic: ``auto_k(n) = clip(round(2 * log2(n / 50)), 3, 30)``
(3 topics for the 63-paper sample, 11 for 2,000 papers, 21 for 75k, 29 for 1M).
"""

from __future__ import annotations

import datetime as dt
import math
import time
import warnings
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

if TYPE_CHECKING:
    from lib.dataset import Dataset
    from lib.periods import Periods
    from lib.store.store import Store

from lib.artifacts import Arrays, ArtifactFile, pack, unpack
from lib.daily import period_label
from lib.errors import PapersError
from lib.progress import Progress
from lib.store.schema import rows_frame, take_rows, take_table
from lib.trends.terms import FIELDS, AnyTermIndex, TermIndex
from lib.trends.trends import function_words, mixed_windows

ARTIFACT = "topics"
# 2: labels from each topic's own heaviest terms; 3: 200 NMF iterations, 1,500 mapped; 4: strings by
# lib.artifacts.pack, and every model keeps its own words and idf (placing new papers needs no index)
FORMAT_VERSION = 4
REQUIRED = (
    "k",
    "vocab_ids",
    "topic_term",
    "dominant",
    "weight",
    "labels",
    "map_rows",
    "map_xy",
    "seconds",
    "idf",
    "fitted_docs",
    "vocabulary",
    "vocabulary_check",
)
MIN_PAPERS = 5
MAX_SHARE = 0.5
MAX_TERMS = 20_000  # vocabulary of the model: the most frequent eligible terms
TOP_TERMS = 15
MAP_SAMPLE = 1_500  # papers placed on the 2-D map (t-SNE is quadratic-ish: a sample is plenty)
NOISE_WORDS = frozenset({"http", "https", "www", "com", "org", "github", "html", "pdf", "url", "available"})
MAX_K = 60


def auto_k(n_papers: int) -> int:
    """The number of topics when the user does not choose one."""
    if n_papers <= 50:
        return 3
    return int(min(30, max(3, round(2 * math.log2(n_papers / 50)))))


def document_terms(index: AnyTermIndex, min_papers: int = MIN_PAPERS) -> tuple[sp.csr_matrix, np.ndarray]:
    """Binary paper x term matrix over the model's vocabulary, and the vocabulary's unigram ids."""
    indptr, indices = index.all_postings("u")  # (a segmented index merges its segments for this)
    papers = np.diff(indptr)
    n = index.n_docs
    eligible = (papers >= min(min_papers, max(2, n // 20))) & (papers <= max(MAX_SHARE * n, 2))
    stop = function_words()
    for j in np.flatnonzero(eligible):
        term = index.unigrams[j]
        if term in stop or term in NOISE_WORDS or term.isdigit() or len(term) < 3 or term.startswith("qq"):
            eligible[j] = False
    chosen = np.flatnonzero(eligible)
    if len(chosen) > MAX_TERMS:
        chosen = np.sort(chosen[np.argsort(-papers[chosen], kind="stable")[:MAX_TERMS]])
    return _presence(indptr, indices, chosen, n), chosen


def _presence(indptr: np.ndarray, indices: np.ndarray, term_ids: Iterable[int], n_rows: int) -> sp.csr_matrix:
    """Binary rows x terms matrix, one column per id of ``term_ids`` in that order, from a term
    index's postings (``indptr``/``indices``: each term's rows)."""
    columns = [indices[indptr[j] : indptr[j + 1]] for j in term_ids]
    rows = np.concatenate(columns) if columns else np.empty(0, dtype=np.int32)
    cols = np.repeat(np.arange(len(columns)), [len(c) for c in columns]) if columns else np.empty(0, dtype=np.int64)
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_rows, len(columns)))


def _dominant(doc_topic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each paper's dominant topic (-1: no weight at all) and that topic's share of its weight."""
    totals = doc_topic.sum(axis=1)
    dominant = np.where(totals > 0, doc_topic.argmax(axis=1), -1).astype(np.int32)
    return dominant, np.divide(doc_topic.max(axis=1), totals, out=np.zeros_like(totals), where=totals > 0)


def tfidf(matrix: sp.csr_matrix) -> sp.csr_matrix:
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer(sublinear_tf=True).fit_transform(matrix).astype(np.float32)


def idf_of(papers: np.ndarray, n_docs: int) -> np.ndarray:
    """The idf ``tfidf`` gives a term in ``papers`` of ``n_docs`` papers (scikit-learn's
    smoothed idf), kept with a model to weigh papers placed in it later."""
    return (np.log((1 + n_docs) / (1 + np.asarray(papers, dtype=np.float64))) + 1).astype(np.float32)


def _weigh(presence: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """``tfidf`` of binary rows with a given idf (binary: the sublinear tf is 1): idf, l2-normalised."""
    weighted = sp.csr_matrix(presence.multiply(idf[np.newaxis, :]), dtype=np.float32)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    return sp.csr_matrix(
        sp.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ weighted, dtype=np.float32
    )


def place(weights: sp.csr_matrix, topic_term: np.ndarray, max_iter: int = 200, tol: float = 1e-4) -> np.ndarray:
    """Papers' topic weights W >= 0 minimising ||X - W H||^2 for the fitted topics H held
    fixed: scikit-learn's ``non_negative_factorization(update_H=False)`` with the
    coordinate-descent solver the fit uses, from W = 0."""
    from sklearn.decomposition import non_negative_factorization
    from sklearn.exceptions import ConvergenceWarning

    H = np.asarray(topic_term, dtype=weights.dtype)  # (scikit-learn wants X and H of one dtype)
    if weights.shape[0] == 0:
        return np.zeros((0, H.shape[0]), dtype=np.float32)
    with warnings.catch_warnings():  # as in the fit: max_iter settles the weights; the last digits do not matter
        warnings.simplefilter("ignore", ConvergenceWarning)
        W, _, _ = non_negative_factorization(
            weights, H=H, n_components=H.shape[0], update_H=False, solver="cd", max_iter=max_iter, tol=tol
        )
    return np.asarray(W, dtype=np.float32)


def vocabulary_check(terms: list[str]) -> int:
    """A checksum of a model's vocabulary, as words: a term index rebuilt whole numbers its
    words anew, and a model saved with the old numbers must then be fitted again."""
    return zlib.crc32(pack(terms).tobytes())


def _vocabulary_arrays(terms: list[str]) -> Arrays:
    """A model's vocabulary as saved: its words, and their checksum."""
    return {"vocabulary": pack(terms), "vocabulary_check": np.array([vocabulary_check(terms)], dtype=np.int64)}


class TopicModel:
    """NMF topics of one store version and k (scikit-learn style: ``fit`` returns self,
    learned attributes end in ``_``)."""

    vocab_ids_: npt.NDArray[np.int64]  # the term index's unigram id of each of the model's terms
    idf_: npt.NDArray[np.float32]
    fitted_docs_: int
    doc_topic_: npt.NDArray[np.float32] | None  # None once daily imports extended the model
    topic_term_: npt.NDArray[np.float32]
    terms_: list[str]
    display_: list[str]
    dominant_: npt.NDArray[np.int32]
    weight_: npt.NDArray[np.float32]
    labels_: list[str]
    map_rows_: npt.NDArray[np.int64]
    map_xy_: npt.NDArray[np.float32]
    seconds_: float

    def __init__(self, k: int, random_state: int = 0) -> None:
        self.k = k
        self.random_state = random_state

    def fit(self, index: AnyTermIndex, dates: np.ndarray | None = None, progress: Progress | None = None) -> TopicModel:
        from sklearn.decomposition import NMF
        from sklearn.exceptions import ConvergenceWarning

        started = time.perf_counter()
        if progress:
            progress("topics: building the paper x term matrix", 0.05)
        counts, vocab_ids = document_terms(index)
        if counts.shape[1] == 0:  # NMF needs at least one term: say so instead of a ValueError
            raise PapersError(
                f"Cannot find topics in {index.n_docs:,} papers: no word is shared by enough of "
                "them. Import more papers."
            )
        k = max(1, min(self.k, counts.shape[1], max(1, counts.shape[0] - 1)))
        weights = tfidf(counts)
        if progress:
            progress(f"topics: fitting {k} topics to {counts.shape[0]:,} papers x {counts.shape[1]:,} terms", 0.15)
        nmf = NMF(n_components=k, init="nndsvd", random_state=self.random_state, max_iter=200, tol=1e-4)
        with warnings.catch_warnings():  # 200 iterations settle the topics; the last digits do not matter
            warnings.simplefilter("ignore", ConvergenceWarning)
            doc_topic = nmf.fit_transform(weights).astype(np.float32)
        topic_term = nmf.components_.astype(np.float32)
        if progress:
            progress("topics: labels and the map", 0.85)
        self.vocab_ids_ = vocab_ids
        self.idf_ = idf_of(np.bincount(counts.indices, minlength=counts.shape[1]), counts.shape[0])
        self.fitted_docs_ = counts.shape[0]
        self.doc_topic_ = doc_topic
        self.topic_term_ = topic_term
        self.terms_ = [index.unigrams[j] for j in vocab_ids]
        self.display_ = [index.display[j] for j in vocab_ids]
        self.dominant_, self.weight_ = _dominant(doc_topic)
        self.labels_ = topic_labels(topic_term, self.display_)
        self.map_rows_, self.map_xy_ = paper_map(doc_topic, self.random_state)
        self.seconds_ = time.perf_counter() - started
        return self

    # --- persistence ----------------------------------------------------------------------
    def to_arrays(self) -> Arrays:
        return {
            "k": np.array([self.k]),
            "vocab_ids": self.vocab_ids_,
            "topic_term": self.topic_term_,
            **({} if self.doc_topic_ is None else {"doc_topic": self.doc_topic_}),
            "dominant": self.dominant_,
            "weight": self.weight_,
            "labels": pack(self.labels_),
            "map_rows": self.map_rows_,
            "map_xy": self.map_xy_,
            "seconds": np.array([self.seconds_]),
            "idf": self.idf_,
            "fitted_docs": np.array([self.fitted_docs_]),
            **_vocabulary_arrays(self.terms_),
        }

    @classmethod
    def from_arrays(cls, arrays: Arrays, index: AnyTermIndex) -> TopicModel:
        model = cls(int(arrays["k"][0]))
        model.vocab_ids_ = np.asarray(arrays["vocab_ids"])
        model.doc_topic_ = arrays.get("doc_topic")
        model.topic_term_ = np.asarray(arrays["topic_term"])
        model.dominant_ = arrays["dominant"]
        model.weight_ = arrays["weight"]
        model.labels_ = unpack(arrays["labels"])
        model.terms_ = [index.unigrams[j] for j in model.vocab_ids_]
        model.display_ = [index.display[j] for j in model.vocab_ids_]
        model.map_rows_ = arrays["map_rows"]
        model.map_xy_ = arrays["map_xy"]
        model.seconds_ = float(arrays["seconds"][0])
        model.fitted_docs_ = int(arrays["fitted_docs"][0])
        model.idf_ = np.asarray(arrays["idf"])
        return model

    @property
    def placed_docs(self) -> int:
        """Papers placed in these topics after the fit (daily imports: see extend_after_import)."""
        return int(len(self.dominant_) - self.fitted_docs_)

    # --- tidy results -------------------------------------------------------------------------
    @property
    def n_topics(self) -> int:
        return int(self.topic_term_.shape[0])

    def summary(self, member: np.ndarray | None = None) -> pd.DataFrame:
        """One row per topic: id, label, size (papers whose dominant topic it is), share, top terms.
        ``member``: count only these papers (one source's, lib.sources); the topics stay the fit's."""
        dominant = self.dominant_ if member is None else self.dominant_[member]
        sizes = np.bincount(dominant[dominant >= 0], minlength=self.n_topics)
        return pd.DataFrame(
            {
                "topic": np.arange(self.n_topics),
                "label": self.labels_,
                "papers": sizes,
                "share": sizes / max(1, len(dominant)),
                "terms": [", ".join(t for t, _ in self.top_terms(i, 8)) for i in range(self.n_topics)],
            }
        )

    def top_terms(self, topic: int, n: int = TOP_TERMS) -> list[tuple[str, float]]:
        row = self.topic_term_[topic]
        best = np.argsort(-row, kind="stable")[:n]
        return [(self.display_[j], float(row[j])) for j in best if row[j] > 0]

    def related(self, topic: int, n: int = 5) -> pd.DataFrame:
        """Topics whose term vectors are closest (cosine)."""
        norms = np.linalg.norm(self.topic_term_, axis=1) + 1e-12
        cosine = (self.topic_term_ @ self.topic_term_[topic]) / norms / norms[topic]
        cosine[topic] = -1
        order = [int(t) for t in np.argsort(-cosine, kind="stable")[:n] if cosine[t] > 0]
        return pd.DataFrame(
            {"topic": order, "label": [self.labels_[t] for t in order], "similarity": [float(cosine[t]) for t in order]}
        )

    def representative(self, topic: int, n: int = 10, member: np.ndarray | None = None) -> np.ndarray:
        """Rows of the papers that belong most to ``topic`` (highest weight share), of ``member``
        only when given."""
        members = self.members(topic, member)
        return members[np.argsort(-self.weight_[members], kind="stable")[:n]]

    def members(self, topic: int, member: np.ndarray | None = None) -> np.ndarray:
        """Rows of the papers whose dominant topic is ``topic`` (of ``member`` only, when given)."""
        inside = self.dominant_ == topic
        return np.flatnonzero(inside if member is None else inside & member)


def topic_labels(topic_term: np.ndarray, display: list[str], words: int = 3) -> list[str]:
    """A short label per topic: its heaviest terms among those that weigh most in this topic
    (so a label is readable and names what sets the topic apart), unique across topics."""
    home = topic_term.argmax(axis=0)  # the topic each term weighs most in
    labels, used = [], set()
    for topic in range(topic_term.shape[0]):
        order = [j for j in np.argsort(-topic_term[topic], kind="stable")[:200] if topic_term[topic, j] > 0]
        own = [display[j] for j in order if home[j] == topic][:40]
        ranked = _distinct_words(own + [display[j] for j in order if home[j] != topic][:40])
        picked = ranked[:words] or [f"topic {topic}"]
        label = ", ".join(picked)
        extra = words
        while label in used and extra < len(ranked):
            picked.append(ranked[extra])
            extra += 1
            label = ", ".join(picked)
        if label in used:
            label = f"{label} ({topic})"
        used.add(label)
        labels.append(label)
    return labels


def _distinct_words(words: list[str]) -> list[str]:
    """Words that do not repeat each other: a word inside a kept one, or holding one, is
    dropped ("sub-agents" after "agents") — except a hyphenated compound whose every part
    is already kept, which replaces its parts ("fine-grained" for "grained", "fine")."""
    kept: list[str] = []
    for word in words:
        key = _letters(word)
        if not key:
            continue
        parts = {_letters(p) for p in word.split("-")} - {_letters(w) for w in function_words()} - {""}
        kept_keys = [_letters(k) for k in kept]
        if len(parts) > 1 and parts <= set(kept_keys):
            first = min(kept_keys.index(p) for p in parts)
            kept = [k for k, kk in zip(kept, kept_keys) if kk not in parts]
            kept.insert(min(first, len(kept)), word)
            continue
        if any(key in other or other in key for other in kept_keys):
            continue
        kept.append(word)
    return kept


def _letters(word: str) -> str:
    return "".join(c for c in word.lower() if c.isalnum())


def paper_map(doc_topic: np.ndarray, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """2-D coordinates of a deterministic sample of papers (t-SNE of the normalised topic
    weights; PCA when there are too few papers for t-SNE)."""
    n = doc_topic.shape[0]
    rng = np.random.default_rng(random_state)
    rows = np.sort(rng.choice(n, size=min(n, MAP_SAMPLE), replace=False)) if n else np.empty(0, dtype=np.int64)
    points = doc_topic[rows]
    points = points / (points.sum(axis=1, keepdims=True) + 1e-12)
    if len(rows) < 3 or points.shape[1] < 2:
        return rows.astype(np.int64), np.zeros((len(rows), 2), dtype=np.float32)
    if len(rows) < 100:
        from sklearn.decomposition import PCA

        xy = PCA(n_components=2, random_state=random_state).fit_transform(points)
    else:
        from sklearn.manifold import TSNE

        xy = TSNE(
            n_components=2, init="pca", random_state=random_state, perplexity=30, learning_rate="auto", max_iter=400
        ).fit_transform(points)
    return rows.astype(np.int64), xy.astype(np.float32)


# --- over time -------------------------------------------------------------------------------
def shares_over_time(
    model: TopicModel, periods: Periods, by: str, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> pd.DataFrame:
    """Per period and topic: papers whose dominant topic it is, all papers, and the share
    (the shares of a period sum to 1 over topics, papers without a topic aside)."""
    codes = periods.codes
    dominant = np.asarray(model.dominant_)
    keep = periods.between(date_from, date_to)
    if keep is not None:
        codes, dominant = codes[keep], dominant[keep]
    n = len(periods.index)
    if len(codes) == 0:
        return pd.DataFrame(columns=["period", "label", "topic", "name", "papers", "total", "share"])
    lo, hi = int(codes.min()), int(codes.max())
    has_topic = dominant >= 0
    counts = np.zeros((model.n_topics, n), dtype=np.int64)
    np.add.at(counts, (dominant[has_topic], codes[has_topic]), 1)
    totals = np.bincount(codes[has_topic], minlength=n)
    frames = []
    span = periods.index[lo : hi + 1]
    for topic in range(model.n_topics):
        c = counts[topic, lo : hi + 1]
        t = totals[lo : hi + 1]
        frames.append(
            pd.DataFrame(
                {
                    "period": span.start_time.astype("datetime64[s]"),
                    "label": [period_label(p, by) for p in span],
                    "topic": topic,
                    "name": model.labels_[topic],
                    "papers": c,
                    "total": t,
                    "share": np.divide(c, t, out=np.zeros(len(c)), where=t > 0),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def emerging_mix(
    periods: Periods, mix: tuple[np.ndarray, list[str]], recent_days: int = 90, baseline_days: int = 365
) -> str:
    """A sentence when :func:`emerging_topics`' two windows hold different mixes of sources
    (lib.trends.trends.mixed_windows), else ""."""
    _, recent, baseline = periods.windows(recent_days, baseline_days)
    return mixed_windows(mix[0], mix[1], recent, baseline, thing="topic")


def emerging_topics(
    model: TopicModel, periods: Periods, recent_days: int = 90, baseline_days: int = 365
) -> pd.DataFrame:
    """Each topic's share of papers in the recent window against the baseline before it (the
    papers ``periods`` counts: one source's, by the day it dates them, see lib.periods.Periods)."""
    _, recent, baseline = periods.windows(recent_days, baseline_days)
    dominant = np.asarray(model.dominant_)
    rows = []
    for topic in range(model.n_topics):
        r = float((dominant[recent] == topic).mean()) if recent.any() else 0.0
        b = float((dominant[baseline] == topic).mean()) if baseline.any() else 0.0
        rows.append(
            {
                "topic": topic,
                "label": model.labels_[topic],
                "baseline_share": b,
                "recent_share": r,
                "change": r - b,
                "ratio": (r + 1e-3) / (b + 1e-3),
            }
        )
    return pd.DataFrame(rows).sort_values("change", ascending=False, kind="stable").reset_index(drop=True)


def top_authors(table: pa.Table, rows: np.ndarray, n: int = 10) -> pd.DataFrame:
    """The ``n`` authors with most papers among ``rows`` (ties: first seen first)."""
    names = pc.list_flatten(take_rows(table["authors"], np.asarray(rows, dtype=np.int64)))
    counts = pd.Series(names.to_numpy(zero_copy_only=False), dtype=object).value_counts().head(n)
    return pd.DataFrame({"author": counts.index.astype(object), "papers": counts.to_numpy()})


# --- coherence --------------------------------------------------------------------------------
def npmi_coherence(index: AnyTermIndex, term_ids: list[list[int]]) -> list[float]:
    """Mean NPMI over the pairs of each topic's terms (unigram ids), from paper co-occurrence."""
    indptr, indices = index.all_postings("u")
    n = max(index.n_docs, 1)
    cache: dict[int, np.ndarray] = {}

    def rows(j: int) -> np.ndarray:
        if j not in cache:
            cache[j] = indices[indptr[j] : indptr[j + 1]]
        return cache[j]

    scores = []
    for ids in term_ids:
        values = []
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                ra, rb = rows(ids[a]), rows(ids[b])
                both = len(np.intersect1d(ra, rb, assume_unique=True))
                if both == 0:
                    values.append(-1.0)
                    continue
                p_ab, p_a, p_b = both / n, len(ra) / n, len(rb) / n
                values.append(math.log(p_ab / (p_a * p_b)) / -math.log(p_ab) if p_ab < 1 else 1.0)
        scores.append(float(np.mean(values)) if values else 0.0)
    return scores


def model_coherence(model: TopicModel, index: AnyTermIndex, top: int = 10) -> list[float]:
    ids = [[int(model.vocab_ids_[j]) for j in np.argsort(-row, kind="stable")[:top]] for row in model.topic_term_]
    return npmi_coherence(index, ids)


# --- one model per store version and k ------------------------------------------------------------
def model_file(k: int) -> ArtifactFile:
    """The saved model with k topics (one per store version)."""
    return ArtifactFile(f"{ARTIFACT}-k{k}", FORMAT_VERSION, REQUIRED)


def _saved_files(store: Store) -> list[ArtifactFile]:
    """The saved models' files, for every k (of any store version)."""
    names = {path.name.split("-")[1] for path in store.artifacts_dir.glob(f"{ARTIFACT}-k*-*")}
    return [model_file(int(name[1:])) for name in sorted(names) if name[1:].isdigit()]


def _usable(arrays: Arrays | None, n_docs: int, index: AnyTermIndex | None = None) -> bool:
    """A saved model for ``n_docs`` papers (and, given the term index it will be read with,
    whose vocabulary ids still name the same words)."""
    if arrays is None or len(arrays["dominant"]) != n_docs:
        return False
    if index is None:
        return True
    ids = np.asarray(arrays["vocab_ids"])
    if len(ids) and int(ids.max()) >= len(index.unigrams):
        return False
    return vocabulary_check([index.unigrams[j] for j in ids]) == int(arrays["vocabulary_check"][0])


def _saved(store: Store, dataset: Dataset, k: int, index: AnyTermIndex | None = None) -> Arrays | None:
    if dataset.is_sample:
        return None
    arrays = model_file(k).load(store, dataset.version)
    return arrays if _usable(arrays, dataset.table.num_rows, index) else None


def is_saved(store: Store, dataset: Dataset, k: int) -> bool:
    """Whether this store version already has a usable model with k topics on disk."""
    return _saved(store, dataset, k) is not None


def newest_papers(table: pa.Table, dates: np.ndarray, rows: npt.ArrayLike, limit: int) -> pd.DataFrame:
    """The ``limit`` newest of ``rows`` (a topic's papers), newest first, for a topic's feed
    (see lib.store.schema.rows_frame)."""
    taken = np.asarray(rows, dtype=np.int64)
    return rows_frame(table, taken[np.argsort(-dates[taken].astype("int64"), kind="stable")[:limit]])


def load_or_fit(
    store: Store, dataset: Dataset, index: AnyTermIndex, k: int, progress: Progress | None = None, refit: bool = False
) -> TopicModel:
    """This store version's model with k topics: loaded when saved, else fitted and saved
    (models of older store versions, for any k, are deleted then).  ``refit``: fitted anew
    even when saved (a model that daily imports extended is then fitted on all the papers)."""
    arrays = None if refit else _saved(store, dataset, k, index)
    if arrays is not None:
        return TopicModel.from_arrays(arrays, index)
    model = TopicModel(k).fit(index, progress=progress)
    if not dataset.is_sample:
        model_file(k).save(store, dataset.version, model.to_arrays())
        for file in _saved_files(store):
            file.prune(store, dataset.version)
    return model


def extend_after_import(
    store: Store,
    previous_version: str,
    version: str,
    table: pa.Table,
    first_new_row: int,
    changed_rows: npt.ArrayLike = (),
) -> bool:
    """After an import: each saved model of the previous version is carried over to this one,
    with the papers the import added or re-wrote placed in its topics (:func:`place`: NMF with
    the topics held fixed, on their TF-IDF rows weighed by the fit's idf), so the topics page
    opens at once and counts them.  The topics themselves (terms, labels, map) stay those of
    the last fit until one on all the papers (``python -m lib build --full``).  Call it once
    the term index is extended (its word numbers must carry over).  Returns whether a model
    was carried over."""
    rows = np.union1d(np.asarray(changed_rows, dtype=np.int64), np.arange(first_new_row, table.num_rows))
    segment = None  # built once, for every saved k
    carried = False
    for file in _saved_files(store):
        arrays = file.load(store, previous_version)
        if arrays is None or not _usable(arrays, first_new_row):
            continue
        words = unpack(arrays["vocabulary"])  # the model's own words: no index to load
        if len(words) != len(arrays["vocab_ids"]) or vocabulary_check(words) != int(arrays["vocabulary_check"][0]):
            continue
        topic_term = np.asarray(arrays["topic_term"])
        placed = np.zeros((len(rows), topic_term.shape[0]), dtype=np.float32)
        if len(rows):
            if segment is None:
                segment = TermIndex.build(take_table(table, rows, list(FIELDS)))
            present = [(c, segment.unigram_ids[t]) for c, t in enumerate(words) if t in segment.unigram_ids]
            at = np.array([c for c, _ in present], dtype=np.int64)  # the model's column of each
            found = _presence(*segment.all_postings("u"), [j for _, j in present], len(rows))
            presence = sp.csr_matrix((found.data, at[found.indices], found.indptr), shape=(len(rows), len(words)))
            placed = place(_weigh(presence, np.asarray(arrays["idf"])), topic_term)
        dominant = np.empty(table.num_rows, dtype=np.int32)
        weight = np.empty(table.num_rows, dtype=np.float32)
        dominant[:first_new_row], weight[:first_new_row] = arrays["dominant"], arrays["weight"]
        dominant[rows], weight[rows] = _dominant(placed)
        # the papers' weights on every topic stay the fit's alone (nothing reads them after the
        # fit: the app reads each paper's dominant topic and its weight), not copied per version
        out = {key: value for key, value in arrays.items() if key != "doc_topic"}
        file.save(store, version, {**out, "dominant": dominant, "weight": weight})
        file.prune(store, version)
        carried = True
    return carried
