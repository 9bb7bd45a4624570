"""Quoted phrases from the biword index (lib.search.index): the same rows as the phrase regex
finds by reading every paper's text, on the bundled demo (1,953 real papers) and on the
hand-written papers of tests/search_fixture.py; a two-word phrase of plain words reads no text
at all; phrases of more words read only the rows the index cannot confirm, lazily; segments of
new papers answer as a whole index does; an index saved before biwords is rebuilt, not read."""

from __future__ import annotations

import random

import numpy as np
import pytest
from conftest import write_jsonl
from search_fixture import ORDER, build_table

from lib.dataset import load
from lib.search import index as index_module
from lib.search import search as search_module
from lib.search.analysis import query_term, stem, words
from lib.search.index import BIWORD_FIELDS, SearchIndex, SegmentedIndex, field_text, load_or_build
from lib.search.query import parse
from lib.search.search import Columns, result_frame, search
from lib.store import spill
from lib.store.importer import import_files
from lib.store.store import Store, input_files

READ_TEXT = search_module.phrase_check  # the regex over the text: the oracle


# --- the tables -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The bundled demo (an empty store shows it), indexed."""
    ds = load(Store(tmp_path_factory.mktemp("demo") / "data"))
    assert ds.is_sample and ds.table.num_rows == 1953
    return ds.table, SearchIndex.build(ds.table), ds.search_columns


@pytest.fixture(scope="module")
def fixture_table():
    table = build_table()
    return table, SearchIndex.build(table), Columns(table)


@pytest.fixture
def reads(monkeypatch):
    """The rows whose text a search reads (each call of the phrase check), recorded."""
    calls: list[int] = []

    def counting(columns, rows, clause, *text):
        calls.append(len(rows))
        return READ_TEXT(columns, rows, clause, *text)

    monkeypatch.setattr(search_module, "phrase_check", counting)
    return calls


# --- phrases drawn from the texts ------------------------------------------------------------------
KINDS = ("as written", "joined", "inner parts", "plural", "singular", "one word skipped", "reversed", "across fields")


