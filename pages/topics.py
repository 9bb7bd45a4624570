"""Topics found automatically: broad areas, an area's fine topics, one topic's page, and
"where is …?" (the topics that hold a query's papers)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import charts
from lib.errors import PapersError
from lib.library import FEED_SIZE
from lib.store.schema import source_name
from lib.team.views import ViewLink, atom_feed
from lib.text import count_text, md_escape, share_text
from lib.urlstate import SPLITS, TOPICS, TRENDS
from pages import common

state = common.url_state(TOPICS)
ds = common.dataset()
common.sample_banner(ds)
key = lambda name: common.widget_key(TOPICS, name)
automatic = common.library().auto_k()

st.title("Topics")
one_day = common.library().one_day
settled = dict(state)
early = common.library().settle(TOPICS, settled)  # before the widgets: the answer below finds it settled
early += common.library().settle_k(settled)  # read-only: a saved model; a fit under way: the saved one
state = common.settle(TOPICS, state, settled)
common.warn(early)
with st.container(horizontal=True, gap="small", vertical_alignment="bottom"):  # wraps on a phone
    state["k"] = st.selectbox(
        "Number of topics",
        [0, *common.library().topic_ks()],
        key=key("k"),
        on_change=common.set_state,
        args=(TOPICS,),
        kwargs={"topic": -1, "area": -1},  # ids of one k are not those of another
        width=170,
        format_func=lambda k: f"automatic ({automatic})" if k == 0 else str(k),
        help="Fine topics. Automatic: √(papers / 8), between 3 and 200; they are grouped into about "
        "1.6·√k broad areas.",
    )
    common.period_controls(TOPICS, state, one_day, common.changed)
    common.day_range(TOPICS, state, ds)
    common.source_picker(TOPICS, state, ds)
    st.space("stretch")
    common.copy_link(TOPICS, state)
state["q"] = st.text_input(
    "Where is…?",
    key=key("q"),
    on_change=common.changed,
    max_chars=500,
    icon=":material/travel_explore:",
    placeholder="Where is…?  e.g.  vision-language-action   or a paper id like 2507.01234",
    label_visibility="collapsed",
    help="The topics that hold the papers of a search (the Search page's syntax) or of one paper.",
)
answer = common.topics(state)  # the model fitted first (once per store version and k), with its progress
state = common.settle(TOPICS, state, answer.state)
common.warn(answer.warnings)  # e.g. a topic the model does not have
model, summary = answer.model, answer.summary
can_rename = common.can_write() and not ds.is_sample


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


def view_state(topic: int = -1, area: int = -1) -> dict:
    """The state of a view of this page: all areas, one area, or one topic (a topic keeps the
    split chosen; "where is" is left behind)."""
    return {**state, "topic": topic, "area": area, "q": "", "split": state["split"] if topic >= 0 else "none"}


def view_params(topic: int = -1, area: int = -1) -> dict[str, str]:
    return TOPICS.encode(view_state(topic, area))


def view_link(topic: int = -1, area: int = -1) -> str:
    """A table cell's link to a view (see :func:`view_state`)."""
    return TOPICS.link(view_state(topic, area))


def topic_link(topic: int, label: str, icon: str = ":material/topic:") -> None:
    st.page_link("pages/topics.py", label=md_escape(label), icon=icon, query_params=view_params(topic=topic))


def area_link(area: int, label: str, icon: str = ":material/category:") -> None:
    st.page_link("pages/topics.py", label=md_escape(label), icon=icon, query_params=view_params(area=area))


def open_picked(chart_key: str, level: str) -> None:
    """A click on a bar or map point opens that topic's (``level`` "area": that area's) page."""
    chosen = (st.session_state[chart_key].selection.get("pick") or [{}])[0]
    if chosen.get("topic") is not None and int(chosen["topic"]) >= 0:
        picked = int(chosen["topic"])
        common.set_state(TOPICS, topic=picked if level == "topic" else -1, area=picked if level == "area" else -1, q="")
        common.scroll_to_top()


def chart_opening(chart, chart_key: str, level: str) -> None:
    st.altair_chart(
        chart,
        width="stretch",
        on_select=lambda: open_picked(chart_key, level),
        selection_mode="pick",
        key=chart_key,
    )


def paper_list(papers: pd.DataFrame, caption: str) -> None:
    st.markdown(f"**{caption}**")
    marks = common.team_marks(papers["id"])
    for paper in papers.itertuples(index=False):
        common.paper_card(paper, abstract=False, marks=marks, where=caption)


def badges(weak: bool, status: str) -> str:
    """A topic's marks: weak (its top terms rarely occur together), and new / split / merged."""
    marks = [":orange-badge[:material/warning: weak]"] if weak else []
    return " ".join(marks + ([f":blue-badge[{md_escape(status)}]"] if status else []))


RENAMED = "topics.renamed"


