"""Names for topics: distinct key phrases, ranked as c-TF-IDF ranks them.

A topic's terms are scored by class-based TF-IDF (BERTopic's c-TF-IDF: a term's share of the
topic's term occurrences x log(1 + average occurrences per topic / the term's occurrences in
all topics)), so a term names the topic it is frequent in and rare elsewhere.  The idf part
is squared, as in the papers' vectors: the specific term ("openvla", "imitation learning")
outranks the broad one ("visual", "policy").  Measured on 75k papers: the mean NPMI of the
top 10 terms rises from 0.235 to 0.274 for topics and from 0.199 to 0.248 for areas.

* :func:`distinct` keeps terms that do not repeat a kept one, nor are a part of a term left out as
  a repeat ("fine" of "fine-grained", merged into "coarse-grained"): two terms repeat when half
  of the shorter one's words share their first five letters with the other's ("print,
  printing, printer" are one; "gaussian splatting" holds "splatting"; a hyphenated word
  counts its parts, so "vision-language-action" holds "vision language models"), and a
  term with a word that abbreviates a kept phrase repeats it ("moe" and "vla models" after
  "mixture-of-experts" and "vision-language-action").
* :func:`labels`: a topic's label is its best one or two key phrases, multi-word phrases
  first (a 2-word phrase's score counts x1.6, a 3-word one's x2), capitalised, e.g.
  "Vision-language-action, robot manipulation"; unique within a level (a repeated label
  takes the topic's next phrase, then its id).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from lib.search.analysis import STOP_WORDS

PHRASE_BOOST = {1: 1.0, 2: 1.6, 3: 2.0}
KEY = 5  # letters of a word that say two words are one ("print", "printing", "printer")
CANDIDATES = 60


def c_tf_idf(counts: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    """Class-based TF-IDF of a classes x terms matrix of occurrence counts, its idf squared
    (as the papers' vectors weigh terms: see lib.topics.topics)."""
    counts = np.asarray(counts, dtype=np.float64)
    per_class = counts.sum(axis=1, keepdims=True)
    tf = np.divide(counts, per_class, out=np.zeros_like(counts), where=per_class > 0)
    average = counts.sum() / max(counts.shape[0], 1)
    per_term = counts.sum(axis=0)
    weight = np.log1p(np.divide(average, per_term, out=np.zeros_like(per_term), where=per_term > 0))
    return np.asarray(tf * weight[np.newaxis, :] ** 2, dtype=np.float32)


def word_keys(term: str) -> set[str]:
    """The words of a term as compared for repetition: each word's (each hyphen part's) first
    ``KEY`` letters, lower-case."""
    letters = (re.sub(r"[^0-9a-zα-ω]", "", word) for word in re.split(r"[\s\-]+", term.lower()))
    return {w[:KEY] for w in letters if w}


def _words(term: str) -> list[str]:
    return [w for w in re.split(r"[\s\-]+", term.lower()) if w]


def is_acronym_of(word: str, words: list[str]) -> bool:
    """Whether ``word`` abbreviates ``words`` (function words aside): their initials appear in
    it in order and it is at most two letters longer ("moe" of mixture-of-experts, "llms" of
    "language models", "3dgs" of "3d gaussian splatting"; not "model" of "deep learning")."""
    initials = [w[0] for w in words if w and w not in STOP_WORDS]
    whole = re.sub(r"[^0-9a-z]", "", word.lower())
    return bool(initials) and any(
        _abbreviates(letters, initials) for letters in {whole, whole[:-1] if whole.endswith("s") else whole}
    )


def _abbreviates(letters: str, initials: list[str]) -> bool:
    if len(letters) > 6 or len(letters) > len(initials) + 2 or len(letters) < len(initials):
        return False
    at = 0
    for c in letters:
        if at < len(initials) and c == initials[at]:
            at += 1
    return at == len(initials)


def _shared(keys: set[str], other: set[str]) -> int:
    """Words of ``keys`` that one of ``other`` spells too: the same key, or one key starting
    the other ("bias" and "biase", as "biases" is stemmed)."""
    return sum(
        any(a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a))) for b in other) for a in keys
    )


def repeats(term: str, kept: list[set[str]], kept_terms: Sequence[str] = ()) -> bool:
    """Whether ``term`` repeats a kept term (``kept``: their word keys; see :func:`distinct`)."""
    keys = word_keys(term)
    if not keys:
        return True
    if any(_shared(keys, other) * 2 >= min(len(keys), len(other)) for other in kept):
        return True
    return any(  # a word of it abbreviates a kept phrase: "moe", "vla models" after "vision-language-action"
        len(_words(other)) > 1 and is_acronym_of(word, _words(other)) for word in _words(term) for other in kept_terms
    )


def distinct(terms: list[str], limit: int) -> list[str]:
    """The first ``limit`` of ``terms`` (best first) that do not repeat an earlier one (nor
    abbreviate one: "moe" after "mixture-of-experts"), nor are a part of an earlier term that
    repeated a kept one: "fine" of "fine-grained", merged into "coarse-grained"."""
    kept: list[str] = []
    keys: list[set[str]] = []
    merged: list[set[str]] = []  # the word keys of terms left out as repeats
    for term in terms:
        own = word_keys(term)
        if repeats(term, keys, kept) or any(own and _shared(own, other) == len(own) for other in merged):
            merged.append(own)
            continue
        kept.append(term)
        keys.append(own)
        if len(kept) == limit:
            break
    return kept


def key_phrases(scores: npt.NDArray[np.float32], display: list[str], limit: int) -> list[str]:
    """A topic's ``limit`` best distinct key phrases, multi-word phrases favoured."""
    order = [int(j) for j in np.argsort(-scores, kind="stable")[:CANDIDATES] if scores[j] > 0]
    boosted = sorted(order, key=lambda j: -float(scores[j]) * PHRASE_BOOST.get(_length(display[j]), 2.0))
    return distinct([display[j] for j in boosted], limit)


def _length(term: str) -> int:
    return len([w for w in re.split(r"[\s\-]+", term) if w])


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def labels(scores: npt.NDArray[np.float32], display: list[str], ids: list[int], words: int = 2) -> list[str]:
    """One label per row of ``scores`` (a classes x terms c-TF-IDF matrix): its best
    ``words`` key phrases, unique across the rows (see the module)."""
    out: list[str] = []
    used: set[str] = set()
    for row, topic_id in zip(scores, ids):
        phrases = key_phrases(row, display, words + 4)
        take = min(words, len(phrases))
        label = capitalised(", ".join(phrases[:take])) if phrases else f"Topic {topic_id}"
        while label.lower() in used and take < len(phrases):
            take += 1
            label = capitalised(", ".join(phrases[:take]))
        if label.lower() in used:
            label = f"{label} ({topic_id})"
        used.add(label.lower())
        out.append(label)
    return out
