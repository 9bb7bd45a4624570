"""Fetching from Hugging Face and arXiv: the real HttpClient and fetchers over real HTTP,
against a local server replaying responses written here in the upstream shapes
(tests/fixtures/hf_api, tests/fixtures/arxiv_atom).  Retries, backoff, pacing, resumption
and the error messages are checked from the server's request log and the store's bytes."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from html import escape
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import table_state
from replay_server import ReplayServer, Reply, closed_port

from lib.cli import main
from lib.errors import PapersError
from lib.store import fetch
from lib.store.fetch import FetchError, HttpClient
from lib.store.store import Store
from lib.team.db import TeamError

ROOT = Path(__file__).resolve().parent.parent
DAY1, DAY2, DAY3 = dt.date(2025, 9, 8), dt.date(2025, 9, 9), dt.date(2025, 9, 10)
TODAY = dt.date(2025, 9, 20)  # "today" of the in-process fetches: every DAYn is finished
HF_PATH = "/api/daily_papers"
ARXIV_PATH = "/api/query"


# --- responses in the upstream shapes ---------------------------------------------------
def hf_item(pid: str, title: str, day: dt.date, upvotes: int = 0, authors=("Ann Author",)) -> dict:
    """One daily-papers item like tests/fixtures/hf_api/2025-09-08.json: submitted to the daily
    list the evening before ``day`` and published on arXiv days earlier (neither is the listing day)."""
    published = f"{day - dt.timedelta(days=4)}T17:26:31.000Z"
    paper = {
        "id": pid,
        "authors": [{"_id": f"68bb{i:020d}", "name": name, "hidden": False} for i, name in enumerate(authors)],
        "publishedAt": published,
        "submittedOnDailyAt": f"{day - dt.timedelta(days=1)}T22:10:00.000Z",
        "title": title,
        "summary": f"We study {title.lower()}.",
        "discussionId": "68be00000000000000001234",
        "ai_keywords": ["replay", "fixtures"],
    }
    if upvotes:  # the API leaves out an upvote count of 0
        paper["upvotes"] = upvotes
    return {
        "paper": paper,
        "publishedAt": published,
        "title": title,
        "summary": paper["summary"],
        "thumbnail": f"https://cdn.example.org/thumbs/{pid}.png",
        "numComments": 1,
        "isAuthorParticipating": False,
    }


HF_DAYS = {
    DAY1: [
        hf_item("2509.05501", "Echo Chambers in Tool-Using Agents", DAY1, 41, ("Mei Tanaka", "Oskar Lund")),
        hf_item("2509.05502", "Counting Sheep from Phone Audio", DAY1, 7),
    ],
    DAY2: [hf_item("2509.06601", "Sparse Routers Revisited", DAY2, 3)],
    DAY3: [
        hf_item("2509.07701", "Long Context Without Tears", DAY3),
        hf_item("2509.07702", "Tokenizers Are Models Too", DAY3, 99),
        hf_item("2509.07703", "Agents That Plan With Maps", DAY3, 12),
    ],
}


def atom_entry(pid: str, title: str, day: dt.date, categories=("cs.CL",), authors=("Ines Duarte",)) -> str:
    """One arXiv API entry like tests/fixtures/arxiv_atom/query_three_entries.xml."""
    cats = "\n".join(f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in categories)
    names = "\n".join(f"    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in authors)
    return f"""  <entry>
    <id>http://arxiv.org/abs/{pid}v1</id>
    <title>{escape(title)}</title>
    <updated>{day}T09:30:00Z</updated>
    <link href="https://arxiv.org/abs/{pid}v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="https://arxiv.org/pdf/{pid}v1" rel="related" type="application/pdf"/>
    <summary>  Abstract of {escape(title)}
  over two lines.
</summary>
{cats}
    <published>{day}T09:30:00Z</published>
    <arxiv:primary_category term="{categories[0]}"/>
{names}
  </entry>
"""


def atom_feed(entries: list[str], start: int = 0, total: int | None = None) -> str:
    total = len(entries) if total is None else total
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/replay</id>
  <title>arXiv Query: replay</title>
  <updated>2025-09-20T12:00:00Z</updated>
  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>{start}</opensearch:startIndex>
{"".join(entries)}</feed>
"""


ARXIV_ERROR_FEED = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/</id>
  <title>arXiv Search Results</title>
  <updated>2025-09-20T12:00:00Z</updated>
  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>
  <opensearch:totalResults>1</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <entry>
    <id>https://arxiv.org/api/errors#start_must_be_non_negative</id>
    <title>Error</title>
    <updated>2025-09-20T12:00:00Z</updated>
    <link href="https://arxiv.org/api/errors#start_must_be_non_negative" rel="alternate" type="text/html"/>
    <summary>start must be non-negative</summary>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
</feed>
"""


# --- fixtures and helpers -------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _never_the_internet(monkeypatch, tmp_path):
    """Whatever a test forgets to pass, nothing leaves this machine and no pause is 3 s."""
    dead = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("PAPERS_HF_BASE_URL", dead)
    monkeypatch.setenv("PAPERS_ARXIV_BASE_URL", dead)
    monkeypatch.setenv("PAPERS_ARXIV_DELAY", "0")
    monkeypatch.setenv("PAPERS_DATA", str(tmp_path / "default-data"))
    monkeypatch.delenv("PAPERS_READONLY", raising=False)
    monkeypatch.delenv("PAPERS_DB_URL", raising=False)  # the upvote snapshots: DIR/team.sqlite3
    yield
    from lib.team import db

    db.close_all()


@pytest.fixture
def server():
    with ReplayServer() as replay:
        yield replay


@pytest.fixture
def data(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data) -> Store:
    return Store(data)


class Sleeps(list):
    """A recording sleep: remembers each pause, sleeps none of it."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def client(sleeps: Sleeps | None = None, **options) -> HttpClient:
    settings = {"timeout": 2.0, "retries": 3, "backoff": 0.01, **options}
    if sleeps is not None:
        settings["sleep"] = sleeps
    return HttpClient(**settings)


@pytest.fixture
def fast_defaults(monkeypatch):
    """The CLI builds its own HttpClient: make its backoff tiny (everything else as shipped)."""

    class Fast(fetch.HttpClient):
        def __init__(self, **options):
            super().__init__(**{"backoff": 0.01, "timeout": 2.0, **options})

    monkeypatch.setattr(fetch, "HttpClient", Fast)


def serve_hf(server: ReplayServer, days=HF_DAYS) -> None:
    for day, items in days.items():
        server.add(fetch.hf_url(server.url, day), Reply.json(items))


def rows(store: Store) -> dict[str, dict]:
    return {row["id"]: row for row in store.read_table().to_pylist()}


def snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def one_line(text: str) -> bool:
    return "\n" not in text.strip() and text.strip() != ""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def hf_dates(server: ReplayServer) -> list[str]:
    return [r.query["date"] for r in server.log(HF_PATH)]


