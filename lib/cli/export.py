"""``python -m lib export``: the table as CSV, JSON Lines or Parquet (``--with-topics``: each
paper's topic and area too)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO

from lib.cli.common import Commands, Parser, ProgressLine, add_command, topic_library
from lib.errors import PapersError
from lib.store.store import Store, write_atomic


def register(commands: Commands, data: Parser) -> None:
    exp = add_command(commands, "export", cmd_export, "write the table as CSV, JSON Lines or Parquet", data)
    exp.add_argument("--format", required=True, choices=("csv", "jsonl", "parquet"))
    exp.add_argument("--out", metavar="FILE", help="output file (default: standard output)")
    exp.add_argument(
        "--with-topics",
        action="store_true",
        help="add each paper's topic, topic_label, area and area_label (the automatic-k topic model, "
        "fitted first if need be; -1 and empty for a paper without a topic)",
    )


def cmd_export(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.library import Library
    from lib.store import exports

    store = Store(args.data)
    library = topic_library(store, 0, err) if args.with_topics else Library.open(store)
    ds = library.dataset
    if ds.is_sample:
        err.write("note: the store is empty; exporting the bundled demo\n")
    extra = None
    if args.with_topics:
        progress = ProgressLine(err, f"topic model (k={library.auto_k()})")
        try:
            extra = library.paper_topics(progress=progress.share)
        finally:
            progress.done()

    def write(handle: IO[bytes]) -> None:
        exports.write(args.format, ds.table, ds.frame, handle, extra)

    if args.out:
        write_atomic(Path(args.out).expanduser().resolve(), write)
        err.write(f"wrote {ds.overview.papers:,} papers to {args.out}\n")
    elif args.format == "parquet" and sys.stdout.isatty():
        raise PapersError("Parquet is binary: pass --out FILE or redirect standard output")
    else:
        out.flush()
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    return 0
