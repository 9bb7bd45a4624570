"""The URL grammar of every page: pure decode/encode over plain key/value pairs.

Each page declares a :class:`PageSpec`: its url path and its keys, each with a
default, a parser and a one-line doc.  ``decode`` turns query parameters into a
state dict plus warnings (a bad value falls back to the default, never raises);
``encode`` writes the canonical parameters back: defaults omitted, keys in spec
order, so one view has one URL and ``encode(decode(x)) == x`` for canonical x.
Pages never read ``st.query_params`` directly; the glue passes a plain dict here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from lib.source_keys import ALL, ARXIV, FILE, HF, is_source
from lib.text import arxiv_id

# Keys Streamlit itself uses in URLs; passed through untouched, never warned about.
STREAMLIT_KEYS = frozenset({"embed", "embed_options"})
MAX_VALUE = 500  # characters: longer values are not a state anyone shares


@dataclass(frozen=True)
class Field:
    key: str
    default: Any
    parse: Callable[[str], Any]  # raises ValueError with a short reason
    format: Callable[[Any], str] = str
    doc: str = ""
    fallback: str = ""  # how the default reads in a warning ("the latest day"); else its value
    limit: int = 0  # characters a link holds of the value (0: MAX_VALUE); a longer value is cut in links


@dataclass(frozen=True)
class PageSpec:
    path: str  # the st.Page url_path ("" for the home page)
    fields: tuple[Field, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def decode(self, params: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """State from query parameters, and one warning per ignored parameter."""
        state = {f.key: f.default for f in self.fields}
        warnings: list[str] = []
        by_key = {f.key: f for f in self.fields}
        for key, value in params.items():
            if isinstance(value, (list, tuple)):
                value = value[-1] if value else ""
            if key in STREAMLIT_KEYS:
                continue
            field = by_key.get(key)
            shown = _shown(value)
            if field is None:
                warnings.append(f"Ignored unknown link parameter {_shown(key)}.")
                continue
            try:
                if len(str(value)) > (field.limit or MAX_VALUE):
                    raise ValueError(f"longer than {field.limit or MAX_VALUE:,} characters")
                state[key] = field.parse(str(value))
            except (ValueError, TypeError, OverflowError) as exc:
                default = field.fallback or repr(field.format(field.default))
                warnings.append(f"Ignored {key}={shown}: {exc}; showing {default}.")
        return state, warnings

    def encode(self, state: Mapping[str, Any]) -> dict[str, str]:
        """Canonical query parameters: defaults and empty values omitted, spec order."""
        params = {}
        for field in self.fields:
            value = state.get(field.key, field.default)
            if value == field.default or value is None or value == "":
                continue
            params[field.key] = clip(field.format(value), field.limit) if field.limit else field.format(value)
        return params

    def link(self, state: Mapping[str, Any]) -> str:
        """The relative link of a view: ``/path?key=value``."""
        query = urlencode(self.encode(state))
        return f"/{self.path}" + (f"?{query}" if query else "")


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a space when there is one near the end."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit * 0.8 else cut


def _shown(value: Any) -> str:
    text = str(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return repr(text)


# --- value parsers ------------------------------------------------------------------
def choice(*options: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip().lower()
        if value not in options:
            raise ValueError(f"not one of {', '.join(options)}")
        return value

    return parse


def integer(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        text = value.strip()
        if not text.lstrip("-").isdigit() or len(text) > 12:
            raise ValueError("not a whole number")
        number = int(text)
        if not low <= number <= high:
            raise ValueError(f"not between {low} and {high}")
        return number

    return parse


def text(value: str) -> str:
    return " ".join(value.split())


def category(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9.\-]{0,30}", value):
        raise ValueError("not a category name like cs.CL")
    return value


def paper_id(value: str) -> str:
    value = value.strip()
    found = arxiv_id(value)
    if found:
        return found
    if re.fullmatch(r"t-[0-9a-f]{12}", value):
        return value
    raise ValueError("not an arXiv id (like 2508.01234) or a paper id of this table")


def point(value: str) -> str:
    """A point of the trend chart: ``TERM@PERIOD`` (``agent@2025-03``)."""
    term, _, period = text(value).rpartition("@")
    if not term.strip() or not period.strip():
        raise ValueError("not a point written TERM@PERIOD, like agent@2025-03")
    return f"{term.strip()}@{period.strip()}"


def source(value: str) -> str:
    """A population of papers: ``all``, ``hf``, ``arxiv`` or ``file:NAME`` (lib.source_keys).
    Whether the table holds it is for the page to say."""
    value = " ".join(value.split())
    lowered = value.lower()
    if lowered in (ALL, HF, ARXIV):
        return lowered
    if is_source(value) and value[: len(FILE)].lower() == FILE:
        return FILE + value[len(FILE) :]
    raise ValueError("not a source: all, hf (the Hugging Face daily list), arxiv, or file:NAME")


MAX_TOPICS = 200  # lib.topics.topics.MAX_K (tests/test_urlstate.py holds them equal: lib.urlstate imports no model)
MAX_ID = 999_999_999  # a topic's or an area's stable id (lib.topics.identity)


def topic_count(value: str) -> int:
    count = integer(0, MAX_TOPICS)(value)
    if count == 1:
        raise ValueError(f"not 0 (automatic) or between 2 and {MAX_TOPICS}")
    return count


def topic_id(value: str) -> int:
    """A topic's or an area's stable id (lib.topics.identity): a whole number from 0."""
    return integer(0, MAX_ID)(value)


def day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("not a day (YYYY-MM-DD)") from None


def iso(value: dt.date) -> str:
    return value.isoformat()


# --- the values of keys that take one of a list -------------------------------------------
# The order of a day's cards (Daily Papers) and of search results: URL value -> what pages call it.
DAY_SORTS = {"upvotes": "Most upvoted", "listed": "As listed"}
SEARCH_SORTS = {"relevance": "Relevance", "newest": "Newest", "oldest": "Oldest", "upvotes": "Most upvoted"}
# How a search ranks: words and meaning together (lib.search.hybrid), words only, or a pasted text's nearest papers.
SEARCH_MODES = {"hybrid": "Words + meaning", "lexical": "Words only", "text": "Search by text"}
LINK_TEXT = 2_000  # characters of a query (a pasted text) a link holds
MAX_TEXT = 10_000  # characters of a pasted text a search by text reads
BYS = ("day", "week", "month", "quarter", "year")  # the period of each point of a chart over time
PERIODS = ("auto", *BYS)  # the chart of papers per period on Daily Papers: auto fits the table's span
# The y axis of a chart over time: the share of each period's papers, or their number.
NORMS = {"share": "Share of papers", "count": "Number of papers"}
# A topic's papers over time, split by: nothing, the paper's (first) arXiv category, its sources.
SPLITS = {"none": "No split", "category": "arXiv category", "source": "Source"}
# Daily Papers: one day's list, or the papers of a recent window ranked by upvotes gained per
# day (trending, from the upvote snapshots: lib.team.trending) or by upvotes (Hugging Face's week= / month=).
DAY_VIEWS = {"day": "One day", "trending": "Trending", "top": "Top"}
WINDOWS = {"7d": "Past week", "30d": "Past month"}
# "hide papers I marked read" (Daily Papers, Search): the reader's own reading status (lib.team.db)
HIDES = {"none": "Show all", "read": "Hide read"}
# A collection's papers: by when they were added, by day, by upvotes, by title.
COLLECTION_SORTS = {"added": "Added", "date": "Newest", "upvotes": "Upvotes", "title": "Title"}
# The window of a collection's recommendations ("More for this collection"), before the table's latest day.
RECOMMEND_WINDOWS = {"7d": "Week", "30d": "Month", "90d": "3 months", "365d": "Year", "all": "Any time"}
MAX_NAME = 100  # characters of a collection's (or a saved view's) name


def collection_name(value: str) -> str:
    """A collection's name: one line, 1-100 characters, spaces collapsed."""
    name = " ".join(value.split())
    if not name:
        raise ValueError("empty")
    if len(name) > MAX_NAME:
        raise ValueError(f"longer than {MAX_NAME} characters")
    return name


