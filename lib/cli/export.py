"""``python -m lib export``: the table as CSV, JSON Lines or Parquet."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO

from lib.cli.common import Commands, Parser, add_command
from lib.errors import PapersError
from lib.store.store import Store, write_atomic


def register(commands: Commands, data: Parser) -> None:
    exp = add_command(commands, "export", cmd_export, "write the table as CSV, JSON Lines or Parquet", data)
    exp.add_argument("--format", required=True, choices=("csv", "jsonl", "parquet"))
    exp.add_argument("--out", metavar="FILE", help="output file (default: standard output)")


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
        write_atomic(Path(args.out).expanduser().resolve(), write)
        err.write(f"wrote {ds.overview.papers:,} papers to {args.out}\n")
    elif args.format == "parquet" and sys.stdout.isatty():
        raise PapersError("Parquet is binary: pass --out FILE or redirect standard output")
    else:
        out.flush()
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    return 0
