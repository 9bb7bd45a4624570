"""AppTest of the Daily Papers home page: sample data, URL round trips, bad links."""

import datetime as dt
import re
from urllib.parse import parse_qsl

import pytest
from conftest import THREE_DAYS, copy_links

CARD_TITLE = re.compile(r"^\*\*\d+\. (?P<title>.*)\*\*$")


def titles(at):
    """The card titles on screen (links to their paper pages), unescaped, in order."""
    found = []
    for link in at.page_link:
        match = CARD_TITLE.match(link.value)
        if match:
            found.append(re.sub(r"\\(.)", r"\1", match["title"]))
    return found


def test_empty_store_shows_the_bundled_demo(app, empty_store):
    """A first run shows a living dashboard: 130 real Hugging Face days plus the seed page,
    the latest day's list most upvoted first, and a banner that says it is the demo."""
    app.run()
    assert not app.exception
    banner = next(i.value for i in app.info if "Bundled demo" in i.value)
    assert "1,953 real papers" in banner and "2025-03-03 to 2025-08-29" in banner and "Import" in banner
    assert str(empty_store) not in banner  # the server's paths are not for visitors
    assert app.date_input[0].value == dt.date(2025, 8, 29)
    assert "16 papers" in " ".join(c.value for c in app.caption)
    assert titles(app)[0].startswith("Pref-GRPO")  # 45 upvotes, the day's most upvoted
    assert [m.value for m in app.metric] == ["1,953", "130"]
    assert dict(app.query_params) == {}


def test_the_seed_page_day_holds_its_63_pasted_papers_and_the_api_days(app, empty_store):
    app.query_params.update({"date": "2025-08-12", "sort": "listed"})
    app.run()
    assert not app.exception
    # 19 from the API response + 63 pasted: 4 pasted ones were on an earlier day's list too
    # (2025-04-15, 05-27, 06-13, 06-18; dated by that first day, still on this day's list)
    assert "82 papers" in " ".join(c.value for c in app.caption)


def test_default_is_latest_day_most_upvoted_first(app, three_day_store):
    app.run()
    assert not app.exception
    assert app.date_input[0].value == dt.date(2025, 1, 9)
    assert titles(app) == ["Tokenizers Are Models Too", "Speculative Decoding at Scale"]
    assert dict(app.query_params) == {}


def test_shared_date_link_opens_that_day(app, three_day_store):
    app.query_params["date"] = "2025-01-06"
    app.run()
    assert not app.exception
    assert app.date_input[0].value == dt.date(2025, 1, 6)
    shown = titles(app)
    assert len(shown) == 3
    assert "Agents That Plan" in shown[0]  # 40 upvotes
    assert dict(app.query_params) == {"date": "2025-01-06"}
    assert not app.warning


def test_sort_listed_round_trip(app, three_day_store):
    app.query_params.update({"date": "2025-01-06", "sort": "listed"})
    app.run()
    expected = [r["title"] for r in THREE_DAYS if r["date"] == "2025-01-06"]
    assert titles(app) == expected
    assert dict(app.query_params) == {"date": "2025-01-06", "sort": "listed"}


def test_changing_the_day_rewrites_the_url(app, three_day_store):
    app.run()
    app.date_input[0].set_value(dt.date(2025, 1, 8)).run()
    assert not app.exception
    assert dict(app.query_params) == {"date": "2025-01-08"}
    assert "Diffusion Policies" in titles(app)[0]


