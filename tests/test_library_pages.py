"""lib.library.Library's whole answers for the Trends, Topics and Daily Papers pages
(Library.trend, emerging_terms, topics, daily), on real stores imported through the real
importer: every decision the pages used to make (terms parsed, a backwards day range, a source
the table lacks, a pick off the chart, a topic the model lacks, a day outside the table, a
page past the last, a day without a daily list, the neighbours of a day) is checked here
against counts read off the fixtures; the CLI prints the same answer; and the Library computes
each artifact once per key while different keys are computed at the same time (real threads)."""

from __future__ import annotations

import collections
import datetime as dt
import io
import json
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import topics_fixture as tfx
from conftest import THREE_DAYS, write_jsonl
from test_app_home import HF_DAY, HF_LISTED, import_mixed
from trends_fixture import AGENT_PAPERS, EMERGING_PAPERS, ID, PAPERS
from trends_fixture import write_jsonl as write_trend_papers

from lib.cli import main
from lib.errors import InputError, StoreError
from lib.library import DRILL_PAPERS, TOPIC_PAPERS, TREND_TERMS, Library, Notice
from lib.store.importer import import_files
from lib.store.store import Store, input_files
from lib.topics import topics
from lib.trends import trends
from lib.urlstate import HOME, TOPICS, TRENDS

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def import_into(data: Path, *sources: Path) -> Store:
    store = Store(data)
    import_files(store, input_files([str(s) for s in sources], (".jsonl", ".json")))
    return store


def trend_state(**values) -> dict:
    return {**TRENDS.decode({})[0], **values}


def topics_state(**values) -> dict:
    return {**TOPICS.decode({})[0], **values}


def home_state(**values) -> dict:
    return {**HOME.decode({})[0], **values}


def texts(notices) -> list[str]:
    return [n.text for n in notices]


# --- stores ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trend_store(tmp_path_factory) -> Store:
    """tests/trends_fixture.py's 20 papers (2024-10 .. 2026-02), one source."""
    tmp = tmp_path_factory.mktemp("library-trends")
    return import_into(tmp / "data", write_trend_papers(tmp / "papers.jsonl"))


@pytest.fixture(scope="module")
def emerging_store(tmp_path_factory) -> Store:
    tmp = tmp_path_factory.mktemp("library-emerging")
    return import_into(tmp / "data", write_trend_papers(tmp / "emerging.jsonl", EMERGING_PAPERS))


@pytest.fixture(scope="module")
def mixed_trend_store(tmp_path_factory) -> Store:
    """Eleven arXiv listings (2025-07..09) and a Hugging Face API day: two sources."""
    tmp = tmp_path_factory.mktemp("library-mixed")
    return import_into(
        tmp / "data", FIXTURES / "mixed" / "arxiv_listings_2025-07_09.jsonl", FIXTURES / "hf_api" / "2025-09-08.json"
    )


@pytest.fixture(scope="module")
def topics_store(tmp_path_factory) -> Store:
    """tests/topics_fixture.py's 120 papers in three themes, the models with 3 topics (one
    area) and 12 topics (four areas) saved, in that order (the register then remembers ids of
    the 12 that the 3 lack)."""
    tmp = tmp_path_factory.mktemp("library-topics")
    store = import_into(tmp / "data", write_jsonl(tmp / "topics.jsonl", tfx.plain(tfx.papers())))
    Library.open(store).topic_model(3)
    Library.open(store).topic_model(12)
    return store


def copied_store(store: Store, tmp_path: Path) -> Store:
    """A copy of a module's store, for a test that writes (renames, refits, fits)."""
    shutil.copytree(store.path, tmp_path / "copy")
    return Store(tmp_path / "copy")


@pytest.fixture(scope="module")
def split_store(tmp_path_factory) -> Store:
    """The topics fixture's papers with arXiv categories (cs.CV for every other paper, cs.CL
    then cs.AI for the rest), one in four also on the Hugging Face daily list."""
    tmp = tmp_path_factory.mktemp("library-topics-split")
    records = [
        {
            **r,
            "categories": ["cs.CV"] if i % 2 == 0 else ["cs.CL", "cs.AI"],
            **({"sources": ["hf", "arxiv"], "hf_day": r["date"]} if i % 4 == 0 else {}),
        }
        for i, r in enumerate(tfx.plain(tfx.papers()))
    ]
    store = import_into(tmp / "data", write_jsonl(tmp / "topics.jsonl", records))
    Library.open(store).topic_model(3)
    return store


@pytest.fixture
def three_days(three_day_store) -> Library:
    return Library.open(Store(three_day_store))


@pytest.fixture
def mixed_days(empty_store, tmp_path) -> Library:
    """test_app_home's mixed store: a Hugging Face API day (2 papers) and arXiv listings."""
    import_mixed(empty_store, tmp_path / "inputs")
    return Library.open(Store(empty_store))


# --- trends -------------------------------------------------------------------------------------------
def test_terms_are_parsed_and_a_slip_is_a_warning_about_them(trend_store):
    answer = Library.open(trend_store).trend(trend_state(terms="agent, zzq*, ---, time series"))
    assert [k.label for k in answer.keys] == ["agent", "time series"]
    assert answer.warnings == (
        Notice("No term starts with 'zzq'.", query=True),
        Notice("Ignored '---': no words in it.", query=True),
    )
    assert list(answer.series["term"].unique()) == ["agent", "time series"]
    assert answer.state["terms"] == "agent, zzq*, ---, time series"  # what was typed stays


