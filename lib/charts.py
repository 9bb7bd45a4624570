"""Altair charts built from tidy DataFrames; each function returns the chart, never shows it.

Shared choices, so that every chart reads the same on a phone (a container about 388 px
wide) and on a desktop (about 1240 px, or half that in two columns), in light and dark:

- colours: a term or a topic keeps its colour — trend colours follow the typed order of the
  terms (:data:`TERM_PALETTE`), topic colours follow the topic id (:data:`TOPIC_PALETTE`, 60
  distinct colours), the same in every topic chart;
- legends of many entries sit below or above the plot in as many columns as the plot's width
  holds (a Vega expression of ``width``): one column on a phone, two to four on a desktop;
  they list every entry (``symbolLimit=0``);
- no chart binds its scales to the wheel or to dragging: scrolling the page never zooms;
- shares read as :data:`lib.text.SHARE_FORMAT` (12.3%) in tooltips and axes, counts with
  thousands separators; only the stacked topic shares, whose axis always spans 0–100%, keep
  whole-percent ticks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Literal

import altair as alt
import pandas as pd

from lib.text import SHARE_FORMAT

_TimeUnit = Literal["yearmonthdate", "yearmonth", "yearquarter", "year"]  # the Vega-Lite time units we use
_TIME_UNITS: dict[str, _TimeUnit] = {
    "day": "yearmonthdate",
    "week": "yearmonthdate",
    "month": "yearmonth",
    "quarter": "yearquarter",
    "year": "year",
}

# Vega's tableau10, as hex so that a term's colour depends only on its place in the typed
# list (a named scheme would reassign colours by the sorted domain).
TERM_PALETTE = [
    "#4c78a8",
    "#f58518",
    "#e45756",
    "#72b7b2",
    "#54a24b",
    "#eeca3b",
    "#b279a2",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
]

# 60 distinct colours for topics: Vega's tableau20, category20b and category20c (hex values,
# deduplicated), ordered so that neighbouring topic ids — neighbouring bands of the stacked
# chart — never share a hue family: tableau20's ten dark then ten light colours, then the
# four shades of category20b and category20c interleaved, darkest first.  Four near-twins of
# earlier colours (#9ecae1 ~ #9ecae9, #bdbdbd ~ #bab0ac, #74c476 ~ #88d27a, #636363 ~
# #79706e) are replaced by d3 category20's #bcbd22, #d62728, #17becf and #2ca02c.
TOPIC_PALETTE = [
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#b79a20",
    "#439894",
    "#e45756",
    "#79706e",
    "#d67195",
    "#b279a2",
    "#9e765f",
    "#9ecae9",
    "#ffbf79",
    "#88d27a",
    "#f2cf5b",
    "#83bcb6",
    "#ff9d98",
    "#bab0ac",
    "#fcbfd2",
    "#d6a5c9",
    "#d8b5a5",
    "#393b79",
    "#756bb1",
    "#637939",
    "#2ca02c",
    "#8c6d31",
    "#3182bd",
    "#843c39",
    "#e6550d",
    "#7b4173",
    "#31a354",
    "#5254a3",
    "#9e9ac8",
    "#8ca252",
    "#969696",
    "#bd9e39",
    "#6baed6",
    "#ad494a",
    "#fd8d3c",
    "#a55194",
    "#17becf",
    "#6b6ecf",
    "#bcbddc",
    "#b5cf6b",
    "#d62728",
    "#e7ba52",
    "#bcbd22",
    "#d6616b",
    "#fdae6b",
    "#ce6dbd",
    "#a1d99b",
    "#9c9ede",
    "#dadaeb",
    "#cedb9c",
    "#d9d9d9",
    "#e7cb94",
    "#c6dbef",
    "#e7969c",
    "#fdd0a2",
    "#de9ed6",
    "#c7e9c0",
]
NO_TOPIC_COLOR = "#888888"  # papers without a dominant topic (topic -1 on the map): a neutral grey
FEW_STROKE = "#888888"  # outline of the trend's hollow "few papers" points: readable on white and on dark

# Legends that fit the plot's width: ``width`` is the plot's width signal (the chart is drawn
# with width="stretch").  A column slot is the label limit plus the symbol and padding, so a
# legend is never wider than the plot (no feedback into the fitted width): 1 column on a phone
# (plot ~330 px), 2 in half a desktop (~560 px), 4 on a full desktop (~1180 px).  Entries run
# row by row ("horizontal"): Vega's column-major layout ("vertical" with columns) misplaces
# entries when the last row is not full.
_TOPIC_SLOT, _TOPIC_LABEL = 270, 250  # topic labels like "reinforcement, reward, learning" (~40 chars)
_TERM_SLOT, _TERM_LABEL = 270, 240  # "retrieval augmented generation" fits
# fit the width to the container, let the height grow with the legend (Streamlit's default
# "fit" would squeeze the plot to make room for a legend of 25 rows)
_FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")
_Y_EXTENT = 56  # the y axis of the trend chart and of the strip under it: one width, so their x positions agree


def _legend(title: str, orient: Literal["top", "bottom"], slot: int, label: int) -> alt.Legend:
    return alt.Legend(
        title=title,
        orient=orient,
        direction="horizontal",
        symbolLimit=0,  # row-major (see above)
        columns=alt.ExprRef(f"max(1, floor(width / {slot}))"),
        labelLimit=alt.ExprRef(f"max(60, min({label}, width - 40))"),
        columnPadding=12,
        rowPadding=3,
    )


def _cycle(palette: list[str], n: int) -> list[str]:
    return [palette[i % len(palette)] for i in range(n)]


def term_scale(terms: Iterable[str]) -> alt.Scale:
    """The trend colour scale: ``terms`` in the order given, :data:`TERM_PALETTE` cycled."""
    domain = [str(t) for t in pd.unique(pd.Series(list(terms), dtype=object))]
    return alt.Scale(domain=domain, range=_cycle(TERM_PALETTE, len(domain)))


def topic_scale(frame: pd.DataFrame) -> alt.Scale:
    """The topic colour scale of a frame with ``name`` and ``topic`` (id): the names ordered by
    id, each coloured ``TOPIC_PALETTE[id]`` — by the id, not by the place in the domain, so a
    topic keeps its colour in a chart that lacks other topics (a map sample).  Topic -1 (no
    topic) is grey and listed last.  Without ``topic``: the names in order of appearance."""
    if "topic" in frame.columns:
        pairs = frame[["topic", "name"]].drop_duplicates("name")
        ids = pd.to_numeric(pairs["topic"], errors="coerce").fillna(-1).astype(int)
        pairs = pairs.assign(_id=ids, _last=ids < 0).sort_values(["_last", "_id"], kind="stable")
        domain = [str(n) for n in pairs["name"]]
        colours = [TOPIC_PALETTE[i % len(TOPIC_PALETTE)] if i >= 0 else NO_TOPIC_COLOR for i in pairs["_id"]]
    else:
        domain = [str(n) for n in pd.unique(frame["name"])]
        colours = _cycle(TOPIC_PALETTE, len(domain))
    return alt.Scale(domain=domain, range=colours)


def papers_per_period_chart(tidy: pd.DataFrame) -> alt.Chart:
    """Bars of papers per period (from :func:`lib.daily.periods_frame`: columns period,
    label, papers, by)."""
    by = str(tidy["by"].iloc[0]) if len(tidy) else "day"
    chart: alt.Chart = (  # a typed name: altair's mark_* methods are typed Any
        alt.Chart(tidy, height=220)
        .mark_bar(color="#ff9d00")
        .encode(
            x=alt.X("period:T", title=None, timeUnit=_TIME_UNITS.get(by, "yearmonthdate")),
            y=alt.Y("papers:Q", title=f"papers per {by}", axis=alt.Axis(format=",d")),
            tooltip=[alt.Tooltip("label:N", title=by), alt.Tooltip("papers:Q", title="papers", format=",")],
        )
    )
    return chart


def trend_chart(tidy: pd.DataFrame, norm: str, few_papers: int, by: str = "month") -> alt.LayerChart:
    """Lines per term over periods (from :func:`lib.trends.trends.series`: columns period, label, term,
    count, total, share, value, few, and optionally ratio, mixed, why); clicking a point — or
    near one: the nearest point, so a click on a line never picks the line's first period —
    selects it (selection "pick": term and period label), and that point grows.

    Colours follow the terms in the order they first appear in ``tidy["term"]`` (typed order):
    adding a term never recolours the others; the legend lists them in that order.  Periods
    with fewer than ``few_papers`` papers (``few``) are drawn as hollow grey points; periods
    whose mix of sources is far from the series' own (``mixed``) as diamonds, their tooltip
    saying why.  A ratio line (``ratio``) puts the y axis in plain numbers."""
    tidy = tidy.assign(**{c: v for c, v in (("ratio", False), ("mixed", False), ("why", "")) if c not in tidy})
    share = norm == "share"
    ratio = bool(tidy["ratio"].any())
    y_title = "share of papers mentioning the term" if share else "papers mentioning the term"
    y_format = SHARE_FORMAT if share else ",d"
    if ratio:
        y_title, y_format = ("share, or ratio of papers" if share else "papers, or ratio of papers"), ",.3~f"
    pick = alt.selection_point(name="pick", fields=["term", "label"], on="click", clear="dblclick", nearest=True)
    palette = term_scale(tidy["term"])  # lines, legend and points: one colour per term
    tips = [
        alt.Tooltip("label:N", title="period"),
        alt.Tooltip("term:N", title="term"),
        alt.Tooltip("share:Q", title="share", format=SHARE_FORMAT),
        alt.Tooltip("count:Q", title="papers with the term", format=","),
        alt.Tooltip("total:Q", title="papers in the period", format=","),
    ]
    if ratio:
        tips.append(
            alt.Tooltip("value:Q", title="value drawn (a ratio: papers of the first side / second)", format=",.3~f")
        )
    if tidy["mixed"].any():
        tips.append(alt.Tooltip("why:N", title="sources"))
    base = alt.Chart(tidy).encode(
        x=alt.X(
            "period:T",
            title=None,
            timeUnit=_TIME_UNITS.get(by, "yearmonthdate"),
            scale=alt.Scale(domain=_time_domain(tidy["period"], by)) if len(tidy) else alt.Undefined,
        ),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format, minExtent=_Y_EXTENT)),
        color=alt.Color(
            "term:N",
            title="term",
            scale=palette,
            sort=palette.domain,
            legend=_legend("term", "top", _TERM_SLOT, _TERM_LABEL),
        ),
        tooltip=tips,
    )
    lines = base.mark_line(strokeWidth=2)
    points = (
        base.mark_point(filled=True, size=60)
        .encode(
            fill=alt.condition("datum.few", alt.value("transparent"), alt.Color("term:N", scale=palette, legend=None)),
            stroke=alt.condition("datum.few", alt.value(FEW_STROKE), alt.Color("term:N", scale=palette, legend=None)),
            size=alt.condition(pick, alt.value(160), alt.value(60), empty=False),  # only a clicked point grows
            shape=alt.condition("datum.mixed", alt.value("diamond"), alt.value("circle")),
        )
        .add_params(pick)
    )
    # alt.layer would return the same LayerChart (typed LayerChart | FacetChart: no facet encodings here to hoist)
    return alt.LayerChart(layer=[lines, points]).properties(height=380, autosize=_FIT_X)


# colours of the sources in the composition strip: the Hugging Face list orange, arXiv red
SOURCE_COLORS = {"hf": "#ff9d00", "arxiv": "#b31b1b", "hf+arxiv": "#e9724c"}
_OTHER_SOURCES = ["#4c78a8", "#72b7b2", "#b279a2", "#9d755d", "#bab0ac", "#54a24b"]
MIXED_STROKE = "#e45756"  # outline of a mixed period's bars
_STEPS = {
    "day": pd.Timedelta(days=1),
    "week": pd.Timedelta(days=7),
    "month": pd.Timedelta(days=30.44),
    "quarter": pd.Timedelta(days=91.3),
    "year": pd.Timedelta(days=365.25),
}
_BAR = 0.8  # a bar's width, in periods
_TICKS = {
    "month": {"interval": "month", "step": 1},
    "quarter": {"interval": "month", "step": 3},
    "year": {"interval": "year", "step": 1},
}


def _time_domain(periods: pd.Series, by: str) -> list[str]:
    """The x domain of the trend chart and of the strip under it: half a period beyond the
    first and the last, so the two charts put a period at one x."""
    half = _STEPS.get(by, _STEPS["day"]) / 2
    first, last = pd.to_datetime(periods.min()), pd.to_datetime(periods.max())
    return [(first - half).isoformat(), (last + half).isoformat()]


def composition_chart(tidy: pd.DataFrame, by: str = "month") -> alt.Chart:
    """A short strip of stacked bars under the trend chart: papers per period by combination
    of sources (from :func:`lib.trends.trends.composition`: columns period, label, key, sources,
    papers, total, share, mixed, why), so a reader sees the denominator of the shares.
    Bars of a mixed period are outlined and their tooltip says why.  The y axis is as wide
    as the trend chart's, so the two share their x positions."""
    keys = [str(k) for k in pd.unique(tidy["key"])]
    names = [str(tidy.loc[tidy["key"] == k, "sources"].iloc[0]) for k in keys]
    colours = [SOURCE_COLORS.get(k, _OTHER_SOURCES[i % len(_OTHER_SOURCES)]) for i, k in enumerate(keys)]
    tips = [
        alt.Tooltip("label:N", title="period"),
        alt.Tooltip("sources:N", title="from"),
        alt.Tooltip("papers:Q", format=","),
        alt.Tooltip("share:Q", title="share of the period", format=SHARE_FORMAT),
        alt.Tooltip("total:Q", title="papers in the period", format=","),
    ]
    if tidy["mixed"].any():
        tips.append(alt.Tooltip("why:N", title="sources"))
    step = _STEPS.get(by, _STEPS["day"])  # a bar spans most of its period, centred on the trend's point
    start = tidy["period"] - step * (_BAR / 2)
    order = tidy["key"].map({k: i for i, k in enumerate(keys)})
    tidy = tidy.assign(start=start, end=start + step * _BAR, _order=order).sort_values(
        ["period", "_order"], kind="stable"
    )
    tidy = tidy.assign(top=tidy.groupby("period")["papers"].cumsum())  # stacked by hand: x2 turns off Vega's stack
    tidy = tidy.assign(bottom=tidy["top"] - tidy["papers"]).drop(columns="_order")
    chart: alt.Chart = (
        alt.Chart(tidy, height=90)
        .mark_bar()
        .encode(
            x=alt.X(
                "start:T",
                title=None,
                scale=alt.Scale(domain=_time_domain(tidy["period"], by)),
                axis=alt.Axis(tickCount=_TICKS.get(by, alt.Undefined)),
            ),  # ticks on periods, not on bar edges
            x2="end:T",
            y=alt.Y("top:Q", title="papers", axis=alt.Axis(format=",d", tickCount=3, minExtent=_Y_EXTENT)),
            y2="bottom:Q",
            color=alt.Color(
                "sources:N",
                title="papers from",
                scale=alt.Scale(domain=names, range=colours),
                sort=names,
                legend=_legend("papers from", "bottom", _TERM_SLOT, _TERM_LABEL),
            ),
            stroke=alt.condition("datum.mixed", alt.value(MIXED_STROKE), alt.value("transparent")),
            strokeWidth=alt.condition("datum.mixed", alt.value(1.5), alt.value(0)),
            tooltip=tips,
        )
        .properties(autosize=_FIT_X)
    )
    return chart


