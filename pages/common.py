"""The one module that knows both Streamlit and lib: cached data, URL state,
links, and turning lib's typed errors into messages.  Not a page itself.
"""
from __future__ import annotations

import gc
from typing import Any, NoReturn

import pandas as pd
import streamlit as st

from lib import index as search_index_module
from lib import terms as term_index_module
from lib import topics as topics_module
from lib import trends as trends_module
from lib.dataset import SAMPLE_VERSION, Dataset, load
from lib.index import SearchIndex
from lib.terms import TermIndex
from lib.errors import PapersError
from lib.store import Store, read_only
from lib.text import arxiv_abs_url, arxiv_id, arxiv_pdf_url, hf_paper_url, md_escape, md_link
from lib.urlstate import PageSpec


# --- data ---------------------------------------------------------------------------
def store() -> Store:
    """The store chosen by ``$PAPERS_DATA`` (else the project's data/)."""
    return Store()


def _kept(resource):
    """A resource shared for the life of the process, put out of the cyclic garbage
    collector's reach (``gc.freeze``): Streamlit runs a full collection after every script
    run, and walking the indexes' vocabularies (hundreds of thousands of terms each) was
    about half of the server's CPU per action.  Refcounting still frees an evicted one."""
    gc.freeze()
    return resource


@st.cache_resource(max_entries=2, show_spinner="Loading the papers…")
def _dataset(path: str, version: str | None) -> Dataset:
    # Keyed by the store version: a new import is picked up on the next rerun, and
    # every session shares one immutable Dataset (never mutate it).
    return _kept(load(Store(path)))


def dataset() -> Dataset:
    s = store()
    try:
        return _dataset(str(s.path), s.version())
    except PapersError as exc:
        fail(exc)


@st.cache_resource(max_entries=2, show_spinner="Loading the search index (built once per store version)…")
def _search_index(path: str, version: str) -> SearchIndex:
    ds = _dataset(path, None if version == SAMPLE_VERSION else version)
    return _kept(search_index_module.load_or_build(Store(path), ds))


def search_index(ds: Dataset) -> SearchIndex:
    """The search index of this dataset version, shared by every session."""
    try:
        return _search_index(ds.data_dir, ds.version)
    except PapersError as exc:
        fail(exc)


@st.cache_resource(max_entries=2, show_spinner="Loading the term index (built once per store version)…")
def _term_index(path: str, version: str) -> TermIndex:
    ds = _dataset(path, None if version == SAMPLE_VERSION else version)
    return _kept(term_index_module.load_or_build(Store(path), ds))


def term_index(ds: Dataset) -> TermIndex:
    """The term index (for trends) of this dataset version, shared by every session."""
    try:
        return _term_index(ds.data_dir, ds.version)
    except PapersError as exc:
        fail(exc)


@st.cache_data(max_entries=16, show_spinner="Finding emerging and fading terms (once per store version and windows)…")
def _emerging(path: str, version: str, recent: int, baseline: int):
    ds = _dataset(path, None if version == SAMPLE_VERSION else version)
    return trends_module.emerging(_term_index(path, version), ds.periods("month"), recent, baseline)


def emerging(ds: Dataset, recent: int, baseline: int):
    """lib.trends.emerging for this dataset version (computed once per version and windows:
    8 s at 1M papers, so never on every rerun)."""
    return _emerging(ds.data_dir, ds.version, recent, baseline)


@st.cache_resource(max_entries=4, show_spinner=False)
def _topic_model(path: str, version: str, k: int) -> topics_module.TopicModel:
    ds = _dataset(path, None if version == SAMPLE_VERSION else version)
    return _kept(topics_module.load_or_fit(Store(path), ds, _term_index(path, version), k))


def topic_model(ds: Dataset, k: int) -> topics_module.TopicModel:
    """The topic model with k topics of this dataset version (fitted once, with progress)."""
    term_index(ds)  # built first, with its own progress
    try:
        if topics_module.is_saved(store(), ds, k) or ds.is_sample:
            return _topic_model(ds.data_dir, ds.version, k)
        # Fitted here, outside the cached function (a cached function must not draw on
        # elements made outside it: Streamlit would replay that on every cache hit), and saved;
        # the cached function then loads it.
        with st.status(f"Finding {k} topics in {ds.overview.papers:,} papers — once per store version…",
                       expanded=True) as status:
            bar = st.progress(0.0)
            fitted = topics_module.load_or_fit(store(), ds, term_index(ds), k,
                                               lambda step, share: bar.progress(min(share, 1.0), step))
            status.update(label=f"Found {fitted.n_topics} topics in {fitted.seconds_:.0f} s", state="complete",
                          expanded=False)
        return _topic_model(ds.data_dir, ds.version, k)
    except PapersError as exc:
        fail(exc)


