"""Recommendations per collection: "more for this collection", each with the words that drove it.

arxiv-sanity's recipe, with meaning beside the words.  A linear SVM (scikit-learn's
``LinearSVC``, balanced class weights) learns one collection:

* **positives**: the collection's papers;
* **negatives**: a fixed background sample of the table (:data:`BACKGROUND` papers, those whose
  id hashes lowest: the same papers for every collection and, as a table grows, mostly the same
  papers from version to version) less the positives, and the collection's "not relevant" marks,
  each weighing :data:`SURE_NEGATIVE` background papers (a reader said so; the background may
  hold a relevant paper nobody has seen);
* **features**: TF-IDF of each paper's title, abstract and keywords over the term index's terms
  (lib.trends.terms: words, and the 2–3-word phrases at least 5 papers use, as
  lib.search.analysis defines a term; presence, so the weight is the idf), words in more than
  :data:`MAX_DF` of the papers or fewer than :data:`MIN_DF` left out, each paper's vector a unit
  vector; beside it the paper's meaning (lib.search.vectors, unit vectors) times
  :data:`VECTOR_WEIGHT`, when the vectors are built (while they are not, words alone).

The candidates (papers listed on or after ``since``, not in the collection, not marked, not
excluded) are scored by the SVM's decision function, a sparse product over their rows only.
Each recommendation's ``why``: the terms with the largest positive contributions (weight times
feature) in that paper, as the paper spells them (``mixture-of-experts``, ``LLMs``), a phrase
standing for the words inside it.

Cost: the document-term matrix is read once per store version from the term index (no text is
tokenised again; CSR of feature ids, 4 bytes per (paper, term): 50 MB at 75k papers) and kept by
the Library; a call trains on ``positives + negatives + BACKGROUND`` rows and scores the
candidates, so it grows with the window, never with a TF-IDF matrix of the whole corpus (75k
papers: 0.2–0.5 s a call; 1M: 0.5 s for a 30-day window, 4 s for every day).  C and
:data:`VECTOR_WEIGHT` were chosen on the corpus (bench/bench_recommend.py); :data:`BACKGROUND`
bounds a call's training time.

    found = recommend(library, positives={"2503.01234", "2504.00042"}, since=dt.date(2026, 6, 1))
    found[["rank", "id", "score", "why"]]      # why: ["gaussian splatting", "3DGS", ...]

An empty collection (or one none of whose papers the table holds) gets an empty answer, not an
error: "no recommendations yet" is information.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from lib.errors import PapersError
from lib.periods import day_number
from lib.search import hybrid
from lib.search.analysis import STOP_WORDS, index_terms, stem, words
from lib.search.index import _ranges, field_text
from lib.topics.labels import is_acronym_of
from lib.topics.vocabulary import PHRASE_JOINS, writing_terms
from lib.trends.trends import _topic_words

if TYPE_CHECKING:
    from lib.library import Library
    from lib.search.vectors import AnyVectors
    from lib.trends.terms import AnyTermIndex

COLUMNS = ["rank", "row", "id", "title", "score", "why"]
MIN_DF = 3  # a word in fewer papers teaches nothing (phrases: the term index keeps those of 5 papers and more)
MAX_DF = 0.1  # ... nor one in more than this share of them (arxiv-sanity's max_df)
SMALL = 1_000  # below this many papers, MIN_DF and MAX_DF do not apply (a handful of papers share few words)
BACKGROUND = 5_000  # papers of the negative sample
SURE_NEGATIVE = 5.0  # a "not relevant" mark weighs this many background papers
C = 1.0  # the SVM's regularisation (bench/bench_recommend.py)
VECTOR_WEIGHT = 0.5  # the meaning's share of a paper's features, beside its unit TF-IDF vector
WHY = 5  # terms that explain a recommendation
TRANSPOSE_BLOCK = 1 << 23  # postings transposed at once (the build's memory beside its result)
BLOCK_ROWS = 16_384  # rows whose postings are gathered at once (bounds a call's memory)
Rows = npt.NDArray[np.int64]


class RecommendError(PapersError):
    """A recommendation asked for with an impossible setting."""


@dataclass(frozen=True)
class Settings:
    """How the classifier is made (the defaults are the module's constants)."""

    c: float = C
    vector_weight: float = VECTOR_WEIGHT
    background: int = BACKGROUND
    sure_negative: float = SURE_NEGATIVE
    use_vectors: bool = True


# --- the document-term matrix of a store version --------------------------------------------------
@dataclass(frozen=True, eq=False)
class Features:
    """Every paper's terms as CSR without values (``indptr``, ``indices``: feature ids), each
    feature's idf, each paper's ``1 / norm`` of its TF-IDF vector: the value of (paper i,
    feature j) is ``idf[j] * inverse_norm[i]``.  Features ``0 .. len(unigrams) - 1`` are term
    index unigrams (their ids there), the rest its n-gram columns (``ngrams``).  Read-only."""

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int32]
    idf: npt.NDArray[np.float32]
    inverse_norm: npt.NDArray[np.float32]
    unigrams: npt.NDArray[np.int64]
    ngrams: npt.NDArray[np.int64]
    terms: AnyTermIndex
    nameable: npt.NDArray[np.bool_]  # per term index unigram id: can start or end a term shown in a ``why``

    @property
    def n_docs(self) -> int:
        return len(self.indptr) - 1

    @property
    def n_features(self) -> int:
        return len(self.idf)

    @classmethod
    def build(cls, terms: AnyTermIndex, min_df: int = MIN_DF, max_df: float = MAX_DF) -> Features:
        """From the term index's postings (columns of rows), transposed once."""
        n = terms.n_docs
        small = n < SMALL  # a demo table: every term counts
        high = n if small else max_df * n
        postings, kept = [], []
        for kind, low in (("u", 1 if small else min_df), ("n", 1)):
            indptr, indices = terms.all_postings(kind)
            starts = np.asarray(indptr, dtype=np.int64)
            df: npt.NDArray[np.int64] = starts[1:] - starts[:-1]
            keep = np.flatnonzero((df >= low) & (df <= high))
            kept.append(keep)
            postings.append((starts[keep], df[keep], np.asarray(indices)))
        papers = np.concatenate([sizes for _, sizes, _ in postings])
        indptr, indices = _transpose(postings, n)
        idf = (np.log((1 + n) / (1 + papers)) + 1).astype(np.float32)
        features = cls(
            indptr,
            indices,
            idf,
            np.zeros(n, dtype=np.float32),
            kept[0].astype(np.int64),
            kept[1].astype(np.int64),
            terms,
            _topic_words(terms),
        )
        return features.normalised()

    def normalised(self) -> Features:
        """These features with each paper's ``inverse_norm`` computed from ``idf``."""
        squares = self.dot(np.arange(self.n_docs), self.idf.astype(np.float64) ** 2)
        norms = np.sqrt(squares)
        inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0).astype(np.float32)
        return replace(self, inverse_norm=inverse)

    def dot(self, rows: Rows, weights: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        """Per row of ``rows`` (ascending): the sum of ``weights`` over its features (no idf, no
        norm).  A block of rows at a time; a block whose rows lie close together is read as one
        slice of the postings (the rows between are summed too, and dropped)."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(len(rows), dtype=np.float64)
        for start in range(0, len(rows), BLOCK_ROWS):
            block = rows[start : start + BLOCK_ROWS]
            first, last = int(block[0]), int(block[-1])
            if last - first < 2 * len(block):  # dense: one slice of the postings
                lo, hi = int(self.indptr[first]), int(self.indptr[last + 1])
                sums = _segment_sums(weights[self.indices[lo:hi]], np.diff(self.indptr[first : last + 2]))
                out[start : start + len(block)] = sums[block - first]
            else:
                starts = self.indptr[block]
                sizes = self.indptr[block + 1] - starts
                out[start : start + len(block)] = _segment_sums(weights[self.indices[_ranges(starts, sizes)]], sizes)
        return out

    def matrix(self, rows: Rows) -> sp.csr_matrix:
        """The unit TF-IDF vectors of ``rows`` (a sparse matrix, rows in that order)."""
        rows = np.asarray(rows, dtype=np.int64)
        starts = self.indptr[rows]
        sizes = self.indptr[rows + 1] - starts
        taken = self.indices[_ranges(starts, sizes)]
        values = self.idf[taken] * np.repeat(self.inverse_norm[rows], sizes)
        indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        return sp.csr_matrix((values, taken, indptr), shape=(len(rows), self.n_features))

    def of(self, row: int) -> npt.NDArray[np.int32]:
        """The feature ids of one paper."""
        return self.indices[int(self.indptr[row]) : int(self.indptr[row + 1])]

    def stems(self, j: int) -> tuple[str, ...]:
        """The stems of feature ``j`` (one for a word, 2–3 for a phrase)."""
        if j < len(self.unigrams):
            return (self.terms.unigrams[int(self.unigrams[j])],)
        return tuple(self.terms.ngram_name(int(self.ngrams[j - len(self.unigrams)])).split(" "))

    def label(self, j: int) -> str:
        """How feature ``j`` reads in the corpus (its words' most frequent spellings)."""
        return self.terms.label(self.stems(j))

    def readable(self, stems: tuple[str, ...]) -> bool:
        """Whether a term reads as a term (what a ``why`` shows), as the topics' vocabulary
        decides (lib.topics.vocabulary): no function word or number at either end, ends that
        titles use; not the writing of abstracts ("state of the art"); not pieces of two
        phrases ("tuning and reinforcement") nor a phrase glued to its acronym ("experts moe")."""
        ids = [self.terms.unigram_ids.get(s) for s in stems]
        first, last = ids[0], ids[-1]
        if first is None or last is None or max(first, last) >= len(self.nameable) or len("".join(stems)) < 3:
            return False
        if not (self.nameable[first] and self.nameable[last]) or " ".join(stems) in writing_terms():
            return False
        if len(stems) == 3 and stems[1] in STOP_WORDS and stems[1] not in PHRASE_JOINS:
            return False
        return not any(is_acronym_of(stems[i], list(stems[:i])) for i in range(1, len(stems)))

    def without(self, stems: Iterable[str]) -> Features:
        """These features with every term holding one of ``stems`` left out (idf 0, norms
        again): the bench's "the subject's words removed" variant."""
        gone = set(stems)
        idf = self.idf.copy()
        for j in range(self.n_features):
            if gone.intersection(self.stems(j)):
                idf[j] = 0
        return replace(self, idf=idf).normalised()


def _transpose(
    postings: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[Any]]], n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """Columns of rows -> rows of columns (CSR ``indptr``, ``indices``; a row's columns
    ascending).  ``postings``: per kind, each column's start and size in that kind's ``indices``
    (the columns numbered one after another across kinds).  A block of columns at a time, each
    transposed by scipy and placed after the earlier blocks' columns of each row: the memory is
    the result and one block, not a copy of every posting."""
    blocks = []  # (kind, first column, last column + 1, first feature id)
    feature = 0
    for k, (_, sizes, _) in enumerate(postings):
        ends = np.cumsum(sizes)
        cuts = np.searchsorted(ends, np.arange(TRANSPOSE_BLOCK, int(ends[-1]) if len(ends) else 0, TRANSPOSE_BLOCK))
        bounds = np.unique(np.concatenate([[0], cuts, [len(sizes)]])).astype(np.int64)
        blocks += [(k, int(a), int(b), feature + int(a)) for a, b in itertools.pairwise(bounds)]
        feature += len(sizes)

    def rows_of(k: int, a: int, b: int) -> npt.NDArray[Any]:
        starts, sizes, indices = postings[k]
        return indices[_ranges(starts[a:b], sizes[a:b])]

    counts = np.zeros(n, dtype=np.int64)
    for k, a, b, _ in blocks:
        counts += np.bincount(rows_of(k, a, b), minlength=n)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    out = np.empty(int(indptr[-1]), dtype=np.int32)
    cursor = indptr[:-1].copy()
    for k, a, b, first in blocks:
        sizes = postings[k][1][a:b]
        block = sp.csc_matrix(  # scipy transposes a block in C; its one-byte values are dropped
            (np.ones(int(sizes.sum()), dtype=np.int8), rows_of(k, a, b), np.concatenate([[0], np.cumsum(sizes)])),
            shape=(n, b - a),
        ).tocsr()
        per_row = np.diff(block.indptr)
        out[np.repeat(cursor - block.indptr[:-1], per_row) + np.arange(block.nnz)] = block.indices + first
        cursor += per_row
    return indptr, out


def _segment_sums(values: npt.NDArray[Any], sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Sums of consecutive runs of ``values``, the i-th run ``sizes[i]`` long (0 for an empty run)."""
    out = np.zeros(len(sizes), dtype=np.float64)
    filled = sizes > 0
    if filled.any():
        out[filled] = np.add.reduceat(values, (np.cumsum(sizes) - sizes)[filled], dtype=np.float64)
    return out


def features(library: Library) -> Features:
    """The document-term matrix of the library's store version (built once, then kept)."""
    return library._once(("recommend", "features"), lambda: Features.build(library.term_index))


def background(library: Library, size: int = BACKGROUND) -> Rows:
    """The rows of the ``size`` papers whose id hashes lowest (ascending rows): a negative sample
    that depends on the papers, not on the collection or the table's order."""

    def compute() -> Rows:
        ids = library.dataset.table["id"].to_numpy(zero_copy_only=False).astype(object)
        hashes = pd.util.hash_array(ids)
        if len(hashes) <= size:
            return np.arange(len(hashes), dtype=np.int64)
        return np.sort(np.argpartition(hashes, size)[:size]).astype(np.int64)

    return library._once(("recommend", "background", size), compute)


# --- recommending -------------------------------------------------------------------------------------
def recommend(
    library: Library,
    positives: Collection[str],
    negatives: Collection[str] = (),
    since: dt.date | None = None,
    limit: int = 20,
    exclude: Collection[str] = (),
) -> pd.DataFrame:
    """The ``limit`` papers most like ``positives`` (ids: a collection's papers) and unlike
    ``negatives`` (its "not relevant" marks), best first, among the papers listed on or after
    ``since`` (None: any day) that are in none of ``positives``, ``negatives``, ``exclude``.

    Columns ``rank`` (1, 2, …), ``row`` (of the table), ``id``, ``title``, ``score`` (the
    SVM's decision value: above 0, on the collection's side), ``why`` (up to 5 terms, as the
    paper spells them, with the largest positive contributions to its score).  Empty when no
    positive is in the table.  Deterministic for a given table and input."""
    vectors = library.paper_vectors(wait=False)
    return rank(library, features(library), vectors, positives, negatives, since, limit, exclude)


def rank(
    library: Library,
    feats: Features,
    vectors: AnyVectors | None,
    positives: Collection[str],
    negatives: Collection[str] = (),
    since: dt.date | None = None,
    limit: int = 20,
    exclude: Collection[str] = (),
    settings: Settings = Settings(),
) -> pd.DataFrame:
    """:func:`recommend` with its parts given: the features, the vectors (None: words only) and
    the settings (the bench varies them)."""
    if limit < 1:
        raise RecommendError(f"A list of recommendations holds at least 1 paper (asked for {limit}).")
    ds = library.dataset
    positive = ds.rows_of(positives)
    if len(positive) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    negative = np.setdiff1d(ds.rows_of(negatives), positive)
    known = np.union1d(positive, negative)
    rest = np.setdiff1d(background(library, settings.background), known)
    vectors = vectors if settings.use_vectors else None
    coef, intercept = _fit(feats, vectors, positive, negative, rest, settings)
    candidates = _candidates(library, since, np.union1d(known, ds.rows_of(exclude)))
    text = coef[: feats.n_features] * feats.idf
    scores = feats.dot(candidates, text) * feats.inverse_norm[candidates] + intercept
    if vectors is not None and settings.vector_weight:
        meaning = (settings.vector_weight * coef[feats.n_features :]).astype(np.float32)
        shortlist = max(hybrid.SHORTLIST, 10 * limit)
        if not vectors.exact and len(candidates) > shortlist:
            # a corpus too large to read every vector (lib.search.hybrid.nearest): the meaning part
            # estimated from the reduced vectors, then the best scores computed exactly
            best = np.sort(_top(scores + vectors.estimate(meaning)[candidates], shortlist))
            candidates, scores = candidates[best], scores[best]
            scores += vectors.cosine(meaning, candidates)
        elif 4 * len(candidates) > feats.n_docs:  # most rows: one pass over the matrix, no copy of its rows
            scores += vectors.cosine(meaning)[candidates]
        else:
            scores += vectors.cosine(meaning, candidates)
    top = _top(scores, limit)
    rows = candidates[top]
    titles = ds.table["title"].take(pa.array(rows)).to_pylist() if len(rows) else []
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(rows) + 1, dtype=np.int64),
            "row": rows,
            "id": ds.table["id"].take(pa.array(rows)).to_pylist() if len(rows) else [],
            "title": titles,
            "score": scores[top].astype(np.float64),
            "why": explain(ds.table, feats, text, rows),
        },
        columns=COLUMNS,
    )


