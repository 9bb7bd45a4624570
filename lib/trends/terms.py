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

Built as a map over the table's parts and a reduce within a memory budget
(lib.store.spill): :func:`map_chunk` turns a part into a run with its own vocabulary, and
the runs, replayed in row order, give the arrays of one pass over the table.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

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
from lib.search.index import _ranges, field_text
from lib.store.spill import Engine, Output, Source, Spill, map_runs, materialize, ranges, readable
from lib.store.store import read_ranges

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
MAP_ROWS = 8_192  # rows of a part tokenised at once: bounds the map's memory (~40 kB a row)
KEY_BLOCK = 1 << 21  # n-gram keys of a run turned into global ids at a time
U_BYTES = 32  # bytes of memory per unigram posting merged in a range (rows, destinations, temporaries)
N_BYTES = 48  # per n-gram (key, row) pair counted in a range (key, row, sort order, sorted copies)
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
        if not masks:  # papers per column only: the postings are not read
            return [], np.diff(indptr)
        columns = len(indptr) - 1
        counts = [np.zeros(columns, dtype=np.int64) for _ in masks]
        # a block of columns at a time, about STATS_BLOCK postings each: the n-grams of 1M
        # papers hold hundreds of millions of postings, and a running sum over all of them
        # at once would take gigabytes
        cuts = np.searchsorted(indptr, np.arange(STATS_BLOCK, int(indptr[-1]), STATS_BLOCK))
        bounds = np.unique(np.concatenate([[0], cuts, [columns]]).astype(np.int64))
        for first, last in itertools.pairwise(bounds):
            low, high = int(indptr[first]), int(indptr[last])
            # read from the file, not through the mapping: a scan of every posting (the emerging
            # terms) would leave them all resident in a server (3 GB at 2.7M papers)
            rows = read_ranges(indices, [low], [high])
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
        """The term index of ``table`` (see :func:`build_arrays`).  ``min_ngram_papers``: the n-grams
        kept (default ``MIN_NGRAM_PAPERS``; 1: every n-gram of these papers, as placing a few new
        papers in saved topics needs).  ``extra_compounds``: hyphenated words (a base index's
        :attr:`compounds`) whose spaced spelling in these papers counts for their joined term even
        when these papers never hyphenate them."""
        with Spill() as spill:
            arrays = _build_arrays(Source.of_table(table), spill, progress, None, min_ngram_papers, extra_compounds)
            return cls(materialize(arrays))


