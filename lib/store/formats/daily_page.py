"""The Hugging Face Daily Papers page as a person copies it from the browser.

Shape (see ``sample/daily_papers_2025-08-12.txt``): a few header lines ("Daily
Papers", "Subscribe", ...), then a date line (``Aug 12``, ``August 12, 2025`` or
``2025-08-12``) that starts a day, then for each paper a title line and an
abstract paragraph, separated by blank lines.  Several days may follow each other.

Titles and abstracts are told apart by shape, not only by position, so a title
whose abstract is missing is kept (with a warning) instead of swallowing the
next paper's title.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import IO

from lib.store.formats.base import ParseContext, RawRecord, month_number, numbered_lines, text_stream

# Lines of the page around the list that are not papers (compared case-insensitively).
HEADER_LINES = {
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "byak and the research community",
    "by ak and the research community",
    "daily",
    "weekly",
    "monthly",
    "previous",
    "next",
    "search",
    "submit",
}

_MONTH_FIRST = re.compile(r"^(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?$")
_DAY_FIRST = re.compile(r"^(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,9})\.?(?:,?\s+(?P<year>\d{4}))?$")
_ISO = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z(]")
MAX_LINE = 200_000


def date_line(line: str) -> tuple[int | None, int, int] | None:
    """``(year or None, month, day)`` when the line is a date line, else None.

    The numbers are not checked for validity here (``Feb 30`` is still a date line).
    """
    for pattern in (_ISO, _MONTH_FIRST, _DAY_FIRST):
        match = pattern.match(line)
        if not match:
            continue
        month = match["month"]
        number = int(month) if month.isdigit() else month_number(month)
        if number is None:
            return None
        return (int(match["year"]) if match["year"] else None, number, int(match["day"]))
    return None


def looks_like_abstract(paragraph: str) -> bool:
    """Abstracts are long or made of sentences; titles are short and have none."""
    if len(paragraph) >= 300:
        return True
    return len(paragraph) >= 80 and paragraph.rstrip().endswith(".") and bool(_SENTENCE_BREAK.search(paragraph))


def resolve_day(parts: tuple[int | None, int, int], ctx: ParseContext, where: str, text: str) -> dt.date:
    """The day a date line means; a missing year is ``--year``, then the file name's
    year, then the most recent such day not in the future (with a warning)."""
    year, month, day = parts
    if year is None and ctx.year is not None:
        year = ctx.year
    if year is None:
        listing_day = ctx.listing_day()
        if listing_day is not None:
            year = listing_day.year
    if year is not None:
        return dt.date(year, month, day)  # ValueError for Feb 30
    # this year's day, else last year's; Feb 29 goes back to the last leap year
    years = (ctx.today.year - back for back in range(9))
    candidate = next(
        (dt.date(y, month, day) for y in years if _valid(y, month, day) and dt.date(y, month, day) <= ctx.today), None
    )
    if candidate is None:
        raise ValueError(f"no such day: {text!r}")
    ctx.warn(
        where,
        f"{text!r} has no year; read as {candidate.isoformat()} (the most recent such day) — pass --year to choose",
    )
    return candidate


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def parse(stream: IO[bytes], ctx: ParseContext) -> Iterator[tuple[str, RawRecord]]:
    day: dt.date | None = ctx.date
    day_error: str | None = None
    title: tuple[int, str] | None = None  # (line number, title) awaiting its abstract
    ready: tuple[int, RawRecord] | None = None  # a whole paper; a wrapped abstract may still continue
    blank_before = True
    ranks: dict[dt.date, int] = {}  # position on each day's list

    def emit(line_no: int, record: RawRecord) -> Iterator[tuple[str, RawRecord]]:
        where = f"line {line_no}"
        if day_error:
            ctx.reject(where, day_error)
        elif day is None:
            ctx.reject(where, "paper before any date line (add a line like 'Aug 12' or pass --date)")
        else:
            ranks[day] = ranks.get(day, 0) + 1
            yield where, {**record, "date": day, "listed": True, "hf_rank": ranks[day]}

    def flush() -> Iterator[tuple[str, RawRecord]]:
        nonlocal title, ready
        if ready is not None:
            yield from emit(*ready)
            ready = None
        if title is not None:
            ctx.warn(f"line {title[0]}", f"title without an abstract: {title[1][:60]!r}")
            yield from emit(title[0], {"title": title[1], "abstract": ""})
            title = None

    for line_no, raw in numbered_lines(text_stream(stream, ctx.name), MAX_LINE):
        if raw is None:
            ctx.reject(f"line {line_no}", f"line longer than {MAX_LINE:,} characters")
            continue
        line = raw.strip()
        if not line:
            blank_before = True
            continue
        continues, blank_before = not blank_before, False
        if line.casefold() in HEADER_LINES:
            continue
        parts = date_line(line)
        if parts is not None:
            yield from flush()
            try:
                day, day_error = resolve_day(parts, ctx, f"line {line_no}", line), None
            except ValueError:
                day, day_error = None, f"listed under the invalid date {line!r}"
                ctx.reject(f"line {line_no}", f"invalid date {line!r}")
            continue
        if looks_like_abstract(line):
            if title is not None:
                ready = (title[0], {"title": title[1], "abstract": line})
                title = None
            elif ready is not None and continues:
                ready[1]["abstract"] += " " + line  # a hard-wrapped abstract goes on
            else:
                yield from flush()
                ctx.reject(f"line {line_no}", "abstract without a title before it")
            continue
        if title is not None and continues and len(title[1]) + len(line) < 300:
            title = (title[0], f"{title[1]} {line}")  # a title wrapped over two lines
            continue
        yield from flush()
        title = (line_no, line)
    yield from flush()
