"""Real-browser tests of the team's library on a real server and its real SQLite database:
collect a paper from a search card and see it from another browser, export the collection
as BibTeX, mark read and hide read, a recommendation that says why (and "Not relevant"), the
trending view with its sparklines."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import open_view, served
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CARD_TITLES = "[data-testid=stPageLink] a:has(strong)"
COLLECT = "button[data-variant=pills]:has-text('Reading list')"  # a card's pill of the default collection
SPLATS = [
    "Gaussian splatting for dynamic scenes",
    "Compact Gaussian splatting with learned codebooks",
    "Relightable Gaussian splatting avatars",
    "Feed-forward Gaussian splatting from sparse views",
    "Gaussian splatting SLAM in large outdoor scenes",
    "Anti-aliased Gaussian splatting for novel view synthesis",
    "Text-to-3D generation with Gaussian splatting",
    "Deformable Gaussian splatting for surgical video",
]
DRAFTS = [
    "Speculative decoding with a tiny draft model",
    "Tree-based speculative decoding for long outputs",
    "Self-speculative decoding by layer skipping",
    "Speculative decoding meets quantization",
    "Lossless speculative sampling at scale",
    "Medusa heads for parallel draft tokens",
]
PAPERS = [
    {
        "id": f"2506.{i:05d}",
        "title": title,
        "abstract": (
            f"We render radiance fields with 3D Gaussian splatting and rasterize anisotropic Gaussians, case {i}."
            if title in SPLATS
            else f"A draft model proposes tokens that the large language model verifies in parallel, case {i}."
        ),
        "authors": [f"Author {i}", "Second Author"],
        "date": f"2025-06-{1 + i % 20:02d}",
        "upvotes": 3 * i + 1,
    }
    for i, title in enumerate(SPLATS + DRAFTS)
]


@pytest.fixture(scope="module")
def library_server(tmp_path_factory):
    yield from served(tmp_path_factory, "library-store", PAPERS)


def test_collect_from_a_search_card_see_it_in_another_browser_and_export_bibtex(library_server, browser):
    desk = browser.new_context(viewport={"width": 1400, "height": 1200})
    page = desk.new_page()
    open_view(page, f"{library_server.url}/search?q=splatting+avatars")
    title = page.locator(CARD_TITLES).first.inner_text().split(". ", 1)[1]
    assert title == "Relightable Gaussian splatting avatars"
    pill = page.locator(COLLECT).first
    expect(pill).to_have_attribute("aria-pressed", "false")
    pill.click()  # one click: into the default collection, created on the way
    expect(page.locator(COLLECT).first).to_have_attribute("aria-pressed", "true")

    teammate = browser.new_context(viewport={"width": 420, "height": 1600})  # another browser, a phone
    other = teammate.new_page()
    open_view(other, f"{library_server.url}/collections?collection=Reading+list")
    expect(other.locator(CARD_TITLES).first).to_have_text(title)
    expect(other.get_by_text("added by anonymous", exact=False).first).to_be_visible()
    other.get_by_role("button", name="Export").click()
    with other.expect_download() as download:
        other.get_by_role("button", name="BibTeX").click()
    bibtex = Path(download.value.path()).read_text(encoding="utf-8")
    assert bibtex.startswith("@article{") and "title = {{Relightable Gaussian splatting avatars}}" in bibtex
    assert "eprint = {2506.00002}" in bibtex
    desk.close()
    teammate.close()


def test_mark_read_then_hide_read(library_server, page):
    open_view(page, f"{library_server.url}/?view=top&window=30d")  # the month's 14 papers, most upvoted first
    first = page.locator(CARD_TITLES).first.inner_text()
    page.get_by_role("button", name="Mark read").first.click()
    expect(page.get_by_role("button", name="Read", exact=True).first).to_be_visible()
    page.get_by_text("Hide read").click()
    page.wait_for_url("**hide=read**")
    expect(page.locator(CARD_TITLES).first).not_to_have_text(first)
    expect(page.get_by_text("you marked read hidden")).to_be_visible()


def test_a_recommendation_says_why_and_not_relevant_removes_it(library_server, page):
    from lib.team.db import TeamDB

    db = TeamDB.open(library_server.data)
    db.add("Splats", [p["id"] for p in PAPERS[:4]], "alice")
    open_view(page, f"{library_server.url}/collections?collection=Splats&since=all")
    more = page.get_by_text("Why:", exact=False)
    expect(more.first).to_be_visible()
    assert "splatting" in more.first.inner_text().lower() or "gaussian" in more.first.inner_text().lower()
    titles = page.locator(CARD_TITLES)
    first_recommended = titles.nth(4).inner_text().split(". ", 1)[1]  # after the collection's 4 papers
    assert first_recommended in SPLATS[4:]  # the subject's other papers come first
    page.get_by_role("button", name="Not relevant").first.click()
    page.wait_for_timeout(1500)
    expect(page.locator(CARD_TITLES).filter(has_text=first_recommended)).to_have_count(0)
    assert first_recommended not in db.members("Splats")["id"].tolist()
    assert len(db.not_relevant("Splats")) == 1


def test_trending_view_draws_a_sparkline_per_paper(library_server, page):
    open_view(page, f"{library_server.url}/?view=trending&window=30d")
    cards = page.locator(CARD_TITLES)
    expect(cards.first).to_be_visible()
    count = cards.count()
    expect(page.locator("[data-testid=stMain] svg polyline")).to_have_count(count)
    expect(page.get_by_text("upvotes in the window").first).to_be_visible()
