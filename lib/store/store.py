"""The one module that touches the disk: the store layout, atomic writes, the lock,
input files, and the bundled sample.

Layout of a data directory (``--data DIR``, else ``$PAPERS_DATA``, else ``data/``
in the project)::

    DIR/papers/_manifest.json the table's manifest: its store version, and its parts in order
    DIR/papers/part-NNNNNN-VERSION.parquet
                              the table (lib.store.schema.SCHEMA), cut in parts of PART_ROWS rows:
                              part N holds rows N*PART_ROWS.. (rows never move; new papers are
                              appended), named after the version that wrote it, never rewritten
    DIR/artifacts/            derived artifacts, one file per (name, store version):
                              NAME-VERSION.SUFFIX; rebuilt only when the version moves
    DIR/artifacts/table-parts/ each part as uncompressed Arrow, memory-mapped by readers, and its
                              CRC-32 (.crc32), checked before a writer uses its rows
    DIR/.lock                 serialises writers (flock); readers never wait
    DIR/papers.log            internal errors the CLI met, with their tracebacks (lib.errors.log)
    DIR/team.sqlite3          the team's database (lib.team.db: collections, statuses, notes, saved
                              views, upvote snapshots), with its -wal and -shm files; unless
                              $PAPERS_DB_URL names another database

A write makes new part files only for the parts whose rows changed (a daily import: the
last part, and the parts of the papers it updated), then replaces the manifest: the
rename of the manifest is the one moment the new version goes live.  Every file is
written to a temporary sibling, flushed and fsynced, then renamed (``os.replace`` is
atomic on POSIX): a failure or a kill at any moment leaves the previous version's files
byte-identical, and a reader sees either the old table or the new one.

Stores written before the table was cut in parts (releases before 2026-11-28) hold one file,
``DIR/papers.parquet``, its version in its Parquet metadata.  This program reads and writes
only the layout above: it refuses such a store with a message that says to move it, once,
with ``python -m lib build --migrate`` (:meth:`Store.migrate`: same version, so every artifact
stays valid).
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import io
import json
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from lib.errors import InputError, StoreError, log
from lib.store.schema import conform, empty_table

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = PROJECT_DIR / "data"
SAMPLE_DIR = PROJECT_DIR / "sample"  # the bundled demo: shown while the store is empty
SAMPLE_FILE = SAMPLE_DIR / "daily_papers_2025-08-12.txt"  # the seed page, as a person copies it
TABLE_DIR = "papers"  # the table: its parts and its manifest
TEAM_DB_FILE = "team.sqlite3"  # the team's database (lib.team.db), when $PAPERS_DB_URL names none
LOG_FILE = "papers.log"  # the CLI's log of internal errors (lib.errors.log), rotated at 1 MB
MANIFEST_FILE = "_manifest.json"  # "_": readers of the folder as a Parquet dataset (pyarrow, Spark) skip it
MANIFEST_FORMAT = 1  # a store written by a later format is refused, never misread
LEGACY_TABLE_FILE = "papers.parquet"  # the one-file table of stores written before 2026-11-28 (see migrate)
LEGACY_TABLE_CACHE = "table"  # artifact: that one-file table as uncompressed Arrow (deleted by migrate)
MIGRATE = "python -m lib build --migrate"
RECOVER = "python -m lib build --recover"
MANIFEST_KEY = b"papers_store_manifest"  # in each part's Parquet metadata: its version's manifest (see recover)
CHECKSUM_SUFFIX = ".crc32"  # beside each Arrow copy: its bytes' CRC-32, checked before a writer uses its rows
PART_ROWS = 65_536  # rows per part: a daily import rewrites on average half a part, not the table
PART_CACHE = "table-parts"  # artifacts/table-parts/: each part as uncompressed Arrow, memory-mapped
VERSION_KEY = b"papers_store_version"
GZIP_MAGIC = b"\x1f\x8b"
PAGE_BYTES = 4096
CHECKSUMS = "checksums.json"  # in each artifact's folder: every .npy file's size and CRC-32, written last
VERIFY_BYTES = 512 * 2**20  # of each artifact, checked byte for byte at every load (see Store.load_arrays)
STALE_STAGING_SECONDS = 3600  # a staging folder of a save untouched this long was left by a killed writer
# what follows NAME- in an artifact file: a store version (N-hex, 0-unversioned, sample)
_VERSION_PART = re.compile(r"(?:\d+-[0-9a-z]+|sample)(?:\.|$)")
_VERSION = re.compile(r"\d+-[0-9a-z]+")
_PART_FILE = re.compile(r"part-\d{6}-\d+-[0-9a-z]+\.parquet")


def _one_line(exc: BaseException, limit: int = 120) -> str:
    """An exception's text for a one-line message (Arrow's can span lines)."""
    return " ".join(str(exc).split())[:limit]


def _number(version: str) -> int:
    """The write count at the head of a version ("12-ab34cd56": 12; "0-unversioned": 0)."""
    head = version.split("-")[0]
    return int(head) if head.isdigit() else 0


def _part_version(name: str) -> str:
    """The version that wrote the part file ``name`` (part-NNNNNN-VERSION.parquet)."""
    return name[len("part-000000-") : -len(".parquet")]


def _checksum(data: Any) -> str:
    """The CRC-32 of a buffer, as the checksum file beside an Arrow copy holds it (zlib
    releases the GIL: parts are checked in parallel threads)."""
    return f"{zlib.crc32(data):08x}"


def read_only(env: Mapping[str, str] | None = None) -> bool:
    """``PAPERS_READONLY=1``: a dashboard shared with a team refuses every write of the table."""
    value = (os.environ if env is None else env).get("PAPERS_READONLY", "")
    return value.strip().lower() in ("1", "true", "yes", "on")


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data``, else ``$PAPERS_DATA``, else the project's ``data/``."""
    chosen = explicit or os.environ.get("PAPERS_DATA") or DEFAULT_DATA_DIR
    return Path(chosen).expanduser().resolve()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    """The process's umask, read without changing it (``os.umask`` sets it: a race with other threads)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(b"Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def temp_dir(parent: Path, prefix: str, suffix: str = ".tmp") -> Path:
    """``tempfile.mkdtemp`` in ``parent`` with the mode ``mkdir`` gives (0777 less the umask), not
    owner-only: a dashboard running as another user of the group reads what the store writes."""
    path = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=parent))
    os.chmod(path, 0o777 & ~_umask())
    return path


def write_atomic(target: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``target`` through a temporary sibling and an atomic rename; the file gets the mode a
    plain ``open()`` gives (0666 less the umask; ``mkstemp`` makes it owner-only)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``target`` through :func:`write_atomic`: the one byte write (the
    manifest, raw responses, the team's documents, the CLI's pages and feeds); returns the path written."""
    path = Path(target).expanduser().resolve()
    write_atomic(path, lambda handle: handle.write(data))
    return path


