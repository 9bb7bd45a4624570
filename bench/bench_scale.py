"""Scale benchmark: one million papers.

On the 1,000,000-paper mixed store (quick: 3,000 papers mixed from the 2,000-paper sample), on a
private copy of its table's files (the shared store is never written):

1. full build: in ONE fresh process, as the app does on first use of a new store version,
   the table (its Parquet parts decoded, their Arrow copies written), ``lib.search.index.load_or_build``,
   ``lib.trends.terms.load_or_build`` and ``lib.topics.topics.load_or_fit`` with the automatic k: each
   step's seconds, the total, and the process's peak memory (VmHWM);
2. cold start: seconds from the start of the server (the browser tests' ``Server``, so
   including Streamlit's own start) to the home page's first card title in a fresh browser,
   the median of 3 fresh servers (quick: 1);
3. memory: the server's resident memory (VmRSS of the process tree) once one session has
   opened the home, search (a query), trends (default terms) and topics pages, moving
   between them with the top navigation as a reader does; then the memory each further
   session adds (5 more sessions, each its own browser context doing the same);
4. daily update: one new day of 100 papers (new ids, the day after the store's last; titles
   and abstracts made of real ones, each title naming a word no other paper has) imported
   with ``python -m lib import`` into a copy of the built store; then, in a fresh process,
   the new papers must be found by ``lib.search.search`` on that word, counted by
   ``lib.trends.trends.series`` on their day and (when the build fitted topics) placed in the topic
   model the import carried over (pass/fail in the goal text);
5. interaction on a warm server, one session: Enter in the search box -> the expected first
   result (computed with lib beforehand); Enter in the trends box -> the chart's legend shows
   the new terms; a click on a related topic's link -> that topic's header: p50 and p95 of 20
   actions each (quick: 1), after one warm-up action.

Many teammates at once (20 browser sessions) are bench_team.py's (``bench/run.py --team``).

Goals (issue: scale): cold start <= 5 s; server <= 4 GB at 1M and <= 50 MB per added
session; daily import <= 10 s; p95 <= 1.5 s per interaction at 1M; (issue 20) the full build's
topic fit, fine topics and areas, <= 15 minutes at 1M.

    python bench/bench_scale.py [--quick] [--no-browser] [--keep-build]

``--keep-build`` (or BENCH_KEEP_BUILD=1, e.g. under ``bench/run.py --only=scale``): reuse the
1M copy built by an earlier run, so its step-1 figures say "loaded" instead of measuring a build.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import common
from common import (
    BOX,
    DONE,
    FIRST_CARD,
    NAV,
    ROOT,
    TIMEOUT_MS,
    URL_HAS,
    VIEWPORT,
    WORK,
    Figure,
    chromium,
    copy_store,
    enter_searches,
    goal,
    in_process,
    load_average,
    percentile,
    retire,
    stores,
)

COLD_GOAL_S = 5.0
SERVER_GOAL_MB = 4096
SESSION_GOAL_MB = 50
IMPORT_GOAL_S = 10.0
ACTION_GOAL_S = 1.5
TOPICS_GOAL_S = 15 * 60  # the full build's topic fit, both levels (issue 20)
NEW_PAPERS = 100
NEW_WORD = "Quillstrand"  # no paper of the stores says it: the new day's papers are found by it
DEFAULT_TERMS = "agent, diffusion, reinforcement learning"  # lib.urlstate.TRENDS's default
SEED = 20260701

# --- what the pages show ---------------------------------------------------------------------
HEADER = "[data-testid=stMainBlockContainer] h2"  # one topic's label
RELATED = "[data-testid=stPageLink] a[href*='topic=']"
LEGEND_SHOWS = (
    "([want, gone]) => { const texts = new Set([...document.querySelectorAll("
    "'[data-testid=stVegaLiteChart] svg text')].map(t => t.textContent));"
    " return want.every(w => texts.has(w)) && !gone.some(w => texts.has(w)); }"
)
HEADER_IS = f"([want]) => document.querySelector({HEADER!r})?.innerText.trim() === want"
SNAPSHOT = """() => {
  const box = document.querySelector('[data-testid=stTextInput] input');
  const link = document.querySelector('[data-testid=stPageLink] a');
  return {path: location.pathname, params: Object.fromEntries(new URLSearchParams(location.search)),
          box: box ? box.value : null, first: link ? link.innerText.trim() : null,
          texts: [...document.querySelectorAll('[data-testid=stVegaLiteChart] svg text')].map(t => t.textContent)};
}"""
note = partial(common.note, "scale")


def _hwm_mb() -> float:
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM:")).split()[1]) / 1024


def _dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc/PID/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return found


def rss_mb(pid: int, tree: bool = True) -> dict[str, float]:
    """Resident memory (MB) of a process and its descendants (``tree``; else its own), from /proc/PID/status:
    ``rss`` (VmRSS), split into ``anon`` (RssAnon: its own heap) and ``file`` (RssFile:
    pages of mapped files, shared with the page cache), and ``hwm`` (VmHWM, the peak;
    summed over the processes)."""
    keys = {"VmRSS": "rss", "RssAnon": "anon", "RssFile": "file", "RssShmem": "shmem", "VmHWM": "hwm"}
    total = dict.fromkeys(keys.values(), 0.0)
    for each in process_tree(pid) if tree else [pid]:
        try:
            lines = Path(f"/proc/{each}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            name, _, value = line.partition(":")
            if name in keys:
                total[keys[name]] += int(value.split()[0]) / 1024
    return total


# --- steps: each runs inside its own fresh process ---------------------------------------------
def full_build(store: str, fit_topics: bool = True) -> dict:
    """Everything the app builds for a new store version, in one process: seconds and peak
    memory so far (VmHWM) after each step, and whether the step built its artifact or
    found it saved (a quick run keeps its build directory)."""
    from lib.dataset import load
    from lib.search import index
    from lib.store.store import Store
    from lib.topics import topics
    from lib.trends import terms

    s = Store(store)
    steps: dict[str, float] = {}
    peaks: dict[str, float] = {}
    built: dict[str, bool] = {}
    version = s.version()
    k = None

    def saved(name: str) -> bool:
        if name == "table":  # each part's Arrow copy
            return all(s.arrow_copy(part).is_file() for part in s.parquet_files())
        return any(s.artifacts_dir.glob(f"{name}-{version}*"))

    def step(name: str, artifact: str, make):
        built[name] = not saved(artifact)
        started = time.perf_counter()
        made = make()
        steps[name] = time.perf_counter() - started
        peaks[name] = _hwm_mb()
        return made

    ds = step("table", "table", lambda: load(s))
    step("search", index.ARTIFACT, lambda: index.load_or_build(s, ds))
    term_index = step("terms", terms.ARTIFACT, lambda: terms.load_or_build(s, ds))
    k = topics.auto_k(ds.table.num_rows)  # = the page's automatic k (overview.papers is the row count)
    if fit_topics:
        step("topics", f"{topics.ARTIFACT}-k{k}", lambda: topics.load_or_fit(s, ds, term_index, k))
    return {
        "papers": ds.table.num_rows,
        "k": k,
        "areas": topics.auto_areas(k),
        "steps": steps,
        "peaks": peaks,
        "built": built,
        "artifacts_mb": {
            p.name.split("-")[0]: _dir_mb(p) if p.is_dir() else p.stat().st_size / 2**20
            for p in s.artifacts_dir.iterdir()
            if not p.name.startswith(".")
        },
    }


def plan(store: str, queries: int, term_sets: int, seed: int = SEED, labels: bool = False) -> dict:
    """What the browser types and must then see, computed with lib: ``queries`` searches of
    2-3 distinctive words of a real title, each with its first result's title (all different,
    plain text); ``term_sets`` pairs of topic words for trends (all different); with
    ``labels``, the topic model's labels (automatic k)."""
    import bench_search
    import numpy as np

    from lib.dataset import load
    from lib.search import index
    from lib.search.analysis import phrase_terms
    from lib.store.store import Store
    from lib.topics import topics
    from lib.trends import terms, trends

    s = Store(store)
    ds = load(s)
    found = bench_search.first_results(ds, index.load_or_build(s, ds), queries, seed)
    term_index = terms.load_or_build(s, ds)
    indptr, _ = term_index.all_postings("u")
    papers = np.diff(np.asarray(indptr))
    n = term_index.n_docs
    defaults = {w.strip() for w in re.split(r"[, ]+", DEFAULT_TERMS)}
    words = []
    for j in np.flatnonzero((papers >= max(3, 0.002 * n)) & (papers <= 0.05 * n)):
        stem_, shown = term_index.unigrams[j], term_index.display[j]
        if (
            re.fullmatch(r"[a-z]{4,14}", shown)
            and shown not in defaults
            and tuple(phrase_terms(shown)) == (stem_,)
            and trends.is_topic_term(stem_, term_index)
        ):
            words.append(shown)
    rng = random.Random(seed)
    words.sort()
    rng.shuffle(words)
    if len(words) < 2 * term_sets:
        raise RuntimeError(f"{store}: only {len(words)} words for the browser")
    result = {
        "papers": ds.table.num_rows,
        "queries": found,
        "terms": [words[2 * i : 2 * i + 2] for i in range(term_sets)],
    }
    if labels:
        k = topics.auto_k(ds.overview.papers)
        model = topics.load_or_fit(s, ds, term_index, k)
        # by topic id (the pages' and links'), as strings (JSON keys)
        result["labels"] = {str(i): label for i, label in zip(model.ids_, model.labels_)}
        result["related"] = {str(i): [int(t) for t in model.related(row)["topic"]] for row, i in enumerate(model.ids_)}
        result["first"] = int(model.ids_[0])
    return result


