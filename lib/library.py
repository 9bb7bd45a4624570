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

import copy
import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from lib import artifacts, daily, sources
from lib.dataset import Dataset, load
from lib.deadline import NEVER, Deadline
from lib.errors import InputError, StoreError
from lib.periods import Periods
from lib.progress import Progress
from lib.search import fuzzy, hybrid, search
from lib.search.analysis import fold
from lib.search.index import AnyIndex
from lib.search.query import Clause, Query, parse
from lib.source_keys import ALL, HF
from lib.store import exports
from lib.store.schema import source_name, take_rows
from lib.store.store import Store, read_only
from lib.text import count_text
from lib.topics import identity, topics
from lib.topics.topics import TopicModel
from lib.trends import terms, trends
from lib.trends.terms import AnyTermIndex
from lib.urlstate import HOME, MAX_TOPICS, SEARCH, TOPICS, TRENDS, PageSpec

if TYPE_CHECKING:
    from lib.search.vectors import AnyVectors
    from lib.team.db import TeamDB

_T = TypeVar("_T")
log = logging.getLogger(__name__)
EMBED_AT_ONCE = 20_000  # a table this small is embedded when first searched (seconds); a larger one in the background
SIMILAR_EACH = 6  # similar papers a paper page lists before it and after it
EMERGING_TOP = 25  # rising (and fading) terms the Trends page lists
HIDDEN = "_hidden"  # a Search state's ids of papers left out (hide=read: the reader's read papers); never in a URL
TRENDING_SIZE = 100  # papers the trending and most-upvoted views of Daily Papers rank
RECOMMENDATIONS = 20  # papers "More for this collection" lists
REMEMBERED = 64  # answers Library.remembered keeps (recommendations: a 20-row frame each)
_EMERGING = threading.Lock()  # one emerging-terms computation at a time in a process (a second each at 75k)
_FITTING = threading.Lock()  # one topic fit at a time in a process (minutes at 75k papers; they were 3 at once)


