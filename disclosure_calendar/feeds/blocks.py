"""Where each duty's events are in each feed (``out/.blocks.json``), for feeds/patch.py.

A feed holds a duty's events together (render.py orders them so), one run of bytes per duty.
A build records, per feed, the duties in feed order and the offsets where their runs
start; a rebuild after a few duties changed replaces those runs and copies the rest of each
file as it is, instead of rendering a province's 52,000 events again. The record also
keeps what the feeds' counts need and no file shows: each duty's provisional years and the
routine duties (a routine duty's year is one event standing for many days).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .summary import Blocks

BLOCKS = ".blocks.json"
_FORMAT = 1


@dataclass(frozen=True)
class BlockIndex:
    feeds: dict[str, tuple[int, Blocks]]  # feed file -> (its size, its duties' runs)
    provisional: dict[str, list[int]]  # duty -> the provisional years its dates rest on
    routine: frozenset[str]  # the routine duties (their events are series)
    assignment: str  # a hash of the units and groups (fingerprint.assignment_hash)

    def dump(self) -> bytes:
        feeds = {f: [size, list(names), list(offsets)] for f, (size, (names, offsets)) in self.feeds.items()}  # fmt: skip
        data = {
            "format": _FORMAT,
            "feeds": feeds,
            "provisional": self.provisional,
            "routine": sorted(self.routine),
            "assignment": self.assignment,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def load_blocks(out_dir: Path) -> BlockIndex | None:
    """The previous build's record; None when absent, unreadable or of another format."""
    try:
        data = json.loads((out_dir / BLOCKS).read_bytes())
        if data["format"] != _FORMAT:
            return None
        feeds = {
            f: (int(size), (tuple(names), tuple(offsets)))
            for f, (size, names, offsets) in data["feeds"].items()
        }
        if any(len(n) + 1 != len(o) for _size, (n, o) in feeds.values()):
            return None
        provisional = {d: [int(y) for y in ys] for d, ys in data["provisional"].items()}
        return BlockIndex(feeds, provisional, frozenset(data["routine"]), str(data["assignment"]))
    except (OSError, ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
        return None


def provisional_by_duty(years: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    """(duty, year) pairs as each duty's sorted years."""
    found: dict[str, set[int]] = {}
    for duty, year in years:
        found.setdefault(duty, set()).add(year)
    return {d: sorted(ys) for d, ys in sorted(found.items())}


def all_years(provisional: Mapping[str, list[int]]) -> list[int]:
    return sorted({y for ys in provisional.values() for y in ys})
