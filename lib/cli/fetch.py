"""``python -m lib fetch hf|arxiv``: download papers from Hugging Face or arXiv into the store."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import IO

from lib.cli.common import Commands, Parser, ProgressLine, add_command, add_days
from lib.errors import PapersError
from lib.store.store import Store


def register(commands: Commands, data: Parser) -> None:
    fetch = add_command(commands, "fetch", cmd_fetch, "download papers from Hugging Face or arXiv into the store", None)
    sources = fetch.add_subparsers(dest="source", required=True, parser_class=Parser)
    hf = sources.add_parser("hf", parents=[data], help="Hugging Face daily papers, one request per day")
    add_days(hf, last="last day (default: --from, or today)")
    hf.add_argument("--since-last", action="store_true", help="from the newest day in the store to today")
    hf.add_argument(
        "--base-url", metavar="URL", help="API base (default $PAPERS_HF_BASE_URL or https://huggingface.co)"
    )
    ax = sources.add_parser("arxiv", parents=[data], help="arXiv API (Atom), one category, 3 s between requests")
    ax.add_argument("--category", required=True, metavar="CAT", help="arXiv category, e.g. cs.CL")
    add_days(ax, first="first day (default: yesterday)", last="last day (default: --from)")
    ax.add_argument("--since-last", action="store_true", help="from the newest day in the store to today")
    ax.add_argument(
        "--base-url", metavar="URL", help="API base (default $PAPERS_ARXIV_BASE_URL or https://export.arxiv.org)"
    )


def cmd_fetch(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.store import fetch

    store = Store(args.data)
    today = dt.date.today()
    if args.since_last:
        newest = fetch.newest_day(store)
        if newest is None:
            raise PapersError("--since-last needs papers in the store: fetch with --from first")
        first, last = min(newest, today), today
    else:
        default_first = today if args.source == "hf" else today - dt.timedelta(days=1)
        first = args.date_from or default_first
        last = args.date_to or first
    days = fetch.days_between(first, last)
    if len(days) > 3660:
        raise PapersError("at most ten years of days at once")
    progress = ProgressLine(err, task="fetch")
    try:
        if args.source == "hf":
            report = fetch.fetch_hf(store, days, base=args.base_url, progress=progress.note, today=today)
        else:
            report = fetch.fetch_arxiv(
                store, args.category, days, base=args.base_url, progress=progress.note, today=today
            )
    finally:
        progress.done()
    out.write(
        f"downloaded {len(report.fetched)} response(s), {len(report.skipped)} already here "
        f"(raw responses in {store.path / 'raw'})\n"
    )
    if report.imported:
        out.write(
            f"{report.imported.summary()}; store "
            f"{'written as version ' + report.imported.version if report.imported.version else 'unchanged'}\n"
        )
    return 0
