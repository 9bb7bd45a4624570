"""Sign-in for real: the app behind a real OpenID Connect provider (oidc-provider-mock on a local
port), a real server and a real browser.  A signed-out visitor sees only the sign-in page; a shared
link survives the sign-in round trip; an editor writes under her name; a reader sees no write control
and a crafted click writes nothing for him; a stranger and an unverified address stay out; Sign out is
in the top bar.  Nothing here sets st.user: the provider's signed ID token does."""

from __future__ import annotations

import re

import oidc
import pytest
from conftest import AGENT_MONTHS, Server, _free_port, require_browser, settled, write_jsonl
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CARD_TITLES = "[data-testid=stPageLink] a:has(strong)"
MARK_READ = "button:has-text('Mark read')"
COLLECT = "button[data-variant=pills]:has-text('Reading list')"  # a card's pill of the default collection
IMPORT_LINK = "a[href$='/import']"  # the Import page's entry in the top navigation


@pytest.fixture(scope="module")
def signin_server(tmp_path_factory):
    """The app on AGENT_MONTHS with sign-in through a local provider: the lab reads, Alice writes."""
    require_browser()
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    data = tmp_path_factory.mktemp("signin-store")
    import_files(
        Store(data / "store"), input_files([str(write_jsonl(data / "agent.jsonl", AGENT_MONTHS))], (".jsonl",))
    )
    with oidc.provider() as provider:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        secrets = oidc.write_secrets(data, url, provider)
        server = Server(data / "store", env=oidc.ACCESS, args=(f"--secrets.files={secrets}",), port=port)
        try:
            yield server
        finally:
            server.stop()


def sign_in(page, server, path: str, user: dict) -> None:
    """Open ``path`` signed out, sign in as ``user`` on the provider's page, and wait for the app."""
    page.goto(server.url + path)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/oauth2/authorize"), timeout=30_000)
    page.get_by_role("button", name=str(user["sub"]), exact=True).click()
    page.wait_for_url(re.compile(re.escape(server.url) + r"/(?!oauth2callback)"), timeout=30_000)
    settled(page)


def signed_out(page) -> None:
    """After Sign out: the provider ends its session too (its end-session page), then the sign-in page."""
    page.wait_for_url(re.compile(r"^http://localhost:\d+/oauth2/end_session"), timeout=30_000)
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)


def team_db(server):
    from lib.team.db import TeamDB

    return TeamDB.open(server.data)


# the first is the fresh server's first visit: a deep link, run by the page's own file (pages/common.py)
@pytest.mark.parametrize("path", ["/paper?id=2503.01000", "/", "/search?q=agent", "/collections", "/import", "/trends"])
def test_a_signed_out_visitor_sees_only_the_sign_in_page(signin_server, page, path):
    page.goto(signin_server.url + path)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)
    settled(page)
    text = page.locator("[data-testid=stApp]").inner_text()
    assert "Agent study" not in text and "Ann Author" not in text  # no paper
    assert not re.search(r"\d", text)  # no count, no date
    for name in ("Daily Papers", "Search", "Trends", "Topics", "Collections", "Import", "Saved views"):
        assert name not in text  # no page name, no menu
    assert page.title() == "Papers dashboard"
    assert page.url == signin_server.url + path  # the link stays in the address bar for after sign-in


def test_a_shared_link_survives_the_sign_in_round_trip_and_an_editor_writes_under_her_name(
    signin_server, browser, tmp_path
):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    sign_in(page, signin_server, "/search?q=agent+study+4&sort=oldest", oidc.EDITOR)
    expect(page).to_have_url(re.compile(r"/search\?q=agent\+study\+4&sort=oldest$"))
    expect(page.get_by_role("textbox").first).to_have_value("agent study 4")
    expect(page.locator(CARD_TITLES).first).to_have_text("1. Agent study 4-0")  # oldest first
    assert not any(c["name"] == oidc_cookie() for c in context.cookies())  # the kept link has served
    # an editor's controls: the Import page, Save view, the cards' pills and Mark read
    expect(page.get_by_text("Alice Editor · editor")).to_be_visible()
    expect(page.locator(IMPORT_LINK).first).to_be_visible()
    expect(page.get_by_role("button", name="Save view")).to_be_visible()
    page.locator(COLLECT).first.click()  # into "Reading list"
    expect(page.get_by_text("added to “Reading list”")).to_be_visible()  # the server's toast: written
    expect(page.locator(COLLECT).first).to_have_attribute("aria-pressed", "true")
    assert team_db(signin_server).members("Reading list")["added_by"].tolist() == ["Alice Editor"]
    # an upload through the Import page (with sign-in configured Streamlit checks an XSRF token on it)
    upload = write_jsonl(tmp_path / "new.jsonl", [{**AGENT_MONTHS[0], "id": "2507.00001", "title": "Signed import"}])
    page.get_by_role("link", name="Import").click()
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(upload))
    new = page.get_by_test_id("stMetric").filter(has_text="New papers").get_by_test_id("stMetricValue")
    expect(new).to_have_text("1", timeout=30_000)
    page.get_by_role("button", name="Import 1 papers").click()
    expect(page.get_by_text("Imported:")).to_be_visible(timeout=30_000)
    from lib.store.store import Store

    assert "2507.00001" in Store(signin_server.data).read_table()["id"].to_pylist()
    context.close()


