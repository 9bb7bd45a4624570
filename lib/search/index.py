"""The search index: BM25F scores precomputed in one sparse matrix, built once per store version.

For every (paper, term) the BM25F score is fixed by the corpus, so it is computed
at build time::

    tf~(d, t) = sum over fields f of  w_f * tf_f(d, t) / (1 - b_f + b_f * len_f(d) / avglen_f)
    S[d, t]   = idf(t) * tf~ * (k1 + 1) / (tf~ + k1),   idf(t) = ln(1 + (N - df + .5) / (df + .5))

and a query's score is the sum of its terms' columns of ``S`` (CSC: a term's
papers are one contiguous, row-sorted slice).  Field presence matrices for titles
and authors serve ``title:`` and ``author:``; a category matrix serves the filter.
Everything is plain numpy arrays, saved as ``.npy`` files and memory-mapped on load.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from lib.progress import Progress
from lib.search.analysis import index_terms, tokenize
from lib.store.schema import take_table

# BM25F: field weights (a title match counts most) and length normalisation per field.
FIELD_WEIGHTS = {"title": 3.0, "abstract": 1.0, "authors": 2.0, "keywords": 1.5}
FIELD_B = {"title": 0.5, "abstract": 0.75, "authors": 0.3, "keywords": 0.5}
K1 = 1.2
CHUNK = 100_000  # papers tokenised at once: bounds the memory of the token arrays
FORMAT_VERSION = 2  # 2: field lengths kept, for segments of new papers


def field_text(table: pa.Table, field: str) -> pa.ChunkedArray:
    """The searchable text of one field (lists joined with ' ; ')."""
    column = table[field]
    if pa.types.is_list(column.type):
        return pc.binary_join(column, " ; ")
    return column


def _encode_strings(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    blob = "\x00".join(strings).encode("utf-8")
    return np.frombuffer(blob, dtype=np.uint8).copy(), np.array([len(strings)], dtype=np.int64)


def _decode_strings(blob: np.ndarray, count: np.ndarray) -> list[str]:
    if int(count[0]) == 0:
        return []
    return bytes(blob).decode("utf-8").split("\x00")


@dataclass
class Postings:
    """One column of a CSC matrix: the rows holding a term, ascending, and their values."""

    rows: np.ndarray
    values: np.ndarray | None = None


EMPTY = Postings(np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32))


class SearchIndex:
    """Sparse BM25F index over a paper table; see the module docstring.

    Build with :meth:`build` (or load arrays saved by :meth:`to_arrays`).  Instances
    are read-only and shared across sessions.
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        # plain ndarray views of memory maps: slicing np.memmap costs microseconds each time
        self.arrays = {key: np.asarray(value) for key, value in arrays.items()}
        self.n_docs = int(arrays["n_docs"][0])
        self.terms = _decode_strings(arrays["vocab_blob"], arrays["vocab_count"])
        self.vocabulary = {term: j for j, term in enumerate(self.terms)}
        self.categories = _decode_strings(arrays["cat_blob"], arrays["cat_count"])
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

    def in_category(self, category: str) -> np.ndarray:
        j = self.category_ids.get(category)
        return EMPTY.rows if j is None else self._column("C", j, values=False).rows

    def category_sizes(self) -> dict[str, int]:
        sizes = np.diff(self.arrays["C_indptr"])
        return dict(sorted(zip(self.categories, map(int, sizes)), key=lambda kv: -kv[1]))

    def document_frequency(self, term: str) -> int:
        j = self.vocabulary.get(term)
        return 0 if j is None else int(self.arrays["S_indptr"][j + 1] - self.arrays["S_indptr"][j])

    def score_of(self, row: int, term: str) -> float:
        postings = self.scores(term)
        pos = np.searchsorted(postings.rows, row)
        if pos < len(postings.rows) and postings.rows[pos] == row:
            return float(postings.values[pos])
        return 0.0

    def to_arrays(self) -> dict[str, np.ndarray]:
        return self.arrays

    # --- building ----------------------------------------------------------------------------
    @classmethod
    def build(cls, table: pa.Table, progress: Progress | None = None, base=None) -> SearchIndex:
        """Index every paper of ``table`` (rows in table order).

        With ``base`` (an index of the papers before these), the new papers are scored with
        the statistics of base and new papers together (document count, each term's
        document frequency, field lengths), so that a segment of a few new papers ranks
        fairly beside the base; the base keeps its own scores until the next full build."""
        started = time.perf_counter()
        n = table.num_rows
        vocabulary: dict[str, int] = {}
        raw_cache: dict[str, np.ndarray] = {}
        counts: dict[str, list[sp.csr_matrix]] = {f: [] for f in FIELD_WEIGHTS}
        lengths: dict[str, list[np.ndarray]] = {f: [] for f in FIELD_WEIGHTS}
        steps = max(1, -(-n // CHUNK)) * len(FIELD_WEIGHTS)
        done = 0
        for start in range(0, max(n, 1), CHUNK):
            chunk = table.slice(start, CHUNK)
            for field in FIELD_WEIGHTS:
                matrix, length = _field_counts(field_text(chunk, field), chunk.num_rows, vocabulary, raw_cache)
                counts[field].append(matrix)
                lengths[field].append(length)
                done += 1
                if progress:
                    progress(f"indexing {field} of papers {start + 1:,}–{start + chunk.num_rows:,}", done / steps)
        n_terms = len(vocabulary)
        tf = None
        presence = {}
        avglen: dict[str, float] = {}
        for field, weight in FIELD_WEIGHTS.items():
            matrix = (
                sp.vstack([_widen(m, n_terms) for m in counts[field]], format="csr")
                if n
                else sp.csr_matrix((0, n_terms))
            )
            length = np.concatenate(lengths[field]) if n else np.zeros(0)
            avg = length.mean() if n and length.mean() > 0 else 1.0
            if base is not None:
                avg = base.avglen[field]
            avglen[field] = float(avg)
            norm = weight / (1 - FIELD_B[field] + FIELD_B[field] * length / avg)
            part = sp.diags(norm.astype(np.float32)) @ matrix
            tf = part if tf is None else tf + part
            if field in ("title", "authors"):
                presence[field] = matrix.tocsc()
        if progress:
            progress("weighting terms", 0.95)
        tf = tf.tocsc()
        tf.sort_indices()
        df = np.diff(tf.indptr)
        if base is None:
            idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        else:  # the new papers' scores use the statistics of base and new papers together
            terms_in_order = sorted(vocabulary, key=vocabulary.get)
            total_df = df + np.array([base.document_frequency(t) for t in terms_in_order], dtype=np.int64)
            total = n + base.n_docs
            idf = np.log1p((total - total_df + 0.5) / (total_df + 0.5)).astype(np.float32)
        term_of_entry = np.repeat(np.arange(n_terms), df)
        tf.data = (idf[term_of_entry] * tf.data * (K1 + 1) / (tf.data + K1)).astype(np.float32)
        row_norms = np.sqrt(np.asarray(tf.multiply(tf).sum(axis=1)).ravel()).astype(np.float32)
        categories = _category_matrix(table)
        terms = [""] * n_terms
        for term, j in vocabulary.items():
            terms[j] = term
        vocab_blob, vocab_count = _encode_strings(terms)
        cat_blob, cat_count = _encode_strings(categories[1])
        arrays = {
            "format": np.array([FORMAT_VERSION], dtype=np.int64),
            "n_docs": np.array([n], dtype=np.int64),
            "S_indptr": tf.indptr.astype(np.int64),
            "S_indices": tf.indices.astype(np.int32),
            "S_data": tf.data,
            "vocab_blob": vocab_blob,
            "vocab_count": vocab_count,
            "cat_blob": cat_blob,
            "cat_count": cat_count,
            "C_indptr": categories[0].indptr.astype(np.int64),
            "C_indices": categories[0].indices.astype(np.int32),
            "row_norms": row_norms,
            "avglen": np.array([avglen.get(f, 1.0) for f in FIELD_WEIGHTS], dtype=np.float64),
        }
        for field, prefix in (("title", "T"), ("authors", "A")):
            matrix = presence[field]
            matrix.sort_indices()
            arrays[f"{prefix}_indptr"] = matrix.indptr.astype(np.int64)
            arrays[f"{prefix}_indices"] = matrix.indices.astype(np.int32)
        arrays["build_seconds"] = np.array([time.perf_counter() - started])
        return cls(arrays)


def _widen(matrix: sp.csr_matrix, n_terms: int) -> sp.csr_matrix:
    """A chunk's matrix with as many columns as the final vocabulary."""
    return sp.csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], n_terms))


