"""Builds in bounded memory (issue 24): the index builds map the table's parts into runs and merge
them within a memory budget; a tiny budget spills runs and outputs to disk and gives the same
artifacts, holding less.  On a real store of the bundled demo cut in parts of 300 papers."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from conftest import resident_kb

from lib.cli import main
from lib.dataset import load
from lib.search import index as search_index
from lib.search import vectors
from lib.store import store as store_module
from lib.store.importer import import_files
from lib.store.spill import Source, Spill, parse_memory
from lib.store.store import Store, sample_inputs
from lib.text import byte_size

TINY = 2**20  # 1 MiB: every run and output of the demo goes to disk
LARGE = 2**30


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_module, "PART_ROWS", 300)  # seven parts: seven runs
        store = Store(tmp_path_factory.mktemp("build") / "data")
        import_files(store, sample_inputs())
    return store


def built(store: Store, build, budget: int) -> tuple[dict[str, np.ndarray], Spill, int]:
    """Arrays built from the store's parts within ``budget`` (outputs on disk read back), the
    spill, and the most memory Python and numpy held meanwhile (tracemalloc)."""
    ds = load(store)
    source = Source.of_parts(store.parts(ds.version))
    assert len(source) == 7
    with Spill(budget) as spill:
        tracemalloc.start()
        try:
            arrays = build(source, None, spill)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        read = {key: np.array(np.load(v) if isinstance(v, Path) else v) for key, v in arrays.items()}
    return read, spill, peak


def same_arrays(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert sorted(a) == sorted(b)
    for key in a:
        if key != "build_seconds":
            assert a[key].dtype == b[key].dtype and np.array_equal(a[key], b[key]), key


def test_a_tiny_budget_spills_the_search_index_and_gives_the_same_arrays_holding_less(store):
    small, tiny_spill, tiny_peak = built(store, search_index.build_arrays, TINY)
    whole, large_spill, large_peak = built(store, search_index.build_arrays, LARGE)
    same_arrays(small, whole)
    assert tiny_spill.spilled_bytes > 2 * TINY and large_spill.spilled_bytes == 0
    assert 0 < tiny_spill.peak_held <= TINY // 2  # what it kept in memory stayed within its share
    assert tiny_peak < 0.75 * large_peak, (tiny_peak, large_peak)
    # the merged postings are those of a build of the whole table at once
    index = search_index.SearchIndex(small)
    demo = search_index.SearchIndex.build(load(store).table)
    for term in ("agent", "diffusion", "video", "reasoning"):
        assert index.scores(term).rows.tolist() == demo.scores(term).rows.tolist()
        assert np.array_equal(index.scores(term).values, demo.scores(term).values)
    assert index.biword("language", "model").rows.tolist() == demo.biword("language", "model").rows.tolist()


def test_a_tiny_budget_writes_the_vectors_out_as_they_come(store):
    small, spill, _ = built(store, vectors.build_arrays, TINY)
    whole, _, _ = built(store, vectors.build_arrays, LARGE)
    same_arrays(small, whole)
    assert spill.spilled_bytes >= small["vectors"].nbytes and small["vectors"].shape == (1953, vectors.DIM)


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_build_within_a_memory_budget_saves_the_same_artifacts_and_reports_each_step(store, tmp_path):
    import shutil

    other = Store(tmp_path / "copy")
    shutil.copytree(store.path, other.path)
    code, out, err = cli("build", "--data", str(store.path), "--k", "3", "--memory", "1M")
    assert code == 0, err
    assert "search index: " in out and ", peak " in out and " MB" in out
    code, _, err = cli("build", "--data", str(other.path), "--k", "3", "--memory", "1G")
    assert code == 0, err
    version = load(store).version
    for name in ("search", "vectors", "terms"):
        a = store.load_arrays(name, version)
        b = other.load_arrays(name, version)
        assert a is not None and b is not None
        same_arrays({k: np.asarray(v) for k, v in a.items()}, {k: np.asarray(v) for k, v in b.items()})


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--memory", "12x"], "memory budget '12x': write it as a size"),
        (["--memory", "10k"], "memory budget '10k': at least 1M"),
        (["--master", "local[2]"], "--master is for --engine spark"),
    ],
)
def test_a_wrong_budget_or_master_is_one_line(store, argv, says):
    code, _, err = cli("build", "--data", str(store.path), *argv)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_sizes_read_as_people_write_them():
    assert byte_size("4G") == 4 * 2**30 and byte_size("1.5g") == 3 * 2**29 and byte_size("512MiB") == 2**29
    assert byte_size("800000000") == 800_000_000 and parse_memory(" 2 GB ") == 2 * 2**30
    with pytest.raises(ValueError):
        byte_size("four gigabytes")


def test_ranges_of_a_saved_array_are_read_from_its_file_and_equal_its_slices(tmp_path):
    from lib.store.store import read_ranges

    store = Store(tmp_path / "data")
    values = np.random.default_rng(0).integers(0, 2**31 - 1, 50_000, dtype=np.int32)
    assert store.save_arrays("ranges", "1-abc", {"rows": values}) is not None
    arrays = store.load_arrays("ranges", "1-abc")
    assert arrays is not None
    mapped = arrays["rows"]
    starts = np.array([40_000, 7, 100, 300, 49_990, 5])  # any order; 100..300 and 300..900 adjacent
    ends = np.array([40_010, 90, 300, 900, 49_997, 5])
    for array in (mapped, np.asarray(mapped), mapped[3:], values):  # mapped, a view of it, a slice, in memory
        expected = np.concatenate([np.asarray(array)[s:e] for s, e in zip(starts, ends)])
        assert np.array_equal(read_ranges(array, starts, ends), expected)
    expected = np.concatenate([values[s:e] for s, e in zip(starts, ends)])
    out = np.zeros(len(expected) + 4, dtype=np.int32)
    read_ranges(mapped, starts, ends, out[2:-2])
    assert np.array_equal(out[2:-2], expected) and not out[:2].any() and not out[-2:].any()
    assert len(read_ranges(mapped, [], [])) == 0
    with pytest.raises(ValueError, match="out must hold"):
        read_ranges(mapped, starts, ends, np.zeros(3, dtype=np.int32))


def test_rows_of_a_saved_matrix_are_read_from_its_file_and_equal_its_rows(tmp_path):
    from lib.store.store import read_rows

    store = Store(tmp_path / "data")
    values = np.random.default_rng(0).random((5_000, 24), dtype=np.float32)
    assert store.save_arrays("rows", "1-abc", {"matrix": values}) is not None
    arrays = store.load_arrays("rows", "1-abc")
    assert arrays is not None
    mapped = arrays["matrix"]
    rows = np.array([4_989, 7, 8, 9, 0, 7, 2_500])  # any order, adjacent and repeated
    for matrix in (mapped, mapped[10:], values):  # mapped (read from its file), a slice of it, in memory
        assert np.array_equal(read_rows(matrix, rows), np.asarray(matrix)[rows])
    assert read_rows(mapped, []).shape == (0, 24)
    with pytest.raises(IndexError):
        read_rows(mapped, [5_000])
    before = resident_kb(store.path, {"matrix.npy"})
    read_rows(mapped, np.arange(0, 5_000, 3))
    assert resident_kb(store.path, {"matrix.npy"}) - before < 16, "the rows became resident through the mapping"


def test_a_topic_fit_reads_the_term_index_postings_without_mapping_them(store):
    """The presence matrix of a fit is read from the postings' file: none of the postings' pages
    becomes resident through the mapping (at 1M papers 1.1 GB of them did)."""
    from lib.topics.vocabulary import vocabulary
    from lib.trends import terms

    ds = load(store)
    terms.INDEXES.load_or_build(store, ds)
    index = terms.INDEXES.load_or_build(store, ds)  # saved, then mapped as a fresh process maps it
    postings = {f"{kind}_indices.npy" for kind in "un"}
    before = resident_kb(store.path, postings)
    words = vocabulary(index)
    assert words.presence.nnz > 10_000
    assert resident_kb(store.path, postings) - before < 64, "the postings' pages became resident through the mapping"
