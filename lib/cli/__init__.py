"""Command line: ``python -m lib VERB`` (or ``papers VERB`` once the project is installed).

Every command takes ``--data DIR`` (else ``$PAPERS_DATA``, else ``data/``).  Bad
input prints one line on stderr and exits with code 2; an internal error (a bug) prints one
line too and exits with code 1, its traceback going to ``DIR/papers.log``.  Tracebacks reach
stderr only under ``PAPERS_DEBUG=1``.

One module per verb (or group of verbs) registers its sub-parser and its command function;
lib.cli.common holds what they share (options, progress, errors).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import IO

from lib.cli import build, collections, export, fetch, importing, info, search, topics, trending, trends, views
from lib.cli.common import Parser, data_option, run

# in this order in --help
VERBS = (importing, info, search, trends, trending, topics, fetch, views, collections, build, export)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m lib", description="Papers dashboard: import, inspect and export the paper store.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    data = data_option()
    for verb in VERBS:
        verb.register(commands, data)
    return parser


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    args = build_parser().parse_args(argv)
    return run(args.command_function, args, out, err)
