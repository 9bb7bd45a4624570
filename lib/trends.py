"""Keyword trends (an Ngram Viewer for papers) and emerging / fading terms.

Every function returns a tidy DataFrame; charts and downloads are made from it.

* :func:`parse_terms` — "agent, time series, diffus*" -> resolved terms (a trailing
  ``*`` expands to the most frequent completions);
* :func:`series` — per term and period: count of papers mentioning it, total papers,
  share = count / total, the value shown (share or count, optionally smoothed) and
  whether the period has too few papers to trust;
* :func:`emerging` — terms whose share rose (or fell) most in a recent window against a
  baseline window, scored by the log-odds ratio with an informative Dirichlet prior
  (Monroe, Colaresi & Quinn 2008), with a minimum support;
* :func:`papers_behind` — the papers behind one point (drill-down).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from lib.analysis import STOP_WORDS, fold, phrase_terms, stem
from lib.daily import PERIOD_CODES, period_label
from lib.query import Clause
from lib.terms import TermIndex, TermKey

MAX_TERMS = 10
COMPLETIONS = 5
FEW_PAPERS = 30  # a period with fewer papers than this is marked on the chart
NORMS = {"share": "Share of papers", "count": "Number of papers"}
BYS = ("day", "week", "month", "quarter", "year")
EPOCH = dt.date(1970, 1, 1)
# Words that never make a topic: function words (scikit-learn's English list, plural-stripped too).
FUNCTION_WORDS = frozenset(STOP_WORDS | ENGLISH_STOP_WORDS | {stem(w) for w in ENGLISH_STOP_WORDS})
GENERIC_SHARE = 0.25  # a term in more than a quarter of all papers is vocabulary, not a topic
TITLE_SHARE = 0.05  # topics are named in titles: "agentic" is, "rather" and "reaches" are not


def is_topic_term(name: str, index: TermIndex | None = None) -> bool:
    """A 1–3-word term that can be a topic: no function word or number at either end and,
    given the index, both end words named in the titles of at least 5% of their papers."""
    words = name.split(" ")
    ends = (words[0], words[-1])
    if any(w in FUNCTION_WORDS or w.isdigit() or w.startswith("qq") for w in ends) or len(name) < 3:
        return False
    return index is None or all(index.title_share(w) >= TITLE_SHARE for w in ends)


# --- terms ------------------------------------------------------------------------------
def parse_terms(text: str, index: TermIndex) -> tuple[list[TermKey], list[str]]:
    """Comma-separated terms -> resolved keys (unique, at most MAX_TERMS) and warnings."""
    keys: list[TermKey] = []
    warnings: list[str] = []
    for piece in (text or "").split(","):
        piece = " ".join(piece.split())
        if not piece:
            continue
        if piece.endswith("*"):
            prefix = fold(piece.rstrip("*")).strip()
            found = index.completions(prefix, COMPLETIONS) if prefix and " " not in prefix else []
            if not found:
                warnings.append(f"No term starts with {piece.rstrip('*')!r}.")
            keys += [TermKey((stem_,), index.label((stem_,))) for stem_ in found]
            continue
        stems = tuple(phrase_terms(piece))
        if not stems:
            warnings.append(f"Ignored {piece!r}: no words in it.")
            continue
        keys.append(TermKey(stems, piece.lower()))
    first: dict[tuple[str, ...], TermKey] = {}
    for key in keys:  # one line per term ("agent, agents, agen*"), under its first spelling
        first.setdefault(key.stems, key)
    unique = list(first.values())
    if len(unique) > MAX_TERMS:
        warnings.append(f"Only the first {MAX_TERMS} terms are drawn.")
        unique = unique[:MAX_TERMS]
    return unique, warnings


def term_rows(index: TermIndex, table, key: TermKey) -> np.ndarray:
    """Rows of the papers mentioning ``key`` (ascending): indexed n-grams directly, other
    phrases from their words' papers, checked on the text."""
    from lib.search import _phrase_check

    if not key.is_phrase:
        return index.unigram_rows(key.stems[0])
    rows = index.ngram_rows(key.stems) if len(key.stems) <= 3 else None
    if rows is not None:
        return rows
    candidates = None
    for stem_ in sorted(set(key.stems), key=index.papers):
        found = index.unigram_rows(stem_)
        candidates = found if candidates is None else np.intersect1d(candidates, found, assume_unique=True)
        if len(candidates) == 0:
            return candidates
    keep = _phrase_check(table, candidates, Clause(key.stems, key.label, phrase=True))
    return candidates[keep]


