"""``python -m lib trend`` and ``python -m lib emerging``: in-process through lib.cli.main,
and once as a real subprocess.

What the commands print must be what lib.trends.trends computes for the same terms and options
(computed here directly, with an index built independently of the command's saved one);
a few numbers are also read off tests/trends_fixture.py by hand."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from trends_fixture import EMERGING_PAPERS, MONTH_TOTALS, MONTHS, write_jsonl

from lib.cli import main
from lib.dataset import load
from lib.store.store import Store, input_files
from lib.trends import trends
from lib.trends.terms import TermIndex

ROOT = Path(__file__).resolve().parent.parent
AGENT_BY_MONTH = [1, 1, 0, 1, 1, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2]  # see trends_fixture's docstring
TS_BY_MONTH = [1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def import_into(data: Path, source: Path) -> Path:
    from lib.store.importer import import_files

    import_files(Store(data), input_files([str(source)], (".jsonl",)))
    return data


@pytest.fixture(scope="module")
def papers_store(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("cli-trends")
    return import_into(tmp / "data", write_jsonl(tmp / "papers.jsonl"))


@pytest.fixture(scope="module")
def emerging_store(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("cli-emerging")
    return import_into(tmp / "data", write_jsonl(tmp / "emerging.jsonl", EMERGING_PAPERS))


@pytest.fixture(scope="module")
def direct(papers_store):
    """The store's table and a term index built here (not the command's saved one)."""
    ds = load(Store(papers_store))
    return ds, TermIndex.build(ds.table)


def expected_rows(direct, terms: str, by="month", norm="share", smooth=0, date_from=None, date_to=None):
    ds, index = direct
    keys, _ = trends.parse_terms(terms, index)
    tidy = trends.series(index, ds.table, ds.periods(by), keys, by, norm, smooth, date_from, date_to)
    return [
        {
            "period": r.label,
            "term": r.term,
            "count": int(r.count),
            "total": int(r.total),
            "share": r.share,
            "value": r.value,
        }
        for r in tidy.itertuples()
    ]


def json_trend(data: Path, terms: str, *options: str) -> list[dict]:
    code, out, err = run("trend", terms, "--data", str(data), "--json", *options)
    assert code == 0, err
    assert err == ""  # no warnings, and no progress lines off a terminal for a small table
    return json.loads(out)


def assert_same_rows(got: list[dict], expected: list[dict]) -> None:
    assert [(r["period"], r["term"], r["count"], r["total"]) for r in got] == [
        (r["period"], r["term"], r["count"], r["total"]) for r in expected
    ]
    assert [r["share"] for r in got] == pytest.approx([r["share"] for r in expected], abs=1e-6)
    assert [r["value"] for r in got] == pytest.approx([r["value"] for r in expected], abs=1e-6)


# --- trend --json ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options, kwargs",
    [
        ([], {}),
        (["--by", "quarter"], {"by": "quarter"}),
        (["--by", "year", "--norm", "count"], {"by": "year", "norm": "count"}),
        (["--by", "day"], {"by": "day"}),
        (["--by", "week", "--smooth", "2"], {"by": "week", "smooth": 2}),
        (["--smooth", "1", "--norm", "count"], {"norm": "count", "smooth": 1}),
        (
            ["--from", "2025-02-10", "--to", "2025-04-20"],
            {"date_from": dt.date(2025, 2, 10), "date_to": dt.date(2025, 4, 20)},
        ),
    ],
)
def test_trend_json_equals_the_series(papers_store, direct, options, kwargs):
    terms = "agent, time series, fine-tuned models"
    assert_same_rows(json_trend(papers_store, terms, *options), expected_rows(direct, terms, **kwargs))


def test_trend_json_by_hand(papers_store):
    rows = json_trend(papers_store, "agent, time series")
    assert set(rows[0]) == {"period", "term", "count", "total", "share", "value", "mixed"}
    agent = [r for r in rows if r["term"] == "agent"]
    series_ = [r for r in rows if r["term"] == "time series"]
    assert [r["period"] for r in agent] == MONTHS == [r["period"] for r in series_]
    assert [r["total"] for r in agent] == MONTH_TOTALS
    assert [r["count"] for r in agent] == AGENT_BY_MONTH
    assert [r["count"] for r in series_] == TS_BY_MONTH
    assert agent[MONTHS.index("2025-04")]["share"] == round(2 / 3, 6)
    quarters = json_trend(papers_store, "agent", "--by", "quarter")
    assert [(r["period"], r["count"], r["total"]) for r in quarters] == [
        ("2024-Q4", 2, 5),
        ("2025-Q1", 3, 6),
        ("2025-Q2", 3, 5),
        ("2025-Q3", 0, 0),
        ("2025-Q4", 0, 0),
        ("2026-Q1", 3, 4),
    ]
    ranged = json_trend(papers_store, "agent", "--from", "2025-02-10", "--to", "2025-04-20")
    assert [(r["period"], r["count"], r["total"]) for r in ranged] == [
        ("2025-02", 0, 1),
        ("2025-03", 1, 2),
        ("2025-04", 2, 2),
    ]
    smoothed = json_trend(papers_store, "agent", "--norm", "count", "--smooth", "1")
    assert smoothed[0]["value"] == 1.0 and smoothed[1]["value"] == round(2 / 3, 6)  # (1+1)/2, (1+1+0)/3


def test_the_data_directory_comes_from_the_environment(papers_store, monkeypatch):
    monkeypatch.setenv("PAPERS_DATA", str(papers_store))
    code, out, err = run("trend", "agent", "--by", "year", "--json")
    assert code == 0, err
    assert [(r["period"], r["count"], r["total"]) for r in json.loads(out)] == [
        ("2024", 2, 5),
        ("2025", 6, 11),
        ("2026", 3, 4),
    ]


def test_the_command_saves_the_term_index(papers_store):
    run("trend", "agent", "--data", str(papers_store), "--json")
    version = Store(papers_store).version()
    assert (Store(papers_store).artifacts_dir / f"terms-{version}").is_dir()


# --- trend, text ---------------------------------------------------------------------------------
def table_lines(out: str) -> tuple[list[str], list[list[str]]]:
    header, *lines = out.rstrip("\n").split("\n")
    return header.split(), [line.split() for line in lines]


def test_trend_text_one_line_per_period(papers_store):
    code, out, err = run("trend", "agent, time series", "--data", str(papers_store))
    assert code == 0 and err == ""
    header, lines = table_lines(out)
    assert header == ["period", "papers", "agent", "time", "series"]
    assert [line[0] for line in lines] == MONTHS  # one line per month, the empty ones too
    assert [int(line[1]) for line in lines] == MONTH_TOTALS
    by_month = {line[0]: line[2:] for line in lines}
    assert by_month["2025-04"] == ["66.7%", "33.3%"]  # agent 2 of 3, time series 1 of 3: one decimal everywhere
    assert by_month["2024-12"] == ["0.0%", "0.0%"]
    assert by_month["2026-02"] == ["100.0%", "50.0%"]


def test_trend_text_counts_and_smoothing(papers_store):
    code, out, _ = run("trend", "agent", "--norm", "count", "--by", "quarter", "--data", str(papers_store))
    assert code == 0
    _, lines = table_lines(out)
    assert lines == [
        ["2024-Q4", "5", "2"],
        ["2025-Q1", "6", "3"],
        ["2025-Q2", "5", "3"],
        ["2025-Q3", "0", "0"],
        ["2025-Q4", "0", "0"],
        ["2026-Q1", "4", "3"],
    ]
    code, out, _ = run(
        "trend", "agent", "--norm", "count", "--by", "quarter", "--smooth", "1", "--data", str(papers_store)
    )
    _, lines = table_lines(out)
    # (2+3)/2, (2+3+3)/3, (3+3+0)/3, (3+0+0)/3, (0+0+3)/3, (0+3)/2
    assert [line[2] for line in lines] == ["2.5", "2.7", "2.0", "1.0", "1.0", "1.5"]


def test_trend_text_weeks_and_days(papers_store):
    code, out, _ = run("trend", "agent", "--by", "week", "--data", str(papers_store))
    assert code == 0
    lines = out.rstrip("\n").split("\n")[1:]
    assert all(line.startswith("week of ") for line in lines)
    assert sum(int(line.split()[3]) for line in lines) == 20  # "week of DAY PAPERS SHARE"
    code, out, _ = run(
        "trend", "agent", "--by", "day", "--from", "2025-02-01", "--to", "2025-02-05", "--data", str(papers_store)
    )
    _, lines = table_lines(out)
    assert [line[:2] for line in lines] == [["2025-02-03", "2"]]  # p07 and p08; the range's other days are empty
    assert lines[0][2] == "50.0%"


def test_a_range_without_papers_prints_only_the_header(papers_store):
    code, out, _ = run("trend", "agent", "--from", "2025-06-01", "--to", "2025-12-31", "--data", str(papers_store))
    assert code == 0 and out.split() == ["period", "papers"]
    code, out, _ = run(
        "trend", "agent", "--from", "2025-06-01", "--to", "2025-12-31", "--json", "--data", str(papers_store)
    )
    assert code == 0 and json.loads(out) == []


# --- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [
        ["--by", "fortnight"],
        ["--norm", "percent"],
        ["--smooth", "-1"],
        ["--smooth", "25"],
        ["--smooth", "two"],
        ["--from", "2025-13-01"],
        ["--to", "yesterday"],
    ],
)
def test_bad_options_exit_2_with_one_line(papers_store, options, capsys):
    try:
        code = main(["trend", "agent", "--data", str(papers_store), *options])
    except SystemExit as exc:  # argparse's own errors exit through the parser
        code = exc.code
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    "terms, warnings",
    [
        ("", []),
        (" , ,", []),
        (";;;, --", ["warning: Ignored ';;;': no words in it.", "warning: Ignored '--': no words in it."]),
        ("zzz*", ["warning: No term starts with 'zzz'."]),
    ],
)
def test_no_terms_exit_2(papers_store, terms, warnings):
    code, out, err = run("trend", terms, "--data", str(papers_store))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert lines[:-1] == warnings
    assert lines[-1] == f"error: no terms in {terms!r}"
    assert "Traceback" not in err


def test_warnings_go_to_stderr_and_the_rest_is_drawn(papers_store):
    code, out, err = run("trend", "agent, zzz*", "--json", "--data", str(papers_store))
    assert code == 0
    assert err == "warning: No term starts with 'zzz'.\n"
    assert {r["term"] for r in json.loads(out)} == {"agent"}


# --- the bundled demo ----------------------------------------------------------------------------------
def demo_papers() -> list[dict]:
    """The demo's papers as each file reads (130 API days, then the seed page), one per paper:
    a pasted title that an API day lists too is that paper, dated by its first day on the
    daily list (4 papers of the seed page were on earlier days' lists)."""
    from lib.store.importer import read_file
    from lib.store.store import sample_inputs

    def same(title: str) -> str:
        return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKD", title).lower()).strip()

    papers: dict[str, dict] = {}
    for source in sample_inputs():
        for paper in read_file(source)[0].to_pylist():
            key = same(paper["title"])
            before = papers.get(key, {})
            papers[key] = {**before, **{k: v for k, v in paper.items() if v not in (None, "", [])}}
            if before.get("date") is not None:
                papers[key]["date"] = min(before["date"], papers[key]["date"])
    assert len(papers) == 1953
    return list(papers.values())


def mentioning(papers: list[dict], pattern: str) -> list[dict]:
    """Papers whose title, abstract or keywords hold ``pattern`` as whole words (case and
    accents ignored): plain Python, not the term index."""
    rx = re.compile(r"(?<![^\W_])(?:" + pattern + r")(?![^\W_])")

    def plain(text):
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()

    return [
        p
        for p in papers
        if any(rx.search(plain(t or "")) for t in (p["title"], p["abstract"], " ; ".join(p.get("keywords") or [])))
    ]


def test_an_empty_store_uses_the_bundled_demo(empty_store):
    papers = demo_papers()
    code, out, err = run("trend", "agent, language model", "--by", "month", "--json")
    assert code == 0, err
    rows = json.loads(out)
    months = sorted({f"{p['date']:%Y-%m}" for p in papers})
    assert months == [f"2025-{m:02d}" for m in range(3, 9)]
    for term, pattern in (("agent", r"agents?"), ("language model", r"language[\W_]+models?")):
        found = mentioning(papers, pattern)
        assert [(r["period"], r["count"], r["total"]) for r in rows if r["term"] == term] == [
            (
                month,
                sum(f"{p['date']:%Y-%m}" == month for p in found),
                sum(f"{p['date']:%Y-%m}" == month for p in papers),
            )
            for month in months
        ]
    assert not empty_store.exists()  # nothing saved for the demo


def test_emerging_on_the_demo_compares_its_last_90_days_with_the_year_before(empty_store):
    days = [p["date"].date() for p in demo_papers()]
    code, out, err = run("emerging", "--json")
    assert code == 0, err
    document = json.loads(out)
    windows = document["windows"]
    assert (windows["recent_from"], windows["recent_to"]) == ("2025-06-01", "2025-08-29")
    assert windows["recent_papers"] == sum(dt.date(2025, 6, 1) <= d for d in days) > 0
    assert windows["baseline_papers"] == sum(d < dt.date(2025, 6, 1) for d in days) > 0
    assert document["rising"] and document["fading"]


# --- emerging ---------------------------------------------------------------------------------------
WINDOWS = {
    "recent_from": "2026-04-02",
    "recent_to": "2026-06-30",
    "baseline_from": "2025-04-02",
    "baseline_to": "2026-04-01",
    "recent_papers": 40,
    "baseline_papers": 80,
    "mixed": "",
}


def test_emerging_json(emerging_store):
    code, out, err = run("emerging", "--json", "--data", str(emerging_store))
    assert code == 0 and err == ""
    document = json.loads(out)
    assert document["windows"] == WINDOWS
    assert document["rising"][0]["term"] == "quantum"
    assert (document["rising"][0]["baseline_papers"], document["rising"][0]["recent_papers"]) == (4, 24)
    assert document["fading"][0]["term"] == "convolution"
    # the same tables as lib.trends.trends.emerging, computed directly
    ds = load(Store(emerging_store))
    rising, fading, _ = trends.emerging(TermIndex.build(ds.table), ds.periods("day"), 90, 365, top=20)
    for got, frame in ((document["rising"], rising), (document["fading"], fading)):
        assert [r["term"] for r in got] == frame.term.tolist()
        assert [r["z"] for r in got] == pytest.approx(frame.z.tolist(), abs=1e-9)
        assert [r["recent_share"] for r in got] == pytest.approx(frame.recent_share.tolist(), abs=1e-9)


def test_emerging_windows_options(emerging_store):
    code, out, _ = run("emerging", "--recent", "10", "--baseline", "20", "--json", "--data", str(emerging_store))
    assert code == 0
    windows = json.loads(out)["windows"]
    assert {k: windows[k] for k in ("recent_from", "recent_to", "baseline_from", "baseline_to")} == {
        "recent_from": "2026-06-21",
        "recent_to": "2026-06-30",
        "baseline_from": "2026-06-01",
        "baseline_to": "2026-06-20",
    }
    days = [p["date"] for p in EMERGING_PAPERS.values()]
    assert windows["recent_papers"] == sum("2026-06-21" <= d <= "2026-06-30" for d in days)
    assert windows["baseline_papers"] == sum("2026-06-01" <= d <= "2026-06-20" for d in days)


def test_emerging_text(emerging_store):
    code, out, err = run("emerging", "--top", "1", "--data", str(emerging_store))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "recent 2026-04-02..2026-06-30 (40 papers) vs baseline 2025-04-02..2026-04-01 (80 papers)"
    assert lines[1:3] == ["", "rising:"]
    assert lines[3].split()[:6] == ["quantum", "5.0%", "->", "60.0%", "(+55.0", "pt)"]
    assert lines[4:6] == ["", "fading:"]
    assert lines[6].split()[:6] == ["convolution", "35.0%", "->", "5.0%", "(-30.0", "pt)"]
    assert len(lines) == 7  # --top 1: one term per list


@pytest.mark.parametrize("options", [["--recent", "0"], ["--baseline", "-5"], ["--top", "0"], ["--recent", "soon"]])
def test_emerging_bad_options_exit_2(emerging_store, options, capsys):
    try:
        code = main(["emerging", "--data", str(emerging_store), *options])
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err


# --- a real process -----------------------------------------------------------------------------------
def test_real_subprocess(papers_store):
    argv = ["trend", "agent, time series", "--by", "quarter", "--json", "--data", str(papers_store)]
    env = {k: v for k, v in os.environ.items() if k != "PAPERS_DATA"}
    done = subprocess.run(
        [sys.executable, "-m", "lib", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    code, out, _ = run(*argv)
    assert code == 0 and json.loads(done.stdout) == json.loads(out)
    assert [(r["period"], r["count"]) for r in json.loads(done.stdout) if r["term"] == "agent"] == [
        ("2024-Q4", 2),
        ("2025-Q1", 3),
        ("2025-Q2", 3),
        ("2025-Q3", 0),
        ("2025-Q4", 0),
        ("2026-Q1", 3),
    ]


# --- --src: the papers counted (issue 18) --------------------------------------------------------------
# A mixed store from real-format fixtures (see test_trends.py): eleven arXiv listings with categories
# (2025-07..09) and a Hugging Face API day, 2025-09-08, listing 2509.05501 (on arXiv too, 2025-09-04,
# mentions agents) and 2509.05502 (the list's only, no agent).
MIXED_INPUTS = [
    ROOT / "tests" / "fixtures" / "mixed" / "arxiv_listings_2025-07_09.jsonl",
    ROOT / "tests" / "fixtures" / "hf_api" / "2025-09-08.json",
]


@pytest.fixture(scope="module")
def mixed_store(tmp_path_factory) -> Path:
    from lib.store.importer import import_files

    data = tmp_path_factory.mktemp("cli-mixed") / "data"
    import_files(Store(data), input_files([str(p) for p in MIXED_INPUTS], (".jsonl", ".json")))
    return data


@pytest.mark.parametrize(
    "src, rows",
    [
        # the list's papers, dated by their day on it: one month, 1 of its 2 papers mentions agents
        ("hf", [("2025-09", 1, 2)]),
        # arXiv's, by their arXiv day: the list's own paper is not one of them
        ("arxiv", [("2025-07", 2, 4), ("2025-08", 2, 4), ("2025-09", 2, 3)]),
        ("all", [("2025-07", 2, 4), ("2025-08", 2, 4), ("2025-09", 2, 4)]),
    ],
)
def test_trend_src_counts_one_source(mixed_store, src, rows):
    code, out, err = run("trend", "agent", "--src", src, "--json", "--data", str(mixed_store))
    assert code == 0, err
    assert [(r["period"], r["count"], r["total"]) for r in json.loads(out)] == rows
    # September mixes the sources when every paper counts: said on stderr, never for one source
    assert ("warning: mixed sources in 2025-09: Mixed sources: 50% arXiv here, 83% over the series" in err) == (
        src == "all"
    )
    assert [r["mixed"] for r in json.loads(out)] == [src == "all" and r[0] == "2025-09" for r in rows]


def test_trend_corpus_lines_on_the_command_line(mixed_store):
    code, out, err = run("trend", "agent:hf, agent:cs.CL", "--json", "--data", str(mixed_store))
    assert code == 0, err
    found = {(r["term"], r["period"]): (r["count"], r["total"]) for r in json.loads(out)}
    assert found[("agent:hf", "2025-09")] == (1, 2)
    assert found[("agent:cs.CL", "2025-09")] == (2, 2) and found[("agent:cs.CL", "2025-07")] == (1, 1)


@pytest.mark.parametrize("command", [["trend", "agent"], ["emerging"]])
def test_an_unknown_source_is_one_line_naming_the_store_s_sources(mixed_store, command):
    code, out, err = run(*command, "--src", "file:nowhere.csv", "--data", str(mixed_store))
    assert code == 2 and out == ""
    assert err == (
        "error: --src file:nowhere.csv: this store holds no such papers; its sources: hf (2), arxiv (11) (or all)\n"
    )


def test_emerging_says_on_stderr_when_its_windows_mix_sources(mixed_store):
    code, out, err = run("emerging", "--recent", "30", "--data", str(mixed_store))
    assert code == 0 and out.startswith("recent 2025-08-18..2025-09-16 (6 papers)")
    assert (
        err.startswith(
            "warning: The two windows hold different sources: 67% of the recent papers are from "
            "arXiv, against 100% of the baseline's."
        )
        and err.count("\n") == 1
    )
    code, out, err = run("emerging", "--recent", "30", "--src", "arxiv", "--json", "--data", str(mixed_store))
    assert code == 0 and err == "" and json.loads(out)["windows"]["mixed"] == ""
    assert json.loads(out)["windows"]["recent_papers"] == 5  # 2508.00203, 00204 and September's three
