"""Saved views, digests and feeds: "get trending papers in your inbox" for a team's own views.

A saved view is a name and a link (any Search, Trends, Topics, Daily Papers or collection URL).
:func:`view_papers` finds the papers a view shows that were listed since a day, by
decoding the link with the page's own URL grammar and running the same engines;
:func:`render_digest` makes an e-mail (plain text and HTML) of them, most upvoted
first, each linking to its paper page; :func:`atom_feed` makes an Atom feed of a
view's newest papers that a feed reader can subscribe to; :func:`send_digest` sends
the e-mail over SMTP.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import smtplib
import ssl
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlsplit

import numpy as np
import numpy.typing as npt
import pandas as pd

from lib import daily
from lib.errors import PapersError
from lib.periods import rows_in_days
from lib.source_keys import ALL
from lib.text import collapse_ws, strip_controls
from lib.trends import trends
from lib.urlstate import PAGES

if TYPE_CHECKING:
    from lib.library import Library

DEFAULT_BASE = "http://localhost:8501"  # where a relative view's links point when PAPERS_BASE_URL is unset
ATOM_NS = "http://www.w3.org/2005/Atom"


class ViewError(PapersError):
    """A saved view or its link cannot be used."""


def parse_since(text: str, today: dt.date) -> dt.date:
    """``7d``, ``2w``, ``1m`` (30 days) or a day ``YYYY-MM-DD`` -> the first day to include."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*([dwm])\s*", text or "")
    if match:
        days = int(match[1]) * {"d": 1, "w": 7, "m": 30}[match[2]]
        return today - dt.timedelta(days=days)
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ViewError(f"--since {text!r}: write 7d, 2w, 1m or a day YYYY-MM-DD") from None


def site_base() -> str:
    """The dashboard's address for the links of digests and feeds made outside the app (cron):
    ``PAPERS_BASE_URL`` (e.g. ``https://lab.org/papers``), else :data:`DEFAULT_BASE`."""
    return os.environ.get("PAPERS_BASE_URL", "").strip().rstrip("/") or DEFAULT_BASE


@dataclass(frozen=True)
class ViewLink:
    """A view's link, decoded: which page, its state, and the site it lives on."""

    page: str  # "home", "search", "trends", "topics", "paper", "collections"
    state: dict[str, Any]
    base: str  # scheme://host[:port][/base-path]: the link's own, else the site's (see parse)
    link: str

    @classmethod
    def parse(cls, link: str, base: str | None = None) -> ViewLink:
        """Decode a view's link: absolute (``https://lab.org/papers/search?q=x``, as views were
        saved before 2026-12) or relative to the app (``/search?q=x``, as they are saved now, so
        they survive a move to another host or port).  A relative link lives on ``base`` (the
        app's address as the browser sees it), else on :func:`site_base`."""
        link = (link or "").strip()
        parts = urlsplit(link)
        path = parts.path.rstrip("/")
        name = path.rsplit("/", 1)[-1] if path else ""
        page = next((key for key, spec in PAGES.items() if spec.path == name), None)
        if page is None and parts.path.endswith("/"):  # the Daily Papers page under a base path: /papers/?date=
            page, name = "home", ""
        if page is None or page in ("import", "views"):
            raise ViewError(
                f"{link!r} is not a link to a Daily Papers, Search, Trends or Topics view, nor a collection"
            )
        if parts.scheme and parts.scheme not in ("http", "https"):
            raise ViewError(f"{link!r}: only http(s) links can be saved")
        state, warnings = PAGES[page].decode(dict(parse_qsl(parts.query, keep_blank_values=True)))
        if warnings:
            raise ViewError(f"{link!r}: {warnings[0]}")
        if page == "collections" and not state["collection"]:
            raise ViewError(f"{link!r} is the list of collections: save one collection's link")
        root = path[: -len(name)].rstrip("/") if name else path
        base = f"{parts.scheme}://{parts.netloc}{root}" if parts.scheme else (base or site_base()).rstrip("/")
        return cls(page, state, base, link)

    @property
    def url(self) -> str:
        """The view's full link: its own when absolute, else on its site's base."""
        return self.link if urlsplit(self.link).scheme else self.base + self.link


