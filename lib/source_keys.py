"""The names of the sources of papers: pure, so the URL grammar can read them without pandas.

A paper's ``sources`` (lib.store.schema) are ``hf`` (the Hugging Face daily list), ``arxiv``
and ``file:NAME`` (any other table); a page counts one population, the URL key ``src``: one
of those, or ``all`` (every paper).  What each population counts and dates its papers by is
lib.sources; what people call each source is lib.store.schema.source_name.
"""

from __future__ import annotations

HF, ARXIV, FILE = "hf", "arxiv", "file:"
ALL = "all"
MAX_FILE_NAME = 80  # characters after ``file:`` (lib.store.schema.file_source cuts a file's name there)


def is_source(key: str) -> bool:
    """A value of the URL key ``src`` that names a source (whether or not the table holds it)."""
    return key in (ALL, HF, ARXIV) or (key.startswith(FILE) and 0 < len(key) - len(FILE) <= MAX_FILE_NAME)
