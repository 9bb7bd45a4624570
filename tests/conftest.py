"""Shared test fixtures: a real on-disk store, AppTest, and a real browser on a real server."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# A small table in our own JSON Lines format: three days, known upvotes and listing order.
THREE_DAYS = [
    {
        "id": "2501.00001",
        "title": "Sparse Mixtures for Tabular Forecasting",
        "abstract": "We forecast tables.",
        "authors": ["Ada One", "Bo Two"],
        "date": "2025-01-06",
        "upvotes": 3,
    },
    {
        "id": "2501.00002",
        "title": "Agents That Plan With Maps",
        "abstract": "Planning agents with maps.",
        "authors": ["Cy Three"],
        "date": "2025-01-06",
        "upvotes": 40,
    },
    {
        "id": "2501.00003",
        "title": "Retrieval Heads in Long Context",
        "abstract": "Heads that retrieve.",
        "authors": ["Di Four"],
        "date": "2025-01-06",
        "upvotes": 12,
    },
    {
        "id": "2501.00004",
        "title": "Diffusion Policies for Robots",
        "abstract": "Robots diffuse.",
        "authors": ["Ed Five"],
        "date": "2025-01-08",
        "upvotes": 7,
    },
    {
        "id": "2501.00005",
        "title": "Speculative Decoding at Scale",
        "abstract": "Faster decoding.",
        "authors": ["Fa Six"],
        "date": "2025-01-09",
        "upvotes": 1,
    },
    {
        "id": "2501.00006",
        "title": "Tokenizers Are Models Too",
        "abstract": "On tokenizers.",
        "authors": ["Gi Seven"],
        "date": "2025-01-09",
        "upvotes": 99,
    },
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def table_state(data: Path) -> dict[str, tuple[bytes, int, int]]:
    """The files of a store's live table (manifest and parts): bytes, mtime_ns and inode of
    each, so that a test can assert that a failed or refused write touched none of them."""
    from lib.store.store import Store

    files = Store(data).table_files()
    assert files or not Store(data).exists()
    return {str(p.relative_to(data)): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in files}


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    """An empty data directory that the app and CLI use (via $PAPERS_DATA)."""
    data = tmp_path / "data"
    monkeypatch.setenv("PAPERS_DATA", str(data))
    return data


@pytest.fixture
def three_day_store(empty_store, tmp_path):
    """A store holding THREE_DAYS, imported through the real importer."""
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    source = write_jsonl(tmp_path / "three_days.jsonl", THREE_DAYS)
    import_files(Store(empty_store), input_files([str(source)], (".jsonl",)))
    return empty_store


@pytest.fixture
def one_day_store(empty_store):
    """A store holding one day: the seed page (the Daily Papers page of 2025-08-12 as a person
    copies it, 63 papers without authors or upvotes), imported through the real importer."""
    from lib.store.importer import import_files
    from lib.store.store import Store, sample_input

    import_files(Store(empty_store), [sample_input()])
    return empty_store


@pytest.fixture
def app():
    """A fresh AppTest of the whole app (navigation included)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)


# --- real browser ---------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser_available() -> bool:
    return Path(CHROMIUM).exists()


def require_browser() -> None:
    if not browser_available():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but no chromium at {CHROMIUM}")
        pytest.skip("no chromium on this machine (apt-get install chromium)")


class Server:
    """``streamlit run dashboard.py`` on ``data`` at a free port; ``env`` adds to the environment,
    ``args`` to the command line (e.g. ``--secrets.files=...``)."""

    def __init__(
        self, data: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = (), port: int | None = None
    ) -> None:
        self.data = data
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard.py",
                "--server.headless=true",
                f"--server.port={self.port}",
                "--server.address=127.0.0.1",
                "--browser.gatherUsageStats=false",
                "--server.fileWatcherType=none",
                *args,
            ],
            cwd=ROOT,
            env={**os.environ, "PAPERS_DATA": str(data), **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1).read() == b"ok":
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("streamlit did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def sample_server(tmp_path_factory):
    """The app on an empty store: it shows the bundled sample."""
    require_browser()
    server = Server(tmp_path_factory.mktemp("empty-store"))
    yield server
    server.stop()


SEARCH_BOX = "[data-testid=stTextInput] input"  # the Search page's query box (its only text input)


def wait_for_app(page) -> None:
    """Until Streamlit has finished running the script of the page and drawn every element.
    The app's root says when the run is over (data-test-script-state, what Streamlit's own e2e
    tests wait on; its status widget appears only after a delay).  A fresh browser then still
    loads the code of some widgets: each stands as a stSkeleton for some 300 ms after the run,
    and a test that typed into the first text field then typed into "Sort by", the search box
    not being there yet (tests/test_browser.py failed so in CI, 2 runs in 8 here)."""
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=60_000)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget], [data-testid=stSkeleton]')", timeout=60_000
    )
    page.wait_for_selector("[data-testid=stMainBlockContainer] h1", timeout=60_000)


