"""A hand-written table of 18 papers whose search results can be worked out by reading it.

Every expectation in test_search.py / test_cli_search.py is derived from these texts;
the comments say which word each paper is here for.  The rows are deliberately not
in date order, so "newest first" is never just "the reverse of the table".
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

TODAY = dt.date(2026, 11, 27)

LONG_ABSTRACT = " ".join(
    [f"w{i}" for i in range(60)]  # tokens 0-59
    + ["byte-level", "tokenizers", "split", "rare", "tokenizer", "pieces"]  # 60-65: matches at 61 and 64
    + [f"v{i}" for i in range(12)]  # 66-77
)
HOSTILE_ABSTRACT = (
    "Beware <script>alert(1)</script> and [x](javascript:alert(1)) and $E=mc^2$ and :red[big] markup in abstracts."
)

# key -> raw record (the contract keys of lib.store.schema.make_record)
PAPERS: dict[str, dict] = {
    # "agent" in the title; "web" in title and keywords; Tanaka is an author
    "rl_web": dict(
        id="2601.00001",
        title="Reinforcement Learning Agents for Web Navigation",
        abstract="We train browsing policies with reinforcement learning and evaluate them on shopping websites.",
        authors=["Maria Rossi", "Kenji Tanaka"],
        keywords=["reinforcement learning", "web navigation"],
        date="2026-01-05",
        upvotes=40,
        categories=["cs.AI", "cs.LG"],
    ),
    # "agents" in the title; "large language models" adjacent, in order
    "tool_agents": dict(
        id="2601.00002",
        title="A Survey of Tool-Using Language Agents",
        abstract="Large language models that call tools are reviewed; we catalogue planning, memory and evaluation.",
        authors=["Ana Souza"],
        keywords=["agents", "tool use"],
        date="2026-01-12",
        upvotes=25,
        categories=["cs.CL"],
    ),
    # large, language, models all present but apart and out of order
    "speech": dict(
        id="2601.00003",
        title="Scaling Laws for Speech Recognition",
        abstract="A large study of how vision models process spoken language across many datasets.",
        authors=["Li Wei"],
        date="2026-01-19",
        upvotes=None,
        categories=["eess.AS", "cs.CL"],
    ),
    # "LLM" singular only; Tanaka is an author
    "llm_judge": dict(
        id="2602.00004",
        title="Calibrating an LLM Judge",
        abstract="We measure how often an LLM grader agrees with human raters on essay scoring.",
        authors=["Omar Haddad", "Kenji Tanaka"],
        date="2026-02-02",
        upvotes=3,
        categories=["cs.CL"],
    ),
    # accents: Schrödinger, Élodie; "diffusion"
    "schrodinger": dict(
        id="2602.00005",
        title="Schrödinger Bridges for Image Translation",
        abstract="Diffusion models learn a stochastic bridge between two image domains without paired data.",
        authors=["Élodie Martin"],
        keywords=["diffusion", "optimal transport"],
        date="2026-02-09",
        upvotes=60,
        categories=["cs.CV", "cs.LG"],
    ),
    # "retrieval" (and dense, scale) in the title only
    "dense": dict(
        id="2602.00006",
        title="Dense Retrieval at Scale",
        abstract="We index a billion passages with learned embeddings and answer questions quickly.",
        authors=["Sven Berg"],
        date="2026-02-16",
        upvotes=12,
        categories=["cs.IR"],
    ),
    # "retrieval", "agent", dense, scale in the abstract only
    "memory": dict(
        id="2602.00007",
        title="Memory Networks Revisited",
        abstract="Old memory architectures still help a dense retrieval agent recall rare facts at scale in "
        "question answering.",
        authors=["Priya Nair"],
        date="2026-02-23",
        upvotes=8,
        categories=["cs.CL"],
    ),
    # "fine-tuning" and "fine-tuned models" (hyphenated)
    "ft_vision": dict(
        id="2603.00008",
        title="Parameter-Efficient Fine-Tuning of Vision Encoders",
        abstract="Adapters make fine-tuning cheap; we release the fine-tuned models and code.",
        authors=["Maria Rossi"],
        date="2026-03-02",
        upvotes=33,
        categories=["cs.CV"],
    ),
    # "Finetuning" and "finetuned model" (joined)
    "ft_law": dict(
        id="2603.00009",
        title="Finetuning Legal Assistants",
        abstract="A finetuned model drafts contracts and cites statutes.",
        authors=["Jonas Weber"],
        date="2026-03-09",
        upvotes=5,
        categories=["cs.CL"],
    ),
    # fine, tuned, model all present, never adjacent
    "small_fine": dict(
        id="2603.00010",
        title="Small Models Can Be Fine",
        abstract="Tuned carefully, a compact model matches larger ones on arithmetic.",
        authors=["Grace Kim"],
        date="2026-03-16",
        upvotes=None,
        categories=["cs.LG"],
    ),
    # "reagent": must never match "agent"; upvotes 0
    "reagent": dict(
        id="2603.00011",
        title="Reagent Selection for Organic Synthesis",
        abstract="Choosing a reagent and reaction conditions for chemists, ranked by predicted yield.",
        authors=["Ida Holm"],
        date="2026-03-23",
        upvotes=0,
        categories=["physics.chem-ph"],
    ),
    # "agentic": must never match "agent"
    "agentic": dict(
        id="2603.00012",
        title="Agentic Workflows in Spreadsheets",
        abstract="Agentic assistants edit formulas and charts on request.",
        authors=["Tom Baker"],
        date="2026-03-30",
        upvotes=15,
        categories=["cs.AI"],
    ),
    # robot; "language model" adjacent; "LLMs" plural
    "robot_lm": dict(
        id="2604.00013",
        title="Robots That Follow Instructions",
        abstract="A language model turns spoken instructions into robot plans; LLMs help with rare words.",
        authors=["Nadia Petrova"],
        date="2026-04-06",
        upvotes=20,
        categories=["cs.RO", "cs.CL"],
    ),
    # robot; model ... language, not "language model"; Tanaka only in the abstract
    "robot_grasp": dict(
        id="2604.00014",
        title="Robot Grasping From Few Demonstrations",
        abstract="Following the Tanaka protocol, we fit a model of grasping that needs no language, "
        "trained on twenty demonstrations.",
        authors=["Luis García"],
        date="2026-04-13",
        upvotes=9,
        categories=["cs.RO"],
    ),
    # the two protein papers: each other's nearest neighbour
    "protein_a": dict(
        id="2605.00015",
        title="Protein Folding With Geometric Transformers",
        abstract="A geometric transformer for protein structure prediction from sequence, folding chains "
        "with equivariant attention.",
        authors=["Hana Sato"],
        keywords=["protein folding", "equivariance"],
        date="2026-05-04",
        upvotes=70,
        categories=["q-bio.BM", "cs.LG"],
    ),
    "protein_b": dict(
        id="2605.00016",
        title="Equivariant Attention for Protein Structure Prediction",
        abstract="Protein folding from sequence with an equivariant transformer; structure prediction of "
        "chains improves.",
        authors=["Ravi Kumar"],
        keywords=["protein structure"],
        date="2026-05-11",
        upvotes=45,
        categories=["q-bio.BM"],
    ),
    # markup that must stay literal
    "hostile": dict(
        id="2605.00017",
        title="On Unsafe Markup in Abstracts",
        abstract=HOSTILE_ABSTRACT,
        authors=["Eve Mallory"],
        date="2026-05-18",
        upvotes=None,
        categories=["cs.CR"],
    ),
    # a long abstract whose matches are near its end (snippets)
    "long": dict(
        id="2606.00018",
        title="A Long Abstract About Tokenizers",
        abstract=LONG_ABSTRACT,
        authors=["Uma Rao"],
        date="2026-06-01",
        upvotes=2,
        categories=["cs.CL"],
    ),
}

# table order: shuffled by hand, not by date
ORDER = [
    "memory",
    "protein_b",
    "rl_web",
    "hostile",
    "ft_law",
    "speech",
    "robot_grasp",
    "agentic",
    "long",
    "schrodinger",
    "tool_agents",
    "small_fine",
    "reagent",
    "robot_lm",
    "dense",
    "llm_judge",
    "protein_a",
    "ft_vision",
]
assert sorted(ORDER) == sorted(PAPERS)

ID = {key: paper["id"] for key, paper in PAPERS.items()}
KEY = {paper["id"]: key for key, paper in PAPERS.items()}


def day(key: str) -> dt.date:
    return dt.date.fromisoformat(PAPERS[key]["date"])


def newest_first(keys) -> list[str]:
    return sorted(keys, key=day, reverse=True)


def build_table(keys=None):
    """The papers as an Arrow table (lib.store.schema contract), rows in ``ORDER``."""
    from lib.store.schema import make_record, records_to_table

    records = []
    for key in keys or ORDER:
        raw = dict(PAPERS[key], date=day(key))
        records.append(make_record(raw, sources=["arxiv"], today=TODAY))
    return records_to_table(records)


def write_jsonl(path: Path, keys=None) -> Path:
    """The papers as a JSON Lines file in the project's own format (for the importer)."""
    path.write_text("".join(json.dumps(PAPERS[k], ensure_ascii=False) + "\n" for k in keys or ORDER), encoding="utf-8")
    return path
