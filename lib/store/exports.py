"""Writing the table out: CSV, JSON Lines, Parquet — each importable back unchanged.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return, after any quotes) are prefixed with ``'``, which the
importer takes off again in our own exports; a list cell is ``a; b``, or a JSON array when that
would not read back as the same items (lib.store.formats.tables.list_cell).  Columns of the caller's
(``extra``: one row per paper, e.g. each paper's topic and area, see
lib.library.Library.paper_topics) follow the table's; the importer ignores them, so such an
export imports back as the same table.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator, Mapping
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lib.store.formats.tables import guard_formula, list_cell
from lib.store.schema import COLUMNS, DATE_COLUMNS, LIST_COLUMNS, conform
from lib.text import arxiv_abs_url, arxiv_id, collapse_ws, fold, safe_url

EXPORT_FORMATS = ("csv", "jsonl", "parquet")
CHUNK = 20_000


def _plain_rows(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in DATE_COLUMNS:
        if column in out:
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out


def _part(frame: pd.DataFrame, extra: pd.DataFrame | None, start: int) -> pd.DataFrame:
    """Rows ``start`` to ``start + CHUNK`` of ``frame`` as written, ``extra``'s columns after."""
    part = _plain_rows(frame.iloc[start : start + CHUNK])
    if extra is None:
        return part
    added = extra.iloc[start : start + CHUNK].set_axis(part.index)
    return pd.concat([part, added], axis=1)


def _checked(n_rows: int, extra: pd.DataFrame | None) -> None:
    if extra is not None and len(extra) != n_rows:
        raise ValueError(f"extra columns for {len(extra):,} rows, the table has {n_rows:,}")


def write(fmt: str, table: pa.Table, frame: pd.DataFrame, handle: IO[bytes], extra: pd.DataFrame | None = None) -> None:
    """The table (``frame``: the same rows as pandas has them, lib.store.schema.to_frame) in
    ``fmt``, one of :data:`EXPORT_FORMATS`, with ``extra``'s columns after its own."""
    if fmt == "parquet":
        write_parquet(table, handle, extra)
    elif fmt == "csv":
        write_csv(frame, handle, extra)
    elif fmt == "jsonl":
        write_jsonl(frame, handle, extra)
    else:
        raise ValueError(f"not an export format: {fmt!r}")


def write_csv(frame: pd.DataFrame, handle: IO[bytes], extra: pd.DataFrame | None = None) -> None:
    _checked(len(frame), extra)
    for start in range(0, max(len(frame), 1), CHUNK):
        part = _part(frame, extra, start)
        for column in LIST_COLUMNS:
            if column in part:
                part[column] = [list_cell(column, list(v)) if v is not None else "" for v in part[column]]
        part = part.astype(object).map(guard_formula)
        handle.write(part.to_csv(index=False, header=start == 0, lineterminator="\n").encode("utf-8"))


def write_jsonl(frame: pd.DataFrame, handle: IO[bytes], extra: pd.DataFrame | None = None) -> None:
    _checked(len(frame), extra)
    for start in range(0, len(frame), CHUNK):
        part = _part(frame, extra, start)
        for record in part.to_dict(orient="records"):
            clean = {k: (None if _missing(v) else v) for k, v in record.items()}
            handle.write(json.dumps(clean, ensure_ascii=False, default=_jsonable).encode("utf-8") + b"\n")


def write_parquet(table: pa.Table, handle: IO[bytes], extra: pd.DataFrame | None = None) -> None:
    _checked(table.num_rows, extra)
    out = conform(table)
    for name, column in extra.items() if extra is not None else ():
        out = out.append_column(str(name), pa.array(column.to_numpy()))
    pq.write_table(out, handle, compression="zstd")


def _missing(value: object) -> bool:
    if isinstance(value, (list, tuple, str)):
        return False
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]  # the stubs list scalar types; isna takes any object
    except (TypeError, ValueError):
        return False


def _jsonable(value: object) -> object:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


# --- search results -------------------------------------------------------------------------
RESULT_COLUMNS = ["rank", "id", "title", "authors", "date", "upvotes", "categories", "score", "url"]


