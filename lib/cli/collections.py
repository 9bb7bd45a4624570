"""``python -m lib collection list|show|add|remove|export`` and ``python -m lib recommend``: the
team's collections (lib.team.collections) and "more for this collection" from the command line;
``digest --collection`` (lib.cli.views) calls :func:`digest_collection`.

Who adds papers: ``--by NAME``, else lib.team.db.ANONYMOUS, as the app writes when sign-in is not
configured (never the shell's $USER: a cron job's account is not a teammate).  The ids added must
be in the table (an arXiv URL or ``arXiv:`` reference is read as its id); any id can be removed.
``recommend --since 30d`` counts back from the table's newest day, as the collection page's
window does (the 30 days ending on it); ``digest --since 1d`` counts back from today, as every
digest does (what was added and listed since yesterday).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from lib.cli.common import Commands, Parser, add_command, one_line_name, write_stdout_bytes
from lib.errors import PapersError
from lib.store.store import Store, write_bytes_atomic
from lib.urlstate import COLLECTION_SORTS

if TYPE_CHECKING:
    from lib.library import Library
    from lib.team.db import TeamDB

FORMATS = ("csv", "json", "bibtex")  # lib.store.exports.PAPER_LIST_FORMATS (not imported: pandas)


def register(commands: Commands, data: Parser) -> None:
    collection = add_command(commands, "collection", cmd_collection, "the team's collections of papers", None)
    actions = collection.add_subparsers(dest="action", required=True, parser_class=Parser)
    actions.add_parser("list", parents=[data], help="every collection: name, papers, who created it, last change")
    show = actions.add_parser("show", parents=[data], help="a collection's papers, with who added each and when")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--sort", choices=tuple(COLLECTION_SORTS), default="added", help="order (default added)")
    add = actions.add_parser("add", parents=[data], help="add papers (ids in the table) to a collection")
    add.add_argument("name", metavar="NAME", help="the collection (created if missing)")
    add.add_argument("ids", nargs="+", metavar="ID", help="paper ids (or arXiv URLs)")
    add.add_argument("--by", metavar="NAME", help="who adds them (default: anonymous)")
    remove = actions.add_parser("remove", parents=[data], help="remove papers from a collection")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("ids", nargs="+", metavar="ID", help="paper ids (or arXiv URLs)")
    export = actions.add_parser("export", parents=[data], help="a collection's papers as CSV, JSON or BibTeX")
    export.add_argument("name", metavar="NAME")
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--sort", choices=tuple(COLLECTION_SORTS), default="added", help="order (default added)")
    export.add_argument("--out", metavar="FILE", help="output file (default: standard output)")

    recommend = add_command(commands, "recommend", cmd_recommend, "more papers for a collection, with why", data)
    recommend.add_argument("name", metavar="NAME", help="the collection")
    recommend.add_argument(
        "--since", default="30d", help="papers listed since: 7d, 2w, 1m or a day YYYY-MM-DD (default 30d)"
    )
    recommend.add_argument("--limit", type=int, default=20, metavar="N", help="recommendations (default 20)")
    recommend.add_argument("--json", action="store_true", help="rows {rank, id, title, score, why[]}")


def _open(args: argparse.Namespace) -> tuple[Library, TeamDB]:
    from lib.library import Library
    from lib.team.db import TeamDB

    store = Store(args.data)
    return Library.open(store), TeamDB.open(store.path)


def _ids(library: Library, given: list[str], must_be_held: bool) -> list[str]:
    """The ids typed (an arXiv URL or reference read as its id), without repeats; when
    ``must_be_held``, every one in the table, else an error naming those that are not."""
    from lib.text import arxiv_id

    ids = list(dict.fromkeys(arxiv_id(text) or text.strip() for text in given))
    if must_be_held:
        ds = library.dataset
        unknown = [i for i in ids if ds.row_of(i) is None]
        if unknown:
            shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
            where = "the bundled demo (the store is empty)" if ds.is_sample else "the table"
            raise PapersError(f"not in {where}: {shown}; import them first")
    return ids


def cmd_collection(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    import pandas as pd

    from lib.team import collections
    from lib.team.db import writer_name

    library, db = _open(args)
    if args.action == "list":
        found = db.collections()
        for info in found:
            out.write(f"{info.name}\t{info.size}\t{info.created_by}\t{info.updated_at:%Y-%m-%d %H:%M}\n")
        if not found:
            err.write("no collections yet: python -m lib collection add NAME ID...\n")
        return 0
    if args.action == "add":
        if not one_line_name(args.name):
            raise PapersError("a collection's name is one line, without control characters")
        ids = _ids(library, args.ids, must_be_held=True)
        added = db.add(args.name, ids, writer_name(args.by))
        out.write(f"added {added} of {len(ids)} paper(s) to {args.name!r} ({len(ids) - added} already there)\n")
        return 0
    if args.action == "remove":
        ids = _ids(library, args.ids, must_be_held=False)
        removed = db.remove(args.name, ids)
        out.write(f"removed {removed} of {len(ids)} paper(s) from {args.name!r}\n")
        return 0
    papers = collections.collection_papers(library, db, args.name, args.sort)
    if args.action == "export":
        document = collections.export(args.format, args.name, papers)
        if args.out:
            write_bytes_atomic(Path(args.out).expanduser().resolve(), document)
            err.write(f"wrote {len(papers):,} papers to {args.out}\n")
        else:
            write_stdout_bytes(out, document)
        return 0
    shown: Iterable[Any] = papers.itertuples(index=False)  # show
    for paper in shown:
        day = "" if pd.isna(paper.date) else f"{paper.date:%Y-%m-%d}"
        out.write(f"{paper.id}\t{day}\t{paper.added_by}\t{paper.added_at:%Y-%m-%d %H:%M}\t{paper.title}\n")
    if papers.empty:
        err.write(f"{args.name!r} has no papers yet\n")
    return 0


def cmd_recommend(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.team import collections
    from lib.team.views import parse_since

    if args.limit < 1:
        raise PapersError("--limit must be at least 1")
    library, db = _open(args)
    days = library.dataset.days
    newest = days[-1].astype(dt.date) if len(days) else dt.date.today()
    since = parse_since(args.since, newest + dt.timedelta(days=1))  # 30d: the 30 days ending on the newest
    found = collections.recommendations(library, db, args.name, since, limit=args.limit)
    papers: Iterable[Any] = found.itertuples(index=False)
    rows = [(int(p.rank), str(p.id), str(p.title), round(float(p.score), 6), [str(w) for w in p.why]) for p in papers]
    if args.json:
        keys = ("rank", "id", "title", "score", "why")
        out.write(json.dumps([dict(zip(keys, row, strict=True)) for row in rows], ensure_ascii=False, indent=1) + "\n")
    else:
        for rank, paper_id, title, score, why in rows:
            out.write(f"{rank:>3}  {score:.3f}  {paper_id}  {title}\n")
            out.write(f"     why: {', '.join(why) or '-'}\n")
    if not rows:
        err.write(f"no recommendations for {args.name!r} among the papers listed since {since}\n")
    return 0


def digest_collection(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``digest --collection NAME``: "new for this collection" since ``--since`` (from today)."""
    from lib.cli.views import deliver
    from lib.team import collections
    from lib.team.views import parse_since

    library, db = _open(args)
    since = parse_since(args.since, dt.date.today())
    return deliver(args, collections.collection_digest(library, db, args.collection, since), out, err)
