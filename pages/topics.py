"""Topics found automatically: all topics with their charts, or one topic's page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lib import charts
from lib.source_keys import ALL
from lib.store.schema import source_name
from lib.team.views import ViewLink, atom_feed
from lib.text import count_text, md_escape, share_text
from lib.topics import topics
from lib.urlstate import BYS, NORMS, TOPICS, TRENDS
from pages import common

FEED_PAPERS = 50

state = common.url_state(TOPICS)
ds = common.dataset()
common.sample_banner(ds)
key = lambda name: common.widget_key(TOPICS, name)
automatic = topics.auto_k(ds.overview.papers)

st.title("Topics")
choices = [0] + list(range(2, 61))
one_day = ds.overview.days <= 1
common.ordered_days(TOPICS, state)
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
    state["by"] = st.selectbox("Period", BYS, key=key("by"), on_change=common.changed, disabled=one_day, width=120)
    state["norm"] = st.segmented_control(
        "Y axis",
        list(NORMS),
        format_func=NORMS.get,
        key=key("norm"),
        required=True,
        on_change=common.changed,
        width="content",
    )
    common.day_range(TOPICS, state, ds)
    src = common.source_picker(TOPICS, state, ds)
    st.space("stretch")
    common.copy_link(TOPICS, state)
member = ds.member(src)  # the papers counted; the topics themselves are found in every paper
k = state["k"] or automatic
model = common.topic_model(ds, k)
if state["topic"] >= model.n_topics:
    st.warning(
        f"Ignored topic={state['topic']}: there are {model.n_topics} topics (0–{model.n_topics - 1}); "
        "showing all topics.",
        icon=":material/link_off:",
    )
    state["topic"] = -1
    common.set_state(TOPICS, topic=-1)

summary = model.summary(member)
periods = ds.periods(state["by"], src)
over_time = topics.shares_over_time(model, periods, state["by"], state["from"], state["to"])


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


def paper_list(rows, caption: str) -> None:
    st.markdown(f"**{caption}**")
    for paper in ds.papers(rows).itertuples(index=False):
        common.paper_card(paper, abstract=False)


if state["topic"] < 0:
    # --- all topics --------------------------------------------------------------------------
    placed = (
        f" The {model.placed_docs:,} papers imported since were placed in these topics "
        f"(`python -m lib build --full` fits them on all {ds.overview.papers:,})."
        if model.placed_docs
        else ""
    )
    counting = (
        ""
        if src == ALL
        else (
            f" Sizes, shares and emerging topics count the {int(member.sum()):,} papers "
            f"from {md_escape(source_name(src))}."
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
    if one_day:
        st.info(
            "The table covers a single day: there is no time to chart. Import more days to see topics move.",
            icon=":material/info:",
        )
    elif over_time.empty:
        st.info("No papers in this day range.")
    else:
        st.altair_chart(charts.topic_shares_chart(over_time, state["norm"], state["by"]), width="stretch")
        st.caption("Share = papers whose dominant topic it is ÷ all papers of the period: the areas stack to 100%.")
        strip = common.composition_strip(TOPICS, ds, periods, state, src)  # src=all: mixed periods outlined
        mixed = strip.loc[strip["mixed"], "label"].unique()
        if len(mixed):
            st.caption(
                f"Outlined: periods whose mix of sources is far from the series' own "
                f"({common.some_periods(mixed)}) — a topic's rise there may "
                "only be a change of what was imported. Choose one source in “Papers from” to compare "
                "like with like."
            )
        download("Topic shares over time (CSV)", over_time, "topic-shares")

    st.subheader("Map of papers", anchor=False)
    rows = model.map_rows_
    shown = ds.papers(rows, ["title", "date"])
    dominant = model.dominant_[rows]
    points = pd.DataFrame(
        {
            "x": model.map_xy_[:, 0],
            "y": model.map_xy_[:, 1],
            "topic": dominant,
            "name": [model.labels_[t] if t >= 0 else "no topic" for t in dominant],
            "title": shown["title"].to_numpy(),
            "date": shown["date"].to_numpy(),
        }
    )
    chart_opening_topics(charts.topic_map_chart(points), "topics.map")
    st.caption(
        f"{len(points):,} papers{' (a fixed sample)' if len(points) < ds.overview.papers else ''}, placed by "
        "t-SNE of their topic weights: neighbours share topics. Hover for titles; click a paper to open its "
        "topic."
    )
    download("Map points (CSV)", points, "topic-map")

    if not one_day:
        st.subheader("Emerging and fading topics", anchor=False)
        moving = topics.emerging_topics(model, periods)
        st.caption("Share of the last 90 days' papers against the 365 days before.")
        common.mixed_windows_warning(TOPICS, ds, topics.emerging_mix(periods, ds.mix) if src == ALL else "")
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
    topic = state["topic"]
    row = summary.iloc[topic]
    st.page_link(
        "pages/topics.py",
        label="All topics",
        icon=":material/arrow_back:",
        query_params=TOPICS.encode({**state, "topic": -1}),
    )
    st.header(md_escape(row["label"]), anchor=False)
    st.caption(
        f"Topic {topic} of {model.n_topics} · {count_text(int(row['papers']), 'paper')} ({share_text(row['share'])})"
    )
    # related topics up here, by the header: a link to this same page keeps the scroll position,
    # so the next topic's header is in view after the click
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.caption("Related topics (similarity):", width="content")
        for related in model.related(topic).itertuples():
            topic_link(related.topic, f"{related.label} ({related.similarity:.2f})")
    view = ViewLink.parse(common.absolute_link(TOPICS, state))  # now: the file is made later, outside this run
    st.download_button(
        "Atom feed",
        lambda: atom_feed(
            f"topic: {row['label']}",
            view,
            topics.newest_papers(ds.table, ds.frame["date"].to_numpy(), model.members(topic, member), FEED_PAPERS),
        ),
        f"topic-{topic}.atom.xml",
        "application/atom+xml",
        icon=":material/rss_feed:",
        on_click="ignore",
        help=f"The {FEED_PAPERS} newest papers of this topic, as a feed a reader can subscribe to",
    )
    terms = pd.DataFrame(model.top_terms(topic), columns=["term", "weight"])
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader("Top terms", anchor=False)
        st.altair_chart(charts.topic_terms_chart(terms), width="stretch")
        download("Top terms (CSV)", terms, f"topic-{topic}-terms")
        trend_terms = ", ".join(terms["term"].head(4))
        st.page_link(
            "pages/trends.py",
            label=f"Trends of {md_escape(trend_terms)}",
            icon=":material/show_chart:",
            query_params=TRENDS.encode({"terms": trend_terms, "by": state["by"]}),
        )
    with right:
        st.subheader("Over time", anchor=False)
        mine = over_time[over_time["topic"] == topic]
        if one_day or mine.empty:
            st.info("One day of papers: no time chart.", icon=":material/info:")
        else:
            st.altair_chart(charts.topic_over_time_chart(mine, state["norm"], state["by"]), width="stretch")
            download("Papers over time (CSV)", mine, f"topic-{topic}-over-time")
        st.subheader("Top authors", anchor=False)
        authors = topics.top_authors(ds.table, model.members(topic, member))
        st.dataframe(authors, hide_index=True, width="stretch")
    papers_left, papers_right = st.columns(2, gap="large")
    with papers_left:
        paper_list(model.representative(topic, 8, member), "Most representative papers")
    with papers_right:
        members = model.members(topic, member)
        upvotes = ds.search_columns.upvotes[members]  # -1: none
        if (upvotes >= 0).any():
            paper_list(members[np.argsort(-upvotes, kind="stable")[:8]], "Most upvoted papers")
        else:
            st.markdown("**Most upvoted papers**")
            st.caption("No upvote counts in this topic's papers (arXiv sources have none).")

common.write_url(TOPICS, state)
