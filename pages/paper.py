"""One paper: everything known about it, and the ten most similar papers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.store.schema import source_name
from lib.text import arxiv_abs_url, arxiv_id, arxiv_pdf_url, count_text, hf_paper_url, md_escape, safe_url
from lib.urlstate import PAPER, SEARCH, TOPICS
from pages import common

state = common.url_state(PAPER)
ds = common.dataset()
common.sample_banner(ds)
common.write_url(PAPER, state)

paper_id = state["id"]
row = ds.row_of(paper_id) if paper_id else None
if row is None:
    st.title("Paper")
    if paper_id:
        st.warning(f"No paper with id {paper_id!r} is in the table.", icon=":material/search_off:")
        st.page_link(
            "pages/search.py",
            label=f"Search for {md_escape(paper_id)}",
            icon=":material/search:",
            query_params=SEARCH.encode({"q": paper_id}),
        )
        if arxiv_id(paper_id):
            st.markdown(f"Or open it on [arXiv]({arxiv_abs_url(paper_id)}) and import it.")
    else:
        st.info("Open a paper from the Daily Papers or from a search.", icon=":material/article:")
        st.page_link("pages/search.py", label="Search papers", icon=":material/search:")
    st.stop()

paper = next(ds.papers([row]).itertuples(index=False))
known_id = arxiv_id(paper.id)

st.title(md_escape(paper.title), anchor=False)
st.markdown(", ".join(common.author_link(a) for a in paper.authors) or "*Authors unknown*")  # each to their papers
facts = []
if pd.notna(paper.hf_day):  # the list's own facts, beside arXiv's
    position = f" (#{int(paper.hf_rank)})" if pd.notna(paper.hf_rank) else ""
    facts.append(f"**Hugging Face daily list** {paper.hf_day:%Y-%m-%d}{position}")
elif paper.listed:
    facts.append(f"**Listed** {paper.date:%Y-%m-%d}")
elif pd.isna(paper.published) or paper.published != paper.date:
    facts.append(f"**Published** {paper.date:%Y-%m-%d}")
facts.append(f"**arXiv v1** {paper.published:%Y-%m-%d}" if pd.notna(paper.published) else "**arXiv v1** unknown")
if pd.notna(paper.upvotes):
    facts.append(f":material/thumb_up: **{count_text(int(paper.upvotes), 'upvote')}**")
if pd.notna(paper.num_comments):
    facts.append(f":material/chat_bubble: {count_text(int(paper.num_comments), 'comment')}")
st.markdown(" · ".join(facts))  # one line that wraps, never a cut-off number

with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    if known_id:
        st.link_button("arXiv", arxiv_abs_url(known_id), icon=":material/open_in_new:")
        st.link_button("PDF", arxiv_pdf_url(known_id), icon=":material/picture_as_pdf:")
        st.link_button("Hugging Face", hf_paper_url(known_id), icon=":material/open_in_new:")
    if safe_url(paper.github_repo if isinstance(paper.github_repo, str) else None):
        st.link_button("GitHub", safe_url(paper.github_repo), icon=":material/code:")
    st.space("stretch")
    common.copy_link(PAPER, state)

if len(paper.categories):
    st.markdown("**Categories** · " + md_escape(" ".join(paper.categories)))
if len(paper.keywords):
    st.markdown("**Keywords** · " + md_escape(", ".join(paper.keywords)))
placed = common.paper_topic(row)  # the automatic model's, when it needs no fit
if placed is not None:
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.markdown("**Topic**", width="content")
        st.page_link(
            "pages/topics.py",
            label=md_escape(placed.topic_label),
            icon=":material/topic:",
            query_params=TOPICS.encode({"topic": placed.topic}),
        )
        st.markdown("**in the area**", width="content")
        st.page_link(
            "pages/topics.py",
            label=md_escape(placed.area_label),
            icon=":material/category:",
            query_params=TOPICS.encode({"area": placed.area}),
        )
st.subheader("Abstract", anchor=False)
st.markdown(md_escape(paper.abstract) if paper.abstract else "*No abstract in the source.*")
st.caption(
    f"{'Sources' if len(paper.sources) > 1 else 'Source'}: "
    f"{md_escape(', '.join(source_name(s) for s in paper.sources))} · id {md_escape(paper.id)}"
)

st.subheader("Similar papers", anchor=False)
similar = common.library().similar_papers(row)
st.caption(
    "By their words (BM25F-weighted terms; no one term weighs more than a fifth of a paper's) "
    + (
        "and their meaning (WordLlama vectors of title and abstract)."
        if similar.by_meaning
        else "only, while search by meaning is being prepared for this table."
    )
)
if similar.earlier.empty and similar.later.empty:
    st.info("No similar papers: this paper shares no distinctive terms with others in the table.")
for heading, near_papers in (("Earlier work", similar.earlier), ("Later and same-day work", similar.later)):
    if near_papers.empty:
        continue
    st.markdown(f"**{heading}**")
    for near in near_papers.itertuples(index=False):
        common.paper_card(near, note=f"similarity {near.similarity:.2f}", abstract=False)
