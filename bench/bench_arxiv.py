"""All of arXiv (issue 24): a snapshot-shaped corpus of 1M and 2.7M papers imported, built and served.

For each size, on a corpus written by bench/snapshot.py (``WORK/snapshot-N.jsonl``, generated once
and then reused), each step in its own fresh process:

1. import: ``python -m lib import FILE --data DIR`` into a new store: seconds and peak memory;
2. build: ``python -m lib build --data DIR`` (``--memory $BENCH_BUILD_MEMORY`` when that is set):
   seconds, the whole process's peak memory, each step's line of its output (``NAME: S s``, with
   ``peak N MB`` when it says so) and the size on disk of each artifact;
3. serving, on the built store: the app's cold start (a fresh server to the home page's first card in
   a browser, bench_scale's) and the store loaded in a fresh process as the app loads it (dataset,
   search index, term index, topic model); the server's memory with one session and what each
   further session adds (bench_scale's; without a browser, the loading process's own memory after a
   few queries); search p50/p95 over 200 realistic queries (bench_search's); a one-word trend's p50
   over 50 words (bench_trends's) and a phrase's over 25 indexed phrases; a daily import of 2,000
   new papers (snapshot.py's, on the first day of the month after the store's last, each title
   naming a word no other paper has) with ``python -m lib import``, then found by search, counted by
   trends on their day and placed in the topic model the import carried over (bench_scale's check);
4. Spark (issue 24's proof asks for it at 75k, no goal): ``build --engine spark`` (``local[2]``) beside
   the in-process build on fresh copies of the real 74,728 papers, each step's time.

Goals (issue 24): full build of 2.7M <= 45 min and <= 6 GB peak; a full build of 1M (or less) <= 4 GB
peak; cold start <= 5 s; server RSS <= 4 GB with one session and <= 50 MB private memory per further
session; search p95 <= 50 ms; trend p50 <= 5 ms; a daily import of 2,000 papers <= 30 s.

Peers at 1M (bench/results.json, before issue 24): the full build (table, search index, term index,
topic model, one process) 683.0 s and 12,575 MB peak (search index 105.3 s, 6,920 MB at its end; term
index 176.8 s; topic model 396.3 s); tantivy indexes the same 1M papers in 40.13 s and 2,097 MB.
Our build also makes the papers' vectors, which the 683 s did not include.

    python bench/bench_arxiv.py [--quick] [--no-browser] [--sizes 1000000,2700000]

Quick: 20,000 papers.  Not part of bench/run.py's default run (the full sizes take hours):
``python bench/run.py --only=arxiv``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections import deque
from functools import partial
from pathlib import Path

import common
from common import ROOT, WORK, Figure, chromium, fresh_dir, goal, in_process, latencies, load_average, retire

SIZES = (1_000_000, 2_700_000)
QUICK_SIZE = 20_000
DAILY_PAPERS = 2_000
NEW_WORD = "Quillstrand"  # in no real title or abstract: the new day's papers are found by it
SEED = 20260701
N_QUERIES, N_WORDS, N_PHRASES = 200, 50, 25
BUILD_GOAL_S = 45 * 60  # 2.7M
BUILD_GOAL_MB = {2_700_000: 6 * 1024, 1_000_000: 4 * 1024}  # the goal of the largest size <= n
COLD_GOAL_S, RSS_GOAL_MB, SESSION_GOAL_MB = 5.0, 4096, 50
SEARCH_P95_GOAL_MS, TREND_P50_GOAL_MS, DAILY_GOAL_S = 50, 5, 30
TODAY_1M = {  # the full build at 1M before issue 24 (bench/results.json)
    "total": 683.0,
    "peak": 12_575,
    "search index": 105.3,
    "search index peak": 6_920,
    "term index": 176.8,
    "topic model": 396.3,
}
TANTIVY_1M = {"search index": 40.13, "search index peak": 2_097}
TODAY, TANTIVY = "today (before issue 24)", "tantivy"
_STEP = re.compile(r"^(?P<name>[^:\n]+?): (?P<seconds>[\d,.]+) s\b(?:.*?\bpeak (?P<peak>[\d,.]+) MB)?")
_PHRASE = re.compile(r"[a-z]{3,}(?: [a-z]{2,}){0,1} [a-z]{3,}")  # 2-3 words, an n-gram's stems
_VERSION = re.compile(r"-\d+-[0-9a-f]{6,}$")  # an artifact folder's "-VERSION" (search-1-038aec90)
note = partial(common.note, "arxiv")

# Runs a command and then says the largest peak resident memory of its descendants: a child's
# ru_maxrss starts from its parent's peak (Linux carries it across fork + exec), so the parent
# here is this small launcher rather than the benchmark.
_LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
print(f"BENCH_MAXRSS_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", flush=True)
sys.exit(code)
"""


