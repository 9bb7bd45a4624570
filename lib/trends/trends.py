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
* :func:`papers_behind` — the papers behind one point (drill-down);
* :func:`composition` — papers per period by combination of sources (the denominator),
  and which periods are *mixed* (lib.sources.MIX_SHIFT).

Terms syntax (the Trends page's terms field and ``python -m lib trend``), after the Google
Ngram Viewer:

    Separate lines with commas: ``agent, time series, diffus*``.  A term is a word or a
    phrase, matched as whole words in title, abstract and keywords, ignoring case, accents
    and plurals; a trailing ``*`` draws the most frequent completions (``diffus*`` ->
    diffusion, ...).  **Corpora**: ``agent:hf`` counts only the papers of the Hugging Face
    daily list, ``agent:arxiv`` those from arXiv, ``agent:file:NAME`` those of an imported
    file, ``agent:cs.CL`` those whose arXiv categories include cs.CL; its share is within
    that corpus (papers of the corpus mentioning the term / papers of the corpus in the
    period), so ``agent:cs.CL, agent:cs.CV`` or ``agent:hf, agent:arxiv`` compares corpora on
    one chart.  **Union**: ``agent + agents + multi-agent`` counts the papers mentioning any
    of them, each paper once (the union of papers, unlike the Ngram Viewer, which adds
    frequencies).  **Ratio**: ``(diffusion) / (gan)`` draws, per period, the papers
    mentioning the first over the papers mentioning the second (the value drawn is that
    ratio, whatever the Y axis choice; a period without papers of the second side reads
    0).  They combine: ``(agent + agents):hf``, ``(agent) / (llm):cs.CL`` (a corpus after the
    whole line applies to both sides).  A line keeps the label typed.  Slips (unbalanced
    parentheses, an unknown corpus, an empty side of ``+`` or ``/``) skip that line with a
    warning.  Every line counts within the papers chosen by "Papers from" (``src``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib import sources as sources_module
from lib.artifacts import Part, Postings, Rows, join_postings
from lib.daily import period_label
from lib.deadline import NEVER, Deadline
from lib.periods import Mask, Periods, day_at, rows_in_days
from lib.search.analysis import STOP_WORDS, fold, phrase_terms, stem
from lib.search.query import Clause
from lib.search.search import phrase_check
from lib.source_keys import ALL, is_source
from lib.sources import MIX_SHIFT
from lib.store.schema import source_name
from lib.trends.terms import AnyTermIndex, TermIndex, TermKey

MAX_TERMS = 10
PHRASE_ROUND = 1024  # papers whose text a phrase the term index lacks reads between two looks at the deadline
COMPLETIONS = 5
FEW_PAPERS = 30  # a period with fewer papers than this is marked on the chart
GENERIC_SHARE = 0.25  # a term in more than a quarter of all papers is vocabulary, not a topic
TITLE_SHARE = 0.05  # topics are named in titles: "agentic" is, "rather" and "reaches" are not
T = TypeVar("T")


@functools.cache
def function_words() -> frozenset[str]:
    """Words that never make a topic: function words (scikit-learn's English list, plural-
    stripped too).  Made on first use: importing scikit-learn takes a second, and pages that
    never name a topic (the home page, a cold start) should not wait for it."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(STOP_WORDS | ENGLISH_STOP_WORDS | {stem(w) for w in ENGLISH_STOP_WORDS})


def is_topic_term(name: str, index: AnyTermIndex | None = None) -> bool:
    """A 1–3-word term that can be a topic: no function word or number at either end and,
    given the index, both end words named in the titles of at least 5% of their papers."""
    words = name.split(" ")
    ends = (words[0], words[-1])
    if any(w in function_words() or w.isdigit() or w.startswith("qq") for w in ends) or len(name) < 3:
        return False
    return index is None or all(index.title_share(w) >= TITLE_SHARE for w in ends)


# --- terms ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """A line of the chart that is more than one plain term (see the terms syntax above):
    the papers mentioning any of ``terms`` (a union: a paper counts once), divided by the
    papers mentioning any of ``over`` when a ratio, within the papers of ``corpus`` (a
    source, ``hf``, ``arxiv``, ``file:NAME``, or an arXiv category; "" for every paper).
    ``label`` is the line as typed."""

    label: str
    terms: tuple[TermKey, ...]
    over: tuple[TermKey, ...] = ()
    corpus: str = ""

    @property
    def is_ratio(self) -> bool:
        return bool(self.over)

    @property
    def is_phrase(self) -> bool:
        return len(self.terms) == 1 and self.terms[0].is_phrase


Key = TermKey | Line  # what parse_terms returns: a plain term, or a line of the syntax above


def _identity(key: Key) -> tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]], str]:
    """Two spellings of one line ("agent, agents", "a + b, b + a") are drawn once."""
    if isinstance(key, Line):
        return frozenset(k.stems for k in key.terms), frozenset(k.stems for k in key.over), key.corpus
    return frozenset([key.stems]), frozenset(), ""


class _Slip(ValueError):
    """A line that cannot be drawn; its message is the warning shown."""


# a corpus after the last colon: ``agent:hf``, ``(a + b):cs.CL``, ``agent:file:papers.csv``
# (no space after the colon: "BERT: a survey" stays a phrase)
_CORPUS = re.compile(r"^(?P<body>.+?)\s*:(?P<corpus>file:\S.*|[A-Za-z][A-Za-z0-9.\-]*)$")


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def _top_level(text: str, operator: str) -> list[str]:
    """``text`` split at ``operator`` outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == operator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


def _unwrap(text: str) -> str:
    """ "((a + b))" -> "a + b"; "(a) / (b)" stays."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _completions(piece: str, index: AnyTermIndex) -> list[TermKey]:
    prefix = fold(piece.rstrip("*")).strip()
    found = index.completions(prefix, COMPLETIONS) if prefix and " " not in prefix else []
    return [TermKey((stem_,), index.label((stem_,))) for stem_ in found]


def _operands(text: str, index: AnyTermIndex, piece: str) -> list[TermKey]:
    """The terms of one side of a line: ``a + b + c`` (parentheses nest; a prefix* adds
    its completions)."""
    keys: list[TermKey] = []
    for part in _top_level(_unwrap(text), "+"):
        part = _unwrap(part)
        if not part:
            raise _Slip(f"Ignored {piece!r}: one side of + or / is empty.")
        if len(_top_level(part, "/")) > 1:
            raise _Slip(f"Ignored {piece!r}: a ratio (/) inside a sum (+) is not drawn; write (a + b) / (c).")
        if len(_top_level(part, "+")) > 1:
            keys += _operands(part, index, piece)
        elif part.endswith("*"):
            found = _completions(part, index)
            if not found:
                raise _Slip(f"No term starts with {part.rstrip('*')!r}.")
            keys += found
        else:
            stems = tuple(phrase_terms(part))
            if not stems:
                raise _Slip(f"Ignored {piece!r}: no words in {part!r}.")
            keys.append(TermKey(stems, part.lower()))
    return keys


def _distinct(keys: list[TermKey]) -> list[TermKey]:
    """One key per term ("agent + agents" is agent), under its first spelling."""
    first: dict[tuple[str, ...], TermKey] = {}
    for key in keys:
        first.setdefault(key.stems, key)
    return list(first.values())


def _line(piece: str, index: AnyTermIndex, known: dict[str, str] | None) -> list[Key]:
    """One comma-separated piece -> its lines (a prefix* gives several); raises _Slip."""
    if not _balanced(piece):
        raise _Slip(f"Ignored {piece!r}: its parentheses do not match.")
    body, corpus, wanted, found = piece, "", "", _CORPUS.match(piece)
    if found:
        body, wanted = found["body"], found["corpus"]
        corpus = wanted if known is None else known.get(wanted.lower(), "")
        if not corpus:
            raise _Slip(
                f"Ignored {piece!r}: no corpus {wanted!r} here. A corpus is a source "
                f"({', '.join(k for k in (known or {}).values() if is_source(k)) or 'hf, arxiv'}) "
                "or an arXiv category of these papers, like cs.CL."
            )
    if not corpus and not any(c in body for c in "()+/"):  # a plain term, as it always was
        if body.endswith("*"):
            keys = _completions(body, index)
            if not keys:
                raise _Slip(f"No term starts with {body.rstrip('*')!r}.")
            return list(keys)
        stems = tuple(phrase_terms(body))
        if not stems:
            raise _Slip(f"Ignored {piece!r}: no words in it.")
        return [TermKey(stems, piece.lower())]
    sides = _top_level(body, "/")
    if len(sides) > 2:
        raise _Slip(f"Ignored {piece!r}: one / per line, like (a + b) / (c).")
    if corpus and len(sides) == 1 and _unwrap(body).endswith("*") and "+" not in body:  # agen*:hf
        return [Line(f"{key.label}:{wanted}", (key,), (), corpus) for key in _operands(body, index, piece)]
    terms = _distinct(_operands(sides[0], index, piece))
    over = _distinct(_operands(sides[1], index, piece)) if len(sides) == 2 else []
    if len(terms) == 1 and not over and not corpus:  # "(agent)"
        return [TermKey(terms[0].stems, piece.lower())]
    return [Line(piece, tuple(terms), tuple(over), corpus)]


def parse_terms(
    text: str, index: AnyTermIndex, table: pa.Table | None = None, deadline: Deadline = NEVER
) -> tuple[list[Key], list[str]]:
    """Comma-separated lines (the syntax above) -> resolved keys, unique, at most MAX_TERMS,
    and warnings.  A plain term is a :class:`TermKey`; a union, ratio or corpus line a
    :class:`Line`.  Given the ``table``, a corpus must be one of its sources or categories.
    The lines after the first MAX_TERMS terms are not looked up (100 prefixes* took seconds),
    nor any once ``deadline`` has passed."""
    warnings: list[str] = []
    known = corpora(table) if table is not None else None
    first: dict[tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]], str], Key] = {}
    for piece in (text or "").split(","):
        piece = " ".join(piece.split())
        if not piece:
            continue
        if len(first) > MAX_TERMS or (first and deadline.passed()):
            break
        try:
            keys = _line(piece, index, known)
        except _Slip as slip:
            warnings.append(str(slip))
            continue
        for key in keys:  # one line per term ("agent, agents, agen*"), under its first spelling
            first.setdefault(_identity(key), key)
    unique = list(first.values())
    if len(unique) > MAX_TERMS:
        warnings.append(f"Only the first {MAX_TERMS} terms are drawn.")
        unique = unique[:MAX_TERMS]
    return unique, warnings


# --- corpora: a source or an arXiv category ----------------------------------------------------
_MEMO: dict[int, dict[Hashable, Any]] = {}


def _remember(table: object, key: Hashable, compute: Callable[[], T]) -> T:
    """Computed once per table (and forgotten with it): the table's corpora and their rows (or
    once per term index: the words that can start or end a topic term)."""
    memo = _MEMO.get(id(table))
    if memo is None:
        memo = _MEMO[id(table)] = {}
        weakref.finalize(table, _MEMO.pop, id(table), None)
    if key not in memo:
        memo[key] = compute()
    found: T = memo[key]
    return found


def corpora(table: pa.Table) -> dict[str, str]:
    """The corpora a line can name, lower-cased -> as written: the table's sources, then its
    arXiv categories."""

    def compute() -> dict[str, str]:
        names = list(sources_module.counts(table["sources"]))
        flat = pc.list_flatten(table["categories"].combine_chunks()) if table.num_rows else pa.array([], pa.string())
        names += sorted(str(c) for c in pc.unique(flat).to_pylist() if c)
        return {name.lower(): name for name in reversed(names)}  # a source wins over a category of its name

    return _remember(table, "corpora", compute)


def corpus_member(table: pa.Table, corpus: str) -> Mask:
    """Per row, whether the paper is in ``corpus`` (a source, or an arXiv category)."""
    column = "sources" if is_source(corpus) else "categories"
    return _remember(table, ("member", corpus), lambda: sources_module.member(table[column], corpus))


def term_rows(index: AnyTermIndex, table: pa.Table, key: Key, deadline: Deadline = NEVER) -> Rows:
    """Rows of the papers mentioning ``key`` (ascending): indexed n-grams directly, other
    phrases from their words' papers, checked on the text (segment by segment, so the few
    new papers of a daily import are checked, not the whole table).  A :class:`Line`: the
    papers mentioning any of its terms, in its corpus (of a ratio, its first side).  Past
    ``deadline``, a phrase's text is read no further (the rows found so far)."""
    if isinstance(key, Line):
        rows = _union(index, table, key.terms, deadline)
        return rows[corpus_member(table, key.corpus)[rows]] if key.corpus else rows
    if not key.is_phrase:
        return index.unigram_rows(key.stems[0])
    indexed = index.ngram_rows(key.stems) if len(key.stems) <= 3 else None
    if indexed is not None:
        return indexed
    if isinstance(index, TermIndex):
        return _phrase_rows(index, table, key, None, deadline)
    part_of = {id(part.index): part for part in index.parts}
    return join_postings(
        index.parts, lambda seg: Postings(_phrase_rows(seg, table, key, part_of[id(seg)], deadline))
    ).rows


