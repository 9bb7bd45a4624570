"""Library.search_page: every decision the Search page used to make itself, on real stores
imported through the real importer; the CLI, saved views' feeds and digests give its answer.

Expected papers are read off tests/search_fixture.py (18 papers, one a day, categories known) or,
for the decisions about the state, the search the page ran before (lib.search.search with the
filters written out)."""

from __future__ import annotations

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from search_fixture import ID, KEY, PAPERS, newest_first, write_jsonl

from lib.cli import main
from lib.library import FEED_SIZE, Library, Notice
from lib.search import search
from lib.store.importer import import_files
from lib.store.store import Store, input_files
from lib.team.db import ANONYMOUS, TeamDB
from lib.team.views import ViewLink, view_papers
from lib.urlstate import HOME, SEARCH

ATOM = "{http://www.w3.org/2005/Atom}"
AGENT = ["tool_agents", "rl_web", "memory"]  # "agent" (whole word, any form): by relevance


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """A store of the 18 fixture papers (all from arXiv)."""
    tmp = tmp_path_factory.mktemp("library")
    import_files(Store(tmp / "data"), input_files([str(write_jsonl(tmp / "papers.jsonl"))], (".jsonl",)))
    return tmp / "data"


@pytest.fixture(scope="module")
def library(data) -> Library:
    return Library.open(Store(data))


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Library:
    """An empty store: the bundled demo (1,953 papers, so results run to many pages)."""
    return Library.open(Store(tmp_path_factory.mktemp("empty") / "data"))


def state(**values) -> dict:
    """A decoded Search state: the defaults, ranked by words only (these tests are about what
    words match: tests/test_hybrid.py has the ranking by meaning), then ``values``."""
    return {**SEARCH.decode({})[0], "mode": "lexical", **values}


def keys(frame) -> list[str]:
    return [KEY[i] for i in frame["id"]]


def old_search(library: Library, q: str = "", sort: str = "relevance", **filters) -> list[str]:
    """The papers of the page's first page as the page computed them before (filters as given)."""
    ds = library.dataset
    result = search.search(library.search_index, ds.search_columns, q, search.Filters(**filters), sort)
    return keys(search.result_frame(result, ds.table, 0, search.PAGE_SIZE))


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


# --- the state -------------------------------------------------------------------------------------
def test_a_plain_state_is_kept_without_warnings(library):
    asked = state(q="agent", sort="newest", up=5, cat="cs.AI", src="arxiv")
    page = library.search_page(asked)
    assert page.state == asked and page.warnings == ()
    assert keys(page.rows) == ["rl_web"]  # the one cs.AI "agent" paper with 5+ upvotes
    assert keys(page.rows) == old_search(library, "agent", "newest", min_upvotes=5, category="cs.AI")


def test_a_day_range_given_backwards_is_swapped(library):
    page = library.search_page(state(**{"from": dt.date(2026, 3, 9), "to": dt.date(2026, 2, 9)}))
    assert (page.state["from"], page.state["to"]) == (dt.date(2026, 2, 9), dt.date(2026, 3, 9))
    assert page.warnings == (Notice("The day range ended before it started; the two days were swapped."),)
    # the papers of 2026-02-09 .. 2026-03-09, newest first (an empty query browses)
    assert keys(page.rows) == ["ft_law", "ft_vision", "memory", "dense", "schrodinger"]


def test_a_category_no_paper_has_is_cleared(library):
    page = library.search_page(state(q="agent", cat="cs.XX"))
    assert page.state["cat"] == ""
    assert page.warnings == (Notice("No paper in the table has category 'cs.XX'; showing all categories."),)
    assert keys(page.rows) == AGENT  # every category
    assert page.categories["cs.CL"] == 7 and "cs.XX" not in page.categories


def test_a_held_category_filters(library):
    page = library.search_page(state(cat="cs.RO"))
    assert page.warnings == () and sorted(keys(page.rows)) == ["robot_grasp", "robot_lm"]


@pytest.mark.parametrize("src, name", [("hf", "Hugging Face daily list"), ("file:other.csv", "your file other.csv")])
def test_a_source_the_table_lacks_falls_back_to_all(library, src, name):
    page = library.search_page(state(q="agent", src=src))
    assert page.state["src"] == "all"
    assert page.warnings == (Notice(f"This table holds no papers from {name}; showing all sources."),)
    assert keys(page.rows) == AGENT


def test_held_source_keeps_a_pages_own_choices(library):
    # the Daily Papers page offers the daily list (its default) whether or not the table has one
    assert library.held_source(HOME, "hf", {"hf": "Hugging Face daily list", "all": "All papers"}) == ("hf", None)
    assert library.held_source(SEARCH, "arxiv") == ("arxiv", None)
    assert library.held_source(SEARCH, "hf")[0] == "all"


