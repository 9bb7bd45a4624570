"""lib.access: who gets in and who writes, from PAPERS_ALLOW / PAPERS_EDITORS and the identity claims."""

from __future__ import annotations

import pytest

from lib.access import Access, AccessError, display_name, parse_list, verified_email

ALICE = {"email": "Alice@Lab.org", "email_verified": True, "name": "Alice"}
ROB = {"email": "rob@lab.org", "name": "Rob"}  # no email_verified claim: many providers send none
EVE = {"email": "eve@elsewhere.example", "email_verified": True}
SUB = {"email": "sam@sub.lab.org", "email_verified": True}
LIAR = {"email": "mallory@lab.org", "email_verified": False}


def access(**env: str) -> Access:
    return Access.from_env(env)


def test_an_allowed_domain_lets_its_verified_addresses_in_and_nobody_else():
    rules = access(PAPERS_ALLOW="@lab.org")
    assert rules.role(ALICE) == "editor"  # case does not matter; no PAPERS_EDITORS: everyone let in writes
    assert rules.role(ROB) == "editor"
    assert rules.role(EVE) == "stranger"
    assert rules.role(SUB) == "stranger"  # @lab.org is not @sub.lab.org
    assert rules.role(LIAR) == "stranger"  # the provider says the address is not verified
    assert rules.role({}) == "stranger"  # no address at all
    assert rules.role({"email": "lab.org"}) == "stranger"


def test_editors_write_and_the_others_read():
    rules = access(PAPERS_ALLOW="@lab.org, eve@elsewhere.example", PAPERS_EDITORS="alice@lab.org")
    assert rules.role(ALICE) == "editor"
    assert rules.role(ROB) == "reader"
    assert rules.role(EVE) == "reader"
    # an editor must be let in first: the editors' list does not open the door
    assert access(PAPERS_ALLOW="@lab.org", PAPERS_EDITORS="eve@elsewhere.example").role(EVE) == "stranger"


def test_an_empty_editors_list_makes_everyone_a_reader_and_readonly_wins():
    assert access(PAPERS_ALLOW="*", PAPERS_EDITORS="").role(ALICE) == "reader"
    assert access(PAPERS_ALLOW="*", PAPERS_READONLY="1").role(ALICE) == "reader"
    assert access(PAPERS_ALLOW="*").role(EVE) == "editor"


def test_nobody_gets_in_without_an_allow_list():
    rules = access()
    assert not rules.configured
    assert rules.role(ALICE) == "stranger"
    assert access(PAPERS_EDITORS="alice@lab.org").configured  # set without sign-in: the app refuses all


@pytest.mark.parametrize("bad", ["alice", "lab.org", "@", "a@b", "alice@lab.org;bob@lab.org", "@lab"])
def test_a_malformed_entry_is_refused_with_its_name(bad):
    with pytest.raises(AccessError, match="PAPERS_ALLOW"):
        access(PAPERS_ALLOW=f"ok@lab.org, {bad}")


def test_lists_take_commas_and_spaces():
    assert parse_list("X", " a@b.org,@c.org  d@e.org ,, ") == ("a@b.org", "@c.org", "d@e.org")


def test_claims():
    assert verified_email(ALICE) == "alice@lab.org"
    assert verified_email(LIAR) is None
    assert verified_email({"email": "x@y.org", "email_verified": "false"}) is None
    assert display_name(ALICE) == "Alice"
    assert display_name({"email": "rob@lab.org"}) == "rob@lab.org"
    assert display_name({"preferred_username": "rob", "email": "rob@lab.org"}) == "rob"
