"""Benchmarks are not tests, but they must keep running: a small smoke run of each script."""
import json
import subprocess
import sys

from conftest import ROOT


def test_bench_run_quick_without_browser(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "bench/run.py", "--quick", "--no-browser", f"--out={out}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={"BENCH_WORK": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures and all({"figure", "unit", "ours", "peers", "goal", "met"} <= set(f) for f in figures)
    imported = next(f for f in figures if f["figure"].startswith("import ") and f["unit"] == "s")
    assert imported["ours"] > 0 and imported["peers"]["pandas.read_json"] > 0
    # the scale benchmark's daily update: the new day's papers found by search, counted by trends
    daily = next(f for f in figures if f["figure"].startswith("daily import"))
    assert daily["met"] is True and "pass" in daily["goal"]
