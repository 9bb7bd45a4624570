"""Hostile links: every page opened (AppTest) with garbage in every URL key of its spec.

For each page and payload, the payload goes into EVERY key of the page's spec at once (and
into a few keys no page knows), and the page must:

* run without an exception (and without an error box, except Topics on too little data);
* warn — a visible ``st.warning`` naming the key — about every value it did not keep as
  given (a value is kept when the final URL holds what the spec's own parser makes of it);
* leave only canonical, valid parameters in the rewritten URL: each key is one of the page's
  keys and ``encode(decode(url)) == url`` without a warning.

The home, search, paper, trends, views and import pages run on a three-day store of 6 papers
(tests/conftest.py THREE_DAYS); Topics needs words shared by several papers, so it runs on the
120-paper topics fixture (tests/topics_fixture.py), and on the 6 papers it must say why it
cannot find topics (see test_topics_on_six_papers_says_why).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import topics_fixture as fx
from conftest import ROOT, THREE_DAYS, write_jsonl
from streamlit.testing.v1 import AppTest

from lib.dataset import load
from lib.store.importer import import_files
from lib.store.store import Store, input_files
from lib.topics import topics
from lib.trends import terms
from lib.urlstate import HOME, IMPORT, MAX_VALUE, PAGES, PAPER, SEARCH, STREAMLIT_KEYS, TOPICS, TRENDS, PageSpec

VIEWS = PAGES.get("views")

PAYLOADS = {
    "letters-for-numbers": "abc",
    "number-for-days": "12",
    "huge-number": "9" * 40,
    "twelve-digits": "999999999999",
    "negative": "-5",
    "zero": "0",
    "float": "1.5",
    "plus-sign": "+3",
    "superscript-digit": "\u00b2",  # isdigit() is True, int() refuses it
    "fullwidth-digits": "\uff11\uff12",  # int() reads it as 12
    "unknown-topic-id": "999",
    "unknown-paper-id": "2509.99999",
    "impossible-day": "2025-02-30",
    "empty": "",
    "whitespace": " \t ",
    "10kB": "ab " * 3_413,
    "unicode": "\u00dcn\u00efc\u00f6d\u00e9 \U0001f600 \u202eRTL\u202c \u200bzero\u200dwidth \u0639\u0631\u0628\u064a",
    "control-chars": "a\x00b\x01\x07\x1b[31m\x7f\r\n\tc",
    "script": "<script>alert(1)</script>",
    "javascript-url": "javascript:alert(1)",
    "sql": "' OR 1=1 --",
    "path-traversal": "../../etc/passwd",
    "percent-00": "%00",
    "regex-bomb": "((((a*)*)*)*)$",
    "repeated-bad-last": ["1", "abc"],
    "repeated-good-last": ["abc", "2"],
}
GARBAGE_KEYS = ("zzz", "__proto__", "utm_source")  # keys no page has
ALL_PAGES = {
    "home": ("pages/home.py", HOME),
    "search": ("pages/search.py", SEARCH),
    "paper": ("pages/paper.py", PAPER),
    "trends": ("pages/trends.py", TRENDS),
    "topics": ("pages/topics.py", TOPICS),
    "import": ("pages/import.py", IMPORT),
}
if VIEWS is not None and (ROOT / "pages" / "views.py").exists():
    ALL_PAGES["views"] = ("pages/views.py", VIEWS)

# Words a page-level warning uses for a key instead of "key=" (the value passed the spec's
# parser but means nothing in this table).
KEY_WORDS = {"cat": ("category",), "id": ("paper with id",), "date": ("No papers on",)}


# --- stores ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def six_papers(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile-six")
    import_files(Store(tmp / "data"), input_files([str(write_jsonl(tmp / "six.jsonl", THREE_DAYS))], (".jsonl",)))
    return tmp / "data"


@pytest.fixture(scope="module")
def topic_papers(tmp_path_factory) -> Path:
    """The 120-paper topics fixture, with the models the payloads ask for fitted and saved
    beforehand (k from "0"/garbage = automatic, "12", "2"; "999" and longer numbers are
    refused), so each run only loads one."""
    tmp = tmp_path_factory.mktemp("hostile-topics")
    data = tmp / "data"
    import_files(Store(data), input_files([str(write_jsonl(tmp / "topics.jsonl", fx.plain()))], (".jsonl",)))
    store = Store(data)
    ds = load(store)
    index = terms.load_or_build(store, ds)
    for k in {topics.auto_k(ds.overview.papers), 12, 2}:
        topics.load_or_fit(store, ds, index, k)
    return data


@pytest.fixture
def data_for(six_papers, topic_papers, monkeypatch):
    monkeypatch.delenv("PAPERS_READONLY", raising=False)

    def choose(page: str) -> Path:
        path = topic_papers if page == "topics" else six_papers
        monkeypatch.setenv("PAPERS_DATA", str(path))
        return path

    return choose


# --- the checks ----------------------------------------------------------------------------------------
def hostile_params(spec: PageSpec, payload) -> dict:
    keys = spec.keys if spec.fields else ("q", "id", "p", "date")  # pages without keys: others' keys
    return {**dict.fromkeys(keys, payload), **dict.fromkeys(GARBAGE_KEYS, payload)}


def open_page(path: str, params: dict) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    app.run()
    app.query_params.update(params)
    app.switch_page(path).run()
    return app


def last(value):
    return value[-1] if isinstance(value, list) else value


def kept_form(spec: PageSpec, key: str, given) -> str | None:
    """What the canonical URL holds for ``key`` when the page keeps the given value as it is
    (None: the key is left out, the value being the default); raises ValueError when the
    spec's parser refuses the value."""
    field = next(f for f in spec.fields if f.key == key)
    text = str(last(given))
    if len(text) > (field.limit or MAX_VALUE):
        raise ValueError("too long")
    value = field.parse(text)
    return spec.encode({key: value}).get(key)


