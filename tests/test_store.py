"""The store on a real disk: idempotent re-imports, atomic writes under failures and
SIGKILL, the writers' lock across processes, versions, artifacts, the bundled sample."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import table_state

import lib.store.store
from lib.dataset import SAMPLE_VERSION, load
from lib.errors import InputError, StoreError
from lib.store.importer import import_files
from lib.store.schema import SCHEMA, conform
from lib.store.store import (
    CHECKSUM_SUFFIX,
    LEGACY_TABLE_FILE,
    VERSION_KEY,
    InputFile,
    Store,
    input_files,
    write_bytes_atomic,
)

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 27)


def paper(i: int, **extra) -> dict:
    record = {
        "id": f"2507.{i:05d}",
        "title": f"Paper number {i}",
        "abstract": f"Abstract {i}.",
        "authors": [f"Author {i}", "Co Author"],
        "date": f"2025-07-{1 + i % 28:02d}",
        "upvotes": i % 17,
    }
    record.update(extra)
    return record


def jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def source(records: list[dict], name: str = "papers.jsonl") -> InputFile:
    return InputFile.from_bytes(name, jsonl(records))


def do_import(store: Store, records: list[dict], name: str = "papers.jsonl"):
    return import_files(store, [source(records, name)], today=TODAY)


def snapshot(store: Store) -> dict[str, tuple[bytes, int, int]]:
    return table_state(store.path)


def leftovers(store: Store) -> list[str]:
    """Files in the data directory that the live table does not use: anything beside the
    table, the lock and the artifacts (e.g. temp files), parts that the manifest does not
    name, and temp files and Arrow copies of other parts among the artifacts."""
    live = set(store.table_files())
    found = [p for p in store.path.iterdir() if p.name not in ("papers", ".lock", "artifacts")]
    found += [p for p in store.table_dir.glob("*") if p not in live] if store.table_dir.exists() else []
    found += list(store.artifacts_dir.rglob("*.tmp")) if store.artifacts_dir.exists() else []
    copies = {store.arrow_copy(p) for p in store.parquet_files()}
    copies |= {copy.with_name(copy.name + CHECKSUM_SUFFIX) for copy in copies}  # each copy's checksum
    found += [p for p in store.part_cache_dir.glob("*") if p not in copies] if store.part_cache_dir.exists() else []
    return sorted(str(p.relative_to(store.path)) for p in found)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "data")


# --- idempotent imports and versions ------------------------------------------------
def test_reimporting_the_same_file_writes_nothing(store):
    records = [paper(i) for i in range(25)]
    first = do_import(store, records)
    assert (first.counts.added, first.counts.updated, first.counts.unchanged) == (25, 0, 0)
    assert first.version is not None and store.version() == first.version
    before = snapshot(store)

    time.sleep(0.01)  # a rewrite would get a later mtime
    second = do_import(store, records)
    assert (second.counts.added, second.counts.updated, second.counts.unchanged) == (0, 0, 25)
    assert second.version is None
    assert second.summary() == "added 0, updated 0, unchanged 25, rejected 0"
    assert store.version() == first.version
    assert snapshot(store) == before  # bytes, mtime_ns and inode: the file was not touched
    assert leftovers(store) == []


def test_importing_a_changed_file_bumps_the_version(store):
    records = [paper(i) for i in range(10)]
    v1 = do_import(store, records).version
    changed = [dict(r) for r in records]
    changed[3]["upvotes"] = 1000
    changed[7]["abstract"] = "A rewritten abstract."
    report = do_import(store, changed + [paper(99)])
    assert (report.counts.added, report.counts.updated, report.counts.unchanged) == (1, 2, 8)
    v2 = report.version
    assert v2 is not None and v2 != v1 and store.version() == v2
    assert int(v2.split("-")[0]) == int(v1.split("-")[0]) + 1
    table = store.read_table()
    assert table.num_rows == 11
    assert table["upvotes"][3].as_py() == 1000
    assert table["abstract"][7].as_py() == "A rewritten abstract."


def test_version_lives_in_the_manifest(store):
    assert store.version() is None and not store.exists()
    version = do_import(store, [paper(1)]).version
    manifest = json.loads(store.manifest_path.read_text())
    assert manifest["version"] == version == store.version()
    assert version.startswith("1-")
    assert [part["file"] for part in manifest["parts"]] == [f"part-000000-{version}.parquet"]
    assert leftovers(store) == []
    with store.lock():
        v2 = store.write_table(store.read_table())
    assert v2.startswith("2-") and store.version() == v2
    assert json.loads(store.manifest_path.read_text())["version"] == v2
    # the folder is a plain Parquet dataset for other tools (the manifest's "_" hides it from them)
    assert pq.read_table(store.table_dir).num_rows == 1


def test_write_table_conforms_and_round_trips(store):
    report = do_import(store, [paper(i) for i in range(5)])
    table = store.read_table()
    assert table.equals(report.incoming)
    assert table.schema.equals(SCHEMA)


def test_dry_run_writes_nothing(store):
    report = import_files(store, [source([paper(1), paper(2)])], today=TODAY, dry_run=True)
    assert report.counts.added == 2 and report.version is None
    assert not store.exists()


# --- failures in the middle of a write ------------------------------------------------
@pytest.fixture
def filled(store):
    do_import(store, [paper(i) for i in range(20)])
    return store


def _assert_untouched(store: Store, before, old_table: pa.Table, old_version: str):
    assert snapshot(store) == before
    assert leftovers(store) == []
    assert store.version() == old_version
    assert store.read_table().equals(old_table)


def test_failure_inside_parquet_writer_leaves_store_identical(filled, monkeypatch):
    before, old_table, old_version = snapshot(filled), filled.read_table(), filled.version()
    real_write = pq.write_table
    calls = []

    def broken(table, where, **kwargs):
        calls.append(1)
        real_write(table.slice(0, 3), where, **kwargs)  # some real bytes reach the temp file
        where.write(b"\0" * 4096)
        raise OSError(28, "No space left on device (injected)")

    monkeypatch.setattr(lib.store.store.pq, "write_table", broken)
    with pytest.raises(OSError, match="injected"):
        do_import(filled, [paper(i, upvotes=500) for i in range(30)])
    assert calls == [1]
    monkeypatch.undo()
    _assert_untouched(filled, before, old_table, old_version)


def test_interrupt_inside_parquet_writer_leaves_store_identical(filled, monkeypatch):
    before, old_table, old_version = snapshot(filled), filled.read_table(), filled.version()

    def interrupted(table, where, **kwargs):
        where.write(b"PAR1 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(lib.store.store.pq, "write_table", interrupted)
    with pytest.raises(KeyboardInterrupt):
        do_import(filled, [paper(77)])
    monkeypatch.undo()
    _assert_untouched(filled, before, old_table, old_version)


def test_failing_rename_leaves_store_identical(filled, monkeypatch):
    before, old_table, old_version = snapshot(filled), filled.read_table(), filled.version()
    seen = []

    def no_rename(src, dst, *args, **kwargs):
        seen.append((Path(src).name, Path(dst).name))
        assert Path(src).is_file() and Path(src).stat().st_size > 0  # the full temp file exists
        raise OSError(5, "Input/output error (injected)")

    monkeypatch.setattr(lib.store.store.os, "replace", no_rename)
    with pytest.raises(OSError, match="injected"):
        do_import(filled, [paper(i, upvotes=900) for i in range(20)])
    monkeypatch.undo()
    assert len(seen) == 1 and seen[0][1].startswith("part-000000-") and seen[0][1].endswith(".parquet")
    assert seen[0][0].startswith(f".{seen[0][1]}.") and seen[0][0].endswith(".tmp")
    _assert_untouched(filled, before, old_table, old_version)


def test_failure_on_the_first_write_leaves_no_store(store, monkeypatch):
    def no_rename(src, dst, *args, **kwargs):
        raise OSError(5, "Input/output error (injected)")

    monkeypatch.setattr(lib.store.store.os, "replace", no_rename)
    with pytest.raises(OSError):
        do_import(store, [paper(1)])
    monkeypatch.undo()
    assert not store.exists() and store.version() is None
    assert leftovers(store) == []


def test_failed_write_is_reported_by_the_cli(filled, monkeypatch, tmp_path):
    from io import StringIO

    from lib.cli import main

    before = snapshot(filled)
    path = tmp_path / "more.jsonl"
    path.write_bytes(jsonl([paper(i, upvotes=321) for i in range(5)]))

    def no_rename(src, dst, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lib.store.store.os, "replace", no_rename)
    out, err = StringIO(), StringIO()
    code = main(["import", "--data", str(filled.path), str(path)], out=out, err=err)
    monkeypatch.undo()
    assert code == 2
    assert err.getvalue().splitlines() == ["error: No space left on device"]
    assert snapshot(filled) == before and leftovers(filled) == []


# --- a real SIGKILL at random moments ---------------------------------------------------
KILL_SCRIPT = (
    "import sys\n"
    "from lib.store.store import Store, input_files\n"
    "from lib.store.importer import import_files\n"
    "import_files(Store(sys.argv[1]), input_files([sys.argv[2]], ()))\n"
)


def _import_process(data: Path, path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(data), str(path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_sigkill_leaves_old_or_new_table(tmp_path):
    rng = random.Random(20261127)
    words = "sparse dense attention retrieval model agent token scaling law data".split()
    big = tmp_path / "big.jsonl"
    with big.open("w", encoding="utf-8") as handle:
        for i in range(12_000):
            handle.write(
                json.dumps(
                    paper(
                        i,
                        abstract=" ".join(rng.choices(words, k=45)),
                        categories=["cs.LG", "cs.CL"],
                        upvotes=i % 97 + 20,
                    )
                )
                + "\n"
            )
    assert big.stat().st_size > 3_000_000

    template = Store(tmp_path / "template")
    do_import(template, [paper(i) for i in range(0, 400, 3)])  # the "old" table
    old = template.read_table()

    # the complete import, measured, gives the "new" table and the time it takes
    done = Store(tmp_path / "done")
    shutil.copytree(template.path, done.path)
    start = time.monotonic()
    proc = _import_process(done.path, big)
    assert proc.wait(timeout=60) == 0, proc.stderr.read().decode()
    proc.stderr.close()
    duration = time.monotonic() - start
    new = done.read_table()
    assert new.num_rows == 12_000 and not new.equals(old)

    outcomes = []
    estimate = duration
    trial = 0
    # ~5 kills at seeded random moments; a process that finished before its kill means the
    # estimate was pessimistic (a cold first run, a busy machine): shrink it and go on
    while trial < 5 or (not any(code == -signal.SIGKILL for code, _ in outcomes) and trial < 10):
        store = Store(tmp_path / f"kill{trial}")
        shutil.copytree(template.path, store.path)
        delay = rng.uniform(0.3, 1.0) * estimate  # the write is at the end
        proc = _import_process(store.path, big)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=30)
        proc.stderr.close()
        if code == 0:
            estimate = min(estimate, delay) * 0.9
        version = store.version()  # readable, never a torn file
        table = store.read_table()
        is_old, is_new = table.equals(old), table.equals(new)
        assert is_old or is_new, f"trial {trial}: killed after {delay:.2f}s, the table is neither old nor new"
        assert version == template.version() if is_old else version != template.version()
        with store.lock():  # a killed writer never leaves the lock held
            pass
        outcomes.append((code, "old" if is_old else "new"))
        trial += 1
    assert any(code == -signal.SIGKILL for code, _ in outcomes), outcomes


MID_WRITE_SCRIPT = (
    "import sys, time\n"
    "import pyarrow.parquet as pq\n"
    "real = pq.write_table\n"
    "def slow(table, where, **kw):\n"
    "    real(table.slice(0, 2), where, **kw)\n"
    "    where.flush()\n"
    "    print('WRITING', flush=True)\n"
    "    time.sleep(60)\n"
    "pq.write_table = slow\n" + KILL_SCRIPT
)


def test_sigkill_in_the_middle_of_the_write(tmp_path):
    """Deterministic: the writer is killed while its temp file is half written."""
    store = Store(tmp_path / "data")
    do_import(store, [paper(i) for i in range(30)])
    before, old, version = snapshot(store), store.read_table(), store.version()
    path = tmp_path / "more.jsonl"
    path.write_bytes(jsonl([paper(i, upvotes=999) for i in range(40)]))
    proc = subprocess.Popen(
        [sys.executable, "-c", MID_WRITE_SCRIPT, str(store.path), str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout.readline() == b"WRITING\n", proc.stderr.read().decode()
        temps = [p for p in store.table_dir.iterdir() if p.name.endswith(".tmp")]
        assert len(temps) == 1 and temps[0].stat().st_size > 0  # the half-written file exists
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert snapshot(store) == before
    assert store.version() == version and store.read_table().equals(old)
    # the next import still works (the lock died with the writer) and is complete
    report = do_import(store, [paper(i, upvotes=999) for i in range(40)])
    assert (report.counts.added, report.counts.updated) == (10, 30)
    assert store.read_table().num_rows == 40
    assert leftovers(store) == []  # the killed writer's temp file went with the next write


# --- two writers at once ---------------------------------------------------------------
def test_concurrent_imports_are_serialised_by_the_lock(tmp_path):
    store = Store(tmp_path / "data")
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_bytes(jsonl([paper(i) for i in range(1500)]))
    b.write_bytes(jsonl([paper(i) for i in range(5000, 6200)]))

    with store.lock():
        procs = [_import_process(store.path, path) for path in (a, b)]
        time.sleep(1.5)  # both have started and read their file; they must wait for the lock
        assert not store.exists(), "a writer did not wait for the lock"
        assert all(p.poll() is None for p in procs)
    for proc in procs:
        assert proc.wait(timeout=60) == 0, proc.stderr.read().decode()
        proc.stderr.close()

    table = store.read_table()
    assert table.num_rows == 1500 + 1200
    assert set(table["id"].to_pylist()) == {f"2507.{i:05d}" for i in [*range(1500), *range(5000, 6200)]}
    assert store.version().startswith("2-")  # the second writer read the first one's table
    assert leftovers(store) == []


# --- reading a broken store ----------------------------------------------------------------
GARBAGE = [b"", b"this is not parquet\n" * 10, b"PAR1" + b"\x00" * 100 + b"PAR1"]


def _assert_refused(store: Store, damaged: Path, content: bytes, version_too: bool) -> None:
    if version_too:
        with pytest.raises(StoreError, match="unreadable store") as info:
            store.version()
        assert str(damaged) in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(StoreError, match="unreadable store") as info:
        store.read_table()
    assert str(damaged) in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(StoreError):
        load(store)
    with pytest.raises(StoreError):  # and an import refuses to overwrite it
        do_import(store, [paper(1)])
    assert damaged.read_bytes() == content


@pytest.mark.parametrize("content", GARBAGE)
def test_unreadable_one_file_store_raises_store_error(store, content):
    store.path.mkdir(parents=True)
    store.legacy_path.write_bytes(content)
    _assert_refused(store, store.legacy_path, content, version_too=True)
    with pytest.raises(StoreError, match="unreadable store") as info:  # and its migration too
        store.migrate()
    assert str(store.legacy_path) in str(info.value) and "\n" not in str(info.value)
    assert store.legacy_path.read_bytes() == content and not store.table_dir.exists()


@pytest.mark.parametrize(
    "content",
    [
        *GARBAGE,
        b"[]",
        b'{"format": 1, "version": "1-ab", "part_rows": 10, "parts": [{"file": "../x", "rows": 1}]}',
        b'{"format": 1, "version": "1-ab", "part_rows": 10, "parts": [{"file": "part-000000-1-ab.parquet", "rows": 11}]}',
        b'{"format": 2, "version": "1-ab", "part_rows": 10, "parts": []}',
        b'{"version": "1-ab", "part_rows": 10, "parts": []}',
    ],
)
def test_unreadable_manifest_raises_store_error(filled, content):
    filled.manifest_path.write_bytes(content)
    _assert_refused(filled, filled.manifest_path, content, version_too=True)


@pytest.mark.parametrize("content", GARBAGE)
def test_unreadable_part_raises_store_error(filled, content):
    [part] = filled.parquet_files()
    shutil.rmtree(filled.part_cache_dir)  # else the part is read from its Arrow copy
    part.write_bytes(content)
    _assert_refused(filled, part, content, version_too=False)


def test_a_missing_part_or_a_part_of_the_wrong_length_is_named(filled):
    [part] = filled.parquet_files()
    shutil.rmtree(filled.part_cache_dir)
    table = pq.read_table(part)
    pq.write_table(table.slice(0, 5), part)
    with pytest.raises(StoreError, match=r"5 rows where the manifest says 20") as info:
        filled.read_table()
    assert str(part) in str(info.value)
    part.unlink()
    with pytest.raises(StoreError, match="a part of version .* is missing") as info:
        filled.read_table()
    assert str(part) in str(info.value)


def test_parquet_without_our_columns_raises_store_error(store):
    store.path.mkdir(parents=True)
    pq.write_table(pa.table({"x": [1, 2]}), store.legacy_path)
    with pytest.raises(StoreError, match="unreadable store"):
        store.migrate()  # a one-file store without our columns (nor a version): read, refused
    assert not store.table_dir.exists()
    shutil.rmtree(store.path)  # and a part without them
    do_import(store, [paper(1)])
    [part] = store.parquet_files()
    shutil.rmtree(store.part_cache_dir)  # else the part is read from its Arrow copy
    pq.write_table(pa.table({"x": [1]}), part)
    with pytest.raises(StoreError, match="unreadable store"):
        store.read_table()


# --- the table in parts: a daily import writes only what changed --------------------------------
@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(lib.store.store, "PART_ROWS", 10)
    return 10


def part_files(store: Store) -> dict[int, tuple[str, int, int]]:
    """Part number -> (file name, inode, mtime_ns) of the live table's parts."""
    parts = store.parquet_files()
    return {i: (p.name, p.stat().st_ino, p.stat().st_mtime_ns) for i, p in enumerate(parts)}


