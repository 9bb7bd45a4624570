"""Ranking, matching, filters, sorts, snippets, similar papers and the saved index, on the
hand-written papers of tests/search_fixture.py (every expected value is read off
those texts), plus a few facts about the bundled sample."""

from __future__ import annotations

import datetime as dt
import re
import time

import numpy as np
import pytest
from conftest import memory_mapped
from search_fixture import ID, KEY, LONG_ABSTRACT, ORDER, PAPERS, day, newest_first, write_jsonl

from lib.dataset import load
from lib.search import index as index_module
from lib.search import search as search_module
from lib.search.hybrid import similar
from lib.search.index import SearchIndex, load_or_build
from lib.search.query import parse
from lib.search.search import (
    Columns,
    Filters,
    broader_query,
    highlight_markdown,
    result_frame,
    search,
    snippet,
)
from lib.store.store import Store, input_files
from lib.urlstate import SEARCH_SORTS


# --- the fixture, built once -------------------------------------------------------------------
@pytest.fixture(scope="module")
def fx():
    from types import SimpleNamespace

    from search_fixture import build_table

    from lib.store.schema import to_frame

    table = build_table()
    return SimpleNamespace(
        table=table,
        index=SearchIndex.build(table),
        columns=Columns(table),
        frame=to_frame(table),
        row={key: ORDER.index(key) for key in ORDER},
    )


def keys(fx, query, filters=Filters(), sort="relevance") -> list[str]:
    """The matching papers (fixture keys) in display order."""
    result = search(fx.index, fx.columns, query, filters, sort)
    return [ORDER[r] for r in result.rows]


def found(fx, query, **kw) -> set[str]:
    return set(keys(fx, query, **kw))


# --- ranking --------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["protein_b", "protein_a", "dense", "schrodinger", "robot_lm", "ft_vision"])
def test_an_exact_title_ranks_that_paper_first(fx, key):
    assert keys(fx, PAPERS[key]["title"])[0] == key


def test_exact_title_beats_a_paper_with_the_same_words_in_its_abstract(fx):
    # protein_a holds every word of protein_b's title, in its abstract
    assert keys(fx, "Equivariant Attention for Protein Structure Prediction") == ["protein_b", "protein_a"]
    assert keys(fx, "Dense Retrieval at Scale") == ["dense", "memory"]


def test_a_title_match_outranks_the_same_word_in_an_abstract(fx):
    assert keys(fx, "retrieval") == ["dense", "memory"]
    ranked = keys(fx, "agent")
    assert set(ranked) == {"rl_web", "tool_agents", "memory"}
    assert ranked[-1] == "memory"  # the only one without "agent" in its title


def test_scores_are_positive_and_descending_in_relevance_order(fx):
    result = search(fx.index, fx.columns, "model")
    rows, scores = result.slice(0, result.total)
    assert len(rows) == 8 and (scores > 0).all()
    assert (np.diff(scores) <= 0).all()


# --- phrases ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, expected",
    [
        ('"large language models"', {"tool_agents"}),  # speech has the three words apart
        ("large language models", {"tool_agents", "speech"}),
        ('"language model"', {"tool_agents", "robot_lm"}),  # robot_grasp: "model ... language"
        ('"language models large"', set()),
        # hyphens and plurals inside a phrase: tolerated as the index tolerates them
        ('"fine tuned model"', {"ft_vision"}),  # "fine-tuned models"; not "finetuned model" (one word)
        ("fine tuned model", {"ft_vision", "small_fine"}),  # the words anywhere
        ('"fine-tuned model"', {"ft_vision", "ft_law"}),  # "fine-tuned models" and "finetuned model"
        ('"finetuned models"', {"ft_vision", "ft_law"}),
        ('"fine tuned models"', {"ft_vision"}),
        ('"protein folding"', {"protein_a", "protein_b"}),  # protein_a: in its keywords; protein_b: abstract
        ('"folding protein"', set()),
        ('title:"language agents"', {"tool_agents"}),
        ('title:"large language"', set()),  # in tool_agents' abstract, not its title
        ('"retrieval agent" dense', {"memory"}),
        ('"GPT-3.5"', set()),
    ],
)
def test_phrases_need_the_words_adjacent_and_in_order(fx, query, expected):
    assert found(fx, query) == expected


def test_a_phrase_does_not_span_two_fields(fx):
    # small_fine: title ends "... Be Fine", abstract starts "Tuned carefully"; ft_law writes
    # "finetuned", the same term (issue 25, point 10)
    assert found(fx, '"fine tuned"') == {"ft_vision", "ft_law"}


