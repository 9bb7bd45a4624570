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
