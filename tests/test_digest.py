"""Saved views, digests and feeds: ``python -m lib views|digest|feed`` and lib.team.views, on real
stores imported through the real importer, with a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import topics_fixture as fx
from aiosmtpd.controller import Controller
from conftest import _free_port, write_jsonl

from lib.cli import main
from lib.library import Library
from lib.store.importer import import_files
from lib.store.store import Store, input_files
from lib.team import db as team
from lib.team.db import ANONYMOUS, TeamDB
from lib.team.views import (
    DEFAULT_BASE,
    ViewError,
    ViewLink,
    atom_feed,
    parse_since,
    render_digest,
    view_papers,
)
from lib.team.views import (
    one_line as email_line,  # paper text as a digest writes it: one line, no control character
)

A = "{http://www.w3.org/2005/Atom}"
TODAY = dt.date.today()  # the CLI's today: the digest store is dated from it


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


HOSTILE_TITLE = """<script>alert("pwned")</script> & 'Agents' "Quoted" \x07bell"""
# Our own JSON Lines format; every date relative to today so that "--since 7d" means something.
PAPERS = [
    {
        "id": "2601.00001",
        "title": "Agents That Plan With Maps",
        "abstract": "Planning agents with maps.",
        "authors": ["Cy Three"],
        "date": ago(1),
        "upvotes": 40,
        "categories": ["cs.AI"],
    },
    {
        "id": "2601.00002",
        "title": "Tokenizers Are Models Too",
        "abstract": "On tokenizers.",
        "authors": ["Gi Seven"],
        "date": ago(2),
        "upvotes": 99,
        "categories": ["cs.CL"],
    },
    {
        "id": "2601.00003",
        "title": "An Agent for Retrieval",
        "abstract": "A retrieval agent.",
        "authors": ["Di Four", "Ed Five"],
        "date": ago(3),
        "upvotes": 12,
        "categories": ["cs.CL"],
    },
    {
        "id": "2601.00004",
        "title": "Diffusion Policies for Robots",
        "abstract": "Robot agents diffuse.",
        "authors": ["Ed Five"],
        "date": ago(10),
        "upvotes": 7,
        "categories": ["cs.RO"],
    },
    {
        "id": "2601.00005",
        "title": "Agent Swarms of Old",
        "abstract": "Many agents.",
        "authors": ["Fa Six"],
        "date": ago(20),
        "upvotes": 100,
        "categories": ["cs.AI"],
    },
    {
        "id": "2601.00006",
        "title": HOSTILE_TITLE,
        "abstract": "An agent that writes </summary> ]]> &amp; <b>bold</b> and \x01\x1b[0m control bytes.",
        "authors": ["O'Brien & <Sons>", 'Zoë "Z" Doe'],
        "date": ago(2),
        "upvotes": 5,
        "categories": ["cs.AI"],
    },
    {
        "id": "2601.00007",
        "title": "Agent Without Votes",
        "abstract": "Nobody voted for this agent.",
        "authors": [f"Author {i}" for i in range(8)],
        "date": ago(1),
        "categories": ["cs.AI"],
    },
    {
        "id": "cond-mat/0102536",
        "title": "Agent-Based Glassy Relaxation",
        "abstract": "Agents relax.",
        "authors": ["R. Alvarez"],
        "date": ago(4),
        "upvotes": 4,
        "categories": ["cs.AI"],
    },
]
BY_ID = {p["id"]: p for p in PAPERS}
SITE = "http://127.0.0.1:8501/papers"  # a dashboard behind a reverse proxy at /papers
AGENTS = f"{SITE}/search?q=agent"


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "TLS"):
        monkeypatch.delenv(f"PAPERS_SMTP_{name}", raising=False)
    monkeypatch.delenv("PAPERS_READONLY", raising=False)
    monkeypatch.setenv("PAPERS_DATA", str(tmp_path / "default-data"))


@pytest.fixture(scope="module")
def digest_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("digest")
    import_files(Store(root / "data"), input_files([str(write_jsonl(root / "papers.jsonl", PAPERS))], (".jsonl",)))
    return root / "data"


@pytest.fixture
def data(digest_data, monkeypatch) -> Path:
    """The digest store with no saved views yet (the table shared, the team database per test)."""
    monkeypatch.delenv("PAPERS_DB_URL", raising=False)
    team.close_all()  # no pooled connection to a file deleted below
    for name in ("views.json", "views.json.migrated", "team.sqlite3", "team.sqlite3-wal", "team.sqlite3-shm"):
        (digest_data / name).unlink(missing_ok=True)
    return digest_data


def save_views(data: Path, views: dict[str, str]) -> None:
    db = TeamDB.open(data)
    for name, link in views.items():
        db.save_view(name, link, ANONYMOUS)


@pytest.fixture(scope="module")
def library(digest_data) -> Library:
    store = Store(digest_data)
    return Library.open(store)


@pytest.fixture(scope="module")
def topic_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("topics")
    store = Store(root / "data")
    import_files(store, input_files([str(write_jsonl(root / "topics.jsonl", fx.plain()))], (".jsonl",)), today=fx.TODAY)
    return Library.open(store)


class Recorder:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(monkeypatch):
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setenv("PAPERS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PAPERS_SMTP_PORT", str(controller.port))
    yield recorder
    controller.stop()


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def one_line(text: str) -> bool:
    return text.endswith("\n") and "\n" not in text[:-1] and text.strip() != ""


def ids(papers: pd.DataFrame) -> list[str]:
    return list(papers["id"])


class Anchors(HTMLParser):
    """(href, text) of every link of an HTML page, entities decoded; and any <script>."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links, self.scripts, self._open = [], 0, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = [dict(attrs)["href"], ""]
        self.scripts += tag == "script"

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            self.links.append(tuple(self._open))
            self._open = None


