"""AppTest of the Trends page: every URL key round-trips, bad values fall back, thin data is honest."""

import datetime as dt

import pytest
from conftest import SHARED, open_page, write_jsonl

# Four months of papers; "agent" grows, "diffusion" fades.
MONTHS = ["2025-01-15", "2025-02-15", "2025-03-15", "2025-04-15"]
PAPERS = [
    {"id": f"2501.{i:05d}", "title": title, "abstract": abstract, "authors": ["A B"], "date": day}
    for i, (day, title, abstract) in enumerate(
        [
            (MONTHS[0], "Diffusion models for images", "We study diffusion."),
            (MONTHS[0], "A survey of graphs", "Graphs everywhere."),
            (MONTHS[1], "An agent that plans", "The agent plans with diffusion."),
            (MONTHS[1], "Sparse attention", "Attention is sparse."),
            (MONTHS[2], "Agents at scale", "Many agents cooperate."),
            (MONTHS[2], "Agent benchmarks", "We benchmark an agent."),
            (MONTHS[3], "Multi-agent reinforcement learning", "Agents learn."),
            (MONTHS[3], "Tool-using agents", "An agent uses tools."),
            (MONTHS[3], "Quantum kernels", "Kernels, not agents? No: kernels."),
        ],
        start=1,
    )
]


@pytest.fixture
def trend_store(empty_store, tmp_path):
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    source = write_jsonl(tmp_path / "months.jsonl", PAPERS)
    import_files(Store(empty_store), input_files([str(source)], (".jsonl",)))
    return empty_store


def open_trends(app, params=None):
    return open_page(app, "pages/trends.py", params)


def test_default_view_draws_lines_and_the_emerging_tables(app, trend_store):
    open_trends(app)
    assert app.text_input[0].value == "agent, diffusion, reinforcement learning"
    assert dict(app.query_params) == {}
    assert any(d.label == "Download the series (CSV)" for d in app.get("download_button"))
    assert any("Click a point" in c.value for c in app.caption)


@pytest.mark.parametrize(
    "params",
    [
        {"terms": "agent"},
        {"terms": "agent, sparse attention", "by": "quarter"},
        {"norm": "count"},
        {"smooth": "1"},
        {"from": "2025-02-01", "to": "2025-03-31"},
        {"recent": "30", "baseline": "60"},
        {
            "terms": "agen*",
            "by": "week",
            "norm": "count",
            "smooth": "2",
            "from": "2025-01-01",
            "to": "2025-04-30",
            "recent": "14",
            "baseline": "28",
        },
    ],
)
def test_every_key_round_trips(app, trend_store, params):
    open_trends(app, params)
    assert dict(app.query_params) == params
    assert not app.warning
    if "terms" in params:
        assert app.text_input[0].value == params["terms"]
    if "by" in params:
        assert app.selectbox[0].value == params["by"]
    if "smooth" in params:
        assert app.number_input[0].value == int(params["smooth"])
    if "from" in params:
        assert app.date_input[0].value == dt.date.fromisoformat(params["from"])
    if "recent" in params:
        assert app.number_input[1].value == int(params["recent"])
        assert app.number_input[2].value == int(params["baseline"])


def test_changing_widgets_rewrites_the_url(app, trend_store):
    open_trends(app)
    app.text_input[0].set_value("agent, graphs").run()
    assert dict(app.query_params) == {"terms": "agent, graphs"}
    app.selectbox[0].set_value("quarter").run()
    app.number_input[0].set_value(1).run()
    assert dict(app.query_params) == {"terms": "agent, graphs", "by": "quarter", "smooth": "1"}


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"by": "decade"}, "by="),
        ({"norm": "zscore"}, "norm="),
        ({"smooth": "-1"}, "smooth="),
        ({"smooth": "99"}, "smooth="),
        ({"from": "2025-02-31"}, "from="),
        ({"recent": "0"}, "recent="),
        ({"baseline": "lots"}, "baseline="),
        ({"terms": "x" * 700}, "terms="),
    ],
)
def test_bad_values_fall_back_with_a_warning(app, trend_store, params, fragment):
    open_trends(app, params)
    assert any(fragment in w.value for w in app.warning), [w.value for w in app.warning]
    assert dict(app.query_params) == {}


def test_unknown_prefix_and_punctuation_terms_warn(app, trend_store):
    open_trends(app, {"terms": "zzq*, ---, agent"})
    messages = " ".join(w.value for w in app.warning)
    assert "zzq" in messages and "'---'" in messages


def test_one_day_is_honest(app, one_day_store):
    open_trends(app, {"terms": "diffusion, agent"})
    assert any("single day" in i.value for i in app.info)
    assert dict(app.query_params) == {"terms": "diffusion, agent"}