def new_day(store: str, path: str, papers: int = NEW_PAPERS, word: str = NEW_WORD) -> dict:
    """A JSON Lines file of ``papers`` new papers on the day after the store's last day: new ids, titles "WORD: second half of a real title", abstracts of 4-9 real
    sentences, real authors and categories.  The word must be in no paper yet."""
    import datetime as dt

    import pyarrow.compute as pc

    from lib.dataset import load
    from lib.search.analysis import stem
    from lib.store.store import Store
    from lib.trends import terms

    s = Store(store)
    ds = load(s)
    table = ds.table
    known = terms.load_or_build(s, ds).papers(stem(word.lower()))
    if known:
        raise RuntimeError(f"{word!r} is already in {known} papers: not a new word")
    last = pc.max(table["date"]).as_py()
    last = last.date() if isinstance(last, dt.datetime) else last
    day = last + dt.timedelta(days=1)
    rng = random.Random(SEED + 1)
    sample = rng.sample(range(table.num_rows), min(20_000, table.num_rows))
    rows = table.select(["title", "abstract", "authors", "categories"]).take(sample).to_pylist()
    sentences = [t for r in rows for t in re.split(r"(?<=[.!?])\s+(?=[A-Z])", r["abstract"] or "") if 20 < len(t) < 400]
    ids = set(table["id"].to_pylist())
    prefix = f"{day.year % 100:02d}{day.month:02d}."
    number = 1 + max(
        (int(i[len(prefix) :]) for i in ids if i.startswith(prefix) and i[len(prefix) :].isdigit()), default=0
    )
    made = []
    with open(path, "w", encoding="utf-8") as out:
        for i in range(papers):
            paper_id = f"{prefix}{number + i:05d}"
            assert paper_id not in ids
            other = rng.choice(rows)["title"]
            words = other.split()
            tail = other.split(":", 1)[1].strip() if ":" in other else " ".join(words[len(words) // 2 :])
            source = rng.choice(rows)
            abstract = " ".join(rng.choice(sentences) for _ in range(rng.randint(4, 9)))
            paper = {"id": paper_id, "title": f"{word}: {tail}", "abstract": abstract, "authors": source["authors"]}
            paper |= {"categories": source["categories"], "date": day.isoformat(), "published": day.isoformat()}
            out.write(json.dumps(paper) + "\n")
            made.append(paper_id)
    return {"day": day.isoformat(), "last_day": last.isoformat(), "ids": made, "papers": table.num_rows}


def check_new_day(store: str, word: str, day: str, ids: list[str]) -> dict:
    """Are the new papers found by search and counted by trends (loading the indexes as the
    app does: the previous version's plus a segment, if the import extended them)?"""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from lib.dataset import load
    from lib.search import index
    from lib.search.search import search
    from lib.store.store import Store
    from lib.topics import topics
    from lib.trends import terms, trends

    s = Store(store)
    ds = load(s)
    started = time.perf_counter()
    search_index = index.load_or_build(s, ds)
    term_index = terms.load_or_build(s, ds)
    load_s = time.perf_counter() - started
    result = search(search_index, ds.search_columns, word.lower())
    rows = result.rows
    found = set(ds.table["id"].take(rows).to_pylist())
    keys, _ = trends.parse_terms(word.lower(), term_index)
    tidy = trends.series(term_index, ds.table, ds.periods("day"), keys, "day", "count")
    on_day = int(tidy.loc[tidy["period"] == pd.Timestamp(day), "count"].sum())
    k = topics.auto_k(ds.overview.papers)
    saved = topics.is_saved(s, ds, k)  # (never fitted here: at 1M a fit takes minutes)
    placed = 0
    if saved:
        model = topics.load_or_fit(s, ds, term_index, k)
        new_rows = np.flatnonzero(pc.is_in(ds.table["id"], value_set=pa.array(ids)).to_numpy(zero_copy_only=False))
        placed = int((model.dominant_[new_rows] >= 0).sum())
    return {
        "search_total": result.total,
        "found_new": len(found & set(ids)),
        "found_other": len(found - set(ids)),
        "trend_on_day": on_day,
        "trend_total": int(tidy["count"].sum()),
        "load_s": load_s,
        "search_segments": len(getattr(search_index, "parts", [0])),  # a whole index is one
        "term_segments": len(getattr(term_index, "parts", [0])),
        "topics_saved": saved,
        "placed_in_topics": placed,
        "version": ds.version,
        "papers": ds.table.num_rows,
    }


# --- 1. the full build ----------------------------------------------------------------------------
def figure_full_build(
    source: Path, quick: bool, fit_topics: bool = True, keep: bool = False
) -> tuple[list[Figure], Path, int]:
    """Figure 1.  Full run: on a fresh copy of the table, so every step builds.  Quick (or
    ``--keep-build``): the copy is kept between runs, so a step that finds its artifact only
    loads it (labelled "loaded")."""
    from lib.store.store import Store

    name = f"scale-build-{source.name}"
    store = WORK / name
    keep = quick or keep
    if keep and Store(store).exists():
        Store(store).migrate()  # a build kept from before the table was cut in parts: same version, in parts
    if not keep or not Store(store).exists() or Store(store).version() != Store(source).version():
        store = copy_store(source, name)
    note(f"full build: {store}/papers (a copy of {source}'s table) (load average {load_average()})")
    r = in_process("bench_scale", f"full_build({str(store)!r}, {fit_topics})", timeout=4 * 3600)
    n, steps, peaks, built = r["papers"], r["steps"], r["peaks"], r["built"]
    note(
        "full build: "
        + ", ".join(
            f"{name} {steps[name]:.1f} s ({'built' if built[name] else 'loaded'}; peak so far {peaks[name]:,.0f} MB)"
            for name in steps
        )
        + "; on disk: "
        + ", ".join(f"{name} {mb:,.0f} MB" for name, mb in sorted(r["artifacts_mb"].items()))
        + ("" if fit_topics else "; no topic model (not needed without a browser)")
        + f" (load average {load_average()})"
    )
    names = {
        "table": "load the table (Parquet parts -> Arrow copies)",
        "search": "lib.search.index.load_or_build",
        "terms": "lib.trends.terms.load_or_build",
        "topics": f"lib.topics.topics.load_or_fit (auto k={r['k']} topics, {r['areas']} areas)",
    }
    figures = [
        goal(f"full build {n:,}: {names[name]}", "s", round(seconds, 1), TOPICS_GOAL_S, " (both levels)")
        if name == "topics" and built[name]
        else Figure(f"full build {n:,}: {names[name]}{'' if built[name] else ' (loaded)'}", "s", round(seconds, 1))
        for name, seconds in steps.items()
    ]
    figures.append(Figure(f"full build {n:,}: total (one process)", "s", round(sum(steps.values()), 1)))
    after = "(after: " + ", ".join(f"{name} {mb:,.0f}" for name, mb in peaks.items()) + " MB)"
    figures.append(Figure(f"full build {n:,}: peak memory (VmHWM)", "MB", round(r["peak_mb"]), {}, after))
    return figures, store, n


# --- the app in a browser -----------------------------------------------------------------------
def _go(page, name: str, path: str) -> None:
    """Open page ``name`` with the top navigation (one session: no reload) and wait for its run."""
    page.locator(NAV, has_text=name).click()
    page.wait_for_url(f"**/{path}", timeout=TIMEOUT_MS)
    _wait(page, DONE, what="the run to end")


def _visit(page, url: str, query: str, on_home: bool = False) -> None:
    """One reader: home, a search, trends (default terms), topics; by the top navigation."""
    if not on_home:
        page.goto(f"{url}/")
        page.locator(FIRST_CARD).first.wait_for(timeout=TIMEOUT_MS)
    _wait(page, DONE, what="the run to end")
    _go(page, "Search", "search")
    box = page.locator(BOX)
    box.fill(query)
    box.press("Enter")
    _wait(page, URL_HAS, ["q", query], "URL_HAS")
    _wait(page, DONE, what="the run to end")
    _go(page, "Trends", "trends")
    _wait(page, LEGEND_SHOWS, [["agent", "diffusion"], []], "the default legend")
    _go(page, "Topics", "topics")
    page.get_by_role("heading", name="Areas", exact=True).wait_for(timeout=TIMEOUT_MS)  # the page opens on the areas
    page.locator("[data-testid=stVegaLiteChart]").first.wait_for(timeout=TIMEOUT_MS)
    _wait(page, DONE, what="the run to end")


def _wait(page, condition: str, arg=None, what: str = "") -> None:
    """``page.wait_for_function``; on a timeout, an error that says what the page showed."""
    try:
        page.wait_for_function(condition, arg=arg, timeout=TIMEOUT_MS)
    except Exception as exc:  # noqa: BLE001 - re-raised with the page's state
        try:
            shown = page.evaluate(SNAPSHOT)
            shown["header"] = page.evaluate(f"() => document.querySelector({HEADER!r})?.innerText")
        except Exception:  # noqa: BLE001
            shown = "?"
        raise RuntimeError(
            f"browser: waiting for {what or condition} ({arg!r}): {type(exc).__name__}; the page shows {shown}"
        ) from None


def figure_cold_start(store: Path, browser, n: int, starts: int = 3):
    """(figure, server, the page showing home): from the server's start to the first card,
    the median of ``starts`` fresh servers (one start is at the mercy of a busy moment of the
    machine); the last server goes on for the next figures."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import Server

    note(f"cold start (load average {load_average()})")
    times = []
    for i in range(starts):
        started = time.perf_counter()
        server = Server(store)
        healthy = time.perf_counter() - started
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.goto(f"{server.url}/")
            page.locator(FIRST_CARD).first.wait_for(timeout=TIMEOUT_MS)
            times.append(time.perf_counter() - started)
        except BaseException:
            server.stop()
            raise
        note(
            f"cold start {i + 1}: server healthy after {healthy:.1f} s, first card after {times[-1]:.1f} s; "
            f"server RSS then {rss_mb(server.proc.pid)['rss']:,.0f} MB"
        )
        if i < starts - 1:
            page.context.close()
            server.stop()
    each = ", ".join(f"{t:.2f}" for t in times)
    figure = goal(f"cold start -> home's first card, {n:,} papers", "s", round(percentile(times, 50), 2), COLD_GOAL_S)
    figure.goal += f" (median of {starts} starts: {each} s)"
    return figure, server, page


def figure_memory(server, browser, page, query: str, extra: int, n: int, settle: float) -> list[Figure]:
    """The server's RSS after one reader's tour, then the RSS each further reader adds (each
    read ``settle`` seconds after the last page's run)."""
    _visit(page, server.url, query, on_home=True)
    time.sleep(settle)
    one = rss_mb(server.proc.pid)
    contexts = []
    for _ in range(extra):
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        _visit(context.new_page(), server.url, query)
    time.sleep(settle)
    more = rss_mb(server.proc.pid)
    for context in contexts:
        context.close()
    added = (more["rss"] - one["rss"]) / extra
    note(
        f"memory: one session {one['rss']:,.0f} MB (anon {one['anon']:,.0f}, mapped files {one['file']:,.0f}); "
        f"{1 + extra} sessions {more['rss']:,.0f} MB (anon {more['anon']:,.0f}, files {more['file']:,.0f}); "
        f"peak (VmHWM) {more['hwm']:,.0f} MB; per added session: anon "
        f"{(more['anon'] - one['anon']) / extra:,.1f} MB, files {(more['file'] - one['file']) / extra:,.1f} MB "
        f"(load average {load_average()})"
    )
    private = (more["anon"] - one["anon"]) / extra
    shared = (more["file"] - one["file"]) / extra
    return [
        goal(f"server RSS after one session's 4 pages, {n:,} papers", "MB", round(one["rss"]), SERVER_GOAL_MB),
        goal(f"server peak memory (VmHWM) over those sessions, {n:,} papers", "MB", round(more["hwm"]), SERVER_GOAL_MB),
        # A session's own memory is the server's private (anonymous) memory it adds.  Pages of
        # the memory-mapped artifacts (RssFile) are the page cache, shared by every session and
        # process and bounded by the artifacts' size on disk: a further reader's queries touch
        # pages no one touched before, which shows as RSS without being a copy.
        goal(
            f"private memory added per further session ({extra} sessions)",
            "MB",
            round(private, 1),
            SESSION_GOAL_MB,
            f" (mapped artifact pages: +{shared:,.0f} MB/session, shared, bounded by the artifacts on disk)",
            {"RSS (incl. shared mapped pages)": round(added, 1)},
        ),
    ]


def _times(label: str, seconds: list[float], n: int) -> list[Figure]:
    note(f"{label}: " + ", ".join(f"{s:.2f}" for s in seconds) + " s")
    p50, p95 = round(percentile(seconds, 50), 2), round(percentile(seconds, 95), 2)
    actions = f" ({len(seconds)} actions)"
    return [
        Figure(f"{label} p50, {n:,} papers", "s", p50),
        goal(f"{label} p95, {n:,} papers", "s", p95, ACTION_GOAL_S, actions),
    ]


def figure_interaction(server, page, steps: dict, n: int) -> list[Figure]:
    """One session (``page``) on a warm server: searches, trend terms, topic switches; the
    first of each is a warm-up, not counted."""
    note(f"interaction (load average {load_average()})")
    url = server.url
    trended, switched, settled = [], [], []
    _go(page, "Search", "search")  # the top navigation: no reload of the app
    searched = enter_searches(page, steps["queries"])

    _go(page, "Trends", "trends")
    shown = ["agent", "diffusion", "reinforcement learning"]
    _wait(page, LEGEND_SHOWS, [shown, []], "the default legend")
    _wait(page, DONE, what="the run to end")
    box = page.locator(BOX)
    for i, words in enumerate(steps["terms"]):
        text = ", ".join(words)
        box.fill(text)
        started = time.perf_counter()
        box.press("Enter")
        _wait(page, LEGEND_SHOWS, [words, shown], "LEGEND_SHOWS")
        drawn = time.perf_counter() - started
        _wait(page, URL_HAS, ["terms", text], "URL_HAS")
        _wait(page, DONE, what="the run to end")
        if i:
            trended.append(drawn)
            settled.append(time.perf_counter() - started)
        shown = words

    labels, first = steps["labels"], steps["first"]
    page.goto(f"{url}/topics?topic={first}")
    _wait(page, HEADER_IS, [labels[str(first)]], f"topic {first}'s header")
    _wait(page, DONE, what="the run to end")
    visited, path, stale = {first}, [first], []
    shows_related = (
        f"(want) => JSON.stringify([...document.querySelectorAll({RELATED!r})]"
        ".map(a => +new URLSearchParams(a.href.split('?')[1]).get('topic'))) === JSON.stringify(want)"
    )
    for i in range(len(steps["queries"])):
        # the links of this topic, not those left from the previous run (Streamlit keeps them
        # on screen until the new run replaces them)
        targets = steps["related"][str(path[-1])]
        _wait(page, shows_related, targets, f"topic {path[-1]}'s related topics")
        links = page.locator(RELATED)
        j = next((j for j, t in enumerate(targets) if t not in visited), 0)
        topic = targets[j]
        started = time.perf_counter()
        links.nth(j).click()
        _wait(page, HEADER_IS, [labels[str(topic)]], f"topic {topic}'s header")
        if i:
            switched.append(time.perf_counter() - started)
        visited.add(topic)
        path.append(topic)
        _wait(page, DONE, what="the run to end")
        try:  # the address bar should name the topic on screen (the run writes it at its end)
            page.wait_for_function(URL_HAS, arg=["topic", str(topic)], timeout=5_000)
        except Exception:  # noqa: BLE001 - reported below
            shown = page.evaluate("() => new URLSearchParams(location.search).get('topic')")
            stale.append(f"topic {topic} shown, address bar topic={shown}")
    note(
        "interaction: trends, Enter -> the run's end (the emerging-terms tables after the chart): "
        + ", ".join(f"{s:.2f}" for s in settled)
        + f" s; topics visited: {path}"
    )
    if stale:
        note(
            f"interaction: PROBLEM: after {len(stale)} of {len(path) - 1} related-topic clicks the address bar "
            f"still named an earlier topic (a reload or a copied address shows the wrong topic), e.g. {stale[:3]}"
        )
    return (
        _times("search, Enter -> expected first result", searched, n)
        + _times("trends, Enter -> legend of the new terms", trended, n)
        + _times("topics, related-topic click -> its header", switched, n)
    )


def browser_figures(store: Path, n: int, quick: bool) -> list[Figure]:
    """Figures 2, 3 and 5: one server on the built store."""
    actions = 1 if quick else 20  # a p95 of 10 actions was their slowest but one
    steps = in_process("bench_scale", f"plan({str(store)!r}, {actions + 1}, {actions + 1}, labels=True)", timeout=3600)
    note(f"browser plan computed with lib in {steps['seconds']:.1f} s (peak {steps['peak_mb']:,.0f} MB)")
    figures = []
    with chromium() as browser:
        cold, server, page = figure_cold_start(store, browser, n, starts=1 if quick else 3)
        try:
            figures.append(cold)
            figures += figure_memory(
                server, browser, page, steps["queries"][0][0], 1 if quick else 5, n, settle=0.25 if quick else 1.0
            )
            figures += figure_interaction(server, page, steps, n)  # the first reader goes on
            page.context.close()
        finally:
            retire(server)
    return figures


# --- 4. the daily update ------------------------------------------------------------------------
def figure_daily_update(built: Path, with_topics: bool) -> list[Figure]:
    """Figure 4 (``with_topics``: the build fitted a topic model, which the import must carry over)."""
    store = copy_store(built, f"scale-daily-{built.name}", artifacts=True)
    day_file = store.parent / f"{store.name}-new-day.jsonl"
    made = in_process("bench_scale", f"new_day({str(store)!r}, {str(day_file)!r})")
    note(
        f"daily update: {len(made['ids'])} papers on {made['day']} (the store's last day {made['last_day']}), "
        f"ids {made['ids'][0]}..{made['ids'][-1]} (load average {load_average()})"
    )
    command = [sys.executable, "-m", "lib", "import", "--data", str(store), str(day_file)]
    timer = ["/usr/bin/time", "-f", "maxrss_kb=%M"] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    done = subprocess.run(timer + command, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"import failed ({done.returncode}): {done.stderr[-2000:]}")
    peak = re.search(r"maxrss_kb=(\d+)", done.stderr)
    note(
        f"daily update: `python -m lib import` {seconds:.2f} s"
        + (f", peak {int(peak.group(1)) / 1024:,.0f} MB" if peak else "")
        + f": {done.stdout.strip()[-300:]!r}"
    )
    checked = in_process(
        "bench_scale", f"check_new_day({str(store)!r}, {NEW_WORD!r}, {made['day']!r}, {made['ids']!r})"
    )
    n = len(made["ids"])
    ok = (
        checked["search_total"] == n
        and checked["found_new"] == n
        and checked["found_other"] == 0
        and checked["trend_on_day"] == n
        and checked["trend_total"] == n
    )
    topics_ok = checked["topics_saved"] and checked["placed_in_topics"] == n  # when the build fitted topics
    note(
        f"daily update check (fresh process, {checked['seconds']:.1f} s; indexes loaded in {checked['load_s']:.2f} s: "
        f"search {checked['search_segments']} segment(s), terms {checked['term_segments']}): search "
        f"{NEW_WORD.lower()!r} -> {checked['search_total']} results, {checked['found_new']} of the new papers, "
        f"{checked['found_other']} others; trends series -> {checked['trend_on_day']} on {made['day']}, "
        f"{checked['trend_total']} in all; topic model carried over to the new version: {checked['topics_saved']}, "
        f"{checked['placed_in_topics']} of the new papers placed in its topics"
    )
    what = "found by search, counted by trends" + (" and placed in topics" if with_topics else "")
    ok = ok and (topics_ok or not with_topics)
    verdict = f"{what}: {'pass' if ok else 'FAIL'}"
    figure = goal(
        f"daily import of {n} papers into {made['papers']:,} (python -m lib import)",
        "s",
        round(seconds, 2),
        IMPORT_GOAL_S,
        f"; {verdict}",
    )
    figure.met = figure.met and ok
    return [figure]


# --- the run ---------------------------------------------------------------------------------------
def run(quick: bool = False, browser: bool = True, keep_build: bool | None = None) -> list[Figure]:
    if keep_build is None:
        keep_build = "--keep-build" in sys.argv or os.environ.get("BENCH_KEEP_BUILD") == "1"
    note(f"load average at the start {load_average()}")
    started = time.perf_counter()

    def timed(label: str, make):
        began = time.perf_counter()
        made = make()
        note(f"({label}: {time.perf_counter() - began:.0f} s; load average {load_average()})")
        return made

    built = timed("stores", lambda: stores(quick))
    build_figures, store, n = timed(
        "1. full build", lambda: figure_full_build(Path(built["large"]), quick, browser, keep_build)
    )
    app = timed("2, 3, 5. the app on the large store", lambda: browser_figures(store, n, quick)) if browser else []
    daily = timed("4. daily update", lambda: figure_daily_update(store, with_topics=browser))
    note(f"load average at the end {load_average()}; {time.perf_counter() - started:.0f} s in all")
    return build_figures + app[:4] + daily + app[4:]


if __name__ == "__main__":
    started = time.perf_counter()
    for figure in run(quick="--quick" in sys.argv, browser="--no-browser" not in sys.argv):
        print(figure.row(), flush=True)
    print(f"  (bench_scale: {time.perf_counter() - started:.0f} s)")