# --- the pages --------------------------------------------------------------------------

HOME = PageSpec(
    path="",
    fields=(
        # the day shown; absent = the latest day in the table
        Field("date", None, day, iso, "day shown (YYYY-MM-DD); default: the latest day", "the latest day"),
        # card order: most upvoted first, or the order of the daily list
        Field("sort", "upvotes", choice(*DAY_SORTS), doc=" | ".join(DAY_SORTS)),
        # the papers shown: the day's Hugging Face daily list when it has one, else all of the day's
        Field(
            "src",
            "hf",
            source,
            doc="hf (default: the day's Hugging Face daily list, or all papers of a "
            "day without one) | all | arxiv | file:NAME",
            fallback="the daily list",
        ),
        # page of the day's cards (50 a page)
        Field("p", 1, integer(1, 100_000), doc="page of the day's papers, from 1", fallback="page 1"),
        # granularity of the papers-per-period chart
        Field("by", "auto", choice(*PERIODS), doc="chart period: " + " | ".join(PERIODS)),
        # one day's list, or the trending / most upvoted papers of a window (view=trending&window=7d)
        Field("view", "day", choice(*DAY_VIEWS), doc=" | ".join(DAY_VIEWS)),
        Field("window", "7d", choice(*WINDOWS), doc="window of the trending and most upvoted views: 7d | 30d"),
        # hide=read: leave out the papers the reader marked read
        Field("hide", "none", choice(*HIDES), doc="read: hide the papers I marked read"),
    ),
)

