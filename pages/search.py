"""Search: ranked full-text search with filters, highlighted snippets, downloads and a shareable URL."""
from __future__ import annotations

import time

import streamlit as st

from lib import exports, search
from lib.query import parse
from lib.text import md_escape
from lib.urlstate import SEARCH
from lib.views import ViewLink, atom_feed
from pages import common

SYNTAX = """
| type | to find |
|---|---|
| `diffusion policy` | papers with every word (ranked: a title match counts most) |
| `"mixture of experts"` | the words adjacent, in this order |
| `agents -survey` | without the word (`-"a phrase"` too) |
| `diffusion OR flow` | either word (OR binds tighter than the implicit AND) |
| `title:transformer` · `author:Hinton` | in the title · an author's name (`author:"Ada Lovelace"`) |
| `2508.01234` or an arXiv / Hugging Face URL | opens that paper |

Case, accents, plurals (*LLMs* finds *LLM*) and hyphens (*fine-tuning* finds *finetuning*) do not
matter; words match whole (*agent* never matches *reagent*).
"""

state = common.url_state(SEARCH)
ds = common.dataset()
common.sample_banner(ds)
index = common.search_index(ds)
key = lambda name: common.widget_key(SEARCH, name)  # noqa: E731


def first_page() -> None:
    common.set_state(SEARCH, p=1)


st.title("Search")
st.text_input("Query", key=key("q"), on_change=first_page, max_chars=2_000, icon=":material/search:",
              placeholder='e.g.  "mixture of experts" routing -vision   or   author:Hinton', label_visibility="collapsed")
with st.expander("Query syntax"):
    st.markdown(SYNTAX)

categories = index.category_sizes()
if state["cat"] and state["cat"] not in categories:
    st.warning(f"No paper in the table has category {state['cat']!r}; showing all categories.",
               icon=":material/link_off:")
    state["cat"] = ""
    common.set_state(SEARCH, cat="")
if state["from"] and state["to"] and state["from"] > state["to"]:
    st.warning("The day range ends before it starts; the two days were swapped.", icon=":material/link_off:")
    state["from"], state["to"] = state["to"], state["from"]
    common.set_state(SEARCH, **{"from": state["from"], "to": state["to"]})

row = st.columns([1.3, 1.2, 1.2, 1, 1.6], vertical_alignment="bottom")
state["sort"] = row[0].selectbox("Sort by", list(search.SORTS), format_func=search.SORTS.get, key=key("sort"),
                                 on_change=first_page)
state["from"] = row[1].date_input("From", key=key("from"), on_change=first_page, format="YYYY-MM-DD")
state["to"] = row[2].date_input("To", key=key("to"), on_change=first_page, format="YYYY-MM-DD")
state["up"] = row[3].number_input("Min. upvotes", min_value=0, max_value=1_000_000, step=1, key=key("up"),
                                  on_change=first_page)
state["cat"] = row[4].selectbox("Category", [""] + list(categories), key=key("cat"), on_change=first_page,
                                format_func=lambda c: f"{c} ({categories[c]:,})" if c else "All categories")
state["q"] = st.session_state[key("q")]

query = parse(state["q"])
if query.jump_id:
    if ds.row_of(query.jump_id) is not None:
        st.switch_page("pages/paper.py", query_params={"id": query.jump_id})
    st.info(f"arXiv {query.jump_id} is not in the table. Open it on "
            f"[arXiv](https://arxiv.org/abs/{query.jump_id}) or [Hugging Face](https://huggingface.co/papers/{query.jump_id}), "
            "or import it.", icon=":material/info:")
    common.write_url(SEARCH, state)
    st.stop()
for message in query.warnings:
    st.warning(message, icon=":material/edit_note:")

started = time.perf_counter()
filters = search.Filters(state["from"], state["to"], int(state["up"] or 0), state["cat"] or None)
result = search.search(index, ds.search_columns, query, filters, state["sort"])
pages = max(1, -(-result.total // search.PAGE_SIZE))
if state["p"] > pages:
    st.warning(f"Ignored p={state['p']}: there are {pages} page(s) of results; showing page {pages}.",
               icon=":material/link_off:")
    state["p"] = pages
    common.set_state(SEARCH, p=pages)
start = (state["p"] - 1) * search.PAGE_SIZE
shown = search.result_frame(result, ds.table, start, start + search.PAGE_SIZE)
elapsed = time.perf_counter() - started

head = st.columns([3, 1.1, 0.8, 0.8, 1.1], vertical_alignment="center")
about = "" if result.total_exact else "about "
what = "papers, newest first" if query.is_empty else ("result" if result.total == 1 else "results")
head[0].markdown(f"**{about}{result.total:,}** {what} · {elapsed * 1000:,.0f} ms")
with head[1]:
    common.copy_link(SEARCH, state)
link = common.absolute_link(SEARCH, state)
if result.total:  # files are made only when a button is pressed
    everything = lambda: search.result_frame(result, ds.table, 0, search.MAX_EXPORT)  # noqa: E731
    head[2].download_button("CSV", lambda: exports.results_csv(everything(), link), "search-results.csv", "text/csv",
                            icon=":material/download:", on_click="ignore",
                            help=f"The first {search.MAX_EXPORT:,} results, with this view's link")
    head[3].download_button("JSON", lambda: exports.results_json(everything(), link, state["q"]), "search-results.json",
                            "application/json", icon=":material/download:", on_click="ignore")
    head[4].download_button(
        "Atom feed", lambda: atom_feed(state["q"] or "newest papers", ViewLink.parse(link),
                                       search.result_frame(search.search(index, ds.search_columns, query, filters, "newest"),
                                                           ds.table, 0, 50)),
        "search.atom.xml", "application/atom+xml", icon=":material/rss_feed:", on_click="ignore",
        help="The 50 newest papers of this search, as a feed a reader can subscribe to")

if result.total == 0:
    st.info("No papers match this search.", icon=":material/search_off:")
    broader = search.broader_query(index, ds.search_columns, query, filters)
    if broader and broader != state["q"]:
        st.page_link("pages/search.py", label=f"Try a broader search: {md_escape(broader)}", icon=":material/zoom_out:",
                     query_params=SEARCH.encode({**state, "q": broader, "p": 1}))
    if state["from"] or state["to"] or state["up"] or state["cat"]:
        st.page_link("pages/search.py", label="Search without the filters", icon=":material/filter_alt_off:",
                     query_params=SEARCH.encode({"q": state["q"], "sort": state["sort"]}))

terms = query.positive_terms
for paper in shown.itertuples(index=False):
    with st.container(border=True):
        common.paper_title_link(paper.id, paper.title, paper.rank)
        common.paper_meta(paper)
        if paper.abstract:
            st.markdown(search.highlight_markdown(search.snippet(paper.abstract, terms)))

common.pager(SEARCH, state, pages)

common.write_url(SEARCH, state)