def _field_counts(
    strings, n_rows: int, vocabulary: dict[str, int], raw_cache: dict[str, np.ndarray]
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Term counts (rows x vocabulary so far) and token lengths of one field of a chunk."""
    rows, raw = tokenize(strings)
    length = np.bincount(rows, minlength=n_rows).astype(np.float32)
    if len(raw) == 0:
        return sp.csr_matrix((n_rows, len(vocabulary)), dtype=np.float32), length
    encoded = pc.dictionary_encode(raw)
    codes = encoded.indices.to_numpy()
    distinct = encoded.dictionary.to_pylist()
    # each distinct raw token -> the term ids it is indexed under (Python only once per token)
    mapped = []
    for token in distinct:
        ids = raw_cache.get(token)
        if ids is None:
            ids = np.array([vocabulary.setdefault(t, len(vocabulary)) for t in index_terms(token)], dtype=np.int32)
            raw_cache[token] = ids
        mapped.append(ids)
    sizes = np.array([len(m) for m in mapped], dtype=np.int64)
    flat_ids = np.concatenate(mapped) if mapped else np.empty(0, dtype=np.int32)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    # (row, raw code) pairs with counts, then expanded to (row, term) pairs
    key = rows * len(distinct) + codes
    unique_keys, pair_counts = np.unique(key, return_counts=True)
    pair_rows, pair_codes = np.divmod(unique_keys, len(distinct))
    repeat = sizes[pair_codes]
    out_rows = np.repeat(pair_rows, repeat)
    offsets = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    out_terms = flat_ids[np.repeat(starts[pair_codes], repeat) + offsets]
    out_counts = np.repeat(pair_counts, repeat).astype(np.float32)
    matrix = sp.csr_matrix((out_counts, (out_rows, out_terms)), shape=(n_rows, len(vocabulary)))
    matrix.sum_duplicates()
    return matrix, length


def _category_matrix(table: pa.Table) -> tuple[sp.csc_matrix, list[str]]:
    column = table["categories"].combine_chunks() if table.num_rows else pa.array([], pa.list_(pa.string()))
    flat = pc.list_flatten(column)
    rows = pc.list_parent_indices(column).to_numpy().astype(np.int64)
    if len(flat) == 0:
        return sp.csc_matrix((table.num_rows, 0), dtype=np.float32), []
    encoded = pc.dictionary_encode(flat)
    codes = encoded.indices.to_numpy()
    names = encoded.dictionary.to_pylist()
    matrix = sp.csc_matrix((np.ones(len(codes), dtype=np.float32), (rows, codes)), shape=(table.num_rows, len(names)))
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix, names


# --- segments: a base index plus small indexes of the papers imported since --------------------------
@dataclass
class Part:
    """One segment of a stack: its index, the table row of each of its rows, and which of its
    rows a later segment has re-indexed (an import that changed their text)."""

    index: object
    rows: np.ndarray | None  # table row of each segment row; None: rows 0..n-1 (the base)
    stale: np.ndarray | None = None  # bool per segment row, True when superseded

    def table_rows(self, local: np.ndarray) -> np.ndarray:
        local = local.astype(np.int64)
        return local if self.rows is None else self.rows[local]

    def live(self, local: np.ndarray) -> np.ndarray | None:
        return None if self.stale is None else ~self.stale[local]


def stack(parts: list[Part]) -> list[Part]:
    """Mark, in each segment, the rows that a later segment holds again (newest wins)."""
    seen = np.zeros(0, dtype=np.int64)
    for i in range(len(parts) - 1, -1, -1):
        part = parts[i]
        rows = part.rows if part.rows is not None else np.arange(part.index.n_docs, dtype=np.int64)
        if len(seen):
            stale = np.isin(rows, seen)
            part.stale = stale if stale.any() else None
        if i:  # (not after the oldest part, the base: at 1M its rows would cost a third of a second)
            seen = np.union1d(seen, rows)
    return parts


def join_postings(parts: list[Part], get) -> Postings:
    """One term's postings over a stack of segments: table rows ascending, superseded rows
    left out (a big sorted base and small segments: the small ones are inserted)."""
    rows = values = None
    for part in parts:
        postings = get(part.index)
        local = postings.rows
        keep = part.live(local) if len(local) else None
        if keep is not None:
            local = local[keep]
        mapped = part.table_rows(local)
        vals = postings.values[keep] if postings.values is not None and keep is not None else postings.values
        if part.rows is not None and len(mapped) > 1:
            order = np.argsort(mapped, kind="stable")
            mapped = mapped[order]
            vals = vals[order] if vals is not None else None
        if rows is None:
            rows, values = mapped, vals
        elif len(mapped) == 0:
            continue
        elif len(rows) == 0 or mapped[0] > rows[-1]:
            rows = np.concatenate([rows, mapped])
            values = np.concatenate([values, vals]) if values is not None and vals is not None else None
        else:
            at = np.searchsorted(rows, mapped)
            rows = np.insert(rows, at, mapped)
            values = np.insert(values, at, vals) if values is not None and vals is not None else None
    if rows is None:
        return EMPTY
    return Postings(rows, values)


class SegmentedIndex:
    """A base index plus segments of papers imported since, searched as one (the interface
    of :class:`SearchIndex`).  A daily import adds a small segment instead of rebuilding:
    new papers, and papers whose text it changed (their old postings are then ignored)."""

    def __init__(self, parts: list[Part]) -> None:
        self.parts = stack(parts)
        self.segments = self.parts
        last = max(int(p.table_rows(np.arange(p.index.n_docs)).max(initial=-1)) for p in parts)
        self.n_docs = last + 1
        self.row_norms = np.zeros(self.n_docs, dtype=np.float32)
        for part in self.parts:  # later segments overwrite the rows they re-indexed
            self.row_norms[part.table_rows(np.arange(part.index.n_docs))] = part.index.row_norms
        self.avglen = parts[0].index.avglen
        self.build_seconds = sum(p.index.build_seconds for p in parts)

    def scores(self, term: str) -> Postings:
        return join_postings(self.parts, lambda index: index.scores(term))

    def in_field(self, field: str, term: str) -> Postings:
        return join_postings(self.parts, lambda index: index.in_field(field, term))

    def in_category(self, category: str) -> np.ndarray:
        return join_postings(self.parts, lambda index: Postings(index.in_category(category))).rows

    def category_sizes(self) -> dict[str, int]:
        names = {name for part in self.parts for name in part.index.categories}
        return dict(sorted(((name, len(self.in_category(name))) for name in names), key=lambda kv: -kv[1]))

    def document_frequency(self, term: str) -> int:
        return sum(p.index.document_frequency(term) for p in self.parts)

    score_of = SearchIndex.score_of  # the same lookup, over the joined postings


def extend(
    store,
    previous_version: str,
    version: str,
    table: pa.Table,
    first_new_row: int,
    changed_rows: np.ndarray,
    name: str,
    build_segment,
    load_segments,
) -> bool:
    """Save artifact ``name`` of ``version`` as the previous version's segments plus one
    segment of the rows the import touched: the rows it re-wrote (``changed_rows``) and the
    rows it appended (from ``first_new_row``).  Only when the previous version has that
    artifact; returns whether it did."""
    arrays = store.load_arrays(name, previous_version)
    if arrays is None:
        return False
    base = load_segments(store, previous_version, arrays)
    if base is None or base.n_docs != first_new_row:
        return False
    rows = np.union1d(np.asarray(changed_rows, dtype=np.int64), np.arange(first_new_row, table.num_rows))
    segment = build_segment(take_table(table, rows), base)
    chain = _chain(arrays, previous_version)
    extra = {
        "rows": rows,
        "previous": _encode_strings(chain)[0],
        "previous_count": np.array([len(chain)], dtype=np.int64),
    }
    store.save_arrays(name, version, {**segment.to_arrays(), **extra})
    store.prune_artifacts(name, {version, *chain})
    return True


def _chain(arrays: dict[str, np.ndarray], version: str) -> list[str]:
    """The versions whose segments an artifact stands on, oldest first, then ``version``."""
    if "previous" not in arrays:
        return [version]
    return _decode_strings(arrays["previous"], arrays["previous_count"]) + [version]


def segments_of(store, name: str, version: str, arrays: dict[str, np.ndarray], make) -> list[Part] | None:
    """The parts of an artifact: its chain's segments, then its own."""
    found = []
    for each in _chain(arrays, version):
        own = arrays if each == version else store.load_arrays(name, each)
        if own is None:
            return None
        index = make(own)
        if index is None:
            return None
        found.append(Part(index, np.asarray(own["rows"], dtype=np.int64) if "rows" in own else None))
    return found


# a search index up to this size is read into memory on load: the first searches of a fresh
# server then run as fast as later ones (at 75k papers it is ~100 MB; at 1M, 1.3 GB stays mapped)
PRELOAD_BYTES = 256 * 2**20
MAX_SEGMENTS = 20  # beyond this, the next use builds it whole (or ``python -m lib build --full``)


# --- one index per store version ------------------------------------------------------------
def load_or_build_artifact(
    store,
    dataset,
    name: str,
    load,
    build,
    progress: Progress | None = None,
    rebuild: bool = False,
    preload_bytes: int = 0,
):
    """An index of this store version: loaded (memory-mapped, with its segments) when it is on
    disk, else built whole and saved beside the table (older versions' copies are deleted).
    ``rebuild``: built whole even when this version's copy is on disk (it may be segments
    that daily imports added; they are replaced).  A loaded artifact of at most
    ``preload_bytes`` is read into memory at once (:meth:`Store.prefault`).  The bundled
    sample is indexed in memory."""
    if dataset.is_sample:
        return build(dataset.table, progress)
    arrays = None if rebuild else store.load_arrays(name, dataset.version)
    if arrays is not None:
        store.prefault(arrays, preload_bytes)
    loaded = load(store, dataset.version, arrays) if arrays is not None else None
    if loaded is not None and loaded.n_docs == dataset.table.num_rows:
        return loaded
    index = build(dataset.table, progress)
    store.save_arrays(name, dataset.version, index.to_arrays())
    store.prune_artifacts(name, dataset.version)
    return index


def load_or_build(store, dataset, progress: Progress | None = None, rebuild: bool = False) -> SearchIndex:
    """The dataset's search index (see :func:`load_or_build_artifact`)."""
    return load_or_build_artifact(
        store, dataset, ARTIFACT, _load, SearchIndex.build, progress, rebuild, preload_bytes=PRELOAD_BYTES
    )


ARTIFACT = "search"
_REQUIRED = (
    "format",
    "n_docs",
    "S_indptr",
    "S_indices",
    "S_data",
    "vocab_blob",
    "vocab_count",
    "cat_blob",
    "cat_count",
    "C_indptr",
    "C_indices",
    "row_norms",
    "T_indptr",
    "T_indices",
    "A_indptr",
    "A_indices",
    "build_seconds",
    "avglen",
)


def _usable(arrays: dict[str, np.ndarray]) -> bool:
    return all(key in arrays for key in _REQUIRED) and int(arrays["format"][0]) == FORMAT_VERSION


def _load(store, version: str, arrays: dict[str, np.ndarray]):
    """A saved index, or None when it (or a segment it stands on) is missing or outdated."""
    parts = segments_of(store, ARTIFACT, version, arrays, lambda a: SearchIndex(a) if _usable(a) else None)
    if parts is None:
        return None
    return parts[0].index if len(parts) == 1 else SegmentedIndex(parts)


def extend_after_import(
    store, previous_version: str, version: str, table: pa.Table, first_new_row: int, changed_rows=()
) -> bool:
    """After an import: this version's index is the previous one plus a segment of the papers
    the import added or re-wrote (milliseconds, where a full build takes minutes at 1M)."""

    def build_segment(rows: pa.Table, base) -> SearchIndex:
        return SearchIndex.build(rows, base=base)

    def load_segments(store_, version_, arrays):
        loaded = _load(store_, version_, arrays)
        if loaded is not None and len(getattr(loaded, "parts", [0])) >= MAX_SEGMENTS:
            return None  # too many: let the next use build it whole
        return loaded

    return extend(
        store, previous_version, version, table, first_new_row, changed_rows, ARTIFACT, build_segment, load_segments
    )