def fail(exc: Exception) -> NoReturn:
    st.error(str(exc), icon=":material/error:")
    st.stop()


def sample_banner(ds: Dataset) -> None:
    if ds.is_sample:
        how = ("an administrator loads data with `python -m lib import PATH…` on the server (this dashboard is "
               "read-only)" if read_only() else "load real data on the **Import** page, or with "
               "`python -m lib import PATH…`")
        st.info(
            "**You are looking at the bundled sample** — the Daily Papers page of 2025-08-12 "
            f"(63 papers). The store at `{ds.data_dir}` is empty: {how}.",
            icon=":material/science:",
        )


# --- URL state -------------------------------------------------------------------------
def widget_key(spec: PageSpec, key: str) -> str:
    return f"{spec.path or 'home'}.{key}"


def _marker(spec: PageSpec) -> str:
    return f"_url.{spec.path or 'home'}"


def _leave_legacy_pages_mode() -> None:
    """Streamlit treats a project with a ``pages/`` folder as a legacy (v1) multipage app
    until the entry point has called ``st.navigation`` once.  On a freshly started server,
    a shared link such as ``/search?q=...`` would then run the page file alone, without
    dashboard.py.  Switch the legacy mode off and rerun through dashboard.py."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def url_state(spec: PageSpec) -> dict[str, Any]:
    """The page's state.  When the URL is new to this session (a shared link, the
    first visit, the back button), or the page's widgets have been forgotten (Streamlit
    drops the state of widgets a run does not draw: the page was left for another),
    widgets are set from it and bad values are shown as warnings; otherwise the
    widgets' own values are the state.  Every page calls this first."""
    _leave_legacy_pages_mode()
    params = st.query_params.to_dict()
    # A widget just changed: its value wins, whatever the address bar says (a quick user
    # can rerun the page before the browser has taken the last URL we wrote).
    widget_changed = st.session_state.pop(_WIDGET_CHANGED, False)
    forgotten = any(widget_key(spec, f.key) not in st.session_state for f in spec.fields)
    if not widget_changed and (forgotten or st.session_state.get(_marker(spec)) != params):
        state, warnings = spec.decode(params)
        for key, value in state.items():
            st.session_state[widget_key(spec, key)] = value
        st.session_state[_marker(spec)] = params
        for message in warnings:
            st.warning(message, icon=":material/link_off:")
    return {f.key: st.session_state.get(widget_key(spec, f.key), f.default) for f in spec.fields}


_WIDGET_CHANGED = "_url.widget_changed"


def changed() -> None:
    """on_change callback of every widget bound to the URL (see :func:`url_state`)."""
    st.session_state[_WIDGET_CHANGED] = True


def set_state(spec: PageSpec, **values: Any) -> None:
    """Change widget values (call from a callback, before the widgets are drawn)."""
    changed()
    for key, value in values.items():
        st.session_state[widget_key(spec, key)] = value


def write_url(spec: PageSpec, state: dict[str, Any]) -> None:
    """Rewrite the address bar to the canonical URL of ``state``.  Sent on every run,
    even when ``st.query_params`` already holds it: a page link to the page on screen
    (a related topic) sets the server's query parameters but not the browser's address
    bar, and the browser ignores a query string it already shows."""
    params = spec.encode(state)
    st.query_params.from_dict(params)
    st.session_state[_marker(spec)] = params


def absolute_link(spec: PageSpec, state: dict[str, Any]) -> str:
    relative = spec.link(state)
    url = st.context.url
    if not url:
        return relative
    base = url.rstrip("/")
    if spec.path and base.endswith("/" + spec.path):
        base = base[: -len(spec.path) - 1]
    return base + relative


SAVABLE = ("", "search", "trends", "topics")  # pages whose views can be saved for digests and feeds


