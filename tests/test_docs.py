"""The docs are part of the product: their commands, URL keys, CLI, links and layout must match the code.

README.md is what a newcomer reads; docs/usage.md, docs/operations.md, docs/architecture.md and
docs/methods.md hold the rest, and bench/README.md the benchmarks.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import ROOT

from lib.cli import build_parser
from lib.search.query import SYNTAX_MARKDOWN
from lib.store.formats import FORMATS
from lib.urlstate import PAGES

DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
USAGE = (DOCS / "usage.md").read_text(encoding="utf-8")
OPERATIONS = (DOCS / "operations.md").read_text(encoding="utf-8")
ARCHITECTURE = (DOCS / "architecture.md").read_text(encoding="utf-8")
MARKDOWN = [ROOT / "README.md", *sorted(DOCS.glob("*.md")), ROOT / "bench" / "README.md"]


def fenced_commands() -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)


# --- the README: two commands first, the test command CI runs -----------------------------------
def test_the_two_commands_come_first():
    first, second = fenced_commands()[:2]
    assert "streamlit run dashboard.py" in first and "requirements.txt" in first
    assert "pytest" in second and "requirements-dev.txt" in second
    assert README.index(first) < README.index("## Pages")


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line.removesuffix(" || status=$?") for line in ci if "pip install" in line and "pytest" in line]
    assert commands == [fenced_commands()[1]]


def test_the_readme_links_every_doc():
    for path in [*sorted(DOCS.glob("*.md")), ROOT / "bench" / "README.md"]:
        assert f"]({path.relative_to(ROOT)})" in README, path


# --- docs/usage.md: URL keys, query syntax, CLI, formats -----------------------------------------
def test_every_url_key_is_documented():
    for spec in PAGES.values():
        for key in spec.keys:
            assert re.search(rf"^\| `/{spec.path}` \| `{key}` \|", USAGE, flags=re.M), (spec.path, key)
        assert f"`/{spec.path}" in USAGE, spec.path


def test_the_query_syntax_is_written_once():
    """lib.search.query.SYNTAX_MARKDOWN is the one text: docs/usage.md holds it verbatim (copy it
    there when it changes), the Search page shows it, and no other file repeats its table."""
    assert SYNTAX_MARKDOWN.strip() in USAGE
    assert "SYNTAX_MARKDOWN" in (ROOT / "pages" / "search.py").read_text(encoding="utf-8")
    header = SYNTAX_MARKDOWN.splitlines()[0]
    for path in [*MARKDOWN, *(ROOT / "pages").glob("*.py"), *(ROOT / "lib").rglob("*.py")]:
        copies = path.read_text(encoding="utf-8").count(header)
        assert copies == (1 if path.name in ("usage.md", "query.py") else 0), path


def _commands(parser: argparse.ArgumentParser, prefix: str) -> dict[str, argparse.ArgumentParser]:
    """Every command line of the parser (``python -m lib fetch hf`` …) and its parser."""
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[f"{prefix} {name}"] = sub
                found |= _commands(sub, f"{prefix} {name}")
    return found


def test_every_cli_command_and_option_is_documented():
    commands = _commands(build_parser(), "python -m lib")
    assert len(commands) >= 13
    for command, parser in commands.items():
        assert command in USAGE, command
        for action in parser._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag in USAGE, (command, flag)


def test_every_format_is_documented():
    formats = USAGE[USAGE.index("## Data formats") :]
    for name in FORMATS:
        assert re.search(rf"^\| [^|]*`{name}`[^|]* \|", formats, flags=re.M), name


# --- docs/operations.md: every setting the code reads ---------------------------------------------
def test_every_environment_variable_is_documented():
    sources = [*(ROOT / "lib").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "dashboard.py"]
    names = {name for path in sources for name in re.findall(r"PAPERS_[A-Z_]+", path.read_text(encoding="utf-8"))}
    assert "PAPERS_DATA" in names
    for name in sorted(names):
        assert f"`{name}`" in OPERATIONS, name


# --- docs/architecture.md: the layout it describes exists --------------------------------------
def test_every_lib_path_named_in_the_architecture_exists():
    named = set(re.findall(r"`(lib/[\w/.]*)`", ARCHITECTURE))
    assert len(named) >= 15
    for path in sorted(named):
        assert (ROOT / path).exists(), path


def test_every_lib_package_and_module_is_in_the_architecture():
    lib = ROOT / "lib"
    packages = [p for p in lib.iterdir() if (p / "__init__.py").is_file()]
    modules = [p for p in lib.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    for path in [*packages, *modules]:
        name = f"lib/{path.name}/" if path.is_dir() else f"lib/{path.name}"
        assert f"`{name}`" in ARCHITECTURE, name
    for verb in (lib / "cli").glob("*.py"):
        if verb.name != "__init__.py":
            assert f"`{verb.name}`" in ARCHITECTURE, verb


# --- every relative link resolves --------------------------------------------------------------
def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = unicodedata.normalize("NFKC", heading.strip()).lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {_anchor(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


@pytest.mark.parametrize("doc", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc: Path):
    text = re.sub(r"```.*?```", "", doc.read_text(encoding="utf-8"), flags=re.S)
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links or (doc.name == "README.md" and doc.parent.name == "bench")
    for link in links:
        if re.match(r"[a-z]+:", link):  # http(s):, mailto:
            continue
        target, _, anchor = link.partition("#")
        path = (doc.parent / target).resolve() if target else doc
        assert path.exists(), (doc.name, link)
        if anchor:
            assert anchor in _anchors(path), (doc.name, link)