def test_warnings_in_the_order_the_page_shows_them(library):
    page = library.search_page(
        state(
            q='"language model', cat="cs.XX", src="hf", p=9, **{"from": dt.date(2026, 5, 1), "to": dt.date(2026, 1, 1)}
        )
    )
    assert [(w.text.split()[0], w.query) for w in page.warnings] == [
        ("No", False),  # the category
        ("The", False),  # the days
        ("This", False),  # the source
        ("Unbalanced", True),  # the query's own text
        ("Ignored", False),  # the page
    ]


# --- a pasted id ------------------------------------------------------------------------------------
@pytest.mark.parametrize("pasted", ["2602.00005", "https://arxiv.org/abs/2602.00005v2", "arXiv:2602.00005"])
def test_a_pasted_id_in_the_table_opens_its_paper(library, pasted):
    page = library.search_page(state(q=pasted))
    assert page.jump_id == "2602.00005" and page.missing_id is None
    assert page.rows.empty and page.result is None


def test_a_pasted_id_the_table_lacks_says_so(library):
    page = library.search_page(state(q="2612.99999", cat="cs.XX"))
    assert page.jump_id is None and page.missing_id == "2612.99999"
    assert page.missing_message == (
        "arXiv 2612.99999 is not in the table. Open it on [arXiv](https://arxiv.org/abs/2612.99999) or "
        "[Hugging Face](https://huggingface.co/papers/2612.99999), or import it."
    )
    assert [w.text for w in page.warnings] == ["No paper in the table has category 'cs.XX'; showing all categories."]


# --- the query and the page's results ----------------------------------------------------------------------
def test_the_querys_own_warnings(library):
    page = library.search_page(state(q='"language model'))
    assert page.warnings == (Notice("Unbalanced quote: the phrase runs to the end of the query.", query=True),)
    assert sorted(keys(page.rows)) == ["robot_lm", "tool_agents"]


def test_rows_total_summary_and_time(library):
    page = library.search_page(state(q="agent"))
    assert keys(page.rows) == AGENT == old_search(library, "agent")
    assert list(page.rows["rank"]) == [1, 2, 3]
    assert (page.total, page.total_exact, page.pages) == (3, True, 1)
    assert page.summary == "3 results" and page.elapsed_ms > 0
    browse = library.search_page(state())
    assert keys(browse.rows) == newest_first(PAPERS) and browse.summary == "18 papers, newest first"


def test_snippets_highlight_the_best_stretch(library):
    page = library.search_page(state(q="tokenizers"))
    (snippet,) = page.snippets
    # the long abstract's matches are near its end: the stretch starts there, cut with "…"
    assert snippet.startswith("…w30 ") and ":orange-background[tokenizers]" in snippet
    assert ":orange-background[tokenizer]" in snippet and "w0 " not in snippet
    assert len(library.search_page(state(q="agent")).snippets) == 3


def test_a_page_past_the_last_is_clamped(sample):
    page = sample.search_page(state(p=2))
    assert page.pages == 98 and list(page.rows["rank"])[:: search.PAGE_SIZE - 1] == [21, 40] and not page.warnings
    beyond = sample.search_page(state(p=999))
    assert beyond.state["p"] == 98
    assert beyond.warnings == (Notice("Ignored p=999: there are 98 pages of results; showing page 98."),)
    assert beyond.rows["rank"].iloc[0] == 97 * search.PAGE_SIZE + 1


def test_a_page_past_the_last_of_few_results(library):
    page = library.search_page(state(q="agent", p=3))
    assert page.state["p"] == 1 and keys(page.rows) == AGENT
    assert page.warnings == (Notice("Ignored p=3: there are 1 page of results; showing page 1."),)


def test_nothing_found_offers_a_broader_query(library):
    page = library.search_page(state(q="agent zzzqqq"))
    assert page.total == 0 and page.rows.empty
    assert page.broader == "agent" and not page.unfiltered
    assert library.search_page(state(q="zzzqqq")).broader is None  # nothing broader finds anything


def test_nothing_found_with_filters_offers_the_search_without_them(library):
    for filters in [{"up": 1000}, {"cat": "cs.CR"}, {"from": dt.date(2027, 1, 1)}, {"to": dt.date(2020, 1, 1)}]:
        page = library.search_page(state(q="agent", **filters))
        assert page.total == 0 and page.unfiltered, filters
        assert page.broader is None  # "agent" is as broad as it gets
    assert library.search_page(state(q="zzzqqq", src="arxiv")).unfiltered  # a source is a filter too
    assert not library.search_page(state(q="zzzqqq")).unfiltered
    assert not library.search_page(state(q="agent", up=5)).unfiltered  # something matched


