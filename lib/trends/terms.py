"""The term index: which papers mention each 1-, 2- and 3-word term (for trends).

Built once per store version beside the table, like the search index, but for
counting rather than ranking: presence only, over title, abstract and keywords
(not authors).  Terms follow lib.search.analysis (folded, plural-stripped, hyphen parts
and joined forms), so "agent" counts papers saying agent, agents, Agent's or
multi-agent, and never reagent or agentic.

* unigrams: every term, as a CSC column of the rows that mention it;
* n-grams: every 2- and 3-word sequence (within one field, hyphen parts split, so
  "mixture-of-experts" is "mixture of experts", and a hyphenated word also read joined,
  so "fine-tuned models" is "finetuned models" too, as a query word is looked up) that
  at least ``MIN_NGRAM_PAPERS`` papers mention;
* a display form per term: its most frequent spelling ("series", not "sery").

A phrase longer than three words or rarer than the threshold is found from its
words' papers and checked on their text (exact, just slower).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from lib.artifacts import (
    Arrays,
    ArtifactFile,
    Part,
    Postings,
    Rows,
    SegmentedArtifact,
    join_postings,
    pack,
    stack,
    stack_size,
    unpack,
)
from lib.progress import Progress
from lib.search.analysis import STOP_WORDS, index_terms, query_term, stem, tokenize, words
from lib.search.index import field_text

if TYPE_CHECKING:
    from lib.dataset import Dataset
    from lib.store.store import Store

FIELDS = ("title", "abstract", "keywords")
MIN_NGRAM_PAPERS = 5
KEY_BASE = 1 << 20  # unigram ids from here on do not form n-grams (junk tokens of huge vocabularies)
TRIGRAM = 1 << 62  # trigram keys live above every bigram key
BREAK = "qqfieldbreakqq"  # a token between fields (id 0): no n-gram spans two fields
PAUSE = "qqpauseqq"  # a token (id 1) for list items' ends, brackets and punctuation: no n-gram spans one
# what a PAUSE replaces: brackets, and sentence or clause punctuation before a space ("3.5" and "1,000" stay)
PUNCTUATION = r"[()\[\]{}]|[.,;:!?]+(?:\s|$)"
COMPOUND_PARTS = (2, 3)  # a hyphenated word of these many parts is one term with its spaced spelling
CHUNK = 100_000
NGRAM_BUCKETS = 32
STATS_BLOCK = 1 << 24  # postings per block in TermIndex.column_stats


@dataclass(frozen=True)
class TermKey:
    """A term as typed, resolved: its stems and how it reads."""

    stems: tuple[str, ...]
    label: str

    @property
    def is_phrase(self) -> bool:
        return len(self.stems) > 1


class TermIndex:
    """Presence postings of unigrams and frequent 2–3-grams; read-only, shared."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        # plain ndarray views of memory maps: slicing np.memmap costs microseconds each time
        self.arrays = {key: np.asarray(value) for key, value in arrays.items()}
        self.n_docs = int(arrays["n_docs"][0])
        self.unigrams = unpack(arrays["unigrams"])
        self.unigram_ids = {t: j for j, t in enumerate(self.unigrams)}
        self.display = unpack(arrays["display"])
        self.ngram_keys = self.arrays["n_keys"]  # sorted: an n-gram is found by binary search
        self.build_seconds = float(arrays["build_seconds"][0])
        self._sorted_unigrams = sorted(self.unigrams)

    @functools.cached_property
    def compounds(self) -> list[str]:
        """The hyphenated words of 2–3 parts these papers write ("chain-of-thought"): each is
        one term with its spaced spelling (a daily segment is built knowing them)."""
        return unpack(self.arrays["compounds"])

    # --- lookups ------------------------------------------------------------------------
    def _rows(self, prefix: str, j: int) -> np.ndarray:
        indptr = self.arrays[f"{prefix}_indptr"]
        return self.arrays[f"{prefix}_indices"][int(indptr[j]) : int(indptr[j + 1])]

    def unigram_rows(self, stem_: str) -> np.ndarray:
        j = self.unigram_ids.get(stem_)
        return self._rows("u", j) if j is not None else np.empty(0, dtype=np.int32)

    def ngram_column(self, stems: tuple[str, ...]) -> int | None:
        ids = [self.unigram_ids[s] for s in stems if s in self.unigram_ids]
        key = make_key(ids) if len(ids) == len(stems) else None
        if key is None:
            return None
        j = int(np.searchsorted(self.ngram_keys, key))
        return j if j < len(self.ngram_keys) and self.ngram_keys[j] == key else None

    def ngram_rows(self, stems: tuple[str, ...]) -> np.ndarray | None:
        """Rows of a 2–3-gram when it is indexed, else None (unknown: check the text).  A
        bigram with a hyphenated word of two parts also holds the papers writing it spaced
        ("fine-tuned models": "fine tuned models"), as the text check finds them."""
        j = self.ngram_column(stems)
        rows = self._rows("n", j) if j is not None else None
        spaced = _spaced(stems, self.compound_forms)
        if rows is None or spaced is None:
            return rows
        other = self.ngram_column(spaced)
        return np.union1d(rows, self._rows("n", other)).astype(rows.dtype) if other is not None else None

    @functools.cached_property
    def compound_forms(self) -> dict[str, str]:
        """The term of each hyphenated word of two parts these papers mostly write hyphenated ->
        that word ("tuning" is no compound for a paper's "tun-ing")."""
        forms = compound_forms(self.compounds)
        ids = self.unigram_ids
        return {t: f for t, f in forms.items() if t in ids and "-" in self.display[ids[t]]}

    def spelled(self, text: str) -> str:
        """A phrase as its text is checked: a word that is the term of a hyphenated word
        written hyphenated ("finetuned models": "fine-tuned models"), so that the check also
        finds it spaced, as this index counts it (lib.search.search.phrase_regex)."""
        written = words(text)
        forms = [w if "-" in w else self.compound_forms.get(query_term(w) or "", w) for w in written]
        return " ".join(forms) if forms != written else text

    def ngram_name(self, j: int) -> str:
        return " ".join(self.unigrams[t] for t in _unkey(int(self.ngram_keys[j])))

    @property
    def ngrams(self) -> list[str]:
        """Every indexed n-gram's stems, space-separated (decoded on demand: millions at 1M)."""
        return [self.ngram_name(j) for j in range(len(self.ngram_keys))]

    def title_counts(self) -> np.ndarray:
        return self.arrays["u_title"]

    def papers(self, stem_: str) -> int:
        j = self.unigram_ids.get(stem_)
        return 0 if j is None else int(self.arrays["u_indptr"][j + 1] - self.arrays["u_indptr"][j])

    def label(self, stems: tuple[str, ...]) -> str:
        return " ".join(self.display[self.unigram_ids[s]] if s in self.unigram_ids else s for s in stems)

    def title_share(self, stem_: str) -> float:
        """Of the papers mentioning the term, the share that has it in the title."""
        j = self.unigram_ids.get(stem_)
        if j is None:
            return 0.0
        papers = int(self.arrays["u_indptr"][j + 1] - self.arrays["u_indptr"][j])
        return float(self.arrays["u_title"][j]) / papers if papers else 0.0

    def completions(self, prefix: str, limit: int) -> list[str]:
        """The ``limit`` most frequent unigram stems starting with ``prefix``."""
        start = bisect.bisect_left(self._sorted_unigrams, prefix)
        found = []
        for term in self._sorted_unigrams[start:]:
            if not term.startswith(prefix):
                break
            found.append(term)
        return sorted(found, key=lambda t: (-self.papers(t), t))[:limit]

    def all_postings(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """(indptr, indices) of every unigram ("u") or n-gram ("n") column."""
        return self.arrays[f"{kind}_indptr"], self.arrays[f"{kind}_indices"]

    def column_stats(self, kind: str, masks: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
        """Per column of ``kind`` ("u": unigram ids; "n": n-grams in key order): how many of
        its papers each row mask selects, and its papers in all."""
        indptr, indices = self.all_postings(kind)
        columns = len(indptr) - 1
        counts = [np.zeros(columns, dtype=np.int64) for _ in masks]
        # a block of columns at a time, about STATS_BLOCK postings each: the n-grams of 1M
        # papers hold hundreds of millions of postings, and a running sum over all of them
        # at once would take gigabytes
        cuts = np.searchsorted(indptr, np.arange(STATS_BLOCK, int(indptr[-1]), STATS_BLOCK))
        bounds = np.unique(np.concatenate([[0], cuts, [columns]]).astype(np.int64))
        for first, last in itertools.pairwise(bounds):
            low, high = int(indptr[first]), int(indptr[last])
            rows = indices[low:high]
            starts = np.asarray(indptr[first : last + 1], dtype=np.int64) - low
            running = np.zeros(high - low + 1, dtype=np.int64)
            for mask, out in zip(masks, counts):
                np.cumsum(mask[rows], out=running[1:])
                out[first:last] = running[starts[1:]] - running[starts[:-1]]
        return counts, np.diff(indptr)

    def ngram_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """First and last unigram id of every n-gram column."""
        return key_ends(self.ngram_keys)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return self.arrays

    # --- building -----------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        table: pa.Table,
        progress: Progress | None = None,
        min_ngram_papers: int | None = None,
        extra_compounds: list[str] | tuple[str, ...] = (),
    ) -> TermIndex:
        """``min_ngram_papers``: the n-grams kept (default ``MIN_NGRAM_PAPERS``; 1: every n-gram
        of these papers, as placing a few new papers in saved topics needs).  ``extra_compounds``:
        hyphenated words (a base index's :attr:`compounds`) whose spaced spelling in these
        papers counts for their joined term even when these papers never hyphenate them."""
        started = time.perf_counter()
        n = table.num_rows
        vocabulary: dict[str, int] = {BREAK: 0, PAUSE: 1}
        compounds: dict[int, int] = {}  # n-gram key of a hyphenated word's parts -> its joined term
        raw_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        spelling_counts: dict[str, int] = {}
        unigram_chunks: list[sp.csr_matrix] = []
        title_papers = np.zeros(0, dtype=np.int64)
        # n-gram (key, row) pairs, spread over buckets by key so that counting them at the end
        # holds one bucket's pairs at a time; rows as int32 (the pairs are the bulk of memory)
        bucket_keys: list[list[np.ndarray]] = [[] for _ in range(NGRAM_BUCKETS)]
        bucket_rows: list[list[np.ndarray]] = [[] for _ in range(NGRAM_BUCKETS)]
        for start in range(0, n, CHUNK):
            chunk = table.slice(start, CHUNK)
            if progress:
                progress(f"term index: papers {start + 1:,}–{start + chunk.num_rows:,} of {n:,}", start / max(n, 1))
            # one text per paper; a break token keeps n-grams inside one field, a pause inside one
            # list item, bracket and clause
            fields = (pc.fill_null(field_text(chunk, f, f" {PAUSE} "), "") for f in FIELDS)
            text = pc.replace_substring_regex(
                pc.binary_join_element_wise(*fields, f" {BREAK} "), PUNCTUATION, f" {PAUSE} "
            )
            rows, raw = tokenize(text)
            encoded = pc.dictionary_encode(raw)
            codes = encoded.indices.to_numpy()
            distinct = encoded.dictionary.to_pylist()
            for token, count in zip(distinct, np.bincount(codes, minlength=len(distinct))):
                spelling_counts[token] = spelling_counts.get(token, 0) + int(count)
            terms_of, parts_of, joined_of, hyphenated = [], [], [], []
            for token in distinct:
                cached = raw_cache.get(token)
                if cached is None:
                    if token in (BREAK, PAUSE):
                        cached = (np.empty(0, dtype=np.int64), np.array([vocabulary[token]], dtype=np.int64))
                    else:
                        cached = _token_ids(token, vocabulary, compounds)
                    raw_cache[token] = cached
                terms_of.append(cached[0])
                parts_of.append(cached[1])
                joined_of.append(cached[0][0] if len(cached[0]) else cached[1][0])
                hyphenated.append(len(cached[1]) > 1)
            term_rows, term_ids = _expand(rows, codes, terms_of)
            unigram_chunks.append(
                sp.csr_matrix(  # presence only: 1-byte values
                    (np.ones(len(term_rows), dtype=np.int8), (term_rows, term_ids)),
                    shape=(chunk.num_rows, len(vocabulary)),
                )
            )
            unigram_chunks[-1].sum_duplicates()
            # papers whose title holds each term: tokens before a row's first field break
            is_break = codes == (distinct.index(BREAK) if BREAK in distinct else -1)
            breaks = np.cumsum(is_break)
            row_start = np.r_[0, np.flatnonzero(rows[1:] != rows[:-1]) + 1] if len(rows) else np.empty(0, np.int64)
            before = np.repeat(breaks[row_start] - is_break[row_start], np.diff(np.r_[row_start, len(rows)]))
            in_title = (breaks - before == 0) & ~is_break
            t_rows, t_ids = _expand(rows[in_title], codes[in_title], terms_of)
            titles = sp.csr_matrix(
                (np.ones(len(t_rows), dtype=np.float32), (t_rows, t_ids)), shape=(chunk.num_rows, len(vocabulary))
            )
            titles.sum_duplicates()
            title_papers = np.pad(title_papers, (0, len(vocabulary) - len(title_papers)))
            title_papers += np.bincount(titles.indices, minlength=len(vocabulary))
            part_rows, part_ids = _expand(rows, codes, parts_of)
            blocked = np.zeros(len(vocabulary), dtype=bool)
            blocked[[vocabulary[w] for w in STOP_WORDS if w in vocabulary] + [0, 1]] = True
            # a query word is looked up joined ("fine-tuned" -> finetuned): n-grams that read a
            # hyphenated word joined are added, else "fine-tuned models" would only find papers
            # that spell it "finetuned models"
            joined_ids = np.array(joined_of, dtype=np.int64)[codes]
            keys, key_rows = _ngrams(
                [
                    (part_rows + start, part_ids, None),
                    (rows + start, joined_ids, np.array(hyphenated, dtype=bool)[codes]),
                ],
                blocked,
            )
            bucket_of = keys % NGRAM_BUCKETS
            for b in range(NGRAM_BUCKETS):
                mask = bucket_of == b
                bucket_keys[b].append(keys[mask])
                bucket_rows[b].append(key_rows[mask].astype(np.int32))
            del keys, key_rows, bucket_of, rows, raw, codes, part_rows, part_ids, term_rows, term_ids
        if progress:
            progress("term index: counting n-grams", 0.97)
        for form in extra_compounds:  # a base index's hyphenated words (a daily segment's spaced spellings count)
            if form not in raw_cache:
                raw_cache[form] = _token_ids(form, vocabulary, compounds)
        n_terms = len(vocabulary)
        if unigram_chunks:
            unigrams = sp.vstack(
                [sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], n_terms)) for m in unigram_chunks],
                format="csc",
            )
            unigrams.sort_indices()
            u_indptr, u_indices = unigrams.indptr.astype(np.int64), unigrams.indices.astype(np.int32)
        else:
            u_indptr, u_indices = np.zeros(n_terms + 1, dtype=np.int64), np.empty(0, dtype=np.int32)
        del unigram_chunks
        compound_keys = np.array(sorted(compounds), dtype=np.int64)
        compound_terms = np.array([compounds[k] for k in compound_keys.tolist()], dtype=np.int64)
        spaced_terms, spaced_rows = [], []  # papers writing a compound spaced, for its joined term
        kept_keys_parts, indices_parts, sizes_parts = [], [], []
        for b in range(NGRAM_BUCKETS):
            keys = np.concatenate(bucket_keys[b]) if bucket_keys[b] else np.empty(0, dtype=np.int64)
            key_rows = np.concatenate(bucket_rows[b]) if bucket_rows[b] else np.empty(0, dtype=np.int32)
            bucket_keys[b], bucket_rows[b] = [], []  # free as we go
            in_bucket = compound_keys % NGRAM_BUCKETS == b
            keys, key_rows, spaced = _with_compounds(
                keys, key_rows, compound_keys[in_bucket], compound_terms[in_bucket], u_indptr, u_indices
            )
            spaced_terms.append(spaced[0])
            spaced_rows.append(spaced[1])
            order = np.argsort(keys, kind="stable")  # rows ascend per key (see _with_compounds)
            keys, key_rows = keys[order], key_rows[order]
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.empty(0, dtype=np.int64)
            papers = np.diff(np.r_[starts, len(keys)])
            kept = papers >= (MIN_NGRAM_PAPERS if min_ngram_papers is None else min_ngram_papers)
            # a hyphenated word's parts are kept however rare: the spelling they share with the
            # joined one ("ChainOfThought" for "chain of thought") is not in their words' papers
            kept |= np.isin(keys[starts], compound_keys[in_bucket]) if len(starts) else kept
            kept_keys_parts.append(keys[starts[kept]])
            indices_parts.append(key_rows[np.repeat(kept, papers)])
            sizes_parts.append(papers[kept])
        u_indptr, u_indices = _add_postings(
            u_indptr, u_indices, np.concatenate(spaced_terms), np.concatenate(spaced_rows)
        )
        kept_keys, g_indptr, g_indices = _sorted_columns(
            np.concatenate(kept_keys_parts), np.concatenate(sizes_parts), np.concatenate(indices_parts)
        )
        terms = [""] * n_terms
        for term, j in vocabulary.items():
            terms[j] = term
        display = _display_forms(terms, vocabulary, spelling_counts)
        arrays = {
            "n_docs": np.array([n], dtype=np.int64),
            "u_indptr": u_indptr,
            "u_indices": u_indices,
            "unigrams": pack(terms),
            "u_title": np.pad(title_papers, (0, n_terms - len(title_papers))),
            "display": pack(display),
            "n_keys": kept_keys,
            "n_indptr": g_indptr,
            "n_indices": g_indices.astype(np.int32),
            "build_seconds": np.array([time.perf_counter() - started]),
            "compounds": pack(sorted(t for t in raw_cache if "-" in t.strip("-"))),
        }
        return cls(arrays)


