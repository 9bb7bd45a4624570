"""The papers' vectors (lib.search.vectors): the real WordLlama model from its wheel, a real store,
saved and memory-mapped, extended by a real import, never read for another store version or model."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from search_fixture import PAPERS, write_jsonl

from lib.dataset import load
from lib.search import vectors
from lib.store.importer import import_files
from lib.store.store import Store, input_files


@pytest.fixture
def store(tmp_path) -> Store:
    """A store of the 18 papers of tests/search_fixture.py but the last two (imported later)."""
    keys = list(PAPERS)[:-2]
    import_files(Store(tmp_path / "data"), input_files([str(write_jsonl(tmp_path / "a.jsonl", keys))], (".jsonl",)))
    return Store(tmp_path / "data")


def test_texts_become_unit_vectors_closer_by_meaning():
    v = vectors.embed(
        [
            "Speculative decoding accelerates language model inference with a draft model.",
            "Faster LLM generation: a small drafter proposes tokens that the large model verifies.",
            "Photosynthesis in plant leaves converts light into chemical energy.",
            "",
        ]
    )
    assert v.shape == (4, vectors.DIM) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1, atol=1e-5)
    assert not v[3].any()  # an empty text: the zero vector, never NaN
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2  # same subject in other words: closer than another subject
    assert np.allclose(vectors.embed_one("Speculative decoding"), vectors.embed(["Speculative decoding"])[0])


def test_the_model_loads_offline_and_leaves_logging_as_it_was(monkeypatch):
    # no network: any download attempt would fail here
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    monkeypatch.setattr(vectors, "_model", None)
    assert vectors.embed(["offline"]).shape == (1, vectors.DIM)
    assert (list(root.handlers), root.level) == before


def test_a_pasted_text_is_read_up_to_its_limit():
    long = "attention " * 20_000  # 200,000 characters
    assert np.allclose(vectors.embed_one(long), vectors.embed_one(long[: vectors.MAX_CHARS]))


def test_built_once_saved_and_memory_mapped(store):
    ds = load(store)
    built = vectors.load_or_build(store, ds)
    assert built.n_docs == ds.table.num_rows == 16
    loaded = vectors.load_saved(store, ds)
    assert loaded is not None
    assert np.array_equal(np.asarray(loaded.matrix), built.matrix)
    # row i is paper i's title and abstract
    texts = vectors.paper_texts(ds.table)
    assert np.allclose(loaded.of([3])[0], vectors.embed_one(texts[3]), atol=1e-6)


def test_an_import_adds_a_segment_equal_to_a_whole_build(store, tmp_path):
    ds = load(store)
    vectors.load_or_build(store, ds)
    new = write_jsonl(tmp_path / "b.jsonl", list(PAPERS)[-2:])
    import_files(store, input_files([str(new)], (".jsonl",)))
    after = load(store)
    segmented = vectors.load_saved(store, after)
    assert isinstance(segmented, vectors.SegmentedVectors) and segmented.n_docs == 18
    whole = vectors.PaperVectors.build(after.table)
    query = vectors.embed_one("robot grasping")
    assert np.allclose(segmented.cosine(query), whole.cosine(query), atol=1e-6)
    assert np.allclose(segmented.of([0, 17, 16]), whole.matrix[[0, 17, 16]], atol=1e-6)


def test_vectors_of_another_store_version_or_model_are_never_read(store, tmp_path, monkeypatch):
    ds = load(store)
    vectors.load_or_build(store, ds)
    # an import that could not extend them (the extension is switched off): the new version has none
    monkeypatch.setattr(vectors.VECTORS, "extend_after_import", lambda *args, **kw: False)
    import_files(store, input_files([str(write_jsonl(tmp_path / "b.jsonl", list(PAPERS)[-2:]))], (".jsonl",)))
    after = load(store)
    assert after.version != ds.version
    assert vectors.load_saved(store, after) is None  # not the previous version's 16 rows
    assert vectors.load_or_build(store, after).n_docs == 18
    # vectors saved by another model are built again, not compared with this model's queries
    saved = store.artifact_path(vectors.ARTIFACT, after.version, "")
    (saved / "model.npy").unlink()
    np.save(saved / "model.npy", vectors.pack(["another model 256"]))
    assert vectors.load_saved(store, after) is None
    assert vectors.load_or_build(store, after).model == vectors.MODEL


def test_a_damaged_vectors_file_is_built_again(store):
    ds = load(store)
    vectors.load_or_build(store, ds)
    saved = store.artifact_path(vectors.ARTIFACT, ds.version, "")
    (saved / "vectors.npy").write_bytes(b"not an array")
    rebuilt = vectors.load_or_build(store, ds)
    assert rebuilt.n_docs == 16 and np.allclose(np.linalg.norm(rebuilt.matrix, axis=1), 1, atol=1e-5)


def test_build_reports_progress(store):
    ds = load(store)
    steps = []
    vectors.load_or_build(store, ds, lambda label, share: steps.append((label, share)))
    assert steps and steps[-1][1] >= 1 and "embedding papers" in steps[0][0]
    json.dumps(steps)  # plain values
