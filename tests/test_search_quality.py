"""Known-item quality on real papers: the 2,000-paper sample of ../shared (skipped when it is
absent), and the bundled sample, held out from the tuning (runs everywhere)."""

import sys

import pytest
from conftest import ROOT, SHARED

SAMPLE = SHARED / "data" / "arxiv_sample2k.jsonl"
needs_shared = pytest.mark.skipif(not SAMPLE.exists(), reason="../shared is absent")


@pytest.mark.shared
@needs_shared
def test_three_or_four_distinctive_title_words_find_the_paper(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_quality import evaluate

    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    import_files(Store(tmp_path), input_files([str(SAMPLE)], (".jsonl",)))
    scores = evaluate(tmp_path, n=300)
    assert scores["papers"] >= 250
    assert scores["top3"] >= 0.9, scores["misses"]
    assert scores["mrr"] >= 0.85


def test_known_item_on_the_bundled_sample_without_shared(tmp_path):
    """Held out: the project's own sample file (the Daily Papers page of 2025-08-12), a
    different source and shape than the corpus the engine was tuned on; runs everywhere."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_quality import evaluate

    from lib.store.importer import import_files
    from lib.store.store import Store, input_files

    import_files(Store(tmp_path), input_files([str(ROOT / "sample" / "daily_papers_2025-08-12.txt")], (".txt",)))
    scores = evaluate(tmp_path, n=63)
    assert scores["papers"] >= 50
    assert scores["top3"] >= 0.9, scores["misses"]
    assert scores["mrr"] >= 0.85