def test_the_time_budget_of_a_trend_starts_after_what_the_table_computes_once(trend_store, monkeypatch):
    """Each paper's period and its mix of sources are computed once per table (at 2.7M papers most
    of a second): the first trend of a new version is not cut short by them."""
    from lib.dataset import Dataset

    slow = {"periods": Dataset.periods}

    def periods_after_a_pause(self, by, src="all"):
        time.sleep(0.3)  # as a table of millions of papers takes
        return slow["periods"](self, by, src)

    monkeypatch.setenv("PAPERS_QUERY_SECONDS", "0.2")
    monkeypatch.setattr(Dataset, "periods", periods_after_a_pause)
    answer = Library.open(trend_store).trend(trend_state(terms="agent, diffusion"))
    assert not [t for t in texts(answer.warnings) if t.startswith("Stopped after")]
    assert set(answer.series["term"]) == {"agent", "diffusion"}


def test_a_backwards_day_range_is_swapped_saying_so(trend_store):
    library = Library.open(trend_store)
    backwards = library.trend(trend_state(terms="agent", **{"from": dt.date(2025, 4, 30), "to": dt.date(2025, 1, 1)}))
    forwards = library.trend(trend_state(terms="agent", **{"from": dt.date(2025, 1, 1), "to": dt.date(2025, 4, 30)}))
    assert texts(backwards.warnings) == ["The day range ended before it started; the two days were swapped."]
    assert (backwards.state["from"], backwards.state["to"]) == (dt.date(2025, 1, 1), dt.date(2025, 4, 30))
    assert not forwards.warnings
    assert list(backwards.series["label"]) == ["2025-01", "2025-02", "2025-03", "2025-04"]
    pd.testing.assert_frame_equal(backwards.series, forwards.series)


def test_a_source_the_table_lacks_falls_back_to_all_sources(trend_store):
    answer = Library.open(trend_store).trend(trend_state(terms="agent", src="hf"))
    assert answer.state["src"] == "all"
    assert texts(answer.warnings) == ["This table holds no papers from Hugging Face daily list; showing all sources."]
    held = Library.open(trend_store).trend(trend_state(terms="agent", src="file:papers.jsonl"))
    assert held.state["src"] == "file:papers.jsonl" and not held.warnings


