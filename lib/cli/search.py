"""``python -m lib search QUERY``: the search page's engine and order, on the command line."""

from __future__ import annotations

import argparse
import json
from typing import IO

from lib.cli.common import Commands, Parser, ProgressLine, add_command, add_days, add_source, source
from lib.errors import PapersError
from lib.store.store import Store
from lib.urlstate import MAX_TEXT, SEARCH_MODES, SEARCH_SORTS


def register(commands: Commands, data: Parser) -> None:
    find = add_command(commands, "search", cmd_search, "search the papers (same engine and order as the page)", data)
    find.add_argument(
        "query",
        metavar="QUERY",
        nargs="?",
        default="",
        help="query, e.g. '\"mixture of experts\" -vision author:Hinton'",
    )
    add_days(find)
    find.add_argument("--sort", choices=tuple(SEARCH_SORTS), default="relevance")
    find.add_argument(
        "--mode",
        choices=tuple(SEARCH_MODES),
        default="hybrid",
        help="hybrid (default: every word, ranked by words and meaning, and the papers closest in meaning), "
        "lexical (every word, by BM25F), text (the papers nearest the query as a text)",
    )
    find.add_argument(
        "--like-file",
        metavar="FILE",
        help="the papers nearest the text of FILE (an abstract, a paragraph; '-' reads stdin): --mode text",
    )
    find.add_argument("--min-upvotes", type=int, default=0, metavar="N", help="only papers with at least N upvotes")
    find.add_argument("--category", metavar="CAT", help="only papers in this arXiv category, e.g. cs.CL")
    add_source(find, "only papers from: all (default), hf (the Hugging Face daily list), arxiv, file:NAME")
    find.add_argument("--limit", type=int, default=20, metavar="N", help="number of results (default 20)")
    find.add_argument("--json", action="store_true", help="print a JSON list of {id, title, date, score, ...}")


def cmd_search(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    import pandas as pd

    from lib.library import Library
    from lib.store import exports
    from lib.urlstate import SEARCH

    if args.limit < 1 or args.min_upvotes < 0:
        raise PapersError("--limit must be at least 1 and --min-upvotes at least 0")
    query, mode = args.query, args.mode
    if args.like_file:
        query, mode = _read_text(args.like_file), "text"
    library = Library.open(Store(args.data))
    ds = library.dataset
    options = {
        "q": query,
        "mode": mode,
        "sort": args.sort,
        "from": args.date_from,
        "to": args.date_to,
        "up": args.min_upvotes,
        "cat": args.category or "",
        "src": source(ds, args.src),
    }
    progress = ProgressLine(err)
    try:
        library.load_search_index(progress.share)
        if query and (mode == "text" or (mode == "hybrid" and args.sort == "relevance")):
            library.paper_vectors(wait=True, progress=progress.share)  # built now, once per store version
    finally:
        progress.done()
    page = library.search_page({**SEARCH.decode({})[0], **options})  # the Search page's answer
    for warning in page.warnings:
        err.write(f"warning: {warning.text}\n")
    if page.meaning_note:
        err.write(f"note: {page.meaning_note}\n")
    if page.did_you_mean:
        err.write(f"did you mean: {page.did_you_mean}\n")
    if page.broader:
        err.write(f"a broader search finds papers: {page.broader}\n")
    jump = page.jump_id or page.missing_id
    if jump:
        row = ds.row_of(jump)
        shown = ds.papers([row] if row is not None else []).assign(rank=1, score=0.0)
    else:
        shown = page.results(args.limit)
        if page.export_note:
            err.write(f"warning: {page.export_note}\n")
    if args.json:
        records = json.loads(exports.results_json(shown, "", args.query))["results"]
        out.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return 0
    err.write(
        f"{page.summary} in {page.elapsed_ms:.0f} ms\n"
        if not jump
        else f"{'the' if len(shown) else 'no'} paper with id {jump} in the table\n"
    )
    for paper in shown.to_dict("records"):
        upvotes = "   -" if pd.isna(paper["upvotes"]) else f"{int(paper['upvotes']):>4}"
        out.write(
            f"{paper['rank']:>3}. {paper['date']:%Y-%m-%d} {upvotes} {paper['score']:7.2f}  "
            f"{paper['id']:<12} {paper['title']}\n"
        )
    return 0


def _read_text(path: str) -> str:
    """The text of ``path`` ('-': stdin), at most MAX_TEXT characters; a clear error otherwise."""
    import sys

    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read(MAX_TEXT + 1)
    except OSError as error:
        raise PapersError(f"cannot read {path}: {error.strerror or error}") from error
    text = " ".join(text.split())
    if not text:
        raise PapersError(f"{path} holds no text to search by")
    return text[:MAX_TEXT]
