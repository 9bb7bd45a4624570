"""Where papers come from, and which day each source dates them by.

A paper keeps every source it came from (the table's ``sources`` column, see lib.store.schema):
``hf`` (the Hugging Face daily list), ``arxiv`` (arXiv's API, snapshot or listings),
``file:NAME`` (any other table).  Every count a page shows is of one population, ``src``:

======== ============================================ =====================================
src      papers                                       dated by
======== ============================================ =====================================
all      every paper                                  ``date``: its first daily-list day, else
                                                      its publication day
hf       on the Hugging Face daily list               ``hf_day``: its first day on that list
arxiv    from arXiv                                   ``published``: its arXiv day (v1, or the
                                                      listing day of a crawl of arXiv's lists)
file:X   from the file X                              ``date``
======== ============================================ =====================================

A period whose mix of sources differs from its series' overall mix by more than
:data:`MIX_SHIFT` (the share of one combination of sources moves by more than 25 points)
is marked: a rise there may only be a change of what was imported.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.source_keys import ALL, ARXIV, HF
from lib.store.schema import source_name, source_order

MIX_SHIFT = 0.25  # a period's share of one mix of sources this far from the series' own: marked
DAY_COLUMN = {ALL: "date", HF: "hf_day", ARXIV: "published"}  # any other source: date


def _flat(column: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, npt.NDArray[np.int64]]:
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    return pc.list_flatten(column), pc.list_parent_indices(column).to_numpy()


def counts(column: pa.Array | pa.ChunkedArray) -> dict[str, int]:
    """Papers per source, in the order pages list them (lib.store.schema.source_order)."""
    flat, _ = _flat(column)
    found = {str(v["values"]): int(v["counts"]) for v in pc.value_counts(flat).to_pylist()} if len(flat) else {}
    return {key: found[key] for key in source_order(found)}


def member(column: pa.Array | pa.ChunkedArray, src: str) -> npt.NDArray[np.bool_]:
    """Per row, whether ``src`` is one of its sources."""
    flat, parents = _flat(column)
    inside = np.zeros(len(column), dtype=bool)
    if len(flat):
        inside[parents[pc.fill_null(pc.equal(flat, src), False).to_numpy(zero_copy_only=False)]] = True
    return inside


def days(frame: pd.DataFrame, src: str) -> pd.Series:
    """Per row, the day ``src`` dates it by; a paper of arXiv without a known arXiv day
    keeps its own ``date``, so no paper of a source is ever undated in it."""
    column = DAY_COLUMN.get(src, "date")
    if column == "date":
        return frame["date"]
    return frame[column].fillna(frame["date"])


def mix(column: pa.Array | pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Per row, the number of its combination of sources (``hf+arxiv``), and the list of
    combinations: a partition of the papers, for stacked composition bars.  A "+" (and "%")
    inside a source (``file:a+b.csv``) is escaped, so two combinations never share a key."""
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    escaped = pc.replace_substring(pc.replace_substring(pc.list_flatten(column), "%", "%25"), "+", "%2B")
    lengths = pc.fill_null(pc.list_value_length(column), 0).to_numpy()
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, escaped, mask=column.is_null()), "+")
    encoded = pc.fill_null(joined, "").dictionary_encode()
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), [
        str(k) for k in encoded.dictionary.to_pylist()
    ]


def mix_name(key: str) -> str:
    """A combination of sources in words: ``hf+arxiv`` -> "Hugging Face daily list and arXiv"."""
    parts = [p.replace("%2B", "+").replace("%25", "%") for p in key.split("+") if p]  # (see mix)
    if not parts:
        return "no source"
    names = [source_name(p) for p in parts]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def choices(present: dict[str, int]) -> dict[str, str]:
    """The sources a page offers, ``src`` value -> label: every paper, then each source."""
    return {ALL: "All sources", **{key: source_name(key) for key in present}}
