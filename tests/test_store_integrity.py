"""The table on disk loses nothing and spreads nothing: parts without their manifest are refused
and recovered, never deleted; a damaged Arrow copy never reaches the Parquet table; the copies stay
compact through many imports; files follow the umask (issue 25: points 4, 4c, 14, file modes)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lib.store.store
from lib.cli import main
from lib.dataset import load
from lib.errors import StoreError
from lib.store.importer import import_files
from lib.store.store import CHECKSUM_SUFFIX, MANIFEST_KEY, InputFile, Store, temp_dir

TODAY = dt.date(2026, 12, 4)


WORDS = ["heron", "kestrel", "finch", "lattice", "quasar", "tokenizer"]


def paper(i: int, **extra) -> dict:
    record = {
        "id": f"2507.{i:05d}",
        "title": f"Paper number {i:05d} on {WORDS[i % 6]} and {WORDS[(i + 1) % 6]}",
        "categories": [["cs.CL"], ["cs.AI", "cs.CL"], ["cs.LG"]][i % 3],
        "abstract": f"We study {WORDS[i % 6]} {WORDS[(i + 2) % 6]} with care.",
        "authors": [f"Author {i}", "Co Author"],
        "date": f"2025-07-{1 + i % 28:02d}",
        "upvotes": i % 17,
    }
    record.update(extra)
    return record


def do_import(store: Store, records: list[dict]):
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    return import_files(store, [InputFile.from_bytes("papers.jsonl", data)], today=TODAY)


def files(store: Store) -> dict[str, bytes]:
    """Every table part's bytes, by name."""
    return {p.name: p.read_bytes() for p in sorted(store.table_dir.glob("part-*.parquet"))}


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    monkeypatch.setattr(lib.store.store, "PART_ROWS", 10)  # several parts from a few papers
    return Store(tmp_path / "data")


@pytest.fixture
def two_versions(store):
    """A store of 46 papers in 5 parts whose live version kept three parts of the version before
    (it rewrote parts 0 and 4)."""
    do_import(store, [paper(i) for i in range(45)])
    do_import(store, [paper(3, upvotes=500), paper(45)])
    return store


def run(*argv: str) -> tuple[int, str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


# --- 4: a lost manifest ---------------------------------------------------------------------
def test_parts_without_their_manifest_are_refused_never_read_as_empty_or_deleted(two_versions):
    store = two_versions
    table, version = store.read_version()
    parts = files(store)
    store.manifest_path.unlink()

    for read in (store.version, store.read_table, lambda: load(store)):  # never the bundled sample
        with pytest.raises(StoreError, match="python -m lib build --recover") as info:
            read()
        assert "\n" not in str(info.value) and "_manifest.json: missing" in str(info.value)
    with pytest.raises(StoreError, match="--recover"):  # an import refuses: it would drop the parts' papers
        do_import(store, [paper(100)])
    assert files(store) == parts and store.exists()
    code, _, err = run("info", "--data", str(store.path))
    assert code == 2 and "--recover" in err and len(err.strip().splitlines()) == 1

    # the recovery: the same version again (its artifacts stay valid), every paper there
    assert store.recover() == version
    assert store.read_version()[1] == version and store.read_table().equals(table)
    assert store.recover() is None  # nothing to do any more
    report = do_import(store, [paper(100)])
    assert report.counts.added == 1 and store.read_table().num_rows == 47


def test_build_recover_from_the_command_line(two_versions):
    store = two_versions
    table, version = store.read_version()
    store.manifest_path.unlink()
    code, out, err = run("build", "--recover", "--data", str(store.path), "--k", "3")
    assert code == 0, err
    assert f"version {version}" in out
    assert store.read_table().equals(table)


def test_recover_takes_the_newest_complete_version(two_versions, tmp_path):
    """Parts of the version before (a writer killed after its manifest's rename, before its
    clean-up) and of the live one: the live one when it is whole, else the one before."""
    store = two_versions
    table, version = store.read_version()
    older = Store(tmp_path / "older")
    do_import(older, [paper(i) for i in range(45)])  # the same first version, written again
    first_table, first_version = older.read_version()
    for name, data in files(older).items():  # ... its parts, under their own version
        (store.table_dir / name).write_bytes(data)
    store.manifest_path.unlink()
    with pytest.raises(StoreError, match="--recover"):
        store.read_table()
    rescue = store.path.parent / "rescue"
    shutil.copytree(store.path, rescue)

    assert store.recover() == version and store.read_table().equals(table)

    # the live version lost a part too: the version before is the newest complete one
    rescued = Store(rescue)
    (rescued.table_dir / f"part-000004-{version}.parquet").unlink()
    assert rescued.recover() == first_version and rescued.read_table().equals(first_table)


def test_recover_parts_written_before_parts_carried_their_manifest(two_versions):
    store = two_versions
    table, version = store.read_version()
    for path in store.table_dir.glob("part-*.parquet"):  # the parts as releases before 2026-12-04 wrote them
        part = pq.read_table(path)
        assert MANIFEST_KEY in part.schema.metadata
        pq.write_table(part.replace_schema_metadata(None), path)
    store.manifest_path.unlink()
    assert store.recover() == version and store.read_table().equals(table)


def test_recover_refuses_when_no_version_is_whole(two_versions):
    store = two_versions
    store.manifest_path.unlink()
    part = next(store.table_dir.glob("part-000001-*.parquet"))
    part.write_bytes(b"PAR1" + b"\x00" * 50 + b"PAR1")
    before = files(store)
    with pytest.raises(StoreError, match="no complete version"):
        store.recover()
    assert files(store) == before and not store.manifest_path.exists()


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"format": 1, "version": "2-ab"}'])
def test_a_damaged_manifest_says_how_to_recover_and_is_replaced(two_versions, content):
    store = two_versions
    table, version = store.read_version()
    store.manifest_path.write_bytes(content)
    with pytest.raises(StoreError, match="unreadable store .*python -m lib build --recover"):
        store.read_table()
    assert store.recover() == version and store.read_table().equals(table)


