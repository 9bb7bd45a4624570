"""How a long step of lib reports its progress: one callable type for every producer (the
search index, the term index, the topic fit, the importer, the fetchers, the Library) and
every consumer (the CLI's progress line, the pages' progress bars, tests).

``progress(step, done)``: ``step`` says what runs now, in words a person reads as they are
("term index: papers 1–65,536 of 1,000,000", "Hugging Face 2025-09-08: 51 papers");
``done`` says how far the work is, as a share in [0, 1] -- except for a step whose size is
unknown until it ends (the importer reading a file), which reports how many papers it has
read so far.  A consumer knows which from the call it passed the callback to (the CLI shows
"42%" for a share, "50,000 papers read" for a count).  ``progress`` is always optional:
lib never depends on being called back.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, float], None]
