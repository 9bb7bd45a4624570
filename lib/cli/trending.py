"""``python -m lib trending``: the papers gaining upvotes fastest (or the most upvoted) of a window."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import IO

from lib.cli.common import Commands, Parser, add_command, day
from lib.errors import PapersError
from lib.store.store import Store
from lib.urlstate import WINDOWS

BARS = "▁▂▃▄▅▆▇█"


def register(commands: Commands, data: Parser) -> None:
    trending = add_command(
        commands, "trending", cmd_trending, "papers gaining upvotes fastest, from the upvote snapshots", data
    )
    trending.add_argument("--window", choices=tuple(WINDOWS), default="7d", help="the past week (default) or month")
    trending.add_argument(
        "--by",
        choices=("velocity", "upvotes"),
        default="velocity",
        help="velocity (default: upvotes gained per day) or upvotes (the most upvoted papers listed in the window)",
    )
    trending.add_argument(
        "--to",
        dest="date_to",
        type=day,
        metavar="D",
        help="last day of the window (default: the newest day with upvotes, snapshot or listing)",
    )
    trending.add_argument("--limit", type=int, default=20, metavar="N", help="number of papers (default 20)")
    trending.add_argument(
        "--json", action="store_true", help="print a JSON list of {rank, id, title, upvotes, gained, velocity, spark}"
    )


def cmd_trending(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    import datetime as dt

    from lib.library import Library
    from lib.team import trending
    from lib.team.db import TeamDB

    if args.limit < 1:
        raise PapersError("--limit must be at least 1")
    store = Store(args.data)
    library = Library.open(store)
    days = int(args.window.removesuffix("d"))
    history = TeamDB.open(store.path).upvote_history(since=trending.history_since(library.dataset, days, args.date_to))
    ranked = trending.trending(library.dataset, history, days, by=args.by, end=args.date_to, limit=args.limit)
    if args.json:
        out.write(json.dumps(trending.as_records(ranked), ensure_ascii=False, indent=1) + "\n")
        return 0
    end = trending.window_end(library.dataset, history, args.date_to)
    if end is None:
        err.write("no upvotes in the store: fetch the Hugging Face daily list (python -m lib fetch hf)\n")
        return 0
    what = "upvotes gained per day" if args.by == "velocity" else "most upvoted papers listed"
    source = (
        f"snapshots of {history['id'].nunique():,} papers"
        if len(history)
        else "no upvote history yet: upvotes per day since listing"
    )
    err.write(f"{what}, {end - dt.timedelta(days=days - 1)} to {end} ({source})\n")
    for paper in trending.as_records(ranked):
        out.write(
            f"{paper['rank']:>3}. {paper['velocity']:7.1f}/day {paper['gained']:>+6} {paper['upvotes']:>6}  "
            f"{_bars(paper['spark'])}  {paper['id']:<12} {paper['title']}\n"
        )
    return 0


def _bars(values: Sequence[int]) -> str:
    """A series as a line of block characters (a terminal's sparkline), from 0 to its maximum."""
    top = max(values, default=0)
    if top <= 0:
        return BARS[0] * len(values)
    return "".join(BARS[min(len(BARS) - 1, max(0, v) * (len(BARS) - 1) // top)] for v in values)
