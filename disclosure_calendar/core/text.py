"""Text typed by people (event notes, evidence URLs), cleaned where it enters the program.

A note typed into the unit page's form or given to ``event add --note`` may carry control
characters (a pasted NUL, BEL or ESC, an escape sequence from a terminal). RFC 5545 forbids
them in a feed, PostgreSQL refuses NUL in text, a terminal acts on ESC when ``event list``
prints it. Both ways in (the CLI and the portal) call :func:`one_line` before storing, and
the feed writer asserts (:func:`has_control`) that none got through another way.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and lone surrogates (a command line's undecodable bytes).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# What RFC 5545 forbids in a TEXT value before its escaping (3.3.11: TAB is allowed, line
# breaks are written as \n).
_FORBIDDEN_IN_FEEDS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def one_line(text: str, limit: int | None = None) -> str:
    """``text`` as one line: whitespace runs and control characters become one space, the
    ends trimmed; cut to ``limit`` characters if given."""
    cleaned = " ".join(_CONTROL.sub(" ", text).split())
    return cleaned if limit is None else cleaned[:limit].rstrip()


def has_control(text: str) -> bool:
    """True if ``text`` holds a control character other than TAB and line breaks."""
    return _FORBIDDEN_IN_FEEDS.search(text) is not None