SEARCH = PageSpec(
    path="search",
    fields=(
        # the query, in the syntax of lib/search/query.py
        Field(
            "q",
            "",
            text,
            doc=f"the query (see Query syntax); empty: browse newest first; in a link, its first {LINK_TEXT:,} characters",
            limit=LINK_TEXT,
        ),
        # how results are ranked: words and meaning (hybrid), words only, or the papers nearest a pasted text
        Field("mode", "hybrid", choice(*SEARCH_MODES), doc=" | ".join(SEARCH_MODES)),
        # result order
        Field("sort", "relevance", choice(*SEARCH_SORTS), doc=" | ".join(SEARCH_SORTS)),
        # day range, inclusive
        Field("from", None, day, iso, "first day (YYYY-MM-DD)", "no lower bound"),
        Field("to", None, day, iso, "last day (YYYY-MM-DD)", "no upper bound"),
        # minimum Hugging Face upvotes (papers without a count are left out when > 0)
        Field("up", 0, integer(0, 1_000_000), doc="minimum upvotes"),
        # one arXiv category
        Field("cat", "", category, doc="arXiv category, e.g. cs.CL", fallback="all categories"),
        # the papers counted: all, hf (on the Hugging Face daily list), arxiv, file:NAME (lib/sources.py)
        Field("src", "all", source, doc="all | hf | arxiv | file:NAME: the papers counted", fallback="all sources"),
        # page of results (20 a page)
        Field("p", 1, integer(1, 100_000), doc="page of results, from 1", fallback="page 1"),
        # hide=read: leave out the papers the reader marked read
        Field("hide", "none", choice(*HIDES), doc="read: hide the papers I marked read"),
    ),
)

PAPER = PageSpec(
    path="paper",
    fields=(
        # the paper shown: arXiv id (or the t-... id of a paper known by title only)
        Field("id", "", paper_id, doc="arXiv id like 2508.01234 (or a t-... id)", fallback="no paper"),
    ),
)

