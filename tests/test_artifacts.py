"""lib.artifacts and lib.periods on a real store: saved strings, artifacts of another format
rebuilt (never read), segments only on a chain of this format, and one day-range filter
that search, trends and saved views share."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from conftest import write_jsonl

from lib import artifacts
from lib.dataset import load
from lib.periods import NO_DAY, Periods, day_at, day_number, in_days, paper_days, rows_in_days
from lib.search import index as search_index
from lib.search.search import Filters, search
from lib.store.importer import import_files
from lib.store.schema import to_frame
from lib.store.store import Store, input_files
from lib.topics import topics
from lib.trends import terms, trends

KINDS = [
    (search_index, search_index.SearchIndex, search_index.SegmentedIndex),
    (terms, terms.TermIndex, terms.SegmentedTermIndex),
]


def paper(i: int, day: str) -> dict:
    words = ["heron", "kestrel", "finch", "lattice", "quasar", "tokenizer"]
    return {
        "id": f"2502.{i:05d}",
        "title": f"Paper {i} on {words[i % 6]} and {words[(i + 1) % 6]}",
        "abstract": f"We study {words[i % 6]} {words[(i + 2) % 6]} with care.",
        "authors": [f"Author {i % 5}"],
        "date": day,
        "upvotes": i % 7,
    }


def do_import(store: Store, tmp_path, name: str, records: list[dict]):
    return import_files(store, input_files([str(write_jsonl(tmp_path / name, records))], (".jsonl",)))


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "data")
    do_import(store, tmp_path, "base.jsonl", [paper(i, f"2025-04-{1 + i % 20:02d}") for i in range(40)])
    return store


def saved_format(store: Store, name: str, version: str) -> int:
    return int(store.load_arrays(name, version)["format"][0])


# --- strings ------------------------------------------------------------------------------------
@pytest.mark.parametrize("strings", [[], [""], ["", ""], ["a", "", "b"], ["agent", "été", "多语言", "a b"]])
def test_packed_strings_read_back_as_they_were(strings, tmp_path):
    packed = artifacts.pack(strings)
    assert packed.dtype == np.uint8 and artifacts.unpack(packed) == strings
    store = Store(tmp_path / "data")  # and through the disk, memory-mapped
    store.save_arrays("strings", "1-abc", {"strings": packed})
    assert artifacts.unpack(store.load_arrays("strings", "1-abc")["strings"]) == strings


# --- formats ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("module", "whole", "segmented"), KINDS)
def test_an_index_saved_in_another_format_is_rebuilt_and_saved_in_this_one(store, module, whole, segmented):
    ds = load(store)
    built = module.load_or_build(store, ds)
    arrays = dict(store.load_arrays(module.ARTIFACT, ds.version))
    assert int(arrays["format"][0]) == module.FORMAT_VERSION
    store.save_arrays(
        module.ARTIFACT, ds.version, {**arrays, "format": np.array([module.FORMAT_VERSION - 1, artifacts.LAYOUT])}
    )
    assert module.INDEXES.file.load(store, ds.version) is None  # never read
    rebuilt = module.load_or_build(store, ds)
    assert isinstance(rebuilt, whole) and rebuilt.n_docs == built.n_docs == ds.table.num_rows
    assert saved_format(store, module.ARTIFACT, ds.version) == module.FORMAT_VERSION


@pytest.mark.parametrize(("module", "whole", "segmented"), KINDS)
def test_a_daily_import_extends_an_index_of_this_format_only(store, tmp_path, module, whole, segmented):
    ds = load(store)
    module.load_or_build(store, ds)
    do_import(store, tmp_path, "day2.jsonl", [paper(i, "2025-04-25") for i in range(40, 45)])
    ds2 = load(store)
    assert store.load_arrays(module.ARTIFACT, ds2.version) is not None  # the import made a segment
    extended = module.load_or_build(store, ds2)
    assert isinstance(extended, segmented) and len(extended.parts) == 2 and extended.n_docs == 45

    # the base of the chain in another format: the segment on it is not read, the index is built whole
    base = dict(store.load_arrays(module.ARTIFACT, ds.version))
    store.save_arrays(
        module.ARTIFACT, ds.version, {**base, "format": np.array([module.FORMAT_VERSION - 1, artifacts.LAYOUT])}
    )
    rebuilt = module.load_or_build(store, ds2)
    assert isinstance(rebuilt, whole) and rebuilt.n_docs == 45
    assert sorted(p.name for p in store.artifacts_dir.glob(f"{module.ARTIFACT}-*")) == [
        f"{module.ARTIFACT}-{ds2.version}"
    ]

    # a previous version's index in another format is not extended by the next import
    whole_arrays = dict(store.load_arrays(module.ARTIFACT, ds2.version))
    store.save_arrays(
        module.ARTIFACT,
        ds2.version,
        {**whole_arrays, "format": np.array([module.FORMAT_VERSION - 1, artifacts.LAYOUT])},
    )
    do_import(store, tmp_path, "day3.jsonl", [paper(i, "2025-04-26") for i in range(45, 47)])
    ds3 = load(store)
    assert store.load_arrays(module.ARTIFACT, ds3.version) is None
    assert isinstance(module.load_or_build(store, ds3), whole)


def test_a_topic_model_of_another_format_is_not_carried_over_by_an_import(store, tmp_path):
    ds = load(store)
    index = terms.load_or_build(store, ds)
    topics.load_or_fit(store, ds, index, 3)
    file = topics.model_file(3)
    saved = dict(file.load(store, ds.version))
    store.save_arrays(
        file.name, ds.version, {**saved, "format": np.array([topics.FORMAT_VERSION - 1, artifacts.LAYOUT])}
    )
    assert not topics.is_saved(store, ds, 3)
    do_import(store, tmp_path, "day2.jsonl", [paper(i, "2025-04-25") for i in range(40, 45)])
    ds2 = load(store)
    assert not topics.is_saved(store, ds2, 3) and store.load_arrays(file.name, ds2.version) is None
    model = topics.load_or_fit(store, ds2, terms.load_or_build(store, ds2), 3)  # fitted on every paper
    assert model.fitted_docs_ == 45 and model.placed_docs == 0
    assert saved_format(store, file.name, ds2.version) == topics.FORMAT_VERSION


def test_a_model_carried_over_places_the_new_papers_as_a_whole_index_would(store, tmp_path):
    """The papers an import adds are placed from their own small index (every n-gram kept):
    the same presence, vectors and nearest centres as the table's whole term index gives."""
    ds = load(store)
    model = topics.load_or_fit(store, ds, terms.load_or_build(store, ds), 3)
    new = [paper(i, "2025-04-25") for i in range(40, 46)]
    do_import(store, tmp_path, "day2.jsonl", new)
    ds2 = load(store)
    carried = topics.load_or_fit(store, ds2, terms.load_or_build(store, ds2), 3)
    assert carried.placed_docs == 6 and carried.labels_ == model.labels_
    np.testing.assert_array_equal(carried.dominant_[:40], model.dominant_)
    whole = terms.TermIndex.build(ds2.table, min_ngram_papers=1)
    presence = topics.presence_in(whole, model.terms_)[40:]
    expected, weight = topics._placed(presence, model.term_weight_, model.components_, model.centres_)
    assert (expected >= 0).all()
    np.testing.assert_array_equal(carried.dominant_[40:], expected)
    np.testing.assert_allclose(carried.weight_[40:], weight, rtol=1e-5)