def rename(level: str, ident: int, field: str) -> None:
    """Callback of a rename form: name topic (area) ``ident`` as typed; the outcome is shown by the form."""
    common.changed()
    if common.refused():
        return
    try:
        shown = common.library().rename_topic(level, ident, st.session_state.get(field) or "", state["k"])
        st.session_state[RENAMED] = ("success", f"{level.capitalize()} {ident} is now called “{shown}”.")
    except PapersError as exc:
        st.session_state[RENAMED] = ("error", common.for_visitors(exc))


def rename_form(level: str, ident: int, label: str) -> None:
    """A form naming this topic (area): the name is kept across refits; empty gives back the automatic label."""
    outcome = st.session_state.pop(RENAMED, None)
    if outcome:
        (st.success if outcome[0] == "success" else st.error)(outcome[1], icon=":material/edit:")
    if not can_rename:
        return
    field = f"topics.rename.{level}.{ident}"
    with (
        st.popover(f"Rename this {level}", icon=":material/edit:"),
        st.form(f"topics.rename-form.{level}", border=False),
    ):
        st.text_input(
            "Name",
            value=label,
            max_chars=80,
            key=field,
            help=f"Kept across refits. Leave empty to give the {level} back its automatic label.",
        )
        st.form_submit_button("Rename", on_click=rename, args=(level, ident, field))


def topics_table(frame: pd.DataFrame, height_rows: int | None = None) -> None:
    """Fine topics as a table: a link to each, label, size, coherence, weak, status, terms."""
    table = frame.assign(link=[view_link(topic=t) for t in frame["topic"]])
    st.dataframe(
        table[["link", "label", "papers", "coherence", "weak", "status", "terms"]],
        hide_index=True,
        width="stretch",
        height=min(600, 36 + 35 * (height_rows or len(table))),
        column_config={
            "link": st.column_config.LinkColumn("page", display_text="open"),
            "papers": st.column_config.NumberColumn("papers", format="localized"),
            "coherence": st.column_config.NumberColumn(
                "coherence", format="%.2f", help="NPMI of the topic's top 10 terms over the papers (−1 to 1)"
            ),
            "weak": st.column_config.CheckboxColumn("weak", help="Coherence under 0.05: its top terms rarely meet"),
        },
    )


def shares_chart(over_time: pd.DataFrame, what: str, csv: str) -> None:
    if answer.one_day:
        st.info(
            "The table covers a single day: there is no time to chart. Import more days to see topics move.",
            icon=":material/info:",
        )
    elif over_time.empty:
        st.info("No papers in this day range.")
    else:
        st.altair_chart(charts.topic_shares_chart(over_time, state["norm"], state["by"]), width="stretch")
        st.caption(f"Share = papers whose dominant {what} it is ÷ all papers of the period.")
        download(f"{what.capitalize()} shares over time (CSV)", over_time, csv)


# --- where is …? ------------------------------------------------------------------------------
where = answer.where
if where is not None:
    with st.container(border=True):
        st.markdown(f"**Where is {md_escape(where.query)}?** {md_escape(where.summary)}")
        if not where.topics.empty:
            st.dataframe(
                where.topics.assign(
                    link=[view_link(topic=t) for t in where.topics["topic"]],
                    share=where.topics["share"] * 100,
                )[["link", "share", "papers", "label", "area_label"]],
                hide_index=True,
                width="stretch",
                column_config={
                    "link": st.column_config.LinkColumn("page", display_text="open"),
                    "area_label": st.column_config.TextColumn("area"),
                    "papers": st.column_config.NumberColumn("papers", format="localized"),
                    "share": st.column_config.NumberColumn("share", format="%.1f%%"),
                },
                key="topics.where",
            )
            download("Where is … (CSV)", where.topics, "topics-where")

