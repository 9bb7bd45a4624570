"""A time budget for one answer (a search page, a trend, an export): the loops that can run long
check it and stop there, and the answer says it may be incomplete, so one crafted link cannot
keep the server busy for the other sessions.  ``PAPERS_QUERY_SECONDS`` sets the budget (default
0.8 s, so that a page with its drawing stays within a second; 0: none)."""

from __future__ import annotations

import os
import time

QUERY_SECONDS = 0.8  # an answer's budget unless PAPERS_QUERY_SECONDS says otherwise


def budget(env: dict[str, str] | None = None) -> float:
    """The seconds an answer may take (``PAPERS_QUERY_SECONDS``; 0: no limit); a bad value is the default."""
    value = (os.environ if env is None else env).get("PAPERS_QUERY_SECONDS", "").strip()
    try:
        seconds = float(value) if value else QUERY_SECONDS
    except ValueError:
        return QUERY_SECONDS
    return seconds if seconds >= 0 and seconds == seconds else QUERY_SECONDS


class Deadline:
    """The end of a time budget; :meth:`passed` is what a loop asks, and once it said yes,
    :attr:`hit` stays true (the answer then carries :attr:`note`)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = budget() if seconds is None else seconds
        self.end = time.monotonic() + self.seconds if self.seconds > 0 else float("inf")
        self.hit = False

    def passed(self) -> bool:
        if not self.hit and time.monotonic() >= self.end:
            self.hit = True
        return self.hit

    @property
    def note(self) -> str:
        return f"Stopped after {self.seconds:g} s: the results may be incomplete."


NEVER = Deadline(0)  # no budget (a library call without one)
