"""AppTest of the Topics page on tests/topics_fixture.py (imported through the real
importer): every URL key round-trips, the k selector rewrites the link, bad values fall
back with a warning, the page opens on the areas, an area lists its fine topics, one
topic's page links onwards and back (breadcrumbs), "where is …?" lists the topics of a
query's papers, a topic can be renamed and split over time, and the one-day sample is honest.

What the page shows is compared with what lib.topics.topics computes for the same papers and k
(the model is deterministic), and with counts read off the fixture's records."""

from __future__ import annotations

import collections
import datetime as dt
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import topics_fixture as fx
from conftest import ROOT, open_page, write_jsonl

from lib.dataset import load
from lib.store.importer import import_files
from lib.store.store import Store, input_files
from lib.text import md_escape
from lib.topics import topics
from lib.topics.topics import TopicModel
from lib.trends import terms
from lib.trends.terms import TermIndex

AUTO = topics.auto_k(fx.PER_THEME * len(fx.THEMES))  # 120 papers -> 3


def import_fixture(data, source_dir, records) -> None:
    source = write_jsonl(source_dir / "topics.jsonl", fx.plain(records))
    import_files(Store(data), input_files([str(source)], (".jsonl",)))


@pytest.fixture(scope="module")
def topics_store(tmp_path_factory):
    """One store for the module: the fixture's 120 papers, imported through the importer.

    The models the tests open (k = 2, 3, 4, 12) are fitted and saved here first, so the page
    loads them: a model the page fits itself (with its progress bar) cannot be shown again
    in the same process — see test_a_model_the_page_fitted_can_be_shown_again.  Their ids
    are stable ids (the register of the store), not rows."""
    tmp = tmp_path_factory.mktemp("app-topics")
    data = tmp / "data"
    import_fixture(data, tmp, fx.papers())
    store = Store(data)
    ds = load(store)
    assert not ds.is_sample and ds.table.num_rows == len(fx.papers())
    index = terms.load_or_build(store, ds)
    saved = {k: topics.load_or_fit(store, ds, index, k) for k in (2, 3, 4, 12)}
    # an independent fit (fresh index, nothing read from disk) is what the page must show
    fresh = TopicModel(AUTO).fit(TermIndex.build(ds.table))
    assert fresh.labels_ == saved[AUTO].labels_
    themes = fx.themes_by_id()
    return SimpleNamespace(
        data=data,
        ds=ds,
        models=saved,
        frame=ds.frame,
        themes=np.array([themes[i] for i in ds.frame["id"]]),
    )


@pytest.fixture
def store(topics_store, monkeypatch):
    monkeypatch.setenv("PAPERS_DATA", str(topics_store.data))
    return topics_store


def open_topics(app, params=None):
    return open_page(app, "pages/topics.py", params)


# --- reading the page ------------------------------------------------------------------------------
def charts(app) -> list[tuple[dict, pd.DataFrame]]:
    """Every Vega-Lite chart on the page: (spec, its data), in page order."""
    found = []

    def walk(node):
        if getattr(node, "type", None) == "vega_lite_chart":
            data = node.proto.datasets[0].data.data
            found.append((json.loads(node.proto.spec), pa.ipc.open_stream(data).read_all().to_pandas()))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return found


def chart(app, mark: str) -> tuple[dict, pd.DataFrame]:
    matching = [(s, d) for s, d in charts(app) if s["mark"]["type"] == mark]
    assert len(matching) == 1, [s["mark"]["type"] for s, _ in charts(app)]
    return matching[0]


def page_links(app) -> list[tuple[str, str, dict]]:
    """(label as written, page url path, query params) of every page link."""
    from urllib.parse import parse_qsl

    return [(p.proto.label, p.proto.page, dict(parse_qsl(p.proto.query_string))) for p in app.get("page_link")]


def headers(app) -> list[str]:
    return [h.value for h in app.header]


def where_box(app):
    return next(t for t in app.text_input if t.label == "Where is…?")


def areas_table(app) -> pd.DataFrame:
    """The areas view's table of areas."""
    tables = [d.value for d in app.dataframe if "topics" in d.value.columns]
    assert len(tables) == 1
    return tables[0]


def topic_table(app) -> pd.DataFrame:
    """An area's table of fine topics."""
    tables = [d.value for d in app.dataframe if "weak" in d.value.columns]
    assert len(tables) == 1
    return tables[0]


def area_labels(model) -> list[str]:
    return list(model.areas()["label"])


