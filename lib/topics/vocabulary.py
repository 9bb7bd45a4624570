"""The research vocabulary topics are found in: whole 1–3-word terms, boilerplate set aside.

From the term index (lib.trends.terms: folded, plural-stripped words and the 2–3-word
n-grams papers use, "mixture of experts", "gaussian splatting"):

1. **Candidates.** A word that can name a topic (lib.trends.trends.is_topic_term: no function
   word or number, and in the titles of at least 5% of the papers that use it — "demonstrate"
   and "paper" are not) and a 2–3-word n-gram with such words at both ends, used by at least
   ``min_papers`` papers and at most a quarter of them.  Of an n-gram and the hyphenated word
   that spells it ("remote sensing", "remote-sensing") the commoner stays.  An n-gram is left
   out when a word of it abbreviates the words before it ("models llms", "action vla": the
   text said "large language models (LLMs)"; lib.topics.labels.is_acronym_of), and a 3-word
   one whose middle word is a function word other than "of" and "to" ("tuning and
   reinforcement": pieces of two phrases; "mixture of experts" stays).
2. **Boilerplate, learned.** Papers (at most ``FIT_SAMPLE``, drawn at random) are grouped in
   a quick first pass (mini-batch k-means over TF-IDF, ``first_pass_k`` groups).  A research term concentrates in some groups; the
   vocabulary of writing ("real-world", "comprehensive", "leveraging", "robust") is spread
   over the groups as all papers are.  The spread is the Kullback–Leibler divergence of the
   term's papers over the groups from all papers': a term whose divergence is less than
   ``BOILERPLATE_KL`` above what chance gives a term of its size ((groups - 1) / (2 x its
   papers)) is boilerplate.  Twice: the second pass groups without the first's boilerplate.
   A short fixed list (``WRITING``) is set aside too, whatever the data say, and so is an
   n-gram that holds a multi-word boilerplate phrase ("real world dataset", "large scale
   dataset"), and a term starting or ending with a word of a set-aside hyphenated word when
   at least ``PART_SHARE`` of its papers write that word ("art", "state", "art performance"
   of "state-of-the-art").

The result is the paper x term presence matrix the topics are fitted on, and the
boilerplate found (shown on the Topics page, most frequent first).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from lib.progress import Progress
from lib.search.analysis import STOP_WORDS, stem
from lib.store.store import read_ranges
from lib.topics.labels import is_acronym_of
from lib.trends.terms import AnyTermIndex

BOILERPLATE_KL = 0.15
MAX_SHARE = 0.25  # a term in more than a quarter of the papers is vocabulary, not a subject
MAX_TERMS = 40_000  # the most frequent candidates
FIRST_PASSES = 2
PART_SHARE = 0.5  # a word written at least this often inside a set-aside hyphenated word is set aside with it
PHRASE_JOINS = frozenset(
    {"of", "to"}
)  # the function words a 3-word term holds ("mixture of experts", "text to speech")
FIT_SAMPLE = 150_000  # papers the boilerplate passes, the SVD and k-means learn from; every paper is then placed
WRITING = (  # the words of abstracts' writing, set aside whatever the data say
    "novel propose demonstrate comprehensive extensive state-of-the-art outperform outperforming finding future "
    "real-world address existing significant significantly effective effectiveness superior promising remarkable "
    "various diverse recent approach method framework paper result experiment task performance wide-range"
)


@functools.cache
def writing_terms() -> frozenset[str]:
    """``WRITING`` as the index spells terms: stems, an n-gram's words space-separated."""
    terms = set()
    for word in WRITING.split():
        terms.add(stem(word.replace("-", "")))
        if "-" in word:
            terms.add(" ".join(stem(part) for part in word.split("-")))
    return frozenset(terms | {"state of the art"})


def sample_rows(n_docs: int, random_state: int = 0) -> npt.NDArray[np.int64]:
    """The papers the first passes and the fit learn from: all of them, or ``FIT_SAMPLE`` drawn
    at random (seeded: the same table gives the same sample)."""
    if n_docs <= FIT_SAMPLE:
        return np.arange(n_docs, dtype=np.int64)
    return np.sort(np.random.default_rng(random_state).choice(n_docs, FIT_SAMPLE, replace=False)).astype(np.int64)


