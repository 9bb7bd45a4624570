"""The URL grammar as a table: decode, encode, round trips, bad values."""

import datetime as dt

import pytest

from lib.urlstate import HOME, MAX_TOPICS, TOPICS, PageSpec

D = dt.date


@pytest.mark.parametrize(
    "params, state, warned",
    [
        ({}, {"date": None, "sort": "upvotes", "p": 1, "by": "auto"}, []),
        ({"date": "2025-08-12"}, {"date": D(2025, 8, 12)}, []),
        ({"date": " 2025-08-12 "}, {"date": D(2025, 8, 12)}, []),
        ({"sort": "listed"}, {"sort": "listed"}, []),
        ({"sort": "LISTED"}, {"sort": "listed"}, []),
        ({"p": "3"}, {"p": 3}, []),
        ({"by": "quarter"}, {"by": "quarter"}, []),
        ({"date": "2025-13-45"}, {"date": None}, ["date"]),
        ({"date": "yesterday"}, {"date": None}, ["date"]),
        ({"sort": "random"}, {"sort": "upvotes"}, ["sort"]),
        ({"p": "-1"}, {"p": 1}, ["p"]),
        ({"p": "0"}, {"p": 1}, ["p"]),
        ({"p": "1e9"}, {"p": 1}, ["p"]),
        ({"p": "99999999999999999999"}, {"p": 1}, ["p"]),
        ({"by": "<script>"}, {"by": "auto"}, ["by"]),
        ({"date": "x" * 10_000}, {"date": None}, ["date"]),
        ({"dat": "2025-08-12"}, {"date": None}, ["dat"]),
        ({"embed": "true"}, {"date": None}, []),
        ({"date": ["2025-01-01", "2025-08-12"]}, {"date": D(2025, 8, 12)}, []),
    ],
)
def test_home_decode(params, state, warned):
    decoded, warnings = HOME.decode(params)
    for key, value in state.items():
        assert decoded[key] == value
    assert len(warnings) == len(warned)
    for key, message in zip(warned, warnings):
        assert key[:3] in message and "Ignored" in message


@pytest.mark.parametrize(
    "canonical",
    [{}, {"date": "2025-08-12"}, {"sort": "listed"}, {"date": "2025-08-12", "sort": "listed", "p": "2", "by": "week"}],
)
def test_home_canonical_round_trip(canonical):
    state, warnings = HOME.decode(canonical)
    assert warnings == []
    assert HOME.encode(state) == canonical


def test_encode_omits_defaults_and_orders_keys():
    state = {"by": "month", "p": 1, "sort": "upvotes", "date": D(2025, 8, 12)}
    assert list(HOME.encode(state)) == ["date", "by"]
    assert HOME.link(state) == "/?date=2025-08-12&by=month"


def test_link_of_a_named_page_quotes_values():
    spec = PageSpec("search", HOME.fields)
    assert spec.link({"date": D(2025, 1, 2), "sort": "listed"}) == "/search?date=2025-01-02&sort=listed"
    assert spec.link({}) == "/search"


def test_every_home_key_is_documented():
    assert all(field.doc for field in HOME.fields)


# --- Topics: k, stable ids of topics and areas, where is, split ----------------------------------------
@pytest.mark.parametrize(
    "params, state, warned",
    [
        ({}, {"k": 0, "area": -1, "topic": -1, "q": "", "split": "none"}, []),
        ({"k": "200"}, {"k": 200}, []),
        ({"k": "97", "topic": "1234", "split": "category"}, {"k": 97, "topic": 1234, "split": "category"}, []),
        ({"area": "17"}, {"area": 17}, []),
        ({"q": "  vision-language-action   models "}, {"q": "vision-language-action models"}, []),
        ({"q": "2507.01234"}, {"q": "2507.01234"}, []),
        ({"split": "SOURCE"}, {"split": "source"}, []),
        ({"k": "1"}, {"k": 0}, ["k="]),
        ({"k": "201"}, {"k": 0}, ["k="]),
        ({"topic": "-1"}, {"topic": -1}, ["topic="]),
        ({"topic": "1.5"}, {"topic": -1}, ["topic="]),
        ({"area": "999999999999"}, {"area": -1}, ["area="]),
        ({"split": "author"}, {"split": "none"}, ["split="]),
        ({"q": "x" * 600}, {"q": ""}, ["q="]),
    ],
)
def test_topics_decode(params, state, warned):
    decoded, warnings = TOPICS.decode(params)
    for key, value in state.items():
        assert decoded[key] == value
    assert len(warnings) == len(warned)
    for fragment, message in zip(warned, warnings):
        assert fragment in message and "Ignored" in message


def test_topics_canonical_round_trip_and_order():
    canonical = {"k": "120", "area": "3", "topic": "45", "q": "speculative decoding", "split": "source"}
    state, warnings = TOPICS.decode(dict(reversed(list(canonical.items()))))
    assert warnings == [] and TOPICS.encode(state) == canonical and list(TOPICS.encode(state)) == list(canonical)


def test_the_url_allows_the_models_k():
    from lib.topics.topics import MAX_K

    assert MAX_TOPICS == MAX_K
    assert TOPICS.decode({"k": str(MAX_K)})[0]["k"] == MAX_K and TOPICS.decode({"k": str(MAX_K + 1)})[1]


def test_every_topics_key_is_documented():
    assert all(field.doc for field in TOPICS.fields)
