"""Browsing while another process imports: every page sees one whole table version."""

import subprocess
import sys
import time

from conftest import ROOT, write_jsonl


def batch(start, n, day):
    return [
        {
            "id": f"2504.{i:05d}",
            "title": f"Concurrent paper {i}",
            "abstract": "Words about agents.",
            "authors": ["C"],
            "date": day,
        }
        for i in range(start, start + n)
    ]


def test_pages_see_the_old_or_the_new_table_while_imports_run(app, empty_store, tmp_path):
    files = [write_jsonl(tmp_path / f"b{k}.jsonl", batch(k * 400, 400, f"2025-04-0{k + 1}")) for k in range(4)]
    # the first batch is there before browsing starts
    subprocess.run(
        [sys.executable, "-m", "lib", "import", str(files[0]), "--data", str(empty_store)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys\n"
            f"for f in {[str(f) for f in files[1:]]!r}:\n"
            f"    subprocess.run([sys.executable, '-m', 'lib', 'import', f, '--data', {str(empty_store)!r}], check=True)",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen = set()
    app.run()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            app.run()
            assert not app.exception
            papers = next(m.value for m in app.metric if m.label == "Papers")
            seen.add(int(papers.replace(",", "")))
            if writer.poll() is not None and 1600 in seen:
                break
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0
    assert seen <= {400, 800, 1200, 1600}, seen  # whole versions only, never a table half written
    assert 1600 in seen
