"""A corpus shaped like arXiv's metadata snapshot (``arxiv-metadata-oai-snapshot.json``), of any size.

Each line has the snapshot's fields (id, submitter, authors as one string, title, comments,
journal-ref, doi, report-no, categories space-separated, license, abstract, versions, update_date,
authors_parsed), its hard-wrapped title and abstract, and realistic content resampled from the
74,728 real papers of ``../shared/data/arxiv_2025-03_2026-07.jsonl.gz`` (without ``../shared``,
bench/corpus.py's small synthetic corpus): a title is a real title with one word swapped for a word
of another real title, an abstract 4-8 real sentences of several papers, the authors 1-12 real
names, the categories a real paper's list.  Papers are spread over 2007-01 .. 2026-06 with arXiv's
growth (a smooth exponential, 5x from 2007 to 2025: about 4,300 a month in 2007 and 21,000 in 2025
for 2.7M papers), ids ``YYMM.NNNNN`` numbered per month.  Streamed (one line at a time) and
deterministic for a seed.

    python bench/snapshot.py --papers 2700000 --out /tmp/papers-bench/snapshot-2700000.jsonl [--seed 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import math
import random
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from corpus import _SENTENCE, CORPUS, synthetic_corpus

FIRST_MONTH, LAST_MONTH = (2007, 1), (2026, 6)
GROWTH = 5.0  # papers a month in 2025-01 over 2007-01
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
_WRAP = re.compile(r"(.{1,79})(?: +|$)")  # the snapshot's lines are at most ~80 characters
LICENSES = [  # (license, weight): the snapshot's own, None for the default arXiv licence
    (None, 40),
    ("http://arxiv.org/licenses/nonexclusive-distrib/1.0/", 35),
    ("http://creativecommons.org/licenses/by/4.0/", 18),
    ("http://creativecommons.org/licenses/by-nc-sa/4.0/", 3),
    ("http://creativecommons.org/licenses/by-sa/4.0/", 2),
    ("http://creativecommons.org/publicdomain/zero/1.0/", 2),
]
JOURNALS = ["Phys. Rev. D", "Phys. Rev. Lett.", "JHEP", "Astrophys. J.", "Nature", "IEEE Trans.", "J. Math. Phys."]


def months(first: tuple[int, int] = FIRST_MONTH, last: tuple[int, int] = LAST_MONTH) -> list[tuple[int, int]]:
    """Every (year, month) from ``first`` to ``last``, inclusive."""
    return [(y, m) for y in range(first[0], last[0] + 1) for m in range(1, 13) if first <= (y, m) <= last]


def per_month(papers: int) -> list[tuple[int, int, int]]:
    """(year, month, papers) summing to ``papers``: a smooth exponential, GROWTH times more in 2025-01
    than in 2007-01 (largest remainders, so the total is exact)."""
    spans = months()
    rate = math.log(GROWTH) / (12 * (2025 - 2007))
    weights = [math.exp(rate * i) for i in range(len(spans))]
    shares = [papers * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(spans)), key=lambda i: counts[i] - shares[i])[: papers - sum(counts)]:
        counts[i] += 1
    return [(y, m, c) for (y, m), c in zip(spans, counts)]


def wrap(text: str, indent: str = "") -> str:
    """Hard-wrapped as the snapshot's fields are: lines of up to ~80 characters, each after the
    first starting with ``indent``."""
    return ("\n" + indent).join(_WRAP.findall(text)) if len(text) > 79 else text


class Pools:
    """The real papers' titles, abstract sentences, author names, category lists and comments."""

    def __init__(self, source: Path | None = None) -> None:
        source = source or (CORPUS if CORPUS.exists() else synthetic_corpus(2_000))
        self.title_words: list[list[str]] = []
        self.sentences: list[str] = []
        self.starts = [0]  # paper i's sentences are sentences[starts[i] : starts[i + 1]]
        self.categories: list[str] = []
        self.names: list[str] = []  # one entry per authorship: frequent authors come up more often
        self.author_counts: list[int] = []
        self.comments: list[str] = []
        groups: dict[str, list[int]] = {}
        with gzip.open(source, "rt", encoding="utf-8") if source.suffix == ".gz" else open(source) as lines:
            for line in lines:
                paper = json.loads(line)
                title = (paper.get("title") or "").split()
                sentences = [
                    s for s in _SENTENCE.split(" ".join((paper.get("abstract") or "").split())) if 20 < len(s) < 400
                ]
                if not title or not sentences:
                    continue
                categories = paper.get("categories") or ["cs.LG"]
                groups.setdefault(categories[0], []).append(len(self.title_words))
                self.title_words.append(title)
                self.sentences += sentences
                self.starts.append(len(self.sentences))
                self.categories.append(" ".join(categories))
                names = [n for n in paper.get("authors") or [] if n.strip()]
                self.names += names
                self.author_counts.append(max(1, min(12, len(names))))
                if paper.get("comment"):
                    self.comments.append(" ".join(paper["comment"].split()))
        if not self.title_words:
            raise SystemExit(f"{source}: no paper with a title and an abstract")
        self.group = [groups[c.split()[0]] for c in self.categories]  # the papers of each one's primary category