def _phrase_rows(
    index: TermIndex, table: pa.Table, key: TermKey, part: Part[TermIndex] | None, deadline: Deadline = NEVER
) -> Rows:
    """A segment's rows (its own numbering) mentioning the phrase; text checked on the table
    (past ``deadline``, no further: the rows found so far)."""
    indexed = index.ngram_rows(key.stems) if len(key.stems) <= 3 else None
    if indexed is not None:
        return indexed
    stems = sorted(set(key.stems), key=index.papers)
    candidates = index.unigram_rows(stems[0])
    for stem_ in stems[1:]:
        if len(candidates) == 0:
            break
        candidates = np.intersect1d(candidates, index.unigram_rows(stem_), assume_unique=True)
    if len(candidates) == 0:
        return np.empty(0, dtype=np.int64)
    on_table = part.table_rows(candidates) if part is not None else candidates.astype(np.int64)
    clause = Clause(key.stems, index.spelled(key.label), phrase=True)
    keep = np.zeros(len(candidates), dtype=bool)
    for start in range(0, len(candidates), PHRASE_ROUND):  # a deadline is looked at between rounds
        if start and deadline.passed():
            break
        keep[start : start + PHRASE_ROUND] = phrase_check(table, on_table[start : start + PHRASE_ROUND], clause)
    return candidates[keep]


