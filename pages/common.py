"""The one module that knows both Streamlit and lib: cached data, URL state,
links, and turning lib's typed errors into messages.  Not a page itself.
"""

from __future__ import annotations

import gc
import urllib.parse
from collections.abc import Callable, Hashable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import quote, urlencode

import pandas as pd
import streamlit as st

from lib import charts, daily
from lib import sources as sources_module
from lib.access import Access, AccessError, Role, display_name, verified_email
from lib.dataset import Dataset
from lib.errors import PapersError, debugging
from lib.library import EmergingTerms, Library, Notice, PaperTopic, TopicsAnswer
from lib.search.index import SearchIndex
from lib.source_keys import ALL
from lib.store.store import Store
from lib.text import arxiv_abs_url, arxiv_id, arxiv_pdf_url, hf_paper_url, md_escape, md_link, md_message
from lib.topics import topics as topics_module
from lib.trends.terms import TermIndex
from lib.urlstate import BYS, NORMS, PAGES, SEARCH, TOPICS, PageSpec, clip

if TYPE_CHECKING:
    from streamlit.navigation.page import StreamlitPage

    from lib.team.db import TeamDB

_ASSETS = Path(__file__).parent / "assets"
_T = TypeVar("_T")


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
def _library(path: str, version: str | None) -> Library:
    # Keyed by the store version: a new import is picked up on the next rerun, and every
    # session shares one Library (its dataset, indexes and models; never mutate them).
    library = _kept(Library.open(Store(path)))
    library.warm_search()  # the first search answers at once
    return library


def library() -> Library:
    """The Library of the store's current version, shared by every session."""
    s = store()
    try:
        return _library(str(s.path), s.version())
    except PapersError as exc:
        fail(exc)


def dataset() -> Dataset:
    return library().dataset


def _shared(key: Hashable, load: Callable[[], _T], spinner: str | None) -> _T:
    """``load()`` of the Library's ``key``: on its first use in this process behind a spinner
    (``None``: none) and then kept out of the collector's reach (:func:`_kept`); later reruns
    just take it, with neither (a spinner flashed, and every session object frozen, on each)."""
    try:
        if library().loaded(key):
            return load()
        with st.spinner(spinner) if spinner else nullcontext():
            return _kept(load())
    except PapersError as exc:
        fail(exc)


def search_index(ds: Dataset) -> SearchIndex:
    """The search index of this dataset version, shared by every session."""
    return _shared(
        "search_index", lambda: library().search_index, "Loading the search index (built once per store version)…"
    )


def term_index(ds: Dataset) -> TermIndex:
    """The term index (for trends) of this dataset version, shared by every session."""
    return _shared("term_index", lambda: library().term_index, "Loading the term index (built once per store version)…")


def emerging_terms(state: dict[str, Any]) -> EmergingTerms:
    """Library.emerging_terms of a Trends state (computed once per version, source and windows:
    seconds at 1M papers, so never on every rerun)."""
    lib = library()
    term_index(lib.dataset)  # built first, with its own spinner
    try:
        with st.spinner("Finding emerging and fading terms (once per store version, source and windows)…"):
            return lib.emerging_terms(state)
    except PapersError as exc:
        fail(exc)


def topic_model(ds: Dataset, k: int) -> topics_module.TopicModel:
    """The topic model with k topics (0: automatic) of this dataset version (fitted once, with
    progress).  A saved model loads without the term index; a fit needs it, built first."""
    lib = library()
    k = k or lib.auto_k()
    try:
        if lib.has_topic_model(k):
            return _shared(
                ("topic_model", k), lambda: lib.topic_model(k), "Loading the topics (found once per store version)…"
            )
        term_index(ds)  # built first, with its own progress
        with st.status(
            f"Finding {k} topics in {ds.overview.papers:,} papers — once per store version…", expanded=True
        ) as status:
            bar = st.progress(0.0)
            fitted = lib.topic_model(k, lambda step, share: bar.progress(min(share, 1.0), step))
            status.update(
                label=f"Found {fitted.n_topics} topics in {fitted.seconds_:.0f} s", state="complete", expanded=False
            )
        return _kept(fitted)
    except PapersError as exc:
        fail(exc)


def topics(state: dict[str, Any]) -> TopicsAnswer:
    """Library.topics of a Topics state, its model loaded (or fitted once, with progress) first."""
    topic_model(dataset(), state["k"])
    try:
        return library().topics(state)
    except PapersError as exc:
        fail(exc)


