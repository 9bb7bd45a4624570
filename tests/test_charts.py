"""The charts of lib/charts.py, read off their Vega-Lite specs (``chart.to_dict()``).

What is checked is what a reader sees: a term or a topic keeps its colour (across added
terms, across the share chart and the map), legends list every entry in columns that fit a
phone and a desktop, a click on a topic's mark selects the topic, scrolling never zooms, and
tooltips write shares as 12.3% and counts as 1,234."""

from __future__ import annotations

import math
import re

import altair as alt
import numpy as np
import pandas as pd
import pytest

from lib import charts
from lib.text import SHARE_FORMAT

LABELS = [
    "diffusion, image, generation",
    "reinforcement, reward, learning",
    "language, models, llm",
    "graph, neural, node",
    "speech, audio, recognition",
    "robot, manipulation, policy",
    "retrieval, augmented, generation",
    "vision, transformer, patch",
    "federated, privacy, clients",
    "molecule, protein, drug",
    "video, temporal, frames",
    "code, program, synthesis",
    "medical, clinical, patients",
    "point cloud, 3d, lidar",
    "adversarial, attacks, robustness",
    "quantization, compression, pruning",
    "time series, forecasting, temporal",
    "tabular, features, trees",
    "agents, planning, tools",
    "math, reasoning, chain of thought",
    "segmentation, semantic, masks",
    "recommendation, users, items",
    "causal, inference, effects",
    "optimization, convergence, gradient",
    "multilingual, translation, low resource",
]
MONTHS = pd.period_range("2024-01", periods=18, freq="M")

# plot widths (the ``width`` signal) of a chart drawn with width="stretch": a phone's ~388 px
# container less the y axis, half a desktop's ~1240 px container, a full desktop
PHONE, HALF, DESKTOP = 330, 560, 1180


# --- frames as lib.trends.trends.series and lib.topics.topics produce them ------------------------------------
def trend_frame(terms: list[str], few_first: bool = True) -> pd.DataFrame:
    """The shape of lib.trends.trends.series: one row per term and period, terms in typed order."""
    rows = []
    for i, term in enumerate(terms):
        for j, month in enumerate(MONTHS):
            total = 20 if (few_first and j == 0) else 1000 + 37 * j
            count = (i + 1) * (j + 3)
            rows.append(
                {
                    "period": month.start_time,
                    "label": month.strftime("%b %Y"),
                    "term": term,
                    "count": count,
                    "total": total,
                    "share": count / total,
                    "value": count / total,
                    "few": total < 30,
                }
            )
    return pd.DataFrame(rows)


def shares_frame(n_topics: int = 25, names: list[str] | None = None) -> pd.DataFrame:
    """The shape of lib.topics.topics.shares_over_time: per period and topic."""
    names = names or LABELS[:n_topics]
    rng = np.random.default_rng(n_topics)
    rows = []
    for month in MONTHS:
        papers = rng.integers(1, 200, n_topics)
        for topic in range(n_topics):
            rows.append(
                {
                    "period": month.start_time,
                    "label": month.strftime("%b %Y"),
                    "topic": topic,
                    "name": names[topic],
                    "papers": int(papers[topic]),
                    "total": int(papers.sum()),
                    "share": papers[topic] / papers.sum(),
                }
            )
    return pd.DataFrame(rows)


def summary_frame(n_topics: int = 25) -> pd.DataFrame:
    """The shape of TopicModel.summary."""
    papers = np.arange(n_topics, 0, -1) * 100
    return pd.DataFrame(
        {
            "topic": np.arange(n_topics),
            "label": LABELS[:n_topics],
            "papers": papers,
            "share": papers / papers.sum(),
            "terms": LABELS[:n_topics],
        }
    )


def areas_frame(n_areas: int = 6) -> pd.DataFrame:
    """The shape of TopicModel.areas: ids that are not rows (stable ids)."""
    papers = np.arange(n_areas, 0, -1) * 1000
    return pd.DataFrame(
        {
            "area": np.arange(n_areas) * 7 + 3,
            "label": LABELS[:n_areas],
            "topics": np.full(n_areas, 5),
            "papers": papers,
            "share": papers / papers.sum(),
            "terms": LABELS[:n_areas],
            "coherence": np.full(n_areas, 0.2),
        }
    )