# --- series ------------------------------------------------------------------------------
def smooth_values(values: npt.NDArray[Any], window: int) -> npt.NDArray[np.float64]:
    """Centred moving average over ``window`` periods each side (Ngram Viewer style:
    smooth=2 averages 5 periods); edges average what exists."""
    if window <= 0 or len(values) == 0:
        return values.astype(float)
    return pd.Series(values).rolling(2 * window + 1, center=True, min_periods=1).mean().to_numpy(dtype=np.float64)


def _union(index: AnyTermIndex, table: pa.Table, keys: tuple[TermKey, ...], deadline: Deadline = NEVER) -> Rows:
    """Rows of the papers mentioning any of ``keys``, each once, ascending."""
    found = [term_rows(index, table, key, deadline) for key in dict.fromkeys(keys)]
    if len(found) == 1:
        return found[0]
    inside = np.zeros(table.num_rows, dtype=bool)  # a mask: faster than sorting the joined rows
    for rows in found:
        inside[rows] = True
    return np.flatnonzero(inside)


def _period_totals(periods: Periods, counted: Mask) -> npt.NDArray[np.int64]:
    """Papers per period among the ``counted`` rows."""
    return np.bincount(periods.codes[counted], minlength=len(periods.index))


def _marks(frame: pd.DataFrame) -> dict[str, tuple[bool, str]]:
    """Period label -> (mixed, why), from :func:`composition`."""
    frame = frame.drop_duplicates("label")
    return dict(zip(frame["label"], zip(frame["mixed"].tolist(), frame["why"].tolist())))


