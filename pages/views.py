"""Saved views: the team's named links, each with its feed and the command for its digest."""
from __future__ import annotations

import streamlit as st

from lib.errors import PapersError
from lib.text import md_escape
from lib.urlstate import PAGES
from lib.views import Resources, ViewLink, atom_feed, view_papers
from pages import common

common.url_state(PAGES["views"])
common.write_url(PAGES["views"], {})
ds = common.dataset()
store = common.store()

st.title("Saved views")
st.caption("A saved view is a name and a link — any Daily Papers, Search, Trends or Topics view. Save one from "
           "a page's **Copy link** control, or with `python -m lib views add NAME LINK`. Each view has an Atom "
           "feed of its newest papers and a digest of what is new, by e-mail: "
           "`python -m lib digest NAME --since 7d --send --to you@lab.org` (put it in cron).")
try:
    views = store.read_views()
except PapersError as exc:
    common.fail(exc)
if not views:
    st.info("No saved views yet.", icon=":material/bookmarks:")
    st.stop()

resources = Resources(store, ds)


def remove(name: str) -> None:
    common.changed()
    store.update_views(lambda current: {k: v for k, v in current.items() if k != name})


for name, link in sorted(views.items()):
    with st.container(border=True):
        try:
            view = ViewLink.parse(link)
        except PapersError as exc:
            st.markdown(f"**{md_escape(name)}**")
            st.warning(f"This view's link cannot be used: {exc}")
            continue
        row = st.columns([4, 1, 1], vertical_alignment="center")
        page_file = "pages/home.py" if view.page == "home" else f"pages/{view.page}.py"
        row[0].page_link(page_file, label=f"**{md_escape(name)}**", icon=":material/bookmark:",
                         query_params=PAGES[view.page].encode(view.state))
        row[0].caption(md_escape(link))
        row[1].download_button(
            "Atom feed", lambda view=view, name=name: atom_feed(name, view, view_papers(view, resources, None, 50, newest_first=True)),
            f"{name}.atom.xml".replace("/", "-"), "application/atom+xml", icon=":material/rss_feed:",
            on_click="ignore", key=f"feed-{name}")
        if not common.read_only():
            row[2].button("Remove", key=f"remove-{name}", icon=":material/delete:", on_click=remove, args=(name,))
