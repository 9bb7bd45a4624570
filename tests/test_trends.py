"""Keyword trends on the hand-written tables of tests/trends_fixture.py: the term index,
series per period (counts, totals, shares, smoothing, ranges), term parsing, drill-down,
emerging / fading terms, frequent terms, and the saved index.

Every expected number is read off the fixture texts (the table in trends_fixture's
docstring) or recomputed here by brute force with Python's ``re`` on the raw texts,
never taken from the code under test."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import warnings
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import memory_mapped
from trends_fixture import (
    AGENT_PAPERS,
    BASELINE_FROM,
    BASELINE_TO,
    EMERGING_PAPERS,
    FT_PAPERS,
    ID,
    MOE_PAPERS,
    MONTH_TOTALS,
    MONTHS,
    ORDER,
    PAPERS,
    RECENT_FROM,
    RECENT_TO,
    TS_PAPERS,
    build_table,
    write_jsonl,
)

from lib.periods import Periods
from lib.search.analysis import STOP_WORDS, stem
from lib.store.schema import to_frame
from lib.trends import terms as terms_module
from lib.trends import trends
from lib.trends.terms import TermIndex, TermKey
from lib.trends.trends import (
    emerging,
    frequent_terms,
    is_topic_term,
    papers_behind,
    parse_terms,
    period_bounds,
    series,
    smooth_values,
    term_rows,
)

EXACT = dict(rel=0, abs=1e-12)  # shares are fractions computed by hand: compare (nearly) exactly
# hand-counted papers per month (MONTHS) mentioning each term; see trends_fixture's docstring
AGENT_BY_MONTH = [1, 1, 0, 1, 1, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2]
TS_BY_MONTH = [1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
MOE_BY_MONTH = [2, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]
FT_BY_MONTH = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]


# --- brute force over the raw texts -------------------------------------------------------
def plain(text: str) -> str:
    """Accents dropped, lower case (written here, not lib.search.analysis.fold)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def fields(paper: dict) -> list[str]:
    """The fields a term can be in: title, abstract, keywords (never authors)."""
    return [paper["title"], paper.get("abstract", ""), " ; ".join(paper.get("keywords", []))]


def brute(pattern: str, papers: dict = PAPERS) -> list[str]:
    """Keys of the papers where ``pattern`` matches as whole words inside one field."""
    rx = re.compile(r"(?<![^\W_])(?:" + pattern + r")(?![^\W_])")
    return [k for k, p in papers.items() if any(rx.search(plain(text)) for text in fields(p))]


def by_month(keys: list[str]) -> list[int]:
    months = [PAPERS[k]["date"][:7] for k in keys]
    return [months.count(m) for m in MONTHS]


# --- the fixture, built once ------------------------------------------------------------------
def build_with(min_papers: int, table) -> TermIndex:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(terms_module, "MIN_NGRAM_PAPERS", min_papers)
        return TermIndex.build(table)


@pytest.fixture(scope="module")
def table():
    return build_table()


@pytest.fixture(scope="module")
def index(table):
    return TermIndex.build(table)


@pytest.fixture(scope="module")
def indexes(table, index):
    """The default index (n-grams of >= 5 papers), one indexing every n-gram (the index
    path for every 2-3-word phrase) and one indexing none (the text-check path)."""
    return {"default": index, "every n-gram": build_with(1, table), "no n-gram": build_with(10**9, table)}


@pytest.fixture(scope="module")
def dates(table):
    return to_frame(table)["date"]


def periods(dates, by: str) -> Periods:
    return Periods.of(dates, by)


def one_key(text: str, index: TermIndex) -> TermKey:
    keys, warnings = parse_terms(text, index)
    assert len(keys) == 1 and not warnings, (keys, warnings)
    return keys[0]


def found(index, table, text: str) -> list[str]:
    return [ORDER[r] for r in term_rows(index, table, one_key(text, index))]


def term_frame(frame: pd.DataFrame, term: str) -> pd.DataFrame:
    return frame[frame.term == term].reset_index(drop=True)


def test_hand_tables_agree_with_brute_force():
    """The hand-counted lists used below, checked against the texts themselves."""
    assert by_month(ORDER) == MONTH_TOTALS and sum(MONTH_TOTALS) == 20
    assert brute(r"agents?") == AGENT_PAPERS and by_month(AGENT_PAPERS) == AGENT_BY_MONTH
    assert brute(r"time[\W_]+series") == TS_PAPERS and by_month(TS_PAPERS) == TS_BY_MONTH
    assert brute(r"mixtures?[\W_]+of[\W_]+experts?") == MOE_PAPERS and by_month(MOE_PAPERS) == MOE_BY_MONTH
    assert brute(r"fine[\W_]*tuned[\W_]+models?") == FT_PAPERS and by_month(FT_PAPERS) == FT_BY_MONTH


# --- the term index ------------------------------------------------------------------------------
def test_index_basics(index):
    assert index.n_docs == 20
    assert index.papers("agent") == 11
    # titles holding agent: p01 Agents, p04 Multi-Agent, p06 Agent's, p12, p15 Agent-Based, p17, p19
    assert index.title_share("agent") == pytest.approx(7 / 11, **EXACT)
    assert index.title_share("nosuchterm") == 0.0
    assert index.papers("nosuchterm") == 0 and len(index.unigram_rows("nosuchterm")) == 0
    # display forms: the most frequent spelling, never the stem
    assert index.label(("time", "sery")) == "time series"
    assert index.label(("mixture", "of", "expert")) == "mixture of experts"
    assert index.label(("agentbased",)) == "agent-based"
    assert index.label(("agent",)) == "agents"  # "agents" is written 12 times, "agent" 3 times


def test_authors_are_not_indexed(index):
    # "Maria Agent" (p05), "Ada Lovelace" (p01): only in the authors
    assert index.papers("lovelace") == 0 and index.papers("maria") == 0
    assert "p05" not in [ORDER[r] for r in index.unigram_rows("agent")]


def test_completions_most_frequent_first(index):
    # agent 11, agentic 3, agentbased 2, then agency / agenda / agenesis 1 each (alphabetical)
    assert index.completions("agen", 5) == ["agent", "agentic", "agentbased", "agency", "agenda"]
    assert index.completions("agen", 10) == ["agent", "agentic", "agentbased", "agency", "agenda", "agenesis"]
    assert index.completions("agent", 2) == ["agent", "agentic"]
    assert index.completions("zzz", 5) == []