class Generator:
    """Papers of the snapshot's shape, drawn from ``pools`` with a seeded random generator.

    Each paper is based on a real one: its title with one word swapped for a word of another title
    of the same primary category, about half its abstract's sentences (in order) mixed with sentences
    of other papers of that category, and its categories.  (Sentences drawn from all papers alike
    would spread every research term evenly: the topic model would then find no topic.)"""

    def __init__(self, pools: Pools, seed: int = 0) -> None:
        self.pools = pools
        self.rng = random.Random(seed)
        self.licenses = [name for name, _ in LICENSES]
        self.license_weights = [weight for _, weight in LICENSES]

    def _sentence(self, paper: int) -> str:
        pools = self.pools
        other = self.rng.choice(pools.group[paper])
        return pools.sentences[self.rng.randrange(pools.starts[other], pools.starts[other + 1])]

    def paper(self, paper_id: str, created: dt.datetime, prefix: str = "") -> dict[str, Any]:
        """One line of the snapshot: ``paper_id``, first version ``created`` (UTC), the title after ``prefix``."""
        rng, pools = self.rng, self.pools
        base = rng.randrange(len(pools.title_words))
        title = list(pools.title_words[base])
        if len(title) >= 3:
            title[rng.randrange(1, len(title))] = rng.choice(pools.title_words[rng.choice(pools.group[base])])
        first, end = pools.starts[base], pools.starts[base + 1]
        count = rng.randint(4, 8)
        own = sorted(rng.sample(range(first, end), min(end - first, (count + 1) // 2)))
        sentences = [pools.sentences[j] for j in own]
        for _ in range(count - len(own)):
            sentences.insert(rng.randint(0, len(sentences)), self._sentence(base))
        names = rng.choices(pools.names, k=rng.choice(pools.author_counts))
        parsed = [[n.rsplit(" ", 1)[-1], n.rsplit(" ", 1)[0] if " " in n else "", ""] for n in names]
        versions = [{"version": "v1", "created": _created(created)}]
        updated = created
        for v in range(2, 2 + rng.choices((0, 1, 2), (60, 30, 10))[0]):
            updated += dt.timedelta(days=rng.randint(1, 200), seconds=rng.randrange(86_400))
            versions.append({"version": f"v{v}", "created": _created(updated)})
        published = rng.random() < 0.25
        return {
            "id": paper_id,
            "submitter": names[0],
            "authors": ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0],
            "title": wrap(prefix + " ".join(title), "  "),
            "comments": rng.choice(pools.comments) if pools.comments and rng.random() < 0.6 else None,
            "journal-ref": f"{rng.choice(JOURNALS)} {rng.randint(1, 120)} ({updated.year}) {rng.randint(1, 9999)}"
            if published
            else None,
            "doi": f"10.{rng.randint(1000, 9999)}/{paper_id}" if published or rng.random() < 0.1 else None,
            "report-no": None,
            "categories": pools.categories[base],
            "license": rng.choices(self.licenses, self.license_weights)[0],
            "abstract": "  " + wrap(" ".join(sentences)) + "\n",
            "versions": versions,
            "update_date": updated.date().isoformat(),
            "authors_parsed": parsed,
        }

    def month(self, year: int, month: int, count: int, first_number: int = 1) -> Iterator[dict[str, Any]]:
        """``count`` papers first submitted in that month, ids numbered from ``first_number`` in the
        order of their submission time."""
        start = dt.datetime(year, month, 1)
        seconds = ((dt.datetime(year + month // 12, month % 12 + 1, 1)) - start).total_seconds()
        times = sorted(self.rng.randrange(int(seconds)) for _ in range(count))
        prefix = f"{year % 100:02d}{month:02d}."
        for i, offset in enumerate(times):
            yield self.paper(f"{prefix}{first_number + i:05d}", start + dt.timedelta(seconds=offset))

    def day(self, day: dt.date, count: int, first_number: int, word: str) -> Iterator[dict[str, Any]]:
        """``count`` papers first submitted on ``day``, ids numbered from ``first_number`` in its
        month, each title "WORD: " and a title as above (a word no other paper has finds them)."""
        start = dt.datetime(day.year, day.month, day.day)
        times = sorted(self.rng.randrange(86_400) for _ in range(count))
        prefix = f"{day.year % 100:02d}{day.month:02d}."
        for i, offset in enumerate(times):
            yield self.paper(f"{prefix}{first_number + i:05d}", start + dt.timedelta(seconds=offset), f"{word}: ")


def _created(when: dt.datetime) -> str:
    """The snapshot's version date: ``Mon, 2 Apr 2007 19:18:42 GMT``."""
    return (
        f"{_WEEKDAYS[when.weekday()]}, {when.day} {_MONTHS[when.month - 1]} {when.year} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} GMT"
    )


def write(papers: Iterator[dict[str, Any]], out: IO[str], progress: IO[str] | None = None, total: int = 0) -> int:
    """Each paper as one JSON line; a progress line every 100,000.  How many were written."""
    started, written = time.perf_counter(), 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for paper in papers:
        out.write(dumps(paper) + "\n")
        written += 1
        if progress and written % 100_000 == 0:
            rate = written / (time.perf_counter() - started)
            eta = f", {(total - written) / rate:.0f} s to go" if total else ""
            print(f"{written:,} papers ({paper['id']}), {rate:,.0f} a second{eta}", file=progress, flush=True)
    return written


def snapshot(papers: int, path: Path, seed: int = 0, progress: IO[str] | None = None) -> int:
    """``papers`` papers over 2007-01 .. 2026-06 written to ``path`` (made anew; a temporary file renamed)."""
    generator = Generator(Pools(), seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="utf-8") as out:
        written = write(
            (paper for y, m, c in per_month(papers) for paper in generator.month(y, m, c)), out, progress, papers
        )
    partial.replace(path)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, required=True, help="how many papers")
    parser.add_argument("--out", type=Path, required=True, help="the JSON Lines file to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.papers < 1:
        parser.error("--papers must be at least 1")
    started = time.perf_counter()
    written = snapshot(args.papers, args.out, args.seed, sys.stderr)
    size = args.out.stat().st_size
    print(f"{args.out}: {written:,} papers, {size / 2**30:.2f} GiB in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
