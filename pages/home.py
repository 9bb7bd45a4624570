"""Daily Papers: one day's list as readable cards, and an overview of the whole table."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from lib import charts, daily
from lib.text import arxiv_id, arxiv_abs_url, arxiv_pdf_url, hf_paper_url, md_escape, md_link
from lib.urlstate import HOME, PERIODS
from pages import common

ds = common.dataset()
state = common.url_state(HOME)
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
nav = st.columns([1.1, 1.6, 1.1, 2.2, 1.2], vertical_alignment="bottom")
nav[0].button("Previous day", icon=":material/chevron_left:", disabled=previous is None,
              on_click=go_to, args=(previous,), width="stretch", help=str(previous or ""))
nav[1].date_input("Day", key=PICKER, min_value=days[0].astype(dt.date), max_value=latest,
                  format="YYYY-MM-DD", on_change=pick_day)
nav[2].button("Next day", icon=":material/chevron_right:", disabled=following is None,
              on_click=go_to, args=(following,), width="stretch", help=str(following or ""))
nav[3].segmented_control("Order", options=list(daily.SORTS), key=common.widget_key(HOME, "sort"),
                         format_func=daily.SORTS.get, required=True, on_change=common.set_state,
                         args=(HOME,), kwargs={"p": 1})
state["sort"] = st.session_state[common.widget_key(HOME, "sort")]

papers = daily.papers_on(ds.frame, day, state["sort"])
start, stop, pages = daily.page_bounds(len(papers), state["p"])
if start // daily.PAGE_SIZE + 1 != state["p"]:
    st.warning(f"This day has {pages} page(s) of papers; showing page {pages}.", icon=":material/link_off:")
    state["p"] = start // daily.PAGE_SIZE + 1
    common.set_state(HOME, p=state["p"])
with nav[4]:
    common.copy_link(HOME, {**state, "date": day})  # a shared link pins the day on screen
st.caption(f"{day:%A, %B} {day.day}, {day.year} · **{len(papers):,}** papers"
           + (f" · showing {start + 1}–{stop}" if pages > 1 else ""))

if papers.empty:
    st.info(f"No papers were listed on {day.isoformat()}. "
            f"Nearest days with papers: {previous or '—'} (earlier), {following or '—'} (later).",
            icon=":material/event_busy:")

for rank, paper in enumerate(papers.iloc[start:stop].itertuples(index=False), start=start + 1):
    known_id = arxiv_id(paper.id)
    with st.container(border=True):
        st.markdown(f"**{rank}. {md_link(paper.title, arxiv_abs_url(known_id) if known_id else None)}**")
        authors = list(paper.authors)
        if authors:
            shown = ", ".join(authors[:12]) + (f", … (+{len(authors) - 12})" if len(authors) > 12 else "")
            st.caption(md_escape(shown))
        facts = []
        if pd.notna(paper.upvotes):
            facts.append(f":material/thumb_up: **{int(paper.upvotes)}**")
        if pd.notna(paper.num_comments):
            facts.append(f":material/chat_bubble: {int(paper.num_comments)}")
        if len(paper.categories):
            facts.append(md_escape(" ".join(paper.categories[:4])))
        if known_id:
            facts += [md_link("arXiv", arxiv_abs_url(known_id)), md_link("PDF", arxiv_pdf_url(known_id)),
                      md_link("Hugging Face", hf_paper_url(known_id))]
        if isinstance(paper.github_repo, str) and md_link("GitHub", paper.github_repo) != "GitHub":
            facts.append(md_link("GitHub", paper.github_repo))
        if facts:
            st.markdown(" · ".join(facts))
        if paper.abstract:
            with st.expander("Abstract"):
                st.markdown(md_escape(paper.abstract))
                if len(paper.keywords):
                    st.caption("Keywords: " + md_escape(", ".join(paper.keywords)))
        else:
            st.caption("No abstract in the source.")

if pages > 1:
    pager = st.columns([1, 1, 4], vertical_alignment="center")
    pager[0].button("Previous page", icon=":material/chevron_left:", disabled=state["p"] <= 1,
                    on_click=common.set_state, args=(HOME,), kwargs={"p": state["p"] - 1})
    pager[1].button("Next page", icon=":material/chevron_right:", disabled=state["p"] >= pages,
                    on_click=common.set_state, args=(HOME,), kwargs={"p": state["p"] + 1})
    pager[2].caption(f"Page {state['p']} of {pages}")

# --- the whole table ----------------------------------------------------------------------------
st.divider()
st.subheader("The whole table")
o = ds.overview
k = st.columns(4)
k[0].metric("Papers", f"{o.papers:,}")
k[1].metric("Days", f"{o.days:,}")
k[2].metric("Day range", f"{o.first} → {o.last}" if o.first != o.last else str(o.first))
k[3].metric("Sources", len(o.sources), help=", ".join(f"{name}: {n:,}" for name, n in o.sources.items()))
state["by"] = st.selectbox("Papers per", PERIODS, key=common.widget_key(HOME, "by"), width=200)
tidy = ds.per_period(state["by"])
if o.days > 1:
    st.altair_chart(charts.papers_per_period_chart(tidy), width="stretch")
else:
    st.caption("One day of papers: a chart over time needs more than one day.")

common.write_url(HOME, state)