def test_an_import_writes_only_the_last_part_and_the_parts_it_updates(store, small_parts):
    do_import(store, [paper(i) for i in range(35)])
    before = part_files(store)
    assert [json.loads(store.manifest_path.read_text())["parts"][i]["rows"] for i in range(4)] == [10, 10, 10, 5]

    time.sleep(0.01)  # a rewrite would get a later mtime
    report = do_import(store, [paper(12, upvotes=500), *(paper(i) for i in range(35, 38))])
    assert (report.counts.added, report.counts.updated) == (3, 1)
    after = part_files(store)
    assert after[0] == before[0] and after[2] == before[2]  # the same files: not rewritten
    assert after[1][0] != before[1][0] and after[3][0] != before[3][0]
    assert after[1][0].endswith(f"-{report.version}.parquet") and after[3][0].endswith(f"-{report.version}.parquet")
    table = store.read_table()
    assert table.num_rows == 38 and table["upvotes"][12].as_py() == 500
    assert table["id"].to_pylist() == [paper(i)["id"] for i in range(38)]
    assert leftovers(store) == []  # the replaced parts and their Arrow copies are gone

    # an import that fills the last part and starts the next one writes those two
    report = do_import(store, [paper(i) for i in range(38, 44)])
    after2 = part_files(store)
    assert [after2[i] for i in range(3)] == [after[i] for i in range(3)] and len(after2) == 5
    assert {after2[3][0], after2[4][0]} == {f"part-00000{i}-{report.version}.parquet" for i in (3, 4)}
    assert store.read_table()["id"].to_pylist() == [paper(i)["id"] for i in range(44)]


