"""Importers over the real reference data in ../shared (skipped when it is absent),
and over the bundled sample (always).

Expected numbers are computed here with json/xml from the standard library, never
taken from the importer's output.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from lib.errors import InputError
from lib.store.formats import KNOWN_SUFFIXES
from lib.store.importer import read_file, read_inputs
from lib.store.store import input_files, sample_input
from lib.text import title_id

SHARED = Path(__file__).resolve().parents[2] / "shared"
FORMATS_DIR = SHARED / "data" / "formats"
SEED = SHARED / "seeds" / "daily_papers_page_aug12.txt"
TODAY = dt.date(2026, 11, 27)
ATOM_NS = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"
FIRST_TITLE = "ALLoRA: Adaptive Learning Rate Mitigates LoRA Fatal Flaws"

shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"no reference data at {SHARED}")


def read(path: Path, **options):
    (source,) = input_files([str(path)], KNOWN_SUFFIXES)
    options.setdefault("today", TODAY)
    table, report = read_file(source, **options)
    papers = table.to_pylist()
    for paper in papers:
        for name in ("date", "published"):
            if paper[name] is not None:
                paper[name] = paper[name].date()
    return papers, report


def col(papers, name):
    return [p[name] for p in papers]


def without_version(paper_id: str) -> str:
    return re.sub(r"v\d+$", "", paper_id)


# --- the bundled sample: always runs ------------------------------------------------------
def test_bundled_sample_is_63_papers_of_2025_08_12_without_a_year():
    table, report = read_file(sample_input())  # no year, real today: the file name carries the date
    papers = table.to_pylist()
    assert report.format == "daily_page"
    assert len(papers) == 63
    assert {p["date"].date() for p in papers} == {dt.date(2025, 8, 12)}
    assert all(p["listed"] for p in papers)
    assert papers[0]["title"] == FIRST_TITLE
    assert len({p["id"] for p in papers}) == 63
    assert all(p["abstract"] for p in papers)
    assert report.warnings == [] and report.rejected == []


# --- the seed page ------------------------------------------------------------------------
@pytest.mark.shared
@shared
def test_seed_page_with_year():
    papers, report = read(SEED, year=2025)
    assert len(papers) == 63
    assert set(col(papers, "date")) == {dt.date(2025, 8, 12)}
    assert papers[0]["title"] == FIRST_TITLE
    assert papers[0]["id"] == title_id(FIRST_TITLE)
    assert all(col(papers, "abstract")) and all(col(papers, "listed"))
    assert report.warnings == [] and report.rejected == []


@pytest.mark.shared
@shared
def test_seed_page_without_year_warns_once():
    papers, report = read(SEED, today=dt.date(2025, 12, 1))
    assert len(papers) == 63
    assert set(col(papers, "date")) == {dt.date(2025, 8, 12)}
    assert len(report.warnings) == 1 and "--year" in report.warnings[0].message


# --- Hugging Face API responses --------------------------------------------------------------
@pytest.mark.shared
@shared
@pytest.mark.parametrize("name", ["2024-05-27.json", "2025-09-08.json", "2026-08-21.json"])
def test_hf_api_responses(name):
    path = FORMATS_DIR / "hf_daily_papers_api" / name
    items = json.loads(path.read_text(encoding="utf-8"))
    papers, report = read(path)
    assert report.format == "hf_api" and report.rejected == []
    assert len(papers) == len(items)
    assert col(papers, "id") == [item["paper"]["id"] for item in items]
    assert set(col(papers, "date")) == {dt.date.fromisoformat(name.removesuffix(".json"))}
    assert all(col(papers, "listed"))
    assert col(papers, "published") == [dt.date.fromisoformat(i["paper"]["publishedAt"][:10]) for i in items]
    assert col(papers, "upvotes") == [item["paper"].get("upvotes", 0) for item in items]
    assert col(papers, "num_comments") == [item.get("numComments") for item in items]
    assert col(papers, "keywords") == [item["paper"].get("ai_keywords") or [] for item in items]
    assert col(papers, "github_repo") == [item["paper"].get("githubRepo") or None for item in items]
    assert col(papers, "authors") == [[" ".join(a["name"].split()) for a in item["paper"]["authors"]] for item in items]
    assert col(papers, "title") == [" ".join(item["paper"]["title"].split()) for item in items]


# --- arXiv Atom --------------------------------------------------------------------------------
@pytest.mark.shared
@shared
@pytest.mark.parametrize("name", ["query_10_entries.xml", "query_2019_classic.xml"])
def test_arxiv_atom_responses(name):
    path = FORMATS_DIR / "arxiv_atom" / name
    entries = ET.parse(path).getroot().findall(f"{ATOM_NS}entry")  # our own trusted reference file
    assert len(entries) == 10
    papers, report = read(path)
    assert report.format == "arxiv_atom" and report.rejected == []
    assert len(papers) == 10
    ids = [without_version(e.findtext(f"{ATOM_NS}id").split("/abs/", 1)[1]) for e in entries]
    assert col(papers, "id") == ids
    assert not any(re.search(r"v\d+$", i) for i in col(papers, "id"))
    published = [dt.date.fromisoformat(e.findtext(f"{ATOM_NS}published")[:10]) for e in entries]
    assert col(papers, "published") == published
    assert col(papers, "date") == published
    assert not any(col(papers, "listed"))
    primaries = [e.find(f"{ARXIV_NS}primary_category").get("term") for e in entries]
    assert [c[0] for c in col(papers, "categories")] == primaries
    assert col(papers, "title") == [" ".join(e.findtext(f"{ATOM_NS}title").split()) for e in entries]
    assert col(papers, "authors") == [
        [a.findtext(f"{ATOM_NS}name").strip() for a in e.findall(f"{ATOM_NS}author")] for e in entries
    ]


@pytest.mark.shared
@shared
def test_arxiv_atom_error_response():
    path = FORMATS_DIR / "arxiv_atom" / "error_bad_id.xml"
    with pytest.raises(InputError, match="the arXiv API answered with an error: incorrect id format for abc"):
        read(path)


# --- arXiv OAI snapshot ---------------------------------------------------------------------------
@pytest.mark.shared
@shared
def test_arxiv_oai_snapshot_head():
    path = FORMATS_DIR / "arxiv_oai_snapshot" / "head200.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 200
    papers, report = read(path)
    assert report.format == "arxiv_oai" and report.rejected == []
    assert len(papers) == 200
    assert col(papers, "id") == [r["id"] for r in records]
    v1_days = [parsedate_to_datetime(r["versions"][0]["created"]).date() for r in records]
    assert col(papers, "published") == v1_days
    assert col(papers, "date") == v1_days
    assert col(papers, "categories") == [r["categories"].split() for r in records]
    assert col(papers, "title") == [" ".join(r["title"].split()) for r in records]
    assert papers[0]["authors"][0] == "C. Balázs"  # from authors_parsed, not the LaTeX string


# --- a daily arXiv crawler's day ----------------------------------------------------------------------
@pytest.mark.shared
@shared
def test_daily_arxiv_listing():
    path = FORMATS_DIR / "daily_arxiv_listing" / "2025-04-12.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    papers, report = read(path)
    assert report.format == "jsonl" and report.rejected == []
    assert len(papers) == len(records)
    assert len(set(col(papers, "id"))) == len({r["id"] for r in records})
    assert set(col(papers, "date")) == {dt.date(2025, 4, 12)}
    assert all(col(papers, "listed"))
    assert col(papers, "url") == [r["abs"] for r in records]


@pytest.mark.shared
@shared
def test_arxiv_sample_table():
    path = SHARED / "data" / "arxiv_sample2k.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    papers, report = read(path)
    assert report.rejected == []
    assert len(papers) == len(records) == 2000
    assert col(papers, "id") == [r["id"] for r in records]
    assert col(papers, "published") == [dt.date.fromisoformat(r["published"]) for r in records]


@pytest.mark.shared
@shared
def test_formats_directory_fails_whole_on_the_error_feed():
    sources = input_files([str(FORMATS_DIR)], KNOWN_SUFFIXES)
    assert len(sources) == 8
    with pytest.raises(InputError, match="error_bad_id.xml"):
        read_inputs(sources, today=TODAY)