def _fit(
    feats: Features,
    vectors: AnyVectors | None,
    positive: Rows,
    negative: Rows,
    rest: Rows,
    settings: Settings,
) -> tuple[npt.NDArray[np.float64], float]:
    """The SVM's weights (features, then vector dimensions) and intercept."""
    from sklearn.svm import LinearSVC

    rows = np.concatenate([positive, negative, rest])
    x = feats.matrix(rows)
    if vectors is not None and settings.vector_weight:
        x = sp.hstack([x, sp.csr_matrix(settings.vector_weight * vectors.of(rows))], format="csr")
    y = np.concatenate([np.ones(len(positive)), np.zeros(len(negative) + len(rest))])
    weight = np.concatenate(
        [np.ones(len(positive)), np.full(len(negative), settings.sure_negative), np.ones(len(rest))]
    )
    if len(negative) + len(rest) == 0:  # a table of the collection only: nothing to tell apart
        return np.zeros(x.shape[1]), 0.0
    svm = LinearSVC(C=settings.c, class_weight="balanced", dual=True, max_iter=5_000, random_state=0)
    svm.fit(x, y, sample_weight=weight)
    return svm.coef_[0].astype(np.float64), float(svm.intercept_[0])


def _candidates(library: Library, since: dt.date | None, known: Rows) -> Rows:
    """Rows listed on or after ``since`` (every row when None), less ``known``."""
    n = library.dataset.table.num_rows
    keep = np.ones(n, dtype=bool)
    if since is not None:
        keep &= library.dataset.search_columns.days >= day_number(since)
    keep[known] = False
    return np.flatnonzero(keep).astype(np.int64)


