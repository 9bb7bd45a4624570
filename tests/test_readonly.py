"""PAPERS_READONLY=1: a dashboard shared with a team refuses and hides every write path."""

import io
import json
import shutil

import pytest
from conftest import THREE_DAYS, table_state, write_jsonl

from lib.cli import main
from lib.errors import StoreError
from lib.store.importer import import_files
from lib.store.store import InputFile, Store


@pytest.fixture
def read_only(three_day_store, monkeypatch):
    monkeypatch.setenv("PAPERS_READONLY", "1")
    return three_day_store


def new_papers():
    return InputFile.from_bytes("new.jsonl", json.dumps({**THREE_DAYS[0], "id": "2502.00001", "title": "New"}).encode())


def test_lib_refuses_to_write_and_the_store_is_unchanged(read_only):
    before = table_state(read_only)
    with pytest.raises(StoreError, match="read-only"):
        import_files(Store(read_only), [new_papers()])
    with pytest.raises(StoreError, match="read-only"), Store(read_only).lock():
        Store(read_only).write_table(Store(read_only).read_table())
    assert table_state(read_only) == before


def test_a_preview_still_works(read_only):
    report = import_files(Store(read_only), [new_papers()], dry_run=True)
    assert report.counts.added == 1 and report.version is None


def test_cli_import_refuses_with_one_line(read_only, tmp_path):
    source = write_jsonl(tmp_path / "new.jsonl", [{**THREE_DAYS[0], "id": "2502.00001"}])
    out, err = io.StringIO(), io.StringIO()
    assert main(["import", str(source)], out=out, err=err) == 2
    assert err.getvalue().count("\n") == 1 and "read-only" in err.getvalue()


def test_the_app_has_no_import_page_and_says_how_data_is_loaded(app, empty_store, monkeypatch):
    monkeypatch.setenv("PAPERS_READONLY", "1")
    app.run()
    assert not app.exception
    assert any("read-only" in i.value for i in app.info)  # the sample banner
    with pytest.raises(Exception):
        app.switch_page("pages/import.py").run()  # not registered: no such page


def test_the_import_page_itself_refuses_if_reached(monkeypatch, empty_store):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PAPERS_READONLY", "1")
    page = AppTest.from_file(str(ROOT / "pages" / "import.py"), default_timeout=60)
    page.run()
    assert not page.exception
    assert any("can read this dashboard but not change it" in e.value for e in page.error)
    assert not page.file_uploader


def files_of(data) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(data)): (p.stat().st_size, p.stat().st_mtime_ns) for p in data.rglob("*") if p.is_file()}


def test_a_read_only_dashboard_writes_nothing_not_even_caches(empty_store, tmp_path, monkeypatch):
    """Every question of every page on a store without artifacts (and without the table's Arrow
    copies), topics included: answered from memory, the data directory byte for byte as it was."""
    import topics_fixture as fx

    from lib.library import Library
    from lib.urlstate import HOME, SEARCH, TOPICS, TRENDS

    source = write_jsonl(tmp_path / "papers.jsonl", fx.plain())
    store = Store(empty_store)
    import_files(store, [InputFile.from_bytes("papers.jsonl", source.read_bytes())])
    shutil.rmtree(store.artifacts_dir)  # no caches at all: the readers would build and save them
    before = files_of(empty_store)
    monkeypatch.setenv("PAPERS_READONLY", "1")
    library = Library.open(Store(empty_store))
    assert library.search_page(SEARCH.decode({"q": "study"})[0]).total > 0
    assert not library.trend(TRENDS.decode({"terms": "study"})[0]).series.empty
    assert library.topics(TOPICS.decode({"k": "4"})[0]).model is not None
    library.daily(HOME.decode({})[0])
    assert files_of(empty_store) == before


def test_build_refuses_with_one_line(read_only):
    code, err = io.StringIO(), io.StringIO()
    assert main(["build", "--data", str(read_only)], out=code, err=err) == 2
    assert err.getvalue().count("\n") == 1 and "read-only" in err.getvalue()
