"""Input formats: detection from content, and the parser for each.

========== ============================================= ==============
format     what it is                                    source
========== ============================================= ==============
daily_page the Daily Papers page text a person copies    hf
hf_api     Hugging Face ``/api/daily_papers`` JSON       hf
arxiv_atom arXiv API Atom XML                            arxiv
arxiv_oai  arXiv metadata snapshot JSON Lines            arxiv
csv        our tables: CSV or TSV with a header          table
json       our tables: a JSON array of records (or an    table
           object of records keyed by id)
jsonl      our tables: JSON Lines records                table
parquet    our tables: Parquet                           table
========== ============================================= ==============

A row of a table names its sources when it has them (an export read back), else it is
arXiv's when it carries arXiv categories (a crawl of arXiv's listings), else the file's
own source, ``file:NAME`` (see lib.store.importer.row_sources).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import IO

from lib.errors import InputError
from lib.store.formats import arxiv_atom, arxiv_oai, daily_page, hf_api, tables
from lib.store.formats.base import ParseContext, RawRecord, capped

Parser = Callable[[IO[bytes], ParseContext], Iterator[tuple[str, RawRecord]]]


def _bounded(fmt: str, parser: Parser) -> Parser:
    """``parser`` within the file's :class:`~lib.store.formats.base.Limits`: its bytes, lines and
    time (:func:`~lib.store.formats.base.capped`) and its records, an InputError past any."""

    def parse(stream: IO[bytes], ctx: ParseContext) -> Iterator[tuple[str, RawRecord]]:
        for number, item in enumerate(parser(capped(stream, ctx, fmt), ctx), start=1):
            if number + len(ctx.rejected) > ctx.limits.records:
                raise ctx.too_much(f"{ctx.limits.records:,} records")
            ctx.check_time()
            yield item

    return parse


PARSERS: dict[str, tuple[Parser, str]] = {
    fmt: (_bounded(fmt, parser), source)
    for fmt, (parser, source) in {
        "daily_page": (daily_page.parse, "hf"),
        "hf_api": (hf_api.parse, "hf"),
        "arxiv_atom": (arxiv_atom.parse, "arxiv"),
        "arxiv_oai": (arxiv_oai.parse, "arxiv"),
        "csv": (tables.parse_csv, "table"),
        "json": (tables.parse_json, "table"),
        "jsonl": (tables.parse_jsonl, "table"),
        "parquet": (tables.parse_parquet, "table"),
    }.items()
}
FORMATS = tuple(PARSERS)
# File name endings a directory import picks up (explicit files are always tried).
KNOWN_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson", ".xml", ".atom", ".csv", ".tsv", ".parquet", ".pq")


def _first_line(head: str) -> str:
    for line in head.splitlines():
        if line.strip():
            return line.strip()
    return ""


def detect_format(head: bytes) -> str:
    """The format of a file from its first bytes (already decompressed).

    >>> detect_format(b'[{"paper": {"id": "2509.04664"}, "title": "x"}]')
    'hf_api'
    >>> detect_format(b'New\\n\\nDaily Papers\\n\\nAug 12\\n\\nA title\\n')
    'daily_page'
    """
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # the BOM gives the byte order; the cut at the end may split a character
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    text = text.lstrip("\ufeff \t\r\n")
    if not text:
        raise InputError("the file is empty")
    if text.startswith("<"):
        return "arxiv_atom"
    if text.startswith("["):
        return "hf_api" if re.search(r'"paper"\s*:\s*\{', text) else "json"
    if text.startswith("{"):
        first, newline, _ = text.partition("\n")
        try:
            obj = json.loads(first)
        except (json.JSONDecodeError, RecursionError):  # RecursionError: {"a":{"a":... nested deeply
            if newline:
                return "json"  # one document spread over lines
            # the first line is longer than the sniffed head: a long JSON Lines record
            return "arxiv_oai" if '"submitter"' in first or '"versions"' in first else "jsonl"
        if (
            isinstance(obj, dict)
            and "versions" in obj
            and ("authors_parsed" in obj or isinstance(obj.get("authors"), str))
        ):
            return "arxiv_oai"
        if isinstance(obj, dict) and "title" not in obj:
            inner = [obj.get(key) for key in tables.RECORD_KEYS]
            if any(isinstance(v, list) or tables.keyed_records(v) for v in inner) or tables.keyed_records(obj):
                return "json"  # one document on one line, its records under "papers", "data"... or keyed by id
            if isinstance(obj.get("error"), str):
                return "hf_api"  # the Hugging Face API's answer to a bad request
        return "jsonl"
    first = _first_line(text)
    for delimiter in (",", "\t"):
        if delimiter in first:
            names = {tables.canonical_name(c.strip().strip('"')) for c in first.split(delimiter)}
            if names & set(tables.ALIASES["title"]):
                return "csv"
    if "\x00" in text:
        raise InputError("a binary file in no supported format")
    return "daily_page"
