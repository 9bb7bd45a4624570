"""Sources on real data: the 74,728-paper arXiv corpus and 130 real Hugging Face days
(../shared; skipped when absent), imported into one store in both orders.

``python -m lib trend agent --src hf|arxiv|all`` must equal an independent count over the
raw files of that source, made here with plain Python (json, gzip, re), not with the
project's code: the HF list counts a paper in the month of its first listing day (the
file's name), arXiv in the month of its ``published`` day, and "all" each paper once, by
its listing day when it was listed, else by its arXiv day.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "data" / "arxiv_2025-03_2026-07.jsonl.gz"
HF_DAYS = SHARED / "data" / "demo" / "hf_daily_papers"
# whole word, plural tolerant; an underscore is a boundary, as for our tokenizer ("agent_based")
AGENT = re.compile(r"(?<![^\W_])agents?(?![^\W_])")

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not (CORPUS.is_file() and HF_DAYS.is_dir()), reason=f"no reference data at {SHARED}"),
]


def _mentions(title: str | None, abstract: str | None) -> bool:
    return bool(AGENT.search(f"{title or ''} {abstract or ''}".lower()))


@pytest.fixture(scope="module")
def raw() -> dict:
    """Each source's papers from the raw files: id -> (month, mentions "agent")."""
    arxiv = {}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        for line in handle:
            paper = json.loads(line)
            arxiv[paper["id"]] = (paper["published"][:7], _mentions(paper["title"], paper["abstract"]))
    hf, hf_text = {}, {}
    for path in sorted(HF_DAYS.glob("*.json.gz")):  # by day: a paper keeps its first listing day
        for item in json.loads(gzip.decompress(path.read_bytes())):
            paper = item["paper"]
            hf.setdefault(paper["id"], (path.name[:7], None))
            hf_text.setdefault(
                paper["id"],
                _mentions(paper.get("title") or item.get("title"), paper.get("summary") or item.get("summary")),
            )
    # a paper on both keeps arXiv's title and abstract (they outrank the list's copy)
    hf = {pid: (month, arxiv[pid][1] if pid in arxiv else hf_text[pid]) for pid, (month, _) in hf.items()}
    both = {**arxiv, **hf}  # by the listing day when listed
    return {"hf": hf, "arxiv": arxiv, "all": both}


def _months(papers: dict) -> dict[str, tuple[int, int]]:
    totals, counts = Counter(), Counter()
    for month, mentions in papers.values():
        totals[month] += 1
        counts[month] += mentions
    return {month: (counts[month], totals[month]) for month in totals}


def _import(data: Path, paths: list[Path]) -> None:
    from lib.cli import main

    err = io.StringIO()
    assert main(["import", "--data", str(data), *map(str, paths)], io.StringIO(), err) == 0, err.getvalue()


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    """The two sources imported into one store, arXiv first; and in the other order."""
    made = {}
    for order, paths in (("arxiv_first", [CORPUS, HF_DAYS]), ("hf_first", [HF_DAYS, CORPUS])):
        data = tmp_path_factory.mktemp(order) / "data"
        for path in paths:  # two imports, one after the other
            _import(data, [path])
        made[order] = data
    return made


@pytest.mark.parametrize("src", ["hf", "arxiv", "all"])
def test_trend_rows_of_each_source_equal_an_independent_count(stores, raw, src):
    from lib.cli import main

    out, err = io.StringIO(), io.StringIO()
    args = ["trend", "agent", "--by", "month", "--json", "--data", str(stores["arxiv_first"])]
    assert main(args + ([] if src == "all" else ["--src", src]), out, err) == 0, err.getvalue()
    rows = {row["period"][:7]: (row["count"], row["total"]) for row in json.loads(out.getvalue())}
    expected = _months(raw[src])
    # the CLI lists every month of the span, an empty one as 0 of 0
    assert {m: v for m, v in rows.items() if v[1]} == expected
    assert sum(total for _, total in rows.values()) == len(raw[src])


def test_importing_in_the_other_order_gives_the_same_table(stores):
    from lib.store.store import Store

    tables = {order: Store(data).read_table() for order, data in stores.items()}
    first, second = (t.sort_by("id") for t in tables.values())
    assert first.num_rows == second.num_rows == 74_728 + 1_894 - 1_379
    for name in first.column_names:
        assert first[name].equals(second[name]), name


def test_a_paper_on_the_list_and_on_arxiv_keeps_both_days(stores, raw):
    """A paper of HF's list of 2025-08-12 that is in the arXiv corpus keeps its listing day,
    its position and upvotes there, and its arXiv day."""
    from lib.dataset import load
    from lib.store.store import Store

    listed = json.loads(gzip.decompress((HF_DAYS / "2025-08-12.json.gz").read_bytes()))
    ds = load(Store(stores["hf_first"]))
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        published = {p["id"]: p["published"] for p in map(json.loads, handle)}
    checked = 0
    for rank, item in enumerate(listed, start=1):
        pid = item["paper"]["id"]
        if pid not in published or raw["hf"][pid][0] != "2025-08":
            continue
        paper = ds.frame.iloc[ds.row_of(pid)]
        first_day = min(
            p.name[:10]
            for p in HF_DAYS.glob("*.json.gz")
            if any(i["paper"]["id"] == pid for i in json.loads(gzip.decompress(p.read_bytes())))
        )
        assert f"{paper.hf_day:%Y-%m-%d}" == f"{paper.date:%Y-%m-%d}" == first_day
        if first_day == "2025-08-12":
            assert paper.hf_rank == rank
        assert f"{paper.published:%Y-%m-%d}" == published[pid]
        assert list(paper.sources) == ["hf", "arxiv"]
        assert paper.upvotes >= item["paper"].get("upvotes", 0)
        checked += 1
    assert checked >= 5
