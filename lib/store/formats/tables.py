"""Our own tables: CSV/TSV, JSON (an array of records), JSON Lines, Parquet.

Column names are matched through common aliases (``summary`` -> abstract,
``published_at`` -> date, camelCase or spaced names too); unknown columns are
ignored.  A row without a date of its own takes ``--date`` or the file name's
ISO date (a crawler's ``2025-04-12.jsonl``), else its publication day.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import IO, Any

from lib.errors import InputError
from lib.store.formats.base import ParseContext, RawRecord, human, numbered_lines, parse_day, text_stream
from lib.store.formats.hf_api import load_json

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "arxiv_id", "paper_id", "arxiv", "arxivid"),
    "title": ("title", "paper_title"),
    "abstract": ("abstract", "summary", "description"),
    "authors": ("authors", "author", "author_names", "creators"),
    "date": (
        "date",
        "daily_date",
        "listing_date",
        "list_date",
        "listed_on",
        "day",
        "published_at",
        "submitted_on_daily_at",
    ),
    "published": (
        "published",
        "published_date",
        "publication_date",
        "pub_date",
        "v1_date",
        "first_published",
        "created",
    ),
    "upvotes": ("upvotes", "upvote_count", "likes", "votes"),
    "num_comments": ("num_comments", "comments_count", "n_comments", "number_of_comments"),
    "categories": ("categories", "category", "primary_category", "subjects"),
    "keywords": ("keywords", "ai_keywords", "tags"),
    "url": ("url", "abs", "abs_url", "arxiv_url", "paper_url", "link"),
    "github_repo": ("github_repo", "github", "repo", "code_url", "repository", "code"),
    "listed": ("listed",),
    "source": ("source",),  # a table exported before 2026-12: the format the paper came from
    "sources": ("sources",),
    "hf_day": ("hf_day",),
    "hf_rank": ("hf_rank",),
    "hf_listings": ("hf_listings",),
}
LIST_FIELDS = ("authors", "categories", "keywords", "sources", "hf_listings")
MAX_LINE = 10_000_000
RECORD_KEYS = ("papers", "data", "items", "records", "results", "rows")
# how the header of our CSV exports begins: the table (lib.store.exports.write_csv), search results
OUR_HEADERS = {("id", "title", "abstract", "authors"), ("rank", "id", "title", "authors")}


def canonical_name(column: str) -> str:
    """``publishedAt`` / ``Published At`` / ``published-at`` -> ``published_at``."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(column).strip())
    return re.sub(r"[\s\-.]+", "_", snake).lower()


@lru_cache(maxsize=256)
def column_map(columns: tuple[str, ...]) -> dict[str, str]:
    """Contract field -> the input column that provides it (first alias present)."""
    by_name: dict[str, str] = {}
    for column in columns:
        by_name.setdefault(canonical_name(column), column)
    mapping: dict[str, str] = {}
    for field, aliases in ALIASES.items():
        for alias in aliases:
            if alias in by_name:
                mapping[field] = by_name[alias]
                break
    return mapping


