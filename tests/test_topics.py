"""lib.topics.topics on tests/topics_fixture.py: three obvious themes must come back as three
topics, with readable labels, consistent tallies over time, and one saved model per
store version and k.

Expectations are read off the fixture (its ground-truth theme per row, its dates and
its vocabularies), never pasted from a run."""

from __future__ import annotations

import collections
import datetime as dt
import io
import random

import numpy as np
import pandas as pd
import pytest
import topics_fixture as fx

from lib.dataset import load
from lib.errors import InputError, PapersError
from lib.periods import Periods
from lib.search.analysis import fold, stem
from lib.store.schema import to_frame
from lib.store.store import Store
from lib.topics import topics
from lib.topics.topics import TopicModel, auto_k, emerging_topics, shares_over_time
from lib.topics.vocabulary import vocabulary
from lib.trends.terms import TermIndex

K = 3


# --- shared fits -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fixture():
    """(records, table, themes per row, frame, term index, model with k=3)."""
    records = fx.papers()
    table, themes = fx.build_table(records)
    index = TermIndex.build(table)
    model = TopicModel(K).fit(index)
    return records, table, np.array(themes), to_frame(table), index, model


def theme_of_topics(model: TopicModel, themes: np.ndarray) -> dict[int, str]:
    """Each topic's majority theme over the rows whose dominant topic it is."""
    mapping = {}
    for topic in range(model.n_topics):
        members = themes[model.dominant_ == topic]
        mapping[topic] = collections.Counter(members).most_common(1)[0][0] if len(members) else None
    return mapping


def words_of(label: str) -> list[str]:
    return [w.strip() for w in label.split(",") if w.strip()]


def as_term(word: str) -> str:
    """A displayed word as the term index reads it (folded, plural-stripped)."""
    return stem(fold(word))


# --- the fixture itself --------------------------------------------------------------------------
def test_fixture_is_deterministic_and_balanced():
    assert fx.papers() == fx.papers()
    records = fx.papers()
    assert len(records) == fx.PER_THEME * len(fx.THEMES)
    assert collections.Counter(r[fx.THEME_KEY] for r in records) == dict.fromkeys(fx.THEMES, fx.PER_THEME)
    years = collections.Counter(r["date"][:4] for r in records)
    assert set(years) == {"2023", "2024", "2025"}
    assert len({r["id"] for r in records}) == len(records)
    for theme, words in fx.VOCABULARY.items():  # vocabularies do not overlap, and no word is generic
        others = set().union(*(set(w) for t, w in fx.VOCABULARY.items() if t != theme))
        assert not set(words) & others and not set(words) & set(fx.GENERIC)
    for record in records:
        text = record["abstract"].lower().rstrip(".").split()
        assert sum(w in fx.VOCABULARY[record[fx.THEME_KEY]] for w in text) == fx.THEME_WORDS
        assert sum(w in fx.GENERIC for w in text) == fx.GENERIC_WORDS


# --- quality ---------------------------------------------------------------------------------------
def test_three_themes_come_back_as_three_pure_topics(fixture):
    _, _, themes, _, _, model = fixture
    assert model.n_topics == K
    assert (model.dominant_ >= 0).all()
    mapping = theme_of_topics(model, themes)
    predicted = np.array([mapping[t] for t in model.dominant_])
    purity = float((predicted == themes).mean())
    assert purity >= 0.9, (purity, mapping)
    assert sorted(mapping.values()) == sorted(fx.THEMES)  # one topic per theme, none merged or split


def test_labels_are_unique_and_named_from_their_theme(fixture):
    _, _, themes, _, _, model = fixture
    assert len(model.labels_) == K and len(set(model.labels_)) == K
    mapping = theme_of_topics(model, themes)
    for topic, label in enumerate(model.labels_):
        words = words_of(label)
        assert 1 <= len(words) <= 5, label
        vocabulary = fx.vocabulary_stems(mapping[topic])
        assert all(as_term(w) in vocabulary for w in words), (label, mapping[topic])


def test_fits_are_deterministic(fixture):
    records, _, _, _, _, model = fixture
    table, _ = fx.build_table(records)  # a fresh table and index too
    again = TopicModel(K).fit(TermIndex.build(table))
    assert again.labels_ == model.labels_
    np.testing.assert_array_equal(again.dominant_, model.dominant_)
    np.testing.assert_array_equal(again.centres_, model.centres_)
    np.testing.assert_array_equal(again.topic_scores_, model.topic_scores_)
    np.testing.assert_array_equal(again.map_xy_, model.map_xy_)