_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def read_parquet(path: Path) -> pa.Table:
    """A Parquet file of the table, conformed to the schema; a missing file raises
    FileNotFoundError (a newer version went live), any other failure a StoreError."""
    try:
        with open(path, "rb") as handle:
            return conform(pq.ParquetFile(handle, page_checksum_verification=True).read())
    except FileNotFoundError:
        raise
    except (OSError, pa.ArrowException, KeyError) as exc:
        raise StoreError(f"{path}: unreadable store ({_one_line(exc)})") from None


def _mapped_file(array: np.ndarray) -> tuple[str, int] | None:
    """(file, offset) of a 1-D array that is the whole of a memory-mapped ``.npy`` (as
    :meth:`Store.load_arrays` maps it, or a plain view of that), else None."""
    owner: Any = array
    while owner is not None and not isinstance(owner, np.memmap):
        owner = owner.base if isinstance(owner.base, np.ndarray) else None
    if owner is None or owner.filename is None or array.ndim != 1 or not array.flags.c_contiguous:
        return None
    if array.ctypes.data != owner.ctypes.data or array.nbytes != owner.nbytes:
        return None  # a slice of it
    offset = int(owner.offset)
    return (str(owner.filename), offset) if offset + owner.nbytes == os.path.getsize(owner.filename) else None


def read_ranges(
    array: np.ndarray, starts: npt.ArrayLike, ends: npt.ArrayLike, out: np.ndarray | None = None
) -> np.ndarray:
    """``array[s:e]`` of each range, one after the other (into ``out`` when given; ranges in any order).  From an
    artifact's whole memory-mapped array (as :meth:`Store.load_arrays` gives it) the ranges are
    read from its file rather than through the mapping: their pages stay in the page cache, shared
    and reclaimable, instead of becoming this process's resident memory (a topic fit reads most of
    the term index's postings: more than a gigabyte at 1M papers)."""
    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    if out is None:
        out = np.empty(int((ends - starts).sum()), dtype=array.dtype)
    if out.dtype != array.dtype or len(out) != int((ends - starts).sum()):
        raise ValueError("read_ranges: out must hold the ranges' values, in the array's type")
    mapped = _mapped_file(array)
    if mapped is None or not len(out):  # in memory, or a slice of a mapping: copied as it is
        at = 0
        for start, end in zip(starts.tolist(), ends.tolist()):
            out[at : at + end - start] = array[start:end]
            at += end - start
        return out
    size, buffer = array.dtype.itemsize, out.view(np.uint8)
    joined = np.flatnonzero(starts[1:] != ends[:-1]) + 1  # adjacent ranges are one read
    firsts, lasts = np.r_[0, joined], np.r_[joined, len(starts)] - 1
    filename, offset = mapped
    with open(filename, "rb", buffering=0) as file:
        at = 0
        for first, last in zip(starts[firsts].tolist(), ends[lasts].tolist()):
            file.seek(offset + first * size)
            wanted = (last - first) * size
            while wanted:
                got = file.readinto(buffer[at : at + wanted].data)
                if not got:
                    raise StoreError(f"{filename}: shorter than its header says")
                at, wanted = at + got, wanted - got
    return out


def read_rows(matrix: np.ndarray, rows: npt.ArrayLike) -> np.ndarray:
    """``matrix[rows]`` of a 2-D array; from an artifact's whole memory-mapped matrix, read from
    its file (see :func:`read_ranges`): a few thousand rows picked from millions, query after
    query, would otherwise make the whole matrix resident over a server's life."""
    rows = np.asarray(rows, dtype=np.int64)
    flat = matrix.reshape(-1) if matrix.flags.c_contiguous else matrix  # (a view: never a copy)
    if matrix.ndim != 2 or not len(rows) or _mapped_file(flat) is None:
        return np.asarray(matrix[rows])
    if rows.min() < 0 or rows.max() >= len(matrix):
        raise IndexError(f"rows out of 0..{len(matrix) - 1}")
    width = matrix.shape[1]
    order = np.argsort(rows, kind="stable")  # ascending: the reads go forward, adjacent rows join
    got = read_ranges(flat, rows[order] * width, rows[order] * width + width).reshape(-1, width)
    out = np.empty_like(got)
    out[order] = got
    return out


