"""Search benchmark: our BM25F index beside tantivy, SQLite FTS5, bm25s and pandas str.contains.

On the real 74,728-paper store and on the 1,000,000-paper mixed store (quick: the 2,000-paper
sample and 3,000 papers mixed from it), every engine indexes title, abstract and authors in its own
fresh process (so the peak memory is its own) and answers the same queries, one at a time,
for a page of 20 results.  The queries are drawn from the corpus with a fixed seed:

    ~55%  2-3 distinctive words of a random real title        (every word required)
    ~15%  a common topic of the titles, as plain words      ("large language models")
    ~15%  a quoted phrase of 2-3 adjacent title words
    ~10%  a word and an OR of two words
     ~5%  a common topic with one word excluded

Our page = ``search(...)`` + ``result.slice(0, 20)``, on the index loaded (memory-mapped)
by a second fresh process after the first one built and saved it.  tantivy gets the same
required words, phrases, ORs and exclusions in its syntax (title^3); FTS5 in MATCH syntax
ranked by bm25(3, 1, 2); bm25s has no AND, phrase or exclusion, so it ranks the bag of the
query's words; pandas ANDs word-boundary regexes over lower-cased title+abstract and keeps
the 20 newest (at 1M only the first 20 queries: it scans the whole text per word).

Goals (issue: search): p50 <= tantivy's on the real corpus, p95 <= 50 ms at 1M, and in the
browser the first result shown <= 1 s after Enter.

    python bench/bench_search.py [--quick] [--no-browser] [--real-only]   # --real-only: the 75k corpus only
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
import shutil
import sys
import time
from collections import Counter
from functools import partial
from pathlib import Path

import common
from common import (
    VIEWPORT,
    WORK,
    Figure,
    app_server,
    chromium,
    enter_searches,
    fresh_build,
    fresh_dir,
    goal,
    in_process,
    latencies,
    stores,
)

PAGE = 20
SHARES = {"words": 0.55, "topic": 0.15, "phrase": 0.15, "or": 0.10, "exclude": 0.05}
FIELDS = ("title", "abstract", "authors")
P95_GOAL_MS = 50
BROWSER_GOAL_S = 1.0
PANDAS_LIMIT_1M = 20  # queries pandas answers on the large store (each scans all the text)
SEED = 20260701
note = partial(common.note, "search")


# --- queries: drawn from the corpus, rendered per engine ---------------------------------
# A query is {"kind", "groups": [[alternative, ...], ...], "exclude": [word, ...]}: every
# group is required, one alternative of a group suffices, an alternative of several words
# is a phrase.  All words are lower-case ASCII letters, so no engine's syntax can trip on them.
_CLEAN = re.compile(r"[a-z]{3,}")


def _title_words(title: str) -> list[str]:
    """The title's whitespace tokens, lower-cased; '' for any token that is not plain letters."""
    return [t if _CLEAN.fullmatch(t) else "" for t in title.lower().split()]