def topic_id(model, row: int) -> str:
    """The stable id (as a link writes it) of the model's topic ``row``."""
    return str(int(model.ids_[row]))


def month_counts(records, first="", last="9999") -> dict[str, int]:
    return dict(collections.Counter(r["date"][:7] for r in records if first <= r["date"] <= last))


# --- the default view: the areas --------------------------------------------------------------------
def test_default_view_shows_the_areas_as_lib_computes_them(app, store):
    open_topics(app)
    model = store.models[AUTO]
    assert dict(app.query_params) == {}
    assert not app.warning and not headers(app)
    assert app.selectbox[0].value == 0 and app.selectbox[0].options[0] == f"automatic ({AUTO})"
    assert app.selectbox[0].options[-1] == str(topics.MAX_K)
    assert app.selectbox[1].value == "month" and app.get("segmented_control")[0].value == "share"
    assert [d.value for d in app.date_input] == [None, None]
    assert where_box(app).value == ""
    assert any(f"{AUTO} topics in {model.n_areas} area" in c.value and "mean coherence" in c.value for c in app.caption)
    table = areas_table(app)
    areas = model.areas()
    assert list(table["label"]) == list(areas["label"]) and list(table["papers"]) == list(areas["papers"])
    assert list(table["topics"]) == list(areas["topics"]) and table["topics"].sum() == AUTO
    assert list(table["link"]) == [f"/topics?area={a}" for a in areas["area"]]
    # the shares chart: every month of the three years, the areas stacking to 100%
    spec, shares = chart(app, "area")
    assert spec["encoding"]["y"]["field"] == "share"
    assert set(shares["topic"]) == set(model.area_ids_.tolist())
    assert list(shares.drop_duplicates("label")["label"]) == sorted(month_counts(fx.papers()))
    assert len(shares) == 36 * model.n_areas
    assert dict(shares.drop_duplicates("label")[["label", "total"]].values) == month_counts(fx.papers())
    for _, group in shares.groupby("label"):
        assert group["share"].sum() == pytest.approx(1.0)
    _, points = chart(app, "circle")  # the map, by area
    assert len(points) == 120 and set(points["name"]) == set(model.area_labels_)
    assert "Emerging and fading topics" in [s.value for s in app.subheader]
    moving = next(d.value for d in app.dataframe if "points" in d.value.columns)
    assert sorted(moving["label"]) == sorted(model.labels_)
    expected = topics.emerging_topics(model, load(Store(store.data)).periods("month"))
    assert list(moving["recent"]) == pytest.approx(list(expected["recent_share"] * 100))  # shown as 12.3%
    assert list(moving["points"]) == pytest.approx(list(expected["change"] * 100))  # shown as +4.5 pt
    assert {d.label for d in app.get("download_button")} >= {"Area sizes (CSV)", "Area shares over time (CSV)"}


def test_the_areas_of_twelve_topics(app, store):
    """k=12 gives four areas: the table, the shares and the map name them; each links to its area."""
    model = store.models[12]
    open_topics(app, {"k": "12"})
    assert not app.warning and model.n_areas == 4
    table = areas_table(app)
    assert list(table["label"]) == area_labels(model) and table["papers"].sum() == 120
    assert list(table["link"]) == [f"/topics?k=12&area={a}" for a in model.areas()["area"]]
    _, shares = chart(app, "area")
    assert set(shares["name"]) == set(model.area_labels_)


# --- an area, a topic: breadcrumbs both ways ------------------------------------------------------------
def test_an_area_lists_only_its_topics_and_links_both_ways(app, store):
    model = store.models[12]
    for area_row in range(model.n_areas):
        area = int(model.area_ids_[area_row])
        open_topics(app, {"k": "12", "area": str(area)})
        assert not app.warning and dict(app.query_params) == {"k": "12", "area": str(area)}
        assert headers(app) == [md_escape(model.area_labels_[area_row])]
        rows = np.flatnonzero(model.area_of_ == area_row)
        table = topic_table(app)
        assert sorted(table["label"]) == sorted(model.labels_[r] for r in rows)
        assert sorted(table["link"]) == sorted(f"/topics?k=12&topic={int(model.ids_[r])}" for r in rows)
        assert table["papers"].sum() == len(model.area_members(area_row))
        links = page_links(app)
        assert [(p, q) for md, p, q in links if md == "All areas"] == [("topics", {"k": "12"})]
        _, shares = chart(app, "area")  # its topics' shares
        assert set(shares["topic"]) == {int(model.ids_[r]) for r in rows}
        _, sizes = chart(app, "bar")
        assert sorted(sizes["label"]) == sorted(model.labels_[r] for r in rows)


