"""deploy/nginx.conf, the documented file itself, run by Debian's nginx in front of two real app
replicas over one data directory, with a real browser: a page loads and a typed search answers
through the proxy (the WebSocket is passed), every request of one browser reaches one replica (the
cookie nginx sets picks it), an upload larger than nginx's default 1 MB limit reaches the session's
replica, a browser whose replica stops is served by the other one, and a teammate who signed in
through the proxy on one replica is signed in on the other (one cookie_secret).

Skips when nginx is missing (apt-get install nginx), unless REQUIRE_NGINX=1 (CI), where that fails.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, SEARCH_BOX, Server, _free_port, require_browser
from nginx_server import Nginx, require_nginx
from playwright.sync_api import expect
from replicas import import_into, open_view, page_errors, papers, start_replicas, stop_all, write_papers

pytestmark = pytest.mark.browser
# The browser reaches nginx by a host name of its own, as in production: Streamlit accepts a
# WebSocket from any page of localhost / 127.0.0.1, which would hide a proxy that loses the Host.
HOST = "papers.test"

CARD_TITLES = "[data-testid=stPageLink] a:has(strong)"
COOKIE = "papers_replica"


@dataclass
class Proxied:
    nginx: Nginx
    replicas: list[Server]
    upload: Path

    def upstream(self, server: Server) -> str:
        return f"127.0.0.1:{server.port}"


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    require_browser()
    require_nginx()
    root = tmp_path_factory.mktemp("nginx")
    data = root / "store"
    import_into(data, write_papers(root / "first.jsonl", papers(0, 300)))
    upload = write_papers(root / "upload.jsonl", papers(20_000, 21_500, day="2025-07-02"))
    assert upload.stat().st_size > 1_100_000  # beyond nginx's default client_max_body_size (1 MB)
    servers = start_replicas(data, 2)
    try:
        nginx = Nginx(_free_port(), [f"127.0.0.1:{s.port}" for s in servers], server_name=HOST)
    except BaseException:
        stop_all(servers)
        raise
    yield Proxied(nginx, servers, upload)
    errors = nginx.errors()
    nginx.stop()
    logs = stop_all(servers)
    assert "[emerg]" not in errors and "[alert]" not in errors, errors
    for log in logs:
        assert "Traceback" not in log, log


def logged(proxied: Proxied, wanted: Callable[[dict[str, str]], bool]) -> list[dict[str, str]]:
    """The lines of nginx's access log that are ``wanted``, once there is one (nginx writes a
    line once it has answered; a WebSocket's when it closes)."""
    deadline = time.monotonic() + 10
    while not (lines := [line for line in proxied.nginx.log_lines() if wanted(line)]):
        assert time.monotonic() < deadline, "not in nginx's access log"
        time.sleep(0.05)
    return lines


@pytest.fixture(scope="module")
def browser(browser_type):
    """Chromium that resolves HOST to this machine."""
    launched = browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"]
    )
    yield launched
    launched.close()


def keys_for_each_replica(proxied: Proxied) -> dict[str, str]:
    """A sticky key nginx handed out for each replica: plain requests without a cookie each get a
    new key (and a replica picked by its hash) until both replicas have one."""
    found: dict[str, str] = {}
    for _ in range(40):
        with urllib.request.urlopen(f"{proxied.nginx.local_url}/_stcore/health", timeout=10) as answer:
            cookies = [c for c in answer.headers.get_all("Set-Cookie", []) if c.startswith(f"{COOKIE}=")]
        assert len(cookies) == 1 and "HttpOnly" in cookies[0], cookies
        cookie = cookies[0]
        key = cookie.split(";")[0].split("=", 1)[1]
        upstream = logged(proxied, lambda line, key=key: line["replica"] == key)[-1]["upstream"]
        found.setdefault(upstream, key)
        if len(found) == 2:
            return found
    raise AssertionError(f"40 new keys all went to {list(found)}")