# --- views: the CLI --------------------------------------------------------------------------
def test_views_add_list_remove(data):
    assert run("views", "--data", str(data)) == (0, "", "")
    assert run("views", "add", "agents", AGENTS, "--data", str(data)) == (0, f"agents\t{AGENTS}\n", "")
    daily = "http://127.0.0.1:8501/?date=2025-01-06"
    code, out, _ = run("views", "add", "daily", daily, "--data", str(data))
    assert code == 0 and out == f"agents\t{AGENTS}\ndaily\t{daily}\n"  # sorted by name
    assert TeamDB.open(data).views() == {"agents": AGENTS, "daily": daily}
    assert not (data / "views.json").exists()  # in the team database
    # adding a name again replaces its link
    assert run("views", "add", "daily", "/?date=2025-01-07", "--data", str(data))[0] == 0
    assert run("views", "list", "--data", str(data))[1] == f"agents\t{AGENTS}\ndaily\t/?date=2025-01-07\n"
    assert run("views", "remove", "daily", "--data", str(data)) == (0, f"agents\t{AGENTS}\n", "")
    assert TeamDB.open(data).views() == {"agents": AGENTS}


@pytest.mark.parametrize(
    "link",
    [
        "https://example.org/blog/post",  # not a page of the dashboard
        "http://127.0.0.1:8501/import",  # a page, but not a view
        "javascript:alert(document.cookie)",
        "javascript:/search?q=agent",  # a view's path, but not http(s)
        "JAVASCRIPT://%0aalert(1)//search",
        "data:text/html,<script>alert(1)</script>",
        "ftp://127.0.0.1/search?q=agent",
        "http://127.0.0.1:8501/search?from=yesterday",  # a bad value
        "http://127.0.0.1:8501/search?up=-3",
        "http://127.0.0.1:8501/topics?k=1",
        "http://127.0.0.1:8501/trends?smooth=99",
        "http://127.0.0.1:8501/search?q=agent&utm_source=x",  # an unknown parameter
        "",
    ],
)
def test_views_add_refuses_a_bad_link_in_one_line(data, link):
    save_views(data, {"kept": AGENTS})
    code, out, err = run("views", "add", "bad", link, "--data", str(data))
    assert code == 2 and out == ""
    assert one_line(err) and err.startswith("error: ")
    assert TeamDB.open(data).views() == {"kept": AGENTS}


def test_views_remove_unknown_and_add_without_link_exit_2(data):
    code, _, err = run("views", "remove", "nope", "--data", str(data))
    assert code == 2 and err == "error: no saved view named 'nope'\n"
    code, _, err = run("views", "add", "lonely", "--data", str(data))
    assert code == 2 and err == "error: usage: python -m lib views add NAME LINK\n"
    assert TeamDB.open(data).views() == {}


def test_views_damaged_file_is_an_error_not_an_empty_list(data):
    (data / "views.json").write_text('{"agents": 3}', encoding="utf-8")  # saved views before the team database
    code, _, err = run("views", "--data", str(data))
    assert code == 2 and one_line(err) and "not an object of name -> link" in err
    (data / "views.json").write_text("{not json", encoding="utf-8")
    code, _, err = run("views", "add", "x", AGENTS, "--data", str(data))
    assert code == 2 and one_line(err) and "unreadable saved views" in err
    assert (data / "views.json").read_text(encoding="utf-8") == "{not json"


