"""What every format parser shares: the parse context, the caps on one input (:class:`Limits`), and date parsing.

A parser is ``parse(stream, ctx) -> Iterator[tuple[str, RawRecord]]``: it reads a
binary stream (already gunzipped) and yields ``(where, raw_record)`` pairs, where
``where`` is "line 12" or "record 3" for messages.  Records use contract keys
(see :mod:`lib.store.schema`); validation is central, in :func:`lib.store.schema.make_record`.
A record the parser itself cannot understand is reported with ``ctx.reject``; a
file that cannot be read at all raises :class:`lib.errors.InputError`.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import io
import os
import re
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import IO, Any, TypeVar

from lib.errors import InputError
from lib.text import byte_size

RawRecord = dict[str, Any]  # a record as a parser yields it: contract keys, values not yet validated
_T = TypeVar("_T")


@dataclass
class Problem:
    """A rejected record or a warning, located in its file."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        where = f" {self.where}" if self.where else ""
        return f"{self.file}{where}: {self.message}"


# --- limits: what one input file may hold once decompressed -------------------------
GB = 1 << 30
IMPORT_BYTES = "PAPERS_IMPORT_MAX_BYTES"
UPLOAD_BYTES = "PAPERS_UPLOAD_MAX_BYTES"
DEFAULT_IMPORT_BYTES = 8 * GB
DEFAULT_UPLOAD_BYTES = GB // 4
UPLOAD_SECONDS = 120.0
# formats read whole into memory (JSON, XML, the Parquet file itself) get a quarter of the bytes
WHOLE_FORMATS = frozenset({"json", "hf_api", "arxiv_atom", "parquet"})


@dataclass(frozen=True)
class Limits:
    """Caps on one input file, once decompressed: its bytes (a quarter of them for a format read
    whole), its lines and its records (rejected ones too), and the seconds its parsing may take.
    Lines and records scale with the bytes: one line per 64 bytes, one record per KiB."""

    bytes: int
    seconds: float | None
    how_to_raise: str  # the end of the message when a cap is reached

    @property
    def lines(self) -> int:
        return self.bytes // 64

    @property
    def records(self) -> int:
        return self.bytes // 1024

    @classmethod
    def command_line(cls) -> Limits:
        """An import from the command line: ``PAPERS_IMPORT_MAX_BYTES`` (8 GiB), no time limit."""
        return cls(_env_bytes(IMPORT_BYTES, DEFAULT_IMPORT_BYTES), None, f"set {IMPORT_BYTES} to raise it")

    @classmethod
    def upload(cls) -> Limits:
        """A file uploaded to the Import page: ``PAPERS_UPLOAD_MAX_BYTES`` (256 MiB), two minutes."""
        return cls(
            _env_bytes(UPLOAD_BYTES, DEFAULT_UPLOAD_BYTES),
            UPLOAD_SECONDS,
            f"the upload limit: import it with python -m lib import, or set {UPLOAD_BYTES}",
        )


def _env_bytes(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return byte_size(text)
    except ValueError:
        raise InputError(f"{name} must be a size such as 8G or 256M, not {text[:40]!r}") from None


_UPLOADS: ContextVar[bool] = ContextVar("uploads", default=False)


@contextlib.contextmanager
def upload_limits() -> Iterator[None]:
    """Inputs parsed inside this block are uploads: :meth:`Limits.upload` caps them."""
    token = _UPLOADS.set(True)
    try:
        yield
    finally:
        _UPLOADS.reset(token)


def current_limits() -> Limits:
    return Limits.upload() if _UPLOADS.get() else Limits.command_line()


def human(size: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):,.4g} {unit}"
    return f"{size:,} bytes"


@dataclass
class ParseContext:
    """Options and findings of parsing one input file."""

    name: str  # what the user calls the file (a path or an upload's name)
    today: dt.date
    year: int | None = None  # --year: the year of dates written without one
    date: dt.date | None = None  # --date: the listing day of the whole file
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    limits: Limits = field(default_factory=current_limits)
    started: float = field(default_factory=time.monotonic)

    def too_much(self, what: str) -> InputError:
        """The error of a file past one of its :class:`Limits`."""
        return InputError(f"{self.name}: more than {what} ({self.limits.how_to_raise})")

    def check_time(self) -> None:
        seconds = self.limits.seconds
        if seconds is not None and time.monotonic() - self.started > seconds:
            raise self.too_much(f"{seconds:g} seconds of parsing")

    def reject(self, where: str, message: str) -> None:
        if len(self.rejected) >= self.limits.records:
            raise self.too_much(f"{self.limits.records:,} records")
        self.rejected.append(Problem(self.name, where, message))

    def warn(self, where: str, message: str) -> None:
        if len(self.warnings) >= self.limits.records:
            raise self.too_much(f"{self.limits.records:,} warnings")
        self.warnings.append(Problem(self.name, where, message))

    def listing_day(self) -> dt.date | None:
        """``--date``, else an ISO date in the file name (fetchers save ``YYYY-MM-DD.json``)."""
        return self.date or iso_date_in_name(self.name)


