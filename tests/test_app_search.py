"""AppTest of the Search and Paper pages: URL round trips for every key, jumps, bad links."""

import datetime as dt
import re

import pytest
from conftest import THREE_DAYS, open_page


def result_titles(app):
    titles = []
    for link in app.page_link:
        match = re.match(r"^\*\*\d+\. (.*)\*\*$", link.value)
        if match:
            titles.append(re.sub(r"\\(.)", r"\1", match.group(1)))
    return titles


def count_line(app):
    return next(m.value for m in app.markdown if "results" in m.value or "papers, newest first" in m.value)


def test_sample_lora_finds_allora_first(app, empty_store):
    open_page(app, "pages/search.py", {"q": "LoRA"})
    assert result_titles(app)[0] == "ALLoRA: Adaptive Learning Rate Mitigates LoRA Fatal Flaws"
    assert app.text_input[0].value == "LoRA"
    assert dict(app.query_params) == {"q": "LoRA"}


def test_empty_query_browses_newest_first(app, three_day_store):
    open_page(app, "pages/search.py")
    # newest day first; within a day, the order papers were listed (read)
    days = sorted({r["date"] for r in THREE_DAYS}, reverse=True)
    expected = [r["title"] for d in days for r in THREE_DAYS if r["date"] == d]
    assert result_titles(app) == expected
    assert count_line(app).startswith("**6 papers, newest first**")


@pytest.mark.parametrize(
    "params, expected_titles",
    [
        ({"q": "agents"}, ["Agents That Plan With Maps"]),
        (
            {"q": "decoding OR tokenizers", "sort": "oldest"},
            ["Speculative Decoding at Scale", "Tokenizers Are Models Too"],
        ),
        (
            {"sort": "upvotes", "from": "2025-01-06", "to": "2025-01-08"},
            [
                "Agents That Plan With Maps",
                "Retrieval Heads in Long Context",
                "Diffusion Policies for Robots",
                "Sparse Mixtures for Tabular Forecasting",
            ],
        ),
        (
            {"sort": "upvotes", "up": "10"},
            ["Tokenizers Are Models Too", "Agents That Plan With Maps", "Retrieval Heads in Long Context"],
        ),
        ({"q": "author:Cy"}, ["Agents That Plan With Maps"]),
        (
            {"q": "-robots", "sort": "oldest", "to": "2025-01-08"},
            [
                "Sparse Mixtures for Tabular Forecasting",
                "Agents That Plan With Maps",
                "Retrieval Heads in Long Context",
            ],
        ),
    ],
)
def test_shared_links_reproduce_the_view(app, three_day_store, params, expected_titles):
    open_page(app, "pages/search.py", params)
    shown = result_titles(app)
    if params.get("q", "") == "" and params.get("sort") != "upvotes":
        assert shown[: len(expected_titles)] == expected_titles
    else:
        assert shown == expected_titles
    assert dict(app.query_params) == params
    assert not app.warning


def test_widgets_are_set_from_every_key(app, three_day_store):
    params = {"q": "agents", "sort": "newest", "from": "2025-01-06", "to": "2025-01-09", "up": "5", "p": "1"}
    open_page(app, "pages/search.py", params)
    assert app.text_input[0].value == "agents"
    assert app.selectbox[0].value == "newest"
    assert app.date_input[0].value == dt.date(2025, 1, 6)
    assert app.date_input[1].value == dt.date(2025, 1, 9)
    assert app.number_input[0].value == 5
    del params["p"]  # page 1 is the default: dropped from the canonical link
    assert dict(app.query_params) == params


def test_changing_widgets_rewrites_the_url(app, three_day_store):
    open_page(app, "pages/search.py")
    app.text_input[0].set_value("agents OR robots").run()
    assert dict(app.query_params) == {"q": "agents OR robots"}
    app.selectbox[0].set_value("upvotes").run()
    assert dict(app.query_params) == {"q": "agents OR robots", "sort": "upvotes"}
    app.date_input[0].set_value(dt.date(2025, 1, 7)).run()
    assert dict(app.query_params) == {"q": "agents OR robots", "sort": "upvotes", "from": "2025-01-07"}
    assert result_titles(app) == ["Diffusion Policies for Robots"]
    app.number_input[0].set_value(8).run()
    assert app.query_params["up"] == "8"
    assert result_titles(app) == []
    assert any("No papers match" in i.value for i in app.info)


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"sort": "sideways"}, "sort"),
        ({"from": "2025-02-30"}, "from"),
        ({"up": "-3"}, "up"),
        ({"p": "0"}, "p="),
        ({"p": "999", "q": "agents"}, "p=999"),
        ({"cat": "<script>"}, "cat"),
        ({"cat": "cs.XX"}, "cs.XX"),
        ({"q": "x" * 2_100}, "q="),
        ({"zzz": "1"}, "zzz"),
    ],
)
def test_bad_values_fall_back_with_a_warning(app, three_day_store, params, fragment):
    open_page(app, "pages/search.py", params)
    assert any(fragment in w.value for w in app.warning), [w.value for w in app.warning]
    assert all(key not in app.query_params or key == "q" for key in params)