def make_queries(titles: list[str], n: int, seed: int = 20260701) -> list[dict]:
    from lib.search.analysis import STOP_WORDS

    rng = random.Random(seed)
    sample = rng.sample(titles, min(len(titles), 100_000))  # word statistics of the titles
    df = Counter(w for t in sample for w in set(_title_words(t)) if w)
    rare = sorted(w for w, c in df.items() if c / len(sample) < 0.01 and w not in STOP_WORDS)  # distinctive
    distinctive = set(rare)
    common = sorted(w for w, c in df.items() if 0.002 <= c / len(sample) < 0.02 and w not in STOP_WORDS)
    grams = Counter()
    for t in sample:
        tokens = _title_words(t)
        for size in (2, 3):
            for i in range(len(tokens) - size + 1):
                gram = tokens[i : i + size]
                if all(gram) and not STOP_WORDS & set(gram):
                    grams[tuple(gram)] += 1
    topics = [list(g) for g, _ in grams.most_common(30)]

    def title_pick(k_choices: tuple[int, ...]) -> list[str]:
        while True:
            candidates = list(dict.fromkeys(w for w in _title_words(rng.choice(titles)) if w in distinctive))
            k = rng.choice(k_choices)
            if len(candidates) >= k:
                chosen = set(rng.sample(candidates, k))
                return [w for w in candidates if w in chosen]  # in title order

    def phrase() -> list[str]:
        while True:
            tokens = _title_words(rng.choice(titles))
            size = rng.choice((2, 3))
            spans = [tokens[i : i + size] for i in range(len(tokens) - size + 1)]
            spans = [s for s in spans if all(s) and s[0] not in STOP_WORDS and s[-1] not in STOP_WORDS]
            if spans:
                return rng.choice(spans)

    def one(kind: str) -> dict:
        if kind == "words":
            return {"groups": [[[w]] for w in title_pick((2, 3))]}
        if kind == "topic":
            return {"groups": [[[w]] for w in rng.choice(topics)]}
        if kind == "phrase":
            return {"groups": [[phrase()]]}
        if kind == "or":
            first, second = title_pick((2,))
            return {"groups": [[[first]], [[second], [rng.choice(rare)]]]}
        topic = rng.choice(topics)
        return {"groups": [[[w]] for w in topic], "exclude": [rng.choice([w for w in common if w not in topic])]}

    counts = {kind: round(share * n) for kind, share in SHARES.items() if kind != "words"}
    counts["words"] = n - sum(counts.values())
    queries = [{"kind": kind, "exclude": [], **one(kind)} for kind, count in counts.items() for _ in range(count)]
    rng.shuffle(queries)
    return queries


def _alternatives(group: list[list[str]], word, phrase) -> list[str]:
    return [word(a[0]) if len(a) == 1 else phrase(a) for a in group]


def as_ours(q: dict) -> str:
    groups = [" OR ".join(_alternatives(g, str, lambda a: '"' + " ".join(a) + '"')) for g in q["groups"]]
    return " ".join(groups + ["-" + w for w in q["exclude"]])


def as_tantivy(q: dict) -> str:
    parts = []
    for group in q["groups"]:
        alternatives = _alternatives(group, str, lambda a: '"' + " ".join(a) + '"')
        parts.append("+" + alternatives[0] if len(alternatives) == 1 else "+(" + " OR ".join(alternatives) + ")")
    return " ".join(parts + ["-" + w for w in q["exclude"]])


def as_fts5(q: dict) -> str:
    def quoted(words):  # a quoted string is an FTS5 phrase: nothing inside is syntax
        return '"' + " ".join(w.replace('"', '""') for w in words) + '"'

    groups = [" OR ".join(_alternatives(g, lambda w: quoted([w]), quoted)) for g in q["groups"]]
    expression = " AND ".join(f"({g})" for g in groups)
    for word in q["exclude"]:
        expression = f"({expression}) NOT {quoted([word])}"
    return expression


def as_bag(q: dict) -> str:
    return " ".join(w for g in q["groups"] for a in g for w in a)


def as_regexes(q: dict) -> tuple[list[str], list[str]]:
    """(required patterns, excluded patterns) over lower-cased text.  The word boundary is
    spelled out: Arrow's RE2 runs ``\\b`` about 4x slower than this equivalent."""

    def bounded(body):
        return rf"(?:^|[^a-z0-9]){body}(?:$|[^a-z0-9])"

    required = [bounded("(?:" + "|".join(r"\s+".join(map(re.escape, a)) for a in g) + ")") for g in q["groups"]]
    return required, [bounded(re.escape(w)) for w in q["exclude"]]


# --- engines: each runs inside its own measure() process ----------------------------------
def _table(store: str):
    from lib.store.store import Store

    return Store(store).read_table()