@pytest.mark.parametrize(
    "query, pattern, expected",
    [
        # whole words, plural- and case-tolerant; hyphen parts count; reagent/agentic/agenesis do not
        ("agent", r"agents?", AGENT_PAPERS),
        ("Agents", r"agents?", AGENT_PAPERS),
        ("AGENTS", r"agents?", AGENT_PAPERS),
        ("AGENT'S", r"agent[\W_]+s", ["p06"]),  # the apostrophe splits it: the phrase "agent s"
        ("reagent", r"reagents?", ["p02"]),
        ("agentic", r"agentic", ["p02", "p09", "p14"]),
        ("agenesis", r"agenesis", ["p16"]),
        # a hyphenated word is its joined form
        ("multi-agent", r"multi-?agents?", ["p04"]),
        ("agent-based", r"agent-?based", ["p11", "p15"]),
        ("agentbased", r"agent-?based", ["p11", "p15"]),
        # and its words spaced (issue 25, point 10): "time-series" is "time series"
        ("Time-Series", r"time(?:-|\s+)series", TS_PAPERS),
        ("mixture-of-experts", r"mixtures?(?:-|\s+)of(?:-|\s+)experts?", MOE_PAPERS),
        # accents and case folded
        ("schrödinger", r"schrodinger", ["p07", "p10"]),
        ("SCHRODINGER", r"schrodinger", ["p07", "p10"]),
        # keywords count (p08's only "protein" is in its title and keywords)
        ("proteins", r"proteins?", ["p08"]),
        # authors do not
        ("lovelace", r"lovelace", []),  # only an author's name (p01)
    ],
)
def test_whole_word_matching(index, table, query, pattern, expected):
    assert brute(pattern) == expected  # the expectation, checked on the texts
    assert found(index, table, query) == expected


def test_keyword_only_paper_counts_and_author_only_paper_does_not(index, table):
    agent = found(index, table, "agent")
    assert "p08" in agent  # "agent" only in its keywords
    assert "p05" not in agent  # "Agent" only as an author's name


# --- phrases: the n-gram index and the text check agree with brute force ------------------------
W = r"[\W_]+"  # between two words of a phrase
PHRASES = [
    ("time series", rf"time{W}series", TS_PAPERS),
    ("Time Series", rf"time{W}series", TS_PAPERS),
    ("mixture of experts", rf"mixtures?{W}of{W}experts?", MOE_PAPERS),
    ("mixtures of experts", rf"mixtures?{W}of{W}experts?", MOE_PAPERS),
    # a hyphenated query word is its joined form and its words spaced (issue 25, point 10)
    ("fine-tuned models", rf"fine(?:{W})?tuned{W}models?", FT_PAPERS),
    ("finetuned models", rf"fine(?:{W})?tuned{W}models?", FT_PAPERS),
    ("fine tuned models", rf"fine{W}tuned{W}models?", ["p05", "p17", "p20"]),
    ("multi-agent systems", rf"multi-?agent{W}systems?", ["p04"]),
    ("agent systems", rf"agents?{W}systems?", ["p04"]),
    ("agent-based models", rf"agent-?based{W}models?", ["p15"]),
    ("series agents", rf"series{W}agents?", ["p19"]),
    # four words: never indexed, always checked on the text
    ("time series foundation models", rf"time{W}series{W}foundation{W}models?", ["p13"]),
    ("mixture of experts routing", rf"mixtures?{W}of{W}experts?{W}routing", ["p03"]),
    ("agents for time series", rf"agents?{W}for{W}time{W}series", ["p01"]),
    # in no paper
    ("series time", rf"series{W}time", []),
]


@pytest.mark.parametrize("build", ["default", "every n-gram", "no n-gram"])
@pytest.mark.parametrize("phrase, pattern, expected", PHRASES, ids=[p[0] for p in PHRASES])
def test_phrase_rows_equal_brute_force_on_both_paths(indexes, table, build, phrase, pattern, expected):
    assert brute(pattern) == expected
    assert found(indexes[build], table, phrase) == expected


def test_which_path_each_phrase_takes(indexes):
    default, every, none = indexes["default"], indexes["every n-gram"], indexes["no n-gram"]
    # >= MIN_NGRAM_PAPERS (5) papers: indexed; 3 papers: not (text check)
    assert terms_module.MIN_NGRAM_PAPERS == 5
    assert default.ngram_rows(("time", "sery")) is not None  # 7 papers
    assert default.ngram_rows(("mixture", "of", "expert")) is not None  # 6 papers
    assert default.ngram_rows(("finetuned", "model")) is None  # 3 papers
    assert every.ngram_rows(("finetuned", "model")) is not None
    assert every.ngram_rows(("fine", "tuned", "model")) is not None
    assert none.ngram_rows(("finetuned", "model")) is None and none.ngram_rows(("agent", "system")) is None
    # the parts of a hyphenated word are indexed however rare (their spelling joined is in
    # other papers than their words'): "time-series", "mixture-of-experts", "fine-tuned", ...
    assert sorted(none.ngrams) == ["agent based", "fine tuned", "mixture of expert", "multi agent", "time sery"]


def test_phrase_series_equal_on_both_paths(indexes, table, dates):
    text = "time series, mixture of experts, fine-tuned models, time series foundation models"
    frames = []
    for build in indexes.values():
        keys, _ = parse_terms(text, build)
        frames.append(series(build, table, periods(dates, "month"), keys, "month"))
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0])
    frame = frames[0]
    assert term_frame(frame, "time series")["count"].tolist() == TS_BY_MONTH
    assert term_frame(frame, "mixture of experts")["count"].tolist() == MOE_BY_MONTH
    assert term_frame(frame, "fine-tuned models")["count"].tolist() == FT_BY_MONTH
    assert term_frame(frame, "time series foundation models")["count"].tolist() == by_month(["p13"])


PAUSE = re.compile(r"[()\[\]{}]|[.,;:!?]+(?:\s|$)")  # brackets, and clause punctuation before a space


def stretches(paper: dict) -> list[str]:
    """The stretches of text an n-gram stays inside: a title, an abstract, one keyword, each cut
    at brackets and at clause punctuation before a space (issue 25, point 8)."""
    texts = [paper["title"], paper.get("abstract", ""), *paper.get("keywords", [])]
    return [piece for text in texts for piece in PAUSE.split(plain(text))]


def brute_ngrams(min_papers: int) -> dict[str, list[int]]:
    """Every 2- and 3-word sequence of a stretch (tokens read with hyphen parts split, and
    read with hyphenated words joined), not starting or ending with a stop word, with the
    rows of the papers holding it; a hyphenated word's parts spaced (2 or 3 of them, not
    starting or ending with a stop word) also hold the papers with its joined term and are
    kept however rare (issue 25, point 10).  Written from the definition, with Python's re."""
    token = re.compile(r"[^\W_]+(?:-+[^\W_]+)*")
    found_rows: dict[str, set[int]] = defaultdict(set)
    term_rows_: dict[str, set[int]] = defaultdict(set)
    compounds: dict[str, str] = {}  # parts' terms, space-separated -> the joined term
    for row, key in enumerate(ORDER):
        for text in stretches(PAPERS[key]):
            tokens = token.findall(text)
            for t in tokens:
                parts = [p for p in t.split("-") if p]
                term_rows_[stem("".join(parts))].add(row)
                for n in (2, 3, 4):
                    for i in range(len(parts) - n + 1):
                        run = parts[i : i + n]
                        if run[0] not in STOP_WORDS and run[-1] not in STOP_WORDS:
                            joined = "".join(stem(p) if j == n - 1 else p for j, p in enumerate(run))
                            term_rows_[joined].add(row)
                            if n < 4:
                                compounds[" ".join(stem(p) for p in run)] = joined
            split = [stem(part) for t in tokens for part in t.split("-") if part]
            joined = [stem(t.replace("-", "")) for t in tokens]
            for reading in (split, joined):
                for n in (2, 3):
                    for i in range(len(reading) - n + 1):
                        gram = reading[i : i + n]
                        if gram[0] not in STOP_WORDS and gram[-1] not in STOP_WORDS:
                            found_rows[" ".join(gram)].add(row)
    for gram, term in compounds.items():
        found_rows[gram] |= term_rows_[term]
    # a hyphenated word's parts are kept however rare
    return {gram: sorted(rows) for gram, rows in found_rows.items() if len(rows) >= min_papers or gram in compounds}