# --- building: a map over the table's parts, a reduce within a memory budget (lib.store.spill) ----------
def map_chunk(table: pa.Table) -> dict[str, np.ndarray]:
    """The run of one part's rows (rows 0..m-1), with the part's own vocabulary (BREAK, PAUSE,
    then terms in order of first appearance): its distinct raw tokens in order of first
    appearance and their counts, its terms, each term's rows (CSC) and papers with it in the
    title, and its n-grams' (key, row) pairs in its own term ids, rows ascending per key.  A pure
    function of the rows, plain arrays only (it runs on Spark's workers too); :data:`MAP_ROWS`
    rows are tokenised at once."""
    m = table.num_rows
    vocabulary: dict[str, int] = {BREAK: 0, PAUSE: 1}
    raw_cache: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}  # token -> ids, its parts' ids, its place
    joins: list[tuple[int, int, int, int]] = []  # (token's place, *join) of _token_ids
    counts = np.zeros(0, dtype=np.int64)
    unigram_pieces: list[sp.csr_matrix] = []
    title_papers = np.zeros(0, dtype=np.int64)
    key_pieces: list[np.ndarray] = []
    row_pieces: list[np.ndarray] = []
    for start in range(0, m, MAP_ROWS):
        chunk = table.slice(start, MAP_ROWS)
        # one text per paper; a break token keeps n-grams inside one field, a pause inside one
        # list item, bracket and clause
        fields = (pc.fill_null(field_text(chunk, f, f" {PAUSE} "), "") for f in FIELDS)
        text = pc.replace_substring_regex(pc.binary_join_element_wise(*fields, f" {BREAK} "), PUNCTUATION, f" {PAUSE} ")
        rows, raw = tokenize(text)
        encoded = pc.dictionary_encode(raw)
        codes = encoded.indices.to_numpy()
        distinct = encoded.dictionary.to_pylist()
        terms_of, parts_of, joined_of, hyphenated, places = [], [], [], [], []
        for token in distinct:
            cached = raw_cache.get(token)
            if cached is None:
                ids: tuple[np.ndarray, np.ndarray, Joins]
                if token in (BREAK, PAUSE):
                    ids = (np.empty(0, dtype=np.int64), np.array([vocabulary[token]], dtype=np.int64), [])
                else:  # (the compounds are the reduce's: their keys are of global ids)
                    ids = _token_ids(token, vocabulary)
                joins.extend((len(raw_cache), *join) for join in ids[2])
                cached = raw_cache[token] = (ids[0], ids[1], len(raw_cache))
            terms_of.append(cached[0])
            parts_of.append(cached[1])
            joined_of.append(cached[0][0] if len(cached[0]) else cached[1][0])
            hyphenated.append(len(cached[1]) > 1)
            places.append(cached[2])
        n_terms = len(vocabulary)
        counts = _grown(counts, len(raw_cache))
        counts[places] += np.bincount(codes, minlength=len(distinct))
        term_rows, term_ids = _expand(rows, codes, terms_of)
        unigram_pieces.append(
            sp.csr_matrix(  # presence only: 1-byte values
                (np.ones(len(term_rows), dtype=np.int8), (term_rows, term_ids)), shape=(chunk.num_rows, n_terms)
            )
        )
        unigram_pieces[-1].sum_duplicates()
        # papers whose title holds each term: tokens before a row's first field break
        is_break = codes == (distinct.index(BREAK) if BREAK in distinct else -1)
        breaks = np.cumsum(is_break)
        row_start = np.r_[0, np.flatnonzero(rows[1:] != rows[:-1]) + 1] if len(rows) else np.empty(0, np.int64)
        before = np.repeat(breaks[row_start] - is_break[row_start], np.diff(np.r_[row_start, len(rows)]))
        in_title = (breaks - before == 0) & ~is_break
        t_rows, t_ids = _expand(rows[in_title], codes[in_title], terms_of)
        titles = sp.csr_matrix((np.ones(len(t_rows), dtype=np.int8), (t_rows, t_ids)), shape=(chunk.num_rows, n_terms))
        titles.sum_duplicates()
        title_papers = _grown(title_papers, n_terms)
        title_papers += np.bincount(titles.indices, minlength=n_terms)
        part_rows, part_ids = _expand(rows, codes, parts_of)
        blocked = np.zeros(n_terms, dtype=bool)
        blocked[[vocabulary[w] for w in STOP_WORDS if w in vocabulary] + [0, 1]] = True
        # a query word is looked up joined ("fine-tuned" -> finetuned): n-grams that read a
        # hyphenated word joined are added, else "fine-tuned models" would only find papers
        # that spell it "finetuned models"
        keys, key_rows = _ngrams(
            [
                (part_rows + start, part_ids, None),
                (rows + start, np.array(joined_of, dtype=np.int64)[codes], np.array(hyphenated, dtype=bool)[codes]),
            ],
            blocked,
        )
        key_pieces.append(keys)
        row_pieces.append(key_rows.astype(np.int32))
        del rows, raw, codes, term_rows, term_ids, part_rows, part_ids, keys, key_rows
    n_terms = len(vocabulary)
    if unigram_pieces:
        unigrams = sp.vstack(
            [sp.csr_matrix((u.data, u.indices, u.indptr), shape=(u.shape[0], n_terms)) for u in unigram_pieces],
            format="csc",
        )
        unigrams.sort_indices()
        u_indptr, u_indices = unigrams.indptr.astype(np.int64), unigrams.indices.astype(np.int32)
    else:
        u_indptr, u_indices = np.zeros(n_terms + 1, dtype=np.int64), np.empty(0, dtype=np.int32)
    tokens = list(raw_cache.values())
    return {
        "tokens": pack(raw_cache),
        "counts": counts,
        # each token's term ids, its parts' ids and its runs of parts indexed joined: the reduce
        # replays them in the global vocabulary without reading the token again
        "token_terms": np.r_[0, np.cumsum([len(t[0]) for t in tokens])].astype(np.int64),
        "token_parts": np.r_[0, np.cumsum([len(t[1]) for t in tokens])].astype(np.int64),
        "term_ids": np.concatenate([t[0] for t in tokens]) if tokens else np.empty(0, dtype=np.int64),
        "part_ids": np.concatenate([t[1] for t in tokens]) if tokens else np.empty(0, dtype=np.int64),
        "joins": np.array(joins, dtype=np.int64).reshape(-1, 4),
        "terms": pack(vocabulary),
        "u_indptr": u_indptr,
        "u_indices": u_indices,
        "u_title": _grown(title_papers, n_terms),
        # by slice, each in key order: per key, rows ascend
        "n_keys": np.concatenate(key_pieces) if key_pieces else np.empty(0, dtype=np.int64),
        "n_rows": np.concatenate(row_pieces) if row_pieces else np.empty(0, dtype=np.int32),
    }