# --- exclusion, OR, AND, fields ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, expected",
    [
        ("agent", {"rl_web", "tool_agents", "memory"}),
        ("agent -web", {"tool_agents", "memory"}),
        ("agent -web -recall", {"tool_agents"}),
        ("agent -memory", {"rl_web"}),  # tool_agents mentions memory in its abstract
        ("robot", {"robot_lm", "robot_grasp"}),
        ("robot -language", set()),
        ('robot -"language model"', {"robot_grasp"}),  # only robot_lm has the words in order
        ('robot -"model language"', {"robot_lm", "robot_grasp"}),
        ("-robot", set(ORDER) - {"robot_lm", "robot_grasp"}),  # nothing required: browse without the word
        ("diffusion OR retrieval", {"schrodinger", "dense", "memory"}),
        ("diffusion | retrieval", {"schrodinger", "dense", "memory"}),
        ("retrieval agent", {"memory"}),
        ("diffusion retrieval", set()),
        ("retrieval OR diffusion agent", {"memory"}),  # (retrieval OR diffusion) AND agent
        ("agent OR robot -web", {"tool_agents", "memory", "robot_lm", "robot_grasp"}),
        ("agent -web OR robot", set()),  # an OR after an exclusion is ignored: agent AND robot
        ("title:agent", {"rl_web", "tool_agents"}),  # memory has "agent" in its abstract only
        ("title:robot -title:grasping", {"robot_lm"}),
        ("Tanaka", {"rl_web", "llm_judge", "robot_grasp"}),
        ("author:Tanaka", {"rl_web", "llm_judge"}),  # robot_grasp cites Tanaka in its abstract
        ("author:Kenji", {"rl_web", "llm_judge"}),
        ('author:"Maria Rossi"', {"rl_web", "ft_vision"}),
        ('author:"Rossi Maria"', set()),
        ("author:Garcia", {"robot_grasp"}),
        ("author:elodie", {"schrodinger"}),
        ("author:Tanaka -author:Haddad", {"rl_web"}),
        ("author:transformer", set()),
    ],
)
def test_exclusion_or_and_fields(fx, query, expected):
    assert found(fx, query) == expected


# --- normalisation: case, accents, plurals, hyphens, whole words --------------------------------------
@pytest.mark.parametrize(
    "query, expected",
    [
        ("RETRIEVAL", {"dense", "memory"}),
        ("ReTrIeVaL", {"dense", "memory"}),
        ("Schrodinger", {"schrodinger"}),
        ("schrödinger", {"schrodinger"}),
        ("SCHRÖDINGER bridges", {"schrodinger"}),
        ("garcía", {"robot_grasp"}),
        ("LLMs", {"llm_judge", "robot_lm"}),  # llm_judge says "LLM" only
        ("llm", {"llm_judge", "robot_lm"}),  # robot_lm says "LLMs" only
        ("agents", {"rl_web", "tool_agents", "memory"}),
        ("agent", {"rl_web", "tool_agents", "memory"}),  # never reagent, never agentic
        ("reagent", {"reagent"}),
        ("reagents", {"reagent"}),
        ("agentic", {"agentic"}),
        ("fine-tuning", {"ft_vision", "ft_law"}),  # "fine-tuning" and "Finetuning"
        ("finetuning", {"ft_vision", "ft_law"}),
        ("Fine-Tuning", {"ft_vision", "ft_law"}),
        ("fine-tuned", {"ft_vision", "ft_law"}),
        ("tuning", {"ft_vision"}),  # a part of "fine-tuning"; "Finetuning" is one word
        ("parameter efficient", {"ft_vision"}),
        ("parameter-efficient", {"ft_vision"}),
        ("web", {"rl_web"}),  # not "websites", not "Weber"
        ("large", {"tool_agents", "speech"}),  # not "larger"
        (
            "model",
            {"tool_agents", "speech", "schrodinger", "ft_vision", "ft_law", "small_fine", "robot_lm", "robot_grasp"},
        ),
        ("policy", {"rl_web"}),  # "policies"
        ("tokenizer", {"long"}),
        ("byte level", {"long"}),
    ],
)
def test_case_accents_plurals_hyphens_whole_words(fx, query, expected):
    assert found(fx, query) == expected


def test_a_multi_token_word_matches_its_tokens_adjacent():
    """ "GPT-3.5" and "Qwen2.5" are two tokens each in the text; typed unquoted they must
    still find it (they used to be looked up as "gpt35", which no text holds)."""
    from search_fixture import TODAY

    from lib.store.schema import make_record, records_to_table

    texts = ["We compare GPT-3.5 with Qwen2.5 on the model's own data.", "GPT 3 and 5 other things, Qwen2 and 5."]
    table = records_to_table(
        [
            make_record(
                {"title": f"Paper {i}", "abstract": a, "date": dt.date(2026, 1, 1)}, sources=["arxiv"], today=TODAY
            )
            for i, a in enumerate(texts)
        ]
    )
    built, columns = SearchIndex.build(table), Columns(table)
    for query, expected in [
        ("GPT-3.5", [0]),
        ('"GPT-3.5"', [0]),
        ("Qwen2.5", [0]),
        ("gpt-3.5 qwen2.5", [0]),
        ("model's", [0]),
        ("GPT", [0, 1]),
        ("Straße", []),
    ]:
        assert sorted(search(built, columns, query).rows.tolist()) == expected, query