def test_the_picked_point_lists_its_papers_most_upvoted_then_newest(trend_store):
    answer = Library.open(trend_store).trend(trend_state(terms="agent", pick="agent@2025-04"))
    drill = answer.drill
    assert drill is not None and not answer.warnings
    april = [key for key in AGENT_PAPERS if PAPERS[key]["date"].startswith("2025-04")]  # p12, p13
    assert drill.total == len(april) == 2
    # no upvotes in the fixture: newest first
    assert list(drill.papers["id"]) == [ID["p13"], ID["p12"]]
    assert (drill.first, drill.last) == (dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    assert drill.search_state == {
        "q": "agent",
        "from": dt.date(2025, 4, 1),
        "to": dt.date(2025, 4, 30),
        "sort": "newest",
    }


def test_the_drill_down_keeps_within_the_day_range(trend_store):
    state = trend_state(terms="agent", pick="agent@2025-04", **{"from": dt.date(2025, 4, 10)})
    drill = Library.open(trend_store).trend(state).drill
    assert drill is not None
    assert (drill.first, drill.last) == (dt.date(2025, 4, 10), dt.date(2025, 4, 30))
    assert list(drill.papers["id"]) == [ID["p13"]]  # p12 is of 2025-04-01


def test_the_drill_down_lists_at_most_its_share_of_papers(tmp_path):
    many = {
        f"m{i}": dict(
            id=f"2503.{i:05d}", date="2025-03-10", title=f"Agent {i}", abstract="", authors=["A"], upvotes=i % 7
        )
        for i in range(DRILL_PAPERS + 5)
    }
    many["old"] = dict(id="2502.00001", date="2025-02-01", title="Old", abstract="", authors=["B"])
    store = import_into(tmp_path / "data", write_trend_papers(tmp_path / "many.jsonl", many))
    drill = Library.open(store).trend(trend_state(terms="agent", pick="agent@2025-03")).drill
    assert drill is not None and drill.total == DRILL_PAPERS + 5
    assert len(drill.papers) == DRILL_PAPERS
    assert list(drill.papers["upvotes"]) == sorted(drill.papers["upvotes"], reverse=True)


def test_a_pick_off_the_chart_is_dropped_saying_so(trend_store):
    library = Library.open(trend_store)
    for pick, term, label in (("agent@2030-01", "agent", "2030-01"), ("robots@2025-04", "robots", "2025-04")):
        answer = library.trend(trend_state(terms="agent", pick=pick))
        assert answer.drill is None and answer.state["pick"] == ""
        assert texts(answer.warnings) == [f"Ignored pick={pick!r}: no point of this chart is “{term}” in {label}."]


def test_nothing_to_draw_leaves_the_pick_alone(trend_store):
    answer = Library.open(trend_store).trend(trend_state(terms="zzq*", pick="agent@2025-04"))
    assert answer.series.empty and answer.drill is None
    assert answer.state["pick"] == "agent@2025-04"
    assert texts(answer.warnings) == ["No term starts with 'zzq'."]


def test_marked_periods_are_read_off_the_series(trend_store):
    answer = Library.open(trend_store).trend(trend_state(terms="agent"))
    assert answer.strip is None  # one source: no composition strip
    assert answer.mixed == ()
    assert answer.few == tuple(answer.series["label"])  # every month of the fixture has fewer than 30 papers


def test_two_sources_draw_the_strip_and_mark_mixed_periods(mixed_trend_store):
    library = Library.open(mixed_trend_store)
    answer = library.trend(trend_state(terms="agent"))
    assert answer.strip is not None
    periods = library.dataset.periods("month")
    pd.testing.assert_frame_equal(answer.strip, trends.composition(periods, *library.dataset.mix))
    assert "2025-09" in answer.mixed  # the month of the Hugging Face day
    assert answer.mixed == tuple(answer.series.loc[answer.series["mixed"], "label"].unique())
    one = library.trend(trend_state(terms="agent", src="hf"))
    assert one.strip is not None and one.mixed == ()  # one source: one population


def test_one_day_gives_the_terms_frequencies_instead_of_a_trend(one_day_store):
    library = Library.open(Store(one_day_store))
    answer = library.trend(trend_state(terms="diffusion, agent", pick="agent@2025-08"))
    assert answer.one_day and library.one_day
    papers = library.dataset.overview.papers
    counted = {k.label: len(trends.term_rows(library.term_index, library.dataset.table, k)) for k in answer.keys}
    assert dict(zip(answer.day_terms["term"], answer.day_terms["papers"])) == counted
    assert list(answer.day_terms["share"]) == [counted[t] / papers for t in answer.day_terms["term"]]
    assert answer.frequent is not None and len(answer.frequent) <= 25 and not answer.frequent.empty
    assert answer.drill is None and answer.state["pick"] == "agent@2025-08"  # one day: no point to pick


def test_emerging_terms_of_a_state(emerging_store):
    library = Library.open(emerging_store)
    answer = library.emerging_terms(trend_state())
    assert answer.rising["term"].iloc[0] == "quantum" and answer.fading["term"].iloc[0] == "convolution"
    assert answer.info["recent_papers"] == 40 and answer.info["baseline_papers"] == 80
    assert answer.mixed == "" and not answer.warnings
    lacking = library.emerging_terms(trend_state(src="hf"))
    assert lacking.state["src"] == "all"
    assert texts(lacking.warnings) == ["This table holds no papers from Hugging Face daily list; showing all sources."]
    pd.testing.assert_frame_equal(lacking.rising, answer.rising)
    shorter = library.emerging_terms(trend_state(), top=1)
    assert list(shorter.rising["term"]) == ["quantum"]


# --- topics -------------------------------------------------------------------------------------------------
def rowing_share(library: Library, rows) -> float:
    """The share of ``rows`` that are papers of the fixture's rowing theme."""
    themes = tfx.themes_by_id()
    ids = library.dataset.frame["id"].to_numpy()[np.asarray(rows, dtype=np.int64)]
    return float(np.mean([themes[i] == "rowing" for i in ids])) if len(ids) else 0.0


def test_a_topic_the_model_lacks_shows_all_areas_saying_so(topics_store):
    library = Library.open(topics_store)
    answer = library.topics(topics_state(k=3, topic=999))
    assert answer.state["topic"] == -1 and answer.topic is None and answer.view == "areas"
    assert texts(answer.warnings) == ["Ignored topic=999: none of the 3 topics found has this id; showing all areas."]
    assert answer.points is not None and answer.emerging is not None
    area = library.topics(topics_state(k=12, area=999))
    assert area.view == "areas" and area.state["area"] == -1
    assert texts(area.warnings) == ["Ignored area=999: none of the 4 areas found has this id; showing all areas."]


def test_an_id_the_model_lacks_opens_its_successor_saying_so(topics_store):
    """The register remembers the 12 topics' ids: a link to one of them, opened with 3 topics,
    opens the 3 topics' topic most like it (the same theme), and says so."""
    library = Library.open(topics_store)
    fine, coarse = library.topic_model(12), library.topic_model(3)
    lacking = [int(i) for i in fine.ids_ if coarse.row_of(int(i)) is None]
    assert lacking, "the 12 topics have ids the 3 topics lack"
    rowing = max(lacking, key=lambda i: rowing_share(library, fine.members(fine.row_of(i))))
    assert rowing_share(library, fine.members(fine.row_of(rowing))) == 1.0
    answer = library.topics(topics_state(k=3, topic=rowing))
    page = answer.topic
    assert page is not None and answer.state["topic"] == page.topic != rowing
    assert rowing_share(library, coarse.members(coarse.row_of(page.topic))) == 1.0  # the same subject
    old = fine.labels_[fine.row_of(rowing)]
    assert texts(answer.warnings) == [
        f"topic={rowing} (“{old}”) is now part of topic {page.topic}, “{page.label}”: showing it."
    ]


def test_automatic_k_is_the_librarys(topics_store):
    library = Library.open(topics_store)
    answer = library.topics(topics_state())
    assert answer.model.n_topics == library.auto_k() == topics.auto_k(120)
    assert answer.state["k"] == 0  # the link stays automatic


def test_the_default_view_is_all_areas(topics_store):
    library = Library.open(topics_store)
    answer = library.topics(topics_state(k=12))
    model = library.topic_model(12)
    assert answer.view == "areas" and answer.model is model and answer.counted is None and not answer.warnings
    assert model.n_areas == 4
    pd.testing.assert_frame_equal(answer.summary, model.summary())
    pd.testing.assert_frame_equal(answer.areas, model.areas())
    assert answer.areas["papers"].sum() == 120 and answer.areas["topics"].sum() == 12
    # the chart over time: the areas' shares, each month's stacking to 100%
    assert set(answer.over_time["topic"]) == set(model.area_ids_.tolist())
    pd.testing.assert_frame_equal(
        answer.over_time,
        topics.shares_over_time(model, library.dataset.periods("month"), "month", area=True),
    )
    for _, month in answer.over_time.groupby("label"):
        assert month["share"].sum() == pytest.approx(1.0)
    assert answer.strip is None and answer.mixed == ()  # one source
    points = answer.points  # the map coloured by area: a click opens the area
    assert points is not None and len(points) == len(model.map_rows_)
    areas = model.paper_area_rows()[model.map_rows_]
    assert list(points["topic"]) == [int(model.area_ids_[a]) for a in areas]
    assert list(points["name"]) == [model.area_labels_[a] for a in areas]
    titles = library.dataset.papers(model.map_rows_, ["title"])["title"]
    assert list(points["title"]) == list(titles)
    periods = library.dataset.periods("month")
    pd.testing.assert_frame_equal(answer.emerging, topics.emerging_topics(model, periods))
    assert answer.emerging_mixed == "" and answer.area is None and answer.topic is None and answer.where is None


def test_the_quality_line(topics_store):
    library = Library.open(topics_store)
    answer = library.topics(topics_state(k=12))
    model = answer.model
    assert answer.quality.startswith(
        f"12 topics in 4 areas, found in 120 papers in {model.seconds_:.0f} s · mean coherence (NPMI of the "
        f"top 10 terms): topics {model.mean_coherence:.2f}, areas {np.mean(model.area_coherence_):.2f} · "
        f"topic diversity {model.diversity:.2f} · {int((model.coherence_ < topics.WEAK_NPMI).sum())} weak topics"
    )
    model.boilerplate_ = [f"word{i}" for i in range(25)]  # a copy's: the shared model is not this one
    try:
        assert answer.quality.endswith(
            " · boilerplate set aside: " + ", ".join(f"word{i}" for i in range(20)) + " … (+5)"
        )
    finally:
        model.boilerplate_ = []


def test_an_area_lists_only_its_topics(topics_store):
    library = Library.open(topics_store)
    model = library.topic_model(12)
    for area_row, area_id in enumerate(model.area_ids_.tolist()):
        answer = library.topics(topics_state(k=12, area=area_id))
        area = answer.area
        assert answer.view == "area" and area is not None and area.area == area_id and not answer.warnings
        mine = [int(model.ids_[t]) for t in np.flatnonzero(model.area_of_ == area_row)]
        assert sorted(area.topics["topic"]) == sorted(mine) and set(area.topics["area"]) == {area_id}
        assert area.label == model.area_labels_[area_row]
        assert area.papers == int(area.topics["papers"].sum()) == len(model.area_members(area_row))
        assert set(area.over_time["topic"]) == set(mine)
        assert list(area.terms["term"]) == [t for t, _ in model.top_terms(area_row, area=True)]
        points = answer.points  # its papers of the map, coloured by fine topic
        assert points is not None and set(points["topic"]) <= set(mine)
        inside = model.paper_area_rows()[model.map_rows_] == area_row
        assert len(points) == int(inside.sum())
        assert answer.emerging is None


def test_one_topics_page(topics_store):
    library = Library.open(topics_store)
    model = library.topic_model(3)
    topic = int(model.ids_[1])
    answer = library.topics(topics_state(k=3, topic=topic))
    page = answer.topic
    assert page is not None and page.topic == topic and not answer.warnings and answer.view == "topic"
    members = model.members(1)
    assert page.label == model.labels_[1] and page.papers == len(members) == 40
    assert page.share == pytest.approx(40 / 120)
    # the breadcrumbs: its area; its quality and status
    assert (page.area, page.area_label) == (
        int(model.area_ids_[model.area_of_[1]]),
        model.area_labels_[model.area_of_[1]],
    )
    assert page.coherence == pytest.approx(model.coherence_[1]) and page.weak == (
        model.coherence_[1] < topics.WEAK_NPMI
    )
    assert page.status == model.status_[1]
    best = model.representative(members, 1)
    assert page.subtitle == library.dataset.frame["title"].iloc[int(best[0])]
    assert list(page.terms["term"]) == [t for t, _ in model.top_terms(1)]
    assert page.trend_terms == ", ".join(list(page.terms["term"])[:TREND_TERMS])
    assert list(page.representative["id"]) == list(
        library.dataset.papers(model.representative(members, TOPIC_PAPERS))["id"]
    )
    assert page.upvoted is not None and len(page.upvoted) == TOPIC_PAPERS
    upvotes = library.dataset.frame["upvotes"].to_numpy()[members]
    assert list(page.upvoted["upvotes"]) == sorted(upvotes, reverse=True)[:TOPIC_PAPERS]
    days = list(page.feed["date"])
    assert days == sorted(days, reverse=True) and len(page.feed) == 40  # every paper of the topic, newest first
    assert set(page.over_time["topic"]) == {topic} and page.split is None
    assert page.authors["papers"].sum() >= 40
    assert answer.points is None and answer.emerging is None  # all areas' parts are not computed


def test_a_topic_and_an_area_together_show_the_topic(topics_store):
    library = Library.open(topics_store)
    model = library.topic_model(12)
    answer = library.topics(topics_state(k=12, topic=int(model.ids_[0]), area=int(model.area_ids_[-1])))
    assert answer.view == "topic" and answer.state["area"] == -1
    assert texts(answer.warnings) == [f"Ignored area={int(model.area_ids_[-1])}: a topic's page shows its own area."]


def test_a_topic_split_by_category_and_by_source(split_store):
    library = Library.open(split_store)
    model = library.topic_model(3)
    topic = int(model.ids_[0])
    members = model.members(0)
    frame = library.dataset.frame
    by_category = library.topics(topics_state(k=3, topic=topic, split="category", by="year")).topic
    assert by_category is not None and by_category.split is not None
    first = [c[0] for c in frame["categories"].iloc[members]]  # a paper's first category
    expected = collections.Counter((str(frame["date"].iloc[r].year), c) for r, c in zip(members, first))
    got = {(row.label, row.group): row.papers for row in by_category.split.itertuples() if row.papers}
    assert got == dict(expected) and set(by_category.split["group"]) == {"cs.CV", "cs.CL"}
    by_source = library.topics(topics_state(k=3, topic=topic, split="source", by="year")).topic
    assert by_source is not None and by_source.split is not None
    listed = frame["sources"].iloc[members].map(lambda s: "hf" in list(s)).to_numpy()
    totals = by_source.split.groupby("group")["papers"].sum().to_dict()
    assert totals == {
        "Hugging Face daily list and arXiv": int(listed.sum()),
        "arXiv": int((~listed).sum()),  # a paper with arXiv categories is an arXiv paper
    }
    # within the day range only
    ranged = library.topics(
        topics_state(k=3, topic=topic, split="category", **{"from": dt.date(2024, 1, 1), "to": dt.date(2024, 12, 31)})
    ).topic
    assert ranged is not None and ranged.split is not None
    assert ranged.split["papers"].sum() == sum(1 for r in members if frame["date"].iloc[r].year == 2024)


def test_where_is_by_words(topics_store):
    library = Library.open(topics_store)
    model = library.topic_model(12)
    answer = library.topics(topics_state(k=12, q="galaxy telescope"))
    where = answer.where
    assert where is not None and where.message == "" and answer.view == "areas"
    words = {"galaxy", "telescope"}
    frame = library.dataset.frame
    holding = [
        r
        for r in range(len(frame))
        if words <= set((frame["title"].iloc[r] + " " + frame["abstract"].iloc[r]).lower().replace(".", "").split())
    ]
    assert sorted(where.rows) == holding and len(holding) > 5
    counts = collections.Counter(int(model.ids_[model.dominant_[r]]) for r in holding)
    assert dict(zip(where.topics["topic"], where.topics["papers"])) == dict(counts)
    assert list(where.topics["papers"]) == sorted(counts.values(), reverse=True)
    astronomy = {int(model.ids_[t]) for t in set(model.dominant_[holding])}
    assert set(where.topics["topic"]) == astronomy and rowing_share(library, holding) == 0.0
    assert where.summary == f"{len(holding)} papers match “galaxy telescope”, in {len(counts)} topics:"


def test_where_is_a_paper_by_its_id(topics_store):
    library = Library.open(topics_store)
    model = library.topic_model(12)
    paper = library.dataset.frame["id"].iloc[7]
    where = library.topics(topics_state(k=12, q=f"https://arxiv.org/abs/{paper}")).where
    assert where is not None and list(where.rows) == [7]
    assert list(where.topics["topic"]) == [int(model.ids_[model.dominant_[7]])] and list(where.topics["papers"]) == [1]
    assert where.paper == library.dataset.frame["title"].iloc[7]


@pytest.mark.parametrize(
    "q, message",
    [
        ("-galaxy", "“-galaxy” has no word to look for: type words (e.g. speculative decoding) or a paper id."),
        ("2509.99999", "arXiv 2509.99999 is not in the table."),
        ("zeppelin", "No paper matches “zeppelin” here."),
    ],
)
def test_where_is_says_why_it_lists_nothing(topics_store, q, message):
    answer = Library.open(topics_store).topics(topics_state(k=12, q=q))
    assert answer.where is not None and answer.where.topics.empty and answer.where.summary == message


def test_a_rename_persists_across_refits_and_a_taken_name_is_refused(topics_store, tmp_path, monkeypatch):
    store = copied_store(topics_store, tmp_path)
    library = Library.open(store)
    model = library.topic_model(12)
    first, second = int(model.ids_[0]), int(model.ids_[1])
    assert library.rename_topic("topic", first, "  Rowing  crews ", 12) == "Rowing crews"
    with pytest.raises(InputError, match="already names another topic"):
        library.rename_topic("topic", second, "rowing CREWS", 12)
    with pytest.raises(InputError, match="already names another topic"):
        library.rename_topic("topic", second, model.labels_[2], 12)  # another topic's automatic label
    area = int(model.area_ids_[0])
    assert library.rename_topic("area", area, "Sport", 12) == "Sport"
    # a new Library (another process) shows the names everywhere: tables, pages, papers
    again = Library.open(store)
    answer = again.topics(topics_state(k=12))
    assert answer.summary.set_index("topic").loc[first, "label"] == "Rowing crews"
    assert answer.areas.set_index("area").loc[area, "label"] == "Sport"
    assert again.topic_model(12).labels_[0] == model.labels_[0]  # the shared model is not renamed
    page = again.topics(topics_state(k=12, topic=first)).topic
    assert page is not None and page.label == "Rowing crews"
    assert set(again.paper_topics(model.members(0), 12)["topic_label"]) == {"Rowing crews"}
    # a refit of all the papers keeps the topic's id, and so its name
    from lib.trends import terms as term_module

    refit = topics.load_or_fit(store, again.dataset, term_module.load_or_build(store, again.dataset), 12, refit=True)
    assert first in set(refit.ids_.tolist())
    assert Library.open(store).topics(topics_state(k=12, topic=first)).topic.label == "Rowing crews"
    # empty: the automatic label again; a read-only store refuses
    assert Library.open(store).rename_topic("topic", first, "", 12) == refit.labels_[refit.row_of(first)]
    monkeypatch.setenv("PAPERS_READONLY", "1")
    with pytest.raises(StoreError, match="read-only"):
        Library.open(store).rename_topic("topic", first, "Boats", 12)
    monkeypatch.delenv("PAPERS_READONLY")
    with pytest.raises(InputError, match="There is no topic 999"):
        Library.open(store).rename_topic("topic", 999, "Boats", 12)


def fresh_topics_store(tmp_path: Path) -> Store:
    """The topics fixture's papers in a store of their own, no model fitted."""
    return import_into(tmp_path / "data", write_jsonl(tmp_path / "topics.jsonl", tfx.plain(tfx.papers())))


def test_a_papers_topic_only_from_a_model_that_needs_no_fit(tmp_path):
    store = fresh_topics_store(tmp_path)
    library = Library.open(store)
    k = library.auto_k()
    assert not library.has_topic_model(k)
    assert library.paper_topic(0) is None and not library.loaded(("topic_model", k))  # no fit for a paper page
    library.topic_model(k)
    fresh = Library.open(store)  # saved now: a paper page loads it
    placed = fresh.paper_topic(5)
    expected = fresh.topic_model(k).of_papers([5]).iloc[0]
    assert placed is not None and (placed.topic, placed.topic_label, placed.area, placed.area_label) == (
        int(expected["topic"]),
        expected["topic_label"],
        int(expected["area"]),
        expected["area_label"],
    )


def test_search_cards_carry_topics_only_when_the_model_is_in_memory(tmp_path):
    from lib.urlstate import SEARCH

    store = fresh_topics_store(tmp_path)
    library = Library.open(store)
    state = {**SEARCH.decode({})[0], "q": "galaxy"}
    assert library.search_page(state).topics is None and library.search_page(state).topic_of(0) is None
    model = library.topic_model(library.auto_k())  # fitted (the Topics page was opened)
    page = library.search_page(state)
    ids = list(page.rows["id"])
    rows = [library.dataset.row_of(i) for i in ids]
    assert list(page.topics["topic"]) == [int(model.ids_[model.dominant_[r]]) for r in rows]
    placed = page.topic_of(0)
    assert placed is not None and placed.topic_label == model.labels_[model.dominant_[rows[0]]]


def test_a_saved_topic_views_papers(topics_store):
    """A saved view of a topic (its feed, its digest) lists the topic's papers; of an area,
    the area's; an id the model lacks, its successor's."""
    from lib.team.views import ViewLink, view_papers

    library = Library.open(topics_store)
    model = library.topic_model(12)
    topic, area = int(model.ids_[3]), int(model.area_ids_[1])
    by_topic = view_papers(ViewLink.parse(f"/topics?k=12&topic={topic}"), library, limit=500)
    assert sorted(library.dataset.row_of(i) for i in by_topic["id"]) == sorted(model.members(3))
    by_area = view_papers(ViewLink.parse(f"/topics?k=12&area={area}"), library, limit=500)
    assert sorted(library.dataset.row_of(i) for i in by_area["id"]) == sorted(model.area_members(1))


def test_topics_swap_days_and_fall_back_to_all_sources(topics_store):
    answer = Library.open(topics_store).topics(
        topics_state(k=3, src="hf", **{"from": dt.date(2024, 12, 31), "to": dt.date(2024, 1, 1)})
    )
    assert texts(answer.warnings) == [
        "The day range ended before it started; the two days were swapped.",
        "This table holds no papers from Hugging Face daily list; showing all sources.",
    ]
    assert (answer.state["from"], answer.state["to"], answer.state["src"]) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
        "all",
    )
    assert set(answer.over_time["label"].str[:4]) == {"2024"}


