"""Internal errors are never swallowed: the CLI logs them with their traceback in
DIR/papers.log and prints one line, and PAPERS_DEBUG=1 shows the traceback (on the CLI's
stderr, under a page's error message)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, write_jsonl

from lib.cli import main
from lib.store.store import Store


def papers_cli(*argv: str, data, debug: bool) -> subprocess.CompletedProcess[str]:
    """``python -m lib`` whose standard output is ASCII: text it cannot encode is an internal
    error (a real one: the CLI writes its text as it is)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PAPERS_DATA", "PAPERS_DEBUG")}
    env["PYTHONIOENCODING"] = "ascii"
    if debug:
        env["PAPERS_DEBUG"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "lib", *argv, "--data", str(data)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def accented_store(tmp_path):
    """A store whose one source file has a non-ASCII name (``info`` prints it)."""
    data = tmp_path / "data"
    source = write_jsonl(
        tmp_path / "données.jsonl", [{"id": "2508.01001", "title": "A", "date": "2025-08-11", "authors": ["X"]}]
    )
    assert main(["import", "--data", str(data), str(source)]) == 0
    return data


def test_an_internal_error_is_one_line_and_its_traceback_goes_to_the_log(accented_store):
    result = papers_cli("info", data=accented_store, debug=False)
    assert result.returncode == 1
    assert result.stderr.startswith("internal error: UnicodeEncodeError: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    log = Store(accented_store).log_path.read_text(encoding="utf-8")
    assert "ERROR" in log and "internal error in: python -m lib info" in log
    assert "Traceback (most recent call last)" in log and "UnicodeEncodeError" in log
    assert str(accented_store) not in log.split("Traceback")[0]  # the log names the verb, not the paths


def test_papers_debug_shows_the_traceback_on_stderr(accented_store):
    result = papers_cli("info", data=accented_store, debug=True)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr and "UnicodeEncodeError" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("internal error: UnicodeEncodeError: ")


def test_bad_input_logs_nothing_and_debug_adds_its_traceback(tmp_path):
    data = tmp_path / "data"
    plain = papers_cli("trend", "agent", "--smooth", "99", data=data, debug=False)
    assert plain.returncode == 2 and plain.stderr == "error: --smooth must be between 0 and 24\n"
    assert not Store(data).log_path.exists()  # bad input is not an internal error
    debug = papers_cli("trend", "agent", "--smooth", "99", data=data, debug=True)
    assert debug.returncode == 2 and "Traceback" in debug.stderr
    assert debug.stderr.splitlines()[-1] == "error: --smooth must be between 0 and 24"


def test_a_page_shows_the_traceback_only_under_papers_debug(app, empty_store, monkeypatch):
    (empty_store / "papers").mkdir(parents=True)
    (empty_store / "papers" / "_manifest.json").write_text(json.dumps({"format": 1}))  # a damaged store
    app.run()
    assert any("unreadable store" in e.value for e in app.error)
    assert not app.exception
    monkeypatch.setenv("PAPERS_DEBUG", "1")
    app.run()
    assert any("unreadable store" in e.value for e in app.error)
    assert app.exception and "unreadable store" in app.exception[0].message
    assert any("_read_manifest" in line for line in app.exception[0].stack_trace)  # the traceback


def test_an_index_that_cannot_be_carried_over_is_logged_with_why(tmp_path, caplog):
    """The importer's extension of the previous version's indexes is a cache step: a failure
    there never fails the import, and the log says why, with the traceback."""
    import numpy as np

    from lib.store.importer import extend_artifacts

    data = tmp_path / "data"
    records = [
        {"id": f"2508.{i + 1:05d}", "title": f"Paper {i} on routing", "date": "2025-08-11", "authors": ["X"]}
        for i in range(12)
    ]
    assert main(["import", "--data", str(data), str(write_jsonl(tmp_path / "a.jsonl", records))]) == 0
    store = Store(data)
    assert main(["search", "routing", "--data", str(data)], out=io.StringIO(), err=io.StringIO()) == 0  # the index
    table = store.read_table()
    with caplog.at_level("WARNING", logger="papers"):
        # a row the table does not have: the segment cannot be built (a real failure, not a fake one)
        extended = extend_artifacts(store, store.version(), "2-00000000", table, table.num_rows, np.array([10**6]))
    assert extended == []
    record = next(r for r in caplog.records if r.name == "papers" and "search artifacts" in r.getMessage())
    assert record.levelname == "WARNING" and record.exc_info is not None
    assert "rebuilt whole on first use" in record.getMessage()