def test_a_manifest_of_a_later_format_is_never_recovered_over(two_versions):
    store = two_versions
    later = b'{"format": 2, "version": "9-ab", "parts": []}'
    store.manifest_path.write_bytes(later)
    with pytest.raises(StoreError, match="manifest format 2") as info:
        store.read_table()
    assert "--recover" not in str(info.value)
    with pytest.raises(StoreError, match="manifest format 2"):
        store.recover()
    assert store.manifest_path.read_bytes() == later


def test_the_app_says_how_to_recover_a_store_without_its_manifest(app, three_day_store):
    (three_day_store / "papers" / "_manifest.json").unlink()
    app.run()
    assert not app.exception
    message = " ".join(e.value for e in app.error)
    assert "python -m lib build --recover" in message and str(three_day_store) not in message
    assert not any("sample" in str(c.value).lower() for c in app.caption)  # not the bundled demo


def test_no_write_deletes_a_part_it_cannot_account_for(two_versions):
    """A part of a later version than the live one (say, one a restored manifest does not name)
    survives imports, failed or not; superseded parts and temporary files go."""
    store = two_versions
    live = store.parquet_files()
    stranger = store.table_dir / "part-000000-90-deadbeef.parquet"
    shutil.copy(live[0], stranger)
    superseded = store.table_dir / f"part-000001-1-{'0' * 8}.parquet"  # an earlier version's part
    shutil.copy(live[1], superseded)
    temp = store.table_dir / ".part-000001-3-abc.parquet.x.tmp"
    temp.write_bytes(b"half")
    for i in range(3):
        do_import(store, [paper(200 + i)])
    assert stranger.is_file() and not superseded.exists() and not temp.exists()


def test_a_reader_during_the_first_import_sees_an_empty_store(store):
    """The first write's parts come before its manifest: a reader meanwhile sees no table yet
    (the bundled sample), not an error."""
    writer = Store(store.path)
    do_import(writer, [paper(i) for i in range(12)])
    store.manifest_path.unlink()
    for path in store.table_dir.glob("part-*.parquet"):  # the parts of a first version, "1-…"
        assert path.name.split("-")[2] == "1"
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with writer.lock():
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        held.wait(10)
        assert store.version() is None and load(store).is_sample
    finally:
        release.set()
        thread.join()
    with pytest.raises(StoreError, match="--recover"):  # the lock is free: a lost manifest
        store.version()


# --- 4c: a damaged Arrow copy ----------------------------------------------------------------
def _flip_title(store: Store, part: int, title: str, into: str) -> Path:
    """Change ``title`` to ``into`` (same length) inside a part's Arrow copy, in place."""
    copy = store.arrow_copy(store.parquet_files()[part])
    data = copy.read_bytes()
    assert data.count(title.encode()) == 1
    with open(copy, "r+b") as handle:  # in place: the inode readers map
        handle.seek(data.index(title.encode()))
        handle.write(into.encode())
    return copy


def test_a_damaged_arrow_copy_never_reaches_the_parquet_table(two_versions):
    store = two_versions
    _flip_title(store, 0, "Paper number 00004", "Paper numbex 00004")
    assert (
        store.read_table()["title"][4].as_py().startswith("Paper numbex 00004 ")
    )  # a reader maps without a full check

    report = do_import(store, [paper(5, upvotes=900)])  # rewrites part 0 from the rows it read
    assert report.counts.updated == 1
    part0 = store.parquet_files()[0]
    assert part0.name.endswith(f"-{report.version}.parquet")
    assert pq.read_table(part0)["title"][4].as_py().startswith("Paper number 00004 ")  # the durable table is right
    assert store.read_table()["title"][4].as_py().startswith("Paper number 00004 ")  # and the copy was rebuilt