def _build_arrays(
    source: Source,
    spill: Spill,
    progress: Progress | None = None,
    engine: Engine | None = None,
    min_ngram_papers: int | None = None,
    extra_compounds: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """The term index's arrays of ``source``'s rows: each part mapped into a run
    (:func:`map_chunk`), then the runs reduced in row order within ``spill``'s budget.  Replaying
    the runs' distinct raw tokens in order gives the vocabulary (ids in order of first appearance),
    compounds and spellings of one pass over the table; the unigram postings are merged a range of
    terms at a time, the n-grams counted a range of keys at a time.  An array may be the Path of
    an ``.npy`` file in the spill directory (lib.store.spill.Output)."""
    started = time.perf_counter()
    offsets = map_runs(source, map_chunk, spill, _share(progress, 0.0, 0.7), "term index: ", engine)
    say = _share(progress, 0.7, 1.0)
    threshold = MIN_NGRAM_PAPERS if min_ngram_papers is None else min_ngram_papers
    vocabulary: dict[str, int] = {BREAK: 0, PAUSE: 1}
    compounds: dict[int, int] = {}  # n-gram key of a hyphenated word's parts -> its joined term
    spelling_counts: dict[str, int] = {}  # every distinct raw token, in order of first appearance
    first_terms: list[int] = []  # the first term id of each (-1: none), the term its spelling shows
    papers = np.zeros(2, dtype=np.int64)  # per term
    title_papers = np.zeros(2, dtype=np.int64)
    firsts = np.zeros((2, 0), dtype=np.int64)  # n-gram pairs per first term id: bigrams, trigrams
    for i, offset in enumerate(offsets):
        if say:
            end = offsets[i + 1] if i + 1 < len(offsets) else source.n_rows
            say(f"term index: vocabulary of papers {offset + 1:,}–{end:,}", 0.1 * i / len(offsets))
        run = spill.get(f"run-{i}")
        _replay(run, vocabulary, compounds, spelling_counts, first_terms)
        to_global = np.array([vocabulary[t] for t in unpack(run["terms"])], dtype=np.int64)
        papers = _grown(papers, len(vocabulary))
        title_papers = _grown(title_papers, len(vocabulary))
        papers[to_global] += np.diff(run["u_indptr"])
        title_papers[to_global] += run["u_title"]
        order = np.argsort(to_global)  # the run's columns in global order
        indptr = run["u_indptr"]
        sizes = np.diff(indptr)[order]
        spill.put(
            f"u-{i}",
            {
                "ids": to_global[order],
                "indptr": np.r_[0, np.cumsum(sizes)].astype(np.int64),
                "indices": run["u_indices"][_ranges(indptr[order], sizes)],
            },
        )
        firsts = _grown(firsts, min(len(vocabulary), KEY_BASE))
        pieces = []
        for start in range(0, len(run["n_keys"]), KEY_BLOCK):  # (a block at a time: fewer temporaries)
            keys, kept = _global_keys(run["n_keys"][start : start + KEY_BLOCK], to_global)
            first, _ = key_ends(keys)
            trigram = keys >= TRIGRAM
            firsts[0] += np.bincount(first[~trigram], minlength=firsts.shape[1])
            firsts[1] += np.bincount(first[trigram], minlength=firsts.shape[1])
            pieces.append((keys, run["n_rows"][start : start + KEY_BLOCK][kept]))
        del run
        spill.drop(f"run-{i}")
        spill.put(
            f"n-{i}",
            {
                "keys": np.concatenate([k for k, _ in pieces]) if pieces else np.empty(0, dtype=np.int64),
                "rows": np.concatenate([r for _, r in pieces]) if pieces else np.empty(0, dtype=np.int32),
            },
        )
        del pieces
    extra: dict[str, None] = {}
    for form in extra_compounds:  # a base index's hyphenated words (a daily segment's spaced spellings count)
        if form not in spelling_counts and form not in extra:
            _token_ids(form, vocabulary, compounds)
            extra[form] = None
    n_terms = len(vocabulary)
    papers, title_papers = _grown(papers, n_terms), _grown(title_papers, n_terms)
    compound_keys = np.array(sorted(compounds), dtype=np.int64)
    compound_terms = np.array([compounds[k] for k in compound_keys.tolist()], dtype=np.int64)

    if say:
        say("term index: merging the papers of each word", 0.1)
    bounds = ranges(papers, spill.budget // 4 // U_BYTES)
    u0 = spill.output("u0_indices", np.int32)
    _merge_unigrams(spill, offsets, papers, bounds, u0)
    u0_indptr = np.r_[0, np.cumsum(papers)].astype(np.int64)
    u0_result = u0.result()
    u0_indices = readable(u0_result)

    if say:
        say("term index: counting n-grams", 0.2)
    lows = _key_ranges(firsts, spill.budget // 4 // N_BYTES)
    bucket_keys = [spill.output(f"bucket-{b}.keys", np.int64) for b in range(len(lows))]
    bucket_rows = [spill.output(f"bucket-{b}.rows", np.int32) for b in range(len(lows))]
    for i, offset in enumerate(offsets):  # each run's pairs spread over the key ranges, in row order
        run = spill.get(f"n-{i}")
        bucket = (np.searchsorted(lows, run["keys"], side="right") - 1).astype(np.uint16)
        order = np.argsort(bucket, kind="stable")
        edges = np.searchsorted(bucket[order], np.arange(len(lows) + 1)).tolist()
        for b in range(len(lows)):
            part = order[edges[b] : edges[b + 1]]
            bucket_keys[b].append(run["keys"][part])
            bucket_rows[b].append(run["rows"][part] + np.int32(offset))
        del run, bucket, order
        spill.drop(f"n-{i}")
    n_keys = spill.output("n_keys", np.int64)
    n_indptr = spill.output("n_indptr", np.int64)
    n_indices = spill.output("n_indices", np.int32)
    n_indptr.append([0])
    done = 0
    spaced_papers = np.zeros(n_terms, dtype=np.int64)
    for b, low in enumerate(lows.tolist()):
        if say:
            say(f"term index: counting n-grams, range {b + 1:,} of {len(lows):,}", 0.2 + 0.6 * b / len(lows))
        keys, key_rows = _taken(spill, bucket_keys[b]), _taken(spill, bucket_rows[b])
        at = np.searchsorted(compound_keys, [low, lows[b + 1] if b + 1 < len(lows) else np.iinfo(np.int64).max])
        keys, key_rows, spaced = _with_compounds(
            keys,
            key_rows,
            compound_keys[at[0] : at[1]],
            compound_terms[at[0] : at[1]],
            u0_indptr,
            u0_indices,
        )
        order = np.argsort(keys, kind="stable")  # rows ascend per key (see _with_compounds)
        keys, key_rows = keys[order], key_rows[order]
        del order
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.empty(0, dtype=np.int64)
        counts = np.diff(np.r_[starts, len(keys)])
        kept = counts >= threshold
        # a hyphenated word's parts are kept however rare: the spelling they share with the
        # joined one ("ChainOfThought" for "chain of thought") is not in their words' papers
        kept |= np.isin(keys[starts], compound_keys[at[0] : at[1]]) if len(starts) else kept
        n_keys.append(keys[starts[kept]])
        n_indices.append(key_rows[np.repeat(kept, counts)])
        n_indptr.append(done + np.cumsum(counts[kept]))
        done += int(counts[kept].sum())
        del keys, key_rows, starts, counts, kept
        order = np.argsort(spaced[0], kind="stable")  # (term, row) of papers writing a compound spaced
        spill.put(f"spaced-{b}", {"terms": spaced[0][order], "rows": spaced[1][order].astype(np.int32)})
        spaced_papers += np.bincount(spaced[0], minlength=n_terms)
        del spaced, order

    if say:
        say("term index: adding the papers writing a compound spaced", 0.8)
    if spaced_papers.any():  # the papers writing a compound spaced count for its joined term
        bounds = ranges(papers + spaced_papers, spill.budget // 4 // U_BYTES)
        where = [np.searchsorted(spill.get(f"spaced-{b}", ("terms",))["terms"], bounds) for b in range(len(lows))]
        u = spill.output("u_indices", np.int32)
        for r, (low, high) in enumerate(itertools.pairwise(bounds.tolist())):
            columns = np.concatenate(
                [spill.part(f"spaced-{b}", "terms", int(at[r]), int(at[r + 1])) for b, at in enumerate(where)]
            )
            rows = np.concatenate(
                [spill.part(f"spaced-{b}", "rows", int(at[r]), int(at[r + 1])) for b, at in enumerate(where)]
            )
            indptr, indices = _add_postings(
                u0_indptr[low : high + 1] - u0_indptr[low],
                np.asarray(u0_indices[u0_indptr[low] : u0_indptr[high]]),
                columns - low,
                rows,
            )
            papers[low:high] = np.diff(indptr)
            u.append(indices)
        u_indptr, u_indices = np.r_[0, np.cumsum(papers)].astype(np.int64), u.result()
        del u0_indices
        _discard(spill, u0_result)
    else:
        u_indptr, u_indices = u0_indptr, u0_result
    for b in range(len(lows)):
        spill.drop(f"spaced-{b}")
    terms = list(vocabulary)
    display = _display_forms(terms, spelling_counts, first_terms)
    return {
        "n_docs": np.array([source.n_rows], dtype=np.int64),
        "u_indptr": u_indptr,
        "u_indices": u_indices,
        "unigrams": pack(terms),
        "u_title": title_papers,
        "display": pack(display),
        "n_keys": n_keys.result(),
        "n_indptr": n_indptr.result(),
        "n_indices": n_indices.result(),
        "build_seconds": np.array([time.perf_counter() - started]),
        "compounds": pack(sorted(t for t in itertools.chain(spelling_counts, extra) if "-" in t.strip("-"))),
    }


def _replay(
    run: dict[str, np.ndarray],
    vocabulary: dict[str, int],
    compounds: dict[int, int],
    spelling_counts: dict[str, int],
    first_terms: list[int],
) -> None:
    """A run's distinct raw tokens, in order, added to the global ``vocabulary``, ``compounds``,
    ``spelling_counts`` and ``first_terms`` as :func:`_token_ids` reading each token anew would
    (the run has each token's ids in its own vocabulary)."""
    local = unpack(run["terms"])
    term_at, term_ids = run["token_terms"].tolist(), run["term_ids"].tolist()
    part_at, part_ids = run["token_parts"].tolist(), run["part_ids"].tolist()
    joins: dict[int, Joins] = {}
    for place, at, size, joined in run["joins"].tolist():
        joins.setdefault(place, []).append((at, size, joined))
    for k, (token, count) in enumerate(zip(unpack(run["tokens"]), run["counts"].tolist())):
        seen = spelling_counts.get(token)
        spelling_counts[token] = (seen or 0) + count
        if seen is not None:
            continue
        if token in (BREAK, PAUSE):
            first_terms.append(vocabulary[token])
            continue
        ids = [vocabulary.setdefault(local[j], len(vocabulary)) for j in term_ids[term_at[k] : term_at[k + 1]]]
        first_terms.append(ids[0] if ids else -1)
        parts = [vocabulary.setdefault(local[j], len(vocabulary)) for j in part_ids[part_at[k] : part_at[k + 1]]]
        if k in joins:
            _add_compounds(parts, [(at, size, vocabulary[local[j]]) for at, size, j in joins[k]], compounds)


def _share(progress: Progress | None, low: float, high: float) -> Progress | None:
    """``progress`` with its shares mapped into ``low``..``high`` (a step of a longer build)."""
    if progress is None:
        return None
    report = progress
    return lambda step, done: report(step, low + (high - low) * done)


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    """``array`` with its last axis padded with zeros to ``size``."""
    return np.pad(array, [(0, 0)] * (array.ndim - 1) + [(0, size - array.shape[-1])])


def _key_ranges(firsts: np.ndarray, cap: int) -> np.ndarray:
    """The first key of each range of n-gram keys counted at a time, from the pairs per first
    term id of bigrams (``firsts[0]``) and trigrams (``firsts[1]``): ranges of whole first terms."""
    width = firsts.shape[1]
    cuts = ranges(firsts.reshape(-1), cap)[:-1]
    first = cuts % max(width, 1)
    lows: np.ndarray = np.where(cuts < width, first * KEY_BASE, TRIGRAM + first * KEY_BASE * KEY_BASE)
    return lows.astype(np.int64)


def _global_keys(keys: np.ndarray, to_global: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A run's n-gram keys in global term ids, those with an id from ``KEY_BASE`` on left out (a
    run's id of a term is never above its global one, so a run drops none that stays), and
    which of the run's keys were kept."""
    trigram = keys >= TRIGRAM
    plain = keys - np.where(trigram, TRIGRAM, 0)
    rest = plain // KEY_BASE
    first = to_global[np.where(trigram, rest // KEY_BASE, rest)]
    middle = to_global[np.where(trigram, rest % KEY_BASE, 0)]  # (id 0, BREAK, for a bigram)
    last = to_global[plain % KEY_BASE]
    kept = (first < KEY_BASE) & (middle < KEY_BASE) & (last < KEY_BASE)
    first, middle, last, trigram = first[kept], middle[kept], last[kept], trigram[kept]
    bigrams = first * KEY_BASE + last
    trigrams = (first * KEY_BASE + middle) * KEY_BASE + last + TRIGRAM
    return np.where(trigram, trigrams, bigrams), kept


def _merge_unigrams(spill: Spill, offsets: list[int], papers: np.ndarray, bounds: np.ndarray, out: Output) -> None:
    """Every term's rows (the runs ``u-0``, ``u-1``... of columns in global term order) appended to
    ``out`` in global term order, a range of terms (``bounds``) at a time; ``papers``: each
    term's rows in all.  Runs are in row order: each run's rows of a term follow the last's."""
    where = [np.searchsorted(spill.get(f"u-{i}", ("ids",))["ids"], bounds) for i in range(len(offsets))]
    for r, (low, high) in enumerate(itertools.pairwise(bounds.tolist())):
        sizes = papers[low:high]
        starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)  # of each term in the range
        merged = np.empty(int(sizes.sum()), dtype=np.int32)
        for i, offset in enumerate(offsets):
            first, last = int(where[i][r]), int(where[i][r + 1])
            if first == last:
                continue
            columns = spill.part(f"u-{i}", "ids", first, last) - low
            indptr = spill.part(f"u-{i}", "indptr", first, last + 1)
            rows = spill.part(f"u-{i}", "indices", int(indptr[0]), int(indptr[-1]))
            counts = np.diff(indptr)
            merged[_ranges(starts[columns], counts)] = rows + offset
            starts[columns] += counts
        out.append(merged)
    for i in range(len(offsets)):
        spill.drop(f"u-{i}")


def _taken(spill: Spill, output: Output) -> np.ndarray:
    """A working output's whole array, read into memory and no longer counted as held (its file deleted)."""
    array = output.result()
    if isinstance(array, Path):
        taken: np.ndarray = np.load(array)
        array.unlink()
        return taken
    spill.release(array.nbytes)
    return array


def _discard(spill: Spill, array: np.ndarray | Path) -> None:
    """Forget a working output's result: its held bytes, or its file."""
    if isinstance(array, Path):
        array.unlink(missing_ok=True)
    else:
        spill.release(array.nbytes)


def _expand(rows: np.ndarray, codes: np.ndarray, mapped: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Token positions (row, raw code) -> (row, id) for every id each raw token maps to, in order."""
    sizes = np.array([len(m) for m in mapped], dtype=np.int64)
    flat = np.concatenate(mapped) if mapped else np.empty(0, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    repeat = sizes[codes]
    out_rows = np.repeat(rows, repeat)
    offsets = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    return out_rows, flat[np.repeat(starts[codes], repeat) + offsets]


Joins = list[tuple[int, int, int]]  # (first part, parts, joined term id) of a hyphenated word's runs of parts


def _token_ids(
    token: str, vocabulary: dict[str, int], compounds: dict[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray, Joins]:
    """A raw token's term ids (lib.search.analysis.index_terms), its parts' ids, and each run of
    2–3 parts of a hyphenated word that it is indexed under (the whole word, or
    "chain-of-thought" in "long-chain-of-thought"), recorded in ``compounds`` when given (see
    :func:`_add_compounds`)."""
    ids = [vocabulary.setdefault(t, len(vocabulary)) for t in index_terms(token)]
    pieces = [p for p in token.split("-") if p]
    parts = [vocabulary.setdefault(stem(p), len(vocabulary)) for p in pieces]
    joins = []
    for size in COMPOUND_PARTS if len(parts) > 1 else ():
        for at in range(len(parts) - size + 1):
            joined = query_term("-".join(pieces[at : at + size]))
            if joined in vocabulary and vocabulary[joined] in ids:
                joins.append((at, size, vocabulary[joined]))
    if compounds is not None:
        _add_compounds(parts, joins, compounds)
    return np.array(ids, dtype=np.int64), np.array(parts, dtype=np.int64), joins


def _add_compounds(parts: list[int], joins: Joins, compounds: dict[int, int]) -> None:
    """Record in ``compounds`` each run of parts a token is indexed under joined: its parts'
    n-gram key -> the term a query of it looks up (chain·of·thought -> chainofthought)."""
    for at, size, joined in joins:
        key = make_key(parts[at : at + size])
        if key is not None:
            compounds.setdefault(key, joined)


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
    if len(compound_keys) == 0:
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
    new = np.ones(len(a_keys), dtype=bool)
    new[1:] = (a_keys[1:] != a_keys[:-1]) | (a_rows[1:] != a_rows[:-1])
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


def _display_forms(terms: list[str], spelling_counts: dict[str, int], first_terms: list[int]) -> list[str]:
    """The most frequent spelling of each term (a spelling counts for its joined form: the first
    of its terms, ``first_terms``, per spelling in order; -1 when it has none)."""
    best: dict[int, tuple[int, str]] = {}
    for (spelling, count), j in zip(spelling_counts.items(), first_terms):
        if j >= 0 and count > best.get(j, (0, ""))[0]:
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

    def build_arrays(
        self, source: Source, progress: Progress | None, spill: Spill, engine: Engine | None = None
    ) -> dict[str, Any]:
        return _build_arrays(source, spill, progress, engine)

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