def test_a_write_without_its_base_writes_every_part(store, small_parts):
    do_import(store, [paper(i) for i in range(25)])
    table = store.read_table()
    with store.lock():  # no base: nothing is assumed to be unchanged
        version = store.write_table(table)
    assert all(name.endswith(f"-{version}.parquet") for name, _, _ in part_files(store).values())
    with store.lock():  # a base that is not the live version: the same
        again = store.write_table(table, base="1-00000000", changed_rows=[])
    assert all(name.endswith(f"-{again}.parquet") for name, _, _ in part_files(store).values())
    assert store.read_table().equals(table) and leftovers(store) == []


def test_a_failure_while_writing_parts_leaves_the_store_identical(store, small_parts, monkeypatch):
    do_import(store, [paper(i) for i in range(35)])
    before, old_table, old_version = snapshot(store), store.read_table(), store.version()
    real_write, calls = pq.write_table, []

    def second_fails(table, where, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device (injected)")
        real_write(table, where, **kwargs)

    monkeypatch.setattr(lib.store.store.pq, "write_table", second_fails)
    with pytest.raises(OSError, match="injected"), store.lock():
        store.write_table(store.read_table())  # all four parts, in parallel
    monkeypatch.undo()
    assert len(calls) >= 2
    _assert_untouched(store, before, old_table, old_version)


def test_a_failure_renaming_the_manifest_leaves_the_store_identical(store, small_parts, monkeypatch):
    """The last step of a write fails: its parts were complete, and are all deleted again."""
    do_import(store, [paper(i) for i in range(35)])
    before, old_table, old_version = snapshot(store), store.read_table(), store.version()
    real_replace, renamed = os.replace, []

    def manifest_fails(src, dst, *args, **kwargs):
        if Path(dst).name == "_manifest.json":
            raise OSError(28, "No space left on device (injected)")
        renamed.append(Path(dst).name)
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(lib.store.store.os, "replace", manifest_fails)
    with pytest.raises(OSError, match="injected"):
        do_import(store, [paper(3, upvotes=400), paper(50)])
    monkeypatch.undo()
    assert any(name.startswith("part-000000-") for name in renamed)  # parts 0 and 3 were written whole
    assert any(name.startswith("part-000003-") for name in renamed)
    _assert_untouched(store, before, old_table, old_version)


def test_a_reader_that_read_the_manifest_before_a_write_reads_again(store, small_parts, monkeypatch):
    do_import(store, [paper(i) for i in range(15)])
    real_read, writes = Store._read_part, []

    def read_part_after_a_write(self, *part):
        if not writes:  # between this reader's manifest and its parts, an import goes live
            writes.append("importing")  # (the import's own read comes back here)
            writes[0] = do_import(Store(store.path), [paper(3, upvotes=77), paper(15), paper(16)]).version
        return real_read(self, *part)

    shutil.rmtree(store.part_cache_dir)  # the old parts are read from their files, which the import deleted
    monkeypatch.setattr(Store, "_read_part", read_part_after_a_write)
    table = store.read_table()
    assert table.num_rows == 17 and table["upvotes"][3].as_py() == 77 and store.version() == writes[0]


def test_readers_racing_imports_see_whole_versions(store, small_parts):
    """A writer thread rewrites every part again and again (each import updates every row)
    while this thread reads: every read is one whole version, never a mix or an error."""
    import threading

    do_import(store, [paper(i, upvotes=100) for i in range(25)])
    imports = 12

    def writer():
        for k in range(1, imports + 1):
            do_import(Store(store.path), [paper(i, upvotes=100 + k) for i in range(25 + 5 * k)])

    thread = threading.Thread(target=writer)
    thread.start()
    seen = set()
    while thread.is_alive() or not seen:
        table = Store(store.path).read_table()
        upvotes = set(table["upvotes"].to_pylist())
        assert len(upvotes) == 1, f"a read mixed versions: {sorted(upvotes)}"
        k = upvotes.pop() - 100
        assert table.num_rows == 25 + 5 * k and table["id"].to_pylist() == [paper(i)["id"] for i in range(25 + 5 * k)]
        seen.add(k)
    thread.join()
    assert len(seen) >= 2 and Store(store.path).read_table().num_rows == 25 + 5 * imports
    assert leftovers(store) == []


def test_a_dataset_loaded_during_imports_names_the_version_it_holds(store, small_parts):
    """lib.dataset.load pairs a table with the version it read (one reading of the manifest):
    a version read before an import went live and a table read after it would save the new
    table's artifacts under the old version's name."""
    import threading

    from lib.dataset import load

    do_import(store, [paper(i) for i in range(25)])
    rows_of = {Store(store.path).version(): 25}

    def writer():
        for k in range(1, 11):
            report = do_import(Store(store.path), [paper(i) for i in range(25 + 5 * k)])
            rows_of[report.version] = 25 + 5 * k

    thread = threading.Thread(target=writer)
    thread.start()
    seen = []
    while thread.is_alive() or not seen:
        ds = load(Store(store.path))
        seen.append((ds.version, ds.table.num_rows))
    thread.join()
    assert len({version for version, _ in seen}) >= 2
    assert all(rows_of[version] == rows for version, rows in seen), [
        (v, r, rows_of.get(v)) for v, r in seen if rows_of.get(v) != r
    ]


def _one_file_store(path: Path, records: list[dict]) -> tuple[Store, str]:
    """A store as releases before 2026-11-28 wrote it: one papers.parquet, its version in its metadata."""
    from lib.store.importer import read_file

    table, _ = read_file(source(records), today=TODAY)
    path.mkdir(parents=True)
    pq.write_table(table.replace_schema_metadata({VERSION_KEY: b"7-0ld0ld00"}), path / LEGACY_TABLE_FILE)
    return Store(path), "7-0ld0ld00"


def every_file(data: Path) -> dict[str, tuple[bytes, int, int] | None]:
    """Every file (bytes, mtime_ns, inode) and directory (None) under ``data``, the lock aside."""
    return {
        str(p.relative_to(data)): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) if p.is_file() else None
        for p in sorted(data.rglob("*"))
        if p.name != ".lock"
    }