def frequent_terms_chart(tidy: pd.DataFrame) -> alt.Chart:
    """Bars of the most frequent terms (columns term, papers, share; a one-day table has no
    trend line)."""
    chart: alt.Chart = (
        alt.Chart(tidy, height=alt.Step(24))
        .mark_bar(color="#ff9d00")
        .encode(
            x=alt.X("papers:Q", title="papers mentioning the term", axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("term:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240, labelOverlap=False)),
            tooltip=["term", alt.Tooltip("papers:Q", format=","), alt.Tooltip("share:Q", format=SHARE_FORMAT)],
        )
    )
    return chart


# --- topics ------------------------------------------------------------------------------------
def _topic_pick() -> alt.Parameter:
    """Clicking a topic's mark selects it: the page reads ``selection["pick"][0]["topic"]``."""
    return alt.selection_point(name="pick", fields=["topic"], on="click")


def topic_sizes_chart(summary: pd.DataFrame, what: str = "topic") -> alt.Chart:
    """Papers per topic (from TopicModel.summary: columns topic, label, papers, share, terms),
    largest first.  Clicking a bar selects its topic (selection "pick", field ``topic``); the
    other bars fade a little.  ``what``: what a bar is, in the axis and tooltips ("area":
    :func:`area_sizes_chart`)."""
    pick = _topic_pick()
    chart: alt.Chart = (
        alt.Chart(summary, height=alt.Step(22))
        .mark_bar(color="#ff9d00", cursor="pointer")
        .encode(
            x=alt.X("papers:Q", title=f"papers (dominant {what})", axis=alt.Axis(format=",d")),
            y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240)),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.55)),
            tooltip=[
                alt.Tooltip("topic:Q", title="id"),
                alt.Tooltip("label:N", title=what),
                alt.Tooltip("papers:Q", format=","),
                alt.Tooltip("share:Q", format=SHARE_FORMAT),
                alt.Tooltip("terms:N", title="top terms"),
            ],
        )
        .add_params(pick)
    )
    return chart


