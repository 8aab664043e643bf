"""The manifest (``out/.manifest.json``): per feed and UID, the version of every event.

An entry remembers a hash of the event's content, its SEQUENCE, its LAST-MODIFIED and its due
date. An event keeps all three until its content changes, and DTSTAMP is LAST-MODIFIED, so the
same input gives the same bytes and clients that cache by UID see a higher SEQUENCE exactly
when something changed. The due dates let ``build`` say what moved since the previous build.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError

MANIFEST = ".manifest.json"
# Raise when the feed text changes for reasons no input shows (a change of the writer).
# 4: an alarm says when the duty is due, without the title; 5: each duty's events together.
WRITER_FORMAT = 5
_FORMAT = 2

# feed file -> uid -> "content-hash sequence last-modified(UTC stamp) due(ISO)"
Manifest = dict[str, dict[str, str]]


# How many added and removed events a Change names; the summary counts the rest.
EXAMPLES = 8


@dataclass(frozen=True)
class Change:
    """What changed in one feed since the previous build.

    Added and removed events are counted, and the first few named: a province's first build
    adds hundreds of thousands, and carrying each from a rendering process to the summary
    would cost more than rendering them.
    """

    feed: str
    name: str
    added: int
    removed: int
    moved: tuple[tuple[str, str, str], ...]  # (uid, old due, new due)
    changed: int  # same date, other content (text, reminders, provisional flag)
    added_examples: tuple[tuple[str, str], ...] = ()  # (uid, due), the first EXAMPLES
    removed_examples: tuple[tuple[str, str], ...] = ()  # (uid, old due), the first EXAMPLES

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.moved or self.changed)


def digest(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=8).hexdigest()


HASH_CHARS = 16  # a digest's length in an entry
_DUE_CHARS = len("2026-01-01")  # an entry ends with the due date


def new_entry(content_hash: str, modified: str, due: str) -> str:
    """A new event's entry: its content hash, SEQUENCE 0, LAST-MODIFIED and due date."""
    return f"{content_hash} 0 {modified} {due}"


def load_manifest(out_dir: Path) -> Manifest:
    path = out_dir / MANIFEST
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise DisclosureError(
            _(
                "{path}: unreadable manifest ({reason}); delete it to start again "
                "(event SEQUENCE numbers then restart at 0)"
            ).format(path=path, reason=exc)
        ) from None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise DisclosureError(
            _("{path}: not a manifest of this version; delete it to start again").format(path=path)
        )
    feeds: Manifest = data.get("feeds", {})
    return feeds


_NOT_PLAIN = bytes(range(0x20)) + b'"\\\x7f'


def dump_entries(entries: dict[str, str]) -> bytes:
    """One feed's part of the manifest, as JSON in the feed's order; encoded where the feed
    is rendered."""
    if not entries:
        return b"{}"
    # UIDs are made of validated ids and entries of hex, digits and dates: joined as they
    # are, they are the JSON, four times faster than json.dumps. The check is cheap and
    # json.dumps takes over whatever would need escaping.
    text = '{"' + '","'.join([uid + '":"' + entry for uid, entry in entries.items()]) + '"}'
    if text.isascii():
        data = text.encode()
        # One pass for both checks: no control character, no backslash, and no quotes but
        # the four the join put around each UID and entry.
        if len(data) - len(data.translate(None, _NOT_PLAIN)) == 4 * len(entries):
            return data
    return json.dumps(entries, ensure_ascii=True, separators=(",", ":")).encode()


def dump_manifest(
    feeds: dict[str, bytes], offsets: dict[str, list[int]] | None = None
) -> list[bytes]:
    """The manifest from each feed's ``dump_entries``, in pieces for ``write_atomic``: the
    parts are neither decoded nor copied again. ``offsets`` receives where each feed's part
    is in the file, ``[start, length]``, for ``ManifestIndex``."""
    pieces = [b'{"feeds":{']
    at = len(pieces[0])
    for n, f in enumerate(sorted(feeds)):
        name = json.dumps(f).encode()
        pieces += (b"," if n else b"", name, b":", feeds[f])
        at += (1 if n else 0) + len(name) + 1
        if offsets is not None:
            offsets[f] = [at, len(feeds[f])]
        at += len(feeds[f])
    pieces.append(b'},"format":' + str(_FORMAT).encode() + b"}")
    return pieces


