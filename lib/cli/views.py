"""``python -m lib views|digest|feed``: saved views, their e-mail digests and their Atom feeds."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import IO, TYPE_CHECKING

from lib.cli.common import Commands, Parser, add_command, one_line_name, write_stdout_bytes
from lib.errors import PapersError
from lib.store.store import Store, write_bytes_atomic

if TYPE_CHECKING:
    from lib.team.views import ViewLink


def register(commands: Commands, data: Parser) -> None:
    views = add_command(commands, "views", cmd_views, "saved views: name -> link", data)
    views.add_argument("action", choices=("list", "add", "remove"), nargs="?", default="list")
    views.add_argument("name", nargs="?", help="the view's name")
    views.add_argument("link", nargs="?", help="its link (a Search, Trends, Topics or Daily Papers URL)")

    digest = add_command(commands, "digest", cmd_digest, "the new papers of a saved view, as an e-mail", data)
    digest.add_argument("view", metavar="VIEW", nargs="?", help="a saved view's name, or a link")
    digest.add_argument("--collection", metavar="NAME", help='instead of a view: "new for this collection"')
    digest.add_argument("--since", default="7d", help="7d, 2w, 1m or a day YYYY-MM-DD (default 7d)")
    digest.add_argument("--send", action="store_true", help="send it over SMTP ($PAPERS_SMTP_HOST, ...)")
    digest.add_argument("--to", action="append", default=[], metavar="ADDRESS", help="recipient (repeatable)")
    digest.add_argument("--out", metavar="FILE", help="write the HTML there (default: print the text)")

    feed = add_command(commands, "feed", cmd_feed, "an Atom feed of a saved view's newest papers", data)
    feed.add_argument("view", metavar="VIEW", help="a saved view's name, or a link")
    feed.add_argument("--limit", type=int, default=50, metavar="N", help="entries (default 50)")
    feed.add_argument("--out", metavar="FILE", help="output file (default: standard output)")


def _view(store: Store, name_or_link: str) -> tuple[str, ViewLink]:
    """A saved view's name and link, or ("view", the link itself)."""
    from lib.team.db import TeamDB
    from lib.team.views import ViewLink

    views = TeamDB.open(store.path).views()
    link = views.get(name_or_link, name_or_link)
    return (name_or_link if name_or_link in views else "view"), ViewLink.parse(link)


def cmd_views(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.team.db import ANONYMOUS, TeamDB
    from lib.team.views import ViewLink

    db = TeamDB.open(Store(args.data).path)
    if args.action == "add":
        if not args.name or not args.link:
            raise PapersError("usage: python -m lib views add NAME LINK")
        ViewLink.parse(args.link)  # a link that cannot be used is refused now, not at digest time
        if not one_line_name(args.name):
            raise PapersError("a view's name is one line, without control characters")
        db.save_view(args.name, args.link, ANONYMOUS)
    elif args.action == "remove" and not db.remove_view(args.name or ""):
        raise PapersError(f"no saved view named {args.name!r}")
    for name, link in sorted(db.views().items()):
        out.write(f"{name}\t{link}\n")
    return 0


def cmd_digest(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if (args.collection is None) == (args.view is None):
        raise PapersError("name a saved view (or a link), or pass --collection NAME: one of the two")
    if args.collection is not None:  # the papers added to a collection and recommended for it
        from lib.cli.collections import digest_collection

        return digest_collection(args, out, err)
    from lib.library import Library
    from lib.team import views as views_module

    store = Store(args.data)
    name, view = _view(store, args.view)
    since = views_module.parse_since(args.since, dt.date.today())
    papers = views_module.view_papers(view, Library.open(store), since)
    return deliver(args, views_module.render_digest(name, view, papers, since), out, err)


def deliver(args: argparse.Namespace, digest: tuple[str, str, str], out: IO[str], err: IO[str]) -> int:
    """A digest ``(subject, text, html)`` sent by e-mail (``--send --to``), written as HTML
    (``--out``), or else printed as text: every digest's way out."""
    from lib.team.views import send_digest

    subject, text, page = digest
    if args.send:
        send_digest(subject, text, page, args.to)
        err.write(f"sent {subject!r} to {', '.join(args.to)}\n")
    if args.out:
        write_bytes_atomic(args.out, page.encode("utf-8"))
    elif not args.send:
        out.write(text)
    return 0


def cmd_feed(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.library import Library
    from lib.team import views as views_module

    if args.limit < 1:
        raise PapersError("--limit must be at least 1")
    store = Store(args.data)
    name, view = _view(store, args.view)
    papers = views_module.view_papers(view, Library.open(store), None, limit=args.limit, newest_first=True)
    document = views_module.atom_feed(name, view, papers)
    if args.out:
        write_bytes_atomic(args.out, document)
    else:
        write_stdout_bytes(out, document + b"\n")
    return 0
