"""The search index: BM25F scores precomputed in one sparse matrix, built once per store version.

For every (paper, term) the BM25F score is fixed by the corpus, so it is computed
at build time::

    tf~(d, t) = sum over fields f of  w_f * tf_f(d, t) / (1 - b_f + b_f * len_f(d) / avglen_f)
    S[d, t]   = idf(t) * tf~ * (k1 + 1) / (tf~ + k1),   idf(t) = ln(1 + (N - df + .5) / (df + .5))

and a query's score is the sum of its terms' columns of ``S`` (CSC: a term's
papers are one contiguous, row-sorted slice).  Field presence matrices for titles
and authors serve ``title:`` and ``author:``; a category matrix serves the filter.

Biwords serve quoted phrases without reading the text: every pair of terms that stand
next to each other in a title, abstract or keyword (never across two fields or two
keywords), as the
key ``first_id << 32 | second_id`` (sorted, unique: ``B_keys``) with the papers holding
it (CSR: ``B_indptr``, ``B_indices``).  "Next to each other" is as the phrase regex of
lib.search.search sees it, where a hyphen is a word boundary: of two adjacent tokens, the
first's joined form or last part, then the second's joined form or first part
("pre-trained model": pretrained·model and trained·model); inside a hyphenated token,
each part and the next (pre·trained).
Everything is plain numpy arrays, saved as ``.npy`` files and memory-mapped on load.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from lib.artifacts import (
    EMPTY,
    Arrays,
    ArtifactFile,
    Part,
    Postings,
    SegmentedArtifact,
    join_postings,
    pack,
    stack,
    stack_size,
    unpack,
)
from lib.progress import Progress
from lib.search.analysis import index_terms, stem, tokenize
from lib.store.spill import Engine, Source, Spill, map_runs, materialize, ranges

if TYPE_CHECKING:
    from lib.dataset import Dataset
    from lib.store.store import Store

# BM25F: field weights (a title match counts most) and length normalisation per field.
FIELD_WEIGHTS = {"title": 3.0, "abstract": 1.0, "authors": 2.0, "keywords": 1.5}
FIELD_B = {"title": 0.5, "abstract": 0.75, "authors": 0.3, "keywords": 0.5}
K1 = 1.2
CHUNK = 100_000  # papers tokenised at once: bounds the memory of the token arrays
BIWORD_FIELDS = ("title", "abstract", "keywords")  # where a phrase of no field is looked for


def field_text(table: pa.Table, field: str, separator: str = " ; ") -> pa.ChunkedArray:
    """The searchable text of one field (list items joined with ``separator``)."""
    column = table[field]
    if pa.types.is_list(column.type):
        return pc.binary_join(column, separator)
    return column


class SearchIndex:
    """Sparse BM25F index over a paper table; see the module docstring.

    Build with :meth:`build` (or load arrays saved by :meth:`to_arrays`).  Instances
    are read-only and shared across sessions.
    """

    def __init__(self, arrays: Arrays) -> None:
        # plain ndarray views of memory maps: slicing np.memmap costs microseconds each time
        self.arrays = {key: np.asarray(value) for key, value in arrays.items()}
        self.n_docs = int(arrays["n_docs"][0])
        self.terms = unpack(arrays["vocabulary"])
        self.vocabulary = {term: j for j, term in enumerate(self.terms)}
        self.categories = unpack(arrays["categories"])
        self.category_ids = {name: j for j, name in enumerate(self.categories)}
        self.row_norms = arrays["row_norms"]
        self.build_seconds = float(arrays["build_seconds"][0])
        self.avglen = dict(zip(FIELD_WEIGHTS, map(float, arrays["avglen"])))

    # --- lookups ---------------------------------------------------------------------------
    def _column(self, prefix: str, j: int, values: bool = True) -> Postings:
        a = self.arrays
        start, stop = int(a[f"{prefix}_indptr"][j]), int(a[f"{prefix}_indptr"][j + 1])
        rows = a[f"{prefix}_indices"][start:stop]
        data = a[f"{prefix}_data"][start:stop] if values and f"{prefix}_data" in a else None
        return Postings(rows, data)

    def scores(self, term: str) -> Postings:
        """Papers containing ``term`` in any field, with its BM25F score in each."""
        j = self.vocabulary.get(term)
        return EMPTY if j is None else self._column("S", j)

    def in_field(self, field: str, term: str) -> Postings:
        """Papers whose ``field`` ("title" or "authors") contains ``term`` (rows only)."""
        j = self.vocabulary.get(term)
        return EMPTY if j is None else self._column({"title": "T", "authors": "A"}[field], j, values=False)

    def in_category(self, category: str) -> npt.NDArray[Any]:
        j = self.category_ids.get(category)
        return EMPTY.rows if j is None else self._column("C", j, values=False).rows

    def category_sizes(self) -> dict[str, int]:
        sizes = np.diff(self.arrays["C_indptr"])
        return dict(sorted(zip(self.categories, map(int, sizes)), key=lambda kv: -kv[1]))

    def document_frequency(self, term: str) -> int:
        j = self.vocabulary.get(term)
        return 0 if j is None else int(self.arrays["S_indptr"][j + 1] - self.arrays["S_indptr"][j])

    def vocabulary_frequencies(self) -> tuple[list[str], npt.NDArray[np.int64]]:
        """Every term and its document frequency (papers holding it), in vocabulary order:
        what a speller corrects a word to (lib.search.fuzzy)."""
        return self.terms, np.diff(self.arrays["S_indptr"]).astype(np.int64)

    def score_of(self, row: int, term: str) -> float:
        return _score_in(self.scores(term), row)

    def biword(self, first: str, second: str) -> Postings:
        """Papers where term ``second`` follows term ``first`` in a title, an abstract or the
        keywords (rows only; see the module docstring for "follows")."""
        i, j = self.vocabulary.get(first), self.vocabulary.get(second)
        if i is None or j is None:
            return Postings(EMPTY.rows)
        keys, key = self.arrays["B_keys"], _biword_key(i, j)
        at = int(np.searchsorted(keys, key))
        if at == len(keys) or keys[at] != key:
            return Postings(EMPTY.rows)
        return self._column("B", at, values=False)

    def to_arrays(self) -> Arrays:
        return self.arrays

    # --- building ----------------------------------------------------------------------------
    @classmethod
    def build(
        cls, table: pa.Table, progress: Progress | None = None, base: AnyIndex | None = None, budget: int | None = None
    ) -> SearchIndex:
        """Index every paper of ``table`` (rows in table order): :func:`build_arrays` over the
        table's slices, within ``budget`` bytes (lib.store.spill).

        With ``base`` (an index of the papers before these), the new papers are scored with
        the statistics of base and new papers together (document count, each term's
        document frequency, field lengths), so that a segment of a few new papers ranks
        fairly beside the base; the base keeps its own scores until the next full build."""
        with Spill(budget) as spill:
            return cls(materialize(build_arrays(Source.of_table(table), progress, spill, base=base)))


# --- building: a map over the table's parts, a reduce within a memory budget (lib.store.spill) -----
def map_chunk(table: pa.Table) -> dict[str, npt.NDArray[Any]]:
    """One part's run, with the part's own vocabulary (first appearance): per field the term
    counts (CSC over the part's terms: ``{field}_indptr``, ``_rows``, ``_counts``) and token
    lengths, each term's papers (``df``), the biwords (``B_first``, ``B_second``, ``B_rows``,
    sorted) and the categories (``C_names``, ``C_rows``, ``C_codes``).  Pure: a Spark worker runs it."""
    m = table.num_rows
    vocabulary: dict[str, int] = {}
    raw_cache: dict[str, _TokenIds] = {}
    tokens = {field: _field_tokens(table, field, vocabulary, raw_cache) for field in FIELD_WEIGHTS}
    v = len(vocabulary)
    run: dict[str, npt.NDArray[Any]] = {"n": np.array([m], dtype=np.int64)}
    union: sp.csc_matrix | None = None
    for field in FIELD_WEIGHTS:
        matrix, length = _field_counts(tokens[field], m, v)
        csc = matrix.tocsc()
        csc.sort_indices()
        run[f"{field}_indptr"] = csc.indptr.astype(np.int64)
        run[f"{field}_rows"] = csc.indices.astype(np.int32)
        run[f"{field}_counts"] = csc.data.astype(np.float32)
        run[f"{field}_len"] = length
        union = csc if union is None else union + csc
    assert union is not None
    run["df"] = np.diff(union.indptr).astype(np.int64)
    keys, rows = _unique_pairs([_biwords(tokens[f]) for f in BIWORD_FIELDS], v, m)
    run["B_first"], run["B_second"] = (keys >> 32).astype(np.int32), (keys & 0xFFFFFFFF).astype(np.int32)
    run["B_rows"] = rows.astype(np.int32)
    column = table["categories"].combine_chunks() if m else pa.array([], pa.list_(pa.string()))
    encoded = pc.dictionary_encode(pc.list_flatten(column))
    run["C_names"] = pack(encoded.dictionary.to_pylist())
    run["C_rows"] = pc.list_parent_indices(column).to_numpy().astype(np.int32)
    run["C_codes"] = encoded.indices.to_numpy().astype(np.int32)
    terms = [""] * v
    for term, j in vocabulary.items():
        terms[j] = term
    run["vocabulary"] = pack(terms)
    return run


MERGE_BYTES_PER_POSTING = 64  # what merging one posting holds at once (its pieces, the sort, the copies)


def build_arrays(
    source: Source,
    progress: Progress | None,
    spill: Spill,
    engine: Engine | None = None,
    base: AnyIndex | None = None,
) -> dict[str, Any]:
    """The search index of ``source``'s rows (see the module docstring) as arrays: runs mapped
    from each part (:func:`map_chunk`), then reduced in row order: the global vocabulary (a
    term's id is its first appearance) and statistics, each run's BM25F scores in global term
    order, and the columns merged a range of terms at a time into ``spill``'s outputs."""
    started = time.perf_counter()

    def report(step: str, share: float) -> None:
        if progress:
            progress(step, share)

    offsets = map_runs(
        source, map_chunk, spill, (lambda s, d: report(s, 0.6 * d)) if progress else None, "search index: ", engine
    )
    n = source.n_rows
    # pass 1: the global vocabulary, document frequencies, field lengths, categories
    vocabulary: dict[str, int] = {}
    remaps: list[npt.NDArray[np.int64]] = []
    df = np.zeros(0, dtype=np.int64)
    first_pairs = np.zeros(0, dtype=np.int64)  # biwords per first term (the biwords' merge ranges)
    lengths = {field: np.zeros(n, dtype=np.float32) for field in FIELD_WEIGHTS}
    categories: dict[str, int] = {}
    category_rows, category_codes = [], []
    for i, offset in enumerate(offsets):
        wanted = ("n", "vocabulary", "df", "B_first", "C_names", "C_rows", "C_codes")
        run = spill.get(f"run-{i}", (*wanted, *(f"{field}_len" for field in FIELD_WEIGHTS)))
        m = int(run["n"][0])
        remap = np.fromiter(
            (vocabulary.setdefault(t, len(vocabulary)) for t in unpack(run["vocabulary"])), dtype=np.int64
        )
        remaps.append(remap)
        df = np.pad(df, (0, len(vocabulary) - len(df)))
        df[remap] += run["df"]
        first_pairs = np.pad(first_pairs, (0, len(vocabulary) - len(first_pairs)))
        first_pairs[remap] += np.bincount(run["B_first"], minlength=len(remap))
        for field in FIELD_WEIGHTS:
            lengths[field][offset : offset + m] = run[f"{field}_len"]
        names = np.array([categories.setdefault(c, len(categories)) for c in unpack(run["C_names"])], dtype=np.int64)
        category_rows.append(run["C_rows"].astype(np.int64) + offset)
        category_codes.append(names[run["C_codes"]] if len(names) else run["C_codes"].astype(np.int64))
    n_terms = len(vocabulary)
    avglen: dict[str, float] = {}
    for field in FIELD_WEIGHTS:
        avg = lengths[field].mean() if n and lengths[field].mean() > 0 else 1.0
        avglen[field] = float(base.avglen[field] if base is not None else avg)
    terms = [""] * n_terms
    for term, j in vocabulary.items():
        terms[j] = term
    if base is None:
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
    else:  # the new papers' scores use the statistics of base and new papers together
        total_df = df + np.array([base.document_frequency(t) for t in terms], dtype=np.int64)
        idf = np.log1p((n + base.n_docs - total_df + 0.5) / (total_df + 0.5)).astype(np.float32)
    cap = max(spill.budget // 4 // MERGE_BYTES_PER_POSTING, 1)  # a range merged: a quarter of the budget
    term_edges, pair_edges = ranges(df, cap), ranges(first_pairs, cap)
    # pass 2: each run's scores (as a whole build would compute them) in global term order
    row_norms = np.zeros(n, dtype=np.float64)
    cuts: list[dict[str, npt.NDArray[np.int64]]] = []
    for i, offset in enumerate(offsets):
        run = spill.get(f"run-{i}")
        spill.drop(f"run-{i}")
        m, remap = int(run["n"][0]), remaps[i]
        shape = (m, len(remap))
        tf: sp.csc_matrix | None = None
        presence = {}
        for field, weight in FIELD_WEIGHTS.items():
            counts, rows = run[f"{field}_counts"], run[f"{field}_rows"]
            matrix = sp.csc_matrix((counts, rows, run[f"{field}_indptr"]), shape=shape)
            b = FIELD_B[field]
            norm = (weight / (1 - b + b * lengths[field][offset : offset + m] / avglen[field])).astype(np.float32)
            part = sp.csc_matrix((norm[rows] * counts, rows, run[f"{field}_indptr"]), shape=shape)
            tf = part if tf is None else tf + part
            if field in ("title", "authors"):
                presence[field] = matrix
        assert tf is not None
        tf = tf.tocsc()
        tf.sort_indices()
        sorted_run = {}
        by_term = np.argsort(remap)  # the run's columns in global term order (each keeps its rows)
        for name, matrix in (("S", tf), ("T", presence["title"]), ("A", presence["authors"])):
            sizes = np.diff(matrix.indptr)[by_term]
            order = _ranges(matrix.indptr[:-1][by_term], sizes)
            global_terms = np.repeat(remap[by_term], sizes)
            sorted_run[f"{name}_terms"] = global_terms.astype(np.int32)
            sorted_run[f"{name}_rows"] = (matrix.indices[order] + offset).astype(np.int32)
            if name == "S":
                data = matrix.data[order]
                data = (idf[global_terms] * data * (K1 + 1) / (data + K1)).astype(np.float32)
                sorted_run["S_data"] = data
                row_norms += np.bincount(sorted_run["S_rows"], weights=data.astype(np.float64) ** 2, minlength=n)
        # biwords: one block of rows per local pair (ascending), the blocks put in global key order
        first, second = run["B_first"], run["B_second"]
        starts = np.flatnonzero(np.r_[True, (first[1:] != first[:-1]) | (second[1:] != second[:-1])])
        starts = starts if len(first) else starts[:0]
        block_keys = _biword_key(remap[first[starts]], remap[second[starts]])
        blocks = np.argsort(block_keys)
        sizes = np.diff(np.r_[starts, len(first)])[blocks]
        sorted_run["B_keys"] = np.repeat(block_keys[blocks], sizes)
        sorted_run["B_rows"] = (run["B_rows"][_ranges(starts[blocks], sizes)] + offset).astype(np.int32)
        cuts.append(
            {
                "term": np.searchsorted(sorted_run["S_terms"], term_edges),
                "T": np.searchsorted(sorted_run["T_terms"], term_edges),
                "A": np.searchsorted(sorted_run["A_terms"], term_edges),
                "B": np.searchsorted(sorted_run["B_keys"], pair_edges << 32),
            }
        )
        spill.put(f"sorted-{i}", sorted_run)
        del run, tf, presence, sorted_run
        report("search index: scoring", 0.6 + 0.25 * (i + 1) / max(len(offsets), 1))
    # pass 3: merge the runs a range of terms at a time (runs are in row order: a stable sort by
    # term keeps each column's rows ascending)
    outputs = {
        "S_indices": spill.output("S_indices", np.int32),
        "S_data": spill.output("S_data", np.float32),
        "T_indices": spill.output("T_indices", np.int32),
        "A_indices": spill.output("A_indices", np.int32),
        "B_keys": spill.output("B_keys", np.int64),
        "B_indptr": spill.output("B_indptr", np.int64),
        "B_indices": spill.output("B_indices", np.int32),
    }
    sizes = {"T": np.zeros(n_terms, dtype=np.int64), "A": np.zeros(n_terms, dtype=np.int64)}
    runs = range(len(offsets))

    def gather(kind: str, cut: str, b: int, columns: tuple[str, ...]) -> list[npt.NDArray[Any]]:
        pieces = [
            [spill.part(f"sorted-{i}", f"{kind}_{c}", int(cuts[i][cut][b]), int(cuts[i][cut][b + 1])) for c in columns]
            for i in runs
        ]
        return [
            np.concatenate([p[k] for p in pieces]) if pieces else np.empty(0, dtype=np.int64)
            for k in range(len(columns))
        ]

    for b in range(len(term_edges) - 1):
        for kind, cut, columns in (
            ("S", "term", ("terms", "rows", "data")),
            ("T", "T", ("terms", "rows")),
            ("A", "A", ("terms", "rows")),
        ):
            got = gather(kind, cut, b, columns)
            order = np.argsort(got[0], kind="stable")
            if kind == "S":
                outputs["S_indices"].append(got[1][order])
                outputs["S_data"].append(got[2][order])
            else:
                outputs[f"{kind}_indices"].append(got[1][order])
                sizes[kind] += np.bincount(got[0], minlength=n_terms)
        report("search index: merging", 0.85 + 0.1 * (b + 1) / max(len(term_edges) - 1, 1))
    outputs["B_indptr"].append([0])
    done = 0
    for b in range(len(pair_edges) - 1):
        keys, rows = gather("B", "B", b, ("keys", "rows"))
        order = np.argsort(keys, kind="stable")
        keys, rows = keys[order], rows[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.empty(0, np.int64)
        outputs["B_keys"].append(keys[starts])
        outputs["B_indptr"].append(done + np.cumsum(np.diff(np.r_[starts, len(keys)])))
        outputs["B_indices"].append(rows)
        done += len(keys)
    for i in runs:
        spill.drop(f"sorted-{i}")
    rows_all = np.concatenate(category_rows) if category_rows else np.empty(0, dtype=np.int64)
    codes_all = np.concatenate(category_codes) if category_codes else np.empty(0, dtype=np.int64)
    matrix = sp.csc_matrix(
        (np.ones(len(codes_all), dtype=np.float32), (rows_all, codes_all)), shape=(n, len(categories))
    )
    matrix.sum_duplicates()
    matrix.sort_indices()
    arrays: dict[str, Any] = {name: output.result() for name, output in outputs.items()}
    arrays.update(
        {
            "n_docs": np.array([n], dtype=np.int64),
            "S_indptr": np.r_[0, np.cumsum(df)].astype(np.int64),
            "vocabulary": pack(terms),
            "categories": pack(list(categories)),
            "C_indptr": matrix.indptr.astype(np.int64),
            "C_indices": matrix.indices.astype(np.int32),
            "row_norms": np.sqrt(row_norms).astype(np.float32),
            "avglen": np.array([avglen[f] for f in FIELD_WEIGHTS], dtype=np.float64),
            "T_indptr": np.r_[0, np.cumsum(sizes["T"])].astype(np.int64),
            "A_indptr": np.r_[0, np.cumsum(sizes["A"])].astype(np.int64),
            "build_seconds": np.array([time.perf_counter() - started]),
        }
    )
    return arrays


def _score_in(postings: Postings, row: int) -> float:
    """The value of ``row`` in ``postings`` (0 when it is not there)."""
    pos = int(np.searchsorted(postings.rows, row))
    if postings.values is not None and pos < len(postings.rows) and postings.rows[pos] == row:
        return float(postings.values[pos])
    return 0.0


def _widen(matrix: sp.csr_matrix, n_terms: int) -> sp.csr_matrix:
    """A chunk's matrix with as many columns as the final vocabulary."""
    return sp.csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], n_terms))