@pytest.mark.parametrize("build, min_papers", [("default", 5), ("every n-gram", 1)])
def test_ngram_postings_equal_brute_force(indexes, build, min_papers):
    index = indexes[build]
    indptr, indices = index.all_postings("n")
    postings = {index.ngram_name(j): indices[indptr[j] : indptr[j + 1]].tolist() for j in range(len(indptr) - 1)}
    assert postings == brute_ngrams(min_papers)


def test_default_ngrams_by_hand(index):
    # the only 2-3-grams in 5 or more papers: time series (7), mixture of experts (6);
    # "mixture of" / "of experts" start or end with a stop word; and the parts of hyphenated
    # words, however rare: agent-based (2), fine-tuned (4, with finetuned), multi-agent (1)
    assert sorted(index.ngrams) == ["agent based", "fine tuned", "mixture of expert", "multi agent", "time sery"]
    assert [ORDER[r] for r in index.ngram_rows(("time", "sery"))] == TS_PAPERS
    assert [ORDER[r] for r in index.ngram_rows(("mixture", "of", "expert"))] == MOE_PAPERS


# --- series per period ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def monthly(index, table, dates):
    keys, warnings = parse_terms("agent, time series, mixture of experts, fine-tuned models", index)
    assert not warnings
    return series(index, table, periods(dates, "month"), keys, "month")


def test_monthly_rows_by_hand(monthly):
    assert list(monthly.columns) == [
        "period",
        "label",
        "term",
        "count",
        "total",
        "share",
        "value",
        "few",
        "ratio",
        "mixed",
        "why",
    ]
    assert monthly.term.unique().tolist() == ["agent", "time series", "mixture of experts", "fine-tuned models"]
    for term, counts in (
        ("agent", AGENT_BY_MONTH),
        ("time series", TS_BY_MONTH),
        ("mixture of experts", MOE_BY_MONTH),
        ("fine-tuned models", FT_BY_MONTH),
    ):
        rows = term_frame(monthly, term)
        assert rows.label.tolist() == MONTHS  # every month, the empty ones too
        assert rows.period.tolist() == [pd.Timestamp(m + "-01") for m in MONTHS]
        assert rows["total"].tolist() == MONTH_TOTALS
        assert rows["count"].tolist() == counts
        expected = [c / t if t else 0.0 for c, t in zip(counts, MONTH_TOTALS)]
        assert rows.share.tolist() == pytest.approx(expected, **EXACT)
        assert rows.value.tolist() == pytest.approx(expected, **EXACT)  # norm=share, no smoothing
        assert rows.few.all()  # every month has fewer than 30 papers


def test_monthly_shares_spelled_out(monthly):
    agent = term_frame(monthly, "agent").set_index("label")
    assert agent.loc["2025-04", "share"] == pytest.approx(2 / 3, **EXACT)  # p12, p13 of p12-p14
    assert agent.loc["2024-10", "share"] == pytest.approx(1 / 3, **EXACT)
    assert agent.loc["2025-01", "share"] == 1.0  # the one paper of the month
    assert agent.loc["2026-02", "share"] == 1.0
    empty = agent.loc["2024-12"]  # no paper at all
    assert (empty["count"], empty["total"], empty["share"]) == (0, 0, 0.0)
    moe = term_frame(monthly, "mixture of experts").set_index("label")
    assert moe.loc["2024-10", "share"] == pytest.approx(2 / 3, **EXACT)  # p01, p03 of p01-p03


@pytest.mark.parametrize(
    "by, labels, totals, agent, ts, moe",
    [
        (
            "quarter",
            ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"],
            [5, 6, 5, 0, 0, 4],
            [2, 3, 3, 0, 0, 3],
            [2, 3, 1, 0, 0, 1],
            [2, 2, 1, 0, 0, 1],
        ),
        ("year", ["2024", "2025", "2026"], [5, 11, 4], [2, 6, 3], [2, 4, 1], [2, 3, 1]),
    ],
)
def test_quarters_and_years_by_hand(index, table, dates, by, labels, totals, agent, ts, moe):
    keys, _ = parse_terms("agent, time series, mixture of experts", index)
    frame = series(index, table, periods(dates, by), keys, by)
    for term, counts in (("agent", agent), ("time series", ts), ("mixture of experts", moe)):
        rows = term_frame(frame, term)
        assert rows.label.tolist() == labels
        assert rows["total"].tolist() == totals
        assert rows["count"].tolist() == counts
        assert rows.share.tolist() == pytest.approx([c / t if t else 0.0 for c, t in zip(counts, totals)], **EXACT)


def test_quarter_shares_spelled_out(index, table, dates):
    frame = series(index, table, periods(dates, "quarter"), [one_key("agent", index)], "quarter").set_index("label")
    assert frame.share.tolist() == pytest.approx([2 / 5, 1 / 2, 3 / 5, 0, 0, 3 / 4], **EXACT)
    assert frame.loc["2025-Q3"].tolist()[2:6] == [0, 0, 0.0, 0.0]  # count, total, share, value


def test_days(index, table, dates):
    frame = series(index, table, periods(dates, "day"), [one_key("agent", index)], "day")
    first, last = dt.date(2024, 10, 7), dt.date(2026, 2, 16)
    assert len(frame) == (last - first).days + 1  # every day, 498 of them
    assert frame.label.iloc[0] == "2024-10-07" and frame.label.iloc[-1] == "2026-02-16"
    by_label = frame.set_index("label")
    assert by_label.loc["2025-02-03", ["count", "total"]].tolist() == [1, 2]  # p07, p08 (agent in keywords)
    assert by_label.loc["2025-02-03", "share"] == pytest.approx(1 / 2, **EXACT)
    assert by_label.loc["2024-10-09", ["count", "total", "share"]].tolist() == [0, 0, 0.0]
    assert frame["total"].sum() == 20 and frame["count"].sum() == 11


def test_weeks_partition_the_papers(index, table, dates):
    """Whatever day a week starts on: consecutive 7-day periods whose totals are the
    papers listed in them."""
    frame = series(index, table, periods(dates, "week"), [one_key("agent", index)], "week")
    starts = [p.date() for p in frame.period]
    assert all(b - a == dt.timedelta(days=7) for a, b in pairwise(starts))
    assert frame.label.tolist() == [f"week of {s.isoformat()}" for s in starts]
    days = {k: dt.date.fromisoformat(p["date"]) for k, p in PAPERS.items()}
    for start, total, count in zip(starts, frame["total"], frame["count"]):
        inside = [k for k, d in days.items() if start <= d <= start + dt.timedelta(days=6)]
        assert total == len(inside)
        assert count == len([k for k in inside if k in AGENT_PAPERS])
    assert frame["total"].sum() == 20


def test_weeks_start_on_monday(index, table, dates):
    frame = series(index, table, periods(dates, "week"), [one_key("agent", index)], "week")
    # p01 (Mon 2024-10-07) and p02 (Tue 2024-10-08) share the ISO week of Monday 2024-10-07
    assert frame.label.iloc[0] == "week of 2024-10-07"
    assert frame["total"].iloc[0] == 2


