"""Real-browser tests: what only a browser shows (a shared link opened from scratch)."""

import re

import pytest
from conftest import SEARCH_BOX, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_shared_day_link_shows_the_first_paper_of_that_day(sample_server, page):
    """The demo's 2025-08-29 as listed: the order of Hugging Face's own response for that day."""
    import gzip
    import json

    from conftest import ROOT

    listed = json.loads(gzip.decompress((ROOT / "sample" / "hf_daily_papers" / "2025-08-29.json.gz").read_bytes()))
    page.goto(f"{sample_server.url}/?date=2025-08-29&sort=listed")
    wait_for_app(page)
    first_title = page.locator("[data-testid=stMarkdownContainer] strong").filter(has_text="1. ").first
    first_title.wait_for()
    assert first_title.inner_text() == "1. " + " ".join(listed[0]["paper"]["title"].split())
    assert "Bundled demo" in page.inner_text("[data-testid=stMainBlockContainer]")
    # the address bar keeps the canonical link of the view
    assert page.url.endswith("/?date=2025-08-29&sort=listed")


def test_changing_the_order_rewrites_the_address_bar(sample_server, page):
    page.goto(f"{sample_server.url}/?sort=listed")
    wait_for_app(page)
    page.get_by_text("Most upvoted", exact=True).click()
    page.wait_for_function("() => !location.search.includes('sort=')")
    assert "sort=" not in page.url


def test_shared_search_link_shows_the_same_results_and_opens_the_paper(sample_server, browser):
    from lib.library import Library
    from lib.store.store import Store
    from lib.urlstate import SEARCH

    # the answer the server gives the link (by default ranked by words and meaning)
    expected = Library.open(Store(sample_server.data)).search_page(SEARCH.decode({"q": "adaptation OR finetuning"})[0])
    expected = expected.rows.head(3)

    context = browser.new_context()  # a teammate's fresh browser: no session, no cookies
    page = context.new_page()
    page.goto(f"{sample_server.url}/search?q=adaptation+OR+finetuning")
    wait_for_app(page)
    links = page.locator("[data-testid=stPageLink] a")
    links.first.wait_for()
    # the cards stream in as the run goes: wait (retrying) for the first three to be the expected ones
    expect(links.filter(has_text=re.compile(r"^[1-3]\. "))).to_have_text(
        [f"{rank}. {title}" for rank, title in zip(expected["rank"], expected["title"])], timeout=30_000
    )
    assert [links.nth(i).inner_text() for i in range(3)] == [
        f"{rank}. {title}" for rank, title in zip(expected["rank"], expected["title"])
    ]
    assert page.input_value(SEARCH_BOX) == "adaptation OR finetuning"

    links.first.click()
    page.wait_for_url("**/paper?id=*")
    page.get_by_role("heading", name=expected["title"].iloc[0]).wait_for()
    assert f"id={expected['id'].iloc[0]}" in page.url
    context.close()


def test_shared_trends_link_draws_lines_and_a_click_lists_the_papers(agent_server, page):
    page.set_viewport_size({"width": 1400, "height": 1200})
    page.goto(f"{agent_server.url}/trends?terms=agent&by=month")
    wait_for_app(page)
    points = page.locator("[data-testid=stVegaLiteChart] g.mark-symbol.role-mark path")
    points.first.wait_for()
    assert points.count() == 6  # six months, one point each
    assert page.locator("[data-testid=stVegaLiteChart] g.mark-line.role-mark path").count() == 1
    points.nth(2).hover(force=True)
    tooltip = page.locator("#vg-tooltip-element.visible")
    tooltip.wait_for()
    assert "2025-03" in tooltip.inner_text() and "100.0%" in tooltip.inner_text()
    points.nth(2).click(force=True)  # the chart picks the point nearest the click (a Voronoi layer on top)
    page.wait_for_function("() => location.search.includes('pick=agent%402025-03')")
    heading = page.get_by_role("heading", name="“agent” in 2025-03")
    heading.wait_for(timeout=30_000)
    assert "3 papers" in heading.inner_text()
    drilled = page.locator("[data-testid=stPageLink] a", has_text="Agent study 3-")
    drilled.nth(2).wait_for()
    assert drilled.count() == 3


def test_quick_successive_queries_are_never_lost(sample_server, page):
    """Type the next query as soon as results show, before the address bar has caught up:
    the box must keep what was typed (a stale address must not reset it)."""
    from lib.dataset import load
    from lib.search import search
    from lib.search.index import SearchIndex
    from lib.store.store import Store

    ds = load(Store(sample_server.data))
    built = SearchIndex.build(ds.table)

    def first(query: str) -> str:
        return search.result_frame(search.search(built, ds.search_columns, query), ds.table, 0, 1)["title"].iloc[0]

    page.goto(f"{sample_server.url}/search?q=lora")
    wait_for_app(page)
    box = page.locator(SEARCH_BOX).first
    first_link = page.locator("[data-testid=stPageLink] a").first
    steps = [(q, first(q)) for q in ("unlearning", "capsule", "motion option", "unlearning", "capsule")]
    assert len({title for _, title in steps}) == 3
    for query, expected in steps:
        box.fill(query)
        box.press("Enter")
        page.wait_for_function(
            "([sel, text]) => { const a = document.querySelector(sel); return a && a.innerText.includes(text); }",
            arg=["[data-testid=stPageLink] a", expected],
            timeout=30_000,
        )
        assert box.input_value() == query
    page.wait_for_function("() => location.search.includes('q=capsule')")
    page.wait_for_timeout(1000)
    assert box.input_value() == "capsule" and steps[-1][1] in first_link.inner_text()