# --- commands, measured from outside --------------------------------------------------------
def run_measured(command: list[str], label: str) -> dict:
    """``command`` (run from the project root): wall seconds, peak memory (the largest of its
    processes' peaks, and the largest sum of the resident memory of its process tree, sampled every
    0.2 s), its stdout's lines (each also shown as a note) and the tail of its stderr (shown as it
    comes: progress lines)."""
    from bench_scale import rss_mb

    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    lines: list[str] = []
    tail: deque[str] = deque(maxlen=40)
    tree_peak = [0.0]
    maxrss_mb = 0.0

    def read_err() -> None:
        for line in proc.stderr:
            tail.append(line)
            sys.stderr.write(line)

    def sample() -> None:
        while proc.poll() is None:
            # each process of the tree once (rss_mb(p) is p's with its own descendants)
            tree_peak[0] = max(tree_peak[0], rss_mb(proc.pid)["rss"] - rss_mb(proc.pid, tree=False)["rss"])
            time.sleep(0.2)

    threads = [threading.Thread(target=read_err, daemon=True), threading.Thread(target=sample, daemon=True)]
    for thread in threads:
        thread.start()
    for line in proc.stdout:
        if line.startswith("BENCH_MAXRSS_KB="):
            maxrss_mb = int(line.split("=")[1]) / 1024
            continue
        lines.append(line.rstrip("\n"))
        note(f"{label}: {lines[-1]}")
    proc.wait()
    seconds = time.perf_counter() - started
    for thread in threads:
        thread.join(timeout=5)
    if proc.returncode:
        raise RuntimeError(f"{label} failed (exit status {proc.returncode}):\n{''.join(tail)[-3000:]}")
    peak = max(maxrss_mb, tree_peak[0])
    return {"seconds": seconds, "peak_mb": peak, "maxrss_mb": maxrss_mb, "tree_peak_mb": tree_peak[0], "out": lines}


def build_steps(lines: list[str]) -> dict[str, dict]:
    """``{step: {"seconds", "peak_mb" (or None)}}`` from the build's lines ``NAME: S s[, peak N MB]``."""
    steps = {}
    for line in lines:
        if match := _STEP.match(line.strip()):
            peak = match["peak"]
            steps[match["name"]] = {
                "seconds": float(match["seconds"].replace(",", "")),
                "peak_mb": float(peak.replace(",", "")) if peak else None,
            }
    return steps


def disk_mb(store: Path) -> dict[str, float]:
    """MB on disk of the table's Parquet parts and of each artifact (folder names without their version)."""
    sizes = {"table (Parquet parts)": _tree_mb(store / "papers")}
    for path in sorted((store / "artifacts").iterdir()):
        if not path.name.startswith("."):
            name = _VERSION.sub("", path.name)
            sizes[name] = sizes.get(name, 0.0) + _tree_mb(path)
    return sizes


def _tree_mb(path: Path) -> float:
    files = path.rglob("*") if path.is_dir() else [path]
    return sum(p.stat().st_size for p in files if p.is_file()) / 2**20


