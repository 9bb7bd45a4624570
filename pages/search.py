"""Search: ranked full-text search with filters, highlighted snippets, downloads and a shareable URL."""

from __future__ import annotations

import time

import streamlit as st

from lib.search import search
from lib.search.query import SYNTAX_MARKDOWN, parse
from lib.source_keys import ALL
from lib.store import exports
from lib.store.schema import source_name
from lib.team.views import ViewLink, atom_feed
from lib.text import count_text, md_escape
from lib.urlstate import SEARCH, SEARCH_SORTS
from pages import common

state = common.url_state(SEARCH)
ds = common.dataset()
common.sample_banner(ds)
index = common.search_index(ds)
key = lambda name: common.widget_key(SEARCH, name)


def first_page() -> None:
    common.set_state(SEARCH, p=1)


st.title("Search")
with st.container(horizontal=True, wrap=False, gap="small", vertical_alignment="center"):
    st.text_input(
        "Query",
        key=key("q"),
        on_change=first_page,
        max_chars=2_000,
        icon=":material/search:",
        placeholder='e.g.  "mixture of experts" routing -vision   or   author:Hinton',
        label_visibility="collapsed",
    )
    with st.popover("Syntax", icon=":material/help:", help="How to write a query"):
        st.markdown(SYNTAX_MARKDOWN)

categories = index.category_sizes()
if state["cat"] and state["cat"] not in categories:
    st.warning(
        f"No paper in the table has category {state['cat']!r}; showing all categories.", icon=":material/link_off:"
    )
    state["cat"] = ""
    common.set_state(SEARCH, cat="")
common.ordered_days(SEARCH, state)
# One compact row (order, one-click day ranges), the rest folded: on a phone the
# first result is in view without scrolling past every filter.
with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    state["sort"] = st.selectbox(
        "Sort by",
        list(SEARCH_SORTS),
        key=key("sort"),
        on_change=first_page,
        width=190,
        format_func=lambda s: f"Sort: {SEARCH_SORTS[s].lower()}",
        label_visibility="collapsed",
    )
    ranges = st.container(width="content")
held = state["src"] in ds.sources  # a source the table lacks falls back to all (source_picker says so)
active = [
    source_name(state["src"]) if held else "",
    f"from {state['from']}" if state["from"] else "",
    f"to {state['to']}" if state["to"] else "",
    f"≥ {state['up']} upvotes" if state["up"] else "",
    state["cat"],
]
with st.expander("Filters" + "".join(f" · {md_escape(a)}" for a in active if a), icon=":material/filter_list:"):
    filter_row = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
src = common.source_picker(SEARCH, state, ds, into=filter_row, on_change=first_page)  # a warning: out of the fold
with filter_row:
    common.day_range(SEARCH, state, ds, on_change=first_page, pills_into=ranges)
    state["up"] = st.number_input(
        "Min. upvotes", min_value=0, max_value=1_000_000, step=1, key=key("up"), on_change=first_page, width=130
    )
    state["cat"] = st.selectbox(
        "Category",
        [""] + list(categories),
        key=key("cat"),
        on_change=first_page,
        format_func=lambda c: f"{c} ({categories[c]:,})" if c else "All categories",
        width=220,
    )
state["q"] = st.session_state[key("q")]

query = parse(state["q"])
if query.jump_id:
    if ds.row_of(query.jump_id) is not None:
        st.switch_page("pages/paper.py", query_params={"id": query.jump_id})
    st.info(
        f"arXiv {query.jump_id} is not in the table. Open it on "
        f"[arXiv](https://arxiv.org/abs/{query.jump_id}) or [Hugging Face](https://huggingface.co/papers/{query.jump_id}), "
        "or import it.",
        icon=":material/info:",
    )
    common.write_url(SEARCH, state)
    st.stop()
for message in query.warnings:
    st.warning(message, icon=":material/edit_note:")

started = time.perf_counter()
filters = search.Filters(state["from"], state["to"], int(state["up"] or 0), state["cat"] or None, ds.member(src))
result = search.search(index, ds.search_columns, query, filters, state["sort"])
pages = max(1, -(-result.total // search.PAGE_SIZE))
if state["p"] > pages:
    st.warning(
        f"Ignored p={state['p']}: there are {count_text(pages, 'page')} of results; showing page {pages}.",
        icon=":material/link_off:",
    )
    state["p"] = pages
    common.set_state(SEARCH, p=pages)
start = (state["p"] - 1) * search.PAGE_SIZE
shown = search.result_frame(result, ds.table, start, start + search.PAGE_SIZE)
elapsed = time.perf_counter() - started

about = "" if result.total_exact else "about "
counted = count_text(result.total, "paper") + ", newest first" if query.is_empty else count_text(result.total, "result")
link = common.absolute_link(SEARCH, state)
with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    st.markdown(f"**{about}{counted}** · {elapsed * 1000:,.0f} ms", width="content")
    st.space("stretch")
    common.copy_link(SEARCH, state)
    if result.total:  # files are made only when a button is pressed
        everything = lambda: search.result_frame(result, ds.table, 0, search.MAX_EXPORT)
        with st.popover("Download", icon=":material/download:"):
            st.download_button(
                "CSV",
                lambda: exports.results_csv(everything(), link),
                "search-results.csv",
                "text/csv",
                icon=":material/download:",
                on_click="ignore",
                help=f"The first {search.MAX_EXPORT:,} results, with this view's link",
            )
            st.download_button(
                "JSON",
                lambda: exports.results_json(everything(), link, state["q"]),
                "search-results.json",
                "application/json",
                icon=":material/download:",
                on_click="ignore",
            )
            st.download_button(
                "Atom feed",
                lambda: atom_feed(
                    state["q"] or "newest papers",
                    ViewLink.parse(link),
                    search.result_frame(
                        search.search(index, ds.search_columns, query, filters, "newest"), ds.table, 0, 50
                    ),
                ),
                "search.atom.xml",
                "application/atom+xml",
                icon=":material/rss_feed:",
                on_click="ignore",
                help="The 50 newest papers of this search, as a feed a reader can subscribe to",
            )

if result.total == 0:
    st.info("No papers match this search.", icon=":material/search_off:")
    broader = search.broader_query(index, ds.search_columns, query, filters)
    if broader and broader != state["q"]:
        st.page_link(
            "pages/search.py",
            label=f"Try a broader search: {md_escape(broader)}",
            icon=":material/zoom_out:",
            query_params=SEARCH.encode({**state, "q": broader, "p": 1}),
        )
    if state["from"] or state["to"] or state["up"] or state["cat"] or src != ALL:
        st.page_link(
            "pages/search.py",
            label="Search without the filters",
            icon=":material/filter_alt_off:",
            query_params=SEARCH.encode({"q": state["q"], "sort": state["sort"]}),
        )

terms = query.positive_terms
for paper in shown.itertuples(index=False):
    common.paper_card(
        paper,
        paper.rank,
        abstract=False,
        snippet=search.highlight_markdown(search.snippet(paper.abstract, terms)) if paper.abstract else None,
    )

common.pager(SEARCH, state, pages)

common.write_url(SEARCH, state)