def test_summary_counts_every_paper_once(fixture):
    _, _, themes, _, _, model = fixture
    summary = model.summary()
    assert list(summary.columns) == [
        "topic",
        "label",
        "area",
        "area_label",
        "papers",
        "share",
        "terms",
        "coherence",
        "weak",
        "status",
    ]
    assert sorted(summary["topic"]) == list(range(K))  # a fit outside a store: ids are rows
    assert [model.labels_[t] for t in summary["topic"]] == list(summary["label"])
    mapping = theme_of_topics(model, themes)
    for row in summary.itertuples():
        assert row.papers == int((model.dominant_ == row.topic).sum())
        assert row.papers == int((themes == mapping[row.topic]).sum())  # pure: a topic is its theme
        assert row.terms.split(", ") == [t for t, _ in model.top_terms(row.topic, 8)]
    assert summary["papers"].sum() == len(themes)
    assert summary["share"].sum() == pytest.approx(1.0)


def test_top_terms_are_sorted_by_weight_and_come_from_the_theme(fixture):
    _, _, themes, _, _, model = fixture
    mapping = theme_of_topics(model, themes)
    for topic in range(K):
        terms = model.top_terms(topic)
        assert len(terms) == topics.TOP_TERMS
        weights = [w for _, w in terms]
        assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)
        assert len({t for t, _ in terms}) == len(terms)
        # the heaviest terms of a pure topic are its theme's words (generic words weigh less)
        assert all(as_term(t) in fx.vocabulary_stems(mapping[topic]) for t, _ in terms[:10])
        assert len(model.top_terms(topic, 4)) == 4 and model.top_terms(topic, 4) == terms[:4]


def test_related_excludes_the_topic_itself_and_is_sorted(fixture):
    model = fixture[-1]
    for topic in range(K):
        related = model.related(topic)
        assert list(related.columns) == ["topic", "label", "similarity"]
        assert topic not in set(related["topic"])
        assert list(related["similarity"]) == sorted(related["similarity"], reverse=True)
        assert (related["similarity"] > 0).all() and (related["similarity"] <= 1).all()
        assert list(related["label"]) == [model.labels_[t] for t in related["topic"]]
        assert len(model.related(topic, n=1)) <= 1
        # cosine, computed here
        for row in related.itertuples():
            a, b = model.centres_[topic], model.centres_[row.topic]
            assert row.similarity == pytest.approx(float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)), rel=1e-4)


def test_representative_papers_belong_to_the_topic_strongest_first(fixture):
    _, _, themes, _, _, model = fixture
    mapping = theme_of_topics(model, themes)
    for topic in range(K):
        rows = model.representative(model.members(topic), 10)
        assert len(rows) == 10 and len(set(rows)) == 10
        assert (model.dominant_[rows] == topic).all()
        assert (themes[rows] == mapping[topic]).all()
        weights = model.weight_[rows]
        assert list(weights) == sorted(weights, reverse=True)
        others = np.setdiff1d(model.members(topic), rows)
        assert weights.min() >= model.weight_[others].max()  # no member left out is stronger
        np.testing.assert_array_equal(model.members(topic), np.flatnonzero(model.dominant_ == topic))
    assert len(model.representative(model.members(0), 1000)) == len(model.members(0))


def test_top_authors_of_a_topic_are_its_theme_pool(fixture):
    _, table, themes, frame, _, model = fixture
    mapping = theme_of_topics(model, themes)
    for topic in range(K):
        members = model.members(topic)
        authors = topics.top_authors(table, members)
        expected = collections.Counter(a for names in frame["authors"].iloc[members] for a in names)
        assert set(authors["author"]) <= set(fx.AUTHORS[mapping[topic]])
        assert dict(zip(authors["author"], authors["papers"])) == dict(expected)
        assert list(authors["papers"]) == sorted(authors["papers"], reverse=True)
    assert topics.top_authors(table, np.array([], dtype=np.int64)).empty


# --- over time -------------------------------------------------------------------------------------
@pytest.mark.parametrize("by", ["month", "quarter", "year"])
def test_shares_over_time_sum_to_one_and_count_every_paper(fixture, by):
    records, _, _, frame, _, model = fixture
    periods = Periods.of(frame["date"], by)
    shares = shares_over_time(model, periods, by)
    assert list(shares.columns) == ["period", "label", "topic", "name", "papers", "total", "share"]
    assert set(shares["topic"]) == set(range(K))
    # papers per period, counted here from the fixture's dates
    code = {"month": "M", "quarter": "Q", "year": "Y"}[by]
    expected = pd.Series([r["date"] for r in records]).pipe(pd.to_datetime).dt.to_period(code).value_counts()
    per_period = shares.groupby("period", sort=True)
    assert len(per_period) == len(pd.period_range(expected.index.min(), expected.index.max(), freq=code))
    for start, group in per_period:
        assert len(group) == K and group["total"].nunique() == 1
        total = int(group["total"].iloc[0])
        assert total == int(expected.get(pd.Timestamp(start).to_period(code), 0))
        assert group["papers"].sum() == total
        assert group["share"].sum() == pytest.approx(1.0 if total else 0.0)
    assert shares.drop_duplicates("period")["total"].sum() == len(records)
    if by == "year":
        assert list(shares.drop_duplicates("period")["label"]) == ["2023", "2024", "2025"]
    # a topic's papers in a period are its members of that period
    days = frame["date"].dt.to_period(code)
    for row in shares.itertuples():
        in_period = (days == pd.Timestamp(row.period).to_period(code)).to_numpy()
        assert row.papers == int((in_period & (model.dominant_ == row.topic)).sum())
        assert row.name == model.labels_[row.topic]