def test_sharp_s_and_other_non_ascii_letters_match_themselves():
    from search_fixture import TODAY

    from lib.store.schema import make_record, records_to_table

    table = records_to_table(
        [
            make_record(
                {"title": "Straßenbahn in Köln", "abstract": "ΟΔΟΣ and οδος", "date": dt.date(2026, 1, 1)},
                sources=["arxiv"],
                today=TODAY,
            )
        ]
    )
    built, columns = SearchIndex.build(table), Columns(table)
    for query in ["Straßenbahn", "straßenbahn", "koln", "Köln", '"Straßenbahn in Köln"', "ΟΔΟΣ", "οδοσ"]:
        assert search(built, columns, query).total == 1, query


# --- filters ----------------------------------------------------------------------------------------------
def test_date_range_is_inclusive(fx):
    filters = Filters(date_from=dt.date(2026, 2, 9), date_to=dt.date(2026, 3, 9))
    assert keys(fx, "", filters) == ["ft_law", "ft_vision", "memory", "dense", "schrodinger"]


def test_date_from_alone_and_to_alone(fx):
    assert keys(fx, "", Filters(date_from=dt.date(2026, 5, 11))) == ["long", "hostile", "protein_b"]
    assert keys(fx, "", Filters(date_to=dt.date(2026, 1, 12))) == ["tool_agents", "rl_web"]
    assert keys(fx, "", Filters(date_from=dt.date(2026, 1, 13), date_to=dt.date(2026, 1, 18))) == []


def test_min_upvotes(fx):
    assert keys(fx, "", Filters(min_upvotes=30), "upvotes") == [
        "protein_a",
        "schrodinger",
        "protein_b",
        "rl_web",
        "ft_vision",
    ]
    # > 0 leaves out papers without upvotes (and the one with 0)
    without = {k for k, p in PAPERS.items() if not p["upvotes"]}
    assert without == {"speech", "small_fine", "reagent", "hostile"}
    assert found(fx, "", filters=Filters(min_upvotes=1)) == set(ORDER) - without
    assert found(fx, "", filters=Filters(min_upvotes=0)) == set(ORDER)


def test_category(fx):
    assert found(fx, "", filters=Filters(category="cs.RO")) == {"robot_lm", "robot_grasp"}
    assert found(fx, "", filters=Filters(category="q-bio.BM")) == {"protein_a", "protein_b"}
    assert found(fx, "", filters=Filters(category="cs.LG")) == {"rl_web", "schrodinger", "small_fine", "protein_a"}
    assert found(fx, "", filters=Filters(category="no.SUCH")) == set()
    assert found(fx, "model", filters=Filters(category="cs.CL")) == {"tool_agents", "speech", "ft_law", "robot_lm"}


def test_filters_combine(fx):
    filters = Filters(date_from=dt.date(2026, 3, 1), min_upvotes=10, category="cs.CL")
    assert keys(fx, "model", filters, "newest") == ["robot_lm"]
    assert keys(fx, "", filters, "oldest") == ["robot_lm"]
    filters = Filters(date_to=dt.date(2026, 3, 31), category="cs.CL")
    assert keys(fx, "model", filters, "oldest") == ["tool_agents", "speech", "ft_law"]


def test_category_sizes(fx):
    sizes = fx.index.category_sizes()
    assert sizes["cs.CL"] == sum("cs.CL" in p["categories"] for p in PAPERS.values()) == 7
    assert next(iter(sizes)) == "cs.CL"


# --- sorts -----------------------------------------------------------------------------------------------
MODEL = ["tool_agents", "speech", "schrodinger", "ft_vision", "ft_law", "small_fine", "robot_lm", "robot_grasp"]


def test_sort_newest_and_oldest(fx):
    assert keys(fx, "model", sort="newest") == newest_first(MODEL)
    assert keys(fx, "model", sort="newest") == [
        "robot_grasp",
        "robot_lm",
        "small_fine",
        "ft_law",
        "ft_vision",
        "schrodinger",
        "speech",
        "tool_agents",
    ]
    assert keys(fx, "model", sort="oldest") == newest_first(MODEL)[::-1]


def test_sort_upvotes_puts_papers_without_upvotes_last(fx):
    ranked = keys(fx, "model", sort="upvotes")
    assert ranked[:6] == ["schrodinger", "ft_vision", "tool_agents", "robot_lm", "robot_grasp", "ft_law"]
    assert set(ranked[6:]) == {"speech", "small_fine"}


def test_every_sort_gives_the_same_set(fx):
    sets = {sort: found(fx, "model", sort=sort) for sort in SEARCH_SORTS}
    assert all(s == set(MODEL) for s in sets.values())


