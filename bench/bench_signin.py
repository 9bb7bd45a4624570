"""What sign-in costs a page load, in a real browser on the real store (``bench/run.py --only=signin``).

Two servers over one copy of the 75k store: one open (no sign-in configured, local use), one with
sign-in through a local OpenID Connect provider (oidc-provider-mock, tests/oidc.py) and the lab's
allow-lists.  Seconds from navigation until a search's first card shows, in a teammate's browser
(Streamlit's scripts cached; signed in for the second server): the difference is what the
identity cookie and the role check cost each page load.  Also the one-time costs: the sign-in
round trip of a shared link (the link, Sign in, the provider's page, back to exactly that view)
and the signed-out visitor's page (the sign-in page itself).

    python bench/run.py --only=signin [--quick]
"""

from __future__ import annotations

import re
import sys
import time

from common import ROOT, TIMEOUT_MS, VIEWPORT, Figure, chromium, copy_store, percentile, stores

LINK = "search?q=diffusion+transformer&sort=newest"
CARD = "[data-testid=stPageLink] a:has(strong)"
SIGN_IN = "button:has-text('Sign in')"


def loads(page, url: str, repeats: int) -> list[float]:
    """Seconds for each of ``repeats`` loads of ``url`` until its first card shows, after one
    unmeasured load (the browser's cache warm, and the server's)."""
    page.goto(url)
    page.locator(CARD).first.wait_for(timeout=TIMEOUT_MS)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        page.goto(url)
        page.locator(CARD).first.wait_for(timeout=TIMEOUT_MS)
        times.append(time.perf_counter() - start)
    return times


def run(quick: bool = False, browser: bool = True) -> list[Figure]:
    if not browser:
        return []
    source = stores(quick, large=False)["real"]
    store = copy_store(source, "signin-store", artifacts=True)
    sys.path.insert(0, str(ROOT / "tests"))
    import oidc
    from conftest import Server, _free_port

    repeats = 3 if quick else 10
    open_server = Server(store)
    try:
        with oidc.provider() as provider, chromium() as chrome:
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            secrets = oidc.write_secrets(store.parent, url, provider)
            guarded = Server(store, env=oidc.ACCESS, args=(f"--secrets.files={secrets}",), port=port)
            try:
                rounds, door, signed_in = [], [], None
                for _ in range(2 if quick else 4):
                    context = chrome.new_context(viewport=VIEWPORT)
                    page = context.new_page()
                    start = time.perf_counter()
                    page.goto(f"{url}/{LINK}")
                    page.locator(SIGN_IN).first.wait_for(timeout=TIMEOUT_MS)
                    door.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    page.locator(SIGN_IN).first.click()
                    page.wait_for_url(re.compile(r"^http://localhost:\d+/oauth2/authorize"), timeout=TIMEOUT_MS)
                    page.get_by_role("button", name=str(oidc.EDITOR["sub"]), exact=True).click()
                    page.wait_for_url(re.compile(re.escape(url) + r"/search\?"), timeout=TIMEOUT_MS)
                    page.locator(CARD).first.wait_for(timeout=TIMEOUT_MS)
                    rounds.append(time.perf_counter() - start)
                    if signed_in is None:
                        signed_in = page  # kept: the teammate's browser, signed in
                    else:
                        context.close()
                open_page = chrome.new_context(viewport=VIEWPORT).new_page()
                plain, signed = [], []
                for _ in range(repeats):  # in turns, so that the machine's load weighs on both alike
                    plain += loads(open_page, f"{open_server.url}/{LINK}", 1)
                    signed += loads(signed_in, f"{url}/{LINK}", 1)
            finally:
                guarded.stop()
    finally:
        open_server.stop()
    p50 = percentile(plain, 50)
    s50 = percentile(signed, 50)
    return [
        Figure(
            "a search's page load, signed in (teammate's browser), median",
            "s",
            round(s50, 3),
            {"no sign-in": round(p50, 3), "difference": round(s50 - p50, 3)},
        ),
        Figure(
            "the sign-in round trip of a shared link (Sign in, the provider, back to the view), median",
            "s",
            round(percentile(rounds, 50), 2),
        ),
        Figure("the sign-in page of a signed-out visitor (new browser), median", "s", round(percentile(door, 50), 2)),
    ]
