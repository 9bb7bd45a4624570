"""Team benchmark: 20 teammates on the dashboard at once, in real browsers (``bench/run.py --team``).

On the real 74,728-paper store (quick: 2 sessions on the 2,000-paper sample), 20 sessions at once
(one browser, 20 contexts, asyncio), each running its own seeded sequence of 6 interactions (3
searches, 3 trend terms, with 4 page switches by the top navigation between them), three times: at
a reader's pace (arriving one every 6 s, reading 10-30 s, seeded, before each action: the goal is
judged here), once with every session its browser's first visit and once with every browser having
used the app before (it opened the home, search and trends pages once, before the schedule: its
cache holds Streamlit's JavaScript, as a teammate's does on any day but the first), and at a stress
pace (first visits, arriving one every 0.5 s, 2-6 s between actions: reported) (quick: 2 sessions,
the second in a browser that used the app before, no pauses, the first 2 steps).  The CPU the
server used per action is reported beside the machine's, since the 20 browsers share its 2 cores
with the server here (a team's browsers run on their own machines).  After each action, the page
must show that session's own state: its query (or terms) in the box and in the address bar, its
expected first result (or legend), and nothing of another session's.

Not in the default run (20 Chromium pages take the machine's 2 cores for about 25 minutes).

Goals (issue: scale): 20/20 sessions completed, p95 <= 2 s per interaction and no state leak.

    python bench/bench_team.py [--quick]
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import common
from bench_scale import DEFAULT_TERMS, LEGEND_SHOWS, SEED, SNAPSHOT, process_tree, rss_mb
from common import (
    BOX,
    DONE,
    FIRST_CARD,
    FIRST_RESULT_IS,
    NAV,
    ROOT,
    TIMEOUT_MS,
    URL_HAS,
    VIEWPORT,
    Figure,
    app_server,
    in_process,
    load_average,
    percentile,
    stores,
)

TEAM_GOAL_S = 2.0
note = partial(common.note, "team")


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in process_tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def machine_cpu_seconds() -> float:
    """CPU seconds every core of the machine has spent busy since boot (from /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Team:
    """What every session must see, and what would betray another session's state."""

    KINDS = ("open home", "search", "trends", "page switch")

    def __init__(self, steps: dict, sessions: int) -> None:
        queries, term_sets = steps["queries"], steps["terms"]
        self.sessions = [
            {"queries": queries[3 * i : 3 * i + 3], "terms": term_sets[3 * i : 3 * i + 3]} for i in range(sessions)
        ]
        self.completed = 0
        self.mismatches: list[str] = []
        self.leaks: list[str] = []
        self.errors: list[str] = []
        self.spans: list[tuple[float, float]] = []  # each session's (opened, closed), perf_counter
        self.timeline: list[tuple[float, float, str, str]] = []  # (started, seconds, kind, detail) of every action

    def took(self, kind: str, started: float, detail: str = "") -> None:
        self.timeline.append((started, time.perf_counter() - started, kind, detail))

    @property
    def latency(self) -> dict[str, list[float]]:
        """Each kind's seconds, in the order the actions ended."""
        return {kind: [seconds for _, seconds, k, _ in self.timeline if k == kind] for kind in self.KINDS}

    def slowest(self, count: int = 5) -> str:
        """The slowest actions but the openings: when each started (s after the first
        session opened) and how many sessions were still opening the app then."""
        if not self.timeline:
            return ""
        origin = min(row[0] for row in self.timeline)
        opening = [(start, start + seconds) for start, seconds, kind, _ in self.timeline if kind == "open home"]
        slow = sorted((row for row in self.timeline if row[2] != "open home"), key=lambda row: -row[1])[:count]
        return "; ".join(
            f"{kind}{' ' + detail if detail else ''} {seconds:.1f} s at {start - origin:.0f} s "
            f"({sum(a <= start + seconds and start <= b for a, b in opening)} opening)"
            for start, seconds, kind, detail in slow
        )

    def together(self) -> float:
        """Seconds during which every session was open at once."""
        if len(self.spans) < len(self.sessions):
            return 0.0
        return max(0.0, min(end for _, end in self.spans) - max(start for start, _ in self.spans))

    def others(self, i: int) -> set[str]:
        values = set()
        for j, own in enumerate(self.sessions):
            if j != i:
                values |= {q for q, _ in own["queries"]} | {f"1. {t}" for _, t in own["queries"]}
                values |= {", ".join(words) for words in own["terms"]} | {w for words in own["terms"] for w in words}
        return values

    def check(self, i: int, what: str, shown: dict, path: str, box: str, first: str | None, legend: list[str]) -> None:
        """Compare the page's state with session i's own; a difference that is another
        session's value is a leak."""
        key = {"search": "q", "trends": "terms"}[path]
        wrong = []
        if not shown["path"].endswith("/" + path):
            wrong.append(f"path {shown['path']!r}")
        if shown["box"] != box:
            wrong.append(f"box {shown['box']!r}")
        if shown["params"].get(key, "" if path == "search" else DEFAULT_TERMS) != box:
            wrong.append(f"URL {key}={shown['params'].get(key)!r}")
        if first is not None and shown["first"] != first:
            wrong.append(f"first result {shown['first']!r}")
        if legend and not set(legend) <= set(shown["texts"]):
            wrong.append(f"legend without {sorted(set(legend) - set(shown['texts']))}")
        others = self.others(i)
        foreign = sorted({shown["box"], shown["first"], *shown["params"].values(), *shown["texts"]} & others)
        if foreign:
            self.leaks.append(f"session {i} after {what}: shows another session's {foreign}")
        if wrong:
            self.mismatches.append(f"session {i} after {what}: " + "; ".join(wrong))


@dataclass(frozen=True)
class Pace:
    """How a team uses the app: each teammate pauses a seeded ``think`` seconds (uniform in
    the range) before each action, and session i opens the app ``i * arrival`` s after the first."""

    name: str
    think: tuple[float, float]
    arrival: float
    actions: int = 6  # each session's first ``actions`` of its 6 steps


# The goal is judged at a reader's pace: a search's 20 results or a chart are read before
# the next action, and the team opens the app over 2 minutes (each session stays open about
# 5 minutes, so all 20 work at once for minutes; the bench prints for how long).  The stress
# pace (an action every 2-6 s from each of 20 people, all arriving within 10 s) is reported
# beside it: there, the 20 Chromium pages on the bench's own 2 cores are the bottleneck
# (see the CPU accounting the bench prints).  After a search or a trend change has shown, the
# reader leaves the box (blur) to read: a focused box's blinking caret costs its idle page
# 0.017 of a core (measured; 0.35 of the bench's 2 cores for 20 pages), a cost each teammate's
# own machine pays, not the server.
READING = Pace("reading pace", (10.0, 30.0), 6.0)
STRESS = Pace("stress pace", (2.0, 6.0), 0.5)
QUICK = Pace("no pauses", (0.0, 0.0), 0.0, actions=2)
QUICK_SESSIONS = 2
RETURNING = ", browsers that used the app before"


def team_steps(own: dict) -> list[tuple[str, object]]:
    """A session's 6 steps: 3 searches and 3 trend terms, with page switches between them
    (the first two steps already make a search, a switch and a trend change)."""
    return [
        ("search", own["queries"][0]),
        ("trends", own["terms"][0]),
        ("search", own["queries"][1]),
        ("search", own["queries"][2]),
        ("trends", own["terms"][1]),
        ("trends", own["terms"][2]),
    ]


def checks_per_session(pace: Pace, home: bool) -> int:
    """The state checks a session makes: one after each action and one after each page switch."""
    kinds = [kind for kind, _ in team_steps({"queries": [None] * 3, "terms": [None] * 3})[: pace.actions]]
    return len(kinds) + sum(a != b for a, b in zip(["home" if home else "search"] + kinds, kinds))


YESTERDAY = ("", "search?q=model", "trends")  # what a returning teammate's browser opened before


async def _visited(browser, url: str, paths: tuple[str, ...]):
    """A fresh browser context that has opened ``paths`` of the app, one after the other,
    each until its run ended, in a tab now closed.  With YESTERDAY, it is a returning
    teammate's browser (any day but the first): its cache holds Streamlit's JavaScript and
    the code each page's elements need."""
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = await context.new_page()
    for path in paths:
        await page.goto(f"{url}/{path}")
        await page.locator("[data-testid=stMainBlockContainer] h1").first.wait_for(timeout=TIMEOUT_MS)
        await page.wait_for_function(DONE, timeout=TIMEOUT_MS)
    await page.close()
    return context


async def _team_session(browser, url: str, team: Team, i: int, home: bool, pace: Pace, context=None) -> None:
    """Session i; ``context``: a browser context that used the app before (see YESTERDAY),
    else a fresh one, as on a teammate's first visit."""
    own = team.sessions[i]
    rng = random.Random(SEED + i)

    async def pause() -> None:
        if pace.think[1]:
            await asyncio.sleep(rng.uniform(*pace.think))

    await asyncio.sleep(i * pace.arrival)
    opened = time.perf_counter()
    if context is None:
        context = await browser.new_context(viewport=VIEWPORT)
        context.set_default_navigation_timeout(TIMEOUT_MS)  # 20 pages loading at once on 2 cores
    page = await context.new_page()
    current = "home"
    seen = {current}
    steps = team_steps(own)[: pace.actions]
    what = "opening home" if home else "opening search"
    try:
        started = time.perf_counter()
        if home:
            await page.goto(f"{url}/")
            await page.locator(FIRST_CARD).first.wait_for(timeout=TIMEOUT_MS)
            team.took("open home", started)
        else:  # quick: straight to the search page
            await page.goto(f"{url}/search")
            await page.locator(BOX).wait_for(timeout=TIMEOUT_MS)
            current = "search"
            seen.add(current)
        await page.wait_for_function(DONE, timeout=TIMEOUT_MS)
        for step, (kind, value) in enumerate(steps, start=1):
            await pause()
            if kind != current:  # the top navigation: a fresh page of this session
                what = f"switching to {kind} (before step {step})"
                started = time.perf_counter()
                await page.locator(NAV, has_text=kind.capitalize()).click()
                await page.wait_for_url(f"**/{kind}", timeout=TIMEOUT_MS)
                if kind == "search":
                    await page.get_by_role("heading", name="Search").wait_for(timeout=TIMEOUT_MS)
                    await page.locator(BOX).wait_for(timeout=TIMEOUT_MS)
                else:
                    await page.wait_for_function(LEGEND_SHOWS, arg=[["agent", "diffusion"], []], timeout=TIMEOUT_MS)
                team.took("page switch", started, f"to {kind}" + ("" if kind in seen else ", its first visit"))
                seen.add(kind)
                await page.wait_for_function(DONE, timeout=TIMEOUT_MS)
                default = "" if kind == "search" else DEFAULT_TERMS
                team.check(
                    i,
                    what,
                    await page.evaluate(SNAPSHOT),
                    kind,
                    default,
                    None,
                    [] if kind == "search" else ["agent", "diffusion"],
                )
                current = kind
                await pause()
            box = page.locator(BOX)
            if kind == "search":
                query, title = value
                what = f"step {step}: search {query!r}"
                await box.fill(query)
                started = time.perf_counter()
                await box.press("Enter")
                await page.wait_for_function(FIRST_RESULT_IS, arg=[f"1. {title}"], timeout=TIMEOUT_MS)
                team.took("search", started)
                await page.wait_for_function(URL_HAS, arg=["q", query], timeout=TIMEOUT_MS)
                await page.wait_for_function(DONE, timeout=TIMEOUT_MS)
                team.check(i, what, await page.evaluate(SNAPSHOT), "search", query, f"1. {title}", [])
                await box.blur()  # the reader reads the results (see READING)
            else:
                text = ", ".join(value)
                what = f"step {step}: trends {text!r}"
                await box.fill(text)
                started = time.perf_counter()
                await box.press("Enter")
                await page.wait_for_function(LEGEND_SHOWS, arg=[value, []], timeout=TIMEOUT_MS)
                team.took("trends", started)
                await page.wait_for_function(URL_HAS, arg=["terms", text], timeout=TIMEOUT_MS)
                await page.wait_for_function(DONE, timeout=TIMEOUT_MS)
                team.check(i, what, await page.evaluate(SNAPSHOT), "trends", text, None, list(value))
                await box.blur()
        team.completed += 1
    except Exception as exc:  # noqa: BLE001 - a session that fails is counted, never fatal
        detail = " ".join(str(exc).split())[:300]
        team.errors.append(f"session {i} while {what}: {type(exc).__name__}: {detail}")
        try:
            shown = await page.evaluate(SNAPSHOT)
            foreign = sorted(
                {shown["box"], shown["first"], *shown["params"].values(), *shown["texts"]} & team.others(i)
            )
            if foreign:
                team.leaks.append(f"session {i} while {what} (failed): shows another session's {foreign}")
        except Exception:  # noqa: BLE001 - the page may be gone
            pass
    finally:
        team.spans.append((opened, time.perf_counter()))
        await context.close()


async def _team(url: str, team: Team, quick: bool, pace: Pace, returning: int, meter) -> tuple[float, tuple]:
    """Run the team's sessions, the last ``returning`` of them in browsers that used the app
    before; the seconds they took, and what ``meter()`` read as they began."""
    from playwright.async_api import async_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if not quick:  # one reader first: the team meets a warm server (dataset and indexes loaded)
                await (await _visited(browser, url, ("search?q=model", "trends"))).close()
            contexts = [None] * (len(team.sessions) - returning)
            contexts += [await _visited(browser, url, YESTERDAY) for _ in range(returning)]  # before the schedule
            began, started = meter(), time.perf_counter()
            await asyncio.gather(
                *(
                    _team_session(browser, url, team, i, home=not quick, pace=pace, context=contexts[i])
                    for i in range(len(team.sessions))
                )
            )
            return time.perf_counter() - started, began
        finally:
            await browser.close()


def figure_team(
    store: Path, sessions: int, quick: bool, pace: Pace = READING, goal: bool = True, returning: int = 0
) -> list[Figure]:
    """Figure 6 at one pace (quick: no warm-up reader, no pauses, and the sessions open the
    search page directly); ``goal``: judge the p95 figures against the goal, else report them;
    ``returning``: how many of the sessions (the last ones) run in a browser that used the
    app before (see YESTERDAY); the others are their browser's first visit."""
    browsers = (
        ""
        if not returning
        else RETURNING
        if returning == sessions
        else f", {returning} of the {sessions} browsers used the app before"
    )
    steps = in_process(
        "bench_scale", f"plan({str(store)!r}, {3 * sessions}, {3 * sessions}, seed={SEED + 6})", timeout=3600
    )
    n = steps["papers"]
    team = Team(steps, sessions)
    note(
        f"team at {pace.name}{browsers} (pauses {pace.think[0]:g}-{pace.think[1]:g} s, a session opens every {pace.arrival:g} s): "
        f"{sessions} sessions on {n:,} papers (load average {load_average()}); session 0 types "
        + " | ".join([q for q, _ in team.sessions[0]["queries"]] + [", ".join(w) for w in team.sessions[0]["terms"]])
    )
    with app_server(store) as server:  # a quick run's may have served this store before (warm, as the full run's)
        meter = lambda: (machine_cpu_seconds(), cpu_seconds(server.proc.pid))
        with ThreadPoolExecutor(1) as thread:  # its own thread: a quick run's shared sync browser holds this one's loop
            wall, (machine_before, server_before) = thread.submit(
                asyncio.run, _team(server.url, team, quick, pace, returning, meter)
            ).result()
        machine_used, server_used = machine_cpu_seconds() - machine_before, cpu_seconds(server.proc.pid) - server_before
        peak = rss_mb(server.proc.pid)
    actions = sum(len(v) for v in team.latency.values())
    note(
        f"team: CPU over the run: the machine {machine_used:.0f} s of {2 * wall:.0f} s available (2 cores), "
        f"of which the dashboard's server {server_used:.0f} s ({server_used / max(actions, 1) * 1000:.0f} ms per "
        f"action, {actions} actions) and the {len(team.sessions)} browser pages and the bench the rest "
        f"({(machine_used - server_used) / max(machine_used, 1e-9):.0%})"
    )
    note(f"team: slowest actions: {team.slowest()}")
    for message in team.errors + team.mismatches[:10] + team.leaks[:10]:
        note(f"team: {message}")
    note(
        f"team: {wall:.1f} s for all sessions, all {len(team.sessions)} open at once for {team.together():.0f} s; "
        f"server RSS {peak['rss']:,.0f} MB (peak {peak['hwm']:,.0f} MB); "
        + "; ".join(
            f"{kind} p50 {percentile(s, 50):.2f} s, p95 {percentile(s, 95):.2f} s, max "
            f"{max(s, default=float('nan')):.2f} s ({len(s)})"
            for kind, s in team.latency.items()
        )
        + f" (load average {load_average()})"
    )
    label = f"{sessions} concurrent sessions, {pace.name}{browsers}"
    completed = f"{sessions}/{sessions}"
    figures = [
        Figure(f"{label}, {n:,} papers: completed", "", team.completed, {}, completed, team.completed == sessions)
    ]
    busy = f"{machine_used / (2 * wall):.0%} of the 2 cores busy"
    for kind in ("search", "trends", "page switch"):
        seconds = team.latency[kind]
        p95, p50 = percentile(seconds, 95), {"p50": round(percentile(seconds, 50), 2)}
        actions = f"{len(seconds)} actions"
        judged = f"<= {TEAM_GOAL_S:g} s ({actions})" if goal else f"reported, no goal ({actions}; {busy})"
        figures.append(
            Figure(f"{label}: {kind} p95", "s", round(p95, 2), p50, judged, p95 <= TEAM_GOAL_S if goal else None)
        )
    checks = f"0 (of up to {checks_per_session(pace, home=not quick) * sessions} checks; {len(team.mismatches)} other mismatches)"
    figures.append(
        Figure(f"{label}: state leaks", "", len(team.leaks), {}, checks, not team.leaks and not team.mismatches)
    )
    return figures


def run(quick: bool = False, browser: bool = True) -> list[Figure]:
    """``browser``: without one there is nothing to measure."""
    if not browser:
        return []
    store = Path(stores(quick, large=False)["real"])
    if quick:
        return figure_team(store, QUICK_SESSIONS, quick, QUICK, returning=1)
    return (
        figure_team(store, 20, quick, READING)
        + figure_team(store, 20, quick, READING, returning=20)
        + figure_team(store, 20, quick, STRESS, goal=False)
    )


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure.row(), flush=True)