# --- series ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Periods:
    """Every row's period at one granularity, and the full run of periods."""

    codes: np.ndarray  # period number of each row (0 = first period)
    index: pd.PeriodIndex
    days: np.ndarray  # each row's day, as days since 1970

    @classmethod
    def of(cls, dates: pd.Series, by: str) -> "Periods":
        periods = dates.dt.to_period(PERIOD_CODES[by])
        full = pd.period_range(periods.min(), periods.max(), freq=PERIOD_CODES[by])
        codes = (periods.array.asi8 - full[0].ordinal).astype(np.int64)
        days = (dates.to_numpy().astype("datetime64[D]").astype(np.int64))
        return cls(codes, full, days)


def _in_range(periods: Periods, date_from: dt.date | None, date_to: dt.date | None) -> np.ndarray | None:
    if date_from is None and date_to is None:
        return None
    keep = np.ones(len(periods.days), dtype=bool)
    if date_from:
        keep &= periods.days >= (date_from - EPOCH).days
    if date_to:
        keep &= periods.days <= (date_to - EPOCH).days
    return keep


def smooth_values(values: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average over ``window`` periods each side (Ngram Viewer style:
    smooth=2 averages 5 periods); edges average what exists."""
    if window <= 0 or len(values) == 0:
        return values.astype(float)
    return pd.Series(values).rolling(2 * window + 1, center=True, min_periods=1).mean().to_numpy()


def series(index: TermIndex, table, periods: Periods, keys: list[TermKey], by: str, norm: str = "share",
           smooth: int = 0, date_from: dt.date | None = None, date_to: dt.date | None = None) -> pd.DataFrame:
    """Tidy series: one row per term and period (empty periods included, as 0)."""
    in_range = _in_range(periods, date_from, date_to)
    all_codes = periods.codes if in_range is None else periods.codes[in_range]
    n = len(periods.index)
    totals = np.bincount(all_codes, minlength=n)
    lo, hi = 0, n - 1
    if in_range is not None:
        if not in_range.any():
            return _empty_series()
        lo, hi = int(all_codes.min()), int(all_codes.max())
    frames = []
    for key in keys:
        rows = term_rows(index, table, key)
        if in_range is not None:
            rows = rows[in_range[rows]]
        counts = np.bincount(periods.codes[rows], minlength=n)[lo:hi + 1]
        total = totals[lo:hi + 1]
        share = np.divide(counts, total, out=np.zeros(len(counts)), where=total > 0)
        shown = share if norm == "share" else counts.astype(float)
        frames.append(pd.DataFrame({
            "period": periods.index[lo:hi + 1].start_time.astype("datetime64[s]"),
            "label": [period_label(p, by) for p in periods.index[lo:hi + 1]],
            "term": key.label, "count": counts, "total": total, "share": share,
            "value": smooth_values(shown, smooth), "few": total < FEW_PAPERS,
        }))
    return pd.concat(frames, ignore_index=True) if frames else _empty_series()


def _empty_series() -> pd.DataFrame:
    return pd.DataFrame({"period": pd.Series([], dtype="datetime64[s]"), "label": pd.Series([], dtype=str),
                         "term": pd.Series([], dtype=str), "count": pd.Series([], dtype="int64"),
                         "total": pd.Series([], dtype="int64"), "share": pd.Series([], dtype=float),
                         "value": pd.Series([], dtype=float), "few": pd.Series([], dtype=bool)})


def period_bounds(periods: Periods, label: str, by: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of the period whose label is ``label``."""
    for period in periods.index:
        if period_label(period, by) == label:
            return period.start_time.date(), period.end_time.date()
    return None


def papers_behind(index: TermIndex, table, periods: Periods, key: TermKey, first: dt.date, last: dt.date) -> np.ndarray:
    """Rows of the papers mentioning ``key`` listed between ``first`` and ``last``."""
    rows = term_rows(index, table, key)
    days = periods.days[rows]
    return rows[(days >= (first - EPOCH).days) & (days <= (last - EPOCH).days)]


# --- emerging and fading terms --------------------------------------------------------------
def _window_counts(indptr: np.ndarray, indices: np.ndarray, in_window: np.ndarray) -> np.ndarray:
    """Papers per column whose row is in the window."""
    running = np.concatenate([[0], np.cumsum(in_window[indices], dtype=np.int64)])
    return running[indptr[1:]] - running[indptr[:-1]]


def emerging(index: TermIndex, periods: Periods, recent_days: int = 90, baseline_days: int = 365,
             min_support: int = 20, top: int = 25) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Rising and fading 1–3-word terms: recent window (the last ``recent_days`` days with
    papers) against the ``baseline_days`` before it."""
    end = int(periods.days.max()) if len(periods.days) else 0
    recent = (periods.days > end - recent_days) & (periods.days <= end)
    baseline = (periods.days > end - recent_days - baseline_days) & (periods.days <= end - recent_days)
    info = {"recent_from": EPOCH + dt.timedelta(days=end - recent_days + 1), "recent_to": EPOCH + dt.timedelta(days=end),
            "baseline_from": EPOCH + dt.timedelta(days=end - recent_days - baseline_days + 1),
            "baseline_to": EPOCH + dt.timedelta(days=end - recent_days),
            "recent_papers": int(recent.sum()), "baseline_papers": int(baseline.sum())}
    if info["recent_papers"] == 0 or info["baseline_papers"] == 0:
        return _empty_emerging(), _empty_emerging(), info
    names, y_recent, y_base, y_all = [], [], [], []
    for kind in ("u", "n"):
        indptr, indices = index.all_postings(kind)
        vocabulary = index.unigrams if kind == "u" else index.ngrams
        r = _window_counts(indptr, indices, recent)
        b = _window_counts(indptr, indices, baseline)
        papers = np.diff(indptr)
        for j in np.flatnonzero((r + b) >= min_support):
            name = vocabulary[j]
            if papers[j] > GENERIC_SHARE * index.n_docs or not is_topic_term(name, index):
                continue
            names.append(name)
            y_recent.append(r[j])
            y_base.append(b[j])
            y_all.append(papers[j])
    if not names:
        return _empty_emerging(), _empty_emerging(), info
    y_r, y_b, y_a = (np.array(v, dtype=float) for v in (y_recent, y_base, y_all))
    n_r, n_b = y_r.sum(), y_b.sum()
    alpha0 = n_r + n_b  # prior as strong as the data, shaped like the whole table
    alpha = alpha0 * y_a / y_a.sum()
    delta = (np.log((y_r + alpha) / (n_r + alpha0 - y_r - alpha))
             - np.log((y_b + alpha) / (n_b + alpha0 - y_b - alpha)))
    z = delta / np.sqrt(1 / (y_r + alpha) + 1 / (y_b + alpha))
    labels = [index.label(tuple(name.split(" "))) for name in names]
    table = pd.DataFrame({
        "term": labels,
        "baseline_share": y_b / info["baseline_papers"],
        "recent_share": y_r / info["recent_papers"],
        "baseline_papers": y_b.astype(int), "recent_papers": y_r.astype(int),
        "z": z,
    })
    table["change"] = table["recent_share"] - table["baseline_share"]
    # "held-out" and "held out" are one term: keep the stronger
    table["_same"] = table["term"].str.replace(r"[\s\-]+", "", regex=True).str.lower()
    table = table.sort_values("z", key=abs, ascending=False).drop_duplicates("_same").drop(columns="_same")
    rising = table[table.z > 0].nlargest(top, "z").reset_index(drop=True)
    fading = table[table.z < 0].nsmallest(top, "z").reset_index(drop=True)
    return rising, fading, info


def _empty_emerging() -> pd.DataFrame:
    return pd.DataFrame(columns=["term", "baseline_share", "recent_share", "baseline_papers", "recent_papers", "z", "change"])


FREQUENT_TITLE_SHARE = 0.15  # single words must name topics in titles often to be listed


def frequent_terms(index: TermIndex, top: int = 30) -> pd.DataFrame:
    """The terms most papers mention (for a table too short for a trend line): phrases,
    and single words that titles use often (so not "approach" or "using")."""
    rows = []
    for kind, vocabulary in (("u", index.unigrams), ("n", index.ngrams)):
        indptr, _ = index.all_postings(kind)
        papers = np.diff(indptr)
        for j in np.argsort(-papers, kind="stable")[: top * 4]:
            name = vocabulary[j]
            if not is_topic_term(name, index):
                continue
            if kind == "u" and index.title_share(name) < FREQUENT_TITLE_SHARE:
                continue
            rows.append({"term": index.label(tuple(name.split(" "))), "papers": int(papers[j]),
                         "share": papers[j] / max(index.n_docs, 1)})
    frame = pd.DataFrame(rows, columns=["term", "papers", "share"])
    return frame.sort_values("papers", ascending=False, kind="stable").head(top).reset_index(drop=True)
