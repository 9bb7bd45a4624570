"""The one module that touches the disk: the store layout, atomic writes, the lock,
input files, and the bundled sample.

Layout of a data directory (``--data DIR``, else ``$PAPERS_DATA``, else ``data/``
in the project)::

    DIR/papers.parquet        the table (lib.schema.SCHEMA); its Parquet key-value
                              metadata holds the store version
    DIR/artifacts/            derived artifacts, one file per (name, store version):
                              NAME-VERSION.SUFFIX; rebuilt only when the version moves
    DIR/.lock                 serialises writers (flock); readers never wait

Every write goes to a temporary file in the same directory, is flushed and
fsynced, then renamed over the old file (``os.replace`` is atomic on POSIX): a
failure or a kill at any moment leaves the previous file byte-identical, and a
reader sees either the old table or the new one.
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
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lib.errors import InputError, StoreError
from lib.schema import conform, empty_table

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_DIR / "data"
SAMPLE_FILE = PROJECT_DIR / "sample" / "daily_papers_2025-08-12.txt"
TABLE_FILE = "papers.parquet"
TABLE_CACHE = "table"  # artifact: the table as uncompressed Arrow, memory-mapped
VERSION_KEY = b"papers_store_version"
GZIP_MAGIC = b"\x1f\x8b"
PAGE_BYTES = 4096
# what follows NAME- in an artifact file: a store version (N-hex, 0-unversioned, sample)
_VERSION_PART = re.compile(r"(?:\d+-[0-9a-z]+|sample)(?:\.|$)")


def _one_line(exc: BaseException, limit: int = 120) -> str:
    """An exception's text for a one-line message (Arrow's can span lines)."""
    return " ".join(str(exc).split())[:limit]


def read_only() -> bool:
    """``PAPERS_READONLY=1``: a dashboard shared with a team refuses every write of the table."""
    return os.environ.get("PAPERS_READONLY", "").strip().lower() in ("1", "true", "yes", "on")


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
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


def write_atomic(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write ``target`` through a temporary sibling and an atomic rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def write_bytes_atomic(target: str | os.PathLike, data: bytes) -> Path:
    path = Path(target).expanduser().resolve()
    write_atomic(path, lambda handle: handle.write(data))
    return path


class Store:
    """A data directory holding the paper table and its derived artifacts."""

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = data_dir(path)
        self.table_path = self.path / TABLE_FILE
        self.artifacts_dir = self.path / "artifacts"

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # --- reading ---------------------------------------------------------------
    def exists(self) -> bool:
        return self.table_path.is_file()

    def version(self) -> str | None:
        """The store version (changes with every write that changes the table), or None."""
        if not self.exists():
            return None
        try:
            metadata = pq.read_schema(self.table_path).metadata or {}
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(f"{self.table_path}: unreadable store ({_one_line(exc)})") from None
        return metadata.get(VERSION_KEY, b"0-unversioned").decode()

    def read_table(self) -> pa.Table:
        """The whole table (empty when the store has none yet).

        The first read of a store version also writes an uncompressed Arrow copy of it
        (``artifacts/table-VERSION.arrow``); later reads memory-map that copy, which takes
        milliseconds at a million papers where decoding the Parquet file takes seconds, and
        lets every process share one copy of the table in the page cache.
        """
        if not self.exists():
            return empty_table()
        version = self.version()
        cached = self._read_table_cache(version)
        if cached is not None:
            return cached
        try:
            with open(self.table_path, "rb") as handle:  # one open file: its version and its rows agree
                parquet = pq.ParquetFile(handle)
                version = (parquet.schema_arrow.metadata or {}).get(VERSION_KEY, b"0-unversioned").decode()
                table = conform(parquet.read())
        except (OSError, pa.ArrowException, KeyError) as exc:
            raise StoreError(f"{self.table_path}: unreadable store ({_one_line(exc)})") from None
        self._write_table_cache(version, table)
        return table

    def _read_table_cache(self, version: str | None) -> pa.Table | None:
        path = self.artifact_path(TABLE_CACHE, version, ".arrow") if version else None
        if path is None or not path.is_file():
            return None
        try:
            return conform(pa.ipc.open_file(pa.memory_map(str(path))).read_all())
        except (OSError, pa.ArrowException, KeyError):
            return None  # damaged: read the Parquet file again

    def _write_table_cache(self, version: str, table: pa.Table) -> None:
        def write(handle: IO[bytes]) -> None:
            with pa.ipc.new_file(handle, table.schema) as writer:
                writer.write_table(table, max_chunksize=131_072)

        try:
            write_atomic(self.artifact_path(TABLE_CACHE, version, ".arrow"), write)
            self.prune_artifacts(TABLE_CACHE, version)
        except OSError:
            pass  # a read-only or full disk: the store still works, only slower to open

    # --- writing ---------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the writers' lock (blocks while another process writes)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def write_table(self, table: pa.Table) -> str:
        """Replace the table atomically; returns the new version.  Call under :meth:`lock`."""
        if read_only():
            raise StoreError("the store is read-only (PAPERS_READONLY is set): imports are disabled")
        previous = (self.version() or "0").split("-")[0]
        version = f"{int(previous) + 1 if previous.isdigit() else 1}-{secrets.token_hex(4)}"
        for stale in self.path.glob(f".{TABLE_FILE}.*.tmp"):  # left by a killed writer (we hold the lock)
            with contextlib.suppress(OSError):
                stale.unlink()
        stamped = conform(table).replace_schema_metadata({VERSION_KEY: version.encode()})
        # The Arrow copy (which the next read maps instead of decoding) is written beside the
        # Parquet file at the same time: both writers run in C++ without the GIL.  It is keyed
        # by the new version, so it is harmless until the rename below makes that version live.
        cache = threading.Thread(target=self._write_table_cache, args=(version, stamped), daemon=True)
        cache.start()
        try:
            write_atomic(
                self.table_path,
                lambda handle: pq.write_table(stamped, handle, compression="zstd", row_group_size=65_536),
            )
        except BaseException:
            cache.join()
            with contextlib.suppress(OSError):  # the version never went live: no copy of it either
                self.artifact_path(TABLE_CACHE, version, ".arrow").unlink()
            raise
        cache.join()
        return version

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
        write_atomic(path, lambda handle: handle.write(data))
        return path

    def raw_file(self, source: str, name: str) -> "InputFile":
        return _from_path(self._raw_path(source, name))

    # --- saved views ------------------------------------------------------------------------
    @property
    def views_path(self) -> Path:
        return self.path / "views.json"

    def read_views(self) -> dict[str, str]:
        """Saved views: name -> link.  A damaged file is an error, not an empty list."""
        if not self.views_path.is_file():
            return {}
        try:
            views = json.loads(self.views_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{self.views_path}: unreadable saved views ({_one_line(exc)})") from None
        if not isinstance(views, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in views.items()):
            raise StoreError(f"{self.views_path}: saved views must be an object of name -> link")
        return views

    def write_views(self, views: dict[str, str]) -> None:
        self.update_views(lambda _: views)

    def update_views(self, change: Callable[[dict[str, str]], dict[str, str]]) -> dict[str, str]:
        """Read, change and write the saved views under the writers' lock (no lost update)."""
        if read_only():
            raise StoreError("the store is read-only (PAPERS_READONLY is set): saved views cannot change")
        with self.lock():
            views = change(self.read_views())
            data = json.dumps(views, indent=1, ensure_ascii=False, sort_keys=True).encode("utf-8")
            write_atomic(self.views_path, lambda handle: handle.write(data))
        return views

    # --- derived artifacts ----------------------------------------------------------
    def artifact_path(self, name: str, version: str, suffix: str) -> Path:
        """Where artifact ``name`` built from store ``version`` lives."""
        return self.artifacts_dir / f"{name}-{version}{suffix}"

    def save_arrays(self, name: str, version: str, arrays: dict[str, np.ndarray]) -> Path | None:
        """Persist an artifact made of numpy arrays (one ``.npy`` each) atomically: the
        directory appears whole or not at all.  An artifact already there (an older format,
        or damaged) is replaced; readers that mapped it keep their open files."""
        target = self.artifact_path(name, version, "")
        staging = None
        try:
            self.artifacts_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{name}-", suffix=".tmp", dir=self.artifacts_dir))
            for key, array in arrays.items():
                with open(staging / f"{key}.npy", "wb") as handle:
                    np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
                    handle.flush()
                    os.fsync(handle.fileno())
            if target.is_dir():  # move the old one aside first: rename() cannot replace a directory
                retired = Path(tempfile.mkdtemp(prefix=f".{name}-old-", suffix=".tmp", dir=self.artifacts_dir))
                os.rename(target, retired / "old")
                shutil.rmtree(retired, ignore_errors=True)
            os.rename(staging, target)
        except OSError:
            # another process may have won the race, or the disk is full or read-only: an
            # artifact is a cache, the caller keeps its copy in memory
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            return target if target.is_dir() else None
        _fsync_dir(self.artifacts_dir)
        return target

    def load_arrays(self, name: str, version: str) -> dict[str, np.ndarray] | None:
        """A saved artifact, memory-mapped (read-only), or None when it is missing or damaged."""
        target = self.artifact_path(name, version, "")
        if not target.is_dir():
            return None
        try:
            return {path.stem: np.load(path, mmap_mode="r", allow_pickle=False) for path in target.glob("*.npy")}
        except (OSError, ValueError):
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
        """Delete artifact ``name`` files built from other versions than the one(s) kept."""
        keep = {keep_version} if isinstance(keep_version, str) else set(keep_version)
        for path in self.artifacts_dir.glob(f"{glob.escape(name)}-*"):
            rest = path.name[len(name) + 1:]  # VERSION.SUFFIX; versions and names may hold "-"
            if any(rest == kept or rest.startswith(kept + ".") for kept in keep):
                continue
            if not _VERSION_PART.match(rest):
                continue  # another artifact whose name starts with ours ("search-index")
            if path.is_dir():  # open memory maps of a deleted artifact stay valid (POSIX)
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()


# --- input files --------------------------------------------------------------------
@dataclass(frozen=True)
class InputFile:
    """One input to import: a name for messages and a way to open its bytes."""

    name: str
    open: Callable[[], IO[bytes]]

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> "InputFile":
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
    """The bundled sample: the Daily Papers page of 2025-08-12 (name carries the year)."""
    return _from_path(SAMPLE_FILE)