def view_papers(
    view: ViewLink, library: Library, since: dt.date | None = None, limit: int = 200, newest_first: bool = False
) -> pd.DataFrame:
    """The papers a view shows, listed on or after ``since``: most upvoted first, then newest
    (or ``newest_first``, for feeds).  A Search view runs the page's own search
    (Library.search_state and Library.search_result), so its feed and digest hold what the page shows.
    A collection's view holds its papers (lib.team.collections.collection_papers) added on or
    after ``since``, in the page's order (or the newest added first, for feeds)."""
    ds = library.dataset
    state = view.state
    rows: npt.NDArray[np.int64]
    if view.page == "collections":
        from lib.team.collections import added_since, collection_papers
        from lib.team.db import TeamDB

        papers = collection_papers(library, TeamDB.open(library.store.path), state["collection"], state["sort"])
        papers = added_since(papers, since)
        return (papers.sort_values("added_at", ascending=False, kind="stable") if newest_first else papers)[:limit]
    if view.page == "search":
        state, _ = library.search_state(state)
        rows = library.search_result(state, since, "newest").slice(0, 5_000)[0]
    elif view.page == "trends":
        keys, _ = trends.parse_terms(state["terms"], library.term_index)
        found = [trends.term_rows(library.term_index, ds.table, key) for key in keys]
        rows = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
        rows = rows_in_days(rows, ds.search_columns.days, state["from"], state["to"])
    elif view.page == "topics":
        rows = rows_in_days(library.topic_rows(state), ds.search_columns.days, state["from"], state["to"])
    elif view.page == "paper":
        row = ds.row_of(state["id"])
        rows = np.array([row] if row is not None else [], dtype=np.int64)
    else:  # the Daily Papers page: its day (as the page shows it), or every day since
        rows = _home_rows(library, _source(view, library), state["date"] if not since else None)
    rows = rows_in_days(np.asarray(rows, dtype=np.int64), ds.search_columns.days, since, None)
    days, upvotes = ds.search_columns.days[rows], ds.search_columns.upvotes[rows]  # no upvotes: -1, last
    order = (-upvotes, -days) if newest_first else (-days, -upvotes)  # lexsort: the last key first; stable
    return ds.papers(rows[np.lexsort(order)[:limit]])


def _source(view: ViewLink, library: Library) -> str:
    """The view's ``src`` as its page reads it: a source the table lacks falls back to the
    page's default (Library.held_source)."""
    return library.held_source(PAGES[view.page], view.state.get("src", ALL))[0]


def _home_rows(library: Library, src: str, day: dt.date | None) -> npt.NDArray[np.int64]:
    """The Daily Papers page's papers: of one day (``day``, as the page lists it:
    Library.day_shown), else of every day (``hf``: every listed paper, or every paper of a
    table without lists: Library.day_population)."""
    ds = library.dataset
    counted = library.day_population(src)
    if day is not None:
        shown = library.day_shown(counted, day)
        return daily.rows_on(ds.day_of(shown).to_numpy(), day, ds.member(shown))
    member = ds.member(counted)
    return np.arange(ds.table.num_rows) if member is None else np.flatnonzero(member)


def _rows(papers: pd.DataFrame) -> Iterator[Any]:
    """The papers of a frame as named tuples (fields: the frame's columns)."""
    yield from papers.itertuples(index=False)


def paper_link(base: str, paper_id: str) -> str:
    return f"{base.rstrip('/')}/paper?id={quote(paper_id, safe='./')}"


def _day_text(value: Any) -> str:
    """A paper's day as ``YYYY-MM-DD`` ("" for none: a collection's paper the table no longer holds)."""
    return "" if pd.isna(value) else f"{value:%Y-%m-%d}"


# --- digest -----------------------------------------------------------------------------------------
def render_digest(name: str, view: ViewLink, papers: pd.DataFrame, since: dt.date) -> tuple[str, str, str]:
    """``(subject, plain text, HTML)`` of a digest.  All paper text is escaped in the HTML."""
    subject = f"{name}: {len(papers)} new paper{'s' if len(papers) != 1 else ''} since {since}"
    return render_sections(subject, view, [("", papers)], "Nothing new in this view.")