TRENDS = PageSpec(
    path="trends",
    fields=(
        # comma-separated terms; a phrase is one term; a trailing * expands a prefix
        Field(
            "terms",
            "agent, diffusion, reinforcement learning",
            text,
            doc="comma-separated words or phrases; a trailing * expands to the most frequent completions; "
            "term:hf or term:cs.CL (a corpus), a + b (union), (a) / (b) (ratio)",
        ),
        # period of each point
        Field("by", "month", choice(*BYS), doc=" | ".join(BYS)),
        # y axis: share of the period's papers mentioning the term, or their number
        Field("norm", "share", choice(*NORMS), doc=" | ".join(NORMS)),
        # centred moving average over N periods each side (0 = none)
        Field("smooth", 0, integer(0, 24), doc="moving average over N periods each side, 0 = none"),
        # the papers counted: all, hf (on the Hugging Face daily list), arxiv, file:NAME (lib/sources.py)
        Field("src", "all", source, doc="all | hf | arxiv | file:NAME: the papers counted", fallback="all sources"),
        Field("from", None, day, iso, "first day (YYYY-MM-DD)", "no lower bound"),
        Field("to", None, day, iso, "last day (YYYY-MM-DD)", "no upper bound"),
        # the clicked point whose papers are listed under the chart (a term and a period label)
        Field(
            "pick",
            "",
            point,
            doc="the point whose papers are listed: TERM@PERIOD, e.g. agent@2025-03",
            fallback="no point",
        ),
        # emerging / fading terms: the recent window against the baseline before it, in days
        Field("recent", 90, integer(7, 3650), doc="recent window of the emerging-terms table, in days"),
        Field("baseline", 365, integer(7, 3650), doc="baseline window before it, in days"),
    ),
)

TOPICS = PageSpec(
    path="topics",
    fields=(
        # number of fine topics; 0 = automatic (see lib.topics.topics.auto_k)
        Field(
            "k",
            0,
            topic_count,
            doc=f"number of fine topics, 2–{MAX_TOPICS}; 0 or absent: automatic",
            fallback="automatic",
        ),
        # one area's page: its fine topics (its stable id), or absent for all areas
        Field("area", -1, topic_id, doc="an area's id: that area's fine topics", fallback="all areas"),
        # one fine topic's page (its stable id, kept across refits), or absent
        Field("topic", -1, topic_id, doc="a topic's id: that topic's page", fallback="all areas"),
        # "where is X?": the topics that hold the papers of a query (words, or a paper id)
        Field("q", "", text, doc="where is…? a search (words or a paper id): the topics holding its papers"),
        # a topic's papers over time split by arXiv category or by source
        Field("split", "none", choice(*SPLITS), doc="a topic's papers over time by: " + " | ".join(SPLITS)),
        Field("by", "month", choice(*BYS), doc=" | ".join(BYS)),
        # y axis of the over-time charts: share of the period's papers, or their number
        Field("norm", "share", choice(*NORMS), doc=" | ".join(NORMS)),
        Field("from", None, day, iso, "first day (YYYY-MM-DD)", "no lower bound"),
        Field("to", None, day, iso, "last day (YYYY-MM-DD)", "no upper bound"),
        # the papers counted: all, hf (on the Hugging Face daily list), arxiv, file:NAME (lib/sources.py)
        Field("src", "all", source, doc="all | hf | arxiv | file:NAME: the papers counted", fallback="all sources"),
    ),
)

COLLECTIONS = PageSpec(
    path="collections",
    fields=(
        # one collection's page (its name), or absent for the list of collections
        Field("collection", "", collection_name, doc="a collection's name", fallback="the list of collections"),
        Field("sort", "added", choice(*COLLECTION_SORTS), doc=" | ".join(COLLECTION_SORTS)),
        # the recommendations' window, before the table's latest day
        Field(
            "since",
            "30d",
            choice(*RECOMMEND_WINDOWS),
            doc="window of the recommendations: " + " | ".join(RECOMMEND_WINDOWS),
        ),
        Field("p", 1, integer(1, 100_000), doc="page of the collection's papers, from 1", fallback="page 1"),
    ),
)

VIEWS = PageSpec(path="views", fields=())

IMPORT = PageSpec(path="import", fields=())

PAGES = {
    "home": HOME,
    "search": SEARCH,
    "paper": PAPER,
    "trends": TRENDS,
    "topics": TOPICS,
    "collections": COLLECTIONS,
    "views": VIEWS,
    "import": IMPORT,
}