def test_too_little_data_for_emerging_terms_says_so(app, trend_store):
    open_trends(app, {"recent": "45", "baseline": "60"})
    assert sum("No term moved enough" in c.value for c in app.caption) == 2


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "data" / "arxiv_sample2k.jsonl").exists(), reason="../shared is absent")
def test_emerging_rows_link_to_their_trend_on_real_papers(app, empty_store):
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    import_files(Store(empty_store), input_files([str(SHARED / "data" / "arxiv_sample2k.jsonl")], (".jsonl",)))
    open_trends(app, {"recent": "120", "baseline": "240"})
    rising, fading = (d.value for d in app.dataframe)
    assert len(rising) > 0 and len(fading) > 0
    for link in list(rising["link"]) + list(fading["link"]):
        assert link.startswith("/trends?terms=") and "recent=120" in link and "baseline=240" in link


@pytest.mark.parametrize("page", ["pages/trends.py", "pages/search.py", "pages/topics.py"])
def test_coming_back_by_the_navigation_shows_the_page_as_its_url_says(app, trend_store, page):
    """A page left for two others and opened again from the top navigation (a bare URL) is
    drawn from that URL, never from the widgets' own fallbacks (Streamlit forgets the
    state of widgets that are not drawn; by=day and today's dates would then appear)."""
    open_page(app, page)
    first = {
        w.key: w.value
        for kind in ("text_input", "selectbox", "number_input", "date_input")
        for w in app.get(kind)
        if w.key
    }
    for other in ("pages/home.py", "pages/views.py", "pages/home.py"):
        app.query_params.clear()
        app.switch_page(other).run()
    app.query_params.clear()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    again = {
        w.key: w.value
        for kind in ("text_input", "selectbox", "number_input", "date_input")
        for w in app.get(kind)
        if w.key
    }
    assert again == first
    assert dict(app.query_params) == {}


# --- sources (issue 18) --------------------------------------------------------------------------------
@pytest.fixture
def mixed_store(empty_store):
    """eleven arXiv listings (2025-07..09) and a Hugging Face API day (see test_trends.py)."""
    from pathlib import Path

    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    fixtures = Path(__file__).resolve().parent / "fixtures"
    inputs = [fixtures / "mixed" / "arxiv_listings_2025-07_09.jsonl", fixtures / "hf_api" / "2025-09-08.json"]
    import_files(Store(empty_store), input_files([str(p) for p in inputs], (".jsonl", ".json")))
    return empty_store


def charts_of(app) -> list[dict]:
    import json

    return [json.loads(c.proto.spec) for c in app.get("vega_lite_chart")]


def test_one_source_draws_its_papers_and_the_strip(app, mixed_store):
    open_trends(app, {"terms": "agent", "src": "hf"})
    assert dict(app.query_params) == {"terms": "agent", "src": "hf"}
    (picker,) = [s for s in app.selectbox if s.label == "Papers from"]
    assert picker.value == "hf"
    assert not app.warning
    _, strip = charts_of(app)
    assert strip["height"] == 90 and "sources" in json_dumps(strip)
    assert not any("Diamonds" in c.value for c in app.caption)  # one source: nothing mixed
    picker.set_value("all").run()
    assert dict(app.query_params) == {"terms": "agent"}
    assert any("Diamonds: periods whose mix of sources" in c.value and "2025-09" in c.value for c in app.caption)


def test_corpus_lines_and_a_pick_on_one(app, mixed_store):
    open_trends(app, {"terms": "agent:hf, agent:cs.CL, (agent) / (diffusion)", "pick": "agent:hf@2025-09"})
    assert not app.warning, [w.value for w in app.warning]
    assert any("agent:hf” in 2025-09: 1 paper" in s.value for s in app.subheader)
    links = [p for p in app.get("page_link") if "Search these papers" in p.label]
    assert links and "src=hf" in links[0].proto.query_string


def test_mixed_windows_warn_and_offer_one_source(app, mixed_store):
    open_trends(app, {"recent": "30"})
    assert any("The two windows hold different sources" in w.value for w in app.warning)
    only = [b for b in app.button if b.label == "Count only arXiv"]
    assert only
    only[0].click().run()
    assert dict(app.query_params) == {"recent": "30", "src": "arxiv"}
    assert not any("The two windows hold different sources" in w.value for w in app.warning)


def test_bad_term_syntax_warns_on_the_page(app, mixed_store):
    open_trends(app, {"terms": "(agent, agent:nowhere, agent"})
    messages = " ".join(w.value for w in app.warning)
    assert "parentheses do not match" in messages and "no corpus 'nowhere'" in messages


def json_dumps(spec) -> str:
    import json

    return json.dumps(spec)