def draw_phrases(table, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (kind, phrase) drawn from the papers' titles, abstracts and keywords: 2 or 3
    adjacent words as written (hyphenated words too), with hyphenated words joined
    ("pre-trained" -> "pretrained"), cut to their inner parts ("pre-trained model" ->
    "trained model"), the last word made plural or singular; and pairs that are not adjacent
    there: a word skipped, the order reversed, a title's last word and the abstract's first."""
    rng = random.Random(seed)
    texts = {field: [words(t or "") for t in field_text(table, field).to_pylist()] for field in BIWORD_FIELDS}
    out: list[tuple[str, str]] = []
    while len(out) < count:
        kind = KINDS[len(out) % len(KINDS)]
        row = rng.randrange(table.num_rows)
        if kind == "across fields":
            title, abstract = texts["title"][row], texts["abstract"][row]
            if title and abstract:
                out.append((kind, f"{title[-1]} {abstract[0]}"))
            continue
        tokens = texts[rng.choice(BIWORD_FIELDS)][row]
        if len(tokens) < 3:
            continue
        i = rng.randrange(len(tokens) - 2)
        span = tokens[i : i + rng.choice((2, 3))]
        if kind == "joined":
            span = [w.replace("-", "") for w in span]
        elif kind == "inner parts":
            span = [span[0].split("-")[-1], *span[1:-1], span[-1].split("-")[0]]
        elif kind == "plural":
            span = [*span[:-1], span[-1] + "s"]
        elif kind == "singular":
            span = [*span[:-1], stem(span[-1])]
        elif kind == "one word skipped":
            span = [tokens[i], tokens[i + 2]]
        elif kind == "reversed":
            span = span[::-1]
        out.append((kind, " ".join(span)))
    return out


def regex_rows(table, index, text: str) -> set[int]:
    """The oracle: every paper whose text the phrase regex matches (title, abstract, keywords,
    fields and keywords never spanned) among the papers holding each of its words, as every search requires
    (the regex is run on those only: the same rows as running it on all, in a tenth of the time)."""
    clause = parse(f'"{text}"').groups[0][0]
    rows = np.arange(table.num_rows)
    for word in words(text):  # a hyphenated word: its joined term, or every part (spaced)
        holds = np.isin(rows, index.scores(query_term(word)).rows)
        parts = [query_term(p) for p in word.split("-") if p]
        if len(parts) > 1:
            holds |= np.logical_and.reduce([np.isin(rows, index.scores(t).rows) for t in parts])
        rows = rows[holds]
    return set(rows[READ_TEXT(table, rows, clause)].tolist())


def plain_pair(text: str) -> bool:
    """Two words without hyphens, each of whose spellings the regex allows is indexed under
    the word's own term (not so for "a": the regex allows "as")."""
    ways = [search_module._word_ways(w) for w in words(text)]
    return len(ways) == 2 and all(len(w) == 1 and len(w[0][0]) == 1 for w in ways)


@pytest.mark.parametrize(("table_name", "count"), [("demo", 300), ("fixture_table", 200)])
def test_phrases_find_the_rows_the_regex_finds_in_every_paper(request, reads, table_name, count):
    table, index, columns = request.getfixturevalue(table_name)
    phrases = [(kind, text) for kind, text in draw_phrases(table, count, seed=21) if parse(f'"{text}"').groups]
    phrases = [(kind, text) for kind, text in phrases if parse(f'"{text}"').groups[0][0].phrase]
    assert len(phrases) > 0.9 * count
    found_any = dict.fromkeys(KINDS, 0)
    for kind, text in phrases:
        reads.clear()
        result = search(index, columns, f'"{text}"')
        rows = set(result.rows.tolist())
        assert rows == regex_rows(table, index, text), (kind, text)
        if plain_pair(text):  # two plain words: the index alone answers, the total is exact
            assert reads == [] and result.total_exact, text
        found_any[kind] += bool(rows)
    # the draw is not vacuous: phrases from the text are found, every kind of them
    assert all(found_any[kind] for kind in ("as written", "joined", "plural", "singular")), found_any
    if table_name == "demo":
        assert all(found_any.values()), found_any


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("pre trained", "The pre-trained encoder"),  # parts inside one token
        ("trained encoder", "The pre-trained encoder"),  # the last part, then the next token
        ("pretrained encoder", "The pre-trained encoder"),  # the joined form
        ("the pre", "The pre-trained encoder"),  # the first part after a token
        ("the pretrained", "The pre-trained encoder"),
        ("state of the art", "A state-of-the-art model"),
        ("fine tuning", "fine-tuning"),
        ("encoder models", "The encoder; models"),  # any separator but a hyphen-join or a field
    ],
)
def test_hyphens_are_word_boundaries_as_the_regex_has_them(text, matches):
    from lib.store.schema import records_to_table

    base = dict(build_table().slice(0, 1).to_pylist()[0])
    table = records_to_table([{**base, "title": "Unrelated", "abstract": matches, "keywords": []}])
    index, columns = SearchIndex.build(table), Columns(table)
    assert search(index, columns, f'"{text}"').rows.tolist() == [0] == sorted(regex_rows(table, index, text))


def test_a_phrase_never_spans_two_fields_or_two_keywords(fixture_table):
    _, index, columns = fixture_table
    # small_fine: the title ends "Be Fine", the abstract starts "Tuned carefully"
    assert index.biword("fine", "tuned").rows.tolist() == [ORDER.index("ft_vision")]
    # rl_web's keywords "reinforcement learning ; web navigation" are two keywords (issue 25, point 7)
    assert ORDER.index("rl_web") not in index.biword("learning", "web").rows
    assert ORDER.index("rl_web") in index.biword("web", "navigation").rows
    assert search(index, columns, '"reinforcement learning web"').total == 0
    assert not READ_TEXT(columns.table, np.array([ORDER.index("rl_web")]), parse('"learning web"').groups[0][0])[0]


