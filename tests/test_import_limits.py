"""Parsing is bounded (issue 25, point 13b): a decompression bomb stops with a clear InputError
naming the cap and how to raise it, in little time and memory, never decompressed whole.

The bombs are real gzip files, made here from one compressed block repeated: 2 GiB of newlines or
spaces in about 2 MB.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import resource
import struct
import time
import zlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lib.errors import InputError
from lib.store.formats.base import GB, Limits, upload_limits
from lib.store.importer import read_file
from lib.store.store import InputFile

TODAY = dt.date(2026, 11, 27)
MB = 1 << 20


def _block(data: bytes) -> bytes:
    """Raw deflate of ``data`` on its own (fully flushed): copies of it can follow each other."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def gzip_bomb(head: bytes, filler: bytes, total: int) -> bytes:
    """A gzip file of ``head`` then ``total`` bytes of ``filler`` (its CRC left wrong: no reader
    that stops in time ever checks it)."""
    chunk = filler * (MB // len(filler))
    body = _block(head) + _block(chunk) * (total // len(chunk)) + b"\x03\x00"  # the last, empty block
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + body + struct.pack("<II", 0, 0)


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def refused(name: str, data: bytes, *, upload: bool) -> tuple[str, float, int]:
    """The InputError's message, the CPU seconds it took and how much the process's peak memory grew."""
    before, start = peak_rss(), time.process_time()
    with pytest.raises(InputError) as caught:
        if upload:
            with upload_limits():
                read_file(InputFile.from_bytes(name, data), today=TODAY)
        else:
            read_file(InputFile.from_bytes(name, data), today=TODAY)
    return str(caught.value), time.process_time() - start, peak_rss() - before


def test_the_bomb_is_a_real_gzip_of_what_it_says():
    bomb = gzip_bomb(b"Aug 12, 2025\n", b"\n", 2 * GB)
    assert len(bomb) < 3 * MB
    with gzip.GzipFile(fileobj=io.BytesIO(bomb)) as stream:
        assert stream.read(20 * MB) == b"Aug 12, 2025\n" + b"\n" * (20 * MB - 13)


def test_an_uploaded_gzip_of_empty_lines_stops_at_the_line_cap():
    """A gzip of empty lines kept a core at 100% for 15 minutes after the browser left."""
    message, seconds, grown = refused("page.txt.gz", gzip_bomb(b"Aug 12, 2025\n", b"\n", 2 * GB), upload=True)
    lines = Limits.upload().lines
    assert message == (
        f"page.txt.gz: more than {lines:,} lines (the upload limit: import it with python -m lib import, "
        "or set PAPERS_UPLOAD_MAX_BYTES)"
    )
    assert seconds < 20 and grown < 200 * MB


@pytest.mark.parametrize(
    "name, head, filler, cap",
    [
        ("big.json.gz", b"[", b" ", "64 MiB"),  # read whole: a quarter of the upload's 256 MiB
        ("big.jsonl.gz", b'{"title": "', b"x", "256 MiB"),  # one endless line, streamed
        ("big.xml.gz", b"<feed><title>", b"x", "64 MiB"),
        ("big.csv.gz", b"title,date\nA,", b"x", "256 MiB"),
    ],
)
def test_an_uploaded_gzip_bomb_stops_at_the_byte_cap(name, head, filler, cap):
    """A 4.7 MB gzip upload took the server from 195 MB to 2,976 MB."""
    message, seconds, grown = refused(name, gzip_bomb(head, filler, 2 * GB), upload=True)
    assert message == (
        f"{name}: more than {cap} once decompressed (the upload limit: import it with python -m lib import, "
        "or set PAPERS_UPLOAD_MAX_BYTES)"
    )
    assert seconds < 30 and grown < 600 * MB


def test_the_command_line_cap_is_set_by_its_variable(monkeypatch):
    monkeypatch.setenv("PAPERS_IMPORT_MAX_BYTES", "8M")
    message, _, _ = refused("big.jsonl.gz", gzip_bomb(b'{"title": "', b"x", 2 * GB), upload=False)
    assert message == "big.jsonl.gz: more than 8 MiB once decompressed (set PAPERS_IMPORT_MAX_BYTES to raise it)"
    monkeypatch.setenv("PAPERS_IMPORT_MAX_BYTES", "lots")
    message, _, _ = refused("a.jsonl", b'{"title": "A", "date": "2025-01-01"}\n', upload=False)
    assert message == "PAPERS_IMPORT_MAX_BYTES must be a size such as 8G or 256M, not 'lots'"


def test_the_default_caps():
    assert Limits.command_line().bytes == 8 * GB and Limits.command_line().seconds is None
    assert Limits.upload().bytes == GB // 4 and Limits.upload().seconds == 120
    assert (Limits.upload().lines, Limits.upload().records) == (4 * MB, 256 * 1024)


@pytest.mark.parametrize("line", [b'{"title": "A paper", "date": "2025-01-01"}\n', b"{}\n", b'{"title": ""}\n'])
def test_records_are_capped_good_or_rejected(monkeypatch, line):
    monkeypatch.setenv("PAPERS_UPLOAD_MAX_BYTES", "64K")  # 64 records
    message, _, _ = refused("many.jsonl", line * 100, upload=True)
    assert message.startswith("many.jsonl: more than 64 records (the upload limit")


def test_a_file_within_the_caps_is_read_whole(monkeypatch):
    monkeypatch.setenv("PAPERS_UPLOAD_MAX_BYTES", "64K")
    data = b"".join(json.dumps({"title": f"Paper {i}", "date": "2025-01-01"}).encode() + b"\n" for i in range(60))
    with upload_limits():
        table, report = read_file(InputFile.from_bytes("ok.jsonl", data), today=TODAY)
    assert table.num_rows == 60 and not report.rejected


def test_a_parquet_bomb_is_measured_before_its_values_are_copied(monkeypatch):
    """One 1 MB title repeated in 300 rows: a few kB of Parquet, 300 MB once in Python strings."""
    monkeypatch.setenv("PAPERS_UPLOAD_MAX_BYTES", "64M")
    titles = pa.DictionaryArray.from_arrays(pa.array([0] * 300, pa.int32()), pa.array(["x" * MB]))
    buffer = io.BytesIO()
    pq.write_table(pa.table({"title": titles, "date": ["2025-01-01"] * 300}), buffer, compression="zstd")
    assert len(buffer.getvalue()) < 100_000
    message, _, grown = refused("bomb.parquet", buffer.getvalue(), upload=True)
    assert message.startswith("bomb.parquet: more than 64 MiB once decompressed (the upload limit")
    assert grown < 200 * MB


def test_an_upload_has_a_time_limit(monkeypatch):
    monkeypatch.setattr("lib.store.formats.base.UPLOAD_SECONDS", 0.0)
    message, _, _ = refused("slow.jsonl", b'{"title": "A", "date": "2025-01-01"}\n' * 10, upload=True)
    assert message.startswith("slow.jsonl: more than 0 seconds of parsing (the upload limit")


def test_warnings_are_capped_too(monkeypatch):
    """A page of date lines without a year: a warning each, as many as the lines allow."""
    monkeypatch.setenv("PAPERS_UPLOAD_MAX_BYTES", "64K")
    message, _, _ = refused("dates.txt", b"Aug 12\n\n" * 100, upload=True)
    assert message.startswith("dates.txt: more than 64 warnings (the upload limit")