def test_views_cannot_change_a_read_only_store(data, monkeypatch):
    monkeypatch.setenv("PAPERS_READONLY", "1")
    code, _, err = run("views", "add", "agents", AGENTS, "--data", str(data))
    assert code == 2 and one_line(err) and "read-only" in err
    assert not (data / "views.json").exists() and not (data / "team.sqlite3").exists()


def test_views_json_moves_into_the_team_database_on_first_use(data):
    (data / "views.json").write_text(json.dumps({"agents": AGENTS}), encoding="utf-8")
    assert run("views", "add", "daily", "/?date=2025-01-06", "--data", str(data)) == (
        0,
        f"agents\t{AGENTS}\ndaily\t/?date=2025-01-06\n",
        "",
    )
    assert not (data / "views.json").exists() and (data / "views.json.migrated").is_file()


# --- ViewLink.parse and parse_since ---------------------------------------------------------------
@pytest.mark.parametrize(
    "link, page, base",
    [
        (AGENTS, "search", SITE),
        ("https://papers.lab.org/trends?terms=agent", "trends", "https://papers.lab.org"),
        ("http://127.0.0.1:8501/topics/?k=3", "topics", "http://127.0.0.1:8501"),
        ("http://127.0.0.1:8501/?date=2025-01-06", "home", "http://127.0.0.1:8501"),
        ("http://127.0.0.1:8501", "home", "http://127.0.0.1:8501"),
        ("http://127.0.0.1:8501/paper?id=2601.00001", "paper", "http://127.0.0.1:8501"),
        ("/search?q=agent", "search", DEFAULT_BASE),
        # the Daily Papers page of a dashboard under a base path, as its Copy link writes it
        (f"{SITE}/?date=2025-01-06", "home", SITE),
        (f"{SITE}/", "home", SITE),
    ],
)
def test_viewlink_parse_finds_the_page_and_the_site(link, page, base):
    view = ViewLink.parse(link)
    assert (view.page, view.base, view.link) == (page, base, link)


def test_viewlink_parse_decodes_the_state():
    view = ViewLink.parse(f"{SITE}/search?q=agent&from=2025-01-01&to=2025-01-31&up=5&cat=cs.AI")
    assert view.state["q"] == "agent" and view.state["up"] == 5 and view.state["cat"] == "cs.AI"
    assert (view.state["from"], view.state["to"]) == (dt.date(2025, 1, 1), dt.date(2025, 1, 31))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("7d", dt.date(2025, 3, 8)),
        ("2w", dt.date(2025, 3, 1)),
        ("1m", dt.date(2025, 2, 13)),
        (" 3 d ", dt.date(2025, 3, 12)),
        ("0d", dt.date(2025, 3, 15)),
        ("2025-01-06", dt.date(2025, 1, 6)),
        (" 2024-02-29 ", dt.date(2024, 2, 29)),
    ],
)
def test_parse_since(text, expected):
    assert parse_since(text, dt.date(2025, 3, 15)) == expected


@pytest.mark.parametrize("text", ["", "week", "7", "-7d", "7y", "7 days", "2025-02-30", "12345d", "06/01/2025", None])
def test_parse_since_refuses_garbage(text):
    with pytest.raises(ViewError, match=r"--since .*: write 7d, 2w, 1m or a day YYYY-MM-DD"):
        parse_since(text, dt.date(2025, 3, 15))


# --- view_papers ----------------------------------------------------------------------------------
def test_a_search_view_most_upvoted_first_and_only_since_the_day(library):
    view = ViewLink.parse(AGENTS)
    # every paper mentioning agent, most upvoted first, those without a count last
    assert ids(view_papers(view, library)) == [
        "2601.00005",
        "2601.00001",
        "2601.00003",
        "2601.00004",
        "2601.00006",
        "cond-mat/0102536",
        "2601.00007",
    ]
    since = TODAY - dt.timedelta(days=7)
    papers = view_papers(view, library, since)
    assert ids(papers) == ["2601.00001", "2601.00003", "2601.00006", "cond-mat/0102536", "2601.00007"]
    assert (papers["date"].dt.date >= since).all()
    assert ids(view_papers(view, library, since, limit=2)) == ["2601.00001", "2601.00003"]


