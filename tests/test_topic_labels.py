"""Issue 25, point 9: a topic's label never lists a term beside its parts or a word of a phrase
set aside ("coarse-grained, fine, level"; "art, state, achieves")."""

from __future__ import annotations

import numpy as np
from conftest import write_jsonl

from lib.dataset import load
from lib.store.importer import import_files
from lib.store.store import Store, input_files
from lib.topics import vocabulary as vocabulary_module
from lib.topics.labels import distinct, labels
from lib.topics.topics import TopicModel
from lib.topics.vocabulary import vocabulary
from lib.trends import terms as term_index


def test_a_part_of_a_merged_term_is_no_key_phrase():
    # "fine-grained" repeats "coarse-grained" (grained): merged into it, and so is its part "fine"
    ranked = ["coarse-grained", "fine-grained", "fine", "granularity", "level", "coarse"]
    assert distinct(ranked, 4) == ["coarse-grained", "granularity", "level"]
    scores = np.array([[6, 5, 4, 3, 2, 1], [1, 1, 1, 6, 5, 1]], dtype=np.float32)
    made = labels(scores, ranked, [0, 1])
    assert made[0] == "Coarse-grained, granularity"
    assert "fine" not in made[0].lower().replace("coarse-grained", "")


def test_the_documented_repeats_still_merge():
    terms = ["printing", "print", "printer", "3d printing", "gaussian splatting", "splatting", "mixture-of-experts"]
    assert distinct(terms + ["moe", "galaxy"], 10) == ["printing", "gaussian splatting", "mixture-of-experts", "galaxy"]


def papers() -> list[dict]:
    out = []
    for i in range(120):
        subject = ("Protein Folding", "Gaussian Splatting", "Speech Recognition", "Graph Coloring", "Robot Grasping")[
            i % 5
        ]
        # one subject's papers all claim "state-of-the-art": "art" and "state" look like its words
        title = f"State-of-the-Art {subject} Study {i}" if i % 10 == 0 else f"{subject} Study {i}"
        claim = "achieves state-of-the-art results" if i % 5 == 0 else "works"
        out.append(
            {
                "id": f"2503.{i:05d}",
                "title": title,
                "abstract": f"Our {subject.lower()} model {claim} on {subject.lower()}.",
                "authors": ["Ann Author"],
                "date": f"2025-03-{1 + i % 28:02d}",
            }
        )
    for i in range(120, 124):  # "art" on its own, in a few papers
        out.append(
            {
                "id": f"2503.{i:05d}",
                "title": f"Art Generation Study {i}",
                "abstract": "Generating art with diffusion.",
                "authors": ["Ann Author"],
                "date": "2025-03-02",
            }
        )
    return out


def test_words_written_inside_a_set_aside_phrase_are_set_aside(tmp_path, monkeypatch):
    # nothing learned by spread (the fixture is small): only the fixed list, state-of-the-art, and its words
    monkeypatch.setattr(vocabulary_module, "BOILERPLATE_KL", float("-inf"))
    store = Store(tmp_path / "data")
    import_files(store, input_files([str(write_jsonl(tmp_path / "p.jsonl", papers()))], (".jsonl",)))
    index = term_index.load_or_build(store, load(store))
    words = vocabulary(index)
    # "art": 28 papers, 24 of them only inside "state-of-the-art"; "state" likewise
    assert "art" not in words.terms and "state" not in words.terms
    assert "art" in words.boilerplate and "state" in words.boilerplate
    assert not [t for t in words.terms if {"art", "state", "stateoftheart"} & set(t.split(" "))]
    assert "protein" in words.terms and "splatting" in words.terms
    model = TopicModel(5).fit(index)
    for label in model.labels_ + model.area_labels_:
        assert not {"art", "state"} & set(label.lower().replace(",", " ").split()), label