def test_a_topic_page_shows_its_area_status_and_quality(app, store):
    model = store.models[12]
    row = 5
    open_topics(app, {"k": "12", "topic": topic_id(model, row)})
    area_row = int(model.area_of_[row])
    links = page_links(app)
    # the breadcrumbs: All areas › its area › the topic
    assert [(p, q) for md, p, q in links if md == "All areas"] == [("topics", {"k": "12"})]
    assert ("topics", {"k": "12", "area": str(int(model.area_ids_[area_row]))}) in [
        (p, q) for md, p, q in links if md == md_escape(model.area_labels_[area_row])
    ]
    members = model.members(row)
    subtitle = store.frame["title"].iloc[int(model.representative(members, 1)[0])]
    assert f"*{md_escape(subtitle)}*" in [m.value for m in app.markdown]
    size = len(members)
    assert any(
        c.value.startswith(
            f"Topic {topic_id(model, row)} · {size} papers ({size / 120:.1%}) · coherence {model.coherence_[row]:.2f}"
        )
        for c in app.caption
    )


def test_an_id_the_model_lacks_opens_its_successor(app, store):
    """A link to a topic of the 12 opened with 3 topics: the 3's topic most like it, saying so."""
    fine, coarse = store.models[12], store.models[3]
    lacking = [int(i) for i in fine.ids_ if coarse.row_of(int(i)) is None]
    open_topics(app, {"k": "3", "topic": str(lacking[0])})
    notes = [w.value.replace("\\(", "(").replace("\\)", ")") for w in app.warning]  # as shown
    assert len(notes) == 1 and notes[0].startswith(f"topic={lacking[0]} (“") and "is now part of topic" in notes[0]
    shown = int(dict(app.query_params)["topic"])
    assert coarse.row_of(shown) is not None
    assert headers(app) == [md_escape(coarse.labels_[coarse.row_of(shown)])]


# --- round trips ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [
        {"k": "2"},
        {"k": "3"},
        {"k": "4"},
        {"topic": 0},  # a topic: its row here, its stable id in the link
        {"topic": 2},
        {"by": "quarter"},
        {"by": "year"},
        {"by": "week"},
        {"by": "day"},
        {"norm": "count"},
        {"from": "2024-03-15"},
        {"to": "2023-06-30"},
        {"from": "2024-01-01", "to": "2024-12-31"},
        {"k": "4", "by": "quarter", "norm": "count", "from": "2024-01-01", "to": "2024-12-31"},
        {"k": "3", "topic": 1, "by": "quarter", "norm": "count", "from": "2024-01-01", "to": "2024-12-31"},
    ],
)
def test_every_key_round_trips(app, store, params):
    k = int(params.get("k", 0))
    model = store.models[k or AUTO]
    row = params.get("topic")
    if row is not None:
        params = {**params, "topic": topic_id(model, row)}
    open_topics(app, params)
    assert dict(app.query_params) == params
    assert not app.warning, [w.value for w in app.warning]
    assert app.selectbox[0].value == k
    by = params.get("by", "month")
    assert app.selectbox[1].value == by
    norm = params.get("norm", "share")
    assert app.get("segmented_control")[0].value == norm
    first = dt.date.fromisoformat(params["from"]) if "from" in params else None
    last = dt.date.fromisoformat(params["to"]) if "to" in params else None
    assert [d.value for d in app.date_input] == [first, last]

    in_range = [r for r in fx.papers() if (params.get("from", "") <= r["date"] <= params.get("to", "9999"))]
    code = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}[by]
    if row is not None:
        assert headers(app) == [md_escape(model.labels_[row])]
        spec, series = chart(app, "line")
        mine = model.dominant_ == row
    else:
        assert not headers(app)
        assert list(areas_table(app)["label"]) == area_labels(model)
        assert any(f"{model.n_topics} topics in" in c.value for c in app.caption)
        spec, series = chart(app, "area")
        assert set(series["topic"]) == set(model.area_ids_.tolist())
        mine = None
    assert spec["encoding"]["y"]["field"] == ("share" if norm == "share" else "papers")
    # the periods drawn are those of the papers in range, and the totals are theirs
    expected = pd.Series(pd.to_datetime([r["date"] for r in in_range])).dt.to_period(code).value_counts()
    drawn = series.drop_duplicates("period")
    assert len(drawn) == len(pd.period_range(expected.index.min(), expected.index.max(), freq=code))
    assert drawn["total"].sum() == len(in_range)
    for period_row in drawn.itertuples():
        assert period_row.total == expected.get(pd.Timestamp(period_row.period).to_period(code), 0)
    if mine is not None:  # one topic: its own papers per period
        day = store.frame["date"].dt.date
        kept = ((day >= (first or dt.date.min)) & (day <= (last or dt.date.max))).to_numpy()
        period = store.frame["date"].dt.to_period(code)
        for period_row in series.itertuples():
            in_period = (period == pd.Timestamp(period_row.period).to_period(code)).to_numpy()
            assert period_row.papers == int((in_period & kept & mine).sum())
            assert period_row.total == int((in_period & kept).sum())