def test_a_search_view_with_every_filter(library):
    link = f"{SITE}/search?q=agent&from={ago(15)}&to={ago(2)}&up=3&cat=cs.AI"
    view = ViewLink.parse(link)
    # cs.AI, 3+ upvotes, within [15, 2] days ago: not 2601.00001 (too new), 00003 (cs.CL), 00005 (too old)
    assert ids(view_papers(view, library)) == ["2601.00006", "cond-mat/0102536"]
    # since narrows the view's own range, never widens it
    assert ids(view_papers(view, library, TODAY - dt.timedelta(days=3))) == ["2601.00006"]
    assert ids(view_papers(view, library, TODAY - dt.timedelta(days=300))) == ["2601.00006", "cond-mat/0102536"]


def test_a_search_view_without_a_query_browses(library):
    papers = view_papers(ViewLink.parse("/search?up=40"), library)
    assert ids(papers) == ["2601.00005", "2601.00002", "2601.00001"]


def test_a_trends_view_shows_the_papers_of_its_terms(library):
    view = ViewLink.parse(f"{SITE}/trends?terms=tokenizers, retrieval")
    assert ids(view_papers(view, library)) == ["2601.00002", "2601.00003"]
    assert ids(view_papers(view, library, TODAY - dt.timedelta(days=2))) == ["2601.00002"]
    ranged = ViewLink.parse(f"{SITE}/trends?terms=tokenizers, retrieval&from={ago(3)}&to={ago(3)}")
    assert ids(view_papers(ranged, library)) == ["2601.00003"]
    assert ids(view_papers(ViewLink.parse(f"{SITE}/trends?terms=zebrafish"), library)) == []


def test_a_daily_view_is_its_day_or_every_day_since(library):
    view = ViewLink.parse(f"http://127.0.0.1:8501/?date={ago(3)}")
    assert ids(view_papers(view, library)) == ["2601.00003"]
    since = TODAY - dt.timedelta(days=2)
    assert ids(view_papers(view, library, since)) == ["2601.00002", "2601.00001", "2601.00006", "2601.00007"]
    latest = view_papers(ViewLink.parse("http://127.0.0.1:8501/"), library, since)
    assert ids(latest) == ["2601.00002", "2601.00001", "2601.00006", "2601.00007"]


def test_a_paper_view_is_that_paper(library):
    assert ids(view_papers(ViewLink.parse("/paper?id=cond-mat/0102536"), library)) == ["cond-mat/0102536"]
    assert ids(view_papers(ViewLink.parse("/paper?id=2601.00002"), library, TODAY)) == []  # not since today


def test_a_topics_view_shows_its_topics_papers(topic_store):
    model = topic_store.topic_model(3)
    frame = topic_store.dataset.frame
    themes = fx.themes_by_id()
    by_topic = {}
    for topic in range(model.n_topics):
        members = frame["id"].iloc[model.members(topic)]
        by_topic[collections_mode([themes[i] for i in members])] = topic
    rowing = by_topic["rowing"]

    papers = view_papers(ViewLink.parse(f"{SITE}/topics?k=3&topic={rowing}"), topic_store)
    assert len(papers) == fx.PER_THEME and {themes[i] for i in papers["id"]} == {"rowing"}
    assert list(papers["upvotes"]) == sorted(papers["upvotes"], reverse=True)
    # the same upvotes: newest first
    for _, group in papers.groupby("upvotes", sort=False):
        assert list(group["date"]) == sorted(group["date"], reverse=True)

    since = dt.date(2025, 6, 1)
    recent = view_papers(ViewLink.parse(f"{SITE}/topics?k=3&topic={rowing}"), topic_store, since)
    expected = {p["id"] for p in fx.papers() if p["theme"] == "rowing" and p["date"] >= "2025-06-01"}
    assert set(recent["id"]) == expected and 0 < len(expected) < fx.PER_THEME

    ranged = view_papers(ViewLink.parse(f"{SITE}/topics?k=3&topic={rowing}&from=2024-01-01&to=2024-12-31"), topic_store)
    assert set(ranged["id"]) == {p["id"] for p in fx.papers() if p["theme"] == "rowing" and p["date"][:4] == "2024"}
    # no topic chosen: every paper
    assert len(view_papers(ViewLink.parse(f"{SITE}/topics?k=3"), topic_store, limit=1000)) == len(fx.papers())


def collections_mode(values: list[str]) -> str:
    return max(set(values), key=values.count)


