"""The manifest joined from each feed's part, and what a feed's Change names."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_calendar.feeds.manifest import (
    EXAMPLES,
    Versions,
    dump_entries,
    dump_manifest,
    new_entry,
)

TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
ENTRIES = st.dictionaries(TEXT, TEXT, max_size=6)


@settings(max_examples=300)
@given(feeds=st.dictionaries(TEXT, ENTRIES, max_size=5))
def test_joined_parts_are_the_json_of_the_whole_manifest(feeds: dict[str, dict[str, str]]) -> None:
    # Any text, quotes, backslashes, control and non-ASCII characters included: the fast
    # join must hand over to json.dumps rather than write something json cannot read back.
    data = b"".join(dump_manifest({f: dump_entries(e) for f, e in feeds.items()}))
    assert data.isascii()
    assert json.loads(data) == {"format": 2, "feeds": feeds}
    # Feeds sorted by name, each feed's events in the feed's order, compact.
    ordered = {"feeds": {f: feeds[f] for f in sorted(feeds)}, "format": 2}
    assert data == json.dumps(ordered, ensure_ascii=True, separators=(",", ":")).encode()


ASCII = st.text(st.characters(max_codepoint=0x7F), max_size=12)


@settings(max_examples=300)
@given(entries=st.dictionaries(ASCII, ASCII, max_size=6))
def test_ascii_entries_with_quotes_backslashes_or_controls_still_give_the_json(
    entries: dict[str, str],
) -> None:
    assert dump_entries(entries) == json.dumps(entries, separators=(",", ":")).encode()


def test_plain_entries_take_the_fast_join_and_give_the_same_json() -> None:
    entries = {
        f"duty-{i}.2026-{i:02d}.u{i:03d}@bench.example": f"{i:016x} {i} 20261203T000000Z 2026-01-0{i}"
        for i in range(1, 10)
    }
    assert dump_entries(entries) == json.dumps(entries, separators=(",", ":")).encode()
    assert dump_entries({}) == b"{}"


def _stamp(sequence: int, modified: str) -> bytes:
    return f"{sequence} {modified}".encode()


def test_a_change_counts_everything_and_names_the_earliest_few() -> None:
    old = {f"gone-{i:02d}": f"h{i} 0 20260101T000000Z 2026-01-{i + 1:02d}" for i in range(10)}
    old["kept"] = f"{'5' * 16} 2 20260101T000000Z 2026-03-01"
    versions = Versions(old, "20261203T000000Z", _stamp)
    for i in reversed(range(20)):
        entry = new_entry(f"{i:016x}", "20261203T000000Z", f"2027-02-{i + 1:02d}")
        assert versions.lines(f"new-{i:02d}", entry) == b"0 20261203T000000Z"
    kept = new_entry("5" * 16, "20261203T000000Z", "2026-03-01")
    assert versions.lines("kept", kept) == b"2 20260101T000000Z"
    change = versions.change("x.ics", "某单位")
    assert (change.added, change.removed, change.moved, change.changed) == (20, 10, (), 0)
    assert change.added_examples == tuple(
        (f"new-{i:02d}", f"2027-02-{i + 1:02d}") for i in range(EXAMPLES)
    )
    assert change.removed_examples == tuple(
        (f"gone-{i:02d}", f"2026-01-{i + 1:02d}") for i in range(EXAMPLES)
    )


def _reference(old: dict[str, str], lines: list[tuple[str, str]], now: str) -> tuple:
    """What a rebuild's versions are, worked out plainly: the rules the manifest keeps."""
    new, changed = {}, 0
    for uid, entry in lines:
        before = old.get(uid)
        if before is None:
            new[uid] = entry
        elif before.split(" ")[0] == entry.split(" ")[0]:
            new[uid] = before
        else:
            _hash, seq, _modified, old_due = before.split(" ")
            changed += old_due == entry[-10:]
            new[uid] = f"{entry.split(' ')[0]} {int(seq) + 1} {now} {entry[-10:]}"
    added = sorted((u for u in new if u not in old), key=lambda u: (new[u][-10:], u))
    removed = sorted((u for u in old if u not in new), key=lambda u: (old[u][-10:], u))
    moved = tuple(
        sorted(
            ((u, old[u][-10:], e[-10:]) for u, e in new.items() if u in old and old[u][-10:] != e[-10:]),
            key=lambda m: (m[2], m[0]),
        )
    )  # fmt: skip
    # Named by date, the earliest first (a feed holds its events duty by duty).
    return new, len(added), len(removed), moved, changed, added[:EXAMPLES], removed[:EXAMPLES]


UIDS = st.sampled_from([f"d{i}.2026-0{i % 9 + 1}.u@x" for i in range(30)])
HASHES = st.sampled_from([f"{i:016x}" for i in range(4)])
DUES = st.sampled_from(["2026-01-05", "2026-02-06", "2026-03-09"])
ENTRY = st.builds(
    lambda h, seq, stamp, due: f"{h} {seq} {stamp} {due}",
    HASHES, st.integers(0, 12), st.sampled_from(["20250101T000000Z", "20260101T000000Z"]), DUES,
)  # fmt: skip


@settings(max_examples=300)
@given(
    old=st.dictionaries(UIDS, ENTRY, max_size=20),
    lines=st.lists(st.tuples(UIDS, HASHES, DUES), max_size=20, unique_by=lambda t: t[0]),
)
def test_versions_follow_the_rules_for_any_previous_build(
    old: dict[str, str], lines: list[tuple[str, str, str]]
) -> None:
    now = "20261203T000000Z"
    versions = Versions(old, now, _stamp)
    entries = [(uid, new_entry(h, now, due)) for uid, h, due in lines]
    stamps = [versions.lines(uid, entry) for uid, entry in entries]
    new, added, removed, moved, changed, added_first, removed_first = _reference(old, entries, now)
    assert versions.current == new
    assert stamps == [_stamp(int(e.split(" ")[1]), e.split(" ")[2]) for e in new.values()]
    change = versions.change("x.ics", "某单位")
    assert (change.added, change.removed, change.moved, change.changed) == (
        added, removed, moved, changed,
    )  # fmt: skip
    assert change.added_examples == tuple((u, new[u][-10:]) for u in added_first)
    assert change.removed_examples == tuple((u, old[u][-10:]) for u in removed_first)
