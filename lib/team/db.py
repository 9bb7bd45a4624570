"""The team's database: collections, reading statuses, notes, "not relevant" marks, saved views
and upvote snapshots, shared by every session, process and replica of the dashboard.

SQLite by default, one file beside the papers (``DATA_DIR/team.sqlite3``, WAL mode: readers never
wait for a writer, and writers wait their turn for up to :data:`BUSY_SECONDS`); PostgreSQL when
``PAPERS_DB_URL`` is set (``postgresql+psycopg://user@host:port/db``), so that several replicas of
the app share one library.  SQLAlchemy Core, no ORM: each method is one short transaction.

Every write is one transaction that takes the database's write lock first (SQLite: ``BEGIN
IMMEDIATE``, so two writers never both read and then both write; PostgreSQL: row locks and
``INSERT ... ON CONFLICT``), so concurrent sessions lose nothing, and a write that fails changes
nothing.  The schema is created by the first write (a read of a database without it reads as
empty and creates nothing); its version is kept in the ``meta`` table.  Saved views were a JSON
file (``DATA_DIR/views.json``): the first open that may write moves them in, once, and keeps the
file renamed ``views.json.migrated``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url

from lib.errors import PapersError, StoreError, log
from lib.store.store import Store, read_only
from lib.urlstate import MAX_NAME, collection_name

ANONYMOUS = "anonymous"  # who wrote, when sign-in is not configured
STATUSES = ("unread", "reading", "read")  # "unread" is the absence of a row
MAX_NOTE = 2_000  # characters of a team note
MAX_ID = 200  # characters of a paper id
MAX_LINK = 10_000  # characters of a saved view's link
SCHEMA_VERSION = 1  # a database written by a later version is refused, never misread
VIEWS_FILE = "views.json"  # saved views before the database (name -> link)
MIGRATED_FILE = VIEWS_FILE + ".migrated"  # views.json is kept under this name once moved in
BUSY_SECONDS = 30  # how long a SQLite writer waits for another one
CONNECT_SECONDS = 10  # how long to wait for a PostgreSQL server
CHUNK = 500  # ids per IN (...) or per multi-row INSERT: well under every bound-parameter limit
URL_ENV = "PAPERS_DB_URL"


class TeamError(PapersError):
    """Bad input for the team's database, or a database that cannot be used."""


def database_url(data_dir: str | os.PathLike[str]) -> str:
    """``$PAPERS_DB_URL``, else the SQLite file ``DATA_DIR/team.sqlite3``."""
    return os.environ.get(URL_ENV, "").strip() or f"sqlite:///{Store(data_dir).team_db_path}"


def writer_name(name: str | None) -> str:
    """Who writes: the signed-in ``name`` (one line, at most 100 characters), else ANONYMOUS."""
    return " ".join((name or "").split())[:MAX_NAME] or ANONYMOUS


@dataclass(frozen=True)
class CollectionInfo:
    name: str
    size: int  # papers
    created_by: str
    created_at: dt.datetime  # UTC
    updated_at: dt.datetime  # UTC: last paper added or removed, or renamed


@dataclass(frozen=True)
class Note:
    text: str
    by: str
    at: dt.datetime  # UTC


# --- the schema -----------------------------------------------------------------------------


class _UTC(sa.TypeDecorator[dt.datetime]):
    """A moment, stored as a naive UTC timestamp (the same in SQLite and PostgreSQL, whatever the
    server's time zone), read back as an aware UTC datetime."""

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (UTC)")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


