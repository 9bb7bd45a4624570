"""Robustness of every importer against hostile and broken input: Hypothesis fuzzing plus
targeted cases.

The contract checked for every input (see :func:`attempt`):

* ``lib.store.importer.import_files`` (and so ``read_file``) either succeeds — papers plus
  per-record rejections, each naming the file and fitting on one line — or raises
  :class:`lib.errors.InputError` whose message is one line and names the file.  Any other
  exception fails the test (Hypothesis then prints the smallest input that raises it);
* the import goes into a real store that already holds papers: a failed import leaves
  table's files byte-identical (and no temporary file behind); a successful one keeps
  every paper the store had, and every imported row honours the column contract.

Examples per Hypothesis strategy: ``$FUZZ_EXAMPLES`` (default 60; e.g. ``FUZZ_EXAMPLES=2000``
for a long local run).  The example database is off, so a run writes nothing; replay a
failure with the ``@reproduce_failure`` blob Hypothesis prints, or ``--hypothesis-seed=N``.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import gzip
import io
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, THREE_DAYS, table_state, write_jsonl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lib import cli
from lib.errors import InputError
from lib.store import exports
from lib.store.formats import FORMATS
from lib.store.formats.tables import ALIASES
from lib.store.importer import import_files, read_file
from lib.store.schema import EARLIEST_DAY, FUTURE_SLACK, SCHEMA, to_frame
from lib.store.store import InputFile, Store, input_files
from lib.text import collapse_ws, strip_controls, title_key

FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file())
TODAY = dt.date(2026, 1, 15)  # every import's "today": results do not depend on the day the tests run
LATEST_DAY = TODAY + FUTURE_SLACK

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)


# --- the contract -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    """A store holding THREE_DAYS (imported through the real importer); tests work on copies."""
    tmp = tmp_path_factory.mktemp("fuzz-baseline")
    source = write_jsonl(tmp / "three_days.jsonl", THREE_DAYS)
    import_files(Store(tmp / "data"), input_files([str(source)], (".jsonl",)))
    assert Store(tmp / "data").read_table().num_rows == len(THREE_DAYS)
    return tmp / "data"


@contextlib.contextmanager
def store_copy(baseline: Path):
    """A private copy of the baseline store (Hypothesis runs many examples per test function)."""
    with tempfile.TemporaryDirectory(prefix="fuzz-store-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(baseline, data)
        yield Store(data)


def one_line(text: str) -> bool:
    return "\n" not in text and "\r" not in text


def check_input_error(exc: InputError, name: str) -> None:
    message = str(exc)
    assert one_line(message), f"InputError message spans lines: {message!r}"
    assert name in message, f"InputError does not name the file {name!r}: {message!r}"


def check_incoming(table: pa.Table) -> None:
    """Imported rows honour the column contract (lib/store/schema.py)."""
    assert table.schema.equals(SCHEMA, check_metadata=False)
    for row in table.select(["id", "title", "date", "upvotes", "num_comments"]).to_pylist():
        assert row["id"] and row["title"] and row["title"] == collapse_ws(row["title"])
        assert EARLIEST_DAY <= row["date"].date() <= LATEST_DAY, row
        for count in (row["upvotes"], row["num_comments"]):
            assert count is None or 0 <= count < 2**53


def attempt(baseline: Path, data: bytes, name: str = "input.bin", fmt: str | None = None, **options):
    """Import ``data`` into a copy of a store that holds papers, and check the contract.

    Returns the :class:`ImportReport`, or the :class:`InputError` raised."""
    with store_copy(baseline) as store:
        before = table_state(store.path)
        old_ids = set(store.read_table()["id"].to_pylist())
        try:
            report = import_files(store, [InputFile.from_bytes(name, data)], fmt=fmt, today=TODAY, **options)
        except InputError as exc:
            check_input_error(exc, name)
            assert table_state(store.path) == before, "a failed import changed the table's files"
            assert not list(store.path.rglob("*.tmp")), "a failed import left a temporary file"
            return exc
        [file] = report.files
        assert file.name == name and file.format in FORMATS
        assert file.papers == report.incoming.num_rows
        for problem in file.rejected + file.warnings:
            assert problem.file == name and one_line(problem.message) and one_line(problem.where), problem
        assert file.papers > 0 or (not file.rejected and file.warnings), "no papers must be an error or a warning"
        check_incoming(report.incoming)
        after = store.read_table()
        assert old_ids <= set(after["id"].to_pylist()), "an import lost papers the store had"
        assert len(set(after["id"].to_pylist())) == after.num_rows, "two rows with one id"
        check_incoming(after)
        return report


def imported(outcome) -> list[dict]:
    """The rows an attempt read (none when it was refused)."""
    return [] if isinstance(outcome, InputError) else outcome.incoming.to_pylist()


def rejections(outcome) -> str:
    """Everything an attempt said about what it could not read, as one text."""
    if isinstance(outcome, InputError):
        return str(outcome)
    return " | ".join(f"{p.where}: {p.message}" for p in outcome.rejected)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


LONG_ABSTRACT = ("We study a problem. " * 20).strip()


def page(*paragraphs: str) -> bytes:
    return "\n\n".join(paragraphs).encode("utf-8") + b"\n"


# --- strategies -----------------------------------------------------------------------------------
BAD_DAYS = [
    "Feb 30",
    "2025-02-30",
    "3000-01-01",
    "0001-01-01",
    "yesterday",
    "Feb 30, 2025",
    "30 Feb 2025",
    "2025-02-29",
    "9999-12-31",
    "0000-00-00",
    "2025-13-01",
    "Aug 12, 99999999999999999999",
    "Mon, 32 Feb 2025 10:00:00 GMT",
    "1990-12-31",
    "tomorrow",
    "12/31/2025",
    "-1",
    "",
]
GOOD_DAYS = ["2025-01-06", "2025-01-06T23:59:59.999Z", "Aug 12, 2025", "12 Aug 2025", "Mon, 2 Apr 2007 19:18:42 GMT"]
ALIAS_NAMES = sorted({a for names in ALIASES.values() for a in names})

day_texts = st.one_of(
    st.sampled_from(BAD_DAYS + GOOD_DAYS),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.text(max_size=24),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    day_texts,
    st.sampled_from(["\ud800", "x\udfffy", "\u202eevil", "a\x00b", "2501.00001", "javascript:alert(1)"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
table_keys = st.one_of(
    st.sampled_from(ALIAS_NAMES),
    st.sampled_from(["paperId", "Paper Title", "publishedAt", "aiKeywords"]),
    st.text(max_size=10),
)
table_records = st.one_of(
    st.dictionaries(table_keys, json_values, max_size=8),
    st.fixed_dictionaries(
        {"title": st.one_of(st.text(max_size=40), json_values), "date": st.one_of(day_texts, json_values)},
        optional=dict.fromkeys(
            (
                "id",
                "abstract",
                "authors",
                "upvotes",
                "num_comments",
                "categories",
                "keywords",
                "url",
                "github_repo",
                "listed",
                "published",
                "source",
                "sources",
                "hf_day",
                "hf_rank",
            ),
            json_values,
        ),
    ),
)
hf_items = st.fixed_dictionaries(
    {
        "paper": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {},
                optional={
                    "id": json_values,
                    "title": st.one_of(st.text(max_size=40), json_values),
                    "summary": json_values,
                    "authors": st.one_of(
                        json_values, st.lists(st.dictionaries(st.just("name"), json_values), max_size=3)
                    ),
                    "publishedAt": st.one_of(day_texts, json_values),
                    "submittedOnDailyAt": st.one_of(day_texts, json_values),
                    "upvotes": json_values,
                    "ai_keywords": json_values,
                    "githubRepo": json_values,
                },
            ),
        )
    },
    optional={
        "title": json_values,
        "summary": json_values,
        "publishedAt": st.one_of(day_texts, json_values),
        "numComments": json_values,
    },
)
oai_lines = st.fixed_dictionaries(
    {
        "id": json_values,
        "versions": st.one_of(
            json_values, st.lists(st.dictionaries(st.just("created"), st.one_of(day_texts, json_values)), max_size=2)
        ),
    },
    optional={
        "title": st.one_of(st.text(max_size=40), json_values),
        "abstract": json_values,
        "authors": st.one_of(st.text(max_size=40), json_values),
        "authors_parsed": json_values,
        "categories": json_values,
        "update_date": st.one_of(day_texts, json_values),
        "submitter": json_values,
    },
)


def dumps(value, ascii_only: bool = True) -> bytes:
    # allow_nan: NaN / Infinity tokens, which Python's json reads back; ensure_ascii keeps lone
    # surrogates as \ud800 escapes (the form they take in real files)
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")


# --- 1. random bytes --------------------------------------------------------------------------------
@FUZZ
@given(
    data=st.binary(max_size=4096), name=st.sampled_from(["input.bin", "x.jsonl", "2025-01-06.json", "t.csv", "a.xml"])
)
def test_random_bytes(baseline, data, name):
    attempt(baseline, data, name)


@FUZZ
@given(
    data=st.binary(max_size=2048), wrap=st.sampled_from(["magic", "gzip", "gzip-cut", "gzip-tail"]), cut=st.floats(0, 1)
)
def test_random_bytes_with_a_gzip_header(baseline, data, wrap, cut):
    if wrap == "magic":
        payload = b"\x1f\x8b" + data  # the magic, then anything
    elif wrap == "gzip":
        payload = gz(data)  # a valid gzip of random bytes
    elif wrap == "gzip-cut":
        whole = gz(data)
        payload = whole[: int(len(whole) * cut)]
    else:
        payload = gz(data) + data  # trailing garbage after the member
    attempt(baseline, payload, "input.gz")


@FUZZ
@given(data=st.binary(max_size=2048), fmt=st.sampled_from(FORMATS))
def test_random_bytes_with_every_format_forced(baseline, data, fmt):
    attempt(baseline, data, "forced.bin", fmt=fmt)


# --- 2. real-shaped files, truncated and mutated ---------------------------------------------------
@FUZZ
@given(
    path=st.sampled_from(FIXTURE_FILES),
    cut=st.floats(0, 1),
    zipped=st.booleans(),
    fmt=st.one_of(st.none(), st.sampled_from(FORMATS)),
)
def test_truncated_fixtures(baseline, path, cut, zipped, fmt):
    data = path.read_bytes()
    if zipped:
        data = gz(data)  # then cut: a truncated .gz
    attempt(baseline, data[: int(len(data) * cut)], path.name + (".gz" if zipped else ""), fmt=fmt)


@FUZZ
@given(
    path=st.sampled_from(FIXTURE_FILES),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.sampled_from(["replace", "insert", "delete"]), st.binary(min_size=1, max_size=4)),
        min_size=1,
        max_size=8,
    ),
    zipped=st.booleans(),
)
def test_mutated_fixtures(baseline, path, edits, zipped):
    data = bytearray(path.read_bytes())
    for where, kind, blob in edits:
        at = int(len(data) * where)
        if kind == "replace":
            data[at : at + len(blob)] = blob
        elif kind == "insert":
            data[at:at] = blob
        else:
            del data[at : at + len(blob)]
    attempt(baseline, gz(bytes(data)) if zipped else bytes(data), path.name)


@FUZZ
@given(path=st.sampled_from(FIXTURE_FILES), cut=st.floats(0, 1))
def test_truncated_parquet(baseline, path, cut):
    """A Parquet file made from a real fixture (read through the importer), then cut."""
    try:
        opener = lambda: open(path, "rb")  # noqa: SIM115 - an opener: the importer closes the file
        table, _ = read_file(InputFile(path.name, opener), today=TODAY)
    except InputError:
        assume(False)
    data = parquet_bytes(table)
    attempt(baseline, data[: max(4, int(len(data) * cut))], "cut.parquet")


@FUZZ
@given(
    edits=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)), min_size=1, max_size=6),
    tail=st.booleans(),
    zipped=st.booleans(),
)
def test_corrupted_parquet(baseline, edits, tail, zipped):
    """Bytes overwritten anywhere in a real Parquet file, the footer included (Thrift errors)."""
    data = bytearray(parquet_bytes(pa.table(GOOD)))
    for where, blob in edits:
        at = int((len(data) - 8) * where) if not tail else max(4, len(data) - 8 - int(64 * where))
        data[at : at + len(blob)] = blob
    attempt(baseline, gz(bytes(data)) if zipped else bytes(data), "corrupt.parquet")


# --- 3. structurally valid files full of junk -----------------------------------------------------
@FUZZ
@given(
    records=st.lists(st.one_of(table_records, json_values), max_size=6),
    shape=st.sampled_from(["jsonl", "array", "wrapped", "oneline-wrapped"]),
)
def test_junk_table_records(baseline, records, shape):
    if shape == "jsonl":
        data = b"".join(dumps(r) + b"\n" for r in records)
    elif shape == "array":
        data = b"[\n" + b",\n".join(dumps(r) for r in records) + b"\n]"
    elif shape == "wrapped":
        data = b'{"papers": [\n' + b",\n".join(dumps(r) for r in records) + b"\n]}"
    else:
        data = dumps({"data": records, "count": len(records)})
    attempt(baseline, data, "junk.json")


@FUZZ
@given(
    items=st.lists(st.one_of(hf_items, json_values), max_size=5),
    name=st.sampled_from(["hf.json", "2025-01-07.json", "2025-02-30.json"]),
)
def test_junk_hf_api_responses(baseline, items, name):
    outcome = attempt(baseline, dumps([{"paper": {"id": "2509.00000"}, "title": "x"}, *items]), name)
    if name == "2025-01-07.json":  # the listing day comes from the name, whatever the items say
        assert all(r["date"].date() == dt.date(2025, 1, 7) for r in imported(outcome))


@FUZZ
@given(lines=st.lists(st.one_of(oai_lines, json_values), min_size=1, max_size=5))
def test_junk_arxiv_snapshot_lines(baseline, lines):
    head = b'{"id": "0704.0001", "submitter": "x", "authors": "A. One", "title": "A", "versions": []}\n'
    attempt(baseline, head + b"\n".join(dumps(line) for line in lines), "snapshot.jsonl")


xml_text = st.text(max_size=40).map(lambda s: escape("".join(c for c in s if c.isprintable())))


@FUZZ
@given(
    entries=st.lists(
        st.fixed_dictionaries(
            {
                "id": st.one_of(
                    st.sampled_from(["http://arxiv.org/abs/2501.00099v2", "http://arxiv.org/api/errors#x"]), xml_text
                ),
                "title": xml_text,
                "summary": xml_text,
                "published": st.one_of(day_texts.map(escape), xml_text),
                "authors": st.lists(xml_text, max_size=3),
                "terms": st.lists(xml_text.map(lambda s: s.replace('"', "")), max_size=3),
            }
        ),
        max_size=4,
    ),
    junk=st.binary(max_size=16),
    where=st.floats(0, 1),
)
def test_junk_atom_feeds(baseline, entries, junk, where):
    body = "".join(
        f"<entry><id>{e['id']}</id><title>{e['title']}</title><summary>{e['summary']}</summary>"
        f"<published>{e['published']}</published>"
        + "".join(f"<author><name>{a}</name></author>" for a in e["authors"])
        + "".join(f'<category term="{t}"/>' for t in e["terms"])
        + "</entry>"
        for e in entries
    )
    data = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">{body}</feed>'.encode()
    attempt(baseline, data, "feed.xml")
    at = int(len(data) * where)
    attempt(baseline, data[:at] + junk + data[at:], "feed.xml")  # and with junk spliced in


page_lines = st.one_of(
    st.sampled_from(
        [
            "Aug 12",
            "Aug 12, 2025",
            "2025-01-07",
            "Feb 30",
            "Feb 29",
            "Feb 30, 2025",
            "Aug 12, 3000",
            "12 Aug 0001",
            "2025-13-45",
            "Sept 31",
            "Daily Papers",
            "Subscribe",
            "",
            "",
            "",
            LONG_ABSTRACT,
            "A Short Title",
            "Abstract without a title. It Has Sentences. " * 8,
        ]
    ),
    st.text(max_size=80),
    st.text(max_size=400),
)


@FUZZ
@given(
    lines=st.lists(page_lines, max_size=30),
    year=st.one_of(st.none(), st.integers(1991, 2100)),
    name=st.sampled_from(["page.txt", "daily_2025-08-12.txt"]),
)
def test_junk_daily_pages(baseline, lines, year, name):
    attempt(baseline, "\n".join(lines).encode("utf-8"), name, year=year)


csv_cells = st.one_of(
    st.text(max_size=20),
    day_texts,
    st.sampled_from(['"', '""', '"abc', 'ab"c', "a,b", "a\tb", "\x00", "a\nb", "\r", "=cmd()", "many", "-1", "1e400"]),
)


@FUZZ
@given(
    header=st.lists(st.sampled_from(ALIAS_NAMES + ['"title"', "", "title"]), min_size=1, max_size=6),
    rows=st.lists(st.lists(csv_cells, max_size=8), max_size=6),
    delimiter=st.sampled_from([",", "\t", ";"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_junk_csv(baseline, header, rows, delimiter, newline):
    lines = [delimiter.join(["title"] + header)] + [delimiter.join(r) for r in rows]
    attempt(baseline, newline.join(lines).encode("utf-8", "surrogatepass"), "junk.csv")


def _column(kind: str, n: int) -> st.SearchStrategy:
    values = {
        "int": (st.integers(-(2**63), 2**63 - 1), pa.int64()),
        "float": (st.floats(allow_nan=True), pa.float64()),
        "str": (st.one_of(st.text(max_size=20), day_texts), pa.string()),
        "bool": (st.booleans(), pa.bool_()),
        "strs": (st.lists(st.text(max_size=10), max_size=3), pa.list_(pa.string())),
        "ints": (st.lists(st.integers(-5, 5), max_size=3), pa.list_(pa.int64())),
        "date": (st.dates(), pa.date32()),
        "ts": (
            st.datetimes(min_value=dt.datetime(1677, 9, 22), max_value=dt.datetime(2262, 4, 11)),
            pa.timestamp("ns"),
        ),
        "bin": (st.binary(max_size=10), pa.binary()),
        "struct": (st.fixed_dictionaries({"name": st.text(max_size=5)}), pa.struct([("name", pa.string())])),
    }[kind]
    return st.lists(st.one_of(st.none(), values[0]), min_size=n, max_size=n).map(lambda v: pa.array(v, values[1]))


@st.composite
def junk_parquet(draw) -> bytes:
    n = draw(st.integers(0, 4))
    names = draw(st.lists(st.sampled_from(ALIAS_NAMES), min_size=1, max_size=6, unique=True))
    kinds = ["int", "float", "str", "bool", "strs", "ints", "date", "ts", "bin", "struct"]
    columns = {name: draw(_column(draw(st.sampled_from(kinds)), n)) for name in names}
    return parquet_bytes(pa.table(columns))


@FUZZ
@given(data=junk_parquet())
def test_junk_parquet(baseline, data):
    attempt(baseline, data, "junk.parquet")


@FUZZ
@given(
    text=st.text(max_size=300),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252", "utf-32"]),
    shape=st.sampled_from(["csv", "jsonl", "page", "raw"]),
)
def test_random_text_in_random_encodings(baseline, text, encoding, shape):
    if shape == "csv":
        text = f"title,date\n{text},2025-01-06\n"
    elif shape == "jsonl":
        text = json.dumps({"title": text, "date": "2025-01-06"}, ensure_ascii=False) + "\n"
    elif shape == "page":
        text = f"Aug 12, 2025\n\n{text}\n\n{LONG_ABSTRACT}\n"
    attempt(baseline, text.encode(encoding, "replace"), "text.bin")


@FUZZ
@given(
    day=day_texts,
    carrier=st.sampled_from(["jsonl-date", "jsonl-published", "csv", "hf", "oai", "atom", "page", "parquet"]),
)
def test_random_days_are_in_range_or_rejected(baseline, day, carrier):
    # attempt() checks every imported day lies in [1991-01-01, today + 7 days]
    attempt(baseline, carry_day(carrier, day), f"days.{carrier}")


# --- 4. targeted cases -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b" ",
        b"\n\n\t\r\n",
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b"  \n",
        codecs.BOM_UTF16_LE,
        "  \n\t".encode("utf-16"),
        gz(b""),
        gz(b" \n \n"),
    ],
    ids=["empty", "space", "whitespace", "bom", "bom-space", "utf16-bom", "utf16-space", "gz-empty", "gz-space"],
)
@pytest.mark.parametrize("fmt", [None, *FORMATS])
def test_empty_and_whitespace_files_are_refused(baseline, data, fmt):
    outcome = attempt(baseline, data, "blank.txt", fmt=fmt)
    if fmt is None:
        assert isinstance(outcome, InputError) and "empty" in str(outcome)
    else:
        assert not imported(outcome)


LATIN1 = {
    "csv": "title,abstract,date\nCafé crème,Résumé für Straße,2025-01-06\n",
    "page": f"Aug 12, 2025\n\nÉtude des modèles\n\n{LONG_ABSTRACT} Voilà.\n",
    "jsonl": '{"title": "Café crème", "date": "2025-01-06"}\n',
    "json": '[{"title": "Café crème", "date": "2025-01-06"}]',
    "hf": '[{"paper": {"id": "2501.00009", "title": "Café", "publishedAt": "2025-01-06"}}]',
    "atom": '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Café</title></entry></feed>',
}


@pytest.mark.parametrize("shape", LATIN1)
def test_latin1_text_is_refused_naming_the_file_and_the_byte(baseline, shape):
    outcome = attempt(baseline, LATIN1[shape].encode("latin-1"), f"latin1.{shape}")
    assert isinstance(outcome, InputError)
    if shape != "atom":  # expat reports its own message for XML
        assert "not UTF-8" in str(outcome) and "(byte 0x" in str(outcome), outcome


UNICODE_TITLE = "Ünïcödé Tïtle — 日本語 😀"
UTF16_SHAPES = {
    "csv": f"title,date\n{UNICODE_TITLE},2025-01-06\n",
    "tsv": f"title\tdate\n{UNICODE_TITLE}\t2025-01-06\n",
    "jsonl": json.dumps({"title": UNICODE_TITLE, "date": "2025-01-06"}, ensure_ascii=False) + "\n",
    "json": json.dumps([{"title": UNICODE_TITLE, "date": "2025-01-06"}], ensure_ascii=False),
    "hf": json.dumps(
        [{"paper": {"id": "2501.00009", "title": UNICODE_TITLE, "publishedAt": "2025-01-06"}}], ensure_ascii=False
    ),
    "page": f"Daily Papers\n\nJan 6, 2025\n\n{UNICODE_TITLE}\n\n{LONG_ABSTRACT}\n",
}


@pytest.mark.parametrize("shape", UTF16_SHAPES)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_utf16_with_a_bom_is_read(baseline, shape, encoding):
    text = UTF16_SHAPES[shape]
    data = {
        "utf-16": text.encode("utf-16"),
        "utf-16-le-bom": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "utf-16-be-bom": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    }[encoding]
    for payload in (data, gz(data)):
        outcome = attempt(baseline, payload, f"utf16.{shape}")
        assert [r["title"] for r in imported(outcome)] == [UNICODE_TITLE], rejections(outcome)


@pytest.mark.parametrize("shape", UTF16_SHAPES)
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_refused_or_read_correctly(baseline, shape, encoding):
    """Never mojibake: either refused with a message, or read with the right title."""
    outcome = attempt(baseline, UTF16_SHAPES[shape].encode(encoding), f"nobom.{shape}")
    assert isinstance(outcome, InputError) or [r["title"] for r in imported(outcome)] == [UNICODE_TITLE]


HUGE = 50 * 1024 * 1024
HUGE_LINES = {
    # name: (before the long run, the repeated filler, after it); the file is written in pieces
    "jsonl": (
        b'{"title": "',
        b"a",
        b'", "date": "2025-01-06"}\n{"title": "After the long line", "date": "2025-01-07"}\n',
    ),
    "page": (b"Aug 12, 2025\n\n", b"word ", b"\n\nAfter the Long Line\n\n" + LONG_ABSTRACT.encode() + b"\n"),
    "oai": (
        b'{"id": "0704.0001", "submitter": "x", "title": "',
        b"a",
        b'", "versions": []}\n{"id": "0704.0002", "authors": "A. One", "title": "After the long line", '
        b'"versions": [{"created": "Mon, 2 Apr 2007 19:18:42 GMT"}]}\n',
    ),
    "csv": (b'title,date\n"', b"a", b'",2025-01-06\n'),
}


def write_huge(path: Path, head: bytes, filler: bytes, tail: bytes) -> Path:
    chunk = filler * (1024 * 1024 // len(filler))
    with open(path, "wb") as handle:
        handle.write(head)
        left = HUGE - len(head) - len(tail)
        while left > 0:
            handle.write(chunk[:left])
            left -= len(chunk[:left])
        handle.write(tail)
    return path


@pytest.mark.timeout(120)
@pytest.mark.parametrize("shape", HUGE_LINES)
def test_a_50mb_line_is_reported_not_held(baseline, tmp_path, shape):
    path = write_huge(tmp_path / f"huge.{shape}", *HUGE_LINES[shape])
    assert path.stat().st_size == HUGE
    with store_copy(baseline) as store, contextlib.ExitStack() as cleanup:
        cleanup.callback(path.unlink)  # 50 MB: not left in pytest's kept temporary directories
        before = table_state(store.path)
        started = time.monotonic()
        try:
            report = import_files(store, input_files([str(path)], (".x",)), today=TODAY)
        except InputError as exc:  # the long line was the only record
            check_input_error(exc, path.name)
            assert table_state(store.path) == before
            said = str(exc)
        else:
            assert [r["title"] for r in report.incoming.to_pylist()] in (
                ["After the Long Line"],
                ["After the long line"],
            )
            said = rejections(report)
        assert time.monotonic() - started < 30
    if shape == "csv":
        assert "field larger than field limit" in said
    else:
        assert "longer than" in said and ("line 1:" in said or "line 3:" in said), said


DEEP = 100_000
DEEP_DOCS = {
    "lists": b"[" * DEEP + b"]" * DEEP,
    "objects": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "record-list": b'{"papers": ' + b"[" * DEEP + b"]" * DEEP + b"}",
    "title-objects": b'[{"title": ' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b', "date": "2025-01-06"}]',
    "hf-paper": b'[{"paper": ' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}]",
}


@pytest.mark.parametrize("fmt", [None, "json", "jsonl", "hf_api", "arxiv_oai", "csv", "daily_page"])
@pytest.mark.parametrize("shape", DEEP_DOCS)
def test_deeply_nested_json(baseline, shape, fmt):
    outcome = attempt(baseline, DEEP_DOCS[shape], "deep.json", fmt=fmt)
    assert not imported(outcome)
    if fmt in (None, "json", "jsonl", "hf_api", "arxiv_oai"):
        assert "nested too deeply" in rejections(outcome), rejections(outcome)


def test_deeply_nested_line_among_good_ones(baseline):
    data = (
        b'{"title": "Before", "date": "2025-01-06"}\n'
        + DEEP_DOCS["objects"]
        + b'\n{"title": "After", "date": "2025-01-07"}\n'
    )
    outcome = attempt(baseline, data, "deep.jsonl")
    assert [r["title"] for r in imported(outcome)] == ["Before", "After"]
    assert rejections(outcome) == "line 2: not valid JSON (nested too deeply)"


@pytest.mark.parametrize(
    "data",
    [
        b"{'title': 'x', 'date': '2025-01-06'}",
        b"{'title': 'x', 'listed': True, 'upvotes': None}\n{'title': 'y', 'listed': False}\n",
        b"[{'title': 'x', 'date': '2025-01-06', 'listed': True, 'github_repo': None}]",
        b"[{'paper': {'id': '2501.00009', 'title': 'x'}}]",
        b"{'papers': [{'title': 'x'}]}",
        b"({'title': 'x'},)",
        b'{"title": \'x\', "date": "2025-01-06"}',
    ],
)
@pytest.mark.parametrize("fmt", [None, "json", "jsonl"])
def test_python_repr_is_not_json(baseline, data, fmt):
    assert not imported(attempt(baseline, data, "repr.json", fmt=fmt))


XML_ATTACKS = {
    "billion-laughs": (FIXTURES / "arxiv_atom" / "billion_laughs.xml").read_bytes(),
    "external-entity": (FIXTURES / "arxiv_atom" / "external_entity.xml").read_bytes(),
    "quadratic-blowup": (
        '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "' + "x" * 50_000 + '">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>' + "&a;" * 5_000 + "</title></entry></feed>"
    ).encode(),
    "external-dtd": b'<?xml version="1.0"?><!DOCTYPE feed SYSTEM "file:///etc/passwd"><feed xmlns="http://www.w3.org/2005/Atom"/>',
    "parameter-entity": b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
    b'<feed xmlns="http://www.w3.org/2005/Atom"/>',
    "remote-entity": b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]>'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&e;</title></entry></feed>',
    "empty-doctype": b'<?xml version="1.0"?><!DOCTYPE feed><feed xmlns="http://www.w3.org/2005/Atom"/>',
}


@pytest.mark.parametrize("fmt", [None, "arxiv_atom"])
@pytest.mark.parametrize("attack", XML_ATTACKS)
def test_xml_entity_tricks_are_refused(baseline, attack, fmt):
    started = time.monotonic()
    outcome = attempt(baseline, XML_ATTACKS[attack], "attack.xml", fmt=fmt)
    assert isinstance(outcome, InputError) and "refused unsafe XML" in str(outcome), outcome
    assert time.monotonic() - started < 5


def test_xinclude_is_not_followed(baseline):
    data = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:xi="http://www.w3.org/2001/XInclude">'
        b'<entry><id>http://arxiv.org/abs/2501.00009v1</id><title>Inc <xi:include href="/etc/passwd" parse="text"/></title>'
        b'<summary><xi:include href="/etc/passwd" parse="text"/></summary><published>2025-01-06T00:00:00Z</published>'
        b"</entry></feed>"
    )
    rows = imported(attempt(baseline, data, "xinclude.xml"))
    assert [(r["title"], r["abstract"]) for r in rows] == [("Inc", "")]


@pytest.mark.parametrize(
    "data, says",
    [
        (b"<html><body><p>Not a feed</p></body></html>", "not an Atom feed (root element <html>)"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</title></item></channel></rss>', "<rss>"),
        (b"<feed><entry><title>No namespace</title></entry></feed>", "root element <feed>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "{http://www.w3.org/2000/svg}svg"),
        (b"<?xml version='1.0'?>", "not valid XML"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "not valid XML"),
        (b"<a><b></a></b>", "not valid XML"),
        (b"<<<<>>>>", "not valid XML"),
        # the declared encoding: unknown (found by the fuzzer: "UTF-8" with a byte deleted), or one expat refuses
        (b'<?xml version="1.0" encoding="UF-8"?><feed xmlns="http://www.w3.org/2005/Atom"/>', "unknown encoding: UF-8"),
        (b'<?xml version="1.0" encoding="utf-32"?><feed xmlns="http://www.w3.org/2005/Atom"/>', "not valid XML"),
        (codecs.BOM_UTF8 + b"<?xml version='1.0'?><note>hello</note>", "root element <note>"),
    ],
)
def test_xml_that_is_not_atom_is_refused(baseline, data, says):
    outcome = attempt(baseline, data, "other.xml")
    assert isinstance(outcome, InputError) and says in str(outcome), outcome


def test_atom_feed_without_entries_reads_nothing_with_a_warning(baseline):
    outcome = attempt(baseline, b'<feed xmlns="http://www.w3.org/2005/Atom"><title>empty</title></feed>', "none.xml")
    assert not imported(outcome) and outcome.warnings and outcome.counts.added == 0


@pytest.mark.parametrize(
    "data, titles",
    [
        (b'title,date\n"Unterminated,2025-01-06\nNext,2025-01-07\n', None),  # the quote swallows the rest
        (b'"title,date\nA,2025-01-06\n', None),  # an unterminated quote in the header
        (b"title,date\nA,2025-01-06\nB\nC,2025-01-07,extra,cells\n", ["A", "C"]),  # ragged rows
        (b"title,date\nNUL \x00 inside,2025-01-06\nPlain,2025-01-07\n", ["NUL inside", "Plain"]),  # cleaned
        (b'title,date\n"NUL \x00 quoted",2025-01-06\nPlain,2025-01-07\n', ["NUL quoted", "Plain"]),
        (b"ti\x00tle,date\nA,2025-01-06\n", None),  # a NUL in the header
        (b'title,date\nab"c,2025-01-06\n"a"b,2025-01-07\n', None),  # stray quotes
        (b'title,date\n"A ""quoted"" title",2025-01-06\n', ['A "quoted" title']),
        (b"title,title,date\nFirst,Second,2025-01-06\n", None),  # duplicate header names
        (b"title,date\r\rA,2025-01-06\r", ["A"]),  # old Mac line ends
        (b"title,date\n", None),  # a header and nothing else
        (b"title\tdate,upvotes\nA\t2025-01-06,3\n", None),  # mixed delimiters
        (b"title,date\n" + b'"' + b"x" * 200_000 + b"\n", None),  # unterminated and long
    ],
)
def test_csv_with_broken_quoting(baseline, data, titles):
    outcome = attempt(baseline, data, "broken.csv")
    if titles is not None:
        assert [r["title"] for r in imported(outcome)] == titles, rejections(outcome)


GOOD = {
    "title": pa.array(["Good Paper", "Other Paper"]),
    "date": pa.array(["2025-01-06", "2025-01-07"]),
    "upvotes": pa.array([1, 2], pa.int64()),
    "authors": pa.array([["A. One"], ["B. Two"]], pa.list_(pa.string())),
}


@pytest.mark.parametrize(
    "column, values, imported_titles, reason",
    [
        ("title", pa.array([1, 2], pa.int64()), [], "no title"),
        ("date", pa.array(["yesterday", "2025-01-07"]), ["Other Paper"], "not a valid day: 'yesterday'"),
        ("upvotes", pa.array(["many", "3"]), ["Other Paper"], "upvotes is not a whole number: 'many'"),
        ("authors", pa.array([5, 6], pa.int64()), [], "authors is not a list of names"),
        ("date", pa.array([20250106, 20250107], pa.int64()), [], "not a valid day"),
        ("upvotes", pa.array([1.5, 2.0]), ["Other Paper"], "upvotes is not a whole number: 1.5"),
        ("upvotes", pa.array([float("inf"), float("nan")]), [], "upvotes is not a whole number: 'inf'"),
        ("upvotes", pa.array([-1, 2**62], pa.int64()), [], "upvotes is out of range: -1"),
        ("date", pa.array([dt.date(3000, 1, 1), dt.date(1, 1, 1)], pa.date32()), [], "date 3000-01-01 is out of range"),
        ("title", pa.array([b"bytes", b"more"], pa.binary()), [], "no title"),
        (
            "authors",
            pa.array([{"name": "x"}, None], pa.struct([("name", pa.string())])),
            ["Other Paper"],
            "authors is not a list of names",
        ),
    ],
)
def test_parquet_with_wrong_column_types(baseline, column, values, imported_titles, reason):
    outcome = attempt(baseline, parquet_bytes(pa.table({**GOOD, column: values})), "typed.parquet")
    assert [r["title"] for r in imported(outcome)] == imported_titles
    assert reason in rejections(outcome), rejections(outcome)


def test_parquet_with_every_wrong_column_type_at_once(baseline):
    table = pa.table(
        {
            "title": pa.array([1], pa.int64()),
            "date": ["yesterday"],
            "upvotes": ["many"],
            "authors": pa.array([5], pa.int64()),
        }
    )
    outcome = attempt(baseline, parquet_bytes(table), "all-wrong.parquet")
    assert isinstance(outcome, InputError) and "no papers could be read" in str(outcome)


def carry_day(carrier: str, day: str) -> bytes:
    """A file of ``carrier``'s format whose first paper has ``day`` and whose second a good day."""
    good = "2025-01-07"
    if carrier == "jsonl-date":
        return b"".join(dumps({"title": t, "date": d}) + b"\n" for t, d in (("Bad Day", day), ("Good Day", good)))
    if carrier == "jsonl-published":
        return b"".join(dumps({"title": t, "published": d}) + b"\n" for t, d in (("Bad Day", day), ("Good Day", good)))
    if carrier == "csv":
        cell = '"' + day.replace('"', '""') + '"'
        return f"title,date\nBad Day,{cell}\nGood Day,{good}\n".encode("utf-8", "surrogatepass")
    if carrier == "hf":
        return dumps(
            [
                {"paper": {"id": i, "title": t, "publishedAt": d}, "publishedAt": d}
                for i, t, d in (("2501.00091", "Bad Day", day), ("2501.00092", "Good Day", good))
            ]
        )
    if carrier == "oai":
        return b"".join(
            dumps({"id": i, "title": t, "authors": "A. One", "versions": [{"created": d}]}) + b"\n"
            for i, t, d in (("2501.00091", "Bad Day", day), ("2501.00092", "Good Day", good))
        )
    if carrier == "atom":
        entries = "".join(
            f"<entry><id>http://arxiv.org/abs/{i}v1</id><title>{t}</title><published>{escape(d)}</published></entry>"
            for i, t, d in (("2501.00091", "Bad Day", day), ("2501.00092", "Good Day", good))
        )
        return f'<feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'.encode("utf-8", "surrogatepass")
    if carrier == "page":
        return (f"{day}\n\nBad Day\n\n{LONG_ABSTRACT}\n\nJan 7, 2025\n\nGood Day\n\n{LONG_ABSTRACT}\n").encode(
            "utf-8", "surrogatepass"
        )
    if carrier == "parquet":
        return parquet_bytes(pa.table({"title": ["Bad Day", "Good Day"], "date": [day, good]}))
    raise ValueError(carrier)