@pytest.mark.parametrize(
    "params, canonical",
    [
        ({"k": "0"}, {}),
        ({"k": " 3 "}, {"k": "3"}),
        ({"by": "QUARTER"}, {"by": "quarter"}),
        ({"norm": "share", "by": "month"}, {}),
        ({"q": "  galaxy   telescope ", "k": "12"}, {"k": "12", "q": "galaxy telescope"}),
        ({"split": "none", "q": ""}, {}),
        ({"to": "2024-12-31", "from": "2024-01-01"}, {"from": "2024-01-01", "to": "2024-12-31"}),
    ],
)
def test_links_come_back_canonical(app, store, params, canonical):
    open_topics(app, params)
    assert dict(app.query_params) == canonical
    assert not app.warning


# --- widgets rewrite the link -------------------------------------------------------------------------
def test_changing_k_rewrites_the_url_and_resets_the_topic(app, store):
    open_topics(app, {"k": "3", "topic": topic_id(store.models[3], 1), "by": "quarter"})
    assert headers(app) == [md_escape(store.models[3].labels_[1])]
    app.selectbox[0].set_value(12).run()
    assert not app.exception
    assert dict(app.query_params) == {"k": "12", "by": "quarter"}
    assert not headers(app)  # all areas again: a topic of k=3 is not one of k=12
    assert list(areas_table(app)["label"]) == area_labels(store.models[12])
    app.selectbox[0].set_value(0).run()
    assert dict(app.query_params) == {"by": "quarter"}
    assert list(areas_table(app)["label"]) == area_labels(store.models[AUTO])


def test_changing_period_norm_and_days_rewrites_the_url(app, store):
    open_topics(app, {"k": "3"})
    app.selectbox[1].set_value("year").run()
    assert dict(app.query_params) == {"k": "3", "by": "year"}
    app.get("segmented_control")[0].set_value("count").run()
    assert dict(app.query_params) == {"k": "3", "by": "year", "norm": "count"}
    app.date_input[0].set_value(dt.date(2024, 1, 1)).run()
    app.date_input[1].set_value(dt.date(2024, 12, 31)).run()
    assert dict(app.query_params) == {"k": "3", "by": "year", "norm": "count", "from": "2024-01-01", "to": "2024-12-31"}
    spec, shares = chart(app, "area")
    assert list(shares.drop_duplicates("label")["label"]) == ["2024"]
    assert spec["encoding"]["y"]["field"] == "papers"
    assert shares["total"].iloc[0] == sum(month_counts(fx.papers(), "2024-01-01", "2024-12-31").values())


# --- bad values ------------------------------------------------------------------------------------
BAD = [
    ({"k": "1"}, "k=", {}),
    ({"k": "201"}, "k=", {}),
    ({"k": "abc"}, "k=", {}),
    ({"topic": "-2"}, "topic=", {}),
    ({"area": "x"}, "area=", {}),
    ({"split": "author"}, "split=", {}),
    ({"k": "3", "topic": "999"}, "topic=999", {"k": "3"}),  # an id no model of the store ever had
    ({"k": "3", "area": "999"}, "area=999", {"k": "3"}),
    ({"by": "decade"}, "by=", {}),
    ({"norm": "x"}, "norm=", {}),
    ({"from": "2025-02-31"}, "from=", {}),
    ({"to": "soon"}, "to=", {}),
    ({"k": "3", "sort": "x"}, "sort", {"k": "3"}),
]


