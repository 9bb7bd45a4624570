"""Saved views: the team's named links, each with its feed and the command for its digest."""

from __future__ import annotations

import streamlit as st

from lib.errors import PapersError
from lib.library import FEED_SIZE
from lib.team.views import ViewLink, atom_feed, view_papers
from lib.text import md_escape, md_message
from lib.urlstate import PAGES
from pages import common

VIEWS = PAGES["views"]
REMOVED = "views.removed"  # (name, link) of the view removed last: Undo puts it back

common.url_state(VIEWS)
common.write_url(VIEWS, {})
team = common.team()
base = common.app_base(VIEWS)

with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    st.title("Saved views", width="content")
    st.space("stretch")
    common.copy_link(VIEWS, {})
st.caption(
    "A saved view is a name and a link — any Daily Papers, Search, Trends or Topics view. Save one with "
    "**Save view** beside a page's **Copy link**, or with `python -m lib views add NAME LINK`. Links are kept "
    "relative to the dashboard, so they survive a move to another host or port. Each view has an Atom feed of "
    "its newest papers and a digest of what is new, by e-mail: "
    "`python -m lib digest NAME --since 7d --send --to you@lab.org` (put it in cron)."
)
try:
    views = team.views()
except PapersError as exc:
    common.fail(exc)


def remove(name: str, link: str) -> None:
    common.changed()

    def write() -> None:
        team.remove_view(name)
        st.session_state[REMOVED] = (name, link)  # only once it is gone: Undo puts it back

    common.team_write(write, "")


def undo() -> None:
    common.changed()
    name, link = st.session_state.pop(REMOVED)
    common.team_write(lambda: team.save_view(name, link, common.user_name()), "")


if REMOVED in st.session_state:
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.info(f"Removed “{md_escape(st.session_state[REMOVED][0])}”.", icon=":material/delete:")
        st.button("Undo", icon=":material/undo:", on_click=undo, key="views.undo")
if not views:
    st.info("No saved views yet.", icon=":material/bookmarks:")
    st.stop()

library = common.library()  # the app's own, shared: its indexes are loaded once per store version
for name, link in sorted(views.items()):
    with st.container(border=True):
        try:
            view = ViewLink.parse(link, base)
        except PapersError as exc:
            st.markdown(f"**{md_escape(name)}**")
            st.warning(f"This view's link cannot be used: {md_message(str(exc))}")
            continue
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            page_file = "pages/home.py" if view.page == "home" else f"pages/{view.page}.py"
            st.page_link(
                page_file,
                label=f"**{md_escape(name)}**",
                icon=":material/bookmark:",
                query_params=PAGES[view.page].encode(view.state),
            )
            st.space("stretch")
            common.copy_button(view.url, key=f"copy-{name}")
            st.download_button(
                "Atom feed",
                lambda view=view, name=name: atom_feed(
                    name, view, view_papers(view, library, None, FEED_SIZE, newest_first=True)
                ),
                f"{name}.atom.xml".replace("/", "-"),
                "application/atom+xml",
                icon=":material/rss_feed:",
                on_click="ignore",
                key=f"feed-{name}",
            )
            if common.can_write():
                st.button("Remove", key=f"remove-{name}", icon=":material/delete:", on_click=remove, args=(name, link))
        st.caption(md_escape(link))
