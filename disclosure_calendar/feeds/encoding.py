"""Encoding the occurrences once, before any feed is assembled from them.

Everything an event of any feed is made of, except its UID's assignee and its version
lines, depends only on the occurrence: it is encoded here once per occurrence (and, for
all.ics, once per assignee), in chunks shared by the cores (workers.split_map).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..occurrences.expansion import Occurrence
from .ical import BEGIN_UID, END_EVENT, EventParts, EventWriter, summary_line
from .manifest import digest, new_entry

# A DESCRIPTION's hash state, kept across the chunks a process encodes.
Started = dict[bytes, "hashlib.blake2b"]


def rest_digests_of(parts: Sequence[EventParts], started: Started | None = None) -> list[bytes]:
    """Per event, a hash of everything after its SUMMARY: the DESCRIPTION, the tail and the
    alarms (END:VEVENT is not content).

    A duty's occurrences share one DESCRIPTION object (a long text): it is hashed once, and
    each occurrence goes on from a copy of that hash's state.
    """
    started = {} if started is None else started
    digests = []
    for p in parts:
        state = started.get(p.description)
        if state is None:
            state = started[p.description] = hashlib.blake2b(p.description, digest_size=16)
        rest = state.copy()
        rest.update(p.tail)
        rest.update(p.end[:_ALARMS_END])
        digests.append(rest.digest())
    return digests


_ALARMS_END = -len(END_EVENT)

# Per occurrence, as columns of bytes and strings (which a child process sends back several
# times faster than rows of tuples): DTSTART/DTEND, DESCRIPTION, the tail, the alarms with
# END:VEVENT, the SUMMARY line,
# its manifest entry in a unit's feed were it new, the UID prefix, and BEGIN with the UID's
# start. Then per event of all.ics (an occurrence's assignees in turn): the SUMMARY line
# naming the assignee and the manifest entry.
Encoded = tuple[
    list[bytes], list[bytes], list[bytes], list[bytes], list[bytes], list[str], list[str],
    list[bytes], list[bytes], list[str],
]  # fmt: skip


def encode(
    writer: EventWriter,
    occurrences: Sequence[Occurrence],
    modified: str,
    started: Started | None = None,
) -> Encoded:
    """Each occurrence is encoded once, in parts: a feed is the list of every event's
    pieces (BEGIN and UID, version lines, then the occurrence's parts, END), joined when
    written. Content hashes hash the small parts and a hash of the large shared rest
    (``started`` keeps the DESCRIPTIONs' hash states from one chunk to the next).

    all.ics names the assignee in each SUMMARY, so its events' SUMMARY lines and content
    hashes are made here too, on every core, rather than by whichever process renders it.
    """
    parts = [writer.parts(o) for o in occurrences]
    rest_digests = rest_digests_of(parts, started)
    summaries = [summary_line(p.title) for p in parts]
    dues = [o.due.isoformat() for o in occurrences]
    entries = [
        new_entry(digest(p.dates + summary + rest), modified, due)
        for p, summary, rest, due in zip(parts, summaries, rest_digests, dues, strict=True)
    ]
    all_summaries, all_entries = [], []
    for p, rest, due, occ in zip(parts, rest_digests, dues, occurrences, strict=True):
        for assignee in occ.duty.units:
            summary = writer.assignee_summary_line(p.title, assignee)
            all_summaries.append(summary)
            all_entries.append(new_entry(digest(p.dates + summary + rest), modified, due))
    # A UID is the occurrence's prefix and the assignee's suffix (as Occurrence.uid):
    # hundreds of thousands of them, so each is made by one concatenation.
    prefixes = [o.uid_prefix for o in occurrences]
    return (
        [p.dates for p in parts],
        [p.description for p in parts],
        [p.tail for p in parts],
        [p.end for p in parts],
        summaries,
        entries,
        prefixes,
        [BEGIN_UID + p.encode() for p in prefixes],
        all_summaries,
        all_entries,
    )