def test_empty_query_browses_newest_first(fx):
    assert keys(fx, "") == newest_first(ORDER)
    assert keys(fx, "") == keys(fx, "", sort="newest")
    assert keys(fx, "   ") == newest_first(ORDER)
    assert keys(fx, "", sort="oldest") == newest_first(ORDER)[::-1]
    # upvotes descending; the paper with 0 before the three without, which are newest first
    assert keys(fx, "", sort="upvotes") == [
        "protein_a",
        "schrodinger",
        "protein_b",
        "rl_web",
        "ft_vision",
        "tool_agents",
        "robot_lm",
        "agentic",
        "dense",
        "robot_grasp",
        "memory",
        "ft_law",
        "llm_judge",
        "long",
        "reagent",
        "hostile",
        "small_fine",
        "speech",
    ]


@pytest.mark.parametrize(
    "query, total",
    [
        ("", 18),
        ("model", 8),
        ("agent", 3),
        ('"language model"', 2),
        ("robot -language", 0),
        ("nothingmatches", 0),
        ("-robot", 16),
    ],
)
def test_totals_are_exact(fx, query, total):
    result = search(fx.index, fx.columns, query)
    assert result.total == total and result.total_exact
    assert len(result.rows) == total


def test_slice_pages_through_the_result(fx):
    result = search(fx.index, fx.columns, "")
    everything = [ORDER[r] for r in result.rows]
    pages = [[ORDER[r] for r in result.slice(start, start + 5)[0]] for start in range(0, 20, 5)]
    assert [len(p) for p in pages] == [5, 5, 5, 3]
    assert [key for page in pages for key in page] == everything == newest_first(ORDER)
    assert len(result.slice(18, 38)[0]) == 0


def test_result_frame_ranks_and_columns(fx):
    result = search(fx.index, fx.columns, "agent")
    frame = result_frame(result, fx.table, 1, 3)
    assert frame["rank"].tolist() == [2, 3]
    assert frame["id"].tolist() == [ID[k] for k in keys(fx, "agent")[1:3]]
    assert {"id", "title", "authors", "date", "upvotes", "categories", "url", "abstract", "score"} <= set(frame)
    assert result_frame(result, fx.table)["id"].tolist() == [ID[k] for k in keys(fx, "agent")]


def test_query_object_and_text_give_the_same_result(fx):
    for text in ["agent -web", '"language model"', "title:robot", "diffusion OR retrieval"]:
        assert (
            search(fx.index, fx.columns, parse(text)).rows.tolist() == search(fx.index, fx.columns, text).rows.tolist()
        )


def test_warnings_are_passed_on(fx):
    result = search(fx.index, fx.columns, '"open phrase')
    assert result.warnings and "quote" in result.warnings[0].lower()


def test_a_jump_id_searches_nothing(fx):
    result = search(fx.index, fx.columns, "https://arxiv.org/abs/2602.00005v2")
    assert result.query.jump_id == ID["schrodinger"]


# --- lazy phrase checks -----------------------------------------------------------------------------------
@pytest.fixture
def lazy(monkeypatch):
    monkeypatch.setattr(search_module, "EAGER_CHECKS", 2)
    monkeypatch.setattr(search_module, "CHECK_BATCH", 1)


def test_a_two_word_phrase_is_answered_by_the_index_alone(fx, lazy):
    # both words anywhere: tool_agents, speech, robot_lm, robot_grasp; in order: two, which the
    # biword index knows: nothing is left to read, the total is exact at once (the lazy reads of
    # longer phrases: tests/test_search_phrases.py, on the demo's real papers)
    result = search(fx.index, fx.columns, '"language model"', sort="newest")
    assert result.total_exact and result.total == 2
    assert [ORDER[r] for r in result.rows] == ["robot_lm", "tool_agents"]  # robot_grasp is newer: not in order


def test_lazy_result_equals_the_eager_one(fx, monkeypatch):
    queries = [
        '"language model"',
        '"fine tuned model"',
        '"protein folding"',
        'robot -"language model"',
        '"large language models"',
        '"language model" OR diffusion',
    ]
    eager = {(q, s): search(fx.index, fx.columns, q, sort=s) for q in queries for s in SEARCH_SORTS}
    monkeypatch.setattr(search_module, "EAGER_CHECKS", 2)
    monkeypatch.setattr(search_module, "CHECK_BATCH", 1)
    for (query, sort), expected in eager.items():
        result = search(fx.index, fx.columns, query, sort=sort)
        want_rows, want_scores = expected.slice(0, 100)
        paged = np.concatenate([result.slice(i, i + 1)[0] for i in range(len(want_rows) + 2)])
        assert paged.tolist() == want_rows.tolist(), (query, sort)
        assert result.rows.tolist() == want_rows.tolist(), (query, sort)
        assert np.allclose(result.slice(0, 100)[1], want_scores)
        assert result.total_exact and result.total == expected.total


def test_lazy_exclusion_of_a_phrase(fx, lazy):
    result = search(fx.index, fx.columns, 'robot OR diffusion -"language model"', sort="oldest")
    assert [ORDER[r] for r in result.rows] == ["schrodinger", "robot_grasp"]