def test_exports_hold_every_result_and_the_link(library):
    page = library.search_page(state(sort="upvotes"))
    assert len(page.results()) == 18 and len(page.results(4)) == 4
    assert keys(page.results(3)) == ["protein_a", "schrodinger", "protein_b"]
    assert page.csv("/search?sort=upvotes").decode().count("/search?sort=upvotes") == 18
    document = json.loads(page.json("/search?sort=upvotes"))
    assert document["count"] == 18 and document["view"] == "/search?sort=upvotes"


def test_the_feed_is_the_newest_papers(library):
    page = library.search_page(state(q="model", sort="upvotes"))
    newest = page.newest()
    assert keys(newest) == newest_first(keys(page.results()))  # one paper a day: no ties
    assert len(library.search_page(state()).newest(5)) == 5 and FEED_SIZE == 50
    root = ET.fromstring(page.atom("http://lab.org/search?q=model"))
    assert root.find(f"{ATOM}title").text == "Papers dashboard: model"
    assert [e.find(f"{ATOM}id").text.rsplit("=", 1)[1] for e in root.iter(f"{ATOM}entry")] == list(newest["id"])


# --- the CLI, feeds and digests give the page's answer -------------------------------------------------------
@pytest.mark.parametrize(
    "argv, asked",
    [
        (["agent"], {"q": "agent"}),
        (["model", "--sort", "upvotes", "--limit", "50"], {"q": "model", "sort": "upvotes"}),
        (["", "--from", "2026-03-09", "--to", "2026-02-09"], {"from": dt.date(2026, 3, 9), "to": dt.date(2026, 2, 9)}),
        (["agent", "--category", "cs.XX"], {"q": "agent", "cat": "cs.XX"}),
        (
            ["", "--min-upvotes", "10", "--sort", "oldest", "--src", "arxiv"],
            {"up": 10, "sort": "oldest", "src": "arxiv"},
        ),
    ],
)
def test_the_cli_prints_the_pages_papers_in_its_order(data, library, argv, asked):
    code, out, err = run("search", "--data", str(data), "--json", "--limit", "50", *argv)
    assert code == 0, err
    page = library.search_page(state(**{"mode": "hybrid", **asked}))  # the default of both
    assert [r["id"] for r in json.loads(out)] == list(page.results(50)["id"])
    assert [line for line in err.splitlines() if line.startswith("warning: ")] == [
        f"warning: {w.text}" for w in page.warnings
    ]


def test_a_saved_search_views_feed_is_the_pages_newest_papers(data, library, tmp_path):
    # a category no paper has and days given backwards: the page clears and swaps them, and so does the feed
    link = "/search?q=model&from=2026-05-11&to=2026-01-12&cat=cs.XX"
    TeamDB.open(data).save_view("models", link, ANONYMOUS)
    try:
        code, _, err = run("feed", "models", "--data", str(data), "--out", str(tmp_path / "feed.xml"))
    finally:
        TeamDB.open(data).remove_view("models")
    assert code == 0, err
    entries = ET.parse(tmp_path / "feed.xml").getroot().iter(f"{ATOM}entry")
    fed = [KEY[e.find(f"{ATOM}id").text.rsplit("=", 1)[1]] for e in entries]
    page = library.search_page(ViewLink.parse(link).state)
    assert fed == keys(page.newest())
    # read off the fixture: the "model" papers of 2026-01-12 .. 2026-05-11, in any category, newest first
    assert fed == [
        "robot_grasp",
        "robot_lm",
        "small_fine",
        "ft_law",
        "ft_vision",
        "schrodinger",
        "speech",
        "tool_agents",
    ]


def test_a_search_views_digest_runs_the_pages_search(library):
    view = ViewLink.parse("/search?q=agent&cat=cs.XX&src=hf")
    # a digest lists the papers that hold the words (none joins by meaning): the page's, by words only
    page = library.search_page({**view.state, "mode": "lexical"})
    # most upvoted first: the digest's order, of the page's papers
    assert keys(view_papers(view, library)) == ["rl_web", "tool_agents", "memory"]
    assert sorted(keys(view_papers(view, library))) == sorted(keys(page.rows))
    since = dt.date(2026, 1, 10)  # narrows the view's range, never widens it
    assert keys(view_papers(view, library, since)) == ["tool_agents", "memory"]
    assert ID["rl_web"] not in set(view_papers(ViewLink.parse("/search?q=agent&from=2026-01-06"), library)["id"])
