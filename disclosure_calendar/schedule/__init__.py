"""schedule.yaml read into an immutable, validated model: units, groups, duties, due rules, periods.

Imports ``core`` and ``workdays`` (due rules count working days; notices are calendar data).
"""

from .loader import load_schedule
from .model import Duty, Group, Schedule, Unit

__all__ = ["Duty", "Group", "Schedule", "Unit", "load_schedule"]
