"""Artifacts: what is derived from one store version and saved beside its table.

An artifact is a set of named numpy arrays (:class:`Artifact`), saved and memory-mapped by
the store (lib.store.store.Store.save_arrays: one directory per artifact name and store
version).  Its :class:`ArtifactFile` names it, numbers its format and lists the arrays it
needs: a saved artifact of another format, or missing an array, is never read but built
again — a change of layout bumps the format number instead of keeping a reader for the
old one.  Lists of strings are saved with :func:`pack`.

The search index (lib.search.index) and the term index (lib.trends.terms) are
:class:`SegmentedArtifact`: built whole once, then extended by each daily import with a
*segment*, an index of only the papers the import added or re-wrote, saved under the new
store version with the table row of each of its rows (``rows``) and the versions whose
segments it stands on (``previous``).  Loading one gives the whole index, or a stack of
:class:`Part` that its kind joins into one object answering as a whole index does (a
re-written paper is read from its newest segment).  A topic model (lib.topics.topics) is
one file per k, carried over to a new version with its new papers placed in its topics.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from lib.errors import StoreError, log
from lib.progress import Progress
from lib.store.schema import take_table
from lib.store.spill import Engine, Source, Spill, materialize

if TYPE_CHECKING:
    from lib.dataset import Dataset
    from lib.store.store import Store

Arrays = dict[str, npt.NDArray[Any]]
Rows = npt.NDArray[Any]  # rows of papers, ascending (int32 in a saved index, int64 once mapped to the table)
TableRows = npt.NDArray[np.int64]
LAYOUT = 2  # what every artifact shares: strings packed with their lengths (1: NUL-separated); saved after
# its kind's format number, so a change here makes every artifact of the older layout be built again
MAX_SEGMENTS = 20  # a chain this long is not extended: the next use builds it whole (or ``python -m lib build --full``)


def pack(strings: Iterable[str]) -> npt.NDArray[np.uint8]:
    """Strings as one array to save, any string at all (a NUL, a lone surrogate's escape): their
    count and each one's length in characters (little-endian int64), then their UTF-8 text;
    :func:`unpack` reads them back."""
    items = list(strings)
    lengths = np.fromiter(map(len, items), dtype="<i8", count=len(items))
    text = np.frombuffer("".join(items).encode("utf-8", "surrogatepass"), dtype=np.uint8)
    head = np.array([len(items)], dtype="<i8").view(np.uint8)
    return np.concatenate([head, lengths.view(np.uint8), text])


def unpack(blob: npt.NDArray[np.uint8]) -> list[str]:
    """The strings of a :func:`pack` array; a damaged one raises StoreError (never a wrong list)."""
    blob = np.asarray(blob)
    try:
        if blob.dtype != np.uint8 or blob.ndim != 1 or len(blob) < 8:
            raise ValueError("not a packed list of strings")
        count = int(blob[:8].view("<i8")[0])
        if not 0 <= count <= (len(blob) - 8) // 8:
            raise ValueError(f"bad count {count}")
        lengths = blob[8 : 8 + 8 * count].view("<i8")
        text = bytes(blob[8 + 8 * count :]).decode("utf-8", "surrogatepass")
        if count and (int(lengths.min()) < 0 or int(lengths.sum()) != len(text)):
            raise ValueError("lengths do not add up to the text")
        if not count and text:
            raise ValueError("text without strings")
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreError(f"a saved list of strings is damaged ({exc}): rebuild with python -m lib build") from None
    ends = np.cumsum(lengths).tolist()
    return [text[start:end] for start, end in zip([0, *ends[:-1]], ends)]


class Artifact(Protocol):
    """Something saved as named arrays."""

    def to_arrays(self) -> Arrays: ...


@dataclass(frozen=True)
class ArtifactFile:
    """An artifact on disk: its name (one directory per store version), the format of its
    arrays, and the arrays it cannot do without."""

    name: str
    format: int
    required: tuple[str, ...]

    def usable(self, arrays: Arrays | None) -> bool:
        """Whether saved ``arrays`` are of this format (and :data:`LAYOUT`) and hold every required array."""
        if arrays is None or "format" not in arrays or arrays["format"].shape != (2,):
            return False
        return [int(n) for n in arrays["format"]] == [self.format, LAYOUT] and all(k in arrays for k in self.required)

    def load(self, store: Store, version: str) -> Arrays | None:
        """The arrays saved for store ``version`` (memory-mapped), or None when there are none
        of this format (or they are damaged: lib.store.store.Store.load_arrays)."""
        arrays = store.load_arrays(self.name, version)
        return arrays if self.usable(arrays) else None

    def save(self, store: Store, version: str, arrays: Arrays) -> bool:
        """Save ``arrays`` for store ``version``, stamped with this format; whether they are on disk."""
        stamp = np.array([self.format, LAYOUT], dtype=np.int64)
        return store.save_arrays(self.name, version, {**arrays, "format": stamp}) is not None

    def prune(self, store: Store, keep: str | set[str]) -> None:
        """Delete this artifact's copies of other store versions than ``keep``."""
        store.prune_artifacts(self.name, keep)


# --- segments -----------------------------------------------------------------------------------
class Counted(Protocol):
    """An index over some papers: how many it holds."""

    @property
    def n_docs(self) -> int: ...


class Segment(Counted, Artifact, Protocol):
    """An index of some papers, saved as arrays."""


S = TypeVar("S", bound=Segment)  # one segment's index
W = TypeVar("W", bound=Counted)  # a stack of segments, joined
C = TypeVar("C", bound=Counted)


@dataclass
class Postings:
    """Rows holding something (a term), ascending, and a value per row (a score) or None."""

    rows: Rows
    values: npt.NDArray[Any] | None = None


EMPTY = Postings(np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32))


