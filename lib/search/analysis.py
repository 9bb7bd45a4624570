"""Text analysis shared by the search index and the term index: one definition of a "term".

A raw token is a run of letters, digits and inner hyphens, accent-folded and
lower-cased (``Fine-Tuning`` -> ``fine-tuning``).  A raw token is indexed as the
terms :func:`index_terms` gives: its plural-stripped joined form (``finetuning``)
and, when hyphenated, the joined forms of the runs of parts inside it and each part
(``fine-tuning-based``: finetuningbased, finetuning, tuningbased, fine, tuning, based).
A query word is looked up by :func:`query_term`: its joined, plural-stripped form.  So
"fine-tuning" finds "finetuning" and "fine-tuning-based", "LLMs" finds "LLM", and "agent"
never matches "reagent" (whole tokens).

Tokenising runs in Arrow's C++ kernels (:func:`tokenize`); the per-token Python
work is only done once per distinct raw token.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

# Separators: anything but letters, digits and hyphens (Arrow RE2 and Python re agree on these).
_ARROW_SEPARATORS = r"[^\p{L}\p{N}\-]+"
_PY_TOKEN = re.compile(r"[^\W_]+(?:-+[^\W_]+)*")

STOP_WORDS = frozenset(
    "a an and are as at be by for from has have in into is it its of on or that the their this "
    "to was we were which with our these those than then also can via".split()
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Strip an English plural (after Harman's S-stemmer, with -ches/-sses/-xes): the same
    rule on both sides of the index, so a plural finds its singular.

    >>> [stem(w) for w in ("policies", "models", "llms", "approaches", "classes", "images", "analysis", "bus")]
    ['policy', 'model', 'llm', 'approach', 'class', 'image', 'analysis', 'bus']
    """
    if len(word) > 4 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("us", "ss", "is")):
        return word[:-1]
    return word


def fold(text: str) -> str:
    """Accent-folded, lower-cased text exactly as :func:`normalize` makes it in Arrow (NFKD,
    every mark dropped, each character lower-cased), so a query word and the indexed text
    agree (``Straße`` stays ``straße``; lib.text.fold's casefold would give ``strasse``).

    >>> fold("Schrödinger Straße ΟΔΟΣ")
    'schrodinger straße οδοσ'
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text).translate(_marks())
    if decomposed.isascii() or "Σ" not in decomposed:
        return decomposed.lower()
    return "".join(c.lower() for c in decomposed)  # one at a time, as Arrow: str.lower() ends a word with "ς"


@lru_cache(maxsize=1)
def _marks() -> dict[int, None]:
    """Every mark (category M), for str.translate to drop (a per-character test is ~10x slower)."""
    return {i: None for i in range(sys.maxunicode + 1) if unicodedata.category(chr(i)).startswith("M")}


MAX_RUN = 4  # parts of a hyphenated token joined into one term at most ("state-of-the-art")


def _joined(parts: list[str]) -> str:
    """One term for hyphen parts read as one word: each part plural-stripped ("chains-of-thought"
    -> chainofthought), but an inner part of three letters or ending in "as" kept ("gas-phase",
    "bias-free": not plurals)."""
    inner = (p if len(p) <= 3 or p.endswith("as") else stem(p) for p in parts[:-1])
    return "".join(inner) + stem(parts[-1])


@lru_cache(maxsize=200_000)
def _index_terms(raw: str) -> tuple[str, ...]:
    parts = [p for p in raw.split("-") if p]
    if len(parts) <= 1:
        return (stem(parts[0]),) if parts else ()
    terms = [stem("".join(parts)), _joined(parts)]
    for size in range(
        min(len(parts) - 1, MAX_RUN), 1, -1
    ):  # runs of parts inside: "fine-tuning" of "fine-tuning-based"
        for at in range(len(parts) - size + 1):
            run = parts[at : at + size]
            if run[0] not in STOP_WORDS and run[-1] not in STOP_WORDS:
                terms.append(_joined(run))
    terms += (stem(p) for p in parts)
    return tuple(dict.fromkeys(terms))


def index_terms(raw: str) -> list[str]:
    """The terms one raw token (folded, lower-case) is indexed under: its joined form first
    (``fine-tuning-based``: finetuningbased), then the same with each part plural-stripped
    (:func:`_joined`), every run of two to ``MAX_RUN`` parts inside it that neither starts nor
    ends with a stop word (finetuning, tuningbased; "chain-of-thought" in
    "long-chain-of-thought"), and each part (fine, tuning, based)."""
    return list(_index_terms(raw))


@lru_cache(maxsize=100_000)
def query_term(word: str) -> str | None:
    """The term a query word is looked up by (None for punctuation only): a hyphenated word
    by its parts joined (:func:`_joined`: "chains-of-thought" is chain-of-thought's term)."""
    parts = [p for token in _PY_TOKEN.findall(fold(word)) for p in token.split("-") if p]
    return _joined(parts) if parts else None


def words(text: str) -> list[str]:
    """Raw tokens of a text, in order (folded, lower-case), as the index sees them."""
    return _PY_TOKEN.findall(fold(text))


def phrase_terms(text: str) -> list[str]:
    """The query terms of every word of a phrase, in order."""
    return [t for t in (query_term(w) for w in words(text)) if t]


# --- vectorised tokenising -------------------------------------------------------------
# Arrow is imported by these two functions, not by the module: the query parser
# (lib.search.query) reads the rules above, and parsing a query needs neither Arrow nor numpy.
def normalize(strings: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Accent-folded, lower-cased strings (Arrow kernels)."""
    import pyarrow.compute as pc

    folded = pc.replace_substring_regex(pc.utf8_normalize(strings, "NFKD"), r"\p{M}+", "")
    return pc.utf8_lower(folded)


def tokenize(strings: pa.Array | pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], pa.Array]:
    """``(row of each token, raw tokens)`` for a string column, tokens in reading order."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    tokens = pc.split_pattern_regex(normalize(pc.fill_null(strings, "")), _ARROW_SEPARATORS)
    flat = pc.utf8_trim(pc.list_flatten(tokens), "-")
    rows = pc.list_parent_indices(tokens)
    keep = pc.not_equal(flat, "")
    return rows.filter(keep).to_numpy().astype(np.int64), flat.filter(keep)
