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
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
GENERIC_SHARE = 0.25  # a term in more than a quarter of all papers is vocabulary, not a topic
TITLE_SHARE = 0.05  # topics are named in titles: "agentic" is, "rather" and "reaches" are not


@functools.cache
def function_words() -> frozenset[str]:
    """Words that never make a topic: function words (scikit-learn's English list, plural-
    stripped too).  Made on first use: importing scikit-learn takes a second, and pages that
    never name a topic (the home page, a cold start) should not wait for it."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(STOP_WORDS | ENGLISH_STOP_WORDS | {stem(w) for w in ENGLISH_STOP_WORDS})


def is_topic_term(name: str, index: TermIndex | None = None) -> bool:
    """A 1–3-word term that can be a topic: no function word or number at either end and,
    given the index, both end words named in the titles of at least 5% of their papers."""
    words = name.split(" ")
    ends = (words[0], words[-1])
    if any(w in function_words() or w.isdigit() or w.startswith("qq") for w in ends) or len(name) < 3:
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
    phrases from their words' papers, checked on the text (segment by segment, so the few
    new papers of a daily import are checked, not the whole table)."""
    if not key.is_phrase:
        return index.unigram_rows(key.stems[0])
    rows = index.ngram_rows(key.stems) if len(key.stems) <= 3 else None
    if rows is not None:
        return rows
    segments = index.segments()
    if not hasattr(segments[0], "index"):  # a plain TermIndex
        return _phrase_rows(index, table, key, None)
    from lib.index import Postings, join_postings

    part_of = {id(part.index): part for part in segments}
    return join_postings(segments, lambda seg: Postings(_phrase_rows(seg, table, key, part_of[id(seg)]))).rows


def _phrase_rows(index: TermIndex, table, key: TermKey, part) -> np.ndarray:
    """A segment's rows (its own numbering) mentioning the phrase; text checked on the table."""
    from lib.search import _phrase_check

    rows = index.ngram_rows(key.stems) if len(key.stems) <= 3 else None
    if rows is not None:
        return rows
    candidates = None
    for stem_ in sorted(set(key.stems), key=index.papers):
        found = index.unigram_rows(stem_)
        candidates = found if candidates is None else np.intersect1d(candidates, found, assume_unique=True)
        if len(candidates) == 0:
            return np.empty(0, dtype=np.int64)
    on_table = part.table_rows(candidates) if part is not None else candidates.astype(np.int64)
    keep = _phrase_check(table, on_table, Clause(key.stems, key.label, phrase=True))
    return candidates[keep]


# --- series ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Periods:
    """Every row's period at one granularity, the full run of periods, and which rows
    count (the papers of one source, lib.sources; None: every row)."""

    codes: np.ndarray  # period number of each row (0 = first period; outside ``member``, any number)
    index: pd.PeriodIndex
    days: np.ndarray  # each row's day, as days since 1970
    member: np.ndarray | None = None  # the rows that count

    @classmethod
    def of(cls, dates: pd.Series, by: str, member: np.ndarray | None = None) -> "Periods":
        periods = dates.dt.to_period(PERIOD_CODES[by])
        ordinals = periods.array.asi8
        counted = ordinals[member] if member is not None and member.any() else ordinals
        first, last = (pd.Period(ordinal=int(o), freq=PERIOD_CODES[by]) for o in (counted.min(), counted.max()))
        full = pd.period_range(first, last, freq=PERIOD_CODES[by])
        codes = (ordinals - full[0].ordinal).astype(np.int64)
        days = (dates.to_numpy().astype("datetime64[D]").astype(np.int64))
        return cls(codes, full, days, member)

    @functools.cached_property
    def totals(self) -> np.ndarray:
        """Papers per period (of ``member``)."""
        codes = self.codes if self.member is None else self.codes[self.member]
        return np.bincount(codes, minlength=len(self.index))

    @functools.cached_property
    def counted_days(self) -> np.ndarray:
        """The days of the rows that count."""
        return self.days if self.member is None else self.days[self.member]


def _in_range(periods: Periods, date_from: dt.date | None, date_to: dt.date | None) -> np.ndarray | None:
    """The rows that count between the two days (None: every row counts)."""
    if date_from is None and date_to is None:
        return periods.member
    keep = np.ones(len(periods.days), dtype=bool) if periods.member is None else periods.member.copy()
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
    n = len(periods.index)
    lo, hi = 0, n - 1
    if in_range is periods.member:
        totals = periods.totals
        if in_range is not None and not in_range.any():
            return _empty_series()
    else:
        all_codes = periods.codes[in_range]
        if not len(all_codes):
            return _empty_series()
        totals = np.bincount(all_codes, minlength=n)
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
    if periods.member is not None:
        rows = rows[periods.member[rows]]
    days = periods.days[rows]
    return rows[(days >= (first - EPOCH).days) & (days <= (last - EPOCH).days)]


# --- emerging and fading terms --------------------------------------------------------------
def _topic_words(index: TermIndex) -> np.ndarray:
    """Per unigram id: can it start or end a topic term (see :func:`is_topic_term`)."""
    titles = np.asarray(index.title_counts(), dtype=np.float64)
    _, papers = index.column_stats("u", [])
    share = np.divide(titles[: len(papers)], papers, out=np.zeros(len(papers)), where=papers > 0)
    stop = function_words()
    words = np.array([not (w in stop or w.isdigit() or w.startswith("qq")) for w in index.unigrams[: len(papers)]],
                     dtype=bool)
    return words & (share >= TITLE_SHARE)