def list_value(field: str, value: Any) -> Any:
    """A list cell as its items: a JSON array, else split on ``;`` (or ``|``; a category on
    spaces or commas, authors on commas and "and"), items stripped, empty ones dropped."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return parsed
        except (json.JSONDecodeError, RecursionError):
            pass
    for separator in (";", "|"):
        if separator in text:
            pieces = text.split(separator)
            break
    else:
        if field == "categories":
            pieces = re.split(r"[\s,]+", text)
        elif field == "authors":
            pieces = re.split(r",\s*(?:and\s+)?|\s+and\s+", text)
        else:
            pieces = text.split(",")
    return [piece.strip() for piece in pieces if piece.strip()]


def list_cell(field: str, items: list[str]) -> str:
    """The CSV cell of a list: ``a; b`` when :func:`list_value` reads that back as the same
    items, else a JSON array (an item holding ``;``, a single author with a comma...)."""
    joined = "; ".join(items)
    return joined if list_value(field, joined) == items or not items else json.dumps(items, ensure_ascii=False)


# A cell a spreadsheet would run as a formula, after any quotes our export put before it.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_GUARDED = re.compile(r"'+[=+\-@\t\r]")


def guard_formula(cell: Any) -> Any:
    """Our CSV export's cell: one ``'`` before a cell a spreadsheet would run as a formula
    (``=``, ``+``, ``-``, ``@``, tab, CR), also when quotes already precede it (``'=x`` is
    written ``''=x``), so that :func:`unguard_formula` undoes it exactly."""
    return "'" + cell if isinstance(cell, str) and _FORMULA.match(cell) else cell


def unguard_formula(cell: Any) -> Any:
    """The inverse of :func:`guard_formula` (applied to our own exports only, see :func:`parse_csv`)."""
    return cell[1:] if isinstance(cell, str) and _GUARDED.match(cell) else cell


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y", "t")
    return bool(value) if value is not None else False


def row_record(row: dict[str, Any], ctx: ParseContext) -> RawRecord:
    """One input row (any column names) as a raw contract record."""
    mapping = column_map(tuple(row))
    record: RawRecord = {field: row.get(column) for field, column in mapping.items()}
    for field in LIST_FIELDS:
        if field in record:
            record[field] = list_value(field, record[field])
    for field in ("date", "published", "hf_day"):
        if field in record:
            record[field] = parse_day(record[field])
    for field in ("upvotes", "num_comments", "hf_rank"):
        value = record.get(field)
        if isinstance(value, str):
            record[field] = value.strip() or None
            if record[field] is not None and re.fullmatch(r"\d+(\.0+)?", record[field]):
                record[field] = int(float(record[field]))
    if isinstance(record.get("id"), (int, float)):
        raise ValueError("id is a number, not an arXiv id (quote it in the file)")
    if "listed" in record:
        record["listed"] = _flag(record["listed"])
    elif record.get("date") is not None:
        record["listed"] = True
    if record.get("date") is None and ctx.listing_day() is not None:
        record["date"], record["listed"] = ctx.listing_day(), True
    return record


def _records(rows: Iterable[tuple[str, Any]], ctx: ParseContext) -> Iterator[tuple[str, RawRecord]]:
    for where, row in rows:
        if not isinstance(row, dict):
            ctx.reject(where, "not a record (expected an object with named fields)")
            continue
        try:
            yield where, row_record(row, ctx)
        except (ValueError, TypeError) as exc:
            ctx.reject(where, str(exc) or "malformed record")


# --- the four container formats -------------------------------------------------
def parse_jsonl(stream: IO[bytes], ctx: ParseContext) -> Iterator[tuple[str, RawRecord]]:
    def rows() -> Iterator[tuple[str, Any]]:
        for line_no, line in numbered_lines(text_stream(stream, ctx.name), MAX_LINE):
            where = f"line {line_no}"
            if line is None:
                ctx.reject(where, f"line longer than {MAX_LINE:,} characters")
            elif line.strip():
                try:
                    obj = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    ctx.reject(where, f"not valid JSON ({getattr(exc, 'msg', 'nested too deeply')})")
                    continue
                keyed = keyed_records(obj) if isinstance(obj, dict) and "title" not in obj else None
                if keyed is None:
                    yield where, obj
                else:  # a whole keyed document on one line, longer than detection's sniffed head
                    yield from ((f"{where}, record {i}", r) for i, r in enumerate(keyed, start=1))

    return _records(rows(), ctx)


def keyed_records(data: Any) -> list[Any] | None:
    """Another tool's export keyed by id, ``{"2501.00001": {"title": ...}, ...}``, as its
    records (the key is the id of a record without one); None for anything else."""
    if not isinstance(data, dict) or not data or not all(isinstance(v, dict) for v in data.values()):
        return None
    records = []
    for key, record in data.items():
        own = column_map(tuple(record)).get("id")
        records.append(record if own is not None and record[own] not in (None, "") else {**record, "id": key})
    return records


def parse_json(stream: IO[bytes], ctx: ParseContext) -> Iterator[tuple[str, RawRecord]]:
    data = load_json(stream, ctx)
    if isinstance(data, dict):
        inner = [data[k] for k in RECORD_KEYS if isinstance(data.get(k), list) or keyed_records(data.get(k))]
        data = inner[0] if inner else data
        data = keyed_records(data) or ([data] if isinstance(data, dict) else data)  # a dict else: one record
    if not isinstance(data, list):
        raise InputError(f"{ctx.name}: expected a JSON array of records")
    return _records(((f"record {i}", row) for i, row in enumerate(data, start=1)), ctx)


def parse_csv(stream: IO[bytes], ctx: ParseContext) -> Iterator[tuple[str, RawRecord]]:
    text = text_stream(stream, ctx.name)
    first = text.readline(MAX_LINE)
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    csv.field_size_limit(MAX_LINE)
    reader = csv.DictReader(_chain(first, text), delimiter=delimiter)
    if not reader.fieldnames or "title" not in column_map(tuple(reader.fieldnames)):
        raise InputError(f"{ctx.name}: CSV needs a header row with a 'title' column")
    # our own export (its header begins as ours do): undo its formula guard
    ours = tuple(reader.fieldnames[:4]) in OUR_HEADERS

    def rows() -> Iterator[tuple[str, Any]]:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                ctx.reject(f"line {reader.line_num}", f"broken CSV ({exc})")
                return
            if None in row:  # more cells than header names
                row.pop(None)
            if ours:
                row = {k: unguard_formula(v) for k, v in row.items()}
            yield f"line {reader.line_num}", {k: (v if v != "" else None) for k, v in row.items()}

    return _records(rows(), ctx)


def _one_line(exc: BaseException) -> str:
    """Arrow's messages may end in (or hold) newlines; an InputError is one line."""
    return " ".join(str(exc).split())[:120]


