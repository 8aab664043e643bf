"""iCalendar feeds: one per unit plus all.ics, the manifest that keeps them stable, index.html.

An output stage: imports ``core`` up to ``occurrences``, never printing, reminders or web.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build import BuildBusy, stamp_time
    from .build import build as build_feeds
    from .manifest import MANIFEST
    from .summary import BuildResult, summary_text

__all__ = ["BuildBusy", "MANIFEST", "BuildResult", "build_feeds", "stamp_time", "summary_text"]

_WHERE = {
    "BuildBusy": ("build", "BuildBusy"),
    "MANIFEST": ("manifest", "MANIFEST"),
    "BuildResult": ("summary", "BuildResult"),
    "build_feeds": ("build", "build"),
    "stamp_time": ("build", "stamp_time"),
    "summary_text": ("summary", "summary_text"),
}


def __getattr__(name: str) -> Any:
    # The renderer pulls in the whole model and calendar: loaded when a build renders, not
    # when a rebuild finds nothing changed (feeds.quick) and only prints the summary.
    if name in _WHERE:
        module, attr = _WHERE[name]
        return getattr(import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
