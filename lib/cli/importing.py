"""``python -m lib import PATH...``: files or directories into the store."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import IO

from lib.cli.common import Commands, Parser, ProgressLine, add_command, day, year
from lib.store.formats import FORMATS, KNOWN_SUFFIXES
from lib.store.store import Store, input_files
from lib.text import count_text

MAX_LISTED_PROBLEMS = 20


def register(commands: Commands, data: Parser) -> None:
    imp = add_command(commands, "import", cmd_import, "import files or directories into the store", data)
    imp.add_argument("paths", nargs="+", metavar="PATH", help="files (optionally .gz) or directories")
    imp.add_argument("--format", choices=FORMATS, help="skip detection and read every file as this format")
    imp.add_argument("--year", type=year, help="year of date lines written without one (Daily Papers page)")
    imp.add_argument(
        "--date",
        type=day,
        help="listing day (YYYY-MM-DD) of papers whose input names none; for "
        "Hugging Face API responses, the day the response was requested for",
    )
    imp.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    imp.add_argument(
        "--overwrite",
        action="store_true",
        help="the files' values replace the store's even where a list (authors, categories, keywords) "
        "gets shorter or a count (upvotes, comments) lower; without it those are kept and reported",
    )


def cmd_import(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.store.importer import import_files

    store = Store(args.data)
    progress = ProgressLine(err)
    try:
        report = import_files(
            store,
            input_files(args.paths, KNOWN_SUFFIXES),
            fmt=args.format,
            year=args.year,
            date=args.date,
            progress=progress,
            dry_run=args.dry_run,
            overwrite=args.overwrite,
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
    counts = report.counts
    if counts.changed_fields:
        fields = ", ".join(f"{name} {n:,}" for name, n in counts.changed_fields.items())
        out.write(f"changed in known papers (papers per field): {fields}\n")
    _listed(out, "changed", counts.changes, sum(counts.changed_fields.values()), "changed fields")
    _listed(out, "kept", counts.kept, counts.kept_count, "kept fields")
    if counts.kept_count:
        out.write(
            f"warning: {count_text(counts.kept_count, 'field')} would have got shorter or lower and "
            f"{'was' if counts.kept_count == 1 else 'were'} kept; import again with --overwrite to replace them\n"
        )
    verb = "would be" if args.dry_run else ("written as version " + report.version if report.version else "unchanged")
    out.write(f"{report.summary()}; duplicates folded {report.counts.duplicates:,}; store {verb} ({store.path})\n")
    return 0


def _listed(out: IO[str], kind: str, items: Sequence[object], total: int, plural: str) -> None:
    for item in items[:MAX_LISTED_PROBLEMS]:
        out.write(f"  {kind}: {item}\n")
    shown = min(len(items), MAX_LISTED_PROBLEMS)
    if total > shown:
        out.write(f"  ... and {total - shown:,} more {plural}\n")
