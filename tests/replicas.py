"""Helpers for the tests of several app replicas over one data directory (tests/test_replicas.py,
tests/test_nginx.py): a store of synthetic papers, replicas started side by side, and what a page
shows (the whole table's count, errors)."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import CHROMIUM, CHROMIUM_ARGS, Server


def papers(first: int, last: int, day: str = "2025-07-01") -> list[dict]:
    """Papers ``first`` .. ``last - 1``: one subject each ("splatting" or "decoding"), listed on ``day``."""
    return [
        {
            "id": f"2507.{i:05d}",
            "title": f"{'Gaussian splatting' if i % 2 else 'Speculative decoding'} study number {i}",
            "abstract": f"We study {'radiance fields with Gaussian splatting' if i % 2 else 'draft models'}, case {i}. "
            + "Words to make the table weigh something. " * 20,
            "authors": [f"Author {i}"],
            "date": day,
            "upvotes": i % 97,
        }
        for i in range(first, last)
    ]


def write_papers(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def import_into(data: Path, source: Path) -> None:
    """The real importer (in this process), as the store's first writer."""
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    import_files(Store(data), input_files([str(source)], (".jsonl",)))


def start_replicas(data: Path, count: int = 2, env: dict[str, str] | None = None) -> list[Server]:
    """``count`` app servers on one data directory (and one team database: ``env`` may name one in
    PAPERS_DB_URL), started side by side."""
    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(Server, data, env) for _ in range(count)]
        started = []
        failure: RuntimeError | None = None
        for future in futures:
            try:
                started.append(future.result())
            except RuntimeError as exc:  # stop the ones that did start
                failure = exc
        if failure is not None:
            stop_all(started)
            raise failure
        return started


def stop_all(servers: list[Server]) -> list[str]:
    """Stop every server; what each wrote on stderr (its log)."""
    logs = []
    for server in servers:
        server.stop()
        assert server.proc.stderr is not None
        logs.append(server.proc.stderr.read().decode("utf-8", "replace"))
    return logs


SETTLED = "[data-testid=stMainBlockContainer] h1, [data-testid=stException], [data-testid=stAlertContentError]"


ERRORS = "[data-testid=stException], [data-testid=stAlertContentError]"
PAPERS_METRIC = "[data-testid=stMetric]:has([data-testid=stMetricLabel]:has-text('Papers')) [data-testid=stMetricValue]"


def open_view(page, url: str) -> None:
    """Open ``url`` and wait until its script has run: to its title, or to an error."""
    page.goto(url)
    page.wait_for_selector("[data-testid=stApp]")
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
    page.wait_for_selector(SETTLED, timeout=60_000)


def table_count(page) -> int:
    """The whole table's "Papers" count on the Daily Papers page."""
    return int(page.locator(PAPERS_METRIC).inner_text().replace(",", ""))


def page_errors(page) -> list[str]:
    """Every error the page shows: exceptions, error boxes, a traceback."""
    found = [e.inner_text() for e in page.locator(ERRORS).all()]
    if "Traceback" in page.content():
        found.append("a traceback on the page")
    return found


Seen = list[tuple[int, list[str]]]


def watch(url: str, going: Callable[[Seen], bool], pages: int = 2) -> Seen:
    """Load ``url`` over and over in ``pages`` tabs at once while ``going(seen)``: ``seen`` is each
    load's table count (-1 when it has none) and errors, in the order they settled.  Its own
    chromium, driven from its own thread (Playwright's async API; the test's sync browser stays in
    the main thread); ``going`` is called from that thread."""
    import asyncio

    from playwright.async_api import async_playwright

    seen: Seen = []

    async def one(browser) -> None:
        page = await (await browser.new_context(viewport={"width": 1400, "height": 1200})).new_page()
        while going(seen):
            await page.goto(url)
            await page.wait_for_selector("[data-testid=stApp]")
            await page.wait_for_function(
                "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000
            )
            await page.wait_for_selector(f"{PAPERS_METRIC}, {ERRORS}", timeout=60_000)
            errors = [await e.inner_text() for e in await page.query_selector_all(ERRORS)]
            if "Traceback" in await page.content():
                errors.append("a traceback on the page")
            value = await page.query_selector(PAPERS_METRIC)
            seen.append((int((await value.inner_text()).replace(",", "")) if value else -1, errors))

    async def main() -> None:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                await asyncio.gather(*(one(browser) for _ in range(pages)))
            finally:
                await browser.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result()
    return seen