def test_one_day_of_topics_has_no_time_parts(one_day_store):
    library = Library.open(Store(one_day_store))
    answer = library.topics(topics_state(k=2))
    assert answer.one_day and answer.strip is None and answer.emerging is None
    assert answer.points is not None


# --- daily ------------------------------------------------------------------------------------------------
def test_the_latest_day_by_default_most_upvoted_first(three_days):
    answer = three_days.daily(home_state())
    assert answer.day == dt.date(2025, 1, 9) and answer.state["date"] is None  # the view follows the latest day
    assert (answer.previous, answer.following) == (dt.date(2025, 1, 8), None)
    assert list(answer.papers["upvotes"]) == [99, 1]
    assert (answer.start, answer.stop, answer.pages) == (0, 2, 1)
    assert (answer.total, answer.days, answer.first, answer.last) == (6, 3, dt.date(2025, 1, 6), dt.date(2025, 1, 9))
    assert not answer.warnings and not answer.missing_day


def test_a_day_between_days_has_no_papers_and_its_neighbours(three_days):
    answer = three_days.daily(home_state(date=dt.date(2025, 1, 7)))
    assert answer.day == dt.date(2025, 1, 7) and answer.papers.empty
    assert (answer.previous, answer.following) == (dt.date(2025, 1, 6), dt.date(2025, 1, 8))
    assert answer.state["date"] == dt.date(2025, 1, 7)


