"""Papers dashboard: the entry point.  ``streamlit run dashboard.py``

Registers the pages with stable url paths: these are the links people share.
"""

from pathlib import Path

import streamlit as st

from lib.store.store import read_only

ICON = Path(__file__).parent / "pages" / "assets" / "favicon.png"


def main() -> None:
    # a local icon: a material-icon favicon is fetched from a font CDN, and the app works offline
    st.set_page_config(page_title="Papers dashboard", page_icon=str(ICON), layout="wide")
    pages = [
        st.Page("pages/home.py", title="Daily Papers", icon=":material/today:", default=True),
        st.Page("pages/search.py", title="Search", icon=":material/search:", url_path="search"),
        st.Page("pages/trends.py", title="Trends", icon=":material/show_chart:", url_path="trends"),
        st.Page("pages/topics.py", title="Topics", icon=":material/topic:", url_path="topics"),
        st.Page("pages/views.py", title="Saved views", icon=":material/bookmarks:", url_path="views"),
        st.Page("pages/paper.py", title="Paper", icon=":material/article:", url_path="paper", visibility="hidden"),
    ]
    if not read_only():  # a shared, read-only dashboard has no page that writes
        pages.append(st.Page("pages/import.py", title="Import", icon=":material/upload:", url_path="import"))
    st.navigation(pages, position="top").run()


if __name__ == "__main__":
    main()
