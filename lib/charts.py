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
    base = alt.Chart(tidy).encode(
        x=alt.X("period:T", title=None, timeUnit=_TIME_UNITS.get(by, "yearmonthdate")),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=".0%" if share else ",d")),
        color=alt.Color("term:N", title="term", legend=alt.Legend(orient="top"), scale=alt.Scale(scheme="tableau10")),
        tooltip=[alt.Tooltip("label:N", title="period"), alt.Tooltip("term:N"),
                 alt.Tooltip("share:Q", format=".2%"), alt.Tooltip("count:Q", title="papers with the term", format=","),
                 alt.Tooltip("total:Q", title="papers in the period", format=",")],
    )
    lines = base.mark_line(strokeWidth=2)
    points = base.mark_point(filled=True, size=60).encode(
        fill=alt.condition("datum.few", alt.value("white"), alt.Color("term:N")),
        stroke=alt.condition("datum.few", alt.value("#999"), alt.Color("term:N")),
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