@dataclass
class Part(Generic[C]):
    """One segment of a stack: its index, the table row of each of its rows, and which of its
    rows a later segment has re-indexed (an import that changed their text)."""

    index: C
    rows: TableRows | None  # table row of each segment row; None: rows 0..n-1 (the base)
    stale: npt.NDArray[np.bool_] | None = None  # per segment row, True when superseded

    def table_rows(self, local: Rows) -> TableRows:
        local = local.astype(np.int64)
        return local if self.rows is None else self.rows[local]

    def all_rows(self) -> TableRows:
        """The table row of every row of the segment."""
        return np.arange(self.index.n_docs, dtype=np.int64) if self.rows is None else self.rows

    def live(self, local: Rows) -> npt.NDArray[np.bool_] | None:
        return None if self.stale is None else ~self.stale[local]


def stack(parts: list[Part[C]]) -> list[Part[C]]:
    """Mark, in each segment, the rows that a later segment holds again (newest wins)."""
    seen = np.zeros(0, dtype=np.int64)
    for i in range(len(parts) - 1, -1, -1):
        part = parts[i]
        rows = part.all_rows()
        if len(seen):
            stale = np.isin(rows, seen)
            part.stale = stale if stale.any() else None
        if i:  # (not after the oldest part, the base: at 1M its rows would cost a third of a second)
            seen = np.union1d(seen, rows)
    return parts


def stack_size(parts: Sequence[Part[C]]) -> int:
    """Rows of the table a stack covers (one past its last row)."""
    return max(int(part.all_rows().max(initial=-1)) for part in parts) + 1


def join_postings(parts: Sequence[Part[C]], get: Callable[[C], Postings]) -> Postings:
    """Postings over a stack of segments (``get``: a segment's own): table rows ascending,
    superseded rows left out (a big sorted base and small segments: the small ones are inserted)."""
    rows: Rows | None = None
    values: npt.NDArray[Any] | None = None
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
    return EMPTY if rows is None else Postings(rows, values)


def _chain(arrays: Arrays, version: str) -> list[str]:
    """The versions whose segments an artifact stands on, oldest first, then ``version``."""
    return (unpack(arrays["previous"]) if "previous" in arrays else []) + [version]