def test_previous_and_next_day_buttons(app, three_day_store):
    app.run()
    previous = next(b for b in app.button if b.label == "Previous day")
    previous.click().run()
    assert dict(app.query_params) == {"date": "2025-01-08"}  # 2025-01-07 has no papers: skipped
    previous = next(b for b in app.button if b.label == "Previous day")
    previous.click().run()
    assert dict(app.query_params) == {"date": "2025-01-06"}
    assert next(b for b in app.button if b.label == "Previous day").disabled
    following = next(b for b in app.button if b.label == "Next day")
    following.click().run()
    assert dict(app.query_params) == {"date": "2025-01-08"}
    next(b for b in app.button if b.label == "Next day").click().run()
    assert dict(app.query_params) == {"date": "2025-01-09"}  # a chosen day stays pinned, even the latest
    assert next(b for b in app.button if b.label == "Next day").disabled


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"date": "2025-02-30"}, "date"),
        ({"date": "not-a-day"}, "date"),
        ({"sort": "random"}, "sort"),
        ({"p": "-4"}, "p="),
        ({"by": "decade"}, "by="),
        ({"nonsense": "1"}, "nonsense"),
        ({"date": "1999-01-01"}, "1999-01-01"),
    ],
)
def test_bad_link_values_fall_back_with_a_warning(app, three_day_store, params, fragment):
    app.query_params.update(params)
    app.run()
    assert not app.exception
    assert any(fragment in w.value for w in app.warning), [w.value for w in app.warning]
    assert app.date_input[0].value == dt.date(2025, 1, 9)
    assert dict(app.query_params) == {}  # the bad value is gone from the address bar


def test_day_without_papers_says_so(app, three_day_store):
    app.query_params["date"] = "2025-01-07"
    app.run()
    assert not app.exception
    assert any("No papers were listed on 2025-01-07" in i.value for i in app.info)


def test_copy_link_shows_the_canonical_link_of_the_view(app, three_day_store):
    app.query_params.update({"date": "2025-01-06", "sort": "listed"})
    app.run()
    assert copy_links(app) == ["/?date=2025-01-06&sort=listed"]


def test_chart_period_round_trip(app, three_day_store):
    app.query_params["by"] = "week"
    app.run()
    assert not app.exception
    assert app.selectbox[0].value == "week"
    assert dict(app.query_params) == {"by": "week"}
    app.selectbox[0].set_value("month").run()
    assert dict(app.query_params) == {"by": "month"}


def test_papers_on_a_day_takes_only_that_days_rows_in_order():
    import datetime as dt

    import pyarrow as pa

    from lib import daily
    from lib.store.schema import make_record, records_to_table, to_frame

    records = [
        make_record(
            {
                "id": f"2501.{i:05d}",
                "title": f"Paper {i}",
                "abstract": "x",
                "authors": ["A"],
                "date": dt.date(2025, 1, 1 + i % 3),
                "upvotes": None if i == 4 else i,
            },
            sources=["hf"],
            today=dt.date(2026, 1, 1),
        )
        for i in range(9)
    ]
    table = records_to_table(records)
    table = pa.Table.from_batches(table.to_batches(max_chunksize=2))  # several chunks, as a big table has
    dates = to_frame(table)["date"].to_numpy()
    by_votes = daily.papers_on(table, dates, dt.date(2025, 1, 2), "upvotes")
    assert by_votes["id"].tolist() == ["2501.00007", "2501.00001", "2501.00004"]  # unknown upvotes last
    assert by_votes.index.tolist() == [7, 1, 4]  # table rows
    listed = daily.papers_on(table, dates, dt.date(2025, 1, 2), "listed")
    assert listed["id"].tolist() == ["2501.00001", "2501.00004", "2501.00007"]
    assert daily.papers_on(table, dates, dt.date(2025, 1, 9), "upvotes").empty
    assert list(by_votes["authors"].iloc[0]) == ["A"]


def test_the_sample_day_pages_through_all_its_papers(app, empty_store):
    """The seed page's day of the demo, 82 papers at 25 a page: pages of 25, 25, 25 and 7, every
    paper once, and p=5 falls back."""
    from lib import daily

    seen = []
    for page, expected in ((1, 25), (2, 25), (3, 25), (4, 82 - 3 * daily.PAGE_SIZE)):
        app.query_params.update({"date": "2025-08-12", "p": str(page)})
        app.run()
        assert not app.exception and not app.warning
        assert len(titles(app)) == expected
        first = (page - 1) * daily.PAGE_SIZE + 1
        assert f"showing {first}–{first + expected - 1}" in " ".join(c.value for c in app.caption)
        seen += titles(app)
    assert len(seen) == len(set(seen)) == 82
    app.query_params["p"] = "5"
    app.run()
    assert any("p=5" in w.value for w in app.warning) and titles(app) == seen[75:]


