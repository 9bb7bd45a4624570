"""A real OpenID Connect provider for the sign-in tests: oidc-provider-mock (a Flask app built on
Authlib) on a local port, with the team's test users, and the secrets.toml that points the app at it."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

EDITOR = {"sub": "alice", "email": "alice@lab.org", "email_verified": True, "name": "Alice Editor"}
READER = {"sub": "rob", "email": "rob@lab.org", "email_verified": True, "name": "Rob Reader"}
STRANGER = {"sub": "eve", "email": "eve@elsewhere.example", "email_verified": True, "name": "Eve Stranger"}
UNVERIFIED = {"sub": "mallory", "email": "mallory@lab.org", "email_verified": False, "name": "Mallory"}
USERS = (EDITOR, READER, STRANGER, UNVERIFIED)
# who gets in and who writes: the whole lab reads, Alice writes
ACCESS = {"PAPERS_ALLOW": "@lab.org", "PAPERS_EDITORS": "alice@lab.org"}


@contextlib.contextmanager
def provider() -> Iterator[str]:
    """The provider's base URL while it runs (its users: USERS, one click each on its sign-in form)."""
    from oidc_provider_mock import User, run_server_in_thread

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request

    users = [User(sub=str(u["sub"]), claims={k: v for k, v in u.items() if k != "sub"}) for u in USERS]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def write_secrets(folder: Path, app_url: str, provider_url: str) -> Path:
    """A secrets.toml whose [auth] section signs in through ``provider_url`` for the app at ``app_url``."""
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "papers-dashboard"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path