def test_norm_count(index, table, dates):
    frame = series(index, table, periods(dates, "month"), [one_key("agent", index)], "month", norm="count")
    assert frame.value.tolist() == [float(c) for c in AGENT_BY_MONTH]
    assert frame.share.tolist() == pytest.approx(
        [c / t if t else 0.0 for c, t in zip(AGENT_BY_MONTH, MONTH_TOTALS)], **EXACT
    )


# --- smoothing ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "values, window, expected",
    [
        ([1, 1, 0, 1], 0, [1, 1, 0, 1]),
        ([1, 1, 0, 1], 1, [1, 2 / 3, 2 / 3, 1 / 2]),  # edges average the 2 periods there are
        ([3, 0, 0, 0, 3], 2, [1, 3 / 4, 6 / 5, 3 / 4, 1]),  # smooth=2 averages 5 periods
        ([3, 0, 0, 0, 3], 9, [6 / 5] * 5),  # a window wider than the series: the mean everywhere
        ([], 2, []),
    ],
)
def test_smooth_values_by_hand(values, window, expected):
    result = smooth_values(np.array(values, dtype=np.int64), window)
    assert result.dtype == float
    assert result.tolist() == pytest.approx(expected, **EXACT)


def test_smoothed_monthly_counts_by_hand(index, table, dates):
    frame = series(index, table, periods(dates, "month"), [one_key("agent", index)], "month", norm="count", smooth=1)
    # counts 1 1 0 1 1 1 2 1 0 0 0 0 0 0 0 1 2, averaged over each month and its neighbours
    expected = [1, 2 / 3, 2 / 3, 2 / 3, 1, 4 / 3, 4 / 3, 1, 1 / 3, 0, 0, 0, 0, 0, 1 / 3, 1, 3 / 2]
    assert frame.value.tolist() == pytest.approx(expected, **EXACT)
    assert frame["count"].tolist() == AGENT_BY_MONTH  # smoothing changes only the value shown


def test_smoothed_monthly_shares_by_hand(index, table, dates):
    frame = series(index, table, periods(dates, "month"), [one_key("agent", index)], "month", smooth=1)
    value = frame.set_index("label").value
    assert value["2024-10"] == pytest.approx((1 / 3 + 1 / 2) / 2, **EXACT)  # first month: itself and the next
    assert value["2025-01"] == pytest.approx((0 + 1 + 1 / 3) / 3, **EXACT)  # Dec (empty) counts as 0
    assert value["2025-04"] == pytest.approx((1 / 2 + 2 / 3 + 1 / 2) / 3, **EXACT)
    assert value["2026-02"] == pytest.approx((1 / 2 + 1) / 2, **EXACT)


# --- date range -----------------------------------------------------------------------------------
def test_from_to_restricts_counts_and_totals(index, table, dates):
    # 2025-02-10 .. 2025-04-20 holds p09 (Feb), p10 p11 (Mar), p12 p13 (Apr): agent in p11 p12 p13
    frame = series(
        index,
        table,
        periods(dates, "month"),
        [one_key("agent", index)],
        "month",
        date_from=dt.date(2025, 2, 10),
        date_to=dt.date(2025, 4, 20),
    )
    assert frame.label.tolist() == ["2025-02", "2025-03", "2025-04"]
    assert frame["total"].tolist() == [1, 2, 2]
    assert frame["count"].tolist() == [0, 1, 2]
    assert frame.share.tolist() == pytest.approx([0, 1 / 2, 1], **EXACT)
    quarters = series(
        index,
        table,
        periods(dates, "quarter"),
        [one_key("agent", index)],
        "quarter",
        date_from=dt.date(2025, 2, 10),
        date_to=dt.date(2025, 4, 20),
    )
    assert quarters.label.tolist() == ["2025-Q1", "2025-Q2"]
    assert quarters["total"].tolist() == [3, 2] and quarters["count"].tolist() == [1, 2]


def test_from_only_and_to_only(index, table, dates):
    key = [one_key("time series", index)]
    later = series(index, table, periods(dates, "month"), key, "month", date_from=dt.date(2026, 1, 1))
    assert later.label.tolist() == ["2026-01", "2026-02"]
    assert later["total"].tolist() == [2, 2] and later["count"].tolist() == [0, 1]
    earlier = series(index, table, periods(dates, "year"), key, "year", date_to=dt.date(2024, 11, 4))
    assert earlier.label.tolist() == ["2024"]
    assert earlier["total"].tolist() == [4] and earlier["count"].tolist() == [2]  # p01-p04; TS in p01, p04


def test_a_range_without_papers_gives_an_empty_frame(index, table, dates):
    frame = series(
        index,
        table,
        periods(dates, "month"),
        [one_key("agent", index)],
        "month",
        date_from=dt.date(2025, 6, 1),
        date_to=dt.date(2025, 12, 31),
    )
    assert frame.empty
    assert list(frame.columns) == [
        "period",
        "label",
        "term",
        "count",
        "total",
        "share",
        "value",
        "few",
        "ratio",
        "mixed",
        "why",
    ]


def test_few_papers_flag(index, table, dates, monkeypatch):
    monkeypatch.setattr(trends, "FEW_PAPERS", 3)
    frame = series(index, table, periods(dates, "month"), [one_key("agent", index)], "month")
    assert frame.few.tolist() == [total < 3 for total in MONTH_TOTALS]
    assert frame.set_index("label").few[["2024-10", "2024-12", "2025-01", "2025-02"]].tolist() == [
        False,
        True,
        True,
        False,
    ]


# --- parsing terms ----------------------------------------------------------------------------------
def test_parse_terms_plain(index):
    keys, warnings = parse_terms("agent,  Time   Series ,mixture-of-experts", index)
    assert warnings == []
    assert keys == [
        TermKey(("agent",), "agent"),
        TermKey(("time", "sery"), "time series"),
        TermKey(("mixtureofexpert",), "mixture-of-experts"),
    ]


def test_prefix_expands_to_the_most_frequent_completions(index):
    keys, warnings = parse_terms("agen*", index)
    assert warnings == []
    assert [k.stems for k in keys] == [("agent",), ("agentic",), ("agentbased",), ("agency",), ("agenda",)]
    assert [k.label for k in keys] == ["agents", "agentic", "agent-based", "agency", "agenda"]
    assert parse_terms("AGEN*", index)[0] == keys


def test_unknown_prefix_warns(index):
    assert parse_terms("zzz*", index) == ([], ["No term starts with 'zzz'."])
    keys, warnings = parse_terms("agent, zzz*", index)
    assert [k.label for k in keys] == ["agent"] and warnings == ["No term starts with 'zzz'."]
    keys, warnings = parse_terms("time ser*", index)  # prefixes are single words
    assert keys == [] and warnings == ["No term starts with 'time ser'."]


def test_more_than_ten_terms_are_capped(index):
    text = ", ".join(f"word{c}" for c in "abcdefghijkl")  # 12 terms
    keys, warnings = parse_terms(text, index)
    assert [k.label for k in keys] == [f"word{c}" for c in "abcdefghij"]
    assert warnings == ["Only the first 10 terms are drawn."]


