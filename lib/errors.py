"""Typed errors raised by lib and converted once at the edge.

The CLI turns a :class:`PapersError` into a one-line message on stderr and exit
code 2; a page turns it into ``st.error``.  Nothing else catches them.
"""

from __future__ import annotations


class PapersError(Exception):
    """Base class: a problem the user can act on, with a one-line message."""


class InputError(PapersError):
    """An input file cannot be read at all (unknown format, not UTF-8, bad XML...)."""


class StoreError(PapersError):
    """The on-disk store cannot be read or written."""