def test_every_page_file_is_named_like_its_url_path():
    """On a freshly started server Streamlit first treats pages/ as a legacy multipage app,
    where /NAME is pages/NAME.py: a page whose file is named otherwise opens its shared link
    under a "Page not found" dialog (pages/import_data.py served /import).  dashboard.py
    registers page_file(NAME) at the url path of lib.urlstate.PAGES[NAME]."""
    from conftest import ROOT

    import dashboard
    from lib.urlstate import PAGES

    assert "import" in PAGES and len(PAGES) >= 7
    assert [name for name, spec in PAGES.items() if not spec.path] == ["home"]  # the default page, at /
    for name, spec in PAGES.items():
        path = dashboard.page_file(name)
        assert path.is_file() and path.parent == ROOT / "pages", path
        assert spec.path in (path.stem, ""), (path, spec.path)


def test_a_first_visit_to_a_fresh_server_opens_the_import_page_without_page_not_found(tmp_path, page):
    from conftest import Server, require_browser

    require_browser()
    server = Server(tmp_path / "store")
    try:
        page.goto(f"{server.url}/import")
        wait_for_app(page)
        expect(page.locator("[data-testid=stMainBlockContainer] h1")).to_have_text("Import papers")
        page.wait_for_timeout(1000)  # the dialog, when it comes, comes with the first run
        assert page.get_by_text("Page not found").count() == 0
    finally:
        server.stop()


def test_shared_links_to_a_fresh_server_open_in_the_app_not_in_legacy_pages_mode(tmp_path, browser):
    """A fresh server runs pages/NAME.py alone for /NAME (Streamlit's legacy pages/ mode) until a
    session registers the app's pages: the first visitor's link, and the next visitor's, open with
    the app's title, top menu and wide layout, never the legacy sidebar listing the files."""
    from conftest import Server, require_browser

    require_browser()
    server = Server(tmp_path / "store")
    try:
        for path, heading in (("/search?q=agents", "Search"), ("/trends?terms=agent", "Trends")):
            context = browser.new_context(viewport={"width": 1400, "height": 900})  # a new visitor
            page = context.new_page()
            page.goto(server.url + path)
            wait_for_app(page)
            expect(page.locator("[data-testid=stMainBlockContainer] h1")).to_have_text(heading)
            expect(page).to_have_title("Papers dashboard")
            expect(page.get_by_role("link", name="Saved views")).to_be_visible()  # the app's menu
            assert page.locator("[data-testid=stSidebarNav]").count() == 0
            assert page.evaluate("document.querySelector('[data-testid=stMainBlockContainer]').offsetWidth") > 1000
            assert page.url == server.url + path
            context.close()
    finally:
        server.stop()


def test_each_new_query_and_filter_is_one_history_entry_in_the_grammars_order(sample_server, page):
    """Back returns to the previous query, then the previous filters, and the address bar keeps
    the keys in the URL grammar's order.  (Why the widgets are not bound with
    bind="query-params": Streamlit syncs a bound widget with history.replaceState, so a new
    query made no entry and Back left the page; see pages/common.py.)"""
    page.goto(f"{sample_server.url}/search?q=lora")
    wait_for_app(page)
    start = page.evaluate("history.length")
    box = page.locator(SEARCH_BOX).first
    for query in ("agents", "robot"):
        box.fill(query)
        box.press("Enter")
        page.wait_for_function(f"() => location.search === '?q={query}'")
        wait_for_app(page)
    page.get_by_text("Filters").click()
    upvotes = page.locator("[data-testid=stNumberInput] input").first
    upvotes.fill("5")
    upvotes.press("Enter")
    page.wait_for_function("() => location.search.includes('up=5')")
    wait_for_app(page)
    page.get_by_role("radio", name="30 days").click()
    page.wait_for_function("() => location.search.includes('from=')")
    wait_for_app(page)
    assert page.url == f"{sample_server.url}/search?q=robot&from=2025-07-31&up=5"
    assert page.evaluate("history.length") == start + 4
    for url, query, minimum in (
        ("/search?q=robot&up=5", "robot", "5"),
        ("/search?q=robot", "robot", "0"),
        ("/search?q=agents", "agents", "0"),
    ):
        page.go_back()
        page.wait_for_url(sample_server.url + url)
        wait_for_app(page)
        expect(box).to_have_value(query)
        expect(upvotes).to_have_value(minimum)
