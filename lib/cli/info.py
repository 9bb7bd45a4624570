"""``python -m lib info``: what the store holds."""

from __future__ import annotations

import argparse
import json
from typing import IO, Any

from lib.cli.common import Commands, Parser, add_command
from lib.store.schema import source_name
from lib.store.store import Store


def register(commands: Commands, data: Parser) -> None:
    info = add_command(commands, "info", cmd_info, "what the store holds", data)
    info.add_argument("--json", action="store_true", help="print JSON")


def info_dict(store: Store) -> dict[str, Any]:
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
