"""Print bench/results.json as a Markdown table (the one in bench/README.md).

python bench/table.py [results.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from common import number


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if value != value:  # nan
        return "—"
    return f"{number(value)} {unit}".strip()


def table(figures: list[dict]) -> str:
    lines = ["| module | figure | ours | peers (same run) | goal |", "|---|---|---|---|---|"]
    for f in figures:
        peers = ", ".join(f"{name} {_value(v, f['unit'])}" for name, v in f["peers"].items())
        goal = f["goal"] + ("" if f["met"] is None else (" — met" if f["met"] else " — **not met**"))
        lines.append(f"| {f['bench']} | {f['figure']} | {_value(f['ours'], f['unit'])} | {peers} | {goal} |")
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results.json"
    print(table(json.loads(path.read_text())))