def test_a_day_outside_the_table_shows_the_latest_saying_so(three_days):
    answer = three_days.daily(home_state(date=dt.date(1999, 1, 1)))
    assert answer.day == dt.date(2025, 1, 9) and answer.state["date"] is None
    assert answer.missing_day == (
        "No papers on 1999-01-01: the table covers 2025-01-06 to 2025-01-09; showing the latest day."
    )


def test_a_page_past_the_last_is_clamped_saying_so(three_days):
    answer = three_days.daily(home_state(date=dt.date(2025, 1, 6), p=3))
    assert answer.state["p"] == 1 and answer.pages == 1
    assert texts(answer.warnings) == ["Ignored p=3: this day has 1 page of papers; showing page 1."]
    listed = three_days.daily(home_state(date=dt.date(2025, 1, 6), sort="listed"))
    day_one = [p["id"] for p in THREE_DAYS if p["date"] == "2025-01-06"]
    assert list(listed.papers["id"]) == day_one  # no daily list: table order


def test_a_table_without_a_daily_list_counts_all_papers(three_days):
    answer = three_days.daily(home_state(by="auto"))
    assert answer.counted == "all" and answer.shown == "all" and not answer.on_a_list
    assert not answer.no_list  # no list anywhere: nothing to say about this day
    assert answer.offer == {
        "hf": "Hugging Face daily list",
        "all": "All papers",
        "file:three_days.jsonl": "your file three_days.jsonl",
    }
    assert answer.per_period is not None and answer.per_period["by"].iloc[0] == "day"
    assert list(answer.per_period["papers"]) == [3, 0, 1, 2]


