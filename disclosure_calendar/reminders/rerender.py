"""A message the ledger holds, rendered again when it goes out later than it was written.

A reminder's text says how many working days are left and when it was sent; a message that
failed and is retried days later (or resent with ``--retry-failed``) must say what is true
then. The digest is rebuilt from the reminders the ledger keeps with the message, from the
schedule as it is now; the Message-ID does not change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..occurrences.expansion import Occurrence, expand_duty
from .contacts import COORDINATOR, Contacts
from .messages import Digest, Item, Message, Slot, item_order, render

if TYPE_CHECKING:
    from ..schedule.model import Schedule
    from ..workdays.calendar import WorkdayCalendar


def rerender(
    stored: Message,
    slots: Sequence[Slot],
    schedule: Schedule,
    cal: WorkdayCalendar,
    contacts: Contacts,
    sent_at: dt.datetime,
    portal: bool = False,
) -> Message:
    """A message written earlier, rendered again for sending at ``sent_at``; the same id.

    The digest is rebuilt from the reminders the ledger keeps with the message. The stored
    message is returned as it is when that cannot be done exactly (a duty since removed from
    the schedule, a channel from the contacts): its Message-ID must not change.
    """
    channel = next(
        (c for c in contacts.channels_of(stored.addressee) if c.name == stored.channel), None
    )
    if channel is None or not slots:
        return stored
    items = []
    for slot in slots:
        occ = _occurrence(slot, schedule, cal)
        if occ is None:
            return stored
        forwarded = stored.addressee == COORDINATOR and not contacts.has_contact(slot.unit)
        items.append(
            Item(
                occ,
                slot.unit,
                slot.occurrence,
                slot.kind,
                slot.day,
                stored.addressee,
                channel,
                forwarded,
            )
        )
    digest = Digest(stored.addressee, channel, stored.send_at, tuple(sorted(items, key=item_order)))
    link = next(
        (line.removeprefix(_LINK) for line in stored.text.splitlines() if line.startswith(_LINK)),
        None,
    )
    again = render(digest, schedule, cal, contacts, link, portal=portal, sent_at=sent_at)
    return again if again.id == stored.id else stored


_LINK = "查看并标记完成："


def _occurrence(slot: Slot, schedule: Schedule, cal: WorkdayCalendar) -> Occurrence | None:
    """The occurrence a reminder in the ledger is about, from the schedule as it is now."""
    duty_id = slot.occurrence.split(".", 1)[0]  # DUTY.PERIOD.UNIT@DOMAIN; ids have no dot
    duty = next((d for d in schedule.duties if d.id == duty_id), None)
    if duty is None:
        return None
    for occ in expand_duty(duty, schedule, cal, slot.due, slot.due):
        if occ.uid(slot.unit, schedule.plan.uid_domain) == slot.occurrence:
            return occ
    return None