# --- steps: each runs inside its own fresh process --------------------------------------------
def cold_load(store: str, n_phrases: int = N_PHRASES, seed: int = SEED) -> dict:
    """The store opened as the app opens it (its Library: dataset, search index, term index, topic
    model of the automatic k), each load's seconds; then a phrase's trend by month for ``n_phrases``
    of the term index's phrases (of at least 5 papers, that could name a topic), and this process's memory after it all."""
    started = time.perf_counter()
    import random

    import numpy as np

    from lib.library import Library
    from lib.store.store import Store
    from lib.trends import terms, trends

    seconds = {"imports": time.perf_counter() - started}
    library = Library.open(Store(store))
    seconds["dataset"] = time.perf_counter() - started - sum(seconds.values())
    library.search_index  # noqa: B018 - loaded
    seconds["search index"] = time.perf_counter() - started - sum(seconds.values())
    index = library.term_index
    seconds["term index"] = time.perf_counter() - started - sum(seconds.values())
    library.topic_model()
    seconds["topic model"] = time.perf_counter() - started - sum(seconds.values())
    total = time.perf_counter() - started
    indptr, _ = index.all_postings("n")
    frequent = np.flatnonzero(np.diff(np.asarray(indptr)) >= 5).tolist()
    rng = random.Random(seed)
    names = (index.ngram_name(j) for j in rng.sample(frequent, min(50 * n_phrases, len(frequent))))
    phrases = [name for name in names if _PHRASE.fullmatch(name) and trends.is_topic_term(name, index)]
    keys = [terms.TermKey(tuple(name.split()), name) for name in sorted(phrases[:n_phrases])]
    periods, table = library.dataset.periods("month"), library.dataset.table
    timed = common.latencies(lambda key: len(trends.series(index, table, periods, [key], "month")), keys)
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    memory = {key: int(status[key].split()[0]) / 1024 for key in ("VmRSS", "RssAnon", "RssFile") if key in status}
    return {
        "cold_s": total,
        "load_s": seconds,
        "k": library.auto_k(),
        "phrases": [key.label for key in keys],
        "phrase_p50_ms": timed["p50_ms"],
        "phrase_p95_ms": timed["p95_ms"],
        "rss_mb": memory,
    }


def new_day(store: str, path: str, papers: int = DAILY_PAPERS, word: str = NEW_WORD, seed: int = SEED) -> dict:
    """``papers`` new papers in the snapshot's shape (bench/snapshot.py) on the first day of the month
    after the store's last paper, ids numbered on from that month's last, written to ``path``.  The
    word must be in no paper yet."""
    import datetime as dt
    import json

    import pyarrow.compute as pc
    import snapshot

    from lib.dataset import load
    from lib.search.analysis import stem
    from lib.store.store import Store
    from lib.trends import terms

    s = Store(store)
    ds = load(s)
    if known := terms.load_or_build(s, ds).papers(stem(word.lower())):
        raise RuntimeError(f"{word!r} is already in {known} papers: not a new word")
    last = pc.max(ds.table["date"]).as_py()
    day = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1)
    prefix = f"{day.year % 100:02d}{day.month:02d}."
    numbers = [int(i[len(prefix) :]) for i in ds.table["id"].to_pylist() if i.startswith(prefix)]
    generator = snapshot.Generator(snapshot.Pools(), seed)
    made = list(generator.day(day, papers, 1 + max(numbers, default=0), word))
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(paper) + "\n" for paper in made)
    return {"day": day.isoformat(), "last_day": last.date().isoformat(), "ids": [p["id"] for p in made]}


