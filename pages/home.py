"""Daily Papers: one day's list as readable cards, and an overview of the whole table."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from lib import charts, daily
from lib.schema import SOURCE_NAMES
from lib.text import count_text
from lib.urlstate import HOME, PERIODS
from pages import common

state = common.url_state(HOME)
ds = common.dataset()
common.sample_banner(ds)

days = ds.days
if len(days) == 0:
    st.info("The table has no papers yet. Import some on the **Import** page.")
    st.stop()
day, warning = daily.resolve_day(state["date"], days)
if warning:
    st.warning(warning, icon=":material/event_busy:")
    state["date"] = None
    common.set_state(HOME, date=None)
latest = days[-1].astype(dt.date)
# The URL's date pins a day; without one the view follows the latest day.  The picker
# widget shows the resolved day, and choosing a day in it pins that day.
PICKER = "home.day_picker"
st.session_state[PICKER] = day
previous, following = daily.neighbours(day, days)


def go_to(target: dt.date) -> None:
    common.set_state(HOME, date=target, p=1)


def pick_day() -> None:
    go_to(st.session_state[PICKER])


# --- the day ---------------------------------------------------------------------------------
st.title("Daily Papers")
main, side = st.columns([5, 2], gap="large")
with main:
    with st.container(horizontal=True, gap="small", vertical_alignment="bottom"):  # wraps on a phone
        st.button("Previous day", icon=":material/chevron_left:", disabled=previous is None,
                  on_click=go_to, args=(previous,), help=str(previous or ""))
        st.date_input("Day", key=PICKER, min_value=days[0].astype(dt.date), max_value=latest,
                      format="YYYY-MM-DD", on_change=pick_day, width=150)
        st.button("Next day", icon=":material/chevron_right:", icon_position="right", disabled=following is None,
                  on_click=go_to, args=(following,), help=str(following or ""))
        state["sort"] = st.segmented_control(
            "Order", options=list(daily.SORTS), key=common.widget_key(HOME, "sort"), format_func=daily.SORTS.get,
            required=True, on_change=common.set_state, args=(HOME,), kwargs={"p": 1}, width="content")

    papers = daily.papers_on(ds.table, ds.frame["date"].to_numpy(), day, state["sort"])
    start, stop, pages = daily.page_bounds(len(papers), state["p"])
    if start // daily.PAGE_SIZE + 1 != state["p"]:
        st.warning(f"Ignored p={state['p']}: this day has {count_text(pages, 'page')} of papers; "
                   f"showing page {pages}.",
                   icon=":material/link_off:")
        state["p"] = pages
        common.set_state(HOME, p=pages)
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        with st.container(gap=None, width="content"):
            st.markdown(f"#### {day:%A, %B} {day.day}, {day.year}")
            st.caption(f"**{count_text(len(papers), 'paper')}**" + (f" · showing {start + 1}–{stop}" if pages > 1 else ""))
        st.space("stretch")
        common.copy_link(HOME, {**state, "date": day})  # a shared link pins the day on screen
    if papers.empty:
        st.info(f"No papers were listed on {day.isoformat()}. Nearest days with papers: "
                f"{previous or '—'} (earlier), {following or '—'} (later).", icon=":material/event_busy:")
    for rank, paper in enumerate(papers.iloc[start:stop].itertuples(index=False), start=start + 1):
        common.paper_card(paper, rank)
    common.pager(HOME, state, pages)

# --- the whole table ----------------------------------------------------------------------------
with side:
    st.subheader("The whole table")
    o = ds.overview
    k = st.columns(2)
    k[0].metric("Papers", f"{o.papers:,}")
    k[1].metric("Days", f"{o.days:,}")
    st.markdown(f"**{o.first}** → **{o.last}**" if o.first != o.last else f"**{o.first}**")
    st.caption("Sources: " + " · ".join(f"{SOURCE_NAMES.get(name, name)} {n:,}" for name, n in o.sources.items()))
    state["by"] = st.selectbox("Papers per", PERIODS, key=common.widget_key(HOME, "by"), on_change=common.changed)
    if o.days > 1:
        st.altair_chart(charts.papers_per_period_chart(ds.per_period(state["by"])), width="stretch")
    else:
        st.caption("One day of papers: a chart over time needs more than one day.")

common.write_url(HOME, state)
