"""Typed errors raised by lib and converted once at the edge.

The CLI turns a :class:`PapersError` into a one-line message on stderr and exit
code 2; a page turns it into ``st.error``.  Nothing else catches them.  Any other exception
is an internal error: it is logged with its traceback (:data:`log`), never swallowed.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger("papers")
"""Internal errors -- a bug, or a failure lib recovers from (an index it will rebuild) -- are
logged here with their traceback, never swallowed.  lib adds no handler: the CLI writes the
records to ``DIR/papers.log`` in the data directory (and to stderr under ``PAPERS_DEBUG=1``);
elsewhere (the app) Python's last-resort handler prints warnings and errors on the process's
stderr."""


def debugging() -> bool:
    """``PAPERS_DEBUG=1``: an internal error shows its traceback (the CLI on stderr, the pages
    under their message)."""
    return os.environ.get("PAPERS_DEBUG", "").strip() not in ("", "0")


class PapersError(Exception):
    """Base class: a problem the user can act on, with a one-line message."""


class InputError(PapersError):
    """An input file cannot be read at all (unknown format, not UTF-8, bad XML...)."""


class StoreError(PapersError):
    """The on-disk store cannot be read or written."""