@pytest.mark.parametrize("params, fragment, canonical", BAD)
def test_bad_values_fall_back_with_a_warning(app, store, params, fragment, canonical):
    open_topics(app, params)
    assert any(fragment in w.value for w in app.warning), [w.value for w in app.warning]
    assert dict(app.query_params) == canonical
    assert not headers(app)  # every fallback here shows all areas
    model = store.models[int(canonical.get("k", 0)) or AUTO]
    assert list(areas_table(app)["label"]) == area_labels(model)


def test_k_1_falls_back_to_automatic_without_an_exception(app, store):
    open_topics(app, {"k": "1"})
    assert dict(app.query_params) == {} and app.selectbox[0].value == 0
    assert list(areas_table(app)["label"]) == area_labels(store.models[AUTO])


# --- one topic -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("theme", fx.THEMES)
def test_one_topic_page_links_onwards(app, store, theme):
    model = store.models[3]
    topic = int(collections.Counter(model.dominant_[store.themes == theme]).most_common(1)[0][0])  # its row
    open_topics(app, {"k": "3", "topic": topic_id(model, topic)})
    label = model.labels_[topic]
    assert headers(app) == [md_escape(label)]
    size = int((model.dominant_ == topic).sum())
    assert any(
        c.value.startswith(f"Topic {topic_id(model, topic)} · {size} papers ({size / 120:.1%})") for c in app.caption
    )
    links = page_links(app)
    assert [(p, q) for md, p, q in links if md == "All areas"] == [("topics", {"k": "3"})]
    area = model.area_of_[topic]
    assert [(p, q) for md, p, q in links if md == md_escape(model.area_labels_[area])] == [
        ("topics", {"k": "3", "area": str(int(model.area_ids_[area]))})
    ]
    top4 = ", ".join(t for t, _ in model.top_terms(topic, 4))
    trends_links = [(md, q) for md, p, q in links if p == "trends"]
    assert trends_links == [(f"Trends of {md_escape(top4)}", {"terms": top4})]
    assert all(w.strip() in fx.VOCABULARY[theme] for w in top4.split(","))
    # related topics: every other topic with a positive similarity, most similar first, keeping k
    related = model.related(topic)
    expected = [
        (md_escape(f"{r.label} ({r.similarity:.2f})"), "topics", {"k": "3", "topic": str(r.topic)})
        for r in related.itertuples()
    ]
    assert [link for link in links if link[1] == "topics" and "topic" in link[2]] == expected
    assert int(model.ids_[topic]) not in set(related["topic"]) and len(expected) == 2
    # the top terms chart is the topic's top terms
    _, bars = chart(app, "bar")
    assert list(bars["term"]) == [t for t, _ in model.top_terms(topic)]
    # papers: the most representative (all of this theme), then the most upvoted
    paper_links = [(md, q["id"]) for md, p, q in links if p == "paper"]
    rows = model.representative(model.members(topic), 8)
    frame = store.frame
    representative = [(f"**{md_escape(frame['title'].iloc[r])}**", frame["id"].iloc[r]) for r in rows]
    assert paper_links[:8] == representative
    assert len(paper_links) == 16
    theme_of = dict(zip(frame["id"], store.themes))
    assert all(theme_of[i] == theme for _, i in paper_links)
    members = model.members(topic)
    upvotes = frame["upvotes"].iloc[members].to_numpy(dtype=float)
    assert [i for _, i in paper_links[8:]] == list(frame["id"].iloc[members[np.argsort(-upvotes, kind="stable")[:8]]])
    # top authors: the theme's pool
    authors = next(d.value for d in app.dataframe if "author" in d.value.columns)
    assert set(authors["author"]) <= set(fx.AUTHORS[theme]) and len(authors) > 0
    shown = [m.value for m in app.markdown]
    assert "**Most representative papers**" in shown and "**Most upvoted papers**" in shown


# --- one day, and the bundled demo ---------------------------------------------------------------------------
@pytest.fixture
def one_day_model(one_day_store):
    ds = load(Store(one_day_store))
    assert not ds.is_sample and ds.overview.days == 1
    return ds, TopicModel(topics.auto_k(ds.overview.papers)).fit(TermIndex.build(ds.table))


def test_one_day_renders_all_topics_without_a_time_chart(app, one_day_model):
    _, model = one_day_model
    open_topics(app)
    assert not app.warning
    assert any("single day: there is no time to chart" in i.value for i in app.info)
    assert app.selectbox[1].disabled  # no period to choose
    assert list(areas_table(app)["label"]) == area_labels(model) and len(model.labels_) == 3
    assert list(areas_table(app)["papers"]) == list(model.areas()["papers"])
    assert [s["mark"]["type"] for s, _ in charts(app)] == ["bar", "circle"]  # sizes and map, no areas
    assert "Emerging and fading topics" not in [s.value for s in app.subheader]
    assert any(md_escape("3 topics in 1 area, found in 63 papers") in c.value for c in app.caption)


