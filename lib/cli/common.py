"""What every verb of the command line shares: the parser class and the shared options
(``--data``, ``--src``, ``--from``/``--to``, days, years), ``--src`` resolved against the
store, bytes on standard output, the progress line on stderr, and the one place where an
error becomes a message and an exit code (:func:`run`)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import logging.handlers
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn, TypeAlias, cast

from lib.errors import PapersError, debugging, log
from lib.store.store import Store, read_only
from lib.text import strip_controls

if TYPE_CHECKING:
    from lib.dataset import Dataset
    from lib.library import Library

EXIT_BAD_INPUT = 2

Command = Callable[[argparse.Namespace, IO[str], IO[str]], int]
"""A verb: ``command(args, out, err) -> exit code``; it raises PapersError for bad input."""


# --- parsing ------------------------------------------------------------------------
class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's own errors: one line, code 2
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message}\n")


Commands: TypeAlias = "argparse._SubParsersAction[Parser]"
"""Where a verb module adds its sub-parsers (``add_command``)."""


def data_option() -> Parser:
    """The parent parser of every verb that reads or writes a store: ``--data DIR``."""
    data = Parser(add_help=False)
    data.add_argument("--data", metavar="DIR", help="data directory (default: $PAPERS_DATA, else data/ in the project)")
    return data


def add_command(commands: Commands, name: str, command: Command, help: str, data: Parser | None) -> Parser:
    """A verb's sub-parser, which runs ``command``."""
    parser = commands.add_parser(name, parents=[data] if data else [], help=help)
    parser.set_defaults(command_function=command)
    return parser


def day(text: str) -> dt.date:
    """A day typed YYYY-MM-DD, of a year from 1000 to 9998: date arithmetic (a window before it, a
    day after it) never leaves what a date can hold."""
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day (YYYY-MM-DD): {text!r}") from None
    if not 1000 <= value.year <= 9998:
        raise argparse.ArgumentTypeError(f"not a day of a year from 1000 to 9998: {text!r}")
    return value


def year(text: str) -> int:
    if not text.isdigit() or not 1991 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"not a year between 1991 and 2100: {text!r}")
    return int(text)


def add_days(
    parser: argparse.ArgumentParser, first: str = "first day (YYYY-MM-DD)", last: str = "last day (YYYY-MM-DD)"
) -> None:
    """``--from D`` and ``--to D`` (``args.date_from``, ``args.date_to``)."""
    parser.add_argument("--from", dest="date_from", type=day, metavar="D", help=first)
    parser.add_argument("--to", dest="date_to", type=day, metavar="D", help=last)


def add_source(parser: argparse.ArgumentParser, help: str) -> None:
    """``--src SRC`` (default ``all``), resolved by :func:`source` once the store is loaded."""
    parser.add_argument("--src", default="all", metavar="SRC", help=help)


def source(ds: Dataset, src: str) -> str:
    """``--src`` as the store holds it (``hf``, ``arxiv``, ``file:NAME`` or ``all``), else a
    usage error naming the sources it holds."""
    from lib.source_keys import ALL
    from lib.urlstate import source as parse_source

    try:
        wanted: str | None = parse_source(src)  # the URL key's grammar: hf, HF and " hf " are one source
    except ValueError:
        wanted = None
    if wanted is not None and (wanted == ALL or wanted in ds.sources):
        return wanted
    held = ", ".join(f"{key} ({count:,})" for key, count in ds.sources.items())
    raise PapersError(f"--src {src}: this store holds no such papers; its sources: {held} (or all)")


# --- output -------------------------------------------------------------------------
class TerminalText:
    """A text stream that writes no control character but newline and tab: whatever paper text,
    name or message a verb writes (:func:`run` wraps stdout and stderr), no escape sequence, NUL
    or carriage return reaches the terminal.  Bytes (:func:`write_stdout_bytes`) and the progress
    line's own escapes (:class:`ProgressLine` writes to ``raw``) go around it."""

    def __init__(self, raw: IO[str]) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        return self.raw.write(strip_controls(text).translate(_NOT_ON_A_LINE))

    def __getattr__(self, name: str) -> object:  # flush, isatty, fileno, encoding ...: the stream's own
        return getattr(self.raw, name)


_NOT_ON_A_LINE = str.maketrans("", "", "\r\v\f")  # the whitespace controls strip_controls keeps, but \n and \t


def _clean(text: str) -> str:
    """Text for one line of the terminal: what :class:`TerminalText` writes, and no line break."""
    return " ".join(strip_controls(text).split())


def write_stdout_bytes(out: IO[str], data: bytes) -> None:
    """Bytes on standard output, after whatever text ``out`` holds."""
    out.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


# --- loading with progress -----------------------------------------------------------
def term_library(store: Store, err: IO[str]) -> Library:
    """The store's Library (lib.library), its term index loaded (or built now, with progress)."""
    from lib.library import Library

    library = Library.open(store)
    _load_term_index(library, err)
    return library


