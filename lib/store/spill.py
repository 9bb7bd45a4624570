"""Builds in bounded memory: the table read a part at a time, and a spill area for sorted runs.

A whole build (the search index, the term index) is a map and a reduce:

* **map**: each part of the table (:class:`Chunk`, 65,536 rows: the store's Parquet parts) is
  turned into a *run* -- plain numpy arrays with the part's own vocabulary -- by a pure
  function of the part's rows (``map_chunk`` of lib.search.index and lib.trends.terms).  Runs
  depend on nothing else, so they can be computed in any order, in this process or on Spark
  (lib.spark);
* **reduce**: the runs, read back in row order, give the global vocabulary (each term's id is
  its order of first appearance, as a single pass would give it) and statistics, then the
  artifact's arrays, merged a range of terms at a time.

:class:`Spill` holds runs and growing outputs in memory while they fit a share of the memory
budget and in files of a private temporary directory beyond it, so a build's peak memory is
set by the budget (``--memory``, ``PAPERS_BUILD_MEMORY``), not by the number of papers.  Outputs
that went to disk are finished ``.npy`` files that lib.store.store.Store.save_arrays moves into
the artifact without reading them.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from lib.errors import PapersError
from lib.progress import Progress
from lib.text import byte_size

MEMORY_ENV = "PAPERS_BUILD_MEMORY"
SPILL_DIR_ENV = "PAPERS_SPILL_DIR"
CHUNK_ROWS = 65_536  # a table given in memory is mapped in runs of this many rows (the store's parts)

Arrays = dict[str, Any]  # name -> ndarray, or (an output on disk) the Path of its finished .npy file
MapFn = Callable[[pa.Table], dict[str, np.ndarray]]


def parse_memory(text: str) -> int:
    """``4G``, ``512M``, ``1.5g``, ``800000000`` -> bytes (a PapersError names a wrong one)."""
    try:
        size = byte_size(text)
    except ValueError:
        raise PapersError(f"memory budget {text!r}: write it as a size, e.g. 4G, 512M or 2.5G") from None
    if size < 2**20:
        raise PapersError(f"memory budget {text!r}: at least 1M")
    return size


def machine_memory() -> int:
    """The machine's memory in bytes (8 GiB when it cannot be told)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError):
        return 8 * 2**30


