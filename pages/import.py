"""Import: upload files in any supported format, preview what would change, then import."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from lib.errors import PapersError, log
from lib.store.formats import FORMATS
from lib.store.formats.base import upload_limits
from lib.store.importer import import_files
from lib.store.merge import FieldChange, value_text
from lib.store.schema import source_name, to_frame
from lib.store.store import InputFile
from lib.text import count_text
from lib.urlstate import IMPORT
from pages import common

PREVIEW_ROWS = 10
CONFIRMED = "import.confirmed"  # the preview the Import button was pressed for

common.url_state(IMPORT)  # no keys: an unknown parameter is warned about and dropped
common.write_url(IMPORT, {})
with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    st.title("Import papers", width="content")
    st.space("stretch")
    common.copy_link(IMPORT, {})
if not common.can_write():  # a reader who typed /import: the page is not in their menu
    st.error(
        "You can read this dashboard but not change it: papers are imported on the server with "
        "`python -m lib import PATH…`, or by an editor.",
        icon=":material/lock:",
    )
    st.stop()
store = common.store()
st.markdown(
    "Drop one or more files; the format is detected from the content: the **Daily Papers page** "
    "copied as text, **Hugging Face** `/api/daily_papers` JSON, **arXiv API** Atom XML, the **arXiv "
    "metadata snapshot** (JSON Lines), or your own **CSV / TSV / JSON / JSON Lines / Parquet** table — "
    "each optionally gzipped, up to 200 MB a file. You see what would change before anything is written."
)
uploads = st.file_uploader("Files", accept_multiple_files=True, key="import.files")
with st.expander("Options"):
    options = st.columns(3)
    fmt = options[0].selectbox("Format", ("detect",) + FORMATS, help="Override the detection for every file.")
    year = options[1].number_input(
        "Year of dates without one",
        min_value=1991,
        max_value=2100,
        value=None,
        step=1,
        help="For a pasted page whose date line reads like 'Aug 12'.",
    )
    date = options[2].date_input("Listing day", value=None, help="The day every paper in these files was listed.")
    overwrite = st.checkbox(
        "Overwrite",
        key="import.overwrite",
        help="The files' values replace the store's even where a list (authors, categories, keywords) gets "
        "shorter or a count (upvotes, comments) lower. Without it, those are kept and listed below.",
    )

if not uploads:
    ds = common.dataset()
    st.caption(
        "The store is empty: the pages show the bundled demo until you import."
        if ds.is_sample
        else f"The store holds {count_text(ds.overview.papers, 'paper')} (version {ds.version})."
    )
    st.stop()

inputs = [InputFile.from_bytes(u.name, u.getvalue()) for u in uploads]
settings = dict(
    fmt=None if fmt == "detect" else fmt,
    year=int(year) if year else None,
    date=date,
    today=dt.date.today(),
    overwrite=overwrite,
)
# The preview is kept for these files, options and store version: reruns do not re-parse.
preview_key = (tuple(u.file_id for u in uploads), tuple(settings.items()), store.version())
try:
    if st.session_state.get("import.preview_key") != preview_key:
        with st.spinner(f"Reading {count_text(len(inputs), 'file')}…"), upload_limits():  # an upload's caps
            st.session_state["import.preview"] = import_files(store, inputs, dry_run=True, **settings)
        st.session_state["import.preview_key"] = preview_key
    preview = st.session_state["import.preview"]
except PapersError as exc:
    st.error(f"Nothing can be imported: {common.for_visitors(exc)}", icon=":material/error:")
    st.caption("The store is unchanged.")
    st.stop()

c = preview.counts


def changes_table(changes: tuple[FieldChange, ...], total: int, what: str, old: str, new: str) -> None:
    st.dataframe(
        pd.DataFrame([{"id": x.id, "field": x.field, old: value_text(x.old), new: value_text(x.new)} for x in changes]),
        hide_index=True,
        width="stretch",
    )
    if total > len(changes):
        st.caption(f"The first {len(changes):,} of {total:,} {what}.")


cols = st.columns(4)
cols[0].metric("New papers", f"{c.added:,}")
cols[1].metric("Updated", f"{c.updated:,}")
cols[2].metric("Unchanged", f"{c.unchanged:,}")
cols[3].metric("Rejected", f"{len(preview.rejected):,}")
st.caption(" · ".join(f"{f.name}: {f.format}, {f.papers:,} papers" for f in preview.files))
if preview.rejected or preview.warnings:
    problems = pd.DataFrame(
        [{"kind": "rejected", "file": p.file, "where": p.where, "reason": p.message} for p in preview.rejected]
        + [{"kind": "warning", "file": p.file, "where": p.where, "reason": p.message} for p in preview.warnings]
    )
    st.dataframe(problems, hide_index=True, width="stretch")
if c.changes:
    st.markdown("**What changes in papers already in the store**")
    changes_table(c.changes, sum(c.changed_fields.values()), "changed fields", "before", "after")
if c.kept_count:
    st.warning(
        f"{count_text(c.kept_count, 'field')} of papers already in the store would get shorter or lower "
        "(fewer authors, categories or keywords; fewer upvotes or comments) and "
        f"{'is' if c.kept_count == 1 else 'are'} kept as stored. Tick **Overwrite** under Options to "
        "replace them with the files' values.",
        icon=":material/warning:",
    )
    changes_table(c.kept, c.kept_count, "kept fields", "kept", "in the files")
first = to_frame(preview.incoming.slice(0, PREVIEW_ROWS))
first["sources"] = first["sources"].map(lambda keys: ", ".join(source_name(k) for k in keys))
st.dataframe(
    first[["id", "date", "title", "authors", "upvotes", "sources"]],
    hide_index=True,
    width="stretch",
    column_config={"date": st.column_config.DateColumn("date", format="YYYY-MM-DD")},
)


def confirm(key: tuple) -> None:
    # A callback, not the button's return value: a click survives a rerun of the page before
    # it gets here (the first run on a fresh server reruns through dashboard.py: see common)
    st.session_state[CONFIRMED] = key


if not c.changed:
    st.success("Everything in these files is already in the store: nothing to import.")
    st.stop()
st.button(
    f"Import {c.added + c.updated:,} papers",
    type="primary",
    icon=":material/download:",
    on_click=confirm,
    args=(preview_key,),
)
if st.session_state.pop(CONFIRMED, None) == preview_key:
    try:
        with st.spinner("Importing…"), upload_limits():
            report = import_files(store, inputs, **settings)
    except PapersError as exc:
        st.error(f"Import failed, the store is unchanged: {common.for_visitors(exc)}", icon=":material/error:")
        st.stop()
    log.info(
        "import by %s from the Import page: %s (store version %s)", common.user_name(), report.summary(), report.version
    )
    st.success(f"Imported: {report.summary()}. Store version {report.version or 'unchanged'}.")
    st.page_link("pages/home.py", label="Open the Daily Papers", icon=":material/today:")
