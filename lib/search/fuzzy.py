"""Navigational search: a speller over the index vocabulary, "did you mean", and finding a
paper by its title, typed exactly or with typos.

* :class:`Speller` corrects a word to a term of the index.  Candidates come from a
  character-trigram index over the vocabulary (padded trigrams encoded as integers, a CSR
  matrix trigram -> terms, built with numpy in about a second per million terms) and from
  the one-edit neighbours of the word; the best few are checked with an exact, bounded
  Damerau-Levenshtein distance (at most 1 edit for words of up to 4 letters, 2 for longer
  ones) and ranked by distance, then by document frequency.
* :func:`did_you_mean` rewrites a parsed query with its misspelled words corrected,
  keeping its operators, quotes, fields and exclusions.
* :func:`exact_title` finds the papers whose title is the text (folded, with spaces and
  punctuation ignored) in a sorted array of 64-bit hashes, one ``searchsorted``;
  :func:`navigate` also finds a title typed with a typo or two per word: its words and
  their corrections gather candidate papers from the title postings; the hundred holding
  most of them are ranked by character-trigram similarity with the text, and the best ten
  compared with it word by word (:func:`similarity`); it answers only when one title is
  clearly the text, and abstains (None) when two are close.

Everything is built lazily, once per index or table (:func:`speller_for`,
:func:`titles_for`), and read-only after: safe to share between sessions and threads.
"""

from __future__ import annotations

import re
import string
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.search.analysis import _PY_TOKEN, STOP_WORDS, fold, normalize, phrase_terms, query_term, stem, words
from lib.search.index import AnyIndex, SegmentedIndex
from lib.search.query import Clause, Query
from lib.store.schema import take_rows

# --- the speller ------------------------------------------------------------------------------------
SHORT_WORD = 4  # words of at most this many letters are corrected by one edit, longer words by up to two
MIN_WORD = 3  # shorter words are never corrected: every two-letter string is one edit from dozens of terms
MAX_WORD = 40  # nor longer ones (no typo of a word; its one-edit strings would grow with the square)
TRIGRAM_CANDIDATES = 48  # the terms sharing most trigrams with a word whose distance is computed exactly
CACHED_WORDS = 20_000  # corrections kept per speller (words are asked again: every keystroke, every page)
# A word the index knows is still taken for a typo when it is rare (at most RARE_DF papers), long
# (KNOWN_MIN_LENGTH letters) and one edit from a term KNOWN_RATIO times more frequent: abstracts hold
# typos too ("tranformer" is in one paper of the 75k corpus, "transformer" in 6,486).  Measured on the
# 75k corpus: of 600 random rare terms of 6+ letters this corrects 5 ("computea", "transfir", "shortv",
# "shange"; wrongly "sowing"); a ratio of 50 at any distance would correct one rare term in five, mostly
# names and real words ("locust" -> "robust", "ceding" -> "coding").
RARE_DF = 3
KNOWN_RATIO = 1000
KNOWN_MIN_LENGTH = 6
# A term one edit further wins over a nearer one FURTHER_RATIO times rarer (the nearer is most likely
# someone else's typo).
FURTHER_RATIO = 50
_PAD_START, _PAD_END = "\x02", "\x03"


@dataclass(frozen=True)
class Correction:
    term: str
    distance: int
    df: int  # papers holding the term


def max_distance(term: str) -> int:
    """Edits allowed to correct ``term``: 1 up to :data:`SHORT_WORD` letters, else 2."""
    return 1 if len(term) <= SHORT_WORD else 2