class Library:
    """The dataset of one store version and its derived artifacts, each loaded once."""

    def __init__(self, store: Store, dataset: Dataset) -> None:
        self.store = store
        self.dataset = dataset
        self._guard = threading.Lock()  # over the two dicts below only, never held while computing
        self._locks: dict[Hashable, threading.Lock] = {}  # one per key: its callers wait for the first
        self._done: dict[Hashable, object] = {}  # key -> what it computed
        self._vectors_thread: threading.Thread | None = None  # the background build of the papers' vectors
        self._vectors_error = ""  # why it failed
        self._recent: OrderedDict[Hashable, object] = OrderedDict()  # remembered answers, newest last

    @classmethod
    def open(cls, store: Store) -> Library:
        """The store's current version (or the bundled demo while the store is empty)."""
        return cls(store, load(store))

    @property
    def version(self) -> str:
        return self.dataset.version

    # --- artifacts, loaded or built once ------------------------------------------------
    def _once(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()``, once per ``key`` for the life of this Library: later callers of the key
        wait for the first and share its result, while other keys are computed at the same time
        (a minutes-long topic fit never holds up another session's emerging terms).  A failed
        computation is not kept: the next caller tries again.  A computation may ask for other
        keys (a topic fit needs the term index), never for its own."""
        with self._guard:
            if key in self._done:
                return cast(_T, self._done[key])
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._done:
                    return cast(_T, self._done[key])
            value = compute()
            with self._guard:
                self._done[key] = value
            return value

    def remembered(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()``, kept for the next caller of the same ``key`` among the last
        :data:`REMEMBERED` keys (an answer that depends on the team's data: its key says which
        data, so a change asks anew).  Two callers of a new key may both compute it."""
        with self._guard:
            if key in self._recent:
                self._recent.move_to_end(key)
                return cast(_T, self._recent[key])
        value = compute()
        with self._guard:
            self._recent[key] = value
            while len(self._recent) > REMEMBERED:
                self._recent.popitem(last=False)
        return value

    def loaded(self, key: Hashable) -> bool:
        """Whether ``key`` (``"search_index"``, ``"term_index"``, …) is computed already: asking
        for it will not wait."""
        with self._guard:
            return key in self._done

    # Properties, not functools.cached_property: before Python 3.12 its lock is one per class,
    # so the first build of an artifact would wait for the same artifact of another Library.
    @property
    def search_index(self) -> AnyIndex:
        return self.load_search_index()

    def load_search_index(self, progress: Progress | None = None) -> AnyIndex:
        """:attr:`search_index`, loaded or built once (``progress``: called with a step and a
        share done while building)."""
        from lib.search import index

        return self._once("search_index", lambda: index.load_or_build(self.store, self.dataset, progress))

    @property
    def term_index(self) -> AnyTermIndex:
        return self.load_term_index()

    def load_term_index(self, progress: Progress | None = None) -> AnyTermIndex:
        """:attr:`term_index`, loaded or built once (``progress``: called with a step and a share
        done while building)."""
        return self._once("term_index", lambda: terms.load_or_build(self.store, self.dataset, progress=progress))

    def auto_k(self) -> int:
        """The number of topics chosen for this table's size."""
        return topics.auto_k(self.dataset.overview.papers)

    def has_topic_model(self, k: int) -> bool:
        """A model with k topics needs no fit: saved for this version, or the demo's (fitted in
        memory in a few seconds)."""
        return self.loaded(("topic_model", k)) or self.dataset.is_sample or topics.is_saved(self.store, self.dataset, k)

    def topic_model(self, k: int = 0, progress: Progress | None = None) -> TopicModel:
        """The model with k topics (0: :meth:`auto_k`), fitted once (``progress``: called with a
        step and a share done while fitting) and saved; one fit at a time in a process (another
        waits for it).  :meth:`settle_k` first spares a visitor that wait."""
        k = k or self.auto_k()

        def load_or_fit() -> TopicModel:
            carry_topic_model(self.store, self.dataset, k)
            if self.has_topic_model(k):
                return topics.load_or_fit(self.store, self.dataset, self.load_term_index, k, progress)
            with _FITTING:
                return topics.load_or_fit(self.store, self.dataset, self.load_term_index, k, progress)

        return self._once(("topic_model", k), load_or_fit)

    def topic_ks(self) -> list[int]:
        """The numbers of topics a visitor may ask for: every k, or on a read-only dashboard only
        those of a saved model (a fit is never written there) and the automatic one."""
        if not read_only() or self.dataset.is_sample:
            return list(range(2, MAX_TOPICS + 1))
        return sorted({*topics.saved_ks(self.store, self.dataset), self.auto_k()})

    def settle_k(self, state: dict[str, Any]) -> list[Notice]:
        """Settle a Topics state's ``k`` in place to a model that needs no fit when a fit cannot
        or need not be made now: on a read-only dashboard a k of no saved model (read-only: a fit
        is never written, so each visit would fit it again), and while another k is being fitted
        in this process, the saved model shown instead; a notice for each."""
        k = state["k"] or self.auto_k()
        if self.has_topic_model(k) or (state["k"] == 0 and read_only()):
            return []
        if read_only() and k not in self.topic_ks():
            state["k"] = 0
            text = (
                f"This dashboard is read-only: only its saved topic models are shown ({self.auto_k()} topics, not {k})."
            )
            return [Notice(text)]
        if not _FITTING.locked():
            return []
        shown = next(
            (s for s in [self.auto_k(), *topics.saved_ks(self.store, self.dataset)] if self.has_topic_model(s)), None
        )
        if shown is None:
            return []
        state["k"] = 0 if shown == self.auto_k() else shown
        text = (
            f"A model of topics is being fitted now; showing the saved one ({shown} topics, not {k}). Try again later."
        )
        return [Notice(text)]

    def topic_names(self) -> dict[str, dict[int, str]]:
        """The names people gave topics ("topic") and areas ("area"), id -> name
        (lib.topics.identity.rename): shown in place of the automatic labels."""
        return identity.names(self.store)

    def paper_topics(
        self, rows: npt.ArrayLike | None = None, k: int = 0, progress: Progress | None = None
    ) -> pd.DataFrame:
        """Each paper's (each of ``rows``') topic and area in the model with k topics (0:
        automatic): topic, topic_label, area, area_label (TopicModel.of_papers: -1 and "" for a
        paper without a topic), a label being the name people gave it when there is one."""
        model = self.named_model(k, progress)
        return model.of_papers(np.arange(len(model.dominant_)) if rows is None else rows)

    def emerging(
        self, src: str, recent: int, baseline: int, top: int = EMERGING_TOP
    ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
        """lib.trends.trends.emerging for this version and source, computed once per source,
        windows and length (seconds at 1M papers): the ``top`` rising terms, the ``top`` fading
        terms, info; ``info["mixed"]`` says when the windows mix sources.  Shared: never mutate them."""

        def compute() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
            periods = self.dataset.periods("month", src)
            with _EMERGING:  # links with ever new windows take one core, not all
                return trends.emerging(self.term_index, periods, recent, baseline, top=top, mix=self.dataset.mix)

        return self._once(("emerging", src, recent, baseline, top), compute)

    # --- search ---------------------------------------------------------------------------
    def held_source(self, spec: PageSpec, src: str, options: Collection[str] | None = None) -> tuple[str, str | None]:
        """The source a page counts for a link's ``src`` (URL key of ``spec``): ``src`` when it is
        one of ``options`` (a page's own choices; by default every source the table holds, and
        all), else the page's default and the warning that says so."""
        offered = options if options is not None else sources.choices(self.dataset.sources)
        if src in offered:
            return src, None
        fallback = next(f for f in spec.fields if f.key == "src")
        return fallback.default, f"This table holds no papers from {source_name(src)}; showing {fallback.fallback}."

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
        that day on (it narrows the state's own range, never widens it).  The papers of
        ``state[HIDDEN]`` (ids: the papers a reader marked read, with ``hide=read``) are left out."""
        first = max((d for d in (state["from"], since) if d), default=None)
        member = self.dataset.member(state["src"])
        hidden = self.dataset.rows_of(state.get(HIDDEN, ()))
        if len(hidden):
            member = np.ones(self.dataset.table.num_rows, dtype=bool) if member is None else member.copy()
            member[hidden] = False
        return search.Filters(first, state["to"], int(state["up"] or 0), state["cat"] or None, member)

    # --- search by meaning (lib.search.vectors, lib.search.hybrid) ------------------------------
    def paper_vectors(self, wait: bool = False, progress: Progress | None = None) -> AnyVectors | None:
        """The papers' vectors (search by meaning): loaded when saved for this version; else
        built — at once with ``wait`` (and for the bundled demo, a second), otherwise in a
        background thread while this returns None (about 30 s at 75k papers: searches rank by
        words meanwhile, see :attr:`vectors_note`)."""
        from lib.search import vectors

        with self._guard:
            if "vectors" in self._done:
                return cast(vectors.AnyVectors, self._done["vectors"])
        if wait or self.dataset.overview.papers <= EMBED_AT_ONCE:
            return self._once("vectors", lambda: vectors.load_or_build(self.store, self.dataset, progress))
        saved = vectors.load_saved(self.store, self.dataset)
        if saved is not None:
            return self._once("vectors", lambda: saved)
        thread = threading.Thread(target=self._build_vectors, name="vectors", daemon=True)
        with self._guard:
            start = self._vectors_thread is None
            if start:
                self._vectors_thread = thread
        if start:
            thread.start()
        return None

    def warm_search(self) -> threading.Thread:
        """Load, in a background thread, what the first search of this version needs — the
        search index, the papers' vectors and the embedding model, the speller and the title
        lookup (about 2 s at 75k papers) — so that it answers at once; returns the thread."""

        def warm() -> None:
            try:
                index = self.search_index
                if self.paper_vectors() is not None:
                    _embed("warm")
                fuzzy.speller_for(index).frequency("warm")
                fuzzy.exact_title(self.dataset.table, "warm")
                fold("é")  # its first accented text builds the table of marks (0.5 s)
            except Exception:  # only a head start: a search that needs it builds it and reports
                log.warning("warming up the search of version %s failed", self.version, exc_info=True)

        thread = threading.Thread(target=warm, name="warm-search", daemon=True)
        thread.start()
        return thread

    def _build_vectors(self) -> None:
        from lib.search import vectors

        try:
            self._once("vectors", lambda: vectors.load_or_build(self.store, self.dataset))
        except Exception as error:  # a background build: its failure is shown as a note, and logged
            self._vectors_error = str(error) or type(error).__name__
            log.warning("the papers' vectors of version %s could not be built", self.version, exc_info=True)

    @property
    def vectors_note(self) -> str:
        """Why a search ranks by words only while meaning was asked for (after
        :meth:`paper_vectors` returned None)."""
        if self._vectors_error:
            return f"Search by meaning is unavailable ({self._vectors_error}); results are ranked by their words."
        return (
            f"Search by meaning is being prepared for this table's {self.dataset.overview.papers:,} papers "
            "(once per import, about half a minute per 50,000 papers); meanwhile results are ranked by their words."
        )

    def search_result(
        self,
        state: Mapping[str, Any],
        since: dt.date | None = None,
        sort: str | None = None,
        vectors: AnyVectors | None = None,
        first: int | None = None,
        deadline: Deadline = NEVER,
    ) -> search.SearchResult:
        """The search of a Search state (see :meth:`search_state`): the one search the page, the
        CLI, and a saved view's feed and digest run.  ``sort``: instead of the state's own.

        By relevance, with ``vectors``: hybrid ranking (mode ``hybrid``: the query's matches
        re-ranked by words and meaning, joined by the papers nearest in meaning) or the papers
        nearest a pasted text (mode ``text``).  Sorted by date or upvotes, a search lists the
        papers that hold its words (a feed or a digest is predictable: no paper joins by
        meaning).  ``first``: a row shown first by relevance (the paper whose title the query is).
        ``deadline``: the search's time budget (lib.deadline; past it, a partial result)."""
        filters = self.search_filters(state, since)
        columns = self.dataset.search_columns
        sort = sort or state["sort"]
        if state.get("mode") == "text":
            return self._like_text(state["q"], filters, sort, vectors)
        meaning = None
        if vectors is not None and sort == "relevance" and state.get("mode", "hybrid") == "hybrid":
            words = hybrid.query_text(parse(state["q"]))
            if words.strip():
                meaning = hybrid.Meaning(vectors, _embed(words))
        return search.search(self.search_index, columns, state["q"], filters, sort, meaning, first, deadline)

    def _like_text(
        self, text: str, filters: search.Filters, sort: str, vectors: AnyVectors | None
    ) -> search.SearchResult:
        """Search by text: the LIKE_TEXT papers nearest a pasted text (lib.search.hybrid.like_text)."""
        started = time.perf_counter()
        index, columns = self.search_index, self.dataset.search_columns
        allowed = hybrid.allowed_rows(index, columns, filters)
        rows, scores = hybrid.like_text(index, vectors, text, LIKE_TEXT, allowed=allowed)
        terms = hybrid.text_terms(index, text)
        query = Query(groups=[[Clause((t,), t)] for t in terms])
        order = np.argsort(rows, kind="stable")
        return search.SearchResult(query, rows[order], scores[order], sort, [], columns, [], started)

    def search_page(self, state: Mapping[str, Any], hidden: Collection[str] = ()) -> SearchPage:
        """The whole answer of the Search page for a decoded state (lib.urlstate.SEARCH): the
        state as shown, with a warning for each value changed; a pasted paper id to open (or
        the one the table lacks); the page's results with their snippets; what to offer when
        nothing matched.  ``hidden``: ids of papers left out when the state says ``hide=read``
        (the reader's read papers).  The searches share one time budget (lib.deadline): past it,
        the page shows what it found, saying the results may be incomplete."""
        deadline = Deadline()
        state, changed = self.search_state(state)
        if state.get("hide") == "read" and hidden:
            state[HIDDEN] = frozenset(hidden)
        warnings = [Notice(text) for text in changed]
        categories = self.search_index.category_sizes()
        by_text = state["mode"] == "text"
        query = Query() if by_text else parse(state["q"])
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
        vectors, meaning_note = None, None
        if state["q"] and (by_text or (state["mode"] == "hybrid" and state["sort"] == "relevance")):
            vectors = self.paper_vectors()
            meaning_note = None if vectors is not None else self.vectors_note
        index, table = self.search_index, self.dataset.table
        exact = fuzzy.exact_title(table, state["q"]) if not by_text and state["q"] else None
        first = int(exact[0]) if exact is not None and len(exact) == 1 else None  # the paper titled so: first
        result = self.search_result(state, vectors=vectors, first=first, deadline=deadline)
        words_total = result.total
        if vectors is not None and not by_text:  # how many of them hold every word (a search in a few ms)
            words_total = self.search_result({**state, "mode": "lexical"}, deadline=deadline).total
        did_you_mean, navigated = None, None
        if words_total == 0 and not by_text and not query.is_empty:
            # nothing holds every word: a misspelling? a title typed with typos? (~10 ms at 75k papers)
            speller = fuzzy.speller_for(index)
            did_you_mean = fuzzy.did_you_mean(query, speller)
            lexical = {**state, "q": did_you_mean, "mode": "lexical"}
            if did_you_mean and not self.search_result(lexical, deadline=deadline).total:
                did_you_mean = None  # offered only when it finds papers
            navigated = fuzzy.navigate(index, table, state["q"], speller)
            if navigated is not None:
                result = self.search_result(state, vectors=vectors, first=navigated, deadline=deadline)
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
        placed = self.loaded_paper_topics(result.slice(start, start + search.PAGE_SIZE)[0])
        terms = result.query.positive_terms
        snippets = tuple(
            search.highlight_markdown(search.snippet(text, terms)) if text else None for text in rows["abstract"]
        )
        broader, unfiltered = None, False
        if words_total == 0 and not by_text and navigated is None:
            found = search.broader_query(
                self.search_index, self.dataset.search_columns, query, self.search_filters(state), deadline
            )
            broader = found if found and found != state["q"] else None
            unfiltered = bool(state["from"] or state["to"] or state["up"] or state["cat"] or state["src"] != ALL)
        state.pop(HIDDEN, None)
        if deadline.hit:
            warnings.append(Notice(deadline.note))
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
            words_total=words_total,
            did_you_mean=did_you_mean if did_you_mean != state["q"] else None,
            navigated=navigated,
            by_meaning=vectors is not None,
            meaning_note=meaning_note,
            elapsed_ms=elapsed_ms,
            result=result,
            topics=placed,
        )

    def similar_papers(self, row: int, each: int = SIMILAR_EACH) -> SimilarPapers:
        """The papers most similar to paper ``row`` (lib.search.hybrid.similar: terms and
        meaning; terms only while the vectors are being prepared), split into earlier work
        (before the paper's day) and later or same-day work, ``each`` of each at most."""
        vectors = self.paper_vectors()
        found = hybrid.similar(self.search_index, self.dataset.table, row, 4 * each, vectors)
        rows = np.array([r for r, _ in found], dtype=np.int64)
        papers = self.dataset.papers(rows)
        papers.insert(0, "similarity", [round(score, 3) for _, score in found])
        days = self.dataset.search_columns.days
        before = days[rows] < days[row] if len(rows) else np.zeros(0, dtype=bool)
        return SimilarPapers(
            papers[before].head(each).reset_index(drop=True),
            papers[~before].head(each).reset_index(drop=True),
            vectors is not None,
        )

    # --- trends ---------------------------------------------------------------------------
    @property
    def one_day(self) -> bool:
        """The table covers a single day: a chart over time has nothing to show."""
        return self.dataset.overview.days <= 1

    def settle(self, spec: PageSpec, state: dict[str, Any]) -> list[Notice]:
        """Settle ``state`` (of a page with a day range and ``src``) in place: a day range given
        backwards is swapped, a source the table lacks falls back to the page's default; a
        warning for each.  The answers settle their state with it; a page that draws its
        widgets before asking (Topics: before a fit) settles them with it first, and the
        answer then finds nothing to change."""
        state["from"], state["to"], swapped = daily.ordered_range(state["from"], state["to"])
        state["src"], unheld = self.held_source(spec, state["src"])
        return [Notice(text) for text in [*swapped, *([unheld] if unheld else [])]]

    def _strip(self, periods: Periods, state: Mapping[str, Any]) -> pd.DataFrame | None:
        """Under a chart over time, when the table holds more than one source: its papers per
        period by source (lib.trends.trends.composition), the denominator of its shares; else None."""
        if len(self.dataset.sources) <= 1:
            return None
        return trends.composition(periods, *self.dataset.mix, state["from"], state["to"], src=state["src"])

    def trend(self, state: Mapping[str, Any]) -> TrendAnswer:
        """The whole answer of the Trends page for a decoded state (lib.urlstate.TRENDS), the one
        ``python -m lib trend`` prints: the terms parsed (a slip is a warning about them), a day
        range given backwards swapped, a source the table lacks replaced by all sources; each
        line's series, the composition strip under the chart and the periods it marks, and the
        papers behind the picked point (a pick that is no point of the chart is dropped, saying
        so).  A table of one day has no trend: the terms' frequencies that day instead."""
        ds, index = self.dataset, self.term_index
        state = dict(state)
        settled = self.settle(TRENDS, state)
        # what the table computes once (each paper's period, its mix of sources) is not the
        # query's: the time budget starts after it (at 2.7M papers it is most of a second)
        periods, mix = ds.periods(state["by"], state["src"]), ds.mix
        deadline = Deadline()
        keys, slips = trends.parse_terms(state["terms"], index, ds.table, deadline)
        warnings = [Notice(text, query=True) for text in slips] + settled
        series = trends.series(
            index,
            ds.table,
            periods,
            keys,
            state["by"],
            state["norm"],
            int(state["smooth"]),
            state["from"],
            state["to"],
            mix=mix,
            deadline=deadline,
        )
        if deadline.hit:
            warnings.append(Notice(deadline.note))
        if self.one_day:
            asked = series.groupby("term", sort=False)["count"].sum().reset_index().rename(columns={"count": "papers"})
            asked["share"] = asked["papers"] / max(ds.overview.papers, 1)
            frequent = trends.frequent_terms(index, top=DAY_TERMS)
            return TrendAnswer(state, tuple(warnings), tuple(keys), True, series, day_terms=asked, frequent=frequent)
        if series.empty:
            return TrendAnswer(state, tuple(warnings), tuple(keys), False, series)
        term, _, label = state["pick"].rpartition("@")
        chosen = next((key for key in keys if key.label == term), None)
        bounds = trends.period_bounds(periods, label, state["by"]) if chosen is not None else None
        if state["pick"] and bounds is None:
            warnings.append(Notice(f"Ignored pick={state['pick']!r}: no point of this chart is “{term}” in {label}."))
            state["pick"] = ""
        drill = None
        if chosen is not None and bounds is not None:
            first, last = max(bounds[0], state["from"] or bounds[0]), min(bounds[1], state["to"] or bounds[1])
            rows = trends.papers_behind(index, ds.table, periods, chosen, first, last)
            columns = ds.search_columns  # most upvoted first (none last), then newest
            shown = rows[np.lexsort((-columns.days[rows], -columns.upvotes[rows]))[:DRILL_PAPERS]]
            query, narrow = trends.search_of(chosen, state["src"])
            drill = Drill(chosen, label, first, last, len(rows), ds.papers(shown), query, narrow)
        return TrendAnswer(
            state,
            tuple(warnings),
            tuple(keys),
            False,
            series,
            strip=self._strip(periods, state),
            few=tuple(series.loc[series["few"], "label"].unique()),
            mixed=tuple(series.loc[series["mixed"], "label"].unique()),
            drill=drill,
        )

    def emerging_terms(self, state: Mapping[str, Any], top: int = EMERGING_TOP) -> EmergingTerms:
        """The emerging and fading terms of a Trends state (its ``src``, ``recent`` and
        ``baseline``; a source the table lacks falls back to all, saying so), the ones the page
        lists and ``python -m lib emerging`` prints: computed once per version, source, windows
        and ``top`` (:meth:`emerging`)."""
        state = dict(state)
        state["src"], unheld = self.held_source(TRENDS, state["src"])
        rising, fading, info = self.emerging(state["src"], int(state["recent"]), int(state["baseline"]), top)
        warnings = (Notice(unheld),) if unheld else ()
        return EmergingTerms(state, warnings, rising.copy(), fading.copy(), dict(info))

    # --- topics ---------------------------------------------------------------------------
    def topics(self, state: Mapping[str, Any], progress: Progress | None = None) -> TopicsAnswer:
        """The whole answer of the Topics page for a decoded state (lib.urlstate.TOPICS), the one
        ``python -m lib topics`` prints: a day range given backwards swapped, a source the table
        lacks replaced by all sources, a topic or area id the model lacks replaced by its
        successor (lib.topics.identity.successor) or by all areas (each saying so); the model
        (fitted once, see :meth:`topic_model`) with the names people gave (:meth:`named_model`),
        its topics' and areas' sizes among the source's papers; then the view: all areas (their
        shares over time, composition strip, map, emerging topics), one area (its fine topics),
        or one topic's page; and, when ``q`` is set, the topics holding the query's papers."""
        ds = self.dataset
        state = dict(state)
        warnings = self.settle(TOPICS, state) + self.settle_k(state)
        model = self.named_model(state["k"], progress)
        warnings += self._settle_ids(model, state)
        member = ds.member(state["src"])  # the papers counted; the topics themselves are found in every paper
        counted = None if member is None else int(member.sum())
        summary, areas = model.summary(member), model.areas(member)
        periods = ds.periods(state["by"], state["src"])
        where = self._where(model, state, member) if state["q"] else None
        if where is not None:
            warnings += list(where.notices)
        parts: dict[str, Any] = {
            "state": state,
            "warnings": tuple(warnings),
            "one_day": self.one_day,
            "model": model,
            "counted": counted,
            "summary": summary,
            "areas": areas,
            "where": where,
        }
        all_areas = state["topic"] < 0 and state["area"] < 0  # the areas view charts areas, the others topics
        over_time = topics.shares_over_time(model, periods, state["by"], state["from"], state["to"], area=all_areas)
        if state["topic"] >= 0:
            page = self._topic_page(model, state, summary, over_time, member, periods)
            return TopicsAnswer(**parts, over_time=page.over_time, topic=page)
        if state["area"] >= 0:
            area = self._area_page(model, state["area"], summary, areas, over_time)
            return TopicsAnswer(**parts, over_time=area.over_time, area=area, points=self._points(model, area.area))
        strip = self._strip(periods, state) if not self.one_day and not over_time.empty else None
        emerging, emerging_mixed = None, ""
        if not self.one_day:
            emerging = topics.emerging_topics(model, periods)
            emerging_mixed = topics.emerging_mix(periods, ds.mix) if state["src"] == ALL else ""
        return TopicsAnswer(
            **parts,
            over_time=over_time,
            strip=strip,
            mixed=() if strip is None else tuple(strip.loc[strip["mixed"], "label"].unique()),
            points=self._points(model),
            emerging=emerging,
            emerging_mixed=emerging_mixed,
        )

    def named_model(self, k: int = 0, progress: Progress | None = None) -> TopicModel:
        """The model with k topics (:meth:`topic_model`) as people see it: its labels the names
        they gave (lib.topics.identity.names), else the automatic ones.  A shallow copy when
        there are names (the shared model is never changed), else the model itself."""
        model = self.topic_model(k, progress)
        names = self.topic_names()
        if not any(names.values()):
            return model
        shown = copy.copy(model)
        shown.labels_ = [names["topic"].get(int(i), text) for i, text in zip(model.ids_, model.labels_)]
        shown.area_labels_ = [names["area"].get(int(i), text) for i, text in zip(model.area_ids_, model.area_labels_)]
        return shown

    def rename_topic(self, level: str, topic_id: int, name: str, k: int = 0) -> str:
        """Name topic (``level`` "topic") or area ("area") ``topic_id`` of the model with k
        topics; "" gives back its automatic label.  The name is kept by id, across refits
        (lib.topics.identity.rename); it must differ from the level's other labels.  Returns
        the label now shown.  Refused (InputError / StoreError, with a message for people) on
        the bundled demo, on a read-only store, for an id the model lacks, a name taken."""
        if level not in identity.LEVELS:
            raise InputError(f"Not a level of topics: {level!r} (topic or area).")
        if self.dataset.is_sample:
            raise InputError("The bundled demo's topics cannot be renamed: import your own papers first.")
        if read_only():
            raise StoreError("This dashboard is read-only (PAPERS_READONLY is set): topic names cannot change.")
        model = self.named_model(k)
        ids, shown = (model.ids_, model.labels_) if level == "topic" else (model.area_ids_, model.area_labels_)
        if topic_id not in {int(i) for i in ids}:
            raise InputError(f"There is no {level} {topic_id} in these {len(ids)} {level}s.")
        taken = {text for i, text in zip(ids, shown) if int(i) != topic_id}
        identity.rename(self.store, level, topic_id, name, taken)
        model = self.named_model(k)
        labels = model.labels_ if level == "topic" else model.area_labels_
        return labels[[int(i) for i in ids].index(topic_id)]

    def paper_topic(self, row: int) -> PaperTopic | None:
        """A paper's topic and area in the automatic model when that model needs no fit
        (:meth:`has_topic_model`), for its paper page (a visit never waits for a fit); None
        otherwise, or when the paper has no topic."""
        k = self.auto_k()
        if not self.has_topic_model(k):
            return None
        return PaperTopic.first(self.paper_topics([row], k))

    def loaded_paper_topics(self, rows: npt.ArrayLike) -> pd.DataFrame | None:
        """:meth:`paper_topics` of ``rows`` in the automatic model when it is in memory already
        (search cards: never a load or a fit for them), else None."""
        k = self.auto_k()
        return self.paper_topics(rows, k) if self.loaded(("topic_model", k)) else None

    def topic_rows(self, state: Mapping[str, Any]) -> npt.NDArray[np.int64]:
        """The papers of a Topics view of the state's source (its saved view's feed and digest):
        one topic's, else one area's (an id the model lacks settled as the page settles it),
        else every paper of the source."""
        state = dict(state)
        model = self.topic_model(state["k"])
        self._settle_ids(model, state)
        member = self.dataset.member(self.held_source(TOPICS, state["src"])[0])
        row, area = model.row_of(state["topic"]), model.area_row_of(state["area"])
        if state["topic"] >= 0 and row is not None:
            return model.members(row, member).astype(np.int64)
        if state["area"] >= 0 and area is not None:
            return model.area_members(area, member).astype(np.int64)
        return np.arange(self.dataset.table.num_rows) if member is None else np.flatnonzero(member)

    def _settle_ids(self, model: TopicModel, state: dict[str, Any]) -> list[Notice]:
        """A topic or area id the model lacks: its successor's (saying so), else none (saying
        so); a topic's page shows its own area, so an ``area`` beside it is dropped."""
        notices = []
        for level, lookup, ids, labels in (
            ("topic", model.row_of, model.ids_, model.labels_),
            ("area", model.area_row_of, model.area_ids_, model.area_labels_),
        ):
            asked = int(state[level])
            if asked < 0 or lookup(asked) is not None:
                continue
            found = None if self.dataset.is_sample else identity.successor(self.store, model, level, asked)
            if found is not None:
                new, old_label = found
                row = lookup(new)
                now = labels[row] if row is not None else str(new)
                was = f" (“{old_label}”)" if old_label else ""
                notices.append(Notice(f"{level}={asked}{was} is now part of {level} {new}, “{now}”: showing it."))
                state[level] = new
            else:
                notices.append(
                    Notice(
                        f"Ignored {level}={asked}: none of the {count_text(len(ids), level)} found has this id; showing all areas."
                    )
                )
                state[level] = -1
        if state["topic"] >= 0 and state["area"] >= 0:
            notices.append(Notice(f"Ignored area={state['area']}: a topic's page shows its own area."))
            state["area"] = -1
        return notices

    def _points(self, model: TopicModel, area: int | None = None) -> pd.DataFrame:
        """The map of papers (a fixed sample): x, y, topic, name, title, date.  All areas: each
        point coloured by its area (``topic`` holds the area's id); one area (its id): that
        area's points, coloured by fine topic (``topic``: the topic's id); -1: no topic."""
        rows, xy = model.map_rows_, model.map_xy_
        if area is None:
            groups = model.paper_area_rows()[rows]
            ids, names = model.area_ids_, model.area_labels_
        else:
            inside = model.paper_area_rows()[rows] == model.area_row_of(area)
            rows, xy = rows[inside], xy[inside]
            groups = model.dominant_[rows]
            ids, names = model.ids_, model.labels_
        shown = self.dataset.papers(rows, ["title", "date"])
        return pd.DataFrame(
            {
                "x": xy[:, 0],
                "y": xy[:, 1],
                "topic": [int(ids[g]) if g >= 0 else -1 for g in groups],
                "name": [names[g] if g >= 0 else "no topic" for g in groups],
                "title": shown["title"].to_numpy(),
                "date": shown["date"].to_numpy(),
            }
        )

    def _area_page(
        self, model: TopicModel, area: int, summary: pd.DataFrame, areas: pd.DataFrame, over_time: pd.DataFrame
    ) -> AreaPage:
        """One area's page: its size and quality, its fine topics and their shares over time."""
        row = model.area_row_of(area)
        assert row is not None  # settled by _settle_ids
        mine = areas[areas["area"] == area].iloc[0]
        own = summary[summary["area"] == area].reset_index(drop=True)
        return AreaPage(
            area=area,
            label=str(mine["label"]),
            papers=int(mine["papers"]),
            share=float(mine["share"]),
            coherence=float(mine["coherence"]),
            terms=pd.DataFrame(model.top_terms(row, area=True), columns=["term", "weight"]),
            topics=own,
            over_time=over_time[over_time["topic"].isin(own["topic"])].reset_index(drop=True),
        )

    def _topic_page(
        self,
        model: TopicModel,
        state: Mapping[str, Any],
        summary: pd.DataFrame,
        over_time: pd.DataFrame,
        member: npt.NDArray[np.bool_] | None,
        periods: Periods,
    ) -> TopicPage:
        """One topic's page: its area, size, quality and status, related topics, top terms and
        authors, papers, feed, and its papers over time split by category or source."""
        ds = self.dataset
        topic = int(state["topic"])
        row = model.row_of(topic)
        assert row is not None  # settled by _settle_ids
        mine = summary[summary["topic"] == topic].iloc[0]
        top_terms = pd.DataFrame(model.top_terms(row), columns=["term", "weight"])
        members = model.members(row, member)
        upvotes = ds.search_columns.upvotes[members]  # -1: none
        upvoted = (
            ds.papers(members[np.argsort(-upvotes, kind="stable")[:TOPIC_PAPERS]]) if (upvotes >= 0).any() else None
        )
        best = model.representative(model.members(row), 1)  # of every paper: the same whatever the source
        return TopicPage(
            topic=topic,
            label=str(mine["label"]),
            area=int(mine["area"]),
            area_label=str(mine["area_label"]),
            status=str(mine["status"]),
            coherence=float(mine["coherence"]),
            weak=bool(mine["weak"]),
            subtitle=str(ds.papers(best, ["title"])["title"].iloc[0]) if len(best) else "",
            papers=int(mine["papers"]),
            share=float(mine["share"]),
            related=model.related(row),
            terms=top_terms,
            trend_terms=", ".join(top_terms["term"].head(TREND_TERMS)),
            over_time=over_time[over_time["topic"] == topic].reset_index(drop=True),
            split=self._split(members, state, periods),
            authors=topics.top_authors(ds.table, members),
            representative=ds.papers(model.representative(members, TOPIC_PAPERS)),
            upvoted=upvoted,
            feed=topics.newest_papers(ds.table, ds.frame["date"].to_numpy(), members, FEED_SIZE),
        )

    def _split(self, members: npt.NDArray[np.int64], state: Mapping[str, Any], periods: Periods) -> pd.DataFrame | None:
        """A topic's papers (``members``, in the state's day range) per period by ``split``:
        each paper's first arXiv category ("no category" without one), or its sources
        (lib.sources.mix_name: "Hugging Face daily list and arXiv"); None for ``split=none``."""
        if state["split"] == "none":
            return None
        rows = np.asarray(members, dtype=np.int64)
        keep = periods.between(state["from"], state["to"])
        rows = rows if keep is None else rows[keep[rows]]
        if state["split"] == "category":
            firsts = take_rows(self.dataset.table["categories"], rows).to_pylist()
            groups = [c[0] if c else "no category" for c in firsts]
        else:
            codes, combinations = self.dataset.mix
            groups = [sources.mix_name(combinations[c]) for c in codes[rows]]
        return topics.split_over_time(periods, state["by"], rows, np.array(groups, dtype=object))

    def _where(self, model: TopicModel, state: Mapping[str, Any], member: npt.NDArray[np.bool_] | None) -> WhereAnswer:
        """“Where is …?”: the papers of ``q`` (a paper id, or a search in the Search page's
        syntax among the state's source and days) and the topics holding them, most first."""
        ds, asked = self.dataset, str(state["q"])
        query = parse(asked)
        notices = tuple(Notice(text, query=True) for text in query.warnings)
        if query.jump_id:
            row = ds.row_of(query.jump_id)
            if row is None:
                return WhereAnswer(asked, notices, message=f"arXiv {query.jump_id} is not in the table.")
            rows = np.array([row], dtype=np.int64)
            title = str(ds.papers(rows, ["title"])["title"].iloc[0])
            return WhereAnswer(asked, notices, rows=rows, topics=model.where(rows), paper=title)
        if query.is_empty:
            return WhereAnswer(
                asked,
                notices,
                message=f"“{asked}” has no word to look for: type words (e.g. speculative decoding) or a paper id.",
            )
        filters = search.Filters(state["from"], state["to"], 0, None, member)
        rows = np.sort(search.search(self.search_index, ds.search_columns, query, filters).rows).astype(np.int64)
        if not len(rows):
            return WhereAnswer(asked, notices, message=f"No paper matches “{asked}” here.")
        placed = model.where(rows)
        return WhereAnswer(asked, notices, rows=rows, topics=placed)

    # --- daily ----------------------------------------------------------------------------
    def day_population(self, src: str) -> str:
        """The papers the Daily Papers page counts for ``src``: its own, except the daily list of
        a table that has none, which counts every paper."""
        return ALL if src == HF and HF not in self.dataset.sources else src

    def days_of(self, counted: str) -> npt.NDArray[np.datetime64]:
        """The days with papers of ``counted`` (a :meth:`day_population`), ascending: the days
        the Daily Papers page steps through."""
        return self._once(("days", counted), lambda: daily.counted_days(self.dataset.periods("day", counted)))

    def day_shown(self, counted: str, day: dt.date) -> str:
        """Whose papers the Daily Papers page lists on ``day`` for ``counted`` (lib.daily.day_source:
        hf, the day's list; a day without one, all of its papers)."""
        return daily.day_source(counted, day, self.days_of(counted))

    def daily(self, state: Mapping[str, Any], hidden: Collection[str] = ()) -> DailyAnswer:
        """The whole answer of the Daily Papers page for a decoded state (lib.urlstate.HOME): a
        source the table lacks replaced by the daily list; the day (the link's, else the latest
        of the source; a day outside the table's shows the latest, saying so), its neighbours
        with papers, whose papers it shows (hf: the day's daily list, else all of the day's), the
        page of them (clamped, saying so); the whole table's figures for the source.

        ``view=trending`` / ``top``: instead of one day's papers, the papers of the window
        ranked by upvotes gained per day (from the upvote snapshots) or by upvotes
        (:meth:`trending`).  ``hide=read``: the papers of ``hidden`` (the reader's read
        papers) are left out, and counted."""
        ds = self.dataset
        state = dict(state)
        offer = daily_offer(ds.sources)
        state["src"], unheld = self.held_source(HOME, state["src"], offer)
        warnings = [Notice(unheld)] if unheld else []
        if len(ds.days) == 0:
            return DailyAnswer(state, tuple(warnings), offer)
        src = state["src"]
        has_lists = HF in ds.sources
        counted = self.day_population(src)  # the population the days, metrics and chart count
        days = self.days_of(counted)  # the days the navigation steps through
        # Any day can be asked for by the daily list (a day without one shows all its papers);
        # another source's days are its own.
        bounds = ds.days if src == HF else days
        latest = days[-1].astype(dt.date)  # the latest day of the source (hf: the latest list)
        day, missing = daily.resolve_day(state["date"], bounds)
        if state["date"] is None or missing or day is None:
            day = latest
        if missing:
            state["date"] = None  # the view follows the latest day
        previous, following = daily.neighbours(day, days)
        shown = self.day_shown(counted, day)  # whose papers the day's cards are
        ranked: Trending | None = None
        if state.get("view", "day") == "day":
            papers = daily.papers_on(
                ds.table, ds.day_of(shown).to_numpy(), day, state["sort"], ds.member(shown), daily_list=shown == HF
            )
        else:
            ranked = self.trending(state["window"], "velocity" if state["view"] == "trending" else "upvotes")
            papers = ranked.papers
        hid = 0
        if state.get("hide") == "read" and hidden and not papers.empty:
            kept = ~papers["id"].isin(set(hidden)).to_numpy()
            hid = int((~kept).sum())
            papers = papers[kept]
        start, stop, pages = daily.page_bounds(len(papers), state["p"])
        if start // daily.PAGE_SIZE + 1 != state["p"]:
            what = "this day has" if ranked is None else "this list has"
            warnings.append(
                Notice(f"Ignored p={state['p']}: {what} {count_text(pages, 'page')} of papers; showing page {pages}.")
            )
            state["p"] = pages
        first = days[0].astype(dt.date)
        by = daily.auto_period(first, latest) if state["by"] == "auto" else state["by"]
        return DailyAnswer(
            state,
            tuple(warnings),
            offer,
            missing_day=missing or "",
            day=day,
            pickable=(bounds[0].astype(dt.date), bounds[-1].astype(dt.date)),
            previous=previous,
            following=following,
            shown=shown,
            papers=papers,
            start=start,
            stop=stop,
            pages=pages,
            everyone=len(daily.rows_on(ds.day_of(ALL).to_numpy(), day)) if shown == HF else 0,
            no_list=src == HF and has_lists and shown != HF and not papers.empty,
            counted=counted,
            total=ds.overview.papers if counted == ALL else ds.sources.get(counted, 0),
            days=len(days),
            first=first,
            last=latest,
            per_period=daily.periods_frame(ds.periods(by, counted), by) if len(days) > 1 else None,
            ranked=ranked,
            hidden=hid,
        )

    # --- the team's library: collections, reading status, notes, trending (lib.team) ----------
    @property
    def team(self) -> TeamDB:
        """The team's database (lib.team.db): collections, statuses, notes, saved views, upvote snapshots."""
        from lib.team.db import TeamDB

        return TeamDB.open(self.store.path)

    def window_start(self, window: str) -> dt.date | None:
        """The first day of a window ``7d`` / ``30d`` / ``365d`` … (``all``: None) that ends on the
        table's latest day (a table fetched last month still has a "past week")."""
        days = self.dataset.days
        if window == "all" or not window[:-1].isdigit() or len(days) == 0:
            return None
        latest: dt.date = days[-1].astype(dt.date)
        return latest - dt.timedelta(days=int(window[:-1]) - 1)

    def trending(self, window: str, by: str = "velocity", limit: int = TRENDING_SIZE) -> Trending:
        """The papers of the window ranked by upvotes gained per day (``velocity``: from the
        upvote snapshots each fetch keeps, lib.team.trending) or by upvotes (``upvotes``);
        ``upvotes`` is each paper's count at the window's end."""
        from lib.team import trending

        days = int(window[:-1])
        history = self.team.upvote_history(since=trending.history_since(self.dataset, days))
        found = trending.trending(self.dataset, history, days, by=by, limit=limit)
        papers = self.dataset.papers(found["row"].to_numpy(dtype=np.int64)).reset_index(drop=True)
        for column in ("upvotes", "gained", "velocity", "spark"):
            papers[column] = found[column].to_list()
        tracked = int(history["id"].nunique()) if len(history) else 0
        return Trending(papers, window, by, tracked)

    def recommendations(self, name: str, window: str = "30d", limit: int = RECOMMENDATIONS) -> pd.DataFrame:
        """ "More for this collection" (lib.team.collections.recommendations) among the papers of
        the window (lib.urlstate.RECOMMEND_WINDOWS, ending on the table's latest day)."""
        from lib.team.collections import recommendations

        return recommendations(self, self.team, name, self.window_start(window), limit)


# --- search: the answer of a Search page -------------------------------------------------------
FEED_SIZE = 50  # the newest papers of a search in its Atom feed
LIKE_TEXT = 100  # papers a search by text lists (the nearest first)


def carry_topic_model(store: Store, dataset: Dataset, k: int) -> bool:
    """The model with k topics of the newest older store version that has one, carried over to
    this version when it has none (an import killed before it carried it over): the papers of
    the table parts written since are placed in its topics (lib.artifacts.carry_over) instead of
    a fit of minutes.  Whether it did."""
    if dataset.is_sample or topics.is_saved(store, dataset, k):
        return False
    held: artifacts.RowsHeld = lambda _store, _version, arrays: len(arrays["dominant"])
    return artifacts.carry_over(store, dataset, topics.model_file(k), held, topics.extend_after_import)


def _embed(text: str) -> npt.NDArray[np.float32]:
    from lib.search.vectors import embed_one

    return embed_one(text)


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
    words_total: int = 0  # papers holding every word of the query (the rest of ``total`` joined by meaning)
    did_you_mean: str | None = None  # when nothing holds every word: the query with its misspellings corrected
    navigated: int | None = None  # ... and the row of the paper whose title it is, typos and all (shown first)
    by_meaning: bool = False  # ranked by words and meaning (or nearest a text); else by words only
    meaning_note: str | None = None  # why a search asked to rank by meaning ranks by words only
    elapsed_ms: float = 0.0  # the search and the page's rows
    result: search.SearchResult | None = field(default=None, repr=False)
    topics: pd.DataFrame | None = None  # per row, its topic and area (Library.paper_topics) when the model is in memory

    def topic_of(self, position: int) -> PaperTopic | None:
        """The topic and area of the ``position``-th row shown (None: no model in memory, or no topic)."""
        return None if self.topics is None else PaperTopic.first(self.topics.iloc[position : position + 1])

    @property
    def summary(self) -> str:
        """How many papers matched: "about 1,234 results", or "6 papers, newest first" for an empty query."""
        about = "" if self.total_exact else "about "
        if self.state.get("mode") == "text":
            return count_text(self.total, "paper") + " nearest the text"
        if self.query.is_empty:
            return about + count_text(self.total, "paper") + ", newest first"
        joined = self.total - self.words_total if self.by_meaning else 0
        if joined > 0:
            return f"{about}{count_text(self.words_total, 'result')} with every word + {joined:,} related"
        return about + count_text(self.total, "result")

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
        """The first ``limit`` results (the page's downloads hold the first MAX_EXPORT), read
        within a time budget of their own (lib.deadline): past it, fewer, and
        :attr:`export_note` says so."""
        if self.result is None:
            return self.rows
        self.result.deadline = Deadline()
        return search.result_frame(self.result, self.library.dataset.table, 0, limit)

    @property
    def export_note(self) -> str:
        """After :meth:`results`: the note when its budget ran out (it holds fewer rows), else ""."""
        return self.result.deadline.note if self.result is not None and self.result.deadline.hit else ""

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


@dataclass(frozen=True)
class SimilarPapers:
    """A paper's most similar papers (:meth:`Library.similar_papers`), most similar first, each
    with its ``similarity`` (0–1): published before it (prior work) and on its day or after."""

    earlier: pd.DataFrame
    later: pd.DataFrame
    by_meaning: bool  # terms and meaning (else terms only: the vectors are being prepared)


# --- trends: the answers of the Trends page ------------------------------------------------------
DRILL_PAPERS = 20  # the papers listed under a clicked point of the trend chart
DAY_TERMS = 25  # a table of one day: its most frequent terms listed


@dataclass(frozen=True, eq=False)
class Drill:
    """The papers behind the clicked point of the trend chart (URL key ``pick``)."""

    key: trends.Key  # the point's line
    label: str  # the point's period, as the chart labels it
    first: dt.date  # the period's first and last day within the chart's day range
    last: dt.date
    total: int  # papers behind the point
    papers: pd.DataFrame  # the first DRILL_PAPERS of them: most upvoted first (none last), then newest
    query: str  # the search of these papers (lib.search.query syntax)
    narrow: dict[str, str]  # the search's ``cat`` / ``src``, narrowing it to the line's corpus

    @property
    def search_state(self) -> dict[str, Any]:
        """The Search state (lib.urlstate.SEARCH) that lists every paper behind the point."""
        return {"q": self.query, "from": self.first, "to": self.last, "sort": "newest", **self.narrow}


@dataclass(frozen=True, eq=False)
class TrendAnswer:
    """What the Trends page draws for one state (:meth:`Library.trend`); ``python -m lib trend``
    prints the same series.  ``state`` is the state shown (a value changed says so in
    ``warnings``; ``Notice.query``: a slip in the terms typed)."""

    state: dict[str, Any]
    warnings: tuple[Notice, ...]
    keys: tuple[trends.Key, ...]  # the lines drawn
    one_day: bool  # a table of one day: no trend; ``day_terms`` and ``frequent`` instead
    series: pd.DataFrame  # lib.trends.trends.series of the lines
    strip: pd.DataFrame | None = None  # the composition strip under the chart (None: not drawn)
    few: tuple[str, ...] = ()  # periods with fewer than lib.trends.trends.FEW_PAPERS papers
    mixed: tuple[str, ...] = ()  # periods whose mix of sources is far from the series' own
    drill: Drill | None = None  # the papers behind the picked point
    day_terms: pd.DataFrame | None = None  # one day: per line, its papers that day and their share
    frequent: pd.DataFrame | None = None  # one day: the day's most frequent terms


@dataclass(frozen=True, eq=False)
class EmergingTerms:
    """The emerging and fading terms of a Trends state (:meth:`Library.emerging_terms`)."""

    state: dict[str, Any]
    warnings: tuple[Notice, ...]
    rising: pd.DataFrame  # lib.trends.trends.emerging's tables
    fading: pd.DataFrame
    info: dict[str, Any]  # the two windows: recent_from, recent_to, baseline_from, baseline_to, *_papers; mixed

    @property
    def mixed(self) -> str:
        """The sentence saying that the two windows hold different sources, else ""."""
        return str(self.info["mixed"])


# --- topics: the answers of the Topics page ------------------------------------------------------
TOPIC_PAPERS = 8  # a topic's most representative and most upvoted papers listed
TREND_TERMS = 4  # a topic's top terms whose trends it links to
BOILERPLATE_SHOWN = 20  # the boilerplate terms the quality line names


@dataclass(frozen=True)
class PaperTopic:
    """A paper's fine topic and broad area (stable ids, labels as people named them)."""

    topic: int
    topic_label: str
    area: int
    area_label: str

    @classmethod
    def first(cls, placed: pd.DataFrame) -> PaperTopic | None:
        """The first row of Library.paper_topics (None: no row, or a paper without a topic)."""
        if placed.empty or int(placed["topic"].iloc[0]) < 0:
            return None
        row = placed.iloc[0]
        return cls(int(row["topic"]), str(row["topic_label"]), int(row["area"]), str(row["area_label"]))


@dataclass(frozen=True, eq=False)
class TopicPage:
    """One topic's page (URL key ``topic``: its stable id)."""

    topic: int
    label: str
    area: int  # its area's id and label: the breadcrumbs
    area_label: str
    status: str  # "", "new since 2026-07", "split from 12", "merged from 7, 9"
    coherence: float  # NPMI of its top terms
    weak: bool  # coherence under lib.topics.topics.WEAK_NPMI
    subtitle: str  # the title of its most representative paper
    papers: int  # its papers among the source's
    share: float  # of the source's papers
    related: pd.DataFrame  # the most similar topics: topic, label, similarity
    terms: pd.DataFrame  # its top terms: term, weight
    trend_terms: str  # its first TREND_TERMS terms, for the Trends page
    over_time: pd.DataFrame  # its rows of shares_over_time
    split: pd.DataFrame | None  # ``split``: its papers per period and group (split_over_time); None: not split
    authors: pd.DataFrame  # its top authors: author, papers
    representative: pd.DataFrame  # its TOPIC_PAPERS most representative papers
    upvoted: pd.DataFrame | None  # its TOPIC_PAPERS most upvoted papers (None: none has a count)
    feed: pd.DataFrame  # its FEED_SIZE newest papers, newest first: its Atom feed


@dataclass(frozen=True, eq=False)
class AreaPage:
    """One area's page (URL key ``area``: its stable id): its fine topics."""

    area: int
    label: str
    papers: int  # its papers among the source's
    share: float
    coherence: float
    terms: pd.DataFrame  # its top terms: term, weight
    topics: pd.DataFrame  # its fine topics: rows of TopicModel.summary, largest first
    over_time: pd.DataFrame  # its topics' rows of shares_over_time


@dataclass(frozen=True, eq=False)
class WhereAnswer:
    """“Where is …?” (URL key ``q``): the topics that hold a query's papers."""

    query: str
    notices: tuple[Notice, ...]  # slips in the query's text (also in TopicsAnswer.warnings)
    rows: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # the query's papers
    topics: pd.DataFrame = field(  # TopicModel.where: topic, label, area, area_label, papers, share
        default_factory=lambda: pd.DataFrame(columns=["topic", "label", "area", "area_label", "papers", "share"])
    )
    paper: str = ""  # a paper id asked: its title
    message: str = ""  # why no topic is listed (no paper found, nothing to look for)

    @property
    def summary(self) -> str:
        """One line: how many papers, in how many topics (or the message)."""
        if self.message:
            return self.message
        if self.paper:
            return f"“{self.paper}” is in this topic:"
        placed = int(self.topics["papers"].sum())
        unplaced = len(self.rows) - placed
        aside = f" ({count_text(unplaced, 'paper')} without a topic)" if unplaced else ""
        return f"{count_text(len(self.rows), 'paper')} match “{self.query}”, in {count_text(len(self.topics), 'topic')}{aside}:"


@dataclass(frozen=True, eq=False)
class TopicsAnswer:
    """What the Topics page draws for one state (:meth:`Library.topics`); ``python -m lib
    topics`` prints the same sizes.  ``state`` is the state shown (a value changed says so in
    ``warnings``).  The view is all areas, one area (``area``) or one topic (``topic``)."""

    state: dict[str, Any]
    warnings: tuple[Notice, ...]
    one_day: bool  # a table of one day: no chart over time
    model: TopicModel  # with the names people gave (Library.named_model)
    counted: int | None  # the source's papers that sizes and shares count (None: every paper)
    summary: pd.DataFrame  # per fine topic: its size among the counted papers (TopicModel.summary)
    areas: pd.DataFrame  # per area: its size among the counted papers (TopicModel.areas)
    over_time: pd.DataFrame  # the view's shares_over_time: all areas', an area's topics', a topic's
    where: WhereAnswer | None = None  # ``q``: the topics holding its papers
    strip: pd.DataFrame | None = None  # all areas: the composition strip under the shares (None: not drawn)
    mixed: tuple[str, ...] = ()  # all areas: periods whose mix of sources is far from the series' own
    points: pd.DataFrame | None = None  # all areas / an area: the map of papers (Library._points)
    emerging: pd.DataFrame | None = None  # all areas, over more than a day: lib.topics.topics.emerging_topics
    emerging_mixed: str = ""  # the sentence saying the windows of ``emerging`` hold different sources
    area: AreaPage | None = None  # one area's page
    topic: TopicPage | None = None  # one topic's page

    @property
    def view(self) -> str:
        """ "topic", "area" or "areas"."""
        return "topic" if self.topic is not None else "area" if self.area is not None else "areas"

    @property
    def quality(self) -> str:
        """The model's quality in one line: coherence of topics and areas, diversity, sizes,
        the fit's time, the boilerplate terms it learned to set aside (the first 20)."""
        model = self.model
        areas = float(np.mean(model.area_coherence_)) if len(model.area_coherence_) else 0.0
        weak = int(self.summary["weak"].sum())
        aside = model.boilerplate_[:BOILERPLATE_SHOWN]
        more = len(model.boilerplate_) - len(aside)
        boilerplate = (
            " · boilerplate set aside: " + ", ".join(aside) + (f" … (+{more:,})" if more > 0 else "") if aside else ""
        )
        return (
            f"{count_text(model.n_topics, 'topic')} in {count_text(model.n_areas, 'area')}, found in "
            f"{model.fitted_docs_:,} papers in {model.seconds_:.0f} s · mean coherence (NPMI of the top "
            f"{topics.COHERENCE_TERMS} terms): topics {model.mean_coherence:.2f}, areas {areas:.2f} · topic "
            f"diversity {model.diversity:.2f} · {count_text(weak, 'weak topic')} (coherence under "
            f"{topics.WEAK_NPMI})" + boilerplate
        )


# --- daily: the answer of the Daily Papers page --------------------------------------------------
@dataclass(frozen=True, eq=False)
class Trending:
    """The trending (``by="velocity"``) or most upvoted (``by="upvotes"``) papers of a window
    (:meth:`Library.trending`): the dataset's paper columns plus ``gained`` (upvotes gained in
    the window), ``velocity`` (per day) and ``spark`` (the upvotes of each day of the window)."""

    papers: pd.DataFrame
    window: str
    by: str
    tracked: int  # papers with upvote snapshots in or just before the window

    @property
    def note(self) -> str:
        """How the ranking was made, in a sentence."""
        if self.by == "upvotes":
            return "Most upvoted papers listed in the window."
        if not self.tracked:
            return (
                "No upvote history yet: ranked by upvotes per day since listing. Each `fetch hf` keeps a dated "
                "snapshot of every paper's upvotes; `--refresh 14` re-fetches the last two weeks as upvotes grow."
            )
        return f"Upvotes gained per day in the window, from the snapshots of {self.tracked:,} papers."


def daily_offer(present: Mapping[str, int]) -> dict[str, str]:
    """The sources the Daily Papers page offers, ``src`` value -> label: the daily list (its
    default, offered whether or not the table holds one), all papers, then each other source."""
    return {HF: "Hugging Face daily list", ALL: "All papers", **{k: source_name(k) for k in present if k != HF}}


@dataclass(frozen=True, eq=False)
class DailyAnswer:
    """What the Daily Papers page shows for one state (:meth:`Library.daily`).  ``state`` is
    the state shown (a value changed says so in ``warnings``; ``date`` is None while the view
    follows the latest day).  ``day`` is None when no paper of the table has a day."""

    state: dict[str, Any]
    warnings: tuple[Notice, ...]
    offer: dict[str, str]  # the sources offered, src -> label
    missing_day: str = ""  # the link's day lies outside the table's days: the latest is shown
    day: dt.date | None = None
    pickable: tuple[dt.date, dt.date] | None = None  # the first and last day the day picker offers
    previous: dt.date | None = None  # the nearest earlier and later days with papers of the source
    following: dt.date | None = None
    shown: str = ALL  # whose papers the day's cards are: hf (the day's list), all, or the source
    papers: pd.DataFrame = field(default_factory=pd.DataFrame)  # all the day's papers, in order
    start: int = 0  # the page of them shown: papers.iloc[start:stop]
    stop: int = 0
    pages: int = 1
    everyone: int = 0  # on a daily list: every paper of that day
    no_list: bool = False  # the daily list was asked for, the day has none: all its papers shown
    counted: str = ALL  # the population the days, figures and chart count
    total: int = 0  # its papers
    days: int = 0  # its days with papers
    first: dt.date | None = None  # its first and last day
    last: dt.date | None = None
    per_period: pd.DataFrame | None = None  # its papers per period (lib.daily.periods_frame); None: one day
    ranked: Trending | None = None  # view=trending / top: the window's papers, ranked (papers is its frame)
    hidden: int = 0  # hide=read: papers of the list left out (marked read)

    @property
    def on_a_list(self) -> bool:
        """The day's cards are its Hugging Face daily list."""
        return self.shown == HF
