"""What Chromium shows: ``www.…``, URLs and e-mail addresses in paper text are not links
(tests/test_app_autolinks.py checks the markdown of every page; this checks the rendering)."""

import pytest
from conftest import open_view, served
from test_app_autolinks import HOSTILE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def autolink_server(tmp_path_factory):
    yield from served(tmp_path_factory, "autolinks", [HOSTILE])


@pytest.mark.parametrize("path", ["/?date=2025-02-03", "/search?q=evil", "/paper?id=2502.00001"])
def test_addresses_in_paper_text_are_not_links(autolink_server, page, path):
    open_view(page, autolink_server.url + path)
    main = page.locator("[data-testid=stMainBlockContainer]")
    text = main.inner_text().replace("\u2060", "")
    assert "see www.evil.com or a@b.com" in text, text  # the title, as text
    hrefs = main.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    outside = [h for h in hrefs if h.lower().startswith(("http:", "https:", "mailto:", "www."))]  # not our pages
    assert [h for h in outside if "evil" in h.lower() or h.startswith("mailto:") or "a@b" in h] == [], hrefs
