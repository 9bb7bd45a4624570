"""One paper: everything known about it, and the ten most similar papers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.errors import PapersError
from lib.store.schema import source_name
from lib.text import arxiv_abs_url, arxiv_id, arxiv_pdf_url, count_text, hf_paper_url, md_escape, md_message, safe_url
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
        st.warning(md_message(f"No paper with id {paper_id!r} is in the table."), icon=":material/search_off:")
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

# --- the team's marks: the reader's status, the collections holding it, the team's note ---------
STATUS_LABELS = {"unread": "Unread", "reading": "Reading", "read": "Read"}
NEW_COLLECTION = "paper.new_collection"


def new_collection() -> None:
    """Callback: put the paper in a new collection named in the box."""
    name = common.typed_name(NEW_COLLECTION)
    if name is None:
        return
    common.team_write(lambda: common.team().add(name, [paper.id], common.user_name()), f"Added to “{name}”.")
    st.session_state[NEW_COLLECTION] = ""


def save_note(key: str) -> None:
    text = st.session_state.get(key) or ""
    common.team_write(lambda: common.team().set_note(paper.id, text, common.user_name()), "Note saved.")


if common.can_write():
    try:
        db = common.team()
        status = db.statuses(common.reader_key(), [paper.id]).get(paper.id, "unread")
        holding = db.collections_of(paper.id)
        every = [c.name for c in db.collections()]
        note = db.note(paper.id)
    except PapersError as exc:
        st.caption(f":material/error: Collections and notes are unavailable: {common.for_visitors(exc)}")
    else:
        with st.container(horizontal=True, gap="medium", vertical_alignment="bottom"):
            status_key = f"paper.status.{paper.id}"
            st.session_state[status_key] = status
            st.segmented_control(
                "My reading status",
                list(STATUS_LABELS),
                key=status_key,
                format_func=STATUS_LABELS.get,
                required=True,
                on_change=lambda: common.set_status(paper.id, st.session_state[status_key]),
            )
            collect_key = f"collect.paper.{paper.id}"
            marks = common.Marks(tuple(every) or (common.DEFAULT_COLLECTION,), {paper.id: frozenset(holding)})
            st.session_state[collect_key] = sorted(holding)
            st.pills(
                "Collections",
                marks.options(paper.id),
                selection_mode="multi",
                key=collect_key,
                on_change=common.collect,
                args=(paper.id, collect_key, tuple(sorted(holding))),
                format_func=lambda name: f":material/bookmark: {md_escape(name)}",
            )
            st.text_input(
                "New collection",
                key=NEW_COLLECTION,
                on_change=new_collection,
                placeholder="Name, then Enter",
                max_chars=100,
                width=220,
            )
        note_key = f"paper.note.{paper.id}"
        with st.expander(
            "Team note" + (f" · by {note.by}, {note.at:%Y-%m-%d}" if note else ""),
            icon=":material/sticky_note_2:",
            expanded=note is not None,
        ):
            if note is not None:
                st.text(note.text)  # plain text, shown as it was typed (never markdown)
            st.session_state.setdefault(note_key, note.text if note else "")
            st.text_area(
                "Note",
                key=note_key,
                max_chars=2_000,
                height=90,
                label_visibility="collapsed",
                placeholder="A short note for the team: why it matters, what to read first…",
            )
            st.button(
                "Save note",
                key=f"paper.save_note.{paper.id}",
                on_click=save_note,
                args=(note_key,),
                icon=":material/save:",
            )

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
marks = common.team_marks([*similar.earlier["id"], *similar.later["id"]])
for heading, near_papers in (("Earlier work", similar.earlier), ("Later and same-day work", similar.later)):
    if near_papers.empty:
        continue
    st.markdown(f"**{heading}**")
    for near in near_papers.itertuples(index=False):
        common.paper_card(near, note=f"similarity {near.similarity:.2f}", abstract=False, marks=marks, where="similar")