def test_a_damaged_copy_of_a_part_the_import_keeps_is_rebuilt(two_versions):
    store = two_versions
    copy = _flip_title(store, 1, "Paper number 00014", "Paper numbex 00014")
    do_import(store, [paper(26)])  # writes only the last part; part 1 is kept as it is
    assert store.read_table()["title"][14].as_py().startswith("Paper number 00014 ")
    assert store.compact() == 0  # every copy checks out now
    _flip_title(store, 1, "Paper number 00014", "Paper numbex 00014")
    assert store.compact() == 1 and store.read_table()["title"][14].as_py().startswith("Paper number 00014 ")
    assert copy.with_name(copy.name + CHECKSUM_SUFFIX).is_file()


def test_a_damaged_parquet_page_is_an_error_not_a_table(two_versions):
    """A byte flipped in a data page of a part decodes, unchecked, to another title; the parts
    carry page checksums, so the store refuses it instead."""
    store = two_versions
    part = store.parquet_files()[1]
    for path in store.part_cache_dir.glob("*"):
        path.unlink()
    good = part.read_bytes()
    expected = pq.read_table(part)
    column = pq.ParquetFile(part).metadata.row_group(0).column(expected.column_names.index("title"))
    start = column.dictionary_page_offset or column.data_page_offset
    for offset in range(start, start + column.total_compressed_size):
        damaged = bytearray(good)
        damaged[offset] ^= 0x01
        with contextlib.suppress(OSError, pa.ArrowException):
            if not pq.read_table(pa.BufferReader(bytes(damaged))).equals(expected):
                break  # a silent change, unchecked
    else:
        pytest.fail("no byte of the title column changes it silently")
    part.write_bytes(bytes(damaged))
    with pytest.raises(StoreError, match="unreadable store"):
        store.read_table()


# --- 14: the Arrow copies stay compact -------------------------------------------------------
def _batches(copy: Path) -> int:
    return pa.ipc.open_file(pa.memory_map(str(copy))).num_record_batches


def test_copies_stay_compact_through_many_imports(store):
    do_import(store, [paper(i) for i in range(35)])
    for round in range(20):  # each import updates rows across parts and adds two
        do_import(
            store,
            [paper(i, upvotes=1000 + round) for i in range(round % 5, 35, 7)]
            + [paper(100 + 2 * round), paper(101 + 2 * round)],
        )
    table = store.read_table()
    assert table.num_rows == 75
    fresh = Store(store.path.parent / "fresh")
    with fresh.lock():
        fresh.write_table(table)
    for parquet, again in zip(store.parquet_files(), fresh.parquet_files(), strict=True):
        copy, fresh_copy = store.arrow_copy(parquet), fresh.arrow_copy(again)
        assert _batches(copy) == 1
        assert copy.stat().st_size <= fresh_copy.stat().st_size * 1.05
        assert parquet.stat().st_size <= again.stat().st_size * 1.05


def test_build_compacts_fragmented_copies(two_versions):
    store = two_versions
    copy = store.arrow_copy(store.parquet_files()[0])
    table = pa.ipc.open_file(pa.py_buffer(copy.read_bytes())).read_all()
    with pa.ipc.new_file(str(copy), table.schema) as writer:  # as imports before 2026-12-04 left it
        writer.write_table(table, max_chunksize=1)
    assert _batches(copy) == 10
    code, _, err = run("build", "--data", str(two_versions.path), "--k", "3")
    assert code == 0, err
    assert _batches(copy) == 1 and store.read_table().equals(store.read_version(verify=True)[0])


# --- file modes ----------------------------------------------------------------------------
@pytest.mark.parametrize("umask", [0o002, 0o022, 0o077])
def test_store_files_follow_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        store = Store(tmp_path / "data")
        do_import(store, [paper(i) for i in range(3)])
        do_import(store, [paper(4)])
        made = temp_dir(store.artifacts_dir, ".staging-")
        store.save_arrays("counts", store.version(), {"values": np.arange(3)})
        store.update_document("topics.json", lambda document: {"k": 1})
        store.save_raw("hf", "2025-07-01.json", b"[]")
    finally:
        os.umask(old)
    written = [path for path in store.path.rglob("*") if path.name != "team.sqlite3"]
    assert len(written) > 10
    for path in written:  # every file and folder the store wrote, as open() and mkdir() make them
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        assert path.stat().st_mode & 0o777 == expected, path
    assert made.stat().st_mode & 0o777 == 0o777 & ~umask