def shown_text(markdown: str) -> str:
    """A message's markdown as the reader sees it: escapes read, invisible joiners gone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def names(warning: str, key: str) -> bool:
    return f"{key}=" in warning or any(word in warning for word in KEY_WORDS.get(key, ()))


def check_canonical(spec: PageSpec, url: dict) -> None:
    assert set(url) <= set(spec.keys), f"keys outside the page's spec in the URL: {url}"
    state, warnings = spec.decode(url)
    assert not warnings, f"the rewritten URL is not valid: {url} -> {warnings}"
    assert spec.encode(state) == url, f"the rewritten URL is not canonical: {url} vs {spec.encode(state)}"


def check_page(app: AppTest, spec: PageSpec, params: dict) -> list[str]:
    assert not app.exception, [e.value for e in app.exception]
    warnings = [shown_text(w.value) for w in app.warning]  # as a reader sees it
    url = dict(app.query_params)
    for key, given in params.items():
        if key in STREAMLIT_KEYS:
            continue
        if key not in spec.keys:
            assert any(f"unknown link parameter {str(key)!r}" in w for w in warnings), (key, warnings)
            continue
        try:
            kept = kept_form(spec, key, given)
        except ValueError:
            kept = ValueError
        if url.get(key) != kept:  # not kept as given: the page must have said so, naming the key
            assert any(names(w, key) for w in warnings), (
                f"{key}={given!r} -> {url.get(key)!r} without a warning: {warnings}"
            )
    check_canonical(spec, url)
    return warnings


def payload_ids():
    return list(PAYLOADS)


# --- every page x every payload ------------------------------------------------------------------------------
URL_WRITERS = ("home", "search", "paper", "trends", "topics")


def cases():
    for page in ALL_PAGES:
        for payload in PAYLOADS:
            yield pytest.param(page, payload, id=f"{page}-{payload}")


@pytest.mark.parametrize("page, payload", list(cases()))
def test_garbage_in_every_key(data_for, page, payload):
    path, spec = ALL_PAGES[page]
    data_for(page)
    params = hostile_params(spec, PAYLOADS[payload])
    app = open_page(path, params)
    assert not app.error, [e.value for e in app.error]
    check_page(app, spec, params)


@pytest.mark.parametrize("page", [p for p in ALL_PAGES if p in URL_WRITERS])
def test_canonical_link_opens_without_warnings(data_for, page):
    """What a hostile link is rewritten to opens the same view again, silently."""
    path, spec = ALL_PAGES[page]
    data_for(page)
    first = open_page(path, hostile_params(spec, "12"))
    canonical = dict(first.query_params)
    again = open_page(path, canonical)
    assert not again.exception and not again.warning, [w.value for w in again.warning]
    assert dict(again.query_params) == canonical


def test_import_and_views_pages_run_with_garbage_without_an_exception(data_for):
    """The import and views pages have no URL keys of their own (unknown ones are dropped):
    they run with garbage in every key the other pages know."""
    for page in ("import", "views"):
        if page not in ALL_PAGES:
            continue
        path, spec = ALL_PAGES[page]
        data_for(page)
        for payload in ("control-chars", "10kB", "repeated-bad-last", "script"):
            app = open_page(path, hostile_params(spec, PAYLOADS[payload]))
            assert not app.exception and not app.error, (page, payload)


# --- one key at a time, where pages check values beyond the spec's parser --------------------------------------
SINGLE = [
    ("home", {"p": "12"}, "p=12"),
    ("home", {"date": "2099-01-01"}, "No papers on 2099-01-01"),
    ("search", {"p": "12"}, "p=12"),
    ("search", {"cat": "cs.XX"}, "category 'cs.XX'"),
    ("search", {"q": "2509.99999"}, None),  # an unknown arXiv id: an info box, not a warning
    ("paper", {"id": "2509.99999"}, "No paper with id '2509.99999'"),
    ("paper", {"id": "t-000000000000"}, "No paper with id 't-000000000000'"),
    ("topics", {"topic": "999"}, "topic=999"),
    ("topics", {"area": "999"}, "area=999"),
    ("topics", {"k": "1"}, "k="),
    ("topics", {"k": "201"}, "k="),
    ("topics", {"k": "2", "topic": "999999"}, "topic=999999"),
    ("topics", {"q": "2509.99999"}, None),  # where is an unknown paper: said in the answer, not a warning
    ("topics", {"split": "author"}, "split="),
    ("trends", {"terms": "((((a*)*)*)*)$, " + "a*" * 200}, None),
    ("trends", {"smooth": "24", "recent": "3650", "baseline": "7"}, None),
]


@pytest.mark.parametrize("page, params, says", SINGLE, ids=[f"{p}-{'-'.join(q)}" for p, q, _ in SINGLE])
def test_values_the_page_itself_refuses(data_for, page, params, says):
    path, spec = ALL_PAGES[page]
    data_for(page)
    app = open_page(path, params)
    warnings = check_page(app, spec, params)
    if says:
        assert any(says in w for w in warnings), warnings


def test_topics_on_six_papers_says_why(data_for, monkeypatch, six_papers):
    """Six papers share no word: Topics explains it (an error box) instead of raising."""
    data_for("home")  # the six-paper store
    params = hostile_params(TOPICS, "abc")
    app = open_page("pages/topics.py", params)
    assert not app.exception, [e.value for e in app.exception]
    assert any("Cannot find topics in 6 papers" in e.value for e in app.error), [e.value for e in app.error]
    warnings = [w.value for w in app.warning]
    for field in TOPICS.fields:
        if field.key == "q":  # "abc" is a query to look for: kept, the error box says why nothing is found
            assert dict(app.query_params).get("q") == "abc"
            continue
        assert any(f"{field.key}=" in w for w in warnings), (field.key, warnings)
