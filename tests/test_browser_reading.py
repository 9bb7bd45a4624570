"""Real-browser tests of the reading loop on the bundled demo (list -> paper -> Back), at a
phone's width and a desk's: one history entry per click, Back to the exact view and its
scroll position, whole titles, dates that behave, links copied in one click, the theme,
and a page load that never leaves the machine."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import SEARCH_BOX, wait_for_app
from playwright.sync_api import expect

from lib.team.db import TeamDB

pytestmark = pytest.mark.browser

SCROLLER = "[data-testid=stMain]"
CARD_TITLES = "[data-testid=stPageLink] a:has(strong)"


def open_view(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    settle(page)


def settle(page, ms: int = 600) -> None:
    """Until the script run is over and the page has held still a moment."""
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
    page.wait_for_timeout(ms)


def entries(page) -> int:
    return page.evaluate("history.length")


def scroll_top(page) -> int:
    return page.evaluate(f"document.querySelector('{SCROLLER}').scrollTop")


def query(page) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def open_paper(page, link) -> str:
    """Click a paper's title; wait for its page; the paper id."""
    link.scroll_into_view_if_needed()
    settle(page, 300)
    before = entries(page)
    link.click()
    page.wait_for_url("**/paper?id=*")
    wait_for_app(page)
    settle(page)
    assert entries(page) == before + 1, "a click on a paper adds exactly one history entry"
    return query(page)["id"]


def back(page, expected_url: str) -> None:
    page.go_back()
    page.wait_for_url(expected_url)
    wait_for_app(page)
    settle(page, 1200)  # the shell restores the scroll position once the page is drawn again


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 420, "height": 900}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


# --- 1. Back and Forward --------------------------------------------------------------------------------
def test_back_from_a_search_result_returns_to_the_search_where_it_was_scrolled(sample_server, desk):
    url = f"{sample_server.url}/search?q=agent&sort=upvotes"
    open_view(desk, url)
    sixth = desk.locator(CARD_TITLES).filter(has_text=re.compile(r"^6\. "))
    sixth.scroll_into_view_if_needed()
    settle(desk, 300)
    left_at = scroll_top(desk)
    assert left_at > 300
    open_paper(desk, sixth)
    assert "Ignored" not in desk.inner_text("[data-testid=stMainBlockContainer]")
    back(desk, url)
    assert desk.url == url
    assert desk.locator(SEARCH_BOX).first.input_value() == "agent"
    assert abs(scroll_top(desk) - left_at) < 40
    assert "Ignored unknown link parameter" not in desk.inner_text("[data-testid=stMainBlockContainer]")
    desk.go_forward()  # and Forward opens the paper again
    desk.wait_for_url("**/paper?id=*")


def test_back_from_a_paper_returns_to_page_2_of_a_pinned_day(sample_server, desk):
    url = f"{sample_server.url}/?date=2025-08-12&sort=listed&p=2"
    open_view(desk, url)
    first = desk.locator(CARD_TITLES).filter(has_text=re.compile(r"^26\. "))
    title = first.inner_text()
    open_paper(desk, first)
    back(desk, url)
    expect(desk.locator(CARD_TITLES).first).to_have_text(title)
    assert query(desk) == {"date": "2025-08-12", "sort": "listed", "p": "2"}


def test_next_page_opens_at_its_top_and_back_returns_to_where_the_last_page_was_left(sample_server, desk):
    url = f"{sample_server.url}/?date=2025-08-12"
    open_view(desk, url)
    following = desk.get_by_role("button", name="Next page")
    following.scroll_into_view_if_needed()
    settle(desk, 300)
    left_at = scroll_top(desk)
    assert left_at > 1000
    following.click()
    desk.wait_for_function("() => location.search.includes('p=2')")
    settle(desk, 1200)
    assert scroll_top(desk) < 50  # the new page's first card, not its bottom
    back(desk, url)
    assert abs(scroll_top(desk) - left_at) < 40