# --- one day, one day-range filter ------------------------------------------------------------------
def test_a_papers_day_counts_days_since_1970_and_none_without_a_date():
    dates = pa.chunked_array([pa.array([0, 86_399, 86_400, -1, None], pa.timestamp("s"))])
    assert paper_days(dates).tolist() == [0, 0, 1, -1, NO_DAY]
    assert paper_days(pa.chunked_array([], pa.timestamp("s"))).tolist() == []
    assert day_number(dt.date(2025, 4, 1)) == 20179 and day_at(20179) == dt.date(2025, 4, 1)
    days = np.array([20178, 20179, 20180, 20181, NO_DAY])
    assert in_days(days, None, None) is None
    assert in_days(days, dt.date(2025, 4, 1), None).tolist() == [False, True, True, True, False]
    assert in_days(days, None, dt.date(2025, 4, 2)).tolist() == [True, True, True, False, True]
    assert in_days(days, dt.date(2025, 4, 1), dt.date(2025, 4, 1)).tolist() == [False, True, False, False, False]
    rows = np.array([4, 2, 0])
    assert rows_in_days(rows, days, dt.date(2025, 4, 1), dt.date(2025, 4, 3)).tolist() == [2]
    assert rows_in_days(rows, days, None, None) is rows


def test_search_trends_topics_and_views_count_the_same_days(store):
    """The same two days give the same papers in a search's filter, a trend's drill-down, a
    topic chart's range, and a saved view's range (lib.periods.in_days for all)."""
    ds = load(store)
    first, last = dt.date(2025, 4, 3), dt.date(2025, 4, 5)
    expected = sorted(i for i, d in enumerate(to_frame(ds.table)["date"]) if first <= d.date() <= last)
    assert 0 < len(expected) < ds.table.num_rows
    found = search(search_index.load_or_build(store, ds), ds.search_columns, "", Filters(first, last)).rows
    assert sorted(found.tolist()) == expected
    periods = Periods.of(to_frame(ds.table)["date"], "day")
    assert np.flatnonzero(periods.between(first, last)).tolist() == expected
    assert periods.between(None, None) is periods.member is None
    index = terms.load_or_build(store, ds)
    keys, _ = trends.parse_terms("paper", index)
    assert trends.papers_behind(index, ds.table, periods, keys[0], first, last).tolist() == expected
    every = np.arange(ds.table.num_rows, dtype=np.int64)
    assert rows_in_days(every, ds.search_columns.days, first, last).tolist() == expected
    member = np.zeros(ds.table.num_rows, dtype=bool)
    member[::2] = True
    one_source = Periods.of(to_frame(ds.table)["date"], "day", member)
    assert np.flatnonzero(one_source.between(first, last)).tolist() == [r for r in expected if r % 2 == 0]
    assert one_source.between(None, None) is member
