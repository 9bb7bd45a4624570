"""One store version and everything it answers: the table, its indexes and topic models.

A :class:`Library` is the one object the pages, the CLI, the feeds and the digests ask, so
a page, a command and an e-mail give the same answer by construction.  It loads (or builds
once) what a question needs on first use, thread-safely: the app shares one Library per
(data directory, store version) between every session.

    library = Library.open(Store(path))
    library.search_index        # built once per version, then loaded
    library.topic_model(k)      # fitted once per version and k, then loaded
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any

import pandas as pd

from lib.dataset import Dataset, load
from lib.progress import Progress
from lib.search.index import SearchIndex
from lib.store.store import Store
from lib.topics import topics
from lib.trends import terms, trends
from lib.trends.terms import TermIndex


class Library:
    """The dataset of one store version and its derived artifacts, each loaded once."""

    def __init__(self, store: Store, dataset: Dataset) -> None:
        self.store = store
        self.dataset = dataset
        self._lock = threading.RLock()  # one build at a time; a build may need another artifact
        self._models: dict[int, topics.TopicModel] = {}
        self._emerging: dict[tuple[str, int, int], tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]] = {}

    @classmethod
    def open(cls, store: Store) -> Library:
        """The store's current version (or the bundled demo while the store is empty)."""
        return cls(store, load(store))

    @property
    def version(self) -> str:
        return self.dataset.version

    # --- artifacts, loaded or built once ------------------------------------------------
    @cached_property
    def search_index(self) -> SearchIndex:
        from lib.search import index

        with self._lock:
            return index.load_or_build(self.store, self.dataset)

    @cached_property
    def term_index(self) -> TermIndex:
        with self._lock:
            return terms.load_or_build(self.store, self.dataset)

    def auto_k(self) -> int:
        """The number of topics chosen for this table's size."""
        return topics.auto_k(self.dataset.overview.papers)

    def has_topic_model(self, k: int) -> bool:
        """A model with k topics needs no fit: saved for this version, or the demo's (fitted in
        memory in a few seconds)."""
        return k in self._models or self.dataset.is_sample or topics.is_saved(self.store, self.dataset, k)

    def topic_model(self, k: int = 0, progress: Progress | None = None) -> topics.TopicModel:
        """The model with k topics (0: :meth:`auto_k`), fitted once (``progress``: called with a
        step and a share done while fitting) and saved."""
        k = k or self.auto_k()
        with self._lock:
            if k not in self._models:
                self._models[k] = topics.load_or_fit(self.store, self.dataset, self.term_index, k, progress)
            return self._models[k]

    def emerging(self, src: str, recent: int, baseline: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
        """lib.trends.trends.emerging for this version and source, computed once per source and
        windows (seconds at 1M papers): rising terms, fading terms, info; ``info["mixed"]`` says when the windows mix sources."""
        key = (src, recent, baseline)
        with self._lock:
            if key not in self._emerging:
                periods = self.dataset.periods("month", src)
                self._emerging[key] = trends.emerging(self.term_index, periods, recent, baseline, mix=self.dataset.mix)
            return self._emerging[key]