# --- Hugging Face: success ----------------------------------------------------------------------
def test_hf_day_range_imports_papers_on_the_requested_day_and_saves_raw(server, store, data):
    serve_hf(server)
    report = fetch.fetch_hf(store, [DAY1, DAY2, DAY3], base=server.url, client=client(), today=TODAY)

    assert report.fetched == ["2025-09-08.json", "2025-09-09.json", "2025-09-10.json"]
    assert report.skipped == []
    assert report.imported.counts.added == 6 and report.imported.rejected == []
    # one request per day, with the documented query and our User-Agent
    log = server.log()
    assert [(r.path, r.query) for r in log] == [
        (HF_PATH, {"date": day.isoformat(), "limit": "100", "p": "0"}) for day in (DAY1, DAY2, DAY3)
    ]
    assert all(r.headers["User-Agent"].startswith("papers-dashboard/") for r in log)
    # the raw responses, beside the store, named by day
    for day, items in HF_DAYS.items():
        raw = data / "raw" / "hf" / f"{day.isoformat()}.json"
        assert json.loads(raw.read_bytes()) == items
    # the listing day is the requested day, not submittedOnDailyAt (the day before) nor publishedAt
    table = rows(store)
    assert set(table) == {item["paper"]["id"] for items in HF_DAYS.values() for item in items}
    for day, items in HF_DAYS.items():
        for item in items:
            row = table[item["paper"]["id"]]
            assert row["date"].date() == day and row["listed"] is True
            assert row["published"].date() == day - dt.timedelta(days=4)
            assert row["title"] == item["paper"]["title"]
            assert row["upvotes"] == item["paper"].get("upvotes", 0)
            assert row["sources"] == ["hf"] and row["hf_day"] == row["date"]
    assert table["2509.05501"]["authors"] == ["Mei Tanaka", "Oskar Lund"]


def test_hf_base_url_comes_from_the_environment(server, store, monkeypatch):
    serve_hf(server, {DAY1: HF_DAYS[DAY1]})
    monkeypatch.setenv("PAPERS_HF_BASE_URL", server.url + "/")  # a trailing slash is fine
    report = fetch.fetch_hf(store, [DAY1], client=client(), today=TODAY)
    assert report.imported.counts.added == 2
    assert hf_dates(server) == ["2025-09-08"]


def test_hf_pages_while_a_page_comes_back_full(server, store, data, monkeypatch):
    monkeypatch.setattr(fetch, "HF_PAGE_SIZE", 2)
    full = [hf_item("2509.05501", "Page One A", DAY1, 5), hf_item("2509.05502", "Page One B", DAY1, 4)]
    short = [hf_item("2509.05503", "Page Two A", DAY1, 3)]
    server.add(fetch.hf_url(server.url, DAY1, 0), Reply.json(full))
    server.add(fetch.hf_url(server.url, DAY1, 1), Reply.json(short))
    # a day whose last page is exactly full: one more (empty) page is asked for
    server.add(
        fetch.hf_url(server.url, DAY2, 0),
        Reply.json([hf_item("2509.06601", "Exact A", DAY2), hf_item("2509.06602", "Exact B", DAY2)]),
    )
    server.add(fetch.hf_url(server.url, DAY2, 1), Reply.json([]))

    report = fetch.fetch_hf(store, [DAY1, DAY2], base=server.url, client=client(), today=TODAY)

    assert [(r.query["date"], r.query["p"], r.query["limit"]) for r in server.log()] == [
        ("2025-09-08", "0", "2"),
        ("2025-09-08", "1", "2"),
        ("2025-09-09", "0", "2"),
        ("2025-09-09", "1", "2"),
    ]
    assert server.unmatched() == []
    assert json.loads((data / "raw" / "hf" / "2025-09-08.json").read_bytes()) == full + short
    assert report.imported.counts.added == 5
    assert {k: v["date"].date() for k, v in rows(store).items()} == {
        "2509.05501": DAY1,
        "2509.05502": DAY1,
        "2509.05503": DAY1,
        "2509.06601": DAY2,
        "2509.06602": DAY2,
    }


# --- retries ---------------------------------------------------------------------------------------
def test_429_waits_as_retry_after_says_then_succeeds(server, store, sleeps):
    server.add(fetch.hf_url(server.url, DAY1), Reply.status(429, retry_after=2), Reply.json(HF_DAYS[DAY1]))
    report = fetch.fetch_hf(store, [DAY1], base=server.url, client=client(sleeps), today=TODAY)
    assert hf_dates(server) == ["2025-09-08", "2025-09-08"]
    assert sleeps == [2.0]  # Retry-After beats the (tiny) backoff
    assert report.imported.counts.added == 2


def test_429_without_retry_after_backs_off_exponentially(server, store):
    server.add(fetch.hf_url(server.url, DAY1), Reply.status(429), Reply.status(429), Reply.json(HF_DAYS[DAY1]))
    started = time.monotonic()
    report = fetch.fetch_hf(store, [DAY1], base=server.url, client=client(backoff=0.01), today=TODAY)  # real sleep
    assert time.monotonic() - started < 5
    assert len(server.log()) == 3
    assert report.imported.counts.added == 2


def test_500_until_retries_are_exhausted_is_a_clear_error_and_the_store_is_unchanged(server, store, data, sleeps):
    serve_hf(server, {DAY1: HF_DAYS[DAY1]})
    fetch.fetch_hf(store, [DAY1], base=server.url, client=client(), today=TODAY)
    before = snapshot(data)
    server.add(fetch.hf_url(server.url, DAY2), Reply.status(500))
    server.clear_log()

    with pytest.raises(FetchError) as caught:
        fetch.fetch_hf(store, [DAY2], base=server.url, client=client(sleeps, retries=3), today=TODAY)

    message = str(caught.value)
    assert one_line(message)
    assert "giving up after 4 attempts" in message and "HTTP 500" in message and "date=2025-09-09" in message
    assert hf_dates(server) == ["2025-09-09"] * 4
    assert sleeps == pytest.approx([0.01, 0.02, 0.04])  # doubled each time
    assert snapshot(data) == before  # table, raw files, artifacts: byte for byte


def test_500_through_the_cli_is_one_line_and_exit_2(server, data, fast_defaults):
    server.add(fetch.hf_url(server.url, DAY1), Reply.status(503))
    code, out, err = run("fetch", "hf", "--from", "2025-09-08", "--base-url", server.url, "--data", str(data))
    assert code == 2 and out == ""
    assert one_line(err) and err.startswith("error: ") and "giving up after 5 attempts (HTTP 503)" in err
    assert len(server.log()) == 5
    assert not Store(data).exists() and not (data / "raw").exists()


def test_a_client_error_is_not_retried(server, store, sleeps):
    server.add(fetch.hf_url(server.url, DAY1), Reply.json({"error": "Invalid date"}, code=400))
    with pytest.raises(FetchError, match=r"HTTP 400 Bad Request") as caught:
        fetch.fetch_hf(store, [DAY1], base=server.url, client=client(sleeps), today=TODAY)
    assert one_line(str(caught.value))
    assert len(server.log()) == 1 and sleeps == []


