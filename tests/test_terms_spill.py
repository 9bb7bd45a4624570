"""The term index is built as a map over the table's parts and a reduce within a memory budget
(lib.store.spill): the same arrays however the papers are cut in parts and whatever the budget."""

from pathlib import Path

import numpy as np
import pytest
from conftest import write_jsonl

import lib.store.store
from lib.dataset import load
from lib.store import spill
from lib.store.importer import import_files
from lib.store.spill import Source, Spill, materialize
from lib.store.store import Store, input_files
from lib.trends import terms
from lib.trends.terms import TermIndex, TermIndexes


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The bundled sample (1,953 papers) and its term index built in one part."""
    table = load(Store(tmp_path_factory.mktemp("empty") / "data")).table
    return table, TermIndex.build(table).arrays


def same_arrays(built: dict, expected: dict) -> list[str]:
    """The names of the arrays that differ (in dtype, shape or any byte), build time aside."""
    assert set(built) >= set(expected) - {"format"}
    return [
        key
        for key in expected
        if key not in ("build_seconds", "format")
        and not (
            np.asarray(built[key]).dtype == np.asarray(expected[key]).dtype
            and np.array_equal(np.asarray(built[key]), np.asarray(expected[key]))
        )
    ]


@pytest.mark.parametrize("budget", [2**20, 2**34])
def test_a_build_in_many_parts_gives_the_arrays_of_one_part(demo, monkeypatch, budget):
    """Seven parts, each tokenised 64 papers at a time, reduced within 1 MiB (runs, unigram
    ranges, n-gram key ranges and outputs go to disk) or in memory: the arrays of one part."""
    table, expected = demo
    monkeypatch.setattr(spill, "CHUNK_ROWS", 300)
    monkeypatch.setattr(terms, "MAP_ROWS", 64)
    with Spill(budget) as area:
        where = area.directory()
        built = TermIndexes().build_arrays(Source.of_table(table), None, area)
        assert any(isinstance(value, Path) for value in built.values()) == (budget == 2**20)
        assert same_arrays(materialize(built), expected) == []
        assert (area.spilled_bytes > 0) == (budget == 2**20)
    assert not where.exists()


def test_a_store_in_parts_builds_through_load_or_build_as_a_table_in_memory(demo, tmp_path, monkeypatch):
    table, expected = demo
    monkeypatch.setattr(lib.store.store, "PART_ROWS", 500)  # four parts
    store = Store(tmp_path / "data")
    with store.lock():
        store.write_table(table)
    dataset = load(store)
    assert not dataset.is_sample and len(store.parts(dataset.version)) == 4
    progress: list[tuple[str, float]] = []
    index = TermIndexes().load_or_build(store, dataset, lambda s, d: progress.append((s, d)), budget=2**20)
    assert same_arrays(index.arrays, expected) == []
    assert store.artifact_path(terms.ARTIFACT, dataset.version, "").is_dir()
    shares = [d for _, d in progress]
    assert shares == sorted(shares) and shares[0] >= 0 and shares[-1] <= 1
    assert progress[0][0].startswith("term index: papers 1–") and progress[-1][0].startswith("term index: ")
    again = TermIndexes().load_or_build(store, dataset)  # loaded: the saved arrays are those built
    assert same_arrays(again.arrays, expected) == []


def test_an_empty_table_gives_an_empty_index(demo):
    table, _ = demo
    index = TermIndex.build(table.slice(0, 0), extra_compounds=["fine-tuned"])
    assert index.n_docs == 0 and index.unigrams[:2] == [terms.BREAK, terms.PAUSE]
    assert index.compounds == ["fine-tuned"] and len(index.ngram_keys) == 0
    assert index.arrays["u_indptr"].tolist() == [0] * (len(index.unigrams) + 1)


def test_a_segment_of_a_few_papers_with_the_base_compounds_is_built(demo):
    """A daily segment is built knowing the base's hyphenated words: an n-gram range holding
    none of the new papers' pairs, or only compounds they never write, is no error (it raised
    an IndexError for a segment of fewer than about ten papers, so the import extended no term
    index and the next use rebuilt it whole).  A compound's n-gram holds its joined term's papers."""
    table, expected = demo
    base = TermIndex(expected)
    checked = 0
    for row in range(0, 200, 20):
        segment = TermIndex.build(table.slice(row, 1), min_ngram_papers=1, extra_compounds=base.compounds)
        assert segment.n_docs == 1 and set(segment.compounds) >= set(base.compounds)
        for form in segment.compounds:
            pieces = [p for p in form.split("-") if p]
            joined = terms.query_term(form)
            if len(pieces) != 2 or joined is None or not segment.papers(joined):
                continue
            parts = tuple(terms.stem(p) for p in pieces)
            if terms.make_key([segment.unigram_ids[p] for p in parts]) is not None:
                assert 0 in segment.ngram_rows(parts), (row, form)
                checked += 1
    assert checked > 3


def test_an_import_of_one_paper_extends_the_term_index(demo, tmp_path):
    """The regression above, as a person meets it: one new paper and the term index (with the
    topic models after it) is carried over with a segment, not rebuilt whole on next use."""
    table, _ = demo
    store = Store(tmp_path / "data")
    with store.lock():
        store.write_table(table)
    terms.load_or_build(store, load(store))
    paper = {
        "id": "2612.00001",
        "title": "Fine-tuned agents with chain-of-thought prompting",
        "abstract": "We study finetuned models and state-of-the-art planners.",
        "date": "2026-12-01",
    }
    report = import_files(store, input_files([str(write_jsonl(tmp_path / "one.jsonl", [paper]))], (".jsonl",)))
    dataset = load(store)
    assert report.version == dataset.version
    assert store.artifact_path(terms.ARTIFACT, dataset.version, "").is_dir()
    assert isinstance(terms.load_or_build(store, dataset), terms.SegmentedTermIndex)