def paper_topic(row: int) -> PaperTopic | None:
    """Library.paper_topic: a paper's topic and area when the automatic model needs no fit (a
    paper page never makes its reader wait for one), loaded on its first use in this process
    (no spinner); None otherwise, or when it cannot be had."""
    lib = library()
    k = lib.auto_k()
    try:
        if not lib.has_topic_model(k):
            return None
        if not lib.loaded(("topic_model", k)):
            _kept(lib.topic_model(k))  # its first load in this process (see _kept)
        return lib.paper_topic(row)
    except PapersError:
        return None


def for_visitors(exc: Exception) -> str:
    """An error's message without the server's paths (the data directory reads "the data
    directory"): visitors need not know where the server keeps its files.  Markdown, literal
    but for its `code spans` (:func:`lib.text.md_message`): it may quote what a visitor typed."""
    path = store().path
    text = str(exc).replace(str(path.resolve()), "the data directory").replace(str(path), "the data directory")
    return md_message(text)


def fail(exc: Exception) -> NoReturn:
    st.error(for_visitors(exc), icon=":material/error:")
    if debugging():  # PAPERS_DEBUG=1: the traceback under the message (never for visitors otherwise)
        st.exception(exc)
    st.stop()


def sample_banner(ds: Dataset) -> None:
    """While the store is empty: say that this is the bundled demo, and how to load real data
    (never the server's paths: visitors need not know them)."""
    if ds.is_sample:
        how = (
            "an administrator loads it on the server with `python -m lib import PATH…` (this dashboard is read-only)"
            if not can_write()
            else "load yours on the **Import** page or with `python -m lib import PATH…`"
        )
        o = ds.overview
        st.info(
            f"**Bundled demo** — {o.papers:,} real papers from Hugging Face Daily Papers, {o.first} to "
            f"{o.last}. No data of your own yet: {how}.",
            icon=":material/science:",
        )


# --- the page shell -------------------------------------------------------------------------
_SHELL = st.components.v2.component(
    "papers_shell",
    js=(_ASSETS / "shell.js").read_text(encoding="utf-8"),
    css=(_ASSETS / "shell.css").read_text(encoding="utf-8"),
    isolate_styles=False,
)
_TOP = "_shell.top"


def shell() -> None:
    """What only the browser can do (pages/assets/shell.js): scroll positions kept across
    Back/Forward, one history entry per click, Enter applies a typed date, links to the app's
    own pages open in the same tab, the global rules of shell.css (whole titles).  Mounted by
    :func:`url_state` on every page; it takes no room."""
    data: dict[str, Any] = {"top": st.session_state.get(_TOP, 0)}
    if NEXT_COOKIE in st.context.cookies:  # signed in and back: the kept link has served
        data["forget"] = NEXT_COOKIE
    _SHELL(key="papers-shell", data=data, height=0)


def scroll_to_top() -> None:
    """Show the top of the page after this rerun (a new page of results: its first card)."""
    st.session_state[_TOP] = st.session_state.get(_TOP, 0) + 1


# --- URL state -------------------------------------------------------------------------
# The widgets are not bound with Streamlit's ``bind="query-params"`` (tried with 1.67 on the
# search box and Min. upvotes): the frontend writes a bound widget's change with
# history.replaceState, so a new query made no history entry and Back left the page; it
# re-serialises the query string, so keys left the grammar's order; and on a first load the
# link's value wins over the grammar's verdict (a 900-character q, or up=+3, stayed in the box
# and the URL while the warning said it was ignored).  tests/test_browser.py keeps the first two.
def widget_key(spec: PageSpec, key: str) -> str:
    return f"{spec.path or 'home'}.{key}"


def _marker(spec: PageSpec) -> str:
    return f"_url.{spec.path or 'home'}"


_ROUTED = "_app.routed"


def run_page(page: StreamlitPage) -> None:
    """Run the page ``st.navigation`` chose (dashboard.py), marked as reached through the entry point."""
    st.session_state[_ROUTED] = True
    page.run()


def _through_the_entry_point(spec: PageSpec) -> None:
    """Streamlit runs a project with a ``pages/`` folder as a legacy multipage app until a
    session calls ``st.navigation`` (documented: from then on every session ignores ``pages/``;
    AppTest starts every run that way).  A shared link such as ``/search?q=...`` then runs the
    page's file alone, without dashboard.py: register the app's pages now, run the page the
    URL names as dashboard.py would (its menu, its layout, its widgets' state), and stop this
    run.  A page the app does not offer (Import for a reader) goes on alone and says so; a
    visitor not let in sees the sign-in page (or why not) whatever the URL."""
    if st.session_state.pop(_ROUTED, False):
        return
    import dashboard

    page = dashboard.navigation()
    if page.url_path == spec.path or role() == "stranger":  # a visitor not let in sees the door, always
        run_page(page)
        st.stop()


