"""The paper table: its column contract, and turning raw records into it.

Column contract (one row per paper; the same contract is in docs/usage.md):

==============  =========================  =============================================
column          dtype (pandas)             meaning
==============  =========================  =============================================
id              str                        arXiv id without version (``2508.01234``);
                                           else ``t-<sha1 of normalised title>[:12]``
title           str                        whitespace collapsed, never empty
abstract        str                        whitespace collapsed ("" when unknown)
authors         list<str> (Arrow)          author names in order
date            datetime64[s]              the day the paper was listed in a daily list;
                                           where a source has no listing day, its
                                           publication day.  Never missing.
published       datetime64[s]              arXiv v1 day when known, else NaT
upvotes         Int64                      Hugging Face upvotes, <NA> when unknown
num_comments    Int64                      Hugging Face comments, <NA> when unknown
categories      list<str> (Arrow)          arXiv categories, primary first
keywords        list<str> (Arrow)          HF ``ai_keywords`` or a table's keywords
url             str                        the paper's page (arXiv abs) or ""
github_repo     str                        code repository URL or <NA>
sources         list<str> (Arrow)          every source the paper came from (see
                                           :data:`SOURCE_NAMES`): ``hf`` (the Hugging
                                           Face daily list: its API or a pasted page),
                                           ``arxiv`` (arXiv API, metadata snapshot, or a
                                           table of arXiv listings), ``file:NAME`` (any
                                           other table, by its file name)
listed          bool                       True when ``date`` is a daily-list day (not a
                                           fallback); a listing day beats a fallback
hf_day          datetime64[s]              the day the paper was on the Hugging Face daily
                                           list (its first such day), else NaT
hf_rank         Int64                      its position on that day's list, from 1
hf_listings     list<str> (Arrow)          every day it was on that list, ascending, as
                                           ``YYYY-MM-DD#rank`` (``YYYY-MM-DD`` when the
                                           position is unknown); the first is ``hf_day``
==============  =========================  =============================================

Importers yield plain dicts; :func:`make_record` validates one into the contract
(raising :class:`RecordError` with a reason), :func:`records_to_table` turns a chunk
of records into an Arrow table, and :func:`to_frame` gives pages their DataFrame.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.source_keys import ARXIV, FILE, HF, MAX_FILE_NAME
from lib.text import arxiv_abs_url, arxiv_id, collapse_ws, strip_controls, title_id

LIST = pa.list_(pa.string())
DAY = pa.timestamp("s")

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("title", pa.string()),
        ("abstract", pa.string()),
        ("authors", LIST),
        ("date", DAY),
        ("published", DAY),
        ("upvotes", pa.int64()),
        ("num_comments", pa.int64()),
        ("categories", LIST),
        ("keywords", LIST),
        ("url", pa.string()),
        ("github_repo", pa.string()),
        ("sources", pa.list_(pa.string())),
        ("listed", pa.bool_()),
        ("hf_day", pa.timestamp("s")),
        ("hf_rank", pa.int64()),
        ("hf_listings", LIST),
    ]
)
COLUMNS: list[str] = SCHEMA.names
LIST_COLUMNS = ("authors", "categories", "keywords", "sources", "hf_listings")
DATE_COLUMNS = ("date", "published", "hf_day")
INT_COLUMNS = ("upvotes", "num_comments", "hf_rank")
# what people call each source, in the order pages list them (pages and links never show anything
# else); any other is ``file:NAME`` (lib.source_keys)
SOURCE_NAMES = {HF: "Hugging Face daily list", ARXIV: "arXiv"}
# which source's copy of a field wins when two disagree: arXiv's metadata is the paper's own,
# the daily list's fills what arXiv lacks, a file fills what both lack (see lib.store.merge)
SOURCE_RANK = {ARXIV: 2, HF: 1}
# the formats' sources before 2026-12 (a store's ``source`` column), read as today's
_FORMAT_SOURCES = {"daily_page": HF, "hf_api": HF, "arxiv_atom": ARXIV, "arxiv_oai": ARXIV}


def source_name(key: str) -> str:
    """A source in the words people use: ``hf`` -> "Hugging Face daily list",
    ``file:my.csv`` -> "your file my.csv"."""
    if key in SOURCE_NAMES:
        return SOURCE_NAMES[key]
    return f"your file {key[len(FILE) :]}" if key.startswith(FILE) else key


def source_order(keys: Iterable[str]) -> list[str]:
    """Sources in the order pages list them: the daily list, arXiv, then files by name."""
    return sorted(set(keys), key=lambda k: (list(SOURCE_NAMES).index(k) if k in SOURCE_NAMES else 9, k))


def file_source(name: str) -> str:
    """The source of the papers of a file of our own tables: ``file:`` and its name."""
    name = re.sub(r"\.gz$", "", str(name).replace("\\", "/").rsplit("/", 1)[-1])
    return FILE + (collapse_ws(strip_controls(name))[:MAX_FILE_NAME] or "table")


# Papers are dated from arXiv's first day; anything later than a week from now is a typo.
EARLIEST_DAY = dt.date(1991, 1, 1)
FUTURE_SLACK = dt.timedelta(days=7)
MAX_TEXT = 100_000  # characters; longer titles/abstracts are not papers


class RecordError(ValueError):
    """One record cannot become a paper; the message is the reason shown to the user."""


def _day(value: Any, field: str, today: dt.date) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise RecordError(f"{field} is not a date: {str(value)[:40]!r}")
    if not EARLIEST_DAY <= value <= today + FUTURE_SLACK:
        raise RecordError(f"{field} {value.isoformat()} is out of range")
    return value


def _int(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: 1e400 in JSON is float('inf')
        raise RecordError(f"{field} is not a whole number: {str(value)[:40]!r}") from None
    if not isinstance(value, (int, str)) and value != number:  # 1.5, also as a Parquet decimal
        raise RecordError(f"{field} is not a whole number: {value!r}")
    if not 0 <= number < 2**53:
        raise RecordError(f"{field} is out of range: {number}")
    return number


def _text(value: Any) -> str:
    """A text field as stored: control characters and terminal escapes removed, whitespace collapsed."""
    return collapse_ws(strip_controls(value)) if isinstance(value, str) else ""


def _strings(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise RecordError(f"{field} is not a list of names")
    out = [_text(str(v)) for v in value if v is not None]
    return [v for v in out if v]


_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f]+", re.IGNORECASE)


def _web_url(value: Any, field: str, warn: Callable[[str], None] | None) -> str:
    """An http(s) address, else "" (any other scheme, ``javascript:`` or ``data:``, is dropped, with a warning)."""
    url = _text(value)
    if url and not _WEB_URL.fullmatch(url):
        if warn:
            warn(f"{field} {url[:40]!r} dropped: only http(s) addresses are kept")
        return ""
    return url


_LISTING = re.compile(r"(\d{4}-\d{2}-\d{2})(?:#(\d{1,9}))?")


def listing(day: dt.date, rank: int | None) -> str:
    """One day on the Hugging Face daily list as ``hf_listings`` holds it: ``2025-08-12#3``."""
    return day.isoformat() + (f"#{rank}" if rank is not None else "")


