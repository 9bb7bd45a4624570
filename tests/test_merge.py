"""Merge rules (lib/store/merge.py docstring) on small hand-built Arrow tables."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pyarrow as pa
import pytest

from lib.store.merge import MAX_CHANGES, MergeCounts, collapse, merge, value_text
from lib.store.schema import SCHEMA, empty_table, make_record, records_to_table
from lib.text import title_id

TODAY = dt.date(2026, 11, 27)
DAY = dt.date(2025, 8, 12)


def rec(source: str = "hf", **raw) -> dict:
    return make_record(raw, sources=[source], today=TODAY)


def table(*records: dict) -> pa.Table:
    return records_to_table(records)


def ids(t: pa.Table) -> list[str]:
    return t["id"].to_pylist()


def row(t: pa.Table, paper_id: str) -> dict:
    found = [r for r in t.to_pylist() if r["id"] == paper_id]
    assert len(found) == 1, f"{paper_id} appears {len(found)} times"
    return found[0]


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def merge_all(*imports: pa.Table) -> tuple[pa.Table, MergeCounts]:
    current, counts = empty_table(), MergeCounts()
    for incoming in imports:
        current, counts = merge(current, incoming)
    return current, counts


FULL = dict(
    id="2508.00001",
    title="Sparse Attention at Scale",
    abstract="We study sparse attention.",
    authors=["Ada Lovelace", "Alan Turing"],
    date=DAY,
    listed=True,
    published=dt.date(2025, 8, 10),
    upvotes=12,
    num_comments=4,
    categories=["cs.LG", "cs.CL"],
    keywords=["attention", "sparsity"],
    url="https://arxiv.org/abs/2508.00001",
    github_repo="https://github.com/ada/sparse",
)


# --- one row per id ---------------------------------------------------------------
def test_same_id_is_one_row():
    first = table(rec(id="2508.00001", title="A paper", date=DAY, listed=True))
    again = table(rec(id="arXiv:2508.00001v2", title="A paper", date=DAY, listed=True))
    result, counts = merge_all(first, again)
    assert ids(result) == ["2508.00001"]
    assert counts == MergeCounts(added=0, updated=0, unchanged=1, duplicates=0)
    assert not counts.changed


def test_merging_into_empty_table_adds_everything_in_order():
    incoming = table(*(rec(id=f"2508.0000{i}", title=f"Paper {i}", date=DAY) for i in (3, 1, 2)))
    result, counts = merge(empty_table(), incoming)
    assert ids(result) == ["2508.00003", "2508.00001", "2508.00002"]
    assert counts == MergeCounts(added=3, updated=0, unchanged=0, duplicates=0)
    assert counts.changed
    assert result.schema.equals(SCHEMA)


def test_merge_is_idempotent():
    incoming = table(rec(**FULL), rec(id="2508.00002", title="Other", published=DAY))
    once, _ = merge(empty_table(), incoming)
    twice, counts = merge(once, incoming)
    assert twice.equals(once)
    assert counts == MergeCounts(added=0, updated=0, unchanged=2, duplicates=0)


# --- newest non-empty field wins; empty never erases --------------------------------
def test_newest_nonempty_fields_win():
    newer = dict(
        id=FULL["id"],
        title="Sparse Attention at Scale (v2)",
        abstract="A better abstract.",
        authors=["Grace Hopper", "Edsger Dijkstra"],
        date=DAY,
        listed=True,
        published=dt.date(2025, 8, 9),
        num_comments=1,  # lower than before: a count never goes down
        categories=["stat.ML", "cs.LG"],
        keywords=["efficiency", "scaling"],
        url="https://example.org/v2",  # an explicit url beats the derived one
        github_repo="https://github.com/grace/sparse",
    )
    result, counts = merge_all(table(rec(**FULL)), table(rec(**newer)))  # the same source: the newest wins
    merged = row(result, FULL["id"])
    for field in ("title", "abstract", "authors", "categories", "keywords", "url", "github_repo"):
        assert merged[field] == newer[field], field
    assert merged["num_comments"] == FULL["num_comments"]
    assert merged["published"] == at(newer["published"])
    assert merged["sources"] == ["hf"]
    assert merged["upvotes"] == FULL["upvotes"]  # the newer record has none
    assert counts == MergeCounts(added=0, updated=1, unchanged=0)


@pytest.mark.parametrize(
    "field, empty",
    [
        ("abstract", ""),
        ("abstract", None),
        ("abstract", "   \n "),
        ("authors", []),
        ("authors", None),
        ("authors", ["", "  "]),
        ("categories", []),
        ("keywords", None),
        ("github_repo", None),
        ("github_repo", "  "),
        ("published", None),
        ("num_comments", None),
        ("num_comments", ""),
        ("upvotes", None),
    ],
)
def test_empty_value_never_erases(field, empty):
    old = dict(FULL)
    new = dict(FULL)
    new[field] = empty
    result, counts = merge_all(table(rec(**old)), table(rec(**new)))
    merged = row(result, FULL["id"])
    expected = at(old[field]) if field == "published" else old[field]
    assert merged[field] == expected
    # nothing else differs, so the row is exactly as it was
    assert counts == MergeCounts(added=0, updated=0, unchanged=1)
    assert result.equals(table(rec(**old)))


def test_empty_url_never_erases_on_a_title_only_paper():
    # a paper without an arXiv id has no derived url: an empty one must not erase a known one
    known = rec(source="file:t.csv", title="No id yet", date=DAY, url="https://example.org/known")
    result, counts = merge_all(table(known), table(rec(source="file:t.csv", title="No id yet", date=DAY, url="")))
    assert row(result, known["id"])["url"] == "https://example.org/known"
    assert counts == MergeCounts(added=0, updated=0, unchanged=1)


def test_missing_keys_never_erase():
    sparse = table(rec(id=FULL["id"], title=FULL["title"], date=DAY, listed=True))
    result, counts = merge_all(table(rec(**FULL)), sparse)
    assert result.equals(table(rec(**FULL)))
    assert counts.unchanged == 1 and counts.updated == 0


@pytest.mark.parametrize(
    "old, new, expected",
    [(10, 3, 10), (3, 10, 10), (10, None, 10), (None, 7, 7), (None, None, None), (0, None, 0), (5, 5, 5)],
)
def test_upvotes_take_the_maximum(old, new, expected):
    base = dict(id="2508.00007", title="Votes", date=DAY, listed=True)
    result, counts = merge_all(table(rec(upvotes=old, **base)), table(rec(upvotes=new, **base)))
    assert row(result, "2508.00007")["upvotes"] == expected
    assert counts.updated == (1 if expected != old else 0)
    assert counts.unchanged == 1 - counts.updated


def test_upvotes_max_is_order_independent():
    base = dict(id="2508.00007", title="Votes", date=DAY, listed=True)
    low, high = table(rec(upvotes=2, **base)), table(rec(upvotes=40, **base))
    a, _ = merge_all(low, high)
    b, _ = merge_all(high, low)
    assert a.equals(b)
    assert row(a, "2508.00007")["upvotes"] == 40


# --- a listing day beats a fallback publication day --------------------------------
LISTING = dt.date(2025, 8, 12)
PUBLISHED = dt.date(2025, 8, 8)


def listed_record(**extra):
    return rec(source="hf", id="2508.00042", title="Dated", date=LISTING, listed=True, **extra)


def fallback_record(**extra):
    # arXiv Atom style: no listing day, only the v1 day
    return rec(source="arxiv", id="2508.00042", title="Dated", published=PUBLISHED, **extra)


def test_fallback_record_has_publication_day_unlisted():
    fallback = fallback_record()
    assert fallback["date"] == PUBLISHED and fallback["listed"] is False
    assert listed_record()["listed"] is True


@pytest.mark.parametrize("order", ["listed_first", "fallback_first"])
def test_listing_day_beats_fallback_in_both_orders(order):
    listed, fallback = table(listed_record()), table(fallback_record())
    imports = (listed, fallback) if order == "listed_first" else (fallback, listed)
    result, counts = merge_all(*imports)
    merged = row(result, "2508.00042")
    assert merged["date"] == at(LISTING)
    assert merged["listed"] is True
    assert merged["published"] == at(PUBLISHED)  # the fallback's v1 day is still learnt
    assert counts == MergeCounts(added=0, updated=1, unchanged=0)


@pytest.mark.parametrize("order", ["first_day_first", "later_day_first"])
def test_the_first_listing_day_wins_in_both_orders(order):
    """A paper on the daily list of two days is dated by its first, with that day's position."""
    later = dt.date(2025, 8, 13)
    first = table(listed_record(hf_rank=7))
    second = table(rec(id="2508.00042", title="Dated", date=later, listed=True, hf_rank=2))
    result, _ = merge_all(*((first, second) if order == "first_day_first" else (second, first)))
    merged = row(result, "2508.00042")
    assert (merged["date"], merged["listed"], merged["hf_day"], merged["hf_rank"]) == (
        at(LISTING),
        True,
        at(LISTING),
        7,
    )


