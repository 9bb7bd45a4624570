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


# --- a corpus too large to compute every cosine: reduced vectors, then a shortlist ---------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The bundled demo (1,953 papers) in a real store, its vectors built and saved."""
    from lib.store.store import sample_inputs

    store = Store(tmp_path_factory.mktemp("demo") / "data")
    import_files(store, sample_inputs())
    vectors.load_or_build(store, load(store))
    return store


def mapped_vectors(store: Store) -> vectors.PaperVectors:
    """The saved vectors as a large corpus's are loaded (mapped, none of their pages read in),
    searched in two stages as beyond vectors.EXACT_UP_TO papers."""
    ds = load(store)
    arrays = store.load_arrays(vectors.ARTIFACT, ds.version)
    assert arrays is not None
    loaded = vectors.VECTORS.load(store, ds.version, arrays)
    assert isinstance(loaded, vectors.PaperVectors) and loaded.exact
    loaded.exact = False
    return loaded


def queries(store: Store, n: int = 40) -> np.ndarray:
    """The vectors of ``n`` papers' titles and ``n`` first sentences of abstracts."""
    table = load(store).table
    rows = np.random.default_rng(1).choice(table.num_rows, n, replace=False).tolist()
    titles = [table["title"][r].as_py() for r in rows]
    sentences = [(table["abstract"][r].as_py() or "").split(". ")[0] for r in rows]
    return vectors.embed(titles + sentences)


def test_reduced_vectors_are_the_corpus_principal_axes(demo):
    v = mapped_vectors(demo)
    matrix = np.asarray(v.matrix)
    assert v.reduced.shape == (v.n_docs, vectors.REDUCED) and v.basis.shape == (vectors.DIM, vectors.REDUCED)
    assert np.allclose(v.mean, matrix.mean(axis=0), atol=1e-5)
    assert np.allclose(v.basis.T @ v.basis, np.eye(vectors.REDUCED), atol=1e-4)  # orthonormal axes
    assert np.allclose(v.reduced, (matrix - v.mean) @ v.basis, atol=1e-4)
    variances = np.asarray(v.reduced).var(axis=0)
    assert np.all(np.diff(variances) <= 1e-6)  # by variance, largest first
    # the estimate is close to the cosine: 80% of the variance is in the first 128 of 256 axes
    query = queries(demo, 1)[0]
    assert np.corrcoef(v.estimate(query), matrix @ query)[0, 1] > 0.95


def test_two_stages_find_the_nearest_papers_as_every_cosine_would(demo, monkeypatch):
    from lib.search import hybrid

    monkeypatch.setattr(hybrid, "SHORTLIST", 100)  # 5% of the demo, as 2,000 is of 40k papers
    v = mapped_vectors(demo)
    matrix = np.asarray(v.matrix)
    found = []
    for query in queries(demo):
        rows, cosines = hybrid.nearest(v, query, 10)
        exact = np.argsort(-(matrix @ query), kind="stable")[:10]
        assert np.allclose(cosines, matrix[rows] @ query, atol=1e-6)  # exact cosines, best first
        assert np.all(np.diff(cosines) <= 0)
        found.append(len(np.intersect1d(rows, exact)) / 10)
    assert np.mean(found) >= 0.95 and min(found) >= 0.7, found


def test_two_stages_keep_to_the_allowed_papers(demo, monkeypatch):
    from lib.search import hybrid

    monkeypatch.setattr(hybrid, "SHORTLIST", 100)
    v = mapped_vectors(demo)
    matrix = np.asarray(v.matrix)
    query = queries(demo, 1)[0]
    allowed = np.zeros(v.n_docs, dtype=bool)
    allowed[::3] = True  # more than the shortlist: estimated, then computed
    rows, _ = hybrid.nearest(v, query, 20, allowed)
    assert len(rows) == 20 and allowed[rows].all()
    few = np.zeros(v.n_docs, dtype=bool)
    few[[5, 50, 500, 1500]] = True  # fewer than the shortlist: each computed
    rows, cosines = hybrid.nearest(v, query, 10, few)
    expected = np.array([5, 50, 500, 1500])[np.argsort(-(matrix[[5, 50, 500, 1500]] @ query), kind="stable")]
    assert list(rows) == [r for r in expected if matrix[r] @ query > 0]
    assert np.allclose(cosines, matrix[rows] @ query, atol=1e-6)


def test_a_two_stage_search_leaves_the_full_vectors_on_disk(demo, monkeypatch):
    """Only the reduced vectors are scanned: the shortlist's full vectors are read from their file,
    so a server's memory holds 512 bytes a paper, not 1,024 + 512 (at 2.7M papers: 1.4 GB, not 4)."""
    from conftest import resident_kb

    from lib.search import hybrid

    v = mapped_vectors(demo)
    saved = demo.artifact_path(vectors.ARTIFACT, load(demo).version, "")
    before = resident_kb(saved, {"vectors.npy"})
    for query in queries(demo, 10):
        hybrid.nearest(v, query, 100)
    assert resident_kb(saved, {"vectors.npy"}) - before < 16, "the full vectors became resident"
    assert resident_kb(saved, {"reduced.npy"}) > 0.9 * v.reduced.nbytes / 1024  # the scanned ones


def test_a_segment_is_reduced_on_its_base_axes(store, tmp_path, monkeypatch):
    from lib.search import hybrid

    ds = load(store)
    base = vectors.load_or_build(store, ds)
    import_files(store, input_files([str(write_jsonl(tmp_path / "b.jsonl", list(PAPERS)[-2:]))], (".jsonl",)))
    after = load(store)
    segmented = vectors.load_saved(store, after)
    assert isinstance(segmented, vectors.SegmentedVectors)
    segment = segmented.parts[-1].index
    assert np.array_equal(segment.mean, base.mean) and np.array_equal(segment.basis, base.basis)
    assert np.allclose(segment.reduced, (segment.matrix - base.mean) @ base.basis, atol=1e-5)
    # searched in two stages, a new paper's own vector finds it first
    monkeypatch.setattr(hybrid, "SHORTLIST", 3)
    segmented.exact = False
    for row in segmented.parts[-1].all_rows().tolist():
        rows, cosines = hybrid.nearest(segmented, segmented.of([row])[0], 1)
        assert rows.tolist() == [row] and cosines[0] == pytest.approx(1, abs=1e-5)