@dataclass(slots=True)
class _TokenIds:
    """One distinct raw token's term ids: the terms it is indexed under (joined form first,
    :func:`lib.search.analysis.index_terms`) and the term of each of its parts, in order."""

    terms: npt.NDArray[np.int32]
    parts: npt.NDArray[np.int32]


def _token_ids(token: str, vocabulary: dict[str, int]) -> _TokenIds:
    terms = np.array([vocabulary.setdefault(t, len(vocabulary)) for t in index_terms(token)], dtype=np.int32)
    parts = [p for p in token.split("-") if p]
    if len(parts) == 1:
        return _TokenIds(terms, terms)
    return _TokenIds(terms, np.array([vocabulary[stem(p)] for p in parts], dtype=np.int32))


@dataclass
class _Tokens:
    """One field of a chunk, tokenised: the row of each token (reading order), the code of
    each token (its distinct raw token), the term ids of each distinct raw token, and the
    stretch of text each token stands in (the row, or a list's item: no biword spans two)."""

    rows: npt.NDArray[np.int64]
    codes: npt.NDArray[np.int64]
    ids: list[_TokenIds]
    runs: npt.NDArray[np.int64]


def _tokens(
    strings: pa.Array | pa.ChunkedArray, vocabulary: dict[str, int], raw_cache: dict[str, _TokenIds]
) -> _Tokens:
    """Tokenise a field (Python runs once per distinct raw token, ever: ``raw_cache``)."""
    rows, raw = tokenize(strings)
    if len(raw) == 0:
        return _Tokens(rows, np.empty(0, dtype=np.int64), [], rows)
    encoded = pc.dictionary_encode(raw)
    ids = []
    for token in encoded.dictionary.to_pylist():
        cached = raw_cache.get(token)
        if cached is None:
            cached = raw_cache[token] = _token_ids(token, vocabulary)
        ids.append(cached)
    return _Tokens(rows, encoded.indices.to_numpy().astype(np.int64), ids, rows)


