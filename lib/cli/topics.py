"""``python -m lib topics``: the topics found in the papers (NMF), or one paper's topic."""

from __future__ import annotations

import argparse
import json
from typing import IO

from lib.cli.common import Commands, Parser, ProgressLine, add_command, add_source, source, term_library
from lib.errors import PapersError
from lib.store.schema import source_name
from lib.store.store import Store
from lib.urlstate import TOPICS


def register(commands: Commands, data: Parser) -> None:
    top = add_command(commands, "topics", cmd_topics, "topics found in the papers (NMF)", data)
    top.add_argument("--k", type=int, default=0, metavar="N", help="number of topics (default: automatic)")
    top.add_argument("--paper", metavar="ID", help="print this paper's topic instead")
    add_source(
        top,
        "sizes count the papers from: all (default), hf (the Hugging Face daily list), arxiv, "
        "file:NAME (the topics are found in every paper)",
    )
    top.add_argument("--json", action="store_true", help="print [{topic, label, size, terms[]}] (or the paper's topic)")


def cmd_topics(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.text import arxiv_id

    library = term_library(Store(args.data), err)
    ds = library.dataset
    src = source(ds, args.src)
    k = args.k or library.auto_k()
    if not 2 <= k <= 60:
        raise PapersError("--k must be between 2 and 60 (or 0 for automatic)")
    progress = ProgressLine(err)
    try:
        model = library.topic_model(k, progress.share)
    finally:
        progress.done()
    if args.paper:
        row = ds.row_of(arxiv_id(args.paper) or args.paper.strip())
        if row is None:
            raise PapersError(f"no paper with id {args.paper!r} in the table")
        topic = int(model.dominant_[row])
        answer = {
            "id": ds.table["id"][row].as_py(),
            "title": ds.table["title"][row].as_py(),
            "topic": topic,
            "label": model.labels_[topic] if topic >= 0 else None,
            "weight": round(float(model.weight_[row]), 4),
        }
        out.write(
            json.dumps(answer, indent=1) + "\n"
            if args.json
            else f"{answer['id']}: topic {topic} ({answer['label']}), weight {answer['weight']:.0%}\n"
        )
        return 0
    page = library.topics({**TOPICS.decode({})[0], "k": k, "src": src})  # the Topics page's answer
    summary = page.summary
    if args.json:
        rows = [
            {
                "topic": int(r["topic"]),
                "label": r["label"],
                "size": int(r["papers"]),
                "terms": [t for t, _ in model.top_terms(int(r["topic"]), 10)],
            }
            for r in summary.to_dict("records")
        ]
        out.write(json.dumps(rows, indent=1) + "\n")
        return 0
    counted = "" if page.counted is None else f" ({page.counted:,} from {source_name(src)} counted)"
    out.write(f"{model.n_topics} topics in {ds.overview.papers:,} papers{counted}\n")
    for r in summary.to_dict("records"):
        out.write(f"{r['topic']:>3}  {r['papers']:>7,}  {r['label']:<42} {r['terms']}\n")
    return 0