def test_shares_over_time_from_and_to_restrict(fixture):
    records, _, _, frame, _, model = fixture
    first, last = dt.date(2024, 3, 15), dt.date(2024, 8, 10)
    periods = Periods.of(frame["date"], "month")
    shares = shares_over_time(model, periods, "month", first, last)
    kept = [r for r in records if first.isoformat() <= r["date"] <= last.isoformat()]
    assert kept and len(kept) < len(records)
    labels = list(shares.drop_duplicates("period")["label"])
    assert labels == [f"2024-{m:02d}" for m in range(3, 9)]
    totals = dict(zip(shares.drop_duplicates("period")["label"], shares.drop_duplicates("period")["total"]))
    assert totals == dict(collections.Counter(r["date"][:7] for r in kept))
    assert sum(totals.values()) == len(kept)
    for _, group in shares.groupby("period"):
        assert group["share"].sum() == pytest.approx(1.0)
    only_from = shares_over_time(model, periods, "month", date_from=dt.date(2025, 7, 1))
    assert only_from["label"].min() == "2025-07" and only_from["label"].max() == "2025-12"
    only_to = shares_over_time(model, periods, "month", date_to=dt.date(2023, 2, 28))
    assert set(only_to["label"]) == {"2023-01", "2023-02"}
    nothing = shares_over_time(model, periods, "month", dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert nothing.empty and "share" in nothing.columns


def test_emerging_topics_rank_the_theme_that_only_appears_recently_first():
    records = fx.papers(recent="rowing")
    table, themes = fx.build_table(records)
    themes = np.array(themes)
    model = TopicModel(K).fit(TermIndex.build(table))
    mapping = theme_of_topics(model, themes)
    assert sorted(mapping.values()) == sorted(fx.THEMES)
    rowing = next(t for t, theme in mapping.items() if theme == "rowing")
    periods = Periods.of(to_frame(table)["date"], "day")
    moving = emerging_topics(model, periods)
    assert list(moving.columns) == ["topic", "label", "baseline_share", "recent_share", "change", "ratio"]
    assert int(moving["topic"].iloc[0]) == rowing and moving["label"].iloc[0] == model.labels_[rowing]
    assert list(moving["change"]) == sorted(moving["change"], reverse=True)
    # the windows, from the fixture: recent = the last 90 days, baseline = the 365 before
    day = pd.to_datetime(pd.Series([r["date"] for r in records])).dt.date
    end = max(day)
    recent = (day > end - dt.timedelta(days=90)).to_numpy()
    baseline = (day > end - dt.timedelta(days=455)).to_numpy() & ~recent
    top = moving.iloc[0]
    assert top["baseline_share"] == 0.0
    assert top["recent_share"] == pytest.approx((themes[recent] == "rowing").mean())
    assert top["recent_share"] > 0.5
    for row in moving.itertuples():
        assert row.baseline_share == pytest.approx((model.dominant_[baseline] == row.topic).mean())
        assert row.change == pytest.approx(row.recent_share - row.baseline_share)
    assert (moving["change"].iloc[1:] < 0).all()  # the two steady themes lose share to rowing


# --- k ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("papers, k", [(63, 3), (2_000, 16), (74_728, 97), (1_000_000, 200)])
def test_auto_k_documented_values(papers, k):
    assert auto_k(papers) == k


def test_auto_k_bounds():
    assert auto_k(0) == 3 and auto_k(1) == 3 and auto_k(50) == 3 and auto_k(100) == 4
    assert auto_k(10**9) == 200 and auto_k(10**15) == 200
    values = [auto_k(n) for n in range(0, 3_000_000, 997)]
    assert min(values) == 3 and max(values) == 200
    assert values == sorted(values)  # more papers never mean fewer topics
    for n in (51, 200, 800, 5_000, 50_000, 400_000):
        assert auto_k(n) == min(200, max(3, round(np.sqrt(n / 8))))


@pytest.mark.parametrize("k, areas", [(3, 1), (16, 5), (97, 16), (200, 23)])
def test_auto_areas_documented_values(k, areas):
    assert topics.auto_areas(k) == areas


def test_k_is_capped_by_the_data():
    table, _ = fx.build_table(fx.papers(per_theme=4))  # 12 papers: at most 11 topics
    index = TermIndex.build(table)
    model = TopicModel(60).fit(index)
    assert model.k == 60
    assert model.n_topics == min(60, len(model.terms_), index.n_docs - 1) == 11
    assert len(model.labels_) == model.n_topics == len(set(model.labels_))
    assert model.centres_.shape[0] == model.n_topics and len(model.dominant_) == index.n_docs
    assert model.summary()["papers"].sum() == int((model.dominant_ >= 0).sum())


# --- coherence -----------------------------------------------------------------------------------
def test_fitted_topics_are_more_coherent_than_random_terms(fixture):
    _, _, _, _, index, model = fixture
    fitted = list(model.coherence_)
    assert len(fitted) == K and all(-1.0 <= c <= 1.0 for c in fitted)
    rng = random.Random(0)
    presence = topics.presence_in(index, model.terms_).tocsc()
    columns = list(range(len(model.terms_)))
    baseline = [np.mean(topics.npmi(presence, [rng.sample(columns, 10) for _ in range(K)])) for _ in range(20)]
    assert min(fitted) > max(baseline), (fitted, baseline)
    assert np.mean(fitted) - np.mean(baseline) > 0.3, (fitted, baseline)


def test_npmi_of_known_pairs(fixture):
    _, _, themes, _, index, _ = fixture
    presence = topics.presence_in(index, ["galaxy", "oven", "telescope"]).tocsc()
    # two words of different themes never meet: -1; a word with itself would be 1
    assert list(topics.npmi(presence, [[0, 1]])) == [-1.0]
    # computed here from the rows that mention each word
    a, b = set(index.unigram_rows("galaxy")), set(index.unigram_rows("telescope"))
    n = len(themes)
    p_ab, p_a, p_b = len(a & b) / n, len(a) / n, len(b) / n
    expected = np.log(p_ab / (p_a * p_b)) / -np.log(p_ab)
    assert topics.npmi(presence, [[0, 2]])[0] == pytest.approx(expected)
    assert list(topics.npmi(presence, [[0], []])) == [0.0, 0.0]


# --- persistence ---------------------------------------------------------------------------------
def test_arrays_round_trip(fixture):
    _, _, _, _, _index, model = fixture
    arrays = model.to_arrays()
    assert all(isinstance(v, np.ndarray) for v in arrays.values())
    again = TopicModel.from_arrays(arrays)
    pd.testing.assert_frame_equal(again.summary(), model.summary())
    assert again.labels_ == model.labels_ and again.terms_ == model.terms_
    assert again.k == model.k and again.n_topics == model.n_topics
    for topic in range(K):
        assert again.top_terms(topic) == model.top_terms(topic)
        pd.testing.assert_frame_equal(again.related(topic), model.related(topic))
        np.testing.assert_array_equal(
            again.representative(again.members(topic)), model.representative(model.members(topic))
        )
    np.testing.assert_array_equal(again.map_xy_, model.map_xy_)


def _write(store: Store, table) -> str:
    with store.lock():
        return store.write_table(table)


def _import(store: Store, tmp_path, records, name: str) -> str:
    """Import records through the real importer, from a JSON Lines file; the new version."""
    from conftest import write_jsonl

    from lib.store.importer import import_files
    from lib.store.store import input_files

    source = write_jsonl(tmp_path / f"{name}.jsonl", fx.plain(records))
    report = import_files(store, input_files([str(source)], (".jsonl",)))
    assert report.version and report.version == store.version()
    return report.version


def test_load_or_fit_saves_once_per_version_and_k(tmp_path, monkeypatch, fixture):
    records = fixture[0]
    store = Store(tmp_path / "data")
    version = _import(store, tmp_path, records, "first")
    ds = load(store)
    assert not ds.is_sample and ds.version == version and ds.table.num_rows == len(records)
    index = TermIndex.build(ds.table)
    expected = TopicModel(K).fit(index)

    fits = []
    real_fit = TopicModel.fit

    def counting_fit(self, *args, **kwargs):
        fits.append(self.k)
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(TopicModel, "fit", counting_fit)
    assert not topics.is_saved(store, ds, K)
    steps = []
    first = topics.load_or_fit(store, ds, index, K, progress=lambda step, share: steps.append(share))
    assert fits == [K]
    assert steps and steps == sorted(steps) and all(0 <= s <= 1 for s in steps)
    saved = store.artifacts_dir / f"topics-k{K}-{version}"
    assert saved.is_dir() and (saved / "centres.npy").is_file()
    assert topics.is_saved(store, ds, K) and not topics.is_saved(store, ds, K + 1)
    assert first.labels_ == expected.labels_  # the same data: the same topics

    def no_fit(self, *args, **kwargs):
        raise AssertionError("refitted a saved model")

    monkeypatch.setattr(TopicModel, "fit", no_fit)
    loaded = topics.load_or_fit(store, ds, index, K)
    pd.testing.assert_frame_equal(loaded.summary(), first.summary())
    np.testing.assert_array_equal(loaded.dominant_, first.dominant_)
    np.testing.assert_array_equal(loaded.centres_, first.centres_)

    monkeypatch.setattr(TopicModel, "fit", counting_fit)
    four = topics.load_or_fit(store, ds, index, K + 1)  # another k: its own fit and directory
    assert fits == [K, K + 1] and four.n_topics == K + 1
    assert (store.artifacts_dir / f"topics-k{K + 1}-{version}").is_dir() and saved.is_dir()

    # a new import (one more paper): a new version, refitted; the old version's k=3 model is pruned
    extra = [dict(fx.papers(per_theme=1, seed=7)[0], id="2512.99999")]
    new_version = _import(store, tmp_path, extra, "second")
    assert new_version != version
    ds2 = load(store)
    assert ds2.table.num_rows == len(records) + 1
    assert not topics.is_saved(store, ds2, K)
    index2 = TermIndex.build(ds2.table)
    refit = topics.load_or_fit(store, ds2, index2, K)
    assert fits == [K, K + 1, K] and len(refit.dominant_) == ds2.table.num_rows
    assert (store.artifacts_dir / f"topics-k{K}-{new_version}").is_dir()
    assert not saved.exists()
    assert [p.name for p in store.artifacts_dir.glob(f"topics-k{K}-*")] == [f"topics-k{K}-{new_version}"]


def test_a_daily_import_places_its_papers_in_the_saved_topics(tmp_path, monkeypatch):
    """An import after a fit carries the model over to the new version: its papers (new, and
    one whose text changed to another theme's) are placed in the fitted topics, without a fit;
    ``python -m lib build --full`` then fits on every paper."""
    from lib.cli import main as cli
    from lib.trends import terms

    records = fx.papers()
    store = Store(tmp_path / "data")
    _import(store, tmp_path, records, "first")
    ds = load(store)
    index = terms.load_or_build(store, ds)  # saved: the import extends it, and the model with it
    model = topics.load_or_fit(store, ds, index, K)
    ids = ds.table.column("id").to_pylist()
    theme_of_row = np.array([fx.themes_by_id(records)[i] for i in ids])
    mapping = theme_of_topics(model, theme_of_row)
    assert sorted(mapping.values()) == sorted(fx.THEMES)

    new = [dict(p, id=f"2601.{i:05d}", date="2026-01-05") for i, p in enumerate(fx.papers(per_theme=3, seed=11))]
    rewritten = next(p for p in records if p[fx.THEME_KEY] == "astronomy")
    cooking = next(p for p in fx.papers(per_theme=1, seed=12) if p[fx.THEME_KEY] == "cooking")
    changed = dict(rewritten, title=cooking["title"], abstract=cooking["abstract"], **{fx.THEME_KEY: "cooking"})

    def no_fit(self, *args, **kwargs):
        raise AssertionError("fitted again")

    monkeypatch.setattr(TopicModel, "fit", no_fit)
    _import(store, tmp_path, new + [changed], "second")
    ds2 = load(store)
    assert topics.is_saved(store, ds2, K)
    carried = topics.load_or_fit(store, ds2, terms.load_or_build(store, ds2), K)
    assert carried.labels_ == model.labels_ and carried.fitted_docs_ == len(records)
    assert carried.placed_docs == len(new) == ds2.table.num_rows - len(records)
    ids2 = ds2.table.column("id").to_pylist()
    truth = {**fx.themes_by_id(records), **fx.themes_by_id(new), changed["id"]: "cooking"}
    placed = {i: mapping.get(int(t)) for i, t in zip(ids2, carried.dominant_)}
    assert {i: placed[i] for i in fx.themes_by_id(new)} == fx.themes_by_id(new)
    assert placed[changed["id"]] == "cooking"  # re-written: placed by its new text
    assert placed == truth
    assert carried.summary()["papers"].sum() == ds2.table.num_rows
    assert [p.name for p in store.artifacts_dir.glob(f"topics-k{K}-*")] == [f"topics-k{K}-{ds2.version}"]

    monkeypatch.undo()
    assert (
        cli(["build", "--data", str(tmp_path / "data"), "--full", "--k", str(K)], out=io.StringIO(), err=io.StringIO())
        == 0
    )
    refit = topics.load_or_fit(store, ds2, terms.load_or_build(store, ds2), K)
    assert refit.fitted_docs_ == ds2.table.num_rows and refit.placed_docs == 0


def _saved_model(tmp_path, fixture):
    """A store holding the fixture's table and its saved model: (store, version, dataset,
    term index, model, the model's arrays)."""
    store = Store(tmp_path / "data")
    version = _write(store, fixture[1])
    ds = load(store)
    index = TermIndex.build(ds.table)
    model = topics.load_or_fit(store, ds, index, K)
    return store, version, ds, index, model, dict(store.load_arrays(f"topics-k{K}", version))


def test_a_saved_model_loads_without_the_term_index(tmp_path, fixture):
    """The model keeps its own words: opening the Topics page never waits for the term index."""
    store, _version, ds, _index, model, _arrays = _saved_model(tmp_path, fixture)
    again = topics.load_or_fit(store, ds, None, K)
    assert again.labels_ == model.labels_ and again.terms_ == model.terms_
    pd.testing.assert_frame_equal(again.summary(), model.summary())
    other = TopicModel(K + 1)
    with pytest.raises(PapersError, match="term index"):
        topics.load_or_fit(store, ds, None, other.k)


def test_a_saved_model_of_another_format_or_size_is_refitted(tmp_path, fixture):
    store, version, ds, index, model, arrays = _saved_model(tmp_path, fixture)
    store.save_arrays(f"topics-k{K}", version, {**arrays, "format": np.array([topics.FORMAT_VERSION - 1])})
    again = topics.load_or_fit(store, ds, index, K)
    assert again.labels_ == model.labels_
    assert int(store.load_arrays(f"topics-k{K}", version)["format"][0]) == topics.FORMAT_VERSION
    store.save_arrays(f"topics-k{K}", version, {**arrays, "dominant": arrays["dominant"][:5]})
    assert len(topics.load_or_fit(store, ds, index, K).dominant_) == ds.table.num_rows


def test_the_bundled_demo_fits_with_automatic_k(tmp_path):
    store = Store(tmp_path / "empty")
    ds = load(store)
    assert ds.is_sample and ds.overview.papers == 1953 and ds.overview.days == 130
    k = auto_k(ds.overview.papers)
    assert k == 16
    index = TermIndex.build(ds.table)
    model = topics.load_or_fit(store, ds, index, k)
    assert model.n_topics == 16 and len(set(model.labels_)) == 16 and all(model.labels_)
    assert model.n_areas == topics.auto_areas(16) == 5 and len(set(model.area_labels_)) == 5
    assert not topics.is_saved(store, ds, k) and not store.artifacts_dir.exists()  # the demo is never saved
    summary = model.summary()
    assert summary["papers"].sum() == int((model.dominant_ >= 0).sum()) <= 1953
    assert (summary["papers"] > 0).all()
    shares = shares_over_time(model, ds.periods("month"), "month")
    assert len(shares) == 6 * 16  # March to August 2025
    assert shares.groupby("label")["share"].sum().to_numpy() == pytest.approx(1.0)
    for topic in range(16):
        assert model.top_terms(topic) and topic not in set(model.related(topic)["topic"])
    assert len(model.map_rows_) == 1500 and model.map_xy_.shape == (1500, 2)  # a fixed sample of the papers


# --- the CLI -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli_store(tmp_path_factory):
    from conftest import write_jsonl

    from lib.store.importer import import_files
    from lib.store.store import input_files

    tmp = tmp_path_factory.mktemp("cli-topics")
    source = write_jsonl(tmp / "topics.jsonl", fx.plain())
    import_files(Store(tmp / "data"), input_files([str(source)], (".jsonl",)))
    return tmp / "data"


def run(*argv: str) -> tuple[int, str, str]:
    from lib.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _tiny_table():
    from conftest import THREE_DAYS

    table, _ = fx.build_table([{**r, fx.THEME_KEY: "none"} for r in THREE_DAYS])
    return table


def test_papers_sharing_no_word_raise_a_papers_error_not_a_crash():
    """Six papers whose texts share no word (tests/conftest.py THREE_DAYS): NMF has no term
    to work with; the user gets a one-line PapersError (the page shows it, the CLI prints it)."""
    from lib.errors import PapersError

    index = TermIndex.build(_tiny_table())
    assert vocabulary(index).presence.shape == (6, 0)
    with pytest.raises(PapersError, match="Cannot find topics in 6 papers"):
        TopicModel(K).fit(index)


def test_cli_topics_on_papers_sharing_no_word_is_a_clean_error(three_day_store):
    code, out, err = run("topics", "--data", str(three_day_store))
    assert code == 2 and out == ""
    assert err.startswith("error: Cannot find topics in 6 papers") and "internal error" not in err


def test_a_topics_feed_holds_its_newest_papers(fixture):
    """The topic page's Atom feed: the topic's newest papers, newest first, as valid Atom."""
    import xml.etree.ElementTree as ET

    from lib.team.views import ViewLink, atom_feed

    table, model = fixture[1], fixture[5]
    dates = to_frame(table)["date"].to_numpy()
    members = model.members(0)
    newest = topics.newest_papers(table, dates, members, 5)
    assert len(newest) == 5 and set(newest.index) <= set(members.tolist())
    shown = newest["date"].to_numpy()
    assert (shown[:-1] >= shown[1:]).all()  # newest first
    assert shown[-1] >= np.sort(dates[members])[-5]  # and nothing newer left out
    assert newest["title"].tolist() == [table["title"][int(r)].as_py() for r in newest.index]

    feed = ET.fromstring(atom_feed("topic: x", ViewLink.parse("http://team.example/topics?topic=0"), newest))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)] == newest["title"].tolist()


