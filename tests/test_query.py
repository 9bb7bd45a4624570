"""The query grammar (lib.search.query.parse): one table of query text -> parsed structure.

A clause is written as (terms, phrase, field): the terms are what the index is asked
for (lower-case, accent-folded, plural-stripped, hyphens joined).  ``warns`` says
whether the parse reports a slip.  parse never raises.
"""

from __future__ import annotations

import time

import pytest

from lib.search.query import MAX_CLAUSES, Clause, Query, parse


def W(*terms, field=None):
    """A plain word (several terms only when one typed word is several tokens)."""
    return (terms, False, field)


def P(*terms, field=None):
    """A phrase: these terms adjacent, in this order."""
    return (terms, True, field)


def T(term):
    return W(term, field="title")


def A(term):
    return W(term, field="author")


def shape(query: Query):
    groups = [[(c.terms, c.phrase, c.field) for c in g] for g in query.groups]
    excluded = [(c.terms, c.phrase, c.field) for c in query.excluded]
    return groups, excluded


FORTY = " ".join(f"w{i}" for i in range(40))
TEN_THOUSAND = " ".join(f"word{i}" for i in range(10_000))
LONG_PHRASE = '"' + " ".join(f"p{i}" for i in range(40)) + '"'

CASES = [
    # (query, groups, excluded, jump_id, warns)
    # --- plain words: AND of one-clause groups, terms normalised --------------------------
    ("agent", [[W("agent")]], [], None, False),
    ("LLMs", [[W("llm")]], [], None, False),
    ("Fine-Tuning", [[W("finetuning")]], [], None, False),
    ("Café", [[W("cafe")]], [], None, False),
    ("Schrödinger bridges", [[W("schrodinger")], [W("bridge")]], [], None, False),
    (
        "policies classes approaches images",
        [[W("policy")], [W("class")], [W("approach")], [W("image")]],
        [],
        None,
        False,
    ),
    ("analysis bus", [[W("analysis")], [W("bus")]], [], None, False),
    ("LLMs Fine-Tuning Café", [[W("llm")], [W("finetuning")], [W("cafe")]], [], None, False),
    ("  spaced    out  ", [[W("spaced")], [W("out")]], [], None, False),
    ("Straße", [[W("straße")]], [], None, False),  # lower-cased as the index does, not case-folded
    # a typed word of several tokens is those tokens, adjacent (as the index holds them)
    ("GPT-3.5", [[P("gpt3", "5")]], [], None, False),
    ("Qwen2.5 math", [[P("qwen2", "5")], [W("math")]], [], None, False),
    # --- phrases ----------------------------------------------------------------------------
    ('"large language models"', [[P("large", "language", "model")]], [], None, False),
    ('"Mixture of Experts" routing', [[P("mixture", "of", "expert")], [W("routing")]], [], None, False),
    ('"single"', [[W("single")]], [], None, False),  # a one-word phrase is a word
    ('"fine-tuned models"', [[P("finetuned", "model")]], [], None, False),
    # --- exclusion ------------------------------------------------------------------------------
    ("agent -web", [[W("agent")]], [W("web")], None, False),
    ('agent -"vision language"', [[W("agent")]], [P("vision", "language")], None, False),
    ('-"vision language" agent', [[W("agent")]], [P("vision", "language")], None, False),
    ("-web", [], [W("web")], None, False),  # browse everything without the word
    ("agent -title:survey", [[W("agent")]], [T("survey")], None, False),
    # --- OR (binds tighter than AND) ----------------------------------------------------------
    ("diffusion OR flow matching", [[W("diffusion"), W("flow")], [W("matching")]], [], None, False),
    ("matching diffusion OR flow", [[W("matching")], [W("diffusion"), W("flow")]], [], None, False),
    ("diffusion | flow", [[W("diffusion"), W("flow")]], [], None, False),
    ("x OR y OR z", [[W("x"), W("y"), W("z")]], [], None, False),
    ('"language model" OR llm', [[P("language", "model"), W("llm")]], [], None, False),
    ("diffusion or flow", [[W("diffusion")], [W("flow")]], [], None, False),  # lower-case "or" is a stop word
    # --- fields -------------------------------------------------------------------------------------
    ("title:agent", [[T("agent")]], [], None, False),
    ("TITLE:Agent", [[T("agent")]], [], None, False),
    ("ti:agents", [[T("agent")]], [], None, False),
    ('title:"language agents"', [[P("language", "agent", field="title")]], [], None, False),
    ("author:Hinton", [[A("hinton")]], [], None, False),
    ("au:Hinton", [[A("hinton")]], [], None, False),
    ("authors:Hinton", [[A("hinton")]], [], None, False),
    ('author:"Ada Lovelace"', [[P("ada", "lovelace", field="author")]], [], None, False),
    ("author:Élodie", [[A("elodie")]], [], None, False),
    ("title:the agent", [[T("the")], [W("agent")]], [], None, False),  # a stop word in a field is kept
    # an unknown prefix is not a field: its words, adjacent as typed
    ("foo:bar", [[P("foo", "bar")]], [], None, False),
    ('foo:"bar baz"', [[P("foo", "bar", "baz")]], [], None, False),
    ("note:agents planning", [[P("note", "agent")], [W("planning")]], [], None, False),
    # --- arXiv ids and URLs jump to the paper --------------------------------------------------------
    ("2508.01234", [], [], "2508.01234", False),
    ("2508.01234v2", [], [], "2508.01234", False),
    ("arXiv:2508.01234", [], [], "2508.01234", False),
    ("arxiv:2508.01234v3", [], [], "2508.01234", False),
    ("  2508.01234  ", [], [], "2508.01234", False),
    ("https://arxiv.org/abs/2508.01234v2", [], [], "2508.01234", False),
    ("http://arxiv.org/abs/2508.01234", [], [], "2508.01234", False),
    ("https://arxiv.org/pdf/2508.01234v1", [], [], "2508.01234", False),
    ("https://arxiv.org/pdf/2508.01234.pdf", [], [], "2508.01234", False),
    ("https://huggingface.co/papers/2508.01234", [], [], "2508.01234", False),
    ("hep-th/9901001v2", [], [], "hep-th/9901001", False),
    # an id inside a longer query is words, not a jump
    ("see 2508.01234", [[W("see")], [P("2508", "01234")]], [], None, False),
    ("2508.01234 2508.01235", [[P("2508", "01234")], [P("2508", "01235")]], [], None, False),
    # --- slips: never an error, a warning at most ------------------------------------------------
    ('"open phrase', [[P("open", "phrase")]], [], None, True),
    ('agent "open phrase', [[W("agent")], [P("open", "phrase")]], [], None, True),
    ("OR agent", [[W("agent")]], [], None, True),
    ("agent OR", [[W("agent")]], [], None, True),
    ("agent OR OR robot", [[W("agent"), W("robot")]], [], None, True),
    ("agent | | robot", [[W("agent"), W("robot")]], [], None, True),
    ("agent OR -robot", [[W("agent")]], [W("robot")], None, True),
    # an OR after an excluded word joins nothing (it must not tie "vision" to "agent")
    ("agent -robot OR vision", [[W("agent")], [W("vision")]], [W("robot")], None, True),
    ("OR", [], [], None, True),
    ("!!! ... ???", [], [], None, False),
    ("", [], [], None, False),
    ("   ", [], [], None, False),
    ("-", [], [], None, False),
    ('""', [], [], None, False),
    ("- -- ---", [], [], None, False),
    # stop words do not have to match, unless the query has nothing else
    ("the agent", [[W("agent")]], [], None, False),
    ("agents of the web", [[W("agent")], [W("web")]], [], None, False),
    ("the of", [[W("the")], [W("of")]], [], None, False),
    ("the -agent", [[W("the")]], [W("agent")], None, False),
    ('"the agent"', [[P("the", "agent")]], [], None, False),  # inside a phrase, kept
    # the number of terms is capped
    (FORTY, [[W(f"w{i}")] for i in range(MAX_CLAUSES)], [], None, True),
    (TEN_THOUSAND, [[W(f"word{i}")] for i in range(MAX_CLAUSES)], [], None, True),
    (LONG_PHRASE, [[P(*(f"p{i}" for i in range(MAX_CLAUSES)))]], [], None, True),
    # regex metacharacters are just punctuation
    ("((((a*)*)*)*)", [[W("a")]], [], None, False),
    (r".*+?[](){}^$\|", [], [], None, False),
    ("c++ c#", [[W("c")], [W("c")]], [], None, False),
]


