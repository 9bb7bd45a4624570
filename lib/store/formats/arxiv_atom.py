"""arXiv API responses (``/api/query``): an Atom feed of entries.

The version suffix is stripped from ids, whitespace collapsed, ``published`` is the
v1 day (and, with no listing day in this source, also ``date`` unless ``--date``
gives one).  The API reports errors as a feed with one entry titled "Error" whose
id points at ``/api/errors``: that is an :class:`InputError`, not a paper.  Parsing goes
through defusedxml: DTDs, entity definitions and external entities are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from lib.errors import InputError
from lib.store.formats.base import ParseContext, RawRecord, parse_day
from lib.text import collapse_ws

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


def _text(entry: Element, tag: str) -> str:
    node = entry.find(tag)
    return collapse_ws("".join(node.itertext())) if node is not None else ""


def parse(stream: IO[bytes], ctx: ParseContext) -> Iterator[tuple[str, RawRecord]]:
    try:
        root: Element = SafeET.parse(stream, forbid_dtd=True).getroot()
    except DefusedXmlException as exc:
        raise InputError(f"{ctx.name}: refused unsafe XML ({type(exc).__name__})") from None
    except (ParseError, LookupError, ValueError) as exc:  # an encoding unknown (LookupError) or multi-byte (ValueError)
        raise InputError(f"{ctx.name}: not valid XML ({exc})") from None
    if root.tag != f"{ATOM}feed":
        raise InputError(f"{ctx.name}: not an Atom feed (root element <{root.tag}>)")
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        if "/api/errors" in _text(entry, f"{ATOM}id"):
            raise InputError(f"{ctx.name}: the arXiv API answered with an error: {_text(entry, f'{ATOM}summary')}")
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number}"
        primary = entry.find(f"{ARXIV}primary_category")
        categories = [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
        term = primary.get("term") if primary is not None else None
        if term:
            categories = [term] + [c for c in categories if c != term]
        try:
            published = parse_day(_text(entry, f"{ATOM}published"))
        except ValueError as exc:
            ctx.reject(where, f"published: {exc}")
            continue
        yield (
            where,
            {
                "id": _text(entry, f"{ATOM}id"),
                "title": _text(entry, f"{ATOM}title"),
                "abstract": _text(entry, f"{ATOM}summary"),
                "authors": [_text(a, f"{ATOM}name") for a in entry.findall(f"{ATOM}author")],
                "published": published,
                "categories": categories,
                **({"date": ctx.date, "listed": True} if ctx.date else {}),
            },
        )
