"""What every benchmark shares: figures, measured steps, stores, the app in a browser.

Benchmarks are not tests: they print figures beside their goals and peers, measured in one run on
this machine.  Each measured step runs in a fresh Python process so that its peak memory is its
own (VmHWM from /proc/self/status: ``ru_maxrss`` is not, since Linux carries the parent's
high-water mark into a child across fork + exec).

A quick run (``with quick_run():``) forks each step from one interpreter that has already imported
numpy, pandas, pyarrow, scikit-learn and ``lib`` instead of starting a new one (about 0.7 s of
imports saved per step, some forty steps), and its browser figures share one Chromium.  A forked
child's VmHWM starts from its own resident pages, never the parent's peak, so its peak memory
stays its own; its ``seconds`` leave out the imports (the full run's include them).
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("BENCH_WORK", tempfile.gettempdir())) / "papers-bench"
QUICK_LARGE = 3_000  # papers of the quick run's "large" store
sys.path.insert(0, str(ROOT))


def number(value: float) -> str:
    """A figure as the tables print it: thousands separated from 100 up, else 3 significant digits."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


@dataclass
class Figure:
    figure: str
    unit: str
    ours: float
    peers: dict[str, float] = field(default_factory=dict)
    goal: str = ""
    met: bool | None = None

    def row(self) -> str:
        peers = ", ".join(f"{k} {number(v)}" for k, v in self.peers.items())
        verdict = {True: "met", False: "NOT MET", None: ""}[self.met]
        return f"{self.figure:<52} {number(self.ours):>9} {self.unit:<3} | {peers:<40} | {self.goal} {verdict}"

    def as_dict(self) -> dict:
        return asdict(self)


def goal(figure: str, unit: str, ours: float, limit: float, text: str = "", peers: dict | None = None) -> Figure:
    """A figure judged ``ours <= limit``; its goal reads "<= LIMIT UNIT" and then ``text``."""
    return Figure(figure, unit, ours, peers or {}, f"<= {limit:g} {unit}{text}".strip(), ours <= limit)


def note(bench: str, text: str) -> None:
    """A line of detail on stderr, beside the figures on stdout."""
    print(f"  {bench}: {text}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (numpy's linear interpolation); nan when there is no value."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latencies(call: Callable[[Any], int], items: list, limit: int | None = None) -> dict:
    """Milliseconds of ``call(item)`` for each of the first ``limit`` items, after one warm-up
    call: p50, p95, each one, and what each call returned (an int: a count of results)."""
    items = items[:limit]
    call(items[0])
    ms, returned = [], []
    for item in items:
        started = time.perf_counter()
        returned.append(int(call(item)))
        ms.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "ms": ms, "hits": returned, "count": len(ms)}