def topic_library(store: Store, k: int, err: IO[str]) -> Library:
    """The store's Library with what its topic model of k topics (0: automatic) needs: nothing
    more when the model is saved (it loads without the term index), else the term index, loaded
    (or built now, with progress) for the fit."""
    from lib.library import Library

    library = Library.open(store)
    if not library.has_topic_model(k or library.auto_k()):
        _load_term_index(library, err)
    return library


def _load_term_index(library: Library, err: IO[str]) -> None:
    progress = ProgressLine(err)
    try:
        library.load_term_index(progress.share)
    finally:
        progress.done()


def _progress_seconds() -> float:
    """Seconds between heartbeat lines: $PAPERS_PROGRESS_SECONDS, else (or if it is not a
    positive number) 10."""
    try:
        seconds = float(os.environ.get("PAPERS_PROGRESS_SECONDS", "10"))
    except ValueError:
        return 10.0
    return seconds if 0 < seconds < float("inf") else 10.0


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


class ProgressLine:
    """Progress of a long step on stderr.

    On a terminal: one live line, rewritten in place at each callback.  Otherwise (cron, CI
    logs): a heartbeat line every $PAPERS_PROGRESS_SECONDS (default 10) with the latest step,
    its value and how long the step has run, and a line at once whenever the step's name
    changes -- for a build step (``begin``) from its start, for the others once they have run
    that long, so that a quick command on a small table keeps stderr for its one-line error or
    warnings.  The heartbeat comes from a daemon thread because some steps call back nothing
    for minutes (a topic fit at 1M papers), and a log that stays silent that long reads as a hung job.
    ``done()`` ends the step: the thread stops and writes nothing more for it.  The object can
    be reused for the next step; ``task`` names the command's step in front of lib's own names.
    """

    def __init__(self, stream: IO[str], task: str = "") -> None:
        stream = getattr(stream, "raw", stream)  # under TerminalText: its own \r and escapes pass
        self.stream, self.tty, self.every, self.task = stream, stream.isatty(), _progress_seconds(), task
        self.lock = threading.Lock()  # the caller's thread and the heartbeat write in turn
        self.name, self.value, self.started, self.last, self.loud = "", "", 0.0, 0.0, False
        self.stop: threading.Event | None = None  # set: the heartbeat thread of the current step ends

    def begin(self, task: str) -> None:
        """A step that starts now: timed (and, in a log, beating) before its first callback."""
        with self.lock:
            self.task, self.loud = task, True
            self._start()

    def __call__(self, name: str, count: float, unit: str = "papers read") -> None:
        """A lib.progress.Progress callback that reports a count (the importer's papers read)."""
        self._update(name, f"{int(count):,}%" if unit == "%" else f"{int(count):,} {unit}")

    def share(self, step: str, share: float) -> None:
        """A lib.progress.Progress callback that reports a share done, shown as a percentage and,
        once the step has run a few seconds, the time it has left at its pace so far."""
        elapsed = time.monotonic() - self.started if self.started else 0.0
        left = f" · about {_duration(elapsed * (1 - share) / share)} left" if 0.01 <= share < 1 and elapsed >= 5 else ""
        self._update(step, f"{int(share * 100)}%{left}")

    def note(self, message: str, share: float = 0.0) -> None:
        """A lib.progress.Progress callback shown as a line of its own, on a terminal and in a log
        alike, the share aside (fetch: a line per day fetched)."""
        with self.lock:
            self._start()
            self.name, self.value = message, ""
            self.stream.write(f"  {_clean(message)}\n")
            self.stream.flush()

    def done(self) -> None:
        with self.lock:
            if self.stop:
                self.stop.set()
                self.stop = None
            if self.tty and self.last:
                self.stream.write("\r\033[K")
                self.stream.flush()
            self.name, self.value, self.started, self.last, self.loud = "", "", 0.0, 0.0, False

    def _update(self, name: str, value: str) -> None:
        with self.lock:
            self._start()
            changed, self.name, self.value = name != self.name, name, value
            now = time.monotonic()
            if self.tty and now - self.last > 0.2:
                self.stream.write(f"\r  {self._label()}: {value}")
                self.stream.flush()
                self.last = now
            elif not self.tty and changed and self.loud:
                self._line()

    def _start(self) -> None:
        """(Under the lock.)  Times a step from its first call; in a log, starts its heartbeat."""
        if self.started:
            return
        self.started = time.monotonic()
        if not self.tty:
            self.stop = threading.Event()
            threading.Thread(target=self._beat, args=(self.stop,), name="progress heartbeat", daemon=True).start()

    def _beat(self, stop: threading.Event) -> None:
        while not stop.wait(self.every):
            with self.lock:
                if not stop.is_set():  # done() may have come while this thread waited for the lock
                    self._line()
                    self.loud = True

    def _label(self) -> str:
        if self.task and self.name.startswith(self.task.split(" (")[0]):  # "term index: papers ..." once
            return _clean(self.name)
        return _clean(": ".join(part for part in (self.task, self.name) if part))

    def _line(self) -> None:
        value = f": {self.value}" if self.value else ""
        self.stream.write(f"  {self._label() or 'working'}{value} · {_duration(time.monotonic() - self.started)}\n")
        self.stream.flush()