SPLIT_GROUPS = ["cs.CL", "cs.CV", "cs.LG", "other"]


def split_frame() -> pd.DataFrame:
    """The shape of lib.topics.topics.split_over_time: period, label, group, papers."""
    return pd.DataFrame(
        [
            {"period": m.start_time, "label": str(m), "group": g, "papers": (i + 1) * (j + 1)}
            for i, m in enumerate(MONTHS[:6])
            for j, g in enumerate(SPLIT_GROUPS)
        ]
    )


def map_frame(topics: list[int], names: list[str] | None = None, with_topic: bool = True) -> pd.DataFrame:
    """The points the Topics page draws: x, y, name, title, date and (now) topic, -1 for none."""
    names = names or LABELS
    frame = pd.DataFrame(
        {
            "x": np.linspace(0, 1, len(topics)),
            "y": np.linspace(1, 0, len(topics)),
            "name": [names[t] if t >= 0 else "no topic" for t in topics],
            "title": [f"Paper {i}" for i in range(len(topics))],
            "date": pd.date_range("2025-01-01", periods=len(topics), freq="D"),
        }
    )
    if with_topic:
        frame["topic"] = topics
    return frame


def all_specs() -> dict[str, dict]:
    """Every chart of the module, from realistic frames, as Vega-Lite specs."""
    over_time = shares_frame()
    return {
        "papers_per_period": charts.papers_per_period_chart(
            pd.DataFrame(
                {
                    "period": [m.start_time for m in MONTHS],
                    "label": [str(m) for m in MONTHS],
                    "papers": np.arange(18) * 100,
                    "by": "month",
                }
            )
        ).to_dict(),
        "trend_share": charts.trend_chart(trend_frame(["agent", "diffusion"]), "share", 30).to_dict(),
        "trend_count": charts.trend_chart(trend_frame(["agent", "diffusion"]), "count", 30).to_dict(),
        "frequent_terms": charts.frequent_terms_chart(
            pd.DataFrame({"term": ["agent", "diffusion"], "papers": [1200, 30], "share": [0.12, 0.003]})
        ).to_dict(),
        "topic_sizes": charts.topic_sizes_chart(summary_frame()).to_dict(),
        "area_sizes": charts.area_sizes_chart(areas_frame()).to_dict(),
        "topic_split": charts.topic_split_chart(split_frame()).to_dict(),
        "topic_shares_share": charts.topic_shares_chart(over_time, "share").to_dict(),
        "topic_shares_count": charts.topic_shares_chart(over_time, "count").to_dict(),
        "topic_map": charts.topic_map_chart(map_frame([*range(24, -1, -1), -1, 3, 0])).to_dict(),
        "topic_terms": charts.topic_terms_chart(pd.DataFrame({"term": ["a", "b"], "weight": [0.2, 0.1]})).to_dict(),
        "topic_over_time_share": charts.topic_over_time_chart(over_time[over_time["topic"] == 3], "share").to_dict(),
        "topic_over_time_count": charts.topic_over_time_chart(over_time[over_time["topic"] == 3], "count").to_dict(),
    }


# --- reading a spec ---------------------------------------------------------------------------------
def walk(node):
    """Every dict in a spec, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def encodings(spec: dict) -> list[dict]:
    return [spec["encoding"]] if "encoding" in spec else [layer["encoding"] for layer in spec["layer"]]


def color_of(spec: dict) -> dict:
    """The colour channel (its scale and legend) of a chart or of its first layer."""
    return encodings(spec)[0]["color"]


def colours(spec: dict) -> dict[str, str]:
    scale = color_of(spec)["scale"]
    assert len(scale["domain"]) == len(scale["range"])
    return dict(zip(scale["domain"], scale["range"]))


def params(spec: dict) -> list[dict]:
    found = list(spec.get("params", []))
    for layer in spec.get("layer", []):
        found += layer.get("params", [])
    return found


def evaluate(value, width: float) -> float:
    """A legend property: a number, or a Vega expression of the plot's ``width``."""
    if not isinstance(value, dict):
        return value
    expr = value["expr"]
    assert re.fullmatch(r"[\w\s().,+\-*/]+", expr), expr
    return eval(expr, {"__builtins__": {}}, {"width": width, "max": max, "min": min, "floor": math.floor})


