"""AppTest of saved views: save from Copy link, list them, remove; read-only hides writes."""

from conftest import copy_links, open_page

from lib.team.db import ANONYMOUS, TeamDB


def views(data) -> dict[str, str]:
    return TeamDB.open(data).views()


def save_views(data, saved: dict[str, str]) -> None:
    db = TeamDB.open(data)
    for name, link in saved.items():
        db.save_view(name, link, ANONYMOUS)


def test_no_views_says_so(app, three_day_store):
    open_page(app, "pages/views.py")
    assert any("No saved views" in i.value for i in app.info)


def test_save_the_current_search_with_enter(app, three_day_store):
    """Typing a name and pressing Enter saves (the text box's change); the link is kept relative
    to the app, so the team's views survive a move to another host or port."""
    open_page(app, "pages/search.py", {"q": "agents", "sort": "newest"})
    name_box = next(t for t in app.text_input if t.label == "Save this view as")
    name_box.set_value("  Agents,   newest ").run()
    assert not app.exception
    assert any("Saved “Agents, newest”" in t.value for t in app.toast)
    assert views(three_day_store) == {"Agents, newest": "/search?q=agents&sort=newest"}
    assert next(t for t in app.text_input if t.label == "Save this view as").value == ""


def test_save_button_needs_a_name(app, three_day_store):
    open_page(app, "pages/search.py", {"q": "agents"})
    next(b for b in app.button if b.label == "Save").click().run()
    assert any("Give the view a name" in t.value for t in app.toast)
    assert views(three_day_store) == {}


def test_views_are_listed_with_their_feed_and_can_be_removed(app, three_day_store):
    save_views(
        three_day_store, {"agents": "http://localhost:8501/search?q=agents", "broken": "http://localhost:8501/import"}
    )
    open_page(app, "pages/views.py")
    links = [link for link in app.page_link if link.value.startswith("**")]
    assert [link.value for link in links] == ["**agents**"]
    assert any("cannot be used" in w.value for w in app.warning)  # the broken one says why
    assert any(d.label == "Atom feed" for d in app.get("download_button"))
    next(b for b in app.button if b.label == "Remove").click().run()
    assert not app.exception
    assert list(views(three_day_store)) == ["broken"]
    assert any("Removed “agents”" in i.value for i in app.info)
    next(b for b in app.button if b.label == "Undo").click().run()  # a removal can be undone
    assert views(three_day_store) == {
        "agents": "http://localhost:8501/search?q=agents",
        "broken": "http://localhost:8501/import",
    }
    assert not [b for b in app.button if b.label == "Undo"]


def test_relative_and_absolute_views_both_open_and_copy(app, three_day_store, monkeypatch):
    monkeypatch.setenv("PAPERS_BASE_URL", "https://team.example/papers/")
    save_views(three_day_store, {"new": "/trends?terms=agent", "old": "http://lab.org/papers/search?q=x"})
    open_page(app, "pages/views.py")
    assert [link.query_string for link in app.page_link if link.value.startswith("**")] == ["terms=agent", "q=x"]
    # a relative view is copied on the site the browser is on (AppTest has no browser: the site of
    # PAPERS_BASE_URL), an old absolute one on its own
    assert copy_links(app) == [
        "/views",
        "https://team.example/papers/trends?terms=agent",
        "http://lab.org/papers/search?q=x",
    ]


def test_read_only_dashboard_cannot_save_or_remove(app, three_day_store, monkeypatch):
    monkeypatch.setenv("PAPERS_READONLY", "1")
    (three_day_store / "views.json").write_text('{"agents": "http://localhost:8501/search?q=agents"}')
    open_page(app, "pages/views.py")  # saved views not yet moved into the team database are read from the file
    assert [link.value for link in app.page_link if link.value.startswith("**")] == ["**agents**"]
    assert not [b for b in app.button if b.label == "Remove"]
    open_page(app, "pages/search.py", {"q": "agents"})
    assert not [t for t in app.text_input if t.label == "Save this view as"]
