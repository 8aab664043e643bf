"""Build the feeds: one .ics per unit, all.ics, index.html, and a manifest of event versions.

The manifest (``out/.manifest.json``) remembers, per feed and UID, a hash of the event's
content, its SEQUENCE, its LAST-MODIFIED and its due date. An event keeps all three until
its content changes, and DTSTAMP is LAST-MODIFIED, so the same input gives the same bytes
and clients that cache by UID see a higher SEQUENCE exactly when something changed. The
due dates let ``build`` say what moved since the previous build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DisclosureError
from .files import write_atomic
from .gcpause import paused_gc
from .ical import END_EVENT, EventParts, EventWriter, summary_line, utc_stamp
from .model import Schedule
from .occurrences import Occurrence, expand, uid_suffix

if TYPE_CHECKING:
    from .workdays import ChinaCalendar

MANIFEST = ".manifest.json"
ALL = "all"
INDEX = "index.html"
_FORMAT = 2
# Per feed, how many added/removed lines the summary spells out before "... and N more".
_DETAIL = 8

# feed file -> uid -> "content-hash sequence last-modified(UTC stamp) due(ISO)"
Manifest = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Feed:
    """One written feed: ``id`` is a unit id or ``all``."""

    id: str
    name: str
    file: str
    duties: int
    events: int


@dataclass(frozen=True)
class Change:
    """What changed in one feed since the previous build."""

    feed: str
    name: str
    added: tuple[tuple[str, str], ...]  # (uid, due)
    removed: tuple[tuple[str, str], ...]  # (uid, old due)
    moved: tuple[tuple[str, str, str], ...]  # (uid, old due, new due)
    changed: int  # same date, other content (text, reminders, provisional flag)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.moved or self.changed)


@dataclass(frozen=True)
class Rendered:
    """A build computed but not yet written."""

    files: dict[str, bytes]
    manifest: Manifest
    feeds: tuple[Feed, ...]
    changes: tuple[Change, ...]
    stale: tuple[str, ...]  # feed files of the previous build that no longer exist


@dataclass(frozen=True)
class BuildResult:
    feeds: tuple[Feed, ...]
    changes: tuple[Change, ...]
    written: tuple[str, ...]
    deleted: tuple[str, ...]
    provisional_years: tuple[int, ...]
    dry_run: bool
    first: bool = False  # no manifest from a previous build


def _digest(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=8).hexdigest()


def _rest_digests(parts: Sequence[EventParts]) -> list[bytes]:
    """Per event, a hash of everything after its SUMMARY: the DESCRIPTION, then the tail.

    A duty's occurrences share one DESCRIPTION object (a long text): it is hashed once, and
    each occurrence goes on from a copy of that hash's state.
    """
    started: dict[bytes, hashlib.blake2b] = {}
    digests = []
    for p in parts:
        state = started.get(p.description)
        if state is None:
            state = started[p.description] = hashlib.blake2b(p.description, digest_size=16)
        rest = state.copy()
        rest.update(p.tail)
        digests.append(rest.digest())
    return digests


def load_manifest(out_dir: Path) -> Manifest:
    path = out_dir / MANIFEST
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise DisclosureError(
            f"{path}: unreadable manifest ({exc}); delete it to start again "
            "(event SEQUENCE numbers then restart at 0)"
        ) from None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise DisclosureError(f"{path}: not a manifest of this version; delete it to start again")
    feeds: Manifest = data.get("feeds", {})
    return feeds


def dump_manifest(manifest: Manifest) -> bytes:
    return json.dumps(
        {"format": _FORMAT, "feeds": manifest},
        sort_keys=True,
        # Ids, labels and stamps are ASCII, so this gives the same bytes, and faster.
        ensure_ascii=True,
        separators=(",", ":"),
    ).encode()


class _Versions:
    """Assigns SEQUENCE/LAST-MODIFIED per UID of one feed and records what changed.

    A manifest entry is one string, ``"HASH SEQUENCE LAST-MODIFIED DUE"``: a province has
    hundreds of thousands of them, and flat strings load and dump several times faster
    than lists.
    """

    def __init__(
        self, previous: dict[str, str], modified_now: str, stamp: Callable[[int, str], bytes]
    ):
        self.previous = previous
        self.now = modified_now
        self.stamp = stamp
        self.fresh = stamp(0, modified_now)
        self.current: dict[str, str] = {}
        self.changed = 0

    def lines(self, uid: str, digest: str, due: str) -> bytes:
        """The event's version lines (``stamp(SEQUENCE, LAST-MODIFIED)``); records its entry."""
        old = self.previous.get(uid)
        if old is None:
            self.current[uid] = f"{digest} 0 {self.now} {due}"
            return self.fresh
        if old.startswith(digest):
            self.current[uid] = old
            _, seq, modified, _ = old.split(" ")
            return self.stamp(int(seq), modified)
        _, seq, _, old_due = old.split(" ")
        sequence = int(seq) + 1
        if old_due == due:
            self.changed += 1
        self.current[uid] = f"{digest} {sequence} {self.now} {due}"
        return self.stamp(sequence, self.now)

    def change(self, feed: str, name: str) -> Change:
        old, new = self.previous, self.current
        # An entry ends with its due date, YYYY-MM-DD: sliced, not split, as a first build
        # reports every one of a province's events as added.
        added = tuple((u, entry[-10:]) for u, entry in new.items() if u not in old)
        removed = tuple((u, old[u][-10:]) for u in sorted(old) if u not in new)
        moved = tuple(
            (u, old[u][-10:], entry[-10:])
            for u, entry in new.items()
            if u in old and old[u][-10:] != entry[-10:]
        )
        return Change(feed, name, added, removed, moved, self.changed)