def _top(scores: npt.NDArray[np.float64], limit: int) -> Rows:
    """Positions of the ``limit`` highest scores, best first (ties: the earlier position)."""
    if len(scores) > limit:
        part = np.argpartition(-scores, limit - 1)[:limit]
        threshold = scores[part].min()
        part = np.flatnonzero(scores >= threshold)  # every tie of the last place, so ties break by position
    else:
        part = np.arange(len(scores))
    order = np.lexsort((part, -scores[part]))
    return part[order][:limit].astype(np.int64)


# --- why: the terms that drove a recommendation -----------------------------------------------------
def explain(table: pa.Table, feats: Features, weights: npt.NDArray[Any], rows: Rows, top: int = WHY) -> list[list[str]]:
    """Per row, up to ``top`` terms with the largest positive ``weights`` (per feature, idf
    included) among its features that read as terms (:meth:`Features.readable`), as the paper
    writes them; a term that overlaps a heavier one shown (one holds the other's words) is left out."""
    if len(rows) == 0:
        return []
    papers = table.select(["title", "abstract", "keywords"]).take(pa.array(rows))
    texts = pc.binary_join_element_wise(
        *(pc.fill_null(field_text(papers, f), "") for f in ("title", "abstract", "keywords")), " . "
    ).to_pylist()
    out = []
    for row, text in zip(rows, texts):
        ids = feats.of(int(row))
        heaviest = ids[np.lexsort((ids, -weights[ids]))]
        spelled = Spellings(text)
        shown: list[str] = []
        held: list[tuple[str, ...]] = []  # the words of each term shown
        for j in heaviest[: np.count_nonzero(weights[heaviest] > 0)]:
            stems = feats.stems(int(j))
            if not feats.readable(stems):
                continue
            term = spelled.of(stems) or feats.terms.label(stems)
            key = tuple(words(term.replace("-", " ")))
            if any(_within(key, other) or _within(other, key) for other in held):
                continue
            shown.append(term)
            held.append(key)
            if len(shown) == top:
                break
        out.append(shown)
    return out


