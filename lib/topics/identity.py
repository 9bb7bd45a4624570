"""Topic ids that survive refits, and the names people give topics.

The store keeps one register of every topic and area it has seen (``topics.json``): per id,
its 60 best terms with their c-TF-IDF scores, its label, the month it first appeared.  The
names people gave are a document of their own (``topic-names.json``: small, read on every
view that shows a label, while the register is read only by fits and old links).  A fit (a new k, a full rebuild, a month of new papers)
is matched against it, level by level:

* similarity of two topics = cosine of their term scores (terms as the index spells them,
  so it holds across rebuilt indexes);
* the fit's topics and the register's are paired by an optimal assignment (Hungarian
  method, scipy's ``linear_sum_assignment``) maximising the total similarity; a pair at
  least ``SAME`` similar is one topic: the new one takes the old id;
* an unpaired new topic takes a new id, marked "split from N" when an old topic that kept
  its id is at least ``RELATED`` similar to it, else "new since YYYY-MM" (the month of the
  newest paper) — except on the store's first fit, where nothing is new;
* a topic that kept its id and is at least ``RELATED`` similar to an old topic of the last
  fit that found no pair is marked "merged from N".

A link to an id the model does not have opens the model's topic most similar to the one the
register remembers (:func:`successor`).  Names are kept by id, so a renamed topic keeps its
name across refits.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from lib.store.store import Store
    from lib.topics.topics import TopicModel

from lib.errors import InputError, StoreError

DOCUMENT = "topics.json"
NAMES = "topic-names.json"
TERMS = 60
SAME = 0.5
RELATED = 0.3
LEVELS = ("topic", "area")
MAX_NAME = 80


def vectors(model: TopicModel, level: str) -> list[dict[str, float]]:
    """Each topic's (area's) ``TERMS`` best terms and scores, as the register keeps them."""
    scores = model.topic_scores_ if level == "topic" else model.area_scores_
    out = []
    for row in scores:
        best = np.argsort(-row, kind="stable")[:TERMS]
        out.append({model.terms_[j]: round(float(row[j]), 6) for j in best if row[j] > 0})
    return out


def similarity(a: list[dict[str, float]], b: list[dict[str, float]]) -> np.ndarray:
    """Cosine of every pair of term-score vectors."""
    terms = sorted({t for v in a + b for t in v})
    at = {t: i for i, t in enumerate(terms)}

    def matrix(vs: list[dict[str, float]]) -> np.ndarray:
        m = np.zeros((len(vs), len(terms)))
        for i, v in enumerate(vs):
            for t, s in v.items():
                m[i, at[t]] = s
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        return np.asarray(np.divide(m, norms, out=np.zeros_like(m), where=norms > 0))

    return matrix(a) @ matrix(b).T if a and b else np.zeros((len(a), len(b)))


def first_ids(model: TopicModel) -> None:
    """Ids of a model that no register names (the demo's): its rows."""
    model.ids_ = np.arange(model.n_topics, dtype=np.int64)
    model.area_ids_ = np.arange(model.n_areas, dtype=np.int64)
    model.status_ = [""] * model.n_topics


def match(
    new: list[dict[str, float]], register: dict[str, Any], live: list[int], next_id: int, since: str
) -> tuple[list[int], list[str], int]:
    """Ids and statuses of ``new`` topics against a level of the register (``live``: the ids of
    the last fit), and the next free id."""
    from scipy.optimize import linear_sum_assignment

    old_ids = [int(i) for i in register]
    old = [register[str(i)]["terms"] for i in old_ids]
    sim = similarity(new, old)
    ids = [-1] * len(new)
    if len(old_ids):
        rows, cols = linear_sum_assignment(-sim)
        for r, c in zip(rows, cols):
            if sim[r, c] >= SAME:
                ids[r] = old_ids[c]
    first_fit = not old_ids
    status = [""] * len(new)
    kept = {i for i in ids if i >= 0}
    for r in range(len(new)):
        if ids[r] >= 0:
            continue
        ids[r] = next_id
        next_id += 1
        if first_fit:
            continue
        best = [(sim[r, c], old_ids[c]) for c in range(len(old_ids)) if old_ids[c] in kept]
        parent = max(best, default=(0.0, -1))
        status[r] = f"split from {parent[1]}" if parent[0] >= RELATED else f"new since {since}"
    gone = [c for c, i in enumerate(old_ids) if i in set(live) and i not in kept]
    for r in range(len(new)):
        if status[r] or ids[r] not in kept:
            continue
        merged = [old_ids[c] for c in gone if sim[r, c] >= RELATED and sim[:, c].argmax() == r]
        if merged:
            status[r] = "merged from " + ", ".join(str(i) for i in sorted(merged))
    return ids, status, next_id


def assign(store: Store, model: TopicModel, newest: Any = None) -> None:
    """Give a fitted model its stable ids and statuses from the store's register, and record
    its topics there (a read-only store: ids computed, nothing written)."""
    since = _month(newest)
    found = {level: vectors(model, level) for level in LEVELS}

    def change(document: dict[str, Any]) -> dict[str, Any]:
        document = _valid(document)
        for level in LEVELS:
            register = document[level]
            ids, status, document["next"][level] = match(
                found[level], register, document["live"][level], document["next"][level], since
            )
            labels = model.labels_ if level == "topic" else model.area_labels_
            for i, (topic_id, terms) in enumerate(zip(ids, found[level])):
                entry = register.get(str(topic_id), {"since": since})
                register[str(topic_id)] = {**entry, "terms": terms, "label": labels[i]}
            document["live"][level] = ids
            if level == "topic":
                model.ids_, model.status_ = np.array(ids, dtype=np.int64), status
            else:
                model.area_ids_ = np.array(ids, dtype=np.int64)
        return document

    try:
        store.update_document(DOCUMENT, change, "topic register")
    except StoreError:
        from lib.store.store import read_only

        if not read_only():
            raise
        change(store.read_document(DOCUMENT, "topic register"))


def _valid(document: dict[str, Any]) -> dict[str, Any]:
    """The register with every part present (an empty or older document filled in)."""
    out = dict(document)
    for key in ("next", "live"):
        out[key] = dict(out.get(key) or {})
    for level in LEVELS:
        out[level] = dict(out.get(level) or {})
        out["next"][level] = int(out["next"].get(level, 0))
        out["live"][level] = list(out["live"].get(level, []))
    return out


def _month(newest: Any) -> str:
    try:
        return f"{newest:%Y-%m}" if newest is not None and newest == newest else f"{dt.date.today():%Y-%m}"
    except (TypeError, ValueError):
        return f"{dt.date.today():%Y-%m}"


def register(store: Store) -> dict[str, Any]:
    """The store's register (empty parts filled in)."""
    return _valid(store.read_document(DOCUMENT, "topic register"))


def _names(document: dict[str, Any]) -> dict[str, dict[int, str]]:
    return {level: {int(k): str(v) for k, v in (document.get(level) or {}).items()} for level in LEVELS}


def names(store: Store) -> dict[str, dict[int, str]]:
    """The names people gave, per level ("topic", "area"): id -> name (one small read)."""
    return _names(store.read_document(NAMES, "topic names"))


def rename(store: Store, level: str, topic_id: int, name: str, taken: set[str]) -> dict[int, str]:
    """Name topic (area) ``topic_id``; "" gives it back its automatic label.  ``taken``: the
    other labels of the level shown (a name must be unique among them and the names given,
    case aside: checked under the document's lock).  Returns the level's names."""
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise InputError(f"A topic's name is at most {MAX_NAME} characters ({len(name)} given).")

    def change(document: dict[str, Any]) -> dict[str, Any]:
        given = _names(document)
        others = {v for k, v in given[level].items() if k != topic_id}
        if name and name.lower() in {t.lower() for t in set(taken) | others}:
            raise InputError(f"“{name}” already names another {level}: choose another name.")
        if name:
            given[level][topic_id] = name
        else:
            given[level].pop(topic_id, None)
        return {lvl: {str(k): v for k, v in chosen.items()} for lvl, chosen in given.items()}

    return _names(store.update_document(NAMES, change, "topic names"))[level]


def successor(store: Store, model: TopicModel, level: str, topic_id: int) -> tuple[int, str] | None:
    """For an id the model does not have but the register remembers: the id of the model's
    topic (area) most like it (at least ``RELATED``), and the label it had; else None."""
    remembered = register(store)[level].get(str(topic_id))
    if not remembered:
        return None
    sim = similarity([remembered["terms"]], vectors(model, level))[0]
    if not len(sim) or sim.max() < RELATED:
        return None
    ids = model.ids_ if level == "topic" else model.area_ids_
    return int(ids[int(sim.argmax())]), str(remembered.get("label", ""))
