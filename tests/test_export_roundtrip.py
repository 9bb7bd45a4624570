"""Every export imports back unchanged (issue 25, point 2): export a real store in each format,
import the file into a fresh store, the same rows — on hostile values and on the 75k corpus."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow as pa
import pytest

from lib.store import exports
from lib.store.importer import import_files, read_file
from lib.store.schema import to_frame
from lib.store.store import InputFile, Store, input_files

TODAY = dt.date(2026, 11, 27)
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "arxiv_2025-03_2026-07.jsonl.gz"
FORMULAS = ["=SUM(A1:A9)", "+1", "-1", "@here", "'=guarded already", "''-two quotes", "'tis plain"]
HOSTILE = [
    {
        "id": "2501.00001",
        "title": '=HYPERLINK("http://evil.example","click")',
        "abstract": 'A "quoted", semi;colon, | pipe\nand a newline, ünïcödé 😀 and 中文.',
        "authors": ["Smith, John", "Ada and Bo Ltd", "x|y", *FORMULAS],
        "categories": ["I.2.0; I.2.7", "cs.CL"],
        "keywords": ["[1]", '["a", "b"]', "a; b", "fine-tuning"],
        "date": "2025-01-06",
        "upvotes": 3,
    },
    {
        "id": "2501.00002",
        "title": "'=a title that starts with a quote",
        "abstract": "-starts with a minus",
        "authors": ["I.2.0; I.2.7"],
        "categories": ["I.2.0 I.2.7"],  # one category holding a space
        "keywords": [],
        "date": "2025-01-07",
    },
    {
        "id": "2501.00003",
        "title": "[RE] Reproduced: a title in brackets",
        "authors": [],
        "categories": ["cs.LG"],
        "keywords": ["@mention", "+plus", "=eq", "-minus"],
        "date": "2025-01-08",
        "github_repo": "https://github.com/a/b",
    },
    {"title": "''=two quotes then a formula", "date": "2025-01-09", "authors": ["'", "''", "-", "="]},
]


def sorted_rows(table: pa.Table) -> pa.Table:
    return table.sort_by("id").replace_schema_metadata(None)


def export(store: Store, fmt: str) -> bytes:
    table = store.read_table()
    out = io.BytesIO()
    exports.write(fmt, table, to_frame(table), out)
    return out.getvalue()


def hf_day(day: str, *ids: str) -> InputFile:
    """A Hugging Face daily list of ``day`` (its API's answer, saved as fetch names it)."""
    items = [{"paper": {"id": i, "title": f"Listed {i}", "summary": "A.", "upvotes": 2}} for i in ids]
    return InputFile.from_bytes(f"{day}.json", json.dumps(items).encode())


@pytest.fixture
def hostile(tmp_path) -> Store:
    """The hostile rows, and two papers of the Hugging Face list, one of them listed on two days."""
    store = Store(tmp_path / "hostile")
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in HOSTILE).encode()
    inputs = [
        InputFile.from_bytes("hostile.jsonl", data),
        hf_day("2025-09-08", "2509.00001", "2509.00002"),
        hf_day("2025-09-09", "2509.00001"),
    ]
    report = import_files(store, inputs, today=TODAY)
    assert not report.rejected and report.counts.added == len(HOSTILE) + 2
    assert ["2025-09-08#1", "2025-09-09#1"] in store.read_table()["hf_listings"].to_pylist()
    return store


@pytest.mark.parametrize("fmt", exports.EXPORT_FORMATS)
def test_every_export_of_hostile_values_imports_back_unchanged(hostile, tmp_path, fmt):
    data = export(hostile, fmt)
    fresh = Store(tmp_path / "fresh")
    report = import_files(fresh, [InputFile.from_bytes(f"export.{fmt}", data)], today=TODAY)
    assert not report.rejected and report.counts.added == len(HOSTILE) + 2
    original, again = sorted_rows(hostile.read_table()), sorted_rows(fresh.read_table())
    changed = [c for c in original.column_names if not again[c].equals(original[c])]
    assert not changed, {c: (original[c].to_pylist(), again[c].to_pylist()) for c in changed}


