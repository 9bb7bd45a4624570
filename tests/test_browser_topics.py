"""Real-browser test of the Topics page: a shared link to one topic (its stable id), opened
from scratch in a fresh browser, shows the topic lib computes for the same papers and k; its
breadcrumbs lead to its area and to all areas."""

from __future__ import annotations

import pytest
import topics_fixture as fx
from conftest import Server, require_browser, wait_for_app, write_jsonl
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
K = 3


@pytest.fixture(scope="session")
def topics_server(tmp_path_factory):
    """The app on a store of the topics fixture, imported through the real importer.

    The k=3 model is fitted and saved before the server starts (as after a teammate's
    first visit): a model the page fits itself cannot be shown a second time by the same
    server (see test_app_topics.test_a_model_the_page_fitted_can_be_shown_again)."""
    require_browser()
    from lib.dataset import load
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files
    from lib.topics import topics
    from lib.trends import terms

    data = tmp_path_factory.mktemp("topics-store")
    source = write_jsonl(data / "topics.jsonl", fx.plain())
    store = Store(data / "store")
    import_files(store, input_files([str(source)], (".jsonl",)))
    ds = load(store)
    topics.load_or_fit(store, ds, terms.load_or_build(store, ds), K)
    server = Server(data / "store")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def expected(topics_server):
    """The model lib fits for the server's papers and k, independently of the saved one."""
    from lib.dataset import load
    from lib.store.store import Store
    from lib.topics.topics import TopicModel
    from lib.trends.terms import TermIndex

    ds = load(Store(topics_server.data))
    return ds, TopicModel(K).fit(TermIndex.build(ds.table))


def test_shared_topic_link_shows_the_topic_lib_computes(topics_server, expected, browser):
    ds, model = expected
    themes = fx.themes_by_id()
    # the rowing topic: the one most rowing papers belong to
    rows = [i for i, paper in enumerate(ds.table["id"].to_pylist()) if themes[paper] == "rowing"]
    row = max(range(K), key=lambda t: int((model.dominant_[rows] == t).sum()))
    label = model.labels_[row]
    topic = int(model.ids_[row])  # the store's first fit: its ids are the fit's own

    context = browser.new_context()  # a teammate's fresh browser: no session, no cookies
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 1200})
    page.goto(f"{topics_server.url}/topics?k={K}&topic={topic}")
    wait_for_app(page)
    header = page.locator("[data-testid=stMainBlockContainer] h2").first
    header.wait_for(timeout=60_000)
    assert header.inner_text().strip() == label
    assert all(word in fx.VOCABULARY["rowing"] for word in label.lower().split(", "))  # labels are capitalised
    main = page.locator("[data-testid=stMainBlockContainer]")
    assert f"Topic {topic} ·" in main.inner_text()
    trends_link = page.locator("[data-testid=stPageLink] a", has_text="Trends of")
    expect(trends_link).to_have_count(1, timeout=30_000)
    top4 = ", ".join(t for t, _ in model.top_terms(row, 4))
    assert trends_link.inner_text().strip().endswith("Trends of " + top4)
    related = page.locator("[data-testid=stPageLink] a[href*='topic=']")
    expect(related).to_have_count(len(model.related(row)), timeout=30_000)
    shown = [related.nth(i).inner_text() for i in range(related.count())]
    assert len(shown) == len(model.related(row))
    for near, text in zip(model.related(row).itertuples(), shown):
        assert text.strip().endswith(f"{near.label} ({near.similarity:.2f})")
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.url.endswith(f"/topics?k={K}&topic={topic}")  # the link stays as shared

    # a related topic's link opens that topic, and the address bar names it (a copied
    # address or a reload must show the topic on screen, not the one before)
    other = int(model.related(row).iloc[0].topic)
    related.first.click()
    page.wait_for_function(
        "(label) => [...document.querySelectorAll('[data-testid=stMainBlockContainer] h2')]"
        ".some(h => h.innerText.trim() === label)",
        arg=model.labels_[model.row_of(other)],
        timeout=30_000,
    )
    page.wait_for_function(
        # the address is written at the end of the run that drew the header (its charts come between)
        "(topic) => new URLSearchParams(location.search).get('topic') === topic",
        arg=str(other),
        timeout=30_000,
    )
    page.reload()
    wait_for_app(page)
    page.wait_for_function(
        "(label) => [...document.querySelectorAll('[data-testid=stMainBlockContainer] h2')]"
        ".some(h => h.innerText.trim() === label)",
        arg=model.labels_[model.row_of(other)],
        timeout=60_000,
    )

    # the breadcrumbs: the topic's area, then all areas
    area = int(model.area_of_[model.row_of(other)])
    page.locator("[data-testid=stPageLink] a[href*='area=']").first.click()
    page.wait_for_function(
        "(label) => [...document.querySelectorAll('[data-testid=stMainBlockContainer] h2')]"
        ".some(h => h.innerText.trim() === label)",
        arg=model.area_labels_[area],
        timeout=30_000,
    )
    page.wait_for_function(
        "(area) => new URLSearchParams(location.search).get('area') === area && !location.search.includes('topic=')",
        arg=str(int(model.area_ids_[area])),
        timeout=30_000,
    )

    # all areas: their labels on the sizes chart
    page.goto(f"{topics_server.url}/topics?k={K}")
    wait_for_app(page)
    axis = page.locator("[data-testid=stVegaLiteChart] svg").first
    axis.wait_for(timeout=60_000)
    page.wait_for_function(
        "(labels) => { const texts = [...document.querySelectorAll('[data-testid=stVegaLiteChart] svg text')]"
        ".map(t => t.textContent); return labels.every(l => texts.includes(l)); }",
        arg=model.area_labels_,
        timeout=30_000,
    )
    assert page.locator("[data-testid=stMainBlockContainer] h2").count() == 0  # no one topic's header
    assert page.locator("[data-testid=stException]").count() == 0
    context.close()