def tooltips(spec: dict) -> list[dict]:
    found = []
    for encoding in encodings(spec):
        found += [t if isinstance(t, dict) else {"field": t} for t in encoding.get("tooltip", [])]
    return found


# --- 1. trend colours follow the typed order ---------------------------------------------------------
def test_trend_colours_follow_the_typed_order_and_survive_an_added_term():
    """The colour scale's domain is the terms as typed (not sorted), its range a fixed palette;
    adding a term keeps the colours of the others, and the legend lists the terms as typed."""
    two = charts.trend_chart(trend_frame(["robot", "agent"]), "share", 30).to_dict()
    three = charts.trend_chart(trend_frame(["robot", "agent", "diffusion"]), "share", 30).to_dict()
    assert color_of(two)["scale"]["domain"] == ["robot", "agent"]
    assert color_of(three)["scale"]["domain"] == ["robot", "agent", "diffusion"]
    assert color_of(three)["scale"]["range"] == charts.TERM_PALETTE[:3]
    assert {k: colours(three)[k] for k in colours(two)} == colours(two)
    assert color_of(three).get("sort") == ["robot", "agent", "diffusion"]  # the legend in typed order
    # points and lines: one scale
    for channel in ("fill", "stroke"):
        assert encodings(three)[1][channel]["scale"] == color_of(three)["scale"]


def test_trend_palette_cycles_beyond_ten_terms():
    terms = [f"term{i}" for i in range(13)]
    scale = color_of(charts.trend_chart(trend_frame(terms), "share", 30).to_dict())["scale"]
    assert scale["domain"] == terms
    assert scale["range"] == [charts.TERM_PALETTE[i % 10] for i in range(13)]
    assert len(set(charts.TERM_PALETTE)) == len(charts.TERM_PALETTE) == 10


# --- 2. topic colours: 60 distinct, the same in the share chart and the map ------------------------
def test_the_topic_palette_has_sixty_distinct_colours():
    palette = [c.lower() for c in charts.TOPIC_PALETTE]
    assert len(palette) >= 60
    assert len(set(palette)) == len(palette)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in palette)
    assert charts.NO_TOPIC_COLOR.lower() not in palette


def test_sixty_topics_never_repeat_a_colour():
    names = [f"topic {i:02d}, words, here" for i in range(60)]
    spec = charts.topic_shares_chart(shares_frame(60, names), "share").to_dict()
    assert len(set(colours(spec).values())) == 60


def test_a_topic_has_the_same_colour_in_the_share_chart_and_on_the_map():
    """Domain: names ordered by topic id (not alphabetically); colour: by id, so a map sample
    lacking some topics, listed in any order, colours the others as the share chart does."""
    names = sorted(LABELS, reverse=True)  # ids in anti-alphabetical order of names
    shares = charts.topic_shares_chart(shares_frame(25, names), "share").to_dict()
    assert color_of(shares)["scale"]["domain"] == names
    assert color_of(shares)["scale"]["range"] == charts.TOPIC_PALETTE[:25]

    sample = [24, 3, -1, 17, 3, 0, 24, 9]  # no topic 1, 2, ...; papers without a topic too
    chart_map = charts.topic_map_chart(map_frame(sample, names)).to_dict()
    on_map = colours(chart_map)
    assert color_of(chart_map)["scale"]["domain"] == [names[t] for t in (0, 3, 9, 17, 24)] + ["no topic"]
    assert on_map.pop("no topic") == charts.NO_TOPIC_COLOR
    assert on_map == {name: colours(shares)[name] for name in on_map}


def test_a_map_without_topic_ids_still_draws():
    frame = map_frame([2, 0, 1, 2], with_topic=False)
    spec = charts.topic_map_chart(frame).to_dict()
    assert color_of(spec)["scale"]["domain"] == [LABELS[2], LABELS[0], LABELS[1]]
    assert len(set(colours(spec).values())) == 3
    assert [p["name"] for p in params(spec)] == ["pick"]