def test_csv_export_is_safe_and_readable_in_a_spreadsheet(hostile):
    rows = list(csv.DictReader(io.StringIO(export(hostile, "csv").decode())))
    by_id = {r["id"]: r for r in rows}
    # no cell a spreadsheet would run as a formula
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values())
    assert by_id["2501.00001"]["title"] == "'" + HOSTILE[0]["title"]
    assert by_id["2501.00002"]["title"] == "''=a title that starts with a quote"  # one more quote, read off again
    assert by_id["2501.00002"]["abstract"] == "'-starts with a minus"
    # lists: "a; b" where that reads back as the same list, else a JSON array
    assert by_id["2501.00003"]["categories"] == "cs.LG"
    assert by_id["2501.00003"]["keywords"] == "'@mention; +plus; =eq; -minus"
    assert json.loads(by_id["2501.00001"]["categories"]) == ["I.2.0; I.2.7", "cs.CL"]
    assert json.loads(by_id["2501.00002"]["categories"]) == ["I.2.0 I.2.7"]
    assert by_id["2501.00002"]["keywords"] == ""


def test_old_csv_lists_and_foreign_quotes_still_import():
    """A list written "a; b" (our exports before 2026-12, other tools) is still split; a quote
    at the start of a cell of another tool's CSV (not our export's header) is kept."""
    data = b"title,authors,categories,date\n'=Kept as is,Ada One; Bo Two,cs.CL cs.LG,2025-01-06\n"
    table, _ = read_file(InputFile.from_bytes("other.csv", data), today=TODAY)
    (row,) = table.to_pylist()
    assert row["title"] == "'=Kept as is"
    assert row["authors"] == ["Ada One", "Bo Two"] and row["categories"] == ["cs.CL", "cs.LG"]


@pytest.mark.shared
@pytest.mark.skipif(not CORPUS.is_file(), reason=f"no corpus at {CORPUS}")
def test_the_corpus_exports_and_imports_back_unchanged(tmp_path):
    """The 75k-paper corpus: read, then each export read back gives the same rows (938 papers
    changed through the CSV before: a ';' inside one category, the formula guard kept)."""
    (source,) = input_files([str(CORPUS)], (".jsonl",))
    table, report = read_file(source, today=TODAY)
    assert table.num_rows > 70_000 and not report.rejected
    frame = to_frame(table)
    for fmt in exports.EXPORT_FORMATS:
        path = tmp_path / f"corpus.{fmt}"
        with path.open("wb") as handle:
            exports.write(fmt, table, frame, handle)
        (exported,) = input_files([str(path)], (f".{fmt}",))
        again, report = read_file(exported, today=TODAY)
        assert again.num_rows == table.num_rows and not report.rejected, fmt
        changed = [c for c in table.column_names if not again[c].equals(table[c])]
        assert not changed, (fmt, changed)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_list_of_papers_imports_back_unchanged(hostile, tmp_path, fmt):
    """A collection's CSV and JSON exports (the table's columns, then who added each paper) too."""
    table = hostile.read_table()
    papers = to_frame(table).assign(added_by="=ada", added_at="2026-01-01 10:00")
    data = exports.paper_list(fmt, papers, {"collection": "Hostile", "link": "/collections?collection=Hostile"})
    fresh = Store(tmp_path / "fresh")
    report = import_files(fresh, [InputFile.from_bytes(f"list.{fmt}", data)], today=TODAY)
    assert not report.rejected and report.counts.added == len(HOSTILE) + 2
    assert sorted_rows(fresh.read_table()).equals(sorted_rows(table))


def test_search_results_csv_reads_back_its_cells(hostile):
    """The search results' CSV (its own header, ``rank,id,title,authors,...``) is ours too."""
    frame = to_frame(hostile.read_table())
    results = frame.assign(rank=range(1, len(frame) + 1), score=0.5)
    table, report = read_file(InputFile.from_bytes("results.csv", exports.results_csv(results, "/search?q=x")))
    assert not report.rejected
    for column in ("id", "title", "authors", "categories", "url"):
        assert table[column].to_pylist() == list(map(_plain, frame[column])), column


def _plain(value):
    return list(value) if isinstance(value, (list, tuple)) or hasattr(value, "tolist") else value