def test_back_from_a_paper_returns_to_its_topic_page(sample_server, desk):
    url = f"{sample_server.url}/topics?topic=2&by=week"
    open_view(desk, url)
    open_paper(desk, desk.locator(CARD_TITLES).first)
    back(desk, url)
    assert query(desk) == {"topic": "2", "by": "week"}
    desk.get_by_text("Most representative papers").wait_for()


def test_back_from_a_paper_returns_to_the_trends_drill_down(sample_server, desk):
    open_view(desk, f"{sample_server.url}/trends?terms=agent")
    points = desk.locator("[data-testid=stVegaLiteChart] g.mark-symbol.role-mark path")
    points.nth(3).click(force=True)  # the chart picks the point nearest the click (a Voronoi layer on top)
    desk.wait_for_function("() => location.search.includes('pick=')")
    settle(desk)
    url = desk.url
    assert query(desk)["pick"] == "agent@2025-06"
    heading = desk.get_by_role("heading", name=re.compile("“agent” in 2025-06"))
    heading.wait_for()
    open_paper(desk, desk.locator(CARD_TITLES).first)
    back(desk, url)
    heading.wait_for()  # the drill-down is part of the view: it is in the URL
    assert query(desk)["pick"] == "agent@2025-06"


def test_paper_to_similar_paper_and_back_twice(sample_server, desk):
    start = f"{sample_server.url}/paper?id=2508.07999"
    open_view(desk, start)
    similar = desk.locator(CARD_TITLES).first
    second = open_paper(desk, similar)
    assert second != "2508.07999"
    open_paper(desk, desk.locator(CARD_TITLES).first)
    back(desk, f"{sample_server.url}/paper?id={second}")
    back(desk, start)
    assert desk.get_by_role("heading", level=1).inner_text().startswith("WideSearch")


def test_a_pasted_arxiv_id_opens_the_paper_and_back_returns_to_the_search(sample_server, desk):
    url = f"{sample_server.url}/search?q=reasoning"
    open_view(desk, url)
    before = entries(desk)
    box = desk.locator(SEARCH_BOX).first
    box.fill("arXiv:2508.07999v2")
    box.press("Enter")
    desk.wait_for_url("**/paper?id=2508.07999")
    wait_for_app(desk)
    settle(desk)
    assert entries(desk) == before + 1
    back(desk, url)
    assert "Ignored" not in desk.inner_text("[data-testid=stMainBlockContainer]")


