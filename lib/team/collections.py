"""A team's collections: their papers, recommendations, exports, Atom feeds and e-mail digests.

A collection is a name and its members (paper ids, who added each and when) in the team's
database (lib.team.db).  :func:`collection_papers` joins the members to the table, in one of the
page's orders (lib.urlstate.COLLECTION_SORTS); :func:`recommendations` are "more for this
collection" (lib.team.recommend) as paper rows; :func:`export` writes the papers as CSV, JSON or
BibTeX (lib.store.exports); :func:`collection_feed` and :func:`collection_digest` reuse the
saved views' Atom feed and e-mail digest (lib.team.views) with the collection's page as the view.

A paper the table no longer holds (a store emptied or replaced, a paper known by a title id
that an arXiv import renamed) is never dropped silently: it stays a row with its id, the title
:data:`MISSING_TITLE`, its arXiv page as ``url`` when the id is an arXiv id, no day, no upvotes
and ``row`` <NA>; every order but "added" puts such papers last, and exports hold them.
Removing it from the collection is the way to drop it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from lib.store import exports
from lib.store.schema import COLUMNS, LIST_COLUMNS
from lib.team.views import ViewLink, atom_feed, render_sections, site_base
from lib.text import arxiv_abs_url, arxiv_id, fold
from lib.urlstate import COLLECTIONS

if TYPE_CHECKING:
    from lib.library import Library
    from lib.team.db import TeamDB

MISSING_TITLE = "(no longer in the table)"
FEED_SIZE = 50  # the most recently added papers a collection's feed holds
DIGEST_RECOMMENDATIONS = 20  # recommendations a collection's digest lists
ADDED = ["added_by", "added_at", "row"]  # the columns a collection's papers have after the table's


# --- the papers ----------------------------------------------------------------------------------
def collection_link(name: str) -> str:
    """The collection's page, relative to the app: ``/collections?collection=NAME``."""
    return COLLECTIONS.link({"collection": name})


def collection_view(name: str, base: str | None = None) -> ViewLink:
    """The collection's page as a view (its ``url``, and the ``base`` its papers' links live on:
    ``base``, else lib.team.views.site_base)."""
    return ViewLink.parse(collection_link(name), base or site_base())


def collection_papers(library: Library, db: TeamDB, name: str, sort: str = "added") -> pd.DataFrame:
    """The papers of collection ``name``: the table's columns (lib.store.schema), then
    ``added_by``, ``added_at`` (UTC) and ``row`` (the paper's table row, <NA> for a paper the
    table no longer holds: see the module's doc), in the order ``sort``
    (lib.urlstate.COLLECTION_SORTS).  An unknown collection: lib.team.db.TeamError."""
    if sort not in ("added", "date", "upvotes", "title"):
        raise ValueError(f"not a collection order: {sort!r}")
    members = db.members(name)
    ids = [str(i) for i in members["id"]]
    ds = library.dataset
    held = ds.rows_of(ids)
    held_ids = ds.table["id"].take(pa.array(held, pa.int64())).to_pylist()
    row_of = dict(zip(held_ids, held.tolist(), strict=True))
    rows = np.array([row_of.get(i, -1) for i in ids], dtype=np.int64)
    found = rows >= 0
    papers = ds.papers(rows[found]).reset_index(drop=True)
    if not found.all():
        papers = _with_missing(papers, [i for i, f in zip(ids, found, strict=True) if not f], found)
    papers["added_by"] = members["added_by"].astype(str).to_numpy()
    papers["added_at"] = pd.DatetimeIndex(pd.to_datetime(members["added_at"], utc=True))
    papers["row"] = pd.array([int(r) if r >= 0 else None for r in rows], dtype="Int64")
    return sort_papers(papers, sort)


def _with_missing(papers: pd.DataFrame, missing: list[str], found: np.ndarray) -> pd.DataFrame:
    """``papers`` (the members the table holds, in order) with a row for each of ``missing``
    (the others) at its place among them (``found``: per member, whether the table holds it)."""
    gone = pd.DataFrame(
        {
            "id": missing,
            "title": MISSING_TITLE,
            "abstract": "",
            "url": [arxiv_abs_url(i) if arxiv_id(i) == i else "" for i in missing],
            "listed": False,
        }
    )
    for column in LIST_COLUMNS:
        gone[column] = [[] for _ in missing]
    gone = gone.reindex(columns=papers.columns)
    whole = pd.concat([papers, gone.astype(papers.dtypes.to_dict())], ignore_index=True)
    order = np.empty(len(found), dtype=np.int64)
    order[np.flatnonzero(found)] = np.arange(int(found.sum()))
    order[np.flatnonzero(~found)] = np.arange(int(found.sum()), len(found))
    return whole.iloc[order].reset_index(drop=True)


