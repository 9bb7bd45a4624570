"""Daily Papers: one day's list as readable cards, and an overview of the whole table."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib import charts, daily
from lib.source_keys import ALL, HF
from lib.store.schema import source_name
from lib.text import count_text, md_escape
from lib.urlstate import DAY_SORTS, HOME, PERIODS
from pages import common

state = common.url_state(HOME)
ds = common.dataset()
common.sample_banner(ds)

if len(ds.days) == 0:
    st.info("The table has no papers yet. Import some on the **Import** page.")
    st.stop()


def go_to(target: dt.date) -> None:
    common.set_state(HOME, date=target, p=1)


PICKER = "home.day_picker"


def pick_day() -> None:
    go_to(st.session_state[PICKER])


def first_page() -> None:
    common.set_state(HOME, p=1)


# --- the source and its days ------------------------------------------------------------------
# src=hf (the default): the day's Hugging Face daily list, or every paper of a day without one.
st.title("Daily Papers")
main, side = st.columns([5, 2], gap="large")
with main:
    controls = st.container(horizontal=True, gap="small", vertical_alignment="bottom")  # wraps on a phone
offer = {HF: "Hugging Face daily list", ALL: "All papers", **{k: source_name(k) for k in ds.sources if k != HF}}
src = common.source_picker(HOME, state, ds, label="Papers", into=controls, offer=offer, on_change=first_page)
has_lists = HF in ds.sources
counted = ALL if src == HF and not has_lists else src  # the population the days, metrics and chart count
days = daily.counted_days(ds.periods("day", counted))  # the days the navigation steps through
# Any day can be asked for by the daily list (a day without one shows all its papers);
# another source's days are its own.
bounds = ds.days if src == HF else days
day, warning = daily.resolve_day(state["date"], bounds)
if state["date"] is None:
    day = days[-1].astype(dt.date)  # the latest day of the source (hf: the latest list)
if warning:
    st.warning(warning, icon=":material/event_busy:")
    state["date"] = None
    common.set_state(HOME, date=None)
    day = days[-1].astype(dt.date)
# The URL's date pins a day; without one the view follows the latest day.  The picker
# widget shows the resolved day, and choosing a day in it pins that day.
st.session_state[PICKER] = day
previous, following = daily.neighbours(day, days)
shown_src = daily.day_source(counted, day, days)  # whose papers the day's cards are
on_a_list = shown_src == HF

# --- the day ---------------------------------------------------------------------------------
with main:
    with controls:
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
            min_value=bounds[0].astype(dt.date),
            max_value=bounds[-1].astype(dt.date),
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
        state["sort"] = st.segmented_control(
            "Order",
            options=list(DAY_SORTS),
            key=common.widget_key(HOME, "sort"),
            format_func=DAY_SORTS.get,
            required=True,
            on_change=common.set_state,
            args=(HOME,),
            kwargs={"p": 1},
            width="content",
        )

    papers = daily.papers_on(ds.table, ds.day_of(shown_src).to_numpy(), day, state["sort"], ds.member(shown_src))
    start, stop, pages = daily.page_bounds(len(papers), state["p"])
    if start // daily.PAGE_SIZE + 1 != state["p"]:
        st.warning(
            f"Ignored p={state['p']}: this day has {count_text(pages, 'page')} of papers; showing page {pages}.",
            icon=":material/link_off:",
        )
        state["p"] = pages
        common.set_state(HOME, p=pages)
    whose = {HF: " on the Hugging Face daily list", ALL: ""}.get(
        shown_src, f" from {md_escape(source_name(shown_src))}"
    )
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        with st.container(gap=None, width="content"):
            st.markdown(f"#### {day:%A, %B} {day.day}, {day.year}")
            st.caption(
                f"**{count_text(len(papers), 'paper')}**{whose}"
                + (f" · showing {start + 1}–{stop}" if pages > 1 else "")
            )
        st.space("stretch")
        common.copy_link(HOME, {**state, "date": day})  # a shared link pins the day on screen
    if on_a_list:
        everyone = len(daily.rows_on(ds.day_of(ALL).to_numpy(), day))
        if everyone > len(papers):
            st.page_link(
                "pages/home.py",
                label=f"All {everyone:,} papers of that day",
                icon=":material/list:",
                query_params=HOME.encode({**state, "src": ALL, "date": day, "p": 1}),
                help="Every paper the table dates on this day, not only the daily list's",
            )
    elif src == HF and has_lists and not papers.empty:
        st.caption("No Hugging Face daily list on this day: showing all its papers.")
    if papers.empty:
        where = "were listed" if shown_src == ALL else f"from {md_escape(source_name(shown_src))}"
        st.info(
            f"No papers {where} on {day.isoformat()}. Nearest days with papers: "
            f"{previous or '—'} (earlier), {following or '—'} (later).",
            icon=":material/event_busy:",
        )
    for rank, paper in enumerate(papers.iloc[start:stop].itertuples(index=False), start=start + 1):
        common.paper_card(paper, rank, badge=not on_a_list)  # every card of the list would carry it
    common.pager(HOME, state, pages)

# --- the whole table ----------------------------------------------------------------------------
with side:
    st.subheader("The whole table")
    total = ds.overview.papers if counted == ALL else ds.sources.get(counted, 0)
    first, last = days[0].astype(dt.date), days[-1].astype(dt.date)
    k = st.columns(2)
    k[0].metric("Papers", f"{total:,}")
    k[1].metric("Days", f"{len(days):,}")
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
    if len(days) > 1:
        by = daily.auto_period(first, last) if state["by"] == "auto" else state["by"]
        st.altair_chart(
            charts.papers_per_period_chart(daily.periods_frame(ds.periods(by, counted), by)), width="stretch"
        )
    else:
        st.caption("One day of papers: a chart over time needs more than one day.")

common.write_url(HOME, state)
