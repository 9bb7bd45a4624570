"""The doors without sign-in configured (AppTest; the signed-in roles are in test_browser_signin.py,
against a real OpenID Connect provider): local use is open as before, and an allow-list without
sign-in, or a malformed one, lets nobody in rather than everyone."""

from __future__ import annotations

import pytest


def texts(app) -> str:
    return " ".join(
        str(e.value) for kind in ("title", "markdown", "error", "info", "caption") for e in getattr(app, kind)
    )


def test_without_sign_in_the_app_is_open_and_writable_as_before(app, three_day_store):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Daily Papers"
    assert any(b.label == "Mark read" for b in app.button)  # an editor: the cards' write controls


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"PAPERS_ALLOW": "@lab.org"}, "sign-in is not configured"),
        ({"PAPERS_EDITORS": "alice@lab.org"}, "sign-in is not configured"),
        ({"PAPERS_ALLOW": "alice"}, "“alice” is neither an e-mail address"),
    ],
)
def test_an_allow_list_without_sign_in_or_a_malformed_one_lets_nobody_in(app, three_day_store, monkeypatch, env, says):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    # the app, and a page's own file run first (a shared link on a fresh server: see pages/common.py)
    page_alone = AppTest.from_file(str(ROOT / "pages" / "search.py"), default_timeout=60)
    for run in (app, page_alone):
        run.run()
        assert not run.exception
        shown = texts(run)
        assert says in shown, shown
        assert "Daily Papers" not in shown and "Search" not in shown
        assert not run.button  # no card, no Sign out (nobody signed in)