def test_placing_papers_puts_the_fitted_papers_where_the_fit_did(fixture):
    """The daily fold-in (vectors in the fit's words, weights and basis; the nearest centre)
    gives the fit's own papers their fitted topics, and a paper with no known word none."""
    import scipy.sparse as sp

    _, _, _, _, index, model = fixture
    presence = topics.presence_in(index, model.terms_)
    dominant, weight = topics._placed(presence, model.term_weight_, model.components_, model.centres_)
    np.testing.assert_array_equal(dominant, model.dominant_)
    np.testing.assert_allclose(weight, model.weight_, rtol=1e-5)
    empty = sp.csr_matrix((2, len(model.terms_)), dtype=np.int8)
    assert list(topics._placed(empty, model.term_weight_, model.components_, model.centres_)[0]) == [-1, -1]


# --- one source's papers (src) -----------------------------------------------------------------------
def test_sizes_shares_and_emerging_count_only_the_sources_papers(fixture):
    """The model stays fitted on every paper; with a member mask (the papers of one source)
    sizes are the theme counts among those papers, read off the fixture (every theme one
    topic), the shares over time and emerging topics count them alone."""
    _, _, themes, frame, _, model = fixture
    mapping = theme_of_topics(model, themes)
    member = np.zeros(len(themes), dtype=bool)
    member[::3] = True  # themes interleave every third day: every third row of one theme...
    member[np.flatnonzero(themes == "cooking")[:5]] = True  # ...plus five cooking papers
    expected = {theme: int(((themes == theme) & member).sum()) for theme in fx.THEMES}
    assert len(set(expected.values())) > 1  # the source's counts differ from the fit's 40 each
    summary = model.summary(member)
    assert {mapping[t]: int(n) for t, n in zip(summary["topic"], summary["papers"])} == expected
    assert summary["share"].tolist() == pytest.approx((summary["papers"] / member.sum()).tolist())
    assert model.summary()["papers"].tolist() == [fx.PER_THEME] * len(fx.THEMES)  # the fit's, unchanged
    for topic in range(model.n_topics):
        assert set(model.members(topic, member)) == set(np.flatnonzero((model.dominant_ == topic) & member))
        assert set(model.representative(model.members(topic, member), 1000)) == set(model.members(topic, member))
    periods = Periods.of(frame["date"], "year", member)
    shares = shares_over_time(model, periods, "year")
    years = frame["date"].dt.year.to_numpy()
    for row in shares.itertuples():
        inside = member & (years == int(row.label))
        assert row.total == inside.sum() and row.papers == ((model.dominant_ == row.topic) & inside).sum()
    daily_periods = Periods.of(frame["date"], "day", member)
    moving = emerging_topics(model, daily_periods)
    days = frame["date"].to_numpy().astype("datetime64[D]")
    end = days[member].max()
    recent = member & (days > end - np.timedelta64(90, "D"))
    for row in moving.itertuples():
        assert row.recent_share == pytest.approx((model.dominant_[recent] == row.topic).mean())