def _chain(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    yield from rest


def _decoded_bytes(array: Any) -> int:
    """The bytes of an Arrow array once its dictionaries are decoded (what ``to_pylist`` makes)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(array.type):
        lengths = pc.take(pc.binary_length(array.dictionary), array.indices)
        return int(pc.sum(lengths).as_py() or 0) + len(array) * 8
    if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
        return _decoded_bytes(array.flatten()) + len(array) * 8
    if pa.types.is_struct(array.type):
        return sum(_decoded_bytes(child) for child in array.flatten())
    return int(array.nbytes)


def parse_parquet(stream: IO[bytes], ctx: ParseContext) -> Iterator[tuple[str, RawRecord]]:
    """Parquet, its text columns read as dictionaries so that a value repeated in many rows (a
    compression bomb) is measured (:func:`_decoded_bytes`) before it is copied into each row."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        data = io.BytesIO(stream.read())
        meta = pq.ParquetFile(data).metadata
        texts = [column.path for column in meta.schema if column.physical_type == "BYTE_ARRAY"]
        batches = pq.ParquetFile(data, read_dictionary=texts).iter_batches(batch_size=10_000)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"{ctx.name}: not a readable Parquet file ({_one_line(exc)})") from None
    if sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)) > ctx.limits.bytes:
        raise ctx.too_much(f"{human(ctx.limits.bytes)} once decompressed")  # its pages, before any is read
    if meta.num_rows > ctx.limits.records:
        raise ctx.too_much(f"{ctx.limits.records:,} records")

    def rows() -> Iterator[tuple[str, Any]]:
        number = decoded = 0
        try:
            for batch in batches:
                decoded += sum(_decoded_bytes(column) for column in batch.columns)
                if decoded > ctx.limits.bytes:
                    raise ctx.too_much(f"{human(ctx.limits.bytes)} once decompressed")
                for row in batch.to_pylist():
                    number += 1
                    yield f"row {number}", row
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise InputError(f"{ctx.name}: Parquet data unreadable after row {number} ({_one_line(exc)})") from None

    return _records(rows(), ctx)