# --- snippets and safe markdown ------------------------------------------------------------------------------
def test_short_text_snippet_is_the_whole_text_with_matches_marked(fx):
    text = PAPERS["memory"]["abstract"]
    segments = snippet(text, parse("retrieval agents").positive_terms)
    assert "".join(piece for piece, _ in segments).strip() == text
    assert [piece for piece, hit in segments if hit] == ["retrieval", "agent"]


def test_long_text_snippet_is_the_window_with_the_matches():
    segments = snippet(LONG_ABSTRACT, parse("tokenizers").positive_terms)
    words = [piece for piece, _ in segments if piece.strip() and piece.strip() != "…"]
    assert len(words) == 48
    assert segments[0] == ("… ", False)  # the text starts before the window
    assert [piece for piece, hit in segments if hit] == ["tokenizers", "tokenizer"]
    assert words[-1] == "v11"  # the window ends with the text: no ellipsis after it
    assert segments[-1][0] != "…"


def test_snippet_keeps_context_before_an_early_match():
    text = " ".join(["lead", "in", "words", "target"] + [f"x{i}" for i in range(100)])
    segments = snippet(text, ["target"])
    assert segments[0] == ("lead", False)
    assert segments[-1] == ("…", False)
    assert [piece for piece, hit in segments if hit] == ["target"]


@pytest.mark.parametrize("position", [0, 10, 47, 48, 49, 70, 99])
def test_a_single_match_is_always_in_the_snippet(position):
    tokens = [f"x{i}" for i in range(100)]
    tokens[position] = "Needles,"
    segments = snippet(" ".join(tokens), ["needle"])
    assert [piece for piece, hit in segments if hit] == ["Needles,"]


def test_snippet_of_empty_text_and_of_no_matches():
    assert snippet("", ["x"]) == []
    segments = snippet(LONG_ABSTRACT, ["absent"])
    assert not any(hit for _, hit in segments)
    assert segments[0] == ("w0", False)  # no match: the start of the text


DIRECTIVE = re.compile(r":orange-background\[((?:\\.|[^\\\]])*)\]")


def _unescaped_specials(markdown: str) -> list[str]:
    """ASCII punctuation in ``markdown`` (our directives removed) not preceded by a backslash."""
    body = DIRECTIVE.sub(lambda m: " " + m.group(1) + " ", markdown)
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if re.match(r"[!-/:-@\[-`{-~]", body[i]):
            out.append(body[i])
        i += 1
    return out


@pytest.mark.parametrize("query", ["markup", "script javascript red", "E mc", "big abstracts", "nothing"])
def test_highlight_markdown_escapes_every_piece_of_paper_text(query):
    from search_fixture import HOSTILE_ABSTRACT

    markdown = highlight_markdown(snippet(HOSTILE_ABSTRACT, parse(query).positive_terms))
    assert _unescaped_specials(markdown) == []
    for raw, escaped in [
        ("<script>", r"\<script\>"),
        ("</script>", r"\<\/script\>"),
        ("alert(1)", r"alert\(1\)"),
        ("[x](javascript:", r"\[x\]\(javascript\:"),
        ("$E=mc^2$", r"\$E\=mc\^2\$"),
        (":red[big]", r"\:red\[big\]"),
    ]:
        assert escaped in markdown, raw
    directives = re.findall(r"(?<!\\):[a-z-]+\[", markdown)
    assert set(directives) <= {":orange-background["}


def test_highlight_markdown_marks_matches_only():
    from search_fixture import HOSTILE_ABSTRACT

    markdown = highlight_markdown(snippet(HOSTILE_ABSTRACT, ["markup"]))
    assert DIRECTIVE.findall(markdown) == ["markup"]
    markdown = highlight_markdown(snippet(HOSTILE_ABSTRACT, ["script"]))
    assert DIRECTIVE.findall(markdown) == [r"\<script\>alert\(1\)\<\/script\>"]
    assert highlight_markdown(snippet(HOSTILE_ABSTRACT, ["zzz"])).count(":orange-background[") == 0


# --- similar papers ------------------------------------------------------------------------------------------------
def test_similar_finds_the_obviously_related_paper(fx):
    a, b = fx.row["protein_a"], fx.row["protein_b"]
    assert similar(fx.index, fx.table, a, k=3)[0][0] == b
    assert similar(fx.index, fx.table, b, k=3)[0][0] == a


@pytest.mark.parametrize("key", ORDER)
def test_similar_never_returns_the_paper_itself_and_at_most_k(fx, key):
    row = fx.row[key]
    for k in (1, 3, 50):
        neighbours = similar(fx.index, fx.table, row, k=k)
        assert len(neighbours) <= min(k, len(ORDER) - 1)
        assert row not in [r for r, _ in neighbours]
        cosines = [c for _, c in neighbours]
        assert cosines == sorted(cosines, reverse=True) and all(0 < c <= 1 + 1e-5 for c in cosines)


def test_similar_ft_papers(fx):
    assert similar(fx.index, fx.table, fx.row["ft_law"], k=1)[0][0] == fx.row["ft_vision"]