def test_a_one_file_store_is_refused_until_build_migrate_moves_it_to_parts(tmp_path):
    store, version = _one_file_store(tmp_path / "old", [paper(i) for i in range(12)])
    old = conform(pq.read_table(store.legacy_path))
    write_bytes_atomic(store.artifact_path("table", version, ".arrow"), b"the Arrow copy an older release made")
    before = every_file(store.path)
    assert store.exists()  # not the bundled demo: the page and the CLI say what to do
    refused = (
        store.version,
        store.read_table,
        store.table_files,
        lambda: load(store),
        lambda: do_import(store, [paper(40)]),
    )
    for read in refused:
        with pytest.raises(
            StoreError, match="move it to the current layout once with: python -m lib build --migrate"
        ) as info:
            read()
        assert str(store.legacy_path) in str(info.value) and "\n" not in str(info.value)
    assert every_file(store.path) == before  # refused: nothing written, nothing moved

    assert store.migrate() == version
    assert store.version() == version and not store.legacy_path.exists()
    assert not store.artifact_path("table", version, ".arrow").exists()
    assert store.read_table().equals(old)
    assert leftovers(store) == []
    assert store.migrate() is None  # once is enough

    report = do_import(store, [paper(3, upvotes=999), paper(40)])  # then the store lives on as any other
    assert report.version.startswith("8-") and store.version() == report.version
    table = store.read_table()
    assert table.num_rows == 13 and table["upvotes"][3].as_py() == 999
    assert table.slice(0, 12).drop_columns(["upvotes"]).equals(old.drop_columns(["upvotes"]))
    assert leftovers(store) == []


