"""Paper text is text: ``www.…``, ``http(s)://…`` and e-mail addresses in titles, abstracts, authors
and keywords never become links (GitHub-flavoured markdown autolinks them after reading the
backslash escapes).  AppTest reads the markdown each page writes; a GFM autolink finder run on it
must find nothing.  tests/test_browser_autolinks.py checks what Chromium shows."""

from __future__ import annotations

import re
import unicodedata

import pytest
from conftest import open_page, write_jsonl

HOSTILE = {
    "id": "2502.00001",
    "title": "see www.evil.com or a@b.com",
    "abstract": "Mail x.y+z@evil.org, visit https://evil.example/path or WWW.Evil.org today.",
    "authors": ["Eve www.evil.com", "mallory@evil.org"],
    "keywords": ["http://evil.example", "contact@evil.org"],
    "date": "2025-02-03",
    "upvotes": 5,
}

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_TARGET = re.compile(r"(?<!\\)\]\([^)\s]*\)")  # a link's target: ](https://...)
# remark-gfm's autolink literals (mdast-util-gfm-autolink-literal): a URL from http(s):// or www.,
# an e-mail address, each where the character before is none, a space or punctuation
_LITERAL = re.compile(r"(?:https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.IGNORECASE)


def autolinks(markdown: str) -> list[str]:
    """The autolinks GFM finds in the text a markdown string reads as (our own links' targets,
    ``[label](target)``, aside)."""
    text = _ESCAPE.sub(r"\1", _TARGET.sub("]", markdown))
    found = []
    for match in _LITERAL.finditer(text):
        before = text[match.start() - 1] if match.start() else " "
        if before.isspace() or unicodedata.category(before)[0] in "PS":
            found.append(match.group())
    return found


def test_the_finder_finds_what_gfm_links():
    assert autolinks("see www.evil.com or a@b.com") == ["www.evil.com", "a@b.com"]
    assert autolinks("see www\\.evil\\.com or a\\@b\\.com, https\\:\\/\\/x\\.org") == [
        "www.evil.com",
        "a@b.com",
        "https://x.org",
    ]
    assert autolinks("plain text 1.5 [arXiv](https://arxiv.org/abs/1) \\[x\\](www.y.org)") == ["www.y.org"]


@pytest.fixture
def hostile_store(empty_store, tmp_path):
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    source = write_jsonl(tmp_path / "hostile.jsonl", [HOSTILE])
    import_files(Store(empty_store), input_files([str(source)], (".jsonl",)))
    return empty_store


def shown(app) -> list[str]:
    """The markdown of every text element of the page (markdown, captions, titles, link labels)."""
    return [
        str(element.value) if hasattr(element, "value") else str(element.label)
        for kind in (app.markdown, app.caption, app.title, app.page_link)
        for element in kind
    ]


@pytest.mark.parametrize(
    "page, params",
    [
        ("pages/home.py", {"date": "2025-02-03"}),
        ("pages/search.py", {"q": "evil"}),
        ("pages/search.py", {"q": "see"}),
        ("pages/paper.py", {"id": "2502.00001"}),
    ],
)
def test_paper_text_renders_without_autolinks(app, hostile_store, page, params):
    open_page(app, page, params)
    texts = shown(app)
    plain = " ".join(_ESCAPE.sub(r"\1", t).replace("\u2060", "") for t in texts)
    assert "www.evil.com or a@b.com" in plain  # the title is shown, as text
    if page == "pages/paper.py":
        assert HOSTILE["abstract"] in plain and "mallory@evil.org" in plain and "contact@evil.org" in plain
    assert [link for text in texts for link in autolinks(text)] == []


LINK = "[click](https://evil.example/x) www.evil.com **loud** <b>x</b>"


@pytest.mark.parametrize(
    "page, params",
    [
        ("pages/home.py", {"sort": LINK}),  # a link's value, quoted back in a warning
        ("pages/search.py", {"q": "see", "cat": LINK}),
        ("pages/trends.py", {"by": LINK}),
        ("pages/paper.py", {"id": LINK}),  # an id the table lacks
        ("pages/collections.py", {"collection": LINK}),
    ],
)
def test_a_crafted_link_value_quoted_in_a_message_is_text(app, hostile_store, page, params):
    """Messages quote what a link held; markdown in it (a link, bold, HTML) stays text."""
    open_page(app, page, params)
    messages = [str(m.value) for kind in (app.warning, app.error, app.info) for m in kind]
    quoting = [m for m in messages if "click" in m]
    assert quoting, messages
    for message in quoting:
        assert not _TARGET.search(message) and autolinks(message) == [], message
        assert "**loud**" not in message and "<b>" not in message, message
        assert "click" in _ESCAPE.sub(r"\1", message).replace("\u2060", "")
