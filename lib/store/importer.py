"""Importing: input files -> parsed records -> one Arrow batch -> merged into the store.

``read_inputs`` never touches the store; ``import_files`` merges under the store's
lock and writes only when something changed, so re-importing the same file writes
nothing.  A file that cannot be read at all aborts the whole import before any
write: the store stays exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import io
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from lib.errors import InputError, StoreError, log
from lib.progress import Progress
from lib.source_keys import ARXIV, HF
from lib.store.formats import FORMATS, PARSERS, detect_format
from lib.store.formats.base import ParseContext, Problem, RawRecord
from lib.store.merge import MergeCounts, merge
from lib.store.schema import (
    RecordError,
    empty_table,
    file_source,
    make_record,
    records_to_table,
    source_order,
)
from lib.store.store import GZIP_MAGIC, InputFile, Store, read_only

CHUNK = 50_000  # records per Arrow chunk: bounds the Python objects alive at once
SNIFF_BYTES = 64 * 1024


@dataclass
class FileReport:
    name: str
    format: str
    papers: int = 0
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileReport]
    counts: MergeCounts
    incoming: pa.Table  # what was read, before merging (for previews)
    version: str | None = None  # the store version written, None when nothing was written

    @property
    def rejected(self) -> list[Problem]:
        return [p for f in self.files for p in f.rejected]

    @property
    def warnings(self) -> list[Problem]:
        return [p for f in self.files for p in f.warnings]

    def summary(self) -> str:
        c = self.counts
        kept = f", kept {c.kept_count:,} shorter or lower fields" if c.kept_count else ""
        return (
            f"added {c.added:,}, updated {c.updated:,}, unchanged {c.unchanged:,}, "
            f"rejected {len(self.rejected):,}{kept}"
        )


def open_input(source: InputFile) -> io.BufferedReader[Any]:
    """The file's bytes, gunzipped when they are gzip (by content, not name)."""
    try:
        raw = source.open()
    except OSError as exc:
        raise InputError(f"{source.name}: cannot open ({exc.strerror or exc})") from None
    stream = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw, SNIFF_BYTES)
    if stream.peek(2)[:2] == GZIP_MAGIC:
        stream = io.BufferedReader(gzip.GzipFile(fileobj=stream, mode="rb"), SNIFF_BYTES)
    return stream


# arXiv's categories: archive.SUBJECT (cs.CL, cond-mat.str-el) or an archive of its own (hep-th)
_ARXIV_CATEGORY = re.compile(
    r"[a-z]+(?:-[a-z]+)?\.[A-Za-z]{2}[A-Za-z-]*|hep-(?:th|ph|ex|lat)|gr-qc|quant-ph"
    r"|nucl-(?:th|ex)|math-ph|astro-ph|cond-mat|nlin"
)
_SOURCE_KEY = re.compile(r"hf|arxiv|file:[^\x00-\x1f\x7f-\x9f]{1,80}")


def row_sources(raw: RawRecord, source: str, file_name: str) -> list[str]:
    """The sources of one record: its format's (``hf``, ``arxiv``); for a row of a table,
    the sources it names (an export read back keeps them), else ``arxiv`` when it carries
    arXiv categories (only arXiv gives a paper categories: a crawl of its listings), else
    the file's own, ``file:NAME``."""
    if source != "table":
        return [source]
    given = raw.get("sources")
    if isinstance(given, (list, tuple)):
        named = [s.strip() for s in given if isinstance(s, str) and _SOURCE_KEY.fullmatch(s.strip())]
        if named:
            return source_order(named)
    old = raw.get("source")  # a table exported before 2026-12: the format's name
    if old in ("hf_api", "daily_page"):
        return [HF]
    if old in ("arxiv_atom", "arxiv_oai"):
        return [ARXIV]
    categories = raw.get("categories")
    if isinstance(categories, str):
        categories = re.split(r"[\s,;|]+", categories.strip())
    if (
        isinstance(categories, (list, tuple))
        and categories
        and isinstance(categories[0], str)
        and _ARXIV_CATEGORY.fullmatch(categories[0].strip())
    ):
        return [ARXIV]  # its primary category is arXiv's
    return [file_source(file_name)]


