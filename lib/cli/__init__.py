"""Command line: ``python -m lib import|info|export``.

Every command takes ``--data DIR`` (else ``$PAPERS_DATA``, else ``data/``).  Bad
input prints one line on stderr and exits with code 2; there is never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from typing import IO

from lib.errors import PapersError
from lib.store.formats import FORMATS, KNOWN_SUFFIXES
from lib.store.schema import source_name
from lib.store.store import Store, input_files, write_atomic
from lib.text import points_text, share_text

EXIT_BAD_INPUT = 2
MAX_LISTED_PROBLEMS = 20


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors: one line, code 2
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message}\n")


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day (YYYY-MM-DD): {text!r}") from None


def _year(text: str) -> int:
    if not text.isdigit() or not 1991 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"not a year between 1991 and 2100: {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--data", metavar="DIR", help="data directory (default: $PAPERS_DATA, else data/ in the project)")
    parser = _Parser(prog="python -m lib", description="Papers dashboard: import, inspect and export the paper store.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    imp = commands.add_parser("import", parents=[data], help="import files or directories into the store")
    imp.add_argument("paths", nargs="+", metavar="PATH", help="files (optionally .gz) or directories")
    imp.add_argument("--format", choices=FORMATS, help="skip detection and read every file as this format")
    imp.add_argument("--year", type=_year, help="year of date lines written without one (Daily Papers page)")
    imp.add_argument(
        "--date",
        type=_day,
        help="listing day (YYYY-MM-DD) of papers whose input names none; for "
        "Hugging Face API responses, the day the response was requested for",
    )
    imp.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")

    info = commands.add_parser("info", parents=[data], help="what the store holds")
    info.add_argument("--json", action="store_true", help="print JSON")

    find = commands.add_parser("search", parents=[data], help="search the papers (same engine and order as the page)")
    find.add_argument("query", metavar="QUERY", help="query, e.g. '\"mixture of experts\" -vision author:Hinton'")
    find.add_argument("--from", dest="date_from", type=_day, metavar="D", help="first day (YYYY-MM-DD)")
    find.add_argument("--to", dest="date_to", type=_day, metavar="D", help="last day (YYYY-MM-DD)")
    find.add_argument("--sort", choices=("relevance", "newest", "oldest", "upvotes"), default="relevance")
    find.add_argument("--min-upvotes", type=int, default=0, metavar="N", help="only papers with at least N upvotes")
    find.add_argument("--category", metavar="CAT", help="only papers in this arXiv category, e.g. cs.CL")
    find.add_argument(
        "--src",
        default="all",
        metavar="SRC",
        help="only papers from: all (default), hf (the Hugging Face daily list), arxiv, file:NAME",
    )
    find.add_argument("--limit", type=int, default=20, metavar="N", help="number of results (default 20)")
    find.add_argument("--json", action="store_true", help="print a JSON list of {id, title, date, score, ...}")

    trend = commands.add_parser("trend", parents=[data], help="papers mentioning terms, per period")
    trend.add_argument("terms", metavar="TERMS", help='comma-separated terms, e.g. "agent, time series, diffus*"')
    trend.add_argument("--by", choices=("day", "week", "month", "quarter", "year"), default="month")
    trend.add_argument(
        "--norm",
        choices=("share", "count"),
        default="share",
        help="what --smooth smooths and the text output shows (JSON has both)",
    )
    trend.add_argument("--smooth", type=int, default=0, metavar="N", help="centred moving average, N periods each side")
    trend.add_argument("--from", dest="date_from", type=_day, metavar="D", help="first day (YYYY-MM-DD)")
    trend.add_argument("--to", dest="date_to", type=_day, metavar="D", help="last day (YYYY-MM-DD)")
    trend.add_argument(
        "--src",
        default="all",
        metavar="SRC",
        help="papers counted: all (default), hf (the Hugging Face daily list), arxiv, file:NAME",
    )
    trend.add_argument("--json", action="store_true", help="print rows {period, term, count, total, share}")

    emerging = commands.add_parser("emerging", parents=[data], help="terms rising and fading most")
    emerging.add_argument("--recent", type=int, default=90, metavar="DAYS", help="recent window (default 90 days)")
    emerging.add_argument("--baseline", type=int, default=365, metavar="DAYS", help="baseline before it (default 365)")
    emerging.add_argument("--top", type=int, default=20, metavar="N", help="terms per list (default 20)")
    emerging.add_argument(
        "--src",
        default="all",
        metavar="SRC",
        help="papers counted: all (default), hf (the Hugging Face daily list), arxiv, file:NAME",
    )
    emerging.add_argument("--json", action="store_true", help="print {rising: [...], fading: [...], windows}")

    top = commands.add_parser("topics", parents=[data], help="topics found in the papers (NMF)")
    top.add_argument("--k", type=int, default=0, metavar="N", help="number of topics (default: automatic)")
    top.add_argument("--paper", metavar="ID", help="print this paper's topic instead")
    top.add_argument(
        "--src",
        default="all",
        metavar="SRC",
        help="sizes count the papers from: all (default), hf (the Hugging Face daily list), arxiv, "
        "file:NAME (the topics are found in every paper)",
    )
    top.add_argument("--json", action="store_true", help="print [{topic, label, size, terms[]}] (or the paper's topic)")

    fetch = commands.add_parser("fetch", help="download papers from Hugging Face or arXiv into the store")
    sources = fetch.add_subparsers(dest="source", required=True, parser_class=_Parser)
    hf = sources.add_parser("hf", parents=[data], help="Hugging Face daily papers, one request per day")
    hf.add_argument("--from", dest="date_from", type=_day, metavar="D", help="first day (YYYY-MM-DD)")
    hf.add_argument("--to", dest="date_to", type=_day, metavar="D", help="last day (default: --from, or today)")
    hf.add_argument("--since-last", action="store_true", help="from the newest day in the store to today")
    hf.add_argument(
        "--base-url", metavar="URL", help="API base (default $PAPERS_HF_BASE_URL or https://huggingface.co)"
    )
    ax = sources.add_parser("arxiv", parents=[data], help="arXiv API (Atom), one category, 3 s between requests")
    ax.add_argument("--category", required=True, metavar="CAT", help="arXiv category, e.g. cs.CL")
    ax.add_argument("--from", dest="date_from", type=_day, metavar="D", help="first day (default: yesterday)")
    ax.add_argument("--to", dest="date_to", type=_day, metavar="D", help="last day (default: --from)")
    ax.add_argument("--since-last", action="store_true", help="from the newest day in the store to today")
    ax.add_argument(
        "--base-url", metavar="URL", help="API base (default $PAPERS_ARXIV_BASE_URL or https://export.arxiv.org)"
    )

    views = commands.add_parser("views", parents=[data], help="saved views: name -> link")
    views.add_argument("action", choices=("list", "add", "remove"), nargs="?", default="list")
    views.add_argument("name", nargs="?", help="the view's name")
    views.add_argument("link", nargs="?", help="its link (a Search, Trends, Topics or Daily Papers URL)")

    digest = commands.add_parser("digest", parents=[data], help="the new papers of a saved view, as an e-mail")
    digest.add_argument("view", metavar="VIEW", help="a saved view's name, or a link")
    digest.add_argument("--since", default="7d", help="7d, 2w, 1m or a day YYYY-MM-DD (default 7d)")
    digest.add_argument("--send", action="store_true", help="send it over SMTP ($PAPERS_SMTP_HOST, ...)")
    digest.add_argument("--to", action="append", default=[], metavar="ADDRESS", help="recipient (repeatable)")
    digest.add_argument("--out", metavar="FILE", help="write the HTML there (default: print the text)")

    feed = commands.add_parser("feed", parents=[data], help="an Atom feed of a saved view's newest papers")
    feed.add_argument("view", metavar="VIEW", help="a saved view's name, or a link")
    feed.add_argument("--limit", type=int, default=50, metavar="N", help="entries (default 50)")
    feed.add_argument("--out", metavar="FILE", help="output file (default: standard output)")

    build = commands.add_parser(
        "build", parents=[data], help="build this store version's search index, term index and topic model now"
    )
    build.add_argument(
        "--full",
        action="store_true",
        help="rebuild the indexes whole (folds the segments daily imports added) and fit the "
        "topics anew on every paper",
    )
    build.add_argument("--k", type=int, default=0, help="topics to fit (default: automatic)")

    exp = commands.add_parser("export", parents=[data], help="write the table as CSV, JSON Lines or Parquet")
    exp.add_argument("--format", required=True, choices=("csv", "jsonl", "parquet"))
    exp.add_argument("--out", metavar="FILE", help="output file (default: standard output)")
    return parser


# --- commands ---------------------------------------------------------------------
def _progress_seconds() -> float:
    """Seconds between heartbeat lines: $PAPERS_PROGRESS_SECONDS, else (or if it is not a
    positive number) 10."""
    try:
        seconds = float(os.environ.get("PAPERS_PROGRESS_SECONDS", "10"))
    except ValueError:
        return 10.0
    return seconds if 0 < seconds < float("inf") else 10.0


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


class _ProgressLine:
    """Progress of a long step on stderr.

    On a terminal: one live line, rewritten in place at each callback.  Otherwise (cron, CI
    logs): a heartbeat line every $PAPERS_PROGRESS_SECONDS (default 10) with the latest step,
    its value and how long the step has run, and a line at once whenever the step's name
    changes -- for a build step (``begin``) from its start, for the others once they have run
    that long, so that a quick command on a small table keeps stderr for its one-line error or
    warnings.  The heartbeat comes from a daemon thread because some steps call back nothing
    for minutes (the NMF topic fit), and a log that stays silent that long reads as a hung job.
    ``done()`` ends the step: the thread stops and writes nothing more for it.  The object can
    be reused for the next step; ``task`` names the command's step in front of lib's own names.
    """

    def __init__(self, stream: IO[str], task: str = "") -> None:
        self.stream, self.tty, self.every, self.task = stream, stream.isatty(), _progress_seconds(), task
        self.lock = threading.Lock()  # the caller's thread and the heartbeat write in turn
        self.name, self.value, self.started, self.last, self.loud = "", "", 0.0, 0.0, False
        self.stop: threading.Event | None = None  # set: the heartbeat thread of the current step ends

    def begin(self, task: str) -> None:
        """A step that starts now: timed (and, in a log, beating) before its first callback."""
        with self.lock:
            self.task, self.loud = task, True
            self._start()

    def __call__(self, name: str, value: int, unit: str = "papers read") -> None:
        self._update(name, f"{value:,}%" if unit == "%" else f"{value:,} {unit}")

    def share(self, step: str, share: float) -> None:
        """A Progress callback of lib (a step and its share done) shown as a percentage."""
        self(step, int(share * 100), "%")

    def note(self, message: str) -> None:
        """A message-only callback (fetch): a line of its own, on a terminal and in a log alike."""
        with self.lock:
            self._start()
            self.name, self.value = message, ""
            self.stream.write(f"  {message}\n")
            self.stream.flush()

    def done(self) -> None:
        with self.lock:
            if self.stop:
                self.stop.set()
                self.stop = None
            if self.tty and self.last:
                self.stream.write("\r\033[K")
                self.stream.flush()
            self.name, self.value, self.started, self.last, self.loud = "", "", 0.0, 0.0, False

    def _update(self, name: str, value: str) -> None:
        with self.lock:
            self._start()
            changed, self.name, self.value = name != self.name, name, value
            now = time.monotonic()
            if self.tty and now - self.last > 0.2:
                self.stream.write(f"\r  {self._label()}: {value}")
                self.stream.flush()
                self.last = now
            elif not self.tty and changed and self.loud:
                self._line()

    def _start(self) -> None:
        """(Under the lock.)  Times a step from its first call; in a log, starts its heartbeat."""
        if self.started:
            return
        self.started = time.monotonic()
        if not self.tty:
            self.stop = threading.Event()
            threading.Thread(target=self._beat, args=(self.stop,), name="progress heartbeat", daemon=True).start()

    def _beat(self, stop: threading.Event) -> None:
        while not stop.wait(self.every):
            with self.lock:
                if not stop.is_set():  # done() may have come while this thread waited for the lock
                    self._line()
                    self.loud = True

    def _label(self) -> str:
        if self.task and self.name.startswith(self.task.split(" (")[0]):  # "term index: papers ..." once
            return self.name
        return ": ".join(part for part in (self.task, self.name) if part)

    def _line(self) -> None:
        value = f": {self.value}" if self.value else ""
        self.stream.write(f"  {self._label() or 'working'}{value} · {_duration(time.monotonic() - self.started)}\n")
        self.stream.flush()


def cmd_import(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.store.importer import import_files

    store = Store(args.data)
    progress = _ProgressLine(err)
    try:
        report = import_files(
            store,
            input_files(args.paths, KNOWN_SUFFIXES),
            fmt=args.format,
            year=args.year,
            date=args.date,
            progress=progress,
            dry_run=args.dry_run,
        )
    finally:
        progress.done()
    for file in report.files:
        out.write(f"{file.name}: {file.format}, {file.papers:,} papers, {len(file.rejected):,} rejected\n")
    for kind, plural, problems in (
        ("rejected", "rejected records", report.rejected),
        ("warning", "warnings", report.warnings),
    ):
        for problem in problems[:MAX_LISTED_PROBLEMS]:
            out.write(f"  {kind}: {problem}\n")
        if len(problems) > MAX_LISTED_PROBLEMS:
            out.write(f"  ... and {len(problems) - MAX_LISTED_PROBLEMS:,} more {plural}\n")
    verb = "would be" if args.dry_run else ("written as version " + report.version if report.version else "unchanged")
    out.write(f"{report.summary()}; duplicates folded {report.counts.duplicates:,}; store {verb} ({store.path})\n")
    return 0


def info_dict(store: Store) -> dict:
    from lib.dataset import load

    ds = load(store)
    o = ds.overview
    return {
        "data_dir": str(store.path),
        "sample": ds.is_sample,
        "version": ds.version,
        "papers": o.papers,
        "days": o.days,
        "first_day": o.first.isoformat() if o.first else None,
        "last_day": o.last.isoformat() if o.last else None,
        "sources": o.sources,
    }


def cmd_info(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    info = info_dict(Store(args.data))
    if args.json:
        out.write(json.dumps(info, indent=2) + "\n")
        return 0
    if info["sample"]:
        out.write(
            f"The store at {info['data_dir']} is empty: showing the bundled demo "
            "(130 days of Hugging Face Daily Papers and the seed page).\n"
            "Load real data with: python -m lib import PATH... (then python -m lib build)\n"
        )
    out.write(
        f"papers:  {info['papers']:,}\n"
        f"days:    {info['days']:,} ({info['first_day']} .. {info['last_day']})\n"
        f"sources: {'; '.join(f'{source_name(k)} (--src {k}) {v:,}' for k, v in info['sources'].items())}\n"
        f"version: {info['version']}\n"
        f"data:    {info['data_dir']}\n"
    )
    return 0


def cmd_export(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.dataset import load
    from lib.store import exports

    ds = load(Store(args.data))
    if ds.is_sample:
        err.write("note: the store is empty; exporting the bundled demo\n")

    def write(handle: IO[bytes]) -> None:
        if args.format == "parquet":
            exports.write_parquet(ds.table, handle)
        elif args.format == "csv":
            exports.write_csv(ds.frame, handle)
        else:
            exports.write_jsonl(ds.frame, handle)

    if args.out:
        from pathlib import Path

        write_atomic(Path(args.out).expanduser().resolve(), write)
        err.write(f"wrote {ds.overview.papers:,} papers to {args.out}\n")
    elif args.format == "parquet" and sys.stdout.isatty():
        raise PapersError("Parquet is binary: pass --out FILE or redirect standard output")
    else:
        out.flush()
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    return 0


def cmd_search(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    import pandas as pd

    from lib.dataset import load
    from lib.search import index, search
    from lib.store import exports

    if args.limit < 1 or args.min_upvotes < 0:
        raise PapersError("--limit must be at least 1 and --min-upvotes at least 0")
    store = Store(args.data)
    ds = load(store)
    src = _source(ds, args.src)
    progress = _ProgressLine(err)
    try:
        built = index.load_or_build(store, ds, progress=progress.share)
    finally:
        progress.done()
    filters = search.Filters(args.date_from, args.date_to, args.min_upvotes, args.category, ds.member(src))
    result = search.search(built, ds.search_columns, args.query, filters, args.sort)
    for warning in result.warnings:
        err.write(f"warning: {warning}\n")
    if result.query.jump_id:
        row = ds.row_of(result.query.jump_id)
        shown = ds.papers([row] if row is not None else []).assign(rank=1, score=0.0)
    else:
        shown = search.result_frame(result, ds.table, 0, args.limit)
    if args.json:
        records = json.loads(exports.results_json(shown, "", args.query))["results"]
        out.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return 0
    about = "" if result.total_exact else "about "
    err.write(
        f"{about}{result.total:,} results in {result.seconds * 1000:.0f} ms\n"
        if not result.query.jump_id
        else f"{'the' if len(shown) else 'no'} paper with id {result.query.jump_id} in the table\n"
    )
    for paper in shown.itertuples(index=False):
        upvotes = "   -" if pd.isna(paper.upvotes) else f"{int(paper.upvotes):>4}"
        out.write(
            f"{paper.rank:>3}. {paper.date:%Y-%m-%d} {upvotes} {paper.score:7.2f}  {paper.id:<12} {paper.title}\n"
        )
    return 0


def _term_index(store: Store, err: IO[str]):
    from lib.dataset import load
    from lib.trends import terms

    ds = load(store)
    progress = _ProgressLine(err)
    try:
        index = terms.load_or_build(store, ds, progress=progress.share)
    finally:
        progress.done()
    return ds, index


def _source(ds, src: str) -> str:
    """``--src`` as the store holds it (``hf``, ``arxiv``, ``file:NAME`` or ``all``), else a
    usage error naming the sources it holds."""
    from lib.sources import ALL
    from lib.urlstate import source

    try:
        wanted = source(src)  # the URL key's grammar: hf, HF and " hf " are one source
    except ValueError:
        wanted = None
    if wanted == ALL or wanted in ds.sources:
        return wanted
    held = ", ".join(f"{key} ({count:,})" for key, count in ds.sources.items())
    raise PapersError(f"--src {src}: this store holds no such papers; its sources: {held} (or all)")


def cmd_trend(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.trends import trends

    if not 0 <= args.smooth <= 24:
        raise PapersError("--smooth must be between 0 and 24")
    ds, index = _term_index(Store(args.data), err)
    src = _source(ds, args.src)
    keys, warnings = trends.parse_terms(args.terms, index, ds.table)
    for warning in warnings:
        err.write(f"warning: {warning}\n")
    if not keys:
        raise PapersError(f"no terms in {args.terms!r}")
    tidy = trends.series(
        index,
        ds.table,
        ds.periods(args.by, src),
        keys,
        args.by,
        args.norm,
        args.smooth,
        args.date_from,
        args.date_to,
        mix=ds.mix,
    )
    mixed = tidy.drop_duplicates("label").query("mixed")
    if len(mixed):  # the reader of a cron log learns it as the page's reader does
        err.write(
            f"warning: mixed sources in {', '.join(mixed['label'][:6])}{' …' if len(mixed) > 6 else ''}: "
            f"{mixed['why'].iloc[0]}\n"
        )
    if args.json:
        rows = [
            {
                "period": r.label,
                "term": r.term,
                "count": int(r.count),
                "total": int(r.total),
                "share": round(float(r.share), 6),
                "value": round(float(r.value), 6),
                "mixed": bool(r.mixed),
            }
            for r in tidy.itertuples()
        ]
        out.write(json.dumps(rows, indent=1) + "\n")
        return 0
    wide = tidy.pivot_table(index="label", columns="term", values="value", sort=False)
    totals = tidy.drop_duplicates("label").set_index("label")["total"]
    fmt = (
        (lambda v: f"{share_text(v):>8}")
        if args.norm == "share"
        else (lambda v: f"{v:8.1f}" if args.smooth else f"{int(v):8d}")
    )
    out.write(f"{'period':<18}{'papers':>8}" + "".join(f"{t[:14]:>16}" for t in wide.columns) + "\n")
    for label, row in wide.iterrows():
        out.write(f"{label:<18}{int(totals[label]):>8}" + "".join(f"{fmt(v):>16}" for v in row) + "\n")
    return 0


def cmd_emerging(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.trends import trends

    if min(args.recent, args.baseline) < 1 or args.top < 1:
        raise PapersError("--recent, --baseline and --top must be positive")
    ds, index = _term_index(Store(args.data), err)
    src = _source(ds, args.src)
    rising, fading, info = trends.emerging(
        index, ds.periods("day", src), args.recent, args.baseline, top=args.top, mix=ds.mix
    )
    if info["mixed"]:
        err.write(f"warning: {info['mixed']}\n")
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
        for r in frame.itertuples():
            out.write(
                f"  {r.term:<32} {share_text(r.baseline_share):>6} -> {share_text(r.recent_share):>6} "
                f"({points_text(r.recent_share - r.baseline_share)})  score {r.z:5.1f}\n"
            )
    return 0


def cmd_topics(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.text import arxiv_id
    from lib.topics import topics

    store = Store(args.data)
    ds, index = _term_index(store, err)
    src = _source(ds, args.src)
    k = args.k or topics.auto_k(ds.overview.papers)
    if not 2 <= k <= 60:
        raise PapersError("--k must be between 2 and 60 (or 0 for automatic)")
    progress = _ProgressLine(err)
    try:
        model = topics.load_or_fit(store, ds, index, k, progress=progress.share)
    finally:
        progress.done()
    if args.paper:
        row = ds.row_of(arxiv_id(args.paper) or args.paper.strip())
        if row is None:
            raise PapersError(f"no paper with id {args.paper!r} in the table")
        topic = int(model.dominant_[row])
        answer = {
            "id": ds.table["id"][row].as_py(),
            "title": ds.table["title"][row].as_py(),
            "topic": topic,
            "label": model.labels_[topic] if topic >= 0 else None,
            "weight": round(float(model.weight_[row]), 4),
        }
        out.write(
            json.dumps(answer, indent=1) + "\n"
            if args.json
            else f"{answer['id']}: topic {topic} ({answer['label']}), weight {answer['weight']:.0%}\n"
        )
        return 0
    member = ds.member(src)
    summary = model.summary(member)
    if args.json:
        rows = [
            {
                "topic": int(r.topic),
                "label": r.label,
                "size": int(r.papers),
                "terms": [t for t, _ in model.top_terms(int(r.topic), 10)],
            }
            for r in summary.itertuples()
        ]
        out.write(json.dumps(rows, indent=1) + "\n")
        return 0
    counted = "" if member is None else f" ({int(member.sum()):,} from {source_name(src)} counted)"
    out.write(f"{model.n_topics} topics in {ds.overview.papers:,} papers{counted}\n")
    for r in summary.itertuples():
        out.write(f"{r.topic:>3}  {r.papers:>7,}  {r.label:<42} {r.terms}\n")
    return 0


def cmd_build(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Every derived artifact of this store version, built (or found) now rather than on the
    first visit; ``--full`` replaces segmented indexes by whole ones.  A store of the older
    one-file layout is moved to parts first, under the same version."""
    from lib.dataset import load
    from lib.search import index as search_index
    from lib.topics import topics
    from lib.trends import terms

    store = Store(args.data)
    if args.k and not 2 <= args.k <= 60:
        raise PapersError("--k must be between 2 and 60 (or 0 for automatic)")
    if store.upgrade_layout():
        out.write("the table is now stored in parts (same version: every artifact stays valid)\n")
    ds = load(store)
    if ds.is_sample:
        raise PapersError("the store is empty (the bundled demo needs no build): import papers first")
    progress = _ProgressLine(err)

    def step(label: str, make) -> object:
        started = time.perf_counter()
        progress.begin(label)
        try:
            made = make()
        finally:
            progress.done()
        out.write(f"{label}: {time.perf_counter() - started:.1f} s\n")
        return made

    whole = " (whole)" if args.full else ""
    step("search index" + whole, lambda: search_index.load_or_build(store, ds, progress.share, rebuild=args.full))
    index = step("term index" + whole, lambda: terms.load_or_build(store, ds, progress.share, rebuild=args.full))
    k = args.k or topics.auto_k(ds.overview.papers)
    step(
        f"topic model (k={k}{', fitted anew' if args.full else ''})",
        lambda: topics.load_or_fit(store, ds, index, k, progress.share, refit=args.full),
    )
    out.write(f"store version {ds.version}: {ds.overview.papers:,} papers, every artifact on disk\n")
    return 0


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
        last = args.date_to or (first if args.date_from else first)
    days = fetch.days_between(first, last)
    if len(days) > 3660:
        raise PapersError("at most ten years of days at once")
    progress = _ProgressLine(err, task="fetch")
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