def test_an_index_built_in_chunks_has_the_same_biwords(demo, monkeypatch):
    """Papers are tokenised a part at a time (lib.store.spill) and the parts' biwords merged a
    key range at a time: the postings are those of one part, rows ascending."""
    table, index, _ = demo
    monkeypatch.setattr(spill, "CHUNK_ROWS", 300)  # seven parts
    chunked = SearchIndex.build(table, budget=2**20)  # merged in ranges of 16,384 postings
    assert len(spill.ranges(np.diff(chunked.arrays["S_indptr"]), 2**20 // 4 // 64)) > 5
    keys = index.arrays["B_keys"]
    assert len(chunked.arrays["B_keys"]) == len(keys) and len(chunked.arrays["B_indices"]) == len(
        index.arrays["B_indices"]
    )
    for at in np.random.default_rng(0).choice(len(keys), 3_000, replace=False):
        first, second = index.terms[int(keys[at]) >> 32], index.terms[int(keys[at]) & 0xFFFFFFFF]
        rows = chunked.biword(first, second).rows
        assert rows.tolist() == index.biword(first, second).rows.tolist() and (np.diff(rows) > 0).all()


# --- reading the text: RE2 on ASCII texts, re on the others, as the one Unicode regex reads ------------------
UNICODE_TEXTS = [
    "Schrödinger bridges — fast",
    "Straße modelle “quoted” words",
    "αβ-divergence loss’s bound",
    "naïve Bayes\u00a0classifier",  # a no-break space: not a space to "[-\\s]?"
    "fine\u00a0tuned models; fine\ttuned models; fine_tuned models",
    "ﬁne-tuned models, ＧＰＴ-4 model, x² scaling law, ½ precision, Ⅻ roman",
    "ŞIRKET ıI İi words; K-means ſtate",  # RE2 never equates "ı" and "i" (re's IGNORECASE does)
    "λόγος ΛΌΓΟΣ σοφός; ᲀ в words",  # ... but does "ς" and "σ", "ᲀ" and "в"
    "e\u0301tude of models, model’s outputs, 深度 学习 model",
]
UNICODE_PHRASES = [
    "schrodinger bridges",
    "straße modelle",
    "quoted words",
    "αβ divergence",
    "loss s bound",
    "naive bayes",
    "bayes classifier",
    "fine tuned",
    "fine-tuned models",
    "finetuned models",
    "gpt-4 model",
    "x2 scaling",  # "x²": "x2"
    "sirket ii",
    "ii words",
    "k means",
    "λογοσ λογος",
    "λογος σοφοσ",
    "ᲀ в",
    "в words",
    "etude of",
    "深度 学习",
    "学习 model",
    "1 2 precision",
]


def unicode_table():
    from lib.store.schema import records_to_table

    base = dict(build_table().slice(0, 1).to_pylist()[0])
    records = []
    for i, (title, abstract) in enumerate((a, b) for a in UNICODE_TEXTS for b in UNICODE_TEXTS):
        keywords = [UNICODE_TEXTS[i % len(UNICODE_TEXTS)]]
        records.append({**base, "id": f"2601.{i:05d}", "title": title, "abstract": abstract, "keywords": keywords})
    return records_to_table(records)


@pytest.mark.parametrize("table_name", ["demo", "unicode"])
def test_the_text_is_read_as_the_unicode_regex_reads_it(request, table_name):
    """phrase_check runs RE2 with ASCII classes on ASCII texts and re on the folded others (RE2
    compiles each Unicode class in ~0.7 ms, every call): the same rows as the one RE2 regex with
    Unicode classes over every text accent-folded (what it ran before)."""
    import pyarrow.compute as pc

    from lib.search.analysis import normalize

    table, index, _ = request.getfixturevalue("demo") if table_name == "demo" else (unicode_table(), None, None)
    joined = pc.binary_join_element_wise(
        *[pc.fill_null(field_text(table, field, "\x00"), "") for field in BIWORD_FIELDS], "\x00"
    )
    folded = normalize(joined)
    texts = UNICODE_PHRASES if table_name == "unicode" else [t for _, t in draw_phrases(table, 60, seed=5)]
    for text in texts:
        clause = parse(f'"{text}"').groups[0][0]
        rows = np.arange(table.num_rows)
        for term in clause.terms if index is not None else ():  # (the demo: the rows with its words)
            rows = rows[np.isin(rows, index.scores(term).rows)]
        reference = pc.match_substring_regex(folded.take(rows), search_module.phrase_regex(text, "re2"))
        expected = pc.fill_null(reference, False).to_numpy(zero_copy_only=False)
        assert READ_TEXT(table, rows, clause).tolist() == expected.tolist(), text
        if table_name == "unicode":
            assert expected.any() == (text != "sirket ii"), text  # every one is there but that one


# --- reading the text: never for two plain words, lazily for more --------------------------------------
@pytest.mark.parametrize(
    "query",
    ['"language model"', 'robot -"language model"', '"language model" OR diffusion', '"LLMs help"', '"fine tuned"'],
)
def test_two_plain_words_read_no_text(fixture_table, reads, query):
    _, index, columns = fixture_table
    result = search(index, columns, query, sort="newest")
    assert result.total_exact and reads == []
    assert result.total == len(result.rows)


def test_more_words_read_only_the_rows_the_index_cannot_confirm(demo, reads):
    table, index, columns = demo
    text = "spatial reasoning benchmarks"  # 5 papers hold each pair, 3 hold the three words in a row
    result = search(index, columns, f'"{text}"')
    assert sorted(result.rows.tolist()) == sorted(regex_rows(table, index, text))
    assert len(result.rows) == 3 and reads == [5]
    # hyphenated query words and fields still read, only the rows holding their words
    reads.clear()
    assert search(index, columns, '"vision-language models"').total == len(
        regex_rows(table, index, "vision-language models")
    )
    assert 0 < sum(reads) < 100


@pytest.fixture
def lazy(monkeypatch):
    monkeypatch.setattr(search_module, "EAGER_CHECKS", 2)
    monkeypatch.setattr(search_module, "CHECK_BATCH", 1)


LAZY = [
    '"spatial reasoning benchmarks"',
    '"generation and reasoning"',
    '"reasoning models on"',
    'model -"using a simple"',
]


@pytest.mark.parametrize("query", LAZY)
@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_lazy_reads_give_the_eager_result(demo, query, sort, monkeypatch):
    _, index, columns = demo
    eager = search(index, columns, query, sort=sort)
    assert eager.total_exact
    monkeypatch.setattr(search_module, "EAGER_CHECKS", 2)
    monkeypatch.setattr(search_module, "CHECK_BATCH", 1)
    result = search(index, columns, query, sort=sort)
    assert not result.total_exact  # more than two rows to read: none read yet
    want, want_scores = eager.slice(0, 40)
    paged = np.concatenate([result.slice(i, i + 1)[0] for i in range(len(want))])
    assert paged.tolist() == want.tolist()
    assert np.allclose(result.slice(0, 40)[1], want_scores)
    assert result.rows.tolist() == eager.rows.tolist()
    assert result.total_exact and result.total == eager.total


def test_result_frame_of_a_lazy_result_holds_every_match(demo, lazy):
    table, index, columns = demo
    result = search(index, columns, '"spatial reasoning benchmarks"', sort="newest")
    result.slice(0, 1)
    assert not result.total_exact
    frame = result_frame(result, table)
    assert sorted(frame["id"]) == sorted(
        table["id"].take(sorted(regex_rows(table, index, "spatial reasoning benchmarks"))).to_pylist()
    )


# --- segments ----------------------------------------------------------------------------------------
def paper(i: int, day: str, abstract: str) -> dict:
    return {
        "id": f"2503.{i:05d}",
        "title": f"Study {i}",
        "abstract": abstract,
        "authors": [f"Author {i % 3}"],
        "date": day,
        "upvotes": i,
    }


def do_import(store: Store, tmp_path, name: str, records: list[dict]):
    return import_files(store, input_files([str(write_jsonl(tmp_path / name, records))], (".jsonl",)))


def test_a_segment_of_new_papers_finds_phrases_in_base_and_segment(tmp_path, monkeypatch):
    store = Store(tmp_path / "data")
    said = ["We watch a heron-kestrel pair.", "A kestrel, then a heron.", "Heron kestrel sightings."]
    do_import(store, tmp_path, "base.jsonl", [paper(i, "2025-03-01", said[i % 3]) for i in range(12)])
    load_or_build(store, load(store))
    day2 = [paper(i, "2025-03-02", said[i % 3]) for i in range(12, 18)]
    day2.append(paper(0, "2025-03-01", "No birds any more."))  # re-written: its old text must not match
    day2.append(paper(1, "2025-03-01", "Now a heron kestrel."))  # re-written: its new text matches
    do_import(store, tmp_path, "day2.jsonl", day2)
    ds = load(store)

    def no_build(*args, **kwargs):
        raise AssertionError("built whole instead of extended")

    with monkeypatch.context() as patched:
        patched.setattr(index_module, "build_arrays", no_build)
        segmented = load_or_build(store, ds)
    assert isinstance(segmented, SegmentedIndex) and len(segmented.parts) == 2
    ids = ds.table["id"].to_pylist()
    expected = {f"2503.{i:05d}" for i in range(1, 18) if i % 3 != 1} | {"2503.00001"}
    whole = SearchIndex.build(ds.table)
    for query in ['"heron kestrel"', '"kestrel sightings"', '"heron kestrel sightings"', '-"heron kestrel" kestrel']:
        got = {ids[r] for r in search(segmented, ds.search_columns, query).rows}
        assert got == {ids[r] for r in search(whole, ds.search_columns, query).rows}, query
    found = {ids[r] for r in search(segmented, ds.search_columns, '"heron kestrel"').rows}
    assert found == expected
    assert any(r < 12 for r in segmented.biword("heron", "kestrel").rows)  # from the base
    assert any(r >= 12 for r in segmented.biword("heron", "kestrel").rows)  # from the segment
    assert ds.row_of("2503.00000") not in segmented.biword("heron", "kestrel").rows  # its old text is gone


# --- an index saved before biwords ---------------------------------------------------------------------
def test_an_index_saved_without_biwords_is_rebuilt_not_read(tmp_path, monkeypatch):
    store = Store(tmp_path / "data")
    do_import(store, tmp_path, "p.jsonl", [paper(i, "2025-03-01", "A heron kestrel.") for i in range(5)])
    ds = load(store)
    load_or_build(store, ds)
    saved = dict(store.load_arrays(index_module.ARTIFACT, ds.version))
    assert index_module.FORMAT_VERSION == 5 and {"B_keys", "B_indptr", "B_indices"} <= set(saved)
    old = {key: value for key, value in saved.items() if not key.startswith("B_")}
    calls = []
    real_build = index_module.build_arrays

    def counting_build(*args, **kwargs):
        calls.append(1)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(index_module, "build_arrays", counting_build)
    for stale in ({**old, "format": np.array([4])}, {**old, "format": np.array([5])}):  # format 4, or arrays missing
        store.save_arrays(index_module.ARTIFACT, ds.version, stale)
        index = load_or_build(store, ds)
        assert calls.pop() == 1
        assert search(index, ds.search_columns, '"heron kestrel"').total == 5
        again = dict(store.load_arrays(index_module.ARTIFACT, ds.version))
        assert int(again["format"][0]) == index_module.FORMAT_VERSION and "B_keys" in again