class Renderer:
    """Renders the output files one at a time, so a province's feeds never all sit in memory.

    Iterate :meth:`files`; afterwards ``manifest``, ``feeds``, ``changes`` and ``stale`` are
    complete. Pure: reads and writes no files.
    """

    def __init__(
        self,
        schedule: Schedule,
        occurrences: Sequence[Occurrence],
        previous: Manifest,
        *,
        now: dt.datetime,
        years: tuple[int, int],
        base_url: str | None = None,
    ):
        if any(u.id == ALL for u in schedule.units):
            raise DisclosureError(f"a unit may not be called {ALL!r}: its feed would be {ALL}.ics")
        self.schedule = schedule
        self.occurrences = occurrences
        self.previous = previous
        self.base_url = base_url
        self.writer = EventWriter(schedule, years)
        self.modified_now = utc_stamp(now.replace(microsecond=0))
        self.manifest: Manifest = {}
        self.feeds: list[Feed] = []
        self.changes: list[Change] = []
        self.stale: tuple[str, ...] = ()

    def files(self) -> Iterator[tuple[str, bytes]]:
        from .index_page import render_index

        schedule, occurrences, writer = self.schedule, self.occurrences, self.writer
        domain = schedule.plan.uid_domain
        plan_title = schedule.plan.title
        dues = [o.due.isoformat() for o in occurrences]
        # Each occurrence is encoded once, in parts: a feed is the list of every event's
        # pieces (BEGIN+UID, version lines, then the occurrence's parts, END), joined once.
        # Content hashes hash the small parts and a hash of the large shared rest.
        parts = [writer.parts(o) for o in occurrences]
        rest_digests = _rest_digests(parts)
        # A UID is the occurrence's prefix and the assignee's suffix (as Occurrence.uid):
        # hundreds of thousands of them, so each is made by one concatenation.
        uid_prefixes = [o.uid_prefix for o in occurrences]
        assignees = [*(u.id for u in schedule.units), *(g.id for g in schedule.groups)]
        suffixes = {a: uid_suffix(a, domain) for a in assignees}

        # The all-units feed names each assignee as the plan does: a group once, not its members.
        file = f"{ALL}.ics"
        versions = _Versions(self.previous.get(file, {}), self.modified_now, writer.stamp)
        pieces: list[bytes] = []
        for i, occ in enumerate(occurrences):
            dates, title, description, tail = parts[i]
            for assignee in occ.duty.units:
                summary = writer.assignee_summary_line(title, assignee)
                uid = uid_prefixes[i] + suffixes[assignee]
                digest = _digest(dates + summary + rest_digests[i])
                pieces.append(writer.head(uid))
                pieces.append(versions.lines(uid, digest, dues[i]))
                pieces += (dates, summary, description, tail, END_EVENT)
        all_name = "全部单位"
        yield file, writer.calendar(f"{all_name}:{plan_title}", pieces, plan_title)
        del pieces
        self.manifest[file] = versions.current
        all_duties = len({o.duty.id for o in occurrences})
        feeds = [Feed(ALL, all_name, file, all_duties, len(versions.current))]
        changes = [versions.change(file, all_name)]

        # In a unit's feed an event is its UID and version lines, then this body.
        bodies = []
        digests = []
        for p, rest_digest in zip(parts, rest_digests, strict=True):
            summary = summary_line(p.title)
            bodies.append((p.dates, summary, p.description, p.tail, END_EVENT))
            digests.append(_digest(p.dates + summary + rest_digest))
        del parts, rest_digests
        per_unit: dict[str, list[int]] = {u.id: [] for u in schedule.units}
        for i, occ in enumerate(occurrences):
            for reached in schedule.unit_ids_of(occ.duty):
                per_unit[reached].append(i)
        for unit in schedule.units:
            file = f"{unit.id}.ics"
            versions = _Versions(self.previous.get(file, {}), self.modified_now, writer.stamp)
            suffix = suffixes[unit.id]
            pieces = []
            for i in per_unit[unit.id]:
                uid = uid_prefixes[i] + suffix
                pieces.append(writer.head(uid))
                pieces.append(versions.lines(uid, digests[i], dues[i]))
                pieces += bodies[i]
            about = f"{plan_title}:{unit.name}的公开任务"
            yield file, writer.calendar(unit.name, pieces, about)
            self.manifest[file] = versions.current
            duties = len({occurrences[i].duty.id for i in per_unit[unit.id]})
            feeds.append(Feed(unit.id, unit.name, file, duties, len(per_unit[unit.id])))
            changes.append(versions.change(file, unit.name))

        self.stale = tuple(sorted(f for f in self.previous if f not in self.manifest))
        for f in self.stale:
            gone = _Versions(self.previous[f], self.modified_now, writer.stamp)
            changes.append(gone.change(f, "(已删除)"))
        self.feeds, self.changes = feeds, changes
        yield INDEX, render_index(schedule, feeds, self.base_url).encode()