def copy_link(spec: PageSpec, state: dict[str, Any]) -> None:
    """The "Copy link" control: the canonical link of what is on screen, and (when the
    dashboard is writable) saving it as a named view for digests and feeds."""
    link = absolute_link(spec, state)
    with st.popover("Copy link", icon=":material/link:"):
        st.caption("The link to exactly this view — copy it with the button on the right.")
        st.code(link, language=None, wrap_lines=True)
        if spec.path in SAVABLE and not read_only():
            key = f"save-view.{spec.path or 'home'}"
            st.text_input("Save as a view named", max_chars=80, placeholder="e.g. agents this week", key=key)
            st.button("Save view", icon=":material/bookmark_add:", key=f"{key}.button", on_click=save_view,
                      args=(key, link))


def save_view(key: str, link: str) -> None:
    """Button callback: save ``link`` under the name typed in widget ``key``."""
    from lib.views import ViewLink

    changed()
    name = " ".join((st.session_state.get(key) or "").split())
    if not name:
        st.toast("Give the view a name first.", icon=":material/edit:")
        return
    try:
        ViewLink.parse(link)
        store().update_views(lambda current: {**current, name: link})
    except PapersError as exc:
        st.toast(str(exc), icon=":material/error:")
        return
    st.session_state[key] = ""
    st.toast(f"Saved “{name}”: see Saved views for its digest and feed.", icon=":material/bookmark_added:")


# --- shared widgets -------------------------------------------------------------------------
def pager(spec: PageSpec, state: dict[str, Any], pages: int) -> None:
    """Previous / next page buttons for the URL key ``p``."""
    if pages <= 1:
        return
    row = st.columns([1, 1, 3], vertical_alignment="center")
    row[0].button("Previous page", icon=":material/chevron_left:", disabled=state["p"] <= 1,
                  on_click=set_state, args=(spec,), kwargs={"p": state["p"] - 1})
    row[1].button("Next page", icon=":material/chevron_right:", disabled=state["p"] >= pages,
                  on_click=set_state, args=(spec,), kwargs={"p": state["p"] + 1})
    row[2].caption(f"Page {state['p']} of {pages:,}")


MAX_AUTHORS = 12


def paper_title_link(paper_id: str, title: str, rank: int | None = None) -> None:
    """The paper's title as a link to its paper page (escaped: titles are data)."""
    number = f"{rank}. " if rank is not None else ""
    st.page_link("pages/paper.py", label=f"**{number}{md_escape(title)}**", query_params={"id": paper_id})


def paper_meta(paper: Any) -> None:
    """Authors, then day · upvotes · comments · categories · outside links."""
    authors = list(paper.authors)
    if authors:
        more = f", … (+{len(authors) - MAX_AUTHORS})" if len(authors) > MAX_AUTHORS else ""
        st.caption(md_escape(", ".join(authors[:MAX_AUTHORS]) + more))
    known_id = arxiv_id(paper.id)
    facts = [f":material/calendar_today: {paper.date:%Y-%m-%d}"] if pd.notna(paper.date) else []
    if pd.notna(paper.upvotes):
        facts.append(f":material/thumb_up: **{int(paper.upvotes)}**")
    if getattr(paper, "num_comments", None) is not None and pd.notna(paper.num_comments):
        facts.append(f":material/chat_bubble: {int(paper.num_comments)}")
    if len(paper.categories):
        facts.append(md_escape(" ".join(paper.categories[:4])))
    if known_id:
        facts += [md_link("arXiv", arxiv_abs_url(known_id)), md_link("PDF", arxiv_pdf_url(known_id)),
                  md_link("Hugging Face", hf_paper_url(known_id))]
    repo = getattr(paper, "github_repo", None)
    if isinstance(repo, str) and md_link("GitHub", repo) != "GitHub":
        facts.append(md_link("GitHub", repo))
    st.markdown(" · ".join(facts))


def paper_card(paper: Any, rank: int | None = None) -> None:
    """One paper as a card: title (to its paper page), facts, abstract on demand."""
    with st.container(border=True):
        paper_title_link(paper.id, paper.title, rank)
        paper_meta(paper)
        if paper.abstract:
            with st.expander("Abstract"):
                st.markdown(md_escape(paper.abstract))
                if len(paper.keywords):
                    st.caption("Keywords: " + md_escape(", ".join(paper.keywords)))
        else:
            st.caption("No abstract in the source.")
