"""The README is part of the product: its commands, URL keys and CLI must match the code."""

import re

from conftest import ROOT

from lib.cli import build_parser
from lib.store.formats import FORMATS
from lib.urlstate import PAGES

README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced_commands():
    return re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)


def test_the_two_commands_come_first():
    first, second = fenced_commands()[:2]
    assert "streamlit run dashboard.py" in first and "requirements.txt" in first
    assert "pytest" in second and "requirements-dev.txt" in second
    assert README.index(first) < README.index("## Pages")


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert fenced_commands()[1] in ci


def test_every_url_key_is_documented():
    for spec in PAGES.values():
        for key in spec.keys:
            assert re.search(rf"\| `/{spec.path}` \| `{key}` \|", README), (spec.path, key)
        assert f"`/{spec.path}`" in README


def test_every_cli_command_and_option_is_documented():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in commands.items():
        assert f"python -m lib {name}" in README
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag in README, (name, flag)


def test_every_format_is_documented():
    for name in FORMATS:
        assert f"`{name}`" in README
