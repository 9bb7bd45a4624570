"""Import benchmark: the corpus into an empty store, beside a plain pandas.read_json.

Goal (issue: foundation): import time within 2x of the plain read, peak memory
<= 2 GB, and the app's first page on that store rendered in <= 5 s in a browser.
"""

from __future__ import annotations

import sys

from common import FIRST_CARD, Figure, browser_page_seconds, fresh_dir, goal, measure
from corpus import corpus

IMPORT = """
    from lib.store.store import Store, input_files
    from lib.store.importer import import_files
    counts = import_files(Store({store!r}), input_files([{source!r}], (".jsonl",))).counts
    RESULT["added"], RESULT["unchanged"] = counts.added, counts.unchanged
"""


def run(quick: bool = False, browser: bool = True) -> list[Figure]:
    source, store = str(corpus(quick)), str(fresh_dir("import-store"))
    plain = measure(f"import pandas as pd; RESULT['rows'] = len(pd.read_json({source!r}, lines=True))")
    ours = measure(IMPORT.format(store=store, source=source))
    assert ours["added"] == plain["rows"], (ours, plain)
    n = ours["added"]
    seconds, peers = round(ours["seconds"], 2), {"pandas.read_json": round(plain["seconds"], 2)}
    figures = [
        Figure(f"import {n:,} papers into an empty store", "s", seconds, peers, "<= 2x pandas.read_json"),
        goal(
            f"import {n:,} papers: peak memory",
            "MB",
            round(ours["peak_mb"]),
            2048,
            "",
            {"pandas.read_json": round(plain["peak_mb"])},
        ),
    ]
    figures[0].met = ours["seconds"] <= 2 * plain["seconds"]
    again = measure(IMPORT.format(store=store, source=source))
    figures.append(
        Figure(
            f"re-import the same {n:,} papers (no write)",
            "s",
            round(again["seconds"], 2),
            {},
            "changes nothing",
            again["unchanged"] == n,
        )
    )
    if browser:
        page = browser_page_seconds(store, "", FIRST_CARD, repeats=1 if quick else 3)
        figures.append(goal(f"home page on {n:,} papers, browser (cold start)", "s", round(page["cold"], 2), 5))
        figures.append(goal(f"home page on {n:,} papers, browser (warm)", "s", round(page["warm_median"], 2), 5))
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv, browser="--no-browser" not in sys.argv):
        print(figure.row())
