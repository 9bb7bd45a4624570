"""``python -m lib build``: every derived artifact of this store version, built now."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from lib.cli.common import Commands, Parser, ProgressLine, add_command
from lib.errors import PapersError, StoreError
from lib.store.spill import MEMORY_ENV, default_memory, parse_memory
from lib.store.store import Store, read_only

T = TypeVar("T")


def register(commands: Commands, data: Parser) -> None:
    build = add_command(
        commands,
        "build",
        cmd_build,
        "build this store version's search index, papers' vectors (search by meaning), term index and topic model now",
        data,
    )
    build.add_argument(
        "--full",
        action="store_true",
        help="rebuild the indexes whole (folds the segments daily imports added) and fit the "
        "topics anew on every paper",
    )
    build.add_argument("--k", type=int, default=0, help="fine topics to fit (default: automatic)")
    build.add_argument(
        "--migrate",
        action="store_true",
        help="first move a store of the one-file layout (papers.parquet, releases before 2026-11-28) "
        "to the current one, under the same version (once; a failure leaves it as it was)",
    )
    build.add_argument(
        "--memory",
        default="",
        metavar="SIZE",
        help="memory budget of the index builds, e.g. 4G or 512M: past it their sorted runs go to "
        f"temporary files and are merged from there (default: ${MEMORY_ENV}, else an eighth of this "
        "machine's memory, at most 2G)",
    )
    build.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="where the index builds map the table's parts: this process (default), or PySpark "
        "(optional: pip install -r requirements-spark.txt; a JDK 17 or newer)",
    )
    build.add_argument(
        "--master",
        default="",
        metavar="URL",
        help="with --engine spark: the Spark master (default local[2]; e.g. spark://host:7077)",
    )
    build.add_argument(
        "--recover",
        action="store_true",
        help="first write the table's manifest again when it was lost, from the newest complete set of "
        "its parts (same version: every artifact stays valid)",
    )


def cmd_build(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Every derived artifact of this store version, built (or found) now rather than on the
    first visit; ``--full`` replaces segmented indexes by whole ones.  ``--migrate`` first moves
    a store of the older one-file layout to parts, under the same version."""
    from lib.dataset import load
    from lib.library import carry_topic_model
    from lib.search import index as search_index
    from lib.search import vectors
    from lib.topics import topics
    from lib.trends import terms

    if read_only():
        raise StoreError(
            "the store is read-only (PAPERS_READONLY is set): build where the store is written, without it"
        )
    budget = parse_memory(args.memory) if args.memory else default_memory()
    if args.master and args.engine != "spark":
        raise PapersError("--master is for --engine spark")
    store = Store(args.data)
    store.verify_bytes = None  # every artifact found is checked byte for byte: a damaged one is built again
    if args.k and not 2 <= args.k <= topics.MAX_K:
        raise PapersError(f"--k must be between 2 and {topics.MAX_K} (or 0 for automatic)")
    if args.migrate:
        moved = store.migrate()
        out.write(
            f"the table is now stored in parts (same version {moved}: every artifact stays valid)\n"
            if moved
            else "nothing to migrate: no table of the one-file layout here\n"
        )
    if args.recover:
        recovered = store.recover()
        out.write(
            f"the table's manifest is written again (version {recovered}: every artifact stays valid)\n"
            if recovered
            else "nothing to recover: the table has its manifest\n"
        )
    if compacted := store.compact():  # fragmented or damaged Arrow copies of the table, written again
        out.write(f"table copies written again: {compacted}\n")
    ds = load(store)
    if ds.is_sample:
        raise PapersError("the store is empty (the bundled demo needs no build): import papers first")
    store.remove_stale_staging()
    progress = ProgressLine(err)
    k = args.k or topics.auto_k(ds.overview.papers)
    files = {
        "search index": search_index.INDEXES.file,
        "papers' vectors": vectors.VECTORS.file,
        "term index": terms.INDEXES.file,
        f"topic model (k={k})": topics.model_file(k),
    }
    failed: dict[str, str] = {}  # what could not be written (the disk), and why

    def step(name: str, label: str, make: Callable[[], T]) -> T | None:
        started = time.perf_counter()
        progress.begin(label)
        release_memory()
        reset_peak()
        try:
            made = make()
        except OSError as exc:  # a full or read-only disk: said at the end, with what else was not saved
            failed[name] = " ".join(str(exc).split())
            return None
        finally:
            progress.done()
        peak = peak_mb()
        out.write(f"{label}: {time.perf_counter() - started:.1f} s" + (f", peak {peak:,} MB" if peak else "") + "\n")
        return made

    def model() -> topics.TopicModel:
        carry_topic_model(store, ds, k)  # one an import killed midway did not carry over
        return topics.load_or_fit(store, ds, index, k, progress.share, refit=args.full)

    search, vector, term, topic = files
    whole = " (whole)" if args.full else ""
    with contextlib.ExitStack() as stack:
        engine = None
        if args.engine == "spark":
            from lib.spark import spark_engine

            engine = stack.enter_context(spark_engine(args.master or None, budget))
        build: dict[str, Any] = {"progress": progress.share, "rebuild": args.full, "budget": budget, "engine": engine}
        step(search, search + whole, lambda: search_index.INDEXES.load_or_build(store, ds, **build))
        step(vector, vector + whole, lambda: vectors.VECTORS.load_or_build(store, ds, **build))
        index = step(term, term + whole, lambda: terms.INDEXES.load_or_build(store, ds, **build))
    step(topic, f"topic model (k={k}{', fitted anew' if args.full else ''})", model)
    unsaved = [name for name, file in files.items() if name in failed or file.load(store, ds.version) is None]
    if unsaved:
        why = "; ".join(sorted(set(failed.values()))) or f"is the disk full or read-only? see {store.log_path}"
        raise StoreError(
            f"store version {ds.version}: not saved: {', '.join(unsaved)} ({why}); "
            "until they are, each is built again on its first use"
        )
    out.write(f"store version {ds.version}: {ds.overview.papers:,} papers, every artifact on disk\n")
    return 0


def release_memory() -> None:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim``): what a step freed
    otherwise stays resident in this process and counts in the next step's peak (at 1M papers the
    topic model's step held 1.2 GB more than the same fit in a fresh process)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def reset_peak() -> None:
    """Start this process's peak memory (VmHWM) from its memory now (Linux; elsewhere nothing)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> int:
    """This process's peak resident memory since :func:`reset_peak`, in MB (0 when unknown)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return 0