def test_build_migrate_keeps_the_version_so_every_artifact_stays_valid(tmp_path):
    from io import StringIO

    from lib.cli import main

    store, version = _one_file_store(tmp_path / "old", [paper(i) for i in range(12)])
    old = conform(pq.read_table(store.legacy_path))
    write_bytes_atomic(store.artifact_path("counts", version, ".json"), b"{}")
    out, err = StringIO(), StringIO()
    assert main(["build", "--data", str(store.path)], out=out, err=err) == 2  # without --migrate: what to do
    assert out.getvalue() == "" and err.getvalue().count("\n") == 1
    assert err.getvalue().endswith("move it to the current layout once with: python -m lib build --migrate\n")
    assert store.legacy_path.is_file()
    out, err = StringIO(), StringIO()
    main(["build", "--migrate", "--data", str(store.path)], out=out, err=err)  # (12 papers: too few for topics)
    assert out.getvalue().startswith(f"the table is now stored in parts (same version {version}"), err.getvalue()
    assert store.version() == version and not store.legacy_path.exists()
    assert store.read_table().equals(old)
    assert store.artifact_path("counts", version, ".json").is_file()
    out = StringIO()
    main(["build", "--migrate", "--data", str(store.path)], out=out, err=StringIO())
    assert out.getvalue().startswith("nothing to migrate")  # once is enough
    assert leftovers(store) == []