def load_average() -> str:
    """The 1, 5 and 15 minute load averages of the machine (other work shares it)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# --- measured steps: each in a fresh interpreter ---------------------------------------------
def measure(code: str, env: dict | None = None, timeout: float = 1800) -> dict:
    """Run ``code`` in a fresh interpreter (project root on sys.path); returns
    ``{"seconds": wall time of the code, "peak_mb": the process's peak RSS, **extra}``
    where ``extra`` is whatever the code stored in the dict ``RESULT``."""
    script = (
        textwrap.dedent(f"""
        import json, resource, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        RESULT = {{}}
        _t = time.perf_counter()
    """)
        + textwrap.dedent(code)
        + textwrap.dedent("""
        RESULT.setdefault("seconds", time.perf_counter() - _t)
        try:
            _hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
            RESULT["peak_mb"] = int(_hwm.split()[1]) / 1024
        except (OSError, StopIteration):
            RESULT["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("RESULT=" + json.dumps(RESULT))
    """)
    )
    if _forks is not None and not env:
        returncode, stdout, stderr = _forks.run(script, timeout)
    else:
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
            cwd=ROOT,
        )
        returncode, stdout, stderr = done.returncode, done.stdout, done.stderr
    for line in stdout.splitlines():
        if line.startswith("RESULT="):
            return json.loads(line[len("RESULT=") :])
    raise RuntimeError(f"benchmark step failed (exit status {returncode}):\n{stderr[-2000:]}")


def in_process(module: str, call: str, timeout: float = 1800) -> dict:
    """``module.call`` (a call of a bench/ module's function that returns a dict, as source
    text) in a fresh interpreter (see measure): its dict, plus ``seconds`` and ``peak_mb``."""
    return measure(
        f"""
        sys.path.insert(0, {str(ROOT / "bench")!r})
        import {module}
        RESULT.update({module}.{call})
    """,
        timeout=timeout,
    )


# --- quick runs: steps forked from a preloaded interpreter -----------------------------------
_FORK_SERVER = """
import json, os, sys, traceback
sys.path.insert(0, {root!r})
import numpy, pandas, pyarrow.parquet, sklearn.decomposition, sklearn.manifold
import lib.dataset, lib.store.importer, lib.search.index, lib.search.search, lib.trends.terms, lib.topics.topics
print("ready", flush=True)
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            for fd, path in ((1, job["out"]), (2, job["err"])):
                os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
            exec(compile(job["script"], "<bench step>", "exec"), {{"__name__": "__main__"}})
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    print(f"pid {{pid}}", flush=True)
    print(f"exit {{os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])}}", flush=True)
"""


class _ForkServer:
    """One interpreter with the heavy modules imported; each step is a fork of it."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _FORK_SERVER.format(root=str(ROOT))],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.ready = False  # it imports while the caller goes on; the first step waits for it
        self.dir = Path(tempfile.mkdtemp(prefix="bench-steps-"))

    def _line(self, deadline: float) -> str:
        # a selector, not select.select: a process holding many files (each memory-mapped array
        # keeps one open; a test session maps thousands) has descriptors past select's 1,024
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            if not selector.select(max(0.0, deadline - time.monotonic())):
                raise TimeoutError
        return self.proc.stdout.readline().strip()

    def run(self, script: str, timeout: float) -> tuple[int, str, str]:
        if not self.ready:
            if self.proc.stdout.readline().strip() != "ready":
                raise RuntimeError("the benchmark's fork server did not start")
            self.ready = True
        out, err = self.dir / "out", self.dir / "err"
        self.proc.stdin.write(json.dumps({"script": script, "out": str(out), "err": str(err)}) + "\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        pid = int(self._line(deadline).split()[1])
        try:
            code = int(self._line(deadline).split()[1])
        except TimeoutError:
            os.kill(pid, 9)
            self._line(time.monotonic() + 10)
            raise subprocess.TimeoutExpired(sys.executable, timeout) from None
        return code, out.read_text(), err.read_text()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


_forks: _ForkServer | None = None
_chromium = None  # (playwright, browser) shared by a quick run's browser figures
_servers: dict[str, Any] = {}  # a quick run's app servers, by store, kept for figures that need no cold start
_retired: list = []  # a quick run's stopped servers, waited for at its end


@contextmanager
def quick_run(browser: bool = True) -> Iterator[None]:
    """Within it, measure() forks each step from a preloaded interpreter, chromium()
    hands out one shared browser (``browser``: launched now, while that interpreter
    imports) and app_server() keeps one server per store (see the module's text)."""
    global _forks, _chromium
    _forks = _ForkServer()
    try:
        if browser:
            with chromium():
                pass
        yield
    finally:
        forks, shared, _forks, _chromium = _forks, _chromium, None, None
        forks.close()
        for server in [*_servers.values(), *_retired]:
            server.stop()
        _servers.clear()
        _retired.clear()
        if shared is not None:
            shared[1].close()
            shared[0].stop()


# --- stores ----------------------------------------------------------------------------------
def stores(quick: bool, large: bool = True) -> dict[str, str]:
    """``{"real": the real store, "large": the 1,000,000-paper mixed one}`` (quick: the
    2,000-paper sample and 3,000 papers mixed from it); each built once, in a child process
    so that the caller stays small."""
    return measure(f"""
        sys.path.insert(0, {str(ROOT / "bench")!r})
        from corpus import real_store, synthetic_store
        RESULT["real"] = str(real_store({quick}))
        if {large}:
            RESULT["large"] = str(synthetic_store({QUICK_LARGE if quick else 1_000_000}, quick={quick}))
    """)


def fresh_dir(name: str) -> Path:
    path = WORK / name
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def copy_store(source: Path, name: str, artifacts: bool = False) -> Path:
    """A private copy of a store in ``WORK/name`` (made afresh) that a benchmark may write:
    its table's files copied; with ``artifacts``, its artifacts hard-linked (the store
    never writes a file in place, it writes a new one and renames it, so a link stays
    the source's own bytes)."""
    from lib.store.store import Store

    from_dir, to_dir = Path(source), fresh_dir(name)
    for path in Store(from_dir).table_files():
        target = to_dir / path.relative_to(from_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    for path in (from_dir / "artifacts").rglob("*") if artifacts else ():
        target = to_dir / "artifacts" / path.relative_to(from_dir / "artifacts")
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
    return to_dir


def fresh_build(store: str, artifact: str, load_or_build: Callable) -> tuple[float, Any]:
    """Seconds of ``load_or_build(store, dataset)`` with the store's ``artifact`` copies deleted
    first (so the build is really measured), and what it built."""
    from lib.dataset import load
    from lib.store.store import Store

    s = Store(store)
    for path in s.artifacts_dir.glob(f"{artifact}-*"):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    ds = load(s)
    started = time.perf_counter()
    built = load_or_build(s, ds)
    return time.perf_counter() - started, built


# --- the app in a real browser ---------------------------------------------------------------
FIRST_CARD = "[data-testid=stMarkdownContainer] strong >> text=/^1\\. /"  # a day's first paper (home)
NAV = "[data-testid=stTopNavLink]"
BOX = "[data-testid=stTextInput] input"
FIRST_LINK = "[data-testid=stPageLink] a"
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 120_000
DONE = (  # the script's run has ended
    "() => !!document.querySelector('[data-testid=stMainBlockContainer]')"
    " && !document.querySelector('[data-testid=stStatusWidget]')"
)
FIRST_RESULT_IS = f"([want]) => document.querySelector({FIRST_LINK!r})?.innerText.trim() === want"
URL_HAS = "([key, want]) => new URLSearchParams(location.search).get(key) === want"


@contextmanager
def app_server(store: Path, fresh: bool = False) -> Iterator[Any]:
    """The app (``streamlit run dashboard.py``, as the browser tests start it) serving
    ``store``: started for the caller and stopped after; in a quick run, the server that
    already serves this store goes on serving it (``fresh``: a new one, for a cold start)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import Server

    if _forks is None:
        server = Server(store)
        try:
            yield server
        finally:
            server.stop()
        return
    key = str(Path(store).resolve())
    if fresh or key not in _servers:
        if key in _servers:
            retire(_servers.pop(key))
        _servers[key] = Server(store)
    yield _servers[key]


def retire(server: Any) -> None:
    """Stop an app server; a quick run does not wait for it to exit (it does at its end)."""
    if _forks is None:
        server.stop()
        return
    server.proc.terminate()
    _retired.append(server)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (the tests' binary and flags): a quick run's shared one, else
    one launched for the caller and closed after."""
    global _chromium
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    if _forks is not None:
        if _chromium is None:
            playwright = sync_playwright().start()
            _chromium = playwright, playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield _chromium[1]
        return
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def enter_searches(page: Any, searches: list[list[str]]) -> list[float]:
    """On the Search page: seconds from Enter in the box until ``title`` is the first result, for
    each ``[query, title]`` but the first (a warm-up)."""
    from playwright.sync_api import Error as PlaywrightError

    box = page.locator(BOX)
    seconds = []
    for i, (query, title) in enumerate(searches):
        box.fill(query)
        started = time.perf_counter()
        box.press("Enter")
        try:
            page.wait_for_function(FIRST_RESULT_IS, arg=[f"1. {title}"], timeout=TIMEOUT_MS)
        except PlaywrightError:  # re-raised with what the page shows
            shown = page.evaluate(f"() => document.querySelector({FIRST_LINK!r})?.innerText")
            raise RuntimeError(f"browser: {query!r} should show {title!r} first; shows {shown!r}") from None
        if i:
            seconds.append(time.perf_counter() - started)
        # the next query only once the address bar shows this one and the run ended: a query
        # typed earlier can be lost (the rerun that carries the old URL resets the box)
        page.wait_for_function(URL_HAS, arg=["q", query], timeout=TIMEOUT_MS)
        page.wait_for_function(DONE, timeout=TIMEOUT_MS)
    return seconds


def browser_page_seconds(
    data_dir: Path, url_path: str, ready_selector: str, repeats: int = 3, cached: bool = False, nav_label: str = ""
) -> dict:
    """Seconds from navigation to ``ready_selector`` visible:

    * ``cold``: the first visit on a freshly started server (includes loading the store);
    * ``warm_median``: then in new browser contexts (an empty HTTP cache: Streamlit's own
      scripts are fetched and started each time, about 2 s here for any page);
    * ``cached_median`` (with ``cached``): the same context loading the page again (a
      teammate's browser after the first visit: Streamlit's scripts come from the cache);
    * ``switch_median`` (with ``nav_label``): in an open app, a click on the page's entry in
      the top navigation, from the home page."""
    times, reloads, switched = [], [], []
    go_on = cached or nav_label  # the last new context goes on, its cache warm
    with app_server(data_dir, fresh=True) as server, chromium() as browser:
        for i in range(repeats + 1):
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            start = time.perf_counter()
            page.goto(f"{server.url}/{url_path}")
            page.locator(ready_selector).first.wait_for(timeout=TIMEOUT_MS)
            times.append(time.perf_counter() - start)
            if i < repeats or not go_on:
                context.close()
        for _ in range(repeats if cached else 0):
            start = time.perf_counter()
            page.goto(f"{server.url}/{url_path}")
            page.locator(ready_selector).first.wait_for(timeout=TIMEOUT_MS)
            reloads.append(time.perf_counter() - start)
        for _ in range(repeats if nav_label else 0):
            page.wait_for_function(DONE, timeout=TIMEOUT_MS)
            page.locator(NAV, has_text="Daily Papers").first.click()  # home, by the top navigation
            page.wait_for_url(lambda url: url.split("?")[0] == f"{server.url}/", timeout=TIMEOUT_MS)
            page.wait_for_function(DONE, timeout=TIMEOUT_MS)
            page.wait_for_timeout(300)
            link = page.locator(NAV, has_text=nav_label).first
            start = time.perf_counter()
            link.click()
            page.locator(ready_selector).first.wait_for(timeout=TIMEOUT_MS)
            switched.append(time.perf_counter() - start)
        if go_on:
            page.context.close()
    return {
        "cold": times[0],
        "warm_median": percentile(times[1:], 50),
        "cached_median": percentile(reloads, 50),
        "switch_median": percentile(switched, 50),
    }