# --- broader queries -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "title:retrieval agent",
        '"language models large"',
        "agent -agent",
        "robot -language",
        'title:"large language"',
        "diffusion retrieval",
        '"protein transformer" OR "dense robot"',
        "author:transformer protein",
    ],
)
def test_broader_query_has_results_when_the_query_has_none(fx, query):
    parsed = parse(query)
    assert search(fx.index, fx.columns, parsed).total == 0
    broader = broader_query(fx.index, fx.columns, parsed)
    if query == '"protein transformer" OR "dense robot"':
        assert broader is None  # nothing broader can be written in the query language
        return
    assert broader
    again = search(fx.index, fx.columns, broader)
    assert again.total > 0 and not again.warnings


def test_broader_query_picks_the_candidate_with_most_results(fx):
    # candidates: "retrieval agent" (memory), "agent" (3 papers), "retrieval" (2 papers)
    assert broader_query(fx.index, fx.columns, parse("title:retrieval agent")) == "agent"
    assert broader_query(fx.index, fx.columns, parse('"language models large"')) == "language models large"


def test_broader_query_candidates_find_what_their_text_finds(fx):
    for text in [
        'title:"large language" agents -survey',
        '"a b" OR c',
        '"language model" OR title:robot -grasping',
        'author:"Maria Rossi" fine-tuning -vision',
        'title:"retrieval agent" OR diffusion',
    ]:
        for candidate in parse(text).broader_candidates():
            assert (
                search(fx.index, fx.columns, candidate).rows.tolist()
                == search(fx.index, fx.columns, candidate.show()).rows.tolist()
            ), candidate.show()


def test_broader_query_respects_filters(fx):
    filters = Filters(category="cs.RO")
    assert broader_query(fx.index, fx.columns, parse("robot agent"), filters) == "robot"


# --- the seed page (the Daily Papers page of 2025-08-12 as a person copies it) -----------------------------------------
@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from lib.dataset import Dataset
    from lib.store.importer import read_file
    from lib.store.store import sample_input

    ds = Dataset(read_file(sample_input())[0], "seed", False, str(tmp_path_factory.mktemp("seed")))
    assert ds.table.num_rows == 63
    return ds, SearchIndex.build(ds.table)


def test_lora_ranks_allora_first_on_the_sample(sample):
    ds, built = sample
    frame = result_frame(search(built, ds.search_columns, "LoRA"), ds.table, 0, 5)
    assert frame["title"].iloc[0] == "ALLoRA: Adaptive Learning Rate Mitigates LoRA Fatal Flaws"


def _word_scores(built, columns, word) -> dict[int, float]:
    result = search(built, columns, word)
    rows, scores = result.slice(0, result.total)
    return dict(zip(rows.tolist(), scores.tolist()))


@pytest.mark.parametrize(
    "first,second,third",
    [
        ("model", "language", "vision"),
        ("learning", "agent", "reasoning"),
        ("model", "data", "zzzunknown"),
        ("video", "model", "image"),
        ("agent", "model", "language"),
    ],
)
def test_and_or_match_the_set_algebra_of_their_words(sample, first, second, third):
    """``a b OR c`` = the papers with a and (b or c), scored by the sum of their words'
    scores, in score order: whichever group is narrowest is worked out first."""
    ds, built = sample
    a, b, c = (_word_scores(built, ds.search_columns, w) for w in (first, second, third))
    expected = {row: a[row] + b.get(row, 0) + c.get(row, 0) for row in a if row in b or row in c}
    for query in (f"{first} {second} OR {third}", f"{second} OR {third} {first}"):
        result = search(built, ds.search_columns, query)
        rows, scores = result.slice(0, result.total)
        assert set(rows.tolist()) == set(expected), query
        assert np.allclose(scores, [expected[r] for r in rows.tolist()], rtol=1e-5), query
        assert list(scores) == sorted(scores, reverse=True), query


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest", "upvotes"])
@pytest.mark.parametrize("query", ["model", "", "learning OR agent"])
def test_pages_read_in_any_order_join_to_the_whole_order(sample, sort, query):
    ds, built = sample
    whole = search(built, ds.search_columns, query, sort=sort).rows.tolist()
    assert len(whole) > 7
    result = search(built, ds.search_columns, query, sort=sort)
    starts = [7, 0, 21, 14, 35, 28]  # later pages first: each read orders only as far as it needs
    pages = {start: result.slice(start, start + 7)[0].tolist() for start in starts}
    assert [row for start in sorted(starts) for row in pages[start]] == whole[:42]


def test_a_quoted_pasted_abstract_finds_its_paper(sample):
    ds, built = sample
    row = ds.frame.index[ds.frame["title"].str.startswith("ALLoRA")][0]
    abstract = ds.frame["abstract"].iloc[row]
    result = search(built, ds.search_columns, f'"{abstract}"')
    assert result.rows.tolist() == [row]