# --- 2 and 3. Whole titles; a phone's layout ---------------------------------------------------------------
def cut_titles(page) -> list[str]:
    """Titles whose text does not fit their box (cut or ellipsised)."""
    return page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].filter(a => {
        const inner = [a, ...a.querySelectorAll('*')];
        return inner.some(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible')
            || inner.some(e => getComputedStyle(e).textOverflow === 'ellipsis' && getComputedStyle(e).whiteSpace === 'nowrap');
      }).map(a => a.innerText)""",
        CARD_TITLES,
    )


@pytest.mark.parametrize("width", [420, 1400])
def test_no_title_is_cut_and_the_title_is_the_largest_line_of_a_card(sample_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    long = "Klear-Reasoner: Advancing Reasoning Capability via Gradient-Preserving Clipping Policy Optimization"
    for path in ("/?date=2025-08-12", "/search?q=klear+reasoner", "/paper?id=2508.07629", "/topics?topic=0"):
        open_view(page, sample_server.url + path)
        titles = page.locator(CARD_TITLES)
        # a page's cards may come after its title (the paper page's similar papers, while the
        # server is still warming up its search): wait for them, then for the run to end
        titles.first.wait_for(timeout=30_000)
        settle(page)
        assert titles.count() > 0, path
        assert cut_titles(page) == [], path
        if path != "/paper?id=2508.07629":
            assert any(t.endswith(long) for t in titles.all_inner_texts()) or path.startswith("/topics"), path
        sizes = page.evaluate(
            """(sel) => { const a = document.querySelector(sel);
            const card = a.closest('[data-testid=stVerticalBlock]');
            const title = parseFloat(getComputedStyle(a.querySelector('p')).fontSize);
            const others = [...card.querySelectorAll('[data-testid=stMarkdownContainer] p')].filter(p => !a.contains(p))
                .map(p => parseFloat(getComputedStyle(p).fontSize));
            return [title, Math.max(...others)]; }""",
            CARD_TITLES,
        )
        assert sizes[0] > sizes[1], (path, sizes)
    context.close()


def test_on_a_phone_the_first_search_result_is_in_view(sample_server, phone):
    open_view(phone, f"{sample_server.url}/search?q=agent")
    first = phone.locator(CARD_TITLES).first
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 900, box
    assert scroll_top(phone) == 0


@pytest.mark.parametrize("width", [420, 1400])
def test_no_control_label_is_clipped(sample_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    for path in ("/", "/search?q=agent", "/trends", "/topics"):
        open_view(page, sample_server.url + path)
        clipped = page.evaluate("""() => {
            // a control's text or box cut by itself (an ellipsis) or by an ancestor that hides overflow
            const cut = (e) => {
              if (e.scrollWidth > e.clientWidth + 1) return true;
              const box = e.getBoundingClientRect();
              for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                if (getComputedStyle(a).overflowX === 'visible') continue;
                const outer = a.getBoundingClientRect();
                if (box.right > outer.right + 1 || box.left < outer.left - 1) return true;
              }
              return false;
            };
            return [...document.querySelectorAll(
                '[data-testid=stWidgetLabel] p, [data-testid=stButtonGroup] button, [data-testid=stButtonGroup] button p,'
                + ' [data-testid=stBaseButton-secondary] p, [data-testid=stPopover] button p, button[data-variant=pills] p')]
              .filter(e => e.offsetParent && cut(e)).map(e => e.innerText);
          }""")
        assert clipped == [], (path, clipped)
    context.close()


# --- 4. Dates ---------------------------------------------------------------------------------------------------
def test_a_typed_date_is_applied_on_enter(sample_server, desk):
    open_view(desk, f"{sample_server.url}/trends?terms=agent")
    field = desk.locator("[data-testid=stDateInput]").filter(has_text="From")
    field.locator("[data-type=year]").click()
    desk.keyboard.type("20250601")
    desk.keyboard.press("Enter")
    desk.wait_for_function("() => location.search.includes('from=2025-06-01')", timeout=10_000)
    settle(desk)
    assert query(desk) == {"terms": "agent", "from": "2025-06-01"}
    assert desk.locator("[data-testid=stVegaLiteChart] g.mark-symbol.role-mark path").count() == 3  # Jun-Aug


def test_date_pickers_open_on_the_tables_last_month_and_refuse_later_days(sample_server, desk):
    open_view(desk, f"{sample_server.url}/search?q=agent")
    desk.get_by_text("Filters").click()
    button = (
        desk.locator("[data-testid=stDateInput]")
        .filter(has_text="To")
        .locator("[data-testid=stDateInputCalendarButton]")
    )
    expect(button).to_be_visible()
    settle(desk, 300)
    calendar = desk.get_by_role("dialog")
    for _ in range(3):  # a click during the expander's opening may not reach the button
        button.click()
        try:
            calendar.wait_for(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - try again
            continue
    calendar.wait_for()
    text = calendar.inner_text()
    assert "August" in text and "2025" in text, text  # the table's last month, not today's
    assert calendar.get_by_role("button", name=re.compile("August 30, 2025")).is_disabled()


def test_one_click_ranges_count_back_from_the_newest_papers(sample_server, desk):
    open_view(desk, f"{sample_server.url}/search?q=agent")
    total = desk.get_by_text(re.compile(r"^\d[\d,]* results")).inner_text()
    desk.get_by_role("radio", name="30 days").click()
    desk.wait_for_function("() => location.search.includes('from=2025-07-31')")
    settle(desk)
    assert query(desk) == {"q": "agent", "from": "2025-07-31"}
    assert desk.get_by_text(re.compile(r"^\d[\d,]* results")).inner_text() != total
    desk.get_by_role("radio", name="All time").click()
    desk.wait_for_function("() => !location.search.includes('from=')")
    assert query(desk) == {"q": "agent"}


# --- 5. Links in one click ----------------------------------------------------------------------------------------
def test_copy_link_puts_the_view_on_the_clipboard_and_says_so(sample_server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sample_server.url)
    page = context.new_page()
    for path in (
        "/search?q=diffusion&sort=newest",
        "/?date=2025-08-12",
        "/trends?terms=agent&by=week",
        "/topics?topic=1",
        "/paper?id=2508.07999",
        "/views",
    ):
        open_view(page, sample_server.url + path)
        page.get_by_role("button", name="Copy link").first.click()
        page.locator("[data-testid=stToast]").filter(has_text="Link copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == sample_server.url + path
    context.close()


def test_a_view_saved_with_enter_is_relative_and_removing_it_can_be_undone(sample_server, desk):
    open_view(desk, f"{sample_server.url}/search?q=robot&sort=newest")
    desk.get_by_role("button", name="Save view").click()
    name = desk.get_by_role("textbox", name="Save this view as")
    name.fill("robots, newest")
    name.press("Enter")
    desk.locator("[data-testid=stToast]").filter(has_text="Saved").wait_for()
    views = TeamDB.open(sample_server.data).views()
    assert views["robots, newest"] == "/search?q=robot&sort=newest"  # relative: survives a move of host or port
    open_view(desk, f"{sample_server.url}/views")
    desk.get_by_role("button", name="Remove").click()
    settle(desk)
    assert "robots, newest" not in TeamDB.open(sample_server.data).views()
    desk.get_by_role("button", name="Undo").click()
    settle(desk)
    assert TeamDB.open(sample_server.data).views()["robots, newest"] == "/search?q=robot&sort=newest"
    desk.get_by_role("link", name="robots, newest").click()
    desk.wait_for_url("**/search?q=robot&sort=newest")


# --- 6. Theme, offline ------------------------------------------------------------------------------------------------
def brightness(page, selector: str) -> float:
    rgb = page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).backgroundColor")
    return sum(int(v) for v in re.findall(r"\d+", rgb)[:3]) / 3


def test_the_app_follows_the_systems_dark_preference_and_a_person_can_switch(sample_server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme="dark")
    page = context.new_page()
    open_view(page, f"{sample_server.url}/trends?terms=agent")
    assert brightness(page, "[data-testid=stApp]") < 60
    page.locator("[data-testid=stMainMenu]").click()
    page.locator("[data-testid=stMainMenuItem-theme-Light]").click()
    page.wait_for_timeout(500)
    assert brightness(page, "[data-testid=stApp]") > 200
    context.close()


def test_no_request_leaves_the_machine_on_any_page_load(sample_server, browser):
    context = browser.new_context()
    page = context.new_page()
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if urlsplit(request.url).hostname not in ("127.0.0.1", None) and not request.url.startswith("data:")
            else None
        ),
    )
    for path in ("/", "/search?q=agent", "/trends", "/topics", "/topics?topic=0", "/paper?id=2508.07999", "/views"):
        open_view(page, sample_server.url + path)
    assert outside == []
    context.close()


# --- 7. Small things -------------------------------------------------------------------------------------------------
def legend_colours(page, entries: int) -> dict[str, str]:
    """The first chart's legend, once it shows ``entries`` terms: each label and its symbol's
    colour, in the legend's order."""
    expect(page.locator("[data-testid=stVegaLiteChart]").first.locator(".role-legend-label")).to_have_count(entries)
    return page.evaluate("""() => Object.fromEntries([...document.querySelector('[data-testid=stVegaLiteChart]')
        .querySelectorAll('.role-legend-symbol')].map(symbol => { const entry = symbol.parentElement;
          return [entry.querySelector('.role-legend-label text').textContent,
                  symbol.querySelector('path').getAttribute('stroke')]; }))""")


