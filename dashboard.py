"""Papers dashboard: the entry point.  ``streamlit run dashboard.py``

One page per page of the URL grammar (lib.urlstate.PAGES), at that page's url path: these
are the links people share.  The page NAME is the file pages/NAME.py (home is at /).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from lib.access import ALLOW
from lib.errors import PapersError
from lib.text import md_escape
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
WRITES = ("import",)  # pages only an editor is offered (a reader's menu has no page that writes)
SIGN_IN = "Sign in"  # the title of every page while signed out: no page name, no paper, no count


def page_file(name: str) -> Path:
    """The file of the page ``name`` (absolute: a page file run alone resolves it too)."""
    return HERE / "pages" / f"{name}.py"


def app_pages() -> list[StreamlitPage]:
    """The app's pages this visitor is offered, in lib.urlstate.PAGES order (the menu's order)."""
    editor = common.can_write()
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
        if editor or name not in WRITES
    ]


def door_pages(door: Callable[[str], None]) -> list[StreamlitPage]:
    """While signed out (or refused): every path of the app shows ``door`` under one title, so
    the address bar keeps the link the visitor opened (sign-in takes them back to it)."""

    def page(path: str) -> StreamlitPage:
        def run() -> None:
            door(path)

        return st.Page(run, title=SIGN_IN, url_path=path or "signin", default=not path)

    return [page(spec.path) for spec in PAGES.values()]


def sign_in(path: str) -> None:
    """The only page a signed-out visitor sees: the app's name and a Sign in button."""
    common.door(common.kept_link(path))
    st.title("Papers dashboard", anchor=False)
    st.markdown("The team's daily ML papers: sign in with your team account to continue.")
    if st.button("Sign in", type="primary", icon=":material/login:"):
        st.login()


def refused(_path: str) -> None:
    """A signed-in user the allow-lists do not let in, or a configuration that lets nobody in."""
    st.title("Papers dashboard", anchor=False)
    try:
        rules = common.access()
    except PapersError as exc:
        st.error(f"Nobody can come in until the operator fixes the server's settings: {exc}.", icon=":material/error:")
    else:
        if not common.sign_in_configured():
            st.error(
                f"Nobody can come in: {ALLOW} is set, but sign-in is not configured (an [auth] section in "
                ".streamlit/secrets.toml). The operator configures both, or neither for local use.",
                icon=":material/lock:",
            )
        elif not rules.allow:
            st.error(f"Nobody can come in yet: the operator has not set {ALLOW}.", icon=":material/lock:")
        else:
            who = md_escape(str(st.user.get("email") or "")) or "This account"
            st.error(f"{who} is not on this team's list. Ask a teammate to add you.", icon=":material/lock:")
    if common.signed_in():
        st.button("Sign out", icon=":material/logout:", on_click=st.logout)


def sign_out() -> None:
    st.logout()


def navigation() -> StreamlitPage:
    """Configure the app and register its pages; the page the URL asks for."""
    # a local icon: a material-icon favicon is fetched from a font CDN, and the app works offline
    st.set_page_config(page_title="Papers dashboard", page_icon=str(ICON), layout="wide")
    if common.role() == "stranger":
        door = sign_in if common.sign_in_configured() and not common.signed_in() else refused
        return st.navigation(door_pages(door), position="hidden")
    pages = app_pages()
    if not common.signed_in():
        return st.navigation(pages, position="top")
    # Signed in: the user's menu (their name and role) holds Sign out, in the top bar.
    account = st.Page(sign_out, title="Sign out", icon=":material/logout:", url_path="signout")
    menu = f"{common.user_name()} · {'editor' if common.can_write() else 'reader'}"
    page = st.navigation({"": pages, menu: [account]}, position="top")
    common.return_after_sign_in(pages, page)
    return page


def main() -> None:
    common.run_page(navigation())


if __name__ == "__main__":
    main()
