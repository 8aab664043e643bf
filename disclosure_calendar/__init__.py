"""Recurring government information-disclosure duties as calendars, feeds and reminders.

The stages, each a subpackage, data flowing one way (docs/architecture.md)::

    schedule.yaml -> schedule -> workdays -> occurrences -> feeds | printing | reminders -> web

What a script needs is importable from here; each name is imported on first use, so a
command that only validates never loads the renderers::

    from disclosure_calendar import ChinaCalendar, build_feeds, expand, load_schedule
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .core.version import __version__

_PUBLIC = {
    "load_schedule": "disclosure_calendar.schedule",
    "Schedule": "disclosure_calendar.schedule",
    "ChinaCalendar": "disclosure_calendar.workdays",
    "WorkdayCalendar": "disclosure_calendar.workdays",
    "expand": "disclosure_calendar.occurrences",
    "Occurrence": "disclosure_calendar.occurrences",
    "build_feeds": "disclosure_calendar.feeds",
    "write_calendars": "disclosure_calendar.printing",
}
__all__ = [
    "ChinaCalendar",
    "Occurrence",
    "Schedule",
    "WorkdayCalendar",
    "__version__",
    "build_feeds",
    "expand",
    "load_schedule",
    "write_calendars",
]

if TYPE_CHECKING:
    from .feeds import build_feeds
    from .occurrences import Occurrence, expand
    from .printing import write_calendars
    from .schedule import Schedule, load_schedule
    from .workdays import ChinaCalendar, WorkdayCalendar


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'disclosure_calendar' has no attribute {name!r}")
