"""Writing the table out: CSV, JSON Lines, Parquet — each importable back unchanged.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) are prefixed with ``'``.  Columns of the caller's
(``extra``: one row per paper, e.g. each paper's topic and area, see
lib.library.Library.paper_topics) follow the table's; the importer ignores them, so such an
export imports back as the same table.
"""

from __future__ import annotations

import io
import json
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lib.store.schema import DATE_COLUMNS, LIST_COLUMNS, conform

EXPORT_FORMATS = ("csv", "jsonl", "parquet")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 20_000


def _plain_rows(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in DATE_COLUMNS:
        if column in out:
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out


def neutralise(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def _part(frame: pd.DataFrame, extra: pd.DataFrame | None, start: int) -> pd.DataFrame:
    """Rows ``start`` to ``start + CHUNK`` of ``frame`` as written, ``extra``'s columns after."""
    part = _plain_rows(frame.iloc[start : start + CHUNK])
    if extra is None:
        return part
    added = extra.iloc[start : start + CHUNK].set_axis(part.index)
    return pd.concat([part, added], axis=1)


def _checked(n_rows: int, extra: pd.DataFrame | None) -> None:
    if extra is not None and len(extra) != n_rows:
        raise ValueError(f"extra columns for {len(extra):,} rows, the table has {n_rows:,}")


def write(fmt: str, table: pa.Table, frame: pd.DataFrame, handle: IO[bytes], extra: pd.DataFrame | None = None) -> None:
    """The table (``frame``: the same rows as pandas has them, lib.store.schema.to_frame) in
    ``fmt``, one of :data:`EXPORT_FORMATS`, with ``extra``'s columns after its own."""
    if fmt == "parquet":
        write_parquet(table, handle, extra)
    elif fmt == "csv":
        write_csv(frame, handle, extra)
    elif fmt == "jsonl":
        write_jsonl(frame, handle, extra)
    else:
        raise ValueError(f"not an export format: {fmt!r}")


def write_csv(frame: pd.DataFrame, handle: IO[bytes], extra: pd.DataFrame | None = None) -> None:
    _checked(len(frame), extra)
    for start in range(0, max(len(frame), 1), CHUNK):
        part = _part(frame, extra, start)
        for column in LIST_COLUMNS:
            if column in part:
                part[column] = ["; ".join(v) if v is not None else "" for v in part[column]]
        part = part.astype(object).map(neutralise)
        handle.write(part.to_csv(index=False, header=start == 0, lineterminator="\n").encode("utf-8"))


def write_jsonl(frame: pd.DataFrame, handle: IO[bytes], extra: pd.DataFrame | None = None) -> None:
    _checked(len(frame), extra)
    for start in range(0, len(frame), CHUNK):
        part = _part(frame, extra, start)
        for record in part.to_dict(orient="records"):
            clean = {k: (None if _missing(v) else v) for k, v in record.items()}
            handle.write(json.dumps(clean, ensure_ascii=False, default=_jsonable).encode("utf-8") + b"\n")


def write_parquet(table: pa.Table, handle: IO[bytes], extra: pd.DataFrame | None = None) -> None:
    _checked(table.num_rows, extra)
    out = conform(table)
    for name, column in extra.items() if extra is not None else ():
        out = out.append_column(str(name), pa.array(column.to_numpy()))
    pq.write_table(out, handle, compression="zstd")


def _missing(value: object) -> bool:
    if isinstance(value, (list, tuple, str)):
        return False
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]  # the stubs list scalar types; isna takes any object
    except (TypeError, ValueError):
        return False


def _jsonable(value: object) -> object:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


# --- search results -------------------------------------------------------------------------
RESULT_COLUMNS = ["rank", "id", "title", "authors", "date", "upvotes", "categories", "score", "url"]


def results_csv(results: pd.DataFrame, link: str) -> bytes:
    """Search results as CSV; every row carries the view's link (column ``view``)."""
    buffer = io.BytesIO()
    write_csv(results[RESULT_COLUMNS].assign(view=link), buffer)
    return buffer.getvalue()


def results_json(results: pd.DataFrame, link: str, query: str) -> bytes:
    """Search results as one JSON document: ``{view, query, count, results: [...]}``."""
    rows = [
        {k: (None if _missing(v) else v) for k, v in r.items()}
        for r in _plain_rows(results[RESULT_COLUMNS]).to_dict(orient="records")
    ]
    document = {"view": link, "query": query, "count": len(rows), "results": rows}
    return json.dumps(document, ensure_ascii=False, indent=1, default=_jsonable).encode("utf-8")
