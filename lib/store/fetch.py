"""Fetching papers from Hugging Face and arXiv: plain HTTP, retries, resumable, replayable.

* Hugging Face daily papers: ``GET {base}/api/daily_papers?date=D&limit=L&p=P`` for each day
  (paged while a page comes back full).
* arXiv API: ``GET {base}/api/query?search_query=cat:C AND submittedDate:[D TO D]&start=S&
  max_results=M``, one day at a time, paged, with at least 3 s between requests (the API's
  terms of use).

Every response is saved raw beside the store (``DIR/raw/hf/2025-09-08.json``,
``DIR/raw/arxiv/cs.CL/2025-09-08.xml``) before it is imported with the same importers
and merge as any file, so a fetch can be replayed and a rerun skips finished days
(``--since-last`` continues from the newest day in the store).  429 and 5xx answers and
timeouts are retried with exponential backoff; being offline is a clear message.

Hugging Face upvotes keep growing for a week or two after a paper is listed, so a finished
day is not finished for its upvotes: ``refresh`` downloads the last days of a range again
(the cron line asks for 14), and every Hugging Face fetch keeps, in the team database
(lib.team.db), a dated snapshot of the upvotes of each paper it downloaded -- dated by the
UTC day of the fetch, not the listing day -- from which lib.team.trending ranks papers by
the upvotes they gain per day.

Why plain HTTP (urllib) rather than ``huggingface_hub`` or the ``arxiv`` package: we need
the raw responses (for replay and for the importers that already read these formats),
our own retry and pacing rules, and a configurable base URL for tests; both libraries
would hand back parsed objects and hide the bytes.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lib.errors import PapersError, StoreError, log
from lib.progress import Progress
from lib.store.importer import ImportReport, import_files
from lib.store.store import Store, read_only

HF_BASE = "https://huggingface.co"
ARXIV_BASE = "https://export.arxiv.org"
HF_PAGE_SIZE = 100
ARXIV_PAGE_SIZE = 200
ARXIV_DELAY = 3.0  # seconds between arXiv API requests (their terms of use; $PAPERS_ARXIV_DELAY for a local mirror)
USER_AGENT = "papers-dashboard/1.0 (+https://github.com/; team research tool)"


class FetchError(PapersError):
    """The upstream cannot be reached or keeps failing."""


@dataclass
class HttpClient:
    """GET with retries: 429 / 5xx / timeouts back off exponentially (``Retry-After`` honoured),
    every wait, answer and the whole run bounded (:meth:`from_env` reads the bounds)."""

    timeout: float = 30.0  # seconds for a whole answer (connection, headers, body): a slow drip ends too
    retries: int = 4
    backoff: float = 1.0  # seconds before the first retry, doubled each time (at most max_wait)
    min_interval: float = 0.0  # seconds between two requests
    max_wait: float = 120.0  # the longest pause before a retry: a longer Retry-After gives up at once
    max_bytes: int = 64_000_000  # the largest answer read
    max_pages: int = 50  # pages one day (of one category) may take: the fetchers' bound
    max_seconds: float = 3600.0  # the whole run, from the client's creation: requests, pauses, retries
    sleep: Callable[[float], None] = time.sleep
    _last: float = field(default=0.0, repr=False)
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.max_seconds

    @classmethod
    def from_env(cls, **options: Any) -> HttpClient:
        """A client bounded by ``PAPERS_FETCH_TIMEOUT``, ``_MAX_WAIT``, ``_MAX_BYTES``,
        ``_MAX_PAGES`` and ``_MAX_SECONDS`` where they are set; ``options`` win."""
        for name, (variable, kind) in LIMITS.items():
            text = os.environ.get(variable, "").strip()
            if text and name not in options:
                options[name] = _positive(variable, text, kind)
        return cls(**options)

    def get(self, url: str) -> bytes:
        delay = self.backoff
        for attempt in range(self.retries + 1):
            self._pause(self.min_interval - (time.monotonic() - self._last))
            self._last = time.monotonic()
            try:
                return self._read(url)
            except urllib.error.HTTPError as exc:
                if exc.code != 429 and exc.code < 500:
                    raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
                reason = f"HTTP {exc.code}"
                asked = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                if asked is not None and asked > self.max_wait:
                    raise FetchError(
                        f"{url}: {reason} asks to wait {asked:.0f} s, longer than the longest wait "
                        f"({self.max_wait:g} s, PAPERS_FETCH_MAX_WAIT): try again later"
                    ) from None
                delay = max(delay, asked or 0.0)
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, (socket.gaierror, ConnectionRefusedError)) or "Name or service" in str(
                    exc.reason
                ):
                    raise FetchError(
                        f"cannot reach {urllib.parse.urlsplit(url).netloc}: {exc.reason} "
                        "(offline? check the network or --base-url)"
                    ) from None
                reason = str(exc.reason)
            except TimeoutError:
                reason = f"no answer within {self.timeout:g} s"
            except (_Retryable, ConnectionError, http.client.HTTPException) as exc:
                reason = str(exc) or type(exc).__name__
            if attempt == self.retries:
                raise FetchError(f"{url}: giving up after {self.retries + 1} attempts ({reason})")
            self._pause(min(delay, self.max_wait))
            delay *= 2
        raise AssertionError("unreachable")

    def _pause(self, seconds: float) -> None:
        """Sleeps ``seconds`` (if positive), unless that passes the run's end: then a FetchError."""
        if seconds > 0 and time.monotonic() + seconds > self._deadline:
            raise self._out_of_time()
        if seconds > 0:
            self.sleep(seconds)

    def _out_of_time(self) -> FetchError:
        return FetchError(
            f"stopped at the limit of one run ({self.max_seconds:g} s: --max-seconds or PAPERS_FETCH_MAX_SECONDS); "
            "what was downloaded is kept: run it again to continue"
        )

    def _read(self, url: str) -> bytes:
        """One answer, read whole within ``timeout`` (and the run's end) and ``max_bytes``."""
        now = time.monotonic()
        limit = min(self.timeout, self._deadline - now)
        if limit <= 0:
            raise self._out_of_time()
        ends = now + limit
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=limit) as response:  # the socket: at most limit per read
            expected = response.headers.get("Content-Length")
            if expected is not None and expected.isdigit() and int(expected) > self.max_bytes:
                raise self._too_large(url)
            chunks, size = [], 0
            while chunk := response.read1(1 << 16):  # one read of the socket at a time: the clock is checked
                size += len(chunk)
                if size > self.max_bytes:
                    raise self._too_large(url)
                if time.monotonic() > ends:
                    raise TimeoutError
                chunks.append(chunk)
            if expected is not None and expected.isdigit() and size < int(expected):
                raise _Retryable(f"truncated body ({size} of {expected} bytes)")
            return b"".join(chunks)

    def _too_large(self, url: str) -> FetchError:
        return FetchError(f"{url}: the answer is larger than {self.max_bytes:,} bytes (PAPERS_FETCH_MAX_BYTES)")