def _kept(periods: Periods, key: Hashable, whole_range: bool, compute: Callable[[], T]) -> T:
    """``compute()``, kept with the periods (cached per dataset) when it covers every day."""
    if not whole_range:
        return compute()
    if key not in periods.memo:
        periods.memo[key] = compute()
    kept: T = periods.memo[key]
    return kept


def series(
    index: AnyTermIndex,
    table: pa.Table,
    periods: Periods,
    keys: list[Key],
    by: str,
    norm: str = "share",
    smooth: int = 0,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    mix: tuple[np.ndarray, list[str]] | None = None,
    deadline: Deadline = NEVER,
) -> pd.DataFrame:
    """Tidy series: one row per term and period (empty periods included, as 0): columns
    period, label, term, count, total, share, value, few, ratio, mixed, why.

    A corpus line counts within its corpus (``total``: the corpus's papers); a ratio line's
    ``count`` and ``total`` are the papers of its two sides, its ``share`` and ``value`` their
    ratio (``norm`` does not apply).  Given ``mix`` (lib.sources.mix of the table: each row's
    combination of sources), ``mixed`` and ``why`` say which periods' mix of sources is far
    from the series' own (see :func:`composition`); else they are False and "".  The keys
    after the first are left out once ``deadline`` has passed (a phrase the term index lacks
    is read from the papers' text)."""
    in_range = periods.between(date_from, date_to)
    n = len(periods.index)
    shown = _shown_codes(periods, in_range)
    if shown is None:
        return _empty_series()
    lo, hi = shown
    totals = periods.totals if in_range is periods.member else np.bincount(periods.codes[in_range], minlength=n)
    shown_periods = periods.index[lo : hi + 1]
    period_starts = shown_periods.start_time.astype("datetime64[s]")
    labels = [period_label(p, by) for p in shown_periods]
    marks: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # corpus -> (mixed, why) per period

    def mixed_of(corpus: str) -> tuple[np.ndarray, np.ndarray]:
        if mix is None or periods.member is not None or is_source(corpus):  # one source: nothing mixed
            return np.zeros(hi - lo + 1, dtype=bool), np.full(hi - lo + 1, "", dtype=object)
        if corpus not in marks:
            within = corpus_member(table, corpus) if corpus else None
            found = _kept(
                periods,
                ("mixed", id(mix[0]), corpus),
                date_from is None and date_to is None,
                lambda: _marks(composition(periods, *mix, date_from, date_to, within=within)),
            )
            marks[corpus] = (
                np.array([found.get(label, (False, ""))[0] for label in labels], dtype=bool),
                np.array([found.get(label, (False, ""))[1] for label in labels], dtype=object),
            )
        return marks[corpus]

    frames: list[pd.DataFrame] = []
    for key in keys:
        if frames and deadline.passed():
            break
        line = key if isinstance(key, Line) else None
        counted, total = in_range, totals
        if line is not None and line.corpus:
            inside = corpus_member(table, line.corpus)
            counted = inside if in_range is None else in_range & inside
            total = _kept(
                periods,
                ("totals", id(table), line.corpus),
                in_range is periods.member,
                functools.partial(_period_totals, periods, counted),
            )
        rows = (
            _union(index, table, line.terms, deadline) if line is not None else term_rows(index, table, key, deadline)
        )
        if counted is not None:
            rows = rows[counted[rows]]
        counts = np.bincount(periods.codes[rows], minlength=n)[lo : hi + 1]
        if line is not None and line.is_ratio:
            over = _union(index, table, line.over)
            if counted is not None:
                over = over[counted[over]]
            total = np.bincount(periods.codes[over], minlength=n)
        total = total[lo : hi + 1]
        share = np.divide(counts, total, out=np.zeros(len(counts)), where=total > 0)
        ratio = line is not None and line.is_ratio
        values = share if norm == "share" or ratio else counts.astype(float)
        mixed, why = mixed_of(line.corpus if line is not None else "")
        frames.append(
            pd.DataFrame(
                {
                    "period": period_starts,
                    "label": labels,
                    "term": key.label,
                    "count": counts,
                    "total": total,
                    "share": share,
                    "value": smooth_values(values, smooth),
                    "few": total < FEW_PAPERS,
                    "ratio": ratio,
                    "mixed": mixed,
                    "why": why,
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else _empty_series()


def _empty_series() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.Series([], dtype="datetime64[s]"),
            "label": pd.Series([], dtype=str),
            "term": pd.Series([], dtype=str),
            "count": pd.Series([], dtype="int64"),
            "total": pd.Series([], dtype="int64"),
            "share": pd.Series([], dtype=float),
            "value": pd.Series([], dtype=float),
            "few": pd.Series([], dtype=bool),
            "ratio": pd.Series([], dtype=bool),
            "mixed": pd.Series([], dtype=bool),
            "why": pd.Series([], dtype=object),
        }
    )


def _shown_codes(periods: Periods, in_range: np.ndarray | None) -> tuple[int, int] | None:
    """The first and last period a series over ``in_range`` shows (as :func:`series`)."""
    if in_range is periods.member:
        return (0, len(periods.index) - 1) if in_range is None or in_range.any() else None
    codes = periods.codes[in_range]
    return (int(codes.min()), int(codes.max())) if len(codes) else None


def composition(
    periods: Periods,
    mix_codes: np.ndarray,
    mix_keys: list[str],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    within: np.ndarray | None = None,
    src: str = ALL,
) -> pd.DataFrame:
    """Papers per period by combination of sources (the denominator of the series), over
    the periods and days :func:`series` shows.  Columns: period, label, key (``hf+arxiv``),
    sources (in words: "Hugging Face daily list and arXiv"), papers, total (of the period),
    share (papers / total), and per period ``mixed`` and ``why``: a period is mixed when the
    share of some combination there differs from its share over the whole series by more
    than lib.sources.MIX_SHIFT; ``why`` says it in a sentence.  ``within``: only these rows
    (a corpus).  When ``periods`` count one source (``src``), every paper is that source's:
    one combination, nothing mixed.

    ``mix_codes`` and ``mix_keys`` are lib.sources.mix of the table (lib.dataset.Dataset.mix).
    """
    counted = periods.between(date_from, date_to)
    shown = _shown_codes(periods, counted)
    if within is not None:
        counted = within if counted is None else counted & within
    codes = periods.codes if counted is None else periods.codes[counted]
    if shown is None or not len(codes):
        return _empty_composition()
    lo, hi = shown
    n = hi - lo + 1
    if periods.member is not None:  # one source: its papers are one population
        combos, keys = np.zeros(len(codes), dtype=np.int64), [src]
        names = [source_name(src) if src != ALL else "every source"]
    else:
        combos = mix_codes if counted is None else mix_codes[counted]
        keys, names = list(mix_keys), [sources_module.mix_name(k) for k in mix_keys]
    k = len(keys)
    papers = np.bincount((codes - lo) * k + combos, minlength=n * k).reshape(n, k)
    totals = papers.sum(axis=1)
    shares = np.divide(papers, totals[:, None], out=np.zeros(papers.shape), where=totals[:, None] > 0)
    overall = papers.sum(axis=0) / max(int(papers.sum()), 1)
    shift = np.where(totals[:, None] > 0, np.abs(shares - overall), 0.0)
    worst = shift.argmax(axis=1)
    mixed = (shift.max(axis=1) > MIX_SHIFT) & (periods.member is None)
    why = np.array(
        [
            f"Mixed sources: {shares[t, j]:.0%} {names[j]} here, {overall[j]:.0%} over the series — "
            "a rise may only be a change of what was imported"
            if mixed[t]
            else ""
            for t, j in enumerate(worst)
        ],
        dtype=object,
    )
    period_index = periods.index[lo : hi + 1]
    t, c = np.nonzero(papers)
    return pd.DataFrame(
        {
            "period": period_index[t].start_time.astype("datetime64[s]"),
            "label": [period_label(p, periods.by) for p in period_index[t]],
            "key": [keys[j] for j in c],
            "sources": [names[j] for j in c],
            "papers": papers[t, c],
            "total": totals[t],
            "share": shares[t, c],
            "mixed": mixed[t],
            "why": why[t],
        }
    )


def _empty_composition() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.Series([], dtype="datetime64[s]"),
            "label": pd.Series([], dtype=str),
            "key": pd.Series([], dtype=str),
            "sources": pd.Series([], dtype=str),
            "papers": pd.Series([], dtype="int64"),
            "total": pd.Series([], dtype="int64"),
            "share": pd.Series([], dtype=float),
            "mixed": pd.Series([], dtype=bool),
            "why": pd.Series([], dtype=object),
        }
    )


