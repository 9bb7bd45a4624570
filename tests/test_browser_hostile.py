"""Paper text is data: hostile titles, abstracts and links are shown inert in a real browser."""

import re

import pytest
from conftest import served, wait_for_app

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__xss = 'script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    "[click me](javascript:window.__xss='link')",
    "<a href=\"javascript:window.__xss='a'\">a link</a>",
    "$\\href{javascript:alert(1)}{x}$ and $$E=mc^2$$",
    ":red[styled] **bold** # heading",
    "zero\u200bwidth\u200djoiner\u2060text",
    "<iframe src=\"javascript:window.__xss='iframe'\"></iframe>",
]
HOSTILE = [
    {
        "id": f"2507.{i:05d}",
        "title": f"Hostile paper {i}: {payload}",
        "abstract": f"Abstract with {payload} inside.",
        "authors": [f"Eve {payload}"],
        "date": "2025-07-01",
        "upvotes": 10 - i,
        "keywords": [payload],
        "github_repo": "javascript:window.__xss='repo'",
        "categories": ["cs.CR"],
    }
    for i, payload in enumerate(PAYLOADS)
] + [
    {
        "id": "2507.09999",
        "title": "A normal paper on hostile inputs",
        "abstract": "Hostile inputs, script tags.",
        "authors": ["Ann"],
        "date": "2025-07-02",
    }
]


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    yield from served(tmp_path_factory, "hostile", HOSTILE)


@pytest.mark.parametrize(
    "path",
    [
        "/?date=2025-07-01&sort=listed",
        "/search?q=hostile",
        "/search?q=script",
        "/paper?id=2507.00000",
        "/paper?id=2507.00002",
        "/trends?terms=hostile,+script",
        "/topics?k=2",
    ],
)
def test_hostile_text_is_inert(hostile_server, page, path):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_server.url + path)
    wait_for_app(page)
    page.wait_for_function("() => !document.querySelector('[data-testid=stSpinner]')", timeout=60_000)
    page.wait_for_timeout(1500)
    main = "[data-testid=stMainBlockContainer]"
    assert page.evaluate("() => window.__xss") is None, "a payload ran"
    assert dialogs == []
    assert page.locator(f"{main} script").count() == 0
    assert page.locator(f"{main} img[onerror], {main} iframe").count() == 0
    assert page.locator(f"{main} a[href^='javascript']").count() == 0
    hrefs = page.eval_on_selector_all(f"{main} a[href]", "els => els.map(e => e.getAttribute('href'))")
    schemes = {
        re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", h).group(1).lower()
        for h in hrefs
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", h)
    }
    assert schemes <= {"http", "https"}, hrefs  # relative links to our own pages, or http(s)
    if path.startswith(("/?", "/search", "/paper")):
        # the payloads are displayed as text
        assert "<script>" in page.inner_text(main) or "javascript:" in page.inner_text(main)