@dataclass(frozen=True)
class ManifestIndex:
    """Where each feed's part is in the manifest as the previous build wrote it (kept in
    ``.inputs.json``): a rebuild parses only the parts of the feeds it renders and copies
    the others' bytes as they are; a province's manifest is 15 MB."""

    size: int
    mtime_ns: int
    parts: dict[str, list[int]]  # feed file -> [start, length]

    def dump(self) -> list[object]:
        return [self.size, self.mtime_ns, self.parts]

    @classmethod
    def of(cls, path: Path, parts: dict[str, list[int]]) -> ManifestIndex:
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns, parts)

    def read(self, out_dir: Path, wanted: set[str]) -> tuple[Manifest, dict[str, bytes]] | None:
        """The ``wanted`` feeds' parts parsed, the others' as bytes; None if the manifest is
        not the file this index describes (then the whole manifest is parsed)."""
        try:
            with (out_dir / MANIFEST).open("rb") as handle:
                st = os.fstat(handle.fileno())
                if (st.st_size, st.st_mtime_ns) != (self.size, self.mtime_ns):
                    return None
                data = handle.read()
        except OSError:
            return None
        parsed: Manifest = {}
        raw: dict[str, bytes] = {}
        try:
            for f, (start, length) in self.parts.items():
                name = json.dumps(f).encode() + b":"
                part = data[start : start + length]
                # Each part where the index says: after its name, one JSON object.
                if data[start - len(name) : start] != name or part[:1] != b"{" or part[-1:] != b"}":
                    return None
                if f in wanted:
                    entries = json.loads(part)
                    if not isinstance(entries, dict):
                        return None
                    parsed[f] = entries
                else:
                    raw[f] = part
        except (ValueError, TypeError, UnicodeDecodeError):
            return None
        return parsed, raw


# .inputs.json as a build reads it: its folder (read here), or its parsed content (read once
# by a build that asks for several of its parts).
InputsSource = Path | dict[str, Any]


def read_inputs(out_dir: Path) -> dict[str, Any]:
    """.inputs.json parsed; {} when absent or unreadable (every part then reads as absent)."""
    try:
        data = json.loads((out_dir / INPUTS).read_bytes())
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _inputs(source: InputsSource) -> dict[str, Any]:
    return read_inputs(source) if isinstance(source, Path) else source


def load_index(source: InputsSource) -> ManifestIndex | None:
    try:
        size, mtime, parts = _inputs(source)["manifest"]
        if not all(isinstance(v, list) and len(v) == 2 for v in parts.values()):
            return None
        return ManifestIndex(int(size), int(mtime), parts)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
        return None


class Versions:
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
        self._moved: list[tuple[str, str, str]] = []  # (uid, old due, new due)
        self._kept: dict[str, bytes] = {}  # an unchanged entry's "SEQUENCE LAST-MODIFIED"

    def lines(self, uid: str, entry: str) -> bytes:
        """The event's version lines (``stamp(SEQUENCE, LAST-MODIFIED)``); records its entry.

        ``entry`` is the event's entry were it new (``new_entry`` with this build's time): a
        first build takes it as it is, and the entry of an event of several units is made
        once for all of them.
        """
        old = self.previous.get(uid)
        if old is None:
            self.current[uid] = entry
            return self.fresh
        if old.startswith(entry[:HASH_CHARS]):
            self.current[uid] = old
            # A rebuild keeps most events: their lines come from a few versions, looked up
            # by the entry's middle instead of split and parsed per event.
            version = old[HASH_CHARS + 1 : -_DUE_CHARS - 1]
            lines = self._kept.get(version)
            if lines is None:
                seq, modified = version.split(" ")
                lines = self._kept[version] = self.stamp(int(seq), modified)
            return lines
        digest, due = entry[:HASH_CHARS], entry[-_DUE_CHARS:]
        _hash, seq, _modified, old_due = old.split(" ")
        sequence = int(seq) + 1
        if old_due == due:
            self.changed += 1
        else:  # only a changed event can move: its dates are part of its content hash
            self._moved.append((uid, old_due, due))
        self.current[uid] = f"{digest} {sequence} {self.now} {due}"
        return self.stamp(sequence, self.now)

    def keep(self, uid: str) -> None:
        """An event taken as the previous build wrote it: its entry stays."""
        self.current[uid] = self.previous[uid]

    def change(self, feed: str, name: str) -> Change:
        old, new = self.previous, self.current
        # Set differences first: a rebuild usually adds and removes nothing, and then no
        # UID of a province's all.ics is looked at one by one.
        if old:
            fresh = new.keys() - old.keys()
            added = [u for u in new if u in fresh] if fresh else []
        else:
            added = list(new)
        removed = list(old.keys() - new.keys())
        # Told by date, as a reader scans them (a feed holds them duty by duty). An entry
        # ends with its due date, YYYY-MM-DD: sliced, not split.
        first_added = heapq.nsmallest(EXAMPLES, added, key=lambda u: (new[u][-_DUE_CHARS:], u))
        first_removed = heapq.nsmallest(EXAMPLES, removed, key=lambda u: (old[u][-_DUE_CHARS:], u))
        return Change(
            feed,
            name,
            len(added),
            len(removed),
            tuple(sorted(self._moved, key=lambda m: (m[2], m[0]))),
            self.changed,
            tuple((u, new[u][-_DUE_CHARS:]) for u in first_added),
            tuple((u, old[u][-_DUE_CHARS:]) for u in first_removed),
        )


