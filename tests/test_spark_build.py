"""Builds on Spark, for real in local mode (``local[2]``, lib.spark): the engine maps a store's parts
in order, and the artifacts it helps build are the in-process ones.  Skipped when pyspark or a JDK
is missing, unless REQUIRE_SPARK=1 (CI), where that fails."""

from __future__ import annotations

import datetime as dt
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from test_imports import imported_after, lib_modules

import lib.store.store
from lib.errors import PapersError
from lib.spark import SparkEngine, check_requirements, spark_engine
from lib.store.schema import make_record, records_to_table
from lib.store.spill import Chunk, Source, Spill, map_runs
from lib.store.store import Store


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