_ISO_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def iso_date_in_name(name: str) -> dt.date | None:
    """The last valid ISO date in a file name: ``hf/2025-09-08.json`` -> 2025-09-08."""
    base = re.split(r"[\\/]", name)[-1]
    for match in reversed(list(_ISO_IN_NAME.finditer(base))):
        try:
            return dt.date(*map(int, match.groups()))
        except ValueError:
            continue
    return None


_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}


def month_number(name: str) -> int | None:
    return _MONTHS.get(name.lower().rstrip("."))


def parse_day(value: object) -> dt.date | None:
    """A day from the spellings the formats use; None for empty, ValueError for nonsense.

    ISO dates and timestamps (``2025-09-08``, ``2025-09-08T02:44:20.973Z``), RFC 2822
    (``Mon, 2 Apr 2007 19:18:42 GMT``), ``Aug 12, 2025`` and ``12 Aug 2025``.
    Timestamps are taken as UTC days, as the upstream APIs write them.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise ValueError(f"not a valid day: {text[:40]!r}") from None
    words = re.findall(r"[A-Za-z]+|\d+", text)
    try:
        if "," in text and len(words) >= 4 and month_number(words[2] if words[0].isalpha() else ""):
            return parsedate_to_datetime(text).date()
        nums = [w for w in words if w.isdigit()]
        months = [month for w in words if w.isalpha() and (month := month_number(w))]
        if months and len(nums) >= 2:
            day, year = (int(nums[0]), int(nums[1])) if int(nums[0]) <= 31 else (int(nums[1]), int(nums[0]))
            return dt.date(year, months[0], day)
    except (ValueError, TypeError, IndexError, OverflowError):
        pass
    raise ValueError(f"not a valid day: {text[:40]!r}")


# --- decoding ------------------------------------------------------------------
def text_stream(stream: IO[bytes], name: str) -> IO[str]:
    """Decode a binary stream as text: UTF-8 (BOM optional) or UTF-16 with a BOM.

    Undecodable bytes raise :class:`InputError` when they are met, naming the file.
    Newlines are universal: CRLF and CR read as LF.
    """
    head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    return _StrictText(stream, name, encoding)


class _StrictText(io.TextIOWrapper):
    """A TextIOWrapper whose decoding errors become an InputError naming the file."""

    def __init__(self, stream: IO[bytes], name: str, encoding: str) -> None:
        super().__init__(stream, encoding=encoding, errors="strict", newline=None)
        self._name = name

    def _wrap(self, call: Callable[..., _T], *args: object) -> _T:
        try:
            return call(*args)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{self._name}: not {self.encoding.replace('-sig', '').upper()} text "
                f"(byte 0x{exc.object[exc.start]:02x} cannot be decoded); re-save it as UTF-8"
            ) from None

    def read(self, *args: int | None) -> str:
        return self._wrap(super().read, *args)

    # typeshed's _IOBase types these as bytes; TextIOWrapper's own stub overrides them the same way
    def readline(self, *args: int) -> str:  # type: ignore[override]
        return self._wrap(super().readline, *args)

    def __next__(self) -> str:  # type: ignore[override]
        return self._wrap(super().__next__)


def numbered_lines(text: IO[str], max_line: int) -> Iterator[tuple[int, str | None]]:
    """Lines with 1-based numbers; a line longer than ``max_line`` characters is
    read in pieces and reported as one over-long line, None (never held whole)."""
    number = 0
    while True:
        line = text.readline(max_line + 1)
        if not line:
            return
        number += 1
        if len(line) > max_line and not line.endswith("\n"):
            while True:  # skip the rest of the over-long line
                rest = text.readline(max_line + 1)
                if not rest or rest.endswith("\n"):
                    break
            yield number, None
            continue
        yield number, line


class _Capped(io.RawIOBase):
    """A stream that stops with an :class:`InputError` past the bytes, lines or time allowed."""

    def __init__(self, stream: IO[bytes], ctx: ParseContext, max_bytes: int) -> None:
        self._stream, self._ctx, self._max = stream, ctx, max_bytes
        self._bytes = self._lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        ctx = self._ctx
        view = memoryview(buffer).cast("B")
        data = self._stream.read(min(len(view), self._max + 1 - self._bytes))
        self._bytes += len(data)
        self._lines += data.count(b"\n")
        if self._bytes > self._max:
            raise ctx.too_much(f"{human(self._max)} once decompressed")
        if self._lines > ctx.limits.lines:
            raise ctx.too_much(f"{ctx.limits.lines:,} lines")
        ctx.check_time()
        view[: len(data)] = data
        return len(data)


def capped(stream: IO[bytes], ctx: ParseContext, fmt: str) -> io.BufferedReader:
    """``stream`` read within ``ctx.limits`` (a quarter of the bytes for a format read whole)."""
    max_bytes = ctx.limits.bytes // 4 if fmt in WHOLE_FORMATS else ctx.limits.bytes
    return io.BufferedReader(_Capped(stream, ctx, max_bytes), 64 * 1024)