def area_sizes_chart(areas: pd.DataFrame) -> alt.Chart:
    """Papers per area (from TopicModel.areas: columns area, label, papers, share, terms), as
    :func:`topic_sizes_chart`; a click selects the area (selection "pick", field ``topic``
    holding the area's id)."""
    return topic_sizes_chart(areas.rename(columns={"area": "topic"}), what="area")


def topic_shares_height(n_topics: int) -> int:
    """The plot height of :func:`topic_shares_chart`: 360 px, or 16 px per topic beyond 22
    topics — an average band (a share of 1/n) stays at least a line of text high, as tall
    as a legend row, so thin bands can still be seen and hovered."""
    return max(360, 16 * int(n_topics))


def topic_shares_chart(tidy: pd.DataFrame, norm: str, by: str = "month") -> alt.Chart:
    """Stacked areas of each topic per period (from lib.topics.topics.shares_over_time: columns
    period, label, topic, name, papers, total, share): the share of the period's papers
    (stacks to 100%) or their number.  Colours by topic id (:func:`topic_scale`), as on the
    map; the height grows with the number of topics; the legend below lists them all."""
    share = norm == "share"
    scale = topic_scale(tidy)
    chart: alt.Chart = (
        alt.Chart(tidy, height=topic_shares_height(len(scale.domain)))
        .mark_area()
        .encode(
            x=alt.X("period:T", title=None, timeUnit=_TIME_UNITS.get(by, "yearmonthdate")),
            # the stack always spans 0–100%: whole-percent ticks read best there
            y=alt.Y(
                "share:Q" if share else "papers:Q",
                stack="zero",
                title="share of papers" if share else "papers",
                axis=alt.Axis(format=".0%" if share else ",d"),
                # shares of a period sum to 1 up to rounding: no "nice" 110% at the top
                scale=alt.Scale(domain=[0, 1], nice=False) if share else alt.Undefined,
            ),
            color=alt.Color(
                "name:N",
                title="topic",
                scale=scale,
                sort=scale.domain,
                legend=_legend("topic", "bottom", _TOPIC_SLOT, _TOPIC_LABEL),
            ),
            order=alt.Order("topic:Q") if "topic" in tidy.columns else alt.Undefined,
            tooltip=[
                alt.Tooltip("label:N", title="period"),
                alt.Tooltip("name:N", title="topic"),
                alt.Tooltip("papers:Q", format=","),
                alt.Tooltip("total:Q", title="papers in the period", format=","),
                alt.Tooltip("share:Q", format=SHARE_FORMAT),
            ],
        )
        .properties(autosize=_FIT_X)
    )
    return chart