def _documents(table):
    """(row, title, abstract, authors) of every paper, converted a batch at a time."""
    import pyarrow.compute as pc

    row = 0
    for batch in table.select(list(FIELDS)).to_batches(max_chunksize=50_000):
        authors = pc.binary_join(batch.column("authors"), " ; ").to_pylist()
        for title, abstract, names in zip(
            batch.column("title").to_pylist(), batch.column("abstract").to_pylist(), authors
        ):
            yield row, title or "", abstract or "", names or ""
            row += 1


def _queries(path: str) -> list[dict]:
    return json.loads(Path(path).read_text())


def ours_build(store: str) -> dict:
    from lib.search.index import ARTIFACT, load_or_build

    return {"build_s": fresh_build(store, ARTIFACT, load_or_build)[0]}


def ours(store: str, queries_path: str) -> dict:
    from lib.dataset import load
    from lib.search.index import load_or_build
    from lib.search.search import Filters, search
    from lib.store.store import Store

    s = Store(store)
    ds = load(s)
    started = time.perf_counter()
    index = load_or_build(s, ds)
    load_s = time.perf_counter() - started
    columns = ds.search_columns

    def run(q):
        result = search(index, columns, as_ours(q), Filters(), "relevance")
        return len(result.slice(0, PAGE)[0])

    return {"load_s": load_s, **latencies(run, _queries(queries_path))}


def tantivy_engine(store: str, queries_path: str) -> dict:
    import tantivy

    table = _table(store)
    schema = tantivy.SchemaBuilder()
    for field in FIELDS:
        schema.add_text_field(field, tokenizer_name="en_stem")
    schema.add_unsigned_field("row", stored=True)
    path = fresh_dir("search-tantivy")
    try:
        started = time.perf_counter()
        index = tantivy.Index(schema.build(), path=str(path))
        writer = index.writer(heap_size=1_000_000_000)
        for row, title, abstract, authors in _documents(table):
            writer.add_document(tantivy.Document(row=row, title=title, abstract=abstract, authors=authors))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        build_s = time.perf_counter() - started
        searcher = index.searcher()

        def run(q):
            query = index.parse_query(as_tantivy(q), list(FIELDS), field_boosts={"title": 3.0})
            return len([searcher.doc(address)["row"][0] for _, address in searcher.search(query, PAGE).hits])

        return {"build_s": build_s, **latencies(run, _queries(queries_path))}
    finally:
        shutil.rmtree(path, ignore_errors=True)


def fts5(store: str, queries_path: str) -> dict:
    import sqlite3

    table = _table(store)
    path = fresh_dir("search-fts5") / "papers.sqlite"
    try:
        started = time.perf_counter()
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE VIRTUAL TABLE t USING fts5(title, abstract, authors)")
        with db:
            db.executemany("INSERT INTO t(rowid, title, abstract, authors) VALUES (?, ?, ?, ?)", _documents(table))
            db.execute("INSERT INTO t(t) VALUES ('optimize')")
        build_s = time.perf_counter() - started

        def run(q):
            return len(
                db.execute(
                    "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t, 3.0, 1.0, 2.0) LIMIT ?", (as_fts5(q), PAGE)
                ).fetchall()
            )

        timed = latencies(run, _queries(queries_path))
        db.close()
        return {"build_s": build_s, **timed}
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def bm25s_engine(store: str, queries_path: str) -> dict:
    import bm25s

    table = _table(store)
    started = time.perf_counter()
    texts = [f"{title} {abstract}" for _, title, abstract, _ in _documents(table)]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    build_s = time.perf_counter() - started
    del texts

    def run(q):
        tokens = bm25s.tokenize([as_bag(q)], stopwords="en", return_ids=False, show_progress=False)
        _, scores = retriever.retrieve(tokens, k=min(PAGE, table.num_rows), show_progress=False)
        return int((scores > 0).sum())

    return {"build_s": build_s, **latencies(run, _queries(queries_path))}


