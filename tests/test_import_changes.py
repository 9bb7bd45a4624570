"""An import never changes a paper silently (issue 25): a shorter list or a lower count is kept
unless ``--overwrite``, the report lists every changed field (old -> new, bounded) and warns about
kept ones; every text is cleaned of control characters and a link is http(s) or nothing."""

from __future__ import annotations

import io
import json

from lib.cli import main
from lib.store.store import Store

FIVE_AUTHORS = {
    "id": "2501.00001",
    "title": "Sparse Mixtures for Tabular Forecasting",
    "abstract": "We forecast tables.",
    "authors": ["A One", "B Two", "C Three", "D Four", "E Five"],
    "keywords": ["forecasting", "tables"],
    "date": "2025-01-06",
    "upvotes": 30,
}
ONE_ROW_CSV = "id,title,authors,upvotes,date\n2501.00001,Sparse Mixtures for Tabular Forecasting,A One,2,2025-01-06\n"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out, err)
    return code, out.getvalue(), err.getvalue()


def stored(data, paper_id: str) -> dict:
    return next(r for r in Store(data).read_table().to_pylist() if r["id"] == paper_id)


def test_a_one_row_csv_keeps_the_five_authors_and_says_so(empty_store, tmp_path):
    first = tmp_path / "papers.jsonl"
    first.write_text(json.dumps(FIVE_AUTHORS) + "\n")
    assert cli("import", first)[0] == 0
    stale = tmp_path / "one.csv"
    stale.write_text(ONE_ROW_CSV)
    code, out, _ = cli("import", stale)
    assert code == 0
    paper = stored(empty_store, "2501.00001")
    assert paper["authors"] == FIVE_AUTHORS["authors"] and paper["upvotes"] == 30
    assert "  kept: 2501.00001 authors: (5) A One; B Two; C Three; D Four; E Five kept, the file has (1) A One" in out
    assert "  kept: 2501.00001 upvotes: 30 kept, the file has 2" in out
    assert "warning: 2 fields would have got shorter or lower and were kept; import again with --overwrite" in out
    # forced: the file's values replace the stored ones, and the report says what changed
    code, out, _ = cli("import", "--overwrite", stale)
    assert code == 0
    paper = stored(empty_store, "2501.00001")
    assert paper["authors"] == ["A One"] and paper["upvotes"] == 2
    assert paper["keywords"] == FIVE_AUTHORS["keywords"]  # the file has none: an empty value never erases
    assert "changed in known papers (papers per field): authors 1, upvotes 1" in out
    assert "  changed: 2501.00001 authors: (5) A One; B Two; C Three; D Four; E Five → (1) A One" in out
    assert "kept" not in out


def test_the_dry_run_lists_changes_up_to_a_bound(empty_store, tmp_path):
    papers = [dict(FIVE_AUTHORS, id=f"2501.{i:05d}", title=f"Paper {i}") for i in range(30)]
    source = tmp_path / "papers.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in papers))
    assert cli("import", source)[0] == 0
    source.write_text("".join(json.dumps(dict(p, upvotes=31, abstract="New.")) + "\n" for p in papers))
    code, out, _ = cli("import", "--dry-run", source)
    assert code == 0
    assert "changed in known papers (papers per field): abstract 30, upvotes 30" in out
    assert out.count("  changed: ") == 20
    assert "  ... and 40 more changed fields" in out
    assert stored(empty_store, "2501.00000")["upvotes"] == 30  # a dry run writes nothing


HOSTILE = {
    "id": "2501.00009",
    "title": "\x1b[31mRed\x1b[0m Title\x00 with a\x07 bell",
    "abstract": "An abstract\x1b]0;pwned\x07 with\x9b2J escapes\nand a line.",
    "authors": ["Ada\x00 Lovelace", "\x1b[1mBold\x1b[0m Author"],
    "categories": ["cs.CL\x00", "cs.LG"],
    "keywords": ["key\x1bword"],
    "date": "2025-01-06",
    "url": "javascript:alert(1)",
    "github_repo": "data:text/html,<script>alert(1)</script>",
}


def test_control_characters_and_other_schemes_never_reach_the_store(empty_store, tmp_path):
    source = tmp_path / "hostile.jsonl"
    source.write_text(
        json.dumps(HOSTILE)
        + "\n"
        + json.dumps(dict(HOSTILE, id="", title="Another\x00 one", url="JavaScript:x"))
        + "\n"
    )
    code, out, _ = cli("import", source)
    assert code == 0
    paper = stored(empty_store, "2501.00009")
    assert paper["title"] == "Red Title with a bell"
    assert paper["abstract"] == "An abstract with escapes and a line."
    assert paper["authors"] == ["Ada Lovelace", "Bold Author"]
    assert paper["categories"] == ["cs.CL", "cs.LG"]
    assert paper["keywords"] == ["keyword"]
    assert paper["url"] == "https://arxiv.org/abs/2501.00009"  # dropped, then the paper's own
    assert paper["github_repo"] is None
    assert "line 1: url 'javascript:alert(1)' dropped: only http(s) addresses are kept" in out
    assert "line 1: github_repo 'data:text/html,<script>alert(1)</script>' dropped" in out
    title_only = next(r for r in Store(empty_store).read_table().to_pylist() if r["id"].startswith("t-"))
    assert title_only["url"] == ""  # no arXiv id: no address at all
    for row in Store(empty_store).read_table().to_pylist():
        for value in row.values():
            for text in value if isinstance(value, list) else [value]:
                assert not isinstance(text, str) or text.isprintable(), repr(text)
