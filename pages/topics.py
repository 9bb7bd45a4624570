"""Topics found automatically: all topics with their charts, or one topic's page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import charts
from lib.library import FEED_SIZE
from lib.store.schema import source_name
from lib.team.views import ViewLink, atom_feed
from lib.text import count_text, md_escape, share_text
from lib.urlstate import TOPICS, TRENDS
from pages import common

state = common.url_state(TOPICS)
ds = common.dataset()
common.sample_banner(ds)
key = lambda name: common.widget_key(TOPICS, name)
automatic = common.library().auto_k()

st.title("Topics")
choices = [0] + list(range(2, 61))
one_day = common.library().one_day
settled = dict(state)
early = common.library().settle(TOPICS, settled)  # before the widgets: the answer below finds it settled
state = common.settle(TOPICS, state, settled)
common.warn(early)
with st.container(horizontal=True, gap="small", vertical_alignment="bottom"):  # wraps on a phone
    state["k"] = st.selectbox(
        "Number of topics",
        choices,
        key=key("k"),
        on_change=common.set_state,
        args=(TOPICS,),
        kwargs={"topic": -1},
        width=170,
        format_func=lambda k: f"automatic ({automatic})" if k == 0 else str(k),
        help="Automatic: 2·log2(papers / 50), between 3 and 30.",
    )
    common.period_controls(TOPICS, state, one_day, common.changed)
    common.day_range(TOPICS, state, ds)
    common.source_picker(TOPICS, state, ds)
    st.space("stretch")
    common.copy_link(TOPICS, state)
answer = common.topics(state)  # the model fitted first (once per store version and k), with its progress
state = common.settle(TOPICS, state, answer.state)
common.warn(answer.warnings)  # e.g. a topic the model does not have
model, summary, over_time = answer.model, answer.summary, answer.over_time


def download(label: str, frame: pd.DataFrame, name: str) -> None:
    st.download_button(
        label,
        frame.to_csv(index=False).encode(),
        f"{name}.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"download-{name}",
    )


def topic_link(topic: int, label: str) -> None:
    st.page_link(
        "pages/topics.py",
        label=md_escape(label),
        icon=":material/topic:",
        query_params=TOPICS.encode({**state, "topic": topic}),
    )


def open_picked(chart_key: str) -> None:
    """A click on a topic's bar or map point opens that topic's page."""
    chosen = (st.session_state[chart_key].selection.get("pick") or [{}])[0]
    if chosen.get("topic") is not None and int(chosen["topic"]) >= 0:
        common.set_state(TOPICS, topic=int(chosen["topic"]))
        common.scroll_to_top()


def chart_opening_topics(chart, chart_key: str) -> None:
    st.altair_chart(
        chart, width="stretch", on_select=lambda: open_picked(chart_key), selection_mode="pick", key=chart_key
    )


def paper_list(papers: pd.DataFrame, caption: str) -> None:
    st.markdown(f"**{caption}**")
    for paper in papers.itertuples(index=False):
        common.paper_card(paper, abstract=False)


if answer.topic is None:
    # --- all topics --------------------------------------------------------------------------
    placed = (
        f" The {model.placed_docs:,} papers imported since were placed in these topics "
        f"(`python -m lib build --full` fits them on all {ds.overview.papers:,})."
        if model.placed_docs
        else ""
    )
    counting = (
        ""
        if answer.counted is None
        else (
            f" Sizes, shares and emerging topics count the {answer.counted:,} papers "
            f"from {md_escape(source_name(state['src']))}."
        )
    )
    st.caption(
        f"{model.n_topics} topics found in {model.fitted_docs_:,} papers by NMF over TF-IDF of titles, "
        "abstracts and keywords (deterministic: the same papers and number give the same topics). "
        "Each paper belongs to its dominant topic." + placed + counting
    )
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader("Size", anchor=False)
        chart_opening_topics(charts.topic_sizes_chart(summary), "topics.sizes")
        st.caption("Click a bar to open its topic.")
        download("Topic sizes (CSV)", summary, "topic-sizes")
    with right:
        st.subheader("Topics", anchor=False)
        table = summary.assign(link=[TOPICS.link({**state, "topic": t}) for t in summary["topic"]])
        st.dataframe(
            table[["link", "label", "papers", "terms"]],
            hide_index=True,
            width="stretch",
            height=min(600, 36 + 35 * len(table)),
            column_config={
                "link": st.column_config.LinkColumn("page", display_text="open"),
                "papers": st.column_config.NumberColumn("papers", format="localized"),
            },
        )
    st.subheader("Share over time", anchor=False)
    if answer.one_day:
        st.info(
            "The table covers a single day: there is no time to chart. Import more days to see topics move.",
            icon=":material/info:",
        )
    elif over_time.empty:
        st.info("No papers in this day range.")
    else:
        st.altair_chart(charts.topic_shares_chart(over_time, state["norm"], state["by"]), width="stretch")
        st.caption("Share = papers whose dominant topic it is ÷ all papers of the period: the areas stack to 100%.")
        common.composition_strip(TOPICS, answer.strip, state["by"])  # src=all: mixed periods outlined
        if answer.mixed:
            st.caption(
                f"Outlined: periods whose mix of sources is far from the series' own "
                f"({common.some_periods(answer.mixed)}) — a topic's rise there may "
                "only be a change of what was imported. Choose one source in “Papers from” to compare "
                "like with like."
            )
        download("Topic shares over time (CSV)", over_time, "topic-shares")

    st.subheader("Map of papers", anchor=False)
    points = answer.points
    chart_opening_topics(charts.topic_map_chart(points), "topics.map")
    st.caption(
        f"{len(points):,} papers{' (a fixed sample)' if len(points) < ds.overview.papers else ''}, placed by "
        "t-SNE of their topic weights: neighbours share topics. Hover for titles; click a paper to open its "
        "topic."
    )
    download("Map points (CSV)", points, "topic-map")

    moving = answer.emerging
    if moving is not None:
        st.subheader("Emerging and fading topics", anchor=False)
        st.caption("Share of the last 90 days' papers against the 365 days before.")
        common.mixed_windows_warning(TOPICS, ds, answer.emerging_mixed)
        st.dataframe(
            moving.assign(
                link=[TOPICS.link({**state, "topic": t}) for t in moving["topic"]],
                baseline=moving["baseline_share"] * 100,
                recent=moving["recent_share"] * 100,
                points=moving["change"] * 100,
            )[["link", "label", "baseline", "recent", "points"]],
            hide_index=True,
            width="stretch",
            column_config={
                "link": st.column_config.LinkColumn("page", display_text="open"),
                "baseline": st.column_config.NumberColumn("baseline", format="%.1f%%"),
                "recent": st.column_config.NumberColumn("recent", format="%.1f%%"),
                "points": st.column_config.NumberColumn("change", format="%+.1f pt", help="In percentage points"),
            },
        )
        download("Emerging topics (CSV)", moving, "topics-emerging")
else:
    # --- one topic --------------------------------------------------------------------------------
    page = answer.topic
    topic = page.topic
    st.page_link(
        "pages/topics.py",
        label="All topics",
        icon=":material/arrow_back:",
        query_params=TOPICS.encode({**state, "topic": -1}),
    )
    st.header(md_escape(page.label), anchor=False)
    st.caption(f"Topic {topic} of {model.n_topics} · {count_text(page.papers, 'paper')} ({share_text(page.share)})")
    # related topics up here, by the header: a link to this same page keeps the scroll position,
    # so the next topic's header is in view after the click
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.caption("Related topics (similarity):", width="content")
        for related in page.related.itertuples():
            topic_link(related.topic, f"{related.label} ({related.similarity:.2f})")
    view = ViewLink.parse(common.absolute_link(TOPICS, state))  # now: the file is made later, outside this run
    st.download_button(
        "Atom feed",
        lambda: atom_feed(f"topic: {page.label}", view, page.feed),
        f"topic-{topic}.atom.xml",
        "application/atom+xml",
        icon=":material/rss_feed:",
        on_click="ignore",
        help=f"The {FEED_SIZE} newest papers of this topic, as a feed a reader can subscribe to",
    )
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader("Top terms", anchor=False)
        st.altair_chart(charts.topic_terms_chart(page.terms), width="stretch")
        download("Top terms (CSV)", page.terms, f"topic-{topic}-terms")
        st.page_link(
            "pages/trends.py",
            label=f"Trends of {md_escape(page.trend_terms)}",
            icon=":material/show_chart:",
            query_params=TRENDS.encode({"terms": page.trend_terms, "by": state["by"]}),
        )
    with right:
        st.subheader("Over time", anchor=False)
        mine = page.over_time
        if answer.one_day or mine.empty:
            st.info("One day of papers: no time chart.", icon=":material/info:")
        else:
            st.altair_chart(charts.topic_over_time_chart(mine, state["norm"], state["by"]), width="stretch")
            download("Papers over time (CSV)", mine, f"topic-{topic}-over-time")
        st.subheader("Top authors", anchor=False)
        st.dataframe(page.authors, hide_index=True, width="stretch")
    papers_left, papers_right = st.columns(2, gap="large")
    with papers_left:
        paper_list(page.representative, "Most representative papers")
    with papers_right:
        if page.upvoted is not None:
            paper_list(page.upvoted, "Most upvoted papers")
        else:
            st.markdown("**Most upvoted papers**")
            st.caption("No upvote counts in this topic's papers (arXiv sources have none).")

common.write_url(TOPICS, state)
