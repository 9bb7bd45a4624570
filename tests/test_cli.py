"""``python -m lib import|info|export``: in-process through lib.cli.main and as a real
subprocess.  Bad input is one line on stderr with exit code 2, and the store is
byte-identical after every failed import."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lib.cli import main
from lib.store.store import LEGACY_TABLE_FILE, Store

ROOT = Path(__file__).resolve().parent.parent

GOOD = [
    {
        "id": "2508.01001",
        "title": "Sparse Routers for Mixture Models",
        "abstract": "Routing, sparsely.",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "date": "2025-08-11",
        "upvotes": 14,
        "categories": ["cs.LG", "cs.AI"],
        "keywords": ["mixture of experts", "routing"],
        "github_repo": "https://github.com/ada/routers",
    },
    {
        "id": "2508.01002",
        "title": 'Long Context, "Short" Memory',
        "abstract": "Quotes, commas; and more.",
        "authors": ["Grace Hopper"],
        "date": "2025-08-12",
        "num_comments": 3,
        "categories": ["cs.CL"],
    },
    {
        "title": "A Paper Without an arXiv Id",
        "abstract": "",
        "authors": [],
        "date": "2025-08-12",
        "url": "https://example.org/paper",
    },
]
# an unlisted paper: only its publication day is known
FALLBACK = {
    "id": "2508.01004",
    "title": "Published Only",
    "published": "2025-08-05",
    "authors": ["Émile Zola"],
    "upvotes": 0,
}


def jsonl_text(records: list) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def run(*argv: str) -> tuple[int, str, str]:
    """lib.cli.main in-process; argparse's own errors exit through SystemExit."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def run_sub(*argv: str, data: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAPERS_DATA": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "lib", *argv], cwd=ROOT, env=env, input=stdin, capture_output=True, timeout=60
    )