def test_empty_and_punctuation_terms_are_ignored(index):
    keys, warnings = parse_terms("agent, , ;;; ,--,", index)
    assert [k.label for k in keys] == ["agent"]
    assert warnings == ["Ignored ';;;': no words in it.", "Ignored '--': no words in it."]
    assert parse_terms("", index) == ([], [])
    assert parse_terms(" , ,", index) == ([], [])


def test_duplicates_are_dropped(index):
    # one line per term, under the first spelling typed: agen* brings agent ("agents") again
    keys, _ = parse_terms("agent, Agent, AGENTS, agen*", index)
    assert [k.label for k in keys] == ["agent", "agentic", "agent-based", "agency", "agenda"]
    assert [k.label for k in parse_terms("time-series, TIMESERIES", index)[0]] == ["time-series"]
    # duplicates do not use up the 10 terms
    keys, warnings = parse_terms("agent, " * 20 + ", ".join(f"word{c}" for c in "abcdefghi"), index)
    assert len(keys) == 10 and not warnings


# --- drill-down -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "by, label, bounds, term, expected",
    [
        ("month", "2025-04", (dt.date(2025, 4, 1), dt.date(2025, 4, 30)), "agent", ["p12", "p13"]),
        ("month", "2024-12", (dt.date(2024, 12, 1), dt.date(2024, 12, 31)), "agent", []),
        ("quarter", "2025-Q1", (dt.date(2025, 1, 1), dt.date(2025, 3, 31)), "agent", ["p06", "p08", "p11"]),
        ("quarter", "2025-Q1", (dt.date(2025, 1, 1), dt.date(2025, 3, 31)), "time series", ["p06", "p07", "p10"]),
        ("year", "2024", (dt.date(2024, 1, 1), dt.date(2024, 12, 31)), "mixture of experts", ["p01", "p03"]),
        ("day", "2025-02-03", (dt.date(2025, 2, 3), dt.date(2025, 2, 3)), "agent", ["p08"]),
    ],
)
def test_period_bounds_and_papers_behind(index, table, dates, by, label, bounds, term, expected):
    p = periods(dates, by)
    assert period_bounds(p, label, by) == bounds
    rows = papers_behind(index, table, p, one_key(term, index), *bounds)
    assert [ORDER[r] for r in rows] == expected
    assert table.take(rows)["id"].to_pylist() == [ID[k] for k in expected]


def test_period_bounds_of_a_week_and_an_unknown_label(dates):
    p = periods(dates, "week")
    label = trends.period_label(p.index[0], "week")
    first, last = period_bounds(p, label, "week")
    assert (last - first).days == 6 and label == f"week of {first.isoformat()}"
    assert first <= dt.date(2024, 10, 7) <= last  # the first paper's week
    assert period_bounds(p, "2031-01", "month") is None
    assert period_bounds(periods(dates, "month"), "2025-13", "month") is None


# --- emerging and fading terms --------------------------------------------------------------------
@pytest.fixture(scope="module")
def emerging_fixture():
    table = build_table(EMERGING_PAPERS)
    return table, TermIndex.build(table), Periods.of(to_frame(table)["date"], "day")


def papers_between(first: dt.date, last: dt.date) -> int:
    return sum(first <= dt.date.fromisoformat(p["date"]) <= last for p in EMERGING_PAPERS.values())


def test_emerging_windows_exact(emerging_fixture):
    _, index, days = emerging_fixture
    _, _, info = emerging(index, days, 90, 365, min_support=1)
    assert info == {
        "recent_from": RECENT_FROM,
        "recent_to": RECENT_TO,
        "baseline_from": BASELINE_FROM,
        "baseline_to": BASELINE_TO,
        "recent_papers": 40,
        "baseline_papers": 80,
        "mixed": "",
    }
    assert papers_between(RECENT_FROM, RECENT_TO) == 40 and papers_between(BASELINE_FROM, BASELINE_TO) == 80
    # a paper on each edge: 2025-04-01 (older), 2025-04-02 (baseline), 2026-04-01 (baseline), 2026-04-02 (recent)
    assert {p["date"] for p in EMERGING_PAPERS.values()} >= {"2025-04-01", "2025-04-02", "2026-04-01", "2026-04-02"}
    _, _, short = emerging(index, days, 10, 20, min_support=1)
    assert (short["recent_from"], short["recent_to"]) == (dt.date(2026, 6, 21), dt.date(2026, 6, 30))
    assert (short["baseline_from"], short["baseline_to"]) == (dt.date(2026, 6, 1), dt.date(2026, 6, 20))
    assert short["recent_papers"] == papers_between(dt.date(2026, 6, 21), dt.date(2026, 6, 30))
    assert short["baseline_papers"] == papers_between(dt.date(2026, 6, 1), dt.date(2026, 6, 20))


def test_rising_and_fading_terms_come_first(emerging_fixture):
    _, index, days = emerging_fixture
    rising, fading, _ = emerging(index, days, 90, 365, min_support=1)
    assert list(rising.columns) == [
        "term",
        "baseline_share",
        "recent_share",
        "baseline_papers",
        "recent_papers",
        "z",
        "change",
    ]
    top = rising.iloc[0]
    assert top.term == "quantum"
    assert (top.baseline_papers, top.recent_papers) == (4, 24)
    assert (top.baseline_share, top.recent_share) == pytest.approx((4 / 80, 24 / 40), **EXACT)
    assert top.change == pytest.approx(24 / 40 - 4 / 80, **EXACT)
    bottom = fading.iloc[0]
    assert bottom.term == "convolution"
    assert (bottom.baseline_papers, bottom.recent_papers) == (28, 2)
    assert (bottom.baseline_share, bottom.recent_share) == pytest.approx((28 / 80, 2 / 40), **EXACT)
    assert (rising.z > 0).all() and (fading.z < 0).all()
    assert rising.z.is_monotonic_decreasing and fading.z.is_monotonic_increasing


def test_tiny_counts_do_not_outrank_a_large_change(emerging_fixture):
    """zebrafish goes from 0 to 1 paper: an infinite ratio of shares, but with the prior its
    score stays far below quantum's (4 -> 24 papers); so do the 1-paper tags."""
    _, index, days = emerging_fixture
    rising, _, _ = emerging(index, days, 90, 365, min_support=1, top=200)
    by_term = rising.set_index("term")
    assert (by_term.loc["zebrafish", "baseline_papers"], by_term.loc["zebrafish", "recent_papers"]) == (0, 1)
    assert rising.term.iloc[0] == "quantum"
    assert by_term.loc["zebrafish", "z"] < by_term.loc["quantum", "z"] / 2
    tags = rising[rising.term.str.startswith("tag")]  # every recent paper's own tag: 1 vs 0
    assert len(tags) == 40 and (tags.z < by_term.loc["quantum", "z"] / 2).all()
    # diffusion (25% -> 25%) is flat: far from both heads
    _, fading, _ = emerging(index, days, 90, 365, min_support=1, top=200)
    scores = pd.concat([rising, fading]).set_index("term").z
    assert abs(scores.get("diffusion", 0.0)) < 1