# --- errors -------------------------------------------------------------------------
LOG_FILE_BYTES = 1_000_000  # DIR/papers.log, then one older file DIR/papers.log.1


class _LogFile(logging.handlers.RotatingFileHandler):
    """``DIR/papers.log``: opened at the first record; a log that cannot be written never fails
    the command nor writes on its stderr."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass

    def close(self) -> None:
        with contextlib.suppress(OSError):  # a full disk: the last flush fails too
            super().close()


@contextlib.contextmanager
def logging_to(args: argparse.Namespace, err: IO[str]) -> Iterator[None]:
    """For one command: lib's log (:data:`lib.errors.log`) goes to ``DIR/papers.log`` (warnings
    and errors, with their tracebacks; not for a read-only store) and, under ``PAPERS_DEBUG=1``,
    to ``err`` too (every record), so that nothing lib logs is lost and stderr keeps its one-line
    messages by default."""
    handlers: list[logging.Handler] = [logging.NullHandler()]  # never Python's last resort on stderr
    if not read_only():
        try:
            path: Path | None = Store(getattr(args, "data", None)).log_path
        except (OSError, RuntimeError):  # a --data that names no directory: the command will say so
            path = None
        if path is not None:
            log_file = _LogFile(path, maxBytes=LOG_FILE_BYTES, backupCount=1, encoding="utf-8", delay=True)
            log_file.setLevel(logging.WARNING)
            log_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [pid %(process)d] %(message)s"))
            handlers.append(log_file)
    level = log.level
    if debugging():
        to_err = logging.StreamHandler(err)
        to_err.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handlers.append(to_err)
        log.setLevel(logging.DEBUG)
    for handler in handlers:
        log.addHandler(handler)
    try:
        yield
    finally:
        for handler in handlers:
            log.removeHandler(handler)
            handler.close()
        log.setLevel(level)


PATH_ARGUMENTS = frozenset({"data", "out", "paths", "like_file"})
"""The arguments that name files: any bytes the file system allows.  Every other is text."""


def check_text_arguments(args: argparse.Namespace) -> None:
    """Bad input at the edge: an argument other than a path that holds bytes that are not UTF-8
    (decoded by Python as lone surrogates) is refused in one line, before a database, a header or
    a URL meets it."""
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        for text in values:
            if name not in PATH_ARGUMENTS and isinstance(text, str) and not _encodable(text):
                raise PapersError(f"{name.replace('_', '-')} {_typed(text)}: not UTF-8 text (another encoding?)")


def one_line_name(name: str) -> bool:
    """A name (a view's, a collection's) fit to be shown anywhere: one line, no control character."""
    return name == strip_controls(name) and not any(c in name for c in "\n\r\v\f")


def _typed(text: str) -> str:
    """The bytes typed, as Python writes bytes: ``b'caf\\xe9'``."""
    try:
        return repr(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:
        return ascii(text)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def run(command: Command, args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Runs a verb; every error becomes one line on stderr and an exit code.  An unexpected
    error (a bug) is logged with its traceback (lib.errors.log: DIR/papers.log, and stderr under
    PAPERS_DEBUG=1); an expected one (bad input, the disk) shows its traceback only under
    PAPERS_DEBUG=1.  What the verb writes goes through :class:`TerminalText`."""
    out, err = cast(IO[str], TerminalText(out)), cast(IO[str], TerminalText(err))
    with logging_to(args, err):
        try:
            check_text_arguments(args)
            return command(args, out, err)
        except PapersError as exc:
            log.debug("the command stopped on bad input", exc_info=True)
            err.write(f"error: {' '.join(str(exc).split())}\n")  # one line, whatever the message holds
            return EXIT_BAD_INPUT
        except KeyboardInterrupt:
            err.write("interrupted: the store is unchanged unless the import had finished writing\n")
            return 130
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except OSError as exc:
            log.debug("the command stopped on a system error", exc_info=True)
            err.write(f"error: {exc.strerror or exc}{': ' + str(exc.filename) if exc.filename else ''}\n")
            return EXIT_BAD_INPUT
        except MemoryError:
            err.write("error: out of memory\n")
            return 1
        except Exception as exc:  # the last resort: a bug, logged with its traceback
            log.exception("internal error in: python -m lib %s", " ".join(_argv_words(args)))
            err.write(f"internal error: {type(exc).__name__}: {str(exc)[:200]} (please report it)\n")
            return 1


def _argv_words(args: argparse.Namespace) -> list[str]:
    """The command's verb (and fetch's source), for the log: never its paths or queries."""
    return [str(word) for word in (args.command, getattr(args, "source", None)) if word]