def render(
    schedule: Schedule,
    occurrences: Sequence[Occurrence],
    previous: Manifest,
    *,
    now: dt.datetime,
    years: tuple[int, int],
    base_url: str | None = None,
) -> Rendered:
    """Every output file's bytes, the new manifest and the changes; pure, no files touched."""
    renderer = Renderer(schedule, occurrences, previous, now=now, years=years, base_url=base_url)
    files = dict(renderer.files())
    return Rendered(
        files, renderer.manifest, tuple(renderer.feeds), tuple(renderer.changes), renderer.stale
    )


def build(
    schedule: Schedule,
    cal: ChinaCalendar,
    start: dt.date,
    end: dt.date,
    out_dir: Path,
    *,
    now: dt.datetime,
    base_url: str | None = None,
    dry_run: bool = False,
) -> BuildResult:
    """Expand, render and (unless ``dry_run``) write the feeds; unchanged files stay untouched."""
    with paused_gc():
        return _build(schedule, cal, start, end, out_dir, now, base_url, dry_run)


def _build(
    schedule: Schedule,
    cal: ChinaCalendar,
    start: dt.date,
    end: dt.date,
    out_dir: Path,
    now: dt.datetime,
    base_url: str | None,
    dry_run: bool,
) -> BuildResult:
    from .horizon import provisional_years

    occurrences = expand(schedule, cal, start, end)
    previous = load_manifest(out_dir)
    renderer = Renderer(
        schedule,
        occurrences,
        previous,
        now=now,
        years=(start.year, end.year),
        base_url=base_url if base_url is not None else schedule.plan.base_url,
    )
    written: list[str] = []
    deleted: list[str] = []
    for name, data in renderer.files():
        # Not synced: a feed lost in a crash is rewritten by the next build, which finds it
        # differing from what the (synced) manifest says, and fsyncing every feed of a
        # province would cost more than rendering them.
        if not dry_run and write_atomic(out_dir / name, data, sync=False):
            written.append(name)
    if not dry_run:
        for name in renderer.stale:
            path = out_dir / name
            if path.exists():
                path.unlink()
                deleted.append(name)
        # Written last: if anything above fails, the next build still compares with the old one.
        write_atomic(out_dir / MANIFEST, dump_manifest(renderer.manifest))
    return BuildResult(
        tuple(renderer.feeds),
        tuple(renderer.changes),
        tuple(written),
        tuple(deleted),
        tuple(provisional_years(occurrences, cal)),
        dry_run,
        first=not previous,
    )


def _short(uid: str) -> str:
    """``budget-execution.2026-03.finance@domain`` -> ``budget-execution 2026-03``."""
    duty, period, _ = uid.split("@")[0].split(".", 2)
    return f"{duty} {period}"


def summary_text(result: BuildResult) -> str:
    """What changed per feed since the previous build, then what was written."""
    lines: list[str] = []
    if result.first:
        # Everything is new: per-event detail would be hundreds of lines saying so.
        lines.append(f"first build (no {MANIFEST} yet): every event is new")
    for change in result.changes:
        if change.empty:
            continue
        if result.first:
            lines.append(f"{change.feed} {change.name}: {len(change.added)} events")
            continue
        counts = [
            f"{len(change.added)} added",
            f"{len(change.removed)} removed",
            f"{len(change.moved)} moved",
        ]
        if change.changed:
            counts.append(f"{change.changed} changed")
        lines.append(f"{change.feed} {change.name}: {', '.join(counts)}")
        for uid, old, new in change.moved:
            lines.append(f"  ~ {_short(uid)}: {old} -> {new}")
        for sign, items in (("+", change.added), ("-", change.removed)):
            for uid, due in items[:_DETAIL]:
                lines.append(f"  {sign} {_short(uid)} due {due}")
            if len(items) > _DETAIL:
                lines.append(f"  {sign} ... and {len(items) - _DETAIL} more")
    if not lines:
        lines.append("no changes since the previous build")
    events = sum(f.events for f in result.feeds if f.id != ALL)
    verb = "would write" if result.dry_run else "wrote"
    tail = f"{len(result.feeds)} feeds, {events} unit events; "
    if result.dry_run:
        tail += "dry run: nothing written"
    else:
        tail += f"{verb} {len(result.written)} changed files"
        if result.deleted:
            tail += f", deleted {len(result.deleted)} ({', '.join(result.deleted)})"
    lines.append(tail)
    return "\n".join(lines)