def oidc_cookie() -> str:
    from pages.common import NEXT_COOKIE

    return NEXT_COOKIE


def test_a_reader_sees_no_write_control_and_a_crafted_click_writes_nothing(signin_server, browser):
    from streamlit.proto.BackMsg_pb2 import BackMsg

    # The editor's Mark read, as her browser sends it (a BackMsg naming the button's widget id)...
    editor = browser.new_context(viewport={"width": 1400, "height": 1000})
    sockets: list = []
    editor.route_web_socket(re.compile(r".*/_stcore/stream"), lambda ws: sockets.append(ws.connect_to_server()))
    sent: list[bytes] = []
    page = editor.new_page()
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    sign_in(page, signin_server, "/search?q=agent+study+5", oidc.EDITOR)
    sent.clear()
    page.locator(MARK_READ).first.click()
    expect(page.get_by_role("button", name="Read", exact=True).first).to_be_visible()
    clicks = [m for m in sent if isinstance(m, bytes) and trigger(BackMsg.FromString(m))]
    assert clicks, "the editor's click was not seen"
    db = team_db(signin_server)
    first = page.locator(CARD_TITLES).first.inner_text()
    read_ids = set(db.read_ids("alice@lab.org"))
    assert len(read_ids) == 1
    # ...replayed after she marks it unread again writes again: the crafted message is a real click
    page.get_by_role("button", name="Read", exact=True).first.click()
    expect(page.get_by_role("button", name="Read", exact=True)).to_have_count(0)
    assert not set(db.read_ids("alice@lab.org"))
    sockets[-1].send(clicks[-1])
    page.wait_for_timeout(1500)
    assert set(db.read_ids("alice@lab.org")) == read_ids

    # A reader: papers, and no write control anywhere
    reader = browser.new_context(viewport={"width": 1400, "height": 1000})
    reader_sockets: list = []
    reader.route_web_socket(re.compile(r".*/_stcore/stream"), lambda ws: reader_sockets.append(ws.connect_to_server()))
    page = reader.new_page()
    sign_in(page, signin_server, "/search?q=agent+study+5", oidc.READER)
    expect(page.locator(CARD_TITLES).first).to_have_text(first)
    expect(page.get_by_text("Rob Reader · reader")).to_be_visible()
    for control in (MARK_READ, COLLECT, "button:has-text('Save view')", IMPORT_LINK):
        assert page.locator(control).count() == 0, control
    # the editor's click, replayed in the reader's session, writes nothing
    before = snapshot(db)
    reader_sockets[-1].send(clicks[-1])
    page.wait_for_timeout(1500)
    assert snapshot(db) == before and not set(db.read_ids("rob@lab.org"))
    # pages that write: not in his menu, and refused when typed
    for path, absent in (("/collections", "New collection"), ("/views", "Remove"), ("/topics", "Rename")):
        page.goto(signin_server.url + path)
        settled(page)
        assert page.get_by_text(absent).count() == 0, path
    page.goto(signin_server.url + "/import")
    settled(page)
    assert page.locator("[data-testid=stFileUploader]").count() == 0
    assert snapshot(db) == before
    editor.close()
    reader.close()


def trigger(message) -> bool:
    return message.WhichOneof("type") == "rerun_script" and any(
        w.WhichOneof("value") == "trigger_value" and w.trigger_value for w in message.rerun_script.widget_states.widgets
    )


def snapshot(db) -> tuple:
    return (
        [(c.name, c.size) for c in db.collections()],
        sorted(db.read_ids("alice@lab.org")),
        sorted(db.read_ids("rob@lab.org")),
        sorted(db.views()),
    )


@pytest.mark.parametrize("user", [oidc.STRANGER, oidc.UNVERIFIED], ids=["stranger", "unverified"])
def test_a_stranger_and_an_unverified_address_are_refused(signin_server, browser, user):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    sign_in(page, signin_server, "/search?q=agent", user)
    expect(page.get_by_text("is not on this team's list")).to_be_visible()
    text = page.locator("[data-testid=stApp]").inner_text()
    assert "Agent study" not in text and "Search" not in text
    page.goto(signin_server.url + "/paper?id=2503.01000")
    settled(page)
    assert "Agent study" not in page.locator("[data-testid=stApp]").inner_text()
    page.get_by_role("button", name="Sign out").click()
    signed_out(page)
    context.close()


def test_sign_out_is_in_the_top_bar(signin_server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    sign_in(page, signin_server, "/", oidc.READER)
    expect(page.locator(CARD_TITLES).first).to_be_visible()
    page.get_by_text("Rob Reader · reader").click()
    page.get_by_role("menuitem", name="Sign out").click()
    signed_out(page)
    page.goto(signin_server.url + "/search?q=agent")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)  # signed out for good
    context.close()


def test_a_reader_who_signs_in_through_an_editors_link_is_told_and_reads_on(signin_server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    sign_in(page, signin_server, "/import", oidc.READER)
    expect(page.get_by_text("That link's page is for editors")).to_be_visible()
    expect(page.locator(CARD_TITLES).first).to_be_visible()  # Daily Papers, to read
    assert page.locator("[data-testid=stFileUploader]").count() == 0
    context.close()