def render_sections(
    subject: str, view: ViewLink, sections: Sequence[tuple[str, pd.DataFrame]], empty: str
) -> tuple[str, str, str]:
    """``(subject, plain text, HTML)`` of a digest of lists of papers, each under its heading
    (none for ""), each paper with a ``note`` line when the frame has that column (who added it,
    why it is recommended); ``empty`` when no list holds a paper.  All paper text is one line
    without control characters (:func:`one_line`) in both parts, and escaped in the HTML."""
    view_url, subject = view.url, one_line(subject)
    lines = [subject, f"View: {view_url}", ""]
    lists = []
    for heading, papers in sections:
        if papers.empty:
            continue
        heading = one_line(heading)
        if heading:
            lines += [heading, ""]
        items = []
        for rank, paper in enumerate(_rows(papers), start=1):
            link = paper_link(view.base, paper.id)
            votes = f" · {int(paper.upvotes)} upvotes" if pd.notna(paper.upvotes) else ""
            authors = ", ".join(list(paper.authors)[:6]) + (" et al." if len(paper.authors) > 6 else "")
            meta = one_line(" · ".join(part for part in (authors, _day_text(paper.date)) if part) + votes)
            note, title = one_line(str(getattr(paper, "note", "") or "")), one_line(paper.title)
            lines += [f"{rank}. {title}", f"   {meta}", *([f"   {note}"] if note else []), f"   {link}", ""]
            items.append(
                f'<li><a href="{html.escape(link, quote=True)}">{html.escape(title)}</a><br>'
                f"<small>{html.escape(meta)}</small>"
                + (f"<br><small>{html.escape(note)}</small>" if note else "")
                + "</li>"
            )
        lists.append((f"<h3>{html.escape(heading)}</h3>" if heading else "") + f"<ol>{''.join(items)}</ol>")
    if not lists:
        lines.append(empty)
    body = "".join(lists) or f"<ol><li>{html.escape(empty)}</li></ol>"
    page = (
        f"<!doctype html><html><body><h2>{html.escape(subject)}</h2>"
        f'<p><a href="{html.escape(view_url, quote=True)}">'
        f"Open the view</a></p>{body}</body></html>"
    )
    return subject, "\n".join(lines) + "\n", page


SMTP_SECONDS = 60.0  # the whole SMTP conversation, unless PAPERS_SMTP_TIMEOUT says otherwise
_ADDRESS = re.compile(r"[^\s@<>,;:()\[\]\\\"]+@[^\s@<>,;:()\[\]\\\"]+")


def one_line(text: str) -> str:
    """Text for one line of an e-mail (or its subject): no control character, no line break."""
    return collapse_ws(strip_controls(text))


def send_digest(subject: str, text: str, page: str, to: list[str]) -> None:
    """Send over SMTP: ``PAPERS_SMTP_HOST`` (required), ``_PORT`` (25), ``_USER``, ``_PASSWORD``,
    ``_FROM``, ``_TLS`` (``starttls`` or ``ssl``), the whole conversation within ``_TIMEOUT``
    seconds (:data:`SMTP_SECONDS`)."""
    host = os.environ.get("PAPERS_SMTP_HOST")
    if not host:
        raise ViewError("set PAPERS_SMTP_HOST (and PAPERS_SMTP_PORT, _USER, _PASSWORD, _FROM, _TLS) to send")
    if not to:
        raise ViewError("no recipient: pass --to ADDRESS")
    sender = os.environ.get("PAPERS_SMTP_FROM", "papers-dashboard@localhost")
    for address, where in [*((a, "--to") for a in to), (sender, "PAPERS_SMTP_FROM")]:
        if not _ADDRESS.fullmatch(address):
            raise ViewError(f"{where} {address!r}: not an e-mail address (like name@lab.org)")
    limit_text = os.environ.get("PAPERS_SMTP_TIMEOUT", "").strip()
    try:
        limit = float(limit_text) if limit_text else SMTP_SECONDS
    except ValueError:
        limit = 0.0
    if not 0 < limit < float("inf"):
        raise ViewError(f"PAPERS_SMTP_TIMEOUT={limit_text!r}: not a positive number of seconds")
    port_text = os.environ.get("PAPERS_SMTP_PORT", "").strip() or "25"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ViewError(f"PAPERS_SMTP_PORT={port_text!r}: not a port number")
    port = int(port_text)
    tls = os.environ.get("PAPERS_SMTP_TLS", "").strip().lower()
    if tls not in ("", "starttls", "ssl"):  # never fall back to plain text when TLS was asked for
        raise ViewError(f"PAPERS_SMTP_TLS={tls!r}: write starttls or ssl (or leave it unset)")
    message = EmailMessage()
    message["Subject"] = one_line(subject)
    message["From"] = sender
    message["To"] = ", ".join(to)
    message.set_content(text)
    message.add_alternative(page, subtype="html")
    failure = _within(limit, lambda: _send(message, host, port, tls, limit))
    if failure is not None:
        raise ViewError(f"sending through {host}:{port} failed: {one_line(str(failure))}")


