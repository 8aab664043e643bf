"""schedule.yaml cut into pieces by its text alone, for the parsed-schedule cache (:mod:`.cache`).

The top-level sections (``plan:``, ``units:`` ...) and, in ``duties:``, each duty's item
(from its ``- `` to the next), with the line each begins on. A duty's text read alone (as
``duties:`` and that text) gives the same nodes as in the whole file when the cut is sure:
a block item ends only where the next ``- `` stands at the items' indent, a line no block
scalar, plain scalar or nested block can hold, and a cut inside a quoted scalar or a flow
collection leaves the piece before it unclosed (so it fails to compose). Whatever the cutter
is not sure of gives None, and the file is read whole: tabs and line breaks other than
``\\n`` (YAML counts NEL, LS and PS as breaks), directives and document markers, anchors and
aliases in the duties, a top-level line that is not a plain ``key:``, ``duties:`` with a value
on its own line, a line in the duties that is less indented than the items or stands at their
indent without starting one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Text the cutter does not try to understand anywhere in the file (patterns anchored on a
# line break rather than ``^``: on a megabyte of Chinese text, several times faster).
_ODD_CHARACTERS = "\t\r\x85\u2028\u2029\ufeff"
_MARKERS = re.compile(rb"\n(?:---|\.\.\.|%)")
# An anchor or alias (&a, *a) where a node may begin: an item could then depend on another.
# Also catches '*' or '&' starting a word inside a plain scalar: that file is read whole.
_ALIAS = re.compile(rb"[\s\[{,][&*][^\s]")
# A line at column 0 that starts a section: neither blank, nor a comment, nor a list item.
_SECTION = re.compile(rb"\n(?=[^\s#-]|-\S)")
_KEY = re.compile(rb"([A-Za-z_][A-Za-z0-9_]*):(?=[ \n]|\Z)")
_DUTIES = re.compile(rb"duties:[ ]*(?:#[^\n]*)?")
_FIRST_CONTENT = re.compile(rb"\n[ ]*[^\s#]")


@dataclass(frozen=True)
class Sections:
    """The file's pieces: every section but ``duties:`` as (name, first line, text), in the
    file's order, and each duty of ``duties:`` as (first line, text). Lines are 1-based."""

    def keys(self) -> list[tuple[str, int]]:
        """The top-level keys as cut and their lines, in the file's order."""
        named = [(name.decode(), line) for name, line, _text in self.head if name]
        return sorted([*named, ("duties", self.duties_line)], key=lambda key: key[1])

    head: tuple[tuple[bytes, int, bytes], ...]
    duties: tuple[tuple[int, bytes], ...]
    duties_line: int


def cut(text: bytes, decoded: str) -> Sections | None:
    """``text`` (``decoded`` in UTF-8) cut into its sections and duties, or None when the cut
    could be wrong. (Characters are looked for in the str, several times faster.)"""
    if any(odd in decoded for odd in _ODD_CHARACTERS) or _MARKERS.search(text):
        return None
    if text.startswith((b"---", b"...", b"%")):
        return None
    starts = [m.start() + 1 for m in _SECTION.finditer(text)]
    if _SECTION.match(b"\n" + text[:2]):
        starts.insert(0, 0)
    if not starts:
        return None
    head: list[tuple[bytes, int, bytes]] = []
    if starts[0] > 0:  # comments and blank lines before the first key
        head.append((b"", 1, text[: starts[0]]))
    names: set[bytes] = set()
    duties: tuple[tuple[int, bytes], ...] | None = None
    duties_line = 0
    line = 1 + text.count(b"\n", 0, starts[0])
    for begin, end in zip(starts, [*starts[1:], len(text)], strict=True):
        key = _KEY.match(text, begin)
        if key is None or key.group(1) in names:
            return None
        names.add(key.group(1))
        if key.group(1) == b"duties":
            duties, duties_line = _items(text, begin, end, line), line
            if duties is None:
                return None
        else:
            head.append((key.group(1), line, text[begin:end]))
        line += text.count(b"\n", begin, end)
    if duties is None:
        return None
    return Sections(tuple(head), duties, duties_line)


def _items(text: bytes, begin: int, end: int, line: int) -> tuple[tuple[int, bytes], ...] | None:
    """The items of the ``duties:`` section text[begin:end] (its key on ``line``)."""
    newline = text.find(b"\n", begin, end)
    if newline < 0 or not _DUTIES.fullmatch(text, begin, newline):
        return None
    if (text.find(b"&", newline, end) >= 0 or text.find(b"*", newline, end) >= 0) and _ALIAS.search(
        text, newline, end
    ):
        return None
    first = _FIRST_CONTENT.search(text, newline, end)
    if first is None or text[first.end() - 1 : first.end()] != b"-":
        return None  # something other than comments before the first item
    indent = first.end() - first.start() - 2
    item = re.compile(rb"\n[ ]{%d}-(?=[ \n]|\Z)" % indent)
    # A line with content less indented than the items, or at their indent but not an item.
    stray = re.compile(rb"\n[ ]{0,%d}(?:[^\s#-]|-[^ \n])" % indent)
    outdented = re.compile(rb"\n[ ]{0,%d}-" % (indent - 1)) if indent else None
    if stray.search(text, newline, end) or (outdented and outdented.search(text, newline, end)):
        return None
    starts = [m.start() + 1 for m in item.finditer(text, first.start(), end)]
    if not starts or starts[0] != first.start() + 1:
        return None
    items: list[tuple[int, bytes]] = []
    at = line + text.count(b"\n", begin, starts[0])
    for start, stop in zip(starts, [*starts[1:], end], strict=True):
        items.append((at, text[start:stop]))
        at += text.count(b"\n", start, stop)
    return tuple(items)
