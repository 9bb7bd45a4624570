"""AppTest of the Import page under an upload's caps (issue 25, point 13b): a gzip bomb is an
error naming the cap, parsed in bounded time, and the store is untouched."""

from conftest import open_page, table_state
from test_import_limits import gzip_bomb

from lib.store.formats.base import GB


def test_an_uploaded_gzip_bomb_is_refused_by_the_upload_caps(app, three_day_store, monkeypatch):
    monkeypatch.setenv("PAPERS_UPLOAD_MAX_BYTES", "1M")  # the command line's caps are left as they are
    before = table_state(three_day_store)
    open_page(app, "pages/import.py")
    bomb = gzip_bomb(b"Aug 12, 2025\n", b"\n", 2 * GB)
    app.file_uploader[0].set_value(("page.txt.gz", bomb, "application/gzip")).run(timeout=30)
    assert not app.exception
    assert [e.value.replace("\\", "") for e in app.error] == [  # as shown (escapes read)
        "Nothing can be imported: page.txt.gz: more than 16,384 lines (the upload limit: import it with "
        "python -m lib import, or set PAPERS_UPLOAD_MAX_BYTES)"
    ]
    assert table_state(three_day_store) == before
