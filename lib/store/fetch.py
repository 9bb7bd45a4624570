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
MAX_RETRY_AFTER = 120.0  # seconds: a longer Retry-After is not worth waiting for in one run
USER_AGENT = "papers-dashboard/1.0 (+https://github.com/; team research tool)"


class FetchError(PapersError):
    """The upstream cannot be reached or keeps failing."""


@dataclass
class HttpClient:
    """GET with retries: 429 / 5xx / timeouts back off exponentially (``Retry-After`` honoured)."""

    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    min_interval: float = 0.0  # seconds between two requests
    sleep: Callable[[float], None] = time.sleep
    _last: float = field(default=0.0, repr=False)

    def get(self, url: str) -> bytes:
        delay = self.backoff
        for attempt in range(self.retries + 1):
            wait = self.min_interval - (time.monotonic() - self._last)
            if wait > 0:
                self.sleep(wait)
            self._last = time.monotonic()
            try:
                request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body: bytes = response.read()
                    expected = response.headers.get("Content-Length")
                    if expected is not None and expected.isdigit() and len(body) < int(expected):
                        raise _Retryable(f"truncated body ({len(body)} of {expected} bytes)")
                    return body
            except urllib.error.HTTPError as exc:
                if exc.code != 429 and exc.code < 500:
                    raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                reason = f"HTTP {exc.code}"
                if retry_after and retry_after.isdigit():
                    delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
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
            self.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")


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
    base = base or os.environ.get("PAPERS_HF_BASE_URL") or HF_BASE
    client = client or HttpClient()
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
        page = 0
        while True:
            body = client.get(hf_url(base, day, page))
            try:
                chunk = json.loads(body)
            except ValueError:
                raise FetchError(f"{hf_url(base, day, page)}: the answer is not JSON") from None
            if isinstance(chunk, dict) and "error" in chunk:
                message = " ".join(str(chunk["error"]).split())[:200]  # one line, whatever upstream wrote
                raise FetchError(f"Hugging Face answered for {day}: {message}")
            if not isinstance(chunk, list):
                raise FetchError(f"Hugging Face answered for {day} with something else than a list")
            items += chunk
            if len(chunk) < HF_PAGE_SIZE:
                break
            page += 1
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
    base = base or os.environ.get("PAPERS_ARXIV_BASE_URL") or ARXIV_BASE
    if client is None:
        delay = os.environ.get("PAPERS_ARXIV_DELAY", "").strip()
        try:
            client = HttpClient(min_interval=float(delay) if delay else ARXIV_DELAY)
        except ValueError:
            raise PapersError(f"PAPERS_ARXIV_DELAY={delay!r}: not a number of seconds") from None
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
    files = [store.raw_file("arxiv", name) for name in report.fetched + report.skipped]
    if files:
        report.imported = import_files(store, files, fmt="arxiv_atom", today=today)
    return report


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