def _candidates(index: TermIndex, masks: list[np.ndarray]) -> list[tuple[str, np.ndarray, list[np.ndarray], np.ndarray]]:
    """Topic-like columns of both kinds: ``(kind, columns, counts per mask, papers)``."""
    ok_word = _topic_words(index)
    lengths = np.array([len(w) for w in index.unigrams[: len(ok_word)]])
    found = []
    for kind in ("u", "n"):
        counts, papers = index.column_stats(kind, masks)
        if kind == "u":
            ok = ok_word & (lengths >= 3)
        else:
            first, last = index.ngram_ends()
            inside = (first < len(ok_word)) & (last < len(ok_word))
            ok = inside & ok_word[np.minimum(first, len(ok_word) - 1)] & ok_word[np.minimum(last, len(ok_word) - 1)]
        found.append((kind, ok, counts, papers))
    return found


def _name(index: TermIndex, kind: str, column: int) -> str:
    return index.unigrams[column] if kind == "u" else index.ngram_name(column)


def emerging(index: TermIndex, periods: Periods, recent_days: int = 90, baseline_days: int = 365,
             min_support: int = 20, top: int = 25) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Rising and fading 1–3-word terms: recent window (the last ``recent_days`` days with
    papers) against the ``baseline_days`` before it.  Vectorised over every term; only the
    terms shown are named."""
    end = int(periods.counted_days.max()) if len(periods.counted_days) else 0
    recent = (periods.days > end - recent_days) & (periods.days <= end)
    baseline = (periods.days > end - recent_days - baseline_days) & (periods.days <= end - recent_days)
    if periods.member is not None:
        recent &= periods.member
        baseline &= periods.member
    info = {"recent_from": EPOCH + dt.timedelta(days=end - recent_days + 1), "recent_to": EPOCH + dt.timedelta(days=end),
            "baseline_from": EPOCH + dt.timedelta(days=end - recent_days - baseline_days + 1),
            "baseline_to": EPOCH + dt.timedelta(days=end - recent_days),
            "recent_papers": int(recent.sum()), "baseline_papers": int(baseline.sum())}
    if info["recent_papers"] == 0 or info["baseline_papers"] == 0:
        return _empty_emerging(), _empty_emerging(), info
    kinds, columns, y_recent, y_base, y_all = [], [], [], [], []
    for kind, ok, (r, b), papers in _candidates(index, [recent, baseline]):
        keep = np.flatnonzero(ok & ((r + b) >= min_support) & (papers <= GENERIC_SHARE * index.n_docs))
        kinds += [kind] * len(keep)
        columns.append(keep)
        y_recent.append(r[keep])
        y_base.append(b[keep])
        y_all.append(papers[keep])
    if not kinds:
        return _empty_emerging(), _empty_emerging(), info
    columns = np.concatenate(columns)
    y_r, y_b, y_a = (np.concatenate(v).astype(float) for v in (y_recent, y_base, y_all))
    n_r, n_b = y_r.sum(), y_b.sum()
    alpha0 = n_r + n_b  # prior as strong as the data, shaped like the whole table
    alpha = alpha0 * y_a / y_a.sum()
    delta = (np.log((y_r + alpha) / (n_r + alpha0 - y_r - alpha))
             - np.log((y_b + alpha) / (n_b + alpha0 - y_b - alpha)))
    z = delta / np.sqrt(1 / (y_r + alpha) + 1 / (y_b + alpha))

    def table_of(order: np.ndarray) -> pd.DataFrame:
        rows = []
        seen = set()
        for i in order:
            label = index.label(tuple(_name(index, kinds[i], int(columns[i])).split(" ")))
            same = label.replace("-", "").replace(" ", "").lower()  # "held-out" and "held out" are one term
            if same in seen:
                continue
            seen.add(same)
            rows.append({"term": label, "baseline_share": y_b[i] / info["baseline_papers"],
                         "recent_share": y_r[i] / info["recent_papers"], "baseline_papers": int(y_b[i]),
                         "recent_papers": int(y_r[i]), "z": float(z[i])})
            if len(rows) == top:
                break
        frame = pd.DataFrame(rows, columns=["term", "baseline_share", "recent_share", "baseline_papers",
                                            "recent_papers", "z"])
        frame["change"] = frame["recent_share"] - frame["baseline_share"]
        return frame

    rising = table_of([i for i in np.argsort(-z, kind="stable") if z[i] > 0])
    fading = table_of([i for i in np.argsort(z, kind="stable") if z[i] < 0])
    return rising, fading, info


def _empty_emerging() -> pd.DataFrame:
    return pd.DataFrame(columns=["term", "baseline_share", "recent_share", "baseline_papers", "recent_papers", "z", "change"])


FREQUENT_TITLE_SHARE = 0.15  # single words must name topics in titles often to be listed


def frequent_terms(index: TermIndex, top: int = 30) -> pd.DataFrame:
    """The terms most papers mention (for a table too short for a trend line): phrases,
    and single words that titles use often (so not "approach" or "using")."""
    titles = np.asarray(index.title_counts(), dtype=np.float64)
    rows = []
    for kind, ok, _, papers in _candidates(index, []):
        if kind == "u":
            share = np.divide(titles[: len(papers)], papers, out=np.zeros(len(papers)), where=papers > 0)
            ok = ok & (share >= FREQUENT_TITLE_SHARE)
        for j in np.argsort(-np.where(ok, papers, -1), kind="stable")[:top]:
            if not ok[j]:
                break
            rows.append({"term": index.label(tuple(_name(index, kind, int(j)).split(" "))), "papers": int(papers[j]),
                         "share": papers[j] / max(index.n_docs, 1)})
    frame = pd.DataFrame(rows, columns=["term", "papers", "share"])
    return frame.sort_values("papers", ascending=False, kind="stable").head(top).reset_index(drop=True)