_META = sa.MetaData()
meta = sa.Table(
    "meta",
    _META,
    sa.Column("key", sa.String(50), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
collections = sa.Table(
    "collections",
    _META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", _UTC, nullable=False),
    sa.Column("updated_at", _UTC, nullable=False),
)
members = sa.Table(  # the primary key is the (collection, paper_id) index
    "members",
    _META,
    sa.Column("collection", sa.Integer, sa.ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("paper_id", sa.Text, primary_key=True),
    sa.Column("added_by", sa.Text, nullable=False),
    sa.Column("added_at", _UTC, nullable=False),
    sa.Index("members_paper", "paper_id"),  # a paper's collections
)
not_relevant_marks = sa.Table(
    "not_relevant",
    _META,
    sa.Column("collection", sa.Integer, sa.ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("paper_id", sa.Text, primary_key=True),
    sa.Column("marked_by", sa.Text, nullable=False),
    sa.Column("marked_at", _UTC, nullable=False),
)
statuses_table = sa.Table(
    "statuses",
    _META,
    sa.Column("user_name", sa.Text, primary_key=True),
    sa.Column("paper_id", sa.Text, primary_key=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("updated_at", _UTC, nullable=False),
    sa.Index("statuses_user_status", "user_name", "status"),  # read_ids
)
notes = sa.Table(
    "notes",
    _META,
    sa.Column("paper_id", sa.Text, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("written_by", sa.Text, nullable=False),
    sa.Column("written_at", _UTC, nullable=False),
)
views_table = sa.Table(
    "views",
    _META,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("link", sa.Text, nullable=False),
    sa.Column("saved_by", sa.Text, nullable=False),
    sa.Column("saved_at", _UTC, nullable=False),
)
upvotes = sa.Table(  # the primary key is the (paper_id, day) index
    "upvotes",
    _META,
    sa.Column("paper_id", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("upvotes", sa.Integer, nullable=False),
    sa.Index("upvotes_day", "day"),  # the history since a day, of every paper
)


# --- engines: one per database URL per process --------------------------------------------

_ENGINES: dict[tuple[int, str], Engine] = {}
_DATABASES: dict[tuple[int, str, Path], TeamDB] = {}  # TeamDB.open's, per process, URL and data directory
_ENGINES_LOCK = threading.Lock()
_IMMEDIATE = "papers_immediate"  # execution option: this SQLite transaction writes (BEGIN IMMEDIATE)
_LOCK_KEY = zlib.crc32(b"papers team database")  # PostgreSQL advisory lock: see TeamDB._lock
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def _hidden(url: str) -> str:
    """A database URL for messages: its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return _PASSWORD.sub(r"\1***@", url)


def _one_line(error: BaseException, limit: int = 160) -> str:
    return " ".join(str(error).split())[:limit]


def _engine(url: str) -> Engine:
    """The engine (and its connection pool) of ``url`` in this process: shared by every TeamDB,
    never by a forked child."""
    key = (os.getpid(), url)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = _create_engine(url)
        return engine


def close_all() -> None:
    """Close every pooled connection of this process's engines (a test's end, a server's)."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
        _DATABASES.clear()
    for engine in engines:
        engine.dispose()


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise TeamError(
            f"{URL_ENV}: not a database URL: {_hidden(url)} (e.g. postgresql+psycopg://user@host:5432/papers)"
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        return sa.create_engine(
            parsed.set(drivername="postgresql+psycopg"),
            pool_pre_ping=True,  # a server restart costs one reconnect, not an error page
            connect_args={"connect_timeout": CONNECT_SECONDS},
        )
    if backend == "sqlite" and driver in ("", "pysqlite"):
        engine = sa.create_engine(parsed.set(drivername="sqlite+pysqlite"), connect_args={"timeout": BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    raise TeamError(
        f"{URL_ENV}: {_hidden(url)}: only SQLite (sqlite:///FILE) and PostgreSQL (postgresql+psycopg://...)"
    )


def _sqlite_connect(connection: Any, _record: Any) -> None:
    # SQLAlchemy's documented recipe: pysqlite's own transaction handling off, BEGIN emitted in
    # _sqlite_begin; then WAL (kept in the file) and the wait for a busy database
    connection.isolation_level = None
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable in WAL mode but for the last commits on power loss
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # a writer takes the write lock when it begins: two writers never both read, then both
    # write (which SQLite refuses without waiting: "database is locked")
    immediate = connection.get_execution_options().get(_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# --- input ----------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def _name(value: str) -> str:
    try:
        return collection_name(value)
    except (ValueError, AttributeError) as error:
        raise TeamError(f"a collection's name: {error}") from None


def _person(value: str) -> str:
    name = " ".join(str(value).split())
    if not name or len(name) > MAX_NAME:
        raise TeamError(f"who writes: one line of 1-{MAX_NAME} characters, not {value[:40]!r}")
    return name


def _paper_id(value: str) -> str:
    paper_id = str(value).strip()
    if (
        not paper_id
        or len(paper_id) > MAX_ID
        or any(c.isspace() or unicodedata.category(c)[0] == "C" for c in paper_id)
    ):
        raise TeamError(f"not a paper id: {str(value)[:40]!r}")
    return paper_id


def _paper_ids(values: Iterable[str]) -> list[str]:
    """Ids checked, in order, without repeats."""
    if isinstance(values, str):
        values = [values]
    return list(dict.fromkeys(_paper_id(v) for v in values))


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _read_views_file(store: Store) -> dict[str, str]:
    """The saved views of the old ``views.json`` ({} when there is none)."""
    try:
        views = store.read_document(VIEWS_FILE, "saved views")
    except StoreError as error:
        raise TeamError(str(error)) from None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in views.items()):
        raise TeamError(f"{store.path / VIEWS_FILE}: unreadable saved views (not an object of name -> link)")
    return views


# --- the database ---------------------------------------------------------------------------


class TeamDB:
    """The team's database of one data directory (see the module doc).  Open it with
    :meth:`open` (one TeamDB per process and database); safe to share between threads."""

    def __init__(self, engine: Engine, url: str, data_dir: Path) -> None:
        self.engine = engine
        self.url = _hidden(url)  # for messages
        self.data_dir = data_dir
        self.store = Store(data_dir)  # where the old views.json is
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self._file = Path(database) if database and database != ":memory:" else None
        self._schema = False  # seen in this database (then reads need not look again)

    def __repr__(self) -> str:
        return f"TeamDB({self.url!r})"

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str]) -> TeamDB:
        """The team's database of ``data_dir`` (``$PAPERS_DB_URL`` when set): one TeamDB per
        process (its schema checked once).  Saved views still in ``views.json`` move in now,
        unless the dashboard is read-only."""
        path = Path(data_dir).expanduser().resolve()
        url = database_url(path)
        key = (os.getpid(), url, path)
        db = _DATABASES.get(key)
        if db is None:
            db = cls(_engine(url), url, path)
            with _ENGINES_LOCK:
                db = _DATABASES.setdefault(key, db)
        if not read_only() and db.store.has_document(VIEWS_FILE):
            with db._write("saved views"):
                pass  # the move runs in every write that finds the file (a damaged one stays: views() says so)
        return db

    # --- transactions -----------------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except exc.SQLAlchemyError as error:
            reason = _one_line(getattr(error, "orig", None) or error)
            raise TeamError(f"the team database {self.url} cannot be used: {reason}") from None

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection | None]:
        """A connection for reading, or None when the database has no schema yet (reads as
        empty; an absent SQLite file is not created)."""
        with self._errors():
            if self._file is not None and not self._file.is_file():
                yield None
                return
            with self.engine.connect() as conn:
                if not self._schema:
                    if not sa.inspect(conn).has_table(meta.name):
                        yield None
                        return
                    self._check_version(conn)
                    self._schema = True
                yield conn

    @contextlib.contextmanager
    def _write(self, what: str, views: bool = False) -> Iterator[Connection]:
        """One write transaction (committed at the end, rolled back on any error), the schema
        created first if needed, saved views moved in if ``views.json`` is still there (a damaged
        file is left where it is, and is an error only for a write of saved ``views``)."""
        if read_only():
            raise TeamError(f"the team database is read-only (PAPERS_READONLY is set): {what} cannot change")
        with self._errors():
            if self._file is not None:
                try:
                    self._file.parent.mkdir(parents=True, exist_ok=True)
                except OSError as error:
                    raise TeamError(f"the team database {self.url} cannot be created: {_one_line(error)}") from None
            with self.engine.connect() as conn:
                conn.execution_options(**{_IMMEDIATE: True})
                moved = False
                try:
                    with conn.begin():
                        self._ensure_schema(conn)
                        moved = self._migrate_views(conn, strict=views)
                        yield conn
                except BaseException:
                    if moved:  # the views did not move in: the file stays where it was
                        self.store.rename_document(MIGRATED_FILE, VIEWS_FILE)
                    raise
                self._schema = True

    def _ensure_schema(self, conn: Connection) -> None:
        if self._schema:
            return
        self._lock(conn)  # writers that find no schema create it one at a time
        if not sa.inspect(conn).has_table(meta.name):
            _META.create_all(conn)
            conn.execute(sa.insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
        else:
            self._check_version(conn)

    @staticmethod
    def _lock(conn: Connection) -> None:
        """PostgreSQL: hold the team database's lock for schema changes and the move of
        views.json until the transaction ends (SQLite's writers hold the database's)."""
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))

    def _check_version(self, conn: Connection) -> None:
        version = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
        if version is None or not version.isdigit() or int(version) > SCHEMA_VERSION:
            raise TeamError(
                f"the team database {self.url} has schema version {version!r}; this program reads {SCHEMA_VERSION}"
            )

    def _migrate_views(self, conn: Connection, strict: bool) -> bool:
        """Move the views of ``views.json`` in (a view already in the database wins) and rename
        the file, within the caller's transaction (which holds the write lock: exactly once);
        returns the renamed file, for the caller to put back if the transaction fails."""
        if not self.store.has_document(VIEWS_FILE):
            return False
        self._lock(conn)
        try:
            views = _read_views_file(self.store)
        except TeamError as error:
            if strict:
                raise
            log.warning("saved views not moved into the team database: %s", error)
            return False
        now = _now()
        rows = [{"name": n, "link": link, "saved_by": ANONYMOUS, "saved_at": now} for n, link in views.items()]
        for chunk in _chunks(rows):
            conn.execute(self._insert(views_table).values(list(chunk)).on_conflict_do_nothing())
        try:  # False: another writer moved them in meanwhile (their rows are the same)
            return self.store.rename_document(VIEWS_FILE, MIGRATED_FILE)
        except StoreError as error:
            raise TeamError(str(error)) from None

    def _insert(self, table: sa.Table) -> Any:
        """The dialect's INSERT (with ``on_conflict_do_nothing`` / ``on_conflict_do_update``)."""
        module = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return module.insert(table)

    def _collection_id(self, conn: Connection, name: str) -> int:
        found = conn.execute(sa.select(collections.c.id).where(collections.c.name == name)).scalar()
        if found is None:
            raise TeamError(f"no collection named {name!r}")
        return int(found)

    def _find_collection(self, conn: Connection | None, name: str) -> int | None:
        if conn is None:
            return None
        found = conn.execute(sa.select(collections.c.id).where(collections.c.name == name)).scalar()
        return None if found is None else int(found)

    def _touch(self, conn: Connection, collection: int) -> None:
        conn.execute(sa.update(collections).where(collections.c.id == collection).values(updated_at=_now()))

    # --- collections ------------------------------------------------------------------------
    def collections(self) -> list[CollectionInfo]:
        """Every collection, by name."""
        with self._read() as conn:
            if conn is None:
                return []
            size = sa.func.count(members.c.paper_id)
            query = (
                sa.select(collections, size)
                .select_from(collections.outerjoin(members, members.c.collection == collections.c.id))
                .group_by(collections.c.id)
                .order_by(collections.c.name)
            )
            return [
                CollectionInfo(row.name, int(row[-1]), row.created_by, row.created_at, row.updated_at)
                for row in conn.execute(query)
            ]

    def create(self, name: str, by: str) -> None:
        """A new, empty collection; a name already taken is an error."""
        name, by = _name(name), _person(by)
        with self._write(f"collection {name!r}") as conn:
            now = _now()
            stmt = self._insert(collections).values(name=name, created_by=by, created_at=now, updated_at=now)
            if conn.execute(stmt.on_conflict_do_nothing().returning(collections.c.id)).first() is None:
                raise TeamError(f"a collection named {name!r} exists already")

    def delete(self, name: str) -> None:
        """Delete a collection, its papers and its "not relevant" marks."""
        name = _name(name)
        with self._write(f"collection {name!r}") as conn:
            collection = self._collection_id(conn, name)
            conn.execute(sa.delete(members).where(members.c.collection == collection))
            conn.execute(sa.delete(not_relevant_marks).where(not_relevant_marks.c.collection == collection))
            conn.execute(sa.delete(collections).where(collections.c.id == collection))

    def rename(self, old: str, new: str) -> None:
        old, new = _name(old), _name(new)
        with self._write(f"collection {old!r}") as conn:
            collection = self._collection_id(conn, old)
            if old == new:
                return
            if self._find_collection(conn, new) is not None:
                raise TeamError(f"a collection named {new!r} exists already")
            conn.execute(
                sa.update(collections).where(collections.c.id == collection).values(name=new, updated_at=_now())
            )

    def add(self, name: str, ids: Iterable[str], by: str) -> int:
        """Add papers to a collection (created if missing); returns how many were not in it."""
        name, by, paper_ids = _name(name), _person(by), _paper_ids(ids)
        with self._write(f"collection {name!r}") as conn:
            now = _now()
            conn.execute(
                self._insert(collections)
                .values(name=name, created_by=by, created_at=now, updated_at=now)
                .on_conflict_do_nothing()
            )
            collection = self._collection_id(conn, name)
            added = 0
            for chunk in _chunks(paper_ids):
                rows = [{"collection": collection, "paper_id": p, "added_by": by, "added_at": now} for p in chunk]
                stmt = self._insert(members).values(rows).on_conflict_do_nothing().returning(members.c.paper_id)
                added += len(conn.execute(stmt).all())
            if added:
                self._touch(conn, collection)
            return added

    def remove(self, name: str, ids: Iterable[str]) -> int:
        """Remove papers from a collection; returns how many were in it."""
        name, paper_ids = _name(name), _paper_ids(ids)
        with self._write(f"collection {name!r}") as conn:
            collection = self._collection_id(conn, name)
            removed = 0
            for chunk in _chunks(paper_ids):
                where = (members.c.collection == collection) & members.c.paper_id.in_(chunk)
                removed += len(conn.execute(sa.delete(members).where(where).returning(members.c.paper_id)).all())
            if removed:
                self._touch(conn, collection)
            return removed

    def members(self, name: str) -> pd.DataFrame:
        """A collection's papers: columns id, added_by, added_at (UTC), oldest first."""
        name = _name(name)
        with self._read() as conn:
            collection = self._find_collection(conn, name)
            if conn is None or collection is None:
                raise TeamError(f"no collection named {name!r}")
            query = (
                sa.select(members.c.paper_id, members.c.added_by, members.c.added_at)
                .where(members.c.collection == collection)
                .order_by(members.c.added_at, members.c.paper_id)
            )
            rows = conn.execute(query).all()
        return pd.DataFrame(
            {
                "id": pd.Series([r[0] for r in rows], dtype="str"),
                "added_by": pd.Series([r[1] for r in rows], dtype="str"),
                "added_at": pd.Series(pd.to_datetime([r[2] for r in rows], utc=True), dtype="datetime64[ns, UTC]"),
            }
        )

    def in_collection(self, name: str, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` the collection holds (none when it does not exist)."""
        name, paper_ids = _name(name), _paper_ids(ids)
        with self._read() as conn:
            collection = self._find_collection(conn, name)
            if conn is None or collection is None:
                return set()
            found: set[str] = set()
            for chunk in _chunks(paper_ids):
                where = (members.c.collection == collection) & members.c.paper_id.in_(chunk)
                found.update(conn.execute(sa.select(members.c.paper_id).where(where)).scalars())
            return found

    def collections_of(self, paper_id: str) -> list[str]:
        """The names of the collections holding a paper, sorted."""
        paper_id = _paper_id(paper_id)
        with self._read() as conn:
            if conn is None:
                return []
            query = (
                sa.select(collections.c.name)
                .join(members, members.c.collection == collections.c.id)
                .where(members.c.paper_id == paper_id)
                .order_by(collections.c.name)
            )
            return list(conn.execute(query).scalars())

    def memberships(self, ids: Iterable[str]) -> dict[str, set[str]]:
        """The collections holding each of ``ids`` (ids in none are left out): the marks of a page
        of cards in one query, whatever the number of collections."""
        paper_ids = _paper_ids(ids)
        found: dict[str, set[str]] = {}
        with self._read() as conn:
            if conn is None:
                return found
            query = sa.select(members.c.paper_id, collections.c.name).join(
                collections, members.c.collection == collections.c.id
            )
            for chunk in _chunks(paper_ids):
                for paper_id, name in conn.execute(query.where(members.c.paper_id.in_(chunk))):
                    found.setdefault(paper_id, set()).add(name)
        return found

    # --- "not relevant" marks ------------------------------------------------------------------
    def mark_not_relevant(self, name: str, paper_id: str, by: str) -> None:
        """Mark a paper "not relevant" to a collection (a negative for its recommendations)."""
        name, paper_id, by = _name(name), _paper_id(paper_id), _person(by)
        with self._write(f"collection {name!r}") as conn:
            collection = self._collection_id(conn, name)
            row = {"collection": collection, "paper_id": paper_id, "marked_by": by, "marked_at": _now()}
            conn.execute(self._insert(not_relevant_marks).values(row).on_conflict_do_nothing())

    def unmark_not_relevant(self, name: str, paper_id: str) -> None:
        name, paper_id = _name(name), _paper_id(paper_id)
        with self._write(f"collection {name!r}") as conn:
            collection = self._collection_id(conn, name)
            where = (not_relevant_marks.c.collection == collection) & (not_relevant_marks.c.paper_id == paper_id)
            conn.execute(sa.delete(not_relevant_marks).where(where))

    def not_relevant(self, name: str) -> set[str]:
        """The papers marked "not relevant" to a collection (none when it does not exist)."""
        name = _name(name)
        with self._read() as conn:
            collection = self._find_collection(conn, name)
            if conn is None or collection is None:
                return set()
            query = sa.select(not_relevant_marks.c.paper_id).where(not_relevant_marks.c.collection == collection)
            return set(conn.execute(query).scalars())

    # --- reading status ---------------------------------------------------------------------
    def set_status(self, user: str, paper_id: str, status: str) -> None:
        """A user's reading status of a paper; "unread" forgets it."""
        user, paper_id = _person(user), _paper_id(paper_id)
        if status not in STATUSES:
            raise TeamError(f"a reading status is one of {', '.join(STATUSES)}, not {str(status)[:20]!r}")
        with self._write("reading status") as conn:
            where = (statuses_table.c.user_name == user) & (statuses_table.c.paper_id == paper_id)
            if status == "unread":
                conn.execute(sa.delete(statuses_table).where(where))
                return
            row = {"user_name": user, "paper_id": paper_id, "status": status, "updated_at": _now()}
            stmt = self._insert(statuses_table).values(row)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[statuses_table.c.user_name, statuses_table.c.paper_id],
                    set_={"status": stmt.excluded.status, "updated_at": stmt.excluded.updated_at},
                )
            )

    def statuses(self, user: str, ids: Iterable[str] | None = None) -> dict[str, str]:
        """A user's statuses other than "unread": of ``ids``, or of every paper."""
        user = _person(user)
        paper_ids = None if ids is None else _paper_ids(ids)
        with self._read() as conn:
            if conn is None:
                return {}
            query = sa.select(statuses_table.c.paper_id, statuses_table.c.status).where(
                statuses_table.c.user_name == user
            )
            if paper_ids is None:
                return dict(conn.execute(query).all())
            found: dict[str, str] = {}
            for chunk in _chunks(paper_ids):
                found.update(conn.execute(query.where(statuses_table.c.paper_id.in_(chunk))).all())
            return found

    def read_ids(self, user: str) -> set[str]:
        """The papers a user marked read."""
        user = _person(user)
        with self._read() as conn:
            if conn is None:
                return set()
            where = (statuses_table.c.user_name == user) & (statuses_table.c.status == "read")
            return set(conn.execute(sa.select(statuses_table.c.paper_id).where(where)).scalars())

    # --- team notes -------------------------------------------------------------------------
    def set_note(self, paper_id: str, text: str, by: str) -> None:
        """The team's note on a paper: plain text, control characters stripped (lines and tabs
        kept), at most MAX_NOTE characters; an empty note deletes it."""
        paper_id, by = _paper_id(paper_id), _person(by)
        text = _CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n")).strip()
        if len(text) > MAX_NOTE:
            raise TeamError(f"a note has at most {MAX_NOTE:,} characters, not {len(text):,}")
        with self._write("the note") as conn:
            if not text:
                conn.execute(sa.delete(notes).where(notes.c.paper_id == paper_id))
                return
            stmt = self._insert(notes).values(paper_id=paper_id, text=text, written_by=by, written_at=_now())
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[notes.c.paper_id],
                    set_={k: stmt.excluded[k] for k in ("text", "written_by", "written_at")},
                )
            )

    def note(self, paper_id: str) -> Note | None:
        paper_id = _paper_id(paper_id)
        with self._read() as conn:
            if conn is None:
                return None
            row = conn.execute(sa.select(notes).where(notes.c.paper_id == paper_id)).first()
            return None if row is None else Note(row.text, row.written_by, row.written_at)

    # --- saved views ------------------------------------------------------------------------
    def views(self) -> dict[str, str]:
        """Saved views: name -> link.  On a read-only dashboard whose ``views.json`` was never
        moved in, the file's views too (the database's win)."""
        with self._read() as conn:
            found = {} if conn is None else dict(conn.execute(sa.select(views_table.c.name, views_table.c.link)).all())
        if self.store.has_document(VIEWS_FILE):
            found = {**_read_views_file(self.store), **found}
        return found

    def save_view(self, name: str, link: str, by: str) -> None:
        """Save (or replace) the view ``name``: a one-line name (spaces collapsed) and its link."""
        by = _person(by)
        try:
            name = collection_name(name)
        except (ValueError, AttributeError) as error:
            raise TeamError(f"a view's name: {error}") from None
        link = str(link).strip()
        if not link or len(link) > MAX_LINK or _CONTROL.search(link) or "\n" in link:
            raise TeamError(f"a view's link: one line of 1-{MAX_LINK:,} characters")
        with self._write("saved views", views=True) as conn:
            stmt = self._insert(views_table).values(name=name, link=link, saved_by=by, saved_at=_now())
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[views_table.c.name],
                    set_={k: stmt.excluded[k] for k in ("link", "saved_by", "saved_at")},
                )
            )

    def remove_view(self, name: str) -> bool:
        """Remove the view named exactly ``name``; whether there was one."""
        with self._write("saved views", views=True) as conn:
            gone = conn.execute(sa.delete(views_table).where(views_table.c.name == name).returning(views_table.c.name))
            return bool(gone.all())

    # --- upvote snapshots -------------------------------------------------------------------
    def record_upvotes(self, snapshots: Iterable[tuple[str, int]], day: dt.date) -> int:
        """Keep each paper's upvotes on ``day`` (UTC), replacing that day's earlier snapshot;
        returns how many were written (the last value of an id given twice wins)."""
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise TeamError(f"a snapshot's day is a date, not {day!r}")
        values: dict[str, int] = {}
        for paper_id, count in snapshots:
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise TeamError(f"upvotes of {paper_id!r}: a count, not {count!r}")
            values[_paper_id(paper_id)] = int(count)
        if not values:
            return 0
        rows = [{"paper_id": p, "day": day, "upvotes": n} for p, n in values.items()]
        stmt = self._insert(upvotes)
        stmt = stmt.on_conflict_do_update(
            index_elements=[upvotes.c.paper_id, upvotes.c.day], set_={"upvotes": stmt.excluded.upvotes}
        )
        with self._write("upvote snapshots") as conn:
            conn.execute(stmt, rows)  # one statement, many rows (SQLite executemany, PostgreSQL batched VALUES)
        return len(rows)

    def upvote_history(self, ids: Iterable[str] | None = None, since: dt.date | None = None) -> pd.DataFrame:
        """The snapshots of ``ids`` (or of every paper) on or after ``since``: columns id, day
        (datetime64[ns], midnight), upvotes (int64), sorted by id and day."""
        paper_ids = None if ids is None else _paper_ids(ids)
        found: list[Any] = []
        with self._read() as conn:
            if conn is not None:
                # the day as ISO text, parsed by pandas at once (a date object per row costs seconds a million)
                day = sa.cast(upvotes.c.day, sa.String)
                query = sa.select(upvotes.c.paper_id, day, upvotes.c.upvotes)
                if since is not None:
                    query = query.where(upvotes.c.day >= since)
                # plain values (text, text, int) straight from the driver's cursor: no Row per row
                if paper_ids is None:
                    found.extend(conn.execute(query.order_by(upvotes.c.paper_id, upvotes.c.day)).cursor.fetchall())
                else:
                    for chunk in _chunks(paper_ids):
                        found.extend(conn.execute(query.where(upvotes.c.paper_id.in_(chunk))).cursor.fetchall())
        raw = pd.DataFrame.from_records(found, columns=["id", "day", "upvotes"], nrows=len(found))
        history = pd.DataFrame(
            {
                "id": raw["id"].astype("str"),
                "day": pd.to_datetime(raw["day"].astype("str"), format="%Y-%m-%d").astype("datetime64[ns]"),
                "upvotes": raw["upvotes"].astype("int64"),
            }
        )
        if paper_ids is not None:  # chunks come in the order of the ids asked
            history = history.sort_values(["id", "day"], kind="stable", ignore_index=True)
        return history