def test_one_day_topic_page_says_there_is_no_time_chart(app, one_day_model):
    _, model = one_day_model
    open_topics(app, {"topic": "2"})
    assert headers(app) == [md_escape(model.labels_[2])]
    assert any(i.value == "One day of papers: no time chart." for i in app.info)
    assert [s["mark"]["type"] for s, _ in charts(app)] == ["bar"]
    assert dict(app.query_params) == {"topic": "2"}


def test_the_bundled_demo_shows_topics_over_its_months_without_writing(app, empty_store):
    ds = load(Store(empty_store))
    assert ds.is_sample
    model = TopicModel(topics.auto_k(ds.overview.papers)).fit(TermIndex.build(ds.table))
    open_topics(app)
    assert not app.warning
    assert any("Bundled demo" in i.value for i in app.info)
    assert list(areas_table(app)["label"]) == area_labels(model) and len(model.labels_) == topics.auto_k(
        ds.overview.papers
    )
    _, shares = chart(app, "area")
    assert sorted(shares["label"].unique()) == [f"2025-{m:02d}" for m in range(3, 9)]
    assert not (empty_store / "artifacts").exists()  # the demo is fitted in memory: nothing saved


# --- the first fit, then the next visit -----------------------------------------------------------------
def test_a_model_the_page_fitted_can_be_shown_again(app, empty_store, tmp_path):
    from streamlit.testing.v1 import AppTest

    import_fixture(empty_store, tmp_path, fx.papers(per_theme=6))
    assert not topics.is_saved(Store(empty_store), load(Store(empty_store)), 3)
    first = open_topics(app, {"k": "3"})  # the page fits k=3, with its progress bar
    assert topics.is_saved(Store(empty_store), load(Store(empty_store)), 3)
    assert list(areas_table(first)["label"])
    again = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)  # a second visitor
    open_topics(again, {"k": "3"})


def test_papers_sharing_no_word_show_an_error_not_a_traceback(app, three_day_store):
    open_topics(app)
    assert [e.value for e in app.error] == [
        "Cannot find topics in 6 papers: no word is shared by enough of them. Import more papers."
    ]


def test_one_topic_offers_its_atom_feed(app, store):
    open_topics(app, {"k": "3", "topic": "1"})
    assert not app.exception
    assert "Atom feed" in {d.label for d in app.get("download_button")}


# --- sources: the model is fitted on all papers, the page counts the chosen source's ----------------------
@pytest.fixture(scope="module")
def two_source_store(tmp_path_factory):
    """The fixture's papers, one in four also on the Hugging Face daily list (an export of
    ours names a row's sources and its listing day), with the automatic model fitted."""
    tmp = tmp_path_factory.mktemp("app-topics-sources")
    records = fx.papers()
    listed = [dict(r, sources=["hf", "arxiv"], hf_day=r["date"]) if i % 4 == 0 else r for i, r in enumerate(records)]
    import_fixture(tmp / "data", tmp, listed)
    store = Store(tmp / "data")
    ds = load(store)
    assert ds.sources == {"hf": 30, "arxiv": 30, "file:topics.jsonl": 90}  # no categories: the file's own
    model = topics.load_or_fit(store, ds, terms.load_or_build(store, ds), AUTO)
    return SimpleNamespace(data=tmp / "data", on_list=[r for r in listed if "sources" in r], model=model)


def test_src_hf_counts_only_the_lists_papers_in_sizes_and_shares(app, two_source_store, monkeypatch):
    monkeypatch.setenv("PAPERS_DATA", str(two_source_store.data))
    open_topics(app, {"src": "hf"})
    assert not app.exception and not app.warning
    assert dict(app.query_params) == {"src": "hf"}
    on_list = two_source_store.on_list
    assert areas_table(app)["papers"].sum() == len(on_list)
    _, shares = chart(app, "area")
    totals = dict(shares.drop_duplicates("label")[["label", "total"]].values)
    assert {month: n for month, n in totals.items() if n} == month_counts(on_list)  # a month without any: 0
    assert any("count the 30 papers" in c.value for c in app.caption)
    # the area's fine topics: each one theme, its size that theme's papers on the list
    model = two_source_store.model
    open_topics(app, {"src": "hf", "area": str(int(model.area_ids_[0]))})
    hf = load(Store(two_source_store.data)).member("hf")
    expected = [int(hf[model.members(row)].sum()) for row in range(model.n_topics)]
    assert sorted(topic_table(app)["papers"]) == sorted(expected) and sum(expected) == len(on_list)


