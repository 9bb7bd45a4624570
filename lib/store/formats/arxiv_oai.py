"""The arXiv metadata snapshot (``arxiv-metadata-oai-snapshot.json``): JSON Lines.

2.7M lines in reality, so it is streamed line by line and never held whole.  Each
line: ``id, authors`` (one string), ``authors_parsed`` ([[last, first, suffix]]),
``title, abstract`` (hard-wrapped), ``categories`` (space separated), ``versions``
([{version, created}]).  The v1 ``created`` day is ``published`` and, with no
listing day in this source, ``date`` (unless ``--date`` gives one).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from typing import IO, Any

from lib.store.formats.base import ParseContext, RawRecord, numbered_lines, parse_day, text_stream

MAX_LINE = 10_000_000  # characters; the longest real line is ~100k (thousands of authors)

# LaTeX accents as they appear in the snapshot's author strings: C. Bal\'azs.
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "c": "\u0327",
    "v": "\u030c",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "H": "\u030b",
}
_LATEX_ACCENT = re.compile(r"\\([\'`^\"~=.]|[cvuH](?=[{ ]))\s*\{?\\?([A-Za-z])\}?")


def delatex(name: str) -> str:
    name = _LATEX_ACCENT.sub(lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)]), name)
    return name.replace("{", "").replace("}", "")


_AUTHOR_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


def split_authors(authors: str) -> list[str]:
    """``"A. One, B. Two and C. Three"`` -> three names (LaTeX accents decoded)."""
    flat = re.sub(r"\([^()]*\)", "", authors)  # affiliations in parentheses
    return [delatex(n.strip()) for n in _AUTHOR_SPLIT.split(flat) if n.strip()]


def parsed_authors(parsed: Any) -> list[str] | None:
    """Names from ``authors_parsed`` ([last, first, suffix]), or None if malformed."""
    if not isinstance(parsed, list):
        return None
    names = []
    for parts in parsed:
        if not isinstance(parts, list) or not parts or not all(isinstance(p, str) for p in parts):
            return None
        last, first, suffix = (list(parts) + ["", ""])[:3]
        first = re.sub(r"\s+-", "-", first)  # "C. -P." -> "C.-P."
        names.append(" ".join(p for p in (first, last, suffix) if p.strip()))
    return names


def oai_record(obj: dict[str, Any]) -> RawRecord:
    versions = obj.get("versions")
    versions = versions if isinstance(versions, list) else []  # a dict or a string is no version list
    v1 = versions[0].get("created") if versions and isinstance(versions[0], dict) else None
    published = parse_day(v1) if v1 else parse_day(obj.get("update_date"))
    authors = parsed_authors(obj.get("authors_parsed"))
    if authors is None:
        authors = split_authors(obj.get("authors") or "") if isinstance(obj.get("authors"), str) else []
    categories = obj.get("categories")
    return {
        "id": obj.get("id"),
        "title": obj.get("title"),
        "abstract": obj.get("abstract"),
        "authors": authors,
        "published": published,
        "categories": categories.split() if isinstance(categories, str) else categories,
    }


def parse(stream: IO[bytes], ctx: ParseContext) -> Iterator[tuple[str, RawRecord]]:
    for line_no, line in numbered_lines(text_stream(stream, ctx.name), MAX_LINE):
        where = f"line {line_no}"
        if line is None:
            ctx.reject(where, f"line longer than {MAX_LINE:,} characters")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            ctx.reject(where, f"not valid JSON ({getattr(exc, 'msg', 'nested too deeply')})")
            continue
        if not isinstance(obj, dict):
            ctx.reject(where, "not a JSON object")
            continue
        try:
            record = oai_record(obj)
        except (ValueError, TypeError, AttributeError) as exc:
            ctx.reject(where, str(exc) or "malformed record")
            continue
        if ctx.date:
            record.update(date=ctx.date, listed=True)
        yield where, record
