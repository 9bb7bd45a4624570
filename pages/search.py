"""Search: ranked full-text search with filters, highlighted snippets, downloads and a shareable URL."""

from __future__ import annotations

import streamlit as st

from lib.errors import PapersError
from lib.library import FEED_SIZE
from lib.search import search
from lib.search.query import SYNTAX_MARKDOWN
from lib.source_keys import ALL
from lib.store.schema import source_name
from lib.text import md_escape
from lib.urlstate import LINK_TEXT, MAX_TEXT, SEARCH, SEARCH_MODES, SEARCH_SORTS, clip
from pages import common

state = common.url_state(SEARCH)
ds = common.dataset()
common.sample_banner(ds)
common.search_index(ds)  # loaded (or built) behind a spinner
try:
    page = common.library().search_page(state, common.read_papers() if state["hide"] == "read" else ())
except PapersError as exc:
    common.fail(exc)
state = common.settle(SEARCH, state, page.state)  # the widgets show the state the answer is for (a category cleared…)
categories = page.categories
key = lambda name: common.widget_key(SEARCH, name)


def first_page() -> None:
    common.set_state(SEARCH, p=1)


def new_mode() -> None:
    """A query box of the new mode: a pasted text longer than a query box holds is cut."""
    if st.session_state[key("mode")] != "text":
        st.session_state[key("q")] = clip(st.session_state.get(key("q"), ""), LINK_TEXT)
    first_page()


by_text = state["mode"] == "text"
st.title("Search")
with st.container(horizontal=True, wrap=False, gap="small", vertical_alignment="center"):
    if by_text:
        st.text_area(
            "Text",
            key=key("q"),
            on_change=first_page,
            max_chars=MAX_TEXT,
            height=140,
            placeholder="Paste an abstract or a paragraph (Ctrl+Enter): the papers nearest to it, by words and meaning",
            label_visibility="collapsed",
        )
    else:
        st.text_input(
            "Query",
            key=key("q"),
            on_change=first_page,
            max_chars=LINK_TEXT,
            icon=":material/search:",
            placeholder='e.g.  "mixture of experts" routing -vision   or   author:Hinton',
            label_visibility="collapsed",
        )
    if not by_text:  # a pasted text is read as it is, no syntax
        with st.popover("Syntax", icon=":material/help:", help="How to write a query"):
            st.markdown(SYNTAX_MARKDOWN)

# One compact row (order, one-click day ranges), the rest folded: on a phone the
# first result is in view without scrolling past every filter.
with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    st.selectbox(
        "Sort by",
        list(SEARCH_SORTS),
        key=key("sort"),
        on_change=first_page,
        width=190,
        format_func=lambda s: f"Sort: {SEARCH_SORTS[s].lower()}",
        label_visibility="collapsed",
    )
    st.segmented_control(
        "Ranking",
        list(SEARCH_MODES),
        key=key("mode"),
        required=True,
        on_change=new_mode,
        format_func=SEARCH_MODES.__getitem__,
        label_visibility="collapsed",
        help="Words + meaning: papers with every word, ranked by words and meaning together, and related "
        "papers. Words only: papers with every word, by BM25F. Search by text: paste a paragraph.",
    )
    ranges = st.container(width="content")
active = [
    source_name(state["src"]) if state["src"] != ALL else "",
    f"from {state['from']}" if state["from"] else "",
    f"to {state['to']}" if state["to"] else "",
    f"≥ {state['up']} upvotes" if state["up"] else "",
    state["cat"],
    "hiding read" if state["hide"] == "read" else "",
]
with st.expander("Filters" + "".join(f" · {md_escape(a)}" for a in active if a), icon=":material/filter_list:"):
    filter_row = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
common.source_picker(SEARCH, state, ds, into=filter_row, on_change=first_page)
with filter_row:
    common.day_range(SEARCH, state, ds, on_change=first_page, pills_into=ranges)
    st.number_input(
        "Min. upvotes", min_value=0, max_value=1_000_000, step=1, key=key("up"), on_change=first_page, width=130
    )
    st.selectbox(
        "Category",
        [""] + list(categories),
        key=key("cat"),
        on_change=first_page,
        format_func=lambda c: f"{c} ({categories[c]:,})" if c else "All categories",
        width=220,
    )
    common.hide_read_toggle(SEARCH, state)
common.warn(page.warnings)

if page.jump_id:
    st.switch_page("pages/paper.py", query_params={"id": page.jump_id})
if page.missing_id:
    st.info(page.missing_message, icon=":material/info:")
    common.write_url(SEARCH, state)
    st.stop()

link = common.absolute_link(SEARCH, state)
with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    st.markdown(f"**{page.summary}** · {page.elapsed_ms:,.0f} ms", width="content")
    st.space("stretch")
    common.copy_link(SEARCH, state)
    if page.total:  # files are made only when a button is pressed
        with st.popover("Download", icon=":material/download:"):
            st.download_button(
                "CSV",
                lambda: page.csv(link),
                "search-results.csv",
                "text/csv",
                icon=":material/download:",
                on_click="ignore",
                help=f"The first {search.MAX_EXPORT:,} results, with this view's link",
            )
            st.download_button(
                "JSON",
                lambda: page.json(link),
                "search-results.json",
                "application/json",
                icon=":material/download:",
                on_click="ignore",
            )
            st.download_button(
                "Atom feed",
                lambda: page.atom(link),
                "search.atom.xml",
                "application/atom+xml",
                icon=":material/rss_feed:",
                on_click="ignore",
                help=f"The {FEED_SIZE} newest papers of this search, as a feed a reader can subscribe to",
            )

if page.meaning_note:
    st.caption(page.meaning_note)
if by_text and len(state["q"]) > LINK_TEXT:
    st.caption(
        f"This view's link holds the first {LINK_TEXT:,} of the text's {len(state['q']):,} characters: "
        "a teammate who opens it sees the papers nearest to that part.",
    )
if page.words_total == 0 and not by_text and not page.query.is_empty:
    if page.navigated is not None:
        message = "No paper has every word of this search; the first result is the paper whose title it looks like"
        message += ", then related papers." if page.total > 1 else "."
    elif page.total:
        message = (
            "No paper has every word of this search: these are related papers, by meaning or by most of the words."
        )
    else:
        message = "No papers match this search."
    st.info(message, icon=":material/search_off:")
    for offer, query, icon in (
        ("Did you mean", page.did_you_mean, ":material/spellcheck:"),
        ("Try a broader search", page.broader, ":material/zoom_out:"),
    ):
        if query:
            st.page_link(
                "pages/search.py",
                label=f"{offer}: {md_escape(query)}",
                icon=icon,
                query_params=SEARCH.encode({**state, "q": query, "p": 1}),
            )
    if page.unfiltered:
        st.page_link(
            "pages/search.py",
            label="Search without the filters",
            icon=":material/filter_alt_off:",
            query_params=SEARCH.encode({"q": state["q"], "sort": state["sort"], "mode": state["mode"]}),
        )

marks = common.team_marks(page.rows["id"])
for position, (paper, snippet) in enumerate(zip(page.rows.itertuples(index=False), page.snippets)):
    common.paper_card(paper, paper.rank, abstract=False, snippet=snippet, topic=page.topic_of(position), marks=marks)

common.pager(SEARCH, state, page.pages)

common.write_url(SEARCH, state)
