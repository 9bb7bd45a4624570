"""Recommendations per collection (lib.team.recommend) on the bundled sample: 1,953 real papers.

The collections are papers of one subject (their title or abstract says "gaussian splatting" or
"mixture of experts"); a good recommendation is another paper of that subject."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from conftest import write_jsonl

from lib.errors import PapersError
from lib.library import Library
from lib.search.analysis import index_terms, words
from lib.store.importer import import_files
from lib.store.store import Store, input_files
from lib.team import recommend as rec
from lib.team.recommend import RecommendError, Spellings, recommend


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Library:
    """The bundled sample (an empty store shows it), its term index and vectors built."""
    library = Library.open(Store(tmp_path_factory.mktemp("empty")))
    assert library.dataset.is_sample and library.paper_vectors(wait=True) is not None
    return library


def subject(library: Library, phrase: str) -> list[str]:
    """Ids of the papers whose title or abstract says ``phrase`` (hyphens or spaces, a plural)."""
    pattern = re.compile(r"\b" + r"[\s\-]+".join(phrase.split()) + r"s?\b", re.IGNORECASE)
    table = library.dataset.table
    texts = (f"{t} {a}" for t, a in zip(table["title"].to_pylist(), table["abstract"].to_pylist()))
    return [i for i, text in zip(table["id"].to_pylist(), texts) if pattern.search(text)]


@pytest.fixture(scope="module")
def splatting(library) -> list[str]:
    papers = subject(library, "gaussian splatting")
    assert len(papers) >= 20
    return papers


def test_a_collection_gets_more_of_its_subject(library, splatting):
    positives, held = splatting[:10], set(splatting[10:])
    found = recommend(library, positives, limit=10)
    assert list(found.columns) == ["rank", "row", "id", "title", "score", "why"]
    assert found["rank"].tolist() == list(range(1, 11))
    assert found["score"].is_monotonic_decreasing
    hits = sum(i in held for i in found["id"])
    assert hits >= 7, found[["title", "why"]]  # of 1,943 candidates, 15 are of the subject
    rows = found["row"].to_numpy()
    assert found["id"].tolist() == library.dataset.table["id"].take(rows).to_pylist()
    assert found["title"].tolist() == library.dataset.table["title"].take(rows).to_pylist()


def test_positives_negatives_and_excluded_papers_are_never_recommended(library, splatting):
    positives = splatting[:10]
    first = recommend(library, positives, limit=30)["id"].tolist()
    negatives, exclude = first[:3], first[3:6]
    found = recommend(library, positives, negatives, limit=30, exclude=exclude)["id"].tolist()
    assert not set(found) & (set(positives) | set(negatives) | set(exclude))
    assert first[6] in found  # the rest is still there
    # every other paper is ranked: with a limit above the table, all candidates come back
    everything = recommend(library, positives, negatives, limit=5_000, exclude=exclude)
    assert len(everything) == library.dataset.table.num_rows - 16
    assert everything["rank"].tolist() == list(range(1, len(everything) + 1))


def test_since_keeps_the_papers_listed_from_that_day(library, splatting):
    days = pd.to_datetime(library.dataset.frame["date"]).dt.date
    since = dt.date(2025, 7, 1)
    found = recommend(library, splatting[:10], since=since, limit=50)
    assert len(found) == 50 and all(days[r] >= since for r in found["row"])
    newer = [i for i in splatting[10:] if days[library.dataset.row_of(i)] >= since]
    assert newer and set(newer) <= set(found["id"])  # the subject's newer papers are all on the list
    assert recommend(library, splatting[:10], since=max(days) + dt.timedelta(days=1)).empty


def test_a_not_relevant_mark_moves_papers_like_it_down(library, splatting):
    """Marked papers teach the classifier: papers like the marked ones fall, compared with the
    same papers merely left out of the list (the mark is more than a filter)."""
    positives = splatting[:10]
    first = recommend(library, positives, limit=40)
    outsiders = [i for i in first["id"] if i not in splatting][:5]  # recommended, not of the subject
    assert len(outsiders) == 5
    excluded = recommend(library, positives, exclude=outsiders, limit=5_000).set_index("id")["score"]
    marked = recommend(library, positives, outsiders, limit=5_000).set_index("id")["score"]
    assert set(excluded.index) == set(marked.index)
    like = neighbours(library, outsiders, excluded.index)
    assert (marked[like] < excluded[like]).mean() >= 0.8
    # and the subject's own papers hold their ranks
    held = [i for i in splatting[10:] if i in marked.index]
    assert np.mean([marked.rank(ascending=False)[i] for i in held]) <= 1.2 * np.mean(
        [excluded.rank(ascending=False)[i] for i in held]
    )


def neighbours(library: Library, ids: list[str], among: pd.Index, each: int = 4) -> list[str]:
    """The ``each`` papers of ``among`` nearest (TF-IDF cosine) to each of ``ids``."""
    feats = rec.features(library)
    rows = library.dataset.rows_of(among)
    near = []
    for paper in ids:
        vector = feats.matrix(np.array([library.dataset.row_of(paper)]))
        cosine = (feats.matrix(rows) @ vector.T).toarray().ravel()
        near += library.dataset.table["id"].take(rows[np.argsort(-cosine)[:each]]).to_pylist()
    return list(dict.fromkeys(near))


def test_why_names_terms_the_paper_says(library, splatting):
    found = recommend(library, splatting[:10], limit=20)
    assert all(1 <= len(why) <= 5 for why in found["why"])
    table = library.dataset.table
    for row, why in zip(found["row"], found["why"]):
        paper = table.slice(int(row), 1).to_pylist()[0]
        text = " ".join([paper["title"] or "", paper["abstract"] or "", *(paper["keywords"] or [])])
        said = set()
        for token in words(text):
            said |= {token, *token.split("-"), *index_terms(token)}
        for term in why:
            # one term however it is written: hyphenated, spaced or joined ("3D spatial" says
            # 3d-spatial, "photorealistic" says photo realistic: issue 25)
            spelled = all(w in said or set(w.split("-")) <= said for w in words(term))
            assert spelled or "".join(words(term)).replace("-", "") in said, (term, paper["title"])
        assert len({tuple(words(t)) for t in why}) == len(why)  # no term twice
    assert any("splatting" in " ".join(why).lower() for why in found["why"])


def test_the_same_input_gives_the_same_answer(library, splatting, tmp_path):
    one = recommend(library, splatting[:10], splatting[-2:], limit=15)
    two = recommend(library, list(reversed(splatting[:10])), set(splatting[-2:]), limit=15)
    pd.testing.assert_frame_equal(one, two)
    fresh = Library.open(Store(tmp_path / "empty"))  # another Library: its own features, same answer
    fresh._once("vectors", lambda: library.paper_vectors())
    pd.testing.assert_frame_equal(one, recommend(fresh, splatting[:10], splatting[-2:], limit=15))


def test_an_empty_collection_gets_an_empty_answer_and_a_bad_limit_an_error(library):
    for positives in ([], ["2599.99999", "not an id"]):
        found = recommend(library, positives)
        assert found.empty and list(found.columns) == ["rank", "row", "id", "title", "score", "why"]
    with pytest.raises(RecommendError, match="at least 1 paper"):
        recommend(library, ["2505.00001"], limit=0)
    assert issubclass(RecommendError, PapersError)


def test_without_vectors_words_alone_recommend(library, splatting, monkeypatch):
    with_meaning = recommend(library, splatting[:10], limit=10)
    monkeypatch.setattr(library, "paper_vectors", lambda wait=False: None)
    words_only = recommend(library, splatting[:10], limit=10)
    assert sum(i in splatting[10:] for i in words_only["id"]) >= 7
    assert not np.allclose(with_meaning["score"], words_only["score"])  # the vectors did take part


def test_a_large_corpus_estimates_the_meaning_part_then_computes_the_best(library, splatting, monkeypatch):
    """Beyond vectors.EXACT_UP_TO papers the vectors are not all read: the meaning part of every
    score is estimated from the reduced vectors and the best scores are computed exactly."""
    from lib.search import hybrid

    exact = recommend(library, splatting[:10], limit=10)
    vectors = library.paper_vectors()
    monkeypatch.setattr(vectors, "exact", False)
    monkeypatch.setattr(hybrid, "SHORTLIST", 100)  # of 1,943 candidates
    read = []
    monkeypatch.setattr(
        vectors, "cosine", lambda q, rows=None: read.append(rows) or type(vectors).cosine(vectors, q, rows)
    )
    staged = recommend(library, splatting[:10], limit=10)
    assert read and all(rows is not None and len(rows) == 100 for rows in read)  # never every vector
    assert staged["id"].tolist() == exact["id"].tolist()
    assert np.allclose(staged["score"], exact["score"], atol=1e-5)


def test_features_are_unit_tfidf_vectors_of_the_term_index(library):
    feats = rec.features(library)
    terms = library.term_index
    rows = np.array([0, 5, 17, 1000])
    matrix = feats.matrix(rows)
    assert np.allclose(np.sqrt(matrix.multiply(matrix).sum(axis=1)).A.ravel(), 1, atol=1e-5)
    n = terms.n_docs
    for i, row in enumerate(rows):  # a paper's features are the terms the term index gives it
        said = {feats.stems(int(j)) for j in feats.of(int(row))}
        assert matrix[i].nnz == len(said)
    # its words: those of the index's words in its text that are neither rare nor everywhere
    expected = set()
    for term in terms.unigrams:
        papers = terms.unigram_rows(term)
        if rec.MIN_DF <= len(papers) <= rec.MAX_DF * n and 17 in set(papers.tolist()):
            expected.add((term,))
    assert {t for t in (feats.stems(int(j)) for j in feats.of(17)) if len(t) == 1} == expected
    grams = {t for t in (feats.stems(int(j)) for j in feats.of(17)) if len(t) > 1}
    assert grams and all(17 in set(terms.ngram_rows(t).tolist()) for t in grams)
    weights = np.random.default_rng(0).random(feats.n_features)
    assert np.allclose(feats.dot(rows, weights), [weights[feats.of(int(r))].sum() for r in rows])
    # rows far apart (another path) give the same sums
    spread = np.array([3, 900, 1900])
    assert np.allclose(feats.dot(spread, weights), [weights[feats.of(int(r))].sum() for r in spread])


def test_spellings_show_a_term_as_the_paper_writes_it():
    spelled = Spellings("Mixture-of-Experts (MoE) for LLMs: 3D Gaussian Splatting of fine-tuned models. NeRF-based.")
    assert spelled.of(("mixture", "of", "expert")) == "mixture-of-experts"
    assert spelled.of(("mixtureofexpert",)) == "mixture-of-experts"
    assert spelled.of(("llm",)) == "LLMs"
    assert spelled.of(("3d", "gaussian", "splatting")) == "3D gaussian splatting"
    assert spelled.of(("finetuned", "model")) == "fine-tuned models"
    assert spelled.of(("nerf",)) == "NeRF"
    assert spelled.of(("absent",)) is None


def test_readable_terms(library):
    feats = rec.features(library)
    assert feats.readable(("gaussian", "splatting"))
    assert not feats.readable(("expert", "moe"))  # a phrase glued to its acronym
    assert not feats.readable(("the",))


def test_papers_of_a_daily_import_are_recommended_at_once(tmp_path, library, splatting):
    """After a daily import the term index has a segment: the new papers are features too."""
    store = Store(tmp_path / "data")
    base = [
        {"id": f"2601.{i:05d}", "title": f"Paper {i} on {topic}", "abstract": f"We study {topic} {i}.", "date": day}
        for i, (topic, day) in enumerate(
            [("gaussian splatting scenes", "2026-01-05")] * 8 + [("protein folding", "2026-01-05")] * 30
        )
    ]
    import_files(store, input_files([str(write_jsonl(tmp_path / "a.jsonl", base))], (".jsonl",)))
    Library.open(store).load_term_index()  # saved: the next import extends it with a segment
    new = [
        {"id": "2601.90001", "title": "Fast gaussian splatting scenes", "abstract": "Splatting.", "date": "2026-01-09"},
        {"id": "2601.90002", "title": "Protein folding again", "abstract": "Folding.", "date": "2026-01-09"},
    ]
    import_files(store, input_files([str(write_jsonl(tmp_path / "b.jsonl", new))], (".jsonl",)))
    fresh = Library.open(store)
    assert type(fresh.term_index).__name__ == "SegmentedTermIndex"
    found = recommend(fresh, [p["id"] for p in base[:8]], since=dt.date(2026, 1, 9))
    assert found["id"].tolist()[0] == "2601.90001"
    assert "splatting" in " ".join(found["why"].iloc[0]).lower()