def url_state(spec: PageSpec) -> dict[str, Any]:
    """The page's state.  When the URL is new to this session (a shared link, the
    first visit, the back button), or the page's widgets have been forgotten (Streamlit
    drops the state of widgets a run does not draw: the page was left for another),
    widgets are set from it and bad values are shown as warnings; otherwise the
    widgets' own values are the state.  Every page calls this first."""
    _through_the_entry_point(spec)
    shell()
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
            st.warning(md_message(message), icon=":material/link_off:")
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


def settle(spec: PageSpec, state: dict[str, Any], settled: dict[str, Any]) -> dict[str, Any]:
    """The state a Library answer settled (a value of the link it changed: days swapped, a
    source the table lacks…) set on the page's widgets, before they are drawn; returns it."""
    moved = {name: value for name, value in settled.items() if value != state.get(name)}
    if moved:
        set_state(spec, **moved)
    return dict(settled)


_PAGE_ON_SCREEN = "_url.page"


def write_url(spec: PageSpec, state: dict[str, Any]) -> None:
    """Rewrite the address bar to the canonical URL of ``state``.

    On a rerun of the page on screen it is sent even when ``st.query_params`` already
    holds it: a page link to the page on screen (a related topic) sets the server's query
    parameters but not the browser's address bar.  On the first run of a page that a link
    opened, it is sent only when it differs from the link: the browser is still showing
    the previous page's path then, and the frontend pushes every query string it is sent
    as a history entry of the path on screen — a click from a search to a paper made a
    bogus ``/search?id=…`` entry before ``/paper?id=…``, so Back landed on it."""
    params = spec.encode(state)
    page_changed = st.session_state.get(_PAGE_ON_SCREEN) != spec.path
    st.session_state[_PAGE_ON_SCREEN] = spec.path
    if not page_changed or st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    st.session_state[_marker(spec)] = params


def app_base(spec: PageSpec) -> str:
    """The app's own address as the browser reached it (scheme, host, port and base path),
    from the address of the page ``spec`` on screen; empty when unknown (AppTest)."""
    url = (st.context.url or "").split("?")[0].rstrip("/")
    if url and spec.path and url.endswith("/" + spec.path):
        url = url[: -len(spec.path) - 1]
    return url


def absolute_link(spec: PageSpec, state: dict[str, Any]) -> str:
    """The full link of a view of the page on screen, on the site the browser is on."""
    return app_base(spec) + spec.link(state)


SAVABLE = ("", "search", "trends", "topics")  # pages whose views can be saved for digests and feeds

_COPY = st.components.v2.component(
    "papers_copy_link",
    html=(_ASSETS / "copy_link.html").read_text(encoding="utf-8"),
    css=(_ASSETS / "copy_link.css").read_text(encoding="utf-8"),
    js=(_ASSETS / "copy_link.js").read_text(encoding="utf-8"),
)


def copy_button(link: str, key: str) -> None:
    """**Copy link**: one click copies ``link`` to the clipboard; a toast confirms."""
    result = _COPY(key=key, data={"link": link}, on_copied_change=changed, width="content")
    if result.copied:
        st.toast("Link copied — paste it to a teammate.", icon=":material/content_copy:")
    elif result.copied is not None:  # the browser refused: the link is still in the toast
        st.toast(f"Your browser did not let the page copy. The link: {link}", icon=":material/content_copy:")


def copy_link(spec: PageSpec, state: dict[str, Any]) -> None:
    """The page's link controls: **Copy link** (the canonical link of what is on screen, in
    one click) and, on a writable dashboard, **Save view** (the link, relative to the app, under
    a name: a team's views survive a move to another host or port)."""
    page = spec.path or "home"
    with st.container(horizontal=True, gap="small", vertical_alignment="center", width="content"):
        copy_button(absolute_link(spec, state), key=f"copy-link.{page}")
        if spec.path in SAVABLE and can_write():
            key = f"save-view.{page}"
            with st.popover("Save view", icon=":material/bookmark_add:"):
                st.text_input(
                    "Save this view as",
                    max_chars=80,
                    placeholder="e.g. agents this week",
                    key=key,
                    on_change=save_view,
                    args=(key, spec.link(state)),
                    help="Press Enter to save. Saved views have feeds and e-mail digests.",
                )
                st.button(
                    "Save",
                    icon=":material/bookmark_add:",
                    key=f"{key}.button",
                    on_click=save_view,
                    args=(key, spec.link(state)),
                )