CARRIERS = ["jsonl-date", "jsonl-published", "csv", "hf", "oai", "atom", "page", "parquet"]


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize(
    "day",
    [
        "Feb 30",
        "2025-02-30",
        "3000-01-01",
        "0001-01-01",
        "yesterday",
        "Feb 30, 2025",
        "2025-02-29",
        "Aug 12, 99999999999999999999",
        "1990-12-31",
        "9999-12-31",
    ],
)
def test_impossible_days_reject_their_paper_only(baseline, carrier, day):
    outcome = attempt(baseline, carry_day(carrier, day), f"days.{carrier}")
    rows = imported(outcome)
    assert [r["title"] for r in rows] == ["Good Day"], rejections(outcome)
    assert rows[0]["date"].date() == dt.date(2025, 1, 7)
    assert outcome.rejected, "the bad day must be reported"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_format_forced_on_every_fixture(baseline, path, fmt):
    attempt(baseline, path.read_bytes(), path.name, fmt=fmt)
    attempt(baseline, gz(path.read_bytes()), path.name + ".gz", fmt=fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shape", ["parquet", "gz-parquet"])
def test_every_format_forced_on_parquet(baseline, fmt, shape):
    data = parquet_bytes(pa.table(GOOD))
    attempt(baseline, gz(data) if shape == "gz-parquet" else data, "table.parquet", fmt=fmt)


@pytest.mark.parametrize(
    "data",
    [
        b"["
        + b'{"title": "a\\ud800b", "date": "2025-01-06"},'
        + b'{"title": "Fine \\ud83d\\ude00", "date": "2025-01-06"}]',
        b'{"title": "ok", "date": "2025-01-06", "authors": ["\\udfff"]}\n{"title": "Fine \\ud83d\\ude00", "date": "2025-01-06"}\n',
        b'[{"paper": {"id": "2501.00009", "title": "x\\ud800", "publishedAt": "2025-01-06"}},'
        b' {"paper": {"id": "2501.00010", "title": "Fine \\ud83d\\ude00", "publishedAt": "2025-01-06"}}]',
    ],
)
def test_lone_surrogate_escapes_reject_the_record(baseline, data):
    """``"\\ud800"`` is valid JSON but not Unicode text: Arrow cannot store it (it used to crash)."""
    outcome = attempt(baseline, data, "surrogates.json")
    assert [r["title"] for r in imported(outcome)] == ["Fine \U0001f600"]
    assert "unpaired surrogate" in rejections(outcome)


@pytest.mark.parametrize("value", ["1e400", "-1e400", "Infinity", "-Infinity", "NaN", "1.5", "1e20", "-0.5"])
def test_non_integral_counts_reject_the_record(baseline, value):
    data = (
        b'[{"paper": {"id": "2501.00009", "title": "Counted", "publishedAt": "2025-01-06", "upvotes": '
        + value.encode()
        + b"}}]"
    )
    outcome = attempt(baseline, data, "counts.json")
    assert isinstance(outcome, InputError) and "upvotes is" in str(outcome), outcome


# --- the command line: one line on stderr, exit code 2 -------------------------------------------------
CLI_CASES = {
    "empty.txt": b"",
    "random.bin": bytes(range(256)) * 4,
    "latin1.csv": LATIN1["csv"].encode("latin-1"),
    "deep.json": DEEP_DOCS["objects"],
    "bomb.xml": XML_ATTACKS["billion-laughs"],
    "not-atom.xml": b"<html/>",
    "cut.gz": gz(b'{"title": "x", "date": "2025-01-06"}\n' * 50)[:40],
    "hf-error.json": b'{"error": "Invalid date\\nsecond line\\r\\nthird"}',
    "bad.parquet": b"PAR1 not really\nparquet\n",
    "dates.jsonl": b'{"title": "x", "date": "Feb 30"}\n{"title": "y", "date": "3000-01-01"}\n',
}


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_bad_input_is_one_stderr_line_and_exit_2(baseline, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(CLI_CASES[name])
    with store_copy(baseline) as store:
        before = table_state(store.path)
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(["import", str(path), "--data", str(store.path)], out, err)
        assert code == 2, (out.getvalue(), err.getvalue())
        lines = err.getvalue().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and name in lines[0], err.getvalue()
        assert table_state(store.path) == before


def test_hf_error_answer_message_is_one_line(baseline):
    outcome = attempt(baseline, CLI_CASES["hf-error.json"], "hf-error.json")
    assert isinstance(outcome, InputError) and "Invalid date second line third" in str(outcome)


@pytest.mark.parametrize("cut", [8, 0.5, -12, -9, -5])
def test_unreadable_parquet_message_is_one_line(baseline, cut):
    """Arrow's Thrift errors end in a newline; the InputError must not (it used to)."""
    data = parquet_bytes(pa.table(GOOD))
    at = cut if isinstance(cut, int) else int(len(data) * cut)
    broken = data[:at] + b"\x0e" * 8 + data[at + 8 :] if at > 0 else data[:at] + b"\xff" * 4 + data[at + 4 :]
    outcome = attempt(baseline, broken, "broken.parquet")
    assert isinstance(outcome, InputError) or imported(outcome)
    assert isinstance(attempt(baseline, CLI_CASES["bad.parquet"], "bad.parquet"), InputError)


# --- 5. round trip: export in every format, import into a fresh store, same table ----------------------------
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
RTL = "\u202e\u202b\u200f\u061c\u05d0\u05d1\u05d2\u0627\u0644\u0639"
EMOJI = ["😀", "🧪", "👩‍🔬", "🏳️‍🌈", "🇯🇵", "1️⃣"]


def clean(text: str) -> str:
    """A text as the store keeps it: control characters and terminal escapes removed, whitespace collapsed."""
    return collapse_ws(strip_controls(text))


unicode_text = st.lists(
    st.one_of(st.characters(codec="utf-8"), st.sampled_from(list(ZERO_WIDTH + RTL) + EMOJI)), min_size=1, max_size=40
).map("".join)
arxiv_ids = st.builds(
    lambda y, m, n: f"{y:02d}{m:02d}.{n:05d}", st.integers(15, 25), st.integers(1, 12), st.integers(0, 99_999)
)
valid_records = st.fixed_dictionaries(
    {
        "title": unicode_text.filter(lambda t: clean(t)),
        "date": st.dates(min_value=EARLIEST_DAY, max_value=TODAY).map(dt.date.isoformat),
    },
    optional={
        "id": arxiv_ids,
        "abstract": unicode_text,
        "authors": st.lists(unicode_text, max_size=4),
        "categories": st.lists(unicode_text, max_size=3),
        "keywords": st.lists(unicode_text, max_size=3),
        "published": st.dates(min_value=EARLIEST_DAY, max_value=TODAY).map(dt.date.isoformat),
        "upvotes": st.one_of(st.none(), st.integers(0, 10**6)),
        "num_comments": st.one_of(st.none(), st.integers(0, 10**4)),
        "github_repo": st.one_of(st.none(), unicode_text),
        "listed": st.booleans(),
    },
)


def sorted_table(store: Store) -> pa.Table:
    return store.read_table().sort_by("id").replace_schema_metadata(None)


@FUZZ
@given(records=st.lists(valid_records, min_size=1, max_size=12))
def test_every_export_then_import_round_trip(records):
    """Every export format (JSON Lines, CSV, Parquet) imports back as the same table."""
    with tempfile.TemporaryDirectory(prefix="fuzz-roundtrip-") as tmp:
        first = Store(Path(tmp) / "first")
        data = b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records)
        report = import_files(first, [InputFile.from_bytes("records.jsonl", data)], today=TODAY)
        assert not report.rejected, report.rejected
        table = sorted_table(first)
        # what was read is what was written: text kept to the code point (zero-width, RTL, emoji)
        by_id = {r["id"]: r for r in table.to_pylist()}
        for record in records:
            # a record with its own arXiv id, and no other record that merges into it (the same id,
            # or a title-only record with the same normalised title: lib/store/merge.py folds those)
            twins = [
                r
                for r in records
                if r.get("id") == record.get("id") or title_key(clean(r["title"])) == title_key(clean(record["title"]))
            ]
            if "id" in record and len(twins) == 1:
                row = by_id[record["id"]]
                assert row["title"] == clean(record["title"])
                assert row["abstract"] == clean(record.get("abstract", ""))
                assert row["authors"] == [clean(a) for a in record.get("authors", []) if clean(a)]
        for fmt in exports.EXPORT_FORMATS:
            exported, second = io.BytesIO(), Store(Path(tmp) / fmt)
            exports.write(fmt, first.read_table(), to_frame(first.read_table()), exported)
            again = import_files(second, [InputFile.from_bytes(f"export.{fmt}", exported.getvalue())], today=TODAY)
            assert not again.rejected and again.counts.added == table.num_rows, fmt
            assert sorted_table(second).equals(table), f"the {fmt} round trip changed the table"
