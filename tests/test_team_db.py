"""The team's database (lib/team/db.py), each test on SQLite and on a real PostgreSQL server
(``team_db_url`` in conftest.py): every method, bad input, read-only, concurrent writers from
threads and processes, the move of the old ``views.json``, and databases that cannot be used."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import threading
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from lib.team import db as team
from lib.team.db import ANONYMOUS, MAX_NOTE, TeamDB, TeamError, database_url, writer_name

UTC = dt.UTC
DAY = dt.date(2025, 1, 6)


def dump(db: TeamDB) -> dict[str, list[tuple]]:
    """Every row of every table (none when there is no schema): what a refused write must not change."""
    if db.engine.dialect.name == "sqlite" and not Path(db.engine.url.database).exists():
        return {}
    with db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("meta"):
            return {}
        return {t.name: sorted(map(tuple, conn.execute(sa.select(t)).all())) for t in team._META.sorted_tables}


# --- reading an empty database ------------------------------------------------------------------
def test_reading_a_new_database_reads_as_empty_and_creates_nothing(team_db, team_db_url, empty_store):
    assert team_db.collections() == [] and team_db.views() == {} and team_db.read_ids("ada") == set()
    assert team_db.statuses("ada", ["x"]) == {} and team_db.note("x") is None and team_db.collections_of("x") == []
    assert team_db.in_collection("c", ["x"]) == set() and team_db.not_relevant("c") == set()
    assert team_db.memberships(["x"]) == {}
    history = team_db.upvote_history()
    assert list(history.columns) == ["id", "day", "upvotes"] and history.empty
    with pytest.raises(TeamError, match="no collection named 'c'"):
        team_db.members("c")
    assert not (empty_store / "team.sqlite3").exists()  # SQLite: no file
    assert dump(team_db) == {}  # PostgreSQL: no table


def test_the_first_write_creates_the_schema_with_its_version(team_db):
    team_db.create("Reading group", "ada")
    with team_db.engine.connect() as conn:
        assert conn.execute(sa.select(team.meta.c.value)).scalar() == str(team.SCHEMA_VERSION)
        tables = set(sa.inspect(conn).get_table_names())
    assert {"meta", "collections", "members", "not_relevant", "statuses", "notes", "views", "upvotes"} <= tables
    TeamDB.open(team_db.data_dir).create("Another", "bo")  # a second open finds the schema: nothing to do
    assert [c.name for c in team_db.collections()] == ["Another", "Reading group"]


# --- collections ------------------------------------------------------------------------------------
def test_collections_create_add_remove_members(team_db):
    before = dt.datetime.now(UTC)
    team_db.create("  Our   related work ", "ada")
    with pytest.raises(TeamError, match="exists already"):
        team_db.create("Our related work", "bo")
    assert team_db.add("Our related work", ["2501.00002", "2501.00001", "2501.00002"], "ada") == 2
    assert team_db.add("Our related work", ["2501.00001", "2501.00003"], "bo") == 1
    assert team_db.add("VLA reading group", ["2501.00003"], "bo") == 1  # created by the add
    (info, vla) = team_db.collections()  # by name
    assert (info.name, info.size, info.created_by) == ("Our related work", 3, "ada")
    assert (vla.name, vla.size, vla.created_by) == ("VLA reading group", 1, "bo")
    after = dt.datetime.now(UTC)
    assert before <= info.created_at <= info.updated_at <= after and info.created_at.tzinfo == UTC

    papers = team_db.members("Our related work")
    assert list(papers.columns) == ["id", "added_by", "added_at"]
    assert list(papers["id"]) == ["2501.00001", "2501.00002", "2501.00003"]  # oldest first (then by id)
    assert list(papers["added_by"]) == ["ada", "ada", "bo"]
    assert str(papers["added_at"].dtype) == "datetime64[ns, UTC]"
    assert papers["added_at"].is_monotonic_increasing
    assert before <= papers["added_at"].iloc[0].to_pydatetime() <= after

    assert team_db.in_collection("Our related work", ["2501.00003", "2501.00009", "2501.00001"]) == {
        "2501.00001",
        "2501.00003",
    }
    assert team_db.collections_of("2501.00003") == ["Our related work", "VLA reading group"]
    assert team_db.collections_of("2501.00009") == []
    assert team_db.memberships(["2501.00003", "2501.00001", "2501.00009"]) == {
        "2501.00001": {"Our related work"},
        "2501.00003": {"Our related work", "VLA reading group"},
    }

    assert team_db.remove("Our related work", ["2501.00001", "2501.00009"]) == 1
    assert list(team_db.members("Our related work")["id"]) == ["2501.00002", "2501.00003"]
    assert team_db.collections()[0].updated_at >= info.updated_at
    with pytest.raises(TeamError, match="no collection named"):
        team_db.remove("Nope", ["2501.00001"])


def test_rename_and_delete(team_db):
    team_db.add("A", ["x", "y"], "ada")
    team_db.add("B", ["y"], "ada")
    team_db.mark_not_relevant("A", "z", "ada")
    with pytest.raises(TeamError, match="exists already"):
        team_db.rename("A", "B")
    with pytest.raises(TeamError, match="no collection named 'C'"):
        team_db.rename("C", "D")
    team_db.rename("A", " A  renamed ")
    assert [c.name for c in team_db.collections()] == ["A renamed", "B"]
    assert set(team_db.members("A renamed")["id"]) == {"x", "y"} and team_db.not_relevant("A renamed") == {"z"}
    team_db.delete("A renamed")
    with pytest.raises(TeamError, match="no collection named"):
        team_db.delete("A renamed")
    assert [c.name for c in team_db.collections()] == ["B"] and team_db.collections_of("x") == []
    team_db.add("A renamed", ["q"], "bo")  # the name is free again, with nothing of the old one
    assert set(team_db.members("A renamed")["id"]) == {"q"} and team_db.not_relevant("A renamed") == set()


def test_many_ids_at_once(team_db):
    ids = [f"2501.{i:05d}" for i in range(1_234)]  # more than one chunk of IN (...) and of VALUES
    assert team_db.add("big", ids, "ada") == len(ids)
    assert team_db.add("big", ids, "ada") == 0
    assert team_db.in_collection("big", ids[::-1] + ["nope"]) == set(ids)
    assert team_db.memberships(ids + ["nope"]) == {paper_id: {"big"} for paper_id in ids}
    assert len(team_db.members("big")) == len(ids)
    assert team_db.remove("big", ids[:700]) == 700
    assert team_db.collections()[0].size == len(ids) - 700


@pytest.mark.parametrize(
    ("name", "reason"),
    [("", "empty"), ("   \n ", "empty"), ("x" * 101, "longer than 100")],
)
def test_bad_collection_names_are_refused(team_db, name, reason):
    for write in (
        lambda: team_db.create(name, "ada"),
        lambda: team_db.add(name, ["x"], "ada"),
        lambda: team_db.rename("ok", name),
        lambda: team_db.mark_not_relevant(name, "x", "ada"),
    ):
        with pytest.raises(TeamError, match=reason):
            write()
    assert team_db.collections() == []


@pytest.mark.parametrize("paper_id", ["", "  ", "a b", "x\ny", "x" * 201, "\x00"])
def test_bad_paper_ids_and_writers_are_refused(team_db, paper_id):
    with pytest.raises(TeamError, match="not a paper id"):
        team_db.add("c", ["ok", paper_id], "ada")
    with pytest.raises(TeamError, match="not a paper id"):
        team_db.set_status("ada", paper_id, "read")
    with pytest.raises(TeamError, match="who writes"):
        team_db.add("c", ["ok"], " ")
    with pytest.raises(TeamError, match="who writes"):
        team_db.set_note("ok", "text", "x" * 101)
    assert team_db.collections() == [] and team_db.statuses("ada") == {}  # a refused write changes nothing


def test_not_relevant_marks(team_db):
    with pytest.raises(TeamError, match="no collection named"):
        team_db.mark_not_relevant("c", "x", "ada")
    team_db.create("c", "ada")
    team_db.mark_not_relevant("c", "x", "ada")
    team_db.mark_not_relevant("c", "x", "bo")  # twice: one mark
    team_db.mark_not_relevant("c", "y", "bo")
    assert team_db.not_relevant("c") == {"x", "y"} and team_db.not_relevant("other") == set()
    team_db.unmark_not_relevant("c", "x")
    team_db.unmark_not_relevant("c", "never-marked")
    assert team_db.not_relevant("c") == {"y"}


# --- reading status and notes -----------------------------------------------------------------
def test_reading_statuses_per_user(team_db):
    team_db.set_status("ada", "p1", "read")
    team_db.set_status("ada", "p2", "reading")
    team_db.set_status("ada", "p2", "read")  # replaced
    team_db.set_status("ada", "p3", "reading")
    team_db.set_status("bo", "p1", "reading")
    assert team_db.statuses("ada") == {"p1": "read", "p2": "read", "p3": "reading"}
    assert team_db.statuses("ada", ["p3", "p9"]) == {"p3": "reading"}
    assert team_db.read_ids("ada") == {"p1", "p2"} and team_db.read_ids("bo") == set()
    team_db.set_status("ada", "p1", "unread")  # forgets it
    assert team_db.statuses("ada") == {"p2": "read", "p3": "reading"}
    with pytest.raises(TeamError, match="unread, reading, read"):
        team_db.set_status("ada", "p2", "done")
    assert team_db.statuses("ada", [f"x{i}" for i in range(1_100)] + ["p2"]) == {"p2": "read"}


def test_notes(team_db):
    before = dt.datetime.now(UTC)
    team_db.set_note("p1", "  Read §3 first.\r\nThen\tthe appendix\x07\x1b[31m \u202e ", "ada")
    note = team_db.note("p1")
    assert note is not None and note.text == "Read §3 first.\nThen\tthe appendix[31m" and note.by == "ada"
    assert before <= note.at <= dt.datetime.now(UTC)
    team_db.set_note("p1", "<b>plain</b>", "bo")  # replaced; the page shows it escaped
    assert team_db.note("p1") == team.Note("<b>plain</b>", "bo", team_db.note("p1").at)
    with pytest.raises(TeamError, match="at most 2,000"):
        team_db.set_note("p1", "x" * (MAX_NOTE + 1), "ada")
    team_db.set_note("p2", "x" * MAX_NOTE, "ada")
    assert team_db.note("p1").text == "<b>plain</b>"  # the refused note changed nothing
    team_db.set_note("p1", " \n ", "ada")  # empty: deleted
    assert team_db.note("p1") is None and team_db.note("p2").text == "x" * MAX_NOTE


# --- saved views --------------------------------------------------------------------------------
def test_saved_views(team_db):
    team_db.save_view("Agents,  newest", "/search?q=agents&sort=newest", "ada")
    team_db.save_view("daily", "/?sort=upvotes", "ada")
    team_db.save_view("daily", "/?sort=rank", "bo")  # replaced
    assert team_db.views() == {"Agents, newest": "/search?q=agents&sort=newest", "daily": "/?sort=rank"}
    assert team_db.remove_view("daily") is True and team_db.remove_view("daily") is False
    assert team_db.views() == {"Agents, newest": "/search?q=agents&sort=newest"}
    with pytest.raises(TeamError, match="a view's name: empty"):
        team_db.save_view("  ", "/", "ada")
    with pytest.raises(TeamError, match="a view's link"):
        team_db.save_view("x", "", "ada")
    with pytest.raises(TeamError, match="a view's link"):
        team_db.save_view("x", "/search?q=a\n/b", "ada")


# --- upvote snapshots --------------------------------------------------------------------------
def test_upvote_snapshots(team_db):
    assert team_db.record_upvotes([("p1", 3), ("p2", 10)], DAY) == 2
    assert team_db.record_upvotes([("p1", 5)], DAY) == 1  # a later fetch the same day replaces it
    assert team_db.record_upvotes([("p1", 9), ("p3", 0)], DAY + dt.timedelta(days=2)) == 2
    assert team_db.record_upvotes([], DAY) == 0
    history = team_db.upvote_history()
    expected = pd.DataFrame(
        {
            "id": ["p1", "p1", "p2", "p3"],
            "day": pd.to_datetime(["2025-01-06", "2025-01-08", "2025-01-06", "2025-01-08"]).astype("datetime64[ns]"),
            "upvotes": pd.Series([5, 9, 10, 0], dtype="int64"),
        }
    )
    pd.testing.assert_frame_equal(history, expected)
    since = team_db.upvote_history(["p1", "p3", "p9"], since=DAY + dt.timedelta(days=1))
    assert since.values.tolist() == [["p1", pd.Timestamp("2025-01-08"), 9], ["p3", pd.Timestamp("2025-01-08"), 0]]
    many = [f"x{i}" for i in range(1_200)]
    assert team_db.record_upvotes([(p, i) for i, p in enumerate(many)], DAY) == 1_200
    assert team_db.upvote_history(many[::-1])["upvotes"].sum() == sum(range(1_200))
    for bad in ([("p1", -1)], [("p1", 1.5)], [("p1", True)], [("", 1)]):
        with pytest.raises(TeamError):
            team_db.record_upvotes(bad, DAY)
    with pytest.raises(TeamError, match="a date"):
        team_db.record_upvotes([("p1", 1)], dt.datetime(2025, 1, 6, tzinfo=UTC))
    assert team_db.upvote_history(["p1"])["upvotes"].tolist() == [5, 9]


# --- read-only ------------------------------------------------------------------------------------
def every_write(db: TeamDB) -> list:
    return [
        lambda: db.create("new", "ada"),
        lambda: db.delete("c"),
        lambda: db.rename("c", "d"),
        lambda: db.add("c", ["p9"], "ada"),
        lambda: db.remove("c", ["p1"]),
        lambda: db.mark_not_relevant("c", "p9", "ada"),
        lambda: db.unmark_not_relevant("c", "p2"),
        lambda: db.set_status("ada", "p1", "unread"),
        lambda: db.set_note("p1", "changed", "ada"),
        lambda: db.save_view("v", "/?sort=rank", "ada"),
        lambda: db.remove_view("v"),
        lambda: db.record_upvotes([("p1", 99)], DAY),
    ]


def test_read_only_refuses_every_write_and_changes_nothing(team_db, monkeypatch):
    team_db.add("c", ["p1"], "ada")
    team_db.mark_not_relevant("c", "p2", "ada")
    team_db.set_status("ada", "p1", "read")
    team_db.set_note("p1", "note", "ada")
    team_db.save_view("v", "/search?q=x", "ada")
    team_db.record_upvotes([("p1", 1)], DAY)
    before = dump(team_db)
    monkeypatch.setenv("PAPERS_READONLY", "1")
    for write in every_write(team_db):
        with pytest.raises(TeamError, match="read-only"):
            write()
    assert dump(team_db) == before
    assert team_db.views() == {"v": "/search?q=x"} and team_db.read_ids("ada") == {"p1"}  # reads still work


def test_read_only_on_a_new_database_creates_nothing(team_db, empty_store, monkeypatch):
    monkeypatch.setenv("PAPERS_READONLY", "1")
    for write in every_write(team_db):
        with pytest.raises(TeamError, match="read-only"):
            write()
    assert dump(team_db) == {} and not (empty_store / "team.sqlite3").exists()


# --- many writers at once ---------------------------------------------------------------------
SESSIONS = 20
EACH = 5  # papers each session adds, one transaction each


def one_session(data_dir: str, i: int) -> int:
    """What one visitor does: adds papers one by one to a shared collection (and a paper every
    session adds), removes one, marks statuses, records snapshots; returns how many adds were new."""
    db = TeamDB.open(data_dir)
    new = 0
    for k in range(EACH):
        new += db.add("shared", [f"s{i}-{k}"], f"user {i}")
    new += db.add("shared", ["everyone"], f"user {i}")
    new += db.add("shared", [f"gone{i}"], f"user {i}")
    db.remove("shared", [f"gone{i}"])
    db.set_status("team", f"s{i}-0", "read")
    db.set_status(f"user {i}", "everyone", "reading")
    db.record_upvotes([(f"s{i}-0", i), ("everyone", i)], DAY)
    return new


def _process(data_dir: str, i: int, results) -> None:
    try:
        results.put((i, one_session(data_dir, i)))
    except Exception as error:  # noqa: BLE001 - the parent reports it
        results.put((i, repr(error)))


def check_nothing_lost(db: TeamDB, new: list[int]) -> None:
    assert sum(new) == SESSIONS * (EACH + 1) + 1  # "everyone" was new for exactly one session
    members = set(db.members("shared")["id"])
    assert members == {f"s{i}-{k}" for i in range(SESSIONS) for k in range(EACH)} | {"everyone"}
    assert db.read_ids("team") == {f"s{i}-0" for i in range(SESSIONS)}
    assert all(db.statuses(f"user {i}") == {"everyone": "reading"} for i in range(SESSIONS))
    history = db.upvote_history()
    assert len(history) == SESSIONS + 1 and history.loc[history["id"] == "everyone", "upvotes"].item() in range(
        SESSIONS
    )
    assert history.loc[history["id"] != "everyone", "upvotes"].sum() == sum(range(SESSIONS))
    assert [(c.name, c.size) for c in db.collections()] == [("shared", SESSIONS * EACH + 1)]


def test_twenty_sessions_in_threads_lose_nothing(team_db_url, empty_store):
    new: list[int] = [0] * SESSIONS
    errors: list[BaseException] = []
    start = threading.Barrier(SESSIONS)

    def run(i: int) -> None:
        try:
            start.wait()
            new[i] = one_session(str(empty_store), i)
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    check_nothing_lost(TeamDB.open(empty_store), new)


def test_twenty_sessions_in_processes_lose_nothing(team_db_url, empty_store):
    team.close_all()  # a child makes its own engine (keyed by process); nothing open is inherited
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_process, args=(str(empty_store), i, results)) for i in range(SESSIONS)]
    for process in processes:
        process.start()
    got = dict(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(30)
    assert all(isinstance(n, int) for n in got.values()), got
    check_nothing_lost(TeamDB.open(empty_store), [got[i] for i in range(SESSIONS)])


# --- saved views of views.json --------------------------------------------------------------
OLD_VIEWS = {"agents": "/search?q=agents", "Daily · top": "http://lab.org/papers/?sort=upvotes"}


def write_old_views(data_dir, views=OLD_VIEWS) -> bytes:
    data_dir.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(views, indent=1, ensure_ascii=False, sort_keys=True).encode()
    (data_dir / "views.json").write_bytes(raw)
    return raw


def test_views_json_moves_in_once_on_the_first_open_that_may_write(team_db_url, empty_store):
    raw = write_old_views(empty_store)
    db = TeamDB.open(empty_store)
    assert db.views() == OLD_VIEWS
    assert not (empty_store / "views.json").exists()
    assert (empty_store / "views.json.migrated").read_bytes() == raw  # kept, renamed
    db.remove_view("agents")
    assert TeamDB.open(empty_store).views() == {"Daily · top": OLD_VIEWS["Daily · top"]}  # not moved in twice


def test_a_view_in_the_database_wins_over_the_file(team_db, empty_store):
    team_db.save_view("agents", "/search?q=agents&sort=newest", "ada")
    write_old_views(empty_store)
    team_db.save_view("other", "/trends", "ada")  # any write moves the file in too
    assert team_db.views() == {**OLD_VIEWS, "agents": "/search?q=agents&sort=newest", "other": "/trends"}
    assert not (empty_store / "views.json").exists()


def test_views_json_moves_in_exactly_once_with_concurrent_opens(team_db_url, empty_store):
    write_old_views(empty_store)
    team.close_all()
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=TeamDB.open, args=(str(empty_store),)) for _ in range(6)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0] * 6
    db = TeamDB.open(empty_store)
    assert db.views() == OLD_VIEWS and not (empty_store / "views.json").exists()
    assert len(dump(db)["views"]) == len(OLD_VIEWS)


def test_read_only_reads_views_json_and_moves_nothing(team_db_url, empty_store, monkeypatch):
    raw = write_old_views(empty_store)
    monkeypatch.setenv("PAPERS_READONLY", "1")
    db = TeamDB.open(empty_store)
    assert db.views() == OLD_VIEWS
    assert (empty_store / "views.json").read_bytes() == raw and not (empty_store / "team.sqlite3").exists()
    assert dump(db) == {}
    monkeypatch.delenv("PAPERS_READONLY")
    assert TeamDB.open(empty_store).views() == OLD_VIEWS and not (empty_store / "views.json").exists()


@pytest.mark.parametrize("content", ['{"agents": 3}', "{not json", "[]"])
def test_a_damaged_views_json_is_left_alone_and_only_saved_views_fail(team_db_url, empty_store, content):
    empty_store.mkdir(parents=True)
    (empty_store / "views.json").write_text(content)
    db = TeamDB.open(empty_store)  # the rest of the team's library works
    assert db.add("c", ["p1"], "ada") == 1
    for call in (db.views, lambda: db.save_view("v", "/", "ada"), lambda: db.remove_view("v")):
        with pytest.raises(TeamError, match="views.json: unreadable saved views"):
            call()
    assert (empty_store / "views.json").read_text() == content
    assert not (empty_store / "views.json.migrated").exists() and dump(db)["views"] == []


def test_a_failed_write_puts_views_json_back(team_db, empty_store):
    raw = write_old_views(empty_store)
    with pytest.raises(TeamError, match="no collection named"):
        team_db.delete("nope")  # fails after the views moved in, within its transaction
    assert (empty_store / "views.json").read_bytes() == raw and not (empty_store / "views.json.migrated").exists()
    assert dump(team_db).get("views", []) == []
    assert team_db.views() == OLD_VIEWS  # still read from the file


# --- databases that cannot be used --------------------------------------------------------------
def test_a_database_of_a_later_schema_is_refused(team_db):
    team_db.create("c", "ada")
    with team_db.engine.begin() as conn:
        conn.execute(sa.update(team.meta).values(value="99"))
    fresh = TeamDB(team_db.engine, team_db_url_of(team_db), team_db.data_dir)
    with pytest.raises(TeamError, match="schema version '99'; this program reads 1"):
        fresh.collections()
    with pytest.raises(TeamError, match="schema version"):
        fresh.create("d", "ada")


def team_db_url_of(db: TeamDB) -> str:
    return db.engine.url.render_as_string(hide_password=False)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "PAPERS_DB_URL: not a database URL"),
        ("mysql://root:hunter2@db/papers", "only SQLite"),
        ("postgresql+psycopg2://u:hunter2@127.0.0.1/x", "only SQLite"),
    ],
)
def test_a_bad_database_url_is_one_clear_error(tmp_path, monkeypatch, url, message):
    monkeypatch.setenv("PAPERS_DB_URL", url)
    with pytest.raises(TeamError, match=message) as raised:
        TeamDB.open(tmp_path).collections()
    assert "hunter2" not in str(raised.value) and "\n" not in str(raised.value)


def test_an_unreachable_server_is_one_clear_error_without_the_password(tmp_path, monkeypatch):
    with socket_closed() as port:
        monkeypatch.setenv("PAPERS_DB_URL", f"postgresql://ada:hunter2@127.0.0.1:{port}/papers")
        db = TeamDB.open(tmp_path)
        for call in (db.collections, lambda: db.create("c", "ada"), db.views):
            with pytest.raises(TeamError, match=rf"postgresql://ada:\*\*\*@127.0.0.1:{port}/papers") as raised:
                call()
            assert "hunter2" not in str(raised.value) and "\n" not in str(raised.value)
    team.close_all()


def test_an_unwritable_sqlite_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("PAPERS_DB_URL", raising=False)
    (tmp_path / "team.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(TeamError, match="team.sqlite3 cannot be used: file is not a database"):
        TeamDB.open(tmp_path).create("c", "ada")
    team.close_all()


def socket_closed():
    """A local port nothing listens on."""
    import contextlib
    import socket

    @contextlib.contextmanager
    def port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            yield s.getsockname()[1]  # bound, not listening: connections are refused

    return port()


# --- small helpers ------------------------------------------------------------------------------
def test_database_url_and_writer_name(tmp_path, monkeypatch):
    monkeypatch.delenv("PAPERS_DB_URL", raising=False)
    assert database_url(tmp_path) == f"sqlite:///{tmp_path.resolve()}/team.sqlite3"
    monkeypatch.setenv("PAPERS_DB_URL", " postgresql+psycopg://u@h/db ")
    assert database_url(tmp_path) == "postgresql+psycopg://u@h/db"
    assert writer_name(None) == writer_name("") == writer_name(" \n ") == ANONYMOUS
    assert writer_name("  Ada\n Lovelace ") == "Ada Lovelace" and len(writer_name("x" * 300)) == 100


def test_one_team_db_and_engine_per_database_in_a_process(team_db, empty_store):
    assert TeamDB.open(empty_store) is team_db
    team.close_all()
    again = TeamDB.open(empty_store)
    assert again is not team_db and again.engine is not team_db.engine
