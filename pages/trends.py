"""Keyword trends: an Ngram Viewer for papers, with drill-down and emerging / fading terms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lib import charts
from lib.text import count_text, md_escape
from lib.trends import trends
from lib.urlstate import BYS, NORMS, SEARCH, TRENDS
from pages import common

DRILL_PAPERS = 20

state = common.url_state(TRENDS)
ds = common.dataset()
common.sample_banner(ds)
index = common.term_index(ds)
key = lambda name: common.widget_key(TRENDS, name)


def unpick() -> None:
    """A new series: the point listed below the chart is no longer on it."""
    common.set_state(TRENDS, pick="")


st.title("Trends")
st.caption(
    "Compare corpora with `agent:hf, agent:arxiv` or `agent:cs.CL, agent:cs.CV`; join spellings with "
    "`agent + agents`; divide with `(diffusion) / (gan)`."
)
st.text_input(
    "Terms",
    key=key("terms"),
    icon=":material/show_chart:",
    on_change=unpick,
    help="Comma-separated, as in the Google Books Ngram Viewer: words or phrases "
    "(“time series”, “mixture of experts”), matched as whole words in title, abstract and "
    "keywords, ignoring case, accents and plurals. A trailing * shows the most frequent "
    "completions (diffus* → diffusion, …).  \n"
    "**term:corpus** counts within a corpus: `agent:hf` (the Hugging Face daily list), "
    "`agent:arxiv`, `agent:cs.CL` (an arXiv category), `agent:file:NAME`; its share is of that "
    "corpus's papers.  \n"
    "**a + b** counts the papers mentioning either, each paper once (a union of papers, not "
    "a sum of frequencies as in the Ngram Viewer).  \n"
    "**(a) / (b)** draws the papers mentioning a over those mentioning b, per period (the "
    "ratio is drawn whatever the Y axis).  \n"
    "They combine: `(agent + agents):hf`. Every line counts within “Papers from”.",
)
state["terms"] = st.session_state[key("terms")]
keys, warnings = trends.parse_terms(state["terms"], index, ds.table)
for message in warnings:
    st.warning(message, icon=":material/edit_note:")

common.ordered_days(TRENDS, state)
one_day = ds.overview.days <= 1
with st.container(horizontal=True, gap="small", vertical_alignment="bottom"):  # wraps on a phone
    state["by"] = st.selectbox("Period", BYS, key=key("by"), disabled=one_day, on_change=unpick, width=120)
    state["norm"] = st.segmented_control(
        "Y axis",
        list(NORMS),
        format_func=NORMS.get,
        key=key("norm"),
        required=True,
        on_change=common.changed,
        width="content",
    )
    state["smooth"] = st.number_input(
        "Smoothing",
        0,
        24,
        step=1,
        key=key("smooth"),
        on_change=common.changed,
        width=120,
        help="Centred moving average: N periods on each side (0 = none).",
    )
    src = common.source_picker(TRENDS, state, ds)
    common.day_range(TRENDS, state, ds, on_change=unpick)
    st.space("stretch")
    common.copy_link(TRENDS, state)

periods = ds.periods(state["by"], src)
tidy = trends.series(
    index,
    ds.table,
    periods,
    keys,
    state["by"],
    state["norm"],
    int(state["smooth"]),
    state["from"],
    state["to"],
    mix=ds.mix,
)

if one_day:
    # --- honest on thin data: one day has no trend, only frequencies ---------------------------------
    st.info(
        f"The table covers a single day ({ds.overview.first}), so there is no trend to draw. "
        "Here is how many of that day's papers mention each term instead; import more days to see lines.",
        icon=":material/info:",
    )
    asked = tidy.groupby("term", sort=False)["count"].sum().reset_index().rename(columns={"count": "papers"})
    asked["share"] = asked["papers"] / max(ds.overview.papers, 1)
    if not asked.empty:
        st.altair_chart(charts.frequent_terms_chart(asked), width="stretch")
    st.subheader("The day's most frequent terms")
    st.altair_chart(charts.frequent_terms_chart(trends.frequent_terms(index, top=25)), width="stretch")
    common.write_url(TRENDS, state)
    st.stop()

if tidy.empty:
    st.info("Nothing to draw: type one or more terms, or widen the day range.", icon=":material/show_chart:")
else:

    def pick() -> None:
        """A click on a point lists its papers: the point goes in the URL (Back returns to it)."""
        chosen = (st.session_state["trends.chart"].selection.get("pick") or [{}])[0]
        if chosen.get("term") and chosen.get("label"):
            common.set_state(TRENDS, pick=f"{chosen['term']}@{chosen['label']}")

    st.altair_chart(
        charts.trend_chart(tidy, state["norm"], trends.FEW_PAPERS, state["by"]),
        width="stretch",
        on_select=pick,
        selection_mode="pick",
        key="trends.chart",
    )
    common.composition_strip(TRENDS, ds, periods, state, src)  # the denominator, period by period
    few = tidy.loc[tidy["few"], "label"].unique()
    if len(few):
        st.caption(
            f"Hollow grey points: periods with fewer than {trends.FEW_PAPERS} papers "
            f"({common.some_periods(few)}) — their shares are unreliable."
        )
    mixed = tidy.loc[tidy["mixed"], "label"].unique()
    if len(mixed):
        st.caption(
            f"Diamonds: periods whose mix of sources is far from the series' own "
            f"({common.some_periods(mixed)}) — a rise there may only be a change "
            "of what was imported. Choose one source in “Papers from” to compare like with like."
        )
    st.download_button(
        "Download the series (CSV)",
        tidy.to_csv(index=False).encode(),
        "trends.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
    )

    # --- drill-down: the papers behind the clicked point (in the URL: pick=TERM@PERIOD) ------------------
    term, _, label = state["pick"].rpartition("@")
    chosen = next((k for k in keys if k.label == term), None)
    bounds = trends.period_bounds(periods, label, state["by"]) if chosen else None
    if state["pick"] and not bounds:
        st.warning(
            f"Ignored pick={state['pick']!r}: no point of this chart is “{term}” in {label}.",
            icon=":material/link_off:",
        )
        state["pick"] = ""
        common.set_state(TRENDS, pick="")
    if bounds:
        first, last = max(bounds[0], state["from"] or bounds[0]), min(bounds[1], state["to"] or bounds[1])
        rows = trends.papers_behind(index, ds.table, periods, chosen, first, last)
        # most upvoted first (none last), then newest; only the rows shown are read from the table
        columns = ds.search_columns
        shown = rows[np.lexsort((-columns.days[rows], -columns.upvotes[rows]))[:DRILL_PAPERS]]
        st.subheader(f"“{chosen.label}” in {label}: {count_text(len(rows), 'paper')}", anchor=False)
        query, narrow = trends.search_of(chosen, src)
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            st.page_link(
                "pages/search.py",
                label=f"Search these papers ({md_escape(query)}, {first} – {last})",
                icon=":material/search:",
                query_params=SEARCH.encode({"q": query, "from": first, "to": last, "sort": "newest", **narrow}),
            )
            st.button("Close", icon=":material/close:", key="trends.unpick", on_click=unpick)
        for paper in ds.papers(shown).itertuples(index=False):
            common.paper_card(paper, abstract=False)
        if len(rows) > DRILL_PAPERS:
            st.caption(f"… and {len(rows) - DRILL_PAPERS:,} more: open the search above.")
    else:
        st.caption("Click a point to list the papers behind it.")

# --- emerging and fading terms -------------------------------------------------------------------------------
st.divider()
st.subheader("Emerging and fading terms", anchor=False)
windows = st.columns([1, 1, 3], vertical_alignment="bottom")
state["recent"] = windows[0].number_input(
    "Recent window (days)", 7, 3650, step=7, key=key("recent"), on_change=common.changed
)
state["baseline"] = windows[1].number_input(
    "Baseline before it (days)", 7, 3650, step=7, key=key("baseline"), on_change=common.changed
)
rising, fading, info = common.emerging(ds, src, int(state["recent"]), int(state["baseline"]))
common.mixed_windows_warning(TRENDS, ds, info["mixed"])
windows[2].caption(
    f"Recent: {info['recent_from']} – {info['recent_to']} ({info['recent_papers']:,} papers) against "
    f"{info['baseline_from']} – {info['baseline_to']} ({info['baseline_papers']:,} papers). Terms of 1–3 words "
    "that topics are named by, mentioned by at least 20 papers, ranked by the log-odds ratio with an "
    "informative Dirichlet prior (Monroe et al. 2008), so small counts do not dominate."
)


def term_table(frame: pd.DataFrame) -> None:
    if frame.empty:
        st.caption("No term moved enough in these windows.")
        return
    shown = frame.assign(
        link=[TRENDS.link({**state, "terms": t, "pick": ""}) for t in frame["term"]],
        baseline=frame["baseline_share"] * 100,
        recent=frame["recent_share"] * 100,
        change=(frame["recent_share"] - frame["baseline_share"]) * 100,
    )
    st.dataframe(
        shown[["link", "baseline", "recent", "change", "recent_papers", "z"]],
        hide_index=True,
        width="stretch",
        column_config={
            "link": st.column_config.LinkColumn("term", display_text=r"terms=([^&]*)", help="Open its trend"),
            "baseline": st.column_config.NumberColumn("baseline", format="%.1f%%"),
            "recent": st.column_config.NumberColumn("recent", format="%.1f%%"),
            "change": st.column_config.NumberColumn("change", format="%+.1f pt", help="In percentage points"),
            "recent_papers": st.column_config.NumberColumn("papers (recent)", format="localized"),
            "z": st.column_config.NumberColumn("score", format="%.1f"),
        },
    )


tables = st.columns(2)
with tables[0]:
    st.markdown("**Rising**")
    term_table(rising)
with tables[1]:
    st.markdown("**Fading**")
    term_table(fading)

common.write_url(TRENDS, state)