def snapshot(data: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the data directory (bytes and mtime), the lock file aside."""
    return {
        str(p.relative_to(data)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(data.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture
def data(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def good_file(tmp_path) -> Path:
    return write(tmp_path / "in" / "good.jsonl", jsonl_text(GOOD))


@pytest.fixture
def filled(data, good_file) -> Path:
    code, _, _ = run("import", "--data", str(data), str(good_file))
    assert code == 0
    return data


# --- import -----------------------------------------------------------------------------
def test_import_prints_file_lines_rejections_and_summary(data, tmp_path):
    lines = [
        GOOD[0],
        "{not json",
        GOOD[1],
        {"abstract": "no title here", "date": "2025-08-12"},
        {"title": "Bad day", "date": "2025-02-30"},
        GOOD[2],
    ]
    path = write(tmp_path / "mixed.jsonl", jsonl_text(lines))
    code, out, err = run("import", "--data", str(data), str(path))
    assert code == 0, err
    rows = out.splitlines()
    assert rows[0] == f"{path}: jsonl, 3 papers, 3 rejected"
    rejected = [r for r in rows if r.startswith("  rejected: ")]
    prefix = f"  rejected: {path} "
    assert all(r.startswith(prefix) for r in rejected)
    assert [r[len(prefix) :].split(":")[0] for r in rejected] == ["line 2", "line 4", "line 5"]
    assert "no title" in rejected[1] and "2025-02-30" in rejected[2]
    assert rows[-1].startswith(
        "added 3, updated 0, unchanged 0, rejected 3; duplicates folded 0; store written as version 1-"
    )
    assert rows[-1].endswith(f"({data.resolve()})")
    assert Store(data).read_table()["id"].to_pylist()[:2] == ["2508.01001", "2508.01002"]

    code, out, _ = run("import", "--data", str(data), str(path))
    assert code == 0
    assert out.splitlines()[-1] == (
        f"added 0, updated 0, unchanged 3, rejected 3; duplicates folded 0; store unchanged ({data.resolve()})"
    )


def test_long_rejection_lists_are_cut(data, tmp_path):
    lines = [GOOD[0]] + [{"title": f"No day {i}"} for i in range(25)]
    path = write(tmp_path / "many.jsonl", jsonl_text(lines))
    code, out, _ = run("import", "--data", str(data), str(path))
    assert code == 0
    rejected = [r for r in out.splitlines() if r.startswith("  rejected: ")]
    assert len(rejected) == 20
    assert rejected[0].startswith(f"  rejected: {path} line 2: ") and rejected[-1].startswith(
        f"  rejected: {path} line 21: "
    )
    assert "  ... and 5 more rejected records" in out.splitlines()
    assert out.splitlines()[-1].startswith("added 1, updated 0, unchanged 0, rejected 25;")


def test_import_two_files_and_a_directory(data, tmp_path):
    first = write(tmp_path / "d" / "b.jsonl", jsonl_text(GOOD[:2]))
    second = write(tmp_path / "d" / "sub" / "a.jsonl", jsonl_text([GOOD[2], FALLBACK, GOOD[0]]))
    write(tmp_path / "d" / "README.md", "not an input")
    code, out, err = run("import", "--data", str(data), str(tmp_path / "d"))
    assert code == 0, err
    rows = out.splitlines()
    assert rows[:2] == [f"{first}: jsonl, 2 papers, 0 rejected", f"{second}: jsonl, 3 papers, 0 rejected"]
    assert rows[-1].startswith("added 4, updated 0, unchanged 0, rejected 0; duplicates folded 1; ")


def test_date_option_sets_the_listing_day(data, tmp_path):
    undated = [{"id": "2508.02001", "title": "Undated one"}, {"id": "2508.02002", "title": "Undated two"}]
    path = write(tmp_path / "undated.jsonl", jsonl_text(undated))
    code, _, err = run("import", "--data", str(data), "--date", "2025-09-01", str(path))
    assert code == 0, err
    table = Store(data).read_table()
    assert {d.isoformat() for d in table["date"].to_pylist()} == {"2025-09-01T00:00:00"}
    assert table["listed"].to_pylist() == [True, True]


def test_dry_run_writes_nothing(data, good_file, filled, tmp_path):
    before = snapshot(filled)
    more = write(tmp_path / "more.jsonl", jsonl_text([FALLBACK, {**GOOD[0], "upvotes": 99}]))
    code, out, _ = run("import", "--data", str(filled), "--dry-run", str(more))
    assert code == 0
    assert out.splitlines()[-1].startswith(
        "added 1, updated 1, unchanged 0, rejected 0; duplicates folded 0; store would be ("
    )
    assert snapshot(filled) == before

    empty = data.parent / "never"
    code, out, _ = run("import", "--data", str(empty), "--dry-run", str(good_file))
    assert code == 0 and "added 3," in out
    assert not Store(empty).exists() and not empty.exists()


# --- info ----------------------------------------------------------------------------------
def test_info_on_an_empty_store_reports_the_sample(data):
    code, out, _ = run("info", "--data", str(data), "--json")
    assert code == 0
    info = json.loads(out)
    assert info == {
        "data_dir": str(data.resolve()),
        "sample": True,
        "version": "sample",
        "papers": 1953,
        "days": 130,
        "first_day": "2025-03-03",
        "last_day": "2025-08-29",
        "sources": {"hf": 1953},
    }
    code, out, _ = run("info", "--data", str(data))
    assert code == 0
    assert "is empty: showing the bundled demo" in out
    assert "papers:  1,953\n" in out and "version: sample\n" in out
    assert not data.exists()


def test_info_on_a_filled_store(filled, tmp_path):
    more = write(tmp_path / "more.jsonl", jsonl_text([FALLBACK]))
    assert run("import", "--data", str(filled), str(more))[0] == 0
    _, out, _ = run("info", "--data", str(filled), "--json")
    info = json.loads(out)
    assert info["sample"] is False and info["version"] == Store(filled).version()
    assert info["papers"] == 4
    # days: 2025-08-11, 2025-08-12 (GOOD) and FALLBACK's publication day 2025-08-05
    assert (info["days"], info["first_day"], info["last_day"]) == (3, "2025-08-05", "2025-08-12")
    # rows with arXiv categories are arXiv's; the others are their file's
    assert info["sources"] == {"arxiv": 2, "file:good.jsonl": 1, "file:more.jsonl": 1}
    _, out, _ = run("info", "--data", str(filled))
    assert "papers:  4\n" in out and "days:    3 (2025-08-05 .. 2025-08-12)\n" in out
    assert (
        "sources: arXiv (--src arxiv) 2; your file good.jsonl (--src file:good.jsonl) 1; "
        "your file more.jsonl (--src file:more.jsonl) 1\n"
    ) in out and f"version: {info['version']}\n" in out


# --- export and re-import -------------------------------------------------------------------
@pytest.fixture
def rich(data, tmp_path) -> Path:
    """A store fed by two formats (so the source column varies), with every kind of value."""
    write(tmp_path / "src" / "t.jsonl", jsonl_text(GOOD + [FALLBACK]))
    atom = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <entry>
    <id>http://arxiv.org/abs/2508.03003v2</id>
    <published>2025-08-07T17:59:59Z</published>
    <title>Atom  Paper:
      On Feeds</title>
    <summary>  An abstract
      over lines. </summary>
    <author><name>Kurt Gödel</name></author><author><name>Emmy Noether</name></author>
    <arxiv:primary_category term="math.LO"/>
    <category term="cs.LO"/><category term="math.LO"/>
  </entry>
</feed>"""
    write(tmp_path / "src" / "feed.xml", atom)
    code, _, err = run(
        "import", "--data", str(data), str(tmp_path / "src" / "t.jsonl"), str(tmp_path / "src" / "feed.xml")
    )
    assert code == 0, err
    table = Store(data).read_table()
    assert sorted(map(tuple, table["sources"].to_pylist())) == [("arxiv",)] * 3 + [("file:t.jsonl",)] * 2
    return data


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "csv"])
def test_export_then_reimport_gives_an_identical_table(rich, tmp_path, fmt):
    target = tmp_path / f"export.{fmt}"
    code, out, err = run("export", "--data", str(rich), "--format", fmt, "--out", str(target))
    assert code == 0 and out == ""
    assert err == f"wrote 5 papers to {target}\n"
    fresh = tmp_path / f"fresh-{fmt}"
    code, out, err = run("import", "--data", str(fresh), str(target))
    assert code == 0, err
    assert out.splitlines()[0] == f"{target}: {fmt}, 5 papers, 0 rejected"
    original, again = Store(rich).read_table(), Store(fresh).read_table()
    assert again.equals(original), [c for c in original.column_names if not again[c].equals(original[c])]


