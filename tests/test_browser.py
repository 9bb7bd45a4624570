"""Real-browser tests: what only a browser shows (a shared link opened from scratch)."""
import pytest

from conftest import wait_for_app

pytestmark = pytest.mark.browser


def test_shared_day_link_shows_the_first_paper_of_that_day(sample_server, page):
    page.goto(f"{sample_server.url}/?date=2025-08-12&sort=listed")
    wait_for_app(page)
    first_title = page.locator("[data-testid=stMarkdownContainer] strong").filter(has_text="1. ").first
    first_title.wait_for()
    assert first_title.inner_text() == "1. ALLoRA: Adaptive Learning Rate Mitigates LoRA Fatal Flaws"
    assert "bundled sample" in page.inner_text("[data-testid=stMainBlockContainer]")
    # the address bar keeps the canonical link of the view
    assert page.url.endswith("/?date=2025-08-12&sort=listed")


def test_changing_the_order_rewrites_the_address_bar(sample_server, page):
    page.goto(f"{sample_server.url}/?sort=listed")
    wait_for_app(page)
    page.get_by_text("Most upvoted", exact=True).click()
    page.wait_for_function("() => !location.search.includes('sort=')")
    assert "sort=" not in page.url
