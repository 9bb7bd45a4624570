"""Bad input on the command line is one line on stderr and exit code 2, never "internal error"
(which stays for bugs: tests/test_debug.py); and no control character the CLI writes reaches
the terminal, whatever the paper text, the saved names or the input echoed in a message hold."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from lib.cli import main
from lib.team.db import ANONYMOUS, TeamDB

BAD_BYTES = b"\xff\xfeview".decode("utf-8", "surrogateescape")  # Latin-1 bytes typed in a UTF-8 shell
CONTROLS = ("\x00", "\x07", "\x1b", "\x9b", "\r")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def one_line(text: str) -> bool:
    return text.endswith("\n") and "\n" not in text[:-1] and text.startswith("error: ")


@pytest.mark.parametrize(
    "argv",
    [
        ["views", "add", BAD_BYTES, "/search?q=agents"],
        ["views", "add", "agents", f"/search?q={BAD_BYTES}"],
        ["views", "remove", BAD_BYTES],
        ["collection", "add", BAD_BYTES, "2501.00001"],
        ["collection", "show", BAD_BYTES],
        ["collection", "add", "reading", "2501.00001", "--by", BAD_BYTES],
        ["recommend", BAD_BYTES],
        ["digest", "--collection", BAD_BYTES],
        ["topics", "--paper", BAD_BYTES],
        ["search", BAD_BYTES],
        ["fetch", "hf", "--from", "2025-01-01", "--base-url", f"http://127.0.0.1:9/{BAD_BYTES}"],
    ],
    ids=lambda argv: " ".join(argv[:2]) if isinstance(argv, list) else argv,
)
def test_bytes_that_are_not_utf8_in_a_text_argument_are_one_line_and_exit_2(three_day_store, argv):
    code, out, err = run(*argv)
    assert code == 2 and out == "" and one_line(err), err
    assert "not UTF-8 text" in err and "\\xff\\xfe" in err  # the bytes, as typed


def test_bytes_that_are_not_utf8_in_a_path_are_a_path(three_day_store, tmp_path):
    target = tmp_path / b"caf\xe9.csv".decode("utf-8", "surrogateescape")  # a Latin-1 file name
    code, _, err = run("export", "--format", "csv", "--out", str(target))
    assert code == 0, err
    assert os.path.exists(os.fsencode(target)) and os.fsencode(target).endswith(b"caf\xe9.csv")


def test_bad_bytes_from_a_real_shell_are_one_line_and_exit_2(three_day_store):
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"lib", b"views", b"add", b"\xff\xfe", b"/search?q=x"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr == b"error: name b'\\xff\\xfe': not UTF-8 text (another encoding?)\n"


@pytest.mark.parametrize(
    "option, value", [("--recent", "999999999"), ("--baseline", "999999999"), ("--recent", "3651"), ("--top", "0")]
)
def test_emerging_windows_out_of_range_are_one_line_and_exit_2(three_day_store, option, value):
    code, out, err = run("emerging", option, value)
    assert code == 2 and out == "" and one_line(err)
    assert err == "error: --recent and --baseline must be from 1 to 3650 days, --top positive\n"


def test_emerging_at_the_widest_windows_answers(three_day_store):
    code, _, err = run("emerging", "--recent", "3650", "--baseline", "3650")
    assert code == 0, err


@pytest.mark.parametrize("verb", ["views", "collection"])
@pytest.mark.parametrize("name", ["agents\x1b[31m", "agents\x00", "agents\rsaved", "agents\nnext"])
def test_a_name_with_control_characters_is_refused_in_one_line(three_day_store, verb, name):
    argv = ["views", "add", name, "/search?q=agents"] if verb == "views" else ["collection", "add", name, "2501.00001"]
    code, out, err = run(*argv)
    assert code == 2 and out == "" and one_line(err) and "without control characters" in err
    assert not any(c in err for c in CONTROLS)


def test_saved_names_and_links_reach_the_terminal_without_control_characters(three_day_store):
    # written by another client of the team database (an older version, a script): shown clean
    TeamDB.open(three_day_store).save_view("\x1b]0;owned\x07evil\x1b[2J view\x9b31m", "/search?q=agents", ANONYMOUS)
    code, out, err = run("views", "list")
    assert code == 0, err
    assert out == "evil view\t/search?q=agents\n"


def test_input_echoed_in_an_error_reaches_the_terminal_without_control_characters(three_day_store):
    code, out, err = run("search", "agents", "--src", "\x1b[2J\x1b[31mred\x07")
    assert code == 2 and out == "" and one_line(err)
    assert err.startswith("error: --src red: this store holds no such papers")


def test_paper_text_reaches_the_terminal_without_control_characters(three_day_store):
    from conftest import write_jsonl

    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    # whatever the import keeps of it, the search results print none of it
    record = {"id": "2501.00009", "title": "Agents\x1b[2J\x1b]0;t\x07 \x00Wipe\x9b31m", "date": "2025-01-09"}
    source = write_jsonl(three_day_store.parent / "hostile.jsonl", [record])
    import_files(Store(three_day_store), input_files([str(source)], (".jsonl",)))
    code, out, err = run("search", "wipe", "--mode", "lexical")
    assert code == 0, err
    assert "2501.00009" in out and not any(c in out + err for c in CONTROLS)


@pytest.mark.parametrize(
    "argv",
    [
        ["trending", "--to", "0001-01-01"],
        ["search", "agents", "--from", "0001-01-01"],
        ["trend", "agents", "--to", "9999-12-31"],
        ["fetch", "hf", "--from", "0999-12-31"],
    ],
)
def test_a_day_whose_window_leaves_the_calendar_is_one_line_and_exit_2(three_day_store, argv, capsys):
    with pytest.raises(SystemExit) as exited:
        run(*argv)
    err = capsys.readouterr().err
    assert exited.value.code == 2 and err.count("\n") == 1 and "not a day of a year from 1000 to 9998" in err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_keeps_its_own_escapes_and_drops_those_of_the_names_it_shows():
    from lib.cli.common import ProgressLine, TerminalText

    screen = Terminal()
    progress = ProgressLine(TerminalText(screen))  # as a verb gets it from run()
    progress("evil\x1b]0;owned\x07\x1b[2J.jsonl", 1_000)
    progress.note("Hugging Face \x1b[31m2025-09-08\x00: 3 papers")
    progress.done()
    written = screen.getvalue()
    assert "\r  evil.jsonl: 1,000 papers read" in written and "  Hugging Face 2025-09-08: 3 papers\n" in written
    assert written.endswith("\r\x1b[K")  # its own: the live line erased
    assert "\x1b]" not in written and "\x1b[31m" not in written and "\x1b[2J" not in written and "\x00" not in written
