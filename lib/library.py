"""One store version and everything it answers: the table, its indexes and topic models.

A :class:`Library` is the one object the pages, the CLI, the feeds and the digests ask, so
a page, a command and an e-mail give the same answer by construction.  It loads (or builds
once) what a question needs on first use, thread-safely: the app shares one Library per
(data directory, store version) between every session.

    library = Library.open(Store(path))
    library.search_index        # built once per version, then loaded
    library.topic_model(k)      # fitted once per version and k, then loaded
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from lib import daily, sources
from lib.dataset import Dataset, load
from lib.progress import Progress
from lib.search import search
from lib.search.index import SearchIndex
from lib.search.query import Query, parse
from lib.source_keys import ALL
from lib.store import exports
from lib.store.schema import source_name
from lib.store.store import Store
from lib.text import count_text, md_escape
from lib.topics import topics
from lib.trends import terms, trends
from lib.trends.terms import TermIndex
from lib.urlstate import SEARCH, PageSpec


class Library:
    """The dataset of one store version and its derived artifacts, each loaded once."""

    def __init__(self, store: Store, dataset: Dataset) -> None:
        self.store = store
        self.dataset = dataset
        self._lock = threading.RLock()  # one build at a time; a build may need another artifact
        self._models: dict[int, topics.TopicModel] = {}
        self._emerging: dict[tuple[str, int, int], tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]] = {}

    @classmethod
    def open(cls, store: Store) -> Library:
        """The store's current version (or the bundled demo while the store is empty)."""
        return cls(store, load(store))

    @property
    def version(self) -> str:
        return self.dataset.version

    # --- artifacts, loaded or built once ------------------------------------------------
    @cached_property
    def search_index(self) -> SearchIndex:
        return self.load_search_index()

    def load_search_index(self, progress: Progress | None = None) -> SearchIndex:
        """:attr:`search_index`, loaded or built once (``progress``: told how a build goes)."""
        from lib.search import index

        with self._lock:
            if "search_index" not in vars(self):  # the cached property's own slot
                vars(self)["search_index"] = index.load_or_build(self.store, self.dataset, progress)
            built: SearchIndex = vars(self)["search_index"]
            return built

    @cached_property
    def term_index(self) -> TermIndex:
        with self._lock:
            return terms.load_or_build(self.store, self.dataset)

    def auto_k(self) -> int:
        """The number of topics chosen for this table's size."""
        return topics.auto_k(self.dataset.overview.papers)

    def has_topic_model(self, k: int) -> bool:
        """A model with k topics needs no fit: saved for this version, or the demo's (fitted in
        memory in a few seconds)."""
        return k in self._models or self.dataset.is_sample or topics.is_saved(self.store, self.dataset, k)

    def topic_model(self, k: int = 0, progress: Progress | None = None) -> topics.TopicModel:
        """The model with k topics (0: :meth:`auto_k`), fitted once (``progress``: called with a
        step and a share done while fitting) and saved."""
        k = k or self.auto_k()
        with self._lock:
            if k not in self._models:
                self._models[k] = topics.load_or_fit(self.store, self.dataset, self.term_index, k, progress)
            return self._models[k]

    def emerging(self, src: str, recent: int, baseline: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
        """lib.trends.trends.emerging for this version and source, computed once per source and
        windows (seconds at 1M papers): rising terms, fading terms, info; ``info["mixed"]`` says when the windows mix sources."""
        key = (src, recent, baseline)
        with self._lock:
            if key not in self._emerging:
                periods = self.dataset.periods("month", src)
                self._emerging[key] = trends.emerging(self.term_index, periods, recent, baseline, mix=self.dataset.mix)
            return self._emerging[key]

    # --- search ---------------------------------------------------------------------------
    def held_source(self, spec: PageSpec, src: str, options: Collection[str] | None = None) -> tuple[str, str | None]:
        """The source a page counts for a link's ``src`` (URL key of ``spec``): ``src`` when it is
        one of ``options`` (a page's own choices; by default every source the table holds, and
        all), else the page's default and the warning that says so."""
        offered = options if options is not None else sources.choices(self.dataset.sources)
        if src in offered:
            return src, None
        fallback = next(f for f in spec.fields if f.key == "src")
        name = md_escape(source_name(src))
        return fallback.default, f"This table holds no papers from {name}; showing {fallback.fallback}."

    def search_state(self, state: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """A decoded Search state as the page runs it, and a warning for each value changed: a
        category no paper has is cleared, a day range given backwards is swapped, a source the
        table lacks falls back to all."""
        state = dict(state)
        warnings: list[str] = []
        if state["cat"] and state["cat"] not in self.search_index.category_sizes():
            warnings.append(f"No paper in the table has category {state['cat']!r}; showing all categories.")
            state["cat"] = ""
        state["from"], state["to"], swapped = daily.ordered_range(state["from"], state["to"])
        warnings += swapped
        state["src"], unheld = self.held_source(SEARCH, state["src"])
        warnings += [unheld] if unheld else []
        return state, warnings

    def search_filters(self, state: Mapping[str, Any], since: dt.date | None = None) -> search.Filters:
        """The filters of a Search state (see :meth:`search_state`); ``since``: only papers from
        that day on (it narrows the state's own range, never widens it)."""
        first = max((d for d in (state["from"], since) if d), default=None)
        member = self.dataset.member(state["src"])
        return search.Filters(first, state["to"], int(state["up"] or 0), state["cat"] or None, member)

    def search_result(
        self, state: Mapping[str, Any], since: dt.date | None = None, sort: str | None = None
    ) -> search.SearchResult:
        """The search of a Search state (see :meth:`search_state`): the one search the page, the
        CLI, and a saved view's feed and digest run.  ``sort``: instead of the state's own."""
        filters = self.search_filters(state, since)
        columns = self.dataset.search_columns
        return search.search(self.search_index, columns, state["q"], filters, sort or state["sort"])

    def search_page(self, state: Mapping[str, Any]) -> SearchPage:
        """The whole answer of the Search page for a decoded state (lib.urlstate.SEARCH): the
        state as shown, with a warning for each value changed; a pasted paper id to open (or
        the one the table lacks); the page's results with their snippets; what to offer when
        nothing matched."""
        state, changed = self.search_state(state)
        warnings = [Notice(text) for text in changed]
        categories = self.search_index.category_sizes()
        query = parse(state["q"])
        if query.jump_id:  # a pasted id or link: its paper page, or the news that the table lacks it
            held = self.dataset.row_of(query.jump_id) is not None
            return SearchPage(
                self,
                state,
                query,
                tuple(warnings),
                categories,
                jump_id=query.jump_id if held else None,
                missing_id=None if held else query.jump_id,
            )
        warnings += [Notice(text, query=True) for text in query.warnings]
        started = time.perf_counter()
        result = self.search_result(state)
        pages = max(1, -(-result.total // search.PAGE_SIZE))
        if state["p"] > pages:
            warnings.append(
                Notice(
                    f"Ignored p={state['p']}: there are {count_text(pages, 'page')} of results; showing page {pages}."
                )
            )
            state["p"] = pages
        start = (state["p"] - 1) * search.PAGE_SIZE
        rows = search.result_frame(result, self.dataset.table, start, start + search.PAGE_SIZE)
        elapsed_ms = (time.perf_counter() - started) * 1000
        terms = result.query.positive_terms
        snippets = tuple(
            search.highlight_markdown(search.snippet(text, terms)) if text else None for text in rows["abstract"]
        )
        broader, unfiltered = None, False
        if result.total == 0:
            found = search.broader_query(
                self.search_index, self.dataset.search_columns, query, self.search_filters(state)
            )
            broader = found if found and found != state["q"] else None
            unfiltered = bool(state["from"] or state["to"] or state["up"] or state["cat"] or state["src"] != ALL)
        return SearchPage(
            self,
            state,
            result.query,
            tuple(warnings),
            categories,
            rows=rows,
            snippets=snippets,
            total=result.total,
            total_exact=result.total_exact,
            pages=pages,
            broader=broader,
            unfiltered=unfiltered,
            elapsed_ms=elapsed_ms,
            result=result,
        )


# --- search: the answer of a Search page -------------------------------------------------------
FEED_SIZE = 50  # the newest papers of a search in its Atom feed


@dataclass(frozen=True)
class Notice:
    """A warning a page shows: about the query's own text (``query``), else about a value of
    the link that was ignored or changed."""

    text: str
    query: bool = False


@dataclass(frozen=True, eq=False)
class SearchPage:
    """What the Search page shows for one state (:meth:`Library.search_page`); the CLI prints
    the same.  ``state`` is the state shown (a value changed says so in ``warnings``)."""

    library: Library = field(repr=False)
    state: dict[str, Any]
    query: Query
    warnings: tuple[Notice, ...]
    categories: dict[str, int]  # every category of the table, with its number of papers
    jump_id: str | None = None  # a pasted id of a paper in the table: its page opens instead
    missing_id: str | None = None  # a pasted id the table lacks
    rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["rank", *search.RESULT_COLUMNS, "score"]))
    snippets: tuple[str | None, ...] = ()  # per row: the abstract's best stretch as markdown (None: no abstract)
    total: int = 0
    total_exact: bool = True  # else ``total`` is an estimate
    pages: int = 1
    broader: str | None = None  # when nothing matched: a broader query that finds papers
    unfiltered: bool = False  # when nothing matched: the same query without the filters is worth a try
    elapsed_ms: float = 0.0  # the search and the page's rows
    result: search.SearchResult | None = field(default=None, repr=False)

    @property
    def summary(self) -> str:
        """How many papers matched: "about 1,234 results", or "6 papers, newest first" for an empty query."""
        about = "" if self.total_exact else "about "
        counted = (
            count_text(self.total, "paper") + ", newest first"
            if self.query.is_empty
            else count_text(self.total, "result")
        )
        return about + counted

    @property
    def missing_message(self) -> str:
        """What the page says of a pasted id the table lacks (markdown)."""
        pid = self.missing_id
        return (
            f"arXiv {pid} is not in the table. Open it on "
            f"[arXiv](https://arxiv.org/abs/{pid}) or [Hugging Face](https://huggingface.co/papers/{pid}), "
            "or import it."
        )

    def results(self, limit: int = search.MAX_EXPORT) -> pd.DataFrame:
        """The first ``limit`` results (the page's downloads hold the first MAX_EXPORT)."""
        if self.result is None:
            return self.rows
        return search.result_frame(self.result, self.library.dataset.table, 0, limit)

    def csv(self, link: str) -> bytes:
        """The results as CSV, each row with the view's link."""
        return exports.results_csv(self.results(), link)

    def json(self, link: str) -> bytes:
        """The results as one JSON document with the view's link and query."""
        return exports.results_json(self.results(), link, self.state["q"])

    def newest(self, limit: int = FEED_SIZE) -> pd.DataFrame:
        """The ``limit`` newest papers of this search: the papers of its feed, the same as a
        saved view of it gives (lib.team.views.view_papers)."""
        from lib.team.views import ViewLink, view_papers

        view = ViewLink("search", self.state, "", SEARCH.link(self.state))
        return view_papers(view, self.library, None, limit, newest_first=True)

    def atom(self, link: str) -> bytes:
        """The Atom feed of this search's newest papers, for the view at ``link``."""
        from lib.team.views import ViewLink, atom_feed

        return atom_feed(self.state["q"] or "newest papers", ViewLink.parse(link), self.newest())
