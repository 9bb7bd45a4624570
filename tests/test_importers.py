"""Importers over small handwritten fixtures (tests/fixtures/), one per upstream shape.

Every expected value below is read off the fixture by hand and the rules in
lib/store/schema.py and lib/store/formats/*.py docstrings; none is copied from the code's output.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lib.errors import InputError
from lib.store.formats import FORMATS, KNOWN_SUFFIXES, detect_format
from lib.store.importer import read_file, read_inputs
from lib.store.schema import COLUMNS
from lib.store.store import InputFile, input_files
from lib.text import arxiv_id, collapse_ws, md_escape, title_id

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 27)
D = dt.date

PAGE = "daily_page/daily_page_aug12.txt"
PAGE_CRLF = "daily_page/daily_page_two_days_crlf.txt"
HF_2024 = "hf_api/hf_2024_schema.json"
HF_2025 = "hf_api/2025-09-08.json"
HF_2026 = "hf_api/hf_2026_schema.json"
ATOM = "arxiv_atom/query_three_entries.xml"
ATOM_ERROR = "arxiv_atom/error_feed.xml"
OAI = "arxiv_oai/snapshot_sample.jsonl"
CSV = "tables/papers_aliases.csv"
TSV = "tables/papers.tsv"
JSON_RECORDS = "tables/records.json"
CRAWLER = "tables/2025-04-12.jsonl"

PAGE_TITLES = [
    "Lantern Routing: Sparse Experts That Know When to Stay Dark",
    r"$\mathcal{O}(n)$ Attention for <Tables>: Linear-Time Retrieval over **Spreadsheets**",
    "Café Ünïcode: Accent-Robust Tokenizers for Multilingual Speech",  # three spaces in the file
    "Tiny Critics, Big Gains: Verifier Distillation for Math Reasoning",
]
# A paragraph long enough to read as an abstract wherever a test page needs one.
ABSTRACT = ("We study a problem that matters. " * 12).strip()


# --- helpers ------------------------------------------------------------------------
def fixture(rel: str) -> InputFile:
    """A fixture as the CLI sees it: a real file on disk."""
    (found,) = input_files([str(FIXTURES / rel)], KNOWN_SUFFIXES)
    return found


def rows(table: pa.Table) -> list[dict]:
    """Table rows with days as ``date`` (the store holds them as timestamp[s])."""
    out = table.to_pylist()
    for row in out:
        for name in ("date", "published", "hf_day"):
            if row[name] is not None:
                assert row[name].time() == dt.time(0), "days carry no time of day"
                row[name] = row[name].date()
    return out


def read(source: str | InputFile, **options) -> tuple[list[dict], object]:
    options.setdefault("today", TODAY)
    table, report = read_file(fixture(source) if isinstance(source, str) else source, **options)
    assert table.schema.names == COLUMNS
    return rows(table), report


def read_bytes(name: str, data: bytes, **options) -> tuple[list[dict], object]:
    return read(InputFile.from_bytes(name, data), **options)


def col(papers: list[dict], name: str) -> list:
    return [p[name] for p in papers]


def problems(found) -> list[tuple[str, str]]:
    return [(p.where, p.message) for p in found]


def page_bytes(*paragraphs: str, newline: str = "\n") -> bytes:
    return newline.join(f"{p}{newline}" for p in paragraphs).encode("utf-8")


# --- detection ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "rel, expected",
    [
        (PAGE, "daily_page"),
        (PAGE_CRLF, "daily_page"),
        (HF_2024, "hf_api"),
        (HF_2025, "hf_api"),
        (HF_2026, "hf_api"),
        (ATOM, "arxiv_atom"),
        (ATOM_ERROR, "arxiv_atom"),
        ("arxiv_atom/billion_laughs.xml", "arxiv_atom"),
        ("arxiv_atom/external_entity.xml", "arxiv_atom"),
        (OAI, "arxiv_oai"),
        (CSV, "csv"),
        (TSV, "csv"),
        (JSON_RECORDS, "json"),
        (CRAWLER, "jsonl"),
    ],
)
def test_detect_format_of_fixtures(rel, expected):
    assert detect_format((FIXTURES / rel).read_bytes()[:65536]) == expected


@pytest.mark.parametrize(
    "head, expected",
    [
        (b"PAR1\x15\x04", "parquet"),
        (codecs.BOM_UTF8 + b'[{"paper": {"id": "2509.00001"}}]', "hf_api"),
        ("Daily Papers\n\nAug 12\n\nA title\n".encode("utf-16"), "daily_page"),
        (codecs.BOM_UTF16_BE + "Daily Papers\n\nAug 12\n\nA title\n".encode("utf-16-be"), "daily_page"),
        (b'  \n[{"title": "x", "paper": "not an object"}]', "json"),
        (b'{"papers": [\n{"title": "x"}\n]}', "json"),  # one document over several lines
        (b'{"title": "x", "date": "2025-01-01"}\n', "jsonl"),
        (b'{"papers": [{"title": "x"}], "count": 1}\n', "json"),  # one document on one line
        (b'{"error": "Invalid date"}', "hf_api"),  # the HF API's error answer
        (b'{"title": "x", "error": "none", "data": []}\n', "jsonl"),
        (b'{"id": "0704.0001", "authors": "A. One", "versions": []}\n', "arxiv_oai"),
        (b"\r\n\r\ntitle;abstract\nNot a table\n", "daily_page"),  # no comma/tab header
        (b"<?xml version='1.0'?><feed/>", "arxiv_atom"),
        # the first 64 KiB may end inside a character: the BOM still gives the byte order
        (
            (codecs.BOM_UTF16_BE + '[{"paper": {"id": "2509.00001"}, "title": "\U0001f600'.encode("utf-16-be"))[:-2],
            "hf_api",
        ),
        (
            (codecs.BOM_UTF16_LE + '[{"paper": {"id": "2509.00001"}, "title": "\U0001f600'.encode("utf-16-le"))[:-2],
            "hf_api",
        ),
        ('[{"title": "\U0001f600'.encode()[:-1], "json"),
    ],
)
def test_detect_format_of_heads(head, expected):
    assert detect_format(head) == expected


@pytest.mark.parametrize("head", [b"", b" \r\n\t\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n\n"])
def test_detect_format_empty_is_an_input_error(head):
    with pytest.raises(InputError, match="empty"):
        detect_format(head)


def test_detect_format_binary_is_an_input_error():
    with pytest.raises(InputError, match="binary"):
        detect_format(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


# --- daily_page ---------------------------------------------------------------------
def test_daily_page_with_year():
    papers, report = read(PAGE, year=2025)
    assert report.format == "daily_page"
    assert report.papers == 4
    assert col(papers, "title") == PAGE_TITLES
    assert col(papers, "id") == [title_id(t) for t in PAGE_TITLES]
    assert col(papers, "date") == [D(2025, 8, 12)] * 4
    assert col(papers, "listed") == [True] * 4
    assert col(papers, "published") == [None] * 4
    assert col(papers, "sources") == [["hf"]] * 4
    assert col(papers, "upvotes") == [None] * 4
    assert col(papers, "num_comments") == [None] * 4
    assert col(papers, "url") == [""] * 4
    assert col(papers, "github_repo") == [None] * 4
    assert all(p["authors"] == p["categories"] == p["keywords"] == [] for p in papers)
    # a short abstract made of sentences is still an abstract
    assert papers[1]["abstract"] == (
        "Spreadsheets are everywhere but language models read them poorly. "
        "We compress each table into row sketches and retrieve them in linear time."
    )
    assert papers[0]["abstract"].startswith("Mixture-of-experts language models send every token")
    assert papers[3]["abstract"].endswith("at a twentieth of the cost.")
    assert report.warnings == [] and report.rejected == []


@pytest.mark.parametrize(
    "today, expected",
    [
        (D(2026, 11, 27), D(2026, 8, 12)),  # this year's Aug 12 has passed
        (D(2026, 8, 12), D(2026, 8, 12)),  # today itself is not the future
        (D(2026, 8, 1), D(2025, 8, 12)),  # this year's is still ahead: last year's
        (D(2026, 1, 3), D(2025, 8, 12)),
    ],
)
def test_daily_page_year_inferred_with_a_warning(today, expected):
    papers, report = read(PAGE, today=today)
    assert col(papers, "date") == [expected] * 4
    line = (FIXTURES / PAGE).read_text().splitlines().index("Aug 12") + 1
    (warning,) = report.warnings
    assert warning.where == f"line {line}"
    assert "Aug 12" in warning.message and expected.isoformat() in warning.message
    assert "--year" in warning.message
    assert str(warning).startswith(str(FIXTURES / PAGE))


def test_daily_page_year_from_the_file_name_needs_no_warning():
    data = (FIXTURES / PAGE).read_bytes()
    papers, report = read_bytes("daily_papers_2024-08-12.txt", data, today=D(2026, 1, 1))
    assert col(papers, "date") == [D(2024, 8, 12)] * 4
    assert report.warnings == []


def test_daily_page_year_option_beats_the_file_name():
    data = (FIXTURES / PAGE).read_bytes()
    papers, report = read_bytes("daily_papers_2024-08-12.txt", data, year=2023)
    assert col(papers, "date") == [D(2023, 8, 12)] * 4
    assert report.warnings == []


def test_daily_page_crlf_two_days_and_a_title_without_abstract():
    raw = (FIXTURES / PAGE_CRLF).read_bytes()
    assert b"\r\n" in raw and b"   \r\n" in raw, "the fixture must keep its CRLF endings and trailing spaces"
    papers, report = read(PAGE_CRLF)  # both date lines carry their year: no --year, no warning about it
    assert col(papers, "title") == [
        "Orbit Maps: Self-Supervised Layouts for Satellite Imagery",
        "Quiet Gradients: Noise-Free Federated Fine-Tuning",
        "Benchmarks Without Borders: A Survey of Multilingual Evaluation",
        "Paper Lanes: Streaming Document Parsing on Commodity GPUs",
    ]
    assert col(papers, "date") == [D(2025, 8, 11), D(2025, 8, 11), D(2025, 8, 12), D(2025, 8, 12)]
    assert col(papers, "listed") == [True] * 4
    assert papers[2]["abstract"] == ""
    assert papers[0]["abstract"] == (
        "Satellite images arrive without the labels that layout models need, and hand annotation of "
        "roads and buildings is slow. We train a self-supervised encoder that predicts the relative "
        "position of image patches across seasons, then fine-tune it on 2% of the labelled tiles. "
        "Orbit Maps outperforms supervised baselines on three mapping benchmarks while using a "
        "fraction of the annotations."
    )
    assert all("\r" not in p["abstract"] and "\r" not in p["title"] for p in papers)
    lines = raw.decode().split("\r\n")
    no_abstract = lines.index("Benchmarks Without Borders: A Survey of Multilingual Evaluation") + 1
    (warning,) = report.warnings  # the message quotes the title's first 60 characters
    assert warning.where == f"line {no_abstract}"
    assert warning.message == (
        "title without an abstract: 'Benchmarks Without Borders: A Survey of Multilingual Evaluat'"
    )
    assert report.rejected == []


def test_daily_page_date_option_dates_a_page_without_date_lines():
    data = page_bytes("Daily Papers", "A Page Pasted Without Its Date", ABSTRACT, "A Second Paper", ABSTRACT)
    papers, report = read_bytes("pasted.txt", data, date=D(2025, 3, 4))
    assert col(papers, "date") == [D(2025, 3, 4)] * 2
    assert col(papers, "listed") == [True, True]
    assert report.warnings == report.rejected == []


def test_daily_page_without_any_date_is_refused_with_the_reason():
    data = page_bytes("Daily Papers", "A Page Pasted Without Its Date", ABSTRACT)
    with pytest.raises(InputError) as caught:
        read_bytes("pasted.txt", data)
    message = str(caught.value)
    assert message.startswith("pasted.txt: no papers could be read (1 rejected")
    assert "line 3" in message and "before any date line" in message


def test_daily_page_invalid_date_rejects_its_papers_not_the_file():
    data = page_bytes(
        "Aug 12, 2025", "A Good Paper", ABSTRACT, "Feb 30, 2025", "A Paper on a Day That Never Was", ABSTRACT
    )
    # lines: 1 Aug 12, 3 title, 5 abstract, 7 Feb 30, 9 title, 11 abstract
    papers, report = read_bytes("two_days.txt", data)
    assert col(papers, "title") == ["A Good Paper"]
    assert problems(report.rejected) == [
        ("line 7", "invalid date 'Feb 30, 2025'"),
        ("line 9", "listed under the invalid date 'Feb 30, 2025'"),
    ]
    assert str(report.rejected[0]) == "two_days.txt line 7: invalid date 'Feb 30, 2025'"


@pytest.mark.parametrize("date_line", ["Feb 30", "2025-02-30", "Apr 31", "Sep 0"])
def test_daily_page_impossible_days_without_year_are_rejected(date_line):
    data = page_bytes("Aug 12, 2025", "A Good Paper", ABSTRACT, date_line, "Orphan Paper", ABSTRACT)
    papers, report = read_bytes("page.txt", data)
    assert col(papers, "title") == ["A Good Paper"]
    assert [p.where for p in report.rejected] == ["line 7", "line 9"]
    assert date_line in report.rejected[0].message


def test_daily_page_feb_29_without_year_is_the_last_leap_day():
    data = page_bytes("Feb 29", "A Leap-Day Paper", ABSTRACT)
    papers, report = read_bytes("page.txt", data, today=D(2026, 3, 1))
    assert col(papers, "date") == [D(2024, 2, 29)]
    assert len(report.warnings) == 1 and "2024-02-29" in report.warnings[0].message


@pytest.mark.parametrize(
    "date_line, expected",
    [
        ("Aug 12, 2025", D(2025, 8, 12)),
        ("August 12, 2025", D(2025, 8, 12)),
        ("August 12 2025", D(2025, 8, 12)),
        ("Aug. 12", D(2025, 8, 12)),
        ("12 Aug 2025", D(2025, 8, 12)),
        ("2025-08-12", D(2025, 8, 12)),
        ("Sept 3", D(2025, 9, 3)),
    ],
)
def test_daily_page_date_line_spellings(date_line, expected):
    papers, _ = read_bytes("page.txt", page_bytes(date_line, "Some Title", ABSTRACT), year=2025)
    assert col(papers, "date") == [expected]


def test_daily_page_abstract_without_title_is_rejected():
    data = page_bytes("Aug 12, 2025", ABSTRACT, "A Real Title", ABSTRACT)
    papers, report = read_bytes("page.txt", data)
    assert col(papers, "title") == ["A Real Title"]
    assert problems(report.rejected) == [("line 3", "abstract without a title before it")]


def test_daily_page_title_wrapped_over_two_lines():
    data = b"Aug 12, 2025\n\nA Title That the Browser\nWrapped in Two\n\n" + ABSTRACT.encode() + b"\n"
    papers, _ = read_bytes("page.txt", data)
    assert col(papers, "title") == ["A Title That the Browser Wrapped in Two"]
    assert col(papers, "abstract") == [ABSTRACT]


# --- hf_api -------------------------------------------------------------------------
def test_hf_api_2024_schema():
    papers, report = read(HF_2024)
    assert report.format == "hf_api" and report.rejected == [] and report.warnings == []
    assert col(papers, "id") == ["2405.17001", "2405.17002", "2405.17003"]
    assert col(papers, "title") == [
        "Patchwork Priors for Few-Shot Segmentation",
        "Wordless Rewards: Preference Learning from Gaze",
        "A Lattice of Small Models",
    ]
    assert papers[0]["abstract"] == (
        "Few-shot segmentation models overfit to the handful of support masks "
        "they see. We stitch priors from many small patches instead of whole objects."
    )
    assert col(papers, "authors") == [["Ana Ruiz", "Tomás Ek"], ["Kofi Mensah"], []]
    # no date in the name, no submittedOnDailyAt: the item's publishedAt, as a UTC day
    assert col(papers, "date") == [D(2024, 5, 27)] * 3
    assert col(papers, "listed") == [True] * 3
    assert col(papers, "published") == [D(2024, 5, 24), D(2024, 5, 25), D(2024, 5, 26)]
    assert col(papers, "upvotes") == [12, 0, 3]  # a missing count is 0
    assert col(papers, "num_comments") == [1, 0, 4]
    assert col(papers, "keywords") == [[], [], []]
    assert col(papers, "categories") == [[], [], []]
    assert col(papers, "github_repo") == [None] * 3
    assert col(papers, "url") == [f"https://arxiv.org/abs/{i}" for i in col(papers, "id")]
    assert col(papers, "sources") == [["hf"]] * 3


def test_hf_api_2025_schema_takes_the_day_from_the_file_name():
    papers, _ = read(HF_2025)
    assert col(papers, "id") == ["2509.05501", "2509.05502"]
    # the second item was submitted on 2025-09-07 (UTC) but the file is the 2025-09-08 list
    assert col(papers, "date") == [D(2025, 9, 8), D(2025, 9, 8)]
    assert col(papers, "published") == [D(2025, 9, 4), D(2025, 9, 5)]
    assert col(papers, "upvotes") == [41, 7]
    assert col(papers, "num_comments") == [3, 0]
    assert col(papers, "keywords") == [["tool-using agents", "error amplification", "multi-agent systems"], []]
    assert col(papers, "authors") == [["Mei Tanaka", "Oskar Lund"], ["Priya Raman"]]
    assert col(papers, "listed") == [True, True]


def test_hf_api_without_a_dated_name_uses_submitted_on_daily_at():
    data = (FIXTURES / HF_2025).read_bytes()
    papers, _ = read_bytes("daily_papers.json", data)
    assert col(papers, "date") == [D(2025, 9, 8), D(2025, 9, 7)]


def test_hf_api_date_option_beats_the_file_name():
    papers, _ = read(HF_2025, date=D(2025, 9, 10))
    assert col(papers, "date") == [D(2025, 9, 10)] * 2
    assert col(papers, "published") == [D(2025, 9, 4), D(2025, 9, 5)]


def test_hf_api_2026_schema():
    papers, _ = read(HF_2026)
    assert col(papers, "id") == ["2608.14001", "2608.14002"]
    assert col(papers, "title") == [
        "Glasswing: Transparent World Models for Robot Arms",
        "How Many Tokens Is a Picture Worth?",
    ]
    assert col(papers, "authors") == [["Lucía Ferreira", "Jun Park", "Ade Bello"], ["Sam Okoro"]]
    assert col(papers, "date") == [D(2026, 8, 21)] * 2
    assert col(papers, "published") == [D(2026, 8, 19), D(2026, 8, 20)]
    assert col(papers, "upvotes") == [88, 0]
    assert col(papers, "num_comments") == [5, 0]
    assert col(papers, "github_repo") == ["https://github.com/example-lab/glasswing", None]
    assert col(papers, "keywords") == [["world models", "robot manipulation", "interpretability"], ["visual tokens"]]
    assert col(papers, "sources") == [["hf"]] * 2


def test_hf_api_items_without_a_paper_are_rejected_by_number():
    data = (
        b'[{"paper": {"id": "2509.00001", "title": "Kept", "publishedAt": "2025-09-01T00:00:00Z"},'
        b' "publishedAt": "2025-09-02T00:00:00Z"}, {"title": "no paper object"}, 7,'
        b' {"paper": {"id": "2509.00004", "publishedAt": "2025-09-01T00:00:00Z"}}]'
    )
    papers, report = read_bytes("hf.json", data)
    assert col(papers, "title") == ["Kept"]
    assert col(papers, "date") == [D(2025, 9, 2)]
    assert problems(report.rejected) == [
        ("record 2", "not a daily-papers item (no 'paper' object)"),
        ("record 3", "not a daily-papers item (no 'paper' object)"),
        ("record 4", "no title"),
    ]


@pytest.mark.parametrize("fmt", [None, "hf_api"])
def test_hf_api_error_answer_is_an_input_error(fmt):
    with pytest.raises(InputError, match="hf.json: the Hugging Face API answered with an error: Invalid date"):
        read_bytes("hf.json", b'{"error": "Invalid date"}', fmt=fmt)


def test_hf_api_broken_json_names_file_and_place():
    with pytest.raises(InputError, match=r"hf\.json: not valid JSON .*line 2"):
        read_bytes("hf.json", b'[{"paper": {"id": "2509.00001"},\n ]]')


# --- arxiv_atom ---------------------------------------------------------------------
def test_arxiv_atom_feed():
    papers, report = read(ATOM)
    assert report.format == "arxiv_atom" and report.rejected == [] and report.warnings == []
    assert col(papers, "id") == ["2509.21001", "1903.04567", "cond-mat/0102536"]
    assert col(papers, "title") == [
        "Counterfactual Replay Buffers for Offline Reinforcement Learning",
        "Whispering Gallery Modes in Hollow Glass Spheres",
        "Glassy Relaxation on Random Graphs",
    ]
    assert papers[0]["abstract"] == (
        "Offline agents learn only from logged transitions. We fill the replay "
        "buffer with counterfactual transitions generated by a learned model & "
        "filter them with a conservative critic."
    )
    assert col(papers, "authors") == [
        ["Ines Duarte", "Wei Zhang"],
        ["Hana Novak"],
        ["R. Alvarez", "S. Béranger", "T. Kowalczyk"],
    ]
    # primary category first, whatever order the <category> elements come in
    assert col(papers, "categories") == [
        ["cs.LG", "cs.AI"],
        ["physics.optics"],
        ["cond-mat.stat-mech", "cond-mat.dis-nn"],
    ]
    # v1 day (23:59:59Z stays on its UTC day); no listing day in this source
    assert col(papers, "published") == [D(2025, 9, 25), D(2019, 3, 11), D(2001, 2, 28)]
    assert col(papers, "date") == col(papers, "published")
    assert col(papers, "listed") == [False] * 3
    assert col(papers, "url") == [
        "https://arxiv.org/abs/2509.21001",
        "https://arxiv.org/abs/1903.04567",
        "https://arxiv.org/abs/cond-mat/0102536",
    ]
    assert col(papers, "upvotes") == [None] * 3
    assert col(papers, "sources") == [["arxiv"]] * 3


def test_arxiv_atom_date_option_sets_the_listing_day():
    papers, _ = read(ATOM, date=D(2025, 10, 1))
    assert col(papers, "date") == [D(2025, 10, 1)] * 3
    assert col(papers, "listed") == [True] * 3
    assert col(papers, "published") == [D(2025, 9, 25), D(2019, 3, 11), D(2001, 2, 28)]


def test_arxiv_atom_error_feed_is_an_input_error():
    with pytest.raises(InputError) as caught:
        read(ATOM_ERROR)
    assert str(caught.value) == (
        f"{FIXTURES / ATOM_ERROR}: the arXiv API answered with an error: incorrect id format for 2509.xyz"
    )


@pytest.mark.parametrize("rel", ["arxiv_atom/billion_laughs.xml", "arxiv_atom/external_entity.xml"])
def test_arxiv_atom_entity_tricks_are_refused(rel):
    with pytest.raises(InputError, match="refused unsafe XML") as caught:
        read(rel)
    assert "lollol" not in str(caught.value) and "root:" not in str(caught.value)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<?xml version='1.0'?><rss><channel/></rss>", "not an Atom feed"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "not valid XML"),
    ],
)
def test_arxiv_atom_other_xml_is_an_input_error(data, message):
    with pytest.raises(InputError, match=f"feed.xml: {message}"):
        read_bytes("feed.xml", data)


def test_arxiv_atom_bad_published_day_rejects_the_entry():
    data = (
        (FIXTURES / ATOM).read_bytes().replace(b"<published>2019-03-11T16:00:00Z", b"<published>2019-02-30T16:00:00Z")
    )
    papers, report = read_bytes("feed.xml", data)
    assert col(papers, "id") == ["2509.21001", "cond-mat/0102536"]
    assert problems(report.rejected) == [("entry 2", "published: not a valid day: '2019-02-30T16:00:00Z'")]


# --- arxiv_oai ----------------------------------------------------------------------
def test_arxiv_oai_snapshot():
    papers, report = read(OAI)
    assert report.format == "arxiv_oai"
    assert col(papers, "id") == ["0706.1234", "hep-th/9901001", "1102.0999", "2501.00777"]
    assert col(papers, "title") == [
        "Diffusive Transport in Layered Granular Media",
        "Boundary States of a Compactified String",
        "Knot Invariants from Colored Braids",
        "Speculative Decoding with Draft Trees",
    ]
    assert papers[0]["abstract"] == (
        "We measure diffusive transport of tracer grains through layered granular "
        "media and find two regimes separated by the layer thickness."
    )
    assert col(papers, "authors") == [
        ["Lena Park", "R. Oyelaran", "T. Nguyen"],  # authors_parsed, affiliation dropped
        ["J. Q. Whitfield", "M. Müller", "P. Dupré"],  # no authors_parsed: the string, LaTeX decoded
        ["Ada Szabó"],
        ["Noor Haddad", "Kai Fischer"],
    ]
    # the v1 "created" day, in UTC (not the last version, not update_date)
    assert col(papers, "published") == [D(2007, 6, 12), D(1999, 1, 1), D(2011, 1, 31), D(2024, 12, 31)]
    assert col(papers, "date") == col(papers, "published")
    assert col(papers, "listed") == [False] * 4
    assert col(papers, "categories") == [
        ["cond-mat.soft", "physics.flu-dyn"],
        ["hep-th"],
        ["math.GT", "math.QA"],
        ["cs.CL", "cs.LG"],
    ]
    assert papers[1]["url"] == "https://arxiv.org/abs/hep-th/9901001"
    assert col(papers, "sources") == [["arxiv"]] * 4
    (rejected,) = report.rejected
    assert rejected.where == "line 3" and rejected.message.startswith("not valid JSON")


def test_arxiv_oai_without_versions_uses_update_date():
    line = (
        b'{"id": "0801.0001", "authors": "A. One", "title": "T", "abstract": "A",'
        b' "versions": [], "update_date": "2008-01-02"}\n'
    )
    papers, _ = read_bytes("snap.jsonl", line)
    assert col(papers, "published") == [D(2008, 1, 2)]


# --- tables -------------------------------------------------------------------------
def test_csv_with_aliases():
    papers, report = read(CSV)
    assert report.format == "csv"
    assert col(papers, "id") == ["2507.30001", "2507.30002", title_id("A Paper Without an arXiv Id")]
    assert col(papers, "title") == [
        "Mosaic Tokens: Vision Transformers, Reassembled",
        "Second Thoughts on Chain-of-Thought",
        "A Paper Without an arXiv Id",
    ]
    assert col(papers, "abstract") == [
        "We cut images into irregular tiles and let the transformer reassemble them.",
        '"Verbose" reasoning is not always better.',
        "An internal report.",
    ]
    assert col(papers, "authors") == [["Rosa Diaz", "Ken Ito"], ["Lee Wong"], ["Ola Berg"]]
    # published_at is a listing day; a row without one falls back to pub_date, unlisted
    assert col(papers, "date") == [D(2025, 8, 1), D(2025, 7, 31), D(2025, 8, 3)]
    assert col(papers, "listed") == [True, False, True]
    assert col(papers, "published") == [D(2025, 7, 30), D(2025, 7, 31), None]
    assert col(papers, "upvotes") == [15, None, 0]
    assert col(papers, "num_comments") == [2, None, None]
    assert col(papers, "categories") == [["cs.CV", "cs.LG"], ["cs.CL"], []]
    assert col(papers, "keywords") == [["vision", "tokenization"], [], []]
    assert col(papers, "github_repo") == ["https://github.com/example/mosaic", None, None]
    assert col(papers, "url") == ["https://arxiv.org/abs/2507.30001", "https://arxiv.org/abs/2507.30002", ""]
    # arXiv categories make a row arXiv's; a row without any is the file's own
    assert col(papers, "sources") == [["arxiv"], ["arxiv"], ["file:papers_aliases.csv"]]
    # the first row's quoted abstract spans lines 2-3, so the dateless row is on line 5
    assert problems(report.rejected) == [("line 5", "no date (neither a listing day nor a publication day)")]


def test_csv_date_option_dates_only_rows_without_their_own():
    papers, report = read(CSV, date=D(2025, 8, 5))
    # the row with no day at all ("Notes on Nothing") is dated by --date too: nothing is rejected
    assert report.rejected == []
    assert col(papers, "title")[1:3] == ["Second Thoughts on Chain-of-Thought", "Notes on Nothing"]
    assert col(papers, "date") == [D(2025, 8, 1), D(2025, 8, 5), D(2025, 8, 5), D(2025, 8, 3)]
    assert col(papers, "listed") == [True] * 4
    assert col(papers, "published") == [D(2025, 7, 30), D(2025, 7, 31), None, None]


def test_tsv():
    papers, report = read(TSV)
    assert report.format == "csv" and report.rejected == []
    assert col(papers, "id") == ["2506.40001", "2506.40002"]
    assert col(papers, "authors") == [["Maya Cohen", "Eli Brooks", "Zoe Hart"], ["Ivan Petrov"]]
    assert col(papers, "date") == [D(2025, 6, 20), D(2025, 6, 21)]
    assert col(papers, "listed") == [True, False]  # an explicit listed column wins
    assert col(papers, "published") == [D(2025, 6, 18), None]
    assert col(papers, "categories") == [["cs.RO", "cs.LG"], ["cs.DC"]]
    assert col(papers, "upvotes") == [9, None]


def test_json_array_of_records():
    papers, report = read(JSON_RECORDS)
    assert report.format == "json"
    assert col(papers, "id") == ["2504.50001", "2504.50002"]
    assert col(papers, "title") == ["Retrieval at the Speed of Thought", "Sparse Sparks"]
    assert col(papers, "abstract") == [
        "A retriever that answers in under a millisecond.",
        "Pruning at initialisation, revisited.",
    ]
    assert col(papers, "authors") == [["Aiko Sato", "Ben Carter"], ["Chen Li", "Dana Moss"]]
    assert col(papers, "date") == [D(2025, 4, 14), D(2025, 4, 15)]
    assert col(papers, "published") == [D(2025, 4, 10), None]
    assert col(papers, "listed") == [True, True]
    assert col(papers, "upvotes") == [5, 7]
    assert col(papers, "num_comments") == [1, None]
    assert col(papers, "categories") == [["cs.IR", "cs.CL"], []]
    assert col(papers, "keywords") == [["retrieval", "latency"], []]
    assert col(papers, "github_repo") == ["https://github.com/example/fast-retrieval", None]
    assert problems(report.rejected) == [
        ("record 3", "not a record (expected an object with named fields)"),
        ("record 4", "not a valid day: '2025-02-30'"),
    ]


def test_crawler_jsonl_takes_the_day_from_its_name_and_keeps_cross_lists():
    lines = (FIXTURES / CRAWLER).read_text().splitlines()
    papers, report = read(CRAWLER)
    assert report.format == "jsonl" and report.rejected == []
    assert len(papers) == len(lines) == 4
    assert col(papers, "id") == ["2504.08001", "2504.08002", "2504.08001", "2504.08003"]  # merge folds repeats
    assert len(set(col(papers, "id"))) == 3
    assert papers[0]["title"] == "Dialect-Aware Evaluation of Machine Translation"
    assert papers[0]["abstract"] == (
        "Translation metrics penalise dialectal output. We build a dialect-aware "
        "evaluation set and re-rank five systems."
    )
    assert col(papers, "date") == [D(2025, 4, 12)] * 4
    assert col(papers, "listed") == [True] * 4
    assert col(papers, "published") == [None] * 4
    assert col(papers, "categories")[0] == ["cs.CL", "I.2.7"]
    assert col(papers, "authors")[3] == ["Ivy Chen", "Jacob Stone", "Kamala Rao"]
    assert col(papers, "url") == [f"https://arxiv.org/abs/{i}" for i in col(papers, "id")]
    assert col(papers, "sources") == [["arxiv"]] * 4  # a crawl of arXiv's listing is arXiv's


def test_crawler_jsonl_date_option_beats_the_name():
    papers, _ = read(CRAWLER, date=D(2025, 4, 14))
    assert col(papers, "date") == [D(2025, 4, 14)] * 4


@pytest.fixture
def parquet_file(tmp_path):
    table = pa.table(
        {
            "arxiv_id": ["2503.10001v1", "2503.10002"],
            "title": ["Columnar  Papers", "Second Columnar Paper"],
            "abstract": ["Stored in Parquet.", None],
            "authors": pa.array([["Uma Iyer", "Vic Lam"], []], pa.list_(pa.string())),
            "date": pa.array([D(2025, 3, 20), None], pa.date32()),
            "published": pa.array([D(2025, 3, 18), D(2025, 3, 19)], pa.date32()),
            "upvotes": pa.array([4, None], pa.int64()),
            "categories": pa.array([["cs.LG"], ["stat.ML", "cs.LG"]], pa.list_(pa.string())),
            "keywords": pa.array([["columnar"], None], pa.list_(pa.string())),
            "listed": [True, False],
        }
    )
    path = tmp_path / "papers.parquet"
    pq.write_table(table, path)
    return path


def test_parquet(parquet_file):
    assert detect_format(parquet_file.read_bytes()[:64]) == "parquet"
    opener = lambda: open(parquet_file, "rb")  # noqa: SIM115 - an opener: the importer closes the file
    papers, report = read(InputFile(parquet_file.name, opener))
    assert report.format == "parquet"
    assert col(papers, "id") == ["2503.10001", "2503.10002"]
    assert col(papers, "title") == ["Columnar Papers", "Second Columnar Paper"]
    assert col(papers, "abstract") == ["Stored in Parquet.", ""]
    assert col(papers, "authors") == [["Uma Iyer", "Vic Lam"], []]
    assert col(papers, "date") == [D(2025, 3, 20), D(2025, 3, 19)]
    assert col(papers, "listed") == [True, False]
    assert col(papers, "published") == [D(2025, 3, 18), D(2025, 3, 19)]
    assert col(papers, "upvotes") == [4, None]
    assert col(papers, "categories") == [["cs.LG"], ["stat.ML", "cs.LG"]]
    assert col(papers, "keywords") == [["columnar"], []]
    assert col(papers, "sources") == [["arxiv"]] * 2


def test_not_parquet_after_the_magic_is_an_input_error():
    with pytest.raises(InputError, match="x.parquet: not a readable Parquet file"):
        read_bytes("x.parquet", b"PAR1 this is not really parquet")


@pytest.mark.parametrize(
    "data, where, reason",
    [
        (b"title,date\nA Paper,2025-02-30\nGood,2025-01-02\n", "line 2", "not a valid day: '2025-02-30'"),
        (b"title,date\nA Paper,Feb 30 2025\nGood,2025-01-02\n", "line 2", "not a valid day: 'Feb 30 2025'"),
        (b"title,date\nA Paper,2099-01-01\nGood,2025-01-02\n", "line 2", "date 2099-01-01 is out of range"),
        (b"title,date\nA Paper,1985-06-01\nGood,2025-01-02\n", "line 2", "date 1985-06-01 is out of range"),
        (
            b"title,date,upvotes\nA Paper,2025-01-01,many\nGood,2025-01-02,1\n",
            "line 2",
            "upvotes is not a whole number: 'many'",
        ),
        (b"title,date,upvotes\nA Paper,2025-01-01,-3\nGood,2025-01-02,1\n", "line 2", "upvotes is out of range: -3"),
        (b"title,date\n,2025-01-01\nGood,2025-01-02\n", "line 2", "no title"),
        (b"title,date\n   ,2025-01-01\nGood,2025-01-02\n", "line 2", "no title"),
    ],
)
def test_table_rows_rejected_with_line_and_reason(data, where, reason):
    papers, report = read_bytes("t.csv", data)
    assert col(papers, "title") == ["Good"]
    assert problems(report.rejected) == [(where, reason)]


def test_jsonl_rows_rejected_with_line_and_reason():
    data = (
        b'{"title": "One", "date": "2025-01-01"}\n\n{"title": "Two", "date": \n'
        b'["a list"]\n{"title": "Four", "id": 2501.00001, "date": "2025-01-01"}\n'
        b'{"title": "Five", "date": "2025-01-05"}\n'
    )
    papers, report = read_bytes("rows.jsonl", data)
    assert col(papers, "title") == ["One", "Five"]
    assert [p.where for p in report.rejected] == ["line 3", "line 4", "line 5"]
    assert report.rejected[0].message.startswith("not valid JSON")
    assert report.rejected[1].message == "not a record (expected an object with named fields)"
    assert "id is a number" in report.rejected[2].message


def test_csv_without_title_column_is_an_input_error():
    with pytest.raises(InputError, match="t.csv: CSV needs a header row with a 'title' column"):
        read_bytes("t.csv", b"name,date\nx,2025-01-01\n", fmt="csv")


def test_a_table_row_keeps_the_sources_it_names():
    """An export read back keeps its sources (and an export of before 2026-12, its one
    format's); a row with arXiv categories is arXiv's; any other row is the file's."""
    data = (
        b'{"title": "Exported", "date": "2025-01-01", "sources": ["hf", "arxiv"], "hf_day": "2025-01-01"}\n'
        b'{"title": "Old export", "date": "2025-01-01", "source": "hf_api"}\n'
        b'{"title": "Crawled", "date": "2025-01-01", "categories": ["cs.CL", "cs.LG"]}\n'
        b'{"title": "Odd", "date": "2025-01-01", "source": "somewhere", "categories": ["nlp"]}\n'
    )
    papers, _ = read_bytes("export.jsonl.gz", data)
    assert col(papers, "sources") == [["hf", "arxiv"], ["hf"], ["arxiv"], ["file:export.jsonl"]]
    assert col(papers, "hf_day") == [D(2025, 1, 1), D(2025, 1, 1), None, None]


@pytest.mark.parametrize(
    "data",
    [
        b'{"papers": [{"title": "Wrapped", "date": "2025-01-01"}], "count": 1}',
        b'{"count": 1,\n "data": [{"title": "Wrapped", "date": "2025-01-01"}]}\n',
    ],
)
def test_json_wrapped_in_an_object(data):
    papers, report = read_bytes("w.json", data)
    assert report.format == "json" and col(papers, "title") == ["Wrapped"]


KEYED = {
    "2501.00001": {"title": "Keyed One", "date": "2025-01-01", "authors": ["Ada One"]},
    "2501.00002": {"title": "Keyed Two", "date": "2025-01-02", "id": "2501.00009"},  # its own id wins
    "2501.00003": {"title": "Keyed Three", "date": "2025-01-03", "arxiv_id": ""},  # an empty id: the key
    "my-note": {"title": "Keyed Four", "date": "2025-01-04"},  # not an arXiv id: a title id, as any
}


@pytest.mark.parametrize(
    "data",
    [
        json.dumps(KEYED).encode(),  # one line
        json.dumps(KEYED, indent=2).encode(),  # pretty
        json.dumps({"papers": KEYED, "count": 4}).encode(),  # under a records key
        json.dumps({**KEYED, "pad": {"title": "Padding", "date": "2025-01-05", "abstract": "x" * 70_000}}).encode(),
    ],
    ids=["one-line", "pretty", "wrapped", "longer-than-the-sniffed-head"],
)
def test_json_object_keyed_by_id(data):
    """Another tool's export shape (issue 25, point 11): the key is the id of a record without one."""
    papers, report = read_bytes("keyed.json", data)
    assert report.rejected == [] and report.format in ("json", "jsonl")
    assert col(papers, "title")[:4] == ["Keyed One", "Keyed Two", "Keyed Three", "Keyed Four"]
    assert col(papers, "id")[:4] == ["2501.00001", "2501.00009", "2501.00003", title_id("Keyed Four")]
    assert papers[0]["authors"] == ["Ada One"]


# --- encodings, empty files, overrides -------------------------------------------------
@pytest.mark.parametrize(
    "name, data",
    [
        ("latin1_page.txt", "Aug 12, 2025\n\nCafé Society\n\n".encode("latin-1") + ABSTRACT.encode("latin-1")),
        ("latin1.csv", "title,date\nCafé,2025-01-01\n".encode("latin-1")),
        ("latin1.json", '[{"title": "Café", "date": "2025-01-01"}]'.encode("latin-1")),
        ("latin1.jsonl", '{"title": "Café", "date": "2025-01-01"}\n'.encode("latin-1")),
    ],
)
def test_not_utf8_is_an_input_error_naming_the_file(name, data):
    with pytest.raises(InputError) as caught:
        read_bytes(name, data)
    message = str(caught.value)
    assert message.startswith(f"{name}: not UTF-8 text")
    assert "0xe9" in message and "UTF-8" in message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-8-sig"])
def test_utf16_and_bom_pages_are_read(encoding):
    text = (FIXTURES / PAGE).read_text(encoding="utf-8")
    data = {
        "utf-16": lambda: text.encode("utf-16"),
        "utf-16-le-bom": lambda: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "utf-16-be-bom": lambda: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "utf-8-sig": lambda: text.encode("utf-8-sig"),
    }[encoding]()
    papers, report = read_bytes("page.txt", data, year=2025)
    assert report.format == "daily_page"
    assert col(papers, "title") == PAGE_TITLES
    assert col(papers, "date") == [D(2025, 8, 12)] * 4


def test_utf16_tsv_as_spreadsheets_save_it():
    text = (FIXTURES / TSV).read_text(encoding="utf-8").replace("\n", "\r\n")
    papers, report = read_bytes("papers.txt", text.encode("utf-16"))
    assert report.format == "csv" and report.rejected == []
    assert col(papers, "id") == ["2506.40001", "2506.40002"]
    assert col(papers, "authors") == [["Maya Cohen", "Eli Brooks", "Zoe Hart"], ["Ivan Petrov"]]


def test_utf16_json_is_read():
    text = (FIXTURES / HF_2026).read_text(encoding="utf-8")
    papers, report = read_bytes("2026-08-21.json", text.encode("utf-16"))
    assert report.format == "hf_api"
    assert col(papers, "authors")[0] == ["Lucía Ferreira", "Jun Park", "Ade Bello"]


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", codecs.BOM_UTF8])
def test_empty_file_is_a_clear_input_error(data):
    with pytest.raises(InputError, match=r"^empty\.txt: the file is empty$"):
        read_bytes("empty.txt", data)


def test_format_override():
    # A pasted page that starts at a title holding commas and the word "Title" looks like a CSV header.
    data = page_bytes("Title, Abstract, Authors: What Reviewers Read First", ABSTRACT)
    assert detect_format(data) == "csv"
    papers, report = read_bytes("pasted.txt", data, fmt="daily_page", date=D(2025, 8, 12))
    assert report.format == "daily_page"
    assert col(papers, "title") == ["Title, Abstract, Authors: What Reviewers Read First"]
    assert col(papers, "date") == [D(2025, 8, 12)]
    assert col(papers, "sources") == [["hf"]]


def test_format_override_reads_oai_lines_as_a_plain_table():
    papers, report = read(OAI, fmt="jsonl", date=D(2025, 1, 1))
    assert report.format == "jsonl"
    assert col(papers, "sources") == [["arxiv"]] * 4  # their categories are arXiv's
    assert col(papers, "published") == [None] * 4  # versions are an arxiv_oai notion


def test_unknown_format_is_an_input_error():
    with pytest.raises(InputError, match="unknown format 'xml'"):
        read(ATOM, fmt="xml")
    assert set(FORMATS) == {"daily_page", "hf_api", "arxiv_atom", "arxiv_oai", "csv", "json", "jsonl", "parquet"}


# --- gzip and directories ----------------------------------------------------------------
def test_gzip_is_read_by_content(tmp_path):
    path = tmp_path / "daily_page_aug12.txt.gz"
    path.write_bytes(gzip.compress((FIXTURES / PAGE).read_bytes()))
    (source,) = input_files([str(path)], KNOWN_SUFFIXES)
    papers, report = read(source, year=2025)
    assert report.format == "daily_page"
    assert col(papers, "title") == PAGE_TITLES
    # a gzipped upload with a misleading name is still gunzipped
    papers, report = read_bytes("2025-09-08.json", gzip.compress((FIXTURES / HF_2025).read_bytes()))
    assert report.format == "hf_api" and col(papers, "date") == [D(2025, 9, 8)] * 2


def test_truncated_gzip_is_an_input_error():
    data = gzip.compress((FIXTURES / OAI).read_bytes())
    with pytest.raises(InputError, match="snap.jsonl.gz: truncated or corrupt gzip"):
        read_bytes("snap.jsonl.gz", data[: len(data) // 2])


def test_gzip_of_nothing_is_empty():
    with pytest.raises(InputError, match="the file is empty"):
        read_bytes("nothing.txt.gz", gzip.compress(b""))


def test_directory_import(tmp_path):
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "a_page.txt.gz").write_bytes(gzip.compress((FIXTURES / PAGE).read_bytes()))
    shutil.copy(FIXTURES / HF_2025, tmp_path / "nested" / "2025-09-08.json")
    shutil.copy(FIXTURES / TSV, tmp_path / "nested" / "deeper" / "papers.tsv")
    shutil.copy(FIXTURES / ATOM, tmp_path / "nested" / "feed.XML")
    (tmp_path / "README.md").write_text("# not an input\n")
    (tmp_path / ".hidden.json").write_text("[]")
    (tmp_path / "nested" / "notes.gz").write_bytes(gzip.compress(b"not an input"))
    sources = input_files([str(tmp_path)], KNOWN_SUFFIXES)
    names = [Path(s.name).relative_to(tmp_path).as_posix() for s in sources]
    assert names == ["a_page.txt.gz", "nested/2025-09-08.json", "nested/deeper/papers.tsv", "nested/feed.XML"]
    table, reports = read_inputs(sources, year=2025, today=TODAY)
    assert [(r.format, r.papers) for r in reports] == [("daily_page", 4), ("hf_api", 2), ("csv", 2), ("arxiv_atom", 3)]
    assert table.num_rows == 11
    assert col(rows(table), "sources") == [["hf"]] * 4 + [["hf"]] * 2 + [["arxiv"]] * 2 + [["arxiv"]] * 3


def test_read_inputs_of_nothing_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no input files"):
        read_inputs(input_files([str(tmp_path)], KNOWN_SUFFIXES), today=TODAY)


def test_one_unreadable_file_fails_the_whole_read(tmp_path):
    shutil.copy(FIXTURES / HF_2025, tmp_path / "a.json")
    shutil.copy(FIXTURES / ATOM_ERROR, tmp_path / "b.xml")
    with pytest.raises(InputError, match="b.xml: the arXiv API answered with an error"):
        read_inputs(input_files([str(tmp_path)], KNOWN_SUFFIXES), today=TODAY)


def test_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or directory"):
        input_files([str(tmp_path / "nope.json")], KNOWN_SUFFIXES)


def test_upload_name_never_becomes_a_path():
    source = InputFile.from_bytes("../../etc/2025-09-08.json", (FIXTURES / HF_2025).read_bytes())
    assert source.name == "2025-09-08.json"
    papers, _ = read(source)
    assert col(papers, "date") == [D(2025, 9, 8)] * 2


def test_progress_is_reported():
    seen = []
    read(HF_2026, progress=lambda name, count: seen.append(count))
    assert seen[-1] == 2


# --- lib.text --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("2508.01234", "2508.01234"),
        ("  2508.01234v3 ", "2508.01234"),
        ("0704.0001", "0704.0001"),
        ("arXiv:2508.01234v2", "2508.01234"),
        ("arxiv: 2508.01234", "2508.01234"),
        ("http://arxiv.org/abs/2202.12139v1", "2202.12139"),
        ("https://arxiv.org/abs/2508.01234", "2508.01234"),
        ("https://arxiv.org/pdf/2508.01234v2", "2508.01234"),
        ("https://arxiv.org/pdf/2508.01234v2.pdf", "2508.01234"),
        ("https://export.arxiv.org/abs/2508.01234?context=cs", "2508.01234"),
        ("https://arxiv.org/html/2508.01234v1/", "2508.01234"),
        ("https://huggingface.co/papers/2508.01234", "2508.01234"),
        ("https://huggingface.co/papers/2508.01234#community", "2508.01234"),
        ("https://hf.co/papers/2508.01234", "2508.01234"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("hep-th/9901001v2", "hep-th/9901001"),
        ("HEP-TH/9901001", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("math.gt/0309136v1", "math.GT/0309136"),
        ("http://arxiv.org/abs/cond-mat/0102536v3", "cond-mat/0102536"),
        (None, None),
        ("", None),
        ("Error", None),
        ("12345", None),
        ("2508.123", None),
        ("2508.123456", None),
        ("https://example.org/paper/2508.01234", None),
        ("https://arxiv.org/abs/2508.01234 and more", None),
        ("hep-th/99010", None),
    ],
)
def test_arxiv_id(text, expected):
    assert arxiv_id(text) == expected


def test_title_id():
    expected = "t-" + hashlib.sha1(b"allora adaptive learning rate").hexdigest()[:12]
    assert title_id("ALLoRA: Adaptive Learning Rate") == expected
    assert title_id("  allora   ADAPTIVE\nlearning-rate ") == expected
    assert title_id("Café Ünïcode") == title_id("cafe unicode") == "t-" + hashlib.sha1(b"cafe unicode").hexdigest()[:12]
    assert title_id("ALLoRA: Adaptive Learning Rates") != expected
    assert title_id("x").startswith("t-") and len(title_id("x")) == 14


def test_collapse_ws():
    assert collapse_ws("  Long-context\n  retrieval\t\u00a0now ") == "Long-context retrieval now"
    assert collapse_ws(None) == collapse_ws("") == ""


MARKDOWN_TRAPS = [
    "[click](javascript:alert(1))",
    "<script>alert('x')</script> <b>bold</b> &amp;",
    "$E=mc^2$ and $$\\int_0^1 x\\,dx$$",
    "**bold** __also__ *it* _it_ ~~gone~~ `code`",
    "# Heading\n- item\n1. item\n> quote",
    ":red[alarm] :material/home: :smile:",
    "a\u200bb\u202ec\ufeffd",
    "https://example.org/<x>|pipe|{brace}",
    "see www.evil.com or a@b.com",
]


@pytest.mark.parametrize("text", MARKDOWN_TRAPS)
def test_md_escape_makes_text_literal(text):
    out = md_escape(text)
    assert "\n" not in out
    # every ASCII punctuation character is escaped, and nothing else is
    i, literal = 0, []
    while i < len(out):
        if out[i] == "\\":
            assert out[i + 1] in r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~""", out
            literal.append(out[i + 1])
            i += 2
        else:
            assert out[i] not in r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~""", out
            literal.append(out[i])
            i += 1
    # what a markdown renderer shows is the text, whitespace collapsed, invisibles dropped (and the
    # invisible word joiners that keep www., http(s): and @ from starting an autolink)
    visible = collapse_ws("".join(c for c in text if c not in "\u200b\u202e\ufeff"))
    assert "".join(literal).replace("\u2060", "") == visible


def test_md_escape_empty():
    assert md_escape(None) == md_escape("") == ""
    assert md_escape("plain words 123") == "plain words 123"