def mixed_windows(
    mix_codes: np.ndarray, mix_keys: list[str], recent: np.ndarray, baseline: np.ndarray, thing: str = "term"
) -> str:
    """A sentence when the two windows' mixes of sources differ (some combination's share by
    more than lib.sources.MIX_SHIFT), else ""; ``thing``: what rises or fades."""
    k = len(mix_keys)
    r, b = (np.bincount(mix_codes[w], minlength=k) / max(int(w.sum()), 1) for w in (recent, baseline))
    worst = int(np.abs(r - b).argmax()) if k else 0
    if not k or abs(r[worst] - b[worst]) <= MIX_SHIFT:
        return ""
    return (
        f"The two windows hold different sources: {r[worst]:.0%} of the recent papers are from "
        f"{sources_module.mix_name(mix_keys[worst])}, against {b[worst]:.0%} of the baseline's. A {thing} may rise "
        "or fade only because of what was imported: choose a single source to compare like with like."
    )


def period_bounds(periods: Periods, label: str, by: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of the period whose label is ``label``."""
    for period in periods.index:
        if period_label(period, by) == label:
            return period.start_time.date(), period.end_time.date()
    return None


def search_of(key: Key, src: str = ALL) -> tuple[str, dict[str, str]]:
    """The search (lib.search.query syntax) for the papers behind a point of ``key``'s line: the
    query, and the search page's ``cat`` / ``src`` that narrow it to the line's corpus."""
    terms = key.terms if isinstance(key, Line) else (key,)
    query = " OR ".join(f'"{term.label}"' if term.is_phrase else term.label for term in terms)
    corpus = key.corpus if isinstance(key, Line) else ""
    if corpus and not is_source(corpus):
        return query, {"cat": corpus, **({"src": src} if src != ALL else {})}
    return query, ({"src": corpus or src} if (corpus or src) != ALL else {})


def papers_behind(
    index: AnyTermIndex, table: pa.Table, periods: Periods, key: Key, first: dt.date, last: dt.date
) -> Rows:
    """Rows of the papers mentioning ``key`` listed between ``first`` and ``last``."""
    rows = term_rows(index, table, key)
    if periods.member is not None:
        rows = rows[periods.member[rows]]
    return rows_in_days(rows, periods.days, first, last)


# --- emerging and fading terms --------------------------------------------------------------
def _topic_words(index: AnyTermIndex) -> np.ndarray:
    """Per unigram id: can it start or end a topic term (see :func:`is_topic_term`)."""
    titles = np.asarray(index.title_counts(), dtype=np.float64)
    _, papers = index.column_stats("u", [])
    share = np.divide(titles[: len(papers)], papers, out=np.zeros(len(papers)), where=papers > 0)
    stop = function_words()
    words = np.array(
        [not (w in stop or w.isdigit() or w.startswith("qq")) for w in index.unigrams[: len(papers)]], dtype=bool
    )
    topic_words: Mask = words & (share >= TITLE_SHARE)
    return topic_words


def _word_traits(index: AnyTermIndex) -> tuple[Mask, npt.NDArray[np.intp]]:
    """Per unigram id: :func:`_topic_words`, and its length (half a second at 75k papers)."""
    ok_word = _topic_words(index)
    return ok_word, np.array([len(w) for w in index.unigrams[: len(ok_word)]], dtype=np.intp)


def _candidates(
    index: AnyTermIndex, masks: list[np.ndarray]
) -> list[tuple[str, np.ndarray, list[np.ndarray], np.ndarray]]:
    """Topic-like columns of both kinds: ``(kind, columns, counts per mask, papers)``."""
    ok_word, lengths = _remember(index, "topic words", lambda: _word_traits(index))
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


def _name(index: AnyTermIndex, kind: str, column: int) -> str:
    return index.unigrams[column] if kind == "u" else index.ngram_name(column)


def emerging(
    index: AnyTermIndex,
    periods: Periods,
    recent_days: int = 90,
    baseline_days: int = 365,
    min_support: int = 20,
    top: int = 25,
    mix: tuple[np.ndarray, list[str]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Rising and fading 1–3-word terms: recent window (the last ``recent_days`` days with
    papers) against the ``baseline_days`` before it.  Vectorised over every term; only the
    terms shown are named.  Given ``mix`` (lib.sources.mix of the table) and periods of every
    source, ``info["mixed"]`` says when the two windows' mixes of sources differ (see
    :func:`mixed_windows`); else it is ""."""
    end, recent, baseline = periods.windows(recent_days, baseline_days)
    info: dict[str, Any] = {
        "recent_from": day_at(end - recent_days + 1),
        "recent_to": day_at(end),
        "baseline_from": day_at(end - recent_days - baseline_days + 1),
        "baseline_to": day_at(end - recent_days),
        "recent_papers": int(recent.sum()),
        "baseline_papers": int(baseline.sum()),
        "mixed": "",
    }
    if mix is not None and periods.member is None and info["recent_papers"] and info["baseline_papers"]:
        info["mixed"] = mixed_windows(mix[0], mix[1], recent, baseline)
    if info["recent_papers"] == 0 or info["baseline_papers"] == 0:
        return _empty_emerging(), _empty_emerging(), info
    kinds: list[str] = []
    kept: list[npt.NDArray[np.intp]] = []
    y_recent: list[npt.NDArray[np.int64]] = []
    y_base: list[npt.NDArray[np.int64]] = []
    y_all: list[npt.NDArray[np.int64]] = []
    for kind, ok, (r, b), papers in _candidates(index, [recent, baseline]):
        keep = np.flatnonzero(ok & ((r + b) >= min_support) & (papers <= GENERIC_SHARE * index.n_docs))
        kinds += [kind] * len(keep)
        kept.append(keep)
        y_recent.append(r[keep])
        y_base.append(b[keep])
        y_all.append(papers[keep])
    if len(kinds) < 2:  # a term's share of the terms can only change beside another term
        return _empty_emerging(), _empty_emerging(), info
    columns = np.concatenate(kept)
    y_r, y_b, y_a = (np.concatenate(v).astype(float) for v in (y_recent, y_base, y_all))
    n_r, n_b = y_r.sum(), y_b.sum()
    alpha0 = n_r + n_b  # prior as strong as the data, shaped like the whole table
    alpha = alpha0 * y_a / y_a.sum()
    delta = np.log((y_r + alpha) / (n_r + alpha0 - y_r - alpha)) - np.log((y_b + alpha) / (n_b + alpha0 - y_b - alpha))
    z = delta / np.sqrt(1 / (y_r + alpha) + 1 / (y_b + alpha))

    def table_of(order: list[int]) -> pd.DataFrame:
        rows = []
        seen = set()
        for i in order:
            label = index.label(tuple(_name(index, kinds[i], int(columns[i])).split(" ")))
            same = label.replace("-", "").replace(" ", "").lower()  # "held-out" and "held out" are one term
            if same in seen:
                continue
            seen.add(same)
            rows.append(
                {
                    "term": label,
                    "baseline_share": y_b[i] / info["baseline_papers"],
                    "recent_share": y_r[i] / info["recent_papers"],
                    "baseline_papers": int(y_b[i]),
                    "recent_papers": int(y_r[i]),
                    "z": float(z[i]),
                }
            )
            if len(rows) == top:
                break
        frame = pd.DataFrame(
            rows, columns=["term", "baseline_share", "recent_share", "baseline_papers", "recent_papers", "z"]
        )
        frame["change"] = frame["recent_share"] - frame["baseline_share"]
        return frame

    rising = table_of([int(i) for i in np.argsort(-z, kind="stable") if z[i] > 0])
    fading = table_of([int(i) for i in np.argsort(z, kind="stable") if z[i] < 0])
    return rising, fading, info


def _empty_emerging() -> pd.DataFrame:
    return pd.DataFrame(
        columns=["term", "baseline_share", "recent_share", "baseline_papers", "recent_papers", "z", "change"]
    )


FREQUENT_TITLE_SHARE = 0.15  # single words must name topics in titles often to be listed


def frequent_terms(index: AnyTermIndex, top: int = 30) -> pd.DataFrame:
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
            rows.append(
                {
                    "term": index.label(tuple(_name(index, kind, int(j)).split(" "))),
                    "papers": int(papers[j]),
                    "share": papers[j] / max(index.n_docs, 1),
                }
            )
    frame = pd.DataFrame(rows, columns=["term", "papers", "share"])
    return frame.sort_values("papers", ascending=False, kind="stable").head(top).reset_index(drop=True)
