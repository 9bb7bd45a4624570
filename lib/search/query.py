"""The search query language, parsed into a plain structure (pure, never raises).

The syntax as users read it is :data:`SYNTAX_MARKDOWN`, written once: the Search page shows it and
docs/usage.md holds the same text (tests/test_docs.py checks it).  Matching is case-insensitive,
accent-folded, plural- and hyphen-tolerant (see lib.search.analysis).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from lib.search.analysis import STOP_WORDS, phrase_terms, words
from lib.text import arxiv_id

MAX_CLAUSES = 32
MAX_BROADER = 64  # broader queries tried at most (each is a search)
FIELDS = {"title": "title", "ti": "title", "author": "author", "authors": "author", "au": "author"}
_LEXEME = re.compile(r'(-?)(?:(\w+):)?("[^"]*"?|\S+)')

# The query syntax as users read it (Markdown): the Search page's "Syntax" popover and docs/usage.md.
SYNTAX_MARKDOWN = f"""\
| type | to find |
|---|---|
| `diffusion policy` | papers with every word, ranked (BM25F: a title match counts most) |
| `"mixture of experts"` | the words adjacent and in this order |
| `agents -survey` | without the word; `-"a phrase"` too |
| `diffusion OR flow matching` | either word (`\\|` too); OR binds tighter than the implicit AND |
| `title:transformer`, `title:"vision transformer"` | in the title |
| `author:Hinton`, `author:"Ada Lovelace"` | in an author's name |
| `2508.01234`, `arXiv:2508.01234v2`, an arXiv abs/pdf or `huggingface.co/papers/…` URL | opens that paper |

