"""The parsed-schedule cache: a schedule file read before is not read again, and an edited one
reads only the duties that changed.

Each schedule file has one entry (:mod:`.cachefiles`): the SHA-256 of its text, the Schedule
read from it (and the same before the self-checks were added), and, when the text could be cut
into sections and duties (:mod:`.sections`), a key of everything but the duties (each section's
text and first line: the units, groups, defaults and plans every duty is checked against) and,
for each duty of ``duties:``, a key of its text and the line it began on.

* Same text: the stored Schedule.
* Same sections but ``duties:``: each duty whose text is unchanged is taken from the entry
  (its line moved if lines were added or removed above it), each other one is composed and
  checked alone, against the stored units, groups, defaults and plan; then the checks that
  span duties run as in a full load: duplicate ids, one-off dates against the calendar (for
  the duties read now: the others passed with the same calendar), the self-checks.
* Anything else, or any doubt or problem on the way: None, and the caller reads the file
  whole (:func:`.loader.read_schedule`), which stays the reference and reports every problem.

A Duty taken from an entry is a fresh object of that entry's unpickling, seen by no one yet:
its ``where`` is moved in place, which costs a tenth of rebuilding it.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, SequenceNode

from ..core.errors import DisclosureError, Where
from .cachefiles import read_entry, write_entry
from .duties import read_duties
from .model import Defaults, Duty, Plan, Schedule
from .sections import Sections, cut
from .selfcheck import add_self_checks
from .yamlsource import Checker, FastLoader

# How loads went in this process (for tests and benchmarks): whole hits, loads that reused
# an entry's duties, duties read in those, loads read whole (no entry, or it did not fit).
STATS = {"hits": 0, "reuses": 0, "duties_read": 0, "full": 0}
_last_cut: tuple[str, Sections | None] = ("", None)


def load_cached(path: Path, text: str, data: bytes, digest: str) -> Schedule | None:
    """The Schedule of ``text`` (the content of ``path``; ``data`` in UTF-8, its SHA-256
    ``digest``) from the cache, or None: then the caller reads it whole and calls
    :func:`remember`."""
    entry = read_entry(path)
    if entry is None:
        STATS["full"] += 1
        return None
    try:
        if entry["digest"] == digest:
            schedule = entry["schedule"]
            if isinstance(schedule, Schedule):
                STATS["hits"] += 1
                return schedule
        elif entry["head"] is not None:
            found = _reuse(path, _cut(text, data), digest, entry)
            if found is not None:
                STATS["reuses"] += 1
                return found
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        pass  # an entry of another shape: read whole, and replace it
    STATS["full"] += 1
    return None


def remember(
    path: Path, text: str, data: bytes, digest: str, base: Schedule, schedule: Schedule
) -> None:
    """Store what a full read of ``text`` gave: ``base`` before the self-checks, ``schedule``."""
    sections = _cut(text, data)
    head, chunks = None, None
    if sections is not None and _fits(base, sections):
        head = _head_key(sections)
        chunks = [(_chunk_key(chunk), line) for line, chunk in sections.duties]
    _store(path, digest, head, chunks, base, schedule)


def _store(
    path: Path,
    digest: str,
    head: str | None,
    chunks: list[tuple[bytes, int]] | None,
    base: Schedule,
    schedule: Schedule,
) -> None:
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


def _head_key(sections: Sections) -> str:
    parts = hashlib.sha256()
    for name, line, text in sections.head:
        parts.update(b"%s\0%d\0%d\0" % (name, line, len(text)))
        parts.update(text)
    return parts.hexdigest()


def _chunk_key(chunk: bytes) -> bytes:
    return hashlib.blake2b(chunk, digest_size=16).digest()


def _reuse(
    path: Path, sections: Sections | None, digest: str, entry: dict[str, Any]
) -> Schedule | None:
    if sections is None or _head_key(sections) != entry["head"]:
        return None
    base: Schedule = entry["base"]
    old: dict[bytes, tuple[int, int]] = {}
    for index, (key, line) in enumerate(entry["chunks"]):
        old.setdefault(key, (index, line))
    later = base.duties[len(entry["chunks"]) :]
    known = {u.id for u in base.units} | {g.id for g in base.groups}
    name = str(path)
    duties: list[Duty] = []
    chunks: list[tuple[bytes, int]] = []
    fresh: list[Duty] = []
    for line, chunk in sections.duties:
        key = _chunk_key(chunk)
        chunks.append((key, line))
        if key in old:
            index, was = old.pop(key)  # popped: the same text twice is read twice
            duty = base.duties[index]
            if line != was:
                _move(duty, name, line - was)
        else:
            read = _read_duty(name, chunk, line, known, base.defaults, base.plan)
            if read is None:
                return None
            duty = read
            fresh.append(duty)
        duties.append(duty)
    STATS["duties_read"] += len(fresh)
    duties += later
    if len({d.id for d in duties}) != len(duties) or not _once_dates_fit(base, fresh):
        return None
    new_base = replace(base, digest=digest[:12], duties=tuple(duties))
    try:
        schedule = add_self_checks(new_base)
    except DisclosureError:
        return None
    _store(path, digest, entry["head"], chunks, new_base, schedule)
    return schedule


def _move(duty: Duty, name: str, lines: int) -> None:
    where = duty.where
    if where is not None:
        object.__setattr__(duty, "where", Where(name, where.line + lines, where.column))


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