class SegmentedArtifact(ABC, Generic[S, W]):
    """An index built whole, then extended by daily imports with segments (see the module
    docstring).  A kind says how to build an index and a segment, read one from its arrays,
    and join a stack; this class loads, saves and extends them."""

    file: ArtifactFile
    preload_bytes = 0  # a loaded artifact of at most this many bytes is read into memory at once

    @abstractmethod
    def from_arrays(self, arrays: Arrays) -> S:
        """One saved segment (or whole index)."""

    @abstractmethod
    def build(self, table: pa.Table, progress: Progress | None = None) -> S:
        """The whole index of ``table``."""

    def build_arrays(
        self, source: Source, progress: Progress | None, spill: Spill, engine: Engine | None = None
    ) -> Arrays:
        """The arrays of the whole index of ``source``'s rows, a part at a time within ``spill``'s
        budget (lib.store.spill); an array may be the Path of an ``.npy`` file the build wrote.
        This default reads the whole table and calls :meth:`build`."""
        table = source.table if source.table is not None else pa.concat_tables(t for _, t in source)
        return self.build(table, progress).to_arrays()

    @abstractmethod
    def build_segment(self, table: pa.Table, base: S | W) -> S:
        """An index of the papers of ``table`` (appended or re-written), to stack on ``base``."""

    @abstractmethod
    def join(self, parts: list[Part[S]]) -> W:
        """A stack of segments (the base first) as one index."""

    def load(self, store: Store, version: str, arrays: Arrays) -> S | W | None:
        """The index saved as ``arrays`` for store ``version``, with the segments it stands
        on; None when it or one of them is missing, of another format, damaged, or a segment
        out of step with its rows (each is logged)."""
        if not self.file.usable(arrays):
            return None
        parts: list[Part[S]] = []
        try:
            for each in _chain(arrays, version):
                own = arrays if each == version else self.file.load(store, each)
                if own is None:
                    return None
                index = self.from_arrays(own)
                rows = np.asarray(own["rows"], dtype=np.int64) if "rows" in own else None
                if rows is not None and (len(rows) != index.n_docs or (len(rows) and int(rows.min()) < 0)):
                    raise StoreError(f"{len(rows):,} rows for a segment of {index.n_docs:,} papers")
                parts.append(Part(index, rows))
        except StoreError as exc:
            log.warning(
                "the %s artifact of version %s is damaged (%s): it is built again", self.file.name, version, exc
            )
            return None
        return parts[0].index if len(parts) == 1 else self.join(parts)

    def load_or_build(
        self,
        store: Store,
        dataset: Dataset,
        progress: Progress | None = None,
        rebuild: bool = False,
        budget: int | None = None,
        engine: Engine | None = None,
    ) -> S | W:
        """The index of this store version: loaded (memory-mapped, with its segments) when it
        is on disk; else carried over from the newest older version that has it (:func:`carry_over`:
        an import killed before it extended it); else built whole and saved beside the table
        (older versions' copies are deleted).  ``rebuild``: built whole even when this version's
        copy is on disk (it may be segments that daily imports added; they are replaced).  A
        loaded artifact of at most :attr:`preload_bytes` is read into memory at once
        (lib.store.store.Store.prefault).  The bundled sample is indexed in memory.  A build reads
        the store's parts one at a time within ``budget`` bytes (lib.store.spill), its map step
        on ``engine`` when given (lib.spark)."""
        if dataset.is_sample:
            return self.build(dataset.table, progress)
        arrays = None if rebuild else self.file.load(store, dataset.version)
        if (
            arrays is None
            and not rebuild
            and carry_over(store, dataset, self.file, self._rows_held, self.extend_after_import)
        ):
            arrays = self.file.load(store, dataset.version)
        loaded = None
        if arrays is not None:
            store.prefault(arrays, self.preload_bytes)
            loaded = self.load(store, dataset.version, arrays)
        if loaded is not None and loaded.n_docs == dataset.table.num_rows:
            return loaded
        parts = store.parts(dataset.version)
        source = (
            Source.of_parts(parts)
            if parts is not None and sum(rows for _, _, rows in parts) == dataset.table.num_rows
            else Source.of_table(dataset.table)
        )
        with Spill(budget) as spill:
            arrays = self.build_arrays(source, progress, spill, engine)
            saved = self.file.load(store, dataset.version) if self.file.save(store, dataset.version, arrays) else None
            if saved is not None:
                store.prefault(saved, self.preload_bytes)
            index = self.from_arrays(saved if saved is not None else materialize(arrays))
        self.file.prune(store, dataset.version)
        return index

    def _rows_held(self, store: Store, version: str, arrays: Arrays) -> int | None:
        loaded = self.load(store, version, arrays)
        return None if loaded is None else loaded.n_docs

    def extend_after_import(
        self,
        store: Store,
        previous_version: str,
        version: str,
        table: pa.Table,
        first_new_row: int,
        changed_rows: npt.ArrayLike = (),
    ) -> bool:
        """After an import: save this artifact for ``version`` as the previous version's
        segments plus one segment of the rows the import touched — those it re-wrote
        (``changed_rows``) and those it appended (from ``first_new_row``) — in milliseconds,
        where a whole build takes minutes at 1M papers.  Only when the previous version has
        it, standing on fewer than :data:`MAX_SEGMENTS` segments; returns whether it did."""
        arrays = self.file.load(store, previous_version)
        if arrays is None:
            return False
        chain = _chain(arrays, previous_version)
        if len(chain) >= MAX_SEGMENTS:
            return False
        base = self.load(store, previous_version, arrays)
        if base is None or base.n_docs != first_new_row:
            return False
        rows = np.union1d(np.asarray(changed_rows, dtype=np.int64), np.arange(first_new_row, table.num_rows))
        segment = self.build_segment(take_table(table, rows), base)
        saved = self.file.save(store, version, {**segment.to_arrays(), "rows": rows, "previous": pack(chain)})
        self.file.prune(store, {version, *chain})
        return saved


RowsHeld = Callable[["Store", str, Arrays], "int | None"]
Extend = Callable[["Store", str, str, pa.Table, int, TableRows], bool]


def carry_over(store: Store, dataset: Dataset, file: ArtifactFile, rows_held: RowsHeld, extend: Extend) -> bool:
    """Save ``file`` for ``dataset``'s version, which lacks it (an import killed before it carried
    its artifacts over), from the newest older version that has it, with ``extend`` (an
    ``extend_after_import``; ``rows_held``: how many rows of the table a saved copy holds).
    The rows that version may hold otherwise than the table now does, those of the table
    parts written since (lib.store.store.Store.rows_written_since), are indexed again with
    the rows appended.  Returns whether it did; a failure is logged (the caller builds whole)."""
    if dataset.is_sample:
        return False
    try:
        for previous in store.artifact_versions(file.name, before=dataset.version):
            arrays = file.load(store, previous)
            held = None if arrays is None else rows_held(store, previous, arrays)
            if arrays is None or held is None:
                continue
            changed = store.rows_written_since(previous, dataset.version)
            if changed is None or held > dataset.table.num_rows:
                return False
            return extend(store, previous, dataset.version, dataset.table, held, changed[changed < held])
    except Exception:  # a cache: the caller builds it whole; why, goes to the log
        log.warning(
            "the %s artifact could not be carried over to version %s", file.name, dataset.version, exc_info=True
        )
    return False
