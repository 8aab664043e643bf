"""A feed's events as the previous build wrote them, found in its bytes by UID: the whole
rebuild takes unchanged duties' events from there instead of encoding them again."""

from __future__ import annotations

import re
from collections.abc import Iterable

_BEGIN, _END, _UID = b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n", b"UID:"
_EVENT_START = re.compile(re.escape(_BEGIN))


def _uid_at(data: bytes, at: int) -> bytes:
    """The UID of the line at ``at`` (``UID:...``), unfolded."""
    find = data.find
    line_end = find(b"\r\n", at)
    uid = data[at + len(_UID) : line_end]
    while data.startswith(b"\r\n ", line_end):  # a folded UID goes on
        nxt = find(b"\r\n", line_end + 3)
        uid += data[line_end + 3 : nxt]
        line_end = nxt
    return uid


def event_blocks(data: bytes) -> dict[str, bytes]:
    """A feed's VEVENTs by UID, each whole (BEGIN to END:VEVENT and its CRLF); ValueError
    if the text is not as the writer writes it (BEGIN, then the UID, folded or not)."""
    blocks = {}
    find = data.find
    start = find(_BEGIN)
    while start != -1:
        end = find(_END, start)
        if end == -1:
            raise ValueError("VEVENT without its end")
        end += len(_END)
        at = start + len(_BEGIN)
        if not data.startswith(_UID, at):
            raise ValueError("VEVENT not starting with its UID")
        blocks[_uid_at(data, at).decode()] = data[start:end]
        start = find(_BEGIN, end)
    return blocks


_CRLF = b"\r\n"


def event_slices(data: bytes, uids: Iterable[str]) -> dict[str, memoryview] | None:
    """``event_blocks`` for a feed whose manifest part is at hand (``uids``, in the feed's
    order, as the previous build recorded them): the events' places are found with one scan
    for their starts and each is checked to begin with its UID and end as an event ends,
    instead of each being read apart. Views into ``data``, not copies: all.ics
    is 30 MB for a province. None if the file is not laid out so (then event_blocks)."""
    starts = [m.start() for m in _EVENT_START.finditer(data)]
    order = list(uids)
    if len(starts) != len(order) or not starts:
        return None
    ends = starts[1:]
    ends.append(data.rfind(b"END:VCALENDAR\r\n"))
    view = memoryview(data)
    slices = {}
    begin, end_len, starts_with = len(_BEGIN), len(_END), data.startswith
    for uid, start, end in zip(order, starts, ends, strict=True):
        if not starts_with(_END, end - end_len):
            return None
        line = b"UID:" + uid.encode() + _CRLF
        at = start + begin
        if not starts_with(line, at) and not (starts_with(_UID, at) and _uid_at(data, at) == line[4:-2]):  # fmt: skip
            return None  # (a long UID is folded: read as event_blocks reads it)
        slices[uid] = view[start:end]
    return slices