# --- research vocabulary, labels -------------------------------------------------------------------
def test_words_every_theme_uses_are_learned_as_boilerplate_and_never_name_a_topic():
    """Each title also carries one of six words of writing that all three themes use, so they
    pass the title rule: only their even spread over the papers' first grouping sets them aside."""
    from lib.topics import vocabulary as vocab

    rng = random.Random(5)
    writing = ("robust", "scalable", "efficient", "unified", "adaptive", "holistic")
    records = [dict(p, title=f"{p['title']} {rng.choice(writing)}") for p in fx.papers()]
    table, _themes = fx.build_table(records)
    index = TermIndex.build(table)
    generic = {as_term(w) for w in writing}
    assert generic <= set(vocab.candidates(index)[0])  # in titles: candidates, until their spread is measured
    words = vocab.vocabulary(index)
    assert generic.isdisjoint(words.terms)
    assert generic <= {as_term(w) for w in words.boilerplate}
    theme_words = set().union(*(fx.vocabulary_stems(t) for t in fx.THEMES))
    assert theme_words.isdisjoint(as_term(w) for w in words.boilerplate)  # no research word lost
    model = TopicModel(K).fit(index)
    for label in model.labels_ + model.area_labels_:
        assert all(as_term(w) not in generic for w in words_of(label)), label