def test_emerging_topics_say_when_their_windows_hold_different_sources(app, tmp_path, monkeypatch):
    """The last 90 days' papers all on the daily list, the others from a file: the two windows
    of emerging topics mix sources differently, and the page says so, offering one source."""
    last = max(r["date"] for r in fx.papers())
    since = (dt.date.fromisoformat(last) - dt.timedelta(days=89)).isoformat()
    records = [dict(r, sources=["hf"], hf_day=r["date"]) if r["date"] >= since else r for r in fx.papers()]
    import_fixture(tmp_path / "data", tmp_path, records)
    store = Store(tmp_path / "data")
    ds = load(store)
    topics.load_or_fit(store, ds, terms.load_or_build(store, ds), AUTO)
    monkeypatch.setenv("PAPERS_DATA", str(tmp_path / "data"))
    open_topics(app)
    warned = [w.value for w in app.warning if "different sources" in w.value]
    assert warned == [
        "The two windows hold different sources: 0% of the recent papers are from your file "
        "topics.jsonl, against 100% of the baseline's. A topic may rise or fade only because of what "
        "was imported: choose a single source to compare like with like."
    ]
    button = next(b for b in app.button if b.label == "Count only Hugging Face daily list")
    button.click().run()
    assert dict(app.query_params) == {"src": "hf"}
    assert not [w for w in app.warning if "different sources" in w.value]  # one source: nothing mixed


# --- where is …? -------------------------------------------------------------------------------------
def where_table(app) -> pd.DataFrame:
    tables = [d.value for d in app.dataframe if "area_label" in d.value.columns]
    assert len(tables) == 1
    return tables[0]


def test_where_is_typed_words_lists_the_topics_holding_their_papers(app, store):
    model = store.models[12]
    open_topics(app, {"k": "12"})
    where_box(app).set_value("galaxy telescope").run()
    assert dict(app.query_params) == {"k": "12", "q": "galaxy telescope"}
    holding = [
        r
        for r, (title, abstract) in enumerate(zip(store.frame["title"], store.frame["abstract"]))
        if {"galaxy", "telescope"} <= set(f"{title} {abstract}".lower().replace(".", "").split())
    ]
    counts = collections.Counter(int(model.ids_[model.dominant_[r]]) for r in holding)
    table = where_table(app)
    assert dict(zip(table["link"], table["papers"])) == {f"/topics?k=12&topic={t}": n for t, n in counts.items()}
    assert set(store.themes[holding]) == {"astronomy"}
    assert any(md_escape(f"{len(holding)} papers match “galaxy telescope”") in m.value for m in app.markdown)
    assert list(areas_table(app)["label"]) == area_labels(model)  # the areas stay below


def test_where_is_a_paper_id(app, store):
    model = store.models[12]
    paper = store.frame["id"].iloc[11]
    open_topics(app, {"k": "12", "q": paper})
    table = where_table(app)
    assert list(table["link"]) == [f"/topics?k=12&topic={int(model.ids_[model.dominant_[11]])}"]
    assert list(table["papers"]) == [1]


def test_where_is_nothing_says_why(app, store):
    open_topics(app, {"k": "12", "q": "2509.99999"})
    assert any(md_escape("arXiv 2509.99999 is not in the table.") in m.value for m in app.markdown)
    assert not [d for d in app.dataframe if "area_label" in d.value.columns]