# --- 3, 4, 7. legends: all entries, readable on a phone and on a desktop -----------------------------
@pytest.mark.parametrize("name", ["trend_share", "topic_shares_share", "topic_map"])
def test_legends_list_every_entry_in_columns_that_fit_the_width(name):
    """symbolLimit 0 (Vega-Lite drops entries beyond 30 by default); as many columns as the
    plot's width holds: one on a phone, two in half a desktop, three or more on a desktop; a
    label limit that fits a phone and leaves ~40-character labels whole; the height grows
    with the legend (autosize fit-x) instead of squeezing the plot."""
    spec = all_specs()[name]
    legend = color_of(spec)["legend"]
    assert legend is not None and legend["symbolLimit"] == 0
    assert legend["orient"] in ("top", "bottom")  # a legend at the side would eat a phone's width
    assert spec["autosize"]["type"] == "fit-x"
    for width, fewest, most in ((PHONE, 1, 1), (HALF, 2, 2), (DESKTOP, 3, 6)):
        columns, limit = evaluate(legend["columns"], width), evaluate(legend["labelLimit"], width)
        assert fewest <= columns <= most, (width, columns)
        assert columns * (limit + 20) <= width, (width, columns, limit)  # symbol and padding included
        assert limit >= 230  # "multilingual, translation, low resource" at the app's font
    if name != "trend_share":  # 25 topics (and "no topic" on the map): every one has its entry
        assert set(LABELS) <= set(color_of(spec)["scale"]["domain"])


def test_topic_shares_grow_with_the_number_of_topics():
    heights = {
        n: charts.topic_shares_chart(shares_frame(n, [f"t{i}" for i in range(n)]), "share").to_dict()["height"]
        for n in (5, 20, 25, 40, 60)
    }
    assert heights[5] == heights[20] == 360
    assert heights[25] >= 16 * 25 and heights[40] >= 16 * 40 and heights[60] >= 16 * 60
    assert charts.topic_shares_height(25) == heights[25]


def test_the_trend_axis_title_is_not_clipped():
    """The long y title stands along a 380 px axis: its length, ~7 px a character at the
    app's axis font, fits with room to spare; no title limit cuts it."""
    spec = all_specs()["trend_share"]
    y = encodings(spec)[0]["y"]
    assert len(y["title"]) * 7 < spec["height"]
    assert "titleLimit" not in y.get("axis", {})


def test_stacked_shares_stop_at_one_hundred_percent():
    y = encodings(all_specs()["topic_shares_share"])[0]["y"]
    assert y["scale"]["domain"] == [0, 1] and y["scale"]["nice"] is False


# --- 5. clicking a topic's bar or map point selects the topic ----------------------------------------
@pytest.mark.parametrize("name", ["topic_sizes", "area_sizes", "topic_map"])
def test_clicking_a_topic_selects_it(name):
    spec = all_specs()[name]
    (pick,) = [p for p in params(spec) if p["name"] == "pick"]
    assert pick["select"]["type"] == "point"
    assert pick["select"]["fields"] == ["topic"] and pick["select"]["on"] == "click"
    # the selected mark is emphasised, the others stay readable
    opacity = encodings(spec)[0]["opacity"]
    assert opacity["condition"]["param"] == "pick"
    assert opacity["condition"]["value"] > opacity["value"] >= 0.4


def test_clicking_an_area_selects_its_id_and_the_tooltip_says_area():
    """The areas chart is the sizes chart with the area's stable id in the picked field."""
    chart = charts.area_sizes_chart(areas_frame())
    assert list(chart.data["topic"]) == list(areas_frame()["area"]) and "area" not in chart.data.columns
    spec = chart.to_dict()
    tips = {t["field"]: t.get("title") for t in tooltips(spec)}
    assert tips["label"] == "area" and encodings(spec)[0]["x"]["title"] == "papers (dominant area)"
    assert charts.topic_sizes_chart(summary_frame()).to_dict()["encoding"]["x"]["title"] == "papers (dominant topic)"