def test_a_truncated_body_is_retried(server, store, sleeps):
    good = Reply.json(HF_DAYS[DAY1])
    server.add(fetch.hf_url(server.url, DAY1), Reply.truncated(good, keep=20, missing=500), good)
    report = fetch.fetch_hf(store, [DAY1], base=server.url, client=client(sleeps), today=TODAY)
    assert len(server.log()) == 2 and sleeps == [0.01]
    assert report.imported.counts.added == 2


def test_a_body_truncated_every_time_gives_up_with_its_reason(server, store, sleeps, data):
    server.add(fetch.hf_url(server.url, DAY1), Reply.truncated(Reply.json(HF_DAYS[DAY1])))
    with pytest.raises(FetchError) as caught:
        fetch.fetch_hf(store, [DAY1], base=server.url, client=client(sleeps, retries=1), today=TODAY)
    message = str(caught.value)
    assert one_line(message) and "giving up after 2 attempts" in message
    assert "IncompleteRead" in message or "truncated" in message
    assert not (data / "raw").exists()


def test_a_slow_answer_times_out_is_retried_and_then_succeeds(server, store, sleeps):
    good = Reply.json(HF_DAYS[DAY1])
    server.add(fetch.hf_url(server.url, DAY1), Reply.slow(good, delay=1.5), good)
    started = time.monotonic()
    report = fetch.fetch_hf(store, [DAY1], base=server.url, client=client(sleeps, timeout=0.3), today=TODAY)
    assert time.monotonic() - started < 1.4  # did not wait for the slow answer
    assert len(server.log()) == 2 and sleeps == [0.01]
    assert report.imported.counts.added == 2


def test_a_timeout_every_time_says_so(server, store, sleeps):
    server.add(fetch.hf_url(server.url, DAY1), Reply.slow(Reply.json([]), delay=1.0))
    with pytest.raises(FetchError, match=r"giving up after 2 attempts \(no answer within 0.2 s\)") as caught:
        fetch.fetch_hf(store, [DAY1], base=server.url, client=client(sleeps, timeout=0.2, retries=1), today=TODAY)
    assert one_line(str(caught.value))


# --- offline ------------------------------------------------------------------------------------------
def test_a_closed_port_is_a_clear_offline_message_without_retries(store, sleeps, data):
    port = closed_port()
    with pytest.raises(FetchError) as caught:
        fetch.fetch_hf(store, [DAY1], base=f"http://127.0.0.1:{port}", client=client(sleeps), today=TODAY)
    message = str(caught.value)
    assert one_line(message)
    assert message.startswith(f"cannot reach 127.0.0.1:{port}") and "offline?" in message
    assert sleeps == [] and not data.exists()


def test_an_unresolvable_host_is_a_clear_offline_message(store, sleeps):
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch.fetch_hf(store, [DAY1], base="http://papers-replay.invalid", client=client(sleeps), today=TODAY)
    assert time.monotonic() - started < 15
    assert one_line(str(caught.value))
    assert str(caught.value).startswith("cannot reach papers-replay.invalid") and "offline?" in str(caught.value)


def test_offline_through_the_cli(data):
    port = closed_port()
    code, out, err = run(
        "fetch",
        "arxiv",
        "--category",
        "cs.CL",
        "--from",
        "2025-09-08",
        "--base-url",
        f"http://127.0.0.1:{port}",
        "--data",
        str(data),
    )
    assert code == 2 and out == ""
    assert one_line(err) and err.startswith(f"error: cannot reach 127.0.0.1:{port}") and "offline?" in err


# --- bounds: a misbehaving upstream never holds a run for long ---------------------------------------------
# Each test sets the bound small: the defaults (30 s an answer, 120 s a wait, 64 MB, 50 pages, an hour a run)
# are the same code with larger numbers.
def test_a_server_dripping_a_byte_at_a_time_is_cut_at_the_whole_answer_timeout(server, store, sleeps):
    body = Reply.json(HF_DAYS[DAY1])
    assert len(body.body) * 0.05 > 20  # sent whole, the answer would take that many seconds
    server.add(fetch.hf_url(server.url, DAY1), Reply.drip(body, every=0.05))  # no read waits 0.5 s: no socket timeout
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"giving up after 2 attempts \(no answer within 0.5 s\)") as caught:
        fetch.fetch_hf(store, [DAY1], base=server.url, client=client(sleeps, timeout=0.5, retries=1), today=TODAY)
    assert time.monotonic() - started < 2.5
    assert one_line(str(caught.value)) and len(server.log()) == 2


def test_a_dripping_server_through_the_cli_is_one_line_and_exit_2(server, data, monkeypatch):
    server.add(fetch.hf_url(server.url, DAY1), Reply.drip(Reply.json(HF_DAYS[DAY1]), every=0.05))
    monkeypatch.setenv("PAPERS_FETCH_TIMEOUT", "0.3")
    monkeypatch.setenv("PAPERS_FETCH_MAX_SECONDS", "2")
    started = time.monotonic()
    code, out, err = run("fetch", "hf", "--from", "2025-09-08", "--base-url", server.url, "--data", str(data))
    assert time.monotonic() - started < 4
    assert code == 2 and out == "" and one_line(err) and err.startswith("error: ")
    assert "no answer within 0.3 s" in err or "limit of one run (2 s" in err
    assert not (data / "raw").exists()


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "no-length"])
def test_an_answer_larger_than_max_bytes_is_refused_without_being_read_whole(server, store, data, declared):
    import tracemalloc

    server.add(fetch.hf_url(server.url, DAY1), Reply.huge(200_000_000, declared=declared))
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match=r"the answer is larger than 1,000,000 bytes") as caught:
            fetch.fetch_hf(store, [DAY1], base=server.url, client=client(max_bytes=1_000_000), today=TODAY)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 3 and peak < 20_000_000  # not 200 MB read into memory
    assert one_line(str(caught.value)) and "PAPERS_FETCH_MAX_BYTES" in str(caught.value)
    assert len(server.log()) == 1 and not (data / "raw").exists()  # not retried, nothing kept


def test_hf_pages_that_never_end_stop_at_max_pages(server, store, data, monkeypatch):
    monkeypatch.setattr(fetch, "HF_PAGE_SIZE", 2)
    for page in range(40):  # every page full, each with new papers: an upstream that pages forever
        items = [hf_item(f"2509.{10000 + 2 * page + n}", f"Endless {page} {n}", DAY1) for n in (0, 1)]
        server.add(fetch.hf_url(server.url, DAY1, page), Reply.json(items))
    with pytest.raises(FetchError, match=r"Hugging Face 2025-09-08: every page came back full, 5 pages") as caught:
        fetch.fetch_hf(store, [DAY1], base=server.url, client=client(max_pages=5), today=TODAY)
    assert one_line(str(caught.value))
    assert [r.query["p"] for r in server.log()] == ["0", "1", "2", "3", "4"]
    assert not (data / "raw").exists() and not Store(data).exists()


