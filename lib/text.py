"""Small pure text helpers shared by importers, search and pages.

One place for: whitespace collapsing, accent folding, arXiv id recognition,
title-derived ids, and escaping paper text so markdown never interprets it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata


def collapse_ws(text: str | None) -> str:
    """Collapse every run of whitespace (newlines, tabs, NBSP) to one space and strip.

    >>> collapse_ws("  Long-context\\n  retrieval ")
    'Long-context retrieval'
    """
    if not text:
        return ""
    return " ".join(text.split())  # str.split() splits on every Unicode space; fast


# ANSI escape sequences (CSI ``ESC [ ... m``, OSC ``ESC ] ... BEL``, two-character escapes), then every other
# C0/C1 control character except the whitespace ones (tab, newline, carriage return, vertical tab, form feed)
_CONTROLS = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]{0,512}(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[@-Z\\-_]|[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]"
)


def strip_controls(text: str) -> str:
    """Text without terminal escape sequences and control characters (NUL, ESC, C1 ...); tab,
    newline and the other whitespace controls are kept for the caller to collapse or keep.

    >>> strip_controls("\\x1b[31mred\\x1b[0m bo\\x00ld\\nline")
    'red bold\\nline'
    """
    if text.isprintable():
        return text
    return _CONTROLS.sub("", text)


def fold(text: str) -> str:
    """Lower-case and strip accents: ``"Café Ünïcode"`` -> ``"cafe unicode"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_NON_WORD = re.compile(r"[\W_]+")  # anything but letters and digits of any script


def title_key(title: str) -> str:
    """The normalised form of a title used to recognise the same paper across sources."""
    return _NON_WORD.sub(" ", fold(title)).strip()


def title_id(title: str) -> str:
    """A stable id for a paper whose arXiv id is unknown, derived from its normalised title.

    >>> title_id("ALLoRA:  Adaptive Learning Rate") == title_id("allora adaptive learning rate")
    True
    """
    digest = hashlib.sha1(title_key(title).encode("utf-8")).hexdigest()[:12]
    return f"t-{digest}"


# --- arXiv ids ---------------------------------------------------------------
# New style 2508.01234 (4 or 5 digits after the dot, since 2015), old style
# hep-th/9901001 or math.GT/0309136; an optional version suffix vN.
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
_ID_CORE = rf"(?P<id>{_NEW_ID}|{_OLD_ID})(?:v(?P<version>\d+))?"
_BARE_ID = re.compile(rf"^(?:arxiv:\s*)?{_ID_CORE}$", re.IGNORECASE)
_URL_ID = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/|hf\.co/papers/){_ID_CORE}(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)


def arxiv_id(text: str | None) -> str | None:
    """The arXiv id (without version) in a bare id, an ``arXiv:`` reference or an arXiv/HF URL.

    >>> arxiv_id("http://arxiv.org/abs/2202.12139v1")
    '2202.12139'
    >>> arxiv_id("https://huggingface.co/papers/2508.01234") , arxiv_id("hep-th/9901001v2")
    ('2508.01234', 'hep-th/9901001')
    >>> arxiv_id("Error") is None
    True
    """
    if not text:
        return None
    text = text.strip()
    match = _BARE_ID.match(text) or _URL_ID.search(text)
    if not match:
        return None
    found = match.group("id")
    # Old-style archive names are lower case; the subject class (math.GT) is not.
    if "/" in found:
        archive, number = found.split("/")
        head, _, subject = archive.partition(".")
        found = f"{head.lower()}{'.' + subject.upper() if subject else ''}/{number}"
    return found


def arxiv_abs_url(paper_id: str) -> str:
    return f"https://arxiv.org/abs/{paper_id}"


def arxiv_pdf_url(paper_id: str) -> str:
    return f"https://arxiv.org/pdf/{paper_id}"


def hf_paper_url(paper_id: str) -> str:
    return f"https://huggingface.co/papers/{paper_id}"


# --- safe display --------------------------------------------------------------
# Streamlit's markdown understands CommonMark plus LaTeX ($), emoji and colour
# directives (:red[...]) and raw HTML (escaped, but still).  Paper text is data:
# backslash-escaping every ASCII punctuation character is always valid CommonMark
# and makes all of it literal.  But GitHub-flavoured autolinks are found in the text
# after the escapes are read: a word joiner (U+2060, invisible) before ``www.``,
# ``http(s):`` and ``@`` leaves no place such a link may start.
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_AUTOLINK = re.compile(r"(?=www\.|https?:|@)", re.IGNORECASE)


