"""Printable yearly calendars: the edition model, fonts, and the Typst (PDF) and HTML renderers.

An output stage: imports ``core`` up to ``occurrences``, never feeds, reminders or web.
"""

from .render import write_calendars

__all__ = ["write_calendars"]
