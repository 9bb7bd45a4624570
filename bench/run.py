"""Run the project's benchmarks and write bench/results.json.

    python bench/run.py            # full sizes (needs ../shared for the real corpus)
    python bench/run.py --quick    # small sizes, in about a minute
    python bench/run.py --no-browser
    python bench/run.py --only=scale,search   # some modules (bench_NAME.py) only
    python bench/run.py --team     # also the 20 teammates in browsers (bench_team.py, about 25 minutes)
    python bench/run.py --only=arxiv [--sizes=1000000]   # all of arXiv: 1M and 2.7M papers (hours)

The results file is rewritten after each module, so a long run that stops keeps what it measured;
with --only, the figures of the other modules already in the file are kept. Each figure also
names its module ("bench").
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import bench_arxiv
import bench_hostile
import bench_import
import bench_library
import bench_quality
import bench_recommend
import bench_scale
import bench_search
import bench_semantic
import bench_signin
import bench_team
import bench_topics
import bench_trends
from common import quick_run

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    bench_import,
    bench_search,
    bench_hostile,
    bench_quality,
    bench_semantic,
    bench_recommend,
    bench_library,
    bench_signin,
    bench_trends,
    bench_topics,
    bench_scale,
    bench_team,
    bench_arxiv,
]
ORDER = [m.__name__.removeprefix("bench_") for m in BENCHMARKS]
# the team's 20 browsers: with --team only; all of arXiv (hours): with --only=arxiv only
DEFAULT = [name for name in ORDER if name not in ("team", "arxiv")]


def main(argv: list[str]) -> int:
    quick, browser = "--quick" in argv, "--no-browser" not in argv
    out = Path(next((a.split("=", 1)[1] for a in argv if a.startswith("--out=")), HERE / "results.json"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        f"{' (quick)' if quick else ''}"
    )
    only = next((a.split("=", 1)[1].split(",") for a in argv if a.startswith("--only=")), None)
    chosen = only or DEFAULT + ["team"] * ("--team" in argv)
    modules = [m for m, name in zip(BENCHMARKS, ORDER) if name in chosen]
    if not modules:
        print(f"--only: no such benchmark (choose from {', '.join(ORDER)})", file=sys.stderr)
        return 2
    kept, earlier = [], json.loads(out.read_text()) if out.exists() else []
    if only is not None:  # the other modules' figures of an earlier run stay
        kept = [f for f in earlier if f["bench"] not in only]
    figures = []
    with quick_run(browser) if quick else nullcontext():  # steps forked from a preloaded interpreter, one Chromium
        for module in modules:
            started = time.perf_counter()
            for figure in module.run(quick=quick, browser=browser):
                print(figure.row(), flush=True)
                figures.append({**figure.as_dict(), "bench": module.__name__.removeprefix("bench_")})
            print(f"  ({module.__name__}: {time.perf_counter() - started:.0f} s)")
            merged = sorted(kept + keep_measured_builds(earlier, figures), key=lambda f: ORDER.index(f["bench"]))
            out.write_text(json.dumps(merged, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


def keep_measured_builds(earlier: list[dict], figures: list[dict]) -> list[dict]:
    """``figures``, where a build this run only loaded (``--keep-build``: rows "full build N: ...
    (loaded)") is replaced by the rows of the earlier run that measured that build."""

    def build(f: dict) -> str | None:
        return f["figure"].split(":")[0] if f["figure"].startswith("full build ") else None

    reused = {build(f) for f in figures if build(f) and f["figure"].endswith("(loaded)")}
    measured: dict[str | None, list[dict]] = {}
    for f in earlier:
        measured.setdefault(build(f), []).append(f)
    swap = {b for b in reused if b in measured and not any(f["figure"].endswith("(loaded)") for f in measured[b])}
    out, placed = [], set()
    for f in figures:
        if build(f) not in swap:
            out.append(f)
        elif build(f) not in placed:  # the measured rows, once, where the loaded ones began
            out += measured[build(f)]
            placed.add(build(f))
    return out


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