def _expand(rows: np.ndarray, codes: np.ndarray, mapped: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Token positions (row, raw code) -> (row, id) for every id each raw token maps to, in order."""
    sizes = np.array([len(m) for m in mapped], dtype=np.int64)
    flat = np.concatenate(mapped) if mapped else np.empty(0, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    repeat = sizes[codes]
    out_rows = np.repeat(rows, repeat)
    offsets = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    return out_rows, flat[np.repeat(starts[codes], repeat) + offsets]


def _token_ids(token: str, vocabulary: dict[str, int], compounds: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A raw token's term ids (lib.search.analysis.index_terms) and its parts' ids.  Each run
    of 2–3 parts of a hyphenated word that it is indexed under (the whole word, or
    "chain-of-thought" in "long-chain-of-thought") is recorded in ``compounds``: its parts'
    n-gram key -> the term a query of it looks up (chain·of·thought -> chainofthought)."""
    ids = [vocabulary.setdefault(t, len(vocabulary)) for t in index_terms(token)]
    pieces = [p for p in token.split("-") if p]
    parts = [vocabulary.setdefault(stem(p), len(vocabulary)) for p in pieces]
    for size in COMPOUND_PARTS if len(parts) > 1 else ():
        for at in range(len(parts) - size + 1):
            joined = query_term("-".join(pieces[at : at + size]))
            key = make_key(parts[at : at + size])
            if key is not None and joined in vocabulary and vocabulary[joined] in ids:
                compounds.setdefault(key, vocabulary[joined])
    return np.array(ids, dtype=np.int64), np.array(parts, dtype=np.int64)


def _with_compounds(
    keys: np.ndarray,
    key_rows: np.ndarray,
    compound_keys: np.ndarray,
    compound_terms: np.ndarray,
    u_indptr: np.ndarray,
    u_indices: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """A bucket's n-gram (key, row) pairs with each compound's n-gram also holding the papers
    of its joined term ("chain of thought" the papers writing "chainofthought"), and the
    ``(term, row)`` pairs of the papers writing a compound spaced, for its joined term.  Rows
    ascend per key as long as a stable sort by key keeps the pairs' order."""
    if len(compound_keys) == 0 or len(keys) == 0:
        return keys, key_rows, (np.empty(0, np.int64), np.empty(0, np.int64))
    at = np.minimum(np.searchsorted(compound_keys, keys), len(compound_keys) - 1)
    hit = compound_keys[at] == keys
    spaced = (compound_terms[at[hit]], key_rows[hit].astype(np.int64))
    sizes = (u_indptr[compound_terms + 1] - u_indptr[compound_terms]).astype(np.int64)
    starts = u_indptr[compound_terms].astype(np.int64)
    offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    joined_rows = u_indices[np.repeat(starts, sizes) + offsets]
    a_keys = np.concatenate([keys[hit], np.repeat(compound_keys, sizes)])
    a_rows = np.concatenate([key_rows[hit], joined_rows.astype(key_rows.dtype)])
    order = np.lexsort((a_rows, a_keys))
    a_keys, a_rows = a_keys[order], a_rows[order]
    new = np.r_[True, (a_keys[1:] != a_keys[:-1]) | (a_rows[1:] != a_rows[:-1])]
    return (
        np.concatenate([keys[~hit], a_keys[new]]),
        np.concatenate([key_rows[~hit], a_rows[new]]),
        spaced,
    )


def _add_postings(
    indptr: np.ndarray, indices: np.ndarray, columns: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Postings (CSC ``indptr``, ``indices``) with ``(column, row)`` pairs added, each row once
    per column, ascending (only the columns that get rows are rewritten)."""
    if len(columns) == 0:
        return indptr, indices
    order = np.lexsort((rows, columns))
    columns, rows = columns[order], rows[order]
    changed, starts = np.unique(columns, return_index=True)
    stops = np.r_[starts[1:], len(columns)]
    pieces, sizes, done = [], np.diff(indptr), 0
    for column, start, stop in zip(changed.tolist(), starts.tolist(), stops.tolist()):
        low, high = int(indptr[column]), int(indptr[column + 1])
        pieces.append(indices[done:low])
        merged = np.union1d(indices[low:high], rows[start:stop]).astype(indices.dtype)
        pieces.append(merged)
        sizes[column] = len(merged)
        done = high
    pieces.append(indices[done:])
    return np.r_[0, np.cumsum(sizes)].astype(np.int64), np.concatenate(pieces)


def _ngram_keys(
    rows: np.ndarray, ids: np.ndarray, blocked: np.ndarray, needed: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """(key, row) of the 2- and 3-grams of consecutive tokens of a row that neither start
    nor end with a blocked token (stop words, the field break); with ``needed``, only those
    touching a needed position.  Rows ascend within each key."""
    ok = ids < KEY_BASE
    end_ok = ok & ~blocked[ids]  # may start or end an n-gram
    inner_ok = ok & (ids > 1)  # may sit inside one (stop words can: "mixture of experts"; no break, no pause)
    same = rows[:-1] == rows[1:]
    bigram = same & end_ok[:-1] & end_ok[1:]
    trigram = same[:-1] & same[1:] & end_ok[:-2] & inner_ok[1:-1] & end_ok[2:]
    if needed is not None:
        bigram &= needed[:-1] | needed[1:]
        trigram &= needed[:-2] | needed[1:-1] | needed[2:]
    keys = np.concatenate(
        [
            ids[:-1][bigram] * KEY_BASE + ids[1:][bigram],
            (ids[:-2][trigram] * KEY_BASE + ids[1:-1][trigram]) * KEY_BASE + ids[2:][trigram] + TRIGRAM,
        ]
    )
    key_rows = np.concatenate([rows[:-1][bigram], rows[:-2][trigram]])
    return keys, key_rows


def _ngrams(
    streams: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]], blocked: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique (key, row) of the n-grams of token streams ``(rows, ids, needed)``
    (see :func:`_ngram_keys`); every stream is in row order."""
    found = [_ngram_keys(rows, ids, blocked, needed) for rows, ids, needed in streams]
    keys = np.concatenate([k for k, _ in found])
    key_rows = np.concatenate([r for _, r in found])
    if len(found) > 1:  # interleave the streams back into row order
        by_row = np.argsort(key_rows, kind="stable")
        keys, key_rows = keys[by_row], key_rows[by_row]
    order = np.argsort(keys, kind="stable")  # positions are in row order: rows stay ascending per key
    keys, key_rows = keys[order], key_rows[order]
    first = np.r_[True, (keys[1:] != keys[:-1]) | (key_rows[1:] != key_rows[:-1])] if len(keys) else np.empty(0, bool)
    return keys[first], key_rows[first]


def _sorted_columns(
    keys: np.ndarray, sizes: np.ndarray, indices: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns (keys with their row lists, given as sizes + concatenated indices) reordered
    by ascending key: ``(keys, indptr, indices)``."""
    starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
    order = np.argsort(keys, kind="stable")
    sizes = sizes[order]
    gather = np.repeat(starts[order], sizes) + (
        np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    )
    return keys[order].astype(np.int64), np.r_[0, np.cumsum(sizes)].astype(np.int64), indices[gather]


def make_key(ids: list[int]) -> int | None:
    """The n-gram key of 2 or 3 unigram ids (see :func:`_ngrams`)."""
    if len(ids) not in (2, 3) or any(i >= KEY_BASE for i in ids):
        return None
    if len(ids) == 2:
        return ids[0] * KEY_BASE + ids[1]
    return (ids[0] * KEY_BASE + ids[1]) * KEY_BASE + ids[2] + TRIGRAM


def key_ends(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last unigram id of each n-gram key (vectorised)."""
    tri = keys >= TRIGRAM
    plain = np.where(tri, keys - TRIGRAM, keys)
    last = plain % KEY_BASE
    first = np.where(tri, plain // KEY_BASE // KEY_BASE, plain // KEY_BASE)
    return first, last


def _unkey(key: int) -> list[int]:
    key = int(key)
    if key >= TRIGRAM:
        key -= TRIGRAM
        return [key // KEY_BASE // KEY_BASE, (key // KEY_BASE) % KEY_BASE, key % KEY_BASE]
    return [key // KEY_BASE, key % KEY_BASE]


def _display_forms(terms: list[str], vocabulary: dict[str, int], spelling_counts: dict[str, int]) -> list[str]:
    """The most frequent spelling of each term (a spelling counts for its joined form)."""
    best: dict[int, tuple[int, str]] = {}
    for spelling, count in spelling_counts.items():
        joined = index_terms(spelling)
        if not joined:
            continue
        j = vocabulary[joined[0]]
        if count > best.get(j, (0, ""))[0]:
            best[j] = (count, spelling)
    return [best[j][1] if j in best else term for j, term in enumerate(terms)]


# --- segments: a base term index plus indexes of papers appended since ---------------------------------
class SegmentedTermIndex:
    """A base term index plus segments of papers imported since, used as one (the interface
    of TermIndex that trends and topics use).  A daily import adds a small segment instead of
    rebuilding.  Its vocabulary is the base's, then the new words of later segments; its
    n-grams are the base's (a few new papers never make a new n-gram frequent)."""

    def __init__(self, parts: list[Part[TermIndex]]) -> None:
        self.parts = stack(parts)
        self.n_docs = stack_size(self.parts)
        self.build_seconds = sum(p.index.build_seconds for p in parts)
        base = parts[0].index
        self.unigrams = list(base.unigrams)
        self.display = list(base.display)
        self.unigram_ids = dict(base.unigram_ids)
        for part in parts[1:]:
            for term, shown in zip(part.index.unigrams, part.index.display):
                if term not in self.unigram_ids:
                    self.unigram_ids[term] = len(self.unigrams)
                    self.unigrams.append(term)
                    self.display.append(shown)
        self.ngram_keys = base.ngram_keys

    @functools.cached_property
    def compounds(self) -> list[str]:
        return sorted({form for part in self.parts for form in part.index.compounds})

    def _join(self, get: Callable[[TermIndex], Rows]) -> Rows:
        return join_postings(self.parts, lambda index: Postings(get(index))).rows

    def unigram_rows(self, stem_: str) -> np.ndarray:
        return self._join(lambda index: index.unigram_rows(stem_))

    def ngram_rows(self, stems: tuple[str, ...]) -> np.ndarray | None:
        if any(part.index.ngram_rows(stems) is None for part in self.parts):
            return None  # some segment does not index it: lib.trends.trends checks that segment's text
        return self._join(functools.partial(_ngram_rows_or_empty, stems=stems))

    def ngram_name(self, j: int) -> str:
        return self.parts[0].index.ngram_name(j)

    @property
    def ngrams(self) -> list[str]:
        return self.parts[0].index.ngrams

    def ngram_ends(self) -> tuple[np.ndarray, np.ndarray]:
        return self.parts[0].index.ngram_ends()

    def papers(self, stem_: str) -> int:
        return len(self.unigram_rows(stem_))

    def label(self, stems: tuple[str, ...]) -> str:
        return " ".join(self.display[self.unigram_ids[s]] if s in self.unigram_ids else s for s in stems)

    def title_counts(self) -> np.ndarray:
        """Papers with each word in the title (superseded rows of older segments included:
        a close enough share for choosing topic words)."""
        titles = np.zeros(len(self.unigrams), dtype=np.int64)
        for part in self.parts:
            ids = np.array([self.unigram_ids[t] for t in part.index.unigrams], dtype=np.int64)
            np.add.at(titles, ids, part.index.title_counts())
        return titles

    def title_share(self, stem_: str) -> float:
        j = self.unigram_ids.get(stem_)
        papers = self.papers(stem_)
        return float(self.title_counts()[j]) / papers if j is not None and papers else 0.0

    def completions(self, prefix: str, limit: int) -> list[str]:
        found = {t for part in self.parts for t in part.index.completions(prefix, limit * 4)}
        return sorted(found, key=lambda t: (-self.papers(t), t))[:limit]

    def column_stats(self, kind: str, masks: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
        """As TermIndex.column_stats over every segment (superseded rows left out), in this
        index's columns: unigrams by this vocabulary, n-grams by the base's keys."""
        base = self.parts[0].index
        size = len(self.unigrams) if kind == "u" else len(self.ngram_keys)
        counts = [np.zeros(size, dtype=np.int64) for _ in masks]
        papers = np.zeros(size, dtype=np.int64)
        for part in self.parts:
            index = part.index
            rows = part.all_rows()
            live = ~part.stale if part.stale is not None else np.ones(index.n_docs, dtype=bool)
            seg_counts, seg_papers = index.column_stats(kind, [m[rows] & live for m in masks] + [live])
            seg_papers = seg_counts.pop()
            if kind == "u":
                target = np.array([self.unigram_ids[t] for t in index.unigrams], dtype=np.int64)
                found = np.ones(len(target), dtype=bool)
            elif index is base:
                target, found = np.arange(len(index.ngram_keys)), np.ones(len(index.ngram_keys), dtype=bool)
            else:  # a segment's n-gram -> the base column with the same words, if any
                columns = [
                    base.ngram_column(tuple(index.ngram_name(j).split(" "))) for j in range(len(index.ngram_keys))
                ]
                found = np.array([c is not None for c in columns], dtype=bool)
                target = np.array([c if c is not None else 0 for c in columns], dtype=np.int64)
            np.add.at(papers, target[found], seg_papers[found])
            for c, seg in zip(counts, seg_counts):
                np.add.at(c, target[found], seg[found])
        return counts, papers

    def merged(self) -> TermIndex:
        """One TermIndex over every segment (for a topic model fit; copies the postings)."""
        sizes, pieces = [], []
        for term in self.unigrams:
            rows = self.unigram_rows(term)
            sizes.append(len(rows))
            pieces.append(rows)
        n_sizes, n_pieces = [], []
        for j in range(len(self.ngram_keys)):
            rows = self._join(functools.partial(_ngram_rows_or_empty, stems=tuple(self.ngram_name(j).split(" "))))
            n_sizes.append(len(rows))
            n_pieces.append(rows)
        return TermIndex(
            {
                "n_docs": np.array([self.n_docs]),
                "u_indptr": np.r_[0, np.cumsum(sizes)].astype(np.int64),
                "u_indices": np.concatenate(pieces).astype(np.int32) if pieces else np.empty(0, np.int32),
                "unigrams": pack(self.unigrams),
                "u_title": self.title_counts(),
                "display": pack(self.display),
                "n_keys": self.ngram_keys,
                "n_indptr": np.r_[0, np.cumsum(n_sizes)].astype(np.int64),
                "n_indices": np.concatenate(n_pieces).astype(np.int32) if n_pieces else np.empty(0, np.int32),
                "build_seconds": np.array([self.build_seconds]),
                "compounds": pack(self.compounds),
            }
        )

    def all_postings(self, kind: str) -> tuple[Rows, Rows]:
        return self._merged.all_postings(kind)

    @functools.cached_property
    def _merged(self) -> TermIndex:
        return self.merged()


def compound_forms(compounds: list[str]) -> dict[str, str]:
    """Of hyphenated words (and the runs of two parts inside them): their term -> the word."""
    found: dict[str, str] = {}
    for form in compounds:
        for first, second in itertools.pairwise(p for p in form.split("-") if p):
            if first not in STOP_WORDS and second not in STOP_WORDS:
                joined = query_term(f"{first}-{second}")
                if joined is not None:
                    found.setdefault(joined, f"{first}-{second}")
    return found


def _spaced(stems: tuple[str, ...], forms: dict[str, str]) -> tuple[str, ...] | None:
    """A bigram with one hyphenated word of two parts spelled spaced (a trigram), or None."""
    if len(stems) != 2 or not (stems[0] in forms or stems[1] in forms):
        return None
    at = 0 if stems[0] in forms else 1
    parts = tuple(stem(p) for p in forms[stems[at]].split("-"))
    return (*parts, stems[1]) if at == 0 else (stems[0], *parts)


def _ngram_rows_or_empty(index: TermIndex, stems: tuple[str, ...]) -> Rows:
    """A segment's rows of an n-gram, none when it does not index it."""
    rows = index.ngram_rows(stems)
    return rows if rows is not None else np.empty(0, dtype=np.int32)


AnyTermIndex: TypeAlias = TermIndex | SegmentedTermIndex  # what trends and topics read: either answers the same


ARTIFACT = "terms"
# 2: n-grams also read hyphenated words joined; 3: n-grams by sorted key; 4: lib.artifacts.pack; 5: runs of
# hyphen parts ("fine-tuning" in "fine-tuning-based"), a compound one term with its spaced spelling, no n-gram
# across list items, brackets or clauses
FORMAT_VERSION = 5


class TermIndexes(SegmentedArtifact[TermIndex, SegmentedTermIndex]):
    """The term index of a store version: whole, or a base and the segments daily imports
    added (see lib.artifacts), so their papers are counted in trends at once."""

    file = ArtifactFile(
        ARTIFACT,
        FORMAT_VERSION,
        (
            "n_docs",
            "u_indptr",
            "u_indices",
            "unigrams",
            "u_title",
            "display",
            "n_keys",
            "n_indptr",
            "n_indices",
            "build_seconds",
            "compounds",
        ),
    )

    def from_arrays(self, arrays: Arrays) -> TermIndex:
        return TermIndex(arrays)

    def build(self, table: pa.Table, progress: Progress | None = None) -> TermIndex:
        return TermIndex.build(table, progress)

    def build_segment(self, table: pa.Table, base: AnyTermIndex) -> TermIndex:
        return TermIndex.build(table, extra_compounds=base.compounds)

    def join(self, parts: list[Part[TermIndex]]) -> SegmentedTermIndex:
        return SegmentedTermIndex(parts)


INDEXES = TermIndexes()


def load_or_build(
    store: Store, dataset: Dataset, progress: Progress | None = None, rebuild: bool = False
) -> AnyTermIndex:
    """This store version's term index (see lib.artifacts.SegmentedArtifact.load_or_build)."""
    return INDEXES.load_or_build(store, dataset, progress, rebuild)
