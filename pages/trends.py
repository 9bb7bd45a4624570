"""Keyword trends: an Ngram Viewer for papers, with drill-down and emerging / fading terms."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import charts
from lib.errors import PapersError
from lib.library import DRILL_PAPERS
from lib.text import count_text, md_escape
from lib.trends import trends
from lib.urlstate import SEARCH, TRENDS
from pages import common

state = common.url_state(TRENDS)
ds = common.dataset()
common.sample_banner(ds)
common.term_index(ds)  # loaded (or built) behind a spinner
try:
    answer = common.library().trend(state)
except PapersError as exc:
    common.fail(exc)
state = common.settle(TRENDS, state, answer.state)  # the widgets show the state the answer is for
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
common.warn(answer.warnings)  # a slip in the terms, or a value of the link changed

one_day = answer.one_day
with st.container(horizontal=True, gap="small", vertical_alignment="bottom"):  # wraps on a phone
    common.period_controls(TRENDS, state, one_day, unpick)
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
    common.source_picker(TRENDS, state, ds)
    common.day_range(TRENDS, state, ds, on_change=unpick)
    st.space("stretch")
    common.copy_link(TRENDS, state)

tidy = answer.series
if one_day:
    # --- honest on thin data: one day has no trend, only frequencies ---------------------------------
    st.info(
        f"The table covers a single day ({ds.overview.first}), so there is no trend to draw. "
        "Here is how many of that day's papers mention each term instead; import more days to see lines.",
        icon=":material/info:",
    )
    if not answer.day_terms.empty:
        st.altair_chart(charts.frequent_terms_chart(answer.day_terms), width="stretch")
    st.subheader("The day's most frequent terms")
    st.altair_chart(charts.frequent_terms_chart(answer.frequent), width="stretch")
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
    common.composition_strip(TRENDS, answer.strip, state["by"])  # the denominator, period by period
    if answer.few:
        st.caption(
            f"Hollow grey points: periods with fewer than {trends.FEW_PAPERS} papers "
            f"({common.some_periods(answer.few)}) — their shares are unreliable."
        )
    if answer.mixed:
        st.caption(
            f"Diamonds: periods whose mix of sources is far from the series' own "
            f"({common.some_periods(answer.mixed)}) — a rise there may only be a change "
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
    drill = answer.drill
    if drill:
        st.subheader(f"“{drill.key.label}” in {drill.label}: {count_text(drill.total, 'paper')}", anchor=False)
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            st.page_link(
                "pages/search.py",
                label=f"Search these papers ({md_escape(drill.query)}, {drill.first} – {drill.last})",
                icon=":material/search:",
                query_params=SEARCH.encode(drill.search_state),
            )
            st.button("Close", icon=":material/close:", key="trends.unpick", on_click=unpick)
        marks = common.team_marks(drill.papers["id"])
        for paper in drill.papers.itertuples(index=False):
            common.paper_card(paper, abstract=False, marks=marks)
        if drill.total > DRILL_PAPERS:
            st.caption(f"… and {drill.total - DRILL_PAPERS:,} more: open the search above.")
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
emerging = common.emerging_terms(state)
common.mixed_windows_warning(TRENDS, ds, emerging.mixed)
info = emerging.info
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
    term_table(emerging.rising)
with tables[1]:
    st.markdown("**Fading**")
    term_table(emerging.fading)

common.write_url(TRENDS, state)
