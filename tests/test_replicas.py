"""Two real app servers (replicas) over ONE data directory and ONE team database (the default
SQLite file, and PostgreSQL through PAPERS_DB_URL), driven by a real browser: what one replica
writes the other shows, an import by the real CLI is picked up by a replica without a restart, and
while imports run a replica only ever shows a whole table (an old count or a new one, never an
error)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, Server, require_browser
from playwright.sync_api import expect
from replicas import (
    Seen,
    import_into,
    open_view,
    page_errors,
    papers,
    start_replicas,
    stop_all,
    table_count,
    watch,
    write_papers,
)

pytestmark = pytest.mark.browser

CARD_TITLES = "[data-testid=stPageLink] a:has(strong)"
COLLECT = "button[data-variant=pills]:has-text('Reading list')"  # a card's pill of the default collection
FIRST = 200  # papers in the store when the replicas start
BATCH = 300  # papers each import adds
IMPORTS = 3


@dataclass
class Replicas:
    data: Path
    a: Server
    b: Server
    env: dict[str, str]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def replicas(request, tmp_path_factory):
    require_browser()
    env: dict[str, str] = {}
    if request.param == "postgres":
        env["PAPERS_DB_URL"] = request.getfixturevalue("postgres_server").database()  # its own, empty
    root = tmp_path_factory.mktemp(f"replicas-{request.param}")
    data = root / "store"
    import_into(data, write_papers(root / "first.jsonl", papers(0, FIRST)))
    a, b = start_replicas(data, 2, env)
    pair = Replicas(data, a, b, env)
    yield pair
    logs = stop_all([a, b])
    for log in logs:  # neither replica met an internal error (their log is stderr)
        assert "Traceback" not in log, log


def test_a_paper_collected_on_one_replica_is_in_the_collection_on_the_other(replicas, browser):
    alice = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
    open_view(alice, f"{replicas.a.url}/search?q=splatting+study+number+7")
    title = alice.locator(CARD_TITLES).first.inner_text().split(". ", 1)[1]
    assert title == "Gaussian splatting study number 7"
    alice.locator(COLLECT).first.click()  # into the default collection, on replica A
    expect(alice.locator(COLLECT).first).to_have_attribute("aria-pressed", "true")

    bob = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
    open_view(bob, f"{replicas.b.url}/collections?collection=Reading+list")  # replica B
    expect(bob.locator(CARD_TITLES).first).to_have_text(title)
    # and B's write is A's next read: B marks it read, A's card says so on its next load
    bob.get_by_role("button", name="Mark read").first.click()
    expect(bob.get_by_role("button", name="Read", exact=True).first).to_be_visible()
    open_view(alice, f"{replicas.a.url}/collections?collection=Reading+list")
    expect(alice.get_by_role("button", name="Read", exact=True).first).to_be_visible()
    assert not page_errors(alice) and not page_errors(bob)
    alice.context.close()
    bob.context.close()


class OneByOne:
    """``watch``'s guide: runs the real CLI's imports of ``sources`` one at a time, each once the
    replica has shown the count of the one before; stops at the first error a page shows, or after
    a minute."""

    def __init__(self, sources: list[Path], counts: list[int], env: dict[str, str]) -> None:
        self.sources, self.counts, self.env = sources, counts, env
        self.proc: subprocess.Popen[bytes] | None = None
        self.done = 0  # imports finished
        self.during = 0  # page loads that settled while an import ran
        self.since = 0  # loads before this one cannot show the last finished import
        self.failed: str | None = None
        self.deadline = time.monotonic() + 60

    def __call__(self, seen: Seen) -> bool:
        if any(errors for _, errors in seen) or time.monotonic() > self.deadline:
            return False
        if self.proc is not None:
            if self.proc.poll() is None:
                self.during += len(seen) - self.since
                self.since = len(seen)
                return True
            if self.proc.returncode:
                self.failed = f"the import exited with {self.proc.returncode}"
                return False
            self.done, self.proc, self.since = self.done + 1, None, len(seen)
        if all(count != self.counts[self.done] for count, _ in seen[self.since :]):
            return True  # until the replica shows the last import
        if self.done == len(self.sources):
            return False
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lib", "import", str(self.sources[self.done])],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
        )
        self.since = len(seen)
        return True

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.wait(timeout=120)


@pytest.mark.parametrize("replicas", ["sqlite"], indirect=True)  # the table is the same on both databases
def test_imports_on_the_data_directory_are_picked_up_whole_by_a_running_replica(replicas, browser):
    home = f"{replicas.b.url}/?date=2025-07-01"
    counts = [FIRST + BATCH * i for i in range(IMPORTS + 1)]  # the only tables there ever are
    sources = [
        write_papers(replicas.data.parent / f"batch-{i}.jsonl", papers(10_000 + BATCH * i, 10_000 + BATCH * (i + 1)))
        for i in range(IMPORTS)
    ]
    # the real CLI imports, one at a time, while two tabs reload B's Daily Papers
    imports = OneByOne(sources, counts, {**os.environ, "PAPERS_DATA": str(replicas.data), **replicas.env})
    try:
        seen = watch(home, imports)
    finally:
        imports.stop()
    for count, errors in seen:
        assert not errors and count in counts, (count, errors, counts)  # a whole table: never torn, never the demo
    assert imports.failed is None, imports.failed
    assert imports.done == IMPORTS, f"after {imports.done} imports B still showed {seen[-1][0]} papers: {seen}"
    assert {count for count, _ in seen} == set(counts), seen  # B served every version, each without a restart
    assert imports.during >= 2, (imports.during, seen)  # and looked while the imports ran

    # without a restart, the next load shows the last import: its count, its papers in search
    page = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
    started = time.monotonic()
    open_view(page, home)
    assert table_count(page) == counts[-1]
    open_view(page, f"{replicas.b.url}/search?q=%22study+number+{10_000 + BATCH * IMPORTS - 1}%22")
    expect(page.locator(CARD_TITLES).first).to_contain_text(f"study number {10_000 + BATCH * IMPORTS - 1}")
    assert not page_errors(page)
    assert time.monotonic() - started < 30
    page.context.close()