def test_the_app_says_how_to_migrate_a_one_file_store(app, empty_store):
    _one_file_store(empty_store, [paper(i) for i in range(12)])
    app.run()
    assert not app.exception
    assert any("once with: python -m lib build --migrate" in e.value for e in app.error)
    assert not any(str(empty_store) in e.value for e in app.error)  # visitors never see the server's paths


def test_a_failed_migration_leaves_the_store_exactly_as_it_was(tmp_path, small_parts):
    store, _ = _one_file_store(tmp_path / "old", [paper(i) for i in range(25)])  # three parts of 10 rows
    store.manifest_path.mkdir(parents=True)  # the manifest cannot be written: the last step fails
    before = every_file(store.path)
    with pytest.raises(OSError):
        store.migrate()
    assert every_file(store.path) == before  # no part, no Arrow copy, no temporary file, no new directory
    store.manifest_path.rmdir()
    store.table_dir.rmdir()
    before = every_file(store.path)
    with pytest.raises(StoreError, match="read-only"), pytest.MonkeyPatch.context() as env:
        env.setenv("PAPERS_READONLY", "1")
        store.migrate()
    assert every_file(store.path) == before
    assert store.migrate() is not None and store.read_table().num_rows == 25 and len(store.parquet_files()) == 3
    assert leftovers(store) == []