def save_view(key: str, link: str) -> None:
    """Callback: save ``link`` (relative to the app) under the name typed in widget ``key``."""
    from lib.team.views import ViewLink

    changed()
    if refused():
        return
    name = " ".join((st.session_state.get(key) or "").split())
    if not name:
        st.toast("Give the view a name first.", icon=":material/edit:")
        return
    try:
        ViewLink.parse(link)
        team().save_view(name, link, user_name())
    except PapersError as exc:
        st.toast(for_visitors(exc), icon=":material/error:")
        return
    st.session_state[key] = ""
    st.toast(f"Saved “{name}”: see Saved views for its digest and feed.", icon=":material/bookmark_added:")


# --- shared widgets -------------------------------------------------------------------------
def url_choice(
    spec: PageSpec,
    key: str,
    options: Mapping[str, str],
    label: str,
    *,
    first_page: bool = True,
    collapsed: bool = False,
) -> Any:
    """A segmented control bound to the URL key ``key`` (values -> labels ``options``); a
    change goes back to the first page of the list (``first_page``)."""
    return st.segmented_control(
        label,
        options=list(options),
        key=widget_key(spec, key),
        format_func=options.get,
        required=True,
        on_change=set_state,
        args=(spec,),
        kwargs={"p": 1} if first_page else {},
        width="content",
        label_visibility="collapsed" if collapsed else "visible",
    )


def pager(spec: PageSpec, state: dict[str, Any], pages: int) -> None:
    """Previous / next page buttons for the URL key ``p``; the new page opens at its top."""
    if pages <= 1:
        return

    def turn(to: int) -> None:
        set_state(spec, p=to)
        scroll_to_top()

    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.button(
            "Previous page",
            icon=":material/chevron_left:",
            disabled=state["p"] <= 1,
            on_click=turn,
            args=(state["p"] - 1,),
        )
        st.button(
            "Next page",
            icon=":material/chevron_right:",
            disabled=state["p"] >= pages,
            on_click=turn,
            args=(state["p"] + 1,),
        )
        st.caption(f"Page {state['p']} of {pages:,}", width="content")


def day_range(spec: PageSpec, state: dict[str, Any], ds: Dataset, on_change=None, pills_into=None) -> None:
    """From / To pickers bounded by the table's first and last day (they open there; a link's
    day outside them widens them, so the link keeps its meaning), and one-click ranges counted
    back from the last day (into ``pills_into`` when given, else beside the pickers); updates
    ``state``.  ``on_change``: called (as a callback) after any change."""
    first, last = ds.overview.first, ds.overview.last
    if first is None:
        return
    given = [d for d in (state["from"], state["to"]) if d]
    low, high = min([first, *given]), max([last, *given])
    chosen = f"{spec.path or 'home'}.range"
    st.session_state[chosen] = daily.range_name(state["from"], state["to"], first, last)

    def typed() -> None:
        changed()
        if on_change:
            on_change()

    def one_click() -> None:
        name = st.session_state[chosen]
        if name:
            begin, stop = daily.named_range(name, first, last)
            set_state(spec, **{"from": begin, "to": stop})
        typed()

    state["from"] = st.date_input(
        "From",
        key=widget_key(spec, "from"),
        min_value=low,
        max_value=high,
        format="YYYY-MM-DD",
        on_change=typed,
        width=150,
        help=f"Papers from this day on. The table starts on {first}.",
    )
    state["to"] = st.date_input(
        "To",
        key=widget_key(spec, "to"),
        min_value=low,
        max_value=high,
        format="YYYY-MM-DD",
        on_change=typed,
        width=150,
        help=f"Papers up to this day. The table ends on {last}.",
    )
    (pills_into or st).pills(
        "Days",
        list(daily.RANGES),
        format_func=daily.RANGES.get,
        key=chosen,
        on_change=one_click,
        width="content",
        label_visibility="collapsed",
        help=f"Counted back from the newest papers ({last}).",
    )


