"""The team's database (lib/team/db.py)."""

from __future__ import annotations

from lib.team.db import TeamDB


def test_a_collection_round_trip_in_sqlite(tmp_path):
    db = TeamDB.open(tmp_path)
    assert db.collections() == [] and not (tmp_path / "team.sqlite3").exists()  # a read creates nothing
    assert db.add("Reading  group", ["2501.00001", "2501.00002", "2501.00001"], "ada") == 2
    assert db.add("Reading group", ["2501.00002", "2501.00003"], "bo") == 1
    assert [(c.name, c.size, c.created_by) for c in db.collections()] == [("Reading group", 3, "ada")]
    assert list(db.members("Reading group")["id"]) == ["2501.00001", "2501.00002", "2501.00003"]
    assert (tmp_path / "team.sqlite3").is_file()