# --- render_digest ---------------------------------------------------------------------------------
def test_render_digest_subject_text_and_links(library):
    view = ViewLink.parse(AGENTS)
    since = TODAY - dt.timedelta(days=7)
    papers = view_papers(view, library, since)
    subject, text, _ = render_digest("agents", view, papers, since)

    assert subject == f"agents: 5 new papers since {since}"
    lines = text.splitlines()
    assert lines[:3] == [subject, f"View: {AGENTS}", ""]
    assert lines[3:7] == [
        "1. Agents That Plan With Maps",
        f"   Cy Three · {ago(1)} · 40 upvotes",
        f"   {SITE}/paper?id=2601.00001",
        "",
    ]
    for rank, pid in enumerate(ids(papers), start=1):
        assert f"{rank}. {email_line(BY_ID[pid]['title'])}" in lines
        assert f"   {SITE}/paper?id={pid}" in lines  # cond-mat/0102536 keeps its slash
    # no upvote count: none shown; more than six authors: "et al."
    assert f"   Author 0, Author 1, Author 2, Author 3, Author 4, Author 5 et al. · {ago(1)}" in lines


def test_render_digest_html_escapes_hostile_text_and_links_are_right(library):
    view = ViewLink.parse(f'{SITE}/search?q=agent#"><b>x')
    papers = view_papers(view, library)
    _, _, page = render_digest('<img src=x onerror="alert(1)"> & co', view, papers, TODAY)

    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#x27;Agents&#x27;" in page
    assert "O&#x27;Brien &amp; &lt;Sons&gt;" in page
    parsed = Anchors(page)
    assert parsed.scripts == 0
    assert parsed.links[0] == (view.link, "Open the view")
    assert parsed.links[1:] == [(f"{SITE}/paper?id={pid}", email_line(BY_ID[pid]["title"])) for pid in ids(papers)]


def test_render_digest_counts_one_and_none(library):
    view = ViewLink.parse("/paper?id=2601.00002")
    one = view_papers(view, library)
    subject, text, page = render_digest("tok", view, one, dt.date(2025, 1, 1))
    assert subject == "tok: 1 new paper since 2025-01-01"
    assert f"   {DEFAULT_BASE}/paper?id=2601.00002" in text.splitlines()
    subject, text, page = render_digest("tok", view, one.iloc[:0], dt.date(2025, 1, 1))
    assert subject == "tok: 0 new papers since 2025-01-01"
    assert "Nothing new in this view." in text and "<li>Nothing new in this view.</li>" in page


def test_a_relative_view_link_is_made_absolute_in_both_parts(library):
    view = ViewLink.parse("/search?q=agent")
    _, text, page = render_digest("agents", view, view_papers(view, library, TODAY), TODAY)
    assert text.splitlines()[1] == f"View: {DEFAULT_BASE}/search?q=agent"
    assert Anchors(page).links[0] == (f"{DEFAULT_BASE}/search?q=agent", "Open the view")


