"""Keyword trends on the real 74,728-paper arXiv corpus in ../shared (skipped when it is absent).

The quarterly share of papers mentioning "agent" must equal an independent pandas
computation over the raw file: a regex on the lower-cased title + abstract, grouped by
the quarter of ``published``.  Also timed: the emerging-terms table and a one-term
monthly series, once the term index is built.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "data" / "arxiv_2025-03_2026-07.jsonl.gz"
# whole word, plural tolerant; an underscore is a boundary, as for our tokenizer ("agent_based")
AGENT = r"(?<![^\W_])agents?(?![^\W_])"

pytestmark = [pytest.mark.shared, pytest.mark.skipif(not CORPUS.is_file(), reason=f"no reference data at {CORPUS}")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The corpus imported into a fresh store (about 7 s) and its term index (built and saved)."""
    from lib.dataset import load
    from lib.store.formats import KNOWN_SUFFIXES
    from lib.store.importer import import_files
    from lib.store.store import Store, input_files
    from lib.trends import terms

    store = Store(tmp_path_factory.mktemp("shared-trends") / "data")
    import_files(store, input_files([str(CORPUS)], KNOWN_SUFFIXES))
    ds = load(store)
    return ds, terms.load_or_build(store, ds)


@pytest.fixture(scope="module")
def pandas_quarters() -> pd.DataFrame:
    """Papers and papers mentioning "agent" per quarter, from the raw file with pandas only."""
    parts = []
    for chunk in pd.read_json(CORPUS, lines=True, compression="gzip", dtype=False, chunksize=20_000):
        text = (chunk["title"].fillna("") + " " + chunk["abstract"].fillna("")).str.lower()
        parts.append(
            pd.DataFrame(
                {
                    "quarter": pd.to_datetime(chunk["published"]).dt.to_period("Q"),
                    "match": text.str.contains(AGENT, regex=True),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    grouped = frame.groupby("quarter")["match"]
    return pd.DataFrame({"papers": grouped.size(), "mentioning": grouped.sum(), "share": grouped.mean()})


@pytest.fixture(scope="module")
def agent_quarters(corpus) -> pd.DataFrame:
    from lib.trends import trends

    ds, index = corpus
    keys, warnings = trends.parse_terms("agent", index)
    assert not warnings
    return trends.series(index, ds.table, ds.periods("quarter"), keys, "quarter").set_index("label")


def test_every_quarter_matches_an_independent_pandas_count(agent_quarters, pandas_quarters):
    expected = pandas_quarters.rename(index=lambda q: f"{q.year}-Q{q.quarter}")
    assert agent_quarters.index.tolist() == expected.index.tolist()
    assert agent_quarters["total"].tolist() == expected["papers"].tolist()
    assert agent_quarters["count"].tolist() == expected["mentioning"].tolist()
    for label in expected.index:
        assert agent_quarters.loc[label, "share"] == pytest.approx(expected.loc[label, "share"], rel=0, abs=1e-9), label


def test_agent_rises_from_about_6_to_about_17_percent(agent_quarters):
    # Whole-word "agent"/"agents" in title or abstract.  The corpus README's "about 5% -> 24%"
    # counts a looser definition over other end points (the partial first quarter 2025-Q1 and the
    # 300 papers of 2026-Q3; and every word starting with "agent", like agentic or AgentBench).
    q2_2025, q2_2026 = agent_quarters.loc["2025-Q2", "share"], agent_quarters.loc["2026-Q2", "share"]
    assert 0.04 < q2_2025 < 0.08
    assert 0.14 < q2_2026 < 0.20
