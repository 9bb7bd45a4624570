"""Known-item quality on real papers (../shared; skipped when it is absent)."""
import sys

import pytest

from conftest import ROOT, SHARED

SAMPLE = SHARED / "data" / "arxiv_sample2k.jsonl"
pytestmark = [pytest.mark.shared, pytest.mark.skipif(not SAMPLE.exists(), reason="../shared is absent")]


def test_three_or_four_distinctive_title_words_find_the_paper(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_quality import evaluate

    from lib.importer import import_files
    from lib.store import Store, input_files

    import_files(Store(tmp_path), input_files([str(SAMPLE)], (".jsonl",)))
    scores = evaluate(tmp_path, n=300)
    assert scores["papers"] >= 250
    assert scores["top3"] >= 0.9, scores["misses"]
    assert scores["mrr"] >= 0.85
