"""Two hand-written tables for the keyword-trends tests (test_trends.py, test_cli_trends.py).

PAPERS: 20 papers from 2024-10 to 2026-02 whose term counts can be read off the texts.
December 2024 is empty, January 2025 holds exactly one paper, and June–December 2025
(two whole quarters) are empty.  The comment on each paper says which of the tracked
terms it mentions:

    A   "agent" as a whole word (agent, agents, Agent's, AGENT, multi-agent, agent-based)
    TS  "time series" (also "time-series")
    MoE "mixture of experts" (also "Mixture-of-Experts", "Mixtures of experts")
    FT  "fine-tuned models" (also "Finetuned Models" and "fine tuned models": one term)

Per month (papers: A / TS / MoE / FT):

    2024-10  3: p01 A TS MoE, p02 -, p03 MoE           A 1/3  TS 1/3  MoE 2/3
    2024-11  2: p04 A TS, p05 FT                       A 1/2  TS 1/2  FT 1/2
    2024-12  0
    2025-01  1: p06 A TS                               A 1/1  TS 1/1
    2025-02  3: p07 TS MoE, p08 A (keyword), p09 -     A 1/3  TS 1/3  MoE 1/3
    2025-03  2: p10 TS MoE, p11 A FT                   A 1/2  TS 1/2  MoE 1/2  FT 1/2
    2025-04  3: p12 A, p13 A TS, p14 MoE               A 2/3  TS 1/3  MoE 1/3
    2025-05  2: p15 A, p16 -                           A 1/2
    2025-06 .. 2025-12  0
    2026-01  2: p17 A FT, p18 MoE                      A 1/2  MoE 1/2  FT 1/2
    2026-02  2: p19 A TS, p20 A FT                     A 2/2  TS 1/2  FT 1/2

Traps: p02/p09/p14 say reagent, agentic, agenda, agency (never "agent"); p05 has an
author named Agent and no agent in its text; p16 says agenesis; p20 says "fine tuned
models" (two words: fine-tuned spaced, the same term).  Completions of "agen": agent (11 papers), agentic (3: p02 p09
p14), agentbased (2: p11 p15), agency (1: p09), agenda (1: p09), agenesis (1: p16).

EMERGING_PAPERS: 140 generated papers for emerging(), with the last day 2026-06-30: with
``recent_days=90, baseline_days=365`` the recent window is 2026-04-02..2026-06-30 (40
papers) and the baseline 2025-04-02..2026-04-01 (80 papers); 20 older papers lie before
it (one on 2025-04-01, the day before the baseline).  Titles are a topic word and a
unique tag; abstracts are empty:

    term          baseline (of 80)   recent (of 40)
    quantum        4  (5%)           24 (60%)     clearly rising
    convolution   28  (35%)           2  (5%)     clearly fading
    diffusion     20  (25%)          10 (25%)     flat
    zebrafish      0                  1 (2.5%)    tiny: 1 vs 0
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

TODAY = dt.date(2026, 11, 27)

# key -> raw record (the contract keys of lib.store.schema.make_record)
PAPERS: dict[str, dict] = {
    # A (title "Agents"), TS, MoE
    "p01": dict(
        id="2410.00001",
        date="2024-10-07",
        title="Agents for Time Series Forecasting",
        abstract="We study time series with a mixture of experts.",
        authors=["Ada Lovelace"],
    ),
    # reagent, agentic: no A
    "p02": dict(
        id="2410.00002",
        date="2024-10-08",
        title="A Reagent Screening Study",
        abstract="Reagent choice matters; no agentic methods here.",
        authors=["Bo Chen"],
    ),
    # MoE (hyphenated, title and abstract); the 4-word "mixture of experts routing"
    "p03": dict(
        id="2410.00003",
        date="2024-10-21",
        title="Mixture-of-Experts Routing at Scale",
        abstract="Sparse mixture-of-experts layers route tokens.",
        authors=["Cy Diaz"],
    ),
    # A (multi-agent, agents), TS (time-series)
    "p04": dict(
        id="2411.00004",
        date="2024-11-04",
        title="Multi-Agent Systems for Traffic",
        abstract="We coordinate agents with time-series data.",
        authors=["Di Evans"],
    ),
    # FT; "Agent" only as an author's name
    "p05": dict(
        id="2411.00005",
        date="2024-11-05",
        title="Fine-Tuned Models Forget",
        abstract="We show fine-tuned models forget pretraining data.",
        authors=["Maria Agent"],
    ),
    # the only paper of January 2025: A (Agent's, AGENT), TS
    "p06": dict(
        id="2501.00006",
        date="2025-01-15",
        title="An Agent's Memory",
        abstract="The AGENT remembers long time series.",
        authors=["Ed Fox"],
    ),
    # accents: Schrödinger; TS, MoE
    "p07": dict(
        id="2502.00007",
        date="2025-02-03",
        title="Schrödinger Bridges for Time Series",
        abstract="A mixture of experts model.",
        authors=["Fa Gil"],
    ),
    # A only in the keywords (same day as p07)
    "p08": dict(
        id="2502.00008",
        date="2025-02-03",
        title="Protein Design",
        abstract="No relevant words.",
        authors=["Gi Ho"],
        keywords=["agent", "proteins"],
    ),
    # agentic, agenda, agency: no A
    "p09": dict(
        id="2502.00009",
        date="2025-02-17",
        title="Agentic Workflows",
        abstract="Agentic tools and an agenda for the agency.",
        authors=["Ha Ito"],
    ),
    # Schrodinger without the accent; MoE (plural "Mixtures"), TS
    "p10": dict(
        id="2503.00010",
        date="2025-03-10",
        title="Schrodinger Equation Solvers",
        abstract="Mixtures of experts solve time series problems.",
        authors=["Io Ju"],
    ),
    # FT (joined "Finetuned Models"), A (agent-based)
    "p11": dict(
        id="2503.00011",
        date="2025-03-31",
        title="Finetuned Models in Practice",
        abstract="Finetuned models and agent-based simulation.",
        authors=["Ja Ko"],
    ),
    # A
    "p12": dict(
        id="2504.00012",
        date="2025-04-01",
        title="Agents Everywhere",
        abstract="Agents, agents and more agents.",
        authors=["Ka Lu"],
    ),
    # A, TS; the 4-word "time series foundation models"
    "p13": dict(
        id="2504.00013",
        date="2025-04-14",
        title="Time Series Foundation Models",
        abstract="Time series foundation models pretrained for agents.",
        authors=["La Mo"],
    ),
    # MoE, agentic
    "p14": dict(
        id="2504.00014",
        date="2025-04-28",
        title="Routing in a Mixture of Experts",
        abstract="We study agentic routing.",
        authors=["Ma Ng"],
    ),
    # A (Agent-Based)
    "p15": dict(
        id="2505.00015",
        date="2025-05-05",
        title="Agent-Based Economics",
        abstract="Agent-based models of markets.",
        authors=["Na Oh"],
    ),
    # agenesis: no A
    "p16": dict(
        id="2505.00016",
        date="2025-05-19",
        title="Genesis of Agenesis",
        abstract="Clinical agenesis data.",
        authors=["Oa Pi"],
    ),
    # A, FT
    "p17": dict(
        id="2601.00017",
        date="2026-01-05",
        title="Agents With Fine-Tuned Models",
        abstract="Fine-tuned models act as agents.",
        authors=["Pa Qu"],
    ),
    # MoE
    "p18": dict(
        id="2601.00018",
        date="2026-01-19",
        title="Graph Learning",
        abstract="A mixture of experts for graphs.",
        authors=["Qa Ra"],
    ),
    # A, TS
    "p19": dict(
        id="2602.00019",
        date="2026-02-02",
        title="Time Series Agents",
        abstract="Agents forecast time series.",
        authors=["Ra Su"],
    ),
    # A FT; "fine tuned models" as three words (fine-tuned spaced: FT)
    "p20": dict(
        id="2602.00020",
        date="2026-02-16",
        title="Image Models",
        abstract="Fine tuned models for images guide agents.",
        authors=["Sa Tu"],
    ),
}
ORDER = list(PAPERS)  # table rows in this order: row i is p{i+1:02d}
ID = {key: paper["id"] for key, paper in PAPERS.items()}
KEY = {paper["id"]: key for key, paper in PAPERS.items()}

MONTHS = ["2024-10", "2024-11", "2024-12"] + [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01", "2026-02"]
MONTH_TOTALS = [3, 2, 0, 1, 3, 2, 3, 2, 0, 0, 0, 0, 0, 0, 0, 2, 2]
AGENT_PAPERS = ["p01", "p04", "p06", "p08", "p11", "p12", "p13", "p15", "p17", "p19", "p20"]
TS_PAPERS = ["p01", "p04", "p06", "p07", "p10", "p13", "p19"]
MOE_PAPERS = ["p01", "p03", "p07", "p10", "p14", "p18"]
FT_PAPERS = ["p05", "p11", "p17", "p20"]


def build_table(papers: dict[str, dict] | None = None, keys=None):
    """The papers as an Arrow table (lib.store.schema contract), rows in the given order."""
    from lib.store.schema import make_record, records_to_table

    papers = papers or PAPERS
    records = []
    for key in keys or list(papers):
        raw = dict(papers[key], date=dt.date.fromisoformat(papers[key]["date"]))
        records.append(make_record(raw, sources=["arxiv"], today=TODAY))
    return records_to_table(records)


def write_jsonl(path: Path, papers: dict[str, dict] | None = None) -> Path:
    """The papers as a JSON Lines file in the project's own format (for the importer)."""
    papers = papers or PAPERS
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in papers.values()), encoding="utf-8")
    return path


