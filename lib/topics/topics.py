"""Topics found automatically: fine research topics grouped into broad areas.

1. **Vocabulary** (lib.topics.vocabulary): whole 1–3-word research terms of titles,
   abstracts and keywords, the corpus's boilerplate learned and set aside.
2. **Papers as vectors**: each paper's terms weighed by idf squared (a rare, specific term
   such as "speculative decoding" outweighs a broad one such as "reasoning": a paper's
   subject, not its setting, places it), l2-normalised, then reduced to ``DIMENSIONS``
   latent dimensions by truncated SVD (LSA; fitted on at most ``FIT_SAMPLE`` papers).
3. **Fine topics**: k-means (cosine: on unit vectors) with k fine topics; every paper belongs
   to the topic whose centre is nearest, its *weight* the cosine to that centre.  A refit of
   the same k starts from the previous fit's topics (their papers' mean vectors), so a month
   of new papers moves the topics a little instead of drawing new ones.
4. **Areas**: the fine topics' centres merged by Ward's hierarchical clustering into
   ``auto_areas(k)`` broad areas (Ward keeps areas of comparable size: on 75k papers 2 to 10
   topics each); an area holds its topics' papers, so the two levels nest.
5. **Names and quality**: terms per topic and area scored by c-TF-IDF; labels of distinct
   key phrases (lib.topics.labels); each topic's coherence is the NPMI of its 10 top
   distinct terms over all papers, diversity the share of distinct terms among all topics'
   top 10; a topic under ``WEAK_NPMI`` is marked weak.
6. **Identity** (lib.topics.identity): ids that survive refits, matched to the topics the
   store has seen before.

k is the user's, or automatic: ``auto_k(n) = clip(round(sqrt(n / 8)), 3, 200)`` fine
topics (16 for 2,000 papers, 97 for 75k, 200 from 320k) in ``auto_areas(k) = clip(round(1.6
sqrt(k)), 2, 25)`` areas, at most a third as many as topics (5 for 16 topics, 16 for 97).
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from collections.abc import Callable
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
from lib.topics import identity, labels
from lib.topics.vocabulary import Vocabulary, idf, normalized, sample_rows, vocabulary
from lib.trends.terms import FIELDS, AnyTermIndex, TermIndex
from lib.trends.trends import mixed_windows

ARTIFACT = "topics"
# 5: two levels (LSA + k-means topics, Ward areas), a research vocabulary, stable ids; 6: top terms
# saved (a page shows them without de-duplicating terms again); 7: terms of the term index format 5 (runs of
# hyphen parts, compounds one term with their spaced spelling), parts of set-aside hyphenated words set aside
FORMAT_VERSION = 7
_MATRICES = (  # saved as they are, each the model attribute of that name and a trailing "_"
    "term_weight",
    "components",
    "centres",
    "dominant",
    "weight",
    "topic_scores",
    "area_of",
    "area_scores",
    "coherence",
    "area_coherence",
    "ids",
    "area_ids",
    "map_rows",
    "map_xy",
    "top_columns",
    "area_top_columns",
)
REQUIRED = (
    "k",
    "terms",
    "display",
    "boilerplate",
    "labels",
    "area_labels",
    "status",
    "seconds",
    "fitted_docs",
    *_MATRICES,
)
DIMENSIONS = 150
MAX_K = 200
MAX_AREAS = 25
TOP_TERMS = 15
COHERENCE_TERMS = 10
WEAK_NPMI = 0.05
MAP_SAMPLE = 1_500  # papers placed on the 2-D map (t-SNE is quadratic-ish: a sample is plenty)
KMEANS_ITERATIONS = 60
CHUNK = 100_000


def auto_k(n_papers: int) -> int:
    """The number of fine topics when the user does not choose one."""
    return int(np.clip(round(np.sqrt(max(n_papers, 0) / 8)), 3, MAX_K))


def auto_areas(k: int) -> int:
    """The number of broad areas for k fine topics."""
    return int(max(1, min(np.clip(round(1.6 * np.sqrt(k)), 2, MAX_AREAS), k // 3)))


def _placed(
    presence: sp.csr_matrix, term_weight: np.ndarray, components: np.ndarray, centres: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's nearest centre (cosine) and the cosine, in chunks: a chunk's vectors are weighed
    there (every paper's at once would be 8 bytes a posting; 1M x 200 cosines at once, 800 MB)."""
    dominant = np.empty(presence.shape[0], dtype=np.int32)
    weight = np.empty(presence.shape[0], dtype=np.float32)
    for start in range(0, presence.shape[0], CHUNK):
        vectors = weigh(presence[start : start + CHUNK], term_weight)
        z = _unit(np.asarray(vectors @ components.T, dtype=np.float32))
        cosine = z @ centres.T
        best = cosine.argmax(axis=1) if cosine.shape[1] else np.zeros(len(z), dtype=np.int64)
        empty = ~np.any(z != 0, axis=1)
        dominant[start : start + len(z)] = np.where(empty, -1, best)
        weight[start : start + len(z)] = np.where(empty, 0.0, cosine[np.arange(len(z)), best] if cosine.shape[1] else 0)
    return dominant, weight


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0), dtype=np.float32)