def source_picker(
    spec: PageSpec,
    state: dict[str, Any],
    ds: Dataset,
    *,
    label: str = "Papers from",
    into=None,
    offer: dict[str, str] | None = None,
    on_change=changed,
) -> str:
    """The papers counted (URL key ``src``): a choice of every source the table holds, with
    its number of papers; a link's source the table does not hold falls back to the
    default, saying so.  Returns the source in effect (``state["src"]`` too).  Drawn only
    when the table holds more than one source (``offer``: the choices and labels, when
    a page words them its own way; ``on_change``: a page's own callback, e.g. back to page 1)."""
    present = ds.sources
    options = offer or sources_module.choices(present)
    held, warning = library().held_source(spec, state["src"], options)
    if warning:
        st.warning(md_message(warning), icon=":material/link_off:")
        state["src"] = held
        st.session_state[widget_key(spec, "src")] = held
    if len(present) > 1:

        def label_of(key: str) -> str:
            papers = ds.overview.papers if key == ALL else present.get(key)
            return options[key] + (f" ({papers:,})" if papers is not None else "")

        state["src"] = (into or st).selectbox(
            label,
            list(options),
            format_func=label_of,
            on_change=on_change,
            key=widget_key(spec, "src"),
            width=260,
            help="Which papers every number here counts. The Hugging Face "
            "daily list is a small, hand-picked share of arXiv.",
        )
    return state["src"]


def period_controls(spec: PageSpec, state: dict[str, Any], one_day: bool, on_period: Callable[[], None]) -> None:
    """The Period (``by``) and Y axis (``norm``) controls of a chart over time; updates
    ``state``.  ``on_period``: the callback of a period change (a page may drop a pick)."""
    state["by"] = st.selectbox(
        "Period", BYS, key=widget_key(spec, "by"), on_change=on_period, disabled=one_day, width=120
    )
    state["norm"] = st.segmented_control(
        "Y axis",
        list(NORMS),
        format_func=NORMS.get,
        key=widget_key(spec, "norm"),
        required=True,
        on_change=changed,
        width="content",
    )


def composition_strip(spec: PageSpec, strip: pd.DataFrame | None, by: str) -> None:
    """Under a chart over time: an answer's composition strip, its papers per period by source
    (lib.trends.trends.composition), the denominator of its shares (None: not drawn)."""
    from lib import charts

    if strip is not None:
        st.altair_chart(charts.composition_chart(strip, by), width="stretch", key=f"{spec.path}.strip")


def warn(notices: Iterable[Notice]) -> None:
    """An answer's warnings: about what was typed (a query, terms), else about a value of the link."""
    for notice in notices:
        st.warning(md_message(notice.text), icon=":material/edit_note:" if notice.query else ":material/link_off:")


def some_periods(labels) -> str:
    """The first six period labels, then "…" when there are more."""
    labels = list(labels)
    return ", ".join(labels[:6]) + (" …" if len(labels) > 6 else "")


def mixed_windows_warning(spec: PageSpec, ds: Dataset, sentence: str) -> None:
    """The warning that two compared windows hold different sources, with one button per
    single source (sets ``src``)."""
    if not sentence:
        return
    st.warning(md_message(sentence), icon=":material/warning:")
    with st.container(horizontal=True, gap="small"):
        for single, name in sources_module.choices(ds.sources).items():
            if single != ALL:
                st.button(
                    f"Count only {name}",
                    key=f"{spec.path}.only.{single}",
                    icon=":material/filter_alt:",
                    on_click=set_state,
                    args=(spec,),
                    kwargs={"src": single},
                )


def hf_badge(paper: Any) -> str:
    """A small badge for a paper on the Hugging Face daily list (with its day there), else ""."""
    day = getattr(paper, "hf_day", None)
    if day is None or pd.isna(day):
        return ""
    shown = getattr(paper, "date", None)
    when = "" if shown is not None and pd.notna(shown) and shown == day else f" {day:%Y-%m-%d}"
    return f":orange-badge[:material/star: HF daily list{when}]"


MAX_AUTHORS = 12


def paper_title_link(paper_id: str, title: str, rank: int | None = None) -> None:
    """The paper's whole title (it wraps, never cut) as a link to its paper page; titles are
    data, so escaped."""
    number = f"{rank}. " if rank is not None else ""
    st.page_link("pages/paper.py", label=f"**{number}{md_escape(title)}**", query_params={"id": paper_id})


def author_link(name: str) -> str:
    """An author's name as a markdown link to the search of their papers (``author:"…"``),
    relative to the page on screen, so it works under any base path."""
    query = 'author:"' + " ".join(name.replace('"', " ").split()) + '"'
    return f"[{md_escape(name)}]({SEARCH.path}?q={quote(query, safe='')})"