# Beside the manifest, a small file of what each feed was made from (see fingerprint.py):
# read on every build, so a rebuild that changes nothing never parses the large manifest.
INPUTS = ".inputs.json"
INDEX = "index.html"


@dataclass(frozen=True)
class FeedInputs:
    """A written feed: its inputs' fingerprint, its file as written, and its counts."""

    fingerprint: str
    size: int
    mtime_ns: int
    duties: int
    events: int
    occurrences: int
    name: str = ""  # the feed's title, for a quick rebuild's summary (feeds/quick.py)

    def holds(self, path: Path) -> bool:
        """True if ``path`` is still the file this build wrote (not deleted, not edited)."""
        try:
            st = path.stat()
        except OSError:
            return False
        return st.st_size == self.size and st.st_mtime_ns == self.mtime_ns


@dataclass(frozen=True)
class BuildRecord:
    """What the whole previous build was made from (``key``) and index.html as it wrote it."""

    key: str
    timezone: str
    index_size: int
    index_mtime_ns: int
    files: tuple[str, ...]  # the feeds in the order the summary lists them


def load_build(out_dir: Path) -> tuple[BuildRecord, dict[str, FeedInputs], list[int]] | None:
    """The previous build's record, feeds and provisional years; None if it left none."""
    try:
        data = json.loads((out_dir / INPUTS).read_bytes())
        key, zone, size, mtime, files = data["build"]
        record = BuildRecord(key, zone, size, mtime, tuple(files))
        feeds = {f: FeedInputs(*v) for f, v in data["feeds"].items()}
        return record, feeds, [int(y) for y in data["provisional"]]
    except (OSError, ValueError, TypeError, KeyError, UnicodeDecodeError):
        return None


def load_inputs(source: InputsSource) -> tuple[dict[str, FeedInputs], list[int]]:
    """The previous build's inputs per feed and its provisional years; empty when absent or
    unreadable (then every feed renders)."""
    try:
        data = _inputs(source)
        feeds = {f: FeedInputs(*v) for f, v in data["feeds"].items()}
        return feeds, [int(y) for y in data["provisional"]]
    except (OSError, ValueError, TypeError, KeyError, UnicodeDecodeError):
        return {}, []


def dump_inputs(
    inputs: dict[str, FeedInputs],
    provisional: list[int],
    record: BuildRecord | None = None,
    index: ManifestIndex | None = None,
    splice: tuple[str, dict[str, str]] | None = None,
) -> bytes:
    feeds = {
        f: [i.fingerprint, i.size, i.mtime_ns, i.duties, i.events, i.occurrences, i.name]
        for f, i in inputs.items()
    }
    data: dict[str, object] = {"format": 1, "feeds": feeds, "provisional": provisional}
    if index is not None:
        data["manifest"] = index.dump()
    if splice is not None:  # fingerprint.fingerprint_parts: common, and per duty
        data["splice"] = [splice[0], splice[1]]
    if record is not None:
        data["build"] = [
            record.key,
            record.timezone,
            record.index_size,
            record.index_mtime_ns,
            list(record.files),
        ]
    # Compact: the standard library's C encoder writes that, an indented one is Python's.
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def load_splice(source: InputsSource) -> tuple[str, dict[str, str]] | None:
    """The previous build's common and per-duty hashes (fingerprint.fingerprint_parts)."""
    try:
        common, duties = _inputs(source)["splice"]
        if isinstance(common, str) and isinstance(duties, dict):
            return common, duties
    except (OSError, ValueError, TypeError, KeyError, UnicodeDecodeError):
        pass
    return None
