"""The Daily Papers view: days, one day's papers, the table's overview, papers per period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.source_keys import ALL, HF
from lib.store.schema import rows_frame

if TYPE_CHECKING:
    from lib.periods import Periods

PAGE_SIZE = 25
# pandas period codes per granularity name
PERIOD_CODES = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}


def days(frame: pd.DataFrame) -> npt.NDArray[np.datetime64]:
    """Sorted distinct days with papers (datetime64[D])."""
    return np.unique(frame["date"].dropna().to_numpy().astype("datetime64[D]"))


def resolve_day(requested: dt.date | None, all_days: npt.NDArray[np.datetime64]) -> tuple[dt.date | None, str | None]:
    """The day to show and an optional warning.  None -> the latest day; a day
    outside the table's range -> the latest day, with a warning."""
    if len(all_days) == 0:
        return None, None
    latest = all_days[-1].astype(dt.date)
    if requested is None:
        return latest, None
    if not all_days[0].astype(dt.date) <= requested <= latest:
        return latest, (
            f"No papers on {requested.isoformat()}: the table covers "
            f"{all_days[0].astype(dt.date).isoformat()} to {latest.isoformat()}; showing the latest day."
        )
    return requested, None


def neighbours(day: dt.date, all_days: npt.NDArray[np.datetime64]) -> tuple[dt.date | None, dt.date | None]:
    """The nearest earlier and later days that have papers."""
    target = np.datetime64(day, "D")
    left = np.searchsorted(all_days, target, side="left")
    right = np.searchsorted(all_days, target, side="right")
    previous = all_days[left - 1].astype(dt.date) if left > 0 else None
    following = all_days[right].astype(dt.date) if right < len(all_days) else None
    return previous, following


def papers_on(
    table: pa.Table,
    dates: npt.NDArray[np.datetime64],
    day: dt.date,
    sort: str = "upvotes",
    member: npt.NDArray[np.bool_] | None = None,
    daily_list: bool = False,
) -> pd.DataFrame:
    """The papers dated ``day`` (``dates``: each row's day as datetime64, the day a source
    dates it by, see lib.sources.days), of ``member`` only when given, and with ``daily_list``
    (the day's Hugging Face daily list) every paper on that day's list, also those dated by an
    earlier day on it (``hf_listings``); most upvoted first (unknown last) or as listed: in the
    order of that day's list, then the rest in table order.  Indexed by table row (see
    lib.store.schema.rows_frame)."""
    rows = rows_on(dates, day, member)
    listed, ranks = listed_on(table, day) if daily_list else (rows[:0], np.empty(0))
    rows = np.union1d(rows, listed)
    frame = rows_frame(table, rows)
    if sort == "upvotes":
        frame = frame.sort_values("upvotes", ascending=False, na_position="last", kind="stable")
    elif len(frame):
        rank = frame["hf_rank"].to_numpy(dtype=float, na_value=np.inf)
        rank[(frame["hf_day"] != pd.Timestamp(day)).to_numpy()] = np.inf  # a rank is a place on its own day's list
        rank[np.searchsorted(rows, listed)] = ranks  # its place on this day's list
        frame = frame.iloc[np.argsort(rank, kind="stable")]
    return frame


def listed_on(table: pa.Table, day: dt.date) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """The rows on ``day``'s Hugging Face daily list (``hf_listings``), ascending, and each one's
    position on it (inf when unknown)."""
    column = table["hf_listings"]
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    flat = pc.list_flatten(column)
    hit = pc.starts_with(flat, day.isoformat()).to_numpy(zero_copy_only=False)
    rows = pc.list_parent_indices(column).to_numpy()[hit].astype(np.intp)
    rank = pc.cast(pc.utf8_slice_codeunits(flat.filter(pa.array(hit)), 11, 30), pa.string())
    ranks = pc.cast(pc.if_else(pc.equal(rank, ""), None, rank), pa.float64()).to_numpy(zero_copy_only=False)
    order = np.argsort(rows, kind="stable")
    return rows[order], np.nan_to_num(ranks[order].astype(float), nan=np.inf)


def rows_on(
    dates: npt.NDArray[np.datetime64], day: dt.date, member: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.intp]:
    """Rows dated ``day`` (``dates``: each row's day as datetime64), of ``member`` only when given."""
    hit = dates == np.datetime64(day)
    if member is not None:
        hit &= member
    return np.flatnonzero(hit)


def day_source(src: str, day: dt.date, list_days: npt.NDArray[np.datetime64]) -> str:
    """Whose papers the Daily Papers page shows on ``day`` for ``src``: ``hf`` (its default)
    is the day's Hugging Face daily list when the day has one (``list_days``: the days that
    have one), else every paper of the day; any other source is itself."""
    if src != HF:
        return src
    return HF if np.isin(np.datetime64(day, "D"), list_days) else ALL


