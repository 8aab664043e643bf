"""Reading a published plan (政务公开工作要点分工方案 …) and drafting schedule.yaml from it.

    document = read_plan(path)            # readers/: one per format -> Document
    plan = recognise(document)            # layouts/: sections, tasks, units -> PlanText
    draft = make_draft(plan, schedule)    # units to ids, cadences and due rules -> Draft
    as_yaml(draft) / as_json(draft)       # output.py; summary.py for the review

``plan import`` (commands) does the four in a row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..core.errors import DisclosureError
from ..core.i18n import gettext as _
from ..schedule.model import Schedule
from .document import Document
from .draft import Draft, make_draft
from .model import PlanText
from .readers.dispatch import MAX_BYTES, read_bytes
from .recognise import recognise

__all__ = ["Document", "Draft", "PlanText", "import_plan", "make_draft", "read_plan", "recognise"]


def read_plan(path: Path | str, data: bytes | None = None) -> Document:
    """The document at ``path`` (or ``data``, read from standard input as ``-``)."""
    source = str(path)
    if data is None:
        path = Path(path)
        if path.is_file() and path.stat().st_size > MAX_BYTES:
            data = path.open("rb").read(MAX_BYTES + 1)
        else:
            data = path.read_bytes()
    return read_bytes(data, source)


def import_plan(
    path: Path | str, schedule: Schedule | None, *, today: dt.date, data: bytes | None = None
) -> Draft:
    """The draft schedule of the plan at ``path``, its units mapped onto ``schedule``'s."""
    document = read_plan(path, data)
    if not document.has_text:
        raise DisclosureError(_("{source}: the file holds no text").format(source=path))
    plan = recognise(document)
    if not plan.tasks:
        raise DisclosureError(
            _(
                "{source}: no tasks found: the text has no numbered items, task table or unit brackets that a plan has"
            ).format(source=path)
        )
    if not any(t.lead_units for t in plan.tasks):
        raise DisclosureError(
            _(
                "{source}: no unit is named for any task: a plan says who does what (牵头单位, 责任单位, （X负责）)"
            ).format(source=path)
        )
    return make_draft(plan, schedule, today=today)