# --- digest: the CLI ---------------------------------------------------------------------------------
def test_digest_sends_one_message_with_text_and_html(data, smtp, library):
    save_views(data, {"Agents · weekly": AGENTS})
    code, out, err = run("digest", "Agents · weekly", "--since", "7d", "--send", "--to", "a@b", "--data", str(data))
    assert code == 0, err
    since = TODAY - dt.timedelta(days=7)
    view = ViewLink.parse(AGENTS)
    papers = view_papers(view, library, since)
    subject, _, page = render_digest("Agents · weekly", view, papers, since)
    assert out == "" and err == f"sent {subject!r} to a@b\n"

    assert len(smtp.envelopes) == 1
    envelope = smtp.envelopes[0]
    assert envelope.mail_from == "papers-dashboard@localhost" and envelope.rcpt_tos == ["a@b"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["Subject"] == subject and message["To"] == "a@b"
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    plain, html_part = parts["text/plain"], parts["text/html"]
    assert plain.splitlines()[:2] == [subject, f"View: {AGENTS}"]
    assert html_part.strip() == page.strip()
    links = Anchors(html_part).links
    assert links[0] == (AGENTS, "Open the view")
    for pid in ids(papers):
        assert f"{SITE}/paper?id={pid}" in plain
        assert (f"{SITE}/paper?id={pid}", email_line(BY_ID[pid]["title"])) in links
    assert "2601.00005" not in plain  # older than 7 days


def test_digest_sends_to_several_recipients_from_the_configured_sender(data, smtp, monkeypatch):
    monkeypatch.setenv("PAPERS_SMTP_FROM", "digest@lab.org")
    code, _, err = run("digest", AGENTS, "--since", "2w", "--send", "--to", "a@b", "--to", "c@d", "--data", str(data))
    assert code == 0, err
    (envelope,) = smtp.envelopes
    assert envelope.mail_from == "digest@lab.org" and envelope.rcpt_tos == ["a@b", "c@d"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["Subject"] == f"view: 6 new papers since {TODAY - dt.timedelta(days=14)}"


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "error: set PAPERS_SMTP_HOST (and PAPERS_SMTP_PORT, _USER, _PASSWORD, _FROM, _TLS) to send"),
        (
            {"PAPERS_SMTP_HOST": "127.0.0.1", "PAPERS_SMTP_PORT": "{closed}"},
            "error: sending through 127.0.0.1:{closed} failed: ",
        ),
        ({"PAPERS_SMTP_HOST": "127.0.0.1", "PAPERS_SMTP_PORT": "smtp"}, "error: PAPERS_SMTP_PORT='smtp'"),
        ({"PAPERS_SMTP_HOST": "127.0.0.1", "PAPERS_SMTP_TLS": "tls"}, "error: PAPERS_SMTP_TLS='tls'"),
    ],
)
def test_digest_smtp_misconfiguration_exits_2_in_one_line(data, monkeypatch, env, expected):
    closed = str(_free_port())
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(closed=closed))
    code, out, err = run("digest", AGENTS, "--send", "--to", "a@b", "--data", str(data))
    assert code == 2 and out == ""
    assert one_line(err) and err.startswith(expected.format(closed=closed))


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"PAPERS_SMTP_USER": "me", "PAPERS_SMTP_PASSWORD": "secret"}, "SMTP AUTH extension not supported"),
        ({"PAPERS_SMTP_TLS": "starttls"}, "STARTTLS extension not supported"),
    ],
)
def test_digest_smtp_server_refusals_exit_2_in_one_line(data, smtp, monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = run("digest", AGENTS, "--send", "--to", "a@b", "--data", str(data))
    assert code == 2 and one_line(err) and expected in err and "secret" not in err
    assert smtp.envelopes == []


def test_digest_send_needs_a_recipient(data, smtp):
    code, _, err = run("digest", AGENTS, "--send", "--data", str(data))
    assert (code, err) == (2, "error: no recipient: pass --to ADDRESS\n") and smtp.envelopes == []


def test_digest_out_writes_the_html(data, tmp_path, library):
    save_views(data, {"agents": AGENTS})
    target = tmp_path / "digest.html"
    code, out, err = run("digest", "agents", "--since", "7d", "--out", str(target), "--data", str(data))
    assert (code, out, err) == (0, "", "")
    view = ViewLink.parse(AGENTS)
    since = TODAY - dt.timedelta(days=7)
    expected = render_digest("agents", view, view_papers(view, library, since), since)[2]
    assert target.read_text(encoding="utf-8") == expected


def test_digest_prints_the_text_by_default(data):
    save_views(data, {"agents": AGENTS})
    code, out, err = run("digest", "agents", "--since", ago(2), "--data", str(data))
    assert code == 0, err
    assert out.splitlines()[0] == f"agents: 3 new papers since {ago(2)}"


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["no-such-view"], "is not a link to a Daily Papers, Search, Trends or Topics view"),
        ([AGENTS, "--since", "fortnight"], "--since 'fortnight': write 7d, 2w, 1m or a day YYYY-MM-DD"),
    ],
)
def test_digest_bad_input_exits_2_in_one_line(data, argv, expected):
    code, out, err = run("digest", *argv, "--data", str(data))
    assert code == 2 and out == "" and one_line(err) and expected in err