def test_the_daily_list_and_all_papers_of_its_day(mixed_days):
    answer = mixed_days.daily(home_state())
    assert answer.day == dt.date.fromisoformat(HF_DAY) and answer.on_a_list
    assert list(answer.papers["title"]) == HF_LISTED[::-1]  # 7 upvotes, then 3
    assert answer.everyone == 4  # the link to all the day's papers
    assert (answer.counted, answer.total, answer.days) == ("hf", 2, 1)
    every = mixed_days.daily(home_state(src="all", date=dt.date.fromisoformat(HF_DAY)))
    assert len(every.papers) == 4 and not every.on_a_list and every.everyone == 0


def test_a_day_without_a_list_shows_all_its_papers(mixed_days):
    answer = mixed_days.daily(home_state(date=dt.date(2025, 9, 5)))
    assert answer.shown == "all" and answer.no_list
    assert sorted(answer.papers["title"]) == ["Dialect-Aware Translation Metrics", "Shadows Tell Time"]
    assert (answer.previous, answer.following) == (None, dt.date.fromisoformat(HF_DAY))  # days with a list
    assert answer.pickable == (mixed_days.dataset.days[0].astype(dt.date), dt.date.fromisoformat(HF_DAY))


def test_another_source_dates_and_steps_by_its_own_days(mixed_days):
    answer = mixed_days.daily(home_state(src="arxiv", date=dt.date.fromisoformat(HF_DAY)))
    assert sorted(answer.papers["title"]) == ["Memory for Web Agents", "Sparse Attention Kernels"]
    assert answer.previous == dt.date(2025, 9, 5)
    assert (answer.total, answer.days) == (5, 3)
    assert answer.pickable == (answer.first, answer.last)


