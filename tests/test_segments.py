"""Daily imports extend the indexes with segments: same answers as a full rebuild."""

import numpy as np
import pytest
from conftest import write_jsonl

from lib import artifacts
from lib.dataset import load
from lib.search import index as search_index
from lib.search.search import search
from lib.store.importer import import_files
from lib.store.store import Store, input_files
from lib.trends import terms as term_index
from lib.trends import trends

WORDS = (
    "agent planning retrieval diffusion graph robot tokenizer sparse attention kernel protein "
    "lattice quasar finch heron kestrel"
).split()


def paper(i, day, words, **extra):
    rng = np.random.default_rng(i)
    picked = [WORDS[j] for j in rng.integers(0, len(WORDS), 12)]
    return {
        "id": f"2501.{i:05d}",
        "title": f"Study {i} of {words}",
        "abstract": " ".join(picked + [words]),
        "authors": [f"Author {i % 7}"],
        "date": day,
        "upvotes": i % 11,
        "categories": ["cs.LG" if i % 2 else "cs.CL"],
        **extra,
    }


def do_import(store, tmp_path, name, records):
    return import_files(store, input_files([str(write_jsonl(tmp_path / name, records))], (".jsonl",)))


QUERIES = [
    "agent",
    "retrieval diffusion",
    '"sparse attention"',
    "heron OR kestrel",
    "-agent planning",
    "title:study",
    "author:Author",
    "finch",
    "mixture",
    "quasar lattice -robot",
]
TERMS = ["agent", "sparse attention", "heron", "quasar lattice", "finch", "study of"]


def answers(index, ds):
    return {q: sorted(search(index, ds.search_columns, q).rows.tolist()) for q in QUERIES}


def trend_rows(index, ds):
    keys, _ = trends.parse_terms(", ".join(TERMS), index)
    return {k.label: trends.term_rows(index, ds.table, k).tolist() for k in keys}


@pytest.fixture
def stores(tmp_path):
    store = Store(tmp_path / "data")
    do_import(store, tmp_path, "base.jsonl", [paper(i, "2025-03-01", "base words") for i in range(60)])
    ds = load(store)
    search_index.load_or_build(store, ds)
    term_index.load_or_build(store, ds)
    return store


def no_build(*args, **kwargs):
    raise AssertionError("built whole instead of extended")


def test_new_papers_and_rewritten_papers_are_found_as_after_a_full_build(stores, tmp_path, monkeypatch):
    store = stores
    # day 2: new papers, a paper whose abstract and keywords change, a paper whose upvotes change
    day2 = [paper(i, "2025-03-02", "heron kestrel sightings") for i in range(60, 90)]
    day2.append(
        {
            **paper(3, "2025-03-01", "base words"),
            "abstract": "Entirely new text about quasar lattice.",
            "keywords": ["quasar lattice"],
        }
    )
    day2.append({**paper(5, "2025-03-01", "base words"), "upvotes": 500})
    report = do_import(store, tmp_path, "day2.jsonl", day2)
    assert report.counts.added == 30 and report.counts.updated == 2 and report.counts.text_changed == 1
    ds = load(store)
    with monkeypatch.context() as mp:
        mp.setattr(search_index, "build_arrays", no_build)
        mp.setattr(term_index.TermIndex, "build", classmethod(no_build))
        mp.setattr(term_index.TermIndexes, "build_arrays", no_build)
        segmented = search_index.load_or_build(store, ds)
        segmented_terms = term_index.load_or_build(store, ds)
    assert isinstance(segmented, search_index.SegmentedIndex)
    assert isinstance(segmented_terms, term_index.SegmentedTermIndex)
    full = search_index.SearchIndex.build(ds.table)
    full_terms = term_index.TermIndex.build(ds.table)
    assert answers(segmented, ds) == answers(full, ds)
    assert trend_rows(segmented_terms, ds) == trend_rows(full_terms, ds)
    row3 = ds.row_of("2501.00003")
    assert row3 in search(segmented, ds.search_columns, "quasar lattice").rows  # its new text
    old_words = set(paper(3, "2025-03-01", "base words")["abstract"].split()) - set(WORDS) - {"base", "words"}
    gone = [
        w
        for w in set(paper(3, "2025-03-01", "x")["abstract"].split()) & set(WORDS)
        if row3 not in search(full, ds.search_columns, w).rows
    ]
    assert all(row3 not in search(segmented, ds.search_columns, w).rows for w in gone)  # its old text is gone
    assert not old_words
    # a third day on top of the chain
    report = do_import(
        store,
        tmp_path,
        "day3.jsonl",
        [paper(i, "2025-03-03", "finch study") for i in range(90, 100)]
        + [{**paper(61, "2025-03-02", "heron kestrel sightings"), "title": "A renamed heron paper"}],
    )
    ds = load(store)
    monkeypatch.setattr(search_index, "build_arrays", no_build)
    monkeypatch.setattr(term_index.TermIndex, "build", classmethod(no_build))
    monkeypatch.setattr(term_index.TermIndexes, "build_arrays", no_build)
    segmented = search_index.load_or_build(store, ds)
    segmented_terms = term_index.load_or_build(store, ds)
    monkeypatch.undo()
    assert len(segmented.parts) == 3
    full = search_index.SearchIndex.build(ds.table)
    full_terms = term_index.TermIndex.build(ds.table)
    assert answers(segmented, ds) == answers(full, ds)
    assert trend_rows(segmented_terms, ds) == trend_rows(full_terms, ds)
    by = "day"
    keys, _ = trends.parse_terms(", ".join(TERMS), full_terms)
    a = trends.series(segmented_terms, ds.table, ds.periods(by), keys, by)
    b = trends.series(full_terms, ds.table, ds.periods(by), keys, by)
    assert a["count"].tolist() == b["count"].tolist()
    _, seg_papers = segmented_terms.column_stats("u", [])
    _, full_papers = full_terms.column_stats("u", [])
    seg_by_name = dict(zip(segmented_terms.unigrams, seg_papers))
    assert all(
        seg_by_name[name] == papers for name, papers in zip(full_terms.unigrams, full_papers) if name in seg_by_name
    )

    # single words agree; a phrase only the new papers use (30 of them say "heron kestrel") is
    # an n-gram of a full build but not of the segments (they keep the base's n-grams)
    def words_only(frame):
        return frame[~frame["term"].str.contains(" ")].reset_index(drop=True)

    assert words_only(trends.frequent_terms(segmented_terms)).equals(words_only(trends.frequent_terms(full_terms)))


