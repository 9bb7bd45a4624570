"""Artifacts checked and repaired, on a real store: any string comes back from a saved artifact as
it was; a damaged or out-of-step artifact is built again (never a traceback, never a wrong
answer); an import killed before it carried its artifacts over is repaired on first use and by
``build``; killed saves' staging folders are removed; a late build of an older version leaves the
live version's artifacts alone; ``build`` says what it could not save."""

from __future__ import annotations

import io
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import test_artifacts
from conftest import write_jsonl

from lib import artifacts, sources
from lib.cli import main
from lib.dataset import load
from lib.library import Library
from lib.search import index as search_index
from lib.store.importer import import_files
from lib.store.store import CHECKSUMS, STALE_STAGING_SECONDS, Store, input_files
from lib.topics import topics
from lib.trends import terms

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = [["cs.CL"], ["cs.AI", "cs.CL"], ["cs.LG"], ["stat.ML", "cs.LG"]]


def paper(i: int, day: str) -> dict:
    """tests/test_artifacts.py's paper, with categories (the category index is under test here)."""
    return {**test_artifacts.paper(i, day), "categories": CATEGORIES[i % 4]}


def do_import(store: Store, tmp_path: Path, name: str, records: list[dict]) -> None:
    import_files(store, input_files([str(write_jsonl(tmp_path / name, records))], (".jsonl",)))


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "data")
    do_import(store, tmp_path, "base.jsonl", [paper(i, f"2025-04-{1 + i % 20:02d}") for i in range(40)])
    return store


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def flip_last_byte(path: Path) -> None:
    """A byte of the file's data (its last) turned into one no UTF-8 text holds."""
    data = bytearray(path.read_bytes())
    data[-1] = 0xFF if data[-1] != 0xFF else 0xFE
    path.write_bytes(bytes(data))


# --- 4b: any string, saved and read back ------------------------------------------------------------
HOSTILE = [
    ["cs.\x00CL", "cs.CL"],
    ["\x00", "", "\x00\x00", "a\x00"],
    ["\x1b[31mred\x1b[0m", "tab\there", "line\nbreak", "\x7f\x85\u2028"],
    ["\ud800", "\ud83d\ude00", "😀", "多语言", "é"],  # a lone surrogate (JSON can carry one) and a pair
]


@pytest.mark.parametrize("strings", HOSTILE)
def test_any_string_comes_back_from_a_saved_artifact_as_it_was(strings, tmp_path):
    store = Store(tmp_path / "data")
    store.save_arrays("strings", "1-abc", {"strings": artifacts.pack(strings)})
    assert artifacts.unpack(store.load_arrays("strings", "1-abc")["strings"]) == strings


def test_a_nul_in_one_category_leaves_every_other_category_in_place(store):
    """Names packed with NUL separators split a name holding one in two: every later category
    shifted by one, and the cs.CL filter returned other papers."""
    ds = load(store)
    cats = ds.table["categories"].to_pylist()
    cats[0] = ["cs.\x00AI", "cs.CL"]  # one category with a NUL (the importer may clean it; the index must not care)
    table = ds.table.set_column(ds.table.schema.get_field_index("categories"), "categories", pa.array(cats))
    built = search_index.INDEXES.build(table)
    file = search_index.INDEXES.file
    file.save(store, ds.version, built.to_arrays())
    loaded = search_index.INDEXES.load(store, ds.version, file.load(store, ds.version))
    assert loaded.category_sizes() == built.category_sizes()
    for name in ("cs.CL", "cs.LG", "stat.ML", "cs.\x00AI"):
        expected = [r for r, names in enumerate(cats) if name in names]
        assert loaded.in_category(name).tolist() == expected, name


def test_an_artifact_of_the_older_string_layout_is_built_again_never_misread(store):
    ds = load(store)
    built = terms.load_or_build(store, ds)
    arrays = dict(store.load_arrays(terms.ARTIFACT, ds.version))
    old = {**arrays, "format": np.array([terms.FORMAT_VERSION])}  # as releases before LAYOUT 2 stamped it
    store.save_arrays(terms.ARTIFACT, ds.version, old)
    assert terms.INDEXES.file.load(store, ds.version) is None
    assert terms.load_or_build(store, ds).unigrams == built.unigrams
    assert [int(n) for n in store.load_arrays(terms.ARTIFACT, ds.version)["format"]] == [
        terms.FORMAT_VERSION,
        artifacts.LAYOUT,
    ]


def test_a_plus_inside_a_source_never_merges_two_combinations_of_sources():
    """The same class: combinations of sources were keyed by their sources joined with "+" and
    split back for their names, so a file named "a+arxiv" and a paper of file "a" and arXiv
    counted as one combination, named "your file a and arXiv"."""
    column = pa.chunked_array(
        [[["file:a+arxiv"], ["file:a", "arxiv"]], [None, ["file:%2B"], ["hf", "file:a+arxiv"], ["file:a+arxiv"]]],
        pa.list_(pa.string()),
    )
    codes, keys = sources.mix(column)
    assert codes.tolist() == [0, 1, 2, 3, 4, 0] and len(keys) == 5
    names = [sources.mix_name(keys[c]) for c in codes]
    assert names[:2] == ["your file a+arxiv", "your file a and arXiv"]
    assert names[2:5] == ["no source", "your file %2B", "Hugging Face daily list and your file a+arxiv"]