def edit_distance(a: str, b: str, bound: int) -> int:
    """The Damerau-Levenshtein distance of ``a`` and ``b`` (insertions, deletions,
    substitutions and transpositions of neighbours, each one edit, in any combination: a
    transposition followed by an insertion between its letters is two), or ``bound + 1``
    when it exceeds ``bound`` (Lowrance-Wagner, stopped at the first row above the bound: a
    transposition's jump over rows costs at least what the rows cost).

    >>> edit_distance("decodng", "decoding", 2), edit_distance("framework", "frmgaework", 2)
    (1, 2)
    """
    la, lb = len(a), len(b)
    over = bound + 1
    if abs(la - lb) > bound:
        return over
    if a == b:
        return 0
    far = la + lb
    # rows of d[i + 1][j + 1] = distance of a[:i], b[:j]; row 0 and column 0 are "far" sentinels
    d = [[far] * (lb + 2)] + [[far, i] + [0] * lb for i in range(la + 1)]
    d[1] = [far] + list(range(lb + 1))
    last_row: dict[str, int] = {}  # the last row of a where each character was
    for i in range(1, la + 1):
        ai = a[i - 1]
        last_col = 0  # the last column of b in this row where b matched ai
        row, above = d[i + 1], d[i]
        lowest = row[1]
        for j in range(1, lb + 1):
            bj = b[j - 1]
            i1, j1 = last_row.get(bj, 0), last_col
            if ai == bj:
                cost, last_col = 0, j
            else:
                cost = 1
            value = min(
                above[j] + cost,
                row[j] + 1,
                above[j + 1] + 1,
                d[i1][j1] + (i - i1 - 1) + 1 + (j - j1 - 1),
            )
            row[j + 1] = value
            if value < lowest:
                lowest = value
        if lowest > bound:
            return over
        last_row[ai] = i
    return min(d[la + 1][lb + 1], over)