def _field_tokens(chunk: pa.Table, field: str, vocabulary: dict[str, int], raw_cache: dict[str, _TokenIds]) -> _Tokens:
    """A field's tokens; a list's items (keywords, authors) tokenised one by one, so that a
    phrase never runs from one item into the next ("…Models ; Reinforcement Learning")."""
    column = chunk[field]
    if not pa.types.is_list(column.type):
        return _tokens(column, vocabulary, raw_cache)
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    tokens = _tokens(pc.list_flatten(column), vocabulary, raw_cache)
    parents = pc.list_parent_indices(column).to_numpy().astype(np.int64)
    return _Tokens(parents[tokens.rows], tokens.codes, tokens.ids, tokens.rows)


def _ranges(starts: npt.NDArray[np.int64], sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``starts[0] .. starts[0] + sizes[0] - 1``, then the next range, ... as one array."""
    offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    ranges: npt.NDArray[np.int64] = np.repeat(starts, sizes) + offsets
    return ranges


def _flat(
    arrays: list[npt.NDArray[np.int32]],
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Small arrays of term ids as one, where each starts in it, and their sizes."""
    sizes = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
    flat = np.concatenate(arrays) if arrays else np.empty(0, dtype=np.int32)
    return flat, np.cumsum(sizes) - sizes, sizes


def _field_counts(tokens: _Tokens, n_rows: int, n_terms: int) -> tuple[sp.csr_matrix, npt.NDArray[np.float32]]:
    """Term counts (rows x vocabulary so far) and token lengths of one field of a chunk."""
    rows, codes = tokens.rows, tokens.codes
    length = np.bincount(rows, minlength=n_rows).astype(np.float32)
    if len(codes) == 0:
        return sp.csr_matrix((n_rows, n_terms), dtype=np.float32), length
    flat_ids, starts, sizes = _flat([t.terms for t in tokens.ids])
    n_distinct = len(tokens.ids)
    # (row, raw code) pairs with counts, then expanded to (row, term) pairs
    key = rows * n_distinct + codes
    unique_keys, pair_counts = np.unique(key, return_counts=True)
    pair_rows, pair_codes = np.divmod(unique_keys, n_distinct)
    repeat = sizes[pair_codes]
    out_rows = np.repeat(pair_rows, repeat)
    out_terms = flat_ids[_ranges(starts[pair_codes], repeat)]
    out_counts = np.repeat(pair_counts, repeat).astype(np.float32)
    matrix = sp.csr_matrix((out_counts, (out_rows, out_terms)), shape=(n_rows, n_terms))
    matrix.sum_duplicates()
    return matrix, length


Pairs: TypeAlias = tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int64]]  # first, second, row