def test_a_topics_split_stacks_its_groups_in_their_order():
    """A topic's papers per period split by category or source: stacked bars, one colour per
    group in the order split_over_time gives them (largest first, "other" last), the stack in
    that order too, counts formatted."""
    spec = charts.topic_split_chart(split_frame(), "month", "arXiv category").to_dict()
    assert spec["mark"]["type"] == "bar"
    encoding = encodings(spec)[0]
    assert encoding["y"]["field"] == "papers" and encoding["y"]["stack"] == "zero"
    assert color_of(spec)["scale"]["domain"] == SPLIT_GROUPS and color_of(spec)["title"] == "arXiv category"
    assert len(set(color_of(spec)["scale"]["range"])) == len(SPLIT_GROUPS)
    (order,) = [t for t in spec["transform"] if "calculate" in t]
    assert order["calculate"] == 'indexof(["cs.CL", "cs.CV", "cs.LG", "other"], datum.group)'
    assert encoding["order"]["field"] == "order"


def test_the_trend_pick_is_unchanged_and_only_a_clicked_point_grows():
    spec = all_specs()["trend_share"]
    (pick,) = params(spec)
    assert pick["name"] == "pick" and pick["select"]["fields"] == ["term", "label"]
    # a click lands on the nearest point, never on a line (whose datum is its first period)
    assert pick["select"]["nearest"] is True
    size = encodings(spec)[1]["size"]
    assert size["condition"]["param"] == "pick" and size["condition"]["empty"] is False


# --- 6. scrolling never zooms ---------------------------------------------------------------------
def test_no_chart_binds_its_scales_to_the_wheel():
    for name, spec in all_specs().items():
        bound = [node for node in walk(spec) if node.get("bind") == "scales"]
        assert not bound, name
        assert not any("zoom" in str(p.get("select", "")) for p in params(spec)), name


# --- 8. tooltips: shares 12.3%, counts 1,234 ------------------------------------------------------
def test_the_trend_tooltip():
    tips = tooltips(all_specs()["trend_share"])[:5]
    assert [t.get("title", t["field"]) for t in tips] == [
        "period",
        "term",
        "share",
        "papers with the term",
        "papers in the period",
    ]
    assert [t.get("format") for t in tips] == [None, None, SHARE_FORMAT, ",", ","]


def test_every_share_and_count_tooltip_is_formatted():
    for name, spec in all_specs().items():
        for tip in tooltips(spec):
            if tip["field"] == "share":
                assert tip.get("format") == SHARE_FORMAT, (name, tip)
            if tip["field"] in ("papers", "count", "total"):
                assert tip.get("format") == ",", (name, tip)


def test_share_axes_use_the_share_format():
    """Axes read as 12.3% too, except the stacked topic shares: always 0–100%, whole percents."""
    for name, spec in all_specs().items():
        y = encodings(spec)[0]["y"]
        if y["field"] in ("share", "value") and "share" in name:
            assert y["axis"]["format"] == (".0%" if name == "topic_shares_share" else SHARE_FORMAT), name


# --- dark theme -------------------------------------------------------------------------------------
def test_no_colour_that_vanishes_on_a_dark_or_light_background():
    """The hollow "few papers" points have a transparent fill (white was a disc on dark), and
    no chart hard-codes white or black."""
    fill = encodings(all_specs()["trend_share"])[1]["fill"]
    assert fill["condition"] == {"test": "datum.few", "value": "transparent"}
    for name, spec in all_specs().items():
        values = [str(node.get("value", "")).lower() for node in walk(spec)]
        values += [str(node.get(k, "")).lower() for node in walk(spec) for k in ("color", "fill", "stroke")]
        assert not {"white", "#fff", "#ffffff", "black", "#000", "#000000"} & set(values), name


# --- the module's contract ----------------------------------------------------------------------
def test_each_function_returns_a_chart_and_says_its_columns():
    for name in (
        "papers_per_period_chart",
        "trend_chart",
        "frequent_terms_chart",
        "topic_sizes_chart",
        "area_sizes_chart",
        "topic_split_chart",
        "topic_shares_chart",
        "topic_map_chart",
        "topic_terms_chart",
        "topic_over_time_chart",
    ):
        function = getattr(charts, name)
        assert "column" in (function.__doc__ or ""), name
    assert all(isinstance(spec, dict) and "$schema" in spec for spec in all_specs().values())
    assert isinstance(charts.topic_map_chart(map_frame([0, 1])), alt.TopLevelMixin)
    assert "topic" in charts.topic_map_chart.__doc__