def default_memory(env: dict[str, str] | None = None) -> int:
    """``PAPERS_BUILD_MEMORY`` when set, else a safe share of the machine: an eighth of its memory,
    between 512 MiB and 2 GiB.  A build holds about the budget (half of it in runs and outputs kept
    in memory, the rest in the range being merged), beside the process itself and one part."""
    value = (os.environ if env is None else env).get(MEMORY_ENV, "").strip()
    if value:
        return parse_memory(value)
    return min(2 * 2**30, max(2**29, machine_memory() // 8))


@dataclass(frozen=True)
class Chunk:
    """One part of the table to map: its first row, its rows, its Parquet file and the Arrow
    copy beside it ("" when none).  Plain strings: it travels to Spark's workers."""

    offset: int
    rows: int
    parquet: str
    copy: str = ""


def read_chunk(chunk: Chunk) -> pa.Table:
    """A part's rows, read into memory (not mapped: a build's memory is what it holds, and a part
    is freed after its map): from its Arrow copy when it has the part's rows, else its Parquet file."""
    from lib.store.schema import conform
    from lib.store.store import read_parquet

    if chunk.copy and os.path.isfile(chunk.copy):
        try:
            with pa.OSFile(chunk.copy) as handle:
                table = pa.ipc.open_file(handle).read_all()
            if table.num_rows == chunk.rows:
                return conform(table)
        except (OSError, pa.ArrowException):
            pass  # damaged: the Parquet file (whose pages carry checksums) is the truth
    table = read_parquet(Path(chunk.parquet))
    if table.num_rows != chunk.rows:
        raise PapersError(f"{chunk.parquet}: {table.num_rows:,} rows where the manifest says {chunk.rows:,}")
    return table


class Source:
    """The rows of a table, a part at a time: a store version's parts (:class:`Chunk`), or a table
    held in memory (the bundled sample, a segment of new papers) in slices of :data:`CHUNK_ROWS`."""

    def __init__(self, n_rows: int, chunks: list[Chunk] | None = None, table: pa.Table | None = None) -> None:
        self.n_rows, self.chunks, self.table = n_rows, chunks, table

    @classmethod
    def of_table(cls, table: pa.Table) -> Source:
        return cls(table.num_rows, table=table)

    @classmethod
    def of_parts(cls, parts: list[tuple[Path, Path, int]]) -> Source:
        chunks, offset = [], 0
        for parquet, copy, rows in parts:
            chunks.append(Chunk(offset, rows, str(parquet), str(copy)))
            offset += rows
        return cls(offset, chunks=chunks)

    def __len__(self) -> int:
        return len(self.chunks) if self.chunks is not None else -(-self.n_rows // CHUNK_ROWS)

    def __iter__(self) -> Iterator[tuple[int, pa.Table]]:
        """(first row, the part's table) for each part, in row order."""
        if self.chunks is not None:
            for chunk in self.chunks:
                yield chunk.offset, read_chunk(chunk)
            return
        assert self.table is not None
        for start in range(0, self.n_rows, CHUNK_ROWS):
            yield start, self.table.slice(start, CHUNK_ROWS)


class Engine(Protocol):
    """Where the map runs: this process (None), or lib.spark.SparkEngine."""

    def map(self, chunks: list[Chunk], fn: MapFn) -> Iterator[dict[str, np.ndarray]]:
        """``fn(read_chunk(chunk))`` for each chunk, yielded in the chunks' order."""
        ...


def map_runs(
    source: Source,
    fn: MapFn,
    spill: Spill,
    progress: Progress | None = None,
    label: str = "",
    engine: Engine | None = None,
) -> list[int]:
    """Map every part of ``source`` with ``fn`` into runs ``run-0``, ``run-1``... of ``spill``;
    returns each run's first row.  With an engine, its workers map the store's parts."""
    offsets = []
    if engine is not None and source.chunks is not None:
        mapped: Iterator[tuple[int, dict[str, np.ndarray]]] = (
            (chunk.offset, arrays) for chunk, arrays in zip(source.chunks, engine.map(source.chunks, fn))
        )
    else:
        mapped = ((offset, fn(table)) for offset, table in source)
    ends = [c.offset + c.rows for c in source.chunks] if source.chunks is not None else None
    for i, (offset, arrays) in enumerate(mapped):
        spill.put(f"run-{i}", arrays)
        offsets.append(offset)
        if progress:
            done = ends[i] if ends is not None else min(source.n_rows, offset + CHUNK_ROWS)
            progress(f"{label}papers {offset + 1:,}–{done:,} of {source.n_rows:,}", (i + 1) / max(len(source), 1))
    return offsets


MAX_RANGES = 256  # ranges a merge takes at most (each may hold a file open per run)


def ranges(sizes: npt.NDArray[np.int64], cap: int) -> npt.NDArray[np.int64]:
    """Cuts of ``0..len(sizes)`` into ranges of at most ``cap`` summed sizes (one bigger item stands
    alone; at most about :data:`MAX_RANGES` ranges; one empty range when there is nothing): the
    ranges of terms or keys a merge takes at a time."""
    ends = np.cumsum(sizes)
    cap = max(cap, -(-int(ends[-1]) // MAX_RANGES) if len(ends) else 1, 1)
    edges = [0]
    while edges[-1] < len(sizes) or len(edges) == 1:
        before = int(ends[edges[-1] - 1]) if edges[-1] else 0
        edges.append(max(edges[-1] + 1, int(np.searchsorted(ends, before + cap, side="right"))))
    return np.minimum(np.array(edges, dtype=np.int64), len(sizes))


def to_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A run as bytes (one .npz, uncompressed): how a Spark worker sends it back."""
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def from_bytes(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as loaded:
        return {key: loaded[key] for key in loaded.files}


_HEADER = 128  # bytes of an .npy header written before its length is known (a multiple of 64)


def _npy_header(dtype: np.dtype[Any], shape: tuple[int, ...]) -> bytes:
    text = repr({"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape})
    text = text.ljust(_HEADER - 10 - 1) + "\n"
    if len(text) != _HEADER - 10:
        raise ValueError(f"an .npy header for shape {shape} is too long")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


class Output:
    """An array written in pieces, in order (a column of postings, merged a range at a time): in
    memory while the spill's share allows, then in a ``.npy`` file of the spill directory."""

    def __init__(self, spill: Spill, name: str, dtype: npt.DTypeLike, tail: tuple[int, ...] = ()) -> None:
        self.spill, self.name, self.dtype, self.tail = spill, name, np.dtype(dtype), tail
        self.pieces: list[np.ndarray] = []
        self.rows = 0
        self.file: IO[bytes] | None = None
        self.path: Path | None = None

    def append(self, piece: npt.ArrayLike) -> None:
        array = np.ascontiguousarray(piece, dtype=self.dtype)
        self.rows += len(array)
        if self.file is None and self.spill.reserve(array.nbytes):
            self.pieces.append(array)
            return
        if self.file is None:
            self.path = self.spill.directory() / f"{self.name}.npy"
            self.file = open(self.path, "wb")  # noqa: SIM115 (closed by result())
            self.file.write(b"\0" * _HEADER)
            for held in self.pieces:
                self.file.write(held.tobytes())
                self.spill.release(held.nbytes)
            self.pieces = []
        self.file.write(array.tobytes())

    def result(self) -> np.ndarray | Path:
        """The whole array (held in memory), or the finished ``.npy`` file holding it."""
        if self.file is None:
            empty = np.empty((0, *self.tail), dtype=self.dtype)
            return np.concatenate(self.pieces) if self.pieces else empty
        assert self.path is not None
        self.file.seek(0)
        self.file.write(_npy_header(self.dtype, (self.rows, *self.tail)))
        self.file.close()
        self.file = None
        self.spill.spilled_bytes += self.path.stat().st_size
        return self.path


class Spill:
    """Runs and outputs of one build: in memory up to ``budget // 2`` bytes held, then on disk in
    a private directory (``PAPERS_SPILL_DIR``, else the system's temporary directory: never the
    data directory, which a read-only dashboard must not write), removed by :meth:`close`."""

    def __init__(self, budget: int | None = None, parent: str | None = None) -> None:
        self.budget = default_memory() if budget is None else budget
        self.limit = self.budget // 2
        self.held = self.peak_held = 0  # bytes held in memory now, and at most
        self.spilled_bytes = 0  # written to disk (what a test of a tiny budget checks)
        self.parent = parent or os.environ.get(SPILL_DIR_ENV) or None
        self._dir: Path | None = None
        self._runs: dict[str, dict[str, np.ndarray]] = {}
        self._files: dict[str, dict[str, tuple[Path, np.dtype[Any], tuple[int, ...]]]] = {}

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def directory(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="papers-build-", dir=self.parent))
        return self._dir

    def reserve(self, nbytes: int) -> bool:
        """Whether ``nbytes`` more may be held in memory (they are then counted as held)."""
        if self.held + nbytes > self.limit:
            return False
        self.held += nbytes
        self.peak_held = max(self.peak_held, self.held)
        return True

    def release(self, nbytes: int) -> None:
        self.held -= nbytes

    def put(self, name: str, arrays: dict[str, np.ndarray]) -> None:
        """Keep a run (replacing one of that name)."""
        self.drop(name)
        size = sum(np.asarray(a).nbytes for a in arrays.values())
        if self.reserve(size):
            self._runs[name] = {key: np.ascontiguousarray(a) for key, a in arrays.items()}
            return
        files = {}
        for key, array in arrays.items():
            array = np.ascontiguousarray(array)
            path = self.directory() / f"{name}.{key}.bin"
            array.tofile(path)
            self.spilled_bytes += array.nbytes
            files[key] = (path, array.dtype, array.shape)
        self._files[name] = files

    def drop(self, name: str) -> None:
        if name in self._runs:
            self.release(sum(a.nbytes for a in self._runs.pop(name).values()))
        for path, _, _ in self._files.pop(name, {}).values():
            path.unlink(missing_ok=True)

    def get(self, name: str, keys: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """A run's arrays (``keys``: only those), read into memory."""
        if name in self._runs:
            run = self._runs[name]
            return {k: run[k] for k in (keys or tuple(run))}
        files = self._files[name]
        return {k: np.fromfile(files[k][0], dtype=files[k][1]).reshape(files[k][2]) for k in (keys or tuple(files))}

    def part(self, name: str, key: str, start: int, stop: int) -> np.ndarray:
        """``run[key][start:stop]`` (1-d), reading only those bytes of a run on disk."""
        if name in self._runs:
            return self._runs[name][key][start:stop]
        path, dtype, _ = self._files[name][key]
        return np.fromfile(path, dtype=dtype, count=max(stop - start, 0), offset=start * dtype.itemsize)

    def output(self, name: str, dtype: npt.DTypeLike, tail: tuple[int, ...] = ()) -> Output:
        return Output(self, name, dtype, tail)


def readable(array: np.ndarray | Path) -> np.ndarray:
    """An output's array (Output.result), memory-mapped when it went to disk."""
    return np.load(array, mmap_mode="r") if isinstance(array, Path) else array


def materialize(arrays: Arrays) -> dict[str, np.ndarray]:
    """Arrays with every output on disk read (memory-mapped): for a build that could not be saved."""
    return {key: readable(value) for key, value in arrays.items()}
