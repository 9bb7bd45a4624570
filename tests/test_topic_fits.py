"""Topic fits are bounded (issue 25, points 13c and 4d): anyone with a link could make the
server fit a model for every k from 2 to 60 (three at once took 8 minutes each), and a read-only
dashboard wrote each model it fitted.  Now one fit runs at a time in a process (a visitor asking
for another k meanwhile is shown the saved model, told why), and a read-only dashboard offers
only its saved models and never writes one.  On tests/topics_fixture.py's 120 papers."""

from __future__ import annotations

import threading

import pytest
import topics_fixture as fx
from conftest import write_jsonl

from lib.library import Library
from lib.store.importer import import_files
from lib.store.store import Store, input_files
from lib.topics import topics
from lib.urlstate import TOPICS

AUTO = topics.auto_k(fx.PER_THEME * len(fx.THEMES))  # 120 papers -> 4


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    monkeypatch.delenv("PAPERS_READONLY", raising=False)
    source = write_jsonl(tmp_path / "topics.jsonl", fx.plain(fx.papers()))
    import_files(Store(tmp_path / "data"), input_files([str(source)], (".jsonl",)))
    return Store(tmp_path / "data")


def state(k: int) -> dict:
    return {**TOPICS.decode({})[0], "k": k}


def saved_models(store: Store) -> list[str]:
    return sorted(p.name.split("-")[1] for p in store.artifacts_dir.glob(f"{topics.ARTIFACT}-k*"))


def test_a_read_only_dashboard_never_writes_a_topic_model(store, monkeypatch):
    monkeypatch.setenv("PAPERS_READONLY", "1")
    answer = Library.open(store).topics(state(0))  # no model saved: fitted in memory
    assert answer.model.n_topics == AUTO
    assert saved_models(store) == []


def test_a_read_only_dashboard_offers_only_its_saved_models(store, monkeypatch):
    library = Library.open(store)
    library.topic_model(2)  # saved while the store was writable
    monkeypatch.setenv("PAPERS_READONLY", "1")
    library = Library.open(store)
    assert library.topic_ks() == [2, AUTO]
    answer = library.topics(state(5))
    assert answer.model.n_topics == AUTO and answer.state["k"] == 0
    assert [n.text for n in answer.warnings] == [
        f"This dashboard is read-only: only its saved topic models are shown ({AUTO} topics, not 5)."
    ]
    assert library.topics(state(2)).model.n_topics == 2  # a saved one opens
    assert saved_models(store) == ["k2"]


def test_one_fit_at_a_time_others_are_shown_the_saved_model(store):
    library = Library.open(store)
    library.topic_model(0)  # the automatic model, saved
    under_way, finish = threading.Event(), threading.Event()

    def progress(step: str, share: float) -> None:  # the fit of k=5 holds on until the test lets it go
        under_way.set()
        finish.wait(60)

    fitting = threading.Thread(target=library.topic_model, args=(5, progress))
    fitting.start()
    try:
        assert under_way.wait(60)
        answer = library.topics(state(6))
        assert answer.model.n_topics == AUTO and answer.state["k"] == 0
        assert [n.text for n in answer.warnings] == [
            f"A model of topics is being fitted now; showing the saved one ({AUTO} topics, not 6). Try again later."
        ]
    finally:
        finish.set()
        fitting.join(60)
    answer = library.topics(state(6))  # the fit is over: k=6 is fitted now
    assert answer.model.n_topics == 6 and not answer.warnings
    assert saved_models(store) == [f"k{AUTO}", "k5", "k6"]
