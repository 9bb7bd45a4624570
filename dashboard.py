"""Papers dashboard: the entry point.  ``streamlit run dashboard.py``

One page per page of the URL grammar (lib.urlstate.PAGES), at that page's url path: these
are the links people share.  The page NAME is the file pages/NAME.py (home is at /).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from lib.store.store import read_only
from lib.urlstate import PAGES
from pages import common

HERE = Path(__file__).parent
ICON = HERE / "pages" / "assets" / "favicon.png"
# How the navigation shows each page of lib.urlstate.PAGES.
TITLES = {
    "home": ("Daily Papers", ":material/today:"),
    "search": ("Search", ":material/search:"),
    "paper": ("Paper", ":material/article:"),
    "trends": ("Trends", ":material/show_chart:"),
    "topics": ("Topics", ":material/topic:"),
    "collections": ("Collections", ":material/collections_bookmark:"),
    "views": ("Saved views", ":material/bookmarks:"),
    "import": ("Import", ":material/upload:"),
}
HIDDEN = ("paper",)  # reached from a paper's card, not from the menu
WRITES = ("import",)  # a shared, read-only dashboard has no page that writes


def page_file(name: str) -> Path:
    """The file of the page ``name`` (absolute: a page file run alone resolves it too)."""
    return HERE / "pages" / f"{name}.py"


def app_pages() -> list[StreamlitPage]:
    """The app's pages, in lib.urlstate.PAGES order (the menu's order)."""
    return [
        st.Page(
            page_file(name),
            title=TITLES[name][0],
            icon=TITLES[name][1],
            url_path=spec.path or None,
            default=not spec.path,
            visibility="hidden" if name in HIDDEN else "visible",
        )
        for name, spec in PAGES.items()
        if not (name in WRITES and read_only())
    ]


def navigation() -> StreamlitPage:
    """Configure the app and register its pages; the page the URL asks for."""
    # a local icon: a material-icon favicon is fetched from a font CDN, and the app works offline
    st.set_page_config(page_title="Papers dashboard", page_icon=str(ICON), layout="wide")
    return st.navigation(app_pages(), position="top")


def main() -> None:
    common.run_page(navigation())


if __name__ == "__main__":
    main()