def test_distinct_key_phrases_drop_repeats_and_abbreviations():
    from lib.topics.labels import distinct, is_acronym_of

    terms = ["printing", "print", "printer", "3d printing", "gaussian splatting", "splatting", "mixture-of-experts"]
    assert distinct(terms + ["moe", "galaxy"], 10) == ["printing", "gaussian splatting", "mixture-of-experts", "galaxy"]
    assert distinct(terms, 2) == ["printing", "gaussian splatting"]
    assert is_acronym_of("llms", ["language", "models"]) and is_acronym_of("lora", ["low", "rank", "adaptation"])
    assert is_acronym_of("moe", ["mixture", "of", "experts"]) and is_acronym_of("3dgs", ["3d", "gaussian", "splatting"])
    assert not is_acronym_of("model", ["deep", "learning"]) and not is_acronym_of("shot", ["few"])


def test_labels_are_unique_even_when_topics_score_alike():
    from lib.topics.labels import labels

    scores = np.array([[3, 2, 1, 0.5], [3, 2, 1, 0.5], [3, 2, 1, 0.5]], dtype=np.float32)
    made = labels(scores, ["galaxy", "telescope", "orbit", "comet"], [7, 8, 9])
    assert made[0] == "Galaxy, telescope" and len({m.lower() for m in made}) == 3
    assert made[1] == "Galaxy, telescope, orbit"


