"""Nothing hangs (issue 25, point 12): a search, an export and a trend each have a time budget
(lib.deadline, ``PAPERS_QUERY_SECONDS``), past which the answer is partial and says so; an OR of
common phrases reads their papers' text only as far as a page shows; a trend looks up only the
terms it draws.  On the bundled demo (1,953 real papers) and the trends fixture."""

from __future__ import annotations

import io

import pytest
from trends_fixture import build_table

from lib.cli import main
from lib.library import Library
from lib.search import search
from lib.store.store import Store
from lib.trends import terms, trends
from lib.urlstate import SEARCH, TRENDS

PHRASES = [
    "large language models",
    "state of the art",
    "in this paper we",
    "we propose a",
    "language models are",
    "reinforcement learning from",
]
OR_QUERY = " OR ".join(f'"{p}"' for p in PHRASES)
TINY = "0.000001"  # a budget every answer overruns


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Library:
    """An empty store: the bundled demo."""
    return Library.open(Store(tmp_path_factory.mktemp("empty") / "data"))


def state(**values) -> dict:
    return {**SEARCH.decode({})[0], "mode": "lexical", **values}


def each_phrase(library: Library) -> set[int]:
    """The rows holding one of PHRASES, each phrase searched alone."""
    found: set[int] = set()
    for phrase in PHRASES:
        found |= set(search.search(library.search_index, library.dataset.search_columns, f'"{phrase}"').rows.tolist())
    return found


def test_an_or_of_phrases_reads_their_text_only_as_far_as_a_page_shows(sample, monkeypatch):
    """Each alternative's rows were read at once (32 common phrases: 20 s at 75k papers); now one
    check for the group reads as far as the page shows, so the total is an estimate, and reading
    on (no time budget here) finds exactly the papers that hold one of the phrases."""
    monkeypatch.setenv("PAPERS_QUERY_SECONDS", "0")
    page = sample.search_page(state(q=OR_QUERY))
    assert len(page.rows) == search.PAGE_SIZE
    assert not page.total_exact  # only a page's worth was read
    expected = each_phrase(sample)
    assert len(expected) > 300
    assert set(page.result.rows.tolist()) == expected
    # after a narrower group ("models" AND the OR), the same
    narrow = sample.search_page(state(q=f"models {OR_QUERY}")).result
    models = set(search.search(sample.search_index, sample.dataset.search_columns, "models").rows.tolist())
    assert set(narrow.rows.tolist()) == expected & models


def test_a_search_past_its_budget_shows_what_it_found_and_says_so(sample, monkeypatch):
    monkeypatch.setenv("PAPERS_QUERY_SECONDS", TINY)
    far = 2 * search.MAX_ROUND // search.PAGE_SIZE  # a page that needs more than one round of reading
    page = sample.search_page(state(q=OR_QUERY, p=far))
    assert [n.text for n in page.warnings if n.text.startswith("Stopped after")] == [
        f"Stopped after {float(TINY):g} s: the results may be incomplete."
    ]
    assert not page.total_exact
    assert set(page.rows["id"]) <= set(sample.dataset.papers(sorted(each_phrase(sample)))["id"])
    first = sample.search_page(state(q=OR_QUERY))  # the first page needs one round: read all the same
    assert len(first.rows) == search.PAGE_SIZE
    monkeypatch.setenv("PAPERS_QUERY_SECONDS", "0")  # 0: no budget
    assert not any(n.text.startswith("Stopped") for n in sample.search_page(state(q=OR_QUERY)).warnings)


def test_an_export_past_its_budget_holds_fewer_rows_and_says_so(sample, monkeypatch):
    """The CSV of 32 excluded phrases took 17.6 s at 75k papers: an export has its own budget."""
    query = "model " + " ".join(f'-"{p}"' for p in PHRASES)
    whole = sample.search_page(state(q=query))
    assert len(whole.results()) > 300 and whole.export_note == ""
    monkeypatch.setenv("PAPERS_QUERY_SECONDS", TINY)
    cut = sample.search_page(state(q=query))
    shown = cut.results()
    assert len(shown) < len(whole.results())
    assert cut.export_note.startswith("Stopped after")
    assert set(shown["id"]) <= set(whole.results()["id"])


def test_the_cli_says_an_export_was_cut(sample, monkeypatch):
    monkeypatch.setenv("PAPERS_QUERY_SECONDS", TINY)
    err = io.StringIO()
    argv = ["search", "--data", str(sample.store.path), OR_QUERY, "--mode", "lexical", "--limit", "1000"]
    assert main(argv, out=io.StringIO(), err=err) == 0
    assert "warning: Stopped after" in err.getvalue()


def test_a_trend_looks_up_only_the_terms_it_draws():
    """100 prefixes* took 3.7 s at 75k papers, though only the first 10 terms are drawn: the
    lines after them are not looked up (so a slip among them is not even noticed)."""
    index = terms.TermIndex.build(build_table())
    text = ", ".join([f"word{i}" for i in range(12)] + [f"zz{i}*" for i in range(88)])
    keys, warnings = trends.parse_terms(text, index)
    assert len(keys) == trends.MAX_TERMS
    assert warnings == [f"Only the first {trends.MAX_TERMS} terms are drawn."]


def test_a_trend_past_its_budget_draws_what_it_found_and_says_so(sample, monkeypatch):
    monkeypatch.setenv("PAPERS_QUERY_SECONDS", TINY)
    answer = sample.trend({**TRENDS.decode({})[0], "terms": "agent, diffusion, in this paper we propose"})
    assert any(n.text.startswith("Stopped after") for n in answer.warnings)
    assert answer.series["label"].nunique() >= 1