def test_a_source_the_table_lacks_falls_back_to_the_daily_list(mixed_days):
    answer = mixed_days.daily(home_state(src="file:nowhere.csv"))
    assert answer.state["src"] == "hf"
    assert texts(answer.warnings) == ["This table holds no papers from your file nowhere.csv; showing the daily list."]


# --- the CLI prints the same answers ---------------------------------------------------------------------
def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_the_trend_command_prints_library_trend(mixed_trend_store):
    argv = ["agent, diffusion:hf, (agent) / (memory)", "--by", "week", "--smooth", "1", "--from", "2025-08-01"]
    code, out, err = run("trend", *argv, "--json", "--data", str(mixed_trend_store.path))
    assert code == 0, err
    state = trend_state(
        terms="agent, diffusion:hf, (agent) / (memory)", by="week", smooth=1, **{"from": dt.date(2025, 8, 1)}
    )
    series = Library.open(mixed_trend_store).trend(state).series
    rows = json.loads(out)
    assert len(rows) == len(series) > 0
    assert [(r["period"], r["term"], r["count"], r["total"], r["mixed"]) for r in rows] == [
        (s.label, s.term, s.count, s.total, s.mixed) for s in series.itertuples()
    ]
    assert [r["value"] for r in rows] == [round(float(v), 6) for v in series["value"]]
    mixed = series.drop_duplicates("label").query("mixed")
    assert ("warning: mixed sources" in err) == bool(len(mixed))


