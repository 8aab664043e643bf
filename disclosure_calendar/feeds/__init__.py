"""iCalendar feeds: one per unit plus all.ics, the manifest that keeps them stable, index.html.

An output stage: imports ``core`` up to ``occurrences``, never printing, reminders or web.
"""

from .build import BuildBusy, stamp_time
from .build import build as build_feeds
from .manifest import MANIFEST
from .summary import BuildResult, summary_text

__all__ = ["BuildBusy", "MANIFEST", "BuildResult", "build_feeds", "stamp_time", "summary_text"]
