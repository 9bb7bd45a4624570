"""bench/snapshot.py writes arXiv's snapshot shape, which ``python -m lib import`` reads; bench_arxiv
measures commands from outside (their own peak memory, the build's step lines)."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT, SHARED

sys.path.insert(0, str(ROOT / "bench"))


@pytest.mark.skipif(not (SHARED / "data").is_dir(), reason="needs ../shared (the real corpus to resample)")
def test_snapshot_of_300_papers_imports_as_the_arxiv_snapshot(tmp_path):
    from lib.store.store import Store

    path, again = tmp_path / "snapshot.jsonl", tmp_path / "again.jsonl"
    for out in (path, again):
        done = subprocess.run(
            [sys.executable, "bench/snapshot.py", "--papers", "300", "--out", str(out), "--seed", "3"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
    assert path.read_bytes() == again.read_bytes()  # deterministic for a seed
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    shape = json.loads((SHARED / "data/formats/arxiv_oai_snapshot/head200.jsonl").read_text().splitlines()[0])
    assert all(list(line) == list(shape) for line in lines)  # the snapshot's fields, in its order
    assert len({line["id"] for line in lines}) == 300

    store = tmp_path / "store"
    done = subprocess.run(
        [sys.executable, "-m", "lib", "import", str(path), "--data", str(store)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "arxiv_oai, 300 papers, 0 rejected" in done.stdout
    assert "added 300," in done.stdout
    table = Store(store).read_table().to_pylist()
    days = sorted(paper["date"].date().isoformat() for paper in table)
    assert "2007-01-01" <= days[0] < "2012" and "2025" < days[-1] <= "2026-06-30"
    # arXiv grows: the later half of the span holds most papers
    assert sum(day >= "2016-10" for day in days) > 2 * sum(day < "2016-10" for day in days)
    for paper in table:
        assert paper["id"][:4] == paper["date"].strftime("%y%m")  # YYMM.NNNNN of its month
        assert paper["title"] and "\n" not in paper["title"] and len(paper["abstract"]) > 100
        assert 1 <= len(paper["authors"]) <= 12 and all(paper["authors"]) and paper["categories"]


def test_build_step_lines_are_read_with_or_without_their_peak():
    import bench_arxiv

    steps = bench_arxiv.build_steps(
        [
            "search index: 105.3 s",
            "term index (whole): 1,176.8 s, peak 2,113 MB",
            "topic model (k=200): 396.3 s",
            "store version 1-038aec90: 1,000,000 papers, every artifact on disk",
        ]
    )
    assert steps == {
        "search index": {"seconds": 105.3, "peak_mb": None},
        "term index (whole)": {"seconds": 1176.8, "peak_mb": 2113.0},
        "topic model (k=200)": {"seconds": 396.3, "peak_mb": None},
    }


def test_a_commands_peak_memory_is_its_own_not_the_benchmarks():
    """Linux starts a child's peak (ru_maxrss) at its parent's: a large benchmark process must not
    make a small command look large, and a large command is seen whole."""
    import bench_arxiv
    import numpy as np

    held = np.ones(60_000_000)  # 480 MB in this process: its peak
    small = bench_arxiv.run_measured([sys.executable, "-c", "print('small')"], "small")
    big = bench_arxiv.run_measured(
        [sys.executable, "-c", "import numpy; a = numpy.ones(40_000_000); print(a.sum())"], "big"
    )
    del held
    assert small["out"] == ["small"] and small["peak_mb"] < 100
    assert 300 < big["peak_mb"] < 450  # 320 MB of ones
