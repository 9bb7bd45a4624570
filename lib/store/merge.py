"""Merging imported papers into the table: one row per id, vectorised for 1M rows.

Rules (docs/operations.md repeats them, under "The store"):

* the same id is one row; a row keeps its position, new papers are appended in
  the order they were read (so a day's papers stay "as listed");
* a paper keeps every source it came from (``sources``), and each source's facts:
  its day on the Hugging Face daily list (``hf_day``, the first such day, with its
  position ``hf_rank``) and its arXiv day (``published``) are both kept;
* a field that two sources disagree on takes the copy of the higher-ranked source
  (arXiv's metadata over the daily list's over a file's: lib.store.schema.SOURCE_RANK);
  between copies of the same rank the newest non-empty one wins; an empty string,
  list or missing value never erases what is known; upvotes and comments take the
  maximum;
* nothing is lost silently: of two copies of a list (authors, categories, keywords)
  the longer wins, whatever their sources (so the order of imports does not matter);
  a shorter one that would have won by its source is kept out, as is a count that
  would go down, and both are reported (``MergeCounts.kept``) — unless the import
  overwrites (``overwrite=True``, the CLI's ``--overwrite``): then every non-empty
  value read replaces the stored one, whatever its source, its length or its count;
* a daily-list day (``listed``) beats a fallback publication day, and the earlier of
  two such days wins;
* so importing the same files in any order gives the same table, except where two
  files of one source disagree (the newest wins);
* a paper known only by its title (``t-`` id, from a pasted page) and the same
  paper with an arXiv id become one row under the arXiv id;
* duplicates inside one import are folded the same way, in reading order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from lib.store.schema import COLUMNS, SCHEMA, SOURCE_RANK, source_order, take_table
from lib.text import collapse_ws, strip_controls

MAX_CHANGES = 50  # field changes (and kept fields) listed per import; the rest are counted
SHRINKING = ("authors", "categories", "keywords")  # lists that never get shorter unless overwritten
COUNTS = ("upvotes", "num_comments")  # counts that never go down unless overwritten


@dataclass(frozen=True)
class FieldChange:
    """One field of one known paper, before and after an import (``kept``: the import would have
    shortened a list or lowered a count, and the old value was kept)."""

    id: str
    field: str
    old: Any
    new: Any
    kept: bool = False

    def __str__(self) -> str:
        arrow = "kept, the file has" if self.kept else "→"
        return f"{self.id} {self.field}: {value_text(self.old)} {arrow} {value_text(self.new)}"


def value_text(value: Any, limit: int = 80) -> str:
    """A field's value in one short line: a list as ``(n) a; b; c``, a day as ISO, empty as ``(empty)``."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, list):
        text = f"({len(value)}) " + "; ".join(str(v) for v in value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat()
    else:
        text = str(value)
    text = collapse_ws(strip_controls(text))  # a store written before imports cleaned them
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class MergeCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # rows of the import folded into an earlier row with the same id
    # updated rows whose indexed text (title, abstract, authors, keywords, categories) changed:
    # when 0, an import only appended papers as far as the indexes are concerned
    text_changed: int = field(default=0, compare=False)
    text_changed_rows: tuple[int, ...] = field(default=(), compare=False, repr=False)  # their rows in the result
    updated_rows: tuple[int, ...] = field(default=(), compare=False, repr=False)  # rows of the old table rewritten
    # what changed in known papers: rows changed per field, and the first MAX_CHANGES changes
    changed_fields: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    changes: tuple[FieldChange, ...] = field(default=(), compare=False, repr=False)
    # fields kept because the import would have shortened or lowered them: how many, the first MAX_CHANGES
    kept_count: int = field(default=0, compare=False)
    kept: tuple[FieldChange, ...] = field(default=(), compare=False, repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


def _nonempty(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if pa.types.is_list(column.type):
        present = pc.greater(pc.list_value_length(column), 0)
    elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        present = pc.not_equal(column, "")
    else:
        present = pc.is_valid(column)
    return pc.fill_null(present, False)


def _comparable(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    return pc.binary_join(column, "\x1f") if pa.types.is_list(column.type) else column


def _differs(old: pa.ChunkedArray | pa.Array, new: pa.ChunkedArray | pa.Array) -> pa.Array:
    old, new = _comparable(old), _comparable(new)
    same = pc.fill_null(pc.equal(old, new), False)
    both_missing = pc.and_(pc.is_null(old), pc.is_null(new))
    return pc.invert(pc.or_(same, both_missing))


def _ranks(sources: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.int8]:
    """Per row: the rank of its highest-ranked source (lib.store.schema.SOURCE_RANK)."""
    sources = sources.combine_chunks() if isinstance(sources, pa.ChunkedArray) else sources
    ranks = np.zeros(len(sources), dtype=np.int8)
    flat = pc.list_flatten(sources)
    if len(flat):
        flat_ranks = np.zeros(len(flat), dtype=np.int8)
        for key, rank in SOURCE_RANK.items():
            flat_ranks[pc.equal(flat, key).to_numpy(zero_copy_only=False)] = rank
        np.maximum.at(ranks, pc.list_parent_indices(sources).to_numpy(), flat_ranks)
    return ranks


def _union(old: pa.Array, new: pa.Array) -> pa.Array:
    """Per row, the sources of both sides (in lib.store.schema.source_order)."""
    differ = _differs(old, new).to_numpy(zero_copy_only=False)
    if not differ.any():
        return old
    lists = old.to_pylist()
    for i, more in zip(np.flatnonzero(differ), new.filter(pa.array(differ)).to_pylist()):
        lists[i] = source_order((lists[i] or []) + (more or []))
    return pa.array(lists, SCHEMA.field("sources").type)


def _listings(old: pa.Array, new: pa.Array) -> pa.Array:
    """Per row, the daily-list days of both sides (``YYYY-MM-DD#rank``), one per day with the
    better position, ascending."""
    rows = np.flatnonzero(pc.and_(_differs(old, new), _nonempty(new)).to_numpy(zero_copy_only=False))
    if not len(rows):
        return old
    both = [old.take(pa.array(rows)), new.take(pa.array(rows))]
    flat = pa.concat_arrays([pc.list_flatten(side) for side in both])
    parent = np.concatenate([pc.list_parent_indices(side).to_numpy() for side in both])
    day = pc.utf8_slice_codeunits(flat, 0, 10).to_numpy(zero_copy_only=False).astype("U10")
    rank_text = pc.utf8_slice_codeunits(flat, 11, 30)
    rank = pc.fill_null(pc.cast(pc.if_else(pc.equal(rank_text, ""), None, rank_text), pa.int64()), 2**62)
    order = np.lexsort((rank.to_numpy(), day, parent))
    first = np.r_[True, (np.diff(parent[order]) != 0) | (day[order][1:] != day[order][:-1])]
    chosen = order[first]
    offsets = np.r_[0, np.cumsum(np.bincount(parent[chosen], minlength=len(rows)))].astype(np.int32)
    merged = pa.ListArray.from_arrays(pa.array(offsets), flat.take(pa.array(chosen)))
    index = np.arange(len(old))
    index[rows] = len(old) + np.arange(len(rows))
    return pa.concat_arrays([old, merged.cast(old.type)]).take(pa.array(index))


def _earlier(new: pa.ChunkedArray, old: pa.ChunkedArray) -> pa.Array:
    """new < old, a missing old counting as later and a missing new as never earlier."""
    return pc.fill_null(pc.or_kleene(pc.less(new, old), pc.and_(pc.is_valid(new), pc.is_null(old))), False)


def combine(old: pa.Table, new: pa.Table, overwrite: bool = False) -> pa.Table:
    """Row i of the result merges ``old[i]`` with the newer ``new[i]`` (same id)."""
    return _combine(old, new, overwrite)[0]


def _combine(old: pa.Table, new: pa.Table, overwrite: bool) -> tuple[pa.Table, dict[str, npt.NDArray[np.bool_]]]:
    """:func:`combine`, and per field the rows where the old value was kept against a shorter
    list or a lower count of the new one."""
    old_listed, new_listed = pc.fill_null(old["listed"], False), pc.fill_null(new["listed"], False)
    same_kind = pc.equal(old_listed, new_listed)
    take_date = pc.and_(
        _nonempty(new["date"]),
        pc.or_(pc.and_(new_listed, pc.invert(old_listed)), pc.and_(same_kind, _earlier(new["date"], old["date"]))),
    )
    # the first day on the daily list; on the same day, the better position
    same_day = pc.fill_null(pc.equal(new["hf_day"], old["hf_day"]), False)
    take_hf = pc.or_(
        _earlier(new["hf_day"], old["hf_day"]), pc.and_(same_day, _earlier(new["hf_rank"], old["hf_rank"]))
    )
    outranks = pa.array(overwrite | (_ranks(new["sources"]) >= _ranks(old["sources"])))
    columns, kept = [], {}
    for name in COLUMNS:
        if name in COUNTS:
            lower = pc.fill_null(pc.less(new[name], old[name]), False)
            if overwrite:
                column = pc.if_else(pc.is_valid(new[name]), new[name], old[name])
            else:
                column = pc.max_element_wise(old[name], new[name], skip_nulls=True)
                kept[name] = lower.to_numpy(zero_copy_only=False)
        elif name in ("date", "listed"):
            column = pc.if_else(take_date, new[name], old[name])
        elif name in ("hf_day", "hf_rank"):
            column = pc.if_else(take_hf, new[name], old[name])
        elif name == "sources":
            column = _union(_chunk(old[name]), _chunk(new[name]))
        elif name == "hf_listings":
            column = _listings(_chunk(old[name]), _chunk(new[name]))
        elif name == "id":
            column = old[name]
        else:
            take = pc.and_(_nonempty(new[name]), pc.or_(outranks, pc.invert(_nonempty(old[name]))))
            if name in SHRINKING and not overwrite:  # the longer list wins, in either order
                new_length, old_length = pc.list_value_length(new[name]), pc.list_value_length(old[name])
                shrinks = pc.and_(take, pc.fill_null(pc.less(new_length, old_length), False))
                kept[name] = shrinks.to_numpy(zero_copy_only=False)
                longer = pc.and_(_nonempty(new[name]), pc.fill_null(pc.greater(new_length, old_length), False))
                take = pc.or_(pc.and_(take, pc.invert(shrinks)), longer)
            column = pc.if_else(take, new[name], old[name])
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=SCHEMA), kept


def _chunk(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


SPLICE_LIMIT = 2_000
TEXT_COLUMNS = ("title", "abstract", "authors", "keywords", "categories")  # what the indexes hold


def _changed_rows(old: pa.Table, merged: pa.Table, columns: Sequence[str] = COLUMNS) -> npt.NDArray[np.bool_]:
    changed: npt.NDArray[np.bool_] = np.zeros(old.num_rows, dtype=bool)
    for name in columns:
        changed |= _differs(old[name], merged[name]).to_numpy(zero_copy_only=False)
    return changed


def replace_rows(table: pa.Table, positions: npt.NDArray[np.int64], rows: pa.Table) -> pa.Table:
    """``table`` with row ``positions[i]`` replaced by ``rows[i]``, order kept.  A few rows
    are spliced in between zero-copy slices; many are gathered with one take."""
    if rows.num_rows == 0:
        return table
    if len(positions) <= SPLICE_LIMIT:
        order = np.argsort(positions, kind="stable")
        positions, rows = positions[order], rows.take(pa.array(order))
        pieces, previous = [], 0
        for i, position in enumerate(positions):
            pieces += [table.slice(previous, int(position) - previous), rows.slice(i, 1)]
            previous = int(position) + 1
        pieces.append(table.slice(previous))
        return pa.concat_tables(pieces)
    order = np.arange(table.num_rows)
    order[positions] = table.num_rows + np.arange(rows.num_rows)
    return pa.concat_tables([table, rows]).take(order)


def _positions(ids: pa.ChunkedArray | pa.Array, value_set: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.int64]:
    """Index of each id in value_set, -1 where absent."""
    found = pc.index_in(ids, value_set=value_set)
    positions: npt.NDArray[np.int64] = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return positions


def collapse(table: pa.Table, overwrite: bool = False) -> tuple[pa.Table, int]:
    """Fold rows that share an id into the first one, in reading order."""
    ids = table["id"].to_numpy(zero_copy_only=False)
    if len(ids) == 0:
        return table, 0
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    if len(first) == len(ids):
        return table, 0
    # occurrence number of each row among rows with its id
    order = np.argsort(inverse, kind="stable")
    group_start = np.r_[0, np.flatnonzero(np.diff(inverse[order])) + 1]
    ranks = np.arange(len(ids)) - np.repeat(group_start, np.diff(np.r_[group_start, len(ids)]))
    occurrence = np.empty(len(ids), dtype=np.int64)
    occurrence[order] = ranks
    base = table.filter(pa.array(occurrence == 0))
    for k in range(1, int(occurrence.max()) + 1):
        later = table.filter(pa.array(occurrence == k))
        positions = _positions(later["id"], base["id"])
        base = replace_rows(base, positions, combine(base.take(positions), later, overwrite))
    return base, len(ids) - len(first)


# --- papers first known by title only --------------------------------------------------
def _title_keys(titles: pa.ChunkedArray | pa.Array) -> pa.Array:
    lowered = pc.utf8_lower(titles)
    # letters and digits of any script: "[^0-9a-z]" made every CJK title the same key ""
    keys = pc.utf8_trim_whitespace(pc.replace_substring_regex(lowered, r"[^\p{L}\p{N}]+", " "))
    # a title of symbols only matches itself, never every other such title
    return pc.if_else(pc.equal(keys, ""), pc.binary_join_element_wise("\x00", lowered, ""), keys)


def _is_title_id(ids: pa.ChunkedArray | pa.Array) -> pa.Array:
    return pc.fill_null(pc.starts_with(ids, "t-"), False)


def _with_ids(table: pa.Table, mask: npt.NDArray[np.bool_], new_ids: npt.NDArray[np.object_]) -> pa.Table:
    ids = table["id"].to_numpy(zero_copy_only=False).astype(object)
    ids[mask] = new_ids
    return table.set_column(0, "id", pa.array(ids, pa.string()))


def unify_title_ids(existing: pa.Table, incoming: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Give a paper known by title and by arXiv id one id (the arXiv one) on both sides."""
    if existing.num_rows == 0 or incoming.num_rows == 0:
        return existing, incoming
    inc_title_only = _is_title_id(incoming["id"]).to_numpy(zero_copy_only=False)
    old_title_only = _is_title_id(existing["id"]).to_numpy(zero_copy_only=False)
    existing_ids = existing["id"]
    if old_title_only.any() and (~inc_title_only).any():
        # existing t- rows that an incoming arXiv paper names by title: rename the old row
        keys_old = _title_keys(existing["title"].filter(pa.array(old_title_only)))
        arxiv_rows = incoming.filter(pa.array(~inc_title_only))
        found = _positions(keys_old, _title_keys(arxiv_rows["title"]))
        targets = arxiv_rows["id"].to_numpy(zero_copy_only=False)[np.maximum(found, 0)]
        rename = (found >= 0) & (_positions(pa.array(targets, pa.string()), existing_ids) < 0)
        if rename.any():
            mask = old_title_only.copy()
            mask[old_title_only] = rename
            existing = _with_ids(existing, mask, targets[rename])
    if inc_title_only.any():
        # incoming t- rows whose title an existing arXiv row has: adopt that id
        keys_new = _title_keys(incoming["title"].filter(pa.array(inc_title_only)))
        arxiv_mask = ~_is_title_id(existing["id"]).to_numpy(zero_copy_only=False)
        arxiv_existing = existing.filter(pa.array(arxiv_mask))
        found = _positions(keys_new, _title_keys(arxiv_existing["title"]))
        if (found >= 0).any():
            mask = inc_title_only.copy()
            mask[inc_title_only] = found >= 0
            ids = arxiv_existing["id"].to_numpy(zero_copy_only=False)[found[found >= 0]]
            incoming = _with_ids(incoming, mask, ids)
    return existing, incoming


def merge(existing: pa.Table, incoming: pa.Table, overwrite: bool = False) -> tuple[pa.Table, MergeCounts]:
    """The table after importing ``incoming`` into ``existing``, and what changed (``overwrite``:
    the values read replace the stored ones even where they are shorter or lower, see the rules)."""
    incoming, duplicates = collapse(incoming, overwrite)
    # a title-only row and its arXiv twin read in the same import (a pasted page and
    # an API file imported together) become one row too, as they would one by one
    _, incoming = unify_title_ids(incoming, incoming)
    original = existing
    existing, incoming = unify_title_ids(existing, incoming)
    incoming, more = collapse(incoming, overwrite)  # two title-only rows may have met one arXiv id
    positions = _positions(incoming["id"], existing["id"])
    known = positions >= 0
    new_rows = incoming.filter(pa.array(~known))
    old_ids = positions[known]
    before = take_table(existing, old_ids)  # chunk by chunk: a million-row table is never joined
    after = incoming.filter(pa.array(known))
    merged, kept = _combine(before, after, overwrite)
    changed = _changed_rows(before, merged)
    if existing is not original:  # a title-only row renamed to its arXiv id changed, if nothing else did
        changed |= _differs(take_table(original, old_ids, ["id"])["id"], before["id"]).to_numpy(zero_copy_only=False)
    text_changed = _changed_rows(before, merged, TEXT_COLUMNS)
    result = replace_rows(existing, old_ids[changed], merged.filter(pa.array(changed)))
    if new_rows.num_rows:
        result = pa.concat_tables([result, new_rows])
    changed_fields, changes = _field_changes(before, merged, changed)
    kept_count, kept_sample = _kept(before, after, kept)
    counts = MergeCounts(
        added=new_rows.num_rows,
        updated=int(changed.sum()),
        unchanged=int((~changed).sum()),
        duplicates=duplicates + more,
        text_changed=int(text_changed.sum()),
        text_changed_rows=tuple(int(r) for r in old_ids[text_changed]),
        updated_rows=tuple(int(r) for r in old_ids[changed]),
        changed_fields=changed_fields,
        changes=changes,
        kept_count=kept_count,
        kept=kept_sample,
    )
    return result, counts


def _field_changes(
    before: pa.Table, merged: pa.Table, changed: npt.NDArray[np.bool_]
) -> tuple[dict[str, int], tuple[FieldChange, ...]]:
    """Rows changed per field, and the first :data:`MAX_CHANGES` changes (old -> new) in row order."""
    rows = np.flatnonzero(changed)
    if not len(rows):
        return {}, ()
    before, merged = take_table(before, rows), take_table(merged, rows)
    differs = {name: _differs(before[name], merged[name]).to_numpy(zero_copy_only=False) for name in COLUMNS}
    per_field = {name: int(mask.sum()) for name, mask in differs.items() if mask.any()}
    changes: list[FieldChange] = []
    for i in range(len(rows)):
        if len(changes) >= MAX_CHANGES:
            break
        for name in per_field:
            if differs[name][i]:
                old, new = before[name][i].as_py(), merged[name][i].as_py()
                changes.append(FieldChange(merged["id"][i].as_py(), name, old, new))
    return per_field, tuple(changes[:MAX_CHANGES])


def _kept(
    before: pa.Table, after: pa.Table, kept: dict[str, npt.NDArray[np.bool_]]
) -> tuple[int, tuple[FieldChange, ...]]:
    """How many fields were kept against a shorter list or a lower count, and the first :data:`MAX_CHANGES`."""
    total = sum(int(mask.sum()) for mask in kept.values())
    found: list[FieldChange] = []
    for i in np.flatnonzero(np.logical_or.reduce(list(kept.values()))) if total else ():
        for name, mask in kept.items():
            if mask[i] and len(found) < MAX_CHANGES:
                row = int(i)
                found.append(
                    FieldChange(
                        before["id"][row].as_py(), name, before[name][row].as_py(), after[name][row].as_py(), kept=True
                    )
                )
    return total, tuple(found)
