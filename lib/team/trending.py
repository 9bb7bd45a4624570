"""Trending papers: the upvotes a paper gains per day, from the upvote snapshots.

Every ``fetch hf`` records each downloaded paper's upvotes in the team database, dated by the
UTC day of the fetch (lib.store.fetch, lib.team.db); ``fetch hf --refresh 14`` downloads the
last two weeks again, so a paper's upvotes are seen growing while they grow.  From those
snapshots :func:`trending` ranks the papers of a window of ``W`` days ``[end - W + 1, end]``
(``start`` to ``end``, both included):

``by="velocity"`` (Trending): upvotes gained per day over the window.  A paper's upvotes on a
day are those of its last snapshot on or before that day (carried forward; snapshots after
``end`` are ignored), so its upvotes at ``end``, ``upvotes``, are its last snapshot's.  What it
gained, ``gained``, is counted from a *baseline*:

1. a paper listed within the window: 0 upvotes on its listing day (it gained all it has);
2. else its last snapshot on or before ``start``;
3. else (listed before the window, first seen within it) its first snapshot in the window --
   what it gained before that day is unknown, so it does not count;
4. a paper with no snapshot at all on or before ``end`` (a table that was imported, not
   fetched, such as the bundled demo; a paper listed before snapshots began): its upvotes in
   the table, taken as observed at ``end``, and 0 on its listing day -- only when it was
   listed within the window.  A table without any history therefore still ranks its recent
   papers by upvotes per day since listing.

``velocity = gained / max(1, end - baseline day)``: per day between the two observations (a
paper listed on ``end`` itself counts one day).  Ties go to more upvotes gained, then more
upvotes, then the newer listing.

``by="upvotes"`` (Most upvoted, Hugging Face's ``week=`` / ``month=`` views): the papers listed
within the window, most upvotes at ``end`` first.

Which papers: those listed within the window and those with a snapshot within it -- never
the whole table, so a million papers cost what the window holds -- and only papers whose
upvotes are known (a snapshot, or an upvote count in the table: Hugging Face papers, not
arXiv-only ones).  A paper's listing day is its day on the Hugging Face daily list, else its
date.

``spark``: the paper's upvotes on each day of the window, oldest first: a straight line
between its observations (its snapshots; for rules 1 and 4 also 0 on its listing day, and for
rule 4 its table upvotes on ``end``) -- what the snapshots say, and no more: a paper without
history rises evenly from its listing day --, 0 before its listing day, flat at its first
observation before it and at its last after it -- so the line rises by what ``gained``
counts and ends at ``upvotes``.

``end`` (default): the later of the newest snapshot day and the newest listing day of a paper
with upvotes -- the newest upvote information the store holds.  Not today: a store whose
fetching stopped a month ago still shows the trend of its last weeks (as Daily Papers shows
its latest day) instead of an empty window; and not only the newest listing day: on a
weekend Hugging Face lists nothing, yet Saturday's fetch still moved Friday's upvotes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.errors import PapersError
from lib.periods import NO_DAY, day_at, day_number, paper_days

if TYPE_CHECKING:
    from lib.dataset import Dataset
    from lib.library import Library

BYS = {"velocity": "Upvotes gained per day", "upvotes": "Most upvoted"}
MAX_WINDOW = 3660  # days
LOOKBACK_DAYS = 31  # snapshots this long before a window can be its baselines (see history_since)
COLUMNS = ["rank", "row", "id", "title", "upvotes", "gained", "velocity", "spark"]

Ints = npt.NDArray[np.int64]


class TrendingError(PapersError):
    """A window, order or limit that cannot be ranked."""


def trending(
    library_or_dataset: Library | Dataset,
    history: pd.DataFrame | None,
    window_days: int,
    by: str = "velocity",
    end: dt.date | None = None,
    limit: int = 50,
) -> pd.DataFrame:
    """The ``limit`` papers of the window of ``window_days`` days up to ``end`` with the most
    upvotes gained per day (``by="velocity"``) or the most upvotes (``by="upvotes"``), from
    ``history`` (lib.team.db.TeamDB.upvote_history: columns id, day, upvotes; None or empty:
    none).  See the module's doc for the rules.

    Returns the columns rank (1, 2, ...), row (table row), id, title, upvotes (at ``end``),
    gained, velocity (upvotes a day), spark (list of ``window_days`` ints).

    >>> trending(dataset, history, 7).head(3)  # doctest: +SKIP
    """
    if by not in BYS:
        raise TrendingError(f"rank by {by!r}: one of {', '.join(BYS)}")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or not 1 <= window_days <= MAX_WINDOW:
        raise TrendingError(f"a window of {window_days!r} days: from 1 to {MAX_WINDOW}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise TrendingError(f"a limit of {limit!r}: at least 1")
    ds = _dataset(library_or_dataset)
    listing, table_upvotes = _listing_and_upvotes(ds.table)
    snaps = _Snapshots.of(history, ds.table)
    last = _end(listing, table_upvotes, snaps, end)
    if last is None:
        return _empty()
    stop = day_number(last)
    start = stop - window_days + 1
    snaps = snaps.until(stop)

    # the papers of the window: listed in it (with known upvotes), or with a snapshot in it
    listed = np.flatnonzero((listing >= start) & (listing <= stop))
    rows = np.union1d(listed, snaps.rows[snaps.days >= start])
    if not len(rows):
        return _empty()
    day_listed = listing[rows]
    in_window = (day_listed >= start) & (day_listed <= stop)

    # upvotes at the end: the last snapshot, else the table's (rule 4)
    now_at, now_up = snaps.last_on_or_before(rows, stop)
    seen = now_at != NO_DAY
    now = np.where(seen, now_up, table_upvotes[rows])
    keep = seen | ((table_upvotes[rows] >= 0) & in_window)
    if by == "upvotes":
        keep &= in_window
    rows, day_listed, in_window, seen, now = rows[keep], day_listed[keep], in_window[keep], seen[keep], now[keep]

    # the baseline (rules 1 to 4)
    before_at, before_up = snaps.last_on_or_before(rows, start)
    first_at, first_up = snaps.first_from(rows, start)
    base_at = np.where(in_window, day_listed, np.where(before_at != NO_DAY, before_at, first_at))
    base_up = np.where(in_window, 0, np.where(before_at != NO_DAY, before_up, first_up))
    gained = now - base_up
    velocity = gained / np.maximum(1, stop - base_at).astype(np.float64)

    if by == "velocity":
        order = np.lexsort((rows, -day_listed, -now, -gained, -velocity))
    else:
        order = np.lexsort((rows, -day_listed, -velocity, -now))
    top = order[:limit]
    shown = rows[top]
    spark = _sparks(
        snaps,
        shown,
        start,
        stop,
        day_listed[top],
        base_up[top],
        listing_point=in_window[top] | ~seen[top],
        table_now=np.where(seen[top], -1, now[top]),
    )
    titles = ds.papers(shown, ["id", "title"]) if len(shown) else pd.DataFrame({"id": [], "title": []})
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(shown) + 1, dtype=np.int64),
            "row": shown.astype(np.int64),
            "id": titles["id"].to_numpy(dtype=object),
            "title": titles["title"].to_numpy(dtype=object),
            "upvotes": now[top].astype(np.int64),
            "gained": gained[top].astype(np.int64),
            "velocity": velocity[top],
            "spark": pd.Series([list(map(int, line)) for line in spark], dtype=object),
        },
        columns=COLUMNS,
    )


def window_end(
    library_or_dataset: Library | Dataset, history: pd.DataFrame | None, end: dt.date | None = None
) -> dt.date | None:
    """The last day of the window: ``end`` when given, else the later of the newest snapshot
    day and the newest listing day of a paper with upvotes (see the module's doc); None when
    the store holds no upvotes at all."""
    table = _dataset(library_or_dataset).table
    return _end(*_listing_and_upvotes(table), _Snapshots.of(history, table), end)


def _end(listing: Ints, upvotes: Ints, snaps: _Snapshots, end: dt.date | None) -> dt.date | None:
    if end is not None:
        return end
    known = listing[upvotes >= 0]
    newest = max(int(known.max()) if len(known) else NO_DAY, int(snaps.days.max()) if len(snaps.days) else NO_DAY)
    return None if newest == NO_DAY else day_at(newest)


def history_since(library_or_dataset: Library | Dataset, window_days: int, end: dt.date | None = None) -> dt.date:
    """The first snapshot day :func:`trending` may use for a window of ``window_days`` up to
    ``end`` (default: as :func:`window_end`): load the history from there
    (``TeamDB.upvote_history(since=...)``).  A baseline older than :data:`LOOKBACK_DAYS` before
    the window is left out -- a paper refreshed that long ago has no snapshot in the window
    anyway (``fetch hf --refresh`` covers two weeks)."""
    ds = _dataset(library_or_dataset)
    if end is None:  # the default end is never before the newest listing day with upvotes
        listing, upvotes = _listing_and_upvotes(ds.table)
        known = listing[upvotes >= 0]
        end = day_at(int(known.max())) if len(known) else dt.date.today()
    return end - dt.timedelta(days=window_days - 1 + LOOKBACK_DAYS)


# --- the parts ------------------------------------------------------------------------------
def _dataset(source: Library | Dataset) -> Dataset:
    from lib.dataset import Dataset

    return source if isinstance(source, Dataset) else source.dataset


def _listing_and_upvotes(table: pa.Table) -> tuple[Ints, Ints]:
    """Per row: the listing day (day number: the Hugging Face day, else the date) and the
    table's upvotes (-1 where unknown)."""
    hf_day, date = paper_days(table["hf_day"]), paper_days(table["date"])
    listing = np.where(hf_day != NO_DAY, hf_day, date)
    upvotes = pc.fill_null(table["upvotes"], -1).to_numpy()
    return listing.astype(np.int64), np.asarray(upvotes, dtype=np.int64)


class _Snapshots:
    """The snapshots of the papers the table holds, sorted by row and day, with a search key."""

    SHIFT = 32  # key = row << SHIFT | (day - origin): rows and days in one sorted int64

    def __init__(self, rows: Ints, days: Ints, upvotes: Ints) -> None:
        order = np.lexsort((days, rows))
        self.rows, self.days, self.upvotes = rows[order], days[order], upvotes[order]
        self.origin = int(self.days.min()) - 1 if len(self.days) else 0
        self.keys = self._key(self.rows, self.days)

    @classmethod
    def of(cls, history: pd.DataFrame | None, table: pa.Table) -> _Snapshots:
        empty = np.empty(0, dtype=np.int64)
        if history is None or history.empty:
            return cls(empty, empty, empty)
        codes, ids = pd.factorize(history["id"].to_numpy(dtype=object))
        found = pc.fill_null(pc.index_in(table["id"], value_set=pa.array(ids, type=pa.string())), -1).to_numpy()
        row_of_id = np.full(len(ids), -1, dtype=np.int64)
        held = np.flatnonzero(found >= 0)
        row_of_id[found[held]] = held
        rows = row_of_id[codes]
        days = history["day"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        upvotes = history["upvotes"].to_numpy(dtype=np.int64)
        kept = rows >= 0  # a paper the table no longer holds: nothing to show
        return cls(rows[kept], days[kept], upvotes[kept])

    def until(self, last: int) -> _Snapshots:
        keep = self.days <= last
        return self if keep.all() else _Snapshots(self.rows[keep], self.days[keep], self.upvotes[keep])

    def _key(self, rows: Ints, days: Ints | int) -> Ints:
        offset = np.clip(np.asarray(days, dtype=np.int64) - self.origin, 0, (1 << self.SHIFT) - 1)
        return np.asarray((rows.astype(np.int64) << self.SHIFT) | offset, dtype=np.int64)

    def last_on_or_before(self, rows: Ints, day: Ints | int) -> tuple[Ints, Ints]:
        """Per row, the day and upvotes of its last snapshot on or before ``day`` (NO_DAY, -1: none)."""
        at = np.searchsorted(self.keys, self._key(rows, day), side="right") - 1
        return self._pick(rows, at, np.asarray(day) >= self.origin + 1)

    def first_from(self, rows: Ints, day: int) -> tuple[Ints, Ints]:
        """Per row, the day and upvotes of its first snapshot on or after ``day`` (NO_DAY, -1: none)."""
        at = np.searchsorted(self.keys, self._key(rows, day), side="left")
        return self._pick(rows, at, np.asarray(True))

    def _pick(self, rows: Ints, at: Ints, valid_day: npt.NDArray[np.bool_]) -> tuple[Ints, Ints]:
        inside = (at >= 0) & (at < len(self.keys))
        at = np.clip(at, 0, max(len(self.keys) - 1, 0))
        if not len(self.keys):
            return np.full(at.shape, NO_DAY, dtype=np.int64), np.full(at.shape, -1, dtype=np.int64)
        ok = inside & (self.rows[at] == rows) & valid_day
        return np.where(ok, self.days[at], NO_DAY), np.where(ok, self.upvotes[at], -1)


def _sparks(
    snaps: _Snapshots,
    rows: Ints,
    start: int,
    stop: int,
    listed: Ints,
    baseline: Ints,
    listing_point: npt.NDArray[np.bool_],
    table_now: Ints,
) -> Ints:
    """Upvotes per paper (one line per row, at most ``limit`` of them) and day from ``start`` to
    ``stop`` (see the module's doc): a straight line between the paper's observations."""
    days = np.arange(start, stop + 1, dtype=np.int64)
    lines = np.zeros((len(rows), len(days)), dtype=np.int64)
    lo = np.searchsorted(snaps.rows, rows, side="left")
    hi = np.searchsorted(snaps.rows, rows, side="right")
    for i in range(len(rows)):
        xs, ys = snaps.days[lo[i] : hi[i]], snaps.upvotes[lo[i] : hi[i]]
        if listing_point[i]:  # 0 on its listing day (unless a snapshot saw that day), then its snapshots
            keep = xs >= listed[i]
            xs, ys = xs[keep], ys[keep]
            if not len(xs) or xs[0] != listed[i]:
                xs, ys = np.r_[listed[i], xs], np.r_[0, ys]
        if table_now[i] >= 0:  # no snapshot: the table's upvotes, taken as observed at the end
            xs, ys = np.r_[xs[xs < stop], stop], np.r_[ys[xs < stop], table_now[i]]
        if not len(xs):
            lines[i] = baseline[i]
            continue
        line = np.interp(days, xs, ys)  # before the first observation: flat at it; after the last: flat
        lines[i] = np.rint(np.where(days < listed[i], 0, line)).astype(np.int64)
    return lines


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in COLUMNS})
    return frame.astype({"rank": np.int64, "row": np.int64, "upvotes": np.int64, "gained": np.int64, "velocity": float})


def as_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as the CLI's ``--json`` prints them: {rank, id, title, upvotes, gained, velocity, spark}."""
    columns = ("rank", "id", "title", "upvotes", "gained", "velocity", "spark")
    return [
        {
            "rank": int(rank),
            "id": str(paper_id),
            "title": str(title),
            "upvotes": int(upvotes),
            "gained": int(gained),
            "velocity": round(float(velocity), 3),
            "spark": [int(v) for v in spark],
        }
        for rank, paper_id, title, upvotes, gained, velocity, spark in zip(*(frame[c].tolist() for c in columns))
    ]