def test_day_range_given_backwards_is_swapped(app, three_day_store):
    open_page(app, "pages/search.py", {"from": "2025-01-09", "to": "2025-01-06"})
    assert any("swapped" in w.value for w in app.warning)
    assert dict(app.query_params) == {"from": "2025-01-06", "to": "2025-01-09"}


def test_paging_round_trip(app, empty_store):
    open_page(app, "pages/search.py", {"p": "2"})
    ranks = [link.value.split(".")[0] for link in app.page_link if link.value.startswith("**")]
    assert ranks[0] == "**21" and ranks[-1] == "**40" and len(ranks) == 20
    assert any(c.value == "Page 2 of 98" for c in app.caption)  # the demo's 1,953 papers
    next(b for b in app.button if b.label == "Next page").click().run()
    assert dict(app.query_params) == {"p": "3"}


def test_no_results_offers_a_broader_query(app, three_day_store):
    open_page(app, "pages/search.py", {"q": "agents zzzqqq", "mode": "lexical"})
    assert any("No papers match" in i.value for i in app.info)
    broader = next(link for link in app.page_link if link.value.startswith("Try a broader search"))
    assert "agents" in broader.value and "zzzqqq" not in broader.value
    # ranked by words and meaning, the papers with most of the words are listed at once, below the offer
    open_page(app, "pages/search.py", {"q": "agents zzzqqq", "mode": "hybrid"})
    assert any("No paper has every word" in i.value for i in app.info)
    assert result_titles(app)[0] == "Agents That Plan With Maps"
    broader = next(link for link in app.page_link if link.value.startswith("Try a broader search"))
    assert "agents" in broader.value and "zzzqqq" not in broader.value


def test_unbalanced_quote_is_handled(app, three_day_store):
    open_page(app, "pages/search.py", {"q": '"agents that plan'})
    assert any("Unbalanced quote" in w.value for w in app.warning)
    assert result_titles(app) == ["Agents That Plan With Maps"]


def test_pasted_arxiv_url_jumps_to_the_paper(app, three_day_store):
    open_page(app, "pages/search.py", {"q": "https://arxiv.org/abs/2501.00004v2"})
    assert not app.exception
    assert any("Diffusion Policies for Robots" in t.value for t in app.title)
    assert dict(app.query_params) == {"id": "2501.00004"}


def test_pasted_unknown_id_says_so(app, three_day_store):
    open_page(app, "pages/search.py", {"q": "2509.99999"})
    assert any("not in the table" in i.value for i in app.info)


def test_paper_page_shows_the_paper_and_similar_papers(app, three_day_store):
    open_page(app, "pages/paper.py", {"id": "2501.00006"})
    assert app.title[0].value == "Tokenizers Are Models Too"
    assert dict(app.query_params) == {"id": "2501.00006"}
    similar = [link for link in app.page_link if "Tokenizers Are Models Too" not in link.value]
    assert all(link.value for link in similar)


def test_paper_page_unknown_and_bad_ids(app, three_day_store):
    open_page(app, "pages/paper.py", {"id": "2509.99999"})
    assert any("No paper with id" in w.value for w in app.warning)
    assert any(link.value.startswith("Search for") for link in app.page_link)
    app2 = type(app).from_file(app._script_path, default_timeout=60)
    open_page(app2, "pages/paper.py", {"id": "javascript:alert(1)"})
    assert any("Ignored id=" in w.value for w in app2.warning)


def test_paper_page_accepts_a_full_arxiv_url_as_id(app, three_day_store):
    open_page(app, "pages/paper.py", {"id": "https://arxiv.org/abs/2501.00003v3"})
    assert app.title[0].value == "Retrieval Heads in Long Context"
    assert dict(app.query_params) == {"id": "2501.00003"}


def test_shared_indexes_are_out_of_the_collectors_reach(app, three_day_store):
    """Streamlit collects garbage in full after every run: the shared dataset and index are
    frozen once loaded (gc.freeze), so that walk does not grow with their vocabularies."""
    import gc

    import streamlit as st

    st.cache_resource.clear()
    gc.unfreeze()
    try:
        open_page(app, "pages/search.py", {"q": "agents"})
        assert result_titles(app)
        frozen = gc.get_freeze_count()
        assert frozen > 0
        from pages import common

        index = common._library(str(three_day_store), common.store().version()).search_index
        assert gc.get_freeze_count() == frozen  # the app's own copy (a cache hit), frozen back then
        walked = {id(o) for o in gc.get_objects()}
        assert id(index.vocabulary) not in walked and id(index.terms) not in walked
    finally:
        gc.unfreeze()