def _view(store: Store, name_or_link: str):
    from lib.team.views import ViewLink

    views = store.read_views()
    link = views.get(name_or_link, name_or_link)
    return (name_or_link if name_or_link in views else "view"), ViewLink.parse(link)


def cmd_views(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.team.views import ViewLink

    store = Store(args.data)
    views = store.read_views()
    if args.action == "add":
        if not args.name or not args.link:
            raise PapersError("usage: python -m lib views add NAME LINK")
        ViewLink.parse(args.link)  # a link that cannot be used is refused now, not at digest time
        if "\n" in args.name or "\r" in args.name:
            raise PapersError("a view's name is one line")
        views = store.update_views(lambda current: {**current, args.name: args.link})
    elif args.action == "remove":
        if args.name not in views:
            raise PapersError(f"no saved view named {args.name!r}")
        views = store.update_views(lambda current: {k: v for k, v in current.items() if k != args.name})
    for name, link in sorted(views.items()):
        out.write(f"{name}\t{link}\n")
    return 0


def cmd_digest(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.dataset import load
    from lib.team import views as views_module

    store = Store(args.data)
    name, view = _view(store, args.view)
    since = views_module.parse_since(args.since, dt.date.today())
    papers = views_module.view_papers(view, views_module.Resources(store, load(store)), since)
    subject, text, page = views_module.render_digest(name, view, papers, since)
    if args.send:
        views_module.send_digest(subject, text, page, args.to)
        err.write(f"sent {subject!r} to {', '.join(args.to)}\n")
    if args.out:
        from pathlib import Path

        write_atomic(Path(args.out).expanduser().resolve(), lambda handle: handle.write(page.encode("utf-8")))
    elif not args.send:
        out.write(text)
    return 0


def cmd_feed(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.dataset import load
    from lib.team import views as views_module

    if args.limit < 1:
        raise PapersError("--limit must be at least 1")
    store = Store(args.data)
    name, view = _view(store, args.view)
    papers = views_module.view_papers(
        view, views_module.Resources(store, load(store)), None, limit=args.limit, newest_first=True
    )
    document = views_module.atom_feed(name, view, papers)
    if args.out:
        from pathlib import Path

        write_atomic(Path(args.out).expanduser().resolve(), lambda handle: handle.write(document))
    else:
        out.flush()
        sys.stdout.buffer.write(document + b"\n")
        sys.stdout.buffer.flush()
    return 0


COMMANDS = {
    "import": cmd_import,
    "info": cmd_info,
    "search": cmd_search,
    "trend": cmd_trend,
    "emerging": cmd_emerging,
    "topics": cmd_topics,
    "build": cmd_build,
    "fetch": cmd_fetch,
    "views": cmd_views,
    "digest": cmd_digest,
    "feed": cmd_feed,
    "export": cmd_export,
}


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, out, err)
    except PapersError as exc:
        err.write(f"error: {' '.join(str(exc).split())}\n")  # one line, whatever the message holds
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        err.write("interrupted: the store is unchanged unless the import had finished writing\n")
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        err.write(f"error: {exc.strerror or exc}{': ' + str(exc.filename) if exc.filename else ''}\n")
        return EXIT_BAD_INPUT
    except MemoryError:
        err.write("error: out of memory\n")
        return 1
    except Exception as exc:  # the last resort: a bug, still without a traceback
        err.write(f"internal error: {type(exc).__name__}: {str(exc)[:200]} (please report it)\n")
        return 1