def weigh(presence: sp.csr_matrix, term_weight: np.ndarray) -> sp.csr_matrix:
    """Papers' vectors: presence x term weight (idf squared), l2-normalised."""
    return normalized(sp.csr_matrix(presence.multiply(term_weight[np.newaxis, :]), dtype=np.float32))


def npmi(presence_csc: sp.csc_matrix, columns: list[list[int]]) -> npt.NDArray[np.float64]:
    """Mean NPMI over the pairs of each list of ``columns``, from paper co-occurrence."""
    n = max(presence_csc.shape[0], 1)
    scores = []
    for cols in columns:
        if len(cols) < 2:
            scores.append(0.0)
            continue
        sub = presence_csc[:, cols].astype(np.float64)  # (counts: never in the presence's one-byte type)
        both = np.asarray((sub.T @ sub).todense(), dtype=np.float64) / n
        single = np.diag(both).copy()
        i, j = np.triu_indices(len(cols), 1)
        p_ab, p_a, p_b = both[i, j], single[i], single[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(
                p_ab <= 0,
                -1.0,
                np.where(p_ab >= 1, 1.0, np.log(p_ab / (p_a * p_b)) / -np.log(np.maximum(p_ab, 1e-300))),
            )
        scores.append(float(value.mean()))
    return np.array(scores, dtype=np.float64)


class TopicModel:
    """Fine topics and areas of one store version and k (scikit-learn style: ``fit`` returns
    self, learned attributes end in ``_``).  Topics and areas are numbered by row internally
    (``dominant_`` holds a paper's topic *row*); pages, links and files name them by their
    stable id (``ids_``, ``area_ids_``; see lib.topics.identity)."""

    terms_: list[str]  # the vocabulary as the term index spells it
    display_: list[str]
    term_weight_: npt.NDArray[np.float32]  # idf squared of the fit
    components_: npt.NDArray[np.float32]  # DIMENSIONS x terms: the LSA basis
    centres_: npt.NDArray[np.float32]  # topics x DIMENSIONS, unit length
    dominant_: npt.NDArray[np.int32]  # each paper's topic row (-1: no term of the vocabulary)
    weight_: npt.NDArray[np.float32]  # cosine of a paper to its topic's centre
    topic_scores_: npt.NDArray[np.float32]  # topics x terms: c-TF-IDF
    area_of_: npt.NDArray[np.int32]  # each topic's area row
    area_scores_: npt.NDArray[np.float32]  # areas x terms: c-TF-IDF
    coherence_: npt.NDArray[np.float64]
    area_coherence_: npt.NDArray[np.float64]
    top_columns_: npt.NDArray[np.int64]  # topics x TOP_TERMS: the columns of each one's best distinct terms (-1: none)
    area_top_columns_: npt.NDArray[np.int64]
    ids_: npt.NDArray[np.int64]
    area_ids_: npt.NDArray[np.int64]
    labels_: list[str]
    area_labels_: list[str]
    status_: list[str]  # per topic: "", "new since 2026-07", "split from 12", "merged from 7, 9"
    boilerplate_: list[str]
    map_rows_: npt.NDArray[np.int64]
    map_xy_: npt.NDArray[np.float32]
    seconds_: float
    fitted_docs_: int

    def __init__(self, k: int, random_state: int = 0) -> None:
        self.k = k
        self.random_state = random_state

    # --- fitting ----------------------------------------------------------------------------
    def fit(
        self, index: AnyTermIndex, progress: Progress | None = None, previous: np.ndarray | None = None
    ) -> TopicModel:
        """``previous``: the topic row of each of the first papers in an earlier fit with the
        same k (-1: none): its topics are where k-means starts."""
        started = time.perf_counter()
        words = vocabulary(index, progress, self.random_state)
        n = words.presence.shape[0]
        if len(words) == 0 or n == 0:
            raise PapersError(
                f"Cannot find topics in {index.n_docs:,} papers: no word is shared by enough of "
                "them. Import more papers."
            )
        k = int(max(1, min(self.k, n - 1 if n > 1 else 1, len(words))))
        self.terms_, self.display_, self.boilerplate_ = words.terms, words.display, words.boilerplate
        self.term_weight_ = idf(words.papers, n) ** 2
        sample = sample_rows(n, self.random_state)
        vectors = weigh(words.presence[sample], self.term_weight_)  # (every paper's: placed in chunks)
        if progress:
            progress(f"topics: {len(sample):,} papers x {len(words):,} terms to {DIMENSIONS} dimensions", 0.2)
        self.components_ = self._basis(vectors, k)
        z = _unit(np.asarray(vectors @ self.components_.T, dtype=np.float32))
        del vectors
        if progress:
            progress(f"topics: {k} fine topics in {n:,} papers", 0.45)
        self.centres_ = self._centres(z, k, sample, previous)
        self.dominant_, self.weight_ = _placed(words.presence, self.term_weight_, self.components_, self.centres_)
        if progress:
            progress("topics: areas, names and quality", 0.75)
        self._describe(words)
        self.ids_ = np.arange(self.n_topics, dtype=np.int64)
        self.area_ids_ = np.arange(self.n_areas, dtype=np.int64)
        self.status_ = [""] * self.n_topics
        self.map_rows_, self.map_xy_ = paper_map(z, sample, self.random_state)
        self.fitted_docs_ = n
        self.seconds_ = time.perf_counter() - started
        return self

    def _basis(self, vectors: sp.csr_matrix, k: int) -> npt.NDArray[np.float32]:
        from sklearn.decomposition import TruncatedSVD

        dims = min(DIMENSIONS, vectors.shape[1] - 1, vectors.shape[0] - 1)
        if dims < 2:  # too little to reduce: the terms are the dimensions
            return np.eye(vectors.shape[1], dtype=np.float32)
        svd = TruncatedSVD(dims, algorithm="randomized", n_iter=4, random_state=self.random_state)
        svd.fit(vectors)
        return np.asarray(svd.components_, dtype=np.float32)

    def _centres(self, z: np.ndarray, k: int, sample: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
        from sklearn.cluster import KMeans

        init: np.ndarray | str = "k-means++"
        if previous is not None:
            old = np.full(len(sample), -1, dtype=np.int64)
            known = sample < len(previous)
            old[known] = previous[sample[known]]
            sums = np.zeros((k, z.shape[1]), dtype=np.float64)
            counts = np.bincount(old[old >= 0], minlength=k)[:k]
            inside = (old >= 0) & (old < k)
            np.add.at(sums, old[inside], z[inside])
            if len(counts) == k and (counts > 0).all():
                init = _unit(sums.astype(np.float32))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a few identical papers: fewer distinct points than k
            km = KMeans(
                k,
                init=init,
                n_init=1,
                max_iter=KMEANS_ITERATIONS,
                random_state=self.random_state,
            ).fit(z)
        return _unit(np.asarray(km.cluster_centers_, dtype=np.float32))

    def _describe(self, words: Vocabulary) -> None:
        """Areas, c-TF-IDF scores, labels and coherence, from the papers' topics."""
        k = self.centres_.shape[0]
        has = self.dominant_ >= 0
        rows = np.flatnonzero(has)
        member = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (self.dominant_[has], rows)), shape=(k, len(self.dominant_))
        ).tocsc()
        counts = np.zeros((k, words.presence.shape[1]), dtype=np.float64)
        for start in range(0, len(self.dominant_), CHUNK):  # (at once, the product would copy every posting as a float)
            end = start + CHUNK
            counts += (member[:, start:end] @ words.presence[start:end]).toarray()
        self.topic_scores_ = labels.c_tf_idf(counts)
        _, area_of = np.unique(self._areas(auto_areas(k)), return_inverse=True)
        self.area_of_ = area_of.astype(np.int32)
        area_counts = np.zeros((int(self.area_of_.max()) + 1, counts.shape[1]))
        np.add.at(area_counts, self.area_of_, counts)
        self.area_scores_ = labels.c_tf_idf(area_counts)
        self.top_columns_ = np.array([_padded(self._top_columns(s, TOP_TERMS)) for s in self.topic_scores_])
        self.area_top_columns_ = np.array([_padded(self._top_columns(s, TOP_TERMS)) for s in self.area_scores_])
        best = [[_best(c, COHERENCE_TERMS) for c in tops] for tops in (self.top_columns_, self.area_top_columns_)]
        needed = sorted({c for lists in best for cols in lists for c in cols})  # (not every term's column)
        at = {c: i for i, c in enumerate(needed)}
        presence = words.presence[:, needed].tocsc()
        self.coherence_, self.area_coherence_ = (npmi(presence, [[at[c] for c in cols] for cols in b]) for b in best)
        self.labels_ = labels.labels(self.topic_scores_, self.display_, list(range(k)))
        self.area_labels_ = labels.labels(self.area_scores_, self.display_, list(range(self.n_areas)))

    def _areas(self, areas: int) -> np.ndarray:
        """Each fine topic's area: the topics' centres merged by Ward's hierarchical
        clustering until ``areas`` groups remain."""
        from scipy.cluster.hierarchy import fcluster, linkage

        k = self.centres_.shape[0]
        if areas <= 1 or k <= 2:
            return np.zeros(k, dtype=np.int64)
        return np.asarray(fcluster(linkage(self.centres_.astype(np.float64), method="ward"), areas, "maxclust")) - 1

    def _top_columns(self, scores: np.ndarray, n: int = COHERENCE_TERMS) -> list[int]:
        """The columns of a topic's ``n`` best distinct terms."""
        order = [int(j) for j in np.argsort(-scores, kind="stable")[: n * 6] if scores[j] > 0]
        names = labels.distinct([self.display_[j] for j in order], n)
        column = {self.display_[j]: j for j in reversed(order)}
        return [column[name] for name in names]

    # --- persistence ----------------------------------------------------------------------
    def to_arrays(self) -> Arrays:
        return {
            "k": np.array([self.k]),
            "terms": pack(self.terms_),
            "display": pack(self.display_),
            "boilerplate": pack(self.boilerplate_),
            "labels": pack(self.labels_),
            "area_labels": pack(self.area_labels_),
            "status": pack(self.status_),
            "seconds": np.array([self.seconds_]),
            "fitted_docs": np.array([self.fitted_docs_]),
            **{key: getattr(self, f"{key}_") for key in _MATRICES},
        }

    @classmethod
    def from_arrays(cls, arrays: Arrays) -> TopicModel:
        model = cls(int(arrays["k"][0]))
        model.terms_ = unpack(arrays["terms"])
        model.display_ = unpack(arrays["display"])
        model.boilerplate_ = unpack(arrays["boilerplate"])
        for key in _MATRICES:
            setattr(model, f"{key}_", np.asarray(arrays[key]))
        model.labels_ = unpack(arrays["labels"])
        model.area_labels_ = unpack(arrays["area_labels"])
        model.status_ = unpack(arrays["status"])
        model.seconds_ = float(arrays["seconds"][0])
        model.fitted_docs_ = int(arrays["fitted_docs"][0])
        return model

    # --- sizes and names --------------------------------------------------------------------
    @property
    def n_topics(self) -> int:
        return int(self.centres_.shape[0])

    @property
    def n_areas(self) -> int:
        return int(self.area_scores_.shape[0])

    @property
    def placed_docs(self) -> int:
        """Papers placed in these topics after the fit (daily imports: see extend_after_import)."""
        return int(len(self.dominant_) - self.fitted_docs_)

    @property
    def mean_coherence(self) -> float:
        return float(np.mean(self.coherence_)) if len(self.coherence_) else 0.0

    @property
    def diversity(self) -> float:
        """Distinct terms among all topics' top 10, over 10 x topics (1: no term is shared)."""
        tops = [t for c in self.top_columns_ for t in _best(c, COHERENCE_TERMS)]
        return len(set(tops)) / max(1, COHERENCE_TERMS * self.n_topics)

    def row_of(self, topic_id: int) -> int | None:
        found = np.flatnonzero(self.ids_ == topic_id)
        return int(found[0]) if len(found) else None

    def area_row_of(self, area_id: int) -> int | None:
        found = np.flatnonzero(self.area_ids_ == area_id)
        return int(found[0]) if len(found) else None

    def paper_area_rows(self) -> npt.NDArray[np.int32]:
        """Each paper's area row (-1: no topic)."""
        return np.where(self.dominant_ >= 0, self.area_of_[np.maximum(self.dominant_, 0)], -1).astype(np.int32)

    def top_terms(self, row: int, n: int = TOP_TERMS, area: bool = False) -> list[tuple[str, float]]:
        """A topic's (an area's) ``n`` best distinct terms (``TOP_TERMS`` at most), with their
        c-TF-IDF score."""
        scores = (self.area_scores_ if area else self.topic_scores_)[row]
        columns = (self.area_top_columns_ if area else self.top_columns_)[row]
        return [(self.display_[j], float(scores[j])) for j in _best(columns, n)]

    def terms_text(self, row: int, n: int = 8, area: bool = False) -> str:
        return ", ".join(t for t, _ in self.top_terms(row, n, area))

    def summary(self, member: np.ndarray | None = None) -> pd.DataFrame:
        """One row per fine topic: id, label, area id and label, size (papers whose topic it
        is, of ``member`` only when given: one source's), share, top terms, coherence, weak,
        status.  Ordered by area, then size."""
        dominant = self.dominant_ if member is None else self.dominant_[member]
        sizes = np.bincount(dominant[dominant >= 0], minlength=self.n_topics)
        frame = pd.DataFrame(
            {
                "topic": self.ids_,
                "label": self.labels_,
                "area": self.area_ids_[self.area_of_],
                "area_label": [self.area_labels_[a] for a in self.area_of_],
                "papers": sizes,
                "share": sizes / max(1, len(dominant)),
                "terms": [self.terms_text(i) for i in range(self.n_topics)],
                "coherence": self.coherence_,
                "weak": self.coherence_ < WEAK_NPMI,
                "status": self.status_,
            }
        )
        area_size = frame.groupby("area")["papers"].transform("sum")
        return (
            frame.assign(_a=-area_size)
            .sort_values(["_a", "area", "papers"], ascending=[True, True, False], kind="stable")
            .drop(columns="_a")
            .reset_index(drop=True)
        )

    def areas(self, member: np.ndarray | None = None) -> pd.DataFrame:
        """One row per area: id, label, its topics, size, share, top terms, coherence; largest first."""
        areas = self.paper_area_rows() if member is None else self.paper_area_rows()[member]
        sizes = np.bincount(areas[areas >= 0], minlength=self.n_areas)
        frame = pd.DataFrame(
            {
                "area": self.area_ids_,
                "label": self.area_labels_,
                "topics": np.bincount(self.area_of_, minlength=self.n_areas),
                "papers": sizes,
                "share": sizes / max(1, len(areas)),
                "terms": [self.terms_text(a, area=True) for a in range(self.n_areas)],
                "coherence": self.area_coherence_,
            }
        )
        return frame.sort_values("papers", ascending=False, kind="stable").reset_index(drop=True)

    def related(self, row: int, n: int = 5) -> pd.DataFrame:
        """Topics whose centres are closest (cosine)."""
        cosine = self.centres_ @ self.centres_[row]
        cosine[row] = -1
        order = [int(t) for t in np.argsort(-cosine, kind="stable")[:n] if cosine[t] > 0]
        return pd.DataFrame(
            {
                "topic": [int(self.ids_[t]) for t in order],
                "label": [self.labels_[t] for t in order],
                "similarity": [float(cosine[t]) for t in order],
            }
        )

    def members(self, row: int, member: np.ndarray | None = None) -> np.ndarray:
        """Rows of the papers whose topic is ``row`` (of ``member`` only, when given)."""
        inside = self.dominant_ == row
        return np.flatnonzero(inside if member is None else inside & member)

    def area_members(self, area_row: int, member: np.ndarray | None = None) -> np.ndarray:
        inside = self.paper_area_rows() == area_row
        return np.flatnonzero(inside if member is None else inside & member)

    def representative(self, rows: np.ndarray, n: int = 10) -> np.ndarray:
        """The ``n`` of ``rows`` nearest their topic's centre, nearest first."""
        rows = np.asarray(rows, dtype=np.int64)
        return rows[np.argsort(-self.weight_[rows], kind="stable")[:n]]

    def where(self, rows: npt.ArrayLike) -> pd.DataFrame:
        """Which topics hold ``rows`` (a query's papers): per topic, how many and what share of
        them, most first; each with its area."""
        rows = np.asarray(rows, dtype=np.int64)
        dominant = self.dominant_[rows]
        dominant = dominant[dominant >= 0]
        counts = np.bincount(dominant, minlength=self.n_topics)
        order = [int(t) for t in np.argsort(-counts, kind="stable") if counts[t] > 0]
        return pd.DataFrame(
            {
                "topic": [int(self.ids_[t]) for t in order],
                "label": [self.labels_[t] for t in order],
                "area": [int(self.area_ids_[self.area_of_[t]]) for t in order],
                "area_label": [self.area_labels_[self.area_of_[t]] for t in order],
                "papers": [int(counts[t]) for t in order],
                "share": [counts[t] / max(1, len(rows)) for t in order],
            },
            columns=["topic", "label", "area", "area_label", "papers", "share"],
        )

    def of_papers(self, rows: npt.ArrayLike) -> pd.DataFrame:
        """Each of ``rows``'s topic and area: topic, topic_label, area, area_label (-1 and ""
        for a paper with no topic)."""
        dominant = self.dominant_[np.asarray(rows, dtype=np.int64)]
        has = dominant >= 0
        safe = np.maximum(dominant, 0)
        area = self.area_of_[safe]
        return pd.DataFrame(
            {
                "topic": np.where(has, self.ids_[safe], -1),
                "topic_label": [self.labels_[t] if h else "" for t, h in zip(safe, has)],
                "area": np.where(has, self.area_ids_[area], -1),
                "area_label": [self.area_labels_[a] if h else "" for a, h in zip(area, has)],
            }
        )


