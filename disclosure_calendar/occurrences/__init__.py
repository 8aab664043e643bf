"""Duties expanded into dated occurrences over a horizon, and the agenda view of them.

Imports ``core``, ``workdays`` and ``schedule``; every output stage reads what this produces.
"""

from .expansion import Occurrence, expand

__all__ = ["Occurrence", "expand"]