def test_too_many_segments_means_a_full_build(stores, tmp_path, monkeypatch):
    monkeypatch.setattr(artifacts, "MAX_SEGMENTS", 2)
    store = stores
    do_import(store, tmp_path, "a.jsonl", [paper(200, "2025-03-02", "one")])
    do_import(store, tmp_path, "b.jsonl", [paper(201, "2025-03-03", "two")])  # the chain is full: not extended
    ds = load(store)
    assert not store.artifact_path("search", ds.version, "").is_dir()
    rebuilt = search_index.load_or_build(store, ds)
    assert isinstance(rebuilt, search_index.SearchIndex) and rebuilt.n_docs == ds.table.num_rows
    assert sorted(p.name for p in store.artifacts_dir.glob("search-*")) == [f"search-{ds.version}"]


def test_without_an_index_of_the_previous_version_nothing_is_extended(tmp_path):
    store = Store(tmp_path / "data")
    do_import(store, tmp_path, "base.jsonl", [paper(i, "2025-03-01", "x") for i in range(5)])
    report = do_import(store, tmp_path, "more.jsonl", [paper(9, "2025-03-02", "y")])
    assert report.version and not list(store.artifacts_dir.glob("search-*"))


def test_cli_build_full_folds_the_segments_into_whole_indexes(stores, tmp_path):
    import io

    from lib.cli import main

    store = stores
    do_import(store, tmp_path, "day2.jsonl", [paper(i, "2025-03-02", "heron kestrel sightings") for i in range(60, 90)])
    ds = load(store)
    segmented = search_index.load_or_build(store, ds)
    assert isinstance(segmented, search_index.SegmentedIndex)
    before, trends_before = answers(segmented, ds), trend_rows(term_index.load_or_build(store, ds), ds)

    out, err = io.StringIO(), io.StringIO()
    assert main(["build", "--full", "--k", "3", "--data", str(store.path)], out, err) == 0
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[:4]] == [
        "search index (whole)",
        "papers' vectors (whole)",
        "term index (whole)",
        "topic model (k=3, fitted anew)",
    ]
    assert f"store version {ds.version}: 90 papers" in lines[-1]

    whole = search_index.load_or_build(store, ds)
    whole_terms = term_index.load_or_build(store, ds)
    assert isinstance(whole, search_index.SearchIndex) and not isinstance(whole, search_index.SegmentedIndex)
    assert not isinstance(whole_terms, term_index.SegmentedTermIndex)
    assert answers(whole, ds) == before and trend_rows(whole_terms, ds) == trends_before
    from lib.topics import topics

    assert topics.is_saved(store, ds, 3)
    # the segments' older versions are gone: every index artifact left is this version's
    left = [p.name for p in store.artifacts_dir.iterdir() if p.name.startswith(("search-", "terms-"))]
    assert left and all(name.endswith(ds.version) for name in left), left


def test_cli_build_on_an_empty_store_says_why(tmp_path):
    import io

    from lib.cli import main

    err = io.StringIO()
    assert main(["build", "--data", str(tmp_path / "empty")], io.StringIO(), err) == 2
    assert "import papers first" in err.getvalue() and "Traceback" not in err.getvalue()