def test_export_of_an_empty_store_is_the_sample(data, tmp_path):
    target = tmp_path / "sample.jsonl"
    code, _, err = run("export", "--data", str(data), "--format", "jsonl", "--out", str(target))
    assert code == 0
    assert err.splitlines() == [
        "note: the store is empty; exporting the bundled demo",
        f"wrote 1,953 papers to {target}",
    ]
    assert len(target.read_text().splitlines()) == 1953
    assert not data.exists()


def test_csv_export_neutralises_formula_cells(data, tmp_path):
    risky = [
        {
            "id": "2508.04001",
            "title": '=HYPERLINK("http://evil.example","click")',
            "date": "2025-08-12",
            "abstract": "-1 is negative",
            "authors": ["@mention"],
        },
        {"id": "2508.04002", "title": "+SUM(A1:A9)", "date": "2025-08-12", "keywords": ["=cmd"]},
        {"id": "2508.04003", "title": "Plain title = fine", "date": "2025-08-12", "abstract": "a - b"},
    ]
    source = write(tmp_path / "risky.jsonl", jsonl_text(risky))
    assert run("import", "--data", str(data), str(source))[0] == 0
    target = tmp_path / "out.csv"
    assert run("export", "--data", str(data), "--format", "csv", "--out", str(target))[0] == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["title"] for r in rows] == ["'" + risky[0]["title"], "'" + risky[1]["title"], risky[2]["title"]]
    assert rows[0]["abstract"] == "'-1 is negative" and rows[0]["authors"] == "'@mention"
    assert rows[1]["keywords"] == "'=cmd"
    assert rows[2]["abstract"] == "a - b"
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
    # JSON Lines keeps the data as it is
    target = tmp_path / "out.jsonl"
    assert run("export", "--data", str(data), "--format", "jsonl", "--out", str(target))[0] == 0
    titles = [json.loads(line)["title"] for line in target.read_text(encoding="utf-8").splitlines()]
    assert titles == [r["title"] for r in risky]