@pytest.mark.parametrize("order", ["arxiv_first", "hf_first"])
def test_arxiv_facts_outrank_the_lists_copy_in_both_orders(order):
    """The list's copy of a paper (its own v1 day and title) never replaces arXiv's; the
    list's facts (listing day, position, upvotes, keywords) are kept beside them."""
    arxiv = table(fallback_record(abstract="arXiv's abstract.", categories=["cs.CL"]))
    listed = table(
        rec(
            id="2508.00042",
            title="Dated (the list's copy)",
            abstract="The list's summary.",
            date=LISTING,
            listed=True,
            published=dt.date(2025, 8, 7),
            upvotes=30,
            hf_rank=4,
            keywords=["dating"],
        )
    )
    result, _ = merge_all(*((arxiv, listed) if order == "arxiv_first" else (listed, arxiv)))
    merged = row(result, "2508.00042")
    assert (merged["title"], merged["abstract"], merged["published"], merged["categories"]) == (
        "Dated",
        "arXiv's abstract.",
        at(PUBLISHED),
        ["cs.CL"],
    )
    assert (merged["date"], merged["hf_day"], merged["hf_rank"], merged["upvotes"], merged["keywords"]) == (
        at(LISTING),
        at(LISTING),
        4,
        30,
        ["dating"],
    )
    assert merged["sources"] == ["hf", "arxiv"]