def check_day(store: str, word: str, day: str, ids: list[str], k: int) -> dict:
    """bench_scale's check of a new day (search, trends, topics of the automatic k), and the new papers
    placed in the model of ``k`` topics (the build's: the automatic k may have moved with the import)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    from bench_scale import check_new_day

    from lib.dataset import load
    from lib.store.store import Store
    from lib.topics import topics

    checked = check_new_day(store, word, day, ids)
    s = Store(store)
    ds = load(s)
    checked["k"], checked["topics_saved"], checked["placed_in_topics"] = k, topics.is_saved(s, ds, k), 0
    if checked["topics_saved"]:
        model = topics.load_or_fit(s, ds, None, k)
        rows = np.flatnonzero(pc.is_in(ds.table["id"], value_set=pa.array(ids)).to_numpy(zero_copy_only=False))
        checked["placed_in_topics"] = int((model.dominant_[rows] >= 0).sum())
    return checked


# --- the figures of one size ------------------------------------------------------------------------
def snapshot_file(n: int) -> Path:
    """``WORK/snapshot-N.jsonl``, written by bench/snapshot.py unless it is there already."""
    path = WORK / f"snapshot-{n}.jsonl"
    if not path.exists():
        note(f"writing {path} (bench/snapshot.py --papers {n})")
        command = [sys.executable, str(ROOT / "bench" / "snapshot.py"), "--papers", str(n), "--out", str(path)]
        subprocess.run(command, cwd=ROOT, check=True)
    return path


def figures_import_build(n: int, quick: bool) -> tuple[list[Figure], Path, int]:
    """Steps 1 and 2: (figures, the built store, the build's k)."""
    source, store = snapshot_file(n), fresh_dir(f"arxiv-store-{n}")
    label = f"arxiv {n:,}"
    note(f"import {source} ({source.stat().st_size / 2**30:.2f} GiB) into {store} (load average {load_average()})")
    imported = run_measured([sys.executable, "-m", "lib", "import", str(source), "--data", str(store)], "import")
    memory = os.environ.get("BENCH_BUILD_MEMORY")
    note(f"build{' --memory ' + memory if memory else ''} (load average {load_average()})")
    command = [sys.executable, "-m", "lib", "build", "--data", str(store)] + (["--memory", memory] if memory else [])
    built = run_measured(command, "build")
    steps = build_steps(built["out"])
    k = int(next((m[1] for s in steps if (m := re.search(r"k=(\d+)", s))), 0))
    at_1m = n == 1_000_000
    figures = [
        Figure(f"{label}: import (python -m lib import, snapshot JSON Lines)", "s", round(imported["seconds"], 1)),
        Figure(f"{label}: import peak memory", "MB", round(imported["peak_mb"])),
    ]
    for name, step in steps.items():
        short = "topic model" if name.startswith("topic model") else name
        peers = {TODAY: TODAY_1M[short]} if at_1m and short in TODAY_1M else {}
        peers |= {TANTIVY: TANTIVY_1M[short]} if at_1m and short in TANTIVY_1M else {}
        figures.append(Figure(f"{label}: build step {name}", "s", round(step["seconds"], 1), peers))
        if step["peak_mb"] is not None:
            peak_peers = {TODAY: TODAY_1M[f"{short} peak"]} if at_1m and f"{short} peak" in TODAY_1M else {}
            peak_peers |= {TANTIVY: TANTIVY_1M[f"{short} peak"]} if at_1m and f"{short} peak" in TANTIVY_1M else {}
            figures.append(Figure(f"{label}: build step {name}, peak memory", "MB", round(step["peak_mb"]), peak_peers))
    total = f"{label}: full build (python -m lib build{' --memory ' + memory if memory else ''})"
    peers = {TODAY: TODAY_1M["total"]} if at_1m else {}
    figures.append(
        goal(total, "s", round(built["seconds"], 1), BUILD_GOAL_S, "", peers)
        if n >= 2_700_000
        else Figure(total, "s", round(built["seconds"], 1), peers)
    )
    limit = next(mb for size, mb in sorted(BUILD_GOAL_MB.items()) if n <= size or size == max(BUILD_GOAL_MB))
    # The build resets its peak (VmHWM) at each step to say each step's own, and Linux's ru_maxrss
    # is that same counter: the whole build's peak is the largest of the steps' peaks, beside the
    # launcher's ru_maxrss (the last step's) and the largest RSS sampled every 0.2 s.
    step_peak = max((step["peak_mb"] or 0 for step in steps.values()), default=0)
    figures.append(
        goal(
            f"{label}: full build peak memory",
            "MB",
            round(max(built["peak_mb"], step_peak)),
            limit,
            f" (largest step {step_peak:,.0f} MB, sampled {built['tree_peak_mb']:,.0f} MB, "
            f"ru_maxrss {built['maxrss_mb']:,.0f} MB)",
            {TODAY: TODAY_1M["peak"]} if at_1m else {},
        )
    )
    sizes = disk_mb(store)
    note("on disk: " + ", ".join(f"{name} {mb:,.1f} MB" for name, mb in sizes.items()))
    figures += [Figure(f"{label}: on disk: {name}", "MB", round(mb, 1)) for name, mb in sizes.items()]
    return figures, store, k


def hybrid_latency(store: str, queries_path: str, limit: int = 50) -> dict:
    """Search as the page runs it with meaning (``hybrid.Meaning``, the query's embedding
    included): p50/p95 over the first ``limit`` queries; the vectors' scan (reduced beyond 349,525 papers) is in it."""
    import bench_search

    from lib.dataset import load
    from lib.search import hybrid, search
    from lib.search.index import load_or_build
    from lib.search.vectors import VECTORS, embed_one
    from lib.store.store import Store

    s = Store(store)
    ds = load(s)
    index, vectors = load_or_build(s, ds), VECTORS.load_or_build(s, ds)
    columns = ds.search_columns

    def run(q: dict) -> int:
        text = bench_search.as_ours(q)
        meaning = hybrid.Meaning(vectors, embed_one(text), hybrid.ALPHA)
        return len(search.search(index, columns, text, meaning=meaning).slice(0, bench_search.PAGE)[0])

    return latencies(run, bench_search._queries(queries_path), limit)


def figures_serving(store: Path, n: int, quick: bool, browser: bool) -> list[Figure]:
    """Step 3 but the daily import: cold start, memory, search and trend latencies."""
    import bench_search

    label = f"arxiv {n:,}"
    loaded = in_process("bench_arxiv", f"cold_load({str(store)!r})")
    note(
        f"cold load in a fresh process: {loaded['cold_s']:.2f} s ("
        + ", ".join(f"{name} {s:.2f} s" for name, s in loaded["load_s"].items())
        + "); memory then: "
        + ", ".join(f"{name} {mb:,.0f} MB" for name, mb in loaded["rss_mb"].items())
    )
    queries = WORK / f"arxiv-queries-{n}.json"
    in_process("bench_search", f"write_queries({str(store)!r}, {N_QUERIES}, {str(queries)!r})")
    searched = in_process("bench_search", f"ours({str(store)!r}, {str(queries)!r})")
    meant = in_process("bench_arxiv", f"hybrid_latency({str(store)!r}, {str(queries)!r})")
    words = WORK / f"arxiv-terms-{n}.json"
    trended = in_process("bench_trends", f"ours({str(store)!r}, {str(words)!r}, {N_WORDS})")
    note(
        f"search: {searched['count']} queries, {searched['hits'].count(0)} with no result, "
        f"index loaded in {searched['load_s']:.2f} s; trends: {trended['count']} words, "
        f"term index loaded in {trended['load_s']:.2f} s, emerging {trended['emerging_s']:.2f} s; "
        f"phrases: {', '.join(loaded['phrases'][:8])} ..."
    )
    figures = [
        goal(
            f"{label}: cold load in a fresh process (lib: dataset, indexes, topics)",
            "s",
            round(loaded["cold_s"], 2),
            COLD_GOAL_S,
        ),
        Figure(f"{label}: search p50 ({searched['count']} queries)", "ms", round(searched["p50_ms"], 2)),
        goal(
            f"{label}: search p95 ({searched['count']} queries)", "ms", round(searched["p95_ms"], 2), SEARCH_P95_GOAL_MS
        ),
        Figure(
            f"{label}: search with meaning (hybrid, as the page) p50 ({meant['count']} queries)",
            "ms",
            round(meant["p50_ms"], 1),
        ),
        Figure(f"{label}: search with meaning (hybrid, as the page) p95", "ms", round(meant["p95_ms"], 1)),
        goal(
            f"{label}: trend of one word by month p50 ({trended['count']} words)",
            "ms",
            round(trended["p50_ms"], 2),
            TREND_P50_GOAL_MS,
        ),
        Figure(f"{label}: trend of one word by month p95", "ms", round(trended["p95_ms"], 2)),
        Figure(
            f"{label}: trend of one phrase by month p50 ({len(loaded['phrases'])} phrases)",
            "ms",
            round(loaded["phrase_p50_ms"], 2),
        ),
        Figure(f"{label}: emerging terms table", "s", round(trended["emerging_s"], 2)),
    ]
    if not browser:
        rss = loaded["rss_mb"]
        figures.append(
            goal(
                f"{label}: memory of the loading process after its queries (no browser: no server)",
                "MB",
                round(rss["VmRSS"]),
                RSS_GOAL_MB,
                f" (anon {rss.get('RssAnon', 0):,.0f}, mapped files {rss.get('RssFile', 0):,.0f} MB)",
            )
        )
        return figures
    from bench_scale import figure_cold_start, figure_memory

    query = bench_search.as_ours(bench_search._queries(str(queries))[0])
    with chromium() as chrome:
        cold, server, page = figure_cold_start(store, chrome, n, starts=1 if quick else 3)
        try:
            served = [
                cold,
                *figure_memory(server, chrome, page, query, 1 if quick else 5, n, settle=0.25 if quick else 1),
            ]
            page.context.close()
        finally:
            retire(server)
    for figure in served:  # bench_scale's names, of this store
        figure.figure = f"{label}: {figure.figure}"
    return figures + served


def figures_daily(store: Path, n: int, k: int) -> list[Figure]:
    """Step 3's daily import, into the built store (the benchmark's own, made afresh each run)."""
    day_file = WORK / f"arxiv-new-day-{n}.jsonl"
    made = in_process("bench_arxiv", f"new_day({str(store)!r}, {str(day_file)!r})")
    ids = made["ids"]
    note(
        f"daily import: {len(ids):,} papers on {made['day']} (the store's last day {made['last_day']}), "
        f"ids {ids[0]}..{ids[-1]} (load average {load_average()})"
    )
    imported = run_measured(
        [sys.executable, "-m", "lib", "import", str(day_file), "--data", str(store)], "daily import"
    )
    checked = in_process("bench_arxiv", f"check_day({str(store)!r}, {NEW_WORD!r}, {made['day']!r}, {ids!r}, {k})")
    count = len(ids)
    ok = (
        checked["search_total"] == checked["found_new"] == checked["trend_on_day"] == checked["trend_total"] == count
        and checked["found_other"] == 0
        and checked["placed_in_topics"] == count
    )
    note(
        f"daily import check (indexes loaded in {checked['load_s']:.2f} s: search {checked['search_segments']} "
        f"segment(s), terms {checked['term_segments']}): search {NEW_WORD.lower()!r} -> {checked['search_total']} "
        f"results, {checked['found_new']} new, {checked['found_other']} others; trends {checked['trend_on_day']} on "
        f"{made['day']}, {checked['trend_total']} in all; topic model k={k} carried over: {checked['topics_saved']}, "
        f"{checked['placed_in_topics']} placed"
    )
    figure = goal(
        f"arxiv {n:,}: daily import of {count:,} papers (python -m lib import)",
        "s",
        round(imported["seconds"], 2),
        DAILY_GOAL_S,
        f"; found by search, counted by trends, placed in topics: {'pass' if ok else 'FAIL'}",
    )
    figure.met = figure.met and ok
    return [figure, Figure(f"arxiv {n:,}: daily import peak memory", "MB", round(imported["peak_mb"]))]


def figures_spark(quick: bool) -> list[Figure]:
    """Spark in local mode (``build --engine spark``, ``local[2]``) beside the in-process build, on
    the real 74,728 papers (quick: the 2,000-paper sample): each step's time, from a fresh copy of
    the table each time (reported, no goal).  Skipped, saying so, without pyspark or a JDK."""
    import importlib.util
    import shutil

    from corpus import real_store

    if importlib.util.find_spec("pyspark") is None or shutil.which("java") is None:
        note("spark: pyspark or a JDK is missing (pip install -r requirements-spark.txt): skipped")
        return []
    source = real_store(quick)
    runs = {}
    for engine in ("local", "spark"):
        store = common.copy_store(source, f"arxiv-spark-{engine}")
        note(f"spark: build --engine {engine} on {source.name} (load average {load_average()})")
        command = [sys.executable, "-m", "lib", "build", "--data", str(store), "--engine", engine]
        runs[engine] = run_measured(command, f"build --engine {engine}")
    local, spark = (build_steps(runs[e]["out"]) for e in ("local", "spark"))
    papers = "2,000" if quick else "74,728"
    figures = [
        Figure(
            f"spark local[2] at {papers} papers: build step {name}",
            "s",
            round(spark[name]["seconds"], 1),
            {"in-process": round(local[name]["seconds"], 1)},
        )
        for name in spark
        if name in local and not name.startswith(("topic model", "store version"))
    ]
    figures.append(
        Figure(
            f"spark local[2] at {papers} papers: whole build (Spark's start included)",
            "s",
            round(runs["spark"]["seconds"], 1),
            {"in-process": round(runs["local"]["seconds"], 1)},
        )
    )
    return figures


def sizes_asked(argv: list[str]) -> tuple[int, ...] | None:
    """The sizes of ``--sizes 1000000,2700000`` (or ``--sizes=...``), if given."""
    chosen = next((a.split("=", 1)[1] for a in argv if a.startswith("--sizes=")), None)
    if "--sizes" in argv[:-1]:
        chosen = argv[argv.index("--sizes") + 1]
    return tuple(int(s) for s in chosen.split(",")) if chosen else None


def run(quick: bool = False, browser: bool = True, sizes: tuple[int, ...] | None = None) -> list[Figure]:
    """The figures of each size (``sizes``: else ``--sizes`` on the command line, else 20,000 papers
    when quick, else 1M and 2.7M)."""
    figures = []
    for n in sizes or sizes_asked(sys.argv) or ((QUICK_SIZE,) if quick else SIZES):
        started = time.perf_counter()
        built, store, k = figures_import_build(n, quick)
        figures += built + figures_serving(store, n, quick, browser) + figures_daily(store, n, k)
        note(f"{n:,} papers: {time.perf_counter() - started:.0f} s in all (load average {load_average()})")
    return figures + figures_spark(quick)


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv, browser="--no-browser" not in sys.argv):
        print(figure.row(), flush=True)