def test_a_damaged_store_is_reported_without_the_servers_paths(app, three_day_store):
    """The error names the file within the data directory, never where the server keeps it."""
    manifest = three_day_store / "papers" / "_manifest.json"
    manifest.write_text("{not json", encoding="utf-8")
    app.run()
    assert not app.exception
    message = " ".join(e.value for e in app.error)
    assert "the data directory" in message and "_manifest.json" in message
    assert str(three_day_store) not in message


# --- sources: a mixed store (a Hugging Face API day and arXiv listings) -----------------------------
HF_DAY = "2025-09-08"
# arXiv listings in our JSON Lines format (arXiv categories: the importer reads them as arXiv's);
# 2509.05501 is also on the Hugging Face list of 2025-09-08, and arXiv dates it by its v1 day
ARXIV_PAPERS = [
    {
        "id": "2509.05501",
        "title": "Echo Chambers in Tool-Using Agents",
        "authors": ["Mei Tanaka", "Oskar Lund"],
        "abstract": "Agents that call other agents as tools amplify each other's mistakes.",
        "published": "2025-09-04",
        "categories": ["cs.AI"],
    },
    {
        "id": "2509.06001",
        "title": "Memory for Web Agents",
        "authors": ["Ana Souza"],
        "abstract": "A web agent that remembers pages it visited.",
        "published": HF_DAY,
        "categories": ["cs.CL"],
    },
    {
        "id": "2509.06002",
        "title": "Sparse Attention Kernels",
        "authors": ["Li Wei"],
        "abstract": "Faster kernels for sparse attention.",
        "published": HF_DAY,
        "categories": ["cs.LG"],
    },
    {
        "id": "2509.03001",
        "title": "Dialect-Aware Translation Metrics",
        "authors": ["Farah Aziz"],
        "abstract": "Metrics that do not penalise dialects.",
        "published": "2025-09-05",
        "categories": ["cs.CL"],
    },
    {
        "id": "2509.03002",
        "title": "Shadows Tell Time",
        "authors": ["Hiro Nakamura"],
        "abstract": "Shadow length reveals the capture hour.",
        "published": "2025-09-05",
        "categories": ["cs.CV"],
    },
]
# the list's order (hf_rank) is the response's: 2509.05501 first, 2509.05502 second
HF_LISTED = ["Echo Chambers in Tool-Using Agents", "Counting Sheep: Sleep-Stage Classification from Phone Audio"]


def write_mixed_inputs(folder) -> list:
    """The fixture's Hugging Face API day (upvotes changed so that the list's order and the
    upvote order differ: 3 for the first, 7 for the second) and the arXiv listings."""
    import json
    from pathlib import Path

    from lib.store.store import input_files

    root = Path(__file__).parent / "fixtures"
    items = json.loads((root / "hf_api" / f"{HF_DAY}.json").read_text(encoding="utf-8"))
    for item, votes in zip(items, (3, 7)):
        item["paper"]["upvotes"] = votes
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{HF_DAY}.json").write_text(json.dumps(items), encoding="utf-8")
    from conftest import write_jsonl

    write_jsonl(folder / "arxiv_listings.jsonl", ARXIV_PAPERS)
    return input_files([str(folder / f"{HF_DAY}.json"), str(folder / "arxiv_listings.jsonl")], (".json", ".jsonl"))


def import_mixed(data, folder) -> None:
    from lib.store.importer import import_files
    from lib.store.store import Store

    import_files(Store(data), write_mixed_inputs(folder))


@pytest.fixture
def mixed_store(empty_store, tmp_path):
    import_mixed(empty_store, tmp_path / "inputs")
    return empty_store


def test_the_mixed_store_holds_what_the_tests_assume(mixed_store):
    from lib.dataset import load
    from lib.store.store import Store

    ds = load(Store(mixed_store))
    assert ds.sources == {"hf": 2, "arxiv": 5}
    both = ds.frame.set_index("id").loc["2509.05501"]
    assert both["date"] == both["hf_day"] == pd_day(HF_DAY) and both["published"] == pd_day("2025-09-04")