@pytest.mark.parametrize("text, groups, excluded, jump_id, warns", CASES, ids=[c[0][:40] or "<empty>" for c in CASES])
def test_grammar(text, groups, excluded, jump_id, warns):
    query = parse(text)
    assert shape(query) == (groups, excluded)
    assert query.jump_id == jump_id
    assert bool(query.warnings) == warns, query.warnings
    assert query.is_empty == (not groups)


def test_capped_query_says_how_many_terms_are_used():
    query = parse(FORTY)
    assert query.warnings == [f"Only the first {MAX_CLAUSES} terms of the query are used."]


def test_a_capped_phrase_keeps_its_first_words_as_its_text():
    clause = parse(LONG_PHRASE).groups[0][0]
    assert clause.text == " ".join(f"p{i}" for i in range(MAX_CLAUSES))


def test_clause_text_keeps_what_was_typed():
    query = parse('LLMs "Large Language Models" author:"Ada Lovelace" -Vision')
    assert [c.text for g in query.groups for c in g] == ["LLMs", "Large Language Models", "Ada Lovelace"]
    assert [c.text for c in query.excluded] == ["Vision"]


def test_positive_terms_in_query_order_without_duplicates_or_exclusions():
    query = parse('LLMs OR agents "language models" llm -vision')
    assert query.positive_terms == ["llm", "agent", "language", "model"]


