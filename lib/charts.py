"""Altair charts built from tidy DataFrames; each function returns the chart, never shows it."""
from __future__ import annotations

import altair as alt
import pandas as pd

_TIME_UNITS = {"day": "yearmonthdate", "week": "yearmonthdate", "month": "yearmonth",
               "quarter": "yearquarter", "year": "year"}


def papers_per_period_chart(tidy: pd.DataFrame) -> alt.Chart:
    """Bars of papers per period (from :func:`lib.daily.papers_per_period`)."""
    by = str(tidy["by"].iloc[0]) if len(tidy) else "day"
    return (
        alt.Chart(tidy, height=220)
        .mark_bar(color="#ff9d00")
        .encode(
            x=alt.X("period:T", title=None, timeUnit=_TIME_UNITS.get(by, "yearmonthdate")),
            y=alt.Y("papers:Q", title=f"papers per {by}"),
            tooltip=[alt.Tooltip("label:N", title=by), alt.Tooltip("papers:Q", title="papers", format=",")],
        )
    )


def trend_chart(tidy: pd.DataFrame, norm: str, few_papers: int, by: str = "month") -> alt.LayerChart:
    """Lines per term over periods (from :func:`lib.trends.series`); clicking a point
    selects it (selection "pick": term and period label).  Periods with fewer than
    ``few_papers`` papers are drawn as hollow grey points."""
    share = norm == "share"
    y_title = "share of papers mentioning the term" if share else "papers mentioning the term"
    pick = alt.selection_point(name="pick", fields=["term", "label"], on="click", clear="dblclick")
    palette = alt.Scale(scheme="tableau10")  # lines, legend and points: one colour per term
    base = alt.Chart(tidy).encode(
        x=alt.X("period:T", title=None, timeUnit=_TIME_UNITS.get(by, "yearmonthdate")),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=".0%" if share else ",d")),
        color=alt.Color("term:N", title="term", legend=alt.Legend(orient="top"), scale=palette),
        tooltip=[alt.Tooltip("label:N", title="period"), alt.Tooltip("term:N"),
                 alt.Tooltip("share:Q", format=".2%"), alt.Tooltip("count:Q", title="papers with the term", format=","),
                 alt.Tooltip("total:Q", title="papers in the period", format=",")],
    )
    lines = base.mark_line(strokeWidth=2)
    points = base.mark_point(filled=True, size=60).encode(
        fill=alt.condition("datum.few", alt.value("white"), alt.Color("term:N", scale=palette, legend=None)),
        stroke=alt.condition("datum.few", alt.value("#999"), alt.Color("term:N", scale=palette, legend=None)),
        size=alt.condition(pick, alt.value(160), alt.value(60)),
    ).add_params(pick)
    return alt.layer(lines, points).properties(height=380)


def frequent_terms_chart(tidy: pd.DataFrame) -> alt.Chart:
    """Bars of the most frequent terms (a one-day table has no trend line)."""
    return alt.Chart(tidy, height=alt.Step(24)).mark_bar(color="#ff9d00").encode(
        x=alt.X("papers:Q", title="papers mentioning the term", axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("term:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240, labelOverlap=False)),
        tooltip=["term", alt.Tooltip("papers:Q", format=","), alt.Tooltip("share:Q", format=".1%")],
    )


# --- topics ------------------------------------------------------------------------------------
def topic_sizes_chart(summary: pd.DataFrame) -> alt.Chart:
    """Papers per topic (from TopicModel.summary), largest first."""
    return alt.Chart(summary, height=alt.Step(22)).mark_bar(color="#ff9d00").encode(
        x=alt.X("papers:Q", title="papers (dominant topic)"),
        y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
        tooltip=[alt.Tooltip("topic:Q", title="id"), "label:N", alt.Tooltip("papers:Q", format=","),
                 alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("terms:N", title="top terms")],
    )


def topic_shares_chart(tidy: pd.DataFrame, norm: str, by: str = "month") -> alt.Chart:
    """Stacked areas of each topic per period (from lib.topics.shares_over_time): the share of
    the period's papers (stacks to 100%) or their number."""
    share = norm == "share"
    return alt.Chart(tidy, height=360).mark_area().encode(
        x=alt.X("period:T", title=None, timeUnit=_TIME_UNITS.get(by, "yearmonthdate")),
        y=alt.Y("share:Q" if share else "papers:Q", stack="zero", title="share of papers" if share else "papers",
                axis=alt.Axis(format=".0%" if share else ",d")),
        color=alt.Color("name:N", title="topic", scale=alt.Scale(scheme="tableau20"),
                        legend=alt.Legend(orient="bottom", columns=3, labelLimit=260)),
        tooltip=[alt.Tooltip("label:N", title="period"), alt.Tooltip("name:N", title="topic"),
                 alt.Tooltip("papers:Q", format=","), alt.Tooltip("total:Q", title="papers in the period", format=","),
                 alt.Tooltip("share:Q", format=".1%")],
    )


def topic_map_chart(points: pd.DataFrame) -> alt.Chart:
    """Papers on a 2-D map coloured by topic (columns x, y, name, title, date)."""
    return alt.Chart(points, height=520).mark_circle(size=22, opacity=0.7).encode(
        x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None),
        color=alt.Color("name:N", title="topic", scale=alt.Scale(scheme="tableau20"), legend=None),
        tooltip=[alt.Tooltip("title:N", title="paper"), alt.Tooltip("name:N", title="topic"),
                 alt.Tooltip("date:T", format="%Y-%m-%d")],
    ).interactive()


def topic_terms_chart(terms: pd.DataFrame) -> alt.Chart:
    """A topic's top terms with their weights (columns term, weight)."""
    return alt.Chart(terms, height=alt.Step(20)).mark_bar(color="#4c78a8").encode(
        x=alt.X("weight:Q", title="weight in the topic"), y=alt.Y("term:N", sort="-x", title=None),
        tooltip=["term:N", alt.Tooltip("weight:Q", format=".3f")],
    )


def topic_over_time_chart(tidy: pd.DataFrame, norm: str, by: str = "month") -> alt.Chart:
    """One topic per period: papers and share of all papers."""
    share = norm == "share"
    return alt.Chart(tidy, height=260).mark_line(point=True, color="#4c78a8").encode(
        x=alt.X("period:T", title=None, timeUnit=_TIME_UNITS.get(by, "yearmonthdate")),
        y=alt.Y("share:Q" if share else "papers:Q", title="share of papers" if share else "papers",
                axis=alt.Axis(format=".0%" if share else ",d")),
        tooltip=[alt.Tooltip("label:N", title="period"), alt.Tooltip("papers:Q", format=","),
                 alt.Tooltip("total:Q", title="papers in the period", format=","), alt.Tooltip("share:Q", format=".1%")],
    )