def topic_line(placed: PaperTopic) -> str:
    """A paper's topic and area as markdown links to their Topics pages, relative to the page
    on screen (as :func:`author_link`)."""
    topic = f"{TOPICS.path}?{urlencode(TOPICS.encode({'topic': placed.topic}))}"
    area = f"{TOPICS.path}?{urlencode(TOPICS.encode({'area': placed.area}))}"
    return (
        f":material/topic: [{md_escape(placed.topic_label)}]({topic}) · area [{md_escape(placed.area_label)}]({area})"
    )


def paper_meta(paper: Any, badge: bool = True) -> None:
    """Authors (each a link to their papers), then day · upvotes · comments · categories ·
    outside links."""
    authors = list(paper.authors)
    if authors:
        more = f", … (+{len(authors) - MAX_AUTHORS})" if len(authors) > MAX_AUTHORS else ""
        st.caption(", ".join(author_link(a) for a in authors[:MAX_AUTHORS]) + more)
    known_id = arxiv_id(paper.id)
    facts = [f":material/calendar_today: {paper.date:%Y-%m-%d}"] if pd.notna(paper.date) else []
    listed = hf_badge(paper) if badge else ""
    if listed:
        facts.insert(0, listed)
    if pd.notna(paper.upvotes):
        facts.append(f":material/thumb_up: **{int(paper.upvotes)}**")
    if getattr(paper, "num_comments", None) is not None and pd.notna(paper.num_comments):
        facts.append(f":material/chat_bubble: {int(paper.num_comments)}")
    if len(paper.categories):
        facts.append(md_escape(" ".join(paper.categories[:4])))
    if known_id:
        facts += [
            md_link("arXiv", arxiv_abs_url(known_id)),
            md_link("PDF", arxiv_pdf_url(known_id)),
            md_link("Hugging Face", hf_paper_url(known_id)),
        ]
    repo = getattr(paper, "github_repo", None)
    if isinstance(repo, str) and md_link("GitHub", repo) != "GitHub":
        facts.append(md_link("GitHub", repo))
    st.markdown(" · ".join(facts))


# --- sign-in: who may come in, who may write (lib.access; dashboard.py draws the doors) -------
NEXT_COOKIE = "papers_next"  # the view a signed-out visitor asked for, kept across the sign-in round trip
_RETURNED = "_signin.returned"


def sign_in_configured() -> bool:
    """Whether Streamlit's sign-in is configured (an ``[auth]`` section in secrets.toml)."""
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:  # noqa: BLE001 - a secrets.toml that does not parse (Streamlit logs why): closed
        return True


def signed_in() -> bool:
    return sign_in_configured() and bool(st.user.get("is_logged_in"))


def access() -> Access:
    """The allow-lists of the environment (lib.access); AccessError when one is malformed."""
    return Access.from_env()


def role() -> Role:
    """This visitor's role: without sign-in configured, everyone edits (a reader on a
    read-only dashboard); with it, the signed-in user's role by the allow-lists (a stranger
    while signed out, or when the lists are malformed or set without sign-in)."""
    try:
        rules = access()
    except AccessError:
        return "stranger"
    if not sign_in_configured():
        if rules.configured:  # PAPERS_ALLOW without sign-in would let everyone in: nobody is
            return "stranger"
        return "reader" if rules.read_only else "editor"
    return rules.role(st.user.to_dict()) if signed_in() else "stranger"


def return_after_sign_in(pages: Iterable[StreamlitPage], page: StreamlitPage) -> None:
    """Streamlit lands a user who just signed in on the home page without the link's keys: on
    the first run of the session, go on to the view the sign-in page kept in NEXT_COOKIE (a
    path of ours and its query, checked by the page's own URL grammar like any link)."""
    if st.session_state.get(_RETURNED):
        return
    st.session_state[_RETURNED] = True
    kept = urllib.parse.unquote(st.context.cookies.get(NEXT_COOKIE) or "")
    if not kept or page.url_path or st.query_params.to_dict():
        return  # nothing kept, or the visitor opened a link of their own
    path, _, query = kept.lstrip("/").partition("?")
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    for target in pages:
        if target.url_path == path and (path or params):
            st.switch_page(target, query_params={k: v[-1] for k, v in params.items()})
    if path in {spec.path for spec in PAGES.values()}:  # a page this teammate is not offered (Import, for a reader)
        st.toast(
            "That link's page is for editors: you can read this dashboard but not change it.", icon=":material/lock:"
        )


_DOOR = st.components.v2.component("papers_door", js=(_ASSETS / "door.js").read_text(encoding="utf-8"))


def door(link: str) -> None:
    """On the sign-in page: keep ``link`` for after sign-in (pages/assets/door.js); takes no room."""
    _DOOR(key="papers-door", data={"name": NEXT_COOKIE, "link": link}, height=0)