if answer.view == "areas":
    # --- all areas ----------------------------------------------------------------------------
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
        "Fine topics are k-means clusters of the papers' research terms (LSA of titles, abstracts and "
        "keywords, boilerplate set aside), grouped into broad areas by similarity; each paper belongs to "
        "its nearest topic. " + md_escape(answer.quality) + "." + placed + counting
    )
    areas = answer.areas
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader("Areas", anchor=False)
        chart_opening(charts.area_sizes_chart(areas), "topics.sizes", "area")
        st.caption("Click a bar to open its area and its fine topics.")
        download("Area sizes (CSV)", areas, "area-sizes")
    with right:
        st.subheader("Areas and their topics", anchor=False)
        table = areas.assign(link=[view_link(area=a) for a in areas["area"]])
        st.dataframe(
            table.assign(share=table["share"] * 100)[
                ["link", "label", "topics", "papers", "share", "coherence", "terms"]
            ],
            hide_index=True,
            width="stretch",
            height=min(600, 36 + 35 * len(table)),
            column_config={
                "link": st.column_config.LinkColumn("page", display_text="open"),
                "papers": st.column_config.NumberColumn("papers", format="localized"),
                "share": st.column_config.NumberColumn("share", format="%.1f%%"),
                "coherence": st.column_config.NumberColumn("coherence", format="%.2f"),
            },
        )
        download("Fine topics (CSV)", summary, "topic-sizes")
    st.subheader("Share over time", anchor=False)
    shares_chart(answer.over_time, "area", "area-shares")
    if not answer.one_day and not answer.over_time.empty:
        common.composition_strip(TOPICS, answer.strip, state["by"])  # src=all: mixed periods outlined
        if answer.mixed:
            st.caption(
                f"Outlined: periods whose mix of sources is far from the series' own "
                f"({common.some_periods(answer.mixed)}) — an area's rise there may "
                "only be a change of what was imported. Choose one source in “Papers from” to compare "
                "like with like."
            )

    st.subheader("Map of papers", anchor=False)
    points = answer.points
    assert points is not None
    chart_opening(charts.topic_map_chart(points), "topics.map", "area")
    st.caption(
        f"{len(points):,} papers{' (a fixed sample)' if len(points) < ds.overview.papers else ''}, placed by "
        "t-SNE of their term vectors and coloured by area: neighbours share subjects. Hover for titles; click "
        "a paper to open its area."
    )
    download("Map points (CSV)", points, "topic-map")

    moving = answer.emerging
    if moving is not None:
        st.subheader("Emerging and fading topics", anchor=False)
        st.caption("Share of the last 90 days' papers against the 365 days before.")
        common.mixed_windows_warning(TOPICS, ds, answer.emerging_mixed)
        st.dataframe(
            moving.assign(
                link=[view_link(topic=t) for t in moving["topic"]],
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
elif answer.area is not None:
    # --- one area: its fine topics ----------------------------------------------------------------
    area = answer.area
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.page_link("pages/topics.py", label="All areas", icon=":material/arrow_back:", query_params=view_params())
        st.caption("›", width="content")
        st.markdown(md_escape(area.label), width="content")
    st.header(md_escape(area.label), anchor=False)
    st.caption(
        f"Area {area.area} · {count_text(len(area.topics), 'fine topic')} · {count_text(area.papers, 'paper')} "
        f"({share_text(area.share)}) · coherence {area.coherence:.2f} · top terms: "
        + md_escape(", ".join(area.terms["term"].head(8)))
    )
    rename_form("area", area.area, area.label)
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader("Its topics", anchor=False)
        chart_opening(charts.topic_sizes_chart(area.topics), "topics.area-sizes", "topic")
        st.caption("Click a bar to open its topic.")
        download("Its topics (CSV)", area.topics, f"area-{area.area}-topics")
    with right:
        st.subheader("Topics", anchor=False)
        topics_table(area.topics)
    st.subheader("Share over time", anchor=False)
    shares_chart(area.over_time, "topic", f"area-{area.area}-shares")
    if answer.points is not None and len(answer.points):
        st.subheader("Map of its papers", anchor=False)
        chart_opening(charts.topic_map_chart(answer.points), "topics.area-map", "topic")
        st.caption("Its papers of the map's fixed sample, coloured by fine topic. Click a paper to open its topic.")
else:
    # --- one topic --------------------------------------------------------------------------------
    page = answer.topic
    assert page is not None
    topic = page.topic
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):  # the breadcrumbs
        st.page_link("pages/topics.py", label="All areas", icon=":material/arrow_back:", query_params=view_params())
        st.caption("›", width="content")
        area_link(page.area, page.area_label)
        st.caption("›", width="content")
        st.markdown(md_escape(page.label), width="content")
    st.header(md_escape(page.label), anchor=False)
    if page.subtitle:
        st.markdown(f"*{md_escape(page.subtitle)}*")
    marks = badges(page.weak, page.status)
    st.caption(
        f"Topic {topic} · {count_text(page.papers, 'paper')} ({share_text(page.share)}) · "
        f"coherence {page.coherence:.2f}" + (f" {marks}" if marks else "")
    )
    # related topics up here, by the header: a link to this same page keeps the scroll position,
    # so the next topic's header is in view after the click
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.caption("Related topics (similarity):", width="content")
        for related in page.related.itertuples():
            topic_link(related.topic, f"{related.label} ({related.similarity:.2f})")
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
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
        rename_form("topic", topic, page.label)
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
        st.segmented_control(  # drawn on every topic page: its value (URL key split) is kept
            "Split by",
            list(SPLITS),
            format_func=SPLITS.get,
            key=key("split"),
            required=True,
            on_change=common.changed,
            disabled=answer.one_day,
            width="content",
        )
        if answer.one_day or mine.empty:
            st.info("One day of papers: no time chart.", icon=":material/info:")
        else:
            if page.split is not None:
                what = {"category": "arXiv category", "source": "source"}[state["split"]]
                st.altair_chart(charts.topic_split_chart(page.split, state["by"], what), width="stretch")
                st.caption(f"The topic's papers per {state['by']}, by {what} (the six largest, the rest as “other”).")
                download("Papers over time, split (CSV)", page.split, f"topic-{topic}-split")
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
