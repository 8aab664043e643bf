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


def test_a_change_counts_everything_and_names_the_first_few_in_feed_order() -> None:
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
        (f"new-{i:02d}", f"2027-02-{i + 1:02d}") for i in reversed(range(20 - EXAMPLES, 20))
    )
    assert change.removed_examples == tuple(
        (f"gone-{i:02d}", f"2026-01-{i + 1:02d}") for i in range(EXAMPLES)
    )
