"""The table as the app and the CLI see it: the store's papers, or the bundled sample.

A :class:`Dataset` is immutable and shared by every session (the app caches one
per store version); what it derives (days, overview, per-period counts) is
computed once on first use and kept with it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from lib import daily
from lib import sources as sources_module
from lib.source_keys import ALL
from lib.store.importer import read_inputs
from lib.store.merge import merge
from lib.store.schema import empty_table, rows_frame, to_frame
from lib.store.store import Store, sample_inputs

if TYPE_CHECKING:
    from lib.periods import Periods
    from lib.search.search import Columns

SAMPLE_VERSION = "sample"
_T = TypeVar("_T")


@dataclass(frozen=True, eq=False)
class Dataset:
    table: pa.Table
    version: str
    is_sample: bool
    data_dir: str
    _memo: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)  # a memo may use another

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The pandas table (see lib.store.schema).  Shared: never mutate it."""
        return to_frame(self.table)

    def papers(self, rows: npt.ArrayLike, columns: list[str] | None = None) -> pd.DataFrame:
        """Rows of the table as :attr:`frame` has them, indexed by row; only those rows are
        read (never ``frame.iloc[rows]``: see lib.store.schema.rows_frame)."""
        return rows_frame(self.table, rows, columns)

    @cached_property
    def days(self) -> npt.NDArray[np.datetime64]:
        """Every day that has papers, ascending (datetime64[D])."""
        return daily.days(self.frame)

    @cached_property
    def overview(self) -> daily.Overview:
        return daily.overview(self.frame, self.sources)

    @cached_property
    def _ids(self) -> pd.Index[str]:
        ids: pd.Index[str] = pd.Index(self.table["id"].to_numpy(zero_copy_only=False))
        return ids

    def row_of(self, paper_id: str) -> int | None:
        """The row of paper ``paper_id``, or None."""
        position = int(self._ids.get_indexer(pd.Index([paper_id]))[0]) if paper_id else -1
        return position if position >= 0 else None

    def rows_of(self, paper_ids: Iterable[str]) -> npt.NDArray[np.int64]:
        """The rows of the papers ``paper_ids`` the table holds (ascending; the others are skipped)."""
        ids = list(paper_ids)
        if not ids:
            return np.empty(0, dtype=np.int64)
        positions = self._ids.get_indexer(pd.Index(ids))
        return np.unique(positions[positions >= 0]).astype(np.int64)

    @cached_property
    def search_columns(self) -> Columns:
        from lib.search.search import Columns

        return Columns(self.table)

    def periods(self, by: str, src: str = ALL) -> Periods:
        """Each paper's period at granularity ``by``, by the day ``src`` dates it, and whether
        it is one of ``src``'s papers (see lib.periods.Periods)."""
        from lib.periods import Periods

        return self._remember(("periods", by, src), lambda: Periods.of(self.day_of(src), by, self.member(src)))

    # --- sources (see lib.sources) ------------------------------------------------------------
    @cached_property
    def sources(self) -> dict[str, int]:
        """Papers per source the table holds, in the order pages list them."""
        return sources_module.counts(self.table["sources"])

    def member(self, src: str) -> npt.NDArray[np.bool_] | None:
        """Per row, whether it is one of ``src``'s papers; None for all papers."""
        if src == ALL:
            return None
        return self._remember(("member", src), lambda: sources_module.member(self.table["sources"], src))

    def day_of(self, src: str) -> pd.Series:
        """Per row, the day that ``src`` dates the paper by (lib.sources.DAY_COLUMN)."""
        return self._remember(("day", src), lambda: sources_module.days(self.frame, src))

    @cached_property
    def mix(self) -> tuple[npt.NDArray[np.int64], list[str]]:
        """Per row, the number of its combination of sources, and the combinations' keys."""
        return sources_module.mix(self.table["sources"])

    def _remember(self, key: tuple[str, ...], compute: Callable[[], _T]) -> _T:
        with self._lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return cast(_T, self._memo[key])


def load(store: Store, today: dt.date | None = None) -> Dataset:
    """The store's table, or the bundled demo when the store holds no papers (read and
    merged in memory, as an import would: about 0.3 s; the store is never written)."""
    table, version = store.read_version()
    if version and table.num_rows:
        return Dataset(table, version, False, str(store.path))
    incoming, _ = read_inputs(sample_inputs(), today=today)
    return Dataset(merge(empty_table(), incoming)[0], SAMPLE_VERSION, True, str(store.path))