def test_the_trend_command_warns_as_the_page_does(trend_store):
    code, out, err = run(
        "trend", "agent, zzq*", "--from", "2025-04-30", "--to", "2025-01-01", "--json", "--data", str(trend_store.path)
    )
    assert code == 0
    answer = Library.open(trend_store).trend(
        trend_state(terms="agent, zzq*", **{"from": dt.date(2025, 4, 30), "to": dt.date(2025, 1, 1)})
    )
    assert [line for line in err.splitlines() if line.startswith("warning:")] == [
        f"warning: {n.text}" for n in answer.warnings
    ]
    assert [r["period"] for r in json.loads(out)] == list(answer.series["label"])


def test_the_emerging_command_prints_library_emerging_terms(emerging_store):
    code, out, err = run("emerging", "--top", "5", "--recent", "60", "--json", "--data", str(emerging_store.path))
    assert code == 0, err
    answer = Library.open(emerging_store).emerging_terms(trend_state(recent=60), top=5)
    document = json.loads(out)
    assert [r["term"] for r in document["rising"]] == list(answer.rising["term"])
    assert [r["term"] for r in document["fading"]] == list(answer.fading["term"])
    assert document["windows"]["recent_from"] == answer.info["recent_from"].isoformat()


def test_the_topics_command_prints_library_topics(topics_store):
    code, out, err = run("topics", "--k", "12", "--json", "--data", str(topics_store.path))
    assert code == 0, err
    answer = Library.open(topics_store).topics(topics_state(k=12))
    document = json.loads(out)
    assert [(a["area"], a["label"], a["papers"]) for a in document["areas"]] == [
        (int(r.area), r.label, int(r.papers)) for r in answer.areas.itertuples()
    ]
    printed = sorted((t["topic"], t["label"], t["papers"]) for a in document["areas"] for t in a["topics"])
    assert printed == sorted((int(r.topic), r.label, int(r.papers)) for r in answer.summary.itertuples())


# --- locking: one computation per key, different keys at the same time ------------------------------------
def together(*calls, timeout: float = 120.0) -> list:
    """Run each call in its own thread, all released at once; their results, in order (a
    call's exception is raised here)."""
    start = threading.Barrier(len(calls))

    def released(call):
        start.wait(timeout)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(released, call) for call in calls]
        return [future.result(timeout) for future in futures]


def test_threads_asking_for_one_model_share_one_fit(tmp_path):
    store = import_into(tmp_path / "data", write_jsonl(tmp_path / "topics.jsonl", tfx.plain(tfx.papers())))
    library = Library.open(store)
    library.term_index  # noqa: B018 - built first: the threads race for the fit only
    fits: list[str] = []
    found = together(*[lambda: library.topic_model(3, lambda step, share: fits.append(step))] * 4)
    assert all(model is found[0] for model in found)  # one fit, shared
    assert fits  # it was fitted here, not loaded


def test_two_emerging_windows_are_each_computed_once(emerging_store):
    library = Library.open(emerging_store)
    library.term_index  # noqa: B018 - loaded first: the threads race for the emerging terms only
    windows = [(90, 365), (30, 60)] * 4
    found = together(*[lambda w=w: library.emerging("all", *w) for w in windows])
    for window, result in zip(windows, found):
        assert result is found[windows.index(window)]  # the same objects: computed once, shared
    assert found[0] is not found[1]
    last = max(dt.date.fromisoformat(p["date"]) for p in EMERGING_PAPERS.values())
    for (recent, _), (_, _, info) in zip(windows[:2], found[:2]):
        first = last - dt.timedelta(days=recent - 1)
        assert info["recent_papers"] == sum(
            first <= dt.date.fromisoformat(p["date"]) <= last for p in EMERGING_PAPERS.values()
        )


def test_a_topic_fit_does_not_hold_up_another_key(tmp_path):
    """While one thread fits a topic model, another computes emerging terms: the fit waits (in
    its progress callback) until the emerging terms are done, so with one lock for everything
    the two would wait for each other until the timeout."""
    store = import_into(tmp_path / "data", write_jsonl(tmp_path / "topics.jsonl", tfx.plain(tfx.papers())))
    library = Library.open(store)
    library.term_index  # noqa: B018 - built first: both keys below need it
    fitting, emerged = threading.Event(), threading.Event()
    waited: list[bool] = []

    def progress(step: str, share: float) -> None:
        if not fitting.is_set():
            fitting.set()
            waited.append(emerged.wait(timeout=60))

    def fit() -> object:
        return library.topic_model(3, progress)

    def emerging() -> object:
        assert fitting.wait(timeout=60), "the fit never started"
        found = library.emerging("all", 90, 365)
        emerged.set()
        return found

    model, _ = together(fit, emerging)
    assert waited == [True], "the emerging terms waited for the topic fit"
    assert library.topic_model(3) is model and library.has_topic_model(3)


class Gone(Exception):
    """A session that went away in the middle of a fit."""


def test_a_failed_computation_is_tried_again(tmp_path):
    store = import_into(tmp_path / "data", write_jsonl(tmp_path / "topics.jsonl", tfx.plain(tfx.papers(per_theme=6))))
    library = Library.open(store)
    calls: list[str] = []

    def stop(step: str, share: float) -> None:
        calls.append(step)
        raise Gone

    with pytest.raises(Gone):
        library.topic_model(2, stop)
    assert calls and not library.has_topic_model(2)
    model = library.topic_model(2)
    assert model.n_topics == 2 and library.topic_model(2) is model
    assert np.array_equal(model.dominant_, library.topic_model(2).dominant_)
