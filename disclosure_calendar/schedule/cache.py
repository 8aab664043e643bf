"""The parsed-schedule cache: a schedule file read before is not read again, and an edited one
reads only the duties that changed.

Each schedule file has one entry (:mod:`.cachefiles`): the SHA-256 of its text, the Schedule
read from it (and the same before the self-checks were added), and, when the text could be cut
into sections and duties (:mod:`.sections`), a key of everything but the duties (each other
section's name and text, and where ``duties:`` stands among them: the units, groups, defaults
and plans every duty is checked against) with the line each of those sections began on, and,
for each duty of ``duties:``, a key of its text and the line it began on.

* Same text: the stored Schedule.
* Same sections but ``duties:``: each duty whose text is unchanged is taken from the entry
  (its line moved if lines were added or removed above it, and so are the units, groups and
  later plans' duties of the sections after ``duties:``), each other one is composed and
  checked alone, against the stored units, groups, defaults and plan; then the checks that
  span duties run as in a full load: duplicate ids, one-off dates against the calendar (for
  the duties read now: the others passed with the same calendar), the self-checks. What
  this read is written as the entry's delta (the new text's digest, its duties' keys and
  lines, the duties not in the entry), a few kilobytes where rewriting the entry would cost
  more than the rest of the load; the next load of the same text is a hit on the delta, the
  next edit starts from the entry and the delta. Past DELTA_DUTIES duties, the entry itself
  is written again.
* Anything else, or any doubt or problem on the way: None, and the caller reads the file
  whole (:func:`.loader.read_schedule`), which stays the reference and reports every problem.

A Duty taken from an entry is a fresh object of that entry's unpickling, seen by no one yet:
its ``where`` is moved in place, which costs a tenth of rebuilding it.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, SequenceNode

from ..core.errors import DisclosureError, Where
from .cachefiles import read_entry, write_entry
from .duties import read_duties
from .model import Defaults, Duty, Group, Plan, Schedule, Unit
from .sections import Sections, cut
from .selfcheck import add_self_checks
from .yamlsource import Checker, FastLoader

# How loads went in this process (for tests and benchmarks): hits (the entry's text, or its
# delta's), loads that reused an entry's duties, duties read in those, loads read whole.
STATS = {"hits": 0, "reuses": 0, "duties_read": 0, "full": 0}
# A delta keeps at most this many duties; past it, the whole entry is written again.
DELTA_DUTIES = 200
_last_cut: tuple[str, Sections | None] = ("", None)
_Pool = dict[bytes, tuple[Duty, int, bool]]
Head = tuple[str, int, list[int]]


def load_cached(path: Path, text: str, data: bytes, digest: str) -> Schedule | None:
    """The Schedule of ``text`` (the content of ``path``; ``data`` in UTF-8, its SHA-256
    ``digest``) from the cache, or None: then the caller reads it whole and calls
    :func:`remember`."""
    entry = read_entry(path)
    found = None
    # An entry of another shape: read whole, and replace it.
    with contextlib.suppress(KeyError, TypeError, ValueError, IndexError, AttributeError):
        if entry is not None:
            found = _from_entry(path, text, data, digest, entry)
    STATS["full" if found is None else "hits" if found[1] else "reuses"] += 1
    if found is None:
        return None  # the cut (if made) is kept for remember()
    _forget_cut()
    return found[0]


def _from_entry(
    path: Path, text: str, data: bytes, digest: str, entry: dict[str, Any]
) -> tuple[Schedule, bool] | None:
    """The schedule from ``entry`` (and its delta), and whether no duty had to be read."""
    if entry["digest"] == digest:
        schedule = entry["schedule"]
        return (schedule, True) if isinstance(schedule, Schedule) else None
    if entry["head"] is None:
        return None
    delta = read_entry(path, delta=True)
    if delta is not None and delta["base"] != entry["digest"]:
        delta = None  # written beside an earlier entry
    if delta is not None and delta["digest"] == digest:
        found = _assemble(path, digest, entry, delta, delta["chunks"], None, delta["lines"])
        return None if found is None else (found, True)
    sections = _cut(text, data)
    if sections is None:
        return None
    key, _place, lines = _head(sections)
    if key != entry["head"][0]:
        return None
    chunks = [(_chunk_key(chunk), line) for line, chunk in sections.duties]
    pieces = [chunk for _line, chunk in sections.duties]
    found = _assemble(path, digest, entry, delta, chunks, pieces, lines)
    return None if found is None else (found, False)


def remember(
    path: Path,
    text: str,
    data: bytes,
    digest: str,
    base: Schedule,
    schedule: Schedule,
    keys: list[tuple[str, int]],
) -> None:
    """Store what a full read of ``text`` gave: ``base`` before the self-checks, ``schedule``;
    ``keys``: the top-level keys the YAML parser found, and their lines."""
    sections = _cut(text, data)
    head, chunks = None, None
    # The cut is trusted only where it agrees with the parser: the same top-level keys on
    # the same lines (no section found inside a quoted scalar), each duty in its piece.
    if sections is not None and sections.keys() == keys and _fits(base, sections):
        head = _head(sections)
        chunks = [(_chunk_key(chunk), line) for line, chunk in sections.duties]
    _store(path, digest, head, chunks, base, schedule)
    _forget_cut()


def _store(
    path: Path,
    digest: str,
    head: Head | None,
    chunks: list[tuple[bytes, int]] | None,
    base: Schedule,
    schedule: Schedule,
) -> None:
    for duty in schedule.duties:  # stored with each duty: see Duty.content_digest
        duty.content_digest  # noqa: B018
    # Copies without the values a Schedule caches (cached_property) once asked.
    entry: dict[str, Any] = {
        "digest": digest,
        "head": head,
        "chunks": chunks,
        "base": replace(base),
        "schedule": replace(schedule),
    }
    write_entry(path, entry)


def _cut(text: str, data: bytes) -> Sections | None:
    """:func:`.sections.cut`, once per text (a miss cuts, then remembers)."""
    global _last_cut
    if _last_cut[0] is not text:
        _last_cut = (text, cut(data, text))
    return _last_cut[1]


def _forget_cut() -> None:
    """Let go of the last text and its pieces (a megabyte or two for a province)."""
    global _last_cut
    _last_cut = ("", None)


def _fits(base: Schedule, sections: Sections) -> bool:
    """True if the first duties of ``base`` are the pieces of ``duties:``, one each, in order,
    and the rest are the later plans' (so an entry's duties can be told apart by position)."""
    count = len(sections.duties)
    first = base.plan.id
    if len(base.duties) < count or any(d.plan == first for d in base.duties[count:]):
        return False
    for duty, (line, chunk) in zip(base.duties, sections.duties, strict=False):
        where = duty.where
        if (
            duty.plan != first
            or where is None
            or not line <= where.line <= line + chunk.count(b"\n")
        ):
            return False
    return True


def _head(sections: Sections) -> Head:
    """A key of every section but ``duties:`` (names and text, and where ``duties:`` stands
    among them), that place, and the line each section begins on."""
    place = sum(1 for _name, line, _text in sections.head if line < sections.duties_line)
    parts = hashlib.sha256(b"%d\0" % place)
    for name, _line, text in sections.head:
        parts.update(b"%s\0%d\0" % (name, len(text)))
        parts.update(text)
    return parts.hexdigest(), place, [line for _name, line, _text in sections.head]


def _chunk_key(chunk: bytes) -> bytes:
    return hashlib.blake2b(chunk, digest_size=16).digest()


def _assemble(
    path: Path,
    digest: str,
    entry: dict[str, Any],
    delta: dict[str, Any] | None,
    chunks: list[tuple[bytes, int]],
    pieces: list[bytes] | None,
    lines: list[int],
) -> Schedule | None:
    """The schedule whose ``duties:`` are ``chunks`` (key, first line): each duty taken from
    the entry or its delta, or read from its piece of text (``pieces``: the text of each, or
    None when every one must be found); then the checks that span duties, the self-checks,
    and the delta written (or, past DELTA_DUTIES, a new entry). ``lines``: where the other
    sections begin now."""
    base: Schedule = entry["base"]
    name = str(path)
    key, place, old_lines = entry["head"]
    if not _move_sections(name, base, len(entry["chunks"]), place, old_lines, lines):
        return None
    pool: _Pool = {}
    for index, (key, line) in enumerate(entry["chunks"]):
        pool.setdefault(key, (base.duties[index], line, True))
    for key, (duty, line) in (delta["duties"] if delta else {}).items():
        pool.setdefault(key, (duty, line, False))
    known = {u.id for u in base.units} | {g.id for g in base.groups}
    duties: list[Duty] = []
    kept: dict[bytes, tuple[Duty, int]] = {}  # the duties not in the entry: the next delta
    read: list[Duty] = []
    for n, (key, line) in enumerate(chunks):
        found = pool.pop(key, None)  # popped: the same text twice is read twice
        if found is not None:
            duty, was, in_entry = found
            if line != was:
                _move(duty, name, line - was)
        elif pieces is not None:
            duty_read = _read_duty(name, pieces[n], line, known, base.defaults, base.plan)
            if duty_read is None:
                return None
            duty, in_entry = duty_read, False
            read.append(duty)
        else:
            return None
        if not in_entry:
            kept[key] = (duty, line)
        duties.append(duty)
    STATS["duties_read"] += len(read)
    duties += base.duties[len(entry["chunks"]) :]  # the later plans' duties
    if len({d.id for d in duties}) != len(duties) or not _once_dates_fit(base, read):
        return None
    new_base = replace(base, digest=digest[:12], duties=tuple(duties))
    try:
        schedule = add_self_checks(new_base)
    except DisclosureError:
        return None
    if pieces is None:
        pass  # the delta's own text: nothing new to store
    elif len(kept) <= DELTA_DUTIES:
        for duty, _line in kept.values():
            duty.content_digest  # noqa: B018
        delta = {
            "base": entry["digest"], "digest": digest, "chunks": chunks, "lines": lines,
            "duties": kept,
        }  # fmt: skip
        write_entry(path, delta, delta=True)
    else:
        _store(path, digest, (key, place, lines), chunks, new_base, schedule)
    return schedule


def _move_sections(
    name: str, base: Schedule, first: int, place: int, old: list[int], new: list[int]
) -> bool:
    """Move what stands in the sections after ``duties:`` (units, groups, the later plans'
    duties: ``base.duties[first:]``) by the lines ``duties:`` grew or shrank. False if the
    sections did not move that way (then the entry is not used)."""
    if len(old) != len(new) or old[:place] != new[:place]:
        return False
    shifts = {now - was for now, was in zip(new[place:], old[place:], strict=True)}
    if len(shifts) > 1:
        return False
    shift = shifts.pop() if shifts else 0
    if shift:
        after = old[place]
        items: list[Unit | Group | Duty] = [*base.units, *base.groups, *base.duties[first:]]
        for item in items:
            if item.where is not None and item.where.line >= after:
                _move(item, name, shift)
    return True


def _move(item: Unit | Group | Duty, name: str, lines: int) -> None:
    where = item.where
    if where is not None:
        object.__setattr__(item, "where", Where(name, where.line + lines, where.column))


def _read_duty(
    name: str, chunk: bytes, line: int, known: set[str], defaults: Defaults, plan: Plan
) -> Duty | None:
    """One duty's text composed and checked alone; None if it has any problem at all."""
    loader = FastLoader("duties:\n" + chunk.decode("utf-8"))
    try:
        root = loader.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()
    if not isinstance(root, MappingNode) or len(root.value) != 1:
        return None
    items = root.value[0][1]
    if not isinstance(items, SequenceNode) or len(items.value) != 1:
        return None
    c = Checker(name)
    read = read_duties(c, items, known, defaults, plan, set(), [])
    if c.problems or len(read) != 1:
        return None
    _move(read[0], name, line - 2)  # the piece began on line 2 of what was composed
    return read[0]


def _once_dates_fit(base: Schedule, fresh: list[Duty]) -> bool:
    """The one-off dates of the duties read now give working days (checks.check_once_dates)."""
    from .checks import gives_no_workday
    from .rules import FixedDate, WorkdaysAfterDate

    dated = [d.due for d in fresh if isinstance(d.due, (FixedDate, WorkdaysAfterDate))]
    if not dated:
        return True
    from ..workdays.calendar import WorkdayCalendar

    cal = WorkdayCalendar(notices=base.notices, local_days_off=base.local_days_off)
    return not any(gives_no_workday(rule, cal) for rule in dated)