# --- bad input: one line on stderr, exit code 2, the store untouched -------------------------
def _bad_inputs(tmp: Path) -> dict[str, list[str]]:
    error_feed = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: search_query=&amp;id_list=abc</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <entry>
    <id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id>
    <title>Error</title>
    <summary>incorrect id format for abc</summary>
    <updated>2025-08-12T00:00:00-04:00</updated>
    <link href="https://arxiv.org/api/errors#incorrect_id_format_for_abc" rel="alternate" type="text/html"/>
    <author><name>arXiv api core</name></author>
  </entry>
</feed>
"""
    good = write(tmp / "ok.jsonl", jsonl_text([{**GOOD[0], "upvotes": 500}, FALLBACK]))
    empty_dir = tmp / "nothing_here"
    write(empty_dir / "notes.md", "# not an input")
    write(empty_dir / ".hidden.jsonl", jsonl_text(GOOD))
    all_rejected = write(tmp / "broken.jsonl", jsonl_text([{"abstract": "no title"}, {"title": "no day"}]))
    garbage_gz = write(tmp / "papers.jsonl.gz", b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    truncated_gz = write(tmp / "cut.jsonl.gz", gzip.compress(jsonl_text(GOOD * 50).encode())[:200])
    return {
        "missing file": ["import", str(tmp / "nope.jsonl")],
        "unknown format": ["import", "--format", "xml", str(good)],
        "bad date": ["import", "--date", "2025-02-30", str(good)],
        "bad date text": ["import", "--date", "yesterday", str(good)],
        "bad year": ["import", "--year", "abc", str(good)],
        "year out of range": ["import", "--year", "1900", str(good)],
        "arxiv error feed": ["import", str(write(tmp / "error.xml", error_feed))],
        "no importable files": ["import", str(empty_dir)],
        "garbage gz": ["import", str(garbage_gz)],
        "truncated gz": ["import", str(truncated_gz)],
        "every record rejected": ["import", str(all_rejected)],
        "good file then bad file": ["import", str(good), str(garbage_gz)],
        "export format": ["export", "--format", "xlsx"],
        "no command": [],
    }


EXPECTED_MESSAGE = {
    "missing file": "no such file or directory",
    "unknown format": "invalid choice: 'xml'",
    "bad date": "not a day (YYYY-MM-DD): '2025-02-30'",
    "bad date text": "not a day",
    "bad year": "not a year between 1991 and 2100: 'abc'",
    "year out of range": "'1900'",
    "arxiv error feed": "the arXiv API answered with an error: incorrect id format for abc",
    "no importable files": "no input files",
    "garbage gz": "truncated or corrupt gzip",
    "truncated gz": "truncated or corrupt gzip",
    "every record rejected": "no papers could be read (2 rejected; first: line 1: no title)",
    "good file then bad file": "truncated or corrupt gzip",
    "export format": "invalid choice: 'xlsx'",
    "no command": "the following arguments are required",
}
BAD = list(EXPECTED_MESSAGE)


@pytest.mark.parametrize("case", BAD)
def test_bad_input_in_process(filled, tmp_path, capsys, case):
    argv = _bad_inputs(tmp_path)[case]
    if argv:
        argv = [argv[0], "--data", str(filled), *argv[1:]]
    before = snapshot(filled)
    capsys.readouterr()
    try:
        code, out, err = run(*argv)
    except SystemExit as exc:  # argparse rejects the command line before main's handler
        code, out, err = exc.code, "", ""
    captured = capsys.readouterr()
    err += captured.err
    assert code == 2
    assert len(err.splitlines()) == 1 and err.endswith("\n"), err
    assert EXPECTED_MESSAGE[case] in err
    assert "Traceback" not in err + out + captured.out
    assert snapshot(filled) == before
    assert not [p for p in filled.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "case", ["missing file", "bad date", "arxiv error feed", "no importable files", "good file then bad file"]
)
def test_bad_input_subprocess(filled, tmp_path, case):
    argv = _bad_inputs(tmp_path)[case]
    before = snapshot(filled)
    result = run_sub(*argv, data=filled)
    err = result.stderr.decode()
    assert result.returncode == 2
    assert len(err.splitlines()) == 1, err
    assert EXPECTED_MESSAGE[case] in err and "Traceback" not in err
    assert result.stdout == b""
    assert snapshot(filled) == before


def test_unreadable_store_is_one_line_and_left_alone(data, good_file):
    data.mkdir()
    garbage = b"PAR1" + b"\x00" * 64 + b"PAR1"
    (data / LEGACY_TABLE_FILE).write_bytes(garbage)  # a damaged store of the one-file layout
    for argv in (["info"], ["import", str(good_file)], ["export", "--format", "csv"]):
        code, out, err = run(argv[0], "--data", str(data), *argv[1:])
        assert code == 2 and out == ""
        assert len(err.splitlines()) == 1 and "unreadable store" in err, err
    assert (data / LEGACY_TABLE_FILE).read_bytes() == garbage


# --- as a real program -----------------------------------------------------------------------
def test_subprocess_import_info_export(data, tmp_path, good_file):
    result = run_sub("info", "--json", data=data)
    assert result.returncode == 0
    info = json.loads(result.stdout)
    assert (info["sample"], info["version"], info["papers"]) == (True, "sample", 1953)

    result = run_sub("import", str(good_file), data=data)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0] == f"{good_file}: jsonl, 3 papers, 0 rejected"
    assert lines[-1].startswith("added 3, updated 0, unchanged 0, rejected 0;")
    assert "Traceback" not in result.stderr.decode()

    result = run_sub("info", "--json", data=data)
    info = json.loads(result.stdout)
    assert (info["sample"], info["papers"], info["data_dir"]) == (False, 3, str(data.resolve()))
    assert info["version"] == Store(data).version()

    # export to standard output, then read it back into a fresh store
    result = run_sub("export", "--format", "jsonl", data=data)
    assert result.returncode == 0 and result.stderr == b""
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["title"] for r in records] == [r["title"] for r in GOOD]
    exported = write(tmp_path / "stdout.jsonl", result.stdout)
    assert run("import", "--data", str(tmp_path / "fresh"), str(exported))[0] == 0
    assert Store(tmp_path / "fresh").read_table().equals(Store(data).read_table())

    result = run_sub("export", "--format", "parquet", data=data)
    assert result.returncode == 0 and result.stdout.startswith(b"PAR1")
    assert pq.read_table(pa.BufferReader(result.stdout)).num_rows == 3


def test_data_directory_from_option_or_environment(tmp_path, good_file, monkeypatch):
    env_dir, explicit = tmp_path / "env", tmp_path / "explicit"
    monkeypatch.setenv("PAPERS_DATA", str(env_dir))
    assert run("import", "--data", str(explicit), str(good_file))[0] == 0
    assert Store(explicit).exists() and not env_dir.exists()
    code, out, _ = run("import", str(good_file))
    assert code == 0 and out.rstrip().endswith(f"({env_dir.resolve()})")
    assert Store(env_dir).exists()


def test_the_papers_console_script_is_python_m_lib(tmp_path, good_file):
    """``papers`` (pyproject's console script; requirements.txt installs the project) is the
    same program as ``python -m lib``, from any directory."""
    papers = shutil.which("papers", path=str(Path(sys.executable).parent))
    assert papers, "the project is not installed: pip install -r requirements-dev.txt (requirements.txt holds -e .)"
    data = tmp_path / "data"
    assert run("import", "--data", str(data), str(good_file))[0] == 0
    env = {k: v for k, v in os.environ.items() if k != "PAPERS_DATA"}
    for argv in (
        ["--help"],
        ["import", "--help"],
        ["info", "--data", str(data)],
        ["info", "--json", "--data", str(data)],
    ):
        script = subprocess.run([papers, *argv], cwd=tmp_path, env=env, capture_output=True, timeout=60)
        module = subprocess.run(
            [sys.executable, "-m", "lib", *argv], cwd=ROOT, env=env, capture_output=True, timeout=60
        )
        assert script.returncode == module.returncode == 0, script.stderr
        assert (script.stdout, script.stderr) == (module.stdout, module.stderr)
    assert json.loads(script.stdout)["papers"] == 3  # the last run: info --json
