"""Progress on stderr when it is not a terminal (cron, CI logs): a line when a step starts and a
heartbeat every $PAPERS_PROGRESS_SECONDS while it runs, even when lib calls back nothing; nothing
after ``done()``."""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from conftest import write_jsonl

from lib.cli.common import ProgressLine

ROOT = Path(__file__).resolve().parent.parent

TOPICS = [
    "sparse attention transformer language model tokens",
    "robot policy diffusion control manipulation",
    "retrieval augmented generation documents search",
    "graph neural network molecules chemistry",
    "speech recognition audio acoustic model",
]


def papers(n: int) -> list[dict]:
    """n papers over six days, each drawn from one of five small vocabularies."""
    rng = random.Random(7)
    records = []
    for i in range(n):
        words = TOPICS[i % len(TOPICS)].split()
        records.append(
            {
                "id": f"2502.{i + 1:05d}",
                "title": " ".join(rng.sample(words, 4)).title(),
                "abstract": " ".join(rng.choices(words, k=25)) + f" study {i}.",
                "authors": [f"Author {i % 9}"],
                "date": f"2025-02-{3 + i % 6:02d}",
                "upvotes": i % 13,
            }
        )
    return records


def test_heartbeat_lines_without_callbacks_and_none_after_done(monkeypatch):
    monkeypatch.setenv("PAPERS_PROGRESS_SECONDS", "0.1")
    err = io.StringIO()  # not a terminal
    progress = ProgressLine(err)
    progress.share("topics: fitting 5 topics", 0.42)
    time.sleep(0.55)  # the step calls back nothing (like the NMF fit)
    progress.done()
    written = err.getvalue()
    lines = written.splitlines()
    assert len(lines) >= 3, written  # a heartbeat every 0.1 s
    assert all(line.startswith("  topics: fitting 5 topics: 42% · ") and line.endswith(" s") for line in lines), written
    time.sleep(0.4)
    assert err.getvalue() == written  # done() stopped the heartbeat


def test_a_quick_step_is_silent_a_build_step_is_a_line_per_name(monkeypatch):
    monkeypatch.setenv("PAPERS_PROGRESS_SECONDS", "30")
    err = io.StringIO()
    progress = ProgressLine(err)
    progress("file.jsonl", 50_000)
    progress.share("term index: papers 1–60 of 60", 0.5)
    progress.done()
    assert err.getvalue() == ""  # shorter than one heartbeat: stderr stays for errors and warnings
    progress.begin("term index")
    progress.share("term index: papers 1–60 of 60", 0.0)
    progress.share("term index: papers 1–60 of 60", 0.5)  # the same name: no line until the heartbeat
    progress.share("term index: counting n-grams", 0.97)
    progress.begin("topic model (k=3)")
    progress.share("topics: fitting 3 topics", 0.15)
    progress.done()
    assert err.getvalue() == (
        "  term index: papers 1–60 of 60: 0% · 0 s\n"
        "  term index: counting n-grams: 97% · 0 s\n"
        "  topic model (k=3): topics: fitting 3 topics: 15% · 0 s\n"
    )


def test_after_a_heartbeat_a_new_name_is_a_line_and_a_bad_setting_means_10_s(monkeypatch):
    monkeypatch.setenv("PAPERS_PROGRESS_SECONDS", "0.1")
    err = io.StringIO()
    progress = ProgressLine(err)
    progress("a.jsonl", 50_000)
    time.sleep(0.5)  # a heartbeat: from now on a new name is a line at once
    progress("b.jsonl", 10_000)
    progress.done()
    assert "  a.jsonl: 50,000 papers read · 0 s\n" in err.getvalue()
    assert "  b.jsonl: 10,000 papers read · 0 s\n" in err.getvalue()
    for bad in ("not a number", "0", "-1", "nan", "inf"):
        monkeypatch.setenv("PAPERS_PROGRESS_SECONDS", bad)
        assert ProgressLine(err).every == 10


def test_build_under_cron_names_each_step_on_stderr(tmp_path):
    data = tmp_path / "data"
    source = write_jsonl(tmp_path / "papers.jsonl", papers(60))
    env = {**os.environ, "PAPERS_PROGRESS_SECONDS": "0.05"}
    env.pop("PAPERS_DATA", None)

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "lib", *argv, "--data", str(data)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    imported = run("import", str(source))
    assert imported.returncode == 0, imported.stderr
    built = run("build")
    assert built.returncode == 0, built.stderr
    lines = built.stderr.splitlines()
    for step in ("search index", "term index", "topic model"):
        assert any(line.startswith(f"  {step}") and " · " in line for line in lines), built.stderr
    assert "Traceback" not in built.stderr
    assert "every artifact on disk" in built.stdout