LIMITS: dict[str, tuple[str, type[float] | type[int]]] = {
    "timeout": ("PAPERS_FETCH_TIMEOUT", float),
    "max_wait": ("PAPERS_FETCH_MAX_WAIT", float),
    "max_bytes": ("PAPERS_FETCH_MAX_BYTES", int),
    "max_pages": ("PAPERS_FETCH_MAX_PAGES", int),
    "max_seconds": ("PAPERS_FETCH_MAX_SECONDS", float),
}
"""HttpClient's bounds that the environment sets: the variable and its kind."""


def _positive(name: str, text: str, kind: type[float] | type[int]) -> float:
    try:
        value: float = kind(text)
    except ValueError:
        value = 0
    if not 0 < value < float("inf"):
        raise PapersError(f"{name}={text!r}: not a positive {'whole ' if kind is int else ''}number")
    return value


def _retry_after(text: str | None) -> float | None:
    """``Retry-After`` in seconds (a number, or an HTTP date), None when absent or unreadable."""
    if not text:
        return None
    if text.strip().isdigit():
        return float(text.strip())
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


class _Retryable(Exception):
    pass


class SnapshotError(FetchError):
    """The papers were imported, but their upvote snapshots could not be saved: ``report`` is
    the fetch's report (its import is committed)."""

    def __init__(self, message: str, report: FetchReport) -> None:
        super().__init__(message)
        self.report = report


def utc_today() -> dt.date:
    """The UTC day now: the day a fetch is done on (the days Hugging Face and arXiv list by)."""
    return dt.datetime.now(dt.UTC).date()


def refuse_read_only() -> None:
    """A read-only store fetches nothing (not even the raw responses it would keep)."""
    if read_only():
        raise StoreError("the store is read-only (PAPERS_READONLY is set): fetching is disabled")


def base_url(given: str | None, variable: str, default: str) -> str:
    """The API's base: ``given`` (--base-url), else ``$variable``, else ``default``; an http(s)
    URL with a host, in ASCII, else a PapersError."""
    base = given or os.environ.get(variable) or default
    try:
        parts = urllib.parse.urlsplit(base)
        valid = base.isascii() and base.isprintable() and parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 -- a port that is no number raises ValueError
    except ValueError:
        valid = False
    if not valid:
        raise PapersError(f"{'--base-url' if given else variable} {base!r}: not an http(s) URL like {default}")
    return base


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    if last < first:
        raise PapersError(f"--to {last} is before --from {first}")
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def newest_day(store: Store) -> dt.date | None:
    table = store.read_table()
    if table.num_rows == 0:
        return None
    import pyarrow.compute as pc

    latest: dt.datetime = pc.max(table["date"]).as_py()
    return latest.date()