def _listings(value: Any, day: dt.date | None, rank: int | None, today: dt.date) -> list[tuple[dt.date, int | None]]:
    """The days (and positions) a record was on the daily list: its ``hf_listings`` (an export
    read back) and its own ``hf_day``; one per day (the better position), ascending."""
    found: dict[dt.date, int | None] = {}
    items = [(day, rank)] if day is not None else []
    for text in _strings(value, "hf_listings"):
        match = _LISTING.fullmatch(text)
        if not match:
            raise RecordError(f"hf_listings holds {text[:40]!r}, not YYYY-MM-DD#rank")
        try:
            parsed = dt.date.fromisoformat(match[1])
        except ValueError:
            raise RecordError(f"hf_listings holds {text[:40]!r}, not a day") from None
        items.append((_day(parsed, "hf_listings", today) or parsed, int(match[2]) if match[2] else None))
    for when, position in items:
        known = found.get(when)
        found[when] = position if known is None or (position is not None and position < known) else known
    return sorted(found.items())


def make_record(
    raw: Mapping[str, Any], *, sources: list[str], today: dt.date, warn: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Validate one raw record (contract keys, any subset) into a full contract row: every text
    cleaned of control characters (lib.text.strip_controls), addresses http(s) only (another is
    dropped and ``warn`` told why).

    Raises :class:`RecordError` when the record cannot be a paper.
    """
    title = _text(raw.get("title"))
    if not title:
        raise RecordError("no title")
    abstract = _text(raw.get("abstract"))
    if len(title) > 2_000 or len(abstract) > MAX_TEXT:
        raise RecordError("title or abstract too long to be a paper")
    raw_id = raw.get("id")
    paper_id = arxiv_id(str(raw_id)) if raw_id not in (None, "") else None
    published = _day(raw.get("published"), "published", today)
    date = _day(raw.get("date"), "date", today)
    listed = bool(raw.get("listed")) and date is not None
    hf_day = _day(raw.get("hf_day"), "hf_day", today)
    if hf_day is None and HF in sources and listed:
        hf_day = date
    hf_rank = _int(raw.get("hf_rank"), "hf_rank") if hf_day is not None else None
    listings = _listings(raw.get("hf_listings"), hf_day, hf_rank, today)
    if listings:  # the first day on the list, whichever field named it
        hf_day, hf_rank = listings[0]
    if date is None:
        date = published
    if date is None:
        raise RecordError("no date (neither a listing day nor a publication day)")
    url = _web_url(raw.get("url"), "url", warn)
    if paper_id and not url:
        url = arxiv_abs_url(paper_id)
    repo = _web_url(raw.get("github_repo"), "github_repo", warn)
    record = {
        "id": paper_id or title_id(title),
        "title": title,
        "abstract": abstract,
        "authors": _strings(raw.get("authors"), "authors"),
        "date": date,
        "published": published,
        "upvotes": _int(raw.get("upvotes"), "upvotes"),
        "num_comments": _int(raw.get("num_comments"), "num_comments"),
        "categories": _strings(raw.get("categories"), "categories"),
        "keywords": _strings(raw.get("keywords"), "keywords"),
        "url": url,
        "github_repo": repo or None,
        "sources": list(sources),
        "listed": listed,
        "hf_day": hf_day,
        "hf_rank": hf_rank,
        "hf_listings": [listing(day, rank) for day, rank in listings],
    }
    _check_unicode(record)
    return record


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_unicode(record: Mapping[str, Any]) -> None:
    """A JSON escape like ``"\\ud800"`` decodes to a lone surrogate, which no Unicode
    encoding can write (Arrow would raise UnicodeEncodeError): reject such a record."""
    for name in ("id", "title", "abstract", "url", "github_repo", *LIST_COLUMNS):
        value = record[name]
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and not text.isascii() and _SURROGATE.search(text):
                raise RecordError(
                    f"{name} holds an unpaired surrogate (a lone \\uD800-\\uDFFF escape), not Unicode text"
                )


def records_to_table(records: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Contract rows (from :func:`make_record`) as an Arrow table with :data:`SCHEMA`."""
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for record in records:
        for name in COLUMNS:
            columns[name].append(record[name])
    arrays = []
    for field in SCHEMA:
        values = columns[field.name]
        if field.name in DATE_COLUMNS:
            arrays.append(pa.array(values, pa.date32()).cast(DAY))
        else:
            arrays.append(pa.array(values, field.type))
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def take_rows(column: pa.ChunkedArray, rows: npt.NDArray[np.integer[Any]]) -> pa.Array:
    """``column[rows]`` for ascending or any rows, chunk by chunk (ChunkedArray.take would
    first join every chunk of a million-row column)."""
    if column.num_chunks == 1:
        return column.chunk(0).take(pa.array(rows))
    bounds = np.cumsum([0] + [len(c) for c in column.chunks])
    chunk_of = np.searchsorted(bounds, rows, side="right") - 1
    order = np.argsort(chunk_of, kind="stable")
    pieces = [
        column.chunk(int(c)).take(pa.array(rows[order][chunk_of[order] == c] - bounds[c])) for c in np.unique(chunk_of)
    ]
    taken = pa.concat_arrays(pieces) if pieces else pa.array([], column.type)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.arange(len(order))
    return taken.take(pa.array(inverse))


def take_table(table: pa.Table, rows: npt.ArrayLike, columns: list[str] | None = None) -> pa.Table:
    """``table[rows]`` (only ``columns`` when given), chunk by chunk (see :func:`take_rows`)."""
    positions = np.asarray(rows, dtype=np.int64)
    table = table.select(columns) if columns is not None else table
    return pa.Table.from_arrays([take_rows(table[name], positions) for name in table.column_names], schema=table.schema)


def empty_table() -> pa.Table:
    return SCHEMA.empty_table()


def conform(table: pa.Table) -> pa.Table:
    """Cast a table read from disk to :data:`SCHEMA` (column order and types).  A table
    written before sources were kept (one ``source`` column: the format that last
    contributed) is read as today's: that source, and its listing day when it was the
    Hugging Face list's."""
    if "sources" not in table.column_names and "source" in table.column_names:
        old = [_FORMAT_SOURCES.get(s, FILE + "table") if s else None for s in table["source"].to_pylist()]
        sources = pa.array([[s] if s else [] for s in old], pa.list_(pa.string()))
        on_hf = pa.array([s == HF for s in old]) if len(old) else pa.array([], pa.bool_())
        listed = pc.fill_null(table["listed"], False)
        hf_day = pc.if_else(pc.and_(on_hf, listed), table["date"].cast(DAY), pa.scalar(None, DAY))
        table = (
            table.append_column("sources", sources)
            .append_column("hf_day", hf_day)
            .append_column("hf_rank", pa.nulls(table.num_rows, pa.int64()))
        )
    if "hf_listings" not in table.column_names:  # written before every listing day was kept: its first
        table = table.append_column("hf_listings", first_listings(table["hf_day"], table["hf_rank"]))
    return table.select(COLUMNS).cast(SCHEMA)


def first_listings(hf_day: pa.ChunkedArray | pa.Array, hf_rank: pa.ChunkedArray | pa.Array) -> pa.Array:
    """``hf_listings`` of papers known only by their first day on the list (``[hf_day#hf_rank]``)."""
    hf_day = hf_day.combine_chunks() if isinstance(hf_day, pa.ChunkedArray) else hf_day
    hf_rank = hf_rank.combine_chunks() if isinstance(hf_rank, pa.ChunkedArray) else hf_rank
    days = pc.strftime(hf_day.cast(DAY), format="%Y-%m-%d")
    ranked = pc.binary_join_element_wise(days, pc.cast(hf_rank, pa.string()), "#")
    text = pc.coalesce(ranked, days)
    present = pc.is_valid(hf_day).to_numpy(zero_copy_only=False)
    offsets = np.concatenate([[0], np.cumsum(present)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), text.filter(pa.array(present)))


_PANDAS_TYPES = {LIST: pd.ArrowDtype(LIST), pa.int64(): pd.Int64Dtype()}


def to_frame(table: pa.Table) -> pd.DataFrame:
    """The pandas view of the table that pages and analyses use.

    Strings are Arrow-backed ``str``, list columns stay Arrow lists (a row's value
    is a Python ``list``), dates are ``datetime64[s]``, counts are nullable Int64.
    """
    frame: pd.DataFrame = table.to_pandas(types_mapper=_PANDAS_TYPES.get, self_destruct=False)
    return frame


def rows_frame(table: pa.Table, rows: npt.ArrayLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Rows of the table (only ``columns`` when given) as its pandas view (:func:`to_frame`),
    indexed by table row.  Only those rows are taken (chunk by chunk) and converted:
    ``frame.iloc[rows]`` of the whole frame would first join every chunk of its Arrow
    columns (1.3 GB of abstracts and 2.5 s at a million papers)."""
    positions = np.asarray(rows, dtype=np.int64)
    frame = to_frame(take_table(table, positions, columns))
    frame.index = positions
    return frame