def settled(page) -> None:
    """Until the page's script has run and the page has held still a moment (its last reruns)."""
    wait_for_app(page)
    page.wait_for_timeout(500)


def open_view(page, url: str) -> None:
    """Open ``url`` and wait until it has settled (:func:`settled`)."""
    page.goto(url)
    settled(page)


# Six months of papers that all mention "agent": on a trends chart of "agent" every
# point sits at 100%, so a browser test knows where to click.
AGENT_MONTHS = [
    {
        "id": f"2503.{m:02d}{i:03d}",
        "title": f"Agent study {m}-{i}",
        "abstract": f"An agent, case {i}.",
        "authors": ["Ann Author"],
        "date": f"2025-{m:02d}-1{i}",
        "upvotes": i,
    }
    for m in range(1, 7)
    for i in range(3)
]


def served(tmp_path_factory, name: str, records: list[dict]):
    """The app (a real server) on a store of ``records``, imported through the real
    importer; a generator for a fixture to yield from."""
    require_browser()
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    data = tmp_path_factory.mktemp(name)
    source = write_jsonl(data / f"{name}.jsonl", records)
    import_files(Store(data / "store"), input_files([str(source)], (".jsonl",)))
    server = Server(data / "store")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def agent_server(tmp_path_factory):
    """The app on a store of AGENT_MONTHS."""
    yield from served(tmp_path_factory, "agent-store", AGENT_MONTHS)


def memory_mapped(array) -> bool:
    """True when the array's data lives in a memory-mapped file (a view of an np.memmap)."""
    import numpy as np

    while array is not None:
        if isinstance(array, np.memmap):
            return True
        array = getattr(array, "base", None)
    return False


def resident_kb(directory: Path, names: set[str]) -> int:
    """KiB of this process's memory mapped from files called ``names`` under ``directory`` that
    are resident (Linux's /proc/self/smaps; skips elsewhere)."""
    import re

    if not Path("/proc/self/smaps").exists():
        pytest.skip("Linux's /proc/self/smaps")
    total, name = 0, ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            name = line.split()[-1] if len(line.split()) > 5 else ""
        elif line.startswith("Rss:") and Path(name).name in names and name.startswith(str(directory)):
            total += int(line.split()[1])
    return total


def open_page(app, page, params=None):
    """Run the app, then open ``page`` with ``params`` in the link, as a shared link would."""
    app.run()
    if params:
        app.query_params.update(params)
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def copy_links(at) -> list[str]:
    """The links of the page's "Copy link" buttons (a custom component: AppTest holds its data)."""
    found = []

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            proto = getattr(child, "proto", None)
            if getattr(child, "type", "") == "bidi_component" and proto.component_name == "papers_copy_link":
                found.append(json.loads(proto.json)["link"])
            walk(child)

    walk(at._tree)
    return found


# --- the team's database: SQLite and a real PostgreSQL server ------------------------------------
@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the session (tests/pg_server.py); skips when PostgreSQL is
    not installed, unless REQUIRE_POSTGRES=1 (CI), where that fails."""
    import pg_server

    server = pg_server.start()
    if server is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but no PostgreSQL under /usr/lib/postgresql/*/bin")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def team_db_url(request, empty_store, monkeypatch):
    """The team database of the test's data directory (``empty_store``), empty: the default SQLite
    file, or (through $PAPERS_DB_URL) the emptied test database of the session's PostgreSQL server."""
    from lib.team import db

    if request.param == "postgres":
        server = request.getfixturevalue("postgres_server")
        url = server.empty()
        monkeypatch.setenv("PAPERS_DB_URL", url)
    else:
        monkeypatch.delenv("PAPERS_DB_URL", raising=False)
        url = db.database_url(empty_store)
    yield url
    db.close_all()  # no idle connections pile up on the server, test after test


@pytest.fixture
def team_db(team_db_url, empty_store):
    """A TeamDB on ``team_db_url``."""
    from lib.team.db import TeamDB

    return TeamDB.open(empty_store)
