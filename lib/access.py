"""Who may use the dashboard, and who may change it (sign-in, docs/operations.md#sign-in).

Pure: the pages pass in the environment and the signed-in user's claims (``st.user``).

- ``PAPERS_ALLOW``: who gets in once signed in — e-mail addresses and ``@domain`` entries,
  separated by commas or spaces (``alice@lab.org, @lab.org``), or ``*`` for everyone the identity
  provider signs in.  Unset while sign-in is configured: nobody gets in (the page says why).
- ``PAPERS_EDITORS``: who of them may write (import, saved views, collections, reading status,
  notes, topic names), same syntax.  Unset: everyone let in may write; set and empty: nobody.
- ``PAPERS_READONLY=1`` wins over both: nobody writes.

A claim ``email_verified: false`` counts as no address (an identity provider that lets users
type any address must not let them in by typing one).  Addresses compare case-insensitively;
``@lab.org`` matches ``x@lab.org``, not ``x@sub.lab.org``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from lib.errors import PapersError
from lib.store.store import read_only

Role = Literal["editor", "reader", "stranger"]
ALLOW, EDITORS = "PAPERS_ALLOW", "PAPERS_EDITORS"
_EMAIL = re.compile(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+")
_DOMAIN = re.compile(r"@[^@\s,]+\.[^@\s,]+")


class AccessError(PapersError):
    """A list of PAPERS_ALLOW or PAPERS_EDITORS that is not one: nobody gets in until it is fixed."""


def parse_list(variable: str, value: str) -> tuple[str, ...]:
    """The entries of an allow-list (lower-cased), or AccessError naming the first bad one."""
    entries = tuple(e.strip().lower() for e in re.split(r"[,\s]+", value) if e.strip())
    for entry in entries:
        if entry != "*" and not _EMAIL.fullmatch(entry) and not _DOMAIN.fullmatch(entry):
            raise AccessError(
                f"{variable}: “{entry}” is neither an e-mail address, an @domain nor * "
                "(example: alice@lab.org, @lab.org)"
            )
    return entries


def _matches(entries: tuple[str, ...], email: str) -> bool:
    domain = email[email.rfind("@") :]
    return "*" in entries or email in entries or domain in entries


@dataclass(frozen=True)
class Access:
    """The allow-lists: ``editors`` None means every admitted user may write."""

    allow: tuple[str, ...] = ()
    editors: tuple[str, ...] | None = None
    read_only: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Access:
        env = os.environ if env is None else env
        editors = env.get(EDITORS)
        return cls(
            allow=parse_list(ALLOW, env.get(ALLOW, "")),
            editors=None if editors is None else parse_list(EDITORS, editors),
            read_only=read_only(env),
        )

    @property
    def configured(self) -> bool:
        """Whether an allow-list is set at all (sign-in must then be configured too)."""
        return bool(self.allow) or self.editors is not None

    def role(self, claims: Mapping[str, Any]) -> Role:
        """The role of a signed-in user with these identity claims (``st.user``)."""
        email = verified_email(claims)
        if email is None or not _matches(self.allow, email):
            return "stranger"
        if self.read_only or (self.editors is not None and not _matches(self.editors, email)):
            return "reader"
        return "editor"


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The user's e-mail address (lower-cased), None without one or when the provider says it is
    not verified."""
    email = str(claims.get("email") or "").strip().lower()
    if not _EMAIL.fullmatch(email) or claims.get("email_verified") in (False, "false"):
        return None
    return email


def display_name(claims: Mapping[str, Any]) -> str:
    """How the user is named on what they write: their name, else their address."""
    return str(claims.get("name") or claims.get("preferred_username") or claims.get("email") or "").strip()