# --- sources (issue 18): the composition strip and mixed periods -----------------------------------------
def composition_frame() -> pd.DataFrame:
    """The shape of lib.trends.trends.composition: per period and combination of sources; the last
    month holds the list's papers only (mixed)."""
    rows = []
    for j, month in enumerate(MONTHS):
        last = j == len(MONTHS) - 1
        parts = {"hf": 40} if last else {"arxiv": 900 + j, "hf+arxiv": 30, "hf": 10}
        names = {"hf": "Hugging Face daily list", "arxiv": "arXiv", "hf+arxiv": "Hugging Face daily list and arXiv"}
        for key, papers in parts.items():
            rows.append(
                {
                    "period": month.start_time,
                    "label": month.strftime("%Y-%m"),
                    "key": key,
                    "sources": names[key],
                    "papers": papers,
                    "total": sum(parts.values()),
                    "share": papers / sum(parts.values()),
                    "mixed": last,
                    "why": "Mixed sources: 100% Hugging Face daily list here, 9% over the series — a rise "
                    "may only be a change of what was imported"
                    if last
                    else "",
                }
            )
    return pd.DataFrame(rows)


def test_the_composition_strip_is_short_stacked_and_in_words():
    spec = charts.composition_chart(composition_frame()).to_dict()
    assert spec["height"] == 90 and spec["autosize"]["type"] == "fit-x"
    encoding = spec["encoding"]
    assert encoding["y"]["field"] == "top" and encoding["y2"]["field"] == "bottom"  # stacked: bars start on the last
    data = next(iter(spec["datasets"].values()))
    assert [(r["bottom"], r["top"]) for r in data[:3]] == [(0, 900), (900, 930), (930, 940)]
    scale = encoding["color"]["scale"]
    assert scale["domain"] == ["arXiv", "Hugging Face daily list and arXiv", "Hugging Face daily list"]  # never "hf"
    assert scale["range"][0] == charts.SOURCE_COLORS["arxiv"] and scale["range"][2] == charts.SOURCE_COLORS["hf"]
    assert encoding["color"]["legend"]["orient"] == "bottom"
    for width in (PHONE, DESKTOP):  # a legend that fits a phone and a desktop
        columns = evaluate(encoding["color"]["legend"]["columns"], width)
        assert columns * (evaluate(encoding["color"]["legend"]["labelLimit"], width) + 20) <= width
    assert encoding["stroke"]["condition"] == {"test": "datum.mixed", "value": charts.MIXED_STROKE}
    assert [t.get("title") for t in tooltips(spec)][-1] == "sources"  # the why, on a mixed period
    # the strip's y axis is as wide as the trend chart's: their x positions agree
    trend = charts.trend_chart(trend_frame(["agent"]), "share", 30).to_dict()
    assert encoding["y"]["axis"]["minExtent"] == encodings(trend)[0]["y"]["axis"]["minExtent"]


def test_mixed_periods_are_diamonds_that_say_why():
    frame = trend_frame(["agent"]).assign(ratio=False, mixed=False, why="")
    frame.loc[3, ["mixed", "why"]] = [True, "Mixed sources: 100% Hugging Face daily list here, 9% over the series"]
    spec = charts.trend_chart(frame, "share", 30).to_dict()
    assert encodings(spec)[1]["shape"]["condition"] == {"test": "datum.mixed", "value": "diamond"}
    assert tooltips(spec)[-1]["field"] == "why"
    plain = charts.trend_chart(trend_frame(["agent"]), "share", 30).to_dict()  # nothing mixed: no empty row
    assert "why" not in [t["field"] for t in tooltips(plain)]
    ratio = charts.trend_chart(frame.assign(ratio=True), "share", 30).to_dict()
    assert encodings(ratio)[0]["y"]["axis"]["format"] == ",.3~f"  # a ratio of 2.5 is not "250.0%"
