"""Paper vectors: what a paper means, as one unit vector per paper, for search by meaning.

Each paper's title and abstract are embedded by WordLlama (``wordllama`` on PyPI, MIT): a
static embedding of 32,000 sub-word tokens distilled from a large language model, averaged
over the text's tokens.  Its weights (16 MB) ship inside the wheel, so it works offline: no
model hub is asked, at build time or at query time, and it needs only numpy (~1,100 abstracts
per CPU-second).  Cosine similarity of two vectors is their dot product.

The vectors of a store version are an artifact like the search index (lib.artifacts): one
float32 matrix of shape (papers, :data:`DIM`) in table row order, saved beside the table,
memory-mapped on load, extended by a daily import with a segment of the new papers' vectors
(a paper's vector depends on its own text only, so a segment is exactly what a whole build
would give).  Each file records the model it was made with: vectors of another model are
built again, never compared with a query of this one.

Beside the matrix, each paper's vector *reduced* to its :data:`REDUCED` principal components
(the corpus's, computed by the build: its mean and a basis).  Up to :data:`EXACT_UP_TO` papers a
search by meaning computes every paper's cosine (the vectors are read into memory at once);
beyond, it estimates them from the reduced vectors (half the bytes to scan) and computes exactly
only those of a shortlist (lib.search.hybrid.nearest).  At 2.7M papers scanning the whole
matrix kept 2.6 GB resident in a server and took 180 ms a query.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from lib.artifacts import Arrays, ArtifactFile, Part, SegmentedArtifact, pack, stack, stack_size, unpack
from lib.errors import PapersError
from lib.progress import Progress
from lib.store.spill import Engine, Source, Spill, map_runs, materialize, readable
from lib.store.store import read_ranges, read_rows
from lib.urlstate import MAX_TEXT

if TYPE_CHECKING:
    from lib.dataset import Dataset
    from lib.store.store import Store

MODEL = "wordllama l2_supercat 256"  # what the vectors are made with (saved with them)
DIM = 256
CHUNK = 4_096  # papers embedded at once (their token arrays bound the memory)
MAX_CHARS = MAX_TEXT  # of one text embedded (a pasted paragraph; a paper's title and abstract)
# principal components kept in a paper's reduced vector: at 2.7M papers 80% of the variance, and with a
# shortlist of 2,000 the reduced vectors find 98.9% of the exact 100 nearest and all of the 10 nearest
# (128 of 96: 94.3% and 99.1%; of 64: 78.8% and 91.5%), scanning 1.4 GB instead of 2.6
REDUCED = 128
PRELOAD_BYTES = 512 * 2**20  # at 75k papers the matrix is 77 MB: read at once; at 1M (1 GB) it stays mapped
# papers whose every cosine a search computes: up to as many as whose vectors are read at once (349,525)
EXACT_UP_TO = PRELOAD_BYTES // ((DIM + REDUCED) * 4)
Matrix: TypeAlias = npt.NDArray[np.float32]


class VectorsUnavailable(PapersError):
    """The embedding model cannot be loaded (the package is missing or broken)."""


_model: Any = None
_model_lock = threading.Lock()


def _load_model() -> Any:
    """The WordLlama model, loaded once per process from the files inside its wheel."""
    global _model
    with _model_lock:
        if _model is None:
            root = logging.getLogger()
            handlers, level = list(root.handlers), root.level
            try:
                import wordllama
                from wordllama import WordLlama
            except ImportError as error:  # pragma: no cover - a broken install
                raise VectorsUnavailable(f"search by meaning needs the wordllama package ({error})") from error
            finally:  # its import configures the root logger (basicConfig at INFO): put it back
                root.handlers[:] = handlers
                root.setLevel(level)
            logging.getLogger("wordllama").setLevel(logging.WARNING)
            # the wheel ships its tokenizer under tokenizers/ and weights under weights/: point at them
            # and never download (no model hub is reachable here)
            model = WordLlama.load(
                config="l2_supercat", dim=DIM, cache_dir=Path(wordllama.__file__).parent, disable_download=True
            )
            model.tokenizer.no_padding()  # texts are pooled one by one below, never padded to a batch
            _model = model
    return _model


def embed(texts: list[str]) -> Matrix:
    """Unit vectors of ``texts`` (rows of a float32 matrix; an empty text: the zero vector)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _load_model()
    encoded = model.tokenizer.encode_batch_fast(  # (the ids of encode_batch, without offsets: faster)
        [text[:MAX_CHARS] if text else "" for text in texts], add_special_tokens=False
    )
    lengths = np.fromiter((len(e.ids) for e in encoded), dtype=np.int64, count=len(encoded))
    ids = np.fromiter(itertools.chain.from_iterable(e.ids for e in encoded), dtype=np.int64, count=int(lengths.sum()))
    table = model.embedding
    np.clip(ids, 0, table.shape[0] - 1, out=ids)
    # the mean of the tokens' embeddings (WordLlama's pooling) is this sum divided by the length; the
    # length goes with the normalisation.  A sparse (texts x tokens) count matrix times the token table
    # pools a batch without the (texts x longest text x DIM) array a padded batch would need.
    counts = sp.csr_matrix(
        (np.ones(len(ids), dtype=np.float32), ids, np.concatenate([[0], np.cumsum(lengths)])),
        shape=(len(texts), table.shape[0]),
    )
    vectors = np.asarray(counts @ table, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out: Matrix = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return out


def embed_one(text: str) -> npt.NDArray[np.float32]:
    """The unit vector of one text."""
    vector: npt.NDArray[np.float32] = embed([text])[0]
    return vector


def paper_texts(table: pa.Table) -> list[str]:
    """The text a paper's vector embeds: its title, then its abstract."""
    title = pc.fill_null(table["title"], "")
    abstract = pc.fill_null(table["abstract"], "")
    joined = pc.binary_join_element_wise(title, abstract, ". ")
    texts: list[str] = joined.to_pylist()
    return texts


def _dot(matrix: Matrix, query: npt.NDArray[np.float32]) -> Matrix:
    """``matrix @ query`` in one thread: a product this size is bound by memory, and waking
    OpenBLAS's threads for it cost more than the product on a busy 2-core server (75k papers:
    18 ms through BLAS, 6 ms as a plain loop; p95 38 ms under load against 13 ms)."""
    out: Matrix = np.einsum("ij,j->i", matrix, query)
    return out


class PaperVectors:
    """The unit vectors of a table's papers (rows in table order); read-only, shared."""

    def __init__(self, arrays: Arrays) -> None:
        self.arrays = arrays
        self.matrix: Matrix = np.asarray(arrays["vectors"])
        self.reduced: Matrix = np.asarray(arrays["reduced"])
        self.mean: Matrix = np.asarray(arrays["mean"])
        self.basis: Matrix = np.asarray(arrays["basis"])
        self.n_docs = int(self.matrix.shape[0])
        self.exact = self.n_docs <= EXACT_UP_TO  # held in memory: every cosine computed (hybrid.nearest)
        self.build_seconds = float(arrays["build_seconds"][0])
        self.model = unpack(arrays["model"])[0]

    def to_arrays(self) -> Arrays:
        return self.arrays

    @property
    def axes(self) -> tuple[Matrix, Matrix]:
        """The mean and principal axes the reduced vectors are on."""
        return self.mean, self.basis

    def cosine(self, query: npt.NDArray[np.float32], rows: npt.ArrayLike | None = None) -> Matrix:
        """Cosine of ``query`` (a unit vector) with every paper, or with ``rows``."""
        return _dot(self.matrix if rows is None else self.of(rows), query)

    def estimate(self, query: npt.NDArray[np.float32]) -> Matrix:
        """Every paper's cosine with ``query`` estimated from the reduced vectors."""
        return estimate(self.reduced, self.mean, self.basis, query)

    def of(self, rows: npt.ArrayLike) -> Matrix:
        """The vectors of ``rows``: of a corpus searched in two stages (``exact`` false, its matrix
        too large to hold), read from the file (see read_rows); else taken from the matrix, which
        is in memory (50 times faster for a search's thousand candidates)."""
        if not self.exact:
            return read_rows(self.matrix, rows)
        taken: Matrix = self.matrix[np.asarray(rows, dtype=np.int64)]
        return taken

    @classmethod
    def build(
        cls, table: pa.Table, progress: Progress | None = None, axes: tuple[Matrix, Matrix] | None = None
    ) -> PaperVectors:
        with Spill() as spill:
            return cls(materialize(build_arrays(Source.of_table(table), progress, spill, axes=axes)))


def estimate(reduced: Matrix, mean: Matrix, basis: Matrix, query: npt.NDArray[np.float32]) -> Matrix:
    """Cosines of ``query`` with the papers of ``reduced`` as their principal components see them:
    ``v . q = mean . q + (v - mean) . q``, and the second term is nearly ``reduced . (basis' q)``."""
    out = _dot(reduced, (query @ basis).astype(np.float32))
    out += np.float32(query @ mean)
    return out


def principal_axes(total: npt.NDArray[np.float64], gram: npt.NDArray[np.float64], n: int) -> tuple[Matrix, Matrix]:
    """The mean and the first :data:`REDUCED` principal axes (columns, by variance) of ``n`` vectors
    whose sum is ``total`` and Gram matrix ``gram``; each axis's sign is fixed (its largest
    component positive), so the same vectors always give the same axes."""
    mean = total / max(n, 1)
    covariance = gram / max(n, 1) - np.outer(mean, mean)
    variances, axes = np.linalg.eigh(covariance)
    axes = axes[:, np.argsort(-variances, kind="stable")[:REDUCED]]
    axes *= np.where(axes[np.abs(axes).argmax(axis=0), np.arange(axes.shape[1])] < 0, -1.0, 1.0)
    return mean.astype(np.float32), np.ascontiguousarray(axes, dtype=np.float32)


def map_chunk(table: pa.Table) -> dict[str, Matrix]:
    """One part's vectors (embedded :data:`CHUNK` papers at a time: their token arrays bound the
    memory).  Pure: a Spark worker runs it."""
    pieces = [embed(paper_texts(table.slice(start, CHUNK))) for start in range(0, table.num_rows, CHUNK)]
    return {"vectors": np.concatenate(pieces) if pieces else np.zeros((0, DIM), dtype=np.float32)}


def build_arrays(
    source: Source,
    progress: Progress | None,
    spill: Spill,
    engine: Engine | None = None,
    axes: tuple[Matrix, Matrix] | None = None,
) -> dict[str, Any]:
    """Every paper's vector, a part at a time, written out as they come (lib.store.spill); then
    their principal axes (or the given ``axes``, a base's mean and basis: a segment's) and, in a
    second pass over the written vectors, each paper's reduced vector."""
    started = time.perf_counter()
    matrix = spill.output("vectors", np.float32, (DIM,))
    total, gram = np.zeros(DIM), np.zeros((DIM, DIM))
    for i, _ in enumerate(map_runs(source, map_chunk, spill, progress, "embedding ", engine)):
        run = spill.get(f"run-{i}")["vectors"]
        matrix.append(run)
        if axes is None:
            total += run.sum(axis=0, dtype=np.float64)
            gram += (run.T @ run).astype(np.float64)
        spill.drop(f"run-{i}")
    vectors = matrix.result()
    mean, basis = principal_axes(total, gram, source.n_rows) if axes is None else axes
    reduced = spill.output("reduced", np.float32, (REDUCED,))
    written = readable(vectors)
    flat = written.reshape(-1)
    for start in range(0, len(written), CHUNK):  # read from the file: its pages do not stay resident
        end = min(start + CHUNK, len(written))
        chunk = read_ranges(flat, [start * DIM], [end * DIM]).reshape(-1, DIM)
        reduced.append((chunk - mean) @ basis)
    del written, flat
    return {
        "vectors": vectors,
        "reduced": reduced.result(),
        "mean": mean,
        "basis": basis,
        "model": pack([MODEL]),
        "build_seconds": np.array([time.perf_counter() - started]),
    }


class SegmentedVectors:
    """Whole vectors plus segments of papers imported since, read as one matrix would be
    (the interface of :class:`PaperVectors`): a row is read from the newest part holding it."""

    def __init__(self, parts: list[Part[PaperVectors]]) -> None:
        self.parts = stack(parts)
        self.n_docs = stack_size(self.parts)
        self.build_seconds = sum(p.index.build_seconds for p in parts)
        self.model = parts[0].index.model
        self.exact = self.n_docs <= EXACT_UP_TO
        # per table row: which part holds it (the newest) and at which of its rows
        self._part = np.zeros(self.n_docs, dtype=np.int16)
        self._local = np.zeros(self.n_docs, dtype=np.int64)
        for number, part in enumerate(self.parts):
            rows = part.all_rows()
            self._part[rows] = number
            self._local[rows] = np.arange(len(rows))

    def cosine(self, query: npt.NDArray[np.float32], rows: npt.ArrayLike | None = None) -> Matrix:
        if rows is None:
            out = np.zeros(self.n_docs, dtype=np.float32)
            for part in self.parts:  # later parts overwrite the rows they re-embedded
                out[part.all_rows()] = _dot(part.index.matrix, query)
            return out
        return _dot(self.of(rows), query)

    def estimate(self, query: npt.NDArray[np.float32]) -> Matrix:
        out = np.zeros(self.n_docs, dtype=np.float32)
        for part in self.parts:  # (a segment's reduced vectors are on its base's axes)
            out[part.all_rows()] = part.index.estimate(query)
        return out

    def of(self, rows: npt.ArrayLike) -> Matrix:
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros((len(rows), DIM), dtype=np.float32)
        for number, part in enumerate(self.parts):
            mine = self._part[rows] == number
            if mine.any():
                out[mine] = part.index.of(self._local[rows[mine]])
        return out

    @property
    def axes(self) -> tuple[Matrix, Matrix]:
        base = self.parts[0].index
        return base.mean, base.basis


AnyVectors: TypeAlias = PaperVectors | SegmentedVectors
ARTIFACT = "vectors"
FORMAT_VERSION = 2  # 2: the reduced vectors, their mean and basis


class Vectors(SegmentedArtifact[PaperVectors, SegmentedVectors]):
    file = ArtifactFile(ARTIFACT, FORMAT_VERSION, ("vectors", "reduced", "mean", "basis", "model", "build_seconds"))
    preload_bytes = PRELOAD_BYTES

    def from_arrays(self, arrays: Arrays) -> PaperVectors:
        return PaperVectors(arrays)

    def build(self, table: pa.Table, progress: Progress | None = None) -> PaperVectors:
        return PaperVectors.build(table, progress)

    def build_arrays(
        self, source: Source, progress: Progress | None, spill: Spill, engine: Engine | None = None
    ) -> Arrays:
        return build_arrays(source, progress, spill, engine)

    def build_segment(self, table: pa.Table, base: PaperVectors | SegmentedVectors) -> PaperVectors:
        return PaperVectors.build(table, axes=base.axes)

    def join(self, parts: list[Part[PaperVectors]]) -> SegmentedVectors:
        return SegmentedVectors(parts)

    def load(self, store: Store, version: str, arrays: Arrays) -> PaperVectors | SegmentedVectors | None:
        loaded = super().load(store, version, arrays)
        return loaded if loaded is not None and loaded.model == MODEL else None


VECTORS = Vectors()


def load_or_build(
    store: Store, dataset: Dataset, progress: Progress | None = None, rebuild: bool = False
) -> AnyVectors:
    """The dataset's paper vectors (see lib.artifacts.SegmentedArtifact.load_or_build)."""
    return VECTORS.load_or_build(store, dataset, progress, rebuild)


def load_saved(store: Store, dataset: Dataset) -> AnyVectors | None:
    """The vectors saved for this store version (memory-mapped), or None when they are not
    built yet (or are of another model or format)."""
    if dataset.is_sample:
        return None
    arrays = VECTORS.file.load(store, dataset.version)
    if arrays is None:
        return None
    store.prefault(arrays, PRELOAD_BYTES)
    loaded = VECTORS.load(store, dataset.version, arrays)
    return loaded if loaded is not None and loaded.n_docs == dataset.table.num_rows else None