def read_file(
    source: InputFile,
    *,
    fmt: str | None = None,
    year: int | None = None,
    date: dt.date | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> tuple[pa.Table, FileReport]:
    """Parse one input into contract rows; rejected records are reported, not raised."""
    if fmt is not None and fmt not in PARSERS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    ctx = ParseContext(name=source.name, today=today or dt.date.today(), year=year, date=date)
    chunks: list[pa.Table] = []
    records: list[dict[str, Any]] = []
    with open_input(source) as stream:
        try:
            detected = fmt or detect_format(stream.peek(SNIFF_BYTES)[:SNIFF_BYTES])
        except InputError as exc:
            raise InputError(f"{source.name}: {exc}") from None
        except (EOFError, OSError, zlib.error) as exc:
            raise InputError(f"{source.name}: truncated or corrupt gzip ({exc})") from None
        parser, source_name = PARSERS[detected]
        try:
            for where, raw in parser(stream, ctx):
                try:
                    sources = row_sources(raw, source_name, source.name)
                    records.append(
                        make_record(raw, sources=sources, today=ctx.today, warn=functools.partial(ctx.warn, where))
                    )
                except RecordError as exc:
                    ctx.reject(where, str(exc))
                    continue
                if len(records) >= CHUNK:
                    chunks.append(records_to_table(records))
                    records = []
                    if progress:
                        progress(source.name, sum(c.num_rows for c in chunks))
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise InputError(f"{source.name}: truncated or corrupt gzip ({exc})") from None
        except OSError as exc:
            raise InputError(f"{source.name}: read failed ({exc})") from None
    if records:
        chunks.append(records_to_table(records))
    table = pa.concat_tables(chunks) if chunks else empty_table()
    if progress:
        progress(source.name, table.num_rows)
    report = FileReport(source.name, detected, table.num_rows, ctx.rejected, ctx.warnings)
    if table.num_rows == 0 and ctx.rejected:
        raise InputError(
            f"{source.name}: no papers could be read ({len(ctx.rejected)} rejected; "
            f"first: {ctx.rejected[0].where}: {ctx.rejected[0].message})"
        )
    if table.num_rows == 0:
        report.warnings.append(Problem(source.name, "", "no papers in this file"))
    return table, report


def read_inputs(sources: Iterable[InputFile], **options: Any) -> tuple[pa.Table, list[FileReport]]:
    """Parse every input; any unreadable file raises :class:`InputError`."""
    tables, reports = [], []
    for source in sources:
        table, report = read_file(source, **options)
        tables.append(table)
        reports.append(report)
    if not reports:
        raise InputError(
            "no input files (a directory is searched for "
            ".txt .json .jsonl .xml .csv .tsv .parquet files, optionally .gz)"
        )
    return pa.concat_tables(tables), reports


def import_files(
    store: Store, sources: Iterable[InputFile], *, dry_run: bool = False, overwrite: bool = False, **options: Any
) -> ImportReport:
    """Read the inputs and merge them into the store (or only preview, with ``dry_run``);
    ``overwrite``: the values read replace the stored ones even where a list gets shorter or a
    count lower (lib.store.merge)."""
    if not dry_run and read_only():
        raise StoreError("the store is read-only (PAPERS_READONLY is set): imports are disabled")
    incoming, reports = read_inputs(sources, **options)
    if dry_run:
        return ImportReport(reports, merge(store.read_table(), incoming, overwrite)[1], incoming)
    with store.lock():
        previous_version = store.version()
        existing = store.read_table()
        merged, counts = merge(existing, incoming, overwrite)
        version = (
            store.write_table(merged, base=previous_version, changed_rows=counts.updated_rows)
            if counts.changed
            else None
        )
        if version and previous_version:
            extend_artifacts(
                store,
                previous_version,
                version,
                merged,
                existing.num_rows,
                np.array(counts.text_changed_rows, dtype=np.int64),
            )
    return ImportReport(reports, counts, incoming, version)


def extend_artifacts(
    store: Store, previous_version: str, version: str, table: pa.Table, first_new_row: int, changed_rows: np.ndarray
) -> list[str]:
    """After an import, carry the previous version's indexes (and the papers' vectors) over with
    a segment of the papers it added and of those whose text it changed, so they are searchable and counted
    at once, without a full rebuild, and its topic models with those papers placed in their
    topics.  Indexes are caches: any failure here only means the
    next use builds them whole.  Returns what was extended."""
    from lib.search import index, vectors
    from lib.topics import topics
    from lib.trends import terms

    extended = []
    for name, extend in (
        ("search", index.INDEXES.extend_after_import),
        ("vectors", vectors.VECTORS.extend_after_import),
        ("terms", terms.INDEXES.extend_after_import),
        ("topics", topics.extend_after_import),
    ):
        if name == "topics" and "terms" not in extended:
            break  # a topic model reads its words by the term index's numbers: they must carry over
        try:
            if extend(store, previous_version, version, table, first_new_row, changed_rows):
                extended.append(name)
        except Exception:  # a cache that cannot be extended is rebuilt on use; why, goes to the log
            log.warning(
                "after the import, the %s artifacts of version %s could not be carried over to version %s "
                "(they are rebuilt whole on first use)",
                name,
                previous_version,
                version,
                exc_info=True,
            )
            continue
    return extended
