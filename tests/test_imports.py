"""The layers, checked in fresh interpreters: lib/ never imports streamlit, and the URL grammar
and the query parser (read by the CLI, the pages and the digests before any data is loaded)
import neither pandas nor numpy."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest
from conftest import ROOT

import lib


def lib_modules() -> list[str]:
    """Every module under lib/, found by walking the package (a new module is covered); not
    lib.__main__, which runs the CLI when imported."""
    return sorted(m.name for m in pkgutil.walk_packages(lib.__path__, "lib.") if not m.name.endswith("__main__"))


def imported_after(*modules: str) -> set[str]:
    """The top-level packages loaded by importing ``modules`` in a fresh interpreter."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_walk_finds_every_layer():
    found = lib_modules()
    for module in ("lib.urlstate", "lib.search.query", "lib.store.store", "lib.cli", "lib.library", "lib.team.views"):
        assert module in found, found
    assert len(found) >= 30, found


def test_no_lib_module_imports_streamlit():
    loaded = imported_after(*lib_modules())
    assert "lib" in loaded and "pandas" in loaded  # the walk imported the heavy modules too
    assert "streamlit" not in loaded, "a module under lib/ imports streamlit: pages/ draw, lib/ computes"


@pytest.mark.parametrize("module", ["lib.urlstate", "lib.search.query"])
def test_the_url_grammar_and_the_query_parser_import_neither_pandas_nor_numpy(module):
    loaded = imported_after(module)
    assert "lib" in loaded
    heavy = loaded & {"pandas", "numpy", "pyarrow", "streamlit"}
    assert not heavy, f"importing {module} loads {sorted(heavy)}"