def topic_map_chart(points: pd.DataFrame) -> alt.Chart:
    """Papers on a 2-D map coloured by topic (columns x, y, name, title, date, topic — the
    topic id, -1 for none; the caller passes it so that a topic has the colour it has in
    :func:`topic_shares_chart`).  Clicking a point selects its topic (selection "pick", field
    ``topic``; a frame without ``topic`` still draws, coloured by order of appearance, and
    the selection then carries ``name``).  No zoom or pan: scrolling the page must scroll."""
    scale = topic_scale(points)
    pick = alt.selection_point(name="pick", fields=["topic" if "topic" in points.columns else "name"], on="click")
    chart: alt.Chart = (
        alt.Chart(points, height=520)
        .mark_circle(size=22, cursor="pointer")
        .encode(
            x=alt.X("x:Q", axis=None),
            y=alt.Y("y:Q", axis=None),
            color=alt.Color(
                "name:N",
                title="topic",
                scale=scale,
                sort=scale.domain,
                legend=_legend("topic", "bottom", _TOPIC_SLOT, _TOPIC_LABEL),
            ),
            opacity=alt.condition(pick, alt.value(0.8), alt.value(0.45)),
            size=alt.condition(pick, alt.value(22), alt.value(16)),
            tooltip=[
                alt.Tooltip("title:N", title="paper"),
                alt.Tooltip("name:N", title="topic"),
                alt.Tooltip("date:T", format="%Y-%m-%d"),
            ],
        )
        .add_params(pick)
        .properties(autosize=_FIT_X)
    )
    return chart