def test_min_support_generic_share_and_top(emerging_fixture, monkeypatch):
    _, index, days = emerging_fixture
    # support = papers in both windows: quantum 28, convolution 30, diffusion 30, zebrafish 1
    rising, fading, _ = emerging(index, days, 90, 365, min_support=29)
    assert "quantum" not in rising.term.tolist() and "zebrafish" not in rising.term.tolist()
    assert fading.term.iloc[0] == "convolution"
    rising, fading, _ = emerging(index, days, 90, 365)  # default support 20: both heads pass
    assert rising.term.iloc[0] == "quantum" and fading.term.iloc[0] == "convolution"
    assert "zebrafish" not in rising.term.tolist()
    rising, fading, _ = emerging(index, days, 90, 365, min_support=1, top=1)
    assert rising.term.tolist() == ["quantum"] and fading.term.tolist() == ["convolution"]
    # a term in more than GENERIC_SHARE of all papers is vocabulary: convolution is in 30 of 140
    monkeypatch.setattr(trends, "GENERIC_SHARE", 0.2)  # 28 papers allowed: quantum (28) stays
    rising, fading, _ = emerging(index, days, 90, 365, min_support=1)
    assert rising.term.iloc[0] == "quantum" and "convolution" not in fading.term.tolist()


def test_one_candidate_term_neither_rises_nor_fades(emerging_fixture):
    """Over the last 30 days against the 60 before, one term reaches a support of 20: its share
    of the terms is 1 in both windows, so it neither rises nor fades, and nothing is divided by
    zero on the way (its log-odds were inf - inf, a NaN dropped silently)."""
    _, index, days = emerging_fixture
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rising, fading, info = emerging(index, days, 30, 60, min_support=20)
        assert rising.empty and fading.empty
        assert info["recent_papers"] > 0 and info["baseline_papers"] > 0
        rising, fading, _ = emerging(index, days, 30, 60, min_support=1)  # many terms: compared
        assert not rising.empty and not fading.empty


def test_emerging_without_a_baseline_is_empty(emerging_fixture):
    _, index, days = emerging_fixture
    rising, fading, info = emerging(index, days, 1000, 365, min_support=1)
    assert rising.empty and fading.empty
    assert (info["recent_papers"], info["baseline_papers"]) == (140, 0)
    assert list(rising.columns) == [
        "term",
        "baseline_share",
        "recent_share",
        "baseline_papers",
        "recent_papers",
        "z",
        "change",
    ]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("quantum", True),
        ("mixture of expert", True),
        ("time sery", True),
        ("the model", False),
        ("model of", False),
        ("however", False),
        ("2024", False),
        ("model 2024", False),
        ("ab", False),
        ("qqfieldbreakqq", False),
    ],
)
def test_is_topic_term_without_index(name, expected):
    assert is_topic_term(name) is expected


def test_is_topic_term_needs_titles(index):
    assert is_topic_term("agent", index)  # in 7 of 11 titles
    assert not is_topic_term("pretraining", index)  # only in p05's abstract


# --- frequent terms -------------------------------------------------------------------------------
def test_frequent_terms_sorted_by_papers(index):
    frame = frequent_terms(index, top=30)
    assert list(frame.columns) == ["term", "papers", "share"]
    assert frame.papers.is_monotonic_decreasing
    assert frame.iloc[0].tolist() == ["agents", 11, pytest.approx(11 / 20, **EXACT)]
    papers = frame.set_index("term").papers
    assert papers["time series"] == len(TS_PAPERS) == 7
    assert papers["mixture of experts"] == len(MOE_PAPERS) == 6
    assert papers["models"] == len(brute(r"models?")) == 7
    assert (frame.share == frame.papers / 20).all()
    assert not {"a", "of", "for", "we", "and", "the"} & set(frame.term)
    assert len(frequent_terms(index, top=3)) == 3


# --- the saved index --------------------------------------------------------------------------------
def test_load_or_build_saves_reloads_and_prunes(tmp_path, monkeypatch):
    from lib.dataset import load
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    store = Store(tmp_path / "data")
    import_files(store, input_files([str(write_jsonl(tmp_path / "papers.jsonl"))], (".jsonl",)))
    ds = load(store)
    assert not ds.is_sample and ds.table.num_rows == 20
    built = terms_module.load_or_build(store, ds)
    saved = store.artifacts_dir / f"terms-{ds.version}"
    assert saved.is_dir() and (saved / "u_indices.npy").is_file()

    def no_build(*args, **kwargs):
        raise AssertionError("the saved index was rebuilt")

    with monkeypatch.context() as mp:
        mp.setattr(TermIndex, "build", classmethod(no_build))
        mp.setattr(terms_module.TermIndexes, "build_arrays", no_build)
        reloaded = terms_module.load_or_build(store, load(store))
    assert memory_mapped(reloaded.arrays["u_indices"])
    assert reloaded.unigrams == built.unigrams and reloaded.ngrams == built.ngrams
    keys, _ = parse_terms("agent, time series, fine-tuned models, agen*", reloaded)
    by = "quarter"
    p = ds.periods(by)
    pd.testing.assert_frame_equal(series(reloaded, ds.table, p, keys, by), series(built, ds.table, p, keys, by))
    assert term_frame(series(reloaded, ds.table, p, keys, by), "agent")["count"].tolist() == [2, 3, 3, 0, 0, 3]

    # a new import that only appends papers is a new version whose index is the old one plus a
    # segment of the new paper, made during the import: nothing is built when it is used
    more = dict(PAPERS["p01"], id="2603.00021", date="2026-03-02", title="Agents Again")
    import_files(store, input_files([str(write_jsonl(tmp_path / "more.jsonl", {"more": more}))], (".jsonl",)))
    ds2 = load(store)
    assert ds2.version != ds.version and ds2.table.num_rows == 21
    with monkeypatch.context() as mp:
        mp.setattr(TermIndex, "build", classmethod(no_build))
        mp.setattr(terms_module.TermIndexes, "build_arrays", no_build)
        extended = terms_module.load_or_build(store, ds2)
    assert extended.papers("agent") == 12 and extended.n_docs == 21
    assert sorted(p.name for p in store.artifacts_dir.glob("terms-*")) == sorted(
        [f"terms-{ds.version}", f"terms-{ds2.version}"]
    )  # the base stays: the new version stands on it
    for kind_keys in (keys,):
        full = TermIndex.build(ds2.table)
        p2 = ds2.periods(by)
        pd.testing.assert_frame_equal(
            series(extended, ds2.table, p2, kind_keys, by), series(full, ds2.table, p2, kind_keys, by)
        )

    # when the previous version has no saved index (or the chain is broken), it is built whole
    import shutil

    for path in store.artifacts_dir.glob("terms-*"):
        shutil.rmtree(path)
    calls = []
    original = terms_module.TermIndexes.build_arrays  # a whole build (a part at a time, lib.store.spill)

    def counting_build(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    with monkeypatch.context() as mp:
        mp.setattr(terms_module.TermIndexes, "build_arrays", counting_build)
        rebuilt = terms_module.load_or_build(store, ds2)
    assert calls == [1]
    assert rebuilt.papers("agent") == 12 and rebuilt.n_docs == 21
    assert sorted(p.name for p in store.artifacts_dir.glob("terms-*")) == [f"terms-{ds2.version}"]


def test_a_saved_index_of_another_format_is_rebuilt(tmp_path, monkeypatch):
    from lib.dataset import load
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    store = Store(tmp_path / "data")
    import_files(store, input_files([str(write_jsonl(tmp_path / "papers.jsonl"))], (".jsonl",)))
    ds = load(store)
    index = TermIndex.build(ds.table)
    stale = dict(index.to_arrays(), format=np.array([terms_module.FORMAT_VERSION - 1], dtype=np.int64))
    store.save_arrays(terms_module.ARTIFACT, ds.version, stale)
    calls = []
    original = terms_module.TermIndexes.build_arrays
    monkeypatch.setattr(terms_module.TermIndexes, "build_arrays", lambda *a, **k: calls.append(1) or original(*a, **k))
    terms_module.load_or_build(store, ds)
    assert calls == [1]


def test_the_sample_is_never_saved(tmp_path):
    from lib.dataset import load
    from lib.store.store import Store

    store = Store(tmp_path / "empty")
    ds = load(store)
    assert ds.is_sample
    index = terms_module.load_or_build(store, ds)
    assert index.n_docs == ds.table.num_rows == 1953
    assert not store.artifacts_dir.exists()


def test_trend_points_take_their_line_colour():
    """A term's points are filled with its line's colour (one scale), hollow where few papers."""
    from lib.charts import trend_chart

    tidy = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-02-01"] * 2),
            "value": [0.1, 0.2, 0.3, 0.4],
            "term": ["a", "a", "b", "b"],
            "label": ["Jan", "Feb"] * 2,
            "share": [0.1, 0.2, 0.3, 0.4],
            "count": [1, 2, 3, 4],
            "total": [10] * 4,
            "few": [False, True, False, False],
        }
    )
    spec = trend_chart(tidy, "share", 30).to_dict()
    line, points = spec["layer"][0]["encoding"], spec["layer"][1]["encoding"]
    for channel in ("fill", "stroke"):
        assert points[channel]["field"] == "term" and points[channel]["scale"] == line["color"]["scale"]
    assert points["fill"]["condition"] == {"test": "datum.few", "value": "transparent"}  # hollow in both themes


