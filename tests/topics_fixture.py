"""A generated table of papers in three obvious themes, for the topic-model tests
(test_topics.py, test_app_topics.py, test_browser_topics.py).

Each theme has its own vocabulary of 25 words (singular, no plural or hyphen, none a
function word, none shared with another theme).  A paper's title is four of its
theme's words; its abstract is 15 distinct theme words mixed with 3 of the 8 GENERIC
words that every theme uses.  Authors come from a small pool per theme.  Everything is
drawn from one seeded ``random.Random``: the same arguments give the same papers.

``papers()`` — 40 papers per theme (120), spread evenly over 2023-01-02 .. 2025-12-29
(three years), themes interleaved so every quarter holds all three.

``papers(recent="rowing")`` — the emerging fixture: the other two themes spread over
2024-06-01 .. 2025-12-31 while every rowing paper lies in the last 90 days
(2025-10-03 .. 2025-12-31), so rowing is the only topic whose share rises.

Each record carries its ground truth in ``THEME_KEY`` (not a contract key: the
importer and ``make_record`` ignore it); ``build_table`` returns the Arrow table
(rows in record order) and the list of themes per row.
"""

from __future__ import annotations

import datetime as dt
import random

TODAY = dt.date(2026, 11, 27)
SEED = 20261127
PER_THEME = 40
THEME_WORDS = 15  # theme words in each abstract
GENERIC_WORDS = 3  # generic words in each abstract
THEME_KEY = "theme"

VOCABULARY: dict[str, tuple[str, ...]] = {
    "astronomy": (
        "galaxy",
        "telescope",
        "stellar",
        "redshift",
        "supernova",
        "nebula",
        "quasar",
        "orbit",
        "comet",
        "asteroid",
        "cosmic",
        "photometry",
        "spectroscopy",
        "pulsar",
        "exoplanet",
        "planetary",
        "luminosity",
        "astrophysics",
        "gravitational",
        "lensing",
        "interstellar",
        "cosmology",
        "parallax",
        "celestial",
        "observatory",
    ),
    "cooking": (
        "recipe",
        "flavor",
        "oven",
        "dough",
        "spice",
        "bake",
        "simmer",
        "garlic",
        "butter",
        "pastry",
        "saute",
        "kitchen",
        "broth",
        "roast",
        "caramel",
        "vinegar",
        "marinade",
        "skillet",
        "yeast",
        "knead",
        "sauce",
        "seasoning",
        "braise",
        "oregano",
        "cinnamon",
    ),
    "rowing": (
        "boat",
        "oar",
        "crew",
        "regatta",
        "stroke",
        "coxswain",
        "hull",
        "rudder",
        "scull",
        "rowlock",
        "ergometer",
        "paddle",
        "blade",
        "rigger",
        "rowing",
        "rower",
        "sprint",
        "lane",
        "buoy",
        "river",
        "dock",
        "launch",
        "cadence",
        "puddle",
        "bow",
    ),
}
THEMES = tuple(VOCABULARY)
GENERIC = ("study", "results", "method", "analysis", "novel", "framework", "evaluation", "approach")
AUTHORS: dict[str, tuple[str, ...]] = {
    "astronomy": ("Vera Rubin", "Edwin Hubble", "Henrietta Leavitt", "Carl Sagan"),
    "cooking": ("Julia Child", "Auguste Escoffier", "Marcella Hazan", "James Beard"),
    "rowing": ("Steve Redgrave", "Matthew Pinsent", "Elisabeta Lipa", "Jack Beresford"),
}

FIRST_DAY, LAST_DAY = dt.date(2023, 1, 2), dt.date(2025, 12, 29)
EMERGING_FIRST, EMERGING_LAST = dt.date(2024, 6, 1), dt.date(2025, 12, 31)
RECENT_FIRST = dt.date(2025, 10, 3)  # the last 90 days end on EMERGING_LAST


def _spread(first: dt.date, last: dt.date, n: int) -> list[dt.date]:
    """n days from first to last inclusive, evenly spaced."""
    span = (last - first).days
    return [first + dt.timedelta(days=round(i * span / max(n - 1, 1))) for i in range(n)]


def _paper(rng: random.Random, theme: str, day: dt.date, number: int) -> dict:
    words = rng.sample(VOCABULARY[theme], THEME_WORDS) + rng.sample(GENERIC, GENERIC_WORDS)
    rng.shuffle(words)
    title = " ".join(rng.sample(VOCABULARY[theme], 4)).capitalize()
    return {
        "id": f"{day:%y%m}.{number:05d}",
        "title": title,
        "abstract": " ".join(words).capitalize() + ".",
        "authors": rng.sample(AUTHORS[theme], rng.randint(1, 2)),
        "date": day.isoformat(),
        "upvotes": rng.randint(0, 50),
        THEME_KEY: theme,
    }


def papers(per_theme: int = PER_THEME, recent: str | None = None, seed: int = SEED) -> list[dict]:
    """Raw records (the project's JSON Lines format plus ``theme``), in date order."""
    rng = random.Random(seed)
    slots: list[tuple[dt.date, str]] = []
    if recent is None:
        # themes interleaved over the three years: theme i takes every third day
        days = _spread(FIRST_DAY, LAST_DAY, per_theme * len(THEMES))
        slots = [(day, THEMES[i % len(THEMES)]) for i, day in enumerate(days)]
    else:
        others = [t for t in THEMES if t != recent]
        days = _spread(EMERGING_FIRST, EMERGING_LAST, per_theme * len(others))
        slots = [(day, others[i % len(others)]) for i, day in enumerate(days)]
        slots += [(day, recent) for day in _spread(RECENT_FIRST, EMERGING_LAST, per_theme)]
        slots.sort(key=lambda s: s[0])
    return [_paper(rng, theme, day, i + 1) for i, (day, theme) in enumerate(slots)]


def build_table(records: list[dict] | None = None):
    """(Arrow table in the lib.store.schema contract, theme of each row), rows in record order."""
    from lib.store.schema import make_record, records_to_table

    records = papers() if records is None else records
    rows = []
    for raw in records:
        clean = {k: v for k, v in raw.items() if k != THEME_KEY}
        clean["date"] = dt.date.fromisoformat(raw["date"])
        rows.append(make_record(clean, sources=["arxiv"], today=TODAY))
    return records_to_table(rows), [raw[THEME_KEY] for raw in records]


def themes_by_id(records: list[dict] | None = None) -> dict[str, str]:
    """Paper id -> theme (for a table whose row order the importer chose)."""
    from lib.text import arxiv_id

    records = papers() if records is None else records
    return {arxiv_id(raw["id"]) or raw["id"]: raw[THEME_KEY] for raw in records}


def plain(records: list[dict] | None = None) -> list[dict]:
    """The records without their ground truth: what a JSON Lines file of the project holds
    (write them with conftest.write_jsonl and import them with lib.store.importer.import_files)."""
    records = papers() if records is None else records
    return [{k: v for k, v in raw.items() if k != THEME_KEY} for raw in records]


def vocabulary_stems(theme: str) -> set[str]:
    """The terms (folded, plural-stripped, as the term index reads them) of a theme's words."""
    from lib.search.analysis import stem

    return {stem(w) for w in VOCABULARY[theme]}