# --- artifacts -------------------------------------------------------------------------------
def test_artifact_path(store):
    path = store.artifact_path("search", "3-abcd1234", ".npz")
    assert path == store.path / "artifacts" / "search-3-abcd1234.npz"


def test_prune_artifacts_keeps_only_the_current_version(store):
    store.prune_artifacts("search", "1-aaaa0000")  # no artifacts directory yet: nothing happens
    store.artifacts_dir.mkdir(parents=True)
    names = [
        "search-1-aaaa0000.npz",
        "search-2-bbbb0000.npz",
        "search-3-cccc0000.npz",
        "search-3-cccc0000.json",
        "search-0-unversioned.npz",
        "search-sample.npz",
        "search-index-1-aaaa0000.npz",
        "search-index-3-cccc0000.npz",
        "other-1-aaaa0000.npz",
    ]
    for name in names:
        (store.artifacts_dir / name).write_bytes(b"x")
    store.prune_artifacts("search", "3-cccc0000")
    left = sorted(p.name for p in store.artifacts_dir.iterdir())
    assert left == sorted(
        [
            "search-3-cccc0000.npz",
            "search-3-cccc0000.json",
            "search-index-1-aaaa0000.npz",
            "search-index-3-cccc0000.npz",
            "other-1-aaaa0000.npz",
        ]
    )
    # a name with a dash keeps its own current version
    store.prune_artifacts("search-index", "3-cccc0000")
    left = sorted(p.name for p in store.artifacts_dir.iterdir())
    assert left == sorted(
        ["search-3-cccc0000.npz", "search-3-cccc0000.json", "search-index-3-cccc0000.npz", "other-1-aaaa0000.npz"]
    )


def test_artifact_round_trip_with_store_versions(store):
    v1 = do_import(store, [paper(1)]).version
    write_bytes_atomic(store.artifact_path("counts", v1, ".json"), b"{}")
    v2 = do_import(store, [paper(2)]).version
    write_bytes_atomic(store.artifact_path("counts", v2, ".json"), b"{}")
    store.prune_artifacts("counts", v2)
    # the other artifact here is the table's own memory-mappable copy, of the current part only
    assert sorted(p.name for p in store.artifacts_dir.iterdir()) == [f"counts-{v2}.json", "table-parts"]
    assert sorted(p.name for p in store.part_cache_dir.iterdir()) == [
        f"part-000000-{v2}.arrow",
        f"part-000000-{v2}.arrow{CHECKSUM_SUFFIX}",
    ]


# --- input files -------------------------------------------------------------------------------
def test_input_file_from_bytes_keeps_only_the_base_name():
    assert InputFile.from_bytes("../../etc/passwd", b"").name == "passwd"
    assert InputFile.from_bytes("C:\\Users\\me\\2025-08-12.json", b"").name == "2025-08-12.json"
    assert InputFile.from_bytes("", b"").name == "upload"
    assert InputFile.from_bytes("x.jsonl", b"abc").open().read() == b"abc"