def sort_papers(papers: pd.DataFrame, sort: str) -> pd.DataFrame:
    """A collection's papers in a page order: ``added`` (most recently added first), ``date``
    (newest paper first), ``upvotes`` (most upvoted first), ``title`` (A to Z, accents and case
    aside); ties (and papers without a day or upvotes, last) by most recently added."""
    recent = papers.iloc[::-1]  # members come oldest first: this puts the latest added first
    if sort == "added":
        ordered = recent.sort_values("added_at", ascending=False, kind="stable")
    elif sort == "title":
        keys = recent["title"].map(lambda title: fold(str(title)))
        keys = keys.where(recent["row"].notna(), "\U0010ffff")  # papers the table lacks last
        ordered = recent.iloc[np.argsort(keys.to_numpy(dtype=object), kind="stable")]
    else:
        column = "date" if sort == "date" else "upvotes"
        ordered = recent.sort_values(column, ascending=False, kind="stable", na_position="last")
    return ordered.reset_index(drop=True)


def added_since(papers: pd.DataFrame, since: dt.date | None) -> pd.DataFrame:
    """The papers added on or after ``since`` (a UTC day), all of them for None."""
    if since is None:
        return papers
    return papers[papers["added_at"] >= pd.Timestamp(since, tz="UTC")]


# --- recommendations -----------------------------------------------------------------------------
def recommendations(
    library: Library, db: TeamDB, name: str, since: dt.date | None, limit: int = DIGEST_RECOMMENDATIONS
) -> pd.DataFrame:
    """ "More for this collection": papers listed on or after ``since`` that are neither in it nor
    marked not relevant for it, ranked by a classifier trained on its papers against its "not
    relevant" marks and the rest (lib.team.recommend): the table's columns, then ``rank``,
    ``score`` and ``why`` (the terms that drove each).  None when the collection is empty."""
    from lib.team.recommend import recommend

    positives = frozenset(db.members(name)["id"])
    if not positives:
        return pd.DataFrame(columns=[*COLUMNS, "rank", "score", "why"])
    negatives = frozenset(db.not_relevant(name))

    def compute() -> pd.DataFrame:
        found = recommend(library, set(positives), set(negatives), since=since, limit=limit)
        papers = library.dataset.papers(found["row"].to_numpy(dtype=np.int64)).reset_index(drop=True)
        papers["rank"] = found["rank"].to_numpy()
        papers["score"] = found["score"].to_numpy(dtype=float)
        papers["why"] = [list(terms) for terms in found["why"]]
        return papers

    # the same papers, marks and window give the same answer: a reload, a teammate, the next
    # page of the collection do not fit the classifier again (about 1 s for 1,000 papers at 75k)
    return library.remembered(("recommendations", positives, negatives, since, limit), compute).copy()


# --- exports, feed, digest -------------------------------------------------------------------------
def export(fmt: str, name: str, papers: pd.DataFrame, base: str | None = None) -> bytes:
    """The collection's papers (:func:`collection_papers`) as CSV, JSON or BibTeX
    (lib.store.exports.PAPER_LIST_FORMATS): CSV and JSON with ``added_by`` and ``added_at``
    (ISO 8601, UTC) after the table's columns; JSON as ``{collection, link, count, papers}``."""
    shown = papers.drop(columns=["row"])
    shown["added_at"] = [f"{t:%Y-%m-%dT%H:%M:%S}Z" for t in papers["added_at"].dt.tz_convert("UTC")]
    return exports.paper_list(fmt, shown, {"collection": name, "link": collection_view(name, base).url})


def collection_feed(name: str, papers: pd.DataFrame, base: str | None = None, now: dt.datetime | None = None) -> bytes:
    """An Atom feed of the collection's :data:`FEED_SIZE` most recently added papers, newest
    added first, each entry ``updated`` when it was added (lib.team.views.atom_feed)."""
    newest = papers.sort_values("added_at", ascending=False, kind="stable")[:FEED_SIZE]
    return atom_feed(f"collection {name}", collection_view(name, base), newest, now)


def collection_digest(
    library: Library, db: TeamDB, name: str, since: dt.date, base: str | None = None
) -> tuple[str, str, str]:
    """``(subject, plain text, HTML)`` of "new for this collection" since ``since``: the papers
    teammates added on or after that day (most recent first, with who added each and when), and
    the recommendations among the papers listed on or after it (:func:`recommendations`), each
    with the terms that drove it."""
    added = added_since(collection_papers(library, db, name, "added"), since).copy()
    added["note"] = [
        f"added by {by} on {at:%Y-%m-%d %H:%M} UTC" for by, at in zip(added["added_by"], added["added_at"])
    ]
    recommended = recommendations(library, db, name, since)
    recommended["note"] = [
        f"why: {', '.join(why)}" if len(why) else "why: similar to the collection's papers"
        for why in recommended["why"]
    ]
    subject = (
        f"{name}: {len(added)} added, {len(recommended)} recommended since {since}"
        if len(added) or len(recommended)
        else f"{name}: nothing new since {since}"
    )
    sections = [("Added by the team", added), ("Recommended for this collection", recommended)]
    return render_sections(subject, collection_view(name, base), sections, "Nothing new for this collection.")
