"""Import benchmark: the corpus into an empty store, beside a plain pandas.read_json.

Goal (issue: foundation): import time within 2x of the plain read, peak memory
<= 2 GB, and the app's first page on that store rendered in <= 5 s in a browser.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Figure, browser_page_seconds, corpus, fresh_dir, measure

FIRST_CARD = "[data-testid=stMarkdownContainer] strong >> text=/^1\\. /"


def run(quick: bool = False, browser: bool = True) -> list[Figure]:
    source = corpus(quick)
    store = fresh_dir("import-store")
    plain = measure(f"""
        import pandas as pd
        RESULT["rows"] = len(pd.read_json({str(source)!r}, lines=True))
    """)
    ours = measure(f"""
        from lib.store.store import Store, input_files
        from lib.store.importer import import_files
        report = import_files(Store({str(store)!r}), input_files([{str(source)!r}], (".jsonl",)))
        RESULT["rows"] = report.counts.added
    """)
    assert ours["rows"] == plain["rows"], (ours, plain)
    n = ours["rows"]
    figures = [
        Figure(
            f"import {n:,} papers into an empty store",
            "s",
            round(ours["seconds"], 2),
            {"pandas.read_json": round(plain["seconds"], 2)},
            "<= 2x pandas.read_json",
            ours["seconds"] <= 2 * plain["seconds"],
        ),
        Figure(
            f"import {n:,} papers: peak memory",
            "MB",
            round(ours["peak_mb"]),
            {"pandas.read_json": round(plain["peak_mb"])},
            "<= 2048 MB",
            ours["peak_mb"] <= 2048,
        ),
    ]
    reimport = measure(f"""
        from lib.store.store import Store, input_files
        from lib.store.importer import import_files
        report = import_files(Store({str(store)!r}), input_files([{str(source)!r}], (".jsonl",)))
        RESULT["unchanged"] = report.counts.unchanged
    """)
    figures.append(
        Figure(
            f"re-import the same {n:,} papers (no write)",
            "s",
            round(reimport["seconds"], 2),
            {},
            "changes nothing",
            reimport["unchanged"] == n,
        )
    )
    if browser:
        page = browser_page_seconds(store, "", FIRST_CARD, repeats=1 if quick else 3)
        figures.append(
            Figure(
                f"home page on {n:,} papers, browser (cold start)",
                "s",
                round(page["cold"], 2),
                {},
                "<= 5 s",
                page["cold"] <= 5,
            )
        )
        figures.append(
            Figure(
                f"home page on {n:,} papers, browser (warm)",
                "s",
                round(page["warm_median"], 2),
                {},
                "<= 5 s",
                page["warm_median"] <= 5,
            )
        )
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv, browser="--no-browser" not in sys.argv):
        print(figure.row())
