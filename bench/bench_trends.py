"""Trends benchmark: the term index, one term's monthly series beside DuckDB and pandas, and
the emerging-terms table.

On the real 74,728-paper store and on the 1,000,000-paper mixed store (quick: the 2,000-paper
sample and 3,000 papers mixed from it), each step in its own fresh process:

* the term index is built (its saved artifact deleted first) and saved; then loaded,
  memory-mapped, by a second process;
* one term's series by month, for each of 50 single words (quick: 20) drawn with a fixed
  seed from the index's vocabulary, as many from each of five bands of document frequency
  (log-spaced, from 5 papers to the most frequent word), so that frequent and rare words
  weigh alike.
  Ours = ``trends.series(index, ds.table, periods, [term], "month")`` with the periods
  computed once (the app caches them per dataset).  DuckDB counts per ``date_trunc('month')``
  the papers whose ``lower(title || ' ' || abstract)`` is ``LIKE '%word%'`` (a table loaded
  from the store's Parquet parts); pandas does ``str.contains(word)`` on a title + abstract
  column lower-cased beforehand, grouped by month (at 1M only the first 10 words, which mix
  bands).  Both peers match substrings ("agent" in "reagent", as LIKE does): they count more
  papers than our whole-term matching;
* the emerging-terms table, ``trends.emerging(index, periods)`` with its defaults (median of
  three calls).

(Whether our counts are right is a test's question: tests/test_shared_trends.py checks them
against an independent regex count on the real corpus.)

Goals (issue: trends): p50 <= 5 ms at 1M; the emerging table <= 2 s on the real corpus.

    python bench/bench_trends.py [--quick] [--no-browser]
"""

from __future__ import annotations

import itertools
import json
import random
import re
import sys
import time
from functools import partial
from pathlib import Path

import common
from common import WORK, Figure, fresh_build, goal, in_process, latencies, stores

N_TERMS = 50
N_TERMS_QUICK = 20
BANDS = 5
MIN_PAPERS = 5
PANDAS_LIMIT_1M = 10  # words pandas answers on the 1M store (each scans all the text)
P50_GOAL_MS = 5
EMERGING_GOAL_S = 2.0
_WORD = re.compile(r"[a-z]{3,}")
note = partial(common.note, "trends")


# --- the words: drawn from the term index's vocabulary ------------------------------------
def spellings(term: str) -> list[str]:
    """The plain words our plural stripping maps to ``term`` ("policy" -> policy, policies)."""
    from lib.search.analysis import stem

    candidates = [term, term + "s", term + "es", term[:-1] + "ies" if term.endswith("y") else ""]
    return [w for w in dict.fromkeys(candidates) if w and stem(w) == term]


