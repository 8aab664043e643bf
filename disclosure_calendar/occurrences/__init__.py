"""Duties expanded into dated occurrences over a horizon, and the agenda view of them.

Imports ``core``, ``workdays`` and ``schedule``; every output stage reads what this produces.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .expansion import Occurrence, expand

__all__ = ["Occurrence", "expand"]


def __getattr__(name: str) -> Any:
    # The expansion pulls in the schedule loader and the calendar (~70 ms): loaded when a
    # command expands duties, not when it only asks `horizon` what today is (a quick rebuild).
    if name in __all__:
        return getattr(import_module(".expansion", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