@pytest.mark.parametrize("block", [1, 3, 7, 1 << 24])
def test_column_stats_in_blocks_count_each_columns_selected_papers(index, block, monkeypatch):
    """Counting a mask's papers per column, a block of columns at a time (bounded memory at
    1M papers), gives what a plain loop over each column's postings gives."""
    import lib.trends.terms

    monkeypatch.setattr(lib.trends.terms, "STATS_BLOCK", block)
    rng = np.random.default_rng(block)
    masks = [rng.random(index.n_docs) < share for share in (0.3, 0.7)]
    for kind in ("u", "n"):
        counts, papers = index.column_stats(kind, masks)
        indptr, indices = index.all_postings(kind)
        assert len(indptr) > 2
        for column in range(len(indptr) - 1):
            rows = indices[indptr[column] : indptr[column + 1]]
            assert papers[column] == len(rows)
            for mask, count in zip(masks, counts):
                assert count[column] == int(mask[rows].sum())


# --- sources (issue 18): the denominator, corpora, unions and ratios ---------------------------------
# A small mixed store from real-format fixtures: eleven arXiv listings with categories (July to
# September 2025) and a Hugging Face API day (2025-09-08: one of those papers and one of its own).
# September holds both sources: 2 arXiv-only papers, 1 on both, 1 of the list only (50% arXiv
# only, against 10 of 12 = 83% over the series): that month is mixed, July and August are not.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LISTINGS = FIXTURES / "mixed" / "arxiv_listings_2025-07_09.jsonl"
HF_DAY = FIXTURES / "hf_api" / "2025-09-08.json"
AGENT_WORD = re.compile(r"\bagents?\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    from lib.dataset import load
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    data = tmp_path_factory.mktemp("mixed") / "data"
    import_files(Store(data), input_files([str(LISTINGS), str(HF_DAY)], (".jsonl", ".json")))
    ds = load(Store(data))
    return ds, TermIndex.build(ds.table)


def fixture_papers() -> dict[str, dict]:
    """The fixture files read with plain json: month, text, categories and sources per paper."""
    papers = {}
    for line in LISTINGS.read_text().splitlines():
        r = json.loads(line)
        papers[r["id"]] = {
            "month": r["date"][:7],
            "text": f"{r['title']} {r['abstract']}",
            "cats": r["categories"],
            "sources": {"arxiv"},
        }
    for item in json.loads(HF_DAY.read_text()):
        paper = item["paper"]
        entry = papers.setdefault(paper["id"], {"month": "2025-09", "text": "", "cats": [], "sources": set()})
        entry["text"] += f" {item['title']} {item['summary']} {' '.join(paper.get('ai_keywords') or [])}"
        entry["sources"].add("hf")
    return papers


def corpus_months(papers, keep, mentions) -> list[tuple[str, int, int]]:
    """(month, papers of the corpus mentioning, papers of the corpus) for July–September."""
    return [
        (
            m,
            sum(keep(p) and mentions(p) for p in papers.values() if p["month"] == m),
            sum(keep(p) for p in papers.values() if p["month"] == m),
        )
        for m in ("2025-07", "2025-08", "2025-09")
    ]


def rows_of(tidy: pd.DataFrame, term: str) -> list[tuple[str, int, int]]:
    part = tidy[tidy["term"] == term]
    return list(zip(part["label"], part["count"].astype(int), part["total"].astype(int)))


def test_corpus_lines_count_within_their_corpus(mixed):
    ds, index = mixed
    keys, warnings = parse_terms("agent:hf, agent:arxiv, agent:cs.CL, agent:cs.CV, agent", index, ds.table)
    assert warnings == [] and [k.label for k in keys] == [
        "agent:hf",
        "agent:arxiv",
        "agent:cs.CL",
        "agent:cs.CV",
        "agent",
    ]
    tidy = series(index, ds.table, ds.periods("month"), keys, "month")
    papers = fixture_papers()
    agent = lambda p: bool(AGENT_WORD.search(p["text"]))
    for label, keep in (
        ("agent:hf", lambda p: "hf" in p["sources"]),
        ("agent:arxiv", lambda p: "arxiv" in p["sources"]),
        ("agent:cs.CL", lambda p: "cs.CL" in p["cats"]),
        ("agent:cs.CV", lambda p: "cs.CV" in p["cats"]),
        ("agent", lambda p: True),
    ):
        assert rows_of(tidy, label) == corpus_months(papers, keep, agent), label
    line = tidy[tidy["term"] == "agent:cs.CV"]
    assert line["share"].tolist() == pytest.approx([0 / 2, 1 / 2, 0 / 1])  # within the corpus


def test_a_union_counts_a_paper_once_and_a_ratio_divides_paper_counts(mixed):
    ds, index = mixed
    keys, warnings = parse_terms("agent + tools, (agent) / (diffusion), agent, tools", index, ds.table)
    assert warnings == []
    tidy = series(index, ds.table, ds.periods("month"), keys, "month", norm="count")
    papers = fixture_papers()
    tools = lambda p: bool(re.search(r"\btools?\b", p["text"], re.I))
    agent = lambda p: bool(AGENT_WORD.search(p["text"]))
    union = rows_of(tidy, "agent + tools")
    assert union == corpus_months(papers, lambda p: True, lambda p: agent(p) or tools(p))
    assert union[2][1] < rows_of(tidy, "agent")[2][1] + rows_of(tidy, "tools")[2][1]  # 2509.05501 has both: once
    ratio = tidy[tidy["term"] == "(agent) / (diffusion)"]
    diffusion = lambda p: "diffusion" in p["text"].lower()
    expected = [
        (m, a, d)
        for (m, a, _), (_, d, _) in zip(
            corpus_months(papers, lambda p: True, agent), corpus_months(papers, lambda p: True, diffusion)
        )
    ]
    assert rows_of(tidy, "(agent) / (diffusion)") == expected
    assert ratio["value"].tolist() == pytest.approx([a / d for _, a, d in expected])  # norm=count does not apply
    assert ratio["ratio"].all() and not tidy[tidy["term"] == "agent"]["ratio"].any()
    assert (tidy[tidy["term"] == "agent"]["value"] == tidy[tidy["term"] == "agent"]["count"]).all()


def test_lines_combine_keep_their_label_and_list_their_papers(mixed):
    ds, index = mixed
    (key,), warnings = parse_terms("(Agent + agents):HF", index, ds.table)
    assert warnings == [] and key.label == "(Agent + agents):HF" and key.corpus == "hf"
    assert ds.table["id"].to_numpy()[trends.term_rows(index, ds.table, key)].tolist() == ["2509.05501"]
    periods = ds.periods("month")
    assert period_bounds(periods, "2025-09", "month") == (dt.date(2025, 9, 1), dt.date(2025, 9, 30))
    rows = papers_behind(index, ds.table, periods, key, dt.date(2025, 9, 1), dt.date(2025, 9, 30))
    assert ds.table["id"].to_numpy()[rows].tolist() == ["2509.05501"]
    assert trends.search_of(key) == ("agent", {"src": "hf"})
    (category,), _ = parse_terms("agent:cs.cl", index, ds.table)
    assert category.corpus == "cs.CL" and trends.search_of(category, "arxiv") == (
        "agent",
        {"cat": "cs.CL", "src": "arxiv"},
    )
    # the drill-down's pick (TERM@PERIOD) splits at the last @
    assert "(Agent + agents):HF@2025-09".rpartition("@") == ("(Agent + agents):HF", "@", "2025-09")


@pytest.mark.parametrize(
    "text, warning",
    [
        ("(agent", "parentheses do not match"),
        ("agent)) + (tools", "parentheses do not match"),
        ("agent +", "one side of + or / is empty"),
        ("/ diffusion", "one side of + or / is empty"),
        ("(agent) / ()", "one side of + or / is empty"),
        ("agent:zz.XX", "no corpus 'zz.XX'"),
        ("(agent) / (tools) / (diffusion)", "one / per line"),
        ("agent + (tools / diffusion)", "a ratio (/) inside a sum"),
        ("agent + ---", "no words in '---'"),
        ("zzq* + agent", "No term starts with 'zzq'"),
    ],
)
def test_bad_line_syntax_is_a_warning_never_a_traceback(mixed, text, warning):
    ds, index = mixed
    keys, warnings = parse_terms(f"{text}, diffusion", index, ds.table)
    assert [k.label for k in keys] == ["diffusion"]  # the slip is skipped, the rest drawn
    assert len(warnings) == 1 and warning in warnings[0], warnings


@pytest.mark.parametrize(
    "text, lines",
    [
        ("agent: a survey", ["agent: a survey"]),  # a space after the colon: a phrase, as it always was
        ("(agent)", ["(agent)"]),
        ("agent + agents", ["agent + agents"]),
        ("agent, agents + agent", ["agent"]),  # one line per set of papers, under its first spelling
        ("tools + agent, agent + tools", ["tools + agent"]),
        ("agent:hf, agent:arxiv", ["agent:hf", "agent:arxiv"]),
    ],
)
def test_line_syntax(mixed, text, lines):
    ds, index = mixed
    keys, warnings = parse_terms(text, index, ds.table)
    assert warnings == [] and [k.label for k in keys] == lines


def test_composition_marks_the_mixed_period(mixed):
    ds, _ = mixed
    strip = trends.composition(ds.periods("month"), *ds.mix)
    assert list(strip.columns) == ["period", "label", "key", "sources", "papers", "total", "share", "mixed", "why"]
    papers = fixture_papers()
    for month in ("2025-07", "2025-08", "2025-09"):
        part = strip[strip["label"] == month]
        expected = defaultdict(int)
        for p in papers.values():
            if p["month"] == month:
                expected["+".join(s for s in ("hf", "arxiv") if s in p["sources"])] += 1
        assert dict(zip(part["key"], part["papers"])) == dict(expected)
    mixed_months = strip.drop_duplicates("label").set_index("label")
    assert mixed_months["mixed"].to_dict() == {"2025-07": False, "2025-08": False, "2025-09": True}
    assert mixed_months.loc["2025-09", "why"] == (
        "Mixed sources: 50% arXiv here, 83% over the series — a rise may only be a change of what was imported"
    )
    assert set(strip["sources"]) == {"arXiv", "Hugging Face daily list", "Hugging Face daily list and arXiv"}
    # the series carries the same marks; a corpus of one source, or one source's periods: nothing mixed
    _, index = mixed
    keys, _ = parse_terms("agent, agent:hf", index, ds.table)
    tidy = series(index, ds.table, ds.periods("month"), keys, "month", mix=ds.mix)
    assert tidy[tidy["term"] == "agent"]["mixed"].tolist() == [False, False, True]
    assert tidy.loc[tidy["mixed"], "why"].str.startswith("Mixed sources: 50% arXiv").all()
    assert not tidy[tidy["term"] == "agent:hf"]["mixed"].any()
    for src in ("hf", "arxiv"):
        alone = trends.composition(ds.periods("month", src), *ds.mix, src=src)
        assert not alone["mixed"].any() and alone["key"].unique().tolist() == [src]
        assert not series(index, ds.table, ds.periods("month", src), keys, "month", mix=ds.mix)["mixed"].any()
    # a day range: the strip covers the chart's periods only
    ranged = trends.composition(ds.periods("month"), *ds.mix, dt.date(2025, 8, 1), dt.date(2025, 9, 30))
    assert ranged["label"].unique().tolist() == ["2025-08", "2025-09"]


def test_emerging_says_when_its_windows_hold_different_sources(mixed):
    ds, index = mixed
    # recent: 2025-08-18 .. 2025-09-16 (4 of 6 papers arXiv only), baseline before it (all arXiv only)
    _, _, info = emerging(index, ds.periods("day"), 30, 365, min_support=1, mix=ds.mix)
    assert (info["recent_papers"], info["baseline_papers"]) == (6, 6)
    assert info["mixed"].startswith(
        "The two windows hold different sources: 67% of the recent papers are from arXiv, "
        "against 100% of the baseline's."
    )
    assert "hf" not in info["mixed"].split()
    assert emerging(index, ds.periods("day", "arxiv"), 30, 365, min_support=1, mix=ds.mix)[2]["mixed"] == ""
    assert emerging(index, ds.periods("day"), 30, 365, min_support=1)[2]["mixed"] == ""  # no mix given