def _padded(columns: list[int]) -> list[int]:
    return (columns + [-1] * TOP_TERMS)[:TOP_TERMS]


def _best(columns: np.ndarray, n: int) -> list[int]:
    return [int(j) for j in columns[:n] if j >= 0]


def paper_map(z: np.ndarray, rows: np.ndarray, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """2-D coordinates of a deterministic sample of papers (t-SNE of their latent vectors;
    PCA when there are too few papers for t-SNE).  ``z``: the vectors of ``rows``."""
    rng = np.random.default_rng(random_state)
    pick = np.sort(rng.choice(len(rows), size=min(len(rows), MAP_SAMPLE), replace=False)) if len(rows) else rows
    chosen, points = np.asarray(rows)[pick].astype(np.int64), z[pick]
    if len(chosen) < 3 or points.shape[1] < 2:
        return chosen, np.zeros((len(chosen), 2), dtype=np.float32)
    if len(chosen) < 100:
        from sklearn.decomposition import PCA

        xy = PCA(n_components=2, random_state=random_state).fit_transform(points)
    else:
        from sklearn.manifold import TSNE

        xy = TSNE(
            n_components=2, init="pca", random_state=random_state, perplexity=30, learning_rate="auto", max_iter=400
        ).fit_transform(points)
    return chosen, xy.astype(np.float32)


# --- over time -------------------------------------------------------------------------------
def shares_over_time(
    model: TopicModel,
    periods: Periods,
    by: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    area: bool = False,
) -> pd.DataFrame:
    """Per period and topic (``area``: per area): its papers, all papers, and the share (the
    shares of a period sum to 1, papers without a topic aside).  ``topic`` is the id."""
    codes = periods.codes
    groups = np.asarray(model.paper_area_rows() if area else model.dominant_)
    ids, names = (model.area_ids_, model.area_labels_) if area else (model.ids_, model.labels_)
    keep = periods.between(date_from, date_to)
    if keep is not None:
        codes, groups = codes[keep], groups[keep]
    n = len(periods.index)
    if len(codes) == 0:
        return pd.DataFrame(columns=["period", "label", "topic", "name", "papers", "total", "share"])
    lo, hi = int(codes.min()), int(codes.max())
    has_topic = groups >= 0
    counts = np.zeros((len(ids), n), dtype=np.int64)
    np.add.at(counts, (groups[has_topic], codes[has_topic]), 1)
    totals = np.bincount(codes[has_topic], minlength=n)
    frames = []
    span = periods.index[lo : hi + 1]
    for row in range(len(ids)):
        c = counts[row, lo : hi + 1]
        t = totals[lo : hi + 1]
        frames.append(
            pd.DataFrame(
                {
                    "period": span.start_time.astype("datetime64[s]"),
                    "label": [period_label(p, by) for p in span],
                    "topic": int(ids[row]),
                    "name": names[row],
                    "papers": c,
                    "total": t,
                    "share": np.divide(c, t, out=np.zeros(len(c)), where=t > 0),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def split_over_time(periods: Periods, by: str, rows: np.ndarray, groups: np.ndarray, top: int = 6) -> pd.DataFrame:
    """One topic's papers (``rows``) per period and group (``groups[i]``: the group of
    ``rows[i]``, e.g. its arXiv category or source): the ``top`` largest groups, the rest as
    "other".  Columns: period, label, group, papers."""
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) == 0:
        return pd.DataFrame(columns=["period", "label", "group", "papers"])
    series = pd.Series(np.asarray(groups, dtype=object))
    largest = series.value_counts().index[:top]
    named = series.where(series.isin(largest), "other").to_numpy()
    codes = periods.codes[rows]
    lo, hi = int(codes.min()), int(codes.max())
    span = periods.index[lo : hi + 1]
    frame = pd.DataFrame({"code": codes, "group": named}).value_counts().rename("papers").reset_index()
    order = list(largest) + (["other"] if (named == "other").any() else [])
    full = pd.MultiIndex.from_product([range(lo, hi + 1), order], names=["code", "group"])
    frame = frame.set_index(["code", "group"]).reindex(full, fill_value=0).reset_index()
    frame["period"] = span.start_time.astype("datetime64[s]")[frame["code"] - lo]
    frame["label"] = [period_label(span[c - lo], by) for c in frame["code"]]
    return frame[["period", "label", "group", "papers"]]


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
    k = model.n_topics
    r = np.bincount(dominant[recent & (dominant >= 0)], minlength=k) / max(1, int(recent.sum()))
    b = np.bincount(dominant[baseline & (dominant >= 0)], minlength=k) / max(1, int(baseline.sum()))
    frame = pd.DataFrame(
        {
            "topic": model.ids_,
            "label": model.labels_,
            "baseline_share": b,
            "recent_share": r,
            "change": r - b,
            "ratio": (r + 1e-3) / (b + 1e-3),
        }
    )
    return frame.sort_values("change", ascending=False, kind="stable").reset_index(drop=True)


def top_authors(table: pa.Table, rows: np.ndarray, n: int = 10) -> pd.DataFrame:
    """The ``n`` authors with most papers among ``rows`` (ties: first seen first)."""
    names = pc.list_flatten(take_rows(table["authors"], np.asarray(rows, dtype=np.int64)))
    counts = pd.Series(names.to_numpy(zero_copy_only=False), dtype=object).value_counts().head(n)
    return pd.DataFrame({"author": counts.index.astype(object), "papers": counts.to_numpy()})


def newest_papers(table: pa.Table, dates: np.ndarray, rows: npt.ArrayLike, limit: int) -> pd.DataFrame:
    """The ``limit`` newest of ``rows`` (a topic's papers), newest first, for a topic's feed
    (see lib.store.schema.rows_frame)."""
    taken = np.asarray(rows, dtype=np.int64)
    return rows_frame(table, taken[np.argsort(-dates[taken].astype("int64"), kind="stable")[:limit]])


# --- one model per store version and k ------------------------------------------------------------
def model_file(k: int) -> ArtifactFile:
    """The saved model with k topics (one per store version)."""
    return ArtifactFile(f"{ARTIFACT}-k{k}", FORMAT_VERSION, REQUIRED)


def _saved_files(store: Store) -> list[ArtifactFile]:
    """The saved models' files, for every k (of any store version)."""
    names = {path.name.split("-")[1] for path in store.artifacts_dir.glob(f"{ARTIFACT}-k*-*")}
    return [model_file(int(name[1:])) for name in sorted(names) if name[1:].isdigit()]


def _usable(arrays: Arrays | None, n_docs: int) -> bool:
    return arrays is not None and len(arrays["dominant"]) == n_docs


def _saved(store: Store, dataset: Dataset, k: int) -> Arrays | None:
    if dataset.is_sample:
        return None
    arrays = model_file(k).load(store, dataset.version)
    return arrays if _usable(arrays, dataset.table.num_rows) else None


def is_saved(store: Store, dataset: Dataset, k: int) -> bool:
    """Whether this store version already has a usable model with k topics on disk."""
    return _saved(store, dataset, k) is not None


def saved_ks(store: Store, dataset: Dataset) -> list[int]:
    """The k of every usable model this store version has on disk, ascending."""
    ks = [int(path.name.split("-")[1][1:]) for path in store.artifacts_dir.glob(f"{ARTIFACT}-k*-{dataset.version}")]
    return sorted(k for k in set(ks) if is_saved(store, dataset, k))


def load_or_fit(
    store: Store,
    dataset: Dataset,
    index: AnyTermIndex | Callable[[], AnyTermIndex] | None,
    k: int,
    progress: Progress | None = None,
    refit: bool = False,
) -> TopicModel:
    """This store version's model with k topics: loaded when saved (no term index needed:
    ``index`` may be None, or a function called only for a fit), else fitted, given its
    stable ids (lib.topics.identity) and saved
    (models of older store versions, for any k, are deleted then; a read-only store keeps the
    fit in memory only, PAPERS_READONLY).  ``refit``: fitted anew
    even when saved, starting from the saved model's topics (a model that daily imports
    extended is then fitted on all the papers)."""
    arrays = _saved(store, dataset, k)
    if arrays is not None and not refit:
        return TopicModel.from_arrays(arrays)
    if index is None:
        raise PapersError("No saved topic model: the term index is needed to fit one.")
    if callable(index):
        index = index()
    previous = np.asarray(arrays["dominant"]) if arrays is not None else None
    model = TopicModel(k).fit(index, progress=progress, previous=previous)
    if dataset.is_sample:
        identity.first_ids(model)
        return model
    dates = dataset.frame["date"]
    identity.assign(store, model, dates.max() if len(dates) else None)
    from lib.store.store import read_only

    if read_only():
        return model
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
    with the papers the import added or re-wrote placed in its topics (their vectors in the
    fit's vocabulary, weights and basis; the nearest topic centre), so the Topics page opens
    at once and counts them.  The topics themselves (terms, labels, areas, map) stay those of
    the last fit until one on all the papers (``python -m lib build --full``).  Returns
    whether a model was carried over."""
    rows = np.union1d(np.asarray(changed_rows, dtype=np.int64), np.arange(first_new_row, table.num_rows))
    segment = None  # built once, for every saved k
    carried = False
    for file in _saved_files(store):
        arrays = file.load(store, previous_version)
        if arrays is None or not _usable(arrays, first_new_row):
            continue
        dominant = np.full(table.num_rows, -1, dtype=np.int32)
        weight = np.zeros(table.num_rows, dtype=np.float32)
        dominant[:first_new_row], weight[:first_new_row] = arrays["dominant"], arrays["weight"]
        if len(rows):
            if segment is None:
                segment = TermIndex.build(take_table(table, rows, list(FIELDS)), min_ngram_papers=1)
            presence = presence_in(segment, unpack(arrays["terms"]))
            dominant[rows], weight[rows] = _placed(
                presence, np.asarray(arrays["term_weight"]), np.asarray(arrays["components"]), arrays["centres"]
            )
        file.save(store, version, {**arrays, "dominant": dominant, "weight": weight})
        file.prune(store, version)
        carried = True
    return carried


def presence_in(index: TermIndex, terms: list[str]) -> sp.csr_matrix:
    """Papers x ``terms`` presence (index spelling: a stem, or an n-gram's stems space-separated)
    of the papers of ``index``."""
    from lib.topics.vocabulary import _presence

    columns, ids, grams, gram_ids = [], [], [], []
    for c, term in enumerate(terms):
        if " " in term:
            j = index.ngram_column(tuple(term.split(" ")))
            if j is not None:
                grams.append(c)
                gram_ids.append(j)
        elif term in index.unigram_ids:
            columns.append(c)
            ids.append(index.unigram_ids[term])
    n = index.n_docs
    found = _presence([(*index.all_postings("u"), ids), (*index.all_postings("n"), gram_ids)], n).tocsr()
    at = np.array(columns + grams, dtype=np.int64)
    return sp.csr_matrix((found.data, at[found.indices], found.indptr), shape=(n, len(terms)))
