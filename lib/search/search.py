"""Running a search: query + filters -> ranked rows, snippets, similar papers.

The index (lib.search.index) gives each term's papers with BM25F scores; here those sets
are intersected rarest first (AND), united (OR), filtered, and ordered.  A quoted phrase is
found through the index's biwords (pairs of adjacent terms); only the rows where the index
cannot tell (phrases of three words or more, a hyphenated word, a field) have their text
read, and only as far as a page needs.  Everything is numpy over row ids of the dataset
table, so a query touches only the papers that hold its terms.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
from dataclasses import dataclass
from itertools import islice, pairwise, product
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.artifacts import Rows
from lib.deadline import NEVER, Deadline
from lib.periods import in_days, paper_days
from lib.search.analysis import MAX_RUN, fold, index_terms, query_term, stem, words
from lib.search.index import BIWORD_FIELDS, AnyIndex
from lib.search.query import MAX_BROADER, Clause, Query, parse
from lib.store.schema import rows_frame, take_rows
from lib.text import md_escape

if TYPE_CHECKING:
    from lib.search.hybrid import Meaning

PAGE_SIZE = 20
MAX_EXPORT = 10_000
Scores = npt.NDArray[np.float32]


@dataclass(frozen=True, eq=False)
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    min_upvotes: int = 0
    category: str | None = None
    member: np.ndarray | None = None  # per row, whether it is of the chosen source (lib.sources); None: all

    @property
    def active(self) -> bool:
        """Whether any filter narrows the papers."""
        return bool(self.date_from or self.date_to or self.min_upvotes > 0 or self.category or self.member is not None)


class Columns:
    """The per-paper arrays a search needs, taken once from the table (shared, read-only)."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.days = paper_days(table["date"])
        upvotes = table["upvotes"].to_numpy(zero_copy_only=False) if table.num_rows else np.empty(0)
        self.upvotes = np.nan_to_num(np.asarray(upvotes, dtype=np.float64), nan=-1).astype(np.int64)
        # all rows, newest first (ties: row order): the browse order of an empty query
        self.newest = np.lexsort((np.arange(table.num_rows), -self.days))


# Reading a row's text for a phrase costs ~5 µs (after ~0.7 ms per read: columns, regex);
# the rows read are the index's unsure ones, nearly all true matches (lib.search.index biwords)
EAGER_CHECKS = 200  # when at most this many candidates have text to read, all are read at once
CHECK_BATCH = 64  # else at least this many candidates are checked per round, as far as shown
MAX_ROUND = 512  # and at most this many in a first round, twice as many in each next up to 8 times
# (~5 ms of reading each first round), so that a deadline is looked at between rounds


@dataclass(frozen=True, eq=False)
class Check:
    """A phrase whose word order only the text of the ``unsure`` rows (ascending) can
    confirm.  Any other candidate row is known: it holds the phrase when ``wanted`` (the rows
    of a phrase are those the index is sure of and the unsure ones), and when not wanted
    (an excluded phrase) it does not (the sure rows were dropped before).  With
    ``alternatives`` (an OR group's phrases, each with its own unsure rows), an unsure row
    passes when one alternative holds it."""

    clause: Clause
    unsure: Rows
    wanted: bool = True
    alternatives: tuple[tuple[Clause, Rows], ...] = ()


