"""Collections: the team's named lists of papers, each with who added what and when, its
exports (CSV, JSON, BibTeX), its Atom feed, and "More for this collection" (recommendations
that say why)."""

from __future__ import annotations

import shlex

import streamlit as st

from lib.daily import PAGE_SIZE
from lib.errors import PapersError
from lib.text import count_text, md_escape
from lib.urlstate import COLLECTION_SORTS, COLLECTIONS, RECOMMEND_WINDOWS
from pages import common

state = common.url_state(COLLECTIONS)
ds = common.dataset()
common.sample_banner(ds)
library = common.library()
key = lambda name: common.widget_key(COLLECTIONS, name)
NEW = "collections.new"
RENAME = "collections.rename"

try:
    db = common.team()
    infos = db.collections()
except PapersError as exc:
    common.fail(exc)
writable = common.can_write()


def open_collection(name: str) -> None:
    common.set_state(COLLECTIONS, collection=name, p=1)


def create() -> None:
    """Callback: a new, empty collection named in the box; it opens."""
    if common.refused():
        return
    name = common.typed_name(NEW)
    if name is None:
        return
    try:
        db.create(name, common.user_name())
    except PapersError as exc:
        st.toast(common.for_visitors(exc), icon=":material/error:")
        return
    st.session_state[NEW] = ""
    open_collection(name)


# --- the list of collections ------------------------------------------------------------------
if not state["collection"]:
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.title("Collections", width="content")
        st.space("stretch")
        common.copy_link(COLLECTIONS, state)
    st.caption(
        "The team's named lists of papers. Add a paper from any card with its bookmark pills (one click adds, "
        "another removes), or from its page. Each collection lists who added each paper and when, exports to "
        "CSV, JSON and BibTeX, has an Atom feed, and recommends more papers like its own."
    )
    if writable:
        st.text_input(
            "New collection",
            key=NEW,
            on_change=create,
            placeholder="A name, e.g. VLA reading group, then Enter",
            max_chars=100,
            width=360,
        )
    if not infos:
        st.info("No collections yet.", icon=":material/collections_bookmark:")
    for info in sorted(infos, key=lambda c: c.updated_at, reverse=True):
        with st.container(border=True):
            st.page_link(
                "pages/collections.py",
                label=f"**{md_escape(info.name)}**",
                icon=":material/collections_bookmark:",
                query_params=COLLECTIONS.encode({"collection": info.name}),
            )
            st.caption(
                f"{count_text(info.size, 'paper')} · created by {md_escape(info.created_by)} "
                f"on {info.created_at:%Y-%m-%d} · changed {info.updated_at:%Y-%m-%d %H:%M} UTC"
            )
    common.write_url(COLLECTIONS, state)
    st.stop()

# --- one collection ---------------------------------------------------------------------------
name = state["collection"]
info = next((c for c in infos if c.name == name), None)
if info is None:
    st.title("Collections")
    st.warning(f"No collection is named “{md_escape(name)}”.", icon=":material/search_off:")
    st.page_link("pages/collections.py", label="All collections", icon=":material/collections_bookmark:")
    common.write_url(COLLECTIONS, state)
    st.stop()

from lib.team.collections import collection_feed, collection_papers, export  # noqa: E402

try:
    papers = collection_papers(library, db, name, state["sort"])
except PapersError as exc:
    common.fail(exc)
