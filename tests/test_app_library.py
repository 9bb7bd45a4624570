"""AppTest of the team's library in the pages: collections from any card (one click), the
Collections page, reading status and hide read, the team note, the trending view; a read-only
dashboard shows no write control.  The team database is the real SQLite file of the store."""

from __future__ import annotations

import pytest
from conftest import open_page

from lib.team.db import ANONYMOUS, TeamDB


def pills(app, label="Collections"):
    return [g for g in app.get("button_group") if g.label == label]


def test_a_search_card_adds_to_a_collection_in_one_click(app, three_day_store):
    """With no collection yet, a card offers the default one: one click creates it and adds
    the paper; a second click removes it."""
    open_page(app, "pages/search.py", {"q": "agents"})
    first = pills(app)[0]
    assert first.options == [":material/bookmark: Reading list"] or "Reading list" in str(first.options)
    first.set_value(["Reading list"]).run()
    assert not app.exception
    db = TeamDB.open(three_day_store)
    members = db.members("Reading list")
    assert len(members) == 1 and members["added_by"].tolist() == [ANONYMOUS]
    added = members["id"][0]
    assert pills(app)[0].value == ["Reading list"]  # the card shows what the database holds
    pills(app)[0].set_value([]).run()
    assert db.in_collection("Reading list", [added]) == set()


def test_mark_read_then_hide_read_on_search_and_daily_papers(app, three_day_store):
    open_page(app, "pages/search.py", {"q": "agents", "sort": "newest"})
    titles = [link.value for link in app.page_link if link.value.startswith("**1. ")]
    next(b for b in app.button if b.label == "Mark read").click().run()
    assert not app.exception
    db = TeamDB.open(three_day_store)
    read = db.read_ids(ANONYMOUS)
    assert len(read) == 1
    open_page(app, "pages/search.py", {"q": "agents", "sort": "newest", "hide": "read"})
    shown = [link.value for link in app.page_link if link.value.startswith("**")]
    assert titles and titles[0] not in shown
    assert any(t.label == "Hide read" and t.value for t in app.toggle)
    # the same reader's read paper is left out of the Daily Papers list too, and counted
    (paper_id,) = read
    app.query_params.clear()
    open_page(app, "pages/home.py", {"view": "top", "window": "30d"})
    assert paper_id in card_ids(app)
    open_page(app, "pages/home.py", {"view": "top", "window": "30d", "hide": "read"})
    assert paper_id not in card_ids(app) and card_ids(app)
    assert any(
        "1 paper** you marked read hidden" in c.value or "1 paper you marked read hidden" in c.value
        for c in app.caption
    )


def card_ids(app) -> list[str]:
    """The paper ids of the cards' title links."""
    return [link.proto.query_string.removeprefix("id=") for link in app.page_link if link.value.startswith("**")]


def test_paper_page_status_collections_and_an_escaped_note(app, three_day_store):
    from lib.store.store import Store

    paper_id = Store(three_day_store).read_table()["id"][0].as_py()
    open_page(app, "pages/paper.py", {"id": paper_id})
    status = next(g for g in app.get("button_group") if g.label == "My reading status")
    status.set_value("reading").run()
    db = TeamDB.open(three_day_store)
    assert db.statuses(ANONYMOUS, [paper_id]) == {paper_id: "reading"}
    next(t for t in app.text_input if t.label == "New collection").input("VLA reading group").run()
    assert db.collections_of(paper_id) == ["VLA reading group"]
    hostile = "<script>alert(1)</script> **not bold**"
    next(t for t in app.text_area if t.label == "Note").input(hostile).run()
    next(b for b in app.button if b.label == "Save note").click().run()
    assert db.note(paper_id).text == hostile
    assert any(t.value == hostile for t in app.get("text"))  # shown as plain text, never markdown or HTML


def test_collections_page_lists_opens_exports_and_recommends(app, three_day_store):
    from lib.store.store import Store

    ids = Store(three_day_store).read_table()["id"].to_pylist()
    db = TeamDB.open(three_day_store)
    db.add("Agents", ids[:2], "alice")
    open_page(app, "pages/collections.py")
    assert any("**Agents**" in link.value for link in app.page_link)
    open_page(app, "pages/collections.py", {"collection": "Agents"})
    assert app.title[0].value == "Agents"
    assert any("added by alice" in c.value for c in app.caption)
    labels = {d.label for d in app.get("download_button")}
    assert {"BibTeX", "CSV", "JSON", "Atom feed"} <= labels
    assert any(h.value == "More for this collection" for h in app.subheader)


def test_an_unknown_collection_says_so(app, three_day_store):
    open_page(app, "pages/collections.py", {"collection": "Nope"})
    assert any("No collection is named" in w.value for w in app.warning)


def test_create_rename_and_delete_a_collection(app, three_day_store):
    open_page(app, "pages/collections.py")
    next(t for t in app.text_input if t.label == "New collection").input("Our related work").run()
    db = TeamDB.open(three_day_store)
    assert [c.name for c in db.collections()] == ["Our related work"]
    assert app.title[0].value == "Our related work"  # it opens
    next(t for t in app.text_input if t.label == "Rename to").input("Related work").run()
    assert [c.name for c in db.collections()] == ["Related work"]
    next(b for b in app.button if b.label == "Delete this collection").click().run()
    assert db.collections() == []


def test_trending_view_ranks_a_window_with_sparklines(app, three_day_store):
    open_page(app, "pages/home.py", {"view": "trending", "window": "30d"})
    assert not app.exception
    assert sum("<polyline" in m.value for m in app.markdown) >= 3  # one sparkline per card
    assert any("upvotes in the window" in c.value for c in app.caption)


@pytest.mark.parametrize("page", ["pages/search.py", "pages/home.py", "pages/collections.py"])
def test_a_read_only_dashboard_shows_no_write_control(app, three_day_store, monkeypatch, page):
    TeamDB.open(three_day_store).add("Agents", [], "alice")
    monkeypatch.setenv("PAPERS_READONLY", "1")
    open_page(app, page, {"q": "agents"} if page.endswith("search.py") else {})
    assert not pills(app)
    assert not [b for b in app.button if b.label in ("Mark read", "Delete this collection")]
    assert not [t for t in app.text_input if t.label == "New collection"]
    assert not [t for t in app.toggle if t.label == "Hide read"]