def test_hf_answering_every_page_with_the_same_full_page_stops_at_the_second(server, store, monkeypatch):
    monkeypatch.setattr(fetch, "HF_PAGE_SIZE", 2)
    server.add_path(HF_PATH, Reply.json(HF_DAYS[DAY1][:2]))  # whatever p asks for
    with pytest.raises(FetchError, match=r"answered page 1 of 2025-09-08 with page 0 again"):
        fetch.fetch_hf(store, [DAY1], base=server.url, client=client(), today=TODAY)
    assert len(server.log()) == 2


def test_arxiv_pages_that_never_end_stop_at_max_pages(server, store, monkeypatch):
    monkeypatch.setattr(fetch, "ARXIV_PAGE_SIZE", 2)
    server.add_path(ARXIV_PATH, Reply.xml(atom_feed(ARXIV_ENTRIES[:2])))  # full, whatever start asks for
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"arXiv cs.CL 2025-09-08: every page came back full, 3 pages"):
        fetch.fetch_arxiv(store, "cs.CL", [DAY1], base=server.url, client=client(max_pages=3), today=TODAY)
    assert time.monotonic() - started < 3
    assert [r.query["start"] for r in server.log()] == ["0", "2", "4"]


def test_a_retry_after_longer_than_max_wait_gives_up_at_once(server, store):
    server.add(fetch.hf_url(server.url, DAY1), Reply.status(429, retry_after=3600), Reply.json(HF_DAYS[DAY1]))
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch.fetch_hf(store, [DAY1], base=server.url, client=client(max_wait=2), today=TODAY)  # real sleep
    assert time.monotonic() - started < 2
    message = str(caught.value)
    assert one_line(message) and "HTTP 429 asks to wait 3600 s, longer than the longest wait (2 s" in message
    assert len(server.log()) == 1


def test_a_retry_after_given_as_a_date_is_honoured(server, store, sleeps):
    from email.utils import format_datetime

    when = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30), usegmt=True)
    server.add(fetch.hf_url(server.url, DAY1), Reply.status(429, retry_after=when), Reply.json(HF_DAYS[DAY1]))
    fetch.fetch_hf(store, [DAY1], base=server.url, client=client(sleeps), today=TODAY)
    assert len(sleeps) == 1 and 25 < sleeps[0] <= 30


def test_the_backoff_never_waits_longer_than_max_wait(server, store, sleeps):
    failing = [Reply.status(429, retry_after=100), Reply.status(503), Reply.status(503), Reply.status(503)]
    server.add(fetch.hf_url(server.url, DAY1), *failing, Reply.json(HF_DAYS[DAY1]))
    fetch.fetch_hf(store, [DAY1], base=server.url, client=client(sleeps, retries=4, max_wait=120), today=TODAY)
    assert sleeps == [100, 120, 120, 120]  # doubling from Retry-After would wait 100, 200, 400, 800 s