@pytest.mark.parametrize("order", ["listed_first", "fallback_first"])
def test_listing_day_wins_inside_one_import(order):
    pair = [listed_record(), fallback_record()]
    incoming = table(*(pair if order == "listed_first" else pair[::-1]))
    result, counts = merge(empty_table(), incoming)
    assert result.num_rows == 1
    assert row(result, "2508.00042")["date"] == at(LISTING)
    assert row(result, "2508.00042")["listed"] is True
    assert counts == MergeCounts(added=1, updated=0, unchanged=0, duplicates=1)


# --- positions ---------------------------------------------------------------------------
def test_positions_kept_and_new_rows_appended_in_reading_order():
    existing, _ = merge(
        empty_table(), table(*(rec(id=f"2508.0000{i}", title=f"Old {i}", date=DAY, upvotes=1) for i in (1, 2, 3)))
    )
    incoming = table(
        rec(id="2508.00009", title="New nine", date=DAY),
        rec(id="2508.00002", title="Old 2", date=DAY, upvotes=50),
        rec(id="2508.00005", title="New five", date=DAY),
        rec(id="2508.00001", title="Old 1 renamed", date=DAY),
        rec(id="2508.00007", title="New seven", date=DAY),
    )
    result, counts = merge(existing, incoming)
    assert ids(result) == ["2508.00001", "2508.00002", "2508.00003", "2508.00009", "2508.00005", "2508.00007"]
    assert row(result, "2508.00002")["upvotes"] == 50
    assert row(result, "2508.00001")["title"] == "Old 1 renamed"
    assert row(result, "2508.00003") == existing.slice(2, 1).to_pylist()[0]
    assert counts == MergeCounts(added=3, updated=2, unchanged=0, duplicates=0)