def test_trend_colours_follow_the_typed_order_and_stay_when_a_term_is_added(sample_server, desk):
    open_view(desk, f"{sample_server.url}/trends?terms=reasoning,+agent")
    two = legend_colours(desk, 2)
    open_view(desk, f"{sample_server.url}/trends?terms=reasoning,+agent,+diffusion")
    three = legend_colours(desk, 3)
    assert list(three)[:2] == ["reasoning", "agent"]
    assert {k: three[k] for k in two} == two
    assert len(set(three.values())) == 3


def test_a_click_on_a_bar_or_map_point_opens_that_area_then_that_topic(sample_server, desk):
    """The Topics page opens on the areas: a bar opens its area, the area's bar its topic, and
    a point of the map the area it is drawn in."""
    open_view(desk, f"{sample_server.url}/topics")
    desk.locator("[data-testid=stVegaLiteChart]").first.locator("g.mark-rect path").first.click()
    desk.wait_for_function("() => location.search.includes('area=')")
    wait_for_app(desk)
    desk.get_by_text("Its topics", exact=True).wait_for()
    desk.locator("[data-testid=stVegaLiteChart]").first.locator("g.mark-rect path").first.click()
    desk.wait_for_function("() => location.search.includes('topic=')")
    wait_for_app(desk)
    desk.get_by_text("Most representative papers").wait_for()
    open_view(desk, f"{sample_server.url}/topics")
    point = desk.locator("[data-testid=stVegaLiteChart]").nth(2).locator("g.mark-symbol path").nth(100)
    area = re.search(r"topic: ([^;]+)", point.get_attribute("aria-label"))[1]  # (the map names a point's area)
    point.scroll_into_view_if_needed()
    point.click(force=True)
    desk.wait_for_function("() => location.search.includes('area=')")
    wait_for_app(desk)
    expect(desk.locator("[data-testid=stMainBlockContainer] h2")).to_have_text(area)


