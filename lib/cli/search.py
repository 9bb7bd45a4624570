"""``python -m lib search QUERY``: the search page's engine and order, on the command line."""

from __future__ import annotations

import argparse
import json
from typing import IO

from lib.cli.common import Commands, Parser, ProgressLine, add_command, add_days, add_source, source
from lib.errors import PapersError
from lib.store.store import Store
from lib.urlstate import SEARCH_SORTS


def register(commands: Commands, data: Parser) -> None:
    find = add_command(commands, "search", cmd_search, "search the papers (same engine and order as the page)", data)
    find.add_argument("query", metavar="QUERY", help="query, e.g. '\"mixture of experts\" -vision author:Hinton'")
    add_days(find)
    find.add_argument("--sort", choices=tuple(SEARCH_SORTS), default="relevance")
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
    library = Library.open(Store(args.data))
    ds = library.dataset
    options = {
        "q": args.query,
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
    finally:
        progress.done()
    page = library.search_page({**SEARCH.decode({})[0], **options})  # the Search page's answer
    for warning in page.warnings:
        err.write(f"warning: {warning.text}\n")
    jump = page.jump_id or page.missing_id
    if jump:
        row = ds.row_of(jump)
        shown = ds.papers([row] if row is not None else []).assign(rank=1, score=0.0)
    else:
        shown = page.results(args.limit)
    if args.json:
        records = json.loads(exports.results_json(shown, "", args.query))["results"]
        out.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return 0
    about = "" if page.total_exact else "about "
    err.write(
        f"{about}{page.total:,} results in {page.elapsed_ms:.0f} ms\n"
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