Matching is case-insensitive and accent-folded (`Schrodinger` finds *Schrödinger*),
plural-tolerant (`LLMs` finds *LLM*), hyphen-tolerant (`fine-tuning` finds *finetuning* and
*fine-tuning*) and by whole words (`agent` never matches *reagent*). Very common words (`the`,
`of`, …) need not match unless the query has nothing else. A slip is never an error: an
unbalanced quote closes at the end, a dangling `OR` is ignored, each with a warning; more than
{MAX_CLAUSES} terms are cut with a warning.
"""


@dataclass(frozen=True)
class Clause:
    """One thing to match: a word or a phrase, anywhere or in one field."""

    terms: tuple[str, ...]
    text: str  # the words as typed, for phrase checks and display
    phrase: bool = False
    field: str | None = None  # None (title, abstract, authors, keywords), "title" or "author"

    def show(self) -> str:
        body = f'"{self.text}"' if self.phrase else self.text
        return f"{self.field}:{body}" if self.field else body


@dataclass
class Query:
    groups: list[list[Clause]] = field(default_factory=list)  # AND of ORs
    excluded: list[Clause] = field(default_factory=list)
    jump_id: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def positive_terms(self) -> list[str]:
        """Terms to highlight, in query order."""
        return list(dict.fromkeys(t for g in self.groups for c in g for t in c.terms))

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def show(self) -> str:
        parts = [" OR ".join(c.show() for c in g) for g in self.groups]
        parts += ["-" + c.show() for c in self.excluded]
        return " ".join(parts)

    def broader_candidates(self, drop_order: Sequence[int] | None = None, limit: int = MAX_BROADER) -> list[Query]:
        """Broader versions of this query, most similar first: phrases and fields loosened,
        exclusions dropped, then the (loosened) query without one required group, without two,
        and so on while one is left: every way to drop k groups before any way to drop k + 1,
        those dropping the groups early in ``drop_order`` first (default: query order; a caller
        with an index passes the rarest first).  At most ``limit`` candidates: a query of many
        words has far too many sub-queries to try them all."""
        # a phrase inside an OR stays one: shown without quotes its words would join other groups
        loose = [[Clause(c.terms, c.text, c.phrase and len(g) > 1, None) for c in g] for g in self.groups]
        candidates = []
        if loose != self.groups:
            candidates.append(Query(loose, list(self.excluded)))
        if self.excluded:
            candidates.append(Query(loose))
        order = list(range(len(loose))) if drop_order is None else list(drop_order)
        for dropped in range(1, len(loose)):
            for gone in combinations(order, dropped):
                if len(candidates) >= limit:
                    return candidates
                candidates.append(Query([g for i, g in enumerate(loose) if i not in gone]))
        return candidates[:limit]


@lru_cache(maxsize=2_048)
def parse(text: str) -> Query:
    """Parse a query; never raises.  Cached: treat the result as read-only."""
    query = Query()
    text = (text or "").strip()
    if not text:
        return query
    if " " not in text and arxiv_id(text):
        query.jump_id = arxiv_id(text)
        return query
    if text.count('"') % 2:
        query.warnings.append("Unbalanced quote: the phrase runs to the end of the query.")
    pending_or = False
    last = None  # the kind of the last clause: "word" or "excluded" (an OR joins only a word)
    clauses = 0
    for match in _LEXEME.finditer(text):
        negated, prefix, body = match.group(1), match.group(2), match.group(3)
        if not negated and not prefix and body in ("OR", "|"):
            if last == "word" and not pending_or:
                pending_or = True
            elif last == "excluded" and not pending_or:
                query.warnings.append("OR cannot join an excluded word; the OR was ignored.")
            else:
                query.warnings.append("An OR without a word before it was ignored.")
            continue
        field_name = FIELDS.get(prefix.lower()) if prefix else None
        if prefix and field_name is None:
            body = f"{prefix} {body.strip(chr(34))}"  # "foo:bar" with an unknown field: plain words
        clause = _clause(body, field_name)
        if clause is None:
            continue
        if len(clause.terms) > MAX_CLAUSES:  # a pasted paragraph in quotes: its regex would be too large
            kept = words(clause.text)[:MAX_CLAUSES]
            clause = Clause(clause.terms[:MAX_CLAUSES], " ".join(kept), clause.phrase, clause.field)
            if (capped := f"Only the first {MAX_CLAUSES} words of a phrase are used.") not in query.warnings:
                query.warnings.append(capped)
        clauses += 1
        if clauses > MAX_CLAUSES:
            query.warnings.append(f"Only the first {MAX_CLAUSES} terms of the query are used.")
            break
        if negated:
            query.excluded.append(clause)
            if pending_or:
                query.warnings.append("OR cannot join an excluded word; the OR was ignored.")
                pending_or = False
        elif pending_or:
            query.groups[-1].append(clause)
            pending_or = False
        else:
            query.groups.append([clause])
        last = "excluded" if negated else "word"
    if pending_or:
        query.warnings.append("A trailing OR was ignored.")
    _drop_stop_words(query)
    return query


def _clause(body: str, field_name: str | None) -> Clause | None:
    quoted = body.startswith('"')
    text = body.strip('"').strip()
    if quoted:
        terms = tuple(phrase_terms(text))
        if not terms:
            return None
        return Clause(terms, text, phrase=len(terms) > 1, field=field_name)
    # one term per token, as the index has them: "GPT-3.5" is the tokens gpt-3 and 5, adjacent
    terms = tuple(phrase_terms(text))
    if not terms:
        return None
    if len(terms) > 1:  # "GPT-3.5", or "foo bar" from an unknown field prefix: the words, adjacent
        return Clause(terms, text, phrase=True, field=field_name)
    return Clause(terms, text, field=field_name)


def _drop_stop_words(query: Query) -> None:
    """Plain stop words do not have to match (they would match nearly every paper),
    unless the query has nothing else."""

    def is_stop(group: list[Clause]) -> bool:
        return len(group) == 1 and not group[0].phrase and not group[0].field and group[0].terms[0] in STOP_WORDS

    kept = [g for g in query.groups if not is_stop(g)]
    if kept and len(kept) < len(query.groups):
        query.groups = kept