def _biwords(tokens: _Tokens) -> Pairs:
    """Every biword of one field of a chunk as (first term, second term, row), repeats
    included (see the module docstring): adjacent tokens of a row, parts inside a token."""
    rows, codes, runs = tokens.rows, tokens.codes, tokens.runs
    if len(codes) == 0:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int32), rows
    parts, starts, sizes = _flat([t.parts for t in tokens.ids])
    joined = np.fromiter((t.terms[0] for t in tokens.ids), dtype=np.int32, count=len(tokens.ids))
    first, last = parts[starts], parts[starts + sizes - 1]
    follows = np.flatnonzero(runs[1:] == runs[:-1])  # token i + 1 follows token i in the same text
    left, right, at = codes[follows], codes[follows + 1], rows[follows]
    # a hyphenated token stands in a phrase also by its last part (left) or first part (right)
    split_left, split_right = (last != joined)[left], (first != joined)[right]
    both = split_left & split_right
    pairs = [
        (joined[left], joined[right], at),
        (joined[left[split_right]], first[right[split_right]], at[split_right]),
        (last[left[split_left]], joined[right[split_left]], at[split_left]),
        (last[left[both]], first[right[both]], at[both]),
    ]
    inner = (sizes - 1)[codes]  # pairs of parts inside each token
    hyphenated = np.flatnonzero(inner)
    if len(hyphenated):
        count = inner[hyphenated]
        position = _ranges(starts[codes[hyphenated]], count)
        pairs.append((parts[position], parts[position + 1], np.repeat(rows[hyphenated], count)))
    return (
        np.concatenate([p[0] for p in pairs]),
        np.concatenate([p[1] for p in pairs]),
        np.concatenate([p[2] for p in pairs]),
    )