# --- 5: a damaged artifact is built again ------------------------------------------------------------
def test_a_flipped_byte_in_a_saved_vocabulary_is_built_again_not_a_traceback(store):
    """It was a UnicodeDecodeError: "internal error", exit 1."""
    code, before, _ = cli("search", "--data", str(store.path), "kestrel")
    assert code == 0 and "kestrel" in before.lower()
    version = load(store).version
    flip_last_byte(store.artifact_path(search_index.ARTIFACT, version, "") / "vocabulary.npy")
    code, after, err = cli("search", "--data", str(store.path), "kestrel")
    assert (code, after) == (0, before), err
    assert "damaged artifact" in store.log_path.read_text()  # why it was built again
    assert search_index.INDEXES.file.load(store, version) is not None  # and saved again, intact


def test_a_flipped_byte_in_saved_topic_labels_is_built_again_not_a_traceback(store):
    code, before, _ = cli("topics", "--data", str(store.path), "--k", "3")
    assert code == 0
    version = load(store).version
    flip_last_byte(store.artifact_path(topics.model_file(3).name, version, "") / "labels.npy")
    code, after, err = cli("topics", "--data", str(store.path), "--k", "3")
    assert code == 0, err
    assert [line for line in after.splitlines() if "quality:" not in line] == [  # (which says how long the fit took)
        line for line in before.splitlines() if "quality:" not in line
    ]


def test_a_truncated_or_extra_file_is_damaged(store):
    ds = load(store)
    terms.load_or_build(store, ds)
    folder = store.artifact_path(terms.ARTIFACT, ds.version, "")
    with open(folder / "n_docs.npy", "ab") as handle:
        handle.write(b"\0")
    assert store.load_arrays(terms.ARTIFACT, ds.version) is None
    terms.load_or_build(store, ds)
    shutil.copy(folder / "n_docs.npy", folder / "stray.npy")
    assert store.load_arrays(terms.ARTIFACT, ds.version) is None
    (folder / "stray.npy").unlink()
    (folder / CHECKSUMS).write_text("{not json")
    assert store.load_arrays(terms.ARTIFACT, ds.version) is None


def test_build_checks_every_byte_where_a_load_checks_only_the_small_files(store):
    """At a million papers a load checks every file's size but the bytes of only the first
    VERIFY_BYTES (the largest arrays stay lazily mapped); ``build`` checks every byte."""
    ds = load(store)
    built = search_index.load_or_build(store, ds)
    folder = store.artifact_path(search_index.ARTIFACT, ds.version, "")
    largest = max(folder.glob("*.npy"), key=lambda p: p.stat().st_size)
    expected = np.array(built.arrays[largest.stem])  # (a build hands out its saved copy, mapped: rewritten below)
    data = bytearray(largest.read_bytes())
    data[-1] ^= 0x01
    largest.write_bytes(bytes(data))
    cheap = Store(store.path)
    sizes = [p.stat().st_size for p in folder.glob("*.npy")]
    cheap.verify_bytes = sum(size for size in sizes if size < largest.stat().st_size)  # all but the largest
    assert cheap.load_arrays(search_index.ARTIFACT, ds.version) is not None  # the size is right
    assert store.load_arrays(search_index.ARTIFACT, ds.version) is None  # VERIFY_BYTES covers it at this size
    code, _, err = cli("build", "--data", str(store.path), "--k", "3")
    assert code == 0, err
    again = search_index.INDEXES.file.load(store, ds.version)
    assert again is not None
    np.testing.assert_array_equal(again[largest.stem], expected)


def test_a_segment_out_of_step_with_its_rows_is_built_again_not_an_index_error(store, tmp_path):
    ds = load(store)
    terms.load_or_build(store, ds)
    do_import(store, tmp_path, "day2.jsonl", [paper(i, "2025-04-25") for i in range(40, 45)])
    ds2 = load(store)
    file = terms.INDEXES.file
    segment = dict(file.load(store, ds2.version))
    assert "rows" in segment  # the import made a segment
    stamp = segment.pop("format")
    assert [int(n) for n in stamp] == [terms.FORMAT_VERSION, artifacts.LAYOUT]
    file.save(store, ds2.version, {**segment, "rows": np.asarray(segment["rows"])[1:]})  # checksums agree
    index = terms.load_or_build(store, ds2)
    whole = terms.TermIndex.build(ds2.table)
    assert isinstance(index, terms.TermIndex) and index.n_docs == 45  # built again, whole
    for stem_ in whole.unigrams:
        assert index.unigram_rows(stem_).tolist() == whole.unigram_rows(stem_).tolist(), stem_


def test_production_browsers_never_see_tracebacks_or_server_paths():
    from streamlit import config

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["client"]["showErrorDetails"] == config.ShowErrorDetailsConfigOptions.NONE.value