class SearchResult:
    """Matching rows in display order, worked out only as far as it is read.

    * Order: the first rows of the display order are found with a partial sort, so
      showing 20 of 300,000 matches does not sort 300,000 rows; reading further
      sorts further.
    * Phrases come from the index (lib.search.index biwords); only rows whose word order
      the index cannot confirm (:class:`Check`) are read.  With few such rows every check
      runs at once and ``total`` is exact; with many, candidates are checked in display
      order only as far as a page or an export needs, and ``total`` is estimated from
      the share that passed (``total_exact`` says which).
    """

    def __init__(
        self,
        query: Query,
        candidates: np.ndarray,
        scores: np.ndarray,
        sort: str,
        checks: list[Check],
        columns: Columns,
        warnings: list[str],
        started: float,
        ordered: bool = False,
        deadline: Deadline = NEVER,
    ) -> None:
        self.query, self.sort, self.warnings = query, sort, warnings
        self.deadline = deadline  # checking stops when it has passed (``total`` is then an estimate)
        if checks and sum(int(_positions(candidates, c.unsure)[0].sum()) for c in checks) <= EAGER_CHECKS:
            keep = _verdicts(columns, candidates, checks)  # few rows to read: all now, the total is exact
            candidates, scores, checks = candidates[keep], scores[keep], []
        self._candidates, self._candidate_scores = candidates, scores
        self._columns = columns
        # the first _ordered candidates of the display order are candidates[_order] (None: as they are)
        self._ordered = len(candidates) if ordered else 0
        self._order: np.ndarray | None = None
        self._checks = checks
        self._checked = 0
        self._rows: list[np.ndarray] = []
        self._scores: list[np.ndarray] = []
        self._kept = 0
        self.ensure(0)
        self.seconds = time.perf_counter() - started

    def _order_prefix(self, count: int) -> None:
        """Find the first ``count`` candidates (at least) of the display order."""
        n = len(self._candidates)
        count = min(n, count)
        if count <= self._ordered:
            return
        # each further read orders at least twice as far; phrase checks go in batches
        count = min(n, max(count, 2 * self._ordered, CHECK_BATCH if self._checks else 0))
        self._order = _top(self._candidates, self._candidate_scores, self._columns, self.sort, count)
        self._ordered = count

    def _display(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Candidates ``start:stop`` of the display order (ordered that far first), and their scores."""
        self._order_prefix(stop)
        if self._order is None:
            return self._candidates[start:stop], self._candidate_scores[start:stop]
        positions = self._order[start:stop]
        return self._candidates[positions], self._candidate_scores[positions]

    def ensure(self, count: int) -> None:
        """Check candidates until ``count`` rows are known to match (or none are left, or the
        deadline has passed after one round)."""
        if not self._checks:
            self._checked = len(self._candidates)
            return
        rounds = 0
        while self._kept < count and self._checked < len(self._candidates):
            if rounds and self.deadline.passed():
                break
            rounds += 1
            wanted = min(max(CHECK_BATCH, 3 * (count - self._kept)), MAX_ROUND << min(rounds - 1, 3))
            stop = min(len(self._candidates), self._checked + wanted)
            rows, scores = self._display(self._checked, stop)
            keep = _verdicts(self._columns, rows, self._checks)
            self._rows.append(rows[keep])
            self._scores.append(scores[keep])
            self._kept += int(keep.sum())
            self._checked = stop

    @property
    def total_exact(self) -> bool:
        return self._checked >= len(self._candidates)

    @property
    def total(self) -> int:
        if not self._checks:
            return len(self._candidates)
        if self.total_exact or self._checked == 0:
            return self._kept if self.total_exact else len(self._candidates)
        return round(len(self._candidates) * self._kept / self._checked)

    def slice(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows ``start:stop`` of the display order, and their scores."""
        if not self._checks:
            return self._display(start, stop)
        self.ensure(stop)
        rows = np.concatenate(self._rows) if self._rows else np.empty(0, dtype=np.int64)
        scores = np.concatenate(self._scores) if self._scores else np.empty(0, dtype=np.float32)
        return rows[start:stop], scores[start:stop]

    @property
    def rows(self) -> np.ndarray:
        """Every matching row (checks and sorts them all)."""
        return self.slice(0, len(self._candidates))[0]


# --- matching --------------------------------------------------------------------------
def _scores(index: AnyIndex, term: str) -> tuple[Rows, Scores]:
    """The papers holding ``term`` in any field, and its BM25F score in each."""
    postings = index.scores(term)
    assert postings.values is not None  # (a term's scores always come with their values)
    return postings.rows, postings.values


def _word_postings(index: AnyIndex, clause: Clause, term: str) -> tuple[Rows, Scores]:
    scored_rows, scores = _scores(index, term)
    if clause.field is None:
        return scored_rows, scores
    rows = index.in_field("title" if clause.field == "title" else "authors", term).rows
    # score of the term in those papers (every field-holder has a score)
    pos = np.searchsorted(scored_rows, rows)
    return rows, scores[pos]


def _positions(rows: np.ndarray, sorted_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``rows`` are in ``sorted_rows`` (a mask), and where (positions, valid where found)."""
    if len(sorted_rows) == 0:
        return np.zeros(len(rows), dtype=bool), np.zeros(len(rows), dtype=np.intp)
    pos = np.searchsorted(sorted_rows, rows)
    pos[pos >= len(sorted_rows)] = 0
    return sorted_rows[pos] == rows, pos


def _intersect(rows: Rows, scores: Scores, other_rows: Rows, other_scores: Scores) -> tuple[Rows, Scores]:
    """Rows in both sorted sets, their scores summed (the smaller set is looked up in the larger)."""
    if len(rows) > len(other_rows):
        rows, scores, other_rows, other_scores = other_rows, other_scores, rows, scores
    keep, pos = _positions(rows, other_rows)
    return rows[keep], scores[keep] + other_scores[pos[keep]]


def _clause_matches(
    index: AnyIndex, columns: Columns, clause: Clause, defer: list[Check] | None = None
) -> tuple[Rows, Scores]:
    """The rows holding a clause, with the sum of its terms' scores.  A phrase's rows whose
    word order the index cannot confirm (:func:`_phrase_rows`) are read here, or, given
    ``defer``, kept with a :class:`Check` added to it (read later, as far as shown).  A
    hyphenated word and its words spaced are one term: the rows of either spelling
    (:func:`_other_spelling`; a row the other spelling holds needs no check)."""
    other = _other_spelling(index, clause)
    if other is None:
        return _spelling_matches(index, columns, clause, defer)
    checks: list[Check] = []
    found = [_spelling_matches(index, columns, c, checks) for c in (clause, other)]
    rows, scores = _union(found)
    for check in checks:
        both = _positions(check.unsure, found[1 if check.clause is clause else 0][0])[0]
        unsure = check.unsure[~both]
        if len(unsure) and defer is not None:
            defer.append(Check(check.clause, unsure))
        elif len(unsure):
            keep = _verdicts(columns, rows, [Check(check.clause, unsure)])
            rows, scores = rows[keep], scores[keep]
    return rows, scores


def _other_spelling(index: AnyIndex, clause: Clause) -> Clause | None:
    """The clause spelled the other way, when it is a hyphenated word of 2–4 parts
    ("chain-of-thought": the phrase "chain of thought") or a phrase of 2–4 plain words whose
    hyphenated spelling a paper has ("fine tuning": fine-tuning); else None."""
    spelled = words(clause.text)
    if not clause.phrase and len(spelled) == 1:
        parts = [p for p in spelled[0].split("-") if p]
        terms = tuple(t for t in (query_term(p) for p in parts) if t)
        if 2 <= len(parts) <= MAX_RUN and len(terms) == len(parts):
            return Clause(terms, " ".join(parts), phrase=True, field=clause.field)
        return None
    if clause.phrase and 2 <= len(spelled) <= MAX_RUN and not any("-" in w for w in spelled):
        joined = query_term("-".join(spelled))
        if joined and index.document_frequency(joined):
            return Clause((joined,), "-".join(spelled), field=clause.field)
    return None


def _spelling_matches(
    index: AnyIndex, columns: Columns, clause: Clause, defer: list[Check] | None = None
) -> tuple[Rows, Scores]:
    """:func:`_clause_matches` of one spelling."""
    if clause.phrase and clause.field is None:
        sure, unsure = _phrase_rows(index, clause)
        rows = _union_rows([sure, unsure])
        scores = np.zeros(len(rows), dtype=np.float32)
        for word in _distinct_words(clause):  # every row holds every word: only scores are added
            rows, scores = _intersect(rows, scores, *_word_scores(index, word))
    else:
        rows, scores = _all_words(index, clause)
        unsure = rows if clause.phrase else rows[:0]  # a field's phrase: all its words, order unknown
    if len(unsure) and defer is not None:
        defer.append(Check(clause, unsure))
    elif len(unsure):
        keep = _verdicts(columns, rows, [Check(clause, unsure)])
        rows, scores = rows[keep], scores[keep]
    return rows, scores


def _all_words(index: AnyIndex, clause: Clause) -> tuple[Rows, Scores]:
    """The rows holding every term of a clause (in its field), intersected rarest first."""
    postings = sorted((_word_postings(index, clause, t) for t in dict.fromkeys(clause.terms)), key=lambda p: len(p[0]))
    rows, scores = postings[0][0], postings[0][1].astype(np.float32, copy=False)  # read only from here on
    for other_rows, other_scores in postings[1:]:
        if len(rows) == 0:
            break
        rows, scores = _intersect(rows, scores, other_rows, other_scores)
    return rows, scores


def _excluded_rows(index: AnyIndex, columns: Columns, clause: Clause, checks: list[Check]) -> Rows:
    """The rows an excluded clause drops for sure; a phrase's unsure rows are dropped later
    if their text holds it (a :class:`Check` added to ``checks``)."""
    deferred: list[Check] = []
    rows, _ = _clause_matches(index, columns, clause, deferred)
    for check in deferred:
        checks.append(Check(check.clause, check.unsure, wanted=False))
        rows = rows[~_positions(rows, check.unsure)[0]]
    return rows


def _verdicts(columns: Columns, rows: Rows, checks: list[Check]) -> npt.NDArray[np.bool_]:
    """Which ``rows`` pass every check: only the unsure ones are read (:func:`phrase_check`),
    each row's text once for all the checks (32 excluded phrases read it once, not 32 times)."""
    keep = np.ones(len(rows), dtype=bool)
    need = np.zeros(len(rows), dtype=bool)
    for check in checks:
        need |= _positions(rows, check.unsure)[0]
    texts: dict[str | None, Any] = {}

    def holds(clauses: list[Clause], mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """Per row of ``mask``, whether one of ``clauses`` (of one field) is in its text."""
        field = clauses[0].field
        if field not in texts:
            texts[field] = phrase_text(columns.table, rows[need], field)
        return phrase_check(columns, rows[mask], clauses, texts[field].filter(pa.array(mask[need])))

    def any_of(pairs: list[tuple[Clause, Rows]], among: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """Per row, whether one of the phrases holds it (each phrase only where it is unsure: a
        row its regex matches is sure or unsure), one regex per field for them all."""
        held = np.zeros(len(rows), dtype=bool)
        for field in dict.fromkeys(clause.field for clause, _ in pairs):
            group = [(clause, maybe) for clause, maybe in pairs if clause.field == field]
            todo = among & ~held
            todo &= np.logical_or.reduce([_positions(rows, maybe)[0] for _, maybe in group])
            if todo.any():
                held[todo] = holds([clause for clause, _ in group], todo)
        return held

    excluded = [(c.clause, c.unsure) for c in checks if not c.wanted and not c.alternatives]
    for check in [c for c in checks if c.wanted]:
        unsure = _positions(rows, check.unsure)[0] & keep  # a row already dropped is not read again
        if unsure.any():
            pairs = list(check.alternatives) or [(check.clause, check.unsure)]
            keep[unsure] &= any_of(pairs, unsure)[unsure]
    if excluded:  # a row holding any excluded phrase is dropped: all of them at once
        keep &= ~any_of(excluded, keep.copy())
    return keep


# --- phrases through the biword index ------------------------------------------------------------
MAX_WAYS = 8  # readings of a phrase with hyphenated words looked up in the index (else: all its words)
Unit = list[str]  # one token (or hyphen-part) of the text: the terms it may be indexed under, its own first


def _word_ways(word: str) -> list[list[Unit]]:
    """The ways a query word stands in the text, as the index sees them (each a list of
    units).  A plain word is one unit: the terms of its forms (:func:`_forms`).  A hyphenated
    word is that unit for its joined form, or its parts one after the other, as
    :func:`_word_pattern` matches them ("fine-tuned": "finetuned", or "fine" then "tuned")."""
    parts = [p for p in word.split("-") if p]
    joined = "".join(parts)
    one: list[Unit] = [list(dict.fromkeys([stem(joined), *sorted(stem(f) for f in _forms(joined))]))]
    return [one] if len(parts) == 1 else [one, [[stem(p)] for p in parts]]


def _phrase_rows(index: AnyIndex, clause: Clause) -> tuple[Rows, Rows]:
    """Where a phrase of no field stands, from the biword index: the rows that hold it for
    sure, and the rows that may (both ascending, apart) — every row the phrase regex matches
    is in one of them.  Sure: two units, each by its own term (a term's every spelling is one
    of the forms the regex allows, lib.search.analysis.stem).  Unsure (their text is read):
    three units or more (each pair is adjacent somewhere, not necessarily in one run), other
    forms of a word ("movies" for "movie": indexed under "movy"), a hyphenated word's parts
    (they may be apart by more than the regex allows); these must hold every term too, as
    every match does."""
    follow: dict[tuple[str, str], Rows] = {}

    def follows(left: Unit, right: Unit, own: bool = False) -> Rows:
        """Rows where a term of ``right`` follows one of ``left`` (``own``: their own terms only)."""
        pairs = [(left[0], right[0])] if own else [(a, b) for a in left for b in right]
        for pair in pairs:
            if pair not in follow:
                follow[pair] = index.biword(*pair).rows
        return _union_rows([follow[pair] for pair in pairs])

    ways = list(islice(product(*(_word_ways(w) for w in words(clause.text))), MAX_WAYS + 1))
    sure, unsure = [], []
    if len(ways) > MAX_WAYS:  # (many hyphenated words) every row with all the words is read
        ways = []
        unsure.append(_all_words(index, clause)[0])
    for way in ways:
        units = [unit for word in way for unit in word]
        if len(units) == 2:
            sure.append(follows(units[0], units[1], own=True))
            if len(units[0]) == len(units[1]) == 1:
                continue
        links = sorted((follows(a, b) for a, b in pairwise(units)), key=len)
        rows = links[0]
        for other in links[1:]:
            rows = rows[_positions(rows, other)[0]]
        unsure.append(rows)
    sure_rows = _union_rows(sure)
    maybe = _union_rows(unsure)
    maybe = maybe[~_positions(maybe, sure_rows)[0]]
    for word in _distinct_words(clause):
        if len(maybe) == 0:
            break
        maybe = maybe[_positions(maybe, _word_scores(index, word)[0])[0]]
    return sure_rows, maybe


def _distinct_words(clause: Clause) -> list[str]:
    """A phrase's words, one per term."""
    return list({query_term(w): w for w in reversed(words(clause.text))}.values())[::-1]


def _word_scores(index: AnyIndex, word: str) -> tuple[Rows, Scores]:
    """The papers holding a word of a phrase, and its score: a hyphenated word's joined term,
    or else all its parts (spaced: "vision language" for "vision-language")."""
    joined = _scores(index, query_term(word) or "")
    parts = [query_term(p) or "" for p in word.split("-") if p]
    if len(parts) < 2:
        return joined
    rows, scores = _scores(index, parts[0])
    for part in parts[1:]:
        rows, scores = _intersect(rows, scores, *_scores(index, part))
    spaced = ~_positions(rows, joined[0])[0]
    return _union([joined, (rows[spaced], scores[spaced])])


def _union_rows(parts: list[Rows]) -> Rows:
    """Rows in any of some ascending sets, ascending (a sort, not np.unique: in numpy 2.4
    that hashes, ~0.4 ms even for 100 rows)."""
    parts = [p for p in parts if len(p)]
    if len(parts) <= 1:
        return parts[0] if parts else np.empty(0, dtype=np.int64)
    rows = np.sort(np.concatenate(parts))
    return rows[np.concatenate(([True], rows[1:] != rows[:-1]))]


def _union(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    if len(parts) == 1:
        return parts[0]
    rows = np.concatenate([p[0] for p in parts])
    scores = np.concatenate([p[1] for p in parts]).astype(np.float32, copy=False)
    order = np.argsort(rows, kind="stable")  # a merge of sorted runs: linear
    rows, scores = rows[order], scores[order]
    if len(rows) == 0:
        return rows, scores
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    return rows[starts], np.add.reduceat(scores, starts)


def _forms(joined: str) -> set[str]:
    """The spellings a query word (its hyphens removed) matches in the text: itself, its
    stem and the stem's plurals (what :func:`_word_pattern` and :func:`_word_ways` allow)."""
    base = stem(joined)
    forms = {joined, base, base + "s"}
    if base.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(base + "es")
    if base.endswith("y"):
        forms.add(base[:-1] + "ies")
    return {form for form in forms if form}


def _word_pattern(word: str) -> str:
    """A regex for one query word: plural- and hyphen-tolerant as the index is (the text
    around is checked for word boundaries by :func:`phrase_regex`).  The index files
    "pre-trained" under "pretrained" too, so any form may have hyphens between its letters;
    a hyphenated query word also matches its parts apart ("fine-tuned": "fine tuned")."""
    parts = [p for p in word.split("-") if p]
    patterns = {"-*".join(map(re.escape, form)) for form in _forms("".join(parts))}
    if len(parts) > 1:
        patterns.add("[-\\t\\n\\f\\r ]?".join(map(re.escape, parts)))  # RE2's \s, the same in every dialect
    return "(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + ")"


# per regex dialect: (flags, not a letter or digit, not one nor the NUL that joins two fields)
_DIALECTS = {
    "re2": ("(?i)", r"[^\p{L}\p{N}]", r"[^\p{L}\p{N}\x00]"),
    "ascii": ("(?i)", r"[^A-Za-z0-9]", r"[^A-Za-z0-9\x00]"),  # for texts of ASCII characters only
    "python": ("", r"[\W_]", r"(?:[^\w\x00]|_)"),  # re's \w: letters, digits and "_"; see _RE2_CASES
}
# On folded (lower-case) text RE2's (?i) still equates these letters with others; the
# "python" dialect matches exactly (re's IGNORECASE would also equate "i" and "ı"), both
# the pattern and the text mapped through this table
_RE2_CASES = str.maketrans("ςᲀᲁᲂᲃᲄᲅᲆᲇᲈ", "σвдосттъѣꙋ")


def phrase_regex(text: str, dialect: str = "re2") -> str:
    """A regex for a phrase: its words adjacent, in order, as whole words, case-insensitive, in
    one of three dialects that match alike: "re2" (Arrow), "ascii" (Arrow, on ASCII texts,
    where letters and digits are [A-Za-z0-9]) and "python" (re, on folded texts through
    ``_RE2_CASES``).  The two last are what :func:`phrase_check` runs: RE2 compiles each
    Unicode class in ~0.7 ms, on every call."""
    parts = [_word_pattern(w) for w in words(text)]
    flags, edge, gap = _DIALECTS[dialect]
    # between words any non-letters, but never the NUL that joins two fields
    return rf"{flags}(?:^|{edge})" + f"{gap}+".join(parts) + rf"(?:$|{edge})"


def _any_regex(clauses: list[Clause], dialect: str) -> str:
    """One regex for any of some phrases (:func:`phrase_regex` of each, as alternatives)."""
    return _regex_of(tuple(c.text for c in clauses), dialect)


@functools.lru_cache(maxsize=256)
def _regex_of(texts: tuple[str, ...], dialect: str) -> str:
    if len(texts) == 1:
        return phrase_regex(texts[0], dialect)
    flags = _DIALECTS[dialect][0]
    return flags + "|".join(f"(?:{phrase_regex(text, dialect).removeprefix(flags)})" for text in texts)


PHRASE_FIELDS = {"title": ("title",), "author": ("authors",), None: BIWORD_FIELDS}


def phrase_text(table: pa.Table, rows: Rows, field: str | None) -> Any:
    """The text a phrase of ``field`` is looked for in, per row: the fields, and a list's
    items, joined by a NUL that no phrase can span."""
    parts = []
    for name in PHRASE_FIELDS[field]:
        column = table[name]
        taken = take_rows(column, rows)
        parts.append(pc.binary_join(taken, "\x00") if pa.types.is_list(taken.type) else taken)  # items apart too
    if len(parts) > 1:
        return pc.binary_join_element_wise(*[pc.fill_null(p, "") for p in parts], "\x00")
    return pc.fill_null(parts[0], "")


def phrase_check(
    columns: Columns | pa.Table, rows: Rows, clause: Clause | list[Clause], text: Any = None
) -> npt.NDArray[np.bool_]:
    """Which candidate rows hold the phrase (or one of a list of phrases of one field, by one
    regex), words adjacent and in order (read from their text, :func:`phrase_text`, unless
    ``text`` is given; see :func:`phrase_regex`)."""
    clauses = clause if isinstance(clause, list) else [clause]
    if len(rows) == 0:
        return np.zeros(0, dtype=bool)
    if text is None:
        text = phrase_text(columns.table if isinstance(columns, Columns) else columns, rows, clauses[0].field)
    # ASCII texts (most) by RE2 as they are; the others (a few in a hundred) folded, by re
    plain = pc.fill_null(pc.string_is_ascii(text), True).to_numpy(zero_copy_only=False)
    found = np.zeros(len(rows), dtype=bool)
    if plain.any():
        hit = pc.match_substring_regex(text.filter(pa.array(plain)), _any_regex(clauses, "ascii"))
        found[plain] = pc.fill_null(hit, False).to_numpy(zero_copy_only=False)
    if not plain.all():
        pattern = re.compile(_any_regex(clauses, "python").translate(_RE2_CASES))  # (re caches it)
        others = text.filter(pa.array(~plain)).to_pylist()
        found[~plain] = [pattern.search(fold(t or "").translate(_RE2_CASES)) is not None for t in others]
    return found


def _filter(rows: Rows, scores: Scores, columns: Columns, index: AnyIndex, filters: Filters) -> tuple[Rows, Scores]:
    if not filters.active:
        return rows, scores
    keep = np.ones(len(rows), dtype=bool) if filters.member is None else filters.member[rows]
    inside = in_days(columns.days[rows], filters.date_from, filters.date_to)
    if inside is not None:
        keep &= inside
    if filters.min_upvotes > 0:
        keep &= columns.upvotes[rows] >= filters.min_upvotes
    if filters.category:
        keep &= _positions(rows, index.in_category(filters.category))[0]
    return rows[keep], scores[keep]


def _sort_keys(rows: Rows, scores: Scores, columns: Columns, sort: str) -> list[npt.NDArray[Any]]:
    """Sort keys, most significant first (ascending = shown first; ties: newest, then row)."""
    days = columns.days[rows]
    if sort == "upvotes":
        return [-columns.upvotes[rows], -scores, -days, rows]
    keys: dict[str, list[npt.NDArray[Any]]] = {
        "relevance": [-scores, -days, rows],
        "newest": [-days, -scores, rows],
        "oldest": [days, -scores, rows],
    }
    return keys[sort]


def _primary_key(rows: Rows, scores: Scores, columns: Columns, sort: str) -> npt.NDArray[Any]:
    """The first of :func:`_sort_keys` alone (for a partial sort of many rows)."""
    if sort == "relevance":
        return -scores
    if sort == "upvotes":
        return -columns.upvotes[rows]
    days = columns.days[rows]
    return -days if sort == "newest" else days


def _top(rows: Rows, scores: Scores, columns: Columns, sort: str, count: int) -> npt.NDArray[np.intp]:
    """Positions of the first ``count`` rows in display order (a partial sort: only the
    rows that can be among the first ``count`` by the primary key are fully sorted)."""
    if count >= len(rows) or len(rows) <= 4 * count:
        return np.lexsort(_sort_keys(rows, scores, columns, sort)[::-1])[:count]
    primary = _primary_key(rows, scores, columns, sort)
    threshold = np.partition(primary, count - 1)[count - 1]
    near = np.flatnonzero(primary <= threshold)  # everything that can be in the first count, ties too
    order = np.lexsort(_sort_keys(rows[near], scores[near], columns, sort)[::-1])
    return near[order][:count]


def search(
    index: AnyIndex,
    columns: Columns,
    query: str | Query,
    filters: Filters = Filters(),
    sort: str = "relevance",
    meaning: Meaning | None = None,
    first: int | None = None,
    deadline: Deadline = NEVER,
) -> SearchResult:
    """All papers matching ``query`` and ``filters``, in ``sort`` order.  Never raises on
    odd queries; an empty query browses (newest first unless another sort is asked).

    ``meaning``: hybrid ranking (lib.search.hybrid): the matches re-ranked by BM25F and
    meaning together, joined by the papers nearest in meaning.  ``first``: a row shown first
    by relevance when it is found (the paper whose exact title the query is).  ``deadline``:
    past it, the groups and alternatives not yet matched are left out and the phrases not yet
    read are not read (a partial result; ``deadline.hit`` says so)."""
    started = time.perf_counter()
    parsed = parse(query) if isinstance(query, str) else query
    checks: list[Check] = []  # phrases whose word order is still to be read from some rows' text
    if parsed.is_empty:
        rows = columns.newest.astype(np.int64)
        scores = np.zeros(len(rows), dtype=np.float32)
        if sort == "relevance":
            sort = "newest"
    else:
        found: tuple[Rows, Scores] | None = None
        groups = sorted(parsed.groups, key=lambda g: sum(index.document_frequency(c.terms[0]) for c in g))
        for group in groups:
            if len(group) == 1:  # a lone phrase: its unsure rows are read last, as far as shown
                matched = _clause_matches(index, columns, group[0], checks)
            else:  # an OR: its phrases read last too, as far as shown (one check for the group)
                matched = _or_matches(index, columns, group, checks, None if found is None else found[0])
            found = matched if found is None else _intersect(*found, *matched)
            if len(found[0]) == 0:
                break
        assert found is not None  # (a query that is not empty has a group)
        rows, scores = found
    excluded = []  # rows of each excluded word (the papers nearest in meaning must not hold one either)
    for clause in parsed.excluded:
        if len(rows) == 0 and meaning is None:
            break
        out_rows = _excluded_rows(index, columns, clause, checks)
        if len(out_rows):
            excluded.append(out_rows)
            keep = ~_positions(rows, out_rows)[0]
            rows, scores = rows[keep], scores[keep]
    rows, scores = _filter(rows, scores, columns, index, filters)
    if meaning is not None and not parsed.is_empty:
        from lib.search.hybrid import fuse_matches

        rows, scores = fuse_matches(index, columns, parsed, filters, rows, scores, meaning, excluded)
    if first is not None and sort == "relevance":
        rows, scores = _pin(rows, scores, first, columns, index, filters)
    ordered = parsed.is_empty and sort == "newest"  # the browse order is precomputed
    return SearchResult(parsed, rows, scores, sort, checks, columns, list(parsed.warnings), started, ordered, deadline)


def _or_matches(
    index: AnyIndex, columns: Columns, group: list[Clause], checks: list[Check], within: Rows | None
) -> tuple[Rows, Scores]:
    """The rows holding one of a group's alternatives (``within``: among these rows only, after
    a narrower group), their scores summed.  The rows that only a phrase's text can confirm
    are not read here: one :class:`Check` with the group's phrases as alternatives is added
    to ``checks`` (reading each alternative at once took seconds for 32 common phrases)."""
    parts, sure, alternatives = [], [], []
    for clause in group:
        deferred: list[Check] = []
        rows, scores = _clause_matches(index, columns, clause, deferred)
        if within is not None:
            rows, scores = _intersect(rows, scores, within, np.zeros(len(within), dtype=np.float32))
        parts.append((rows, scores))
        maybe = _union_rows([c.unsure for c in deferred])
        sure.append(rows[~_positions(rows, maybe)[0]])
        alternatives += [(c.clause, c.unsure) for c in deferred]
    unsure = _union_rows([u for _, u in alternatives])
    unsure = unsure[~_positions(unsure, _union_rows(sure))[0]]  # a row some alternative surely holds passes
    if len(unsure):
        checks.append(Check(group[0], unsure, alternatives=tuple(alternatives)))
    return _union(parts)


def _group_reach(index: AnyIndex, group: list[Clause]) -> int:
    """At most this many papers match ``group`` alone (a clause needs all its terms): 0 when
    every alternative holds a word no paper has."""
    return sum(min(index.document_frequency(t) for t in clause.terms) for clause in group)


def _pin(
    rows: Rows, scores: Scores, first: int, columns: Columns, index: AnyIndex, filters: Filters
) -> tuple[Rows, Scores]:
    """``rows`` with row ``first`` scored above all (added when the filters allow it: a title
    typed with typos holds no word of the index, yet is the paper meant)."""
    pinned, at = _positions(np.array([first], dtype=np.int64), rows)
    top = float(scores.max()) + 1.0 if len(scores) else 1.0
    if pinned[0]:
        scores = scores.copy()
        scores[at[0]] = top
        return rows, scores
    if not len(_filter(np.array([first], dtype=np.int64), np.zeros(1, dtype=np.float32), columns, index, filters)[0]):
        return rows, scores
    where = int(np.searchsorted(rows, first))
    return np.insert(rows.astype(np.int64), where, first), np.insert(scores.astype(np.float32), where, top)


def broader_query(
    index: AnyIndex, columns: Columns, query: Query, filters: Filters = Filters(), deadline: Deadline = NEVER
) -> str | None:
    """A broader query (as text) that finds papers when ``query`` finds none, or None.

    Words no paper holds are dropped first, and the rest is taken when it finds papers.
    Else, among the rest with phrases and fields loosened or exclusions dropped and the rest
    without one group, the one finding most papers (as ever); when none finds any, the
    largest sub-query that does: every way to drop two groups, then three, and so on (the
    rarest groups dropped first), the first size that finds papers winning with the one that
    finds most.  At most :data:`~lib.search.query.MAX_BROADER` searches, none once ``deadline`` has passed."""
    reach = [_group_reach(index, g) for g in query.groups]
    kept = [g for g, r in zip(query.groups, reach) if r > 0]
    if not kept:
        return None
    base = query
    if len(kept) < len(query.groups):  # a word no paper has: without it, the query as typed
        base = Query(kept, list(query.excluded))
        if search(index, columns, base, filters).total:
            return base.show()
        reach = [r for r in reach if r > 0]
    rarest_first = sorted(range(len(kept)), key=lambda i: (reach[i], i))
    best, best_total, best_dropped = None, 0, 0
    for candidate in base.broader_candidates(rarest_first, MAX_BROADER):
        dropped = len(kept) - len(candidate.groups)
        if best is not None and dropped > max(1, best_dropped):
            break  # a larger sub-query found papers (dropping none or one: most papers, as ever)
        if deadline.passed():
            break
        total = search(index, columns, candidate, filters).total
        if total > best_total:
            best, best_total, best_dropped = candidate.show(), total, dropped
    return best


# --- results as a tidy table --------------------------------------------------------------
RESULT_COLUMNS = [
    "id",
    "title",
    "authors",
    "date",
    "upvotes",
    "num_comments",
    "categories",
    "keywords",
    "url",
    "hf_day",
    "github_repo",
    "abstract",
]


def result_frame(result: SearchResult, table: pa.Table, start: int = 0, stop: int | None = None) -> pd.DataFrame:
    """Rows ``start:stop`` of a result as a tidy DataFrame (what pages show and files hold);
    only those rows of ``table`` are read."""
    if stop is None:  # every match (``total`` may be an estimate, below the true count)
        stop = len(result.rows)
    rows, scores = result.slice(start, stop)
    out = rows_frame(table, rows, RESULT_COLUMNS)
    out.insert(0, "rank", np.arange(start + 1, start + 1 + len(rows)))
    out["score"] = np.round(scores.astype(np.float64), 4)
    return out.reset_index(drop=True)


# --- snippets -------------------------------------------------------------------------------
def snippet(text: str, terms: list[str], width: int = 48) -> list[tuple[str, bool]]:
    """The stretch of ``text`` (about ``width`` words) with the most query terms, as
    ``(piece, is_match)`` segments; the whole text when it is short."""
    wanted = set(terms)
    tokens = list(re.finditer(r"\S+", text))
    if not tokens:
        return []
    hits = [any(t in wanted for t in _token_terms(m.group())) for m in tokens]
    start = 0
    if len(tokens) > width and any(hits):
        window = np.convolve(np.array(hits, dtype=int), np.ones(width, dtype=int), mode="valid")
        best = int(np.argmax(window))  # the first best window: its last token is a match
        inside = np.flatnonzero(hits[best : best + width]) + best
        # a few words of context before the first match, never losing the last one
        start = min(max(0, int(inside[0]) - 3, int(inside[-1]) - width + 1), len(tokens) - width)
    chosen = tokens[start : start + width]
    segments: list[tuple[str, bool]] = []
    if start > 0:
        segments.append(("… ", False))
    for match, hit in zip(chosen, hits[start : start + width]):
        segments.append((match.group(), hit))
        segments.append((" ", False))
    if start + width < len(tokens):
        segments.append(("…", False))
    return segments


def _token_terms(token: str) -> list[str]:
    return [t for raw in words(token) for t in index_terms(raw)]


def highlight_markdown(segments: list[tuple[str, bool]]) -> str:
    """Segments as safe markdown: every piece escaped, matches on a highlight."""
    out = []
    for piece, hit in segments:
        escaped = md_escape(piece) if piece.strip() else " "
        out.append(f":orange-background[{escaped}]" if hit and escaped.strip() else escaped)
    return "".join(out).strip()
