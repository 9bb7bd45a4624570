"""A throwaway PostgreSQL server for the tests: Debian's binaries (package ``postgresql``), a new
cluster in a temporary folder, listening on 127.0.0.1 on a free port, trust authentication, no
fsync; one per test session, a fresh database per test.  Run as root (CI), the cluster belongs
to the ``postgres`` user (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

USER = "postgres"  # the cluster's superuser (and, as root, the system user that runs it)


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin/ folder, or None."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """``start()`` a cluster, ``database()`` a fresh database's URL, ``stop()`` it all."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="papers-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._databases = 0
        self._test_db: str | None = None
        self._as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses root: run it as the postgres user
            pw = pwd.getpwnam(USER)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as_user = ["runuser", "-u", USER, "--"]

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip()}\n{tail}")

    def start(self) -> PostgresServer:
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "start",
            "-D",
            str(self.data),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
        )
        return self

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{USER}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.url(driver="postgresql"), autocommit=True, connect_timeout=10)

    def database(self) -> str:
        """A new, empty database: its SQLAlchemy URL."""
        self._databases += 1
        name = f"papers_test_{self._databases}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def empty(self) -> str:
        """The session's test database, emptied (its schema dropped and made again: 10-20 ms,
        where a new database takes 100-500 ms); its SQLAlchemy URL.  Nobody may hold a
        connection to it meanwhile (close the pools of the previous test first)."""
        if self._test_db is None:
            self._test_db = self.database()
        with psycopg.connect(self._test_db.replace("+psycopg", ""), autocommit=True, connect_timeout=10) as conn:
            conn.execute("SET lock_timeout = '10s'")  # a connection left open fails the test, never hangs it
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        return self._test_db

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").is_file():
                self._run(str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start() -> PostgresServer | None:
    """A running throwaway server, or None when PostgreSQL is not installed."""
    bin_dir = binaries()
    if bin_dir is None:
        return None
    server = PostgresServer(bin_dir)
    try:
        return server.start()
    except BaseException:
        server.stop()
        raise


if __name__ == "__main__":  # a manual check: start, connect, stop
    began = time.perf_counter()
    server = start()
    assert server is not None, "PostgreSQL is not installed"
    try:
        print(server.database(), f"{time.perf_counter() - began:.1f} s")
    finally:
        server.stop()
