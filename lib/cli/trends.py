"""``python -m lib trend TERMS`` and ``python -m lib emerging``: the Trends page's counts."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from typing import IO

from lib.cli.common import Commands, Parser, add_command, add_days, add_source, source, term_library
from lib.errors import PapersError
from lib.store.store import Store
from lib.text import points_text, share_text
from lib.urlstate import BYS, NORMS, TRENDS

MAX_WINDOW = 3650  # days: the Trends page's bound of its windows (lib.urlstate), ten years


def register(commands: Commands, data: Parser) -> None:
    trend = add_command(commands, "trend", cmd_trend, "papers mentioning terms, per period", data)
    trend.add_argument("terms", metavar="TERMS", help='comma-separated terms, e.g. "agent, time series, diffus*"')
    trend.add_argument("--by", choices=BYS, default="month")
    trend.add_argument(
        "--norm",
        choices=tuple(NORMS),
        default="share",
        help="what --smooth smooths and the text output shows (JSON has both)",
    )
    trend.add_argument("--smooth", type=int, default=0, metavar="N", help="centred moving average, N periods each side")
    add_days(trend)
    add_source(trend, "papers counted: all (default), hf (the Hugging Face daily list), arxiv, file:NAME")
    trend.add_argument("--json", action="store_true", help="print rows {period, term, count, total, share}")

    emerging = add_command(commands, "emerging", cmd_emerging, "terms rising and fading most", data)
    emerging.add_argument("--recent", type=int, default=90, metavar="DAYS", help="recent window (default 90 days)")
    emerging.add_argument("--baseline", type=int, default=365, metavar="DAYS", help="baseline before it (default 365)")
    emerging.add_argument("--top", type=int, default=20, metavar="N", help="terms per list (default 20)")
    add_source(emerging, "papers counted: all (default), hf (the Hugging Face daily list), arxiv, file:NAME")
    emerging.add_argument("--json", action="store_true", help="print {rising: [...], fading: [...], windows}")


def cmd_trend(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if not 0 <= args.smooth <= 24:
        raise PapersError("--smooth must be between 0 and 24")
    library = term_library(Store(args.data), err)
    options = {
        "terms": args.terms,
        "by": args.by,
        "norm": args.norm,
        "smooth": args.smooth,
        "src": source(library.dataset, args.src),
        "from": args.date_from,
        "to": args.date_to,
    }
    answer = library.trend({**TRENDS.decode({})[0], **options})  # the Trends page's answer
    for warning in answer.warnings:
        err.write(f"warning: {warning.text}\n")
    if not answer.keys:
        raise PapersError(f"no terms in {args.terms!r}")
    tidy = answer.series
    mixed = tidy.drop_duplicates("label").query("mixed")
    if len(mixed):  # the reader of a cron log learns it as the page's reader does
        err.write(
            f"warning: mixed sources in {', '.join(mixed['label'][:6])}{' …' if len(mixed) > 6 else ''}: "
            f"{mixed['why'].iloc[0]}\n"
        )
    if args.json:
        rows = [
            {
                "period": r["label"],
                "term": r["term"],
                "count": int(r["count"]),
                "total": int(r["total"]),
                "share": round(float(r["share"]), 6),
                "value": round(float(r["value"]), 6),
                "mixed": bool(r["mixed"]),
            }
            for r in tidy.to_dict("records")
        ]
        out.write(json.dumps(rows, indent=1) + "\n")
        return 0
    wide = tidy.pivot_table(index="label", columns="term", values="value", sort=False)
    totals = tidy.drop_duplicates("label").set_index("label")["total"].to_dict()
    fmt: Callable[[float], str] = (
        (lambda v: f"{share_text(v):>8}")
        if args.norm == "share"
        else (lambda v: f"{v:8.1f}" if args.smooth else f"{int(v):8d}")
    )
    out.write(f"{'period':<18}{'papers':>8}" + "".join(f"{t[:14]:>16}" for t in wide.columns) + "\n")
    for label, row in wide.iterrows():
        out.write(f"{label!s:<18}{int(totals[label]):>8}" + "".join(f"{fmt(v):>16}" for v in row) + "\n")
    return 0


def cmd_emerging(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if not (1 <= args.recent <= MAX_WINDOW and 1 <= args.baseline <= MAX_WINDOW) or args.top < 1:
        raise PapersError(f"--recent and --baseline must be from 1 to {MAX_WINDOW} days, --top positive")
    library = term_library(Store(args.data), err)
    options = {"src": source(library.dataset, args.src), "recent": args.recent, "baseline": args.baseline}
    answer = library.emerging_terms({**TRENDS.decode({})[0], **options}, top=args.top)  # the Trends page's
    rising, fading, info = answer.rising, answer.fading, answer.info
    for warning in answer.warnings:
        err.write(f"warning: {warning.text}\n")
    if answer.mixed:
        err.write(f"warning: {answer.mixed}\n")
    if args.json:
        document = {
            "windows": {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in info.items()},
            "rising": json.loads(rising.to_json(orient="records")),
            "fading": json.loads(fading.to_json(orient="records")),
        }
        out.write(json.dumps(document, indent=1) + "\n")
        return 0
    out.write(
        f"recent {info['recent_from']}..{info['recent_to']} ({info['recent_papers']:,} papers) vs "
        f"baseline {info['baseline_from']}..{info['baseline_to']} ({info['baseline_papers']:,} papers)\n"
    )
    for title, frame in (("rising", rising), ("fading", fading)):
        out.write(f"\n{title}:\n")
        for r in frame.to_dict("records"):
            out.write(
                f"  {r['term']:<32} {share_text(r['baseline_share']):>6} -> {share_text(r['recent_share']):>6} "
                f"({points_text(r['recent_share'] - r['baseline_share'])})  score {r['z']:5.1f}\n"
            )
    return 0