def min_papers(n_docs: int) -> int:
    """Papers a term needs to be a candidate: 3 in small tables, up to 20 from 40,000 papers."""
    return int(max(3, min(20, n_docs // 2000)))


def first_pass_k(n_docs: int) -> int:
    return int(np.clip(round(np.sqrt(n_docs / 20)), 4, 60))


@dataclass
class Vocabulary:
    terms: list[str]  # as the index spells them: stems, an n-gram's words space-separated
    display: list[str]  # as papers write them
    presence: sp.csr_matrix  # papers x terms, 1.0 where a paper uses the term
    papers: npt.NDArray[np.int64]  # papers per term
    boilerplate: list[str]  # display forms of the terms set aside as boilerplate, most used first

    def __len__(self) -> int:
        return len(self.terms)


def _phrase_display(index: AnyTermIndex, words: list[str]) -> str:
    """How an n-gram reads: as its hyphenated spelling when papers write one ("mixture of
    experts"), else each word's usual spelling, a plural before the last word singular ("post
    training", "low resource language": English pluralises the head noun)."""
    hyphenated = index.unigram_ids.get("".join(words))
    if hyphenated is not None and index.display[hyphenated].count("-") == len(words) - 1:
        return index.display[hyphenated].replace("-", " ")  # "mixture of experts", as "mixture-of-experts" reads
    shown = [index.display[index.unigram_ids[w]] if w in index.unigram_ids else w for w in words]
    for i, (word, spelled) in enumerate(zip(words[:-1], shown[:-1])):
        if spelled.lower() in (word + "s", word + "es") and spelled[-2:-1].lower() not in "siua":  # not "bias"
            shown[i] = word
    return " ".join(shown)


def _holds_phrase(name: str, phrases: set[str]) -> bool:
    """Whether an n-gram holds one of ``phrases`` (words space-separated) as consecutive words."""
    padded = f" {name} "
    return any(f" {p} " in padded and p != name for p in phrases)


def candidates(index: AnyTermIndex) -> tuple[list[str], list[str], sp.csc_matrix, npt.NDArray[np.int64]]:
    """Step 1: the candidate terms (index spelling, display), their presence (as columns), their papers."""
    from lib.trends.trends import _topic_words

    n = index.n_docs
    least = min_papers(n)
    topic_word = _topic_words(index)
    u_indptr, u_indices = index.all_postings("u")
    u_papers = np.diff(np.asarray(u_indptr[: len(topic_word) + 1], dtype=np.int64))
    lengths = np.array([len(w) for w in index.unigrams[: len(topic_word)]])
    words = np.flatnonzero(topic_word & (lengths >= 3) & (u_papers >= least) & (u_papers <= int(MAX_SHARE * n)))
    writing = writing_terms()
    words = np.array([j for j in words if index.unigrams[j] not in writing], dtype=np.int64)
    joined = {index.unigrams[j]: int(u_papers[j]) for j in words}  # hyphenated words, read joined
    n_indptr, n_indices = index.all_postings("n")
    n_papers = np.diff(np.asarray(n_indptr, dtype=np.int64))
    first, last = index.ngram_ends()
    v = len(topic_word)
    inside = (first < v) & (last < v)
    ok = inside & topic_word[np.minimum(first, v - 1)] & topic_word[np.minimum(last, v - 1)]
    grams = []
    for j in np.flatnonzero(ok & (n_papers >= max(least, 5)) & (n_papers <= int(MAX_SHARE * n))):
        name = index.ngram_name(int(j))
        parts = name.split(" ")
        if name in writing or joined.get("".join(parts), -1) >= n_papers[j]:
            continue  # "fine grained" beside a commoner "fine-grained" (the rarer spelling goes)
        if len(parts) == 3 and parts[1] in STOP_WORDS and parts[1] not in PHRASE_JOINS:
            continue  # "tuning and reinforcement", "task in natural": pieces of two phrases
        if any(is_acronym_of(parts[i], parts[:i]) for i in range(1, len(parts))) or min(map(len, parts)) < 2:
            continue  # "models llms", "action vla models": the text said "language models (LLMs)"; "bird s eye"
        grams.append(int(j))
    gram_ids = np.array(grams, dtype=np.int64)
    spelled = {"".join(index.ngram_name(int(j)).split(" ")) for j in gram_ids}
    words = np.array([j for j in words if index.unigrams[j] not in spelled], dtype=np.int64)
    papers = np.concatenate([u_papers[words], n_papers[gram_ids]]).astype(np.int64)
    if len(papers) > MAX_TERMS:  # the most frequent, chosen before a posting is read
        keep = np.sort(np.argsort(-papers, kind="stable")[:MAX_TERMS])
        words, gram_ids, papers = (
            words[keep[keep < len(words)]],
            gram_ids[keep[keep >= len(words)] - len(words)],
            papers[keep],
        )
    terms = [index.unigrams[j] for j in words] + [index.ngram_name(int(j)) for j in gram_ids]
    display = [index.display[j] for j in words] + [_phrase_display(index, t.split(" ")) for t in terms[len(words) :]]
    presence = _presence([(u_indptr, u_indices, words), (n_indptr, n_indices, gram_ids)], n)
    return terms, display, presence, papers


PRESENCE = np.int8  # a presence matrix's values (ones): 1 byte each, not 4; cast before summing in it
Postings = tuple[npt.NDArray[np.integer], npt.NDArray[np.integer], npt.ArrayLike]  # indptr, indices, columns


def _presence(blocks: list[Postings], n_rows: int) -> sp.csc_matrix:
    """Binary rows x columns matrix (:data:`PRESENCE` ones) of the ``columns`` of each block of a
    term index's postings (each column's rows, ascending), the blocks side by side.  Columns,
    as the postings are: choose columns there, then turn the matrix to rows once (``.tocsr()``),
    so that the papers' rows are never copied for columns that are then dropped."""
    ranges = []
    for indptr, indices, columns in blocks:
        chosen = np.asarray(columns, dtype=np.int64)
        ranges.append(
            (indices, np.asarray(indptr)[chosen].astype(np.int64), np.asarray(indptr)[chosen + 1].astype(np.int64))
        )
    column_ptr = np.cumsum(
        np.concatenate([np.zeros(1, dtype=np.int64)] + [ends - starts for _, starts, ends in ranges])
    )
    rows = np.empty(int(column_ptr[-1]), dtype=np.int32)
    at = 0
    for indices, starts, ends in ranges:  # (a term index's postings are int32 rows: read into place)
        size = int((ends - starts).sum())
        read_ranges(indices, starts, ends, rows[at : at + size])
        at += size
    return sp.csc_matrix((np.ones(len(rows), dtype=PRESENCE), rows, column_ptr), shape=(n_rows, len(column_ptr) - 1))


def normalized(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to unit length (empty rows stay empty)."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ matrix, dtype=np.float32)


def idf(papers: npt.ArrayLike, n_docs: int) -> npt.NDArray[np.float32]:
    """scikit-learn's smoothed idf."""
    return (np.log((1 + n_docs) / (1 + np.asarray(papers, dtype=np.float64))) + 1).astype(np.float32)


def spread(presence: sp.csr_matrix, papers: np.ndarray, groups: np.ndarray, k: int) -> npt.NDArray[np.float64]:
    """Per term: the KL divergence of its papers over ``groups`` from all papers', less what
    chance gives a term of its size (see the module's step 2)."""
    n = presence.shape[0]
    member = sp.csr_matrix((np.ones(n, dtype=np.float32), (np.arange(n), groups)), shape=(n, k))
    counts = np.asarray((presence.T @ member).todense(), dtype=np.float64)
    p = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    q = np.bincount(groups, minlength=k) / max(n, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(p > 0, p * np.log(p / np.where(q > 0, q, 1)), 0.0).sum(axis=1)
    return np.asarray(kl - (k - 1) / (2 * np.maximum(papers, 1)), dtype=np.float64)


def _set_aside_parts(
    index: AnyTermIndex, terms: list[str], display: list[str], presence: sp.csc_matrix, keep: np.ndarray
) -> None:
    """Set aside (in ``keep``) a term starting or ending with a word of a set-aside hyphenated
    word when most of its papers write that hyphenated word: "art", "state" and "art
    performance" of "state-of-the-art" are no topic; "art generation" may be."""
    compounds = {stem(w.replace("-", "")): w for w in WRITING.split() if "-" in w}
    compounds |= {terms[j]: display[j] for j in np.flatnonzero(~keep) if "-" in display[j] and " " not in terms[j]}
    part_of: dict[str, set[str]] = {joined: {joined} for joined in compounds}  # "stateoftheart protein" too
    for joined, spelled in compounds.items():
        for part in spelled.lower().split("-"):
            if part and part not in STOP_WORDS:
                part_of.setdefault(stem(part), set()).add(joined)
    suspects = [j for j in np.flatnonzero(keep) if {terms[j].split(" ")[0], terms[j].split(" ")[-1]} & part_of.keys()]
    if not suspects:
        return
    columns = presence[:, suspects].tocsc()
    for at, j in enumerate(suspects):
        rows = columns.indices[columns.indptr[at] : columns.indptr[at + 1]]
        ends = {terms[j].split(" ")[0], terms[j].split(" ")[-1]}
        holders = [_unigram_rows(index, c) for w in ends for c in part_of.get(w, ())]
        inside = max(np.isin(rows, h, assume_unique=True).sum() for h in holders)
        keep[j] = inside < PART_SHARE * max(len(rows), 1)


def _unigram_rows(index: AnyTermIndex, term: str) -> npt.NDArray[np.int32]:
    """The papers of a word, read as :func:`_presence` reads postings (not through their mapping)."""
    j = index.unigram_ids.get(term)
    if j is None:
        return np.empty(0, dtype=np.int32)
    indptr, indices = index.all_postings("u")
    return read_ranges(indices, [int(indptr[j])], [int(indptr[j + 1])])


def vocabulary(index: AnyTermIndex, progress: Progress | None = None, random_state: int = 0) -> Vocabulary:
    """The research vocabulary of the papers in ``index`` (see the module)."""
    from sklearn.cluster import MiniBatchKMeans

    terms, display, presence, papers = candidates(index)
    n = presence.shape[0]
    keep = np.ones(len(terms), dtype=bool)
    k = first_pass_k(n)
    if len(terms) > k and n > 2 * k:
        rows = sample_rows(n, random_state)
        seen = (presence[rows] if len(rows) < n else presence).tocsr()
        seen_papers = np.bincount(seen.indices, minlength=len(terms)) if len(rows) < n else papers
        weights = idf(seen_papers, len(rows))
        for step in range(FIRST_PASSES):
            if progress:
                progress(f"topics: learning the boilerplate, pass {step + 1} of {FIRST_PASSES}", 0.05 + 0.05 * step)
            columns = np.flatnonzero(keep)
            vectors = normalized(sp.csr_matrix(seen[:, columns].multiply(weights[columns][np.newaxis, :])))
            groups = MiniBatchKMeans(k, random_state=random_state, batch_size=4096, n_init=1).fit(vectors).labels_
            keep &= spread(seen, seen_papers, groups, k) >= BOILERPLATE_KL
    _set_aside_parts(index, terms, display, presence, keep)
    phrases = {terms[j] for j in np.flatnonzero(~keep) if " " in terms[j]} | {
        " ".join(stem(p) for p in display[j].split("-")) for j in np.flatnonzero(~keep) if "-" in display[j]
    }
    phrases |= {t for t in writing_terms() if " " in t}
    for j in np.flatnonzero(keep):
        if " " in terms[j] and _holds_phrase(terms[j], phrases):  # "real world dataset", "large scale dataset"
            keep[j] = False
    aside = np.flatnonzero(~keep)
    aside = aside[np.argsort(-papers[aside], kind="stable")]
    columns = np.flatnonzero(keep)
    chosen = presence[:, columns]
    del presence  # (the candidates' columns: gone before the chosen ones are turned to rows)
    return Vocabulary(
        [terms[j] for j in columns],
        [display[j] for j in columns],
        chosen.tocsr(),
        papers[columns],
        [display[j] for j in aside],
    )
