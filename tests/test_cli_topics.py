"""``python -m lib topics`` and ``python -m lib export --with-topics`` on a real store
(tests/topics_fixture.py's three themes, imported through the importer, plus one paper that
shares no word with any other): the areas and their fine topics with their quality, one
paper's topic and area, the names people gave, and each paper's topic and area in every
export format — all the same as the Library's model says.

Expectations are read off the fixture and the fitted model, never pasted from a run."""

from __future__ import annotations

import csv
import io
import json
import shutil

import numpy as np
import pyarrow.parquet as pq
import pytest
import topics_fixture as fx
from conftest import write_jsonl

from lib.cli import main
from lib.library import Library
from lib.search.analysis import fold, stem
from lib.store.store import Store
from lib.topics import identity
from lib.topics.topics import MAX_K, TopicModel, auto_k
from lib.urlstate import TOPICS

K = 9  # three themes of 40 papers: 9 fine topics in 3 areas
LONE = {  # its words are in no other paper: no term of the vocabulary, so no topic
    "id": "2512.09999",
    "title": "Xylophone quintessence",
    "abstract": "Zeppelin marmalade.",
    "authors": ["Nobody Known"],
    "date": "2025-12-29",
}
TOPIC_COLUMNS = ["topic", "topic_label", "area", "area_label"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from lib.store.importer import import_files
    from lib.store.store import input_files

    tmp = tmp_path_factory.mktemp("cli-topics")
    source = write_jsonl(tmp / "topics.jsonl", [*fx.plain(), LONE])
    import_files(Store(tmp / "data"), input_files([str(source)], (".jsonl",)))
    library = Library.open(Store(tmp / "data"))
    library.topic_model(12)  # a first fit: the later ones' ids are not their rows
    library.topic_model(K)
    library.topic_model(0)  # the automatic k's, which export --with-topics uses
    return tmp / "data"


def model_of(data, k: int = K) -> TopicModel:
    """The model the CLI answers from (fitted and saved by the first call, then loaded)."""
    return Library.open(Store(data)).named_model(k)


def row_of(data, paper: str) -> int:
    row = Library.open(Store(data)).dataset.row_of(paper)
    assert row is not None
    return row


# --- the areas and their fine topics --------------------------------------------------------------
def test_topics_prints_each_area_then_its_fine_topics_and_the_quality(store):
    code, out, err = run("topics", "--data", str(store), "--k", str(K))
    assert code == 0, err
    model = model_of(store)
    areas, fine = model.areas(), model.summary()
    assert model.n_topics == K and model.n_areas == 3
    assert list(model.ids_) != list(range(K))  # stable ids, not rows
    lines = out.splitlines()
    assert lines[0] == f"{K} topics in 3 areas, {len(fx.papers()) + 1} papers"
    page = Library.open(Store(store)).topics({**TOPICS.decode({})[0], "k": K})  # the Topics page's answer
    assert lines[1] == f"quality: {page.quality}"
    assert f"topics {model.mean_coherence:.2f}, areas {model.area_coherence_.mean():.2f}" in lines[1]
    assert f"diversity {model.diversity:.2f}" in lines[1]
    headers = [i for i, line in enumerate(lines) if line.startswith("area ")]
    assert len(headers) == 3
    seen = []
    for at, area in zip(headers, areas.to_dict("records")):  # largest area first
        assert lines[at] == f"area {area['area']}: {area['label']} · {area['papers']} papers · {area['topics']} topics"
        mine = fine[fine["area"] == area["area"]]
        shown = lines[at + 1 : at + 1 + len(mine)]
        for line, topic in zip(shown, mine.to_dict("records")):  # largest topic first
            words = line.split()
            assert words[:2] == [str(topic["topic"]), str(topic["papers"])] and topic["label"] in line
            assert f"npmi {topic['coherence']:+.2f}" in line
            assert ("[weak]" in line) == bool(topic["weak"])
            seen.append(topic["topic"])
    assert sorted(seen) == sorted(int(i) for i in model.ids_)  # every fine topic once, under its area
    # each area holds one theme's papers: its fine topics' papers are all of that theme
    themes = fx.themes_by_id()
    ids = Library.open(Store(store)).dataset.table["id"].to_pylist()
    for area_row in range(model.n_areas):
        members = model.area_members(area_row)
        assert len({themes[ids[r]] for r in members}) == 1


def test_topics_marks_a_refit_s_split_and_merged_topics(store, tmp_path):
    """Fits with other k in the same store (12 first, then 9, then 15): topics the register
    knew keep their ids, the others say where they come from ("merged from N", "split from
    N"), and the text shows it."""
    data = tmp_path / "data"
    shutil.copytree(store, data)
    assert run("topics", "--data", str(data), "--k", str(K))[0] == 0
    old = {int(i) for i in model_of(data).ids_}
    code, out, err = run("topics", "--data", str(data), "--k", "15")
    assert code == 0, err
    fine = model_of(data, 15).summary()
    marked = fine[fine["status"] != ""]
    assert len(marked) and all(s.startswith(("split from ", "merged from ", "new since ")) for s in marked["status"])
    assert set(fine["topic"]) & old  # the same subjects kept their ids
    lines = out.splitlines()
    for topic in fine.to_dict("records"):
        line = next(line for line in lines if line.split()[:1] == [str(topic["topic"])])
        assert line.endswith(f"[{topic['status']}]") == bool(topic["status"])


def test_topics_json_holds_areas_their_topics_and_the_quality(store):
    code, out, err = run("topics", "--data", str(store), "--k", str(K), "--json")
    assert code == 0, err
    document = json.loads(out)
    model = model_of(store)
    assert set(document) == {"k", "papers", "counted", "src", "areas", "quality"}
    assert document["k"] == K and document["papers"] == len(fx.papers()) + 1 and document["counted"] is None
    assert [a["area"] for a in document["areas"]] == list(model.areas()["area"])
    placed = int((model.dominant_ >= 0).sum())
    assert sum(a["papers"] for a in document["areas"]) == placed == len(fx.papers())  # the lone paper has no topic
    for area in document["areas"]:
        row = model.area_row_of(area["area"])
        assert area["label"] == model.area_labels_[row]
        assert area["terms"] == [t for t, _ in model.top_terms(row, 10, area=True)]
        assert sum(t["papers"] for t in area["topics"]) == area["papers"] == len(model.area_members(row))
        for topic in area["topics"]:
            t = model.row_of(topic["topic"])
            assert t is not None and model.area_of_[t] == row
            assert topic["label"] == model.labels_[t] and topic["papers"] == len(model.members(t))
            assert topic["terms"] == [w for w, _ in model.top_terms(t, 10)]
            assert topic["coherence"] == pytest.approx(model.coherence_[t], abs=1e-4)
            assert topic["weak"] == bool(model.coherence_[t] < 0.05) and topic["status"] == model.status_[t]
    assert sorted(t["topic"] for a in document["areas"] for t in a["topics"]) == sorted(map(int, model.ids_))
    quality = document["quality"]
    assert quality["topic_coherence"] == pytest.approx(model.mean_coherence, abs=1e-4)
    assert quality["area_coherence"] == pytest.approx(model.area_coherence_.mean(), abs=1e-4)
    assert quality["diversity"] == pytest.approx(model.diversity, abs=1e-4)
    assert quality["weak_topics"] == int((model.coherence_ < quality["weak_under"]).sum())


def test_topics_with_automatic_k_and_a_source(store):
    n = len(fx.papers()) + 1
    code, out, err = run("topics", "--data", str(store))
    assert code == 0, err
    assert out.startswith(f"{auto_k(n)} topics in ")
    code, out, err = run("topics", "--data", str(store), "--k", str(K), "--src", "hf")
    assert code == 2 and "--src hf: this store holds no such papers" in err


# --- one paper -----------------------------------------------------------------------------------
def test_paper_prints_its_topic_and_area(store):
    model = model_of(store)
    themes = fx.themes_by_id()
    paper = fx.plain()[5]["id"]
    row = row_of(store, paper)
    code, out, err = run("topics", "--data", str(store), "--k", str(K), "--paper", paper, "--json")
    assert code == 0, err
    answer = json.loads(out)
    t = int(model.dominant_[row])
    area = int(model.area_of_[t])
    assert answer == {
        "id": paper,
        "title": fx.plain()[5]["title"],
        "topic": int(model.ids_[t]),
        "topic_label": model.labels_[t],
        "area": int(model.area_ids_[area]),
        "area_label": model.area_labels_[area],
        "weight": round(float(model.weight_[row]), 4),
    }
    # its topic is named from its theme's words; its area is its theme's: every paper of that area is of that theme
    words = answer["topic_label"].replace(",", " ").split()
    assert words and all(stem(fold(w)) in fx.vocabulary_stems(themes[paper]) for w in words)
    ids = Library.open(Store(store)).dataset.table["id"].to_pylist()
    assert {themes[ids[r]] for r in model.area_members(area)} == {themes[paper]}
    code, out, _ = run("topics", "--data", str(store), "--k", str(K), "--paper", f"arXiv:{paper}v2")
    assert out == (
        f"{paper}: topic {answer['topic']} ({answer['topic_label']}), "
        f"area {answer['area']} ({answer['area_label']}), weight {answer['weight']:.0%}\n"
    )


def test_a_paper_without_a_topic_says_so(store):
    code, out, err = run("topics", "--data", str(store), "--k", str(K), "--paper", LONE["id"], "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert (answer["topic"], answer["topic_label"], answer["area"], answer["area_label"]) == (-1, "", -1, "")
    code, out, _ = run("topics", "--data", str(store), "--k", str(K), "--paper", LONE["id"])
    assert out == f"{LONE['id']}: no topic (none of its words is in the topics' vocabulary)\n"


def test_an_unknown_paper_is_one_line_before_any_fit(store, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(store, data, ignore=shutil.ignore_patterns("topics-k*", "topics.json"))
    code, out, err = run("topics", "--data", str(data), "--k", str(K), "--paper", "2999.99999")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == "error: no paper with id '2999.99999' in the table"
    assert not list((data / "artifacts").glob("topics-k*")) and not (data / "topics.json").exists()
    for bad in ("1", str(MAX_K + 1), "-3"):
        code, _, err = run("topics", "--data", str(data), "--k", bad)
        assert code == 2 and f"--k must be between 2 and {MAX_K}" in err


def test_names_people_gave_are_printed_instead_of_the_labels(store, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(store, data)
    model = model_of(data)
    paper = fx.plain()[0]["id"]
    t = int(model.dominant_[row_of(data, paper)])
    topic, area = int(model.ids_[t]), int(model.area_ids_[model.area_of_[t]])
    identity.rename(Store(data), "topic", topic, "Deep-sky photometry", set())
    identity.rename(Store(data), "area", area, "Astronomy", set())
    code, out, _ = run("topics", "--data", str(data), "--k", str(K), "--paper", paper)
    assert code == 0 and f"topic {topic} (Deep-sky photometry), area {area} (Astronomy)" in out
    code, out, _ = run("topics", "--data", str(data), "--k", str(K))
    assert code == 0 and f"area {area}: Astronomy · " in out
    assert any(line.split()[:1] == [str(topic)] and "Deep-sky photometry" in line for line in out.splitlines())
    document = json.loads(run("topics", "--data", str(data), "--k", str(K), "--json")[1])
    named = next(a for a in document["areas"] if a["area"] == area)
    assert named["label"] == "Astronomy"
    assert next(x for x in named["topics"] if x["topic"] == topic)["label"] == "Deep-sky photometry"


# --- export --with-topics --------------------------------------------------------------------------
def _exported(path, fmt: str) -> list[dict]:
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        return [{**r, "topic": int(r["topic"]), "area": int(r["area"])} for r in rows]
    return pq.read_table(path).to_pylist()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_with_topics_adds_each_paper_s_topic_and_area(store, tmp_path, fmt):
    data = tmp_path / "data"
    shutil.copytree(store, data)
    target = tmp_path / f"papers.{fmt}"
    code, out, err = run("export", "--data", str(data), "--format", fmt, "--with-topics", "--out", str(target))
    assert code == 0 and out == "", err
    rows = _exported(target, fmt)
    library = Library.open(Store(data))
    model = library.named_model()  # the automatic k's
    assert model.k == auto_k(library.dataset.overview.papers)
    table = library.dataset.table
    assert [r["id"] for r in rows] == table["id"].to_pylist()
    assert list(rows[0])[-4:] == TOPIC_COLUMNS  # after the table's own columns
    for row, r in enumerate(rows):
        t = int(model.dominant_[row])
        if t < 0:
            assert (r["topic"], r["topic_label"], r["area"], r["area_label"]) == (-1, "", -1, ""), r
            continue
        a = int(model.area_of_[t])
        expected = (int(model.ids_[t]), model.labels_[t], int(model.area_ids_[a]), model.area_labels_[a])
        assert (r["topic"], r["topic_label"], r["area"], r["area_label"]) == expected
    assert sum(r["topic"] == -1 for r in rows) == 1  # the lone paper
    # the same as `topics --paper` says, for a paper with a topic and for the one without
    for paper in (fx.plain()[7]["id"], LONE["id"]):
        answer = json.loads(run("topics", "--data", str(data), "--paper", paper, "--json")[1])
        mine = next(r for r in rows if r["id"] == paper)
        assert {c: mine[c] for c in TOPIC_COLUMNS} == {c: answer[c] for c in TOPIC_COLUMNS}
    # the extra columns are ignored on import: the export imports back as the same table
    fresh = tmp_path / "fresh"
    code, _, err = run("import", "--data", str(fresh), str(target))
    assert code == 0, err
    assert Store(fresh).read_table().equals(Store(data).read_table())


def test_export_with_topics_uses_the_names_people_gave(store, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(store, data)
    model = model_of(data, auto_k(len(fx.papers()) + 1))
    t = int(model.dominant_[0])
    identity.rename(Store(data), "topic", int(model.ids_[t]), "My subject", set())
    target = tmp_path / "papers.jsonl"
    assert run("export", "--data", str(data), "--format", "jsonl", "--with-topics", "--out", str(target))[0] == 0
    rows = _exported(target, "jsonl")
    named = np.flatnonzero(model.dominant_ == t)
    assert len(named) and all(rows[r]["topic_label"] == "My subject" for r in named)
    assert all(r["topic_label"] != "My subject" for i, r in enumerate(rows) if i not in set(named))


def test_export_without_topics_has_no_topic_columns_and_fits_nothing(store, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(store, data, ignore=shutil.ignore_patterns("topics-k*", "topics.json"))
    target = tmp_path / "papers.jsonl"
    assert run("export", "--data", str(data), "--format", "jsonl", "--out", str(target))[0] == 0
    assert not set(TOPIC_COLUMNS) & set(_exported(target, "jsonl")[0])
    assert not list((data / "artifacts").glob("topics-k*"))


def test_export_with_topics_reports_the_fit_on_stderr(store, tmp_path, monkeypatch):
    """A fit the export needs shows its progress on stderr (a log: a line at each heartbeat)."""
    monkeypatch.setenv("PAPERS_PROGRESS_SECONDS", "0.01")
    data = tmp_path / "data"
    shutil.copytree(store, data, ignore=shutil.ignore_patterns("topics-k*", "topics.json"))
    target = tmp_path / "papers.csv"
    code, _, err = run("export", "--data", str(data), "--format", "csv", "--with-topics", "--out", str(target))
    assert code == 0, err
    k = auto_k(len(fx.papers()) + 1)
    assert any(line.startswith(f"  topic model (k={k})") for line in err.splitlines()), err
    assert err.splitlines()[-1] == f"wrote {len(fx.papers()) + 1} papers to {target}"


def test_a_saved_model_answers_without_the_term_index(store, tmp_path):
    """A saved model loads on its own: with the term index gone, topics, --paper and export
    --with-topics answer from the model and build no term index."""
    data = tmp_path / "data"
    shutil.copytree(store, data, ignore=shutil.ignore_patterns("terms-*"))
    assert not list((data / "artifacts").glob("terms-*"))
    paper = fx.plain()[3]["id"]
    assert run("topics", "--data", str(data), "--k", str(K))[0] == 0
    assert run("topics", "--data", str(data), "--k", str(K), "--paper", paper)[0] == 0
    export = ("export", "--data", str(data), "--format", "jsonl", "--with-topics", "--out", str(tmp_path / "p.jsonl"))
    assert run(*export)[0] == 0
    assert not list((data / "artifacts").glob("terms-*"))