def _one_edit(word: str) -> set[str]:
    """Every string one edit from ``word``: a deletion, a transposition of neighbours, or a
    substitution or insertion of a letter ``a-z`` or one of the word's own letters."""
    letters = set(string.ascii_lowercase if word.isascii() else string.ascii_lowercase + word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


def _base_vocabulary(index: AnyIndex) -> dict[str, int]:
    """Term -> position in :meth:`~lib.search.index.SearchIndex.vocabulary_frequencies`
    for the terms of the base index (a segmented index lists the base's terms first)."""
    base = index.parts[0].index if isinstance(index, SegmentedIndex) else index
    return base.vocabulary


class Speller:
    """Corrections of a word to the terms of ``index`` (see the module docstring).

    Construction is free; the trigram index is built on first use (a lock makes it once),
    then only read.  The index is held weakly (keep it alive while the speller is used):
    cache one speller per index with :func:`speller_for`."""

    def __init__(self, index: AnyIndex) -> None:
        self._index = weakref.ref(index)
        self._lock = threading.Lock()
        self._built = False
        self._cache: dict[tuple[str, int], list[Correction]] = {}  # corrections of words asked before

    def _build(self) -> None:
        with self._lock:
            if self._built:
                return
            index = self._index()
            terms, df = index.vocabulary_frequencies() if index is not None else ([], np.zeros(0, dtype=np.int64))
            n = len(terms)
            self._vocabulary = _base_vocabulary(index) if index is not None else {}
            self._extra = {t: len(self._vocabulary) + i for i, t in enumerate(terms[len(self._vocabulary) :])}
            lengths = np.fromiter(map(len, terms), dtype=np.int32, count=n)
            # speller ids number the terms by length: the terms of a length range are an id range
            order = np.argsort(lengths, kind="stable")
            self._rank = np.empty(n, dtype=np.int64)
            self._rank[order] = np.arange(n)
            self._terms = [terms[i] for i in order.tolist()]
            self._df = np.asarray(df, dtype=np.int64)[order]
            self._lengths = lengths[order]
            keys, owners = _trigrams(self._terms, self._lengths)
            self._alphabet, self._radix = keys.alphabet, keys.radix
            self._keys, self._indptr, self._owners = keys.keys, keys.indptr, owners
            self._built = True

    def _ensure(self) -> None:
        if not self._built:
            self._build()

    @property
    def nbytes(self) -> int:
        """Memory of the speller's arrays (the terms and their dictionary are the index's)."""
        self._ensure()
        arrays = (self._rank, self._df, self._lengths, self._keys, self._indptr, self._owners)
        return sum(a.nbytes for a in arrays) + 8 * len(self._terms)

    def _id(self, term: str) -> int | None:
        j = self._vocabulary.get(term)
        if j is None:
            j = self._extra.get(term)
        return None if j is None else int(self._rank[j])

    def frequency(self, term: str) -> int:
        """Papers holding ``term`` (0 for a word the index does not know)."""
        self._ensure()
        j = self._id(term)
        return 0 if j is None else int(self._df[j])

    def _trigram_neighbours(self, term: str, bound: int) -> npt.NDArray[np.int64]:
        """Speller ids of the :data:`TRIGRAM_CANDIDATES` terms of a length within ``bound`` of
        ``term``'s that share most padded trigrams with it (more frequent first among equals)."""
        codes = [self._alphabet.get(c, -1) for c in _PAD_START + term + _PAD_END]
        windows = {(a, b, c) for a, b, c in zip(codes, codes[1:], codes[2:]) if min(a, b, c) >= 0}
        if not windows:
            return np.zeros(0, dtype=np.int64)
        wanted = np.array(sorted((a * self._radix + b) * self._radix + c for a, b, c in windows), dtype=np.int64)
        at = np.searchsorted(self._keys, wanted)
        inside = at < len(self._keys)
        at = at[inside][self._keys[at[inside]] == wanted[inside]]
        low = int(np.searchsorted(self._lengths, len(term) - bound, "left"))
        high = int(np.searchsorted(self._lengths, len(term) + bound, "right"))
        pieces = []
        reach = np.array([low, high], dtype=self._owners.dtype)
        for start, stop in zip(self._indptr[at].tolist(), self._indptr[at + 1].tolist()):
            owners = self._owners[start:stop]  # a trigram's terms: those of a length within reach
            first, last = np.searchsorted(owners, reach).tolist()
            pieces.append(owners[first:last])
        if not pieces:
            return np.zeros(0, dtype=np.int64)
        ids, shared = np.unique(np.concatenate(pieces), return_counts=True)
        if len(ids) > TRIGRAM_CANDIDATES:
            ids = ids[np.lexsort((-self._df[ids], -shared))[:TRIGRAM_CANDIDATES]]
        return ids.astype(np.int64)

    def corrections(self, term: str, limit: int = 3, edits: int | None = None) -> list[Correction]:
        """Terms of the index within :func:`max_distance` of ``term`` (not ``term`` itself, never
        a stop word), best first: by distance, then by document frequency, except that a term
        one edit further wins over a nearer one it is :data:`FURTHER_RATIO` times more frequent
        than.  Every term one edit away is found (from the word's one-edit strings); terms two
        edits away come from the trigram neighbours, and are listed only when no term is one
        edit away or they are :data:`FURTHER_RATIO` times more frequent than the best that is.
        ``edits`` lowers the bound (1: only the cheap one-edit terms)."""
        if not term or len(term) > MAX_WORD:
            return []
        bound = max_distance(term) if edits is None else min(edits, max_distance(term))
        cached = self._cache.get((term, bound))
        if cached is not None:
            return cached[:limit]
        self._ensure()
        found: dict[str, Correction] = {}
        vocabulary, extra = self._vocabulary, self._extra
        for candidate in [t for t in _one_edit(term) if t in vocabulary or t in extra]:
            j = self._id(candidate)
            if j is not None and candidate not in STOP_WORDS:
                found[candidate] = Correction(candidate, 1, int(self._df[j]))
        nearest_df = max((c.df for c in found.values()), default=0)
        if bound > 1 or not term.isascii():  # (one edit of a Latin word is found above)
            for j in self._trigram_neighbours(term, bound).tolist():
                candidate, df = self._terms[j], int(self._df[j])
                if candidate in found or candidate == term or candidate in STOP_WORDS or df == 0:
                    continue
                if nearest_df and df < FURTHER_RATIO * nearest_df:
                    continue  # two edits away and not frequent enough to beat a one-edit correction
                distance = edit_distance(term, candidate, bound)
                if distance <= bound:
                    found[candidate] = Correction(candidate, distance, df)
        ranked = sorted(found.values(), key=lambda c: (c.distance, -c.df, c.term))
        if len(ranked) > 1:
            further = [c for c in ranked if c.distance > ranked[0].distance]
            winner = max(further, key=lambda c: c.df, default=None)
            if winner is not None and winner.df >= FURTHER_RATIO * ranked[0].df:
                ranked.remove(winner)
                ranked.insert(0, winner)
        if len(self._cache) > CACHED_WORDS:
            self._cache.clear()
        self._cache[(term, bound)] = ranked
        return ranked[:limit]

    def correct(self, term: str) -> str | None:
        """The term ``term`` is a misspelling of, or None.  A misspelling: no paper holds
        ``term``, or it is a rare long word one edit from a far more frequent term (see
        :data:`KNOWN_RATIO`).  Words of fewer than :data:`MIN_WORD` or more than
        :data:`MAX_WORD` letters, words with digits and stop words are never corrected."""
        if not MIN_WORD <= len(term) <= MAX_WORD or not term.isalpha() or term in STOP_WORDS:
            return None
        df = self.frequency(term)
        if df > RARE_DF or (df and len(term) < KNOWN_MIN_LENGTH):
            return None
        best = self.corrections(term, 1)
        if not best:
            return None
        if df == 0 or (best[0].distance == 1 and best[0].df >= KNOWN_RATIO * df):
            return best[0].term
        return None


@dataclass(frozen=True)
class _TrigramKeys:
    keys: npt.NDArray[np.int64]  # distinct trigram codes, ascending
    indptr: npt.NDArray[np.int64]  # the terms of keys[k] are owners[indptr[k]:indptr[k + 1]]
    alphabet: dict[str, int]  # character -> its dense code
    radix: int


def _trigrams(terms: list[str], lengths: npt.NDArray[np.int32]) -> tuple[_TrigramKeys, npt.NDArray[np.int32]]:
    """The padded trigrams of every term as a CSR matrix (trigram code -> term ids), vectorised:
    the terms are joined into one UTF-32 buffer, each character mapped to a dense code, and
    each trigram is ``(a * radix + b) * radix + c``."""
    n = len(terms)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _TrigramKeys(empty, np.zeros(1, dtype=np.int64), {}, 1), np.zeros(0, dtype=np.int32)
    joined = _PAD_START + (_PAD_END + _PAD_START).join(terms) + _PAD_END
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    present = np.flatnonzero(np.bincount(codes))  # the alphabet (a few hundred characters)
    lookup = np.zeros(int(present[-1]) + 1, dtype=np.int64)
    lookup[present] = np.arange(len(present))
    dense = lookup[codes]
    radix = len(present)
    padded = lengths.astype(np.int64) + 2
    owner = np.repeat(np.arange(n, dtype=np.int32), padded)
    inside = owner[:-2] == owner[2:]  # the three characters belong to one term
    keys = ((dense[:-2] * radix + dense[1:-1]) * radix + dense[2:])[inside]
    owners = owner[:-2][inside]
    del dense, owner, inside
    if radix**3 * n < 2**62:
        combined = np.sort(keys * n + owners)  # by trigram, then term (np.unique hashes: slower)
        combined = combined[np.concatenate(([True], combined[1:] != combined[:-1]))]
        keys, owners64 = np.divmod(combined, n)
        owners = owners64.astype(np.int32)
    else:  # a vocabulary of many scripts: sort the pairs instead
        order = np.lexsort((owners, keys))
        keys, owners = keys[order], owners[order]
        keep = np.ones(len(keys), dtype=bool)
        keep[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
        keys, owners = keys[keep], owners[keep]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    indptr = np.append(starts, len(keys)).astype(np.int64)
    alphabet = {chr(int(c)): i for i, c in enumerate(present)}
    return _TrigramKeys(keys[starts].astype(np.int64), indptr, alphabet, radix), owners


_SPELLERS: weakref.WeakKeyDictionary[Any, Speller] = weakref.WeakKeyDictionary()
_SPELLERS_LOCK = threading.Lock()


def speller_for(index: AnyIndex) -> Speller:
    """The speller of ``index``, one per index (built on first use, dropped with the index)."""
    with _SPELLERS_LOCK:
        speller = _SPELLERS.get(index)
        if speller is None:
            speller = _SPELLERS[index] = Speller(index)
        return speller


# --- did you mean -------------------------------------------------------------------------------
def _plural(word: str) -> str:
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def _styled(typed: str, term: str, correction: str) -> str:
    """``correction`` written as ``typed`` was: plural when it was (the index strips plurals),
    capitalised or upper-case when it was."""
    joined = fold(typed).replace("-", "")
    if stem(joined) != joined and stem(_plural(correction)) == correction:
        correction = _plural(correction)
    if len(typed) > 1 and typed.isupper():
        return correction.upper()
    if typed[:1].isupper():
        return correction[:1].upper() + correction[1:]
    return correction


def _corrected_text(text: str, speller: Speller) -> str:
    """``text`` with each misspelled word replaced (everything else kept as typed)."""

    def fix(match: re.Match[str]) -> str:
        typed = match.group()
        term = query_term(typed)
        correction = speller.correct(term) if term else None
        if correction is None:
            return typed
        parts = typed.split("-")
        if len(parts) > 1:  # "fine-tunng": "fine-tuning" rather than "finetuning", when that is a term
            fixed = "-".join(
                _styled(p, c, c) if p and (c := speller.correct(query_term(p) or "")) else p for p in parts
            )
            if fixed != typed and speller.frequency(query_term(fixed) or ""):
                return fixed
        return _styled(typed, term or "", correction)

    return _PY_TOKEN.sub(fix, text)


def _corrected_clause(clause: Clause, speller: Speller) -> Clause:
    text = _corrected_text(clause.text, speller)
    if text == clause.text:
        return clause
    return Clause(tuple(phrase_terms(text)) or clause.terms, text, clause.phrase, clause.field)


def did_you_mean(query: Query, speller: Speller) -> str | None:
    """The query, as text, with each misspelled word (see :meth:`Speller.correct`) corrected:
    its operators, quotes, fields and exclusions kept, the other words as typed (plain stop
    words the parser dropped stay dropped).  None when nothing changes."""
    if query.is_empty and not query.excluded:
        return None
    groups = [[_corrected_clause(c, speller) for c in group] for group in query.groups]
    excluded = [_corrected_clause(c, speller) for c in query.excluded]
    if groups == query.groups and excluded == query.excluded:
        return None
    return Query(groups, excluded).show()


# --- titles ---------------------------------------------------------------------------------------
MAX_TITLE_CHARS = 400  # a longer text is not a title (titles of the corpus stay under 300 characters)
_SQUASH = r"[^\p{L}\p{N}]+"
_NOT_ALNUM = re.compile(r"[\W_]+")  # Python's word characters but "_": the letters and digits of _SQUASH


def _squashed(strings: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Titles as compared exactly: folded, with every space and punctuation mark removed."""
    return pc.replace_substring_regex(normalize(pc.fill_null(strings, "")), _SQUASH, "")


def _squash_text(text: str) -> str:
    """One text squashed as :func:`_squashed` does it in Arrow (fold, keep letters and digits)."""
    return _NOT_ALNUM.sub("", fold(text))


def _hashes(strings: pa.Array) -> npt.NDArray[np.uint64]:
    values = np.asarray(strings.to_numpy(zero_copy_only=False), dtype=object)
    hashed: npt.NDArray[np.uint64] = pd.util.hash_array(values, categorize=False)
    return hashed


class Titles:
    """The titles of a table as a sorted array of 64-bit hashes of their squashed form (folded,
    no spaces or punctuation): an exact title is found by one ``searchsorted``.  Built on first
    use (about a second per million papers), then only read.  The table is held weakly."""

    def __init__(self, table: pa.Table) -> None:
        self._table = weakref.ref(table)
        self._lock = threading.Lock()
        self._built = False

    def _build(self) -> None:
        with self._lock:
            if self._built:
                return
            table = self._table()
            column = table["title"] if table is not None else pa.chunked_array([], pa.string())
            squashed = _squashed(column.combine_chunks() if column.num_chunks != 1 else column.chunk(0))
            hashes = _hashes(squashed)
            rows = np.flatnonzero(pc.greater(pc.utf8_length(squashed), 0).to_numpy(zero_copy_only=False))
            order = np.argsort(hashes[rows], kind="stable")
            self._rows = rows[order].astype(np.int64)
            self._sorted = hashes[self._rows]
            self._built = True

    def rows(self, text: str) -> npt.NDArray[np.int64]:
        """Rows whose title is ``text`` (folded, spaces and punctuation ignored), ascending."""
        none = np.zeros(0, dtype=np.int64)
        key = _squash_text(text) if text and len(text) <= MAX_TITLE_CHARS else ""
        table = self._table()
        if not key or table is None:
            return none
        if not self._built:
            self._build()
        wanted = _hashes(pa.array([key]))[0]
        lo, hi = np.searchsorted(self._sorted, wanted, "left"), np.searchsorted(self._sorted, wanted, "right")
        if lo == hi:
            return none
        rows = np.sort(self._rows[lo:hi])  # a 64-bit collision is unlikely, but cheap to rule out
        same = [_squash_text(title or "") == key for title in take_rows(table["title"], rows).to_pylist()]
        found: npt.NDArray[np.int64] = rows[np.array(same, dtype=bool)]
        return found


_TITLES: dict[int, Titles] = {}  # by id of the table (an Arrow table is not hashable)
_TITLES_LOCK = threading.Lock()


def titles_for(table: pa.Table) -> Titles:
    """The title lookup of ``table``, one per table (built on first use, dropped with the table)."""
    with _TITLES_LOCK:
        titles = _TITLES.get(id(table))
        if titles is None or titles._table() is not table:
            titles = _TITLES[id(table)] = Titles(table)
            weakref.finalize(table, _TITLES.pop, id(table), None)
        return titles


def exact_title(table: pa.Table, text: str, titles: Titles | None = None) -> npt.NDArray[np.int64]:
    """Rows of the papers whose title is ``text`` exactly (folded; spaces and punctuation
    ignored), ascending; usually one, none for an ordinary query."""
    return (titles or titles_for(table)).rows(text)


# --- typo-tolerant titles ----------------------------------------------------------------------------
POOL_WORDS = 5  # candidates are the papers with one of the 5 rarest words in their title (or a correction)
MAX_CANDIDATES = 100  # of which the ones with most words are compared with the text
RERANKED = 10  # of which the ones nearest by trigrams are compared word by word
LONG_WORD = 5  # a word this long (or with a digit) of the text or of the title must have a match in the other
_DIGITS = re.compile(r"\D+")
MAX_CORRECTIONS = 3  # corrections of an unknown word searched in titles
# A fuzzy title is taken when its similarity() with the text is at least MIN_SIMILARITY and MARGIN
# above the next title's.  Measured on 400 texts of each kind (typos made as tests/test_search_fuzzy.py
# makes them), on the demo / the 75k corpus: titles with 1-2 typos in every word of 4+ letters are
# found 1.0 / 0.995 of the time, never a wrong paper; a paper is given for 0.0 / 0.003 of the titles
# of papers not in the table (typo'd or not), for none of the first 12 words of abstracts, for 0.007 /
# 0.005 of the titles with one long word swapped for another, for 0.030 / 0.035 of 2-5 words cut from
# a title (the whole of a short title, mostly).  Thresholds of 0.85 and 0.9 give the same within 0.003:
# the rule that every long word has a match decides.  The first version, trigram similarity alone,
# could not tell a typo'd title (0.45-0.6) from another title on the same subject ("FormalMATH:
# Benchmarking Formal Mathematical Reasoning…" and "ReliableMath: Benchmark of Reliable Mathematical
# Reasoning…": 0.8); a length-weighted word match without that rule took "Reinforcement Learning from
# Human Feedback" for "Reinforcement Learning from Denoising Feedback".
MIN_SIMILARITY = 0.8
MARGIN = 0.1


def _spaced(text: str) -> str:
    return " " + " ".join(words(text)) + " "


def _trigram_set(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


def trigram_similarity(a: str, b: str) -> float:
    """Dice coefficient of the character trigrams of two texts (folded, words separated by
    one space, padded): cheap, 1 for the same words, lower with each typo.

    >>> round(trigram_similarity("Chain of Draft", "chian of draft!"), 2)
    0.71
    """
    x, y = _trigram_set(_spaced(a)), _trigram_set(_spaced(b))
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def _title_words(text: str) -> list[str]:
    """Folded words, hyphenated ones split ("Sim-to-Real": sim, to, real)."""
    return [part for word in words(text) for part in word.split("-") if part]


def _word_bound(a: str, b: str) -> int:
    """Typos allowed between two title words: none when one has 1-2 letters or their digits
    differ (a version: "Qwen3" is not "Qwen2"); else 1 when the longer has 3 letters, 2 when
    it has more (two deletions make "Taming" "Tang": the longer word is the one typed right)."""
    if min(len(a), len(b)) <= 2 or _DIGITS.sub("", a) != _DIGITS.sub("", b):
        return 0
    return 1 if max(len(a), len(b)) <= 3 else 2


def _close(x: str, y: str, memo: dict[tuple[str, str], bool]) -> bool:
    """Whether two words are one word typed with typos (``memo``: pairs already compared)."""
    if abs(len(x) - len(y)) > 2:
        return False
    key = (x, y) if x < y else (y, x)
    same = memo.get(key)
    if same is None:
        bound = _word_bound(x, y)
        same = memo[key] = bound > 0 and edit_distance(x, y, bound) <= bound
    return same


def _matched(
    words_a: list[str], words_b: list[str], memo: dict[tuple[str, str], bool]
) -> tuple[set[str], set[str]] | None:
    """The words of each list that a word of the other matches within :func:`_word_bound`
    typos; None as soon as a word of :data:`LONG_WORD` letters or more, or with a digit, has
    no match (the longest are tried first: most titles compared are not the text, and fail
    at once)."""
    seen_a, seen_b = set(words_a), set(words_b)
    in_a, in_b = seen_a & seen_b, seen_a & seen_b
    for mine, theirs, found in ((seen_a, seen_b, in_a), (seen_b, seen_a, in_b)):
        for x in sorted(mine - found, key=len, reverse=True):
            if any(_close(x, y, memo) for y in theirs):
                found.add(x)
            elif len(x) >= LONG_WORD or not x.isalpha():
                return None
    return in_a, in_b


def _share(words_: list[str], matched: set[str]) -> float:
    total = sum(len(w) for w in words_)
    return sum(len(w) for w in words_ if w in matched) / total if total else 0.0


def similarity(text: str, title: str) -> float:
    """How surely ``text`` is ``title`` typed with typos: the harmonic mean of the share of the
    text's words found in the title and of the title's words found in the text (each word
    weighted by its length, matched within a typo or two: :func:`_word_bound`), and 0 when a
    word of :data:`LONG_WORD` letters or more (or a version: "GPT-4o", "Qwen3") of either has
    no match in the other.  1 for the
    title with a typo or two per word; 0 for a part of the title and for another title on
    the same subject, even one word apart ("Reinforcement Learning from Human Feedback" is
    not "Reinforcement Learning from Denoising Feedback").

    >>> similarity("Chian of Drfat: Thnking Fastr", "Chain of Draft: Thinking Faster")
    1.0
    >>> similarity("Chain of Draft", "Chain of Draft: Thinking Faster by Writing Less")
    0.0
    >>> round(similarity("Chain of Draft: Thinking", "Chain of Draft: Thinking by"), 2)
    0.95
    """
    return _similarity(_title_words(text), _title_words(title), {})


def _similarity(a: list[str], b: list[str], memo: dict[tuple[str, str], bool]) -> float:
    matched = _matched(a, b, memo)
    if matched is None:
        return 0.0  # a long word of one that the other lacks: another title (or not all of it)
    recall, precision = _share(a, matched[0]), _share(b, matched[1])
    return 2 * recall * precision / (recall + precision) if recall + precision else 0.0


def _word_variants(term: str, speller: Speller, edits: int | None = None) -> list[str]:
    """The terms a typed title word may stand for: itself when papers hold it, and its
    corrections more frequent than itself (a typo can make another word, as "mode" for
    "model", but rarely a more frequent one; a word many papers hold is looked at only one
    edit away)."""
    df = speller.frequency(term)
    if len(term) < MIN_WORD or not term.isalpha():
        return [term] if df else []
    if df > RARE_DF:
        edits = 1
    found = [c.term for c in speller.corrections(term, MAX_CORRECTIONS, edits) if c.df > df]
    return ([term] if df else []) + found


def _member(rows: npt.NDArray[np.int64], postings: list[npt.NDArray[Any]]) -> npt.NDArray[np.bool_]:
    """Which of ``rows`` are in any of the sorted ``postings``."""
    found = np.zeros(len(rows), dtype=bool)
    for sorted_rows in postings:
        if len(sorted_rows):
            at = np.minimum(np.searchsorted(sorted_rows, rows), len(sorted_rows) - 1)
            found |= sorted_rows[at] == rows
    return found


def title_candidates(index: AnyIndex, text: str, speller: Speller, edits: int | None = None) -> npt.NDArray[np.int64]:
    """Up to :data:`MAX_CANDIDATES` papers whose titles hold most of the text's words (or
    their corrections, up to ``edits`` edits away), weighted by rarity, best first: the few
    titles worth comparing with the text.  The candidates are the papers holding one of the
    :data:`POOL_WORDS` rarest words in their title (so a word typed beyond repair, or
    corrected to the wrong term, does not lose the paper)."""
    terms = [t for t in dict.fromkeys(query_term(w) for w in words(text)) if t and t not in STOP_WORDS]
    postings = []
    for term in terms:
        rows = [index.in_field("title", v).rows for v in _word_variants(term, speller, edits)]
        rows = [r for r in rows if len(r)]
        if rows:
            postings.append(rows)
    if not postings:
        return np.zeros(0, dtype=np.int64)
    sizes = np.array([sum(len(r) for r in p) for p in postings], dtype=np.float64)
    rarest = np.argsort(sizes, kind="stable")[:POOL_WORDS]
    pool = np.unique(np.concatenate([r for i in rarest for r in postings[i]]).astype(np.int64))
    weights = np.log1p(max(index.n_docs, 1) / (1 + sizes))
    score = np.zeros(len(pool), dtype=np.float64)
    for weight, rows_of_word in zip(weights, postings):
        score += weight * _member(pool, rows_of_word)
    return pool[np.argsort(-score, kind="stable")[:MAX_CANDIDATES]]


def title_matches(
    index: AnyIndex, table: pa.Table, text: str, speller: Speller, k: int = 2, edits: int | None = None
) -> list[tuple[int, float]]:
    """The ``k`` titles most similar to ``text`` among :func:`title_candidates`, as ``(row,
    similarity)``, best first: the candidates' titles are first ranked by
    :func:`trigram_similarity` (cheap), and the best :data:`RERANKED` by :func:`similarity`."""
    if not text or len(text) > MAX_TITLE_CHARS:
        return []
    wanted = _trigram_set(_spaced(text))
    rows = title_candidates(index, text, speller, edits) if wanted else np.zeros(0, dtype=np.int64)
    if not len(rows):
        return []
    titles = take_rows(table["title"], rows).to_pylist()
    dice = np.zeros(len(rows))
    for i, title in enumerate(titles):
        got = _trigram_set(_spaced(title or ""))
        if got:
            dice[i] = 2 * len(wanted & got) / (len(wanted) + len(got))
    near = np.lexsort((rows, -dice))[:RERANKED]
    text_words = _title_words(text)
    memo: dict[tuple[str, str], bool] = {}
    scored = [
        (_similarity(text_words, _title_words(titles[i] or ""), memo), float(dice[i]), int(rows[i]))
        for i in near.tolist()
    ]
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return [(row, score) for score, _, row in scored[:k]]


def _clear(best: list[tuple[int, float]]) -> int | None:
    """The best title when it is clearly the text (see :data:`MIN_SIMILARITY`, :data:`MARGIN`)."""
    if not best or best[0][1] < MIN_SIMILARITY:
        return None
    if len(best) > 1 and best[0][1] - best[1][1] < MARGIN:
        return None
    return best[0][0]


def navigate(index: AnyIndex, table: pa.Table, text: str, speller: Speller, titles: Titles | None = None) -> int | None:
    """The row of the paper whose title ``text`` is: exactly (folded, spaces and punctuation
    ignored), or with a typo or two per word (:func:`similarity` at least
    :data:`MIN_SIMILARITY` and :data:`MARGIN` above any other title's).  None for an ordinary
    query, for a text two titles fit about as well, and for two papers of the same title.
    About 10 ms at 75k papers (p95 20-30 ms); 0.2 ms for an exact title."""
    if not text or not text.strip() or len(text) > MAX_TITLE_CHARS:
        return None
    exact = exact_title(table, text, titles)
    if len(exact):
        return int(exact[0]) if len(exact) == 1 else None
    # first with corrections one edit away (cheap); when that finds no clear title, two
    found = _clear(title_matches(index, table, text, speller, 2, edits=1))
    return found if found is not None else _clear(title_matches(index, table, text, speller, 2))