def _biword_key(first: Any, second: Any) -> Any:
    """The key of a biword (term ids, scalars or arrays): ``first << 32 | second``."""
    return (np.asarray(first, dtype=np.int64) << 32) | np.asarray(second, dtype=np.int64)


def _unique_pairs(pairs: list[Pairs], n_terms: int, n_rows: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The (key, row) of each biword of a chunk once, sorted by key, then row: one sort of
    ``(first * n_terms + second) * n_rows + row`` (a lexicographic sort when that could overflow;
    not np.unique: in numpy 2.4 it hashes, 20x slower than a sort here)."""
    first, second, rows = (np.concatenate([p[i] for p in pairs]) for i in range(3))
    if n_terms * n_terms * max(n_rows, 1) < 2**63:
        code = np.sort((first.astype(np.int64) * n_terms + second) * n_rows + rows)
        code = code[np.concatenate(([True], code[1:] != code[:-1]))] if len(code) else code
        pair, rows = np.divmod(code, n_rows)
        first, second = np.divmod(pair, n_terms)
    else:  # (tens of millions of terms)
        order = np.lexsort((rows, second, first))
        first, second, rows = first[order], second[order], rows[order]
        new = np.ones(len(rows), dtype=bool)
        new[1:] = (first[1:] != first[:-1]) | (second[1:] != second[:-1]) | (rows[1:] != rows[:-1])
        first, second, rows = first[new], second[new], rows[new]
    return _biword_key(first, second), rows


# --- segments: a base index plus small indexes of the papers imported since --------------------------
class SegmentedIndex:
    """A base index plus segments of papers imported since, searched as one (the interface
    of :class:`SearchIndex`).  A daily import adds a small segment instead of rebuilding:
    new papers, and papers whose text it changed (their old postings are then ignored)."""

    def __init__(self, parts: list[Part[SearchIndex]]) -> None:
        self.parts = stack(parts)
        self.n_docs = stack_size(self.parts)
        self.row_norms = np.zeros(self.n_docs, dtype=np.float32)
        for part in self.parts:  # later segments overwrite the rows they re-indexed
            self.row_norms[part.all_rows()] = part.index.row_norms
        self.avglen = parts[0].index.avglen
        self.build_seconds = sum(p.index.build_seconds for p in parts)

    def scores(self, term: str) -> Postings:
        return join_postings(self.parts, lambda index: index.scores(term))

    def in_field(self, field: str, term: str) -> Postings:
        return join_postings(self.parts, lambda index: index.in_field(field, term))

    def in_category(self, category: str) -> npt.NDArray[Any]:
        return join_postings(self.parts, lambda index: Postings(index.in_category(category))).rows

    def category_sizes(self) -> dict[str, int]:
        names = {name for part in self.parts for name in part.index.categories}
        return dict(sorted(((name, len(self.in_category(name))) for name in names), key=lambda kv: -kv[1]))

    def document_frequency(self, term: str) -> int:
        return sum(p.index.document_frequency(term) for p in self.parts)

    def vocabulary_frequencies(self) -> tuple[list[str], npt.NDArray[np.int64]]:
        """Every term of any part and its document frequency summed over the parts (a paper a
        segment re-indexed counts twice: a spelling weight, not a count to show)."""
        base_terms, base_df = self.parts[0].index.vocabulary_frequencies()
        terms, extra = list(base_terms), list[int]()
        df = base_df.copy()
        ids = self.parts[0].index.vocabulary
        added: dict[str, int] = {}
        for part in self.parts[1:]:  # segments are small: a loop over their terms
            for term, count in zip(*part.index.vocabulary_frequencies()):
                j = ids.get(term)
                if j is not None:
                    df[j] += count
                elif term in added:
                    extra[added[term]] += int(count)
                else:
                    added[term] = len(extra)
                    extra.append(int(count))
                    terms.append(term)
        return terms, np.concatenate([df, np.array(extra, dtype=np.int64)])

    def score_of(self, row: int, term: str) -> float:
        return _score_in(self.scores(term), row)

    def biword(self, first: str, second: str) -> Postings:
        return join_postings(self.parts, lambda index: index.biword(first, second))


AnyIndex: TypeAlias = SearchIndex | SegmentedIndex  # what a search reads: either answers the same


# a search index up to this size is read into memory on load: the first searches of a fresh
# server then run as fast as later ones (at 75k papers it is ~100 MB; at 1M, 1.3 GB stays mapped)
PRELOAD_BYTES = 256 * 2**20
ARTIFACT = "search"
# 2: field lengths kept, for segments of new papers; 3: strings by lib.artifacts.pack; 4: biwords (phrases);
# 5: terms of runs of hyphen parts ("fine-tuning" in "fine-tuning-based"), biwords within one list item
FORMAT_VERSION = 5


class SearchIndexes(SegmentedArtifact[SearchIndex, SegmentedIndex]):
    """The search index of a store version: whole, or a base and the segments daily imports
    added (see lib.artifacts).  A segment's papers are scored with the statistics of the
    base and the segment together."""

    file = ArtifactFile(
        ARTIFACT,
        FORMAT_VERSION,
        (
            "n_docs",
            "S_indptr",
            "S_indices",
            "S_data",
            "vocabulary",
            "categories",
            "C_indptr",
            "C_indices",
            "row_norms",
            "T_indptr",
            "T_indices",
            "A_indptr",
            "A_indices",
            "build_seconds",
            "avglen",
            "B_keys",
            "B_indptr",
            "B_indices",
        ),
    )
    preload_bytes = PRELOAD_BYTES

    def from_arrays(self, arrays: Arrays) -> SearchIndex:
        return SearchIndex(arrays)

    def build(self, table: pa.Table, progress: Progress | None = None) -> SearchIndex:
        return SearchIndex.build(table, progress)

    def build_arrays(
        self, source: Source, progress: Progress | None, spill: Spill, engine: Engine | None = None
    ) -> Arrays:
        return build_arrays(source, progress, spill, engine)

    def build_segment(self, table: pa.Table, base: AnyIndex) -> SearchIndex:
        return SearchIndex.build(table, base=base)

    def join(self, parts: list[Part[SearchIndex]]) -> SegmentedIndex:
        return SegmentedIndex(parts)


INDEXES = SearchIndexes()


def load_or_build(store: Store, dataset: Dataset, progress: Progress | None = None, rebuild: bool = False) -> AnyIndex:
    """The dataset's search index (see lib.artifacts.SegmentedArtifact.load_or_build)."""
    return INDEXES.load_or_build(store, dataset, progress, rebuild)
