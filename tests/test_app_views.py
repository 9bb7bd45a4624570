"""AppTest of saved views: save from Copy link, list them, remove; read-only hides writes."""
from conftest import open_page

from lib.store import Store


def test_no_views_says_so(app, three_day_store):
    open_page(app, "pages/views.py")
    assert any("No saved views" in i.value for i in app.info)


def test_save_the_current_search_from_copy_link(app, three_day_store):
    open_page(app, "pages/search.py", {"q": "agents", "sort": "newest"})
    name_box = next(t for t in app.text_input if t.label == "Save as a view named")
    name_box.set_value("Agents, newest")
    next(b for b in app.button if b.label == "Save view").click().run()
    assert not app.exception
    assert any("Saved “Agents, newest”" in t.value for t in app.toast)
    views = Store(three_day_store).read_views()
    assert list(views) == ["Agents, newest"] and views["Agents, newest"].endswith("/search?q=agents&sort=newest")


def test_views_are_listed_with_their_feed_and_can_be_removed(app, three_day_store):
    Store(three_day_store).write_views({"agents": "http://localhost:8501/search?q=agents",
                                        "broken": "http://localhost:8501/import"})
    open_page(app, "pages/views.py")
    links = [l for l in app.page_link if l.value.startswith("**")]
    assert [l.value for l in links] == ["**agents**"]
    assert any("cannot be used" in w.value for w in app.warning)  # the broken one says why
    assert any(d.label == "Atom feed" for d in app.get("download_button"))
    next(b for b in app.button if b.label == "Remove").click().run()
    assert not app.exception
    assert list(Store(three_day_store).read_views()) == ["broken"]


def test_read_only_dashboard_cannot_save_or_remove(app, three_day_store, monkeypatch):
    monkeypatch.setenv("PAPERS_READONLY", "1")
    Store(three_day_store).views_path.write_text('{"agents": "http://localhost:8501/search?q=agents"}')
    open_page(app, "pages/views.py")
    assert not [b for b in app.button if b.label == "Remove"]
    open_page(app, "pages/search.py", {"q": "agents"})
    assert not [t for t in app.text_input if t.label == "Save as a view named"]