def _within(short: Sequence[str], long: Sequence[str]) -> bool:
    """Whether ``short`` is a run of consecutive words of ``long``."""
    k = len(short)
    return any(tuple(long[i : i + k]) == tuple(short) for i in range(len(long) - k + 1))


class Spellings:
    """How one paper's text spells its terms: a term's stems found as consecutive hyphen parts
    (``mixture-of-experts`` for mixture·of·expert) or whole tokens (``fine-tuned models`` for
    finetuned·model), shown as the paper writes them, in lower case unless a word has capitals
    after its first letter (``LLMs``, ``NeRF``)."""

    def __init__(self, text: str) -> None:
        folded = words(text)
        self.tokens = _original_case(text, folded)
        self.folded = folded
        # (stem, token, part) of every hyphen part, in reading order
        self.parts = [
            (stem(part), t, k)
            for t, token in enumerate(folded)
            for k, part in enumerate(p for p in token.split("-") if p)
        ]
        self.joined = [terms[0] if terms else "" for terms in (index_terms(token) for token in folded)]

    def of(self, stems: tuple[str, ...]) -> str | None:
        k = len(stems)
        for i in range(len(self.parts) - k + 1):
            if all(self.parts[i + m][0] == stems[m] for m in range(k)):
                return self._show_parts(self.parts[i : i + k])
        for t in range(len(self.joined) - k + 1):
            if tuple(self.joined[t : t + k]) == stems:
                return " ".join(_readable(self.tokens[u]) for u in range(t, t + k))
        return None

    def _show_parts(self, run: list[tuple[str, int, int]]) -> str:
        """Consecutive parts as written: a whole token as it stands, some of its parts joined by
        hyphens, tokens by spaces."""
        shown = []
        for t in dict.fromkeys(t for _, t, _ in run):
            token = self.tokens[t]
            parts = [p for p in token.split("-") if p]
            mine = [k for _, u, k in run if u == t]
            shown.append(_readable(token if len(mine) == len(parts) else "-".join(parts[k] for k in mine)))
        return " ".join(shown)


def _original_case(text: str, folded: list[str]) -> list[str]:
    """The tokens of ``text`` as written (ASCII text: folding only lower-cased it, so each folded
    token is found at the same place); otherwise the folded tokens."""
    if not text.isascii():
        return folded
    lowered, at, out = text.lower(), 0, []
    for token in folded:
        found = lowered.find(token, at)
        if found < 0:
            return folded
        out.append(text[found : found + len(token)])
        at = found + len(token)
    return out


def _readable(token: str) -> str:
    """A word as shown: each hyphen part kept when it has a capital after its first letter (an
    acronym, a name like NeRF), else in lower case (``Mixture-of-Experts`` -> ``mixture-of-experts``,
    ``GPT-4o`` stays)."""
    return "-".join(part if any(c.isupper() for c in part[1:]) else part.lower() for part in token.split("-"))