# --- 4d: artifacts never go missing ---------------------------------------------------------------
def killed_before_carrying_over(store: Store, tmp_path: Path) -> str:
    """A store whose last import went live but was killed after it carried the search index and
    the papers' vectors over, before the term index and the topic model: the new version lacks
    them, the previous version still has them (the files on disk as such a kill leaves them)."""
    ds = load(store)
    search_index.load_or_build(store, ds)
    Library(store, ds).topic_model(3)  # the term index and the model with 3 topics
    names = (terms.ARTIFACT, topics.model_file(3).name)
    for name in names:
        shutil.copytree(store.artifact_path(name, ds.version, ""), tmp_path / "kept" / name)
    do_import(store, tmp_path, "day2.jsonl", [paper(i, "2025-04-25") for i in range(40, 45)])
    version = load(store).version
    for name in names:
        shutil.rmtree(store.artifact_path(name, version, ""))
        if not store.artifact_path(name, ds.version, "").is_dir():  # (the carrying over pruned it)
            shutil.copytree(tmp_path / "kept" / name, store.artifact_path(name, ds.version, ""))
    assert store.load_arrays(search_index.ARTIFACT, version) is not None
    return version


def test_an_import_killed_before_it_carried_artifacts_over_is_repaired_on_first_use(store, tmp_path):
    version = killed_before_carrying_over(store, tmp_path)
    library = Library.open(store)
    index = library.term_index
    assert isinstance(index, terms.SegmentedTermIndex) and len(index.parts) == 2  # extended, not built whole
    assert index.n_docs == 45
    whole = terms.TermIndex.build(library.dataset.table)
    for stem_ in whole.unigrams:
        assert index.unigram_rows(stem_).tolist() == whole.unigram_rows(stem_).tolist(), stem_
    model = library.topic_model(3)
    assert (model.fitted_docs_, model.placed_docs, len(model.dominant_)) == (40, 5, 45)  # carried over: no fit
    assert topics.is_saved(store, library.dataset, 3) and terms.INDEXES.file.load(store, version) is not None


def test_build_repairs_an_import_killed_before_it_carried_artifacts_over(store, tmp_path):
    version = killed_before_carrying_over(store, tmp_path)
    code, out, err = cli("build", "--data", str(store.path), "--k", "3")
    assert code == 0 and "every artifact on disk" in out, err
    ds = load(store)
    assert terms.INDEXES.file.load(store, version) is not None
    model = topics.load_or_fit(store, ds, None, 3)
    assert (model.fitted_docs_, model.placed_docs, len(model.dominant_)) == (40, 5, 45)


def test_staging_folders_of_killed_saves_are_removed_and_live_ones_kept(store):
    ds = load(store)
    terms.load_or_build(store, ds)
    old, live = store.artifacts_dir / ".terms-killed.tmp", store.artifacts_dir / ".search-writing.tmp"
    for folder in (old, live):
        folder.mkdir()
        (folder / "postings.npy").write_bytes(b"\0" * 1000)
    past = time.time() - STALE_STAGING_SECONDS - 60
    for path in (old / "postings.npy", old):
        os.utime(path, (past, past))
    code, _, err = cli("build", "--data", str(store.path), "--k", "3")  # nothing to build: every artifact is there
    assert code == 0, err
    assert not old.exists() and live.is_dir()


def test_a_late_build_of_an_older_version_leaves_the_live_versions_artifacts(store, tmp_path):
    """A lazy build (the app's first visit, or ``build``) of the version that was live when it
    started, finishing after an import: it deleted the live version's indexes."""
    first = load(store)
    do_import(store, tmp_path, "day2.jsonl", [paper(i, "2025-04-25") for i in range(40, 45)])
    live = load(store)
    for module in (search_index, terms):
        module.load_or_build(store, live)
        module.load_or_build(store, first)  # the older version's build ends last
        assert module.INDEXES.file.load(store, live.version) is not None, module.ARTIFACT
    topics.load_or_fit(store, live, terms.load_or_build(store, live), 3)
    topics.load_or_fit(store, first, terms.load_or_build(store, first), 3)
    assert topics.is_saved(store, live, 3)
    terms.load_or_build(store, live, rebuild=True)  # the live version's own build still prunes the older ones
    assert store.artifact_versions(terms.ARTIFACT, before="999-0") == [live.version]


def _small_files() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))


def test_build_says_what_it_could_not_save_and_fails(store):
    env = {k: v for k, v in os.environ.items() if k not in ("PAPERS_DATA", "PAPERS_DEBUG")}
    done = subprocess.run(
        [sys.executable, "-m", "lib", "build", "--data", str(store.path), "--k", "3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_small_files,
    )
    assert done.returncode == 2, done.stderr
    assert "every artifact on disk" not in done.stdout
    last = done.stderr.strip().splitlines()[-1]
    assert "not saved: search index, papers' vectors, term index, topic model (k=3)" in last, done.stderr
    assert not list(store.artifacts_dir.glob(".*.tmp"))  # the failed saves left nothing behind