# --- digest: bounded sending, addresses, clean text ---------------------------------------------------
@pytest.fixture
def dripping_smtp(monkeypatch):
    """A server on 127.0.0.1 that answers SMTP one byte every 0.1 s, forever: no read ever times out."""
    import socket
    import threading
    import time

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                while not stop.is_set():
                    try:
                        connection.sendall(b"2")  # "2", "2", ...: a greeting line that never ends
                    except OSError:
                        break
                    time.sleep(0.1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    monkeypatch.setenv("PAPERS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PAPERS_SMTP_PORT", str(listener.getsockname()[1]))
    yield
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_digest_send_to_a_dripping_server_stops_at_its_deadline(data, dripping_smtp, monkeypatch):
    import time

    monkeypatch.setenv("PAPERS_SMTP_TIMEOUT", "1")
    started = time.monotonic()
    code, out, err = run("digest", AGENTS, "--send", "--to", "a@b", "--data", str(data))
    assert time.monotonic() - started < 3  # a socket timeout alone never ends it: each read gets a byte
    assert code == 2 and out == "" and one_line(err)
    assert err.startswith("error: sending through 127.0.0.1:") and "within 1 s (PAPERS_SMTP_TIMEOUT)" in err


def test_digest_smtp_timeout_must_be_a_number(data, smtp, monkeypatch):
    monkeypatch.setenv("PAPERS_SMTP_TIMEOUT", "soon")
    code, _, err = run("digest", AGENTS, "--send", "--to", "a@b", "--data", str(data))
    assert (code, err) == (2, "error: PAPERS_SMTP_TIMEOUT='soon': not a positive number of seconds\n")
    assert smtp.envelopes == []


@pytest.mark.parametrize(
    "to, sender, expected",
    [
        ("a@b\nBcc: evil@x.org", None, "error: --to 'a@b\\nBcc: evil@x.org': not an e-mail address"),
        ("a@b\r\n", None, "error: --to 'a@b\\r\\n': not an e-mail address"),
        ("a@b, c@d", None, "error: --to 'a@b, c@d': not an e-mail address"),
        ("nobody", None, "error: --to 'nobody': not an e-mail address"),
        ("a@b", "me@lab.org\nBcc: evil@x.org", "error: PAPERS_SMTP_FROM 'me@lab.org\\nBcc: evil@x.org': not an"),
    ],
)
def test_digest_send_refuses_a_bad_address_in_one_line(data, smtp, monkeypatch, to, sender, expected):
    if sender:
        monkeypatch.setenv("PAPERS_SMTP_FROM", sender)
    code, out, err = run("digest", AGENTS, "--send", "--to", to, "--data", str(data))
    assert code == 2 and out == "" and one_line(err) and err.startswith(expected)
    assert smtp.envelopes == []


def test_a_digest_of_hostile_text_has_no_control_character_and_one_line_fields(library):
    view = ViewLink.parse(AGENTS)
    papers = view_papers(view, library, TODAY - dt.timedelta(days=7)).copy()
    papers.loc[0, "title"] = "\x1b[2J\x1b]0;owned\x07Wiped\x00 title\nBcc: evil@x.org"
    papers["authors"] = [["Ann\x1b[31m Red", "Bo\rb"], *papers["authors"][1:]]
    subject, text, page = render_digest("agents\x1b[5m\nBcc: evil@x.org", view, papers, TODAY)
    for part in (subject, text, page):
        assert not any(c in part for c in "\x00\x07\x1b\r"), repr(part)
    assert "\n" not in subject and subject.startswith("agents Bcc: evil@x.org: ")
    assert "1. Wiped title Bcc: evil@x.org" in text.splitlines()
    assert any(line.startswith("   Ann Red, Bo b · ") for line in text.splitlines())


def test_digest_of_a_view_named_with_control_characters_sends_a_one_line_subject(data, smtp):
    save_views(data, {"agents\x1b[31m\nBcc: evil@x.org": AGENTS})  # saved as "agents\x1b[31m Bcc: ..."
    code, _, err = run("digest", "agents\x1b[31m Bcc: evil@x.org", "--send", "--to", "a@b", "--data", str(data))
    assert code == 0, err
    assert "\x1b" not in err
    (envelope,) = smtp.envelopes
    assert envelope.rcpt_tos == ["a@b"]  # no Bcc smuggled in
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["Subject"].startswith("agents Bcc: evil@x.org: ") and message["Bcc"] is None


# --- atom_feed ----------------------------------------------------------------------------------------
def test_atom_feed_parses_with_every_required_element(library):
    view = ViewLink.parse(AGENTS)
    papers = view_papers(view, library)
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    root = ET.fromstring(atom_feed("agents", view, papers, now=now))

    assert root.tag == f"{A}feed"
    assert root.findtext(f"{A}id") == AGENTS
    assert root.findtext(f"{A}title") == "Papers dashboard: agents"
    assert root.findtext(f"{A}updated") == "2026-01-02T03:04:05Z"
    assert root.find(f"{A}link").attrib == {"href": AGENTS, "rel": "alternate"}
    assert root.findtext(f"{A}author/{A}name") == "Papers dashboard"

    entries = root.findall(f"{A}entry")
    assert len(entries) == len(papers)
    updated = [e.findtext(f"{A}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)  # newest first
    by_id = {}
    for entry in entries:
        link = entry.findtext(f"{A}id")
        assert entry.find(f"{A}link").attrib == {"href": link, "rel": "alternate"}
        by_id[link.split("?id=", 1)[1]] = entry
    assert sorted(by_id) == sorted(ids(papers))
    for pid, entry in by_id.items():
        paper = BY_ID[pid]
        assert entry.findtext(f"{A}id") == f"{SITE}/paper?id={pid}"
        assert entry.findtext(f"{A}updated") == f"{paper['date']}T00:00:00Z"
        assert [a.findtext(f"{A}name") for a in entry.findall(f"{A}author")] == paper["authors"]
        if pid != "2601.00006":
            assert entry.findtext(f"{A}title") == paper["title"]
            assert entry.findtext(f"{A}summary") == paper["abstract"]


def test_atom_feed_escapes_hostile_text_and_drops_control_characters(library):
    view = ViewLink.parse(AGENTS)
    papers = view_papers(ViewLink.parse("/paper?id=2601.00006"), library)
    document = atom_feed('<evil> & \x0c"name"', view, papers)
    assert b"<script" not in document and b"\x07" not in document and b"\x01" not in document
    root = ET.fromstring(document)
    (entry,) = root.findall(f"{A}entry")
    assert root.findtext(f"{A}title") == 'Papers dashboard: <evil> & "name"'
    assert entry.findtext(f"{A}title") == HOSTILE_TITLE.replace("\x07", "")
    summary = entry.findtext(f"{A}summary").replace("[0m ", "")  # the import may have taken the escape whole
    assert summary == "An agent that writes </summary> ]]> &amp; <b>bold</b> and control bytes."
    assert [a.findtext(f"{A}name") for a in entry.findall(f"{A}author")] == ["O'Brien & <Sons>", 'Zoë "Z" Doe']


def test_atom_feed_of_a_link_holding_control_characters_still_parses(library):
    link = f"{SITE}/search?q=agent\x01\x1b"
    view = ViewLink.parse(link)
    root = ET.fromstring(atom_feed("agents", view, view_papers(view, library)))
    assert root.findtext(f"{A}id") == f"{SITE}/search?q=agent"
    assert root.find(f"{A}link").get("href") == f"{SITE}/search?q=agent"


def test_atom_feed_without_papers_is_a_valid_empty_feed(library):
    view = ViewLink.parse("/search?q=zebrafish")
    root = ET.fromstring(atom_feed("none", view, view_papers(view, library)))
    assert root.tag == f"{A}feed" and root.findall(f"{A}entry") == []
    assert root.findtext(f"{A}id") == f"{DEFAULT_BASE}/search?q=zebrafish"


def test_feed_cli_writes_the_newest_entries(data, tmp_path):
    save_views(data, {"agents": AGENTS})
    target = tmp_path / "agents.atom.xml"
    code, out, err = run("feed", "agents", "--out", str(target), "--limit", "3", "--data", str(data))
    assert (code, out, err) == (0, "", "")
    root = ET.parse(target).getroot()
    assert root.tag == f"{A}feed" and root.findtext(f"{A}title") == "Papers dashboard: agents"
    entries = [e.findtext(f"{A}id").split("?id=")[1] for e in root.findall(f"{A}entry")]
    # newest first: the two of yesterday (more upvotes first), then the hostile one of two days ago
    assert entries == ["2601.00001", "2601.00007", "2601.00006"]


def test_feed_cli_to_standard_output(data, capsysbinary):
    code = main(["feed", "/paper?id=2601.00002", "--data", str(data)], out=io.StringIO(), err=io.StringIO())
    assert code == 0
    root = ET.fromstring(capsysbinary.readouterr().out)
    assert [e.findtext(f"{A}title") for e in root.findall(f"{A}entry")] == ["Tokenizers Are Models Too"]


def test_feed_cli_bad_limit_exits_2(data):
    code, out, err = run("feed", AGENTS, "--limit", "0", "--data", str(data))
    assert (code, out, err) == (2, "", "error: --limit must be at least 1\n")


# --- src: a view's link gives the papers its page shows --------------------------------------------
@pytest.mark.parametrize(
    "link, expected",
    [
        ("/?date=2025-09-08", {"2509.05501", "2509.05502"}),  # the day's Hugging Face list
        ("/?date=2025-09-08&src=all", {"2509.05501", "2509.05502", "2509.06001", "2509.06002"}),
        ("/?date=2025-09-05", {"2509.03001", "2509.03002"}),  # no list that day: all its papers
        ("/?date=2025-09-04&src=arxiv", {"2509.05501"}),  # arXiv dates it by its v1 day
        ("/search?q=agents&src=hf", {"2509.05501"}),
        ("/search?q=agents", {"2509.05501", "2509.06001"}),
        ("/search?q=agents&src=file:gone.csv", {"2509.05501", "2509.06001"}),  # falls back as the page does
    ],
)
def test_a_views_source_gives_the_papers_of_its_page(tmp_path, link, expected):
    from test_app_home import import_mixed

    data = tmp_path / "data"
    import_mixed(data, tmp_path / "inputs")
    store = Store(data)
    papers = view_papers(ViewLink.parse(link), Library.open(store))
    assert set(ids(papers)) == expected