def results_csv(results: pd.DataFrame, link: str) -> bytes:
    """Search results as CSV; every row carries the view's link (column ``view``)."""
    buffer = io.BytesIO()
    write_csv(results[RESULT_COLUMNS].assign(view=link), buffer)
    return buffer.getvalue()


def results_json(results: pd.DataFrame, link: str, query: str) -> bytes:
    """Search results as one JSON document: ``{view, query, count, results: [...]}``."""
    rows = _records(results[RESULT_COLUMNS])
    document = {"view": link, "query": query, "count": len(rows), "results": rows}
    return json.dumps(document, ensure_ascii=False, indent=1, default=_jsonable).encode("utf-8")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as JSON-ready dicts: days ``YYYY-MM-DD``, missing values None."""
    return [
        {str(k): (None if _missing(v) else v) for k, v in r.items()}
        for r in _plain_rows(frame).to_dict(orient="records")
    ]


# --- a list of papers (a collection): CSV, JSON, BibTeX ----------------------------------------
PAPER_LIST_FORMATS = ("csv", "json", "bibtex")


def paper_list(fmt: str, papers: pd.DataFrame, about: Mapping[str, object]) -> bytes:
    """A list of papers (the table's columns, then the caller's: e.g. who added each paper to a
    collection, and when, as text) in ``fmt``, one of :data:`PAPER_LIST_FORMATS`: CSV (the
    table's export: importable back, the extra columns ignored), one JSON document
    (``about``'s keys, ``count``, ``papers: [...]``) or BibTeX (:func:`bibtex`)."""
    if fmt == "csv":
        own = [c for c in papers.columns if c in COLUMNS]
        extra = papers[[c for c in papers.columns if c not in COLUMNS]]
        buffer = io.BytesIO()
        write_csv(papers[own], buffer, extra if len(extra.columns) else None)
        return buffer.getvalue()
    if fmt == "json":
        rows = _records(papers)
        document = {**about, "count": len(rows), "papers": rows}
        return json.dumps(document, ensure_ascii=False, indent=1, default=_jsonable).encode("utf-8")
    if fmt == "bibtex":
        return bibtex(papers).encode("utf-8")
    raise ValueError(f"not a format of a list of papers: {fmt!r}")


# --- BibTeX ---------------------------------------------------------------------------------
# What LaTeX would read as markup, written as text.  Braces become commands too (never \{ \}):
# BibTeX counts every brace, escaped or not, so an escaped brace would unbalance the entry.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# words a key skips at the start of a title (Google Scholar's keys: vaswani2017attention)
_KEY_SKIP = frozenset("a an the on of in for to and at by with from via towards toward is are".split())
_KEY_CHARS = re.compile(r"[^a-z0-9]+")
_NAME_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())


def latex_escape(text: object) -> str:
    """Plain text as LaTeX text: the ten special characters written as commands, control
    characters dropped, whitespace collapsed; the result's braces are balanced."""
    plain = collapse_ws(_CONTROL.sub(" ", str(text or "")))
    return _LATEX_SPECIAL.sub(lambda m: _LATEX[m[0]], plain)


def _ascii_word(text: str) -> str:
    return _KEY_CHARS.sub("", fold(text).encode("ascii", "ignore").decode("ascii"))


def _surname(author: str) -> str:
    """The family name of ``Ada Lovelace``, ``Lovelace, Ada`` or ``Martin Luther King Jr.``."""
    if "," in author:
        return author.split(",", 1)[0]
    words = [w for w in author.split() if w.lower() not in _NAME_SUFFIXES]
    return words[-1] if words else ""


def _day(paper: Any) -> dt.date | None:
    """The day a reference is dated by: arXiv's first version when known, else the listing day."""
    for value in (getattr(paper, "published", None), paper.date):
        if value is not None and not pd.isna(value):
            return pd.Timestamp(value).date()
    return None


def _base_key(paper: Any) -> str:
    authors = list(paper.authors) if paper.authors is not None else []
    surname = _ascii_word(_surname(authors[0])) if authors else ""
    day = _day(paper)
    words = (_ascii_word(w) for w in str(paper.title).split() if w.casefold() not in _KEY_SKIP)
    word = next((w for w in words if w), "")
    return f"{surname or 'anon'}{day.year if day else ''}{word}"


def bibtex_keys(papers: pd.DataFrame) -> list[str]:
    """One citation key per paper (``vaswani2017attention``: first author's surname, year, first
    word of the title that is not a small word, ASCII), unique: papers sharing a key keep it in
    the order of their ids, the first as it is and the next with ``b``, ``c``, ... after it.  A
    paper's key depends only on the papers that share its key, never on the order of the rows."""
    bases = [_base_key(p) for p in _rows(papers)]
    groups: dict[str, list[int]] = {}
    for position, base in enumerate(bases):
        groups.setdefault(base, []).append(position)
    keys = list(bases)
    used = set(bases)
    for base, positions in groups.items():
        ids = [str(papers["id"].iat[p]) for p in positions]
        ordered = [p for _, p in sorted(zip(ids, positions, strict=True))]
        suffixes = _suffixes()
        for position in ordered[1:]:
            key = base + next(suffixes)
            while key in used:
                key = base + next(suffixes)
            keys[position] = key
            used.add(key)
    return keys


def _suffixes() -> Iterator[str]:
    """b, c, ..., z, then ba, bb, ... (a key's second paper is ``b``: the first has none)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    width = 1
    while True:
        for number in range(26 ** (width - 1), 26**width):
            word = ""
            while number:
                number, digit = divmod(number, 26)
                word = letters[digit] + word
            yield word.rjust(width, "a")
        width += 1


def _author_field(authors: list[str]) -> str:
    """Authors joined by `` and ``; a name holding the word "and" is braced as one name."""
    names = []
    for author in authors:
        name = latex_escape(author)
        if not name:
            continue
        names.append(f"{{{name}}}" if re.search(r"\band\b", name, re.IGNORECASE) else name)
    return " and ".join(names)


def bibtex(papers: pd.DataFrame) -> str:
    """The papers as BibTeX: ``@article`` for arXiv papers (with ``eprint``, ``archivePrefix``,
    ``primaryClass`` and ``journal = {arXiv preprint arXiv:ID}``), ``@misc`` for the others
    (``t-...`` ids).  Keys from :func:`bibtex_keys`; every text field LaTeX-escaped
    (:func:`latex_escape`), the title in double braces to keep its capitals; the year and month
    are arXiv's first version's when known, else the listing day's; the url is the paper's own
    http(s) link, else its arXiv page, written as is (BibTeX styles set it with ``\\url``)."""
    entries = []
    for key, paper in zip(bibtex_keys(papers), _rows(papers), strict=True):
        paper_id = str(paper.id)
        on_arxiv = arxiv_id(paper_id) == paper_id
        day = _day(paper)
        authors = list(paper.authors) if paper.authors is not None else []
        categories = list(paper.categories) if paper.categories is not None else []
        url = safe_url(paper.url if isinstance(paper.url, str) else None)
        if url is None or "{" in url or "}" in url:
            url = arxiv_abs_url(paper_id) if on_arxiv else None
        fields: list[tuple[str, str | None]] = [
            ("title", f"{{{latex_escape(paper.title)}}}"),
            ("author", _author_field(authors) or None),
            ("year", str(day.year) if day else None),
            ("month", _MONTHS[day.month - 1] if day else None),  # a BibTeX macro: unbraced
            ("journal", f"arXiv preprint arXiv:{latex_escape(paper_id)}" if on_arxiv else None),
            ("eprint", latex_escape(paper_id) if on_arxiv else None),
            ("archivePrefix", "arXiv" if on_arxiv else None),
            ("primaryClass", latex_escape(categories[0]) if on_arxiv and categories else None),
            ("url", url),
            ("abstract", latex_escape(paper.abstract) or None),
        ]
        lines = [f"@{'article' if on_arxiv else 'misc'}{{{key},"]
        for name, value in fields:
            if value is not None:
                lines.append(f"  {name} = {value}," if name == "month" else f"  {name} = {{{value}}},")
        entries.append("\n".join(lines) + "\n}\n")
    return "\n".join(entries)


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    yield from frame.itertuples(index=False)