def browser_with(browser, proxied: Proxied, key: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    context.add_cookies([{"name": COOKIE, "value": key, "url": proxied.nginx.url}])
    return context.new_page()


def test_a_typed_search_answers_through_nginx(proxied, browser):
    page = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
    open_view(page, f"{proxied.nginx.url}/search?q=splatting")
    expect(page.locator(CARD_TITLES).first).to_contain_text("Gaussian splatting")
    box = page.locator(SEARCH_BOX).first
    box.fill('"speculative decoding study number 42"')  # a rerun over the WebSocket
    box.press("Enter")
    expect(page.locator(CARD_TITLES).first).to_have_text("1. Speculative decoding study number 42")
    page.wait_for_function("() => location.search.includes('42')")  # the link follows the view
    assert not page_errors(page)
    page.context.close()  # nginx logs the WebSocket when it closes: an upgrade (101)
    streams = logged(proxied, lambda line: line["request"].startswith("GET /_stcore/stream"))
    assert all(line["status"] == "101" for line in streams), streams


def test_one_browser_stays_on_one_replica_uploads_included_and_moves_when_it_stops(proxied, browser):
    keys = keys_for_each_replica(proxied)
    a, b = proxied.replicas
    pages = {}
    for server in (a, b):
        key = keys[proxied.upstream(server)]
        page = pages[server.port] = browser_with(browser, proxied, key)
        open_view(page, f"{proxied.nginx.url}/import")
        page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(proxied.upload))
        # the upload (1.5 MB) reached the replica holding this session: its preview counts the papers
        new = page.get_by_test_id("stMetric").filter(has_text="New papers").get_by_test_id("stMetricValue")
        expect(new).to_have_text("1,500", timeout=30_000)
        open_view(page, f"{proxied.nginx.url}/search?q=splatting")
        assert not page_errors(page)
        served = {line["upstream"] for line in proxied.nginx.log_lines() if line["replica"] == key}
        assert served == {proxied.upstream(server)}, served  # every request: the page, its
        # files, its WebSocket, the upload (PUT /_stcore/upload_file/…)
        requests = [line["request"] for line in proxied.nginx.log_lines() if line["replica"] == key]
        assert any(r.startswith("PUT /_stcore/upload_file/") for r in requests), requests

    # B stops: its browser's next load is served by A (a new session there), without an error
    b.stop()
    page = pages[b.port]
    open_view(page, f"{proxied.nginx.url}/search?q=decoding")
    expect(page.locator(CARD_TITLES).first).to_contain_text("Speculative decoding")
    assert not page_errors(page)
    last = [line for line in proxied.nginx.log_lines() if line["replica"] == keys[proxied.upstream(b)]][-1]
    assert last["upstream"].endswith(proxied.upstream(a)), last
    for page in pages.values():
        page.context.close()


# --- sign-in through the proxy: one cookie_secret, every replica -------------------------------------
@pytest.fixture(scope="module")
def signed_proxy(tmp_path_factory):
    """Two replicas with sign-in (one secrets.toml: one cookie_secret, the proxy's redirect URI) behind
    nginx, and the OpenID Connect provider of tests/oidc.py."""
    import oidc

    require_browser()
    require_nginx()
    root = tmp_path_factory.mktemp("nginx-signed")
    data = root / "store"
    import_into(data, write_papers(root / "first.jsonl", papers(0, 300)))
    port = _free_port()
    with oidc.provider() as provider:
        secrets = oidc.write_secrets(root, f"http://{HOST}:{port}", provider)
        servers = [Server(data, env=oidc.ACCESS, args=(f"--secrets.files={secrets}",)) for _ in range(2)]
        try:
            nginx = Nginx(port, [f"127.0.0.1:{s.port}" for s in servers], server_name=HOST)
        except BaseException:
            stop_all(servers)
            raise
        try:
            yield Proxied(nginx, servers, root / "first.jsonl")
        finally:
            nginx.stop()
            stop_all(servers)


def test_signed_in_through_nginx_on_one_replica_is_signed_in_on_the_other(signed_proxy, browser):
    import re

    import oidc

    keys = keys_for_each_replica(signed_proxy)
    a, b = signed_proxy.replicas
    page = browser_with(browser, signed_proxy, keys[signed_proxy.upstream(a)])
    page.goto(f"{signed_proxy.nginx.url}/search?q=splatting")
    page.get_by_role("button", name="Sign in").click()  # through nginx, on replica A
    page.wait_for_url(re.compile(r"^http://localhost:\d+/oauth2/authorize"), timeout=30_000)
    page.get_by_role("button", name=str(oidc.READER["sub"]), exact=True).click()
    page.wait_for_url(re.compile(re.escape(signed_proxy.nginx.url) + r"/search\?q=splatting$"), timeout=30_000)
    expect(page.locator(CARD_TITLES).first).to_contain_text("Gaussian splatting")
    expect(page.get_by_text("Rob Reader · reader")).to_be_visible()
    callbacks = logged(signed_proxy, lambda line: line["request"].startswith("GET /oauth2callback"))
    assert {line["upstream"] for line in callbacks} == {signed_proxy.upstream(a)}

    # the same browser sent to replica B: its identity cookie is good there too
    page.context.add_cookies([{"name": COOKIE, "value": keys[signed_proxy.upstream(b)], "url": signed_proxy.nginx.url}])
    open_view(page, f"{signed_proxy.nginx.url}/search?q=decoding")
    expect(page.locator(CARD_TITLES).first).to_contain_text("Speculative decoding")
    expect(page.get_by_text("Rob Reader · reader")).to_be_visible()
    last = [line for line in signed_proxy.nginx.log_lines() if line["request"].startswith("GET /search")][-1]
    assert last["upstream"] == signed_proxy.upstream(b), last
    page.context.close()