def _each(function: Callable[[_Item], _Result], items: Iterable[_Item], parallel: bool) -> list[_Result]:
    """``function(item)`` for each item, results in order; with ``parallel``, in threads
    (Parquet and Arrow read and write in C++ without the GIL), and the first failure cancels
    the items not yet started."""
    if not parallel:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = [pool.submit(function, item) for item in items]
        try:
            return [future.result() for future in futures]
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


@dataclass(frozen=True)
class _Layout:
    """The live table: its version and its parts in row order, each (Parquet file, its
    Arrow copy, its rows)."""

    version: str
    parts: tuple[tuple[Path, Path, int], ...]
    part_rows: int


class Store:
    """A data directory holding the paper table and its derived artifacts."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = data_dir(path)
        self.table_dir = self.path / TABLE_DIR
        self.manifest_path = self.table_dir / MANIFEST_FILE
        self.legacy_path = self.path / LEGACY_TABLE_FILE
        self.artifacts_dir = self.path / "artifacts"
        self.part_cache_dir = self.artifacts_dir / PART_CACHE
        self.log_path = self.path / LOG_FILE
        self.team_db_path = self.path / TEAM_DB_FILE
        self._held = threading.local()  # .depth: this thread holds the writers' lock (see lock)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # --- reading ---------------------------------------------------------------
    def exists(self) -> bool:
        """Whether the directory holds a table (one of the older layout, or parts that lost their
        manifest, too: reading it then says what to do)."""
        return self.manifest_path.is_file() or self.legacy_path.is_file() or bool(self._part_files())

    def version(self) -> str | None:
        """The store version (changes with every write that changes the table), or None."""
        layout = self._layout()
        return layout.version if layout else None

    def table_files(self) -> list[Path]:
        """The files that hold the live table: the manifest and its Parquet parts in row
        order; empty when there is no table."""
        layout = self._layout()
        if layout is None:
            return []
        return [self.manifest_path, *(parquet for parquet, _, _ in layout.parts)]

    def parquet_files(self) -> list[Path]:
        """The live table's Parquet files in row order (for other readers, e.g. DuckDB)."""
        return [path for path in self.table_files() if path.suffix == ".parquet"]

    def _layout(self) -> _Layout | None:
        if self.manifest_path.is_file():
            return self._read_manifest()
        if self.legacy_path.is_file() and not self.manifest_path.is_file():  # (else a migration just went live)
            raise StoreError(
                f"{self.legacy_path}: unreadable store (the one-file layout of releases before 2026-11-28): "
                f"move it to the current layout once with: {MIGRATE}"
            )
        if not self._part_files():
            return self._read_manifest() if self.manifest_path.is_file() else None
        # Parts without a manifest: the first write of the store, under way in another thread or
        # process (its parts come before its manifest); else a manifest that was lost.  Reading
        # that as an empty store would show the bundled sample, and the next import would write a
        # table without the parts' papers: refused until a manifest is rebuilt from them.
        first_write = self._busy() and not self._holding()
        if self.manifest_path.is_file():
            return self._read_manifest()
        parts = self._part_files()
        if not parts or (first_write and all(_number(_part_version(p.name)) == 1 for p in parts)):
            return None
        raise StoreError(
            f"{self.manifest_path}: missing, but table parts are there ({len(parts)}): nothing is read or "
            f"written until a manifest is rebuilt from the newest complete set of them with: {RECOVER}"
        )

    def _part_files(self) -> list[Path]:
        """Every table part on disk, live or not."""
        return sorted(p for p in self.table_dir.glob("part-*.parquet") if _PART_FILE.fullmatch(p.name))

    def _holding(self) -> bool:
        """Whether this thread holds the writers' lock."""
        return getattr(self._held, "depth", 0) > 0

    def _busy(self) -> bool:
        """Whether a writer (another process, or another thread) holds the writers' lock now."""
        try:
            with open(self.path / ".lock", "rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)  # released when closed
        except BlockingIOError:
            return True
        except OSError:
            return False
        return False

    def _read_manifest(self) -> _Layout:
        try:
            data = self.manifest_path.read_bytes()
        except OSError as exc:
            raise StoreError(f"{self.manifest_path}: unreadable store ({_one_line(exc)})") from None
        try:
            manifest = json.loads(data)
            if not isinstance(manifest, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            raise StoreError(f"{self.manifest_path}: unreadable store ({_one_line(exc)}){self._RECOVERABLE}") from None
        if manifest.get("format") != MANIFEST_FORMAT:  # a later release's: never misread, never recovered over
            raise StoreError(
                f"{self.manifest_path}: unreadable store (manifest format {manifest.get('format')!r}; "
                f"this program reads {MANIFEST_FORMAT})"
            )
        try:
            version, size, parts = manifest["version"], manifest["part_rows"], manifest["parts"]
            if not (isinstance(version, str) and _VERSION.fullmatch(version)):
                raise ValueError(f"bad version {version!r}")
            if not (isinstance(size, int) and size > 0 and isinstance(parts, list)):
                raise ValueError("bad part list")
            layout = []
            for part in parts:
                name, rows = part["file"], part["rows"]
                if not (isinstance(name, str) and _PART_FILE.fullmatch(name)):
                    raise ValueError(f"bad part name {name!r}")
                if not (isinstance(rows, int) and 0 < rows <= size):
                    raise ValueError(f"bad row count {rows!r}")
                parquet = self.table_dir / name
                layout.append((parquet, self.arrow_copy(parquet), rows))
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"{self.manifest_path}: unreadable store ({_one_line(exc)}){self._RECOVERABLE}") from None
        return _Layout(version, tuple(layout), size)

    _RECOVERABLE = f"; if the table's parts are intact, write it again from them with: {RECOVER}"

    def parts(self, version: str) -> list[tuple[Path, Path, int]] | None:
        """The live table's parts, each (Parquet file, its Arrow copy, its rows), in row order,
        when ``version`` is the live one (None otherwise): what a build maps a part at a time
        (lib.store.spill)."""
        layout = self._layout()
        return list(layout.parts) if layout is not None and layout.version == version else None

    def arrow_copy(self, parquet: Path) -> Path:
        """Where the memory-mappable Arrow copy of the table part ``parquet`` lives."""
        return self.part_cache_dir / f"{parquet.stem}.arrow"

    def read_table(self) -> pa.Table:
        """The whole table (empty when the store has none yet): :meth:`read_version`'s table."""
        return self.read_version()[0]

    def read_version(self, verify: bool | None = None) -> tuple[pa.Table, str | None]:
        """The whole table and the version it is (empty and None when the store has none yet):
        one reading of the manifest, so an import going live meanwhile cannot pair a new table
        with the old version's name (its artifacts would be saved under that name).

        Each part is read from its uncompressed Arrow copy, memory-mapped: milliseconds at a
        million papers where decoding Parquet takes seconds, and every process shares one
        copy of the table in the page cache.  The first read of a part without a copy
        writes it.  A part that a writer deleted between reading the manifest and opening
        the part means that a newer version went live: the read starts again.

        With ``verify`` (the default under :meth:`lock`: a writer's read) a copy is used only
        if its bytes match the checksum written beside it, else the part is read from its
        Parquet file (whose pages carry checksums too) and the copy is written again: the
        durable table is never rebuilt from a damaged cache.
        """
        verify = self._holding() if verify is None else verify
        for attempt in range(3):
            layout = self._layout()
            if layout is None:
                return empty_table(), None
            try:
                pieces = self._read_parts(layout.parts, verify)
            except FileNotFoundError as exc:
                if attempt < 2 and self.version() != layout.version:
                    continue
                raise StoreError(
                    f"{exc.filename}: unreadable store (a part of version {layout.version} is missing)"
                ) from None
            return (pa.concat_tables(pieces) if pieces else empty_table()), layout.version
        raise AssertionError("unreachable")

    def _read_parts(self, parts: tuple[tuple[Path, Path, int], ...], verify: bool) -> list[pa.Table]:
        """Each part, in order; parts without an Arrow copy yet (a new store version read for
        the first time) are decoded in parallel threads: 2.0-3.5 s instead of 3.8-6.1 s for
        1M papers on 2 cores; checked copies too."""
        to_decode = sum(not copy.is_file() for _, copy, _ in parts)
        return _each(
            lambda part: self._read_part(*part, verify), parts, parallel=to_decode > 1 or (verify and len(parts) > 1)
        )

    def _read_part(self, parquet: Path, copy: Path, rows: int, verify: bool) -> pa.Table:
        table = self._read_copy(copy, verify)
        if table is not None and table.num_rows == rows:
            return table
        table = read_parquet(parquet)
        if table.num_rows != rows:
            raise StoreError(f"{parquet}: unreadable store ({table.num_rows} rows where the manifest says {rows})")
        if not read_only():  # a read-only dashboard writes nothing, caches neither
            self._write_copy(copy, table)
        return table

    @staticmethod
    def _read_copy(path: Path, verify: bool) -> pa.Table | None:
        """An Arrow copy, memory-mapped; None when it is missing or damaged, or, with ``verify``,
        when its bytes do not match its checksum (or it has none)."""
        if not path.is_file():
            return None
        try:
            source: Any = pa.memory_map(str(path))
            if verify:
                source = source.read_buffer()  # the mapped bytes checked are the bytes read
                saved = path.with_name(path.name + CHECKSUM_SUFFIX).read_text(encoding="ascii")
                if saved.strip() != _checksum(source):
                    return None
            return conform(pa.ipc.open_file(source).read_all())
        except (OSError, ValueError, pa.ArrowException, KeyError):
            return None  # damaged (or deleted meanwhile): read the Parquet file again

    @staticmethod
    def _write_copy(path: Path, table: pa.Table) -> None:
        """Write a part's Arrow copy as one record batch of contiguous buffers (a table spliced by
        imports has many chunks: its copy grew and loaded slowly), then its checksum."""
        table = table.combine_chunks()

        def write(handle: IO[bytes]) -> None:
            with pa.ipc.new_file(handle, table.schema) as writer:
                writer.write_table(table, max_chunksize=max(table.num_rows, 1))

        with contextlib.suppress(OSError):  # a read-only or full disk: the store works, only slower to open
            write_atomic(path, write)
            with pa.memory_map(str(path)) as written:
                checksum = _checksum(written.read_buffer())
            write_bytes_atomic(path.with_name(path.name + CHECKSUM_SUFFIX), checksum.encode())

    def compact(self) -> int:
        """``python -m lib build``: write again, from its Parquet file, the Arrow copy of every
        live part that is fragmented (many record batches: imports before 2026-12-04 spliced
        them), damaged, or without its checksum; returns how many it wrote (none on a read-only
        disk: the copies are caches, the table reads without them)."""
        written = 0
        with contextlib.suppress(OSError), self.lock():
            layout = self._layout()
            for parquet, copy, rows in layout.parts if layout else ():
                table = self._read_copy(copy, verify=True)
                if table is None or table.num_rows != rows or table["id"].num_chunks > 1:
                    self._write_copy(copy, read_parquet(parquet))
                    written += 1
        return written

    # --- writing ---------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the writers' lock (blocks while another process writes).  Reads of the table
        in this thread meanwhile check every Arrow copy (see :meth:`read_version`)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._held.depth = getattr(self._held, "depth", 0) + 1
            try:
                yield
            finally:
                self._held.depth -= 1
                fcntl.flock(handle, fcntl.LOCK_UN)

    def write_table(self, table: pa.Table, *, base: str | None = None, changed_rows: Iterable[int] = ()) -> str:
        """Replace the table atomically; returns the new version.  Call under :meth:`lock`.

        With ``base``, the version ``table`` was made from, and ``changed_rows``, the rows
        of ``base`` that changed (rows past its end are new), only the parts holding those
        rows are written; the others are the same files in the new version.  Without them,
        every part is written.
        """
        if read_only():
            raise StoreError("the store is read-only (PAPERS_READONLY is set): imports are disabled")
        current = self._layout()
        previous = (current.version if current else "0").split("-")[0]
        version = f"{int(previous) + 1 if previous.isdigit() else 1}-{secrets.token_hex(4)}"
        table = conform(table)
        kept: dict[int, str] = {}
        if base is not None and current and current.part_rows == PART_ROWS and current.version == base:
            dirty = {int(row) // PART_ROWS for row in changed_rows}
            for i, (parquet, _, rows) in enumerate(current.parts):
                if i not in dirty and rows == min(PART_ROWS, table.num_rows - i * PART_ROWS):
                    kept[i] = parquet.name
        self._commit(table, version, kept, current)
        return version

    def migrate(self) -> str | None:
        """``python -m lib build --migrate``: move a store of the one-file layout (releases
        before 2026-11-28: ``DIR/papers.parquet``) to parts, under the same version -- the rows
        are the same, so every artifact stays valid.  Atomic: the parts are written first and the
        manifest's rename is the moment they go live; a failure before it deletes what it wrote
        and leaves the store exactly as it was; after it, the one file and its Arrow copy are
        deleted.  Returns the version it moved, or None when there was nothing to move."""
        if read_only():
            raise StoreError("the store is read-only (PAPERS_READONLY is set): it cannot be migrated")
        with self.lock():
            if self.manifest_path.is_file() or not self.legacy_path.is_file():
                return None
            try:
                metadata = pq.read_schema(self.legacy_path).metadata or {}
            except (OSError, pa.ArrowException) as exc:
                raise StoreError(f"{self.legacy_path}: unreadable store ({_one_line(exc)})") from None
            version: str = metadata.get(VERSION_KEY, b"0-unversioned").decode()
            if not _VERSION.fullmatch(version):
                raise StoreError(f"{self.legacy_path}: unreadable store (bad version {version!r})")
            table = read_parquet(self.legacy_path)
            made = [d for d in (self.table_dir, self.artifacts_dir, self.part_cache_dir) if not d.exists()]
            try:
                self._commit(table, version, {}, None)
            except BaseException:
                for directory in reversed(made):  # the directories it made, now empty again
                    with contextlib.suppress(OSError):
                        directory.rmdir()
                raise
            for path in (self.legacy_path, *self.path.glob(f".{LEGACY_TABLE_FILE}.*.tmp")):
                with contextlib.suppress(OSError):
                    path.unlink()
            self.prune_artifacts(LEGACY_TABLE_CACHE, set())
        return version

    def _commit(self, table: pa.Table, version: str, kept: dict[int, str], current: _Layout | None) -> None:
        """Write the parts of ``table`` not in ``kept``, then the manifest naming ``version``
        (the moment it goes live), then delete what the live table no longer uses.  Each part
        carries the manifest in its Parquet metadata (what :meth:`recover` reads)."""
        live = {parquet.name for parquet, _, _ in current.parts} if current else set()
        before = _number(current.version) if current else 0
        self._prune_table(live, before)  # files left by a writer killed mid-write (we hold the lock)
        count = -(-table.num_rows // PART_ROWS)
        names = [kept.get(i) or f"part-{i:06d}-{version}.parquet" for i in range(count)]
        todo = [i for i in range(count) if i not in kept]
        manifest = {
            "format": MANIFEST_FORMAT,
            "version": version,
            "part_rows": PART_ROWS,
            "parts": [
                {"file": name, "rows": min(PART_ROWS, table.num_rows - i * PART_ROWS)} for i, name in enumerate(names)
            ],
        }
        data = json.dumps(manifest, indent=1).encode()

        def write(i: int) -> None:  # a part's Parquet file, then its Arrow copy (which reads map)
            path = self.table_dir / names[i]
            part = table.slice(i * PART_ROWS, PART_ROWS).combine_chunks()  # contiguous: no splices of imports
            stamped = part.replace_schema_metadata({MANIFEST_KEY: data})
            write_atomic(
                path,
                lambda handle: pq.write_table(
                    stamped, handle, compression="zstd", row_group_size=PART_ROWS, write_page_checksum=True
                ),
            )
            self._write_copy(self.arrow_copy(path), part)

        try:
            self.table_dir.mkdir(parents=True, exist_ok=True)
            _each(write, todo, parallel=len(todo) > 1)
            write_bytes_atomic(self.manifest_path, data)
        except BaseException:  # the version never went live: none of its files either
            self._prune_table(live, before, {names[i] for i in todo})
            raise
        self._prune_table(set(names), before, live)

    def _prune_table(self, live: set[str], before: int, replaced: Iterable[str] = ()) -> None:
        """Delete the table files that the live version (its part files ``live``) does not use
        and that the writer can account for: temporary files (of a writer killed mid-write),
        the ``replaced`` parts (those the manifest it replaced named, or that its own failed
        write made), parts of versions numbered up to ``before`` (the version live when the
        write began: versions it was made from, or attempts killed before their manifest), and
        Arrow copies (caches) of parts not live.  A part of any other version -- say, one that a
        lost manifest named -- is never deleted.  Call under :meth:`lock`.  A reader that opened
        or mapped a deleted file keeps reading it (POSIX); one that had not yet opened it finds
        the new version (see :meth:`read_table`)."""
        replaced = set(replaced) - live
        stale = [
            *self.table_dir.glob(".*.tmp"),
            *(
                p
                for p in self._part_files()
                if p.name not in live and (p.name in replaced or _number(_part_version(p.name)) <= before)
            ),
            *(p for p in self.part_cache_dir.glob("*") if p.name.split(".")[0] + ".parquet" not in live),
        ]
        for path in stale:
            with contextlib.suppress(OSError):
                path.unlink()

    def recover(self) -> str | None:
        """``python -m lib build --recover``: a manifest again for table parts that lost theirs,
        naming the newest version whose parts are all there and readable (the manifest each part
        carries; for parts written before 2026-12-04, for each part number the newest file of a
        version not after it).  Returns that version (its artifacts stay valid), or None when
        there was nothing to recover; no complete version raises a StoreError.  A damaged
        manifest is replaced too (one of a later release's format is not)."""
        if read_only():
            raise StoreError("the store is read-only (PAPERS_READONLY is set): it cannot be recovered")
        with self.lock():
            parts = self._part_files()
            if self.legacy_path.is_file() or not parts:
                return None
            if self.manifest_path.is_file():
                try:
                    self._read_manifest()
                    return None
                except StoreError as exc:
                    if not str(exc).endswith(self._RECOVERABLE):
                        raise
            files = {p.name: p for p in parts}
            versions = sorted({_part_version(name) for name in files}, key=lambda v: (_number(v), v), reverse=True)
            for version in versions:
                manifest = self._stamped_manifest(files, version) or self._guessed_manifest(files, version)
                if manifest is not None and self._complete(manifest, files):
                    write_bytes_atomic(self.manifest_path, json.dumps(manifest, indent=1).encode())
                    return version
        raise StoreError(
            f"{self.table_dir}: no complete version among its {len(parts)} table parts (a part is missing or "
            "unreadable in each): move the folder aside and import the papers again"
        )

    def _stamped_manifest(self, files: dict[str, Path], version: str) -> dict[str, Any] | None:
        """The manifest that the parts of ``version`` carry, or None (parts written before 2026-12-04)."""
        for name, path in files.items():
            if _part_version(name) == version:
                with contextlib.suppress(OSError, ValueError, pa.ArrowException):
                    stamped = (pq.read_schema(path).metadata or {}).get(MANIFEST_KEY)
                    if stamped:
                        manifest: dict[str, Any] = json.loads(stamped)
                        return manifest
        return None

    @staticmethod
    def _guessed_manifest(files: dict[str, Path], version: str) -> dict[str, Any] | None:
        """The parts of ``version`` as the layout implies them: for each part number from 0 on,
        its file of ``version``, else the newest of an earlier version (rows never move; a write
        keeps the parts it did not change)."""
        newest: dict[int, str] = {}
        for name in sorted(files, key=lambda n: (_number(_part_version(n)), _part_version(n) == version)):
            if _number(_part_version(name)) < _number(version) or _part_version(name) == version:
                newest[int(name[len("part-") : len("part-000000")])] = name
        if sorted(newest) != list(range(len(newest))) or version not in {_part_version(n) for n in newest.values()}:
            return None
        try:
            parts = [
                {"file": newest[i], "rows": pq.ParquetFile(files[newest[i]]).metadata.num_rows}
                for i in range(len(newest))
            ]
        except (OSError, pa.ArrowException):
            return None
        return {"format": MANIFEST_FORMAT, "version": version, "part_rows": PART_ROWS, "parts": parts}

    def _complete(self, manifest: dict[str, Any], files: dict[str, Path]) -> bool:
        """Whether every part ``manifest`` names is there, whole (every part but the last full),
        and reads with the rows it says (pages checked against their checksums)."""
        try:
            parts, size = manifest["parts"], manifest["part_rows"]
            if manifest.get("format") != MANIFEST_FORMAT or not parts:
                return False
            for i, part in enumerate(parts):
                name, rows = part["file"], part["rows"]
                if name not in files or not 0 < rows <= size or (i < len(parts) - 1 and rows != size):
                    return False
                if read_parquet(files[name]).num_rows != rows:
                    return False
        except (StoreError, OSError, KeyError, TypeError):
            return False
        return True

    # --- raw upstream responses (fetch) -----------------------------------------------
    def _raw_path(self, source: str, name: str) -> Path:
        """``DIR/raw/SOURCE/NAME``; names come from our own code, but never leave the folder."""
        root = (self.path / "raw" / source).resolve()
        path = (root / name).resolve()
        if root not in path.parents:
            raise StoreError(f"refused a raw file name outside the store: {name!r}")
        return path

    def raw_exists(self, source: str, name: str) -> bool:
        return self._raw_path(source, name).is_file()

    def save_raw(self, source: str, name: str, data: bytes) -> Path:
        path = self._raw_path(source, name)
        return write_bytes_atomic(path, data)

    def raw_file(self, source: str, name: str) -> InputFile:
        return _from_path(self._raw_path(source, name))

    # --- documents: small JSON files the team writes (the topic register, topic names) ---------
    def has_document(self, name: str) -> bool:
        return (self.path / name).is_file()

    def read_document(self, name: str, what: str = "document") -> dict[str, Any]:
        """The JSON object in ``name`` ({} when there is none).  A damaged file is an error, not
        an empty document."""
        path = self.path / name
        if not path.is_file():
            return {}
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: unreadable {what} ({_one_line(exc)})") from None
        if not isinstance(document, dict):
            raise StoreError(f"{path}: unreadable {what} (not a JSON object)")
        return document

    def update_document(
        self, name: str, change: Callable[[dict[str, Any]], dict[str, Any]], what: str = "document"
    ) -> dict[str, Any]:
        """Read, change and write the JSON object in ``name`` under its own lock (no lost
        update; atomic: a failed write leaves the old file)."""
        if read_only():
            raise StoreError(f"the store is read-only (PAPERS_READONLY is set): {name} cannot change")
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / f".{name}.lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                document = change(self.read_document(name, what))
                data = json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True).encode("utf-8")
                write_bytes_atomic(self.path / name, data)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return document

    def rename_document(self, name: str, new_name: str) -> bool:
        """Rename the document ``name`` to ``new_name`` (atomic; replaces one there); whether
        there was one to rename."""
        try:
            os.replace(self.path / name, self.path / new_name)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StoreError(f"{self.path / name}: cannot rename it to {new_name} ({_one_line(exc)})") from None
        _fsync_dir(self.path)
        return True

    # --- derived artifacts ----------------------------------------------------------
    verify_bytes: int | None = VERIFY_BYTES  # of each artifact, checked in full at load; None: all (build)

    def artifact_path(self, name: str, version: str, suffix: str) -> Path:
        """Where artifact ``name`` built from store ``version`` lives."""
        return self.artifacts_dir / f"{name}-{version}{suffix}"

    def save_arrays(self, name: str, version: str, arrays: dict[str, Any]) -> Path | None:
        """Persist an artifact made of numpy arrays (one ``.npy`` each) atomically: the
        directory appears whole or not at all, its checksums (:data:`CHECKSUMS`) written last.
        An artifact already there (an older format, or damaged) is replaced; readers that
        mapped it keep their open files.  Returns where it is, or None when it could not be
        saved (a full or read-only disk, or a read-only store -- ``PAPERS_READONLY``: a dashboard
        that writes nothing -- : an artifact is a cache, the caller keeps its copy)."""
        target = self.artifact_path(name, version, "")
        if read_only():
            return target if target.is_dir() else None
        staging = None
        try:
            self.artifacts_dir.mkdir(parents=True, exist_ok=True)
            self.remove_stale_staging()
            staging = temp_dir(self.artifacts_dir, f".{name}-")
            sums = {}
            for key, array in arrays.items():
                path = staging / f"{key}.npy"
                if isinstance(array, Path):  # an .npy file a build wrote (lib.store.spill): linked, not read
                    try:
                        os.link(array, path)
                    except OSError:  # another file system
                        shutil.copyfile(array, path)
                    _fsync_file(path)
                    sums[path.name] = [path.stat().st_size, _crc32(path)]
                    continue
                with open(path, "wb") as handle:
                    np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
                    handle.flush()
                    os.fsync(handle.fileno())
                sums[path.name] = [path.stat().st_size, _crc32(path)]
            with open(staging / CHECKSUMS, "wb") as handle:
                handle.write(json.dumps(sums, indent=1, sort_keys=True).encode())
                handle.flush()
                os.fsync(handle.fileno())
            if target.is_dir():  # move the old one aside first: rename() cannot replace a directory
                retired = temp_dir(self.artifacts_dir, f".{name}-old-")
                os.rename(target, retired / "old")
                shutil.rmtree(retired, ignore_errors=True)
            os.rename(staging, target)
        except OSError as exc:
            # another process may have won the race, or the disk is full or read-only
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            log.warning("%s: the artifact could not be saved (%s)", target, _one_line(exc))
            return target if (target / CHECKSUMS).is_file() else None
        _fsync_dir(self.artifacts_dir)
        return target

    def load_arrays(self, name: str, version: str) -> dict[str, np.ndarray] | None:
        """A saved artifact, memory-mapped (read-only), or None when it is missing or damaged.

        Every file must be the size its checksums say, and at most :attr:`verify_bytes` of
        them, smallest first, are checked byte for byte (CRC-32, about 4 GB/s): at 75k papers
        every artifact in full; at 1M, the strings and small arrays, while the largest
        arrays (postings, vectors) stay lazily mapped.  A damaged artifact is logged and is
        None, so its caller builds it again (``python -m lib build`` checks every byte)."""
        target = self.artifact_path(name, version, "")
        if not target.is_dir():
            return None
        try:
            sums = json.loads((target / CHECKSUMS).read_bytes())
        except FileNotFoundError:
            return None  # written by an older release (or gone meanwhile): built again
        except (OSError, ValueError) as exc:
            _damaged(target, exc)
            return None
        try:
            files = {path.name: path for path in target.glob("*.npy")}
            if not isinstance(sums, dict) or set(sums) != set(files):
                raise ValueError("its files are not those its checksums list")
            budget = self.verify_bytes
            for file_name, (size, crc) in sorted(sums.items(), key=lambda item: int(item[1][0])):
                if files[file_name].stat().st_size != size:
                    raise ValueError(f"{file_name} is not {size:,} bytes")
                if budget is None or size <= budget:
                    if _crc32(files[file_name]) != crc:
                        raise ValueError(f"{file_name} does not match its checksum")
                    budget = None if budget is None else budget - size
            return {Path(n).stem: np.load(path, mmap_mode="r", allow_pickle=False) for n, path in files.items()}
        except FileNotFoundError:
            return None  # replaced meanwhile: the caller builds or loads it again
        except (OSError, ValueError, TypeError, KeyError, SyntaxError, EOFError) as exc:
            _damaged(target, exc)
            return None

    @staticmethod
    def prefault(arrays: dict[str, np.ndarray], budget_bytes: int) -> bool:
        """Read one byte of every page of memory-mapped ``arrays`` when they total at most
        ``budget_bytes``, so that the first queries of a fresh server do not each wait for
        page faults (what Lucene calls preloading).  Larger artifacts stay lazily mapped:
        their pages come in as they are used, and the OS may drop them again."""
        if sum(a.nbytes for a in arrays.values()) > budget_bytes:
            return False
        for array in arrays.values():
            if array.nbytes and array.flags.c_contiguous:
                int(array.reshape(-1).view(np.uint8)[::PAGE_BYTES].sum())
        return True

    def prune_artifacts(self, name: str, keep_version: str | set[str]) -> None:
        """Delete artifact ``name`` files built from other versions than the one(s) kept, but
        never those of a version newer than the newest kept: a build of an older version that
        finishes after an import (a lazy build, ``python -m lib build``) leaves the live
        version's artifacts alone.  A read-only store (``PAPERS_READONLY``) deletes nothing."""
        if read_only():
            return
        keep = {keep_version} if isinstance(keep_version, str) else set(keep_version)
        newest = max((_number(kept) for kept in keep), default=None)
        for path in self.artifacts_dir.glob(f"{glob.escape(name)}-*"):
            rest = path.name[len(name) + 1 :]  # VERSION.SUFFIX; versions and names may hold "-"
            if any(rest == kept or rest.startswith(kept + ".") for kept in keep):
                continue
            if not _VERSION_PART.match(rest):
                continue  # another artifact whose name starts with ours ("search-index")
            if newest is not None and _number(rest) > newest:
                continue
            if path.is_dir():  # open memory maps of a deleted artifact stay valid (POSIX)
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()

    def remove_stale_staging(self) -> None:
        """Delete what killed saves left in DIR/artifacts (``.NAME-*.tmp`` folders): those nothing
        has written to for :data:`STALE_STAGING_SECONDS` (a live save writes every second).
        A read-only store (``PAPERS_READONLY``) deletes nothing."""
        if read_only():
            return
        now = time.time()
        for path in self.artifacts_dir.glob(".*.tmp"):
            try:
                if (
                    path.is_dir()
                    and max(p.lstat().st_mtime for p in [path, *path.rglob("*")]) < now - STALE_STAGING_SECONDS
                ):
                    shutil.rmtree(path, ignore_errors=True)
            except OSError:
                continue  # removed meanwhile (by its own writer, or another process)

    def artifact_versions(self, name: str, before: str) -> list[str]:
        """The store versions older than ``before`` that have a copy of artifact ``name``, newest first."""
        found = []
        for path in self.artifacts_dir.glob(f"{glob.escape(name)}-*"):
            version = path.name[len(name) + 1 :]
            if _VERSION.fullmatch(version) and _number(version) < _number(before):
                found.append((_number(version), version))
        return [version for _, version in sorted(found, reverse=True)]

    def rows_written_since(self, since: str, version: str) -> npt.NDArray[np.int64] | None:
        """The rows of the table of ``version`` (the live one; else None) in the parts written
        by a version after ``since``: the only rows that may differ from the table of ``since``
        (a part is never rewritten in place, see :meth:`write_table`), appended rows included."""
        layout = self._layout()
        if layout is None or layout.version != version:
            return None
        rows, start = [], 0
        for parquet, _, count in layout.parts:
            if _number(_part_version(parquet.name)) > _number(since):
                rows.append(np.arange(start, start + count, dtype=np.int64))
            start += count
        return np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _crc32(path: Path) -> int:
    crc, buffer = 0, bytearray(2**22)
    with open(path, "rb", buffering=0) as handle:
        while read := handle.readinto(buffer):
            crc = zlib.crc32(memoryview(buffer)[:read], crc)
    return crc


def _damaged(target: Path, exc: BaseException) -> None:
    log.warning("%s: damaged artifact (%s): it is built again", target, _one_line(exc))


# --- input files --------------------------------------------------------------------
@dataclass(frozen=True)
class InputFile:
    """One input to import: a name for messages and a way to open its bytes (a buffered
    binary stream: a file opened "rb", or BytesIO)."""

    name: str
    open: Callable[[], io.BufferedIOBase]

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> InputFile:
        """An uploaded file: only its base name is kept, it never becomes a path."""
        safe = Path(name.replace("\\", "/")).name or "upload"
        return cls(safe, lambda: io.BytesIO(data))


def _from_path(path: Path) -> InputFile:
    return InputFile(str(path), lambda: open(path, "rb"))


def input_files(paths: list[str], suffixes: tuple[str, ...]) -> list[InputFile]:
    """The files to import: each file as given; each directory's files (recursively,
    sorted) whose names end in one of ``suffixes`` (optionally plus ``.gz``)."""
    found: list[InputFile] = []
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                name = child.name.lower().removesuffix(".gz")
                if not child.name.startswith(".") and name.endswith(suffixes):
                    found.append(_from_path(child))
        elif path.is_file():
            found.append(_from_path(path))
        elif path.exists():
            raise InputError(f"{given}: not a regular file")
        else:
            raise InputError(f"{given}: no such file or directory")
    return found


def sample_input() -> InputFile:
    """The seed page of the bundled demo: the Daily Papers page of 2025-08-12 as a person
    copies it (its name carries the year)."""
    return _from_path(SAMPLE_FILE)


def sample_inputs() -> list[InputFile]:
    """The whole bundled demo: 130 real Hugging Face daily-papers API responses
    (2025-03-03 .. 2025-08-29, trimmed to the fields the app reads), then the seed page."""
    return input_files([str(SAMPLE_DIR / "hf_daily_papers")], (".json",)) + [sample_input()]