def test_the_whole_run_stops_at_max_seconds_and_a_rerun_continues(server, data):
    days = [DAY1 + dt.timedelta(days=n) for n in range(10)]
    for n, day in enumerate(days):
        answer = Reply.json([hf_item(f"2509.{20000 + n}", f"Slow day {n}", day)])
        server.add(fetch.hf_url(server.url, day), Reply.slow(answer, delay=0.3))
    argv = ["fetch", "hf", "--from", str(days[0]), "--to", str(days[-1]), "--base-url", server.url, "--data", str(data)]
    started = time.monotonic()
    code, out, err = run(*argv, "--max-seconds", "1")
    assert time.monotonic() - started < 2.5  # ten days of 0.3 s answers: 3 s without the bound
    *notes, last = err.splitlines()  # a line per day downloaded, then the error
    assert code == 2 and out == "" and all(note.startswith("  Hugging Face 2025-09-") for note in notes)
    assert last.startswith("error: stopped at the limit of one run (1 s: --max-seconds or PAPERS_FETCH_MAX_SECONDS)")
    saved = sorted(path.name for path in (data / "raw" / "hf").iterdir())
    assert 1 <= len(saved) < len(days)

    code, out, err = run(*argv)
    assert code == 0, err
    assert f"downloaded {len(days) - len(saved)} response(s), {len(saved)} already here" in out
    assert len(rows(Store(data))) == len(days)


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("PAPERS_FETCH_MAX_BYTES", "lots", "PAPERS_FETCH_MAX_BYTES='lots': not a positive whole number"),
        ("PAPERS_FETCH_MAX_SECONDS", "-1", "PAPERS_FETCH_MAX_SECONDS='-1': not a positive number"),
        ("PAPERS_FETCH_TIMEOUT", "inf", "PAPERS_FETCH_TIMEOUT='inf': not a positive number"),
    ],
)
def test_a_bad_bound_in_the_environment_is_one_line(server, data, monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    code, _, err = run("fetch", "hf", "--from", "2025-09-08", "--base-url", server.url, "--data", str(data))
    assert code == 2 and err == f"error: {expected}\n" and server.log() == []


@pytest.mark.parametrize("value", ["0", "soon", "-3", "999999999"])
def test_cli_max_seconds_must_be_a_number_of_seconds(server, data, capsys, value):
    with pytest.raises(SystemExit) as exited:
        run("fetch", "hf", "--from", "2025-09-08", "--max-seconds", value, "--base-url", server.url)
    assert exited.value.code == 2 and "not a number of seconds" in capsys.readouterr().err


def test_a_deeply_nested_answer_is_one_line_and_exit_2(server, data):
    server.add(fetch.hf_url(server.url, DAY1), Reply(200, b"[" * 100_000 + b"]" * 100_000))
    code, out, err = run("fetch", "hf", "--from", "2025-09-08", "--base-url", server.url, "--data", str(data))
    assert code == 2 and out == "" and one_line(err)
    assert err.startswith("error: ") and "not JSON (or nested too deep)" in err
    assert not (data / "raw").exists()


@pytest.mark.parametrize(
    "base", ["ftp://mirror.example", "http://[::1", "http://127.0.0.1:port", "mirror.example", "http://h\x1bost"]
)
@pytest.mark.parametrize("source", ["hf", "arxiv"])
def test_a_base_url_that_is_no_http_url_is_one_line_and_exit_2(data, base, source):
    extra = ["--category", "cs.CL"] if source == "arxiv" else []
    code, out, err = run("fetch", source, *extra, "--from", "2025-09-08", "--base-url", base, "--data", str(data))
    assert code == 2 and out == "" and one_line(err) and "\x1b" not in err
    assert err.startswith("error: --base-url ") and "not an http(s) URL" in err


# --- Hugging Face: resumption -------------------------------------------------------------------
def test_a_second_run_skips_finished_days_and_imports_them_again_idempotently(server, store, data):
    serve_hf(server)
    days = [DAY1, DAY2, DAY3]
    first = fetch.fetch_hf(store, days, base=server.url, client=client(), today=TODAY)
    version = store.version()
    table_bytes = table_state(data)
    server.clear_log()

    second = fetch.fetch_hf(store, days, base=server.url, client=client(), today=TODAY)

    assert server.log() == []  # nothing downloaded again
    assert second.fetched == [] and second.skipped == first.fetched
    assert second.imported.counts.added == 0 and second.imported.counts.unchanged == 6
    assert second.imported.version is None and store.version() == version
    assert table_state(data) == table_bytes


def test_an_interrupted_range_resumes_where_it_stopped(server, store):
    serve_hf(server, {DAY1: HF_DAYS[DAY1], DAY3: HF_DAYS[DAY3]})
    server.add(fetch.hf_url(server.url, DAY2), Reply.status(500))
    with pytest.raises(FetchError):
        fetch.fetch_hf(store, [DAY1, DAY2, DAY3], base=server.url, client=client(Sleeps(), retries=0), today=TODAY)
    assert store.raw_exists("hf", "2025-09-08.json") and not store.raw_exists("hf", "2025-09-09.json")
    server.add(fetch.hf_url(server.url, DAY2), Reply.json(HF_DAYS[DAY2]))  # upstream is back
    server.clear_log()

    report = fetch.fetch_hf(store, [DAY1, DAY2, DAY3], base=server.url, client=client(), today=TODAY)

    assert hf_dates(server) == ["2025-09-09", "2025-09-10"]
    assert report.skipped == ["2025-09-08.json"] and report.imported.counts.added == 6


def test_todays_list_is_fetched_again_because_it_still_grows(server, store):
    serve_hf(server, {DAY1: HF_DAYS[DAY1], DAY2: HF_DAYS[DAY2]})
    fetch.fetch_hf(store, [DAY1, DAY2], base=server.url, client=client(), today=DAY2)
    grown = HF_DAYS[DAY2] + [hf_item("2509.06602", "Posted Later Today", DAY2, 1)]
    grown[0] = hf_item("2509.06601", "Sparse Routers Revisited", DAY2, 30)  # upvotes grew too
    server.add(fetch.hf_url(server.url, DAY2), Reply.json(grown))
    server.clear_log()

    report = fetch.fetch_hf(store, [DAY1, DAY2], base=server.url, client=client(), today=DAY2)

    assert hf_dates(server) == ["2025-09-09"]
    assert report.skipped == ["2025-09-08.json"] and report.fetched == ["2025-09-09.json"]
    assert report.imported.counts.added == 1 and report.imported.counts.updated == 1
    assert rows(store)["2509.06601"]["upvotes"] == 30


def test_since_last_continues_from_the_newest_stored_day(server, data):
    today = fetch.utc_today()  # the CLI's today
    days = [today - dt.timedelta(days=n) for n in (3, 2, 1, 0)]
    responses = {day: [hf_item(f"2601.{n:05d}", f"Paper of day {n}", day, n + 1)] for n, day in enumerate(days)}
    serve_hf(server, responses)
    fetch.fetch_hf(Store(data), days[:2], base=server.url, client=client(), today=today)
    server.clear_log()

    code, out, err = run("fetch", "hf", "--since-last", "--base-url", server.url, "--data", str(data))

    assert code == 0, err
    # the newest stored day (finished: skipped), then the days after it up to today
    assert hf_dates(server) == [days[2].isoformat(), days[3].isoformat()]
    assert "downloaded 2 response(s), 1 already here" in out and "added 2, updated 0, unchanged 1" in out
    assert {row["date"].date() for row in rows(Store(data)).values()} == set(days)


def test_since_last_needs_papers_in_the_store(server, data):
    code, _, err = run("fetch", "hf", "--since-last", "--base-url", server.url, "--data", str(data))
    assert code == 2 and one_line(err) and "--since-last needs papers in the store" in err
    assert server.log() == []


# --- Hugging Face: upvote snapshots and --refresh ------------------------------------------------------
def history(data: Path) -> list[tuple[str, dt.date, int]]:
    from lib.team.db import TeamDB

    frame = TeamDB.open(data).upvote_history()
    return [(r.id, r.day.date(), r.upvotes) for r in frame.itertuples()]


def test_each_fetch_keeps_a_snapshot_dated_by_the_fetch_and_refresh_moves_the_upvotes(server, store, data):
    serve_hf(server)
    first = fetch.fetch_hf(store, [DAY1, DAY2, DAY3], base=server.url, client=client(), today=TODAY)
    assert (first.snapshots, first.snapshot_day) == (6, TODAY)
    # the fetch's day, not the listing day; a count the API leaves out is 0
    assert history(data) == sorted(
        (item["paper"]["id"], TODAY, item["paper"].get("upvotes", 0)) for items in HF_DAYS.values() for item in items
    )

    # the next day, upvotes have grown: without --refresh the saved days are skipped, nothing is recorded
    grown = [hf_item("2509.07701", "Long Context Without Tears", DAY3, 4), *HF_DAYS[DAY3][1:]]
    grown[1] = hf_item("2509.07702", "Tokenizers Are Models Too", DAY3, 120)
    server.add(fetch.hf_url(server.url, DAY3), Reply.json(grown))
    server.clear_log()
    later = TODAY + dt.timedelta(days=1)
    skipped = fetch.fetch_hf(store, [DAY1, DAY2, DAY3], base=server.url, client=client(), today=later)
    assert server.log() == [] and skipped.snapshots == 0 and skipped.snapshot_day is None
    assert len(history(data)) == 6

    # --refresh 2: the last two days are downloaded again, their upvotes recorded for that day
    refreshed = fetch.fetch_hf(store, [DAY1, DAY2, DAY3], base=server.url, client=client(), today=later, refresh=2)
    assert hf_dates(server) == ["2025-09-09", "2025-09-10"]
    assert refreshed.fetched == refreshed.refreshed == ["2025-09-09.json", "2025-09-10.json"]
    assert refreshed.skipped == ["2025-09-08.json"]
    assert refreshed.imported.counts.updated == 2  # 07701: 0 -> 4, 07702: 99 -> 120
    assert (refreshed.snapshots, refreshed.snapshot_day) == (4, later)
    table = rows(store)
    assert table["2509.07702"]["upvotes"] == 120 and table["2509.07701"]["upvotes"] == 4
    snaps = history(data)
    assert [s for s in snaps if s[0] == "2509.07702"] == [("2509.07702", TODAY, 99), ("2509.07702", later, 120)]
    assert [s for s in snaps if s[0] == "2509.05501"] == [("2509.05501", TODAY, 41)]  # not refreshed
    assert len(snaps) == 10

    # a second fetch on the same day replaces that day's snapshot
    server.add(
        fetch.hf_url(server.url, DAY3), Reply.json([hf_item("2509.07702", "Tokenizers Are Models Too", DAY3, 125)])
    )
    fetch.fetch_hf(store, [DAY3], base=server.url, client=client(), today=later, refresh=1)
    assert [s for s in history(data) if s[0] == "2509.07702"] == [
        ("2509.07702", TODAY, 99),
        ("2509.07702", later, 125),
    ]


def test_snapshots_hold_the_ids_the_table_holds_and_skip_rejected_items(server, store, data):
    items = [
        hf_item("2509.05501v2", "Versioned Id", DAY1, 5),  # the table drops the version
        {**hf_item("2509.05502", "", DAY1, 8), "title": ""},  # no title: rejected by the import
        {"not": "a paper"},
    ]
    items[1]["paper"]["title"] = ""
    server.add(fetch.hf_url(server.url, DAY1), Reply.json(items))
    report = fetch.fetch_hf(store, [DAY1], base=server.url, client=client(), today=TODAY)
    assert set(rows(store)) == {"2509.05501"}
    assert history(data) == [("2509.05501", TODAY, 5)] and report.snapshots == 1


def test_cli_refresh_with_since_last_downloads_the_last_days_again(server, data):
    today = fetch.utc_today()
    days = [today - dt.timedelta(days=n) for n in (4, 3, 2, 1, 0)]
    serve_hf(server, {day: [hf_item(f"2601.{n:05d}", f"Paper {n}", day, 10 + n)] for n, day in enumerate(days)})
    fetch.fetch_hf(Store(data), days[:3], base=server.url, client=client(), today=today - dt.timedelta(days=1))
    serve_hf(server, {day: [hf_item(f"2601.{n:05d}", f"Paper {n}", day, 50 + n)] for n, day in enumerate(days)})
    server.clear_log()

    code, out, err = run("fetch", "hf", "--since-last", "--refresh", "4", "--base-url", server.url, "--data", str(data))

    assert code == 0, err
    # --since-last: from the newest stored day (today - 2); --refresh 4 reaches back to today - 3
    assert hf_dates(server) == [day.isoformat() for day in days[1:]]
    assert out.startswith("downloaded 4 response(s) (2 again, for their upvotes), 0 already here")
    assert f"upvotes of 4 paper(s) recorded for {today}" in out
    table = rows(Store(data))
    assert [table[f"2601.{n:05d}"]["upvotes"] for n in range(5)] == [10, 51, 52, 53, 54]
    assert sorted((i, day, up) for i, day, up in history(data) if day == today) == [
        (f"2601.{n:05d}", today, 50 + n) for n in range(1, 5)
    ]


def test_cli_refresh_with_a_day_range_reaches_back_from_its_last_day(server, data):
    serve_hf(server)
    code, out, err = run(
        "fetch", "hf", "--from", "2025-09-10", "--refresh", "3", "--base-url", server.url, "--data", str(data)
    )
    assert code == 0, err
    assert hf_dates(server) == ["2025-09-08", "2025-09-09", "2025-09-10"]
    server.clear_log()
    code, out, _ = run("fetch", "hf", "--from", "2025-09-09", "--to", "2025-09-10", "--refresh", "1",
                       "--base-url", server.url, "--data", str(data))  # fmt: skip
    assert code == 0 and hf_dates(server) == ["2025-09-10"]
    assert out.startswith("downloaded 1 response(s) (1 again, for their upvotes), 1 already here")


@pytest.mark.parametrize("value", ["-1", "x", "400", "1.5"])
def test_cli_refresh_must_be_a_number_of_days(server, data, capsys, value):
    with pytest.raises(SystemExit) as caught:
        main(["fetch", "hf", "--refresh", value, "--base-url", server.url, "--data", str(data)],
             out=io.StringIO(), err=io.StringIO())  # fmt: skip
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert one_line(err) and "--refresh" in err
    assert server.log() == []


def test_cli_refresh_keeps_the_check_of_the_range(server, data):
    code, _, err = run("fetch", "hf", "--from", "2025-09-08", "--to", "2025-09-01", "--refresh", "14",
                         "--base-url", server.url, "--data", str(data))  # fmt: skip
    assert code == 2 and err == "error: --to 2025-09-01 is before --from 2025-09-08\n" and server.log() == []


@pytest.mark.parametrize("source", [["hf", "--refresh", "3"], ["arxiv", "--category", "cs.CL"]])
def test_a_read_only_store_fetches_nothing(server, data, monkeypatch, source):
    serve_hf(server)
    monkeypatch.setenv("PAPERS_READONLY", "1")
    code, out, err = run("fetch", *source, "--from", "2025-09-10", "--base-url", server.url, "--data", str(data))
    assert (code, out) == (2, "") and one_line(err) and "read-only" in err
    assert server.log() == [] and not data.exists()
    with pytest.raises(PapersError, match="read-only"):
        fetch.fetch_hf(Store(data), [DAY1], base=server.url, client=client(), today=TODAY)
    assert server.log() == []


@pytest.mark.parametrize(
    "failure", [TeamError("the team database sqlite:///x cannot be used: disk I/O error"), RuntimeError("boom")]
)
def test_when_the_snapshots_cannot_be_saved_the_import_stands_and_says_so(server, data, monkeypatch, failure):
    from lib.team.db import TeamDB

    def broken(self, snapshots, day):
        raise failure

    monkeypatch.setattr(TeamDB, "record_upvotes", broken)
    serve_hf(server, {DAY1: HF_DAYS[DAY1]})
    code, out, err = run("fetch", "hf", "--from", "2025-09-08", "--base-url", server.url, "--data", str(data))

    version = Store(data).version()
    assert code == 2
    assert out.splitlines()[1] == f"added 2, updated 0, unchanged 0, rejected 0; store written as version {version}"
    assert one_line(err.splitlines()[-1]) and err.splitlines()[-1].startswith(
        f"error: the upvote snapshots of {fetch.utc_today()} were not saved ("
    )
    assert f"the import is committed (store version {version})" in err
    assert ("disk I/O error" if isinstance(failure, TeamError) else "RuntimeError: boom") in err
    assert "Traceback" not in err
    assert set(rows(Store(data))) == {"2509.05501", "2509.05502"}


# --- Hugging Face: answers that are not papers ------------------------------------------------------
def test_the_hf_error_json_is_a_clear_one_line_error(server, store, data):
    server.add(fetch.hf_url(server.url, DAY1), Reply.json({"error": "Invalid date:\n expected\tYYYY-MM-DD"}))
    with pytest.raises(FetchError) as caught:
        fetch.fetch_hf(store, [DAY1], base=server.url, client=client(), today=TODAY)
    message = str(caught.value)
    assert message == "Hugging Face answered for 2025-09-08: Invalid date: expected YYYY-MM-DD"
    assert not (data / "raw").exists()  # an error is never saved as a finished day


def test_an_answer_that_is_not_json_is_a_clear_error(server, store, data):
    server.add(fetch.hf_url(server.url, DAY1), Reply(200, b"<html>maintenance</html>"))
    with pytest.raises(FetchError, match="the answer is not JSON") as caught:
        fetch.fetch_hf(store, [DAY1], base=server.url, client=client(), today=TODAY)
    assert one_line(str(caught.value)) and not (data / "raw").exists()


# --- arXiv ---------------------------------------------------------------------------------------------
ARXIV_ENTRIES = [
    atom_entry("2509.10001", "Counterfactual Replay Buffers", DAY1, ("cs.CL", "cs.LG"), ("Ines Duarte", "Wei Zhang")),
    atom_entry("2509.10002", "Parsing & Tagging <Again>", DAY1),
    atom_entry("2509.10003", "Whispering Gallery Models", DAY1),
    atom_entry("2509.10004", "Glassy Relaxation of Prompts", DAY1),
    atom_entry("2509.10005", "The Last Entry of the Day", DAY1),
]


def serve_arxiv_pages(server: ReplayServer, day: dt.date, entries: list[str], size: int, category="cs.CL"):
    for start in range(0, len(entries) + 1, size):
        page = entries[start : start + size]
        if page or start == 0 or len(entries) % size == 0:
            server.add(
                fetch.arxiv_url(server.url, category, day, start), Reply.xml(atom_feed(page, start, len(entries)))
            )


def test_arxiv_pages_with_start_and_a_category_day_query(server, store, data, monkeypatch):
    monkeypatch.setattr(fetch, "ARXIV_PAGE_SIZE", 2)
    serve_arxiv_pages(server, DAY1, ARXIV_ENTRIES, 2)

    report = fetch.fetch_arxiv(store, "cs.CL", [DAY1], base=server.url, client=client(), today=TODAY)

    log = server.log(ARXIV_PATH)
    assert [r.query["start"] for r in log] == ["0", "2", "4"]
    for request in log:
        assert request.query["search_query"] == "cat:cs.CL AND submittedDate:[202509080000 TO 202509082359]"
        assert request.query["max_results"] == "2"
        assert (request.query["sortBy"], request.query["sortOrder"]) == ("submittedDate", "ascending")
    assert server.unmatched() == []
    names = ["cs.CL/2025-09-08-00000.xml", "cs.CL/2025-09-08-00002.xml", "cs.CL/2025-09-08-00004.xml"]
    assert report.fetched == names
    for name in names:
        assert (data / "raw" / "arxiv" / name).read_bytes().startswith(b"<?xml")
    assert report.imported.counts.added == 5
    table = rows(store)
    assert sorted(table) == [f"2509.1000{i}" for i in range(1, 6)]
    assert table["2509.10001"]["categories"] == ["cs.CL", "cs.LG"]
    assert table["2509.10001"]["authors"] == ["Ines Duarte", "Wei Zhang"]
    assert table["2509.10002"]["title"] == "Parsing & Tagging <Again>"
    assert table["2509.10001"]["abstract"] == "Abstract of Counterfactual Replay Buffers over two lines."
    assert all(row["date"].date() == DAY1 and row["sources"] == ["arxiv"] for row in table.values())


def test_arxiv_urls_page_by_the_default_page_size():
    url = fetch.arxiv_url("https://mirror.example/", "cs.CL", DAY2, 200)
    assert url.startswith("https://mirror.example/api/query?")
    query = dict(__import__("urllib.parse").parse.parse_qsl(url.split("?", 1)[1]))
    assert query == {
        "search_query": "cat:cs.CL AND submittedDate:[202509090000 TO 202509092359]",
        "start": "200",
        "max_results": "200",
        "sortBy": "submittedDate",
        "sortOrder": "ascending",
    }


def test_arxiv_resumes_pages_already_saved(server, store, monkeypatch):
    monkeypatch.setattr(fetch, "ARXIV_PAGE_SIZE", 2)
    serve_arxiv_pages(server, DAY1, ARXIV_ENTRIES, 2)
    fetch.fetch_arxiv(store, "cs.CL", [DAY1], base=server.url, client=client(), today=TODAY)
    server.clear_log()
    report = fetch.fetch_arxiv(store, "cs.CL", [DAY1], base=server.url, client=client(), today=TODAY)
    assert server.log() == [] and len(report.skipped) == 3
    assert report.imported.counts.added == 0 and report.imported.counts.unchanged == 5


def test_arxiv_min_interval_between_requests_with_a_recording_sleep(server, store, sleeps, monkeypatch):
    monkeypatch.setattr(fetch, "ARXIV_PAGE_SIZE", 2)
    serve_arxiv_pages(server, DAY1, ARXIV_ENTRIES, 2)
    fetch.fetch_arxiv(store, "cs.CL", [DAY1], base=server.url, client=client(sleeps, min_interval=5.0), today=TODAY)
    assert len(server.log()) == 3
    assert len(sleeps) == 2 and all(4.0 < s <= 5.0 for s in sleeps)  # before the 2nd and 3rd requests only


def test_arxiv_delay_from_the_environment_spaces_real_requests(server, store, monkeypatch):
    monkeypatch.setattr(fetch, "ARXIV_PAGE_SIZE", 2)
    monkeypatch.setenv("PAPERS_ARXIV_DELAY", "0.2")
    monkeypatch.setenv("PAPERS_ARXIV_BASE_URL", server.url)
    serve_arxiv_pages(server, DAY1, ARXIV_ENTRIES, 2)
    serve_arxiv_pages(server, DAY2, [atom_entry("2509.20001", "Next Day", DAY2)], 2)

    fetch.fetch_arxiv(store, "cs.CL", [DAY1, DAY2], today=TODAY)  # the client of the environment

    times = [r.time for r in server.log()]
    assert len(times) == 4
    assert all(later - earlier >= 0.18 for earlier, later in pairwise(times))


def test_a_bad_arxiv_delay_in_the_environment_is_one_line(server, data, monkeypatch):
    monkeypatch.setenv("PAPERS_ARXIV_DELAY", "3s")
    code, out, err = run(
        "fetch", "arxiv", "--category", "cs.CL", "--from", "2025-09-08", "--base-url", server.url, "--data", str(data)
    )
    assert (code, out) == (2, "") and err == "error: PAPERS_ARXIV_DELAY='3s': not a number of seconds\n"
    assert server.log() == []


def test_the_arxiv_error_feed_is_a_clear_error_and_is_not_kept_as_a_finished_day(server, store, data):
    url = fetch.arxiv_url(server.url, "cs.CL", DAY1, 0)
    server.add(url, Reply.xml(ARXIV_ERROR_FEED))
    with pytest.raises(PapersError) as caught:
        fetch.fetch_arxiv(store, "cs.CL", [DAY1], base=server.url, client=client(), today=TODAY)
    message = str(caught.value)
    assert one_line(message) and message.startswith("arXiv cs.CL 2025-09-08 (start 0): ")
    assert "the arXiv API answered with an error: start must be non-negative" in message
    assert not store.exists() and not store.raw_exists("arxiv", "cs.CL/2025-09-08-00000.xml")

    # once arXiv answers properly, a rerun asks again (the error was no finished day)
    server.add(url, Reply.xml(atom_feed([atom_entry("2509.10001", "Back Again", DAY1)])))
    server.clear_log()
    report = fetch.fetch_arxiv(store, "cs.CL", [DAY1], base=server.url, client=client(), today=TODAY)
    assert len(server.log()) == 1
    assert report.imported.counts.added == 1


def test_an_arxiv_answer_that_is_not_a_feed_is_not_kept(server, store):
    url = fetch.arxiv_url(server.url, "cs.CL", DAY1, 0)
    server.add(url, Reply(200, b"<html><body>Rate exceeded.</body></html>"))
    with pytest.raises(PapersError) as caught:
        fetch.fetch_arxiv(store, "cs.CL", [DAY1], base=server.url, client=client(), today=TODAY)
    assert one_line(str(caught.value)) and "not an Atom feed" in str(caught.value)
    assert not store.raw_exists("arxiv", "cs.CL/2025-09-08-00000.xml")


@pytest.mark.parametrize(
    "category", ["cs CL", "cs.CL AND all:x", "cs.CL&start=-1", "../../etc", "", "CS.CL", "cs.CL/2025"]
)
def test_an_invalid_category_is_refused_before_any_request(server, store, category, data):
    with pytest.raises(PapersError, match="not an arXiv category"):
        fetch.fetch_arxiv(store, category, [DAY1], base=server.url, client=client(), today=TODAY)
    assert server.log() == [] and not data.exists()


@pytest.mark.parametrize("category", ["cs.CL", "hep-th", "astro-ph.CO", "math.AG", "quant-ph"])
def test_real_categories_are_accepted(server, store, category):
    server.add(fetch.arxiv_url(server.url, category, DAY1, 0), Reply.xml(atom_feed([])))
    report = fetch.fetch_arxiv(store, category, [DAY1], base=server.url, client=client(), today=TODAY)
    assert report.fetched == [f"{category}/2025-09-08-00000.xml"]


# --- the CLI ---------------------------------------------------------------------------------------------
def test_cli_fetch_hf_in_process(server, data):
    serve_hf(server, {DAY1: HF_DAYS[DAY1]})
    code, out, err = run(
        "fetch", "hf", "--from", "2025-09-08", "--to", "2025-09-08", "--base-url", server.url, "--data", str(data)
    )
    assert code == 0, err
    assert out.splitlines() == [
        f"downloaded 1 response(s), 0 already here (raw responses in {data.resolve() / 'raw'})",
        f"added 2, updated 0, unchanged 0, rejected 0; store written as version {Store(data).version()}",
        f"upvotes of 2 paper(s) recorded for {fetch.utc_today()}",
    ]
    assert "Hugging Face 2025-09-08: 2 papers" in err
    assert (data / "raw" / "hf" / "2025-09-08.json").is_file()

    code, out, _ = run("fetch", "hf", "--from", "2025-09-08", "--base-url", server.url, "--data", str(data))
    assert code == 0 and out.startswith("downloaded 0 response(s), 1 already here")
    assert "added 0, updated 0, unchanged 2" in out and "store unchanged" in out
    assert len(server.log()) == 1


def test_cli_fetch_arxiv_in_process(server, data, monkeypatch):
    monkeypatch.setattr(fetch, "ARXIV_PAGE_SIZE", 2)
    serve_arxiv_pages(server, DAY1, ARXIV_ENTRIES[:3], 2)
    serve_arxiv_pages(server, DAY2, [atom_entry("2509.20001", "Next Day", DAY2)], 2)
    code, out, err = run(
        "fetch",
        "arxiv",
        "--category",
        "cs.CL",
        "--from",
        "2025-09-08",
        "--to",
        "2025-09-09",
        "--base-url",
        server.url,
        "--data",
        str(data),
    )
    assert code == 0, err
    assert out.startswith("downloaded 3 response(s), 0 already here")
    assert "added 4, updated 0" in out
    assert "arXiv cs.CL 2025-09-08: 3 papers" in err and "arXiv cs.CL 2025-09-09: 1 papers" in err
    assert [(r.query["start"], r.query["search_query"][-29:]) for r in server.log()] == [
        ("0", "202509080000 TO 202509082359]"),
        ("2", "202509080000 TO 202509082359]"),
        ("0", "202509090000 TO 202509092359]"),
    ]


def test_cli_fetch_arxiv_refuses_a_bad_category_in_one_line(server, data):
    code, _, err = run(
        "fetch",
        "arxiv",
        "--category",
        "cs.CL OR all:*",
        "--from",
        "2025-09-08",
        "--base-url",
        server.url,
        "--data",
        str(data),
    )
    assert code == 2 and one_line(err) and "not an arXiv category" in err
    assert server.log() == []


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["hf", "--from", "2025-02-30"], "not a day (YYYY-MM-DD): '2025-02-30'"),
        (["hf", "--from", "yesterday"], "not a day (YYYY-MM-DD): 'yesterday'"),
        (["hf", "--from", "2025-09-08", "--to", "9/9/2025"], "not a day (YYYY-MM-DD): '9/9/2025'"),
        (["arxiv", "--category", "cs.CL", "--to", "2025-13-01"], "not a day (YYYY-MM-DD): '2025-13-01'"),
    ],
)
def test_cli_fetch_bad_dates_exit_2_in_one_line(server, data, capsys, argv, expected):
    with pytest.raises(SystemExit) as caught:
        main(["fetch", *argv, "--base-url", server.url, "--data", str(data)], out=io.StringIO(), err=io.StringIO())
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert one_line(err) and expected in err
    assert server.log() == []


@pytest.mark.parametrize("source", [["hf"], ["arxiv", "--category", "cs.CL"]])
def test_cli_fetch_to_before_from_exits_2_in_one_line(server, data, source):
    code, out, err = run(
        "fetch", *source, "--from", "2025-09-08", "--to", "2025-09-01", "--base-url", server.url, "--data", str(data)
    )
    assert code == 2 and out == ""
    assert err == "error: --to 2025-09-01 is before --from 2025-09-08\n"
    assert server.log() == [] and not data.exists()


def test_cli_fetch_hf_as_a_subprocess_with_the_base_url_in_the_environment(server, data):
    serve_hf(server, {DAY3: HF_DAYS[DAY3]})
    env = {**os.environ, "PAPERS_HF_BASE_URL": server.url, "PAPERS_DATA": str(data)}
    done = subprocess.run(
        [sys.executable, "-m", "lib", "fetch", "hf", "--from", "2025-09-10"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("downloaded 1 response(s), 0 already here")
    assert "added 3, updated 0, unchanged 0" in done.stdout
    assert hf_dates(server) == ["2025-09-10"]
    assert {row["date"].date() for row in rows(Store(data)).values()} == {DAY3}
