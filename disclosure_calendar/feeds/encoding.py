"""Encoding the occurrences once, before any feed is assembled from them.

Everything an event of any feed is made of, except its UID's assignee and its version
lines, depends only on the occurrence: it is encoded here once per occurrence (and, for
all.ics, once per assignee), in chunks shared by the cores (workers.split_map).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from ..occurrences.expansion import Occurrence
from .ical import BEGIN_UID, END_EVENT, EventWriter, own_description, summary_line
from .manifest import digest, new_entry

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

_ALARMS_END = -len(END_EVENT)
# What a duty's occurrences share: the title's start, the DESCRIPTION, the tail, and the
# hash state after both.
_Shared = tuple[str, bytes, bytes, "hashlib.blake2b"]


class Memo:
    """What one process's encoding keeps from one chunk to the next.

    A duty's occurrences share their title's start, their DESCRIPTION (a long text) and
    tail, and the hash of these: they are looked up once per duty (and provisional flag),
    and each occurrence's hash goes on from a copy of that hash's state.
    """

    def __init__(self) -> None:
        self.duties: dict[tuple[str, bool], _Shared] = {}
        self.states: dict[tuple[bytes, bytes], hashlib.blake2b] = {}
        self.entry_ends: dict[tuple[str, dt.date], str] = {}  # an entry after its hash

    def state(self, description: bytes, tail: bytes) -> hashlib.blake2b:
        state = self.states.get((description, tail))
        if state is None:
            state = self.states[description, tail] = hashlib.blake2b(description, digest_size=16)
            state.update(tail)
        return state

    def duty(self, writer: EventWriter, occ: Occurrence) -> _Shared:
        start, description, tail = writer.duty_parts(occ)
        shared = (start, description, tail, self.state(description, tail))
        self.duties[occ.duty.id, occ.provisional] = shared
        return shared

    def entry_end(self, modified: str, due: dt.date) -> str:
        end = self.entry_ends.get((modified, due))
        if end is None:
            end = self.entry_ends[modified, due] = new_entry("", modified, due.isoformat())
        return end


def encode(
    writer: EventWriter,
    occurrences: Sequence[Occurrence],
    modified: str,
    memo: Memo | None = None,
) -> Encoded:
    """Each occurrence is encoded once, in parts: a feed is the list of every event's
    pieces (BEGIN and UID, version lines, then the occurrence's parts, END), joined when
    written. Content hashes hash the small parts and a hash of the large shared rest: the
    DESCRIPTION, the tail and the alarms (END:VEVENT is not content).

    all.ics names the assignee in each SUMMARY, so its events' SUMMARY lines and content
    hashes are made here too, on every core, rather than by whichever process renders it.
    """
    memo = Memo() if memo is None else memo
    duties, entry_end = memo.duties, memo.entry_end
    dates_of, when, end_of = writer.dates, writer.when, writer.end
    assignee_summary_line = writer.assignee_summary_line
    dated, descriptions, tails, ends, summaries, entries = [], [], [], [], [], []
    prefixes, all_summaries, all_entries = [], [], []
    # One loop, with the shared parts looked up per duty: this is the most repeated code of a
    # province's build (50,000 occurrences, 75,000 events of all.ics).
    for occ in occurrences:
        duty, due = occ.duty, occ.due
        if type(occ) is Occurrence and not own_description(occ):
            shared = duties.get((duty.id, occ.provisional)) or memo.duty(writer, occ)
            start, description, tail, state = shared
            dates, title, end = dates_of(due), start + when(occ.period), end_of(due, occ.reminders)
        else:  # a series' dates, an event's DESCRIPTION: the occurrence's own
            dates, title, description, tail, end = writer.parts(occ)
            state = memo.state(description, tail)
        rest = state.copy()
        rest.update(end[:_ALARMS_END])
        rest_digest = rest.digest()
        summary = summary_line(title)
        after = entry_end(modified, due)
        dated.append(dates)
        descriptions.append(description)
        tails.append(tail)
        ends.append(end)
        summaries.append(summary)
        entries.append(digest(dates + summary + rest_digest) + after)
        # all.ics: one event per occurrence, naming every unit and group of the duty.
        line = assignee_summary_line(title, duty.units)
        all_summaries.append(line)
        all_entries.append(digest(dates + line + rest_digest) + after)
        # A UID is the occurrence's prefix and the assignee's suffix (as Occurrence.uid):
        # hundreds of thousands of them, so each is made by one concatenation.
        prefixes.append(occ.uid_prefix)
    heads = [BEGIN_UID + p.encode() for p in prefixes]
    return (
        dated, descriptions, tails, ends, summaries, entries, prefixes, heads,
        all_summaries, all_entries,
    )  # fmt: skip