pages = max(1, -(-len(papers) // PAGE_SIZE))
if state["p"] > pages:
    st.warning(f"Ignored p={state['p']}: this collection has {count_text(pages, 'page')}; showing page {pages}.")
    state["p"] = pages
    st.session_state[key("p")] = pages


def rename() -> None:
    if common.refused():
        return
    new = common.typed_name(RENAME)
    if new is None:
        return
    try:
        db.rename(name, new)
    except PapersError as exc:
        st.toast(common.for_visitors(exc), icon=":material/error:")
        return
    open_collection(new)


def delete() -> None:
    if common.refused():
        return
    try:
        db.delete(name)
    except PapersError as exc:
        st.toast(common.for_visitors(exc), icon=":material/error:")
        return
    common.set_state(COLLECTIONS, collection="", p=1)
    st.toast(f"Deleted “{name}”.", icon=":material/delete:")


with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    st.title(md_escape(name), anchor=False, width="content")
    st.space("stretch")
    common.copy_link(COLLECTIONS, state)
st.caption(
    f"{count_text(len(papers), 'paper')} · created by {md_escape(info.created_by)} on {info.created_at:%Y-%m-%d}"
    + " · [All collections](collections)"
)
base = common.app_base(COLLECTIONS) or None
stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60] or "collection"
with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    common.url_choice(COLLECTIONS, "sort", COLLECTION_SORTS, "Order", collapsed=True)
    with st.popover("Export", icon=":material/download:"):
        for fmt, label, suffix, mime in (
            ("bibtex", "BibTeX", "bib", "application/x-bibtex"),
            ("csv", "CSV", "csv", "text/csv"),
            ("json", "JSON", "json", "application/json"),
        ):
            st.download_button(
                label,
                lambda fmt=fmt: export(fmt, name, papers, base),
                f"{stem}.{suffix}",
                mime,
                icon=":material/download:",
                on_click="ignore",
                key=f"collections.export.{fmt}",
            )
        st.download_button(
            "Atom feed",
            lambda: collection_feed(name, papers, base),
            f"{stem}.atom.xml",
            "application/atom+xml",
            icon=":material/rss_feed:",
            on_click="ignore",
            help="The collection's papers, the most recently added first",
        )
        st.caption(
            f"Digest of what is new for it, by e-mail: `python -m lib digest --collection {shlex.quote(name)} --since 1d`"
        )
    if writable:
        with st.popover("Edit", icon=":material/edit:"):
            st.text_input("Rename to", key=RENAME, on_change=rename, max_chars=100)
            st.button("Delete this collection", icon=":material/delete:", on_click=delete, type="primary")

papers_column, more_column = st.columns([3, 2], gap="large")
with papers_column:
    start = (state["p"] - 1) * PAGE_SIZE
    shown = papers.iloc[start : start + PAGE_SIZE]
    if papers.empty:
        st.info("No papers in this collection yet: add some from any card.", icon=":material/bookmark_add:")
    marks = common.team_marks(shown["id"])
    for paper in shown.itertuples(index=False):
        added = f"added by {paper.added_by} on {paper.added_at:%Y-%m-%d}"
        common.paper_card(paper, note=added, abstract=False, marks=marks, where="collection")
    common.pager(COLLECTIONS, state, pages)

with more_column:
    st.subheader("More for this collection", anchor=False)
    common.url_choice(COLLECTIONS, "since", RECOMMEND_WINDOWS, "Listed in", first_page=False, collapsed=True)
    st.caption(
        "Papers not in it, ranked by a linear classifier trained on its papers against the rest (words of "
        "title and abstract, and their meaning); each says which of its words weighed most."
        + (" **Not relevant** teaches it what to leave out." if writable else "")
    )

    def add(paper_id: str) -> None:
        common.team_write(lambda: db.add(name, [paper_id], common.user_name()), f"Added to “{name}”.")

    def not_relevant(paper_id: str) -> None:
        common.team_write(lambda: db.mark_not_relevant(name, paper_id, common.user_name()), "Marked not relevant.")

    if not papers.empty:
        try:
            more = library.recommendations(name, state["since"])
        except PapersError as exc:
            st.warning(common.for_visitors(exc), icon=":material/error:")
            more = papers.iloc[0:0]
        if more.empty:
            st.info("No papers to recommend in this window.", icon=":material/recommend:")
        for rank, paper in enumerate(more.itertuples(index=False), start=1):

            def actions(paper_id: str = paper.id) -> None:
                if not writable:
                    return
                with st.container(horizontal=True, gap="small"):
                    for label, icon, write in (
                        ("Add", ":material/bookmark_add:", add),
                        ("Not relevant", ":material/thumb_down:", not_relevant),
                    ):
                        st.button(
                            label,
                            key=f"more.{label}.{paper_id}",
                            icon=icon,
                            on_click=write,
                            args=(paper_id,),
                            type="tertiary",
                        )

            why = ", ".join(paper.why)
            common.paper_card(paper, rank, note=f"Why: {why}" if why else None, abstract=False, extra=actions)

common.write_url(COLLECTIONS, state)
