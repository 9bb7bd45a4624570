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


@pytest.mark.parametrize(
    "path",
    [
        "/?sort=%5Bclick%5D(https://evil.example/x)%20www.evil.com%20a@evil.org%20http://evil.example",
        "/paper?id=%5Bclick%5D(https://evil.example/x)%20www.evil.com",
    ],
)
def test_a_crafted_link_value_quoted_in_a_warning_is_no_link(autolink_server, page, path):
    """A message quoting a link's value (lib.text.md_message): no link in it, however it is written."""
    open_view(page, autolink_server.url + path)
    alert = page.locator("[data-testid=stAlert]").first
    assert "click" in alert.inner_text() and "evil.example" in alert.inner_text()
    assert alert.locator("a").count() == 0, alert.inner_html()
