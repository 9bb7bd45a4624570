"""Trending (lib.team.trending): upvotes gained per day from the upvote snapshots, checked against
velocities and sparklines worked out by hand on small histories; the most upvoted of a window; the
CLI on a real store and team database; the sparkline SVG (lib.charts.sparkline_svg)."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import write_jsonl

from lib.charts import sparkline_svg
from lib.cli import main
from lib.dataset import Dataset
from lib.store.importer import import_files
from lib.store.schema import make_record, records_to_table
from lib.store.store import Store, input_files
from lib.team import trending as trending_module
from lib.team.trending import COLUMNS, TrendingError, history_since, trending, window_end

END = dt.date(2025, 9, 20)  # the window of 7 days: 2025-09-14 .. 2025-09-20
SVG = "{http://www.w3.org/2000/svg}"


def d(day: int) -> dt.date:
    """2025-09-DD."""
    return dt.date(2025, 9, day)


# --- a small history, worked out by hand ---------------------------------------------------------
# id: (listing day, table upvotes (None: an arXiv-only paper), [(snapshot day, upvotes), ...])
PAPERS = {
    # A: listed within the window -> baseline 0 on its listing day (09-16); 35 at the end:
    #    35 / (20 - 16) = 8.75 a day
    "2509.00001": (16, 35, [(16, 5), (18, 20), (20, 35)]),
    # B: listed before the window -> baseline: its last snapshot on or before 09-14 (09-13: 110);
    #    150 at the end: 40 / (20 - 13) = 5.714 a day
    "2509.00002": (1, 150, [(10, 100), (13, 110), (17, 130), (19, 150)]),
    # C: listed before the window, first seen within it (09-15: 50) -> baseline 50 on 09-15:
    #    30 / 5 = 6.0 a day (ties with D: more gained first)
    "2509.00003": (5, 80, [(15, 50), (20, 80)]),
    # D: no snapshot at all -> its table upvotes at the end, 0 on its listing day: 12 / 2 = 6.0
    "2509.00004": (18, 12, []),
    # E: listed before the window, no snapshot: not considered (500 upvotes or not)
    "2509.00005": (1, 500, []),
    # F: arXiv only (no upvotes), listed within the window: not considered
    "2509.00006": (17, None, []),
    # G: listed on the last day, seen that day: 9 / max(1, 0) = 9.0 a day
    "2509.00007": (20, 9, [(20, 9)]),
    # H: last seen before the window, nothing in it: not considered
    "2509.00008": (2, 60, [(3, 10), (12, 60)]),
    # I: a snapshot after the end is ignored: 3 at the end, 3 / 5 = 0.6 a day (the table says 99)
    "2509.00009": (15, 99, [(15, 3), (22, 99)]),
    # J: arXiv only, listed after every other paper: not the end of any window
    "2509.00010": (25, None, []),
}
EXPECTED_7D = [  # id, upvotes, gained, velocity, spark (09-14 .. 09-20)
    ("2509.00007", 9, 9, 9.0, [0, 0, 0, 0, 0, 0, 9]),
    ("2509.00001", 35, 35, 8.75, [0, 0, 5, 12, 20, 28, 35]),  # a straight line between observations
    ("2509.00003", 80, 30, 6.0, [50, 50, 56, 62, 68, 74, 80]),  # flat at its first observation before it
    ("2509.00004", 12, 12, 6.0, [0, 0, 0, 0, 0, 6, 12]),  # 0 on its listing day, the table's upvotes at the end
    ("2509.00002", 150, 40, 40 / 7, [115, 120, 125, 130, 140, 150, 150]),  # flat after its last observation
    ("2509.00009", 3, 3, 0.6, [0, 3, 3, 3, 3, 3, 3]),
]


def raw(paper_id: str, day: int, upvotes: int | None) -> dict:
    return {
        "id": paper_id,
        "title": f"Paper {paper_id[-2:]}",
        "abstract": "An abstract.",
        "date": d(day).isoformat(),
        "upvotes": upvotes,
        "listed": True,
    }


def dataset(papers=PAPERS) -> Dataset:
    records = [
        make_record({**raw(pid, day, up), "date": d(day)}, sources=["hf"] if up is not None else ["arxiv"], today=d(30))
        for pid, (day, up, _) in papers.items()
    ]
    return Dataset(records_to_table(records), "test", False, "/nowhere")


def history(papers=PAPERS) -> pd.DataFrame:
    rows = [(pid, d(day), up) for pid, (_, _, snaps) in papers.items() for day, up in snaps]
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "day": pd.to_datetime([r[1] for r in rows]).astype("datetime64[ns]"),
            "upvotes": np.array([r[2] for r in rows], dtype=np.int64),
        }
    )


def table(frame: pd.DataFrame) -> list[tuple]:
    return [
        (r.id, r.upvotes, r.gained, pytest.approx(r.velocity), list(r.spark)) for r in frame.itertuples(index=False)
    ]


# --- velocity ----------------------------------------------------------------------------------------
def test_velocity_by_hand_over_a_week():
    found = trending(dataset(), history(), 7, end=END)
    assert list(found.columns) == COLUMNS
    assert table(found) == [(i, u, g, pytest.approx(v), s) for i, u, g, v, s in EXPECTED_7D]
    assert list(found["rank"]) == [1, 2, 3, 4, 5, 6]
    ds = dataset()
    assert [ds.row_of(i) for i in found["id"]] == list(found["row"])
    assert found.loc[0, "title"] == "Paper 07"


def test_each_spark_has_a_value_per_day_and_ends_at_the_upvotes():
    found = trending(dataset(), history(), 30, end=END)
    assert all(len(s) == 30 for s in found["spark"])
    assert [s[-1] for s in found["spark"]] == list(found["upvotes"])
    spark = dict(zip(found["id"], found["spark"]))
    # H, listed 09-02 (before the window 08-22..09-20): 0 before listing, then from its first
    # snapshot (10 on 09-03) straight to its second (60 on 09-12), flat after it
    assert spark["2509.00008"] == [0] * 12 + [10, 16, 21, 27, 32, 38, 43, 49, 54, 60] + [60] * 8


def test_a_snapshot_on_the_window_start_is_the_baseline():
    papers = {"2509.00002": (1, 150, [(10, 100), (14, 120), (20, 150)])}
    found = trending(dataset(papers), history(papers), 7, end=END)
    assert table(found) == [("2509.00002", 150, 30, pytest.approx(5.0), [120, 125, 130, 135, 140, 145, 150])]


def test_without_any_history_recent_papers_rank_by_upvotes_per_day_since_listing():
    found = trending(dataset(), None, 7, end=END)
    # A 35 / 4, D 12 / 2, G 9 / 1, I 99 / 5 (the table's upvotes, as observed at the end)
    assert table(found) == [
        # no history: an even rise from 0 on the listing day to the table's upvotes at the end
        ("2509.00009", 99, 99, pytest.approx(19.8), [0, 0, 20, 40, 59, 79, 99]),
        ("2509.00007", 9, 9, pytest.approx(9.0), [0, 0, 0, 0, 0, 0, 9]),
        ("2509.00001", 35, 35, pytest.approx(8.75), [0, 0, 0, 9, 18, 26, 35]),
        ("2509.00004", 12, 12, pytest.approx(6.0), [0, 0, 0, 0, 0, 6, 12]),
    ]
    assert table(trending(dataset(), history().iloc[0:0], 7, end=END)) == table(found)


def test_snapshots_of_papers_the_table_lacks_are_skipped():
    extra = pd.concat(
        [history(), pd.DataFrame({"id": ["9999.99999"], "day": [pd.Timestamp("2025-09-18")], "upvotes": [1000]})],
        ignore_index=True,
    )
    assert table(trending(dataset(), extra, 7, end=END)) == table(trending(dataset(), history(), 7, end=END))


def test_the_order_of_the_history_does_not_matter():
    shuffled = history().sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert table(trending(dataset(), shuffled, 7, end=END)) == table(trending(dataset(), history(), 7, end=END))


# --- most upvoted ------------------------------------------------------------------------------------
def test_most_upvoted_papers_listed_in_the_window():
    week = trending(dataset(), history(), 7, by="upvotes", end=END)
    assert [(r.id, r.upvotes) for r in week.itertuples()] == [
        ("2509.00001", 35),
        ("2509.00004", 12),
        ("2509.00007", 9),
        ("2509.00009", 3),  # its upvotes at the end, not the later snapshot's
    ]
    month = trending(dataset(), history(), 30, by="upvotes", end=END)
    assert [(r.id, r.upvotes) for r in month.itertuples()] == [
        ("2509.00005", 500),
        ("2509.00002", 150),
        ("2509.00003", 80),
        ("2509.00008", 60),
        ("2509.00001", 35),
        ("2509.00004", 12),
        ("2509.00007", 9),
        ("2509.00009", 3),
    ]
    assert month.set_index("id").loc["2509.00002", "gained"] == 150  # listed in the window: from 0


# --- limit, end, arguments -----------------------------------------------------------------------------
def test_limit_keeps_the_first_papers():
    found = trending(dataset(), history(), 7, end=END, limit=2)
    assert list(found["id"]) == ["2509.00007", "2509.00001"] and list(found["rank"]) == [1, 2]


def test_an_earlier_end_moves_the_window():
    found = trending(dataset(), history(), 3, end=d(17))  # 09-15 .. 09-17
    # B: 130 - 110 (09-13) over 4 days, A: 5 on 09-16 from 0 on 09-16, 5 / 1 (a tie: more gained
    # first); I: 3 / 2; C: 50 - 50 (its first snapshot is on the window's start)
    assert table(found) == [
        ("2509.00002", 130, 20, pytest.approx(5.0), [120, 125, 130]),
        ("2509.00001", 5, 5, pytest.approx(5.0), [0, 5, 5]),
        ("2509.00009", 3, 3, pytest.approx(1.5), [3, 3, 3]),
        ("2509.00003", 50, 0, pytest.approx(0.0), [50, 50, 50]),
    ]


def test_the_default_end_is_the_newest_upvote_information():
    ds = dataset()
    assert window_end(ds, history()) == d(22)  # I's snapshot after its listing
    assert window_end(ds, None) == d(20)  # G's listing day; J (arXiv only, 09-25) has no upvotes
    older = history()[history()["day"] <= pd.Timestamp("2025-09-18")]
    assert window_end(ds, older) == d(20)  # the table lists papers after the last fetch
    assert window_end(ds, history(), d(10)) == d(10)
    # the default end is the one trending uses
    assert table(trending(ds, history(), 7)) == table(trending(ds, history(), 7, end=d(22)))
    no_upvotes = {"2509.00006": PAPERS["2509.00006"]}
    assert window_end(dataset(no_upvotes), None) is None
    empty = trending(dataset(no_upvotes), None, 7)
    assert list(empty.columns) == COLUMNS and empty.empty


def test_history_since_reaches_the_baselines_before_the_window():
    ds = dataset()
    since = history_since(ds, 7)
    assert since == d(20) - dt.timedelta(days=6 + trending_module.LOOKBACK_DAYS)
    assert history_since(ds, 7, d(10)) == d(10) - dt.timedelta(days=6 + trending_module.LOOKBACK_DAYS)
    loaded = history()[history()["day"] >= pd.Timestamp(since)]
    assert table(trending(ds, loaded, 7, end=END)) == table(trending(ds, history(), 7, end=END))


@pytest.mark.parametrize(
    "options, message",
    [
        ({"window_days": 0}, "a window of 0 days"),
        ({"window_days": 4000}, "a window of 4000 days"),
        ({"by": "hype"}, "rank by 'hype'"),
        ({"limit": 0}, "a limit of 0"),
    ],
)
def test_bad_arguments_are_clear_errors(options, message):
    arguments = {"window_days": 7, **options}
    with pytest.raises(TrendingError, match=message):
        trending(dataset(), history(), **arguments)


def test_a_million_papers_rank_in_well_under_a_second():
    n, rng = 1_000_000, np.random.default_rng(1)
    ids = np.char.add("p", np.arange(n).astype(str)).astype(object)
    days = np.datetime64("2020-01-01") + np.sort(rng.integers(0, 2000, n)).astype("timedelta64[D]")
    big = pa.table(
        {
            "id": pa.array(ids, pa.string()),
            "title": pa.array(ids, pa.string()),
            "date": pa.array(days.astype("datetime64[s]")),
            "hf_day": pa.array(days.astype("datetime64[s]")),
            "upvotes": pa.array(rng.integers(0, 300, n)),
        }
    )
    recent = np.flatnonzero(days >= days[-1] - np.timedelta64(45, "D"))  # 14 snapshots each
    rows, k = np.repeat(recent, 14), np.tile(np.arange(14), len(recent))
    snaps = pd.DataFrame(
        {"id": ids[rows], "day": (days[rows] + k.astype("timedelta64[D]")).astype("datetime64[ns]"), "upvotes": k * 3}
    )
    ds = Dataset(big, "big", False, "/nowhere")
    trending(ds, snaps, 30)  # warm
    started = time.perf_counter()
    found = trending(ds, snaps, 30)
    assert time.perf_counter() - started < 1.5
    assert len(found) == 50 and found["velocity"].is_monotonic_decreasing


# --- the CLI, on a real store and team database -------------------------------------------------------
@pytest.fixture
def store_with_history(tmp_path, empty_store, monkeypatch):
    from lib.team import db

    monkeypatch.delenv("PAPERS_DB_URL", raising=False)
    monkeypatch.delenv("PAPERS_READONLY", raising=False)
    records = [raw(pid, day, up) for pid, (day, up, _) in PAPERS.items()]
    import_files(Store(empty_store), input_files([str(write_jsonl(tmp_path / "papers.jsonl", records))], (".jsonl",)))
    team = db.TeamDB.open(empty_store)
    for day in sorted({day for _, _, snaps in PAPERS.values() for day, _ in snaps}):
        team.record_upvotes([(pid, up) for pid, (_, _, s) in PAPERS.items() for dd, up in s if dd == day], d(day))
    yield empty_store
    db.close_all()


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_json_rows(store_with_history):
    code, out, err = run("trending", "--to", "2025-09-20", "--json", "--data", str(store_with_history))
    assert code == 0, err
    rows = json.loads(out)
    assert [set(r) for r in rows] == [{"rank", "id", "title", "upvotes", "gained", "velocity", "spark"}] * 6
    assert [(r["rank"], r["id"], r["upvotes"], r["gained"], r["velocity"], r["spark"]) for r in rows] == [
        (n, i, u, g, round(v, 3), s) for n, (i, u, g, v, s) in enumerate(EXPECTED_7D, start=1)
    ]


def test_cli_most_upvoted_of_the_month_as_a_table(store_with_history):
    code, out, err = run(
        "trending", "--window", "30d", "--by", "upvotes", "--limit", "2", "--to", "2025-09-20",
        "--data", str(store_with_history),
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:4] == ["1.", "26.3/day", "+500", "500"] and lines[0].endswith("2509.00005   Paper 05")
    assert lines[1].startswith("  2.") and "2509.00002" in lines[1]
    assert err == "most upvoted papers listed, 2025-08-22 to 2025-09-20 (snapshots of 6 papers)\n"


def test_cli_default_end_and_no_history(store_with_history, tmp_path):
    code, out, _ = run("trending", "--json", "--limit", "1", "--data", str(store_with_history))
    # the window 09-16 .. 09-22: I gained 99 - 3 (09-15) in 7 days
    assert code == 0 and json.loads(out)[0]["id"] == "2509.00009" and json.loads(out)[0]["gained"] == 96
    other = tmp_path / "fresh"  # the bundled demo: no history, no database file made
    code, out, err = run("trending", "--limit", "3", "--data", str(other))
    assert code == 0 and len(out.splitlines()) == 3 and "no upvote history yet" in err
    assert not (other / "team.sqlite3").exists()


@pytest.mark.parametrize(
    "argv, message",
    [(["--window", "9d"], "invalid choice: '9d'"), (["--limit", "0"], "--limit must be at least 1")],
)
def test_cli_bad_options_are_one_line(store_with_history, capsys, argv, message):
    try:
        code, _, err = run("trending", *argv, "--data", str(store_with_history))
    except SystemExit as exited:
        code, err = exited.code, capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


# --- the sparkline ----------------------------------------------------------------------------------------
def points(svg: str) -> list[tuple[float, float]]:
    root = ET.fromstring(svg)
    (line,) = root.findall(f"{SVG}polyline")
    text = line.get("points") or ""
    return [tuple(map(float, p.split(","))) for p in text.split()]


def test_sparkline_is_one_polyline_with_a_point_per_value_and_a_dot_at_the_end():
    svg = sparkline_svg([0, 5, 5, 20, 35], width=120, height=28)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("width") == "120" and root.get("viewBox") == "0 0 120 28"
    line = points(svg)
    assert len(line) == 5
    xs, ys = [x for x, _ in line], [y for _, y in line]
    assert xs == sorted(xs) and xs[0] >= 0 and xs[-1] <= 120
    assert ys[0] == max(ys) and ys[-1] == min(ys) and ys[1] == ys[2]  # 0 at the bottom, 35 at the top
    assert all(0 <= y <= 28 for y in ys)
    (dot,) = root.findall(f"{SVG}circle")
    assert (float(dot.get("cx")), float(dot.get("cy"))) == line[-1]


def test_sparkline_of_a_flat_an_empty_and_a_one_value_series():
    flat = points(sparkline_svg([7, 7, 7]))
    assert len(flat) == 3 and len({y for _, y in flat}) == 1
    zeros = points(sparkline_svg([0, 0]))
    assert zeros[0][1] > flat[0][1]  # zeros lie along the bottom, a flat 7 at the top
    empty = sparkline_svg([])
    assert points(empty) == [] and ET.fromstring(empty).findall(f"{SVG}circle") == []
    assert len(points(sparkline_svg([3]))) == 1
    assert len(points(sparkline_svg([1, float("nan"), float("inf"), 2]))) == 4


def test_sparkline_holds_numbers_only():
    svg = sparkline_svg(np.array([1, 2, 3], dtype=np.int64), width=60, height=20)
    root = ET.fromstring(svg)
    assert "".join(root.itertext()) == ""  # no text nodes at all
    assert {el.tag.removeprefix(SVG) for el in root.iter()} == {"svg", "polyline", "circle"}
    with pytest.raises((TypeError, ValueError)):
        sparkline_svg(["<script>"])  # type: ignore[list-item]