def pandas_engine(store: str, queries_path: str, limit: int | None) -> dict:
    frame = _table(store).select(["title", "abstract", "date"]).to_pandas()
    started = time.perf_counter()
    text = (frame["title"] + " " + frame["abstract"]).str.lower()
    build_s = time.perf_counter() - started

    def run(q):
        required, excluded = as_regexes(q)
        found = text
        for pattern in required:
            found = found[found.str.contains(pattern, regex=True)]
        for pattern in excluded:
            found = found[~found.str.contains(pattern, regex=True)]
        return len(frame["date"].loc[found.index].nlargest(PAGE))

    return {"build_s": build_s, **latencies(run, _queries(queries_path), limit)}


# --- the run ------------------------------------------------------------------------------
PEERS = {  # name -> (module it needs, engine function)
    "tantivy": ("tantivy", "tantivy_engine"),
    "SQLite FTS5": ("sqlite3", "fts5"),
    "bm25s (bag of words, no AND/phrase)": ("bm25s", "bm25s_engine"),
    "pandas": ("pandas", "pandas_engine"),
}


def write_queries(store: str, n: int, path: str) -> dict:
    from lib.store.store import Store

    titles = Store(store).read_table().column("title").to_pylist()
    Path(path).write_text(json.dumps(make_queries(titles, n)))
    return {"papers": len(titles)}


def compare(store: Path, n_queries: int, pandas_limit: int | None) -> tuple[int, dict, dict]:
    """(papers, our results, peers' results) on one store."""
    path = WORK / f"search-queries-{Path(store).name}.json"
    n = in_process("bench_search", f"write_queries({str(store)!r}, {n_queries}, {str(path)!r})")["papers"]
    queries = _queries(str(path))
    note(f"{n:,} papers, {len(queries)} queries, e.g. " + " | ".join(as_ours(q) for q in queries[:5]))
    build = in_process("bench_search", f"ours_build({str(store)!r})")
    query = in_process("bench_search", f"ours({str(store)!r}, {str(path)!r})")
    result = {**query, "build_s": build["build_s"], "peak_mb": build["peak_mb"], "query_peak_mb": query["peak_mb"]}
    peers = {}
    for name, (module, function) in PEERS.items():
        if importlib.util.find_spec(module) is None:
            note(f"{name}: {module} is not installed; skipped")
            continue
        extra = f", {pandas_limit}" if function == "pandas_engine" else ""
        try:
            peers[name] = in_process("bench_search", f"{function}({str(store)!r}, {str(path)!r}{extra})")
        except Exception as exc:  # noqa: BLE001 - a peer that fails is reported, never fatal
            note(f"{name} failed; skipped: {str(exc).strip().splitlines()[-1]}")
    for name, r in {"ours": result, **peers}.items():
        note(
            f"{name}: {r['count']} queries, {r['hits'].count(0)} with no result, build {r['build_s']:.1f} s, "
            f"p50 {r['p50_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms, peak {r['peak_mb']:,.0f} MB"
        )
    slowest = sorted(range(len(queries)), key=lambda i: -result["ms"][i])[:5]
    note(
        "ours, slowest: "
        + "; ".join(f"{result['ms'][i]:.1f} ms {queries[i]['kind']} {as_ours(queries[i])!r}" for i in slowest)
    )
    return n, result, peers