# --- src: the papers of one source -------------------------------------------------------------------
@pytest.fixture
def mixed_store(empty_store, tmp_path):
    from test_app_home import import_mixed

    import_mixed(empty_store, tmp_path / "inputs")
    return empty_store


def test_src_hf_finds_only_the_daily_lists_papers(app, mixed_store):
    """An independent count: the papers of the daily list whose text holds "agents"."""
    from lib.dataset import load
    from lib.store.store import Store

    frame = load(Store(mixed_store)).frame
    on_list = frame[frame["sources"].map(lambda s: "hf" in list(s))]
    expected = sorted(
        on_list.loc[on_list["title"].str.contains("Agent") | on_list["abstract"].str.contains("agent"), "title"]
    )
    open_page(app, "pages/search.py", {"q": "agents", "src": "hf"})
    assert not app.warning
    assert sorted(result_titles(app)) == expected == ["Echo Chambers in Tool-Using Agents"]
    assert any(m.value.startswith("**1 result**") for m in app.markdown)
    assert app.expander[0].label == "Filters · Hugging Face daily list"
    assert app.selectbox(key="search.src").value == "hf"
    app.selectbox(key="search.src").set_value("all").run()
    assert sorted(result_titles(app)) == ["Echo Chambers in Tool-Using Agents", "Memory for Web Agents"]
    assert dict(app.query_params) == {"q": "agents"} and app.expander[0].label == "Filters"


def test_a_source_the_table_lacks_falls_back_to_all_with_a_warning(app, mixed_store):
    open_page(app, "pages/search.py", {"q": "agents", "src": "file:other.csv"})
    assert any("no papers from your file other.csv; showing all sources" in w.value for w in app.warning)
    assert len(result_titles(app)) == 2 and dict(app.query_params) == {"q": "agents"}


# --- search by meaning, typos, search by text, similar papers (the demo) ---------------------------
def test_a_misspelled_search_offers_the_corrected_one_as_a_link(app, empty_store):
    open_page(app, "pages/search.py", {"q": "speculatve decodng", "mode": "lexical"})
    offers = [link for link in app.page_link if link.label.startswith("Did you mean")]
    assert [link.label for link in offers] == ["Did you mean: speculative decoding"]
    assert "q=speculative+decoding" in offers[0].proto.page or offers[0].proto.query_string.endswith(
        "q=speculative+decoding&mode=lexical"
    )


def test_a_title_typed_with_typos_opens_first(app, empty_store):
    open_page(app, "pages/search.py", {"q": "Continous Speculativ Decodng for Autoregresive Image Generaton"})
    assert result_titles(app)[0] == "Continuous Speculative Decoding for Autoregressive Image Generation"
    assert any("the paper whose title it looks like" in i.value for i in app.info)


def test_the_ranking_mode_is_in_the_link(app, empty_store):
    open_page(app, "pages/search.py", {"q": "speculative decoding"})
    assert count_line(app).startswith("**9 results with every word + ")
    app.button_group[0].set_value("lexical").run()
    assert dict(app.query_params) == {"q": "speculative decoding", "mode": "lexical"}
    assert count_line(app).startswith("**9 results**")


def test_search_by_text_finds_the_pasted_abstracts_paper(app, empty_store):
    from lib.dataset import load
    from lib.store.store import Store

    table = load(Store(empty_store)).table
    abstract, title = table["abstract"][700].as_py(), table["title"][700].as_py()
    open_page(app, "pages/search.py", {"mode": "text"})
    app.text_area[0].set_value(abstract).run()
    assert result_titles(app)[0] == title
    assert any("100 papers nearest the text" in m.value for m in app.markdown)
    assert app.query_params["mode"] == "text" and len(app.query_params["q"]) <= 2_000
    if len(" ".join(abstract.split())) > 2_000:
        assert any("holds the first 2,000" in c.value for c in app.caption)


def test_a_papers_similar_papers_are_split_into_earlier_and_later_work(app, empty_store):
    open_page(app, "pages/paper.py", {"id": "2507.22058"})
    headings = [m.value for m in app.markdown if m.value in ("**Earlier work**", "**Later and same-day work**")]
    assert headings and set(headings) <= {"**Earlier work**", "**Later and same-day work**"}
    assert any("and their meaning" in c.value for c in app.caption)