# --- duplicates inside one import ------------------------------------------------------
def test_collapse_folds_duplicates_in_reading_order():
    incoming = table(
        rec(id="2508.00001", title="A first", abstract="first abstract", date=DAY, upvotes=3, authors=["One"]),
        rec(id="2508.00002", title="B", date=DAY),
        rec(id="2508.00001", title="A second", abstract="", date=DAY, upvotes=9, keywords=["k"]),
        rec(id="2508.00003", title="C", date=DAY),
        rec(id="2508.00001", title="A third", abstract="third abstract", date=DAY, upvotes=1, authors=[]),
        rec(id="2508.00002", title="B again", date=DAY),
    )
    folded, duplicates = collapse(incoming)
    assert duplicates == 3
    assert ids(folded) == ["2508.00001", "2508.00002", "2508.00003"]
    a = row(folded, "2508.00001")
    assert a["title"] == "A third"  # the last non-empty value read
    assert a["abstract"] == "third abstract"
    assert a["authors"] == ["One"]  # the later empty list did not erase it
    assert a["keywords"] == ["k"]
    assert a["upvotes"] == 9  # maximum over the three
    assert row(folded, "2508.00002")["title"] == "B again"

    result, counts = merge(empty_table(), incoming)
    assert result.equals(folded)
    assert counts == MergeCounts(added=3, updated=0, unchanged=0, duplicates=3)


def test_collapse_without_duplicates_is_identity():
    incoming = table(rec(id="2508.00001", title="A", date=DAY), rec(title="No id", date=DAY))
    folded, duplicates = collapse(incoming)
    assert duplicates == 0 and folded.equals(incoming)
    assert collapse(empty_table()) == (empty_table(), 0)


def test_duplicates_of_an_existing_row_count_once():
    existing, _ = merge(empty_table(), table(rec(id="2508.00001", title="A", date=DAY, upvotes=1)))
    incoming = table(
        rec(id="2508.00001", title="A", date=DAY, upvotes=4), rec(id="2508.00001", title="A", date=DAY, upvotes=2)
    )
    result, counts = merge(existing, incoming)
    assert result.num_rows == 1 and row(result, "2508.00001")["upvotes"] == 4
    assert counts == MergeCounts(added=0, updated=1, unchanged=0, duplicates=1)


# --- title-only papers ("t-" ids) --------------------------------------------------------
PAGE_TITLE = "Deep  Retrieval: Scaling  Laws!"  # as pasted from the page
API_TITLE = "Deep Retrieval - Scaling Laws"  # same words, other punctuation


def page_record():
    return rec(source="hf", title=PAGE_TITLE, abstract="From the page.", date=LISTING, listed=True)


def api_record():
    return rec(source="hf", id="2508.05555", title=API_TITLE, published=PUBLISHED, upvotes=21, authors=["Ann Lee"])


def test_page_record_has_title_id():
    assert page_record()["id"] == title_id(PAGE_TITLE)
    assert page_record()["id"].startswith("t-")


def check_unified(result: pa.Table) -> dict:
    assert not any(i.startswith("t-") for i in ids(result))
    merged = row(result, "2508.05555")
    assert merged["date"] == at(LISTING) and merged["listed"] is True  # the page's listing day
    assert merged["published"] == at(PUBLISHED)
    assert merged["upvotes"] == 21 and merged["authors"] == ["Ann Lee"]
    assert merged["abstract"] == "From the page."
    return merged


def test_title_only_then_arxiv_becomes_one_row_in_place():
    before = table(
        rec(id="2508.00001", title="Before", date=DAY), page_record(), rec(id="2508.00003", title="After", date=DAY)
    )
    existing, _ = merge(empty_table(), before)
    result, counts = merge(existing, table(api_record()))
    assert ids(result) == ["2508.00001", "2508.05555", "2508.00003"]
    check_unified(result)
    assert counts == MergeCounts(added=0, updated=1, unchanged=0, duplicates=0)
    assert counts.updated_rows == (1,)  # the row the store rewrites


def test_a_title_only_row_renamed_and_nothing_else_is_an_update():
    existing, _ = merge(empty_table(), table(rec(id="2508.00001", title="Before", date=DAY), page_record()))
    # the arXiv twin of the pasted paper, bringing nothing the row does not have already
    twin = {**row(existing, page_record()["id"]), "id": "2508.05555"}
    result, counts = merge(existing, table(twin))
    assert ids(result) == ["2508.00001", "2508.05555"]
    assert (counts.updated, counts.unchanged, counts.updated_rows) == (1, 0, (1,))
    assert counts.changed  # else the import would not write the new id at all


def test_arxiv_then_title_only_becomes_one_row_in_place():
    before = table(
        rec(id="2508.00001", title="Before", date=DAY), api_record(), rec(id="2508.00003", title="After", date=DAY)
    )
    existing, _ = merge(empty_table(), before)
    result, counts = merge(existing, table(page_record()))
    assert ids(result) == ["2508.00001", "2508.05555", "2508.00003"]
    merged = check_unified(result)
    assert merged["title"] == " ".join(PAGE_TITLE.split())  # newest non-empty title
    assert counts == MergeCounts(added=0, updated=1, unchanged=0, duplicates=0)


