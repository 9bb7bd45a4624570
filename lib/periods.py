"""A paper's day, the days between two dates, and every paper's period at a granularity.

A paper's day is its date (or the day its source dates it by, lib.sources.days) as a whole
number of days since 1970-01-01 (:func:`paper_days`); every "from this day to that day" of
the app — search filters, trend and topic charts, saved views and their digests — is
:func:`in_days` over those numbers.  :class:`Periods` groups the papers by day, week,
month, quarter or year for the charts over time.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from lib.daily import PERIOD_CODES

EPOCH = dt.date(1970, 1, 1)
NO_DAY = np.iinfo(np.int64).min  # the day of a paper without a date

Days = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


def day_number(day: dt.date) -> int:
    """``day`` as days since 1970-01-01."""
    return (day - EPOCH).days


def day_at(number: int) -> dt.date:
    """The day ``number`` days after 1970-01-01."""
    return EPOCH + dt.timedelta(days=number)


def paper_days(dates: pa.ChunkedArray | pd.Series) -> Days:
    """Per paper, its day (days since 1970) from a column of dates (:data:`NO_DAY` where there is none)."""
    values = dates.to_numpy() if isinstance(dates, pd.Series) else dates.to_numpy(zero_copy_only=False)
    return np.asarray(values).astype("datetime64[D]").astype(np.int64)


def in_days(days: Days, first: dt.date | None, last: dt.date | None) -> Mask | None:
    """Which of ``days`` lie from ``first`` to ``last``, both included (either may be None:
    open on that side); None when neither is given (every day)."""
    if first is None and last is None:
        return None
    keep = np.ones(len(days), dtype=bool)
    if first is not None:
        keep &= days >= day_number(first)
    if last is not None:
        keep &= days <= day_number(last)
    return keep


def rows_in_days(
    rows: npt.NDArray[np.int64], days: Days, first: dt.date | None, last: dt.date | None
) -> npt.NDArray[np.int64]:
    """The ``rows`` whose day (``days`` of every row) lies from ``first`` to ``last`` (see :func:`in_days`)."""
    keep = in_days(days[rows], first, last)
    return rows if keep is None else rows[keep]


@dataclass(frozen=True)
class Periods:
    """Every row's period at one granularity, the full run of periods, and which rows
    count (the papers of one source, lib.sources; None: every row)."""

    codes: npt.NDArray[np.int64]  # period number of each row (0 = first period; outside ``member``, any number)
    index: pd.PeriodIndex
    days: Days  # each row's day (see paper_days)
    member: Mask | None = None  # the rows that count
    by: str = "month"  # the granularity
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)  # whole-range results

    @classmethod
    def of(cls, dates: pd.Series, by: str, member: Mask | None = None) -> Periods:
        periods = dates.dt.to_period(PERIOD_CODES[by])
        ordinals = np.asarray(periods.array.asi8)
        counted = ordinals[member] if member is not None and member.any() else ordinals
        first, last = (pd.Period(ordinal=int(o), freq=PERIOD_CODES[by]) for o in (counted.min(), counted.max()))
        full = pd.period_range(first, last, freq=PERIOD_CODES[by])
        codes = (ordinals - full[0].ordinal).astype(np.int64)
        return cls(codes, full, paper_days(dates), member, by)

    @functools.cached_property
    def totals(self) -> npt.NDArray[np.int64]:
        """Papers per period (of ``member``)."""
        codes = self.codes if self.member is None else self.codes[self.member]
        return np.bincount(codes, minlength=len(self.index))

    @functools.cached_property
    def counted_days(self) -> Days:
        """The days of the rows that count."""
        return self.days if self.member is None else self.days[self.member]

    def between(self, date_from: dt.date | None, date_to: dt.date | None) -> Mask | None:
        """The rows that count from ``date_from`` to ``date_to`` (None: every row counts)."""
        inside = in_days(self.days, date_from, date_to)
        if inside is None or self.member is None:
            return self.member if inside is None else inside
        return inside & self.member

    def windows(self, recent_days: int, baseline_days: int) -> tuple[int, Mask, Mask]:
        """The last counted day (days since 1970), and the rows counted in the recent window
        (the ``recent_days`` days ending on it) and in the ``baseline_days`` before it."""
        end = int(self.counted_days.max()) if len(self.counted_days) else 0
        recent = (self.days > end - recent_days) & (self.days <= end)
        baseline = (self.days > end - recent_days - baseline_days) & (self.days <= end - recent_days)
        if self.member is not None:
            recent &= self.member
            baseline &= self.member
        return end, recent, baseline