@dataclass
class FetchReport:
    fetched: list[str] = field(default_factory=list)  # raw files downloaded now
    skipped: list[str] = field(default_factory=list)  # raw files already there (resumed)
    refreshed: list[str] = field(default_factory=list)  # of ``fetched``: saved before, downloaded again
    imported: ImportReport | None = None
    snapshots: int = 0  # papers whose upvotes were recorded (Hugging Face)
    snapshot_day: dt.date | None = None  # the day they were recorded for


# --- Hugging Face ---------------------------------------------------------------------------
def hf_url(base: str, day: dt.date, page: int = 0) -> str:
    query = urllib.parse.urlencode({"date": day.isoformat(), "limit": HF_PAGE_SIZE, "p": page})
    return f"{base.rstrip('/')}/api/daily_papers?{query}"


def fetch_hf(
    store: Store,
    days: list[dt.date],
    base: str | None = None,
    client: HttpClient | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    refresh: int = 0,
) -> FetchReport:
    """Download each day's daily papers and import them; record the upvotes of every paper
    downloaded in the team database, dated ``today`` (default: the UTC day now).

    A day already saved is not downloaded again unless it is ``today`` or later (the list still
    grows) or one of the last ``refresh`` days of ``days`` (its upvotes still grow).  When the
    snapshots cannot be saved after the import: :class:`SnapshotError` (the import stands)."""
    refuse_read_only()
    base = base_url(base, "PAPERS_HF_BASE_URL", HF_BASE)
    client = client or HttpClient.from_env()
    today = today or utc_today()
    again = set(days[-refresh:]) if refresh > 0 else set()
    report = FetchReport()
    upvotes: dict[str, int] = {}  # paper id -> upvotes, from the responses downloaded now
    for i, day in enumerate(days):
        name = f"{day.isoformat()}.json"
        saved = store.raw_exists("hf", name)
        if saved and day < today and day not in again:  # today's list still grows: fetch again
            report.skipped.append(name)
            continue
        items: list[Any] = []  # the API's JSON items, saved as they came
        page, previous = 0, None
        while True:
            body = client.get(hf_url(base, day, page))
            try:
                chunk = json.loads(body)
            except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's stack
                raise FetchError(f"{hf_url(base, day, page)}: the answer is not JSON (or nested too deep)") from None
            if isinstance(chunk, dict) and "error" in chunk:
                message = " ".join(str(chunk["error"]).split())[:200]  # one line, whatever upstream wrote
                raise FetchError(f"Hugging Face answered for {day}: {message}")
            if not isinstance(chunk, list):
                raise FetchError(f"Hugging Face answered for {day} with something else than a list")
            if chunk and chunk == previous:
                raise FetchError(f"Hugging Face answered page {page} of {day} with page {page - 1} again: stopping")
            items += chunk
            if len(chunk) < HF_PAGE_SIZE:
                break
            page, previous = page + 1, chunk
            _check_pages(client, page, f"Hugging Face {day}")
        store.save_raw("hf", name, json.dumps(items).encode("utf-8"))
        report.fetched.append(name)
        if saved:
            report.refreshed.append(name)
        upvotes.update(hf_upvotes(items, day, today))
        if progress:
            progress(f"Hugging Face {day}: {len(items)} papers", (i + 1) / len(days))
    files = [
        store.raw_file("hf", f"{d.isoformat()}.json") for d in days if store.raw_exists("hf", f"{d.isoformat()}.json")
    ]
    if files:
        report.imported = import_files(store, files, fmt="hf_api", today=today)
    if upvotes:
        _record_upvotes(store, upvotes, today, report)
    return report


def hf_upvotes(items: list[Any], day: dt.date, today: dt.date) -> dict[str, int]:
    """Paper id (as the table holds it) -> upvotes, for the papers of one daily-papers response
    the importer accepts (the same parsing and validation)."""
    from lib.store.formats import hf_api
    from lib.store.schema import make_record

    found: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        if not hf_api.is_hf_item(item):
            continue
        try:
            record = make_record(hf_api.item_record(item, day, number), sources=["hf"], today=today)
        except (ValueError, TypeError, AttributeError):  # a record the import rejects too
            continue
        if record["upvotes"] is not None:
            found[record["id"]] = record["upvotes"]
    return found