HOSTILE = [
    r".*+?[](){}^$\|",
    "((((a*)*)*)*)",
    "(a+)+$ (a|a)* [[:alpha:]] \\p{L} (?i) \\1",
    " ".join(f"term{i}" for i in range(10_000)),
    '"' + " ".join(["model"] * 10_000) + '"',
    " ".join(["model"] * 10_000),
    "the of and a to in",
    "!!! ??? ... --- ;;; |||",
    "x" * 10_240,
    "ab." * 3_500,
    '"' * 5_000 + "a" * 5_000,
    "🤖🔥 模型 Модель café naïve \u202e\u200b \x00 \ufeff",
    "'; DROP TABLE papers; -- OR 1=1 /* */ UNION SELECT * FROM users",
    'author:" title:" -" OR | -- -',
    "title:" + "x" * 10_000,
    "2508.01234 " * 100,
]


@pytest.mark.parametrize("query", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_queries_answer_fast_without_exceptions(sample, query):
    ds, built = sample
    started = time.perf_counter()
    result = search(built, ds.search_columns, query)
    frame = result_frame(result, ds.table, 0, search_module.PAGE_SIZE)
    for abstract in frame["abstract"]:
        highlight_markdown(snippet(abstract, result.query.positive_terms))
    if result.total == 0:
        broader_query(built, ds.search_columns, result.query)
    assert time.perf_counter() - started < 1.0
    assert 0 <= result.total <= 63 and len(frame) <= min(result.total, search_module.PAGE_SIZE)


def test_stop_words_only_and_punctuation_only_on_the_sample(sample):
    ds, built = sample
    assert search(built, ds.search_columns, "!!! ??? ...").total == 63  # an empty query: browse
    the = search(built, ds.search_columns, "the")
    assert 0 < the.total <= 63


# --- the saved index --------------------------------------------------------------------------------------------------
def _import(store: Store, path) -> str:
    from lib.store.importer import import_files

    report = import_files(store, input_files([str(path)], (".jsonl",)))
    return report.version


QUERIES = ["agent", '"language model"', "model -robot", "title:robot", "author:Tanaka", ""]


def _answers(built, columns) -> list:
    out = []
    for query in QUERIES:
        result = search(built, columns, query)
        rows, scores = result.slice(0, 100)
        out.append((rows.tolist(), np.round(scores, 5).tolist()))
    return out


def test_index_is_built_once_per_store_version_saved_and_memory_mapped(tmp_path, monkeypatch):
    store = Store(tmp_path / "data")
    first_keys = [k for k in ORDER if k != "protein_b"]
    version = _import(store, write_jsonl(tmp_path / "first.jsonl", first_keys))
    ds = load(store)
    assert not ds.is_sample and ds.version == version

    built = load_or_build(store, ds)
    saved = store.artifacts_dir / f"search-{version}"
    assert saved.is_dir() and (saved / "S_data.npy").is_file()
    # no staging left behind (beside it: the table's memory-mappable copy)
    assert sorted(p.name for p in store.artifacts_dir.iterdir()) == [saved.name, "table-parts"]
    answers = _answers(built, ds.search_columns)

    def no_build(*args, **kwargs):
        raise AssertionError("the saved index should have been loaded")

    monkeypatch.setattr(index_module, "build_arrays", no_build)  # every build, whole or a segment, runs it
    loaded = load_or_build(store, load(store))
    assert memory_mapped(loaded.arrays["S_data"])
    assert _answers(loaded, ds.search_columns) == answers
    assert loaded.terms == built.terms and loaded.categories == built.categories
    monkeypatch.undo()

    # new papers appended: a new version whose index is the old one plus a segment of the new
    # paper (made during the import; nothing is built on use), scored with the joint statistics
    new_version = _import(store, write_jsonl(tmp_path / "second.jsonl", ["protein_b"]))
    assert new_version != version
    ds2 = load(store)
    monkeypatch.setattr(index_module, "build_arrays", no_build)  # every build, whole or a segment, runs it
    extended = load_or_build(store, ds2)
    monkeypatch.undo()
    assert isinstance(extended, index_module.SegmentedIndex) and extended.n_docs == ds2.table.num_rows
    hits = search(extended, ds2.search_columns, "Equivariant Attention for Protein Structure Prediction").rows
    assert ds2.table["id"].to_pylist()[hits[0]] == ID["protein_b"]
    assert sorted(p.name for p in store.artifacts_dir.glob("search-*")) == sorted(
        [f"search-{version}", f"search-{new_version}"]
    )  # the base stays under its segment

    # without the previous version's index, a new version's index is built whole
    import shutil

    for path in store.artifacts_dir.glob("search-*"):
        shutil.rmtree(path)
    calls = []
    real_build = index_module.build_arrays

    def counting_build(*args, **kwargs):
        calls.append(1)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(index_module, "build_arrays", counting_build)
    rebuilt = load_or_build(store, ds2)
    assert calls == [1]
    assert sorted(p.name for p in store.artifacts_dir.iterdir()) == [f"search-{new_version}", "table-parts"]
    assert ds2.table.num_rows == len(ORDER)
    hits = search(rebuilt, ds2.search_columns, "Equivariant Attention for Protein Structure Prediction").rows
    assert ds2.table["id"].to_pylist()[hits[0]] == ID["protein_b"]
    # the index still open on the old (deleted) files keeps answering
    assert _answers(loaded, ds.search_columns) == answers
    load_or_build(store, ds2)
    assert calls == [1]


def test_a_damaged_or_foreign_saved_index_is_rebuilt(tmp_path):
    store = Store(tmp_path / "data")
    version = _import(store, write_jsonl(tmp_path / "p.jsonl"))
    ds = load(store)
    load_or_build(store, ds)
    saved = store.artifacts_dir / f"search-{version}"
    (saved / "n_docs.npy").unlink()  # missing array: unusable
    again = load_or_build(store, ds)
    assert (saved / "n_docs.npy").is_file()  # built again and saved (then used from its saved copy)
    assert search(again, ds.search_columns, "agent").total == 3


def test_the_sample_is_indexed_in_memory_only(tmp_path):
    store = Store(tmp_path / "data")
    ds = load(store)
    built = load_or_build(store, ds)
    assert ds.is_sample and built.n_docs == 1953  # the bundled demo
    assert not store.artifacts_dir.exists()


def test_an_empty_table_indexes_and_searches():
    from lib.store.schema import empty_table

    table = empty_table()
    built, columns = SearchIndex.build(table), Columns(table)
    for query in ["", "agent", '"a b"', "-x", "title:y"]:
        result = search(built, columns, query)
        assert result.total == 0 and len(result.rows) == 0


def test_ids_of_the_fixture_are_unique():
    assert len(set(ID.values())) == len(ID) and set(KEY) == set(ID.values())
    assert day("long") == dt.date(2026, 6, 1)


def test_result_frame_of_a_many_chunk_table_is_the_frames_rows(fx):
    """Rows are taken chunk by chunk (a million-paper table has many chunks): the same
    papers, in the same order, as selecting them from the whole frame."""
    import pyarrow as pa

    from lib.store.schema import to_frame

    chunked = pa.Table.from_batches(fx.table.to_batches(max_chunksize=3))
    assert chunked["title"].num_chunks > 3
    result = search(fx.index, fx.columns, "")
    frame = result_frame(result, chunked, 2, 11)
    rows = result.slice(2, 11)[0]
    expected = to_frame(fx.table).iloc[rows][frame.columns.drop(["rank", "score"])].reset_index(drop=True)
    assert frame.drop(columns=["rank", "score"]).equals(expected)


def test_no_page_or_module_selects_rows_of_the_whole_frame():
    """``ds.frame.iloc[rows]`` joins every chunk of the Arrow columns first (1.3 GB of
    abstracts on a million-paper store): rows are read with Dataset.papers / rows_frame."""
    from conftest import ROOT

    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("lib", "pages")
        for path in (ROOT / folder).rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.frame(\[[^]]*\])?\.iloc\[", line)
    ]
    assert offenders == []


