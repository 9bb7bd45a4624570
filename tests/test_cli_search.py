"""``python -m lib search``: in-process through lib.cli.main and once as a real subprocess.

The order the command prints must be the order lib.search.search gives for the same query,
filters and sort; expected papers are read off tests/search_fixture.py."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from search_fixture import ID, ORDER, PAPERS, newest_first, write_jsonl

from lib.cli import main
from lib.dataset import load
from lib.search import search as search_module
from lib.search.index import SearchIndex
from lib.store.store import Store, input_files

ROOT = Path(__file__).resolve().parent.parent
ALLORA = "ALLoRA: Adaptive Learning Rate Mitigates LoRA Fatal Flaws"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def papers_store(tmp_path_factory) -> Path:
    """A store holding the fixture papers, imported through the real importer."""
    from lib.store.importer import import_files

    tmp = tmp_path_factory.mktemp("cli-search")
    data = tmp / "data"
    import_files(Store(data), input_files([str(write_jsonl(tmp / "papers.jsonl"))], (".jsonl",)))
    return data


@pytest.fixture(scope="module")
def engine(papers_store):
    """The same search, computed directly through lib.search.search (independently of the CLI)."""
    ds = load(Store(papers_store))
    return ds, SearchIndex.build(ds.table)


def expected_ids(engine, query, filters=search_module.Filters(), sort="relevance", limit=20) -> list[str]:
    ds, built = engine
    result = search_module.search(built, ds.search_columns, query, filters, sort)
    return search_module.result_frame(result, ds.table, 0, limit)["id"].tolist()


def json_search(data: Path, *argv: str) -> list[dict]:
    code, out, err = run("search", "--data", str(data), "--json", *argv)
    assert code == 0, err
    return json.loads(out)


# --- the bundled sample on an empty store -----------------------------------------------------------
def test_empty_store_searches_the_sample(tmp_path):
    code, out, err = run("search", "--data", str(tmp_path / "empty"), "LoRA")
    assert code == 0
    lines = out.splitlines()
    assert lines and lines[0].lstrip().startswith("1.") and lines[0].endswith(ALLORA)
    assert re.match(r"\d+ results with every word \+ \d+ related in \d+ ms", err)
    assert not (tmp_path / "empty" / "artifacts").exists()  # the sample is indexed in memory


def test_empty_store_json(tmp_path):
    records = json_search(tmp_path / "empty", "LoRA")
    assert records[0]["title"] == ALLORA and records[0]["rank"] == 1


# --- JSON: the same order as lib.search.search + result_frame -------------------------------------------------
CASES = [
    ("model", []),
    ("model", ["--sort", "newest"]),
    ("model", ["--sort", "oldest"]),
    ("model", ["--sort", "upvotes"]),
    ("agent", []),
    ('"language model"', []),
    ("", []),
    ("", ["--from", "2026-02-09", "--to", "2026-03-09"]),
    ("", ["--min-upvotes", "30", "--sort", "upvotes"]),
    ("model", ["--category", "cs.CL"]),
    ("model", ["--limit", "3"]),
    ("model", ["--from", "2026-03-01", "--min-upvotes", "10", "--category", "cs.CL", "--sort", "newest"]),
    ("robot -language", []),
]


@pytest.mark.parametrize("query, options", CASES, ids=[f"{q or '<empty>'} {' '.join(o)}" for q, o in CASES])
def test_json_order_is_the_search_order(papers_store, engine, query, options):
    import datetime as dt

    def option(name, cast=str, default=None):
        return cast(options[options.index(name) + 1]) if name in options else default

    filters = search_module.Filters(
        option("--from", dt.date.fromisoformat),
        option("--to", dt.date.fromisoformat),
        option("--min-upvotes", int, 0),
        option("--category"),
    )
    expected = expected_ids(engine, query, filters, option("--sort", default="relevance"), option("--limit", int, 20))
    records = json_search(papers_store, query, "--mode", "lexical", *options)  # the engine by words alone
    assert [r["id"] for r in records] == expected
    assert [r["rank"] for r in records] == list(range(1, len(records) + 1))


def test_json_records_carry_the_paper_fields(papers_store):
    records = json_search(papers_store, "model", "--sort", "newest")
    # read off the fixture: the eight "model" papers, newest first
    model = ["tool_agents", "speech", "schrodinger", "ft_vision", "ft_law", "small_fine", "robot_lm", "robot_grasp"]
    assert [r["id"] for r in records] == [ID[k] for k in newest_first(model)]
    first = records[0]
    assert {"id", "title", "date", "score", "rank", "authors", "upvotes", "categories", "url"} <= set(first)
    paper = PAPERS["robot_grasp"]
    assert (first["title"], first["date"], first["upvotes"], first["authors"], first["categories"]) == (
        paper["title"],
        paper["date"],
        paper["upvotes"],
        paper["authors"],
        paper["categories"],
    )
    assert isinstance(first["score"], float) and first["score"] > 0
    speech = next(r for r in records if r["id"] == ID["speech"])
    assert speech["upvotes"] is None


def test_filters_read_off_the_fixture(papers_store):
    ids = [r["id"] for r in json_search(papers_store, "", "--from", "2026-02-09", "--to", "2026-03-09")]
    assert ids == [ID[k] for k in ["ft_law", "ft_vision", "memory", "dense", "schrodinger"]]
    ids = [r["id"] for r in json_search(papers_store, "", "--min-upvotes", "30", "--sort", "upvotes")]
    assert ids == [ID[k] for k in ["protein_a", "schrodinger", "protein_b", "rl_web", "ft_vision"]]
    ids = {r["id"] for r in json_search(papers_store, "", "--category", "cs.RO")}
    assert ids == {ID["robot_lm"], ID["robot_grasp"]}


@pytest.mark.parametrize("limit", [1, 2, 5, 100])
def test_limit_is_respected(papers_store, limit):
    records = json_search(papers_store, "", "--limit", str(limit))
    assert len(records) == min(limit, len(ORDER))
    code, out, _ = run("search", "--data", str(papers_store), "", "--limit", str(limit))
    assert code == 0 and len(out.splitlines()) == min(limit, len(ORDER))


def test_text_output_lines(papers_store):
    code, out, err = run("search", "--data", str(papers_store), "retrieval")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    rank, day, upvotes, score = lines[0].split()[:4]
    assert (rank, day, upvotes) == ("1.", "2026-02-16", "12") and float(score) > 0
    assert lines[0].endswith(f"{ID['dense']:<12} {PAPERS['dense']['title']}")
    assert lines[1].endswith(PAPERS["memory"]["title"])
    assert err.startswith("2 results in ")


def test_text_output_of_a_paper_without_upvotes(papers_store):
    code, out, _ = run("search", "--data", str(papers_store), "speech recognition")
    assert code == 0
    assert out.splitlines()[0].split()[2] == "-"


def test_no_results(papers_store):
    code, out, err = run("search", "--data", str(papers_store), "nothingmatchesthis")
    assert code == 0 and out == "" and err.startswith("0 results")
    assert json_search(papers_store, "nothingmatchesthis") == []


def test_warnings_go_to_stderr(papers_store):
    code, out, err = run("search", "--data", str(papers_store), '"language model')
    assert code == 0 and "warning: Unbalanced quote" in err
    assert len(out.splitlines()) == 2


# --- a pasted arXiv id prints that paper -------------------------------------------------------------------
@pytest.mark.parametrize(
    "pasted",
    [
        "2602.00005",
        "2602.00005v2",
        "arXiv:2602.00005",
        "https://arxiv.org/abs/2602.00005v1",
        "https://huggingface.co/papers/2602.00005",
    ],
)
def test_a_pasted_id_prints_that_paper(papers_store, pasted):
    code, out, err = run("search", "--data", str(papers_store), pasted)
    assert code == 0
    assert out.splitlines() == [out.splitlines()[0]] and out.rstrip().endswith(PAPERS["schrodinger"]["title"])
    assert "the paper with id 2602.00005" in err
    records = json_search(papers_store, pasted)
    assert [r["id"] for r in records] == ["2602.00005"]


def test_a_pasted_id_not_in_the_table(papers_store):
    code, out, err = run("search", "--data", str(papers_store), "2612.99999")
    assert code == 0 and out == "" and "no paper with id 2612.99999" in err
    assert json_search(papers_store, "2612.99999") == []


# --- bad input: exit 2, one line on stderr, no traceback ---------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["--sort", "best"],
        ["--from", "2026-13-01"],
        ["--to", "yesterday"],
        ["--limit", "many"],
        ["--min-upvotes", "-"],
    ],
)
def test_bad_options_exit_2_with_one_line(papers_store, capsys, argv):
    with pytest.raises(SystemExit) as exc:  # argparse rejects the command line before main's handler
        main(["search", "--data", str(papers_store), "agent", *argv], out=io.StringIO(), err=io.StringIO())
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv", [["--limit", "0"], ["--min-upvotes", "-3"]])
def test_bad_values_exit_2_with_one_line(papers_store, argv):
    code, out, err = run("search", "--data", str(papers_store), "agent", *argv)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: ")


# --- a real process ----------------------------------------------------------------------------------------------
def _sub(data: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAPERS_DATA": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "lib", "search", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_subprocess_on_an_empty_store(tmp_path):
    done = _sub(tmp_path / "empty", "LoRA", "--json", "--limit", "3")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert records[0]["title"] == ALLORA and len(records) <= 3
    bad = _sub(tmp_path / "empty", "LoRA", "--sort", "best")
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.splitlines()) == 1 and "Traceback" not in bad.stderr
    bad = _sub(tmp_path / "empty", "LoRA", "--from", "2026-02-30")
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1 and "Traceback" not in bad.stderr
