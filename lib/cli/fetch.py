"""``python -m lib fetch hf|arxiv``: download papers from Hugging Face or arXiv into the store."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import IO, TYPE_CHECKING

from lib.cli.common import Commands, Parser, ProgressLine, add_command, add_days
from lib.errors import PapersError
from lib.store.store import Store

if TYPE_CHECKING:
    from lib.store.fetch import FetchReport


def register(commands: Commands, data: Parser) -> None:
    fetch = add_command(commands, "fetch", cmd_fetch, "download papers from Hugging Face or arXiv into the store", None)
    sources = fetch.add_subparsers(dest="source", required=True, parser_class=Parser)
    hf = sources.add_parser("hf", parents=[data], help="Hugging Face daily papers, one request per day")
    add_days(hf, last="last day (default: --from, or today)")
    hf.add_argument("--since-last", action="store_true", help="from the newest day in the store to today")
    hf.add_argument(
        "--refresh",
        type=_days,
        default=0,
        metavar="DAYS",
        help="download the last DAYS days of the range again, saved or not, for their growing upvotes "
        "(the range starts earlier if need be; the cron line uses 14)",
    )
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
    for parser in (hf, ax):
        parser.add_argument(
            "--max-seconds",
            type=_seconds,
            metavar="S",
            help="stop the downloads after S seconds (default $PAPERS_FETCH_MAX_SECONDS or 3600); a rerun continues",
        )


def _days(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 366:
        raise argparse.ArgumentTypeError(f"not a number of days from 0 to 366: {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 7 * 86400:
        raise argparse.ArgumentTypeError(f"not a number of seconds from 1 to a week: {text!r}")
    return seconds


def cmd_fetch(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.store import fetch

    store = Store(args.data)
    fetch.refuse_read_only()
    today = fetch.utc_today()  # the day Hugging Face and arXiv list by, and the day of the snapshots
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
    refresh = getattr(args, "refresh", 0)
    if refresh:  # the last DAYS days up to the range's last day, even those before its first
        days = fetch.days_between(min(first, last - dt.timedelta(days=refresh - 1)), last)
    if len(days) > 3660:
        raise PapersError("at most ten years of days at once")
    limit = {"max_seconds": args.max_seconds} if args.max_seconds else {}
    progress = ProgressLine(err, task="fetch")
    try:
        if args.source == "hf":
            client = fetch.HttpClient.from_env(**limit)
            report = fetch.fetch_hf(
                store, days, base=args.base_url, client=client, progress=progress.note, today=today, refresh=refresh
            )
        else:
            report = fetch.fetch_arxiv(
                store,
                args.category,
                days,
                base=args.base_url,
                client=fetch.arxiv_client(**limit),
                progress=progress.note,
                today=today,
            )
    except fetch.SnapshotError as failed:  # the import stands: say what it did, then what failed
        progress.done()
        _write_report(out, store, failed.report)
        raise
    finally:
        progress.done()
    _write_report(out, store, report)
    return 0


def _write_report(out: IO[str], store: Store, report: FetchReport) -> None:
    refreshed = f" ({len(report.refreshed)} again, for their upvotes)" if report.refreshed else ""
    out.write(
        f"downloaded {len(report.fetched)} response(s){refreshed}, {len(report.skipped)} already here "
        f"(raw responses in {store.path / 'raw'})\n"
    )
    if report.imported:
        out.write(
            f"{report.imported.summary()}; store "
            f"{'written as version ' + report.imported.version if report.imported.version else 'unchanged'}\n"
        )
    if report.snapshot_day:
        out.write(f"upvotes of {report.snapshots} paper(s) recorded for {report.snapshot_day}\n")