@pytest.mark.parametrize("order", ["page_first", "api_first"])
@pytest.mark.parametrize("store", ["empty", "other_papers"])
def test_title_only_and_arxiv_in_the_same_import_become_one_row(order, store):
    # e.g. ``python -m lib import page.txt hf.json``: the same result as two imports
    existing = empty_table()
    if store == "other_papers":
        existing, _ = merge(existing, table(rec(id="2508.00001", title="Unrelated", date=DAY)))
    pair = [page_record(), api_record()] if order == "page_first" else [api_record(), page_record()]
    result, counts = merge(existing, table(*pair))
    assert ids(result) == ids(existing) + ["2508.05555"]
    check_unified(result)
    # "unchanged" counts imported papers that were already known, not the rest of the table
    assert counts == MergeCounts(added=1, updated=0, unchanged=0, duplicates=1)
    one_by_one, _ = merge_all(*([existing] if existing.num_rows else []), table(pair[0]), table(pair[1]))
    assert result.equals(one_by_one)


def test_different_titles_are_not_unified():
    result, counts = merge_all(
        table(page_record()), table(rec(id="2508.06666", title="Deep Retrieval: Scaling Laws II", date=DAY))
    )
    assert sorted(ids(result)) == sorted([title_id(PAGE_TITLE), "2508.06666"])
    assert counts.added == 1


@pytest.mark.parametrize(
    "page_title, api_title",
    [
        ("中文标题", "另一个完全不同的论文"),  # no Latin letters at all
        ("GPT-4 中文评测", "GPT-4 日本語の評価"),  # the same Latin part, different CJK
        ("???", "!!!"),  # symbols only
    ],
)
def test_titles_without_latin_letters_do_not_unify_different_papers(page_title, api_title):
    page = rec(source="hf", title=page_title, date=LISTING, listed=True)
    api = rec(id="2508.07777", title=api_title, published=PUBLISHED)
    for imports in ((table(page), table(api)), (table(api), table(page)), (table(page, api),)):
        result, _ = merge_all(*imports)
        assert sorted(result["title"].to_pylist()) == sorted([page_title, api_title]), imports


def test_same_non_latin_title_still_unifies():
    page = rec(source="hf", title="大模型  的 推理", date=LISTING, listed=True)
    api = rec(id="2508.07778", title="大模型 的 推理", published=PUBLISHED, upvotes=3)
    result, counts = merge_all(table(page), table(api))
    assert ids(result) == ["2508.07778"]
    assert row(result, "2508.07778")["date"] == at(LISTING)
    assert counts == MergeCounts(added=0, updated=1, unchanged=0)


# --- exact counts on a mixed import ----------------------------------------------------
def test_counts_are_exact():
    existing, _ = merge(
        empty_table(),
        table(
            rec(id="2508.00001", title="Same", date=DAY, upvotes=5),
            rec(id="2508.00002", title="Will get votes", date=DAY, upvotes=1),
            rec(id="2508.00003", title="Will get abstract", date=DAY),
            rec(id="2508.00004", title="Lower votes only", date=DAY, upvotes=30),
            rec(title="Untouched title-only", date=DAY),
        ),
    )
    incoming = table(
        rec(id="2508.00001", title="Same", date=DAY, upvotes=5),  # unchanged
        rec(id="2508.00002", title="Will get votes", date=DAY, upvotes=8),  # updated
        rec(id="2508.00010", title="Brand new", date=DAY),  # added
        rec(id="2508.00003", title="Will get abstract", abstract="Now known.", date=DAY),  # updated
        rec(id="2508.00004", title="Lower votes only", date=DAY, upvotes=2),  # unchanged (max)
        rec(id="2508.00010", title="Brand new", date=DAY, upvotes=3),  # duplicate of an added row
        rec(id="2508.00011", title="Also new", date=DAY),  # added
    )
    result, counts = merge(existing, incoming)
    assert counts == MergeCounts(added=2, updated=2, unchanged=2, duplicates=1)
    assert result.num_rows == existing.num_rows + 2
    assert row(result, "2508.00010")["upvotes"] == 3
    assert ids(result)[-2:] == ["2508.00010", "2508.00011"]
    # rows not in the import are untouched
    assert result.slice(0, 5).take([4]).equals(existing.take([4]))


