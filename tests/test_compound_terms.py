"""Issue 25, points 6, 7, 8 and 10: what a term is, on a real store.

* 6: a hyphenated term inside a longer compound counts ("fine-tuning" in "Critique-Fine-Tuning",
  "chain-of-thought" in "long-chain-of-thought"), and so does its plural inside ("chains-of-thought");
* 7: a phrase never runs from one keyword or author into the next;
* 8: an n-gram never runs across list items, brackets or clause punctuation;
* 10: a hyphenated word and its words spaced are one term ("chain-of-thought", "chain of thought"),
  in search (as a query and in the papers, both ways) and in the term index (trends).

Every expectation is read off the papers below."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import write_jsonl

from lib.dataset import load
from lib.search import index as search_index
from lib.search.query import parse
from lib.search.search import phrase_check, search
from lib.store.importer import import_files
from lib.store.store import Store, input_files
from lib.trends import terms as term_index
from lib.trends.terms import TermIndex
from lib.trends.trends import parse_terms, term_rows


def paper(key: str, title: str, abstract: str = "", authors=("Ann Author",), keywords=(), day="2025-03-01") -> dict:
    number = int(key[1:])
    return {
        "id": f"2503.{number:05d}",
        "title": title,
        "abstract": abstract,
        "authors": list(authors),
        "keywords": list(keywords),
        "date": day,
    }


PAPERS = [
    paper("p0", "Critique-Fine-Tuning for Reasoning", "A fine-tuning-based recipe."),
    paper("p1", "Long-Chain-of-Thought Distillation", "Short answers."),
    paper("p2", "Chains-of-Thought at Scale", "Longer answers."),
    paper("p3", "Chain of Thought Prompting", "We prompt step by step."),
    paper("p4", "ChainOfThought in one word", "Odd spelling."),
    paper("p5", "Vision Language Models See", "Spaced."),
    paper("p6", "Vision-Language Models Read", "Hyphenated."),
    paper(
        "p7",
        "Agents Learn",
        "Large language models (LLMs) act. We use on-policy distillation (OPD). Tools, memory help.",
        authors=("Zihan Liu", "Dahua Lin"),
        keywords=("Large Language Models", "Reinforcement Learning"),
    ),
    paper("p8", "Finetuning Without Hyphens", "Plain."),
    paper("p9", "A Paper by Dahua Liu", "Plain.", authors=("Dahua Liu",)),
    paper("p10", "Fine Tuning Spaced", "Plain."),
]


def keys(rows) -> list[str]:
    return sorted((f"p{int(PAPERS_BY_ROW[r]['id'][5:])}" for r in rows), key=lambda k: int(k[1:]))


PAPERS_BY_ROW: list[dict] = []


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compounds")
    store = Store(tmp / "data")
    import_files(store, input_files([str(write_jsonl(tmp / "p.jsonl", PAPERS))], (".jsonl",)))
    ds = load(store)
    by_id = {p["id"]: p for p in PAPERS}
    PAPERS_BY_ROW[:] = [by_id[i] for i in ds.table["id"].to_pylist()]
    return store


@pytest.fixture(scope="module")
def dataset(store):
    return load(store)


@pytest.fixture(scope="module")
def index(store, dataset):
    return search_index.load_or_build(store, dataset)


@pytest.fixture(scope="module")
def terms(store, dataset):
    return term_index.load_or_build(store, dataset)


def found(index, dataset, query: str) -> list[str]:
    return keys(search(index, dataset.search_columns, query).rows)


def counted(terms, dataset, text: str) -> list[str]:
    lines, warnings = parse_terms(text, terms)
    assert not warnings and len(lines) == 1
    return keys(term_rows(terms, dataset.table, lines[0]))


# --- 6: a hyphenated term inside a longer compound, plurals inside ---------------------------------
@pytest.mark.parametrize(
    "query, expected",
    [
        ("fine-tuning", ["p0", "p8", "p10"]),  # Critique-Fine-Tuning, fine-tuning-based; finetuning; fine tuning
        ("chain-of-thought", ["p1", "p2", "p3", "p4"]),  # long-chain-of-thought, chains-of-thought, spaced, joined
        ("chains-of-thought", ["p1", "p2", "p3", "p4"]),  # the plural inside is folded
        ("long-chain-of-thought", ["p1"]),
    ],
)
def test_a_term_inside_a_longer_compound_is_found(index, dataset, terms, query, expected):
    assert found(index, dataset, query) == expected
    assert counted(terms, dataset, query) == expected


def test_a_joined_word_is_its_hyphenated_spelling(index, dataset, terms):
    # search reads "finetuning" as one word (its hyphenated spelling too); the term index counts
    # the term, which a paper also writes spaced ("Fine Tuning", p10)
    assert found(index, dataset, "finetuning") == ["p0", "p8"]
    assert counted(terms, dataset, "finetuning") == ["p0", "p8", "p10"]


# --- 7: phrases stay inside one keyword, one author, one field ---------------------------------------
@pytest.mark.parametrize(
    "query, expected",
    [
        ('"models reinforcement learning"', []),  # "...Models" ends one keyword, "Reinforcement..." starts the next
        ('"large language models"', ["p7"]),
        ('"reinforcement learning"', ["p7"]),
        ('author:"Liu Dahua"', []),  # Zihan Liu ; Dahua Lin
        ('author:"Dahua Lin"', ["p7"]),
        ('author:"Dahua Liu"', ["p9"]),
        ('"distillation short"', []),  # p1: the title ends "Distillation", the abstract starts "Short"
    ],
)
def test_a_phrase_never_crosses_a_list_item_or_a_field(index, dataset, query, expected):
    assert found(index, dataset, query) == expected


def test_the_text_check_reads_list_items_apart(dataset):
    row = [p["id"] for p in PAPERS_BY_ROW].index("2503.00007")
    for query in ('"models reinforcement"', 'author:"liu dahua"', '"lin zihan"'):
        clause = parse(query).groups[0][0]
        assert not phrase_check(dataset.search_columns, np.array([row]), clause)[0], query
    assert phrase_check(dataset.search_columns, np.array([row]), parse('author:"zihan liu"').groups[0][0])[0]


def test_the_index_has_no_biword_across_two_keywords(index, dataset):
    row = [p["id"] for p in PAPERS_BY_ROW].index("2503.00007")
    assert row in index.biword("reinforcement", "learning").rows
    assert row not in index.biword("model", "reinforcement").rows
    # a comma is no list item: a phrase of search, as its text check, reads across punctuation
    assert row in index.biword("tool", "memory").rows


# --- 8: n-grams stay inside list items, brackets and clauses ---------------------------------------------
def test_no_ngram_across_list_items_brackets_or_clauses(dataset):
    every = TermIndex.build(dataset.table, min_ngram_papers=1)
    names = set(every.ngrams)
    for crossing in (
        "model reinforcement learning",  # two keywords
        "model reinforcement",
        "language model llm",  # "language models (LLMs)"
        "model llm",
        "distillation opd",  # "on-policy distillation (OPD)"
        "policy distillation opd",
        "llm act",  # "(LLMs) act"
        "opd tool",  # "(OPD). Tools"
        "tool memory",  # "Tools, memory"
    ):
        assert crossing not in names, crossing
    for inside in ("large language model", "reinforcement learning", "policy distillation"):
        assert inside in names, inside


# --- 10: a hyphenated word and its words spaced are one term ----------------------------------------------
@pytest.mark.parametrize(
    "query, expected",
    [
        ("chain-of-thought", ["p1", "p2", "p3", "p4"]),
        ('"chain of thought"', ["p1", "p2", "p3", "p4"]),  # and the papers writing it hyphenated or joined
        ("vision-language", ["p5", "p6"]),
        ('"vision language"', ["p5", "p6"]),
        ("vision-language models", ["p5", "p6"]),
        ('"vision language models"', ["p5", "p6"]),
        ('"vision-language models"', ["p5", "p6"]),
        ('"fine tuning"', ["p0", "p8", "p10"]),
        ("-chain-of-thought title:chain", []),  # excluded in both spellings
        ("title:chain-of-thought", ["p1", "p2", "p3", "p4"]),
    ],
)
def test_a_hyphenated_word_is_its_words_spaced_in_search(index, dataset, query, expected):
    assert found(index, dataset, query) == expected


@pytest.mark.parametrize(
    "term, expected",
    [
        ("chain-of-thought", ["p1", "p2", "p3", "p4"]),
        ("chain of thought", ["p1", "p2", "p3", "p4"]),
        ("vision-language", ["p5", "p6"]),
        ("vision language", ["p5", "p6"]),
        ("vision-language models", ["p5", "p6"]),
        ("vision language models", ["p5", "p6"]),
        ("fine tuning", ["p0", "p8", "p10"]),
    ],
)
def test_a_hyphenated_word_is_its_words_spaced_in_trends(terms, dataset, term, expected):
    assert counted(terms, dataset, term) == expected


def test_the_term_index_columns_hold_both_spellings(terms, dataset):
    """Emerging terms and topics read the columns themselves: both spellings in both."""
    assert keys(terms.unigram_rows("chainofthought")) == ["p1", "p2", "p3", "p4"]
    assert keys(terms.unigram_rows("visionlanguage")) == ["p5", "p6"]
    every = TermIndex.build(dataset.table, min_ngram_papers=1)
    assert keys(every.ngram_rows(("chain", "of", "thought"))) == ["p1", "p2", "p3", "p4"]
    assert keys(every.ngram_rows(("vision", "language"))) == ["p5", "p6"]


def test_a_daily_segment_counts_a_spaced_spelling_its_base_hyphenates(tmp_path):
    store = Store(tmp_path / "data")
    base = [paper(f"p{i}", f"Chain-of-Thought Study {i}") for i in range(6)]
    import_files(store, input_files([str(write_jsonl(tmp_path / "a.jsonl", base))], (".jsonl",)))
    term_index.load_or_build(store, load(store))
    day2 = [paper("p20", "Chain of Thought Again", day="2025-03-02")]
    import_files(store, input_files([str(write_jsonl(tmp_path / "b.jsonl", day2))], (".jsonl",)))
    ds = load(store)
    terms = term_index.load_or_build(store, ds)
    assert len(terms.parts) == 2  # a base and the day's segment
    assert len(terms.unigram_rows("chainofthought")) == 7
    index = search_index.load_or_build(store, ds)
    assert search(index, ds.search_columns, "chain-of-thought").total == 7


def test_format_numbers_changed_with_what_a_term_is():
    # an index saved before these terms is built again, never read
    assert search_index.FORMAT_VERSION == 5 and term_index.FORMAT_VERSION == 5