def draw_terms(index, n: int = N_TERMS, seed: int = 20260701) -> list[dict]:
    """``n`` single words of the index: plain letters, no function word, at least MIN_PAPERS
    papers, mostly written as such (not the joined form of hyphenated words, "inferencetime").
    ``n / BANDS`` from each band of document frequency (topped up from the others when a band
    is short), in random order (so that any first few mix frequent and rare words)."""
    import numpy as np

    from lib.search.analysis import stem
    from lib.trends.trends import function_words

    papers = np.diff(index.all_postings("u")[0])
    stop = function_words()
    eligible = sorted(
        (int(papers[j]), term)
        for j, term in enumerate(index.unigrams)
        if papers[j] >= MIN_PAPERS
        and _WORD.fullmatch(term)
        and term not in stop
        and stem(term) == term
        and index.display[j].lower() in spellings(term)
    )
    edges = np.geomspace(MIN_PAPERS, eligible[-1][0] + 1, BANDS + 1)
    bands = [[e for e in eligible if lo <= e[0] < hi] for lo, hi in itertools.pairwise(edges)]
    rng = random.Random(seed)
    chosen = []
    for band in reversed(bands):  # frequent bands first
        chosen += rng.sample(band, min(len(band), n // BANDS))
    rest = sorted(set(eligible) - set(chosen))
    chosen += rng.sample(rest, min(len(rest), n - len(chosen)))
    rng.shuffle(chosen)
    return [{"term": term, "papers": count} for count, term in chosen]


def _terms(path: str) -> list[dict]:
    return json.loads(Path(path).read_text())


# --- steps: each runs inside its own fresh process --------------------------------------------
def build(store: str) -> dict:
    from lib.trends import terms

    seconds, index = fresh_build(store, terms.ARTIFACT, terms.load_or_build)
    return {"build_s": seconds, "unigrams": len(index.unigrams), "ngrams": len(index.ngrams)}


def ours(store: str, terms_path: str, n_terms: int) -> dict:
    """Load the saved index, draw the words (written to ``terms_path`` for the peers), time
    their series (of all papers, and of the papers on the Hugging Face daily list) and the
    emerging table."""
    from lib.dataset import load
    from lib.store.store import Store
    from lib.trends import terms, trends

    s = Store(store)
    ds = load(s)
    started = time.perf_counter()
    index = terms.load_or_build(s, ds)
    load_s = time.perf_counter() - started
    if index.build_seconds and load_s > 0.5 * index.build_seconds:
        raise RuntimeError("the term index was built, not loaded")
    words = draw_terms(index, n_terms)
    Path(terms_path).write_text(json.dumps(words))
    keys = {w["term"]: terms.TermKey((w["term"],), w["term"]) for w in words}
    periods, on_list = ds.periods("month"), ds.periods("month", "hf")
    timed = latencies(lambda w: len(trends.series(index, ds.table, periods, [keys[w["term"]]], "month")), words)
    on_list_timed = latencies(lambda w: len(trends.series(index, ds.table, on_list, [keys[w["term"]]], "month")), words)
    emerging_s = []
    for _ in range(3):
        started = time.perf_counter()
        rising, _, _ = trends.emerging(index, periods)
        emerging_s.append(time.perf_counter() - started)
    return {
        "papers": index.n_docs,
        "load_s": load_s,
        **timed,
        "src_p50_ms": on_list_timed["p50_ms"],
        "src_papers": int(ds.member("hf").sum()),
        "emerging_s": sorted(emerging_s)[1],
        "emerging_first_s": emerging_s[0],
        "rising": rising["term"].head(5).tolist(),
    }


def duckdb_engine(store: str, terms_path: str) -> dict:
    """Each word's monthly counts: ``LIKE`` over title + abstract, grouped by month."""
    import duckdb

    from lib.store.store import Store

    db = duckdb.connect()
    parts = ", ".join("'" + str(p).replace("'", "''") + "'" for p in Store(store).parquet_files())
    db.execute(f"CREATE TABLE papers AS SELECT date, title, abstract FROM read_parquet([{parts}])")
    query = (  # the words are plain lower-case letters: safe inside SQL literals
        "SELECT date_trunc('month', date) AS m, count(*) FILTER (WHERE lower(title || ' ' || abstract) "
        "LIKE '%{}%') AS n FROM papers GROUP BY m ORDER BY m"
    )
    return latencies(lambda w: len(db.execute(query.format(w["term"])).fetchall()), _terms(terms_path))


def pandas_engine(store: str, terms_path: str, limit: int | None) -> dict:
    from lib.store.store import Store

    frame = Store(store).read_table().select(["title", "abstract", "date"]).to_pandas()
    text = (frame["title"].fillna("") + " " + frame["abstract"].fillna("")).str.lower()
    month = frame["date"].dt.to_period("M")
    del frame
    return latencies(
        lambda w: len(text.str.contains(w["term"], regex=False).groupby(month).sum()), _terms(terms_path), limit
    )


# --- the run ----------------------------------------------------------------------------------
def compare(store: str, n_terms: int, pandas_limit: int | None) -> tuple[dict, dict, dict]:
    """(build, ours, peers) on one store."""
    path = WORK / f"trends-terms-{Path(store).name}.json"
    built = in_process("bench_trends", f"build({store!r})")
    result = in_process("bench_trends", f"ours({store!r}, {str(path)!r}, {n_terms})")
    peers = {}
    for name, call in (
        ("DuckDB LIKE", f"duckdb_engine({store!r}, {str(path)!r})"),
        ("pandas str.contains", f"pandas_engine({store!r}, {str(path)!r}, {pandas_limit})"),
    ):
        try:
            peers[name] = in_process("bench_trends", call)
        except Exception as exc:  # noqa: BLE001 - a peer that fails is reported, never fatal
            lines = str(exc).strip().splitlines()
            note(f"{name} failed; skipped: {lines[0]} {lines[-1] if len(lines) > 1 else ''}")
    words = sorted(_terms(str(path)), key=lambda w: -w["papers"])
    note(
        f"{Path(store).name}: term index {built['unigrams']:,} words, {built['ngrams']:,} n-grams; "
        f"{len(words)} words from {words[0]['term']} ({words[0]['papers']:,} papers) "
        f"to {words[-1]['term']} ({words[-1]['papers']:,}), e.g. " + ", ".join(w["term"] for w in words[5::10])
    )
    for name, r in {"ours": result, **peers}.items():
        note(
            f"{name}: {r['count']} words, p50 {r['p50_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms, "
            f"max {max(r['ms']):.2f} ms, peak {r['peak_mb']:,.0f} MB"
        )
    note(
        f"emerging: {result['emerging_s']:.2f} s (first call {result['emerging_first_s']:.2f} s); "
        f"rising: {', '.join(result['rising'])}"
    )
    return built, result, peers


def figures_for(n: int, built: dict, ours_: dict, peers: dict, large: bool) -> list[Figure]:
    def values(key: str) -> dict:
        def label(name: str) -> str:
            count = peers[name]["count"]
            return f"{name} (first {count} words)" if count < ours_["count"] else name

        return {label(name): round(r[key], 2) for name, r in peers.items()}

    def at_1m(figure: str, ms: float, peers: dict | None = None) -> Figure:  # the p50 goal is the 1M store's
        return (
            goal(figure, "ms", round(ms, 2), P50_GOAL_MS, "", peers)
            if large
            else Figure(figure, "ms", round(ms, 2), peers or {})
        )

    emerging = round(ours_["emerging_s"], 2)
    on_list = f"src=hf ({ours_['src_papers']:,} of {n:,} papers)"
    return [
        Figure(f"term index build, {n:,} papers", "s", round(built["build_s"], 2)),
        Figure(
            f"term index build peak memory, {n:,} papers",
            "MB",
            round(built["peak_mb"]),
            {},
            "(the process holds the table too)",
        ),
        Figure(f"term index load (memory-mapped), {n:,} papers", "s", round(ours_["load_s"], 3)),
        at_1m(f"trend of one word by month p50, {n:,} papers", ours_["p50_ms"], values("p50_ms")),
        Figure(f"trend of one word by month p95, {n:,} papers", "ms", round(ours_["p95_ms"], 2), values("p95_ms")),
        at_1m(f"trend of one word by month p50, {on_list}", ours_["src_p50_ms"]),
        Figure(f"emerging terms table, {n:,} papers", "s", emerging)
        if large
        else goal(f"emerging terms table, {n:,} papers", "s", emerging, EMERGING_GOAL_S),
    ]


def run(quick: bool = False, browser: bool = True) -> list[Figure]:
    """``browser`` is accepted for run.py; the trends page has no browser figure here."""
    figures = []
    built = stores(quick)
    for store, large in ((built["real"], False), (built["large"], True)):
        build_, ours_, peers = compare(
            store, N_TERMS_QUICK if quick else N_TERMS, PANDAS_LIMIT_1M if large and not quick else None
        )
        figures += figures_for(ours_["papers"], build_, ours_, peers, large)
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv, browser="--no-browser" not in sys.argv):
        print(figure.row())