def topic_terms_chart(terms: pd.DataFrame) -> alt.Chart:
    """A topic's top terms with their weights (columns term, weight)."""
    chart: alt.Chart = (
        alt.Chart(terms, height=alt.Step(20))
        .mark_bar(color="#4c78a8")
        .encode(
            x=alt.X("weight:Q", title="weight in the topic"),
            y=alt.Y("term:N", sort="-x", title=None),
            tooltip=["term:N", alt.Tooltip("weight:Q", format=".3f")],
        )
    )
    return chart


def topic_over_time_chart(tidy: pd.DataFrame, norm: str, by: str = "month") -> alt.Chart:
    """One topic per period (rows of lib.topics.topics.shares_over_time: columns period, label,
    papers, total, share): papers and share of all papers."""
    share = norm == "share"
    chart: alt.Chart = (
        alt.Chart(tidy, height=260)
        .mark_line(point=True, color="#4c78a8")
        .encode(
            x=alt.X("period:T", title=None, timeUnit=_TIME_UNITS.get(by, "yearmonthdate")),
            y=alt.Y(
                "share:Q" if share else "papers:Q",
                title="share of papers" if share else "papers",
                axis=alt.Axis(format=SHARE_FORMAT if share else ",d"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="period"),
                alt.Tooltip("papers:Q", format=","),
                alt.Tooltip("total:Q", title="papers in the period", format=","),
                alt.Tooltip("share:Q", format=SHARE_FORMAT),
            ],
        )
    )
    return chart