# --- vectorised: no per-row Python loop over the big table ---------------------------
def big_table(n: int) -> pa.Table:
    numbers = np.arange(n)
    # valid, unique arXiv ids: 2401.00000 .. 2401.99999, then 2402.00000 ..
    ids_ = np.char.add(
        np.char.add(np.char.add("24", np.char.zfill((1 + numbers // 100_000).astype(str), 2)), "."),
        np.char.zfill((numbers % 100_000).astype(str), 5),
    )
    lists = pa.ListArray.from_arrays(
        pa.array(np.arange(n + 1, dtype=np.int32)), pa.array(np.char.add("Author ", (numbers % 997).astype(str)))
    )
    columns = {
        "id": pa.array(ids_),
        "title": pa.array(np.char.add("Paper number ", numbers.astype(str))),
        "abstract": pa.array(np.full(n, "an abstract")),
        "authors": lists,
        "date": pa.array((np.datetime64("2024-01-01", "s") + (numbers % 600) * 86400).astype("datetime64[s]")),
        "published": pa.nulls(n, pa.timestamp("s")),
        "upvotes": pa.array(numbers % 100, pa.int64()),
        "num_comments": pa.nulls(n, pa.int64()),
        "categories": pa.array([[]] * n, pa.list_(pa.string())),
        "keywords": pa.array([[]] * n, pa.list_(pa.string())),
        "url": pa.array(np.full(n, "")),
        "github_repo": pa.nulls(n, pa.string()),
        "sources": pa.array([["hf"]] * n, pa.list_(pa.string())),
        "listed": pa.array(np.ones(n, dtype=bool)),
        "hf_day": pa.array((np.datetime64("2024-01-01", "s") + (numbers % 600) * 86400).astype("datetime64[s]")),
        "hf_rank": pa.array(numbers % 50 + 1, pa.int64()),
        "hf_listings": pa.array([[]] * n, pa.list_(pa.string())),
    }
    big = pa.Table.from_pydict(columns, schema=SCHEMA)
    # a few title-only rows so the title matching runs over real data too
    extra = table(*(rec(title=f"Title only {i}", date=DAY) for i in range(50)))
    return pa.concat_tables([big, extra]).combine_chunks()


def test_merge_100_into_200k_rows_is_fast():
    big = big_table(200_000)
    known = [f"24{1 + i // 100_000:02d}.{i % 100_000:05d}" for i in range(0, 200_000, 4_000)]  # 50 existing
    incoming = table(
        *(rec(id=k, title=f"Updated {k}", date=DAY, upvotes=1_000) for k in known),
        *(rec(id=f"2509.{i:05d}", title=f"Fresh {i}", date=DAY) for i in range(45)),
        *(rec(id=f"2509.9{i:04d}", title=f"Title only {i}", date=DAY) for i in range(5)),  # unify 5
    )
    merge(big.slice(0, 1000), incoming)  # warm-up (imports, kernels)
    start = time.perf_counter()
    result, counts = merge(big, incoming)
    elapsed = time.perf_counter() - start
    assert counts == MergeCounts(added=45, updated=55, unchanged=0, duplicates=0)
    assert result.num_rows == big.num_rows + 45
    assert result["id"][4_000].as_py() == "2401.04000"
    assert result["id"][164_000].as_py() == "2402.64000"
    assert result["upvotes"][4_000].as_py() == 1_000
    assert result["title"][4_001].as_py() == "Paper number 4001"
    assert result["id"][200_000].as_py() == "2509.90000"  # a title-only row renamed in place
    assert elapsed < 3.0, f"merging 100 papers into {big.num_rows:,} rows took {elapsed:.2f}s"


# --- nothing is lost silently (issue 25, point 1) -----------------------------------
FIVE = dict(FULL, authors=["A One", "B Two", "C Three", "D Four", "E Five"], upvotes=30)


def test_a_shorter_list_or_a_lower_count_is_kept_and_reported():
    """A one-row file naming one of five authors (and fewer upvotes, comments, keywords)
    replaced the paper's five authors; the report only said "updated 1"."""
    stale = dict(
        id=FULL["id"], title=FULL["title"], authors=["A One"], upvotes=2, num_comments=1, keywords=["x"], date=DAY
    )
    for source in ("hf", "arxiv"):  # the same rank, and a higher one: neither shortens a list
        result, counts = merge_all(table(rec(**FIVE)), table(rec(source, **stale)))
        merged = row(result, FULL["id"])
        assert merged["authors"] == FIVE["authors"]
        assert (merged["upvotes"], merged["num_comments"], merged["keywords"]) == (30, 4, FULL["keywords"])
        kept = {(k.field, value_text(k.old), value_text(k.new)) for k in counts.kept}
        assert kept == {
            ("authors", "(5) A One; B Two; C Three; D Four; E Five", "(1) A One"),
            ("upvotes", "30", "2"),
            ("num_comments", "4", "1"),
            ("keywords", "(2) attention; sparsity", "(1) x"),
        }
        assert counts.kept_count == 4 and all(k.kept and k.id == FULL["id"] for k in counts.kept)


def test_overwrite_replaces_shorter_lists_lower_counts_and_higher_ranked_values():
    stale = dict(id=FULL["id"], title="A corrected title", authors=["A One"], upvotes=2, date=DAY)
    result, counts = merge(merge_all(table(rec("arxiv", **FIVE)))[0], table(rec("file:fix.csv", **stale)), True)
    merged = row(result, FULL["id"])
    assert (merged["title"], merged["authors"], merged["upvotes"]) == ("A corrected title", ["A One"], 2)
    assert merged["abstract"] == FULL["abstract"]  # an empty value still never erases
    assert counts.kept_count == 0 and counts.updated == 1
    assert {c.field for c in counts.changes} == {"title", "authors", "upvotes", "sources"}


def test_longer_lists_and_higher_counts_still_update_without_a_warning():
    more = dict(FULL, authors=[*FULL["authors"], "Grace Hopper"], upvotes=50)
    _, counts = merge_all(table(rec(**FULL)), table(rec(**more)))
    assert counts.updated == 1 and counts.kept_count == 0
    assert [(c.field, c.old, c.new) for c in counts.changes] == [
        ("authors", FULL["authors"], more["authors"]),
        ("upvotes", 12, 50),
    ]
    assert counts.changed_fields == {"authors": 1, "upvotes": 1}


def test_field_changes_are_listed_up_to_a_bound_and_counted():
    n = MAX_CHANGES + 30
    old = table(*(rec(id=f"2508.{i:05d}", title=f"Paper {i}", date=DAY, upvotes=1) for i in range(n)))
    new = table(*(rec(id=f"2508.{i:05d}", title=f"Paper {i}", date=DAY, upvotes=2, abstract="Now.") for i in range(n)))
    _, counts = merge(merge_all(old)[0], new)
    assert counts.changed_fields == {"abstract": n, "upvotes": n}
    assert len(counts.changes) == MAX_CHANGES
    assert str(counts.changes[0]) == "2508.00000 abstract: (empty) → Now."
    assert str(counts.changes[1]) == "2508.00000 upvotes: 1 → 2"


@pytest.mark.parametrize("order", [1, -1])
def test_the_longer_list_wins_whatever_its_source_in_both_orders(order):
    """Five real papers whose arXiv copy names fewer authors than the daily list's: importing
    arXiv first gave its shorter list, the daily list first kept the longer one."""
    base = dict(id=FULL["id"], title=FULL["title"], date=DAY)
    hf = rec("hf", authors=["Yanbo Ding", "Xirui Hu", "Zhizhi Guo", "Yali Wang"], categories=["cs.CV"], **base)
    arxiv = rec("arxiv", authors=["Yanbo Ding"], categories=["cs.CV", "cs.AI"], **base)
    result, _ = merge_all(*[table(hf), table(arxiv)][::order])
    merged = row(result, FULL["id"])
    assert merged["authors"] == hf["authors"] and merged["categories"] == arxiv["categories"]


def test_a_change_is_one_clean_line_for_the_terminal():
    """A store written before imports cleaned text may hold escapes: the report never prints them."""
    assert value_text(["Ada\x1b[31m One", "Bo\nTwo"]) == "(2) Ada One; Bo Two"
    assert value_text("x" * 100) == "x" * 79 + "…" and value_text([]) == value_text(None) == "(empty)"
