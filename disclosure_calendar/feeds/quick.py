"""A rebuild with nothing changed, answered before the schedule is even read.

`build` from cron runs every hour or so, and almost every run changes nothing. The previous
build left in ``.inputs.json`` a key of everything its output depends on: the schedule
file's bytes, the ledger's recorded event dates (by its file's size and time), the date
range, the base URL, the program's version and the feed format. When today's key is the
same and every file is as that build wrote it, the feeds are what a build would write: the
build ends there, without loading the schedule, the calendar or the renderer. Anything else
(a changed byte, a ledger on PostgreSQL, a feed touched by hand) takes the full path, which
skips unchanged feeds one by one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..core.files import ledger_file
from ..core.version import __version__
from ..occurrences import horizon
from .generations import Generation
from .manifest import (
    INDEX,
    INPUTS,
    MANIFEST,
    WRITER_FORMAT,
    BuildRecord,
    Change,
    FeedInputs,
    load_build,
)
from .summary import BuildResult, Feed


def build_key(
    schedule_bytes: bytes,
    ledger: str | None,
    start: dt.date,
    end: dt.date,
    base_url: str | None,
) -> str:
    """Everything a build's output depends on, as one hash."""
    h = hashlib.blake2b(digest_size=16)
    for part in (WRITER_FORMAT, __version__, ledger, start, end, base_url):
        h.update(repr(part).encode() + b"\0")
    h.update(schedule_bytes)
    return h.hexdigest()


def ledger_stamp(db: str | Path) -> str | None:
    """An SQLite ledger's state as its files show it (the event dates a build reads are in
    it); None for a PostgreSQL ledger, which no file stamp describes."""
    path = ledger_file(db)
    if path is None:
        return None
    stamps = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            st = p.stat()
        except FileNotFoundError:
            stamps.append("-")
        else:
            stamps.append(f"{st.st_size}:{st.st_mtime_ns}")
    return " ".join(stamps)


@dataclass(frozen=True)
class Taken:
    """The schedule file's bytes and the ledger's stamp, taken before either is read for the
    build: a file that changes in between gives a key no later run matches (a full build),
    never a stale skip."""

    schedule: bytes | None  # None: unreadable (the loader will say why)
    ledger: str | None  # None: a PostgreSQL ledger

    def key(self, start: dt.date, end: dt.date, base_url: str | None) -> str | None:
        """The build's key; None when the inputs cannot be keyed (no quick rebuild then)."""
        if self.schedule is None or self.ledger is None:
            return None
        return build_key(self.schedule, self.ledger, start, end, base_url)


def take(schedule_path: Path, db: str | Path) -> Taken:
    try:
        data: bytes | None = schedule_path.read_bytes()
    except OSError:
        data = None
    return Taken(data, ledger_stamp(db))


def unchanged(
    out_dir: Path,
    taken: Taken,
    base_url: str | None,
    *,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> BuildResult | None:
    """The previous build's result if nothing it was made from changed; else None."""
    found = load_build(out_dir)
    if found is None or Generation(out_dir).untidy():
        return None
    record, inputs, years = found
    try:
        first, last = horizon.resolve(
            horizon.today_in(record.timezone), year=year, start=start, end=end
        )
    except Exception:  # noqa: BLE001 - any doubt (a bad zone, a bad range): full build
        return None
    key = taken.key(first, last, base_url)
    if key is None or key != record.key or not _intact(out_dir, record, inputs):
        return None
    if set(record.files) != set(inputs) or any(not i.name for i in inputs.values()):
        return None
    feeds = tuple(
        Feed(f.removesuffix(".ics"), i.name, f, i.duties, i.events, i.occurrences)
        for f in record.files
        for i in (inputs[f],)
    )
    changes = tuple(Change(f.file, f.name, 0, 0, (), 0) for f in feeds)
    return BuildResult(feeds, changes, (), (), tuple(years), False)


def _intact(out_dir: Path, record: BuildRecord, inputs: dict[str, FeedInputs]) -> bool:
    try:
        index = (out_dir / INDEX).stat()
    except OSError:
        return False
    if (index.st_size, index.st_mtime_ns) != (record.index_size, record.index_mtime_ns):
        return False
    if not (out_dir / MANIFEST).exists() or not (out_dir / INPUTS).exists():
        return False
    return all(i.holds(out_dir / f) for f, i in inputs.items())
