"""A paper on the Hugging Face daily list of two days is on both days' lists (issue 25, point 3):
``hf_listings`` keeps every day (and position), the Daily Papers view of a day shows every paper of
its list, and trends still count each paper once, on its first day."""

from __future__ import annotations

import copy
import datetime as dt
import gzip
import io
import json

import pyarrow as pa
import pytest
from conftest import ROOT, SHARED

from lib.cli import main
from lib.library import Library
from lib.store.importer import import_files
from lib.store.merge import merge
from lib.store.schema import SCHEMA, conform
from lib.store.store import Store, input_files
from lib.urlstate import HOME

DAY_ONE, DAY_TWO = dt.date(2025, 9, 8), dt.date(2025, 9, 9)


def hf_days(tmp_path) -> list[str]:
    """Two real-shaped API responses: the fixture's day (papers A, B), and the next day's list
    (a new paper C first, then A again, second)."""
    items = json.loads((ROOT / "tests/fixtures/hf_api/2025-09-08.json").read_text())
    again = copy.deepcopy(items[0])
    new = copy.deepcopy(items[1])
    new["paper"]["id"] = "2509.05599"
    new["paper"]["title"] = new["title"] = "A Paper Only on the Second Day"
    paths = []
    for day, listed in ((DAY_ONE, items), (DAY_TWO, [new, again])):
        path = tmp_path / f"{day.isoformat()}.json"
        path.write_text(json.dumps(listed))
        paths.append(str(path))
    return paths


def home(**values) -> dict:
    return {**HOME.decode({})[0], **values}


@pytest.mark.parametrize("order", [1, -1])
def test_a_paper_listed_on_two_days_is_on_both_lists_and_counted_once(empty_store, tmp_path, order):
    paths = hf_days(tmp_path)[::order]
    for path in paths:  # one import per day, in either order
        import_files(Store(empty_store), input_files([path], (".json",)))
    table = Store(empty_store).read_table()
    a, b = (json.loads((ROOT / "tests/fixtures/hf_api/2025-09-08.json").read_text())[i]["paper"]["id"] for i in (0, 1))
    row = next(r for r in table.to_pylist() if r["id"] == a)
    assert row["hf_listings"] == ["2025-09-08#1", "2025-09-09#2"]
    assert (row["hf_day"].date(), row["hf_rank"], row["date"].date()) == (DAY_ONE, 1, DAY_ONE)
    library = Library.open(Store(empty_store))
    for day, expected in ((DAY_ONE, [a, b]), (DAY_TWO, ["2509.05599", a])):
        answer = library.daily(home(date=day, sort="listed"))
        assert answer.shown == "hf"
        assert list(answer.papers["id"]) == expected, day  # every paper of the day's list, in its order
        assert len(library.daily(home(date=day)).papers) == 2  # most upvoted first: the same papers
    periods = library.dataset.periods("day", "hf")  # trends count each paper once, on its first day
    assert dict(zip(periods.index.astype(str), periods.totals)) == {"2025-09-08": 2, "2025-09-09": 1}


def test_both_days_in_one_import_and_again_change_nothing(empty_store, tmp_path):
    paths = hf_days(tmp_path)
    report = import_files(Store(empty_store), input_files(paths, (".json",)))
    assert (report.counts.added, report.counts.duplicates) == (3, 1)
    again = import_files(Store(empty_store), input_files(paths, (".json",)))
    assert again.version is None and again.counts.unchanged == 3
    listings = {r["id"]: r["hf_listings"] for r in Store(empty_store).read_table().to_pylist()}
    assert sorted(listings.values()) == [["2025-09-08#1", "2025-09-09#2"], ["2025-09-08#2"], ["2025-09-09#1"]]


def test_a_store_written_before_listings_were_kept_reads_its_first_day(tmp_path):
    old = pa.table(
        {
            **{f.name: pa.nulls(2, f.type) for f in SCHEMA if f.name != "hf_listings"},
            "hf_day": pa.array([dt.datetime(2025, 9, 8), None], pa.timestamp("s")),
            "hf_rank": pa.array([4, None], pa.int64()),
        }
    )
    assert conform(old)["hf_listings"].to_pylist() == [["2025-09-08#4"], []]


def test_the_better_position_of_one_day_is_kept():
    def one(listings):
        table = conform(
            pa.table(
                {
                    **{f.name: pa.nulls(1, f.type) for f in SCHEMA},
                    "id": ["2509.00001"],
                    "sources": [["hf"]],
                    "hf_listings": [listings],
                }
            )
        )
        return table

    merged, _ = merge(one(["2025-09-08#7", "2025-09-10#3"]), one(["2025-09-08#2", "2025-09-09"]))
    assert merged["hf_listings"].to_pylist() == [["2025-09-08#2", "2025-09-09", "2025-09-10#3"]]


DEMO = SHARED / "data/demo/hf_daily_papers"


@pytest.mark.skipif(not DEMO.exists(), reason="needs ../shared/data/demo")
def test_real_days_with_a_paper_listed_again_show_every_paper_of_their_files(empty_store, tmp_path):
    """Four real days; the fourth lists again a paper of the first (as the held-out days do):
    each day's list shows as many papers as its file."""
    files = sorted(DEMO.glob("*.json.gz"))[40:44]
    days = [json.loads(gzip.decompress(f.read_bytes())) for f in files]
    days[3].append(copy.deepcopy(days[0][0]))
    paths = []
    for f, items in zip(files, days):
        path = tmp_path / f.name.removesuffix(".gz")
        path.write_text(json.dumps(items))
        paths.append(str(path))
    import_files(Store(empty_store), input_files(paths, (".json",)))
    library = Library.open(Store(empty_store))
    for f, items in zip(files, days):
        answer = library.daily(home(date=dt.date.fromisoformat(f.name[:10]), sort="listed"))
        assert list(answer.papers["id"]) == [item["paper"]["id"] for item in items], f.name


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_every_listing_day_survives_an_export_and_import(empty_store, tmp_path, fmt):
    import_files(Store(empty_store), input_files(hf_days(tmp_path), (".json",)))
    target = tmp_path / f"papers.{fmt}"
    assert main(["export", "--format", fmt, "--out", str(target)], io.StringIO(), io.StringIO()) == 0
    fresh = tmp_path / "fresh"
    import_files(Store(fresh), input_files([str(target)], (f".{fmt}",)))

    def listings(data):
        return {r["id"]: (r["hf_listings"], r["hf_day"], r["hf_rank"]) for r in Store(data).read_table().to_pylist()}

    assert listings(fresh) == listings(empty_store)
    assert ["2025-09-08#1", "2025-09-09#2"] in [v[0] for v in listings(fresh).values()]