def counted_days(periods: Periods) -> npt.NDArray[np.datetime64]:
    """The days that have papers of a lib.periods.Periods at granularity ``day`` (its counted
    rows: one source's papers, by the day that source dates them), ascending (datetime64[D])."""
    return periods.index[periods.totals > 0].to_timestamp().to_numpy().astype("datetime64[D]")


def page_bounds(total: int, page: int, size: int = PAGE_SIZE) -> tuple[int, int, int]:
    """``(start, stop, pages)`` for 1-based ``page``, clamped into range."""
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    return (page - 1) * size, min(page * size, total), pages


@dataclass(frozen=True)
class Overview:
    papers: int
    days: int
    first: dt.date | None
    last: dt.date | None
    sources: dict[str, int]


def overview(frame: pd.DataFrame, sources: dict[str, int]) -> Overview:
    """The table at a glance; ``sources``: papers per source (lib.sources.counts)."""
    dates = frame["date"].dropna()
    return Overview(
        papers=len(frame),
        days=int(dates.dt.normalize().nunique()),
        first=dates.min().date() if len(dates) else None,
        last=dates.max().date() if len(dates) else None,
        sources=sources,
    )


def auto_period(first: dt.date | None, last: dt.date | None) -> str:
    """A granularity that gives a readable number of bars for the span."""
    if first is None or last is None:
        return "day"
    span = (last - first).days
    if span <= 62:
        return "day"
    if span <= 366:
        return "week"
    if span <= 6 * 366:
        return "month"
    return "quarter"


def periods_frame(periods: Periods, by: str) -> pd.DataFrame:
    """Tidy counts of papers per period, from the first period with papers to the last (empty
    ones as 0), read off a lib.periods.Periods at granularity ``by`` (its counted rows: one
    source's papers, by the day that source dates them).  Columns: ``period`` (start day,
    datetime64), ``label`` (str), ``papers`` (int), ``by``."""
    totals = np.asarray(periods.totals, dtype="int64")
    nonzero = np.flatnonzero(totals)
    span = periods.index[nonzero[0] : nonzero[-1] + 1] if len(nonzero) else periods.index[:0]
    return pd.DataFrame(
        {
            "period": span.start_time.astype("datetime64[s]"),
            "label": pd.Series([period_label(p, by) for p in span], dtype=str),
            "papers": totals[nonzero[0] : nonzero[-1] + 1] if len(nonzero) else totals[:0],
            "by": by,
        }
    )


def period_label(period: pd.Period, by: str) -> str:
    start = period.start_time
    if by == "day":
        return start.strftime("%Y-%m-%d")
    if by == "week":
        return f"week of {start.strftime('%Y-%m-%d')}"
    if by == "month":
        return start.strftime("%Y-%m")
    if by == "quarter":
        return f"{start.year}-Q{period.quarter}"
    return str(start.year)


# --- day ranges --------------------------------------------------------------------------------
RANGES = {"7d": "7 days", "30d": "30 days", "90d": "90 days", "year": "This year", "all": "All time"}
_RANGE_DAYS = {"7d": 7, "30d": 30, "90d": 90}


def named_range(name: str, first: dt.date, last: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The ``(from, to)`` of a one-click range, counted back from the table's last day (the
    newest papers, whatever today is); None is an open bound, so the view follows new days.

    >>> named_range("7d", dt.date(2025, 3, 3), dt.date(2025, 8, 29))
    (datetime.date(2025, 8, 23), None)
    >>> named_range("year", dt.date(2025, 3, 3), dt.date(2025, 8, 29))  # the whole table: open
    (None, None)
    """
    if name in _RANGE_DAYS:
        start = last - dt.timedelta(days=_RANGE_DAYS[name] - 1)
    elif name == "year":
        start = dt.date(last.year, 1, 1)
    else:
        start = None
    return (start if start and start > first else None), None


def range_name(start: dt.date | None, end: dt.date | None, first: dt.date, last: dt.date) -> str | None:
    """The one-click range that ``(start, end)`` is, or None; an open range is "all" (even
    when "this year" covers the whole table too).

    >>> range_name(None, None, dt.date(2025, 3, 3), dt.date(2025, 8, 29))
    'all'
    """
    if start is None and end is None:
        return "all"
    return next((name for name in RANGES if named_range(name, first, last) == (start, end)), None)


def ordered_range(start: dt.date | None, end: dt.date | None) -> tuple[dt.date | None, dt.date | None, list[str]]:
    """A day range with its bounds in order, and a note when they were swapped."""
    if start and end and start > end:
        return end, start, ["The day range ended before it started; the two days were swapped."]
    return start, end, []