def pd_day(text):
    import pandas as pd

    return pd.Timestamp(text)


def test_default_is_the_days_hugging_face_list(app, mixed_store):
    """No link: the latest day with a list, exactly that list (not the day's two other arXiv
    papers), most upvoted first; As listed is the list's own order."""
    app.run()
    assert not app.exception and not app.warning
    assert app.date_input[0].value == dt.date(2025, 9, 8)
    assert titles(app) == HF_LISTED[::-1]  # 7 upvotes, then 3
    assert "2 papers** on the Hugging Face daily list" in " ".join(c.value for c in app.caption)
    next(s for s in app.segmented_control if s.label == "Order").set_value("listed").run()
    assert titles(app) == HF_LISTED
    assert dict(app.query_params) == {"sort": "listed"}


def test_the_list_links_to_all_papers_of_its_day(app, mixed_store):
    app.query_params["date"] = HF_DAY
    app.run()
    link = next(p for p in app.page_link if p.label.startswith("All "))
    assert link.label == "All 4 papers of that day"
    assert dict(parse_qsl(link.proto.query_string)) == {"date": HF_DAY, "src": "all"}

    def badges() -> int:
        return sum(":orange-badge[:material/star: HF daily list" in m.value for m in app.markdown)

    assert badges() == 0  # the list itself: every card would carry it
    app.query_params.update({"date": HF_DAY, "src": "all"})
    app.run()
    assert not app.exception
    assert sorted(titles(app)) == sorted(HF_LISTED + ["Memory for Web Agents", "Sparse Attention Kernels"])
    assert badges() == len(HF_LISTED)  # among all the day's papers, the list's are marked
    assert not [p for p in app.page_link if p.label.startswith("All ")]


def test_a_day_without_a_list_shows_all_its_papers_and_says_so(app, mixed_store):
    app.query_params["date"] = "2025-09-05"
    app.run()
    assert not app.exception and not app.warning
    assert sorted(titles(app)) == ["Dialect-Aware Translation Metrics", "Shadows Tell Time"]
    assert any("No Hugging Face daily list on this day" in c.value for c in app.caption)
    # the navigation steps through days with a list: none before, the list's day after
    assert next(b for b in app.button if b.label == "Previous day").disabled
    next(b for b in app.button if b.label == "Next day").click().run()
    assert dict(app.query_params) == {"date": HF_DAY}
    assert titles(app) == HF_LISTED[::-1]


def test_src_arxiv_dates_papers_by_their_arxiv_day(app, mixed_store):
    """arXiv dates 2509.05501 by its v1 day (2025-09-04), not by its day on the list."""
    app.query_params.update({"src": "arxiv", "date": HF_DAY})
    app.run()
    assert not app.exception and not app.warning
    assert sorted(titles(app)) == ["Memory for Web Agents", "Sparse Attention Kernels"]
    next(b for b in app.button if b.label == "Previous day").click().run()
    assert dict(app.query_params) == {"src": "arxiv", "date": "2025-09-05"}
    next(b for b in app.button if b.label == "Previous day").click().run()
    assert titles(app) == ["Echo Chambers in Tool-Using Agents"]
    assert [m.value for m in app.metric] == ["5", "3"]  # arXiv's papers and days


def test_metrics_and_chart_count_the_chosen_source(app, mixed_store):
    app.run()
    assert [m.value for m in app.metric] == ["2", "1"]  # the list: 2 papers on 1 day
    assert app.selectbox[0].value == "hf"
    app.selectbox[0].set_value("all").run()
    assert [m.value for m in app.metric] == ["6", "2"]  # 09-05 and 09-08: a listed paper's day is its list's
    assert dict(app.query_params) == {"src": "all"}
    sources = next(c.value for c in app.caption if "Sources:" in c.value)
    assert sources == "Counting every paper. Sources: Hugging Face daily list 2 · arXiv 5"