def test_areas_nest_the_fine_topics():
    table, theme_list = fx.build_table(fx.papers())
    themes = np.array(theme_list)
    model = TopicModel(9).fit(TermIndex.build(table))
    assert model.n_topics == 9 and model.n_areas == topics.auto_areas(9) == 3
    areas = model.paper_area_rows()
    np.testing.assert_array_equal(areas, model.area_of_[model.dominant_])
    summary, by_area = model.summary(), model.areas()
    assert by_area["papers"].sum() == summary["papers"].sum() == len(themes)
    for row in by_area.itertuples():
        assert row.papers == summary.loc[summary["area"] == row.area, "papers"].sum()
        assert row.topics == (summary["area"] == row.area).sum()
    # three themes, three areas: each area is one theme's topics
    for a in range(model.n_areas):
        assert len(set(themes[areas == a])) == 1


# --- stable identity ---------------------------------------------------------------------------------
def _theme_ids(model: TopicModel, ids_of_rows, records) -> dict[str, int]:
    truth = fx.themes_by_id(records)
    theme_of_row = np.array([truth[i] for i in ids_of_rows])
    return {theme: int(model.ids_[t]) for t, theme in theme_of_topics(model, theme_of_row).items()}


def test_a_refit_with_new_papers_keeps_every_topics_id_and_name(tmp_path):
    """A month of new papers, then ``build --full``: the same subjects keep their ids (the
    register matches old and new topics) and the names people gave them."""
    from lib.topics import identity
    from lib.trends import terms

    records = fx.papers()
    store = Store(tmp_path / "data")
    _import(store, tmp_path, records[::2], "first")
    ds = load(store)
    first = topics.load_or_fit(store, ds, terms.load_or_build(store, ds), K)
    before = _theme_ids(first, ds.table.column("id").to_pylist(), records)
    assert first.status_ == [""] * K  # the store's first fit: nothing is "new"
    identity.rename(store, "topic", before["cooking"], "Kitchen science", set(first.labels_))
    with pytest.raises(InputError, match="already names"):
        identity.rename(store, "topic", before["astronomy"], "kitchen SCIENCE", set())
    _import(store, tmp_path, records[1::2], "second")
    ds2 = load(store)
    refit = topics.load_or_fit(store, ds2, terms.load_or_build(store, ds2), K, refit=True)
    assert refit.fitted_docs_ == len(records)
    assert _theme_ids(refit, ds2.table.column("id").to_pylist(), records) == before
    assert refit.status_ == [""] * K
    assert identity.names(store)["topic"] == {before["cooking"]: "Kitchen science"}


