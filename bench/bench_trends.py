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

On the real store, our monthly counts of three frequent words are checked against DuckDB
counting a whole-word regex over title, abstract and keywords: every spelling that our
plural stripping maps to the word, between non-letters-or-digits as our tokens are
(``\\b`` would differ: it does not split ``deep_tv``, a token break for us).

Goals (issue: trends): p50 <= 5 ms at 1M; the emerging table <= 2 s on the real corpus.

    python bench/bench_trends.py [--quick] [--no-browser]
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import ROOT, WORK, Figure, fresh_build, in_process, stores  # noqa: E402

sys.path.insert(0, str(ROOT))

N_TERMS = 50
N_TERMS_QUICK = 20
BANDS = 5
MIN_PAPERS = 5
CHECKED = 3  # words whose counts are checked against DuckDB's whole-word regex (real store)
PANDAS_LIMIT_1M = 10  # words pandas answers on the 1M store (each scans all the text)
P50_GOAL_MS = 5
EMERGING_GOAL_S = 2.0
_WORD = re.compile(r"[a-z]{3,}")


def note(text: str) -> None:
    print(f"  trends: {text}", file=sys.stderr, flush=True)


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
    is short), in random order (so that any first few mix frequent and rare words); the most
    frequent word drawn in each of the top CHECKED bands is marked for the regex check."""
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
    bands = [[e for e in eligible if lo <= e[0] < hi] for lo, hi in zip(edges[:-1], edges[1:])]
    rng = random.Random(seed)
    chosen, checked = [], set()
    for band in reversed(bands):  # frequent bands first
        picked = rng.sample(band, min(len(band), n // BANDS))
        chosen += picked
        if picked and len(checked) < CHECKED:
            checked.add(max(picked)[1])
    rest = sorted(set(eligible) - set(chosen))
    chosen += rng.sample(rest, min(len(rest), n - len(chosen)))
    rng.shuffle(chosen)
    return [
        {"term": term, "papers": count, "spellings": spellings(term), "check": term in checked}
        for count, term in chosen
    ]


def _terms(path: str) -> list[dict]:
    return json.loads(Path(path).read_text())


def _timed(run, terms: list[dict]) -> dict:
    """Latency of each term (ms), after one warm-up; p50 and p95."""
    import numpy as np

    run(terms[0])
    ms = []
    for term in terms:
        started = time.perf_counter()
        run(term)
        ms.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "ms": ms,
        "terms": len(terms),
    }


# --- steps: each runs inside its own fresh process --------------------------------------------
def build(store: str) -> dict:
    from lib.trends import terms

    seconds, index = fresh_build(store, terms.ARTIFACT, terms.load_or_build)
    return {"build_s": seconds, "unigrams": len(index.unigrams), "ngrams": len(index.ngrams)}


def ours(store: str, terms_path: str, n_terms: int) -> dict:
    """Load the saved index, draw the words (written to ``terms_path`` for the peers), time
    their series and the emerging table; monthly counts of the words to check."""
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
    periods = ds.periods("month")
    keys = {w["term"]: terms.TermKey((w["term"],), w["term"]) for w in words}

    def run(word):
        return trends.series(index, ds.table, periods, [keys[word["term"]]], "month")

    timed = _timed(run, words)
    on_list = ds.periods("month", "hf")  # a source filter: the papers on the Hugging Face daily list

    def run_on_list(word):
        return trends.series(index, ds.table, on_list, [keys[word["term"]]], "month")

    timed_src = _timed(run_on_list, words)
    checked = {}
    for word in words:
        if word["check"]:
            frame = run(word)
            checked[word["term"]] = {str(p)[:7]: int(c) for p, c in zip(frame["period"], frame["count"]) if c}
    emerging_s = []
    for _ in range(3):
        started = time.perf_counter()
        rising, fading, _ = trends.emerging(index, periods)
        emerging_s.append(time.perf_counter() - started)
    return {
        "papers": index.n_docs,
        "load_s": load_s,
        **timed,
        "src_p50_ms": timed_src["p50_ms"],
        "src_p95_ms": timed_src["p95_ms"],
        "src_papers": int(ds.member("hf").sum()),
        "checked": checked,
        "emerging_s": sorted(emerging_s)[1],
        "emerging_first_s": emerging_s[0],
        "rising": rising["term"].head(5).tolist(),
    }


def _duckdb(store: str):
    import duckdb

    from lib.store.store import Store

    db = duckdb.connect()
    parts = ", ".join("'" + str(p).replace("'", "''") + "'" for p in Store(store).parquet_files())
    db.execute(f"CREATE TABLE papers AS SELECT date, title, abstract, keywords FROM read_parquet([{parts}])")
    return db


def _monthly(db, condition: str) -> dict[str, int]:
    rows = db.execute(
        f"SELECT date_trunc('month', date) AS m, count(*) FILTER (WHERE {condition}) AS n "
        "FROM papers GROUP BY m ORDER BY m"
    ).fetchall()
    return {str(m)[:7]: int(n) for m, n in rows}


def duckdb_engine(store: str, terms_path: str, check: bool) -> dict:
    """Each word's monthly counts by LIKE; with ``check``, those of the words to check by a
    whole-word regex too."""
    db = _duckdb(store)
    words = _terms(terms_path)  # plain lower-case letters: safe inside SQL literals
    timed = _timed(lambda w: _monthly(db, f"lower(title || ' ' || abstract) LIKE '%{w['term']}%'"), words)
    text = "lower(concat_ws(' ', title, abstract, array_to_string(keywords, ' ; ')))"
    checked = {}
    for word in words:
        if check and word["check"]:
            pattern = r"(?:^|[^\p{L}\p{N}])(?:" + "|".join(word["spellings"]) + r")(?:$|[^\p{L}\p{N}])"
            checked[word["term"]] = {m: n for m, n in _monthly(db, f"regexp_matches({text}, '{pattern}')").items() if n}
    return {**timed, "checked": checked}


def pandas_engine(store: str, terms_path: str, limit: int | None) -> dict:
    from lib.store.store import Store

    frame = Store(store).read_table().select(["title", "abstract", "date"]).to_pandas()
    text = (frame["title"].fillna("") + " " + frame["abstract"].fillna("")).str.lower()
    month = frame["date"].dt.to_period("M")
    del frame

    def run(word):
        return text.str.contains(word["term"], regex=False).groupby(month).sum()

    return _timed(run, _terms(terms_path)[:limit])


# --- the run ----------------------------------------------------------------------------------
def compare(store: str, n_terms: int, pandas_limit: int | None, check: bool) -> tuple[dict, dict, dict]:
    """(build, ours, peers) on one store."""
    path = WORK / f"trends-terms-{Path(store).name}.json"
    built = in_process("bench_trends", f"build({store!r})")
    result = in_process("bench_trends", f"ours({store!r}, {str(path)!r}, {n_terms})")
    peers = {}
    for name, call in (
        ("DuckDB LIKE", f"duckdb_engine({store!r}, {str(path)!r}, {check})"),
        ("pandas str.contains", f"pandas_engine({store!r}, {str(path)!r}, {pandas_limit})"),
    ):
        try:
            peers[name] = in_process("bench_trends", call)
        except Exception as exc:  # a peer that fails is reported, never fatal
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
            f"{name}: {r['terms']} words, p50 {r['p50_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms, "
            f"max {max(r['ms']):.2f} ms, peak {r['peak_mb']:,.0f} MB"
        )
    note(
        f"emerging: {result['emerging_s']:.2f} s (first call {result['emerging_first_s']:.2f} s); "
        f"rising: {', '.join(result['rising'])}"
    )
    if check and "DuckDB LIKE" in peers:
        for term, counts in result["checked"].items():
            theirs = peers["DuckDB LIKE"]["checked"].get(term, {})
            differ = {
                m: (counts.get(m, 0), theirs.get(m, 0))
                for m in sorted(set(counts) | set(theirs))
                if counts.get(m, 0) != theirs.get(m, 0)
            }
            verdict = (
                "agree"
                if not differ
                else (
                    f"DIFFER in {len(differ)} months (ours, regex): "
                    + ", ".join(f"{m} {a}/{b}" for m, (a, b) in list(differ.items())[:6])
                )
            )
            note(
                f"check {term!r}: ours {sum(counts.values()):,} papers, DuckDB whole-word regex "
                f"{sum(theirs.values()):,}: {verdict}"
            )
    return built, result, peers


def figures_for(n: int, built: dict, ours_: dict, peers: dict, large: bool) -> list[Figure]:
    def label(name: str) -> str:
        r = peers[name]
        return f"{name} (first {r['terms']} words)" if r["terms"] < ours_["terms"] else name

    def values(key: str) -> dict:
        return {label(name): round(r[key], 2) for name, r in peers.items()}

    p50 = ours_["p50_ms"]
    emerging = ours_["emerging_s"]
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
        Figure(
            f"trend of one word by month p50, {n:,} papers",
            "ms",
            round(p50, 2),
            values("p50_ms"),
            f"<= {P50_GOAL_MS} ms" if large else "",
            p50 <= P50_GOAL_MS if large else None,
        ),
        Figure(f"trend of one word by month p95, {n:,} papers", "ms", round(ours_["p95_ms"], 2), values("p95_ms")),
        Figure(
            f"trend of one word by month p50, src=hf ({ours_['src_papers']:,} of {n:,} papers)",
            "ms",
            round(ours_["src_p50_ms"], 2),
            {},
            f"<= {P50_GOAL_MS} ms" if large else "",
            ours_["src_p50_ms"] <= P50_GOAL_MS if large else None,
        ),
        Figure(
            f"emerging terms table, {n:,} papers",
            "s",
            round(emerging, 2),
            {},
            "" if large else f"<= {EMERGING_GOAL_S:g} s",
            None if large else emerging <= EMERGING_GOAL_S,
        ),
    ]


def run(quick: bool = False, browser: bool = True) -> list[Figure]:
    """``browser`` is accepted for run.py; the trends page has no browser figure here."""
    figures = []
    built = stores(quick)
    for store, large in ((built["real"], False), (built["large"], True)):
        pandas_limit = PANDAS_LIMIT_1M if large and not quick else None
        build_, ours_, peers = compare(store, N_TERMS_QUICK if quick else N_TERMS, pandas_limit, check=not large)
        figures += figures_for(ours_["papers"], build_, ours_, peers, large)
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv, browser="--no-browser" not in sys.argv):
        print(figure.row())
