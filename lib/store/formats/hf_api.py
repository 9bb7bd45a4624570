"""Hugging Face daily papers API responses (``GET /api/daily_papers?date=D``).

A JSON array of items ``{paper: {id, title, summary, authors: [{name}], publishedAt,
submittedOnDailyAt?, upvotes?, ai_keywords?, githubRepo?}, title, summary,
publishedAt, numComments, ...}``; the 2024, 2025 and 2026 schemas differ only in
optional fields.  The listing day is the day the response was requested for:
``--date``, else an ISO date in the file name, else ``paper.submittedOnDailyAt``,
else the item's top-level ``publishedAt``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import IO, Any

from lib.errors import InputError
from lib.store.formats.base import ParseContext, RawRecord, parse_day, text_stream


def is_hf_item(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("paper"), dict)


def load_json(stream: IO[bytes], ctx: ParseContext) -> Any:
    try:
        return json.load(text_stream(stream, ctx.name))
    except json.JSONDecodeError as exc:
        raise InputError(f"{ctx.name}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{ctx.name}: JSON nested too deeply") from None


def item_record(item: dict[str, Any], listing_day: dt.date | None, rank: int | None = None) -> RawRecord:
    paper = item["paper"]
    authors = paper.get("authors") or []
    day = listing_day or parse_day(paper.get("submittedOnDailyAt")) or parse_day(item.get("publishedAt"))
    return {
        "id": paper.get("id"),
        "title": paper.get("title") or item.get("title"),
        "abstract": paper.get("summary") or item.get("summary"),
        "authors": [a.get("name") for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)],
        "date": day,
        "listed": day is not None,
        "hf_rank": rank,  # the response lists the day's papers in the site's order
        "published": parse_day(paper.get("publishedAt")),
        # The API leaves out upvotes of 0; a listed paper has a known count.
        "upvotes": paper.get("upvotes", 0),
        "num_comments": item.get("numComments"),
        "keywords": paper.get("ai_keywords") or [],
        "github_repo": paper.get("githubRepo"),
    }


def parse(stream: IO[bytes], ctx: ParseContext) -> Iterator[tuple[str, RawRecord]]:
    data = load_json(stream, ctx)
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        message = " ".join(data["error"].split())[:200]  # the message must stay on one line
        raise InputError(f"{ctx.name}: the Hugging Face API answered with an error: {message}")
    if not isinstance(data, list):
        raise InputError(f"{ctx.name}: expected a JSON array of daily papers")
    listing_day = ctx.listing_day()
    for number, item in enumerate(data, start=1):
        where = f"record {number}"
        if not is_hf_item(item):
            ctx.reject(where, "not a daily-papers item (no 'paper' object)")
            continue
        try:
            yield where, item_record(item, listing_day, number)
        except (ValueError, TypeError, AttributeError) as exc:
            ctx.reject(where, str(exc) or "malformed item")