@pytest.mark.parametrize(
    "text",
    [
        " ".join(["word"] * 10_000),
        "((((a*)*)*)*)" * 1_000,
        "x" * 10_240,
        "a." * 5_120,  # one typed "word" of 5,120 tokens
        '"' * 9_999,
        "-" * 10_000,
        "OR " * 5_000,
        "title:" * 2_000,
        'author:"' + "é" * 10_000,
        "🤖 模型 Модель café \u202e\u200b\x00",
        "'; DROP TABLE papers; -- OR 1=1",
    ],
)
def test_hostile_text_parses_fast_and_never_raises(text):
    started = time.perf_counter()
    query = parse(text)
    assert time.perf_counter() - started < 1.0
    assert sum(len(g) for g in query.groups) + len(query.excluded) <= MAX_CLAUSES
    assert all(len(c.terms) <= MAX_CLAUSES for g in query.groups for c in g)


def test_none_parses_as_empty():
    assert parse(None).is_empty


# --- Query.show(): the canonical text, which parses back to the same query ------------------
SHOWN = [
    ("agent", "agent"),
    ("diffusion OR flow matching", "diffusion OR flow matching"),
    ("diffusion | flow", "diffusion OR flow"),
    ('"large language models" -vision', '"large language models" -vision'),
    ('-"vision language" agent', 'agent -"vision language"'),
    ('title:agent author:"Ada Lovelace"', 'title:agent author:"Ada Lovelace"'),
    ("TI:Agent au:Hinton", "title:Agent author:Hinton"),
    ("GPT-3.5", '"GPT-3.5"'),
    ('foo:"bar baz"', '"foo bar baz"'),
    ("the agent", "agent"),
    ("agent OR", "agent"),
]


@pytest.mark.parametrize("text, shown", SHOWN)
def test_show_round_trip(text, shown):
    query = parse(text)
    assert query.show() == shown
    again = parse(shown)
    assert shape(again) == shape(query)
    assert again.show() == shown
    assert not again.warnings


# --- broader_candidates() ------------------------------------------------------------------------------
def test_broader_candidates_loosen_then_drop_exclusions_then_each_group():
    query = parse('title:"large language" agents -survey')
    assert [c.show() for c in query.broader_candidates()] == [
        "large language agents -survey",  # phrase and field loosened, exclusion kept
        "large language agents",  # exclusion dropped too
        "agents",  # each required group dropped in turn
        "large language",
    ]


def test_broader_candidates_of_a_loosened_clause_require_all_its_words_without_order():
    loose = parse('title:"large language"').broader_candidates()[0]
    clause = loose.groups[0][0]
    assert (clause.terms, clause.phrase, clause.field) == (("large", "language"), False, None)


def test_no_broader_candidates_for_a_single_plain_word():
    assert parse("agent").broader_candidates() == []


def test_broader_candidates_of_two_words_drop_each():
    assert [c.show() for c in parse("agent robot").broader_candidates()] == ["robot", "agent"]


def test_a_phrase_inside_an_or_stays_a_phrase_when_loosened():
    # shown without quotes, "deep nets OR kernels" would mean deep AND (nets OR kernels)
    candidates = parse('title:"deep nets" OR kernels').broader_candidates()
    assert [c.show() for c in candidates] == ['"deep nets" OR kernels']
    assert parse('"deep nets" OR kernels').broader_candidates() == []


def test_broader_candidates_of_an_empty_query():
    assert parse("").broader_candidates() == []
    assert [c.show() for c in parse("-web").broader_candidates()] == [""]


def test_clause_show():
    assert Clause(("agent",), "Agents").show() == "Agents"
    assert Clause(("a", "b"), "a b", phrase=True, field="title").show() == 'title:"a b"'