def kept_link(path: str) -> str:
    """The link a signed-out visitor opened (``path?query``), kept for after sign-in."""
    query = urllib.parse.urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])
    return clip(path + ("?" + query if query else ""), 3_000)


# --- the team's library: who writes, and collections and reading status on every card ---------
DEFAULT_COLLECTION = "Reading list"  # what a card offers to collect into while the team has no collection
CARD_COLLECTIONS = 6  # collections a card offers (the most recently changed), besides those holding the paper


def user_name() -> str:
    """Who writes: the signed-in user's name (else address) when sign-in is configured, else "anonymous"."""
    from lib.team.db import writer_name

    return writer_name(display_name(st.user.to_dict()) if signed_in() else None)


def reader_key() -> str:
    """Whose reading statuses these are: the signed-in address (two teammates may share a name),
    else "anonymous"."""
    from lib.team.db import writer_name

    return writer_name(verified_email(st.user.to_dict()) if signed_in() else None)


def team() -> TeamDB:
    """The team's database (lib.team.db), shared by every session of this data directory."""
    return library().team


def can_write() -> bool:
    """Whether this visitor may write (import, saved views, collections, statuses, notes, topic
    names): an editor (see :func:`role`).  Every write checks it when it runs, not only the page
    that drew its control (:func:`team_write`)."""
    return role() == "editor"


@dataclass(frozen=True)
class Marks:
    """The team's marks on the papers of a list, read in a few queries per run: the
    collections a card offers, the ones holding each paper, the reader's read papers."""

    offered: tuple[str, ...] = ()
    held: dict[str, frozenset[str]] = field(default_factory=dict)  # paper id -> collections holding it
    read: frozenset[str] = frozenset()
    writable: bool = False

    def options(self, paper_id: str) -> list[str]:
        held = self.held.get(paper_id, frozenset())
        return [*self.offered, *sorted(held - set(self.offered))]


def team_marks(paper_ids: Iterable[str]) -> Marks:
    """The marks for the cards of ``paper_ids`` (see :class:`Marks`); none when the team's
    database cannot be read (said once, as a caption)."""
    ids = list(paper_ids)
    if not can_write():
        return Marks()
    try:
        db = team()
        infos = sorted(db.collections(), key=lambda c: c.updated_at, reverse=True)
        offered = tuple(c.name for c in infos[:CARD_COLLECTIONS]) or (DEFAULT_COLLECTION,)
        held = db.memberships(ids) if ids and infos else {}
        statuses = db.statuses(reader_key(), ids) if ids else {}
    except PapersError as exc:
        st.caption(f":material/error: Collections and reading status are unavailable: {for_visitors(exc)}")
        return Marks()
    read = frozenset(i for i, status in statuses.items() if status == "read")
    return Marks(offered, {k: frozenset(v) for k, v in held.items()}, read, True)


def read_papers() -> frozenset[str]:
    """The reader's papers marked read (for ``hide=read``); none when unavailable."""
    try:
        return frozenset(team().read_ids(reader_key()))
    except PapersError:
        return frozenset()


def hide_read_toggle(spec: PageSpec, state: dict[str, Any]) -> None:
    """The Hide read toggle of a list (the URL's ``hide=read``): leaves out the papers the
    reader marked read.  Not on a read-only dashboard (it keeps no reading status)."""
    if not can_write():
        return
    toggle = f"{spec.path or 'home'}.hide_read"
    st.session_state[toggle] = state["hide"] == "read"

    def hide() -> None:
        set_state(spec, hide="read" if st.session_state[toggle] else "none", p=1)

    st.toggle("Hide read", key=toggle, on_change=hide, help="Leave out the papers you marked read")


def typed_name(key: str) -> str | None:
    """The collection name typed in text box ``key`` (lib.urlstate.collection_name), or None
    after a toast that says what is wrong with it."""
    from lib.urlstate import collection_name

    try:
        return collection_name(st.session_state.get(key) or "")
    except ValueError as exc:
        st.toast(f"A collection's name: {exc}.", icon=":material/edit:")
        return None


def refused() -> bool:
    """True, after a toast saying so, when this visitor may not write: the first line of every
    write's callback."""
    if can_write():
        return False
    st.toast("You can read this dashboard but not change it.", icon=":material/lock:")
    return True


