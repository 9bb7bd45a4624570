"""Daily Papers: one day's list as readable cards (or the trending and most upvoted papers of
the past week or month), and an overview of the whole table."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib import charts
from lib.errors import PapersError
from lib.source_keys import ALL, HF
from lib.store.schema import source_name
from lib.text import count_text, md_escape, md_message
from lib.urlstate import DAY_SORTS, DAY_VIEWS, HOME, PERIODS, WINDOWS
from pages import common

state = common.url_state(HOME)
ds = common.dataset()
common.sample_banner(ds)
try:
    answer = common.library().daily(state, common.read_papers() if state["hide"] == "read" else ())
except PapersError as exc:
    common.fail(exc)
if answer.day is None:
    st.info("The table has no papers yet. Import some on the **Import** page.")
    st.stop()
state = common.settle(HOME, state, answer.state)  # the widgets show the state the answer is for


def go_to(target: dt.date) -> None:
    common.set_state(HOME, date=target, p=1)


PICKER = "home.day_picker"


def pick_day() -> None:
    go_to(st.session_state[PICKER])


def first_page() -> None:
    common.set_state(HOME, p=1)


ranked = answer.ranked  # view=trending / top: the window's papers, ranked; None: one day's list


# --- the source and its days ------------------------------------------------------------------
# src=hf (the default): the day's Hugging Face daily list, or every paper of a day without one.
st.title("Daily Papers")
common.warn(answer.warnings)  # a value of the link changed
if answer.missing_day:
    st.warning(md_message(answer.missing_day), icon=":material/event_busy:")
main, side = st.columns([5, 2], gap="large")
with main:
    controls = st.container(horizontal=True, gap="small", vertical_alignment="bottom")  # wraps on a phone
with controls:
    common.url_choice(HOME, "view", DAY_VIEWS, "Show")
if ranked is None:
    common.source_picker(HOME, state, ds, label="Papers", into=controls, offer=answer.offer, on_change=first_page)
# The URL's date pins a day; without one the view follows the latest day.  The picker
# widget shows the resolved day, and choosing a day in it pins that day.
day, previous, following = answer.day, answer.previous, answer.following
st.session_state[PICKER] = day

# --- the day ---------------------------------------------------------------------------------
with controls:
    if ranked is not None:
        common.url_choice(HOME, "window", WINDOWS, "Window")
    else:
        st.button(
            "Previous day",
            icon=":material/chevron_left:",
            disabled=previous is None,
            on_click=go_to,
            args=(previous,),
            help=str(previous or ""),
        )
        st.date_input(
            "Day",
            key=PICKER,
            min_value=answer.pickable[0],
            max_value=answer.pickable[1],
            format="YYYY-MM-DD",
            on_change=pick_day,
            width=150,
        )
        st.button(
            "Next day",
            icon=":material/chevron_right:",
            icon_position="right",
            disabled=following is None,
            on_click=go_to,
            args=(following,),
            help=str(following or ""),
        )
        state["sort"] = common.url_choice(HOME, "sort", DAY_SORTS, "Order")
    common.hide_read_toggle(HOME, state)

with main:
    papers, start, stop, pages = answer.papers, answer.start, answer.stop, answer.pages
    whose = {HF: " on the Hugging Face daily list", ALL: ""}.get(
        answer.shown, f" from {md_escape(source_name(answer.shown))}"
    )
    hidden = f" · {count_text(answer.hidden, 'paper')} you marked read hidden" if answer.hidden else ""
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        with st.container(gap=None, width="content"):
            if ranked is None:
                st.markdown(f"#### {day:%A, %B} {day.day}, {day.year}")
                st.caption(
                    f"**{count_text(len(papers), 'paper')}**{whose}"
                    + (f" · showing {start + 1}–{stop}" if pages > 1 else "")
                    + hidden
                )
            else:
                st.markdown(f"#### {DAY_VIEWS[state['view']]} · {WINDOWS[state['window']].lower()}")
                st.caption(
                    f"**{count_text(len(papers), 'paper')}** to {answer.last}"
                    + (f" · showing {start + 1}–{stop}" if pages > 1 else "")
                    + hidden
                    + f" · {ranked.note}"
                )
        st.space("stretch")
        # a shared link pins the day on screen (a trending view follows the latest day)
        common.copy_link(HOME, {**state, "date": day} if ranked is None else state)
    if ranked is None and answer.on_a_list:
        if answer.everyone > len(papers):
            st.page_link(
                "pages/home.py",
                label=f"All {answer.everyone:,} papers of that day",
                icon=":material/list:",
                query_params=HOME.encode({**state, "src": ALL, "date": day, "p": 1}),
                help="Every paper the table dates on this day, not only the daily list's",
            )
    elif ranked is None and answer.no_list:
        st.caption("No Hugging Face daily list on this day: showing all its papers.")
    if papers.empty and ranked is not None:
        st.info("No papers with upvotes in this window.", icon=":material/trending_flat:")
    elif papers.empty:
        where = "were listed" if answer.shown == ALL else f"from {md_escape(source_name(answer.shown))}"
        st.info(
            f"No papers {where} on {day.isoformat()}. Nearest days with papers: "
            f"{previous or '—'} (earlier), {following or '—'} (later).",
            icon=":material/event_busy:",
        )
    shown_papers = papers.iloc[start:stop]
    marks = common.team_marks(shown_papers["id"])
    for rank, paper in enumerate(shown_papers.itertuples(index=False), start=start + 1):
        if ranked is None:  # every card of a daily list would carry the list's badge
            common.paper_card(paper, rank, badge=not answer.on_a_list, marks=marks)
        else:
            common.paper_card(paper, rank, marks=marks, spark=common.upvote_spark(paper, ranked.by))
    common.pager(HOME, state, pages)

# --- the whole table ----------------------------------------------------------------------------
with side:
    st.subheader("The whole table")
    counted, first, last = answer.counted, answer.first, answer.last
    k = st.columns(2)
    k[0].metric("Papers", f"{answer.total:,}")
    k[1].metric("Days", f"{answer.days:,}")
    st.markdown(f"**{first}** → **{last}**" if first != last else f"**{first}**")
    if len(ds.sources) > 1:
        st.caption(
            ("Counting every paper." if counted == ALL else f"Counting {md_escape(source_name(counted))}.")
            + " Sources: "
            + " · ".join(f"{md_escape(source_name(name))} {n:,}" for name, n in ds.sources.items())
        )
    else:
        st.caption("Sources: " + " · ".join(f"{md_escape(source_name(name))} {n:,}" for name, n in ds.sources.items()))
    state["by"] = st.selectbox("Papers per", PERIODS, key=common.widget_key(HOME, "by"), on_change=common.changed)
    if answer.per_period is not None:
        st.altair_chart(charts.papers_per_period_chart(answer.per_period), width="stretch")
    else:
        st.caption("One day of papers: a chart over time needs more than one day.")

common.write_url(HOME, state)
