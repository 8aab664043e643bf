"""Printable yearly calendars: the edition model, fonts, and the Typst (PDF) and HTML renderers.

An output stage: imports ``core`` up to ``occurrences``, never feeds, reminders or web.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .render import write_calendars

__all__ = ["write_calendars"]


def __getattr__(name: str) -> Any:
    # The renderers pull in Jinja2 and Typst: loaded when printing, not when validate only
    # checks the font's coverage (printing.fonts).
    if name == "write_calendars":
        return import_module(".render", __name__).write_calendars
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
