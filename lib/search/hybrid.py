"""Search by meaning beside search by words: hybrid ranking, search by text, similar papers.

A query's lexical score is its BM25F score (lib.search.index); its semantic score is the
cosine of its vector with each paper's (lib.search.vectors).  The two live on different
scales, so each is min-max normalised over the candidates, then mixed by a convex
combination::

    fused = ALPHA * (bm25 - min) / (max - min) + (1 - ALPHA) * (cos - min) / (max - min)

ALPHA was chosen on a tuning split of the corpus's own known-item tasks and checked on a
separate test split (bench/bench_semantic.py).  Reciprocal rank fusion, the other common
choice, made title queries worse with this static encoder, and is not used.

Candidates: the papers a query matches (every word, as lexical search finds them) — the
first :data:`HEAD` of them by BM25F — plus the :data:`DEPTH` papers nearest to it by
meaning (:func:`nearest`) that the filters and exclusions allow, if they are at least :data:`MIN_COSINE` close;
when fewer than :data:`DEPTH` papers hold every word (a long query, a pasted sentence), also
the :data:`DEPTH` papers holding most of its words by BM25F.  Quotes and field prefixes ask for exactly
those words: such a query is only re-ranked, nothing joins it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from lib.search.analysis import STOP_WORDS, phrase_terms

if TYPE_CHECKING:
    import pyarrow as pa

    from lib.search.index import AnyIndex
    from lib.search.query import Query
    from lib.search.search import Columns, Filters
    from lib.search.vectors import AnyVectors

# weight of the lexical side, chosen on a tuning split of the corpus's known-item tasks (titles and
# held-out abstract sentences) and reported on another (bench/bench_semantic.py): a search, and a
# search by text (whose lexical side matches any of the text's words)
ALPHA = 0.8
TEXT_ALPHA = 0.7
DEPTH = 100  # papers nearest by meaning that join a query's matches, at most
# ... and only those at least this close (cosine): on the demo, a short query's cosine with a random
# paper is 0.12 at the median and 0.26 at the 95th percentile; with the paper it was drawn from, 0.42
MIN_COSINE = 0.3
HEAD = 1_000  # matches fused (by BM25F first); the rest follow in BM25F order, below them
TEXT_TERMS = 40  # a pasted text is matched by its this many most distinctive terms
SHORTLIST = 2_000  # papers whose cosine is computed, of a corpus too large to compute all (lib.search.vectors)
Rows = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float32]


@dataclass(frozen=True, eq=False)
class Meaning:
    """What search by meaning needs for one query: the papers' vectors and the query's."""

    vectors: AnyVectors
    query: npt.NDArray[np.float32]
    alpha: float = ALPHA
    depth: int = DEPTH
    floor: float = MIN_COSINE  # the least cosine of a paper that joins by meaning


def minmax(values: npt.NDArray[np.floating]) -> Scores:
    """``values`` scaled to 0–1 (all equal: 1 where positive, else 0)."""
    values = np.asarray(values, dtype=np.float32)
    if len(values) == 0:
        return values
    low, high = float(values.min()), float(values.max())
    if high > low:
        scaled: Scores = (values - low) / (high - low)
        return scaled
    return np.where(values > 0, 1.0, 0.0).astype(np.float32)


def fuse(lexical: npt.ArrayLike, semantic: npt.ArrayLike, alpha: float = ALPHA) -> Scores:
    """The hybrid score of candidates from their two scores (see the module docstring)."""
    return (alpha * minmax(np.asarray(lexical)) + (1 - alpha) * minmax(np.asarray(semantic))).astype(np.float32)


def lexical_scores(index: AnyIndex, terms: list[str], rows: Rows) -> Scores:
    """The BM25F score of ``terms`` (any of them) in each of ``rows`` (ascending)."""
    out = np.zeros(len(rows), dtype=np.float32)
    if len(rows) == 0:
        return out
    from lib.search.search import _positions

    for term in dict.fromkeys(terms):
        postings = index.scores(term)
        if postings.values is not None:
            hit, pos = _positions(rows, postings.rows)
            out[hit] += postings.values[pos[hit]]
    return out


def _any_words(
    index: AnyIndex, terms: list[str], top: int, allowed: npt.NDArray[np.bool_] | None = None
) -> tuple[Rows, Scores]:
    """The ``top`` papers (among ``allowed``) by BM25F over ``terms``, any of them matching: the
    lexical side of a search by text, or of a long query that few papers match word for word."""
    totals = np.zeros(index.n_docs, dtype=np.float32)
    for term in dict.fromkeys(terms):
        postings = index.scores(term)
        if len(postings.rows) and postings.values is not None:
            totals[postings.rows] += postings.values
    return _top(totals, top, allowed)


def nearest(
    vectors: AnyVectors, query: npt.NDArray[np.float32], top: int, allowed: npt.NDArray[np.bool_] | None = None
) -> tuple[Rows, Scores]:
    """The ``top`` papers (among ``allowed``) nearest to ``query`` by meaning, best first, with
    their cosines (positive ones only).  Every paper's cosine is computed when the vectors say
    so (``exact``: a corpus up to lib.search.vectors.EXACT_UP_TO) or few papers are allowed;
    otherwise every cosine is estimated from the reduced vectors and the :data:`SHORTLIST` best
    estimates (at least ``top``) are computed exactly."""
    if allowed is not None and np.count_nonzero(allowed) <= max(top, SHORTLIST):
        rows = np.flatnonzero(allowed)
        best, cosines = _top(vectors.cosine(query, rows), top)
        return rows[best], cosines
    if vectors.exact:
        return _top(vectors.cosine(query), top, allowed)
    shortlist = np.sort(_top(vectors.estimate(query), max(top, SHORTLIST), allowed)[0])
    best, cosines = _top(vectors.cosine(query, shortlist), top)
    return shortlist[best], cosines


def _top(scores: Scores, top: int, allowed: npt.NDArray[np.bool_] | None = None) -> tuple[Rows, Scores]:
    """Rows of the ``top`` highest positive scores (among ``allowed``), best first."""
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf).astype(np.float32)
    top = min(top, len(scores))
    if top <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    best = np.argpartition(-scores, top - 1)[:top] if top < len(scores) else np.arange(len(scores))
    best = best[np.argsort(-scores[best], kind="stable")]
    best = best[np.isfinite(scores[best]) & (scores[best] > 0)]
    return best.astype(np.int64), scores[best]


def text_terms(index: AnyIndex, text: str, limit: int = TEXT_TERMS) -> list[str]:
    """The ``limit`` most distinctive terms of a text (rarest in the index first; stop words
    and terms no paper has left out): what a pasted paragraph is matched by."""
    terms = [t for t in dict.fromkeys(phrase_terms(text)) if t not in STOP_WORDS]
    frequency = [(index.document_frequency(t), t) for t in terms]
    return [t for df, t in sorted(frequency) if df > 0][:limit]


def allowed_rows(
    index: AnyIndex, columns: Columns, filters: Filters, excluded: list[Rows] | None = None
) -> npt.NDArray[np.bool_] | None:
    """Per paper, whether the filters allow it and it holds no excluded word (None: all)."""
    from lib.search.search import _filter

    excluded = [rows for rows in excluded or [] if len(rows)]
    if not filters.active and not excluded:  # the common case: no per-paper work at all
        return None
    every = np.arange(index.n_docs, dtype=np.int64)
    kept, _ = _filter(every, np.zeros(len(every), dtype=np.float32), columns, index, filters)
    allowed = np.zeros(len(every), dtype=bool)
    allowed[kept] = True
    for rows in excluded:
        allowed[rows] = False
    return allowed


def fuse_matches(
    index: AnyIndex,
    columns: Columns,
    query: Query,
    filters: Filters,
    rows: Rows,
    scores: Scores,
    meaning: Meaning,
    excluded: list[Rows],
) -> tuple[Rows, Scores]:
    """A query's lexical matches (``rows`` ascending, their BM25F ``scores``), re-ranked by
    the fused score and joined by the papers nearest in meaning (see the module docstring).
    Returns rows ascending with their scores: the fused ones in 0–1, the matches beyond the
    head below them (BM25F order, scaled into -1–0)."""
    exact = any(c.phrase or c.field for g in query.groups for c in g)
    head = rows
    tail = np.empty(0, dtype=np.int64)
    if len(rows) > HEAD:  # the first HEAD matches by BM25F are fused; the others keep their order below
        cut = np.argpartition(-scores, HEAD - 1)[:HEAD]
        in_head = np.zeros(len(rows), dtype=bool)
        in_head[cut] = True
        head, tail = rows[in_head], rows[~in_head]
        tail_scores = scores[~in_head]
    near = np.empty(0, dtype=np.int64)
    terms = query.positive_terms
    if not exact and meaning.depth > 0:
        allowed = allowed_rows(index, columns, filters, excluded)
        near, near_cosine = nearest(meaning.vectors, meaning.query, meaning.depth, allowed)
        near = near[near_cosine >= meaning.floor]
        if len(rows) < meaning.depth:  # few papers hold every word (a long query): those holding most of them
            near = np.union1d(near, _any_words(index, terms, meaning.depth, allowed)[0])
    candidates = np.union1d(head, near)
    if len(candidates) == 0:
        return rows, scores
    lexical = lexical_scores(index, terms, candidates)
    fused = fuse(lexical, meaning.vectors.cosine(meaning.query, candidates), meaning.alpha)
    if len(tail) == 0:
        return candidates, fused
    below = (minmax(tail_scores) - 1.0).astype(np.float32) * 0.999  # strictly below the head's 0
    everything = np.concatenate([candidates, tail])
    order = np.argsort(everything, kind="stable")
    return everything[order], np.concatenate([fused, below])[order]


def query_text(query: Query) -> str:
    """The words of a query that say what it means (its positive clauses), as one text."""
    return " ".join(c.text for g in query.groups for c in g if c.field != "author")


# --- search by text: paste a paragraph, get the nearest papers ---------------------------------
def like_text(
    index: AnyIndex,
    vectors: AnyVectors | None,
    text: str,
    top: int,
    alpha: float = TEXT_ALPHA,
    allowed: npt.NDArray[np.bool_] | None = None,
) -> tuple[Rows, Scores]:
    """The ``top`` papers nearest to a text (an abstract, a paragraph): BM25F over its most
    distinctive terms (any of them) fused with the cosine of its vector; lexical only when
    there are no vectors (``vectors`` None) or ``alpha`` is 1.  Best first."""
    from lib.search.vectors import embed_one

    depth = max(top, DEPTH)
    terms = text_terms(index, text)
    lexical_rows, lexical = _any_words(index, terms, depth, allowed)
    if vectors is None or alpha >= 1:
        return lexical_rows[:top], minmax(lexical)[:top]
    query = embed_one(text)
    candidates = np.union1d(lexical_rows, nearest(vectors, query, depth, allowed)[0])
    fused = fuse(lexical_scores(index, terms, candidates), vectors.cosine(query, candidates), alpha)
    order = np.argsort(-fused, kind="stable")[:top]
    return candidates[order], fused[order]


# --- similar papers ---------------------------------------------------------------------------
# no term weighs more than this share of a paper's term vector (its norm): in "EnvHarness: Awakening
# Static Worlds…" the rare title word "awakening" was 34% of it, and four unrelated "Awakening…"
# papers were its nearest
TERM_CAP = 0.2
SIMILAR_ALPHA = 0.5  # weight of the term vectors (the rest: the vectors of meaning)
SIMILAR_TERMS = 25  # a paper is compared by its this many heaviest terms ("more like this")


def similar(
    index: AnyIndex,
    table: pa.Table,
    row: int,
    k: int = 10,
    vectors: AnyVectors | None = None,
    alpha: float = SIMILAR_ALPHA,
    cap: float = TERM_CAP,
) -> list[tuple[int, float]]:
    """The ``k`` papers most similar to paper ``row``, best first, with their similarity (0–1).

    The term side is the cosine of BM25F-weighted term vectors over the paper's
    :data:`SIMILAR_TERMS` heaviest terms, no term weighing more than :data:`TERM_CAP` of the
    vector (so one rare shared title word cannot make two papers alike); the meaning side is
    the cosine of their vectors (``cap`` 1: no cap).  Both are mixed by a weighted sum (``alpha``: the term side's
    weight) over the nearest :data:`DEPTH` papers of each side."""
    from lib.search.index import field_text
    from lib.search.search import _token_terms

    paper = table.slice(row, 1)
    text = " ".join(str(field_text(paper, f)[0]) for f in ("title", "abstract", "keywords"))
    terms = set(_token_terms(text))
    weights = sorted(((index.score_of(row, t), t) for t in terms), reverse=True)[:SIMILAR_TERMS]
    weights = [(w, t) for w, t in weights if w > 0]
    term_side = np.zeros(index.n_docs, dtype=np.float32)
    if weights:
        cap = cap * float(np.sqrt(sum(w * w for w, _ in weights)))
        weights = [(min(w, cap), t) for w, t in weights]
        norm = float(np.sqrt(sum(w * w for w, _ in weights)))
        row_norms = np.maximum(index.row_norms, 1e-9)
        for weight, term in weights:
            postings = index.scores(term)
            assert postings.values is not None
            term_side[postings.rows] += weight * postings.values / row_norms[postings.rows] / norm
    term_side[row] = -1
    depth = max(k, DEPTH)
    term_rows, _ = _top(term_side, depth)
    if vectors is None:
        return [(int(r), float(term_side[r])) for r in term_rows[:k]]
    vector = vectors.of([row])[0]
    meaning_rows, _ = nearest(vectors, vector, depth + 1)
    candidates = np.union1d(term_rows, meaning_rows[meaning_rows != row])
    if len(candidates) == 0:
        return []
    cosine = vectors.cosine(vector, candidates)
    mixed = alpha * np.clip(term_side[candidates], 0, 1) + (1 - alpha) * np.clip(cosine, 0, 1)
    order = np.argsort(-mixed, kind="stable")[:k]
    return [(int(candidates[i]), float(mixed[i])) for i in order if mixed[i] > 0]
