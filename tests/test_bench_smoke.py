"""Benchmarks are not tests, but they must keep running: a small smoke run of each script."""

import json
import subprocess
import sys

from conftest import ROOT


def test_bench_run_quick_without_browser(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--no-browser", f"--out={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"BENCH_WORK": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures and all({"figure", "unit", "ours", "peers", "goal", "met"} <= set(f) for f in figures)
    imported = next(f for f in figures if f["figure"].startswith("import ") and f["unit"] == "s")
    assert imported["ours"] > 0 and imported["peers"]["pandas.read_json"] > 0
    # the scale benchmark's daily update: the new day's papers found by search, counted by trends
    daily = next(f for f in figures if f["figure"].startswith("daily import"))
    assert daily["met"] is True and "pass" in daily["goal"]


def test_quick_run_forks_each_step_with_its_own_peak_memory_and_errors(monkeypatch, tmp_path):
    """A quick run forks its steps from one preloaded interpreter: each step's peak memory is
    still its own, a failing or overlong step is reported, and the next step runs."""
    import os
    import subprocess

    import pytest

    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    monkeypatch.setenv("BENCH_WORK", str(tmp_path))
    import common

    with common.quick_run(browser=False):
        small = common.measure("import os; RESULT['pid'] = os.getpid()")
        big = common.measure("import os, numpy; a = numpy.ones(40_000_000); RESULT['pid'] = os.getpid()")
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            common.measure("1 / 0")
        with pytest.raises(subprocess.TimeoutExpired):
            common.measure("import time; time.sleep(30)", timeout=1)
        after = common.measure("import pandas; RESULT['rows'] = len(pandas.DataFrame({'a': [1, 2]}))")
    assert big["peak_mb"] > small["peak_mb"] + 250  # 320 MB of ones, counted in that step only
    assert len({small["pid"], big["pid"], os.getpid()}) == 3
    assert after["rows"] == 2
    assert common._forks is None  # outside the run, steps are fresh interpreters again


def test_a_run_that_reused_a_build_keeps_the_measured_build_figures(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    from run import keep_measured_builds

    def row(name, ours):
        return {"figure": name, "unit": "s", "ours": ours, "peers": {}, "goal": "", "met": None, "bench": "scale"}

    earlier = [
        row("full build 9: search", 100.0),
        row("full build 9: total (one process)", 300.0),
        row("cold start", 4.0),
    ]
    now = [
        row("full build 9: search (loaded)", 0.1),
        row("full build 9: total (one process)", 0.1),
        row("cold start", 3.5),
    ]
    assert keep_measured_builds(earlier, now) == earlier[:2] + [now[2]]
    built_now = [row("full build 9: search", 90.0), row("full build 9: total (one process)", 280.0)]
    assert keep_measured_builds(earlier, built_now) == built_now  # a measured build replaces the old one
    assert keep_measured_builds([], now) == now  # nothing measured before: the loaded rows stay


def test_bench_semantic_quick_holds_out_sentences_and_ranks_titles_first(tmp_path):
    """bench_semantic.py through run.py on the 2,000-paper sample: every task's figures in every
    mode; a whole title finds its paper, its typo'd copy mostly not by strict lexical search, the
    held-out sentence not at all (it is no longer in the indexed text); alpha from the grid."""
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--only=semantic", f"--out={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"BENCH_WORK": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert {f["bench"] for f in figures} == {"semantic"}

    def one(start):
        (found,) = [f for f in figures if f["figure"].startswith(start)]
        return found

    alpha = one("CHOSEN ALPHA")
    assert {alpha["ours"], alpha["peers"]["search by text"]} <= {i / 10 for i in range(11)}
    modes = ["lexical", f"hybrid α={alpha['ours']}", "lexical any-words", "semantic only"]
    for task in ("title -> paper", "held-out sentence -> paper", "typo'd title -> paper"):
        for mode in modes:
            mrr = one(f"{task}, {mode}: MRR@10")
            assert 0 <= mrr["ours"] <= mrr["peers"]["R@10"] <= mrr["peers"]["R@100"] <= 1
    title, typo = one("title -> paper, lexical: MRR@10"), one("typo'd title -> paper, lexical: MRR@10")
    assert title["ours"] >= 0.9 and typo["peers"]["top-1"] < title["peers"]["top-1"] - 0.3
    assert one("held-out sentence -> paper, lexical: MRR@10")["peers"]["R@100"] < 0.2
    assert one(f"held-out sentence -> paper, hybrid α={alpha['ours']}:")["goal"].startswith(
        ">= lexical any-words + 0.04"
    )
    assert one("paper vectors build (wordllama)")["ours"] > 0 and one("paper vectors on disk")["ours"] > 0
    assert one("known-item search, top 3")["met"] is not None
    for start in ("similar papers, share-an-author@10", "similar papers, same-category@10"):
        assert all(0 <= v <= 1 for v in [one(start)["ours"], *one(start)["peers"].values()])