def test_input_files_scans_directories(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    for name in ["b.jsonl", "a.csv.gz", "notes.md", ".hidden.jsonl", "sub/c.json"]:
        (tmp_path / "d" / name).write_bytes(b"x")
    found = input_files([str(tmp_path / "d")], (".jsonl", ".csv", ".json"))
    assert [Path(f.name).relative_to(tmp_path / "d").as_posix() for f in found] == ["a.csv.gz", "b.jsonl", "sub/c.json"]
    explicit = input_files([str(tmp_path / "d" / "notes.md")], (".jsonl",))
    assert [Path(f.name).name for f in explicit] == ["notes.md"]  # a named file is always tried
    with pytest.raises(InputError, match="no such file"):
        input_files([str(tmp_path / "missing.jsonl")], (".jsonl",))


def test_data_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERS_DATA", str(tmp_path / "env"))
    assert Store().path == (tmp_path / "env").resolve()
    assert Store(tmp_path / "explicit").path == (tmp_path / "explicit").resolve()
    monkeypatch.delenv("PAPERS_DATA")
    assert Store().path == ROOT / "data"


# --- the dataset the app and CLI read ------------------------------------------------------------
def test_load_on_an_empty_store_gives_the_bundled_sample(store):
    ds = load(store, today=TODAY)
    assert ds.is_sample is True and ds.version == SAMPLE_VERSION == "sample"
    # the bundled demo: 130 API days (1,894 papers) and the seed page (63, of which 4 are on the API days too)
    assert ds.table.num_rows == 1953 and ds.overview.papers == 1953 and ds.overview.days == 130
    assert (ds.overview.first, ds.overview.last) == (dt.date(2025, 3, 3), dt.date(2025, 8, 29))
    assert ds.sources == {"hf": 1953}  # the API days and the pasted page are both the daily list
    assert ds.table["hf_day"].null_count == 0 and ds.table["hf_rank"].null_count == 0
    assert len(set(ds.table["id"].to_pylist())) == 1953
    assert not store.path.exists()  # reading never creates the store


def test_load_on_a_filled_store(store):
    records = [paper(i) for i in range(6)]
    version = do_import(store, records).version
    ds = load(store, today=TODAY)
    assert ds.is_sample is False and ds.version == version
    assert ds.table.num_rows == 6 and len(ds.frame) == 6
    assert ds.overview.first == dt.date(2025, 7, 1) and ds.overview.last == dt.date(2025, 7, 6)
    assert ds.frame["id"].tolist() == [r["id"] for r in records]


def test_save_arrays_replaces_an_artifact_of_an_older_format(tmp_path):
    import numpy as np

    store = Store(tmp_path)
    store.save_arrays("model", "3-abc", {"format": np.array([1]), "values": np.arange(3)})
    store.save_arrays("model", "3-abc", {"format": np.array([2]), "values": np.arange(5)})
    loaded = store.load_arrays("model", "3-abc")
    assert int(loaded["format"][0]) == 2 and list(loaded["values"]) == [0, 1, 2, 3, 4]
    assert sorted(p.name for p in store.artifacts_dir.iterdir()) == ["model-3-abc"]  # nothing left aside


def test_table_is_read_from_its_memory_mappable_copy_once_written(store):
    version = do_import(store, [paper(1), paper(2)]).version
    cache = store.part_cache_dir / f"part-000000-{version}.arrow"
    assert cache.is_file()  # written with the table
    assert store.read_table().equals(
        pq.read_table(store.table_files()[1]).select(store.read_table().column_names).cast(store.read_table().schema)
    )
    cache.write_bytes(b"damaged")  # a damaged copy is ignored and rewritten from the Parquet file
    assert store.read_table().num_rows == 2
    assert pa.ipc.open_file(pa.memory_map(str(cache))).read_all().num_rows == 2


def _mapped_kib(path) -> int:
    """KiB of ``path`` this process has mapped in (Rss of its mappings in /proc/self/smaps)."""
    total, inside = 0, False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            if line[:1] in "0123456789abcdef" and "-" in line.split()[0]:
                inside = line.rstrip().endswith(str(path))
            elif inside and line.startswith("Rss:"):
                total += int(line.split()[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs Linux /proc")
def test_prefault_maps_a_small_artifact_in_and_leaves_a_large_one_lazy(tmp_path):
    import numpy as np

    store = Store(tmp_path)
    values = np.arange(2_000_000, dtype=np.int32)  # 8 MB
    store.save_arrays("postings", "1-abc", {"values": values})
    file = store.artifact_path("postings", "1-abc", "") / "values.npy"
    loaded = store.load_arrays("postings", "1-abc")
    assert _mapped_kib(file) < 1_000  # memory-mapped: nothing read yet
    assert not Store.prefault(loaded, budget_bytes=values.nbytes - 1)
    assert _mapped_kib(file) < 1_000
    assert Store.prefault(loaded, budget_bytes=values.nbytes)
    assert _mapped_kib(file) >= 0.95 * values.nbytes / 1024
    assert np.array_equal(loaded["values"], values)
