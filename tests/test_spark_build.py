"""Builds on Spark, for real in local mode (``local[2]``, lib.spark): the engine maps a store's parts
in order, and the artifacts it helps build are the in-process ones.  Skipped when pyspark or a JDK
is missing, unless REQUIRE_SPARK=1 (CI), where that fails."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import os
import shutil
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import SHARED
from test_imports import imported_after, lib_modules

import lib.store.store
from lib.dataset import load
from lib.errors import PapersError
from lib.search import index as search_index
from lib.search import search
from lib.spark import SparkEngine, check_requirements, spark_engine
from lib.store.importer import import_files
from lib.store.schema import make_record, records_to_table
from lib.store.spill import Chunk, Source, Spill, map_runs
from lib.store.store import Store, input_files
from lib.trends import terms, trends

ARXIV = SHARED / "data" / "arxiv_2025-03_2026-07.jsonl.gz"
QUERIES = [
    "transformer",
    "large language models",
    "diffusion",
    '"graph neural network"',
    '"reinforcement learning" OR bandit',
    "agents -survey",
    "title:attention",
    'title:"vision language"',
    "policy optimization",
    "protein structure",
    "federated learning privacy",
    "LLMs",
    "fine-tuning",
    "Schrodinger equation",
    "retrieval augmented generation",
    "the",
    "image segmentation OR detection",
    "robot manipulation policy",
    "author:Wang",
    '"mixture of experts"',
]
TERMS = "language models, diffusion, reinforcement learning, graph neural networks, agents, quantum, transformer"


def lengths(table: pa.Table) -> dict[str, np.ndarray]:
    """A small run of a part: its ids' bytes, each title's length, each abstract's words."""
    return {
        "ids": np.frombuffer("\n".join(table["id"].to_pylist()).encode(), dtype=np.uint8),
        "title_chars": pc.utf8_length(table["title"]).to_numpy().astype(np.int64),
        "abstract_words": np.array([len(t.split()) for t in table["abstract"].to_pylist()], dtype=np.int32),
    }


@pytest.fixture(scope="module")
def engine():
    """One SparkContext on local[2] for the module (it takes ~10 s to start)."""
    try:
        check_requirements()
    except PapersError as exc:
        if os.environ.get("REQUIRE_SPARK") == "1":
            pytest.fail(f"REQUIRE_SPARK=1: {exc}")
        pytest.skip(str(exc))
    from pyspark import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import tests/
    with spark_engine() as engine:
        yield engine


@pytest.fixture
def parts_store(tmp_path, monkeypatch):
    """A store of 47 papers in parts of 10 rows: a Source of 5 parts."""
    monkeypatch.setattr(lib.store.store, "PART_ROWS", 10)
    today = dt.date(2026, 1, 1)
    raws = [
        {
            "id": f"2501.{i:05d}",
            "title": f"Paper {i} on {'graphs ' * (i % 7)}agents",
            "abstract": " ".join(f"word{j}" for j in range(i % 13 + 1)),
            "date": dt.date(2025, 1, i % 28 + 1),
        }
        for i in range(47)
    ]
    store = Store(tmp_path / "data")
    version = store.write_table(records_to_table(make_record(r, sources=["arxiv"], today=today) for r in raws))
    parts = store.parts(version)
    assert parts is not None and len(parts) == 5
    return Source.of_parts(parts)


def runs(source: Source, engine: SparkEngine | None) -> list[dict[str, np.ndarray]]:
    with Spill() as spill:
        offsets = map_runs(source, lengths, spill, engine=engine)
        assert offsets == [chunk.offset for chunk in source.chunks or []]
        return [spill.get(f"run-{i}") for i in range(len(offsets))]


def assert_same_runs(got: list[dict[str, np.ndarray]], expected: list[dict[str, np.ndarray]]) -> None:
    assert len(got) == len(expected)
    for run, want in zip(got, expected):
        assert run.keys() == want.keys()
        for key in want:
            assert run[key].dtype == want[key].dtype and np.array_equal(run[key], want[key]), key


def test_spark_maps_every_part_in_order(engine, parts_store):
    expected = runs(parts_store, None)
    assert_same_runs(runs(parts_store, engine), expected)
    # runs held one at a time (a tiny budget): waves of one task, the same runs in the same order
    assert_same_runs(runs(parts_store, SparkEngine(engine.context, held=1)), expected)