def md_escape(text: str | None) -> str:
    """Text rendered literally by ``st.markdown``: no links (autolinks neither), HTML, LaTeX or styling.

    >>> md_escape("[x](javascript:alert(1)) <b>$E=mc^2$</b>")
    '\\\\[x\\\\]\\\\(javascript\\\\:alert\\\\(1\\\\)\\\\) \\\\<b\\\\>\\\\$E\\\\=mc\\\\^2\\\\$\\\\<\\\\/b\\\\>'
    >>> md_escape("www.x.org a@b.org") == "\u2060www\\\\.x\\\\.org a\u2060\\\\@b\\\\.org"
    True
    """
    if not text:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", _AUTOLINK.sub("\u2060", _INVISIBLE.sub("", collapse_ws(text))))


_CODE_SPAN = re.compile(r"(`[^`]*`)")
# what may start markdown, HTML or LaTeX in a message (its "=", "." and ":" stay as written) ...
_MESSAGE_SPECIAL = re.compile(r"([\\`*_\[\]()<>#$~|{}!])")
# ... but a URL's scheme: a joiner before it is not enough (a protocol autolink may follow any non-letter)
_SCHEME = re.compile(r"(https?):", re.IGNORECASE)


def md_message(text: str | None) -> str:
    """A message that may quote what a visitor typed (a link's value, a name), for ``st.error``
    and its kin: literal like :func:`md_escape` except its `code spans` (commands to run), which
    markdown shows literally anyway.  A crafted ``?sort=[x](https://…)`` is text, not a link.

    >>> shown = md_message("Ignored x=[a](https://e.com): run `python -m lib build`")
    >>> "](" in shown, shown.endswith(": run `python -m lib build`")
    (False, True)
    """
    if not text:
        return ""
    pieces = _CODE_SPAN.split(re.sub(r"\s+", " ", _INVISIBLE.sub("", str(text))))
    return "".join(
        piece
        if _CODE_SPAN.fullmatch(piece)
        else _SCHEME.sub(r"\1\\:", _MESSAGE_SPECIAL.sub(r"\\\1", _AUTOLINK.sub("\u2060", piece)))
        for piece in pieces
    )


_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for a markdown link target, or None (``javascript:`` and
    anything odd are refused); parentheses are percent-encoded so they cannot end
    the link early."""
    if not url or not isinstance(url, str) or not _SAFE_URL.match(url.strip()):
        return None
    return url.strip().replace("(", "%28").replace(")", "%29")


def md_link(label: str, url: str | None) -> str:
    """A markdown link with an escaped label, or just the escaped label when the URL is unsafe."""
    target = safe_url(url)
    return f"[{md_escape(label)}]({target})" if target else md_escape(label)


# --- numbers as people read them ------------------------------------------------------
SHARE_FORMAT = ".1%"  # the same, for Vega-Lite axes and tooltips (d3-format)


def share_text(share: float) -> str:
    """A share as every page and the CLI write it: percent with one decimal.

    >>> share_text(0.1234), share_text(1.0)
    ('12.3%', '100.0%')
    """
    return f"{share:.1%}"


def points_text(difference: float) -> str:
    """A difference of two shares in percentage points, signed.

    >>> points_text(0.045), points_text(-0.0012)
    ('+4.5 pt', '-0.1 pt')
    """
    return f"{difference * 100:+.1f} pt"


def count_text(number: int, noun: str, plural: str | None = None) -> str:
    """``1 result``, ``2 results``, ``1,234 papers``: a count with its noun in the right number.

    >>> count_text(1, "result"), count_text(1234, "paper"), count_text(2, "entry", "entries")
    ('1 result', '1,234 papers', '2 entries')
    """
    return f"{number:,} {noun if number == 1 else (plural or noun + 's')}"


def byte_size(text: str) -> int:
    """``8G``, ``256M``, ``1.5g``, ``500k``, ``2GiB`` or a number of bytes (binary units); a
    ValueError for anything else."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", str(text), re.IGNORECASE)
    if not match:
        raise ValueError(text)
    return int(float(match[1]) * (1 << {"": 0, "k": 10, "m": 20, "g": 30, "t": 40}[match[2].lower()]))
