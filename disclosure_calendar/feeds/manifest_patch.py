"""The manifest's side of a patch (feeds/patch.py): each patched feed's part spliced, the
changed duties' runs of entries replaced, the rest of the 15 MB file copied as it is.

A feed's part lists its events' entries in the feed's order, so a duty's entries are one
run in it, found by their UIDs' common start (``"DUTY.``) without parsing the part.
"""

from __future__ import annotations

import json
import mmap
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..core.files import Segment
from .manifest import ManifestIndex
from .summary import Blocks, Output

# Per feed to patch: the changed duties' old manifest entries, and each changed duty's run
# of entries in the manifest file, (first byte, end).
OldEntries = dict[str, tuple[dict[str, str], dict[str, tuple[int, int]]]]


def entry_runs(
    data: bytes | mmap.mmap, start: int, stop: int, duties: set[str]
) -> dict[str, tuple[int, int]] | None:
    """Where each duty's manifest entries are in ``data[start:stop]`` (a feed's part, whose
    entries are in the feed's order: a duty's are one run); None if not one run each."""
    runs = {}
    for duty in duties:
        mark = f'"{duty}.'.encode()
        first = data.find(mark, start, stop)
        if first == -1:
            continue
        # Entry by entry ("UID":"VALUE", then a comma or the part's end) while the next is
        # the duty's too: a search back from the part's end crossed a province's all.ics
        # part (5 MB) for each duty.
        at = first
        while True:
            value = data.find(b'":"', at, stop)
            close = data.find(b'"', value + 3, stop) if value != -1 else -1
            if close == -1:
                return None
            end = close + 1
            if data[end : end + 1] != b"," or data[end + 1 : end + 1 + len(mark)] != mark:
                break
            at = end + 1
        runs[duty] = (first, end)
    return runs


@contextmanager
def mapped(path: Path, index: ManifestIndex) -> Iterator[mmap.mmap | None]:
    """The manifest, mapped (a province's is 17 MB, of which a patch reads a few runs);
    None if it is not the file the index describes."""
    try:
        handle = path.open("rb")
    except OSError:
        yield None
        return
    with handle:
        st = os.fstat(handle.fileno())
        if (st.st_size, st.st_mtime_ns) != (index.size, index.mtime_ns) or not st.st_size:
            yield None
            return
        with mmap.mmap(handle.fileno(), st.st_size, prot=mmap.PROT_READ) as data:
            yield data


def old_entries(
    data: mmap.mmap, index: ManifestIndex, files: list[str], changed: set[str]
) -> OldEntries | None:
    """The changed duties' manifest entries in each feed to patch; None if the manifest is
    not as the index describes."""
    found: OldEntries = {}
    for f in files:
        if f not in index.parts:
            return None
        start, length = index.parts[f]
        runs = entry_runs(data, start, start + length, changed)
        if runs is None:
            return None
        entries: dict[str, str] = {}
        for first, end in runs.values():
            try:
                entries |= json.loads(b"{" + data[first:end] + b"}")
            except ValueError:
                return None
        found[f] = (entries, runs)
    return found


def manifest_parts(
    data: mmap.mmap,
    index: ManifestIndex,
    old_entries: OldEntries,
    outputs: Mapping[str, Output],
    runs: Mapping[str, tuple[int, Blocks]],
) -> tuple[list[Segment], dict[str, list[int]]]:
    """The new manifest as runs of the old one and the patched feeds' new parts (each
    changed duty's run of entries replaced by the rendered ones, placed as in the feed),
    and where each feed's part is in it."""
    segments: list[Segment] = []
    parts: dict[str, list[int]] = {}
    at, moved = 0, 0  # in the old file; how far the new file's parts have moved
    for f, (start, length) in sorted(index.parts.items(), key=lambda p: p[1][0]):
        if f not in outputs:
            parts[f] = [start + moved, length]
            continue
        new = _part(data, start, start + length, old_entries[f][1], outputs[f], runs[f][1][0])
        if len(new) == length and new == data[start : start + length]:
            parts[f] = [start + moved, length]
            continue  # (a feed rendered as it was)
        segments += [(at, start), new]
        parts[f] = [start + moved, len(new)]
        moved += len(new) - length
        at = start + length
    segments.append((at, len(data)))
    return segments, parts


class Doubt(Exception):
    """Something in the previous build's files is not as its record says."""


def _part(
    data: mmap.mmap,
    start: int,
    stop: int,
    old_runs: Mapping[str, tuple[int, int]],
    out: Output,
    names: Sequence[str],
) -> bytes:
    """One feed's new manifest part: the old part's entries of unchanged duties and the
    new entries of the changed ones, in the feed's order (``names``, its duties)."""
    new_data = out.entries  # the rendered duties' entries alone
    assert out.blocks is not None
    new_runs = entry_runs(new_data, 0, len(new_data), set(out.blocks[0])) or {}
    cuts: list[tuple[int, int, int, bytes]] = []  # (where, rank here, end of a cut, insert)
    for first, end in old_runs.values():
        cuts.append((first, 0, end, b""))
    following: str | None = None  # the next duty after a new run whose entries are old
    for k in range(len(names) - 1, -1, -1):
        name = names[k]
        if name in new_runs:
            a, b = new_runs[name]
            where = (
                stop - 1 if following is None else data.find(f'"{following}.'.encode(), start, stop)
            )
            if where == -1:
                raise Doubt(following)
            cuts.append((where, k + 1, where, new_data[a:b]))
        else:  # a duty not changed: its entries are the old part's
            following = name
    cuts.sort()
    chunks: list[bytes] = []
    at = start + 1  # after the part's {
    for where, _k, end, insert in cuts:
        chunks += (data[at:where].strip(b","), insert)
        at = end
    chunks.append(data[at : stop - 1].strip(b","))
    return b"{" + b",".join(c for c in chunks if c) + b"}"