# --- rename, split ------------------------------------------------------------------------------------
@pytest.fixture
def writable_store(topics_store, tmp_path, monkeypatch):
    """A copy of the module's store: renames write its register."""
    import shutil

    shutil.copytree(topics_store.data, tmp_path / "data")
    monkeypatch.setenv("PAPERS_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("PAPERS_READONLY", raising=False)
    return SimpleNamespace(**{**vars(topics_store), "data": tmp_path / "data"})


def rename_in_form(app, name: str):
    field = next(t for t in app.text_input if t.label == "Name")
    field.set_value(name)
    next(b for b in app.button if b.label == "Rename").click().run()
    return app


def test_a_topic_renamed_in_its_form_keeps_the_name_and_a_taken_name_is_refused(app, writable_store):
    model = writable_store.models[12]
    open_topics(app, {"k": "12", "topic": topic_id(model, 0)})
    rename_in_form(app, "Rowing crews")
    assert not app.exception
    assert [s.value for s in app.success] == [f"Topic {topic_id(model, 0)} is now called “Rowing crews”."]
    assert headers(app) == ["Rowing crews"]
    # another visitor sees it; another topic cannot take it
    from streamlit.testing.v1 import AppTest

    other = open_topics(
        AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60), {"k": "12", "topic": topic_id(model, 1)}
    )
    rename_in_form(other, "rowing crews")
    assert [e.value for e in other.error] == ["“rowing crews” already names another topic: choose another name."]
    assert headers(other) == [md_escape(model.labels_[1])]
    # the area's table lists the name
    area = int(model.area_ids_[model.area_of_[0]])
    third = open_topics(
        AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60), {"k": "12", "area": str(area)}
    )
    assert "Rowing crews" in list(topic_table(third)["label"])


def test_an_area_renamed_in_its_form(app, writable_store):
    model = writable_store.models[12]
    area = str(int(model.area_ids_[2]))
    open_topics(app, {"k": "12", "area": area})
    rename_in_form(app, "Sky")
    assert headers(app) == ["Sky"] and [s.value for s in app.success] == [f"Area {area} is now called “Sky”."]
    from streamlit.testing.v1 import AppTest

    again = open_topics(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60), {"k": "12"})
    assert "Sky" in list(areas_table(again)["label"])


def test_a_read_only_dashboard_offers_no_rename(app, store, monkeypatch):
    monkeypatch.setenv("PAPERS_READONLY", "1")
    open_topics(app, {"k": "12", "topic": topic_id(store.models[12], 0)})
    assert not [t for t in app.text_input if t.label == "Name"]


def test_the_split_selector_splits_a_topics_papers_over_time(app, store):
    model = store.models[3]
    open_topics(app, {"k": "3", "topic": topic_id(model, 0), "by": "year"})
    split = next(c for c in app.get("segmented_control") if c.label == "Split by")
    assert split.value == "none"
    split.set_value("source").run()
    assert dict(app.query_params) == {"k": "3", "topic": topic_id(model, 0), "by": "year", "split": "source"}
    spec_groups = [d for s, d in charts(app) if "group" in d.columns]  # the terms chart is bars too
    assert len(spec_groups) == 1
    stacked = spec_groups[0]
    assert stacked["papers"].sum() == len(model.members(0)) and set(stacked["group"]) == {"your file topics.jsonl"}
    assert dict(stacked.groupby("label")["papers"].sum()) == dict(
        collections.Counter(str(store.frame["date"].iloc[r].year) for r in model.members(0))
    )


# --- a paper's topic on its page and on search cards ---------------------------------------------------
def test_a_papers_page_and_search_cards_show_its_topic_and_area(app, store):
    model = store.models[AUTO]  # saved: the paper page loads it, never fits
    row = 9
    open_page(app, "pages/paper.py", {"id": store.frame["id"].iloc[row]})
    topic, area = int(model.ids_[model.dominant_[row]]), int(model.area_ids_[model.area_of_[model.dominant_[row]]])
    links = [(md, q) for md, p, q in page_links(app) if p == "topics"]
    assert links == [
        (md_escape(model.labels_[model.dominant_[row]]), {"topic": str(topic)}),
        (md_escape(model.area_labels_[model.area_of_[model.dominant_[row]]]), {"area": str(area)}),
    ]
    app.switch_page("pages/search.py").run()  # the same process: the model is in memory now
    app.query_params.clear()
    open_page(app, "pages/search.py", {"q": "galaxy"})
    lines = [c.value for c in app.caption if c.value.startswith(":material/topic:")]
    assert lines and all("](topics?topic=" in line and "](topics?area=" in line for line in lines)


def test_a_saved_model_opens_the_page_without_the_term_index(app, store):
    """Cold start: the Topics page of a saved model never waits for the term index (it was
    loaded first on every start, seconds on 75k papers)."""
    import streamlit as st

    from pages import common

    st.cache_resource.clear()  # a fresh process's Library
    open_topics(app)
    assert areas_table(app)["topics"].sum() == AUTO
    shared = common._library(str(store.data), Store(store.data).version())
    assert shared.loaded(("topic_model", AUTO)) and not shared.loaded("term_index")