def test_a_refit_with_more_topics_marks_the_split_and_old_links_find_their_subject(tmp_path):
    from lib.topics import identity
    from lib.trends import terms

    records = fx.papers()
    store = Store(tmp_path / "data")
    _import(store, tmp_path, records, "first")
    ds = load(store)
    index = terms.load_or_build(store, ds)
    three = topics.load_or_fit(store, ds, index, K)
    rows = ds.table.column("id").to_pylist()
    before = _theme_ids(three, rows, records)
    four = topics.load_or_fit(store, ds, index, K + 1)  # one theme now splits in two
    assert set(before.values()) <= set(four.ids_.tolist())  # every subject kept its id
    new = [int(i) for i in four.ids_ if int(i) not in before.values()]
    assert new == [K]  # a new id, never a reused one
    parent = four.status_[four.row_of(K)]
    assert parent.startswith("split from ") and int(parent.split()[-1]) in before.values()
    two = topics.load_or_fit(store, ds, index, 2)  # two themes merge: one id is gone
    gone = sorted(set(before.values()) - set(two.ids_.tolist()))
    assert len(gone) == 1
    found = identity.successor(store, two, "topic", gone[0])
    assert found is not None and found[0] in two.ids_.tolist()
    assert found[1] == identity.register(store)["topic"][str(gone[0])]["label"] != ""
    assert identity.successor(store, two, "topic", 999) is None