def test_the_wheel_over_the_topic_map_scrolls_the_page(sample_server, desk):
    open_view(desk, f"{sample_server.url}/topics")
    chart = desk.locator("[data-testid=stVegaLiteChart]").nth(2)  # sizes, shares over time, map
    chart.scroll_into_view_if_needed()
    settle(desk, 300)
    before = scroll_top(desk)
    box = chart.bounding_box()
    desk.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    desk.mouse.wheel(0, 400)
    desk.wait_for_timeout(500)
    assert scroll_top(desk) > before + 100


def test_cards_link_authors_comments_and_code_and_the_paper_page_shows_its_topic(sample_server, desk):
    open_view(desk, f"{sample_server.url}/search?q=klear+reasoner")
    card = (
        desk.locator("[data-testid=stVerticalBlock]")
        .filter(has=desk.locator(CARD_TITLES))
        .filter(has_text="Klear-Reasoner")
        .last
    )
    assert card.get_by_role("link", name="GitHub").count() == 1
    assert card.locator("[data-testid=stMarkdownContainer]").filter(has_text="chat_bubble").count() == 1
    author = card.locator("[data-testid=stCaptionContainer] a").first
    name = author.inner_text()
    pages_before = len(desk.context.pages)
    author.click()  # the app's own page: in the same tab, not a new one
    desk.wait_for_url(re.compile(r"/search\?q=author"))
    assert len(desk.context.pages) == pages_before
    expect(desk.locator(SEARCH_BOX).first).to_have_value(f'author:"{name}"')
    open_view(desk, f"{sample_server.url}/paper?id=2508.07629")
    topic = desk.locator("[data-testid=stPageLink] a[href*='topics?topic=']")
    assert topic.count() == 1
    text = desk.inner_text("[data-testid=stMainBlockContainer]")
    assert str(sample_server.data) not in text and "/tmp" not in text  # no server path for visitors


def test_counts_are_written_in_the_right_number(sample_server, desk):
    open_view(desk, f'{sample_server.url}/search?q=title:"Klear-Reasoner"')
    assert desk.get_by_text(re.compile(r"^1 result ·")).count() == 1