def figures_for(n: int, ours_: dict, peers: dict, large: bool, quick: bool = False) -> list[Figure]:
    def values(key: str, digits: int) -> dict:
        def label(name: str) -> str:
            short = name == "pandas" and peers[name]["count"] < ours_["count"]
            return f"pandas (first {peers[name]['count']} queries)" if short else name

        return {label(name): round(r[key], digits) for name, r in peers.items()}

    p50, p95 = round(ours_["p50_ms"], 2), round(ours_["p95_ms"], 2)
    tantivy_p50 = peers.get("tantivy", {}).get("p50_ms")
    # the goal is the real corpus's (75k); a quick run's 2,000-paper sample is reported beside it
    p50_goal = "" if large else "<= tantivy p50" + (" (judged on the 74,728-paper corpus)" if quick else "")
    p50_met = None if large or quick or tantivy_p50 is None else ours_["p50_ms"] <= tantivy_p50
    p95_figure = f"search p95 latency, {n:,} papers"
    return [
        Figure(f"search p50 latency, {n:,} papers", "ms", p50, values("p50_ms", 2), p50_goal, p50_met),
        goal(p95_figure, "ms", p95, P95_GOAL_MS, "", values("p95_ms", 2))
        if large
        else Figure(p95_figure, "ms", p95, values("p95_ms", 2)),
        Figure(f"search index build, {n:,} papers", "s", round(ours_["build_s"], 2), values("build_s", 2)),
        Figure(
            f"search index build peak memory, {n:,} papers",
            "MB",
            round(ours_["peak_mb"]),
            values("peak_mb", 0),
            f"(ours: build process; its query process {ours_['query_peak_mb']:,.0f} MB)",
        ),
        Figure(f"search index load (memory-mapped), {n:,} papers", "s", round(ours_["load_s"], 3)),
    ]


# --- the browser ----------------------------------------------------------------------------
def first_results(ds, search_index, count: int, seed: int = SEED) -> list[list[str]]:
    """``count`` searches for a browser, ``[query, its first result's title]``: 2-3 distinctive
    words of a real title (the comparison's "words" queries), plain titles, all different (the
    first link must change between two searches)."""
    from lib.search.search import result_frame, search

    found, seen = [], set()
    for q in make_queries(ds.table["title"].to_pylist(), max(200, 5 * count), seed):
        if q["kind"] != "words":
            continue
        text = as_ours(q)
        first = result_frame(search(search_index, ds.search_columns, text), ds.table, 0, 1)
        title = first["title"].iloc[0] if len(first) else None
        if title and re.fullmatch(r"[A-Za-z0-9 ,:;()'?-]+", title) and title not in seen and len(title) < 200:
            found.append([text, title])
            seen.add(title)
        if len(found) == count:
            return found
    raise RuntimeError(f"only {len(found)} distinct searches for the browser")


def browser_queries(store: str, count: int) -> dict:
    """:func:`first_results` on a store (its search index built if it is missing)."""
    from lib.dataset import load
    from lib.search import index
    from lib.store.store import Store

    s = Store(store)
    ds = load(s)
    return {"searches": first_results(ds, index.load_or_build(s, ds), count)}


def figure_browser(store: str, n: int, count: int) -> Figure:
    """Seconds from Enter in the search box until the query's first result is shown: the median
    of ``count`` queries after a warm-up query (the server starts after the index is built)."""
    searches = in_process("bench_search", f"browser_queries({store!r}, {count + 1})")["searches"]
    with app_server(Path(store)) as server, chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{server.url}/search")
        times = sorted(enter_searches(page, searches))
        page.context.close()
    note("browser, Enter -> first result: " + ", ".join(f"{t:.2f} s" for t in times))
    median = round(times[len(times) // 2], 2)
    return goal(
        f"search in a browser, Enter -> first result, {n:,} papers",
        "s",
        median,
        BROWSER_GOAL_S,
        f" (median of {len(times)} queries)",
    )


def run(quick: bool = False, browser: bool = True) -> list[Figure]:
    figures = []
    built = stores(quick)
    sizes = ((built["real"], False), (built["large"], True))
    if "--real-only" in sys.argv:
        sizes = sizes[:1]  # the 75k corpus only (a few minutes instead of a quarter of an hour)
    for store, large in sizes:
        n, ours_, peers = compare(Path(store), 50 if quick else 200, PANDAS_LIMIT_1M if large else None)
        figures += figures_for(n, ours_, peers, large, quick)
        if browser and not large:
            figures.append(figure_browser(store, n, 2 if quick else 5))
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv, browser="--no-browser" not in sys.argv):
        print(figure.row())