def team_write(write: Callable[[], object], done: str) -> None:
    """Run a write of the team's database from a callback, if this visitor may write (checked
    now: a control a reader never saw, or a crafted widget state, cannot write for them); a
    toast says what happened."""
    if refused():
        return
    try:
        write()
    except PapersError as exc:
        st.toast(for_visitors(exc), icon=":material/error:")
        return
    if done:
        st.toast(done, icon=":material/check_circle:")


def collect(paper_id: str, key: str, before: tuple[str, ...]) -> None:
    """Callback of a card's collection pills: add the paper to the collections picked, remove
    it from those unpicked."""
    after = set(st.session_state.get(key) or ())
    added, removed = sorted(after - set(before)), sorted(set(before) - after)
    db, who = team(), user_name()

    def write() -> None:
        for name in added:
            db.add(name, [paper_id], who)
        for name in removed:
            db.remove(name, [paper_id])

    what = [f"added to “{n}”" for n in added] + [f"removed from “{n}”" for n in removed]
    team_write(write, ("Paper " + ", ".join(what) + ".") if what else "")


def set_status(paper_id: str, status: str) -> None:
    """Callback: the reader's status of a paper (unread, reading, read)."""
    team_write(lambda: team().set_status(reader_key(), paper_id, status), "")


def card_actions(paper_id: str, marks: Marks, where: str) -> None:
    """A card's one-click team actions: its collections (pills: a click adds or removes) and
    Mark read.  ``where``: a name for the list, unique on the page (widget keys)."""
    key = f"collect.{where}.{paper_id}"
    held = tuple(sorted(marks.held.get(paper_id, frozenset())))
    st.session_state[key] = list(held)  # what the database says, whatever this session clicked before
    is_read = paper_id in marks.read
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.pills(
            "Collections",
            marks.options(paper_id),
            selection_mode="multi",
            key=key,
            label_visibility="collapsed",
            on_change=collect,
            args=(paper_id, key, held),
            format_func=lambda name: f":material/bookmark: {md_escape(name)}",
            width="content",
        )
        st.button(
            "Read" if is_read else "Mark read",
            key=f"read.{where}.{paper_id}",
            icon=":material/done_all:" if is_read else ":material/check:",
            type="tertiary",
            on_click=set_status,
            args=(paper_id, "unread" if is_read else "read"),
            help="Marked read: click to mark it unread"
            if is_read
            else "Mark it read (hide read papers with Hide read)",
        )


def upvote_spark(paper: Any, by: str) -> tuple[str, str]:
    """A trending card's sparkline of its upvotes over the window, and what it gained."""
    per_day = f" ({paper.velocity:.1f} a day)" if by == "velocity" else ""
    return charts.sparkline_svg(list(paper.spark)), f"+{int(paper.gained):,} upvotes in the window{per_day}"


def paper_card(
    paper: Any,
    rank: int | None = None,
    *,
    snippet: str | None = None,
    note: str | None = None,
    abstract: bool = True,
    badge: bool = True,
    topic: PaperTopic | None = None,
    marks: Marks | None = None,
    where: str = "list",
    spark: tuple[str, str] | None = None,
    extra: Callable[[], None] | None = None,
) -> None:
    """One paper as a card, the same on every page: its whole title (to its paper page),
    authors and facts, its topic and area (``topic``, when known: links to their pages), then
    the search snippet (``snippet``: markdown, already escaped), a note (``note``: plain
    text), or the abstract on demand; with ``marks`` (:func:`team_marks`), the team's
    one-click actions (:func:`card_actions`); ``spark``: a sparkline (inline SVG) and its
    caption (:func:`upvote_spark`); ``extra``: draws more inside the card.  ``badge=False``: no daily-list badge (a list of the daily
    list's papers only)."""
    with st.container(border=True):
        paper_title_link(paper.id, paper.title, rank)
        paper_meta(paper, badge)
        if spark is not None:
            with st.container(horizontal=True, gap="small", vertical_alignment="center"):
                st.markdown(spark[0], unsafe_allow_html=True, width="content")  # an SVG of numbers only (lib.charts)
                st.caption(spark[1])
        if topic is not None:
            st.caption(topic_line(topic))
        if snippet:
            st.markdown(snippet)
        if note:
            st.caption(md_escape(note))
        if abstract and not snippet:
            if paper.abstract:
                with st.expander("Abstract"):
                    st.markdown(md_escape(paper.abstract))
                    if len(paper.keywords):
                        st.caption("Keywords: " + md_escape(", ".join(paper.keywords)))
            else:
                st.caption("No abstract in the source.")
        if marks is not None and marks.writable:
            card_actions(paper.id, marks, where)
        if extra is not None:
            extra()