def _record_upvotes(store: Store, upvotes: dict[str, int], day: dt.date, report: FetchReport) -> None:
    """The snapshots of one fetch, after its import: a failure says that the import stands."""
    from lib.team.db import TeamDB

    try:
        report.snapshots = TeamDB.open(store.path).record_upvotes(sorted(upvotes.items()), day)
        report.snapshot_day = day
        return
    except PapersError as exc:
        reason = " ".join(str(exc).split())
    except Exception as exc:  # a bug or an unforeseen driver error: logged with its traceback
        log.exception("recording the upvote snapshots failed")
        reason = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    version = report.imported.version if report.imported else None
    kept = f"the import is committed (store version {version})" if version else "the store is unchanged"
    raise SnapshotError(f"the upvote snapshots of {day} were not saved ({reason}); {kept}", report)


# --- arXiv -------------------------------------------------------------------------------------------
def arxiv_url(base: str, category: str, day: dt.date, start: int) -> str:
    stamp = day.strftime("%Y%m%d")
    query = urllib.parse.urlencode(
        {
            "search_query": f"cat:{category} AND submittedDate:[{stamp}0000 TO {stamp}2359]",
            "start": start,
            "max_results": ARXIV_PAGE_SIZE,
            "sortBy": "submittedDate",
            "sortOrder": "ascending",
        }
    )
    return f"{base.rstrip('/')}/api/query?{query}"


def fetch_arxiv(
    store: Store,
    category: str,
    days: list[dt.date],
    base: str | None = None,
    client: HttpClient | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> FetchReport:
    """Download each day's new papers of ``category`` from the arXiv API and import them."""
    import re

    refuse_read_only()
    if not re.fullmatch(r"[a-z\-]+(\.[A-Za-z\-]+)?", category):
        raise PapersError(f"not an arXiv category: {category!r} (like cs.CL)")
    base = base_url(base, "PAPERS_ARXIV_BASE_URL", ARXIV_BASE)
    client = client or arxiv_client()
    today = today or dt.date.today()
    report = FetchReport()
    for i, day in enumerate(days):
        start = 0
        while True:
            name = f"{category}/{day.isoformat()}-{start:05d}.xml"
            if store.raw_exists("arxiv", name) and day < today:
                body = store.raw_file("arxiv", name).open().read()
                report.skipped.append(name)
            else:
                body = client.get(arxiv_url(base, category, day, start))
                _check_arxiv_feed(body, f"arXiv {category} {day} (start {start})")
                store.save_raw("arxiv", name, body)
                report.fetched.append(name)
            entries = body.count(b"<entry>") + body.count(b"<entry ")
            if progress:
                progress(f"arXiv {category} {day}: {start + entries} papers", i / len(days))  # the day may go on
            if entries < ARXIV_PAGE_SIZE:
                break
            start += ARXIV_PAGE_SIZE
            _check_pages(client, start // ARXIV_PAGE_SIZE, f"arXiv {category} {day}")
    files = [store.raw_file("arxiv", name) for name in report.fetched + report.skipped]
    if files:
        report.imported = import_files(store, files, fmt="arxiv_atom", today=today)
    return report


def arxiv_client(**options: Any) -> HttpClient:
    """The client of arXiv's API: :meth:`HttpClient.from_env` with ``PAPERS_ARXIV_DELAY`` (else
    :data:`ARXIV_DELAY`) seconds between requests."""
    delay = os.environ.get("PAPERS_ARXIV_DELAY", "").strip()
    try:
        interval = float(delay) if delay else ARXIV_DELAY
    except ValueError:
        raise PapersError(f"PAPERS_ARXIV_DELAY={delay!r}: not a number of seconds") from None
    return HttpClient.from_env(min_interval=interval, **options)


def _check_pages(client: HttpClient, pages: int, what: str) -> None:
    """An upstream whose pages never end (it ignores paging) is stopped at ``client.max_pages``."""
    if pages >= client.max_pages:
        raise FetchError(
            f"{what}: every page came back full, {pages} pages: stopping there "
            f"(PAPERS_FETCH_MAX_PAGES={client.max_pages}; nothing of it was imported)"
        )


def _check_arxiv_feed(body: bytes, where: str) -> None:
    """An error feed (or an answer that is no Atom feed) is a FetchError, never saved: a saved
    page counts as finished, and a rerun would read the same error back instead of asking again."""
    import io

    from lib.errors import InputError
    from lib.store.formats import arxiv_atom
    from lib.store.formats.base import ParseContext

    try:
        next(arxiv_atom.parse(io.BytesIO(body), ParseContext(name=where, today=dt.date.today())), None)
    except InputError as exc:
        raise FetchError(" ".join(str(exc).split())) from None