def _send(message: EmailMessage, host: str, port: int, tls: str, timeout: float) -> None:
    smtp = (
        smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        if tls == "ssl"
        else smtplib.SMTP(host, port, timeout=timeout)
    )
    with smtp:
        if tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if os.environ.get("PAPERS_SMTP_USER"):
            smtp.login(os.environ["PAPERS_SMTP_USER"], os.environ.get("PAPERS_SMTP_PASSWORD", ""))
        smtp.send_message(message)


def _within(seconds: float, work: Callable[[], None]) -> Exception | None:
    """Runs ``work`` in a daemon thread for at most ``seconds`` (a socket timeout bounds one read,
    not a server that drips a byte at a time): its OSError or SMTPException, a TimeoutError when
    it does not finish in time, else None.  Any other exception is raised here."""
    failed: list[Exception] = []

    def target() -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 -- handed to the caller's thread, raised there
            failed.append(exc)

    worker = threading.Thread(target=target, name="smtp", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        return TimeoutError(f"no end to the conversation within {seconds:g} s (PAPERS_SMTP_TIMEOUT)")
    if failed and isinstance(failed[0], (OSError, smtplib.SMTPException)):
        return failed[0]
    if failed:
        raise failed[0]
    return None


# --- Atom feed -------------------------------------------------------------------------------------------
def atom_feed(name: str, view: ViewLink, papers: pd.DataFrame, now: dt.datetime | None = None) -> bytes:
    """An Atom 1.0 feed of the view's papers, newest first (ElementTree escapes all text): by
    their day, or, for a collection's papers (with ``added_at``), by when each was added, which is
    then the entry's ``updated``."""
    now = now or dt.datetime.now(dt.UTC)
    ET.register_namespace("", ATOM_NS)

    def child(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: _xml_text(v) for k, v in attrs.items()})
        if text is not None:
            element.text = _xml_text(text)
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    link = view.url
    child(feed, "id", link)
    child(feed, "title", f"Papers dashboard: {name}")
    child(feed, "updated", now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    child(feed, "link", href=link, rel="alternate")
    child(child(feed, "author"), "name", "Papers dashboard")
    added = "added_at" in papers
    newest = papers.sort_values("added_at" if added else "date", ascending=False, kind="stable")
    for paper in _rows(newest):
        entry = child(feed, "entry")
        url = paper_link(view.base, paper.id)
        child(entry, "id", url)
        child(entry, "title", paper.title)
        child(entry, "link", href=url, rel="alternate")
        when = pd.Timestamp(paper.added_at).tz_convert("UTC") if added else paper.date
        child(entry, "updated", f"{when:%Y-%m-%dT%H:%M:%S}Z" if added else f"{when:%Y-%m-%d}T00:00:00Z")
        for author in list(paper.authors)[:20]:
            child(child(entry, "author"), "name", author)
        child(entry, "summary", paper.abstract or paper.title)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)  # bytes for any encoding but "unicode"
    return document


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold (control characters dropped)."""
    return _XML_BAD.sub("", str(text))