def test_a_part_no_worker_can_read_is_one_line(engine, tmp_path):
    chunk = Chunk(0, 3, str(tmp_path / "elsewhere" / "part-000000.parquet"))
    with pytest.raises(PapersError, match="storage every worker sees"):
        list(engine.map([chunk], lengths))


def test_missing_java_or_bad_master_say_what_to_do(engine, tmp_path, monkeypatch):
    with pytest.raises(PapersError, match="--master 'nonsense': a Spark master URL"), spark_engine("nonsense"):
        pass
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(PapersError, match="default-jdk-headless"):
        check_requirements()


def test_pyspark_is_never_imported_by_lib():
    """pyspark is an optional extra: no module of lib (the dashboard's, the CLI's) loads it on import."""
    loaded = imported_after(*lib_modules())
    assert "lib" in loaded and not loaded & {"pyspark", "py4j"}


@pytest.fixture(scope="module")
def built_twice(engine, tmp_path_factory):
    """The first 20,000 papers of the real arXiv sample in one store (parts of 5,000 rows: four
    parts, two waves of local[2]), copied; the search and term indexes built in this process in
    one copy and on Spark in the other."""
    if not ARXIV.exists():
        pytest.skip("../shared is absent")
    root = tmp_path_factory.mktemp("spark20k")
    source = root / "first-20k.jsonl"
    with gzip.open(ARXIV, "rt", encoding="utf-8") as lines, open(source, "w", encoding="utf-8") as out:
        out.writelines(itertools.islice(lines, 20_000))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lib.store.store, "PART_ROWS", 5_000)
        import_files(Store(root / "local"), input_files([str(source)], (".jsonl",)))
    shutil.copytree(root / "local", root / "spark")
    built, jobs = {}, engine.context.statusTracker().getJobIdsForGroup
    started = len(jobs())
    for name, on in (("local", None), ("spark", engine)):
        store = Store(root / name)
        dataset = load(store)
        parts = store.parts(dataset.version)
        assert dataset.table.num_rows == 20_000 and parts is not None and len(parts) == 4
        built[name] = (
            store,
            dataset,
            search_index.INDEXES.load_or_build(store, dataset, engine=on),
            terms.INDEXES.load_or_build(store, dataset, engine=on),
        )
    assert len(jobs()) - started >= 4  # each index: its four parts in waves of at most two tasks (local[2])
    return built


def saved_files(store: Store, name: str) -> dict[str, bytes]:
    """The files of an artifact as saved (its build time and the checksums covering it left out)."""
    (folder,) = store.artifacts_dir.glob(f"{name}-*")
    skip = {"checksums.json", "build_seconds.npy"}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name not in skip}


@pytest.mark.shared
def test_spark_builds_the_same_indexes_as_this_process(built_twice):
    (local, dataset, local_search, local_terms), (spark, _, spark_search, spark_terms) = built_twice.values()
    for name in ("search", "terms"):
        expected, got = saved_files(local, name), saved_files(spark, name)
        assert len(expected) > 5 and got.keys() == expected.keys()
        assert [key for key in expected if got[key] != expected[key]] == [], name
    # what a reader sees: the same search results, document frequencies and trend rows
    columns, found = dataset.search_columns, 0
    for query in QUERIES:
        want, have = search.search(local_search, columns, query), search.search(spark_search, columns, query)
        assert have.total == want.total, query
        rows, scores = want.slice(0, 200)
        assert all(np.array_equal(a, b) for a, b in zip(have.slice(0, 200), (rows, scores))), query
        found += want.total > 0
    assert found >= 16
    assert local_search.terms == spark_search.terms and local_terms.unigrams == spark_terms.unigrams
    assert [local_search.document_frequency(t) for t in local_search.terms] == [
        spark_search.document_frequency(t) for t in spark_search.terms
    ]
    assert [local_terms.papers(u) for u in local_terms.unigrams] == [
        spark_terms.papers(u) for u in spark_terms.unigrams
    ]
    assert local_terms.ngrams == spark_terms.ngrams
    assert np.array_equal(np.diff(local_terms.arrays["n_indptr"]), np.diff(spark_terms.arrays["n_indptr"]))
    periods = dataset.periods("month")
    keys, slips = trends.parse_terms(TERMS, local_terms, dataset.table)
    assert not slips and len(keys) == 7
    want_rows = trends.series(local_terms, dataset.table, periods, keys, "month")
    have_rows = trends.series(spark_terms, dataset.table, periods, trends.parse_terms(TERMS, spark_terms)[0], "month")
    assert want_rows["count"].sum() > 0
    pd.testing.assert_frame_equal(have_rows, want_rows)
