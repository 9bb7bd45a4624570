"""AppTest of the Import page: upload, preview, confirm; bad files change nothing."""

import json

from conftest import THREE_DAYS, open_page, table_state

from lib.store.store import Store


def jsonl(records):
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def open_import_page(app):
    app.run()
    app.switch_page("pages/import.py").run()
    assert not app.exception
    return app


def metric(app, label):
    return next(m.value for m in app.metric if m.label == label)


def test_upload_previews_then_imports_on_confirmation(app, empty_store):
    open_import_page(app)
    app.file_uploader[0].set_value(("papers.jsonl", jsonl(THREE_DAYS), "application/json")).run()
    assert not app.exception
    assert metric(app, "New papers") == "6"
    assert metric(app, "Rejected") == "0"
    assert not Store(empty_store).exists()  # a preview writes nothing
    button = next(b for b in app.button if b.label.startswith("Import "))
    assert button.label == "Import 6 papers"
    button.click().run()
    assert not app.exception
    assert any("added 6" in s.value for s in app.success)
    table = Store(empty_store).read_table()
    assert sorted(table["id"].to_pylist()) == sorted(r["id"] for r in THREE_DAYS)


def test_upload_of_known_papers_says_nothing_to_import(app, three_day_store):
    open_import_page(app)
    app.file_uploader[0].set_value(("three_days.jsonl", jsonl(THREE_DAYS), "application/json")).run()
    assert metric(app, "Unchanged") == "6"
    assert any("nothing to import" in s.value for s in app.success)
    assert not [b for b in app.button if b.label.startswith("Import ")]


def test_the_same_papers_from_another_file_are_that_files_too(app, three_day_store):
    """A table's papers (without arXiv categories) are its file's: the same papers from
    another file gain that file as a source, and nothing else changes."""
    open_import_page(app)
    app.file_uploader[0].set_value(("again.jsonl", jsonl(THREE_DAYS), "application/json")).run()
    assert (metric(app, "New papers"), metric(app, "Updated"), metric(app, "Unchanged")) == ("0", "6", "0")


def test_preview_lists_rejected_records_with_their_line(app, empty_store):
    open_import_page(app)
    records = THREE_DAYS[:2] + [{"id": "2501.09999", "abstract": "no title here", "date": "2025-01-06"}]
    app.file_uploader[0].set_value(("some.jsonl", jsonl(records), "application/json")).run()
    assert metric(app, "New papers") == "2"
    assert metric(app, "Rejected") == "1"
    problems = app.dataframe[0].value
    assert problems.iloc[0]["where"] == "line 3"
    assert "no title" in problems.iloc[0]["reason"]


def test_malformed_file_is_an_error_and_the_store_is_untouched(app, three_day_store):
    before = table_state(three_day_store)
    open_import_page(app)
    feed = (
        b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>"
        b"<id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id><title>Error</title>"
        b"<summary>incorrect id format for abc</summary></entry></feed>"
    )
    app.file_uploader[0].set_value(("query.xml", feed, "application/xml")).run()
    assert not app.exception
    assert any("arXiv API answered with an error" in e.value for e in app.error)
    assert table_state(three_day_store) == before


def test_uploaded_file_name_never_becomes_a_path(app, empty_store):
    open_import_page(app)
    app.file_uploader[0].set_value(("../../etc/evil.jsonl", jsonl(THREE_DAYS[:1]), "application/json")).run()
    assert not app.exception
    assert any("evil.jsonl: jsonl" in c.value and "../" not in c.value for c in app.caption)


def test_the_page_says_what_the_store_holds_without_its_path(app, three_day_store):
    open_page(app, "pages/import.py")
    captions = " ".join(c.value for c in app.caption)
    assert "holds 6 papers" in captions and str(three_day_store) not in captions


def test_a_file_that_would_shorten_a_paper_is_kept_unless_overwrite_is_ticked(app, three_day_store):
    """The preview of a one-row CSV naming one of a paper's two authors (and fewer upvotes) said
    only "Updated 1", and importing it dropped the other author."""
    stale = b"id,title,authors,upvotes,date\n2501.00001,Sparse Mixtures for Tabular Forecasting,Ada One,1,2025-01-06\n"
    open_import_page(app)
    app.file_uploader[0].set_value(("stale.csv", stale, "text/csv")).run()
    assert not app.exception
    (warning,) = app.warning
    assert "2 fields of papers already in the store would get shorter or lower" in warning.value
    assert app.dataframe[0].value.to_dict("records") == [  # the file's source is added
        {
            "id": "2501.00001",
            "field": "sources",
            "before": "(1) file:three_days.jsonl",
            "after": "(2) file:stale.csv; file:three_days.jsonl",
        }
    ]
    kept = app.dataframe[1].value
    assert kept.to_dict("records") == [
        {"id": "2501.00001", "field": "authors", "kept": "(2) Ada One; Bo Two", "in the files": "(1) Ada One"},
        {"id": "2501.00001", "field": "upvotes", "kept": "3", "in the files": "1"},
    ]
    next(b for b in app.button if b.label.startswith("Import ")).click().run()
    paper = next(r for r in Store(three_day_store).read_table().to_pylist() if r["id"] == "2501.00001")
    assert paper["authors"] == ["Ada One", "Bo Two"] and paper["upvotes"] == 3  # only the file's source was added
    app.checkbox(key="import.overwrite").check().run()
    assert not app.exception and not app.warning
    changes = app.dataframe[0].value
    assert changes[changes["field"] == "authors"].to_dict("records") == [
        {"id": "2501.00001", "field": "authors", "before": "(2) Ada One; Bo Two", "after": "(1) Ada One"}
    ]
    next(b for b in app.button if b.label.startswith("Import ")).click().run()
    paper = next(r for r in Store(three_day_store).read_table().to_pylist() if r["id"] == "2501.00001")
    assert paper["authors"] == ["Ada One"] and paper["upvotes"] == 1