# --- emerging ------------------------------------------------------------------------------
EMERGING_END = dt.date(2026, 6, 30)
RECENT_FROM, RECENT_TO = dt.date(2026, 4, 2), dt.date(2026, 6, 30)  # 90 days
BASELINE_FROM, BASELINE_TO = dt.date(2025, 4, 2), dt.date(2026, 4, 1)  # 365 days
# (topic, papers in the baseline, papers in the recent window); the rest carry only a tag
BASELINE_TOPICS = {"Quantum": 4, "Convolution": 28, "Diffusion": 20}  # + 28 tag-only = 80
RECENT_TOPICS = {"Quantum": 24, "Convolution": 2, "Diffusion": 10, "Zebrafish": 1}  # + 3 tag-only = 40
OLDER = 20


def _tag(i: int) -> str:
    """A unique word per paper (letters only: never a number, never a function word)."""
    letters = "bcdfghjklmnpqrstvwxz"
    return "tag" + letters[i // 20 % 20] + letters[i % 20]


def _spread(first: dt.date, last: dt.date, n: int) -> list[dt.date]:
    """n days from first to last inclusive, both ends used."""
    span = (last - first).days
    return [first + dt.timedelta(days=round(i * span / (n - 1))) for i in range(n)]


def emerging_papers() -> dict[str, dict]:
    papers: dict[str, dict] = {}

    def add(day: dt.date, topic: str | None) -> None:
        i = len(papers)
        tag = _tag(i)
        papers[f"e{i:03d}"] = dict(
            id=f"2599.{i:05d}",
            date=day.isoformat(),
            title=f"{topic} {tag}" if topic else tag.capitalize(),
            abstract="",
            authors=[f"Author {tag}"],
        )

    def window(first: dt.date, last: dt.date, topics: dict[str, int], size: int) -> None:
        labels = [t for t, n in topics.items() for _ in range(n)]
        labels += [None] * (size - len(labels))
        # interleave topics over the window: no topic sits at one end of it
        labels = labels[0::2] + labels[1::2]
        for day, topic in zip(_spread(first, last, size), labels):
            add(day, topic)

    # older papers: 2025-01-01 .. 2025-04-01 (the day before the baseline), tags only
    for day in _spread(dt.date(2025, 1, 1), BASELINE_FROM - dt.timedelta(days=1), OLDER):
        add(day, None)
    window(BASELINE_FROM, BASELINE_TO, BASELINE_TOPICS, 80)
    window(RECENT_FROM, RECENT_TO, RECENT_TOPICS, 40)
    return papers


EMERGING_PAPERS = emerging_papers()