def topic_split_chart(tidy: pd.DataFrame, by: str = "month", what: str = "group") -> alt.Chart:
    """One topic's papers per period, stacked by group (from lib.topics.topics.split_over_time:
    columns period, label, group, papers): e.g. its papers per arXiv category or per source.
    ``what``: what a group is, in the legend and tooltips."""
    domain = [str(g) for g in pd.unique(tidy["group"])] if len(tidy) else []
    chart: alt.Chart = (
        alt.Chart(tidy, height=260)
        .mark_bar()
        .encode(
            x=alt.X("period:T", title=None, timeUnit=_TIME_UNITS.get(by, "yearmonthdate")),
            y=alt.Y("papers:Q", stack="zero", title="papers", axis=alt.Axis(format=",d")),
            color=alt.Color(
                "group:N",
                title=what,
                scale=alt.Scale(domain=domain, range=_cycle(TERM_PALETTE, len(domain))),
                sort=domain,
                legend=_legend(what, "bottom", _TERM_SLOT, _TERM_LABEL),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("label:N", title="period"),
                alt.Tooltip("group:N", title=what),
                alt.Tooltip("papers:Q", format=","),
            ],
        )
        .transform_calculate(order=f"indexof({json.dumps(domain)}, datum.group)")
        .properties(autosize=_FIT_X)
    )
    return chart


# --- sparklines -------------------------------------------------------------------------------
def sparkline_svg(values: Sequence[float], width: int = 120, height: int = 28) -> str:
    """A small inline ``<svg>`` of a series (a paper's upvotes per day over a window): one
    ``<polyline>`` through the values, oldest on the left, and a dot on the last one.

    The y axis starts at 0 (or at the smallest value, when one is negative), so a flat line
    sits at its height and a series of zeros along the bottom; non-finite values count as 0.
    The markup holds numbers and fixed words only -- nothing of the data as text -- and draws
    in ``currentColor`` (it follows the page's theme).  An empty series is an empty polyline.

    >>> sparkline_svg([0, 2, 4], width=20, height=10).count("<polyline")
    1
    """
    import math

    w, h = max(float(width), 4.0), max(float(height), 4.0)
    ys = [float(v) if math.isfinite(float(v)) else 0.0 for v in values]
    pad = 2.0  # room for the dot and the stroke
    points: list[tuple[float, float]] = []
    if ys:
        low, high = min(0.0, *ys), max(ys)
        span = high - low
        step = (w - 2 * pad) / (len(ys) - 1) if len(ys) > 1 else 0.0
        for i, y in enumerate(ys):
            x = pad + i * step if len(ys) > 1 else w - pad
            share = (y - low) / span if span > 0 else 0.0
            points.append((x, h - pad - share * (h - 2 * pad)))
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dot = f'<circle cx="{points[-1][0]:.1f}" cy="{points[-1][1]:.1f}" r="2" fill="currentColor"/>' if points else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:g}" height="{h:g}" viewBox="0 0 {w:g} {h:g}" '
        f'role="img" aria-label="sparkline">'
        f'<polyline points="{coords}" fill="none" stroke="currentColor" stroke-width="1.5" '
        f'stroke-linejoin="round" stroke-linecap="round"/>{dot}</svg>'
    )
