"""``python -m lib topics``: the broad areas and their fine topics found in the papers, with
the model's quality; or one paper's topic and area."""

from __future__ import annotations

import argparse
import json
from typing import IO, TYPE_CHECKING, Any

from lib.cli.common import Commands, Parser, ProgressLine, add_command, add_source, source, topic_library
from lib.errors import PapersError
from lib.store.schema import source_name
from lib.store.store import Store
from lib.urlstate import TOPICS

if TYPE_CHECKING:
    from lib.library import Library, TopicsAnswer
    from lib.topics.topics import TopicModel


def register(commands: Commands, data: Parser) -> None:
    top = add_command(commands, "topics", cmd_topics, "broad areas and their fine topics found in the papers", data)
    top.add_argument("--k", type=int, default=0, metavar="N", help="number of fine topics (default: automatic)")
    top.add_argument("--paper", metavar="ID", help="print this paper's topic and area instead")
    add_source(
        top,
        "sizes count the papers from: all (default), hf (the Hugging Face daily list), arxiv, "
        "file:NAME (the topics are found in every paper)",
    )
    top.add_argument(
        "--json",
        action="store_true",
        help="print {areas: [{area, label, papers, topics: [...]}], quality: {...}} (or the paper's topic and area)",
    )


def cmd_topics(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from lib.text import arxiv_id
    from lib.topics.topics import MAX_K

    if args.k and not 2 <= args.k <= MAX_K:
        raise PapersError(f"--k must be between 2 and {MAX_K} (or 0 for automatic)")
    library = topic_library(Store(args.data), args.k, err)
    ds = library.dataset
    src = source(ds, args.src)
    row = None
    if args.paper:  # an unknown id is told before minutes of fitting
        row = ds.row_of(arxiv_id(args.paper) or args.paper.strip())
        if row is None:
            raise PapersError(f"no paper with id {args.paper.strip()!r} in the table")
    k = args.k or library.auto_k()
    progress = ProgressLine(err, f"topic model (k={k})")
    try:
        if row is not None:
            model = library.named_model(k, progress.share)  # labels: the names people gave, else automatic
            _paper(library, model, row, args.json, out)
        else:
            answer = library.topics({**TOPICS.decode({})[0], "k": k, "src": src}, progress.share)  # the page's
            _areas(answer, ds.overview.papers, args.json, out)
    finally:
        progress.done()
    return 0


def _paper(library: Library, model: TopicModel, row: int, as_json: bool, out: IO[str]) -> None:
    """One paper's topic and area (ids and labels) and its weight."""
    table = library.dataset.table
    placed = library.paper_topics([row], model.k).iloc[0]
    answer = {
        "id": table["id"][row].as_py(),
        "title": table["title"][row].as_py(),
        "topic": int(placed["topic"]),
        "topic_label": str(placed["topic_label"]),
        "area": int(placed["area"]),
        "area_label": str(placed["area_label"]),
        "weight": round(float(model.weight_[row]), 4),
    }
    if as_json:
        out.write(json.dumps(answer, indent=1, ensure_ascii=False) + "\n")
    elif answer["topic"] < 0:
        out.write(f"{answer['id']}: no topic (none of its words is in the topics' vocabulary)\n")
    else:
        out.write(
            f"{answer['id']}: topic {answer['topic']} ({answer['topic_label']}), "
            f"area {answer['area']} ({answer['area_label']}), weight {answer['weight']:.0%}\n"
        )


def _areas(answer: TopicsAnswer, papers: int, as_json: bool, out: IO[str]) -> None:
    """The areas, largest first, each with its fine topics, and the model's quality."""
    from lib.text import count_text
    from lib.topics.topics import WEAK_NPMI

    model, fine, areas, counted, src = answer.model, answer.summary, answer.areas, answer.counted, answer.state["src"]
    quality = {
        "topic_coherence": round(model.mean_coherence, 4),
        "area_coherence": round(float(model.area_coherence_.mean()) if model.n_areas else 0.0, 4),
        "diversity": round(model.diversity, 4),
        "weak_topics": int(fine["weak"].sum()),
        "weak_under": WEAK_NPMI,
    }
    if as_json:
        document = {
            "k": model.n_topics,
            "papers": papers,
            "counted": counted,
            "src": src,
            "areas": [
                {
                    "area": int(a["area"]),
                    "label": a["label"],
                    "papers": int(a["papers"]),
                    "share": round(float(a["share"]), 6),
                    "coherence": round(float(a["coherence"]), 4),
                    "terms": _terms(model, model.area_row_of(int(a["area"])), area=True),
                    "topics": [_topic(model, t) for t in fine[fine["area"] == a["area"]].to_dict("records")],
                }
                for a in areas.to_dict("records")
            ],
            "quality": quality,
        }
        out.write(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
        return
    of = "" if counted is None else f" ({counted:,} from {source_name(src)} counted)"
    out.write(f"{model.n_topics} topics in {model.n_areas} areas, {papers:,} papers{of}\n")
    out.write(f"quality: {answer.quality}\n")
    for a in areas.to_dict("records"):
        sizes = f"{count_text(a['papers'], 'paper')} · {count_text(a['topics'], 'topic')}"
        out.write(f"\narea {a['area']}: {a['label']} · {sizes}\n")
        for t in fine[fine["area"] == a["area"]].to_dict("records"):
            marks = "".join(f"  [{m}]" for m in ("weak" if t["weak"] else "", t["status"]) if m)
            out.write(f"  {t['topic']:>4}  {t['papers']:>7,}  {t['label']:<48} npmi {t['coherence']:+.2f}{marks}\n")


def _terms(model: TopicModel, row: int | None, area: bool = False) -> list[str]:
    """The top terms of a topic (an area) as its coherence counts them."""
    from lib.topics.topics import COHERENCE_TERMS

    return [] if row is None else [t for t, _ in model.top_terms(row, COHERENCE_TERMS, area)]


def _topic(model: TopicModel, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "topic": int(row["topic"]),
        "label": row["label"],
        "papers": int(row["papers"]),
        "share": round(float(row["share"]), 6),
        "coherence": round(float(row["coherence"]), 4),
        "weak": bool(row["weak"]),
        "status": row["status"],
        "terms": _terms(model, model.row_of(int(row["topic"]))),
    }