# --- the papers of one source (src) ------------------------------------------------------------------
def test_a_member_mask_keeps_only_those_papers_in_every_sort(fx):
    """src: a per-row mask, applied like the category (the query's and the other filters' rows,
    of the source only); order as without it."""
    import numpy as np

    chosen = {"rl_web", "tool_agents", "memory", "protein_a", "reagent"}
    member = np.array([key in chosen for key in ORDER])
    for sort in ("relevance", "newest", "oldest", "upvotes"):
        for query in ("", "agent", "agents OR protein"):
            everything = keys(fx, query, sort=sort)
            assert keys(fx, query, Filters(member=member), sort) == [k for k in everything if k in chosen]
    assert keys(fx, "agent", Filters(member=member, category="cs.CL")) == ["tool_agents", "memory"]
    assert keys(fx, "", Filters(member=np.zeros(len(ORDER), dtype=bool))) == []


def test_cli_search_src(tmp_path):
    """``--src hf`` finds only the daily list's papers; an unknown source is a one-line error,
    exit 2, naming the sources the store holds."""
    import io
    import json

    from test_app_home import import_mixed

    from lib.cli import main

    data = tmp_path / "data"
    import_mixed(data, tmp_path / "inputs")

    def run(*argv):
        out, err = io.StringIO(), io.StringIO()
        return main(["search", "--data", str(data), *argv], out=out, err=err), out.getvalue(), err.getvalue()

    code, out, _ = run("agents", "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == ["2509.05501", "2509.06001"]
    code, out, _ = run("agents", "--json", "--src", "hf")
    assert code == 0 and [r["id"] for r in json.loads(out)] == ["2509.05501"]
    code, out, _ = run("", "--json", "--src", "hf", "--sort", "upvotes")
    assert [r["id"] for r in json.loads(out)] == ["2509.05502", "2509.05501"]
    code, out, err = run("agents", "--src", "file:nope.csv")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "file:nope.csv" in err and "hf (2)" in err and "arxiv (5)" in err
